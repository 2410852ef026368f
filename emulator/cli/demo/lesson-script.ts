/**
 * The lessons of docs/lessons/ as scripts: their ```sh blocks parsed into commands, run in a
 * work directory, and their output compared with the block that follows. `trustbox demo NAME`
 * runs a lesson this way, and test/integration/lessons.test.ts runs every lesson and compares,
 * so a lesson and its demo cannot drift from the emulator. The conventions (output blocks, the
 * `…` marker, `<!-- exit N -->`, background commands) are documented in docs/lessons/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One ```sh block: its commands, the output it should print (if shown), the exit status each command must have. */
export interface LessonBlock {
  commands: string[];
  expected?: string;
  exit: number;
  /** Line of the ```sh fence in the lesson file (1-based), for messages. */
  line: number;
}

export interface Lesson {
  file: string;
  /** `NN-name.md` without the number and extension: `two-worlds`. */
  name: string;
  /** The first heading, without `Lesson N:`. */
  title: string;
  blocks: LessonBlock[];
}

/** docs/lessons/, found upward from this module (it runs from emulator/ in tests and from dist/ when built). */
export function lessonsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'docs', 'lessons');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('docs/lessons/ not found next to the emulator');
    dir = up;
  }
}

/** The project's root (where bin/ and docs/ are): lessons run their commands from there. */
export function projectRoot(): string {
  return resolve(lessonsDir(), '..', '..');
}

/** Every lesson file `NN-name.md`, in order. */
export function readLessons(dir = lessonsDir()): Lesson[] {
  return readdirSync(dir).filter((f) => /^\d\d-[a-z0-9-]+\.md$/.test(f)).sort()
    .map((f) => parseLesson(f, readFileSync(join(dir, f), 'utf8')));
}

/** Parses one lesson: its title and its ```sh blocks with their output blocks and exit markers. */
export function parseLesson(file: string, text: string): Lesson {
  const lines = text.split('\n');
  const heading = lines.find((l) => l.startsWith('# ')) ?? `# ${file}`;
  const title = heading.slice(2).replace(/^Lesson \d+:\s*/, '').trim();
  const blocks: LessonBlock[] = [];
  let exit = 0;
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!--\s*exit\s+(\d+)\s*-->$/.exec(lines[i]!.trim());
    if (marker) { exit = Number(marker[1]); continue; }
    if (lines[i]!.trim() !== '```sh') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    const block: LessonBlock = { commands: commandsOf(body), exit, line: start + 1 };
    exit = 0;
    // The output is the next fenced block with no language (or `text`), with only blank lines between.
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    if (j < lines.length && /^```(text)?$/.test(lines[j]!.trim())) {
      const out: string[] = [];
      for (j++; j < lines.length && lines[j]!.trim() !== '```'; j++) out.push(lines[j]!);
      block.expected = out.join('\n');
      i = j;
    }
    blocks.push(block);
  }
  return { file, name: file.replace(/^\d\d-/, '').replace(/\.md$/, ''), title, blocks };
}

/** Commands of a block: one a line, `\` continues a line, `#` comments and blank lines dropped. */
function commandsOf(body: string[]): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const raw of body) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) { pending += line.slice(0, -1).trimEnd() + ' '; continue; }
    commands.push((pending + line).trim());
    pending = '';
  }
  if (pending) commands.push(pending.trim());
  return commands;
}

/** True for a command the shell would run in the background (`... &`). */
export function isBackground(command: string): boolean {
  return /[^&]&$/.test(command);
}

/** Where a lesson runs: the work directory ($WORK), the device's state ($STATE), the environment. */
export interface LessonEnv {
  work: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Background commands still running (a served device); stop() ends them. */
  background: ChildProcess[];
}

export function lessonEnv(work: string): LessonEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, WORK: work, STATE: join(work, 'dev'), TRUSTBOX_STATE_HOME: join(work, 'home'),
    FORCE_COLOR: '0', NO_COLOR: '1',
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  };
  return { work, cwd: projectRoot(), env, background: [] };
}

export interface CommandResult { output: string; status: number | null }

/**
 * Runs one command with bash, standard output and error together. A background command (`&`)
 * writes to a log in $WORK and counts as started once it prints a line with "Ctrl-C" (a served
 * device's API line) or exits; its output up to then is the result.
 */
export function runCommand(command: string, le: LessonEnv, opts: { timeoutMs?: number; echo?: boolean; group?: boolean } = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (isBackground(command)) return startBackground(command.slice(0, -1).trim(), le, timeoutMs);
  return new Promise((done) => {
    // group: the command gets a process group of its own, so that a timeout ends its background jobs too.
    const child = spawn('bash', ['-c', `exec 2>&1; ${command}`], { cwd: le.cwd, env: le.env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.group === true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString('utf8'); if (opts.echo) process.stdout.write(d); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString('utf8'); if (opts.echo) process.stdout.write(d); });
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]\n`;
      if (opts.group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); done({ output, status }); });
  });
}

function startBackground(command: string, le: LessonEnv, timeoutMs: number): Promise<CommandResult> {
  const log = join(le.work, `background-${le.background.length + 1}.log`);
  const fd = openSync(log, 'w');
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: le.cwd, env: le.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  le.background.push(child);
  let exited: number | null | undefined;
  child.on('exit', (status) => { exited = status; });
  const started = Date.now();
  return new Promise((done) => {
    const poll = () => {
      const output = readFileSync(log, 'utf8');
      if (exited !== undefined || /Ctrl-C/.test(output)) return done({ output, status: exited ?? 0 });
      if (Date.now() - started > timeoutMs) return done({ output: output + `\n[not started after ${timeoutMs} ms]\n`, status: null });
      setTimeout(poll, 50);
    };
    poll();
  });
}

/** Ends the lesson's background commands (SIGTERM: a served device powers off) and waits for them. */
export async function stopBackground(le: LessonEnv): Promise<void> {
  await Promise.all(le.background.map((child) => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('exit', () => { clearTimeout(kill); done(); });
    child.kill('SIGTERM');
  })));
  le.background.length = 0;
}

/** Output as a lesson shows it: $WORK for the work directory, no colours, no trailing blanks. */
export function normalizeOutput(output: string, work: string): string {
  return output.split(work).join('$WORK')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n').map((l) => l.replace(/\s+$/, '')).join('\n')
    .replace(/^\n+/, '').replace(/\n+$/, '');
}

/**
 * Compares output with a lesson's expected block: `…` in a line stands for any text within the
 * line, a line that is only `…` for any number of lines (none included). Returns undefined when
 * they match, else the first expected line that found no match.
 */
export function compareOutput(expected: string, actual: string): string | undefined {
  const want = expected.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (want.length > 0 && want[want.length - 1] === '') want.pop();
  while (want.length > 0 && want[0] === '') want.shift();
  const pattern = want.map((l) => (l.trim() === '…' ? '(?:[^\\n]*\\n)*?'
    : l.split('…').map(escapeRegExp).join('[^\\n]*?') + '\\n')).join('');
  if (new RegExp(`^${pattern}$`).test(actual + '\n')) return undefined;
  // Name the first line that stops matching, to make a failure readable.
  for (let n = 1; n <= want.length; n++) {
    const head = want.slice(0, n).map((l) => (l.trim() === '…' ? '(?:[^\\n]*\\n)*?'
      : l.split('…').map(escapeRegExp).join('[^\\n]*?') + '\\n')).join('');
    if (!new RegExp(`^${head}`).test(actual + '\n')) return `expected line ${n}: ${want[n - 1]}`;
  }
  return 'the output goes on past the last expected line';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
