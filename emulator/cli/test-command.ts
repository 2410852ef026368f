/**
 * `trustbox test (--state DIR | --connect URL --token-file FILE) [--filter PATTERN] [--junit FILE] [--json] [--list]`:
 * the project's conformance cases (conformance/cases.ts: 1xxx core, 4xxx crypto, 5xxx client
 * API, 6xxx storage) against a RUNNING device, through the client library as any client
 * program talks to it. Prints one line per case (id, name, ok/FAIL, ms), writes JUnit XML with
 * --junit, and exits 0 only when every selected case passed (issue 14 section 2;
 * docs/testing.md).
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { TeeConnection } from '../client/index.js';
import { CASES } from './conformance/cases.js';
import { junitXml, type CaseOutcome } from './conformance/junit.js';
import { runCases, selectCases } from './conformance/run.js';
import { remoteCredentials, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

interface TestOptions extends RemoteTarget {
  filter?: string;
  junit?: string;
  json?: boolean;
  list?: boolean;
}

/** Exit codes: 0 every selected case passed, 1 a case failed, 2 nothing could run. */
export const EXIT_FAILED = 1;
export const EXIT_UNUSABLE = 2;

function caseLine(o: CaseOutcome): string {
  const status = o.ok ? 'ok  ' : 'FAIL';
  const tail = o.ok ? '' : `\n      ${o.message ?? ''}`;
  return `${o.id}  ${status}  ${o.ms.toFixed(0).padStart(5)} ms  ${o.name}${tail}`;
}

function unusable(message: string): never {
  process.exitCode = EXIT_UNUSABLE;
  throw new Error(message);
}

async function testCommand(opts: TestOptions): Promise<void> {
  const cases = selectCases(CASES, opts.filter);
  if (opts.list) {
    for (const c of cases) console.log(opts.json ? JSON.stringify({ id: c.id, family: c.family, name: c.name }) : `${c.id}  ${c.name}`);
    return;
  }
  if (!wantsRemote(opts)) unusable('test needs a running device: --state DIR or --connect URL --token-file FILE (boot one with `trustbox boot --state DIR`)');
  if (cases.length === 0) unusable(`--filter ${opts.filter}: no case matches (see \`trustbox test --list\`)`);
  const { url, token } = remoteCredentials(opts);
  let conn: TeeConnection;
  try {
    conn = await TeeConnection.connect({ url, token, client: 'trustbox-test' });
  } catch (error) {
    const hint = opts.state ? ` (is the device of ${opts.state} still running?)` : '';
    unusable(`cannot reach ${url}: ${(error as Error).message}${hint}`);
  }
  const timestamp = new Date().toISOString();
  if (!opts.json) console.log(`trustbox test: ${cases.length} case(s) against ${url}`);
  let outcomes: CaseOutcome[];
  try {
    outcomes = await runCases(conn, cases, (o) => console.log(opts.json ? JSON.stringify({ ...o, ms: Math.round(o.ms * 1000) / 1000 }) : caseLine(o)));
  } finally {
    conn.close();
  }
  const failed = outcomes.filter((o) => !o.ok);
  if (opts.junit) writeFileSync(opts.junit, junitXml(outcomes, { name: 'trustbox conformance', timestamp, hostname: hostname() }));
  const summary = { passed: outcomes.length - failed.length, failed: failed.length, failedIds: failed.map((o) => o.id) };
  if (opts.json) console.log(JSON.stringify({ summary }));
  else console.log(`${summary.passed} passed, ${summary.failed} failed${failed.length ? `: ${summary.failedIds.join(', ')}` : ''}`);
  if (failed.length) process.exitCode = EXIT_FAILED;
}

export function registerTestCommand(program: Command): void {
  remoteOptions(program.command('test')
    .description('run the conformance cases (1xxx core, 4xxx crypto, 5xxx client API, 6xxx storage) against a running device'))
    .option('--filter <pattern>', 'only the cases whose "id name" or family matches this regular expression (e.g. ^4 or storage)')
    .option('--junit <file>', 'write a JUnit XML report (GitLab, Jenkins, GitHub test reporters)')
    .option('--json', 'one JSON object per case, then {"summary": ...}')
    .option('--list', 'list the cases (after --filter) and exit; needs no device')
    .addHelpText('after', '\nExit codes:\n  0  every selected case passed\n  1  a case failed\n  2  nothing could run (no device, bad options, no case selected)\n')
    .action((opts: TestOptions) => testCommand(opts));
}
