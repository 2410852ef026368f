/**
 * 6013 persistence across reboots, 6014 encryption at rest, 6015 tamper detection, 6016 another
 * hardware key. Each case boots devices on a state directory of its own.
 */
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestDevice } from '../helpers/device.js';
import {
  F, RW, SECURE_STORAGE_TA, SecureStorage, StoreTest, TEE_ERROR_CORRUPT_OBJECT, TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS,
  bootOn, filesUnder,
} from './6xxx-storage-client.js';

const dirs: string[] = [];
const devices: TestDevice[] = [];
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trustbox-6xxx-'));
  dirs.push(d);
  return d;
}
function boot(dir: string): TestDevice {
  const t = bootOn(dir);
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

/** The blob files (not the index) of a TA, by name. */
function blobs(dir: string, uuid = SECURE_STORAGE_TA): string[] {
  return readdirSync(join(dir, 'secure-storage', uuid)).filter((n) => n.endsWith('.obj')).map((n) => join(dir, 'secure-storage', uuid, n));
}

describe('6013 persistence', () => {
  it('6013.1 objects survive a reboot of the same state directory; deletes too', () => {
    const dir = stateDir();
    let t = boot(dir);
    const ss = new SecureStorage(t);
    expect(ss.write('keep', Buffer.from('still here'))).toBe(TEE_SUCCESS);
    expect(ss.write('drop', Buffer.from('gone soon'))).toBe(TEE_SUCCESS);
    expect(ss.remove('drop')).toBe(TEE_SUCCESS);
    off(t);
    t = boot(dir);
    const ss2 = new SecureStorage(t);
    expect(ss2.read('keep').data.toString()).toBe('still here');
    expect(ss2.read('drop').result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
  });

  it('6013.2 a renamed, truncated key object keeps its attributes and data across reboots', () => {
    const dir = stateDir();
    let t = boot(dir);
    let st = new StoreTest(t);
    const key = Buffer.alloc(32, 0x5a);
    expect(st.createKey('k', RW, key, Buffer.from('0123456789'))).toBe(TEE_SUCCESS);
    expect(st.rename(0, 'k2')).toBe(TEE_SUCCESS);
    expect(st.trunc(0, 3)).toBe(TEE_SUCCESS);
    st.close(0);
    st.end();
    off(t);
    t = boot(dir);
    st = new StoreTest(t);
    expect(st.open('k', F.READ)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(st.open('k2', F.READ)).toBe(TEE_SUCCESS);
    const k = st.getKey(0);
    expect(k.key.equals(key)).toBe(true);
    expect(k.size).toBe(256);
    expect(st.read(0, 64).data.toString()).toBe('012');
    st.close(0);
    st.end();
  });
});

describe('6014 encryption at rest', () => {
  it('6014.1 no file of the state directory contains the data or the object id in clear', () => {
    const dir = stateDir();
    const t = boot(dir);
    const ss = new SecureStorage(t);
    const objId = 'PLAINTEXT-OBJECT-ID-7f3a';
    const data = Buffer.from('PLAINTEXT-SECRET-DATA-91c4 '.repeat(20));
    expect(ss.write(objId, data)).toBe(TEE_SUCCESS);
    off(t);
    const files = filesUnder(dir);
    expect(files.some((f) => f.path.includes(join('secure-storage', SECURE_STORAGE_TA)))).toBe(true);
    for (const f of files) {
      expect(f.bytes.includes(Buffer.from(objId)), f.path).toBe(false);
      expect(f.bytes.includes(Buffer.from('PLAINTEXT-SECRET-DATA-91c4')), f.path).toBe(false);
      expect(f.bytes.includes(Buffer.from(objId, 'utf16le')), f.path).toBe(false);
      expect(f.path.includes(objId)).toBe(false);
    }
  });

  it('6014.2 writing the same data twice gives different blobs (fresh names, distinct ciphertext files)', () => {
    const dir = stateDir();
    const t = boot(dir);
    const ss = new SecureStorage(t);
    ss.write('a', Buffer.from('same'));
    ss.write('b', Buffer.from('same'));
    const b = blobs(dir).map((p) => readFileSync(p));
    expect(b.length).toBe(2);
    expect(b[0]!.equals(b[1]!)).toBe(false);
  });
});

describe('6015 tamper detection', () => {
  function setup(): { dir: string; t: TestDevice; ss: SecureStorage } {
    const dir = stateDir();
    const t = boot(dir);
    return { dir, t, ss: new SecureStorage(t) };
  }

  it('6015.1 a modified blob is CORRUPT_OBJECT', () => {
    const { dir, ss } = setup();
    ss.write('m', Buffer.from('original data'));
    const [p] = blobs(dir);
    const b = readFileSync(p!);
    b[b.length - 3]! ^= 0x01;
    writeFileSync(p!, b);
    expect(ss.read('m').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.2 a truncated blob is CORRUPT_OBJECT', () => {
    const { dir, ss } = setup();
    ss.write('tr', Buffer.from('original data'));
    const [p] = blobs(dir);
    truncateSync(p!, 20);
    expect(ss.read('tr').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.3 blobs swapped between two objects are CORRUPT_OBJECT', () => {
    const { dir, ss } = setup();
    ss.write('one', Buffer.from('first object'));
    ss.write('two', Buffer.from('other object'));
    const [p, q] = blobs(dir);
    const a = readFileSync(p!);
    writeFileSync(p!, readFileSync(q!));
    writeFileSync(q!, a);
    expect(ss.read('one').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    expect(ss.read('two').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.4 an older copy of a blob restored under the current name is CORRUPT_OBJECT (rollback)', () => {
    const { dir, ss } = setup();
    ss.write('rb', Buffer.from('version 1'));
    const [v1] = blobs(dir);
    const old = readFileSync(v1!);
    ss.write('rb', Buffer.from('version 2'));
    const [v2] = blobs(dir);
    writeFileSync(v2!, old);
    expect(ss.read('rb').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.5 after a reboot: a modified index, and an old index whose blob is gone, are CORRUPT_OBJECT', () => {
    const { dir, t, ss } = setup();
    ss.write('ix', Buffer.from('v1'));
    const ixPath = join(dir, 'secure-storage', SECURE_STORAGE_TA, 'dirf.db');
    const oldIndex = readFileSync(ixPath);
    ss.write('ix', Buffer.from('v2'));
    off(t);
    // After a reboot the secure world has no anchor: an index modified in one byte is still caught.
    const b = readFileSync(ixPath);
    b[12]! ^= 0x80;
    writeFileSync(ixPath, b);
    let t2 = boot(dir);
    expect(new SecureStorage(t2).read('ix').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    off(t2);
    // The old index names a blob that was removed: CORRUPT_OBJECT, never the old data.
    writeFileSync(ixPath, oldIndex);
    t2 = boot(dir);
    expect(new SecureStorage(t2).read('ix').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.6 an index copied from another TA does not authenticate', () => {
    const { dir, t, ss } = setup();
    ss.write('x', Buffer.from('x'));
    const st = new StoreTest(t);
    st.create('y', RW, Buffer.from('y'));
    st.close(0);
    st.end();
    const mine = join(dir, 'secure-storage', SECURE_STORAGE_TA, 'dirf.db');
    off(t);
    copyFileSync(join(dir, 'secure-storage', '5e1d7c3a-9b2f-4e6d-8a41-0c7f3b9d2e58', 'dirf.db'), mine);
    const t2 = boot(dir);
    expect(new SecureStorage(t2).read('x').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });
});

describe('6015 known limitation', () => {
  it('6015.7 a whole-directory rollback (old index together with its old blobs) is caught by the rollback anchor', () => {
    const dir = stateDir();
    let t = boot(dir);
    new SecureStorage(t).write('w', Buffer.from('version 1'));
    off(t);
    const snapshot = stateDir();
    cpSync(join(dir, 'secure-storage'), join(snapshot, 'secure-storage'), { recursive: true });
    t = boot(dir);
    new SecureStorage(t).write('w', Buffer.from('version 2'));
    off(t);
    rmSync(join(dir, 'secure-storage'), { recursive: true });
    cpSync(join(snapshot, 'secure-storage'), join(dir, 'secure-storage'), { recursive: true });
    t = boot(dir);
    expect(new SecureStorage(t).read('w').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });

  it('6015.8 a deleted storage directory is reported, not taken for an empty store', () => {
    const dir = stateDir();
    let t = boot(dir);
    new SecureStorage(t).write('w', Buffer.from('kept'));
    off(t);
    rmSync(join(dir, 'secure-storage'), { recursive: true });
    t = boot(dir);
    expect(new SecureStorage(t).read('w').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
  });
});

describe('6016 another hardware key', () => {
  it('6016.1 a copied state directory with other fuses reads nothing', () => {
    const dir = stateDir();
    const t = boot(dir);
    expect(new SecureStorage(t).write('secret', Buffer.from('for this device only'))).toBe(TEE_SUCCESS);
    off(t);
    const other = stateDir();
    cpSync(dir, other, { recursive: true });
    rmSync(join(other, 'hardware'), { recursive: true }); // another device's hardware: fresh fuses, no anchor
    const t2 = boot(other); // burns fresh fuses: another HUK
    const r = new SecureStorage(t2).read('secret');
    expect([TEE_ERROR_CORRUPT_OBJECT, TEE_ERROR_ITEM_NOT_FOUND]).toContain(r.result);
    off(t2);
    // The original device still reads it.
    const t3 = boot(dir);
    expect(new SecureStorage(t3).read('secret').data.toString()).toBe('for this device only');
  });
});
