/**
 * WebSocket flood: a served device (as scripts/bench/ws.ts serves one), a good client invoking
 * hello_world in a loop (its latency before and during the flood, every result checked), and
 * the hostile frames from a worker thread (ws-worker.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { serveDevice } from '../../emulator/api/serve.js';
import { TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } from '../../emulator/abi/protocol.js';
import { TeecContext, TeecOperation, type TeecSession } from '../../emulator/client/index.js';
import { percentile } from './rng.js';
import type { FloodInput, FloodResult } from './ws-worker.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const BASELINE_INVOKES = 3000;
const WARMUP = 1000;

export interface WsFuzzResult {
  flood: FloodResult;
  good: {
    baselineInvokes: number;
    baselineP50us: number;
    baselineP99us: number;
    floodInvokes: number;
    floodP50us: number;
    floodP99us: number;
    floodMaxUs: number;
    failures: number;
    failureSamples: string[];
  };
  deviceUp: boolean;
  endCheck: { info: boolean; ping: boolean; finalInvoke: boolean; hostAlive: boolean; requests?: number };
  ms: number;
}

/** One good invoke: a random `a` must come back as a + 1. */
async function goodInvoke(session: TeecSession, a: number): Promise<string | undefined> {
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a, b: 7 } }]);
  try {
    const r = await session.invokeCommand(0, op, { timeoutMs: 30_000 });
    const v = (op.params[0] as { value: { a: number; b: number } }).value;
    if (r.result !== 0) return `result 0x${r.result.toString(16)} origin ${r.origin}`;
    if (v.a !== ((a + 1) >>> 0) || v.b !== 7) return `a ${a} came back as ${v.a} (b ${v.b})`;
    return undefined;
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

export async function wsFuzz(opts: { frames: number; seed: number; lanes?: number; log: (s: string) => void }): Promise<WsFuzzResult> {
  const t0 = performance.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-fuzz-ws-'));
  const served = await serveDevice({ device: { stateDir }, log: () => {} });
  try {
    const ctx = await TeecContext.initialize({ url: served.url, token: served.token, client: 'fuzz-good' });
    const session = await ctx.openSession(HELLO_WORLD);
    let a = 1;
    const failureSamples: string[] = [];
    let failures = 0;
    const timed = async (samples: number[]) => {
      const t = performance.now();
      const fail = await goodInvoke(session, (a = (a * 1103515245 + 12345) >>> 0));
      samples.push((performance.now() - t) * 1000);
      if (fail) {
        failures++;
        if (failureSamples.length < 10) failureSamples.push(fail);
      }
    };
    const warm: number[] = [];
    for (let i = 0; i < WARMUP; i++) await timed(warm);
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_INVOKES; i++) await timed(baseline);
    opts.log(`fuzz ws: baseline p50 ${percentile(baseline, 50).toFixed(0)} us, p99 ${percentile(baseline, 99).toFixed(0)} us; flooding ${opts.frames} frames`);

    const input: FloodInput = { url: served.url, token: served.token, frames: opts.frames, seed: opts.seed, lanes: opts.lanes ?? 8, preAuthShare: 0.1 };
    const worker = new Worker(new URL('./ws-worker.js', import.meta.url), { workerData: input });
    let stop = false;
    const flood: number[] = [];
    const done = new Promise<FloodResult>((resolve, reject) => {
      worker.on('message', (m: { progress?: number; done?: FloodResult }) => {
        if (m.progress !== undefined) opts.log(`fuzz ws: frame ${m.progress} (${((performance.now() - t0) / 1000).toFixed(0)} s, good client ${flood.length} invokes)`);
        if (m.done) resolve(m.done);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`flood worker exited (${code})`)));
    }).finally(() => { stop = true; });
    const goodLoop = (async () => { while (!stop) await timed(flood); })();
    const result = await done;
    await goodLoop;
    await worker.terminate();

    // Is the device still up?
    const endCheck: WsFuzzResult['endCheck'] = { info: false, ping: false, finalInvoke: false, hostAlive: served.host.alive };
    try {
      const info = await ctx.connection.info();
      endCheck.info = typeof info.uptimeMs === 'number';
      endCheck.requests = info.requests;
    } catch { /* stays false */ }
    try {
      await ctx.connection.request('ping', { data: new Uint8Array([1, 2, 3]) });
      endCheck.ping = true;
    } catch { /* stays false */ }
    endCheck.finalInvoke = (await goodInvoke(session, 41)) === undefined;
    ctx.connection.close();
    return {
      flood: result,
      good: {
        baselineInvokes: baseline.length,
        baselineP50us: percentile(baseline, 50), baselineP99us: percentile(baseline, 99),
        floodInvokes: flood.length,
        floodP50us: percentile(flood, 50), floodP99us: percentile(flood, 99), floodMaxUs: flood.reduce((m, x) => Math.max(m, x), 0),
        failures, failureSamples,
      },
      deviceUp: endCheck.info && endCheck.ping && endCheck.finalInvoke && served.host.alive,
      endCheck,
      ms: performance.now() - t0,
    };
  } finally {
    await served.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
