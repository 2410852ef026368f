/**
 * Secure threads (security issue, item 2): how long a bystander's hello_world takes over the
 * WebSocket API while other clients keep TAs busy. Three loop TAs spin until cancelled (each
 * thread gives the CPU back every time slice), or sleep in TEE_Wait; the bystander's invokes are
 * timed meanwhile, then the busy calls are cancelled. Before secure threads a bystander waited for every busy call to end.
 *
 * The loop TA is a test fixture outside the default image: `npm run build` builds it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveDevice, type Served } from '../../emulator/api/serve.js';
import { TEEC_NONE, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT } from '../../emulator/abi/protocol.js';
import { TeecContext, TeecOperation } from '../../emulator/client/index.js';
import type { BenchMetric } from './types.js';
import { percentile } from './stats.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const LOOP_TA = 'c93e419b-2768-4785-98af-503b36a30e41';
const LOOP_DIR = resolve(import.meta.dirname, '../../../firmware/ta/loop/out');
const BUSY_CLIENTS = 3;
const SAMPLES = 200;
/** Busy without end until cancelled: polls its cancellation flag (a syscall) in a tight loop. */
const CMD_UNTIL_CANCEL = 1;
/** TEE_Wait with cancellation unmasked. */
const CMD_WAIT_CANCELLABLE = 5;

interface Results {
  spinP50: number;
  spinP99: number;
  waitP99: number;
}


/** Milliseconds of SAMPLES hello_world invokes by a bystander while `busy` clients run `cmd`. */
async function underLoad(served: Served, cmd: number, params: TeecOperation): Promise<number[]> {
  const busy = await Promise.all(Array.from({ length: BUSY_CLIENTS }, () => TeecContext.initialize({ url: served.url, token: served.token })));
  const runs: Promise<unknown>[] = [];
  const ops: TeecOperation[] = [];
  for (const ctx of busy) {
    const s = await ctx.openSession(LOOP_TA);
    const op = new TeecOperation(params.paramTypes, params.params.map((p) => ({ ...p })));
    ops.push(op);
    runs.push(s.invokeCommand(cmd, op).catch(() => undefined));
  }
  const bystander = await TeecContext.initialize({ url: served.url, token: served.token, client: 'bystander' });
  const hello = await bystander.openSession(HELLO_WORLD);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
  await new Promise((r) => setTimeout(r, 100));
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await hello.invokeCommand(0, op);
    samples.push(performance.now() - t);
  }
  for (const o of ops) await o.requestCancellation().catch(() => undefined);
  for (const c of [...busy, bystander]) c.connection.close();
  await Promise.race([Promise.all(runs), new Promise((r) => setTimeout(r, 2000))]);
  return samples;
}

async function measure(): Promise<Results> {
  if (!existsSync(join(LOOP_DIR, `${LOOP_TA}.ta`))) throw new Error(`${LOOP_DIR}/${LOOP_TA}.ta is missing: run \`npm run build\``);
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-bench-threads-'));
  // A long budget: the busy TAs stay busy for the whole measurement (then they are cancelled).
  const served = await serveDevice({ device: { stateDir, taPaths: [LOOP_DIR], watchdogMs: 120_000 } });
  try {
    const spin = await underLoad(served, CMD_UNTIL_CANCEL, new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE)));
    const wait = await underLoad(served, CMD_WAIT_CANCELLABLE, new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 60_000, b: 0 } }]));
    return { spinP50: percentile(spin, 50), spinP99: percentile(spin, 99), waitP99: percentile(wait, 99) };
  } finally {
    await served.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

let results: Promise<Results> | undefined;
const get = () => (results ??= measure());
const round = (x: number) => Math.round(x * 100) / 100;

export const metrics: BenchMetric[] = [
  { name: 'threads.spin3.hello.p50.ms', unit: 'ms', run: async () => round((await get()).spinP50) },
  { name: 'threads.spin3.hello.p99.ms', unit: 'ms', run: async () => round((await get()).spinP99) },
  { name: 'threads.wait3.hello.p99.ms', unit: 'ms', run: async () => round((await get()).waitP99) },
];
