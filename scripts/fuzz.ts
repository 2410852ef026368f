/**
 * `npm run fuzz [-- --frames N] [-- --syscalls N] [-- --seed S] [-- --only ws|syscalls] [-- --json]`:
 * the security fuzz runs (outside the test run, like the benchmarks).
 *
 * 1. WebSocket flood (scripts/fuzz/ws.ts): N hostile frames (default 1,000,000) against a served
 *    device from several raw connections, while a good client invokes hello_world; its p50/p99
 *    latency before and during the flood, every one of its results checked, and the device
 *    checked at the end (info, ping, a final invoke).
 * 2. Syscall flood (scripts/fuzz/syscalls.ts): N hostile syscalls (default 100,000) through the
 *    sysprobe TA on an in-process device, in sequences of 10 per session.
 *
 * Everything is a function of `--seed` (default 1) and the frame or syscall index, so a report
 * naming a seed and an index can be replayed. Progress goes to stderr; the figures to stdout
 * (one JSON line with --json). Exit status 1 when the device crashed, threw, or a good
 * invoke failed.
 */
import { hashSeed } from './fuzz/rng.js';
import { syscallFuzz, type SyscallFuzzResult } from './fuzz/syscalls.js';
import { wsFuzz, type WsFuzzResult } from './fuzz/ws.js';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const v = args[at + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function count(args: string[], name: string, dflt: number): number {
  const v = option(args, name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} ${v}: expected a whole number`);
  return n;
}

const us = (x: number) => `${Math.round(x)} us`;
const top = (m: Record<string, number>, n = 100) =>
  Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');

function printWs(r: WsFuzzResult): void {
  const f = r.flood;
  console.log('WebSocket flood');
  console.log(`  fuzz cases / frames sent      ${f.cases} / ${f.framesSent} (plus ${f.setupFrames} set-up frames: hellos, contexts, sessions, shm)`);
  console.log(`  time                          ${(f.ms / 1000).toFixed(1)} s flood, ${(r.ms / 1000).toFixed(1)} s in all (${Math.round(f.framesSent / (f.ms / 1000))} frames/s)`);
  console.log(`  answers                       ${f.answers}: ${f.okResponses} ok responses, ${f.errorResponses} error responses, ${f.errorFrames} error frames`);
  console.log(`  error codes                   ${top(f.byErrorCode)}`);
  console.log(`  connections                   ${f.connectionsOpened} opened, ${f.closedByServer} closed by the server (codes: ${top(f.closeCodes)}), ${f.handshakesRefused} refused at the handshake`);
  console.log(`  stalls / set-up failures      ${f.stalls} / ${f.setupFailures}`);
  console.log(`  odd answers                   ${f.oddAnswers}${f.oddSamples.length ? ` (${f.oddSamples.join(' ')})` : ''}`);
  console.log(`  good client, before           ${r.good.baselineInvokes} invokes, p50 ${us(r.good.baselineP50us)}, p99 ${us(r.good.baselineP99us)}`);
  console.log(`  good client, during flood     ${r.good.floodInvokes} invokes, p50 ${us(r.good.floodP50us)}, p99 ${us(r.good.floodP99us)}, max ${us(r.good.floodMaxUs)}`);
  console.log(`  good client failures          ${r.good.failures}${r.good.failureSamples.length ? ` (${r.good.failureSamples.join('; ')})` : ''}`);
  console.log(`  device up at the end          ${r.deviceUp} (info ${r.endCheck.info}, ping ${r.endCheck.ping}, final invoke ${r.endCheck.finalInvoke}, worker alive ${r.endCheck.hostAlive}; ${r.endCheck.requests ?? '?'} device requests served)`);
  console.log(`  cases by kind                 ${top(f.byKind)}`);
}

function printSys(r: SyscallFuzzResult): void {
  console.log('Syscall flood');
  console.log(`  syscalls / sequences          ${r.syscalls} / ${r.sequences}, ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.syscalls / (r.ms / 1000))} syscalls/s)`);
  console.log(`  syscall results               ${top(r.results)}`);
  console.log(`  calls that failed             ${top(r.callFailures) || 'none'}`);
  console.log(`  TA deaths / sessions opened   ${r.taDeaths} / ${r.sessionsOpened} (${r.openFailures} opens failed)`);
  console.log(`  device exceptions             ${r.deviceExceptions}${r.exceptionSamples.length ? `\n    ${r.exceptionSamples.join('\n    ')}` : ''}`);
  console.log(`  slowest call                  ${r.slowestMs.toFixed(1)} ms (${r.slowest})`);
  console.log(`  hello_world after the run     ${r.helloWorldAfter ? 'works' : 'FAILED'}`);
  console.log(`  syscalls by number            ${top(r.bySyscall, 200)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const frames = count(args, '--frames', 1_000_000);
  const syscalls = count(args, '--syscalls', 100_000);
  const seedText = option(args, '--seed') ?? '1';
  const seed = hashSeed(seedText);
  const only = option(args, '--only');
  if (only !== undefined && only !== 'ws' && only !== 'syscalls') throw new Error(`--only ${only}: expected ws or syscalls`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const out: { seed: string; date: string; ws?: WsFuzzResult; syscalls?: SyscallFuzzResult; ok: boolean } = { seed: seedText, date: new Date().toISOString(), ok: true };
  if (!json) console.log(`fuzz: seed ${seedText}, ${only !== 'syscalls' ? `${frames} frames` : ''}${only === undefined ? ', ' : ''}${only !== 'ws' ? `${syscalls} syscalls` : ''}`);
  if (only !== 'syscalls') {
    out.ws = await wsFuzz({ frames, seed, log });
    out.ok &&= out.ws.deviceUp && out.ws.good.failures === 0;
    if (!json) printWs(out.ws);
  }
  if (only !== 'ws') {
    out.syscalls = syscallFuzz({ syscalls, seed, log });
    out.ok &&= out.syscalls.deviceExceptions === 0 && out.syscalls.helloWorldAfter;
    if (!json) printSys(out.syscalls);
  }
  if (json) console.log(JSON.stringify(out));
  else console.log(out.ok ? 'fuzz: OK (0 device crashes)' : 'fuzz: FAILED');
  process.exitCode = out.ok ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`fuzz: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
