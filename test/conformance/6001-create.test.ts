/** 6001 create: TEE_CreatePersistentObject with and without initial data, OVERWRITE, attributes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import { F, RW, SecureStorage, StoreTest, TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS } from './6xxx-storage-client.js';

describe('6001 create', () => {
  let t: TestDevice;
  let st: StoreTest;
  beforeAll(() => { t = bootDevice(); st = new StoreTest(t); });
  afterAll(() => { st?.end(); t?.close(); });

  it('6001.1 secure_storage WRITE_RAW then READ_RAW returns the data', () => {
    const ss = new SecureStorage(t);
    expect(ss.write('greeting', Buffer.from('hello, secure world'))).toBe(TEE_SUCCESS);
    const r = ss.read('greeting');
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.data.toString()).toBe('hello, secure world');
  });

  it('6001.2 create with initial data; the handle starts at position 0 with the data size', () => {
    expect(st.create('c1', RW, Buffer.from('0123456789'))).toBe(TEE_SUCCESS);
    const i = st.info(0);
    expect(i.result).toBe(TEE_SUCCESS);
    expect(i.dataSize).toBe(10);
    expect(i.pos).toBe(0);
    expect(i.handleFlags & 0x30000).toBe(0x30000); // PERSISTENT | INITIALIZED
    expect(i.handleFlags & 0xff).toBe(RW);
    expect(i.type).toBe(0xa00000bf); // TEE_TYPE_DATA
    expect(st.close(0)).toBe(TEE_SUCCESS);
  });

  it('6001.3 creating an existing id without OVERWRITE is ACCESS_CONFLICT; with OVERWRITE it replaces', () => {
    expect(st.create('c2', RW, Buffer.from('old'))).toBe(TEE_SUCCESS);
    st.close(0);
    expect(st.create('c2', RW, Buffer.from('new'))).toBe(TEE_ERROR_ACCESS_CONFLICT);
    expect(st.create('c2', RW | F.OVERWRITE, Buffer.from('newer'))).toBe(TEE_SUCCESS);
    expect(st.read(0, 100).data.toString()).toBe('newer');
    st.close(0);
  });

  it('6001.4 OVERWRITE of an object that is open elsewhere is ACCESS_CONFLICT', () => {
    expect(st.create('c3', RW | F.SHARE_READ, Buffer.from('x'))).toBe(TEE_SUCCESS);
    expect(st.create('c3', RW | F.OVERWRITE, Buffer.from('y'), 1)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
  });

  it('6001.5 an empty object and an empty id are valid', () => {
    expect(st.create('', RW)).toBe(TEE_SUCCESS);
    expect(st.info(0).dataSize).toBe(0);
    st.close(0);
    expect(st.open('', F.READ)).toBe(TEE_SUCCESS);
    st.close(0);
  });

  it('6001.6 a key object: attributes from a transient AES key persist with the data', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    expect(st.createKey('aes-key', RW, key, Buffer.from('payload'))).toBe(TEE_SUCCESS);
    st.close(0);
    expect(st.open('aes-key', F.READ)).toBe(TEE_SUCCESS);
    const k = st.getKey(0);
    expect(k.result).toBe(TEE_SUCCESS);
    expect(k.type).toBe(0xa0000010);
    expect(k.size).toBe(128);
    expect(k.key.equals(key)).toBe(true);
    expect(st.read(0, 100).data.toString()).toBe('payload');
    st.close(0);
  });

  it('6001.7 the create storage id must exist', () => {
    expect(st.create('c4', RW, Buffer.alloc(0), 0, 0x80000100)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(st.create('c4', RW, Buffer.alloc(0), 0, 0x80000000)).toBe(TEE_SUCCESS); // PRIVATE_REE
    st.close(0);
  });
});
