/**
 * Our TA dev kit builds the sample TAs from source the way OP-TEE developers expect, the result
 * satisfies OP-TEE's loader rules, and the device refuses TAs it cannot trust.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTa } from '../../emulator/tee/loader/container.js';
import { parseElf } from '../../emulator/tee/loader/elf.js';
import { generateKeyPairSync } from '../../emulator/host/crypto.js';
import { TEE_ERROR_SECURITY, TEE_SUCCESS } from '../../emulator/abi/results.js';
import { HELLO_WORLD, bootDevice } from '../helpers/device.js';

const ROOT = process.cwd();
let work: string;
let out: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trustbox-devkit-'));
  cpSync(join(ROOT, 'firmware', 'ta', 'hello_world'), join(work, 'hello_world'), {
    recursive: true, filter: (src) => !src.includes('/out'),
  });
  execFileSync('make', ['-s', '-C', join(work, 'hello_world'),
    `TA_DEV_KIT_DIR=${join(ROOT, 'firmware', 'ta-devkit')}`, `TRUSTBOX=node ${join(ROOT, 'bin', 'trustbox.js')}`], { stdio: 'pipe' });
  out = join(work, 'hello_world', 'out');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('building a TA with the dev kit', () => {
  it('produces <uuid>.elf, .stripped.elf and a signed .ta', () => {
    for (const f of [`${HELLO_WORLD}.elf`, `${HELLO_WORLD}.stripped.elf`, `${HELLO_WORLD}.ta`]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
  });

  it('satisfies OP-TEE\'s loader rules (ET_DYN, AArch64, flags 0, phdrs in the first page, aligned PT_LOADs)', () => {
    const elf = parseElf(readFileSync(join(out, `${HELLO_WORLD}.stripped.elf`)));
    expect(elf.loads.length).toBeGreaterThanOrEqual(2);
    for (const seg of elf.loads) {
      expect(seg.align).toBeGreaterThanOrEqual(4096);
      expect(seg.offset % 4096).toBe(seg.vaddr % 4096);
    }
    const header = readFileSync(join(out, `${HELLO_WORLD}.stripped.elf`));
    expect(header.readUInt16LE(16)).toBe(3); // ET_DYN
    expect(header.readUInt16LE(18)).toBe(183); // EM_AARCH64
    expect(header.readUInt32LE(48)).toBe(0); // e_flags
  });

  it('the freshly built TA runs in a device (found through --ta-path before the image copy)', () => {
    const dev = bootDevice({ taPaths: [out], trace: true });
    try {
      const s = dev.client.openSession(HELLO_WORLD);
      expect(s.result).toBe(TEE_SUCCESS);
      expect(dev.client.invoke(s.session!, 0, [{ type: 'value-inout', a: 1, b: 0 }]).params[0]).toEqual({ type: 'value', a: 2, b: 0 });
      expect(dev.events.some((e) => e.type === 'rpc' && e.name === 'LOAD_TA' && /from ta-path/.test(e.detail))).toBe(true);
    } finally {
      dev.close();
    }
  });

  it('trustbox ta sign --algo pkcs1 makes a TA the device accepts', () => {
    const dir = join(work, 'pkcs1');
    execFileSync(process.execPath, [join(ROOT, 'bin', 'trustbox.js'), 'ta', 'sign', '--in', join(out, `${HELLO_WORLD}.stripped.elf`),
      '--out', join(dir, `${HELLO_WORLD}.ta`), '--algo', 'pkcs1'], { stdio: 'pipe' });
    const dev = bootDevice({ taPaths: [dir] });
    try {
      expect(dev.client.openSession(HELLO_WORLD).result).toBe(TEE_SUCCESS);
    } finally {
      dev.close();
    }
  });
});

describe('TAs the device must refuse', () => {
  it('a TA signed with an unknown key: TEE_ERROR_SECURITY, with the failed check on the secure console', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const elf = readFileSync(join(out, `${HELLO_WORLD}.stripped.elf`));
    const dir = join(work, 'rogue');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, `${HELLO_WORLD}.ta`), signTa({ elf, uuid: HELLO_WORLD, key: privateKey }));
    const dev = bootDevice({ taPaths: [dir] });
    try {
      expect(dev.client.openSession(HELLO_WORLD)).toMatchObject({ result: TEE_ERROR_SECURITY, origin: 3 });
      expect(dev.lines('secure').some((l) => /refusing TA 8aaaf200.*signature/i.test(l))).toBe(true);
    } finally {
      dev.close();
    }
  });

  it('a tampered TA: TEE_ERROR_SECURITY (hash mismatch), and the device keeps serving', () => {
    const bytes = readFileSync(join(out, `${HELLO_WORLD}.ta`));
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    const dir = join(work, 'tampered');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, `${HELLO_WORLD}.ta`), bytes);
    const dev = bootDevice({ taPaths: [dir] });
    try {
      expect(dev.client.openSession(HELLO_WORLD)).toMatchObject({ result: TEE_ERROR_SECURITY, origin: 3 });
      expect(dev.lines('secure').some((l) => /refusing TA 8aaaf200.*hash/i.test(l))).toBe(true);
      expect(dev.client.openSession('b6c53aba-9669-4668-a7f2-205629d00f86').result).toBe(TEE_SUCCESS);
    } finally {
      dev.close();
    }
  });
});
