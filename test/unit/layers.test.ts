/**
 * The floors of docs/architecture.md, held: no module imports from a floor above its own (or
 * from a peer folder on its own floor), no import cycle, no module past 500 lines. The graph
 * comes from scripts/import-graph.ts, the same tool that prints it for people
 * (`node dist/scripts/import-graph.js`).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLOORS, analyse, findCycles, folderOf, readModules, upwardReason } from '../../scripts/import-graph.js';

const ROOT = resolve(import.meta.dirname, '../..');
const report = analyse(ROOT);

describe('the import graph keeps its floors', () => {
  it('every folder of emulator/ has a floor', () => {
    const folders = new Set(readModules(ROOT).map((m) => folderOf(m.file)));
    for (const f of folders) expect(FLOORS[f], `emulator/${f}/ has no floor in scripts/import-graph.ts`).toBeDefined();
  });

  it('no import points up a floor or across to a peer', () => {
    expect(report.upward.map((u) => `${u.from} -> ${u.to} (${u.why})`)).toEqual([]);
  });

  it('no import cycle, type-only imports included', () => {
    expect(report.cycles).toEqual([]);
  });

  it('no module is longer than 500 lines', () => {
    expect(report.largest.filter((l) => l.lines > 500)).toEqual([]);
  });

  it('the checks find what they look for (a cycle and an upward import made up here)', () => {
    const mods = [
      { file: 'emulator/tee/a.ts', lines: 1, imports: ['emulator/tee/b.ts'] },
      { file: 'emulator/tee/b.ts', lines: 1, imports: ['emulator/tee/a.ts', 'emulator/device/d.ts'] },
      { file: 'emulator/device/d.ts', lines: 1, imports: [] },
    ];
    expect(findCycles(mods)).toEqual([['emulator/tee/a.ts', 'emulator/tee/b.ts']]);
    expect(upwardReason('emulator/tee/b.ts', 'emulator/device/d.ts')).toMatch(/floor 3.*floor 4/);
    expect(upwardReason('emulator/ree/x.ts', 'emulator/tee/y.ts')).toMatch(/own floor/);
    expect(upwardReason('emulator/abi/x.ts', 'emulator/trace/y.ts')).toMatch(/ground floor/);
    expect(upwardReason('emulator/client/x.ts', 'emulator/api/y.ts')).toMatch(/client/);
    expect(upwardReason('emulator/device/x.ts', 'emulator/tee/y.ts')).toBeUndefined();
    expect(upwardReason('emulator/cli/x.ts', 'emulator/client/y.ts')).toBeUndefined();
  });
});
