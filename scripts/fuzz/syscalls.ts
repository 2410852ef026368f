/**
 * Hostile syscall sequences: an in-process device (as test/helpers/device.ts boots one), the
 * sysprobe TA making raw syscalls with arguments chosen here (see
 * firmware/ta/sysprobe/include/sysprobe_ta.h and test/integration/syscalls.test.ts), grouped in
 * sequences on one session so that state (handles, objects, the scratch buffer) carries across
 * calls. A TA that dies (TARGET_DEAD) gets a new session; the device must never throw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../emulator/device/device.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import { TEE_ERROR_TARGET_DEAD, TEE_SUCCESS, resultName } from '../../emulator/abi/results.js';
import { SYSCALL_NAMES, TEE_SCN_MAX, TEE_SCN_WAIT } from '../../emulator/tee/syscalls/numbers.js';
import { Rng } from './rng.js';

const SYSPROBE = '7a3f5c21-0b6e-4c8d-9e44-1f2a60d13b85';
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const S = (off: number) => (0x5c5cn << 48n) | BigInt(off >>> 0);
const P = (off: number) => (0x5d5dn << 48n) | BigInt(off >>> 0);
const R = (off: number) => (0x5e5en << 48n) | BigInt(off >>> 0);
const SCRATCH = 8192;
const U64_MAX = (1n << 64n) - 1n;
/** TEE_Wait's longest timeout here, ms: the run stays bounded. */
const MAX_WAIT_MS = 20;

export interface SyscallFuzzResult {
  syscalls: number;
  sequences: number;
  /** The sysprobe call's own result when not SUCCESS (TA dead, bad parameters, ...), by name. */
  callFailures: Record<string, number>;
  /** The syscall's result (value2.a) by result name, when the call came back. */
  results: Record<string, number>;
  bySyscall: Record<string, number>;
  taDeaths: number;
  sessionsOpened: number;
  openFailures: number;
  deviceExceptions: number;
  exceptionSamples: string[];
  slowestMs: number;
  slowest: string;
  helloWorldAfter: boolean;
  ms: number;
}

/** hello_world's UUID as a TEE_UUID in TA memory (little-endian fields), for OPEN_TA_SESSION. */
function helloUuidBytes(): Buffer {
  return Buffer.from([0x00, 0xf2, 0xaa, 0x8a, 0x50, 0x24, 0xe4, 0x11, 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b]);
}

/** One argument: wild pointers, tagged pointers at random offsets, sizes, handles seen earlier. */
function arg(r: Rng, handles: number[], scratchLen: number): bigint {
  switch (r.int(14)) {
    case 0: return 0n;
    case 1: return U64_MAX;
    case 2: return BigInt(r.int(64));
    case 3: return BigInt(r.u32());
    case 4: return r.u64();
    case 5: return r.pick([0x10n, 0xdead000000n, 0xffff000000000000n, 0x8000000000000000n, 0x7ffffffff000n, 0xfffffffffffffff0n, 0x40000000n, 0x0e100000n]);
    case 6: case 7: return S(r.chance(0.8) ? r.int(SCRATCH) : r.u32());
    case 8: return P(r.chance(0.8) ? r.int(scratchLen + 16) : r.u32());
    case 9: return R(r.chance(0.8) ? r.int(256) : r.u32());
    case 10: return BigInt(r.pick([0xffffffff, 0x80000000, 0xfffffff0, 0x10000, SCRATCH, SCRATCH + 1, 4096, 0x7fffffff]));
    case 11: case 12: return handles.length > 0 ? BigInt(r.pick(handles)) : BigInt(r.int(16));
    default: return BigInt(r.pick([0xfffffffd, 0xfffffffe, 0xffffffff, 0x10000000, 0x20000000, 0x10000001, 0xa0000010, 0x50000001, 0x70000000, 0x80000000]));
  }
}

export function syscallFuzz(opts: { syscalls: number; seed: number; perSequence?: number; log: (s: string) => void }): SyscallFuzzResult {
  const t0 = performance.now();
  const perSeq = opts.perSequence ?? 10;
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-fuzz-sys-'));
  const device = new Device({ stateDir, watchdogMs: 1000, seed: `fuzz-${opts.seed}` });
  const out: SyscallFuzzResult = {
    syscalls: 0, sequences: 0, callFailures: {}, results: {}, bySyscall: {}, taDeaths: 0, sessionsOpened: 0, openFailures: 0,
    deviceExceptions: 0, exceptionSamples: [], slowestMs: 0, slowest: '', helloWorldAfter: false, ms: 0,
  };
  const bump = (m: Record<string, number>, k: string) => { m[k] = (m[k] ?? 0) + 1; };
  const exception = (where: string, error: unknown) => {
    out.deviceExceptions++;
    if (out.exceptionSamples.length < 10) out.exceptionSamples.push(`${where}: ${(error as Error)?.stack ?? String(error)}`.slice(0, 600));
  };
  try {
    device.boot();
    const client = new SpecClient(device);
    let session: number | undefined;
    const open = (): number | undefined => {
      try {
        const o = client.openSession(SYSPROBE);
        if (o.result === TEE_SUCCESS && o.session !== undefined) { out.sessionsOpened++; return o.session; }
        out.openFailures++;
      } catch (error) { exception('openSession', error); }
      return undefined;
    };
    let nextLog = 10_000;
    for (let seq = 0; out.syscalls < opts.syscalls; seq++) {
      out.sequences++;
      const handles: number[] = [];
      const sr = new Rng(opts.seed, 2, seq);
      let scratch = sr.chance(0.5) ? Buffer.alloc(256 + sr.int(3840)) : sr.bytes(256 + sr.int(3840));
      // Things worth finding in memory: hello_world's UUID, a UTF-8 name, a few sizes.
      if (sr.chance(0.5)) helloUuidBytes().copy(scratch, 0);
      if (sr.chance(0.3)) scratch.write('gpd.tee.deviceID\0', 64);
      for (let k = 0; k < perSeq && out.syscalls < opts.syscalls; k++) {
        const index = out.syscalls++;
        const r = new Rng(opts.seed, 3, index);
        if (session === undefined) session = open();
        if (session === undefined) continue;
        let num = r.chance(0.97) ? r.int(TEE_SCN_MAX + 1) : TEE_SCN_MAX + 1 + r.int(8);
        // RETURN and PANIC end the TA on every call: keep them rare so sequences carry state.
        if ((num === 0 || num === 2) && r.chance(0.8)) num = 1 + r.int(TEE_SCN_MAX);
        if (r.chance(0.02)) num = r.pick([0xffffffff, 0x80000000, 1000, 0x10000]);
        const args = Array.from({ length: 8 }, () => arg(r, handles, scratch.length));
        if (num === TEE_SCN_WAIT) args[0] = BigInt(r.int(MAX_WAIT_MS + 1));
        const block = Buffer.alloc(72);
        for (let i = 0; i < 8; i++) block.writeBigUInt64LE(BigInt.asUintN(64, args[i]!), 8 * i);
        block.writeBigUInt64LE(BigInt.asUintN(64, BigInt(num)), 64);
        const name = SYSCALL_NAMES[num] ?? `#${num}`;
        bump(out.bySyscall, name);
        const t = performance.now();
        let r2;
        try {
          r2 = client.invoke(session, 0, [{ type: 'memref-in', data: block }, { type: 'memref-inout', data: scratch }, { type: 'value-out' }]);
        } catch (error) {
          exception(`syscall ${index} (${name}, seed ${opts.seed})`, error);
          session = undefined;
          continue;
        }
        const ms = performance.now() - t;
        if (ms > out.slowestMs) { out.slowestMs = ms; out.slowest = `syscall ${index} ${name} -> ${resultName(r2.result >>> 0)}`; }
        if (r2.result !== TEE_SUCCESS) {
          bump(out.callFailures, resultName(r2.result >>> 0));
          if ((r2.result >>> 0) === TEE_ERROR_TARGET_DEAD) {
            out.taDeaths++;
            try { client.closeSession(session); } catch (error) { exception(`closeSession after syscall ${index}`, error); }
            session = undefined;
          }
          continue;
        }
        const value = r2.params[2];
        const res = value?.type === 'value' ? value.a >>> 0 : -1;
        bump(out.results, res === -1 ? 'no value' : resultName(res));
        const back = r2.params[1];
        if (back?.type === 'memref' && back.data.length === scratch.length) scratch = Buffer.from(back.data);
        // Handles the call may have written where its pointer arguments pointed.
        for (const a of args) {
          if (a >> 48n === 0x5c5cn || a >> 48n === 0x5d5dn) {
            const off = Number(a & 0xffffffffn);
            if (off + 4 <= scratch.length) {
              const h = scratch.readUInt32LE(off);
              if (h !== 0 && handles.length < 64) handles.push(h);
            }
          }
        }
        if (index + 1 >= nextLog) {
          opts.log(`fuzz syscalls: ${index + 1} (${((performance.now() - t0) / 1000).toFixed(0)} s, ${out.taDeaths} TA deaths)`);
          nextLog += 10_000;
        }
      }
      if (session !== undefined && (seq % 10 === 9)) {
        // A fresh session every 10 sequences: objects, handles and sessions opened by TA-to-TA calls go with it.
        try { client.closeSession(session); } catch (error) { exception(`closeSession after sequence ${seq}`, error); }
        session = undefined;
      }
    }
    if (session !== undefined) try { client.closeSession(session); } catch (error) { exception('final closeSession', error); }
    try {
      const h = client.openSession(HELLO_WORLD);
      const inv = client.invoke(h.session!, 0, [{ type: 'value-inout', a: 41, b: 0 }]);
      const p = inv.params[0];
      out.helloWorldAfter = inv.result === TEE_SUCCESS && p?.type === 'value' && p.a === 42;
      client.closeSession(h.session!);
    } catch (error) { exception('hello_world after the run', error); }
  } catch (error) {
    exception('device', error);
  } finally {
    try { device.powerOff(); } catch (error) { exception('powerOff', error); }
    rmSync(stateDir, { recursive: true, force: true });
  }
  out.ms = performance.now() - t0;
  return out;
}
