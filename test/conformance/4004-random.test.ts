/**
 * 4004 random: TEE_GenerateRandom through the random sample TA: lengths honoured, output not
 * constant, consecutive draws differ.
 */
import { describe, expect, it } from 'vitest';
import { Cryptest } from './4xxx-cryptest-client.js';

const RANDOM_TA = 'b6c53aba-9669-4668-a7f2-205629d00f86';

describe('4004 random', () => {
  const ct = Cryptest.shared();
  const draw = (n: number): Buffer => {
    const r = ct.invoke(RANDOM_TA, 0, [{ type: 'memref-out', size: n }]);
    expect(r.result).toBe(0);
    return Buffer.from((r.params[0] as { data: Uint8Array }).data);
  };

  it('4004.1 16, 1 and 4096 bytes are filled to the requested length', () => {
    expect(draw(16).length).toBe(16);
    expect(draw(1).length).toBe(1);
    expect(draw(4096).length).toBe(4096);
  });

  it('4004.2 two draws differ and 4 KiB uses many byte values', () => {
    expect(draw(32).equals(draw(32))).toBe(false);
    expect(new Set(draw(4096)).size).toBeGreaterThan(200);
  });
});
