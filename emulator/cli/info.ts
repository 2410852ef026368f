/**
 * `trustbox info`: the memory map of a board, as a table, and the engine library in use.
 */
import type { Command } from 'commander';
import { hex, humanSize } from '../machine/board.js';
import { BOARDS, DEFAULT_BOARD, getBoard } from '../machine/boards.js';
import { chooseLibrary, describeLibrary } from '../cpu/library.js';
import { unicorn } from '../cpu/unicorn.js';

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('print a board\'s memory map (every region with its world) and the engine library in use')
    .option('--board <name>', `board (${[...BOARDS.keys()].join(', ')})`, DEFAULT_BOARD)
    .option('--json', 'print JSON')
    .action((opts: { board: string; json?: boolean }) => {
      const board = getBoard(opts.board);
      try {
        unicorn(); // loading tells whether the chosen library really works (else it falls back)
      } catch {
        // not installed: describeLibrary() still says what would be loaded
      }
      if (opts.json) {
        console.log(JSON.stringify({ ...board, engine: chooseLibrary() }, null, 2));
        return;
      }
      console.log(`${board.name}: ${board.description}`);
      console.log(`CPU ${board.cpu}, board id ${board.id}`);
      console.log(`Engine: ${describeLibrary()}\n`);
      const rows = [...board.regions].sort((a, b) => a.base - b.base).map((r) => [
        hex(r.base), hex(r.base + r.size - 1), humanSize(r.size), r.world, r.kind, r.name,
      ]);
      const head = ['start', 'end', 'size', 'world', 'kind', 'region'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
      console.log(line(head));
      console.log(widths.map((w) => '-'.repeat(w)).join('  '));
      for (const r of rows) console.log(line(r));
      console.log('\nThe normal world maps only "normal" regions; the secure world maps all of them.');
    });
}
