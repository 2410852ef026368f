/**
 * Running TAs: the sample TAs, OP-TEE's instance rules, misbehaving TAs contained, TA-to-TA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BUSY, TEE_ERROR_CANCEL, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_TARGET_DEAD,
  TEE_SUCCESS,
} from '../../emulator/abi/results.js';
import {
  HELLO_WORLD, LOOP_TA, PANIC_TA, PROPS_TA, RANDOM_TA, SIMS_TA, SINGLE_TA, TA2TA_TA, TIMECHECK_TA, TLSCTOR_TA,
  bootDevice, type TestDevice,
} from '../helpers/device.js';

const TEE = 3;
const TRUSTED_APP = 4;

let dev: TestDevice;
beforeAll(() => { dev = bootDevice({ trace: true, watchdogMs: 300 }); });
afterAll(() => dev?.close());

function open(uuid: string) {
  const r = dev.client.openSession(uuid);
  expect(r.result, `open ${uuid}`).toBe(TEE_SUCCESS);
  return r.session!;
}

/** After a misbehaving TA, the device must still answer another TA. */
function expectDeviceAlive(): void {
  const s = open(HELLO_WORLD);
  const r = dev.client.invoke(s, 0, [{ type: 'value-inout', a: 1, b: 0 }]);
  expect(r.params[0]).toEqual({ type: 'value', a: 2, b: 0 });
  dev.client.closeSession(s);
}

describe('sample TAs', () => {
  it('hello_world increments and decrements value.a', () => {
    const s = open(HELLO_WORLD);
    const c = dev.client;
    expect(c.invoke(s, 0, [{ type: 'value-inout', a: 41, b: 9 }])).toMatchObject({ result: 0, origin: TRUSTED_APP, params: [{ type: 'value', a: 42, b: 9 }] });
    expect(c.invoke(s, 1, [{ type: 'value-inout', a: 41, b: 0 }]).params[0]).toEqual({ type: 'value', a: 40, b: 0 });
    expect(c.invoke(s, 0, [{ type: 'value-in', a: 1, b: 0 }])).toMatchObject({ result: TEE_ERROR_BAD_PARAMETERS, origin: TRUSTED_APP });
    c.closeSession(s);
    expect(dev.lines('secure')).toContain('I/TA: Got value: 41 from NW');
  });

  it('random fills an output buffer of any size, differently each time', () => {
    const s = open(RANDOM_TA);
    const a = dev.client.invoke(s, 0, [{ type: 'memref-out', size: 48 }]);
    const b = dev.client.invoke(s, 0, [{ type: 'memref-out', size: 48 }]);
    dev.client.closeSession(s);
    expect(a.result).toBe(0);
    const [pa, pb] = [a.params[0]!, b.params[0]!];
    expect(pa.type === 'memref' && pa.size).toBe(48);
    expect(pa.type === 'memref' && pb.type === 'memref' && Buffer.from(pa.data).equals(Buffer.from(pb.data))).toBe(false);
  });

  it('an unknown TA answers ITEM_NOT_FOUND with origin TEE', () => {
    expect(dev.client.openSession('12345678-1234-1234-1234-123456789abc')).toMatchObject({ result: TEE_ERROR_ITEM_NOT_FOUND, origin: TEE });
  });

  it('traces the load, the session and every syscall by name', () => {
    const load = dev.events.find((e) => e.type === 'ta-load' && e.uuid === HELLO_WORLD);
    expect(load).toMatchObject({ signer: 'trustbox-dev' });
    const names = new Set(dev.events.flatMap((e) => (e.type === 'syscall' ? [e.name] : [])));
    for (const n of ['CRYP_RANDOM_NUMBER_GENERATE', 'LOG', 'RETURN']) expect(names).toContain(n);
    expect(dev.events.some((e) => e.type === 'session' && e.action === 'open' && e.uuid === HELLO_WORLD)).toBe(true);
  });
});

describe('what the loader sets up', () => {
  it('runs .init_array constructors and gives each instance its TLS block', () => {
    const s = open(TLSCTOR_TA);
    const state = () => dev.client.invoke(s, 0, [{ type: 'value-out' }, { type: 'value-out' }]).params;
    expect(state()).toEqual([{ type: 'value', a: 0xc0ffee, b: 1 }, { type: 'value', a: 0x7157, b: 0 }]);
    expect(state()[0]).toEqual({ type: 'value', a: 0xc0ffee, b: 2 });
    dev.client.closeSession(s);
  });
});

describe('instances and sessions', () => {
  it('a single-instance multi-session TA shares one instance between sessions', () => {
    const a = open(SIMS_TA);
    const b = open(SIMS_TA);
    const c = dev.client;
    expect(c.invoke(a, 0, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 1, b: 2 });
    expect(c.invoke(b, 0, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 2, b: 2 });
    c.closeSession(a);
    c.closeSession(b);
    // Keep-alive: the instance (and its counter) outlives its last session.
    const d = open(SIMS_TA);
    expect(c.invoke(d, 0, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 3, b: 1 });
    c.closeSession(d);
  });

  it('a single-instance TA without multi-session refuses a second session with BUSY', () => {
    const a = open(SINGLE_TA);
    expect(dev.client.openSession(SINGLE_TA)).toMatchObject({ result: TEE_ERROR_BUSY, origin: TEE });
    dev.client.closeSession(a);
    const b = open(SINGLE_TA); // not keep-alive: a fresh instance
    expect(dev.client.invoke(b, 0, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 1, b: 1 });
    dev.client.closeSession(b);
  });

  it('a multi-instance TA gets a fresh instance per session', () => {
    const a = open(HELLO_WORLD);
    const b = open(HELLO_WORLD);
    const loads = dev.events.filter((e) => e.type === 'ta-load' && e.uuid === HELLO_WORLD).length;
    expect(loads).toBeGreaterThanOrEqual(2);
    dev.client.closeSession(a);
    dev.client.closeSession(b);
  });

  it('a panic kills the instance for all its sessions, and a new session starts afresh', () => {
    const a = open(SIMS_TA);
    const b = open(SIMS_TA);
    const c = dev.client;
    expect(c.invoke(a, 1, [])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
    expect(c.invoke(b, 0, [{ type: 'value-out' }])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
    c.closeSession(a);
    c.closeSession(b);
    const d = open(SIMS_TA);
    expect(c.invoke(d, 0, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 1, b: 1 });
    c.closeSession(d);
  });

  it('frees secure memory when instances go away', () => {
    const before = dev.device.core.stats().freeSecurePages;
    for (let i = 0; i < 5; i++) dev.client.closeSession(open(HELLO_WORLD));
    expect(dev.device.core.stats().freeSecurePages).toBe(before);
  });
});

describe('misbehaving TAs are contained', () => {
  const cases: [string, number, RegExp][] = [
    ['TEE_Panic', 0, /panicked with code 0xdead/],
    ['a null-pointer store', 1, /tried to write unmapped address 0x0/],
    ['a jump to unmapped memory', 2, /tried to execute unmapped address 0xdead000000/],
    ['a stack overflow', 3, /unmapped address|read-only/],
  ];
  for (const [what, cmd, reason] of cases) {
    it(`${what} ends in TARGET_DEAD (origin TEE) and the device keeps serving`, () => {
      const s = open(PANIC_TA);
      const before = dev.events.length;
      expect(dev.client.invoke(s, cmd, [])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
      const panic = dev.events.slice(before).find((e) => e.type === 'panic');
      expect(panic && panic.type === 'panic' && panic.reason).toMatch(reason);
      expect(dev.client.invoke(s, 0, [])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
      dev.client.closeSession(s);
      expectDeviceAlive();
    });
  }

  it('reports the TA-relative PC of a panic', () => {
    const s = open(PANIC_TA);
    const before = dev.events.length;
    dev.client.invoke(s, 0, []);
    const panic = dev.events.slice(before).find((e) => e.type === 'panic');
    expect(panic).toMatchObject({ code: 0xdead });
    expect(panic && panic.type === 'panic' && panic.taPc).toBeLessThan(0x10000);
    dev.client.closeSession(s);
  });

  it('a TA that loops forever is stopped by the watchdog', () => {
    const s = open(LOOP_TA);
    const t0 = performance.now();
    expect(dev.client.invoke(s, 0, [])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(dev.lines('secure').some((l) => /ran longer than the watchdog allows \(300 ms\)/.test(l))).toBe(true);
    dev.client.closeSession(s);
    expectDeviceAlive();
  });

  // Issue 12, item 2: no run or wait of these is long, but each used to re-arm the watchdog.
  for (const [cmd, what] of [[3, 'loops over short TEE_Waits'], [4, 'spins on TEE_GetREETime (an RPC each time)']] as const) {
    it(`a TA that ${what} is stopped when the call's time budget is spent`, () => {
      const s = open(LOOP_TA);
      const t0 = performance.now();
      expect(dev.client.invoke(s, cmd, [])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: TEE });
      expect(performance.now() - t0).toBeLessThan(5000);
      dev.client.closeSession(s);
      expectDeviceAlive();
    });
  }

  it('a TA that waits and then calls a TA that waits forever: the chain ends within the first call\'s budget', () => {
    // The callee gets no more than its caller has left (before the per-call budget, it waited forever).
    const s = open(TA2TA_TA);
    const t0 = performance.now();
    expect(dev.client.invoke(s, 2, [{ type: 'value-in', a: 280, b: 0 }])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD });
    expect(performance.now() - t0).toBeLessThan(500); // the caller's 300 ms, not 280 + 300
    dev.client.closeSession(s);
    expectDeviceAlive();
  });

  it('TEE_Wait returns after its timeout', () => {
    const s = open(LOOP_TA);
    const t0 = performance.now();
    expect(dev.client.invoke(s, 2, [{ type: 'value-in', a: 50, b: 0 }]).result).toBe(TEE_SUCCESS);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    dev.client.closeSession(s);
  });

  it('cancellation reaches a TA through the cancellation syscalls', () => {
    const s = open(LOOP_TA);
    let polls = 0;
    dev.device.core.cancelFlags = () => ++polls > 50;
    try {
      expect(dev.client.invoke(s, 1, [])).toMatchObject({ result: TEE_ERROR_CANCEL, origin: TRUSTED_APP });
      expect(polls).toBeGreaterThan(50);
    } finally {
      dev.device.core.cancelFlags = undefined;
      dev.client.closeSession(s);
    }
  });
});

describe('TA to TA', () => {
  it('a TA opens hello_world and invokes it with a value', () => {
    const s = open(TA2TA_TA);
    const r = dev.client.invoke(s, 0, [{ type: 'value-inout', a: 99, b: 0 }]);
    expect(r).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 100, b: 0 }] });
    dev.client.closeSession(s);
    const sessions = dev.events.filter((e) => e.type === 'session' && e.uuid === HELLO_WORLD && e.action === 'open');
    expect(sessions.length).toBeGreaterThan(0);
  });

  it('a TA passes its private stack buffer to another TA (bounced through the system PTA)', () => {
    const s = open(TA2TA_TA);
    const r = dev.client.invoke(s, 1, [{ type: 'memref-out', size: 64 }]);
    expect(r.result).toBe(TEE_SUCCESS);
    const p = r.params[0]!;
    expect(p.type === 'memref' && p.size).toBe(64);
    expect(p.type === 'memref' && Buffer.from(p.data).some((b) => b !== 0)).toBe(true);
    dev.client.closeSession(s);
  });

  // TEE_InvokeTACommand/TEE_OpenTASession's timeout (cancel_req_to), as xtest 1008.2: the callee's
  // operation counts as cancelled when the time is up; a callee that unmasked sees it.
  const withTimeout = (waitMs: number, timeoutMs: number, asOpen = 0) => {
    const s = open(TA2TA_TA);
    const t0 = performance.now();
    const r = dev.client.invoke(s, 3, [
      { type: 'value-in', a: waitMs, b: timeoutMs }, { type: 'value-out' }, { type: 'value-in', a: asOpen, b: 0 },
    ]);
    dev.client.closeSession(s);
    return { r, ms: performance.now() - t0 };
  };

  it('an invoke with a timeout shorter than the callee\'s wait ends in CANCEL from the callee', () => {
    const { r, ms } = withTimeout(250, 60);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.params[1]).toEqual({ type: 'value', a: TEE_ERROR_CANCEL, b: TRUSTED_APP });
    expect(ms).toBeLessThan(240);
  });

  it('an invoke with a timeout longer than the callee\'s wait, or none, runs to its end', () => {
    expect(withTimeout(30, 200).r.params[1]).toEqual({ type: 'value', a: TEE_SUCCESS, b: TRUSTED_APP });
    expect(withTimeout(30, 0xffffffff).r.params[1]).toEqual({ type: 'value', a: TEE_SUCCESS, b: TRUSTED_APP });
  });

  it('an open with a timeout is cancelled when it is up; the next operation on the caller is not', () => {
    const { r } = withTimeout(0, 40, 1);
    expect(r.params[1]).toEqual({ type: 'value', a: TEE_ERROR_CANCEL, b: TRUSTED_APP });
    expect(withTimeout(30, 0xffffffff).r.params[1]).toEqual({ type: 'value', a: TEE_SUCCESS, b: TRUSTED_APP });
  });
});

describe('properties and time', () => {
  const str = (s: string) => Buffer.from(`${s}\0`);
  it('reads implementation, client and TA properties', () => {
    const s = open(PROPS_TA);
    const c = dev.client;
    const get = (set: number, name: string) => c.invoke(s, 0, [
      { type: 'memref-out', size: 64 }, { type: 'memref-in', data: str(name) }, { type: 'value-in', a: set, b: 0 },
    ]);
    const desc = get(0xfffffffd, 'gpd.tee.description');
    expect(desc.result).toBe(0);
    expect(desc.params[0]!.type === 'memref' && Buffer.from(desc.params[0]!.data).toString('utf8').replace(/\0.*$/s, '')).toBe('OPTEE');
    const api = get(0xfffffffd, 'gpd.tee.apiversion');
    expect(api.params[0]!.type === 'memref' && Buffer.from(api.params[0]!.data).toString().replace(/\0.*$/s, '')).toBe('GPD-1.1-dev');
    expect(get(0xfffffffd, 'no.such.property').result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(c.invoke(s, 1, [{ type: 'value-out' }]).params[0]).toEqual({ type: 'value', a: 32768, b: 0 });
    c.closeSession(s);
  });

  it('gives system time from boot and REE time from the normal world', () => {
    const s = open(TIMECHECK_TA);
    const r = dev.client.invoke(s, 0, [{ type: 'value-out' }, { type: 'value-out' }]);
    dev.client.closeSession(s);
    expect(r.result).toBe(0);
    const [sys, ree] = r.params as { a: number; b: number }[];
    expect(sys!.b).toBeLessThan(1000);
    expect(Math.abs(ree!.a - Date.now() / 1000)).toBeLessThan(5);
    expect(dev.events.some((e) => e.type === 'rpc' && e.name === 'GET_TIME')).toBe(true);
  });
});

describe('fault PCs', () => {
  it('with exact fault PCs, a TA abort names the store instruction itself', async () => {
    const { parseElf, vaddrToOffset } = await import('../../emulator/tee/loader/elf.js');
    const { readFileSync } = await import('node:fs');
    const exact = bootDevice({ exactFaultPcs: true });
    try {
      const s = exact.client.openSession(PANIC_TA).session!;
      expect(exact.client.invoke(s, 1, []).result).toBe(TEE_ERROR_TARGET_DEAD);
      const panic = exact.events.find((e) => e.type === 'panic');
      expect(panic && panic.type === 'panic' && panic.reason).not.toMatch(/code block/);
      const elfBytes = readFileSync(`firmware/ta/panic/out/${PANIC_TA}.elf`);
      const off = vaddrToOffset(parseElf(elfBytes), panic!.type === 'panic' ? panic.taPc : 0, 4)!;
      const insn = elfBytes.readUInt32LE(off);
      // A64 loads and stores: op0 = x1x0 (bits 27 and 25).
      expect((insn & 0x0a000000) >>> 0).toBe(0x08000000);
    } finally {
      exact.close();
    }
  });

  it('without them, the report says how to get the exact instruction', () => {
    const plain = bootDevice();
    try {
      const s = plain.client.openSession(PANIC_TA).session!;
      expect(plain.client.invoke(s, 1, []).result).toBe(TEE_ERROR_TARGET_DEAD);
      const panic = plain.events.find((e) => e.type === 'panic');
      expect(panic && panic.type === 'panic' && panic.reason).toMatch(/--trace or --exact-faults/);
    } finally {
      plain.close();
    }
  });
});
