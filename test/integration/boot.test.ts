import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from '../../emulator/device/device.js';
import { ImageError, defaultImageDir } from '../../emulator/device/image.js';
import { HB_OP_PROBE, HB_OP_READ_ADDRESS } from '../../emulator/ree/hostbridge.js';
import { TEE_ERROR_COMMUNICATION } from '../../emulator/abi/results.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

/** Console patterns that mean the boot went wrong; a test fails fast on them. */
const FAULT_PATTERNS = [/^fault:/, /no OP-TEE found/, /hostbridge: not found/, /halted/];

function expectCleanConsoles(dev: TestDevice): void {
  for (const line of [...dev.lines('normal'), ...dev.lines('secure')]) {
    for (const p of FAULT_PATTERNS) expect(line, `unexpected console line: ${line}`).not.toMatch(p);
  }
}

describe('booting trustbox-edge', () => {
  let dev: TestDevice;
  beforeAll(() => { dev = bootDevice({ trace: true }); });
  afterAll(() => dev?.close());

  it('prints the banner and the TEE probe on UART0', () => {
    expectCleanConsoles(dev);
    const normal = dev.lines('normal');
    expect(normal[0]).toBe('TrustBox REE firmware 0.1 (normal world, NS-EL1) on trustbox-edge');
    expect(normal).toContain('psci: version 1.1');
    expect(normal).toContain('tee: API UID 384fb3e0-e7f8-11e3-af63-0002a5d5c51b, revision 2.0');
    expect(normal).toContain('tee: OP-TEE OS UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b');
    expect(normal).toContain('tee: OP-TEE OS revision 4.10');
    expect(normal[normal.length - 1]).toBe('ready: waiting for requests');
  });

  it('logs the boot chain on the secure console (UART1) before the normal world starts', () => {
    const secure = dev.lines('secure');
    expect(secure[0]).toMatch(/^boot ROM: TrustBox boot ROM on trustbox-edge/);
    expect(secure.some((l) => /files match manifest\.json/.test(l))).toBe(true);
    expect(secure.some((l) => l.startsWith('monitor: secure monitor (EL3) ready'))).toBe(true);
    const firstNormal = dev.events.findIndex((e) => e.type === 'console' && e.world === 'normal');
    const start = dev.events.findIndex((e) => e.type === 'console' && /starting the normal world/.test(e.line));
    expect(start).toBeGreaterThan(-1);
    expect(start).toBeLessThan(firstNormal);
  });

  it('traces every SMC of the probe, decoded, with world switches around OP-TEE calls', () => {
    const smcs = dev.events.flatMap((e) => (e.type === 'smc' ? [e.name] : []));
    expect(smcs).toEqual(expect.arrayContaining([
      'PSCI_VERSION', 'OPTEE_SMC_CALLS_UID', 'OPTEE_SMC_CALLS_REVISION', 'OPTEE_SMC_CALL_GET_OS_UUID',
      'OPTEE_SMC_CALL_GET_OS_REVISION', 'OPTEE_SMC_EXCHANGE_CAPABILITIES',
    ]));
    const switches = dev.events.filter((e) => e.type === 'world-switch');
    expect(switches.length).toBe(2 * smcs.filter((n) => n.startsWith('OPTEE')).length);
    expect(dev.events.find((e) => e.type === 'ready')).toMatchObject({ board: 'trustbox-edge', osUuid: '486178e0-e7f8-11e3-bc5e-0002a5d5c51b' });
  });

  it('turns a normal-world read of secure RAM into an explained fault and keeps serving', () => {
    const before = dev.events.length;
    const peek = dev.device.request({ op: HB_OP_READ_ADDRESS, params: [{ attr: 0, a: 0x0e000000n, b: 0n, c: 0n }] });
    expect(peek.status).toBe(TEE_ERROR_COMMUNICATION);
    const fault = dev.events.slice(before).find((e) => e.type === 'fault');
    expect(fault).toMatchObject({ type: 'fault', world: 'normal', access: 'read', address: 0x0e000000, region: 'secure-ram' });
    expect(fault && 'explanation' in fault && fault.explanation).toMatch(/secure RAM, secure only.*blocks normal-world access/);
    expect(dev.lines('normal').some((l) => /^fault: synchronous exception at 0x4000[0-9a-f]+, ESR 0x96000010, FAR 0xe000000$/.test(l))).toBe(true);
    expect(dev.device.request({ op: HB_OP_PROBE }).status).toBe(0);
    expect(dev.client.openSession('8aaaf200-2450-11e4-abe2-0002a5d5c51b').result).toBe(0);
  });

  it('takes requests from the queue in shared memory; a head beyond the ring is dropped with a line and serving goes on', () => {
    // The host's end of the queue, as a buggy or hostile host would leave it.
    const internals = dev.device as unknown as { bridge: { head: number; queue: Uint32Array }; normal: { run(): string } };
    const q = internals.bridge.queue;
    expect(q[0]).toBe(q[1]); // everything posted so far was taken
    const bogus = (q[1]! + 1000) >>> 0;
    q[0] = bogus;
    internals.bridge.head = bogus;
    expect(internals.normal.run()).toBe('idle');
    expect(dev.lines('normal').at(-1)).toMatch(/^hostbridge: request queue overrun \(head \d+, tail \d+\); dropped$/);
    expect(q[1]).toBe(bogus);
    expect(dev.device.request({ op: HB_OP_PROBE }).status).toBe(0);
    expect(q[0]).toBe(q[1]);
  });
});

describe('boards and images', () => {
  it('boots trustbox-edgexl on a Cortex-A72', () => {
    const dev = bootDevice({ board: 'trustbox-edgexl' });
    try {
      expect(dev.lines('normal')[0]).toMatch(/on trustbox-edgexl$/);
      expect(dev.lines('secure')[0]).toMatch(/cortex-a72/);
    } finally {
      dev.close();
    }
  });

  describe('a damaged image is refused, naming the file', () => {
    let dir: string;
    const bootWith = (mutate: (d: string) => void) => {
      rmSync(dir, { recursive: true, force: true });
      cpSync(defaultImageDir('trustbox-edge'), dir, { recursive: true });
      mutate(dir);
      const device = new Device({ imageDir: dir, stateDir: join(dir, '.state') });
      try {
        device.boot();
      } finally {
        device.close();
      }
    };
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'trustbox-image-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('tampered firmware', () => {
      expect(() => bootWith((d) => {
        const p = join(d, 'normal.bin');
        const b = readFileSync(p);
        b[100] = b[100]! ^ 0xff;
        writeFileSync(p, b);
      })).toThrow(/image file normal\.bin does not match its manifest/);
    });

    it('a missing TA file', () => {
      expect(() => bootWith((d) => unlinkSync(join(d, 'ta', '8aaaf200-2450-11e4-abe2-0002a5d5c51b.ta'))))
        .toThrow(/image file ta\/8aaaf200-2450-11e4-abe2-0002a5d5c51b\.ta is missing/);
    });

    it('an unlisted file and a corrupt manifest', () => {
      expect(() => bootWith((d) => writeFileSync(join(d, 'ta', 'extra.ta'), 'x'))).toThrow(/ta\/extra\.ta is not listed/);
      expect(() => bootWith((d) => writeFileSync(join(d, 'manifest.json'), '{ nope'))).toThrow(ImageError);
    });
  });
});
