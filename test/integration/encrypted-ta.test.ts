/**
 * Encrypted TAs (issue 13, section 1), on booted devices: a TA encrypted by OP-TEE's format
 * rules loads on a device with OP-TEE's all-zero HUK; a per-device envelope opens only on its
 * device; every bad input is refused with a console line naming the check, nothing loaded and
 * the device still serving; ta_version rollback is refused; and the plaintext of an encrypted TA
 * is found nowhere outside the secure world.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { region } from '../../emulator/machine/board.js';
import { createPublicKey, generateKeyPairSync } from '../../emulator/host/crypto.js';
import { hukSubkeys } from '../../emulator/tee/huk.js';
import { parseTaContainer, signTa } from '../../emulator/tee/loader/container.js';
import { developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';
import { encryptTa, opteeTaEncKey } from '../../emulator/tee/ta-sources/encrypted.js';
import { HELLO_WORLD, RANDOM_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const SUCCESS = 0;
const SECURITY = 0xffff000f;
const BAD_FORMAT = 0xffff0005;
const ACCESS_CONFLICT = 0xffff0003;
const OPTEE_QEMU_HUK = '0'.repeat(32);
const MARKER_TA = 'c1962dd9-169c-4b1e-a562-25b1bde2f592';
const MARKER = 'TRUSTBOX-PLAINTEXT-MARKER-0c6f1d92e4a7';

const work = mkdtempSync(join(tmpdir(), 'trustbox-enc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const elfOf = (uuid: string, dir: string): Buffer => readFileSync(`firmware/ta/${dir}/out/${uuid}.stripped.elf`);
const HELLO_ELF = elfOf(HELLO_WORLD, 'hello_world');
const signing = developmentSigningKey();
/** OP-TEE's device-specific key for TAs signed by our development key, on a device with the all-zero HUK. */
const ZERO_HUK_KEY = opteeTaEncKey(hukSubkeys(Buffer.alloc(16)), createPublicKey(signing));
const helloEncrypted = (taVersion = 0, encKey: Uint8Array = ZERO_HUK_KEY): Uint8Array =>
  encryptTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: signing, encKey, taVersion });

let dirs = 0;
/** A fresh TA directory (a --ta-path) holding `bytes` as `<uuid>.ta`. */
function taDir(uuid: string, bytes: Uint8Array): string {
  const dir = join(work, `tas-${dirs++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${uuid}.ta`), bytes);
  return dir;
}

/** Opens a session, increments 41 and closes: what hello_world answers. */
function hello(dev: TestDevice, uuid = HELLO_WORLD): { result: number; value?: number } {
  const s = dev.client.openSession(uuid);
  if (s.result !== SUCCESS) return { result: s.result >>> 0 };
  const r = dev.client.invoke(s.session!, 0, [{ type: 'value-inout', a: 41, b: 0 }]);
  dev.client.closeSession(s.session!);
  const p = r.params[0];
  return { result: r.result >>> 0, ...(p?.type === 'value' ? { value: p.a } : {}) };
}

/** Still serving: another TA opens and answers. */
function stillServes(dev: TestDevice): void {
  const s = dev.client.openSession(RANDOM_TA);
  expect(s.result).toBe(SUCCESS);
  dev.client.closeSession(s.session!);
}

describe('8001 an encrypted TA made by OP-TEE\'s format rules', () => {
  it('loads on a device with the all-zero HUK (--huk of 32 zeros) and answers like the plain one', () => {
    const plain = bootDevice({ huk: OPTEE_QEMU_HUK });
    const dev = bootDevice({ huk: OPTEE_QEMU_HUK, taPaths: [taDir(HELLO_WORLD, helloEncrypted())] });
    try {
      expect(hello(plain)).toEqual({ result: SUCCESS, value: 42 });
      expect(hello(dev)).toEqual({ result: SUCCESS, value: 42 });
      expect(dev.lines('secure').some((l) => /loaded TA 8aaaf200-.* signed by trustbox-dev/.test(l))).toBe(true);
      expect(dev.lines('secure')).toContain('I/TA: Hello World!');
    } finally {
      plain.close();
      dev.close();
    }
  });

  it('does not load on a device with another HUK', () => {
    const dev = bootDevice({ taPaths: [taDir(HELLO_WORLD, helloEncrypted())] });
    try {
      expect(hello(dev).result).toBe(SECURITY);
      expect(dev.lines('secure').some((l) => /refusing TA 8aaaf200-.*decryption: the authentication tag does not verify/.test(l))).toBe(true);
      stillServes(dev);
    } finally {
      dev.close();
    }
  });
});

describe('8002 a per-device envelope', () => {
  it('opens on its device only: another gets TEE_ERROR_SECURITY, "encrypted for another device"', () => {
    const dir = join(work, 'per-device');
    mkdirSync(dir);
    const a = bootDevice({ taPaths: [dir] });
    const b = bootDevice({ taPaths: [dir] });
    try {
      const forA = encryptTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: signing, forDevice: a.device.core.identity.publicKey });
      writeFileSync(join(dir, `${HELLO_WORLD}.ta`), forA);
      expect(hello(a)).toEqual({ result: SUCCESS, value: 42 });
      expect(hello(b).result).toBe(SECURITY);
      expect(b.lines('secure').some((l) => /refusing TA 8aaaf200-.*encrypted for another device/.test(l))).toBe(true);
      stillServes(b);
      // Installing it on B is refused too: the secure world vets it before the normal world stores it.
      expect(() => b.device.installTa(forA)).toThrow(/encrypted for another device/);
      a.device.installTa(forA);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('8003 bad input', () => {
  const good = helloEncrypted();
  const c = parseTaContainer(good);
  const flip = (at: number): Uint8Array => {
    const x = Buffer.from(good);
    x[at]! ^= 0x01;
    return x;
  };
  const withU32 = (at: number, value: number): Uint8Array => {
    const x = Buffer.from(good);
    x.writeUInt32LE(value, at);
    return x;
  };
  const ehdr = c.payloadOffset - 40;
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases: { name: string; bytes: Uint8Array; code: number; line: RegExp }[] = [
    { name: 'wrong key', bytes: helloEncrypted(0, Buffer.alloc(32, 7)), code: SECURITY, line: /decryption: the authentication tag/ },
    { name: 'flipped ciphertext', bytes: flip(c.payloadOffset + 1000), code: SECURITY, line: /decryption: the authentication tag/ },
    { name: 'flipped tag', bytes: flip(c.payloadOffset - 1), code: SECURITY, line: /decryption: the authentication tag/ },
    { name: 'truncated file', bytes: good.subarray(0, good.length - 100), code: SECURITY, line: /size check: size mismatch/ },
    {
      name: 'unknown signer', bytes: encryptTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: stranger, encKey: ZERO_HUK_KEY }),
      code: SECURITY, line: /header signature: .*unknown signer/,
    },
    { name: 'unsupported algorithm', bytes: withU32(ehdr, 0x10000110), code: SECURITY, line: /unsupported encryption algorithm 0x10000110/ },
    { name: 'class-wide key type', bytes: withU32(ehdr + 4, 1), code: SECURITY, line: /SHDR_ENC_KEY_CLASS_WIDE/ },
    { name: 'altered header (ta_version)', bytes: withU32(ehdr - 4, 5), code: SECURITY, line: /digest check/ },
    { name: 'malformed header (truncated inside it)', bytes: good.subarray(0, 100), code: BAD_FORMAT, line: /truncated: signature ends/ },
  ];

  it.each(cases)('$name: refused with a console line naming the check, nothing loaded, still serving', ({ bytes, code, line }) => {
    const dev = bootDevice({ huk: OPTEE_QEMU_HUK, taPaths: [taDir(HELLO_WORLD, bytes)] });
    try {
      expect(hello(dev).result).toBe(code);
      expect(dev.lines('secure').filter((l) => /refusing TA 8aaaf200-/.test(l)).some((l) => line.test(l))).toBe(true);
      expect(dev.events.some((e) => e.type === 'ta-load')).toBe(false);
      stillServes(dev);
    } finally {
      dev.close();
    }
  });
});

describe('8004 rollback', () => {
  it('a ta_version older than the highest loaded is refused with TEE_ERROR_ACCESS_CONFLICT, across reboots, signed or encrypted', () => {
    const stateDir = mkdtempSync(join(work, 'rollback-'));
    const dir = join(work, 'rollback-tas');
    mkdirSync(dir);
    const place = (bytes: Uint8Array) => writeFileSync(join(dir, `${HELLO_WORLD}.ta`), bytes);
    const signed = (taVersion: number) => signTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: signing, taVersion });
    let dev = bootDevice({ stateDir, huk: OPTEE_QEMU_HUK, taPaths: [dir] });
    try {
      place(helloEncrypted(2));
      expect(hello(dev).result).toBe(SUCCESS);
      place(helloEncrypted(1));
      expect(hello(dev).result).toBe(ACCESS_CONFLICT);
      expect(dev.lines('secure').some((l) => /rollback check: ta_version 1 is older than 2/.test(l))).toBe(true);
      place(signed(1));
      expect(hello(dev).result).toBe(ACCESS_CONFLICT);
      place(signed(2));
      expect(hello(dev).result).toBe(SUCCESS);
      place(signed(3));
      expect(hello(dev).result).toBe(SUCCESS);
      stillServes(dev);
      dev.device.powerOff();
      // The highest version is kept in the device's rollback anchor, not in memory.
      dev = bootDevice({ stateDir, taPaths: [dir] });
      place(helloEncrypted(2));
      expect(hello(dev).result).toBe(ACCESS_CONFLICT);
      place(helloEncrypted(3));
      expect(hello(dev).result).toBe(SUCCESS);
      dev.device.powerOff();
      // The record is sealed: an altered one, or one deleted to forget the versions, is refused.
      const record = join(stateDir, 'hardware', 'ta-versions.bin');
      const sealed = readFileSync(record);
      const altered = Buffer.from(sealed);
      altered[altered.length - 3]! ^= 1;
      writeFileSync(record, altered);
      dev = bootDevice({ stateDir, taPaths: [dir] });
      expect(hello(dev).result).toBe(SECURITY);
      expect(dev.lines('secure').some((l) => /rollback check: the record of TA versions cannot be trusted \(.*does not authenticate/.test(l))).toBe(true);
      dev.device.powerOff();
      rmSync(record);
      dev = bootDevice({ stateDir, taPaths: [dir] });
      expect(hello(dev).result).toBe(SECURITY);
      expect(dev.lines('secure').some((l) => /rollback check: .*ta-versions.bin is missing .*boot a new state directory/.test(l))).toBe(true);
    } finally {
      dev.device.powerOff();
    }
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? filesUnder(path) : d.isFile() ? [path] : [];
  });
}

describe('8005 the plaintext never leaves the secure world', () => {
  it('after the encrypted marker TA ran, its marker is in no state file, TA store file or normal-world RAM', () => {
    const markerElf = elfOf(MARKER_TA, 'marker');
    const needle = Buffer.from(MARKER);
    expect(markerElf.includes(needle)).toBe(true); // the marker is really compiled in
    const stateDir = mkdtempSync(join(work, 'marker-state-'));
    const dev = bootDevice({ stateDir, taPaths: [] });
    try {
      // Installed into the device's TA store (state directory), per-device: the normal world stores it.
      dev.device.installTa(encryptTa({ elf: markerElf, uuid: MARKER_TA, key: signing, forDevice: dev.device.core.identity.publicKey }));
      const s = dev.client.openSession(MARKER_TA);
      expect(s.result).toBe(SUCCESS);
      const got: number[] = [];
      for (let i = 0; i < MARKER.length; i++) {
        const r = dev.client.invoke(s.session!, 0, [{ type: 'value-inout', a: i, b: 0 }]);
        const p = r.params[0]!;
        if (p.type === 'value') got.push(p.a);
      }
      expect(Buffer.from(got).toString()).toBe(MARKER); // the TA ran, reading its marker
      const files = filesUnder(stateDir);
      const stored = files.find((f) => f.endsWith(`${MARKER_TA}.ta`));
      expect(stored).toBeDefined();
      for (const f of files) expect({ f, found: readFileSync(f).includes(needle) }).toEqual({ f, found: false });
      const normal = dev.device.engines.list().find((e) => e.world === 'normal')!.cpu;
      const ram = ['ns-dram', 'ns-shm'].map((id) => {
        const r = region(dev.device.board, id);
        return { id, bytes: normal.read(r.base, r.size) };
      });
      for (const { id, bytes } of ram) expect({ id, found: bytes.includes(needle) }).toEqual({ id, found: false });
      // The RAM search does see what is there: the normal world's own firmware.
      const firmware = readFileSync(join(dev.device.imageDir, 'normal.bin')).subarray(0, 64);
      expect(ram[0]!.bytes.includes(firmware)).toBe(true);
      dev.client.closeSession(s.session!);
    } finally {
      dev.close();
    }
  });
});

describe('8006 --huk takes OP-TEE\'s 16-byte HUK', () => {
  it('burns a 16-byte HUK, keeps it across boots, and tells it from the 32-byte one padded with zeros', () => {
    const stateDir = mkdtempSync(join(work, 'huk16-'));
    const huk = 'a5'.repeat(16);
    bootDevice({ stateDir, huk }).device.powerOff();
    bootDevice({ stateDir, huk }).device.powerOff();
    bootDevice({ stateDir }).device.powerOff();
    expect(() => bootDevice({ stateDir, huk: huk + '0'.repeat(32) })).toThrow(/--huk differs from the fuses/);
    expect(() => bootDevice({ huk: 'a5'.repeat(20) })).toThrow(/--huk must be 32 bytes as 64 hex digits, or 16 bytes as 32/);
  });

  it('trustbox invoke --huk runs an encrypted TA on a throwaway device, as OP-TEE on QEMU would', () => {
    const file = join(work, 'invoke-hello.ta');
    writeFileSync(file, helloEncrypted());
    const invoke = (extra: string[]) => spawnSync(process.execPath,
      [join(process.cwd(), 'bin', 'trustbox.js'), 'invoke', '--ta', file, '--cmd', '0', '--param', 'value-inout:41,0', '--json', ...extra],
      { encoding: 'utf8', env: { ...process.env, TRUSTBOX_STATE_HOME: join(work, 'home'), FORCE_COLOR: '0' }, timeout: 60_000 });
    const ok = invoke(['--huk', OPTEE_QEMU_HUK]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ result: '0x00000000', params: [{ type: 'value', a: 42, b: 0 }] });
    const other = invoke([]);
    expect(other.status).toBe(3);
    expect(JSON.parse(other.stdout)).toMatchObject({ result: '0xffff000f' });
  });
});
