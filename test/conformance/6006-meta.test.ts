/** 6006 delete, 6007 truncate, 6008 rename, 6009 enumeration, 6021 usage of persistent objects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import {
  F, RW, SEEK, StoreTest, TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_TARGET_DEAD, TEE_SUCCESS,
} from './6xxx-storage-client.js';

let t: TestDevice;
let st: StoreTest;
beforeAll(() => { t = bootDevice(); st = new StoreTest(t); });
afterAll(() => { st?.end(); t?.close(); });

describe('6006 delete', () => {
  it('6006.1 close-and-delete removes the object', () => {
    st.create('d1', RW, Buffer.from('bye'));
    expect(st.remove(0)).toBe(TEE_SUCCESS);
    expect(st.open('d1', F.READ)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
  });

  it('6006.2 deleting through a handle without WRITE_META is ACCESS_CONFLICT (raw) and panics through libutee', () => {
    st.create('d2', F.READ | F.WRITE, Buffer.from('keep'));
    expect(st.raw(3)).toBe(TEE_ERROR_ACCESS_CONFLICT);
    expect(st.remove(0)).toBe(TEE_ERROR_TARGET_DEAD);
    st.end();
    st = new StoreTest(t);
    expect(st.open('d2', F.READ)).toBe(TEE_SUCCESS);
    st.close(0);
  });

  it('6006.3 an id can be created again after delete', () => {
    st.create('d3', RW, Buffer.from('one'));
    st.remove(0);
    expect(st.create('d3', RW, Buffer.from('two'))).toBe(TEE_SUCCESS);
    expect(st.read(0, 10).data.toString()).toBe('two');
    st.close(0);
  });
});

describe('6007 truncate', () => {
  it('6007.1 shrinking keeps the prefix and leaves the position alone', () => {
    st.create('t1', RW, Buffer.from('0123456789'));
    st.seek(0, 8, SEEK.SET);
    expect(st.trunc(0, 4)).toBe(TEE_SUCCESS);
    const i = st.info(0);
    expect(i.dataSize).toBe(4);
    expect(i.pos).toBe(8);
    st.seek(0, 0, SEEK.SET);
    expect(st.read(0, 64).data.toString()).toBe('0123');
    st.close(0);
  });

  it('6007.2 growing pads with zeros', () => {
    st.create('t2', RW, Buffer.from('ab'));
    st.trunc(0, 5);
    expect(st.read(0, 64).data).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0]));
    st.close(0);
  });

  it('6007.3 truncating a read-only handle panics the TA (ACCESS_CONFLICT)', () => {
    st.create('t3', RW, Buffer.from('ab'));
    st.close(0);
    st.open('t3', F.READ);
    expect(st.trunc(0, 0)).toBe(TEE_ERROR_TARGET_DEAD);
    st.end();
    st = new StoreTest(t);
  });
});

describe('6008 rename', () => {
  it('6008.1 the object answers to its new id only', () => {
    st.create('old-name', RW, Buffer.from('moving'));
    expect(st.rename(0, 'new-name')).toBe(TEE_SUCCESS);
    st.close(0);
    expect(st.open('old-name', F.READ)).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(st.open('new-name', F.READ)).toBe(TEE_SUCCESS);
    expect(st.read(0, 64).data.toString()).toBe('moving');
    st.close(0);
  });

  it('6008.2 renaming onto an existing id is ACCESS_CONFLICT', () => {
    st.create('a', RW, Buffer.from('A'));
    st.close(0);
    st.create('b', RW, Buffer.from('B'));
    expect(st.rename(0, 'a')).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
  });

  it('6008.3 renaming without WRITE_META is ACCESS_CONFLICT', () => {
    st.create('c', F.READ | F.WRITE, Buffer.from('C'));
    expect(st.rename(0, 'c2')).toBe(TEE_ERROR_ACCESS_CONFLICT);
    st.close(0);
  });
});

describe('6009 enumeration', () => {
  it('6009.1 lists every object with its data size, once', () => {
    const l = st.list();
    expect(l.result).toBe(TEE_SUCCESS);
    const ids = l.objects.map((o) => o.id.toString()).sort();
    expect(ids).toEqual([...new Set(ids)]);
    for (const want of ['d2', 'd3', 't1', 't2', 't3', 'new-name', 'a', 'b', 'c']) expect(ids).toContain(want);
    expect(ids).not.toContain('d1');
    expect(l.objects.find((o) => o.id.toString() === 't1')!.size).toBe(4);
  });

  it('6009.2 reset then start begins again from the first object', () => {
    const a = st.list(false).objects.map((o) => o.id.toString());
    const b = st.list(true).objects.map((o) => o.id.toString());
    expect(b).toEqual(a);
  });

  it('6009.3 an empty store is ITEM_NOT_FOUND', () => {
    const t2 = bootDevice();
    const st2 = new StoreTest(t2);
    try {
      expect(st2.list().result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    } finally {
      st2.end();
      t2.close();
    }
  });
});

describe('6021 usage of a persistent object', () => {
  it('6021.1 TEE_RestrictObjectUsage1 on a persistent object holds when it is opened again, in another session too', () => {
    st.create('usage', RW, Buffer.from('u'));
    expect(st.info(0).usage).toBe(0xffffffff);
    expect(st.restrict(0xfffffffe)).toBe(TEE_SUCCESS); // no longer EXTRACTABLE
    expect(st.info(0).usage).toBe(0xfffffffe);
    st.close(0);
    expect(st.open('usage', F.READ)).toBe(TEE_SUCCESS);
    expect(st.info(0).usage).toBe(0xfffffffe);
    st.close(0);
    const again = new StoreTest(t);
    try {
      expect(again.open('usage', F.READ)).toBe(TEE_SUCCESS);
      expect(again.info(0).usage).toBe(0xfffffffe);
      again.close(0);
    } finally {
      again.end();
    }
  });
});
