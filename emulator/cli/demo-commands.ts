/**
 * `trustbox demo NAME`: the lessons of docs/lessons/, run. `demo isolation` is a guided
 * in-process demonstration (the normal world reads secure RAM and is stopped); every other demo
 * runs its lesson's commands (the ```sh blocks of docs/lessons/NN-NAME.md) in a throwaway work
 * directory and prints what they print. `demo --list` prints one `name  title` a line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Device } from '../device/device.js';
import { HB_OP_PROBE, HB_OP_READ_ADDRESS } from '../ree/hostbridge.js';
import { resultName } from '../abi/results.js';
import { BOARDS, DEFAULT_BOARD, getBoard } from '../machine/boards.js';
import { hex, region } from '../machine/board.js';
import { attachPrinter } from './boot.js';
import { isBackground, lessonEnv, lessonsDir, parseLesson, runCommand, stopBackground } from './demo/lesson-script.js';

/** The course, in order: the demo's name, its lesson file and title (test/integration/lessons.test.ts checks them against docs/lessons/). */
export const LESSONS: readonly { name: string; file: string; title: string }[] = [
  { name: 'two-worlds', file: '01-two-worlds.md', title: 'Two worlds and the monitor' },
  { name: 'isolation', file: '02-isolation.md', title: 'Isolation and the TZASC' },
  { name: 'smc-abi', file: '03-smc-abi.md', title: 'The SMC calling convention and OP-TEE\'s ABI' },
  { name: 'ta-call', file: '04-ta-call.md', title: 'Anatomy of one TA call' },
  { name: 'lifecycle', file: '05-lifecycle.md', title: 'Sessions, instances and the TA lifecycle' },
  { name: 'storage', file: '06-storage.md', title: 'Secure storage and what the normal world sees' },
  { name: 'signing', file: '07-signing.md', title: 'TA signing and encryption' },
  { name: 'attestation', file: '08-attestation.md', title: 'Attestation and confidential deployment' },
];

function isolationDemo(opts: { board: string; json?: boolean }): void {
  const board = getBoard(opts.board);
  const secureRam = region(board, 'secure-ram');
  // A throwaway state directory: the demo must not touch the user's device state.
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-demo-'));
  const device = new Device({ board: board.name, stateDir });
  try {
    attachPrinter(device, { json: opts.json ?? false });
    const say = (text: string) => { if (!opts.json) console.log(`\n== ${text}`); };
    say(`booting ${board.name}`);
    device.boot();
    say(`the normal world reads secure RAM at ${hex(secureRam.base)}`);
    const peek = device.request({
      op: HB_OP_READ_ADDRESS, params: [{ attr: 0, a: BigInt(secureRam.base), b: 0n, c: 0n }],
    });
    const blocked = peek.status !== 0;
    say(`the firmware's request ended with ${resultName(peek.status)}: ${blocked ? 'the read was blocked' : 'THE READ SUCCEEDED'}`);
    say('the device still answers: probing OP-TEE again');
    const alive = device.request({ op: HB_OP_PROBE }).status === 0;
    say(alive ? 'probe answered: the device kept running' : 'probe failed');
    if (opts.json) console.log(JSON.stringify({ event: 'demo', blocked, alive }));
    if (!blocked || !alive) process.exitCode = 1;
  } finally {
    device.powerOff();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Runs a lesson's commands in order, in a fresh work directory ($WORK, with the device state in
 * $STATE), printing each command and its output; a served device started by the lesson is
 * powered off at the end. Exit status 1 when a command's status is not the one the lesson shows.
 */
async function lessonDemo(name: string): Promise<void> {
  const entry = LESSONS.find((l) => l.name === name)!;
  const lesson = parseLesson(entry.file, readFileSync(join(lessonsDir(), entry.file), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'trustbox-lesson-'));
  const le = lessonEnv(work);
  console.log(`== lesson ${entry.file.slice(0, 2)}: ${entry.title} (docs/lessons/${entry.file})`);
  console.log(`== work directory: WORK=${work} STATE=${join(work, 'dev')}`);
  try {
    for (const block of lesson.blocks) {
      for (const command of block.commands) {
        console.log(`\n$ ${command}`);
        const background = isBackground(command);
        const r = await runCommand(command, le, { echo: !background });
        if (background) process.stdout.write(r.output);
        if (!background && r.status !== block.exit) {
          console.log(`== exit status ${r.status}; the lesson expects ${block.exit}`);
          process.exitCode = 1;
        }
      }
    }
  } finally {
    await stopBackground(le);
    rmSync(work, { recursive: true, force: true });
  }
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo')
    .description('run a lesson of docs/lessons/ (trustbox demo --list names them)')
    .option('--list', 'print each demo\'s name and title, one a line')
    .action((opts: { list?: boolean }) => {
      if (!opts.list) {
        demo.help({ error: true });
        return;
      }
      for (const l of LESSONS) console.log(`${l.name.padEnd(14)}${l.title}`);
    });
  demo
    .command('isolation')
    .description('the normal world reads secure memory: the access is blocked and the device keeps serving')
    .option('--board <name>', `board (${[...BOARDS.keys()].join(', ')})`, DEFAULT_BOARD)
    .option('--json', 'print JSON lines')
    .action((opts: { board: string; json?: boolean }) => isolationDemo(opts));
  for (const l of LESSONS.filter((x) => x.name !== 'isolation')) {
    demo.command(l.name)
      .description(`lesson ${l.file.slice(0, 2)}: ${l.title} (runs the commands of docs/lessons/${l.file})`)
      .action(() => lessonDemo(l.name));
  }
}
