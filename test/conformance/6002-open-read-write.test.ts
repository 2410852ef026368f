/** 6002 open, 6003 read, 6004 write, 6005 seek: data streams of persistent objects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import {
  F, RW, SEEK, StoreTest, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OVERFLOW, TEE_ERROR_TARGET_DEAD,
  TEE_SUCCESS,
} from './6xxx-storage-client.js';

let t: TestDevice;
let st: StoreTest;
beforeAll(() => { t = bootDevice(); st = new StoreTest(t); });
afterAll(() => { st?.end(); t?.close(); });

describe('6002 open', () => {
  it('6002.1 opening a missing object is ITEM_NOT_FOUND', () => {
    expect(st.open('nope', F.READ)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
  });

  it('6002.2 open returns a handle with the requested flags, position 0', () => {
    st.create('o1', RW, Buffer.from('abcdef'));
    st.close(0);
    expect(st.open('o1', F.READ | F.SHARE_READ)).toBe(TEE_SUCCESS);
    const i = st.info(0);
    expect(i.dataSize).toBe(6);
    expect(i.pos).toBe(0);
    expect(i.handleFlags & 0xff).toBe(F.READ | F.SHARE_READ);
    st.close(0);
  });

  it('6002.3 unknown flags are BAD_PARAMETERS (raw syscall)', () => {
    expect(st.raw(4)).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('6002.4 an unknown storage id is ITEM_NOT_FOUND (RPMB is not emulated)', () => {
    expect(st.open('o1', F.READ, 0, 0x80000100)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(st.raw(6)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
  });
});

describe('6003 read', () => {
  it('6003.1 reads advance the position and stop at the end', () => {
    st.create('r1', RW, Buffer.from('0123456789'));
    expect(st.read(0, 4).data.toString()).toBe('0123');
    expect(st.read(0, 4).data.toString()).toBe('4567');
    expect(st.read(0, 4).data.toString()).toBe('89');
    const end = st.read(0, 4);
    expect(end.result).toBe(TEE_SUCCESS);
    expect(end.data.length).toBe(0);
    expect(st.info(0).pos).toBe(10);
    st.close(0);
  });

  it('6003.2 reading without ACCESS_READ panics the TA (GP: ACCESS_CONFLICT is a programming error)', () => {
    st.create('r2', F.WRITE, Buffer.from('x'));
    expect(st.read(0, 4).result).toBe(TEE_ERROR_TARGET_DEAD);
    st.end();
    st = new StoreTest(t);
  });

  it('6003.3 reading into read-only TA memory is refused (raw syscall)', () => {
    st.create('r3', RW, Buffer.from('data'));
    expect(st.raw(2)).toBe(0xffff0001); // TEE_ERROR_ACCESS_DENIED
    st.close(0);
  });
});

describe('6004 write', () => {
  it('6004.1 writes replace and extend at the position', () => {
    st.create('w1', RW, Buffer.from('aaaaaa'));
    expect(st.seek(0, 2, SEEK.SET)).toBe(TEE_SUCCESS);
    expect(st.write(0, Buffer.from('BBBBBB'))).toBe(TEE_SUCCESS);
    expect(st.info(0).pos).toBe(8);
    st.seek(0, 0, SEEK.SET);
    expect(st.read(0, 64).data.toString()).toBe('aaBBBBBB');
    st.close(0);
  });

  it('6004.2 a write past the end fills the gap with zeros', () => {
    st.create('w2', RW, Buffer.from('ab'));
    st.seek(0, 5, SEEK.SET);
    st.write(0, Buffer.from('z'));
    st.seek(0, 0, SEEK.SET);
    expect(st.read(0, 64).data).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0, 0x7a]));
    st.close(0);
  });

  it('6004.3 a write that would pass TEE_DATA_MAX_POSITION is OVERFLOW', () => {
    st.create('w3', RW);
    // SEEK takes an int32 offset: reach 0xFFFFFFF0 in two steps.
    expect(st.seek(0, 0x7ffffff8, SEEK.SET)).toBe(TEE_SUCCESS);
    expect(st.seek(0, 0x7ffffff8, SEEK.CUR)).toBe(TEE_SUCCESS);
    expect(st.write(0, Buffer.alloc(32))).toBe(TEE_ERROR_OVERFLOW);
    st.close(0);
  });

  it('6004.4 written data is there after reopening', () => {
    st.create('w4', RW);
    st.write(0, Buffer.from('persisted'));
    st.close(0);
    st.open('w4', F.READ);
    expect(st.read(0, 64).data.toString()).toBe('persisted');
    st.close(0);
  });
});

describe('6005 seek', () => {
  it('6005.1 SET, CUR and END move the position; negative results clamp to 0', () => {
    st.create('s1', RW, Buffer.from('0123456789'));
    expect(st.seek(0, 3, SEEK.SET)).toBe(TEE_SUCCESS);
    expect(st.info(0).pos).toBe(3);
    st.seek(0, 2, SEEK.CUR);
    expect(st.info(0).pos).toBe(5);
    st.seek(0, -4, SEEK.END);
    expect(st.read(0, 10).data.toString()).toBe('6789');
    st.seek(0, -100, SEEK.CUR);
    expect(st.info(0).pos).toBe(0);
    st.seek(0, 20, SEEK.END);
    expect(st.info(0).pos).toBe(30);
    expect(st.read(0, 4).data.length).toBe(0);
    st.close(0);
  });

  it('6005.2 seeking beyond TEE_DATA_MAX_POSITION is OVERFLOW', () => {
    st.create('s2', RW);
    st.seek(0, 0x7fffffff, SEEK.SET);
    st.seek(0, 0x7fffffff, SEEK.CUR);
    expect(st.seek(0, 0x7fffffff, SEEK.CUR)).toBe(TEE_ERROR_OVERFLOW);
    st.close(0);
  });
});
