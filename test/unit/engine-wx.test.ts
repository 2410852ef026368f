/**
 * W^X on both engine libraries: a guest store into a read-only or executable page faults
 * (UC_ERR_WRITE_PROT) and leaves the page unchanged, with the store fix (default) as with the
 * library as installed, for engine-owned RAM (uc_mem_map) and for host memory
 * (uc_mem_map_ptr, which is how TA code and rodata are mapped), also after uc_mem_protect
 * takes write permission away from a page the guest has already written (a warm TLB entry).
 * The first store-fix NOP'd TLB_NOTDIRTY unconditionally, and such stores went through.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cpu, PERM } from '../../emulator/cpu/cpu.js';
import { chooseLibrary } from '../../emulator/cpu/library.js';

const CODE = 0x40000000;
const PAGE = 0x40010000;
const WRITE_PROT = 12; // UC_ERR_WRITE_PROT

/** The probe, as source text: runs in this process and in child processes (other libraries). */
function probe(CpuClass: typeof Cpu, P: typeof PERM): Record<string, { err: number | string; value: number }> {
  const words = [
    0xd2a80020, // mov x0, #0x40010000
    0xf9400002, // ldr x2, [x0]        (a load first: the page's TLB entry is warm)
    0xd2824681, // mov x1, #0x1234
    0xf9000001, // str x1, [x0]
    0xd4000001, // svc #0
  ];
  const code = new Uint8Array(words.length * 4);
  const view = new DataView(code.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  const out: Record<string, { err: number | string; value: number }> = {};
  const cases: [string, number, number | undefined][] = [
    ['r', P.R, undefined], ['rx', P.RX, undefined], ['rw', P.RW, undefined], ['rw then rx', P.RW, P.RX], ['rw then r', P.RW, P.R],
  ];
  for (const how of ['ram', 'host']) {
    for (const [name, perms, later] of cases) {
      const c = CpuClass.create({ model: 'cortex-a53', secure: true });
      try {
        c.mapRam(CODE, 0x1000, P.RX);
        if (how === 'ram') c.mapRam(PAGE, 0x1000, perms);
        else c.mapHost(PAGE, new Uint8Array(new SharedArrayBuffer(0x1000)), perms);
        c.write(CODE, code);
        c.addInterruptListener(() => { c.stop(); return true; });
        let err: number | string;
        try {
          err = c.run(CODE);
          if (later !== undefined) {
            c.write(PAGE, new Uint8Array(8)); // the first store went in: clear it, then protect
            c.protect(PAGE, 0x1000, later);
            err = c.run(CODE);
          }
        } catch (e) {
          err = String(e);
        }
        const bytes = c.read(PAGE, 8);
        out[`${how} ${name}`] = { err, value: bytes[0]! | (bytes[1]! << 8) };
      } finally {
        c.close();
      }
    }
  }
  return out;
}

const expected = {
  'ram r': { err: WRITE_PROT, value: 0 },
  'ram rx': { err: WRITE_PROT, value: 0 },
  'ram rw': { err: 0, value: 0x1234 },
  'ram rw then rx': { err: WRITE_PROT, value: 0 },
  'ram rw then r': { err: WRITE_PROT, value: 0 },
  'host r': { err: WRITE_PROT, value: 0 },
  'host rx': { err: WRITE_PROT, value: 0 },
  'host rw': { err: 0, value: 0x1234 },
  'host rw then rx': { err: WRITE_PROT, value: 0 },
  'host rw then r': { err: WRITE_PROT, value: 0 },
};

const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

/** Runs the probe in a child process on the compiled emulator, with the given library. */
function probeIn(env: Record<string, string>): { variant: string; out: unknown } {
  const root = process.cwd();
  const script = `
    const { Cpu, PERM } = await import(${JSON.stringify(join(root, 'dist/emulator/cpu/cpu.js'))});
    const { chooseLibrary } = await import(${JSON.stringify(join(root, 'dist/emulator/cpu/library.js'))});
    const CODE = ${CODE}, PAGE = ${PAGE};
    const probe = ${probe.toString()};
    console.log(JSON.stringify({ variant: chooseLibrary().variant, out: probe(Cpu, PERM) }));`;
  const cache = mkdtempSync(join(tmpdir(), 'trustbox-wx-'));
  temps.push(cache);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, TRUSTBOX_CACHE_DIR: cache, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { variant: string; out: unknown };
}

describe('W^X holds on both engine libraries', () => {
  it(`in this process (${chooseLibrary().variant}): stores to read-only and executable pages fault`, () => {
    expect(probe(Cpu, PERM)).toEqual(expected);
  });

  for (const [name, env, variant] of [
    ['the store fix (default)', { TRUSTBOX_UNICORN: '' }, 'store-fix'],
    ['the library as installed', { TRUSTBOX_UNICORN: 'system' }, 'system'],
  ] as const) {
    it(`${name}: stores to read-only and executable pages fault`, () => {
      expect(probeIn(env)).toEqual({ variant, out: expected });
    });
  }
});
