/**
 * Issue 12, the device's state folder, attacked in process (real files, real devices):
 * item 4 (fuses apart from the flash, optionally sealed), item 5 (rollback by deleting the
 * anchor), item 9 (state folders and files others could change), item 11 (two devices on one
 * state directory) and item 10's fuses from --seed. Each test performs the attack.
 */
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../emulator/device/device.js';
import { readEndpoint } from '../../emulator/api/auth.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import { SecureStorage, TEE_ERROR_CORRUPT_OBJECT, TEE_SUCCESS } from '../conformance/6xxx-storage-client.js';

const dirs: string[] = [];
const devices: TestDevice[] = [];
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trustbox-state-sec-'));
  dirs.push(d);
  return d;
}
function boot(dir: string, options: Parameters<typeof bootDevice>[0] = {}): TestDevice {
  const t = bootDevice({ ...options, stateDir: dir });
  devices.push(t);
  return t;
}
function off(t: TestDevice): void {
  devices.splice(devices.indexOf(t), 1);
  t.close();
}
afterEach(() => {
  for (const t of devices.splice(0)) t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const HUK = 'a5'.repeat(32);

/** The fuse block: in hardware/ (or, as earlier versions kept it, at the top of the folder). */
function fusesPath(dir: string): string {
  const inHardware = join(dir, 'hardware', 'otp-fuses.bin');
  return existsSync(inHardware) ? inHardware : join(dir, 'otp-fuses.bin');
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('issue 12 item 4: the hardware apart from the flash', () => {
  it('fuses and anchor live in hardware/, never in the flash the normal world serves', () => {
    const dir = stateDir();
    const t = boot(dir);
    expect(new SecureStorage(t).write('w', Buffer.from('x'))).toBe(TEE_SUCCESS);
    off(t);
    expect(existsSync(join(dir, 'hardware', 'otp-fuses.bin'))).toBe(true);
    expect(existsSync(join(dir, 'hardware', 'rpmb-anchor.bin'))).toBe(true);
    expect(existsSync(join(dir, 'otp-fuses.bin'))).toBe(false);
    expect(existsSync(join(dir, 'rpmb-anchor.bin'))).toBe(false);
  });

  it('a sealed device: the HUK is in no file of the state folder, and the device needs the passphrase to boot', () => {
    const dir = stateDir();
    const t = boot(dir, { huk: HUK, hardwarePassphrase: 'correct horse' });
    expect(new SecureStorage(t).write('w', Buffer.from('sealed data'))).toBe(TEE_SUCCESS);
    off(t);
    // The attack of the issue: read the HUK out of the state folder. It is not there in plain.
    for (const f of allFiles(dir)) expect(readFileSync(f).includes(Buffer.from(HUK, 'hex')), f).toBe(false);
    expect(() => boot(dir)).toThrow(/sealed with a passphrase: give --hardware-passphrase-file/);
    expect(() => boot(dir, { hardwarePassphrase: 'wrong' })).toThrow(/does not open the fuse block .*wrong passphrase/);
    const again = boot(dir, { hardwarePassphrase: 'correct horse' });
    expect(new SecureStorage(again).read('w').data.toString()).toBe('sealed data');
  });

  it('an earlier version\'s state folder is migrated: fuses and anchor move into hardware/, with a console line, and its data reads', () => {
    const dir = stateDir();
    let t = boot(dir);
    expect(new SecureStorage(t).write('old', Buffer.from('from before'))).toBe(TEE_SUCCESS);
    off(t);
    // Make it look like the previous version's layout (fuses v1 format, files at the top).
    const v2 = readFileSync(join(dir, 'hardware', 'otp-fuses.bin'));
    writeFileSync(join(dir, 'otp-fuses.bin'), Buffer.concat([Buffer.from('TBOTP001'), v2.subarray(9, 57)]), { mode: 0o600 });
    rmSync(join(dir, 'hardware', 'otp-fuses.bin'));
    renameSync(join(dir, 'hardware', 'rpmb-anchor.bin'), join(dir, 'rpmb-anchor.bin'));
    t = boot(dir);
    expect(t.lines('secure').join('\n')).toMatch(/moved otp-fuses\.bin and rpmb-anchor\.bin into hardware\//);
    expect(new SecureStorage(t).read('old').data.toString()).toBe('from before');
    expect(existsSync(join(dir, 'otp-fuses.bin'))).toBe(false);
  });
});

describe('issue 12 item 5: rollback by deleting the anchor', () => {
  it('old storage restored and the anchor deleted: the read fails, it does not return old data', () => {
    const dir = stateDir();
    let t = boot(dir);
    expect(new SecureStorage(t).write('balance', Buffer.from('100'))).toBe(TEE_SUCCESS);
    off(t);
    const snapshot = stateDir();
    cpSync(join(dir, 'secure-storage'), join(snapshot, 'secure-storage'), { recursive: true });
    t = boot(dir);
    expect(new SecureStorage(t).write('balance', Buffer.from('5'))).toBe(TEE_SUCCESS);
    off(t);
    rmSync(join(dir, 'secure-storage'), { recursive: true });
    cpSync(join(snapshot, 'secure-storage'), join(dir, 'secure-storage'), { recursive: true });
    for (const p of [join(dir, 'rpmb-anchor.bin'), join(dir, 'hardware', 'rpmb-anchor.bin')]) rmSync(p, { force: true });
    t = boot(dir);
    const r = new SecureStorage(t).read('balance');
    expect(r.data.toString()).not.toBe('100');
    expect(r.result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    expect(t.lines('secure').join('\n')).toMatch(/ROLLBACK: the rollback anchor .* is missing/);
  });

  it('deleting the storage folder and the anchor does not silently reset the device', () => {
    const dir = stateDir();
    let t = boot(dir);
    expect(new SecureStorage(t).write('kept', Buffer.from('kept'))).toBe(TEE_SUCCESS);
    off(t);
    rmSync(join(dir, 'secure-storage'), { recursive: true });
    for (const p of [join(dir, 'rpmb-anchor.bin'), join(dir, 'hardware', 'rpmb-anchor.bin')]) rmSync(p, { force: true });
    t = boot(dir);
    const ss = new SecureStorage(t);
    expect(ss.read('kept').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    expect(ss.write('new', Buffer.from('fresh start?'))).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });
});

describe('issue 12 item 5: a rewound anchor', () => {
  it('an old copy of the anchor put back under a running device is caught at its next commit', () => {
    const dir = stateDir();
    const t = boot(dir);
    const ss = new SecureStorage(t);
    expect(ss.write('a', Buffer.from('1'))).toBe(TEE_SUCCESS);
    const anchor = join(dir, 'hardware', 'rpmb-anchor.bin');
    const old = readFileSync(anchor);
    expect(ss.write('a', Buffer.from('2'))).toBe(TEE_SUCCESS);
    writeFileSync(anchor, old, { mode: 0o600 });
    expect(ss.write('a', Buffer.from('3'))).toBe(TEE_ERROR_CORRUPT_OBJECT);
    expect(t.lines('secure').join('\n')).toMatch(/ROLLBACK: the rollback anchor was rewound/);
  });
});

describe('issue 12 item 9: state folders and files others could change', () => {
  it('a pre-created world-writable state folder is refused', () => {
    const dir = stateDir();
    chmodSync(dir, 0o777);
    expect(() => boot(dir)).toThrow(/has mode 777: group or others may change it; refusing it \(fix: chmod 700/);
  });

  it.runIf(asRoot)('a state folder owned by another user is refused (even with someone else\'s fuses in it)', () => {
    const dir = stateDir();
    const t = boot(dir);
    off(t);
    chownSync(dir, 65534, 65534);
    expect(() => boot(dir)).toThrow(/is owned by uid 65534, not by you/);
  });

  it('fuses that others may read, or a fuse block that is a symbolic link, are refused', () => {
    const dir = stateDir();
    off(boot(dir));
    const fuses = fusesPath(dir);
    chmodSync(fuses, 0o644);
    expect(() => boot(dir)).toThrow(/fuse block .* has mode 644: others may read or change it/);
    chmodSync(fuses, 0o600);
    const elsewhere = join(stateDir(), 'planted.bin');
    renameSync(fuses, elsewhere);
    symlinkSync(elsewhere, fuses);
    expect(() => boot(dir)).toThrow(/is a symbolic link: refusing it/);
  });

  it('a symlinked or world-writable endpoint.json is not trusted by clients', () => {
    const dir = stateDir();
    mkdirSync(dir, { recursive: true });
    const fake = join(stateDir(), 'fake.json');
    writeFileSync(fake, JSON.stringify({ url: 'ws://127.0.0.1:9/evil', token: 'x' }), { mode: 0o600 });
    symlinkSync(fake, join(dir, 'endpoint.json'));
    expect(() => readEndpoint(dir)).toThrow(/endpoint file .* is a symbolic link: refusing it/);
    rmSync(join(dir, 'endpoint.json'));
    writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ url: 'ws://127.0.0.1:9/evil', token: 'x' }));
    chmodSync(join(dir, 'endpoint.json'), 0o666);
    expect(() => readEndpoint(dir)).toThrow(/has mode 666: group or others may change it/);
    if (asRoot) {
      chmodSync(join(dir, 'endpoint.json'), 0o600);
      chownSync(join(dir, 'endpoint.json'), 65534, 65534);
      expect(() => readEndpoint(dir)).toThrow(/owned by uid 65534, not by you/);
    }
  });
});

describe('issue 12 item 11: two devices on one state directory', () => {
  it('the second device is refused naming the first; after the first stops, it boots', () => {
    const dir = stateDir();
    const first = boot(dir);
    expect(() => new Device({ stateDir: dir }).boot()).toThrow(new RegExp(`in use by a running device \\(pid ${process.pid}`));
    expect(new SecureStorage(first).write('w', Buffer.from('mine'))).toBe(TEE_SUCCESS);
    off(first);
    const second = boot(dir);
    expect(new SecureStorage(second).read('w').data.toString()).toBe('mine');
  });

  it('a lock left by a dead process is taken over', () => {
    const dir = stateDir();
    off(boot(dir));
    writeFileSync(join(dir, 'device.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, nonce: 'x', startedAt: 'then', t: 0 }), { mode: 0o600 });
    const t = boot(dir);
    expect(JSON.parse(readFileSync(join(dir, 'device.lock'), 'utf8')).pid).toBe(process.pid);
    off(t);
    expect(existsSync(join(dir, 'device.lock'))).toBe(false);
  });
});

describe('issue 12 item 10: --seed does not make the fuses predictable', () => {
  const fuses = (dir: string) => readFileSync(fusesPath(dir));

  it('two devices of one seed get different fuses, unless seedFuses is asked (with a warning)', () => {
    const a = stateDir();
    const b = stateDir();
    off(boot(a, { seed: 's' }));
    off(boot(b, { seed: 's' }));
    expect(fuses(a).equals(fuses(b))).toBe(false);
    const c = stateDir();
    const d = stateDir();
    const tc = boot(c, { seed: 's', seedFuses: true });
    expect(tc.lines('secure').join('\n')).toMatch(/WARNING: new device: fuses burnt from --seed/);
    off(tc);
    off(boot(d, { seed: 's', seedFuses: true }));
    expect(fuses(c).equals(fuses(d))).toBe(true);
  });

  it('--huk sets a new device\'s HUK and never changes an existing one\'s', () => {
    const dir = stateDir();
    off(boot(dir, { huk: HUK }));
    expect(fuses(dir).includes(Buffer.from(HUK, 'hex'))).toBe(true);
    off(boot(dir, { huk: HUK }));
    expect(() => boot(dir, { huk: 'b6'.repeat(32) })).toThrow(/--huk differs from the fuses of the device/);
    expect(() => boot(stateDir(), { huk: 'abc' })).toThrow(/--huk must be 32 bytes as 64 hex digits/);
  });
});
