/**
 * Boards as data: one table of memory regions per board, validated when a board is loaded.
 * Everything else (what each world maps, where the firmware goes) is derived from the table.
 */
import type { CpuModel } from '../cpu/cpu.js';

/** Which world may access a region. A normal-world region is visible to both worlds. */
export type World = 'secure' | 'normal';

/** What a region is. */
export type RegionKind = 'rom' | 'ram' | 'shm' | 'device';

export interface Region {
  /** Stable identifier used by the code (`ns-dram`, `uart0`, ...). */
  id: string;
  /** Short description shown by `trustbox info`. */
  name: string;
  base: number;
  size: number;
  world: World;
  kind: RegionKind;
}

export interface Board {
  name: string;
  description: string;
  cpu: CpuModel;
  /** Number given to the firmware in x0 (board id). */
  id: number;
  regions: readonly Region[];
}

/** The AArch64 4 KiB translation granule: regions, TA mappings and secure pages are multiples of it. */
export const PAGE_SIZE = 0x1000;

/** A board table that fails validation. */
export class BoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

/** Checks alignment, sizes, unique ids and overlaps; returns the board unchanged when valid. */
export function validateBoard(board: Board): Board {
  const ids = new Set<string>();
  for (const r of board.regions) {
    if (ids.has(r.id)) throw new BoardError(`board ${board.name}: region id ${r.id} appears twice`);
    ids.add(r.id);
    if (!Number.isSafeInteger(r.base) || !Number.isSafeInteger(r.size) || r.size <= 0) {
      throw new BoardError(`board ${board.name}: region ${r.id} has an invalid base or size`);
    }
    if (r.base % PAGE_SIZE !== 0 || r.size % PAGE_SIZE !== 0) {
      throw new BoardError(`board ${board.name}: region ${r.id} (${hex(r.base)}+${hex(r.size)}) is not 4 KiB aligned`);
    }
  }
  const sorted = [...board.regions].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.base + prev.size > cur.base) {
      throw new BoardError(`board ${board.name}: regions ${prev.id} and ${cur.id} overlap at ${hex(cur.base)}`);
    }
  }
  for (const required of ['boot-rom', 'secure-ram', 'otp', 'uart0', 'uart1', 'ns-dram', 'ns-shm', 'hostbridge']) {
    if (!ids.has(required)) throw new BoardError(`board ${board.name}: region ${required} is missing`);
  }
  return board;
}

/** The region with the given id (throws for an unknown id: a programming error). */
export function region(board: Board, id: string): Region {
  const r = board.regions.find((x) => x.id === id);
  if (!r) throw new BoardError(`board ${board.name} has no region ${id}`);
  return r;
}

/** The region that contains `address`, if any. */
export function regionAt(board: Board, address: number): Region | undefined {
  return board.regions.find((r) => address >= r.base && address < r.base + r.size);
}

/** Regions a world's CPU maps: the secure view is the normal view plus secure-only regions. */
export function worldView(board: Board, world: World): Region[] {
  return board.regions.filter((r) => world === 'secure' || r.world === 'normal');
}

export function hex(value: number, width = 8): string {
  return '0x' + value.toString(16).padStart(width, '0');
}

/** A human size: 64 KiB, 16 MiB. */
export function humanSize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes >> 20} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes >> 10} KiB`;
  return `${bytes} B`;
}
