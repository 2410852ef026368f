/**
 * 4011 hotp sample TA: RFC 4226 appendix D values for the secret "12345678901234567890",
 * counters 0 to 9, one per GET_HOTP.
 */
import { describe, expect, it } from 'vitest';
import { Cryptest, TEE_ERROR_BAD_PARAMETERS } from './4xxx-cryptest-client.js';

const HOTP_TA = '484d4143-2d53-4841-3120-4a6f636b6542';

describe('4011 hotp sample TA', () => {
  const ct = Cryptest.shared();

  it('4011.1 RFC 4226 appendix D: 755224, 287082, ... 520489', () => {
    const s = ct.open(HOTP_TA);
    const c = ct.t.client;
    expect(c.invoke(s, 0, [{ type: 'memref-in', data: Buffer.from('12345678901234567890') }]).result).toBe(0);
    const values: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = c.invoke(s, 1, [{ type: 'value-out' }]);
      expect(r.result).toBe(0);
      values.push((r.params[0] as { a: number }).a);
    }
    expect(values).toEqual([755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489]);
    c.closeSession(s);
  });

  it('4011.2 wrong parameter types are refused', () => {
    const s = ct.open(HOTP_TA);
    expect(ct.t.client.invoke(s, 1, [{ type: 'value-in', a: 0, b: 0 }]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    ct.t.client.closeSession(s);
  });
});
