import { describe, expect, it } from 'vitest';
import { BoardError, regionAt, validateBoard, worldView, type Board } from '../../emulator/machine/board.js';
import { BOARDS, getBoard } from '../../emulator/machine/boards.js';

const base = getBoard('trustbox-edge');
const withRegions = (regions: Board['regions']): Board => ({ ...base, name: 'test', regions });

describe('boards', () => {
  it('knows trustbox-edge (A53) and trustbox-edgexl (A72)', () => {
    expect([...BOARDS.keys()]).toEqual(['trustbox-edge', 'trustbox-edgexl']);
    expect(getBoard('trustbox-edge').cpu).toBe('cortex-a53');
    expect(getBoard('trustbox-edgexl').cpu).toBe('cortex-a72');
  });

  it('rejects an unknown board with the list of boards', () => {
    expect(() => getBoard('raspberry')).toThrow('unknown board "raspberry"; the boards are: trustbox-edge, trustbox-edgexl');
  });

  it('rejects overlapping regions', () => {
    const regions = [...base.regions, { id: 'extra', name: 'x', base: 0x0e800000, size: 0x1000, world: 'normal' as const, kind: 'ram' as const }];
    expect(() => validateBoard(withRegions(regions))).toThrow(/regions secure-ram and extra overlap at 0x0e800000/);
  });

  it('rejects misaligned regions, duplicate ids and missing regions', () => {
    const misaligned = base.regions.map((r) => (r.id === 'uart0' ? { ...r, base: r.base + 8 } : r));
    expect(() => validateBoard(withRegions(misaligned))).toThrow(BoardError);
    expect(() => validateBoard(withRegions(misaligned))).toThrow(/uart0 .* is not 4 KiB aligned/);
    const dup = [...base.regions, { ...base.regions[0]!, base: 0x80000000 }];
    expect(() => validateBoard(withRegions(dup))).toThrow(/boot-rom appears twice/);
    expect(() => validateBoard(withRegions(base.regions.filter((r) => r.id !== 'otp')))).toThrow(/region otp is missing/);
  });

  it('gives the normal world only non-secure regions', () => {
    const normal = worldView(base, 'normal').map((r) => r.id).sort();
    expect(normal).toEqual(['hostbridge', 'ns-dram', 'ns-shm', 'uart0']);
    expect(worldView(base, 'secure')).toHaveLength(base.regions.length);
    expect(regionAt(base, 0x0e001234)?.id).toBe('secure-ram');
    expect(regionAt(base, 0x20000000)).toBeUndefined();
  });
});
