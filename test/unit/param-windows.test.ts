/**
 * Memref windows of a TA entry (tee/ta-param-block.ts): an entry that passes exactly the same
 * shared-memory bytes as the last one gets the same mapping back (no engine remap), and every
 * window the entry does not pass is unmapped before the TA runs, so a TA only ever sees the
 * parameters of the entry it is in.
 */
import { describe, expect, it } from 'vitest';
import { TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_INPUT } from '../../emulator/abi/tee-api.js';
import { noParams } from '../../emulator/tee/params.js';
import { SecureMemory } from '../../emulator/tee/secure-memory.js';
import { TaParamBlock } from '../../emulator/tee/ta-param-block.js';
import { PARAM_BASE, TaAddressSpace, type VmRegion } from '../../emulator/tee/ta-space.js';

const PAGE = 4096;

function setup() {
  const secure = new SecureMemory(new Uint8Array(new SharedArrayBuffer(64 * PAGE)), 0x0e10_0000, 0);
  const space = new TaAddressSpace('cortex-a53', secure);
  const stack = space.mapPrivate(0x4000_0000, 4 * PAGE, 'rw', 'stack');
  const block = new TaParamBlock(space, stack);
  const shm = new Uint8Array(new SharedArrayBuffer(16 * PAGE));
  return { space, block, shm };
}

/** One entry: maps the params, then keeps them as the instance does after the TA returns. */
function entry(block: TaParamBlock, shm: Uint8Array, pages: { page: number; type?: number }[]): { vas: number[]; mapped: VmRegion[] } {
  const p = noParams();
  pages.forEach((m, i) => {
    p[i] = { type: m.type ?? TEE_PARAM_TYPE_MEMREF_INOUT, a: 0, b: 0, mem: { window: shm.subarray(m.page * PAGE, (m.page + 1) * PAGE), offset: 8, size: 16, capacity: 16, secure: false } };
  });
  const mapped: VmRegion[] = [];
  const vals = block.map(p, mapped);
  block.keep(mapped);
  return { vas: pages.map((_, i) => vals[2 * i]!), mapped };
}

describe('memref windows of TA entries', () => {
  it('reuses the mapping of the same bytes and unmaps every window the entry does not pass', () => {
    const { space, block, shm } = setup();
    try {
      shm[2 * PAGE + 8] = 0xab;
      const first = entry(block, shm, [{ page: 2 }, { page: 5 }]);
      expect(first.vas[0]! - 8).toBeGreaterThanOrEqual(PARAM_BASE);
      expect(space.read(first.vas[0]!, 1)[0]).toBe(0xab);

      // Same first window, another second one: the first comes back at the same VA, the old
      // second one is gone from the address space (a read there fails) before the TA runs.
      const second = entry(block, shm, [{ page: 2 }, { page: 7 }]);
      expect(second.mapped[0]).toBe(first.mapped[0]);
      expect(second.vas[0]).toBe(first.vas[0]);
      expect(space.regionAt(first.vas[1]!)).not.toBe(first.mapped[1]);
      if (second.vas[1] !== first.vas[1]) expect(() => space.read(first.vas[1]!, 1)).toThrow();

      // An entry without memrefs leaves nothing of the last one mapped.
      entry(block, shm, []);
      for (const va of second.vas) expect(() => space.read(va, 1)).toThrow();
      expect(space.regionAt(second.vas[0]!)).toBeUndefined();

      // The same bytes with other access rights are a new mapping (read-only here).
      const third = entry(block, shm, [{ page: 2 }]);
      const fourth = entry(block, shm, [{ page: 2, type: TEE_PARAM_TYPE_MEMREF_INPUT }]);
      expect(fourth.mapped[0]).not.toBe(third.mapped[0]);
      expect(fourth.mapped[0]!.prot).toBe('r');

      block.release();
      expect(space.regionAt(fourth.vas[0]!)).toBeUndefined();
    } finally {
      space.close();
    }
  });

  it('does not hand back a window the TA unmapped itself', () => {
    const { space, block, shm } = setup();
    try {
      const first = entry(block, shm, [{ page: 3 }]);
      space.unmap(first.mapped[0]!); // as a TA's own unmap of the param range would
      const second = entry(block, shm, [{ page: 3 }]);
      expect(second.mapped[0]).not.toBe(first.mapped[0]);
      expect(space.regionAt(second.vas[0]!)).toBe(second.mapped[0]);
      expect(space.read(second.vas[0]!, 1)).toHaveLength(1);
    } finally {
      space.close();
    }
  });
});
