/** 6010 namespace per TA, 6011 access and sharing rules, 6012 object id lengths. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import {
  F, RW, SecureStorage, StoreTest, TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE,
  TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS,
} from './6xxx-storage-client.js';

let t: TestDevice;
let st: StoreTest;
beforeAll(() => { t = bootDevice(); st = new StoreTest(t); });
afterAll(() => { st?.end(); t?.close(); });

describe('6010 namespace per TA', () => {
  it('6010.1 an object of secure_storage is invisible to storetest, and the same id is a different object', () => {
    const ss = new SecureStorage(t);
    expect(ss.write('shared-name', Buffer.from('belongs to secure_storage'))).toBe(TEE_SUCCESS);
    expect(st.open('shared-name', F.READ)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(st.list().objects.map((o) => o.id.toString())).not.toContain('shared-name');
    expect(st.create('shared-name', RW, Buffer.from('belongs to storetest'))).toBe(TEE_SUCCESS);
    st.close(0);
    expect(ss.read('shared-name').data.toString()).toBe('belongs to secure_storage');
    expect(ss.remove('shared-name')).toBe(TEE_SUCCESS);
    expect(st.open('shared-name', F.READ)).toBe(TEE_SUCCESS);
    st.close(0);
  });
});

describe('6011 access and sharing rules', () => {
  it('6011.1 two readers that share reading may open together', () => {
    st.create('sh1', RW, Buffer.from('data'));
    st.close(0);
    expect(st.open('sh1', F.READ | F.SHARE_READ, 0)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.READ | F.SHARE_READ, 1)).toBe(TEE_SUCCESS);
    st.close(0);
    st.close(1);
  });

  it('6011.2 a reader without SHARE_READ blocks a second reader', () => {
    expect(st.open('sh1', F.READ, 0)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.READ | F.SHARE_READ, 1)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
    expect(st.open('sh1', F.READ | F.SHARE_READ, 1)).toBe(TEE_SUCCESS);
    st.close(1);
  });

  it('6011.3 a writer needs the others to share writing, and must share what they access', () => {
    expect(st.open('sh1', F.READ | F.SHARE_READ, 0)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.WRITE | F.SHARE_READ, 1)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
    expect(st.open('sh1', F.READ | F.SHARE_READ | F.SHARE_WRITE, 0)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.WRITE | F.SHARE_READ | F.SHARE_WRITE, 1)).toBe(TEE_SUCCESS);
    st.close(0);
    st.close(1);
  });

  it('6011.4 WRITE_META is exclusive', () => {
    expect(st.open('sh1', F.READ | F.SHARE_READ | F.SHARE_WRITE, 0)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.WRITE_META | F.SHARE_READ | F.SHARE_WRITE, 1)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
    expect(st.open('sh1', F.WRITE_META, 1)).toBe(TEE_SUCCESS);
    expect(st.open('sh1', F.READ | F.SHARE_READ | F.SHARE_WRITE, 0)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(1);
  });

  it('6011.5 two handles on one object share the data stream, each with its own position', () => {
    const both = F.READ | F.WRITE | F.SHARE_READ | F.SHARE_WRITE;
    expect(st.create('two', both, Buffer.from('abcdef'), 0)).toBe(TEE_SUCCESS);
    expect(st.open('two', both, 1)).toBe(TEE_SUCCESS);
    expect(st.read(1, 2).data.toString()).toBe('ab');
    expect(st.write(0, Buffer.from('XYZ'))).toBe(TEE_SUCCESS);
    expect(st.read(1, 10).data.toString()).toBe('Zdef');
    expect(st.info(0).pos).toBe(3);
    expect(st.info(1).pos).toBe(6);
    expect(st.trunc(1, 2)).toBe(TEE_SUCCESS);
    expect(st.info(0).dataSize).toBe(2);
    st.close(0);
    st.close(1);
  });

  it('6011.6 data-stream calls on a non-object handle are refused (raw syscall)', () => {
    expect([TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE]).toContain(st.raw(5));
  });
});

describe('6012 object ids', () => {
  it('6012.1 ids of 64 arbitrary bytes work', () => {
    const id = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) id[i] = (i * 37) & 0xff;
    expect(st.create(id, RW, Buffer.from('long id'))).toBe(TEE_SUCCESS);
    st.close(0);
    expect(st.open(id, F.READ)).toBe(TEE_SUCCESS);
    expect(st.read(0, 64).data.toString()).toBe('long id');
    st.close(0);
    expect(st.list().objects.some((o) => o.id.equals(id))).toBe(true);
  });

  it('6012.2 a 65-byte id is BAD_PARAMETERS (libutee and the raw syscall)', () => {
    expect(st.create(Buffer.alloc(65, 1), RW)).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(st.raw(0)).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('6012.3 an id pointer into unmapped memory is ACCESS_DENIED (raw syscall)', () => {
    expect(st.raw(1)).toBe(0xffff0001);
  });

  it('6012.6 an id in the client\'s shared memory (not copied into the TA) is ACCESS_DENIED, as OP-TEE (raw syscall)', () => {
    st.create('in-shm', RW);
    expect(st.raw(8, Buffer.from('in-shm'))).toBe(0xffff0001);
  });

  it('6012.7 TEE_CreatePersistentObject without an output handle turns the transient key itself into the persistent object (GP 1.3.1)', () => {
    expect(st.raw(9)).toBe(TEE_SUCCESS);
    expect(st.open('adopted', F.READ)).toBe(TEE_SUCCESS);
    const info = st.info(0);
    expect(info.type).toBe(0xa0000010); // TEE_TYPE_AES
    expect(info.size).toBe(128);
    st.close(0);
  });

  it('6012.4 initial data beyond TEE_DATA_MAX_POSITION is refused (raw syscall)', () => {
    expect(st.raw(7)).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('6012.5 renaming to a 65-byte id is refused', () => {
    st.create('r65', RW);
    expect(st.rename(0, Buffer.alloc(65, 2))).not.toBe(TEE_SUCCESS);
  });
});
