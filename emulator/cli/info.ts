/**
 * `trustbox info`: the memory map of a board, as a table, and the engine library in use.
 */
import type { Command } from 'commander';
import { hex, humanSize } from '../machine/board.js';
import { BOARDS, DEFAULT_BOARD, getBoard } from '../machine/boards.js';
import { chooseLibrary, describeLibrary } from '../cpu/library.js';
import { unicorn } from '../cpu/unicorn.js';
import { describeTrust, readTrust } from '../device/trust.js';

/** What the device of `stateDir` trusts, as one line (a device not booted yet will be a development one). */
function trustLine(stateDir: string): string {
  const trust = readTrust(stateDir);
  return trust ? describeTrust(trust) : 'no trust recorded yet: its next boot records what it trusts (the keys given with ' +
    '--trust KEY.pem on a new state directory, else the public development keys)';
}

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('print a board\'s memory map (every region with its world) and the engine library in use')
    .option('--board <name>', `board (${[...BOARDS.keys()].join(', ')})`, DEFAULT_BOARD)
    .option('--json', 'print JSON')
    .option('--state <dir>', 'also say what the device of this state directory trusts to sign TAs')
    .action((opts: { board: string; json?: boolean; state?: string }) => {
      const board = getBoard(opts.board);
      const trust = opts.state === undefined ? undefined : trustLine(opts.state);
      try {
        unicorn(); // loading tells whether the chosen library really works (else it falls back)
      } catch {
        // not installed: describeLibrary() still says what would be loaded
      }
      if (opts.json) {
        console.log(JSON.stringify({ ...board, engine: chooseLibrary(), ...(trust ? { trust } : {}) }, null, 2));
        return;
      }
      if (trust) console.log(`Device ${opts.state}: ${trust}`);
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
