/**
 * libteec benchmarks (issue 14): hello_world invokes from C through libteec.so.2 (the Unix
 * socket, length-prefixed msgpack) against a served device, and the TS client's invokes
 * (WebSocket) against the same device in the same run: `libteec.ratio_to_ts` is the C p50 over
 * the TS p50 (goal: within 1.3x).
 *
 * The C timing program (native/libteec_invoke.c) is compiled at bench time into a temporary
 * directory against libteec/include and libteec/build (built here with make if needed). It runs
 * as a child process, asynchronously: the device is served by this process's event loop.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serveDevice } from '../../emulator/api/serve.js';
import { TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } from '../../emulator/abi/protocol.js';
import { TeecContext, TeecOperation } from '../../emulator/client/index.js';
import type { BenchMetric } from './types.js';
import { percentile } from './stats.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const WARMUP = 3000;
const SAMPLES = 3000;

interface Results {
  cP50: number;
  cP99: number;
  tsP50: number;
}


/** Builds libteec and the timing program; returns the program's path. */
function buildClient(dir: string): string {
  execFileSync('make', ['-s', '-C', join(ROOT, 'libteec')]);
  const exe = join(dir, 'libteec_invoke');
  execFileSync('gcc', ['-O2', '-Wall', `-I${join(ROOT, 'libteec/include')}`, '-o', exe,
    join(ROOT, 'scripts/bench/native/libteec_invoke.c'), `-L${join(ROOT, 'libteec/build')}`, '-lteec']);
  return exe;
}

async function tsP50(url: string, token: string): Promise<number> {
  const ctx = await TeecContext.initialize({ url, token, client: 'bench' });
  try {
    const session = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
    for (let i = 0; i < WARMUP; i++) await session.invokeCommand(0, op);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await session.invokeCommand(0, op);
      samples.push((performance.now() - t) * 1000);
    }
    await session.close();
    return percentile(samples, 50);
  } finally {
    ctx.connection.close();
  }
}

async function measure(): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-bench-libteec-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-bench-libteec-state-'));
  try {
    const exe = buildClient(dir);
    const served = await serveDevice({ device: { stateDir } });
    try {
      const ts = await tsP50(served.url, served.token);
      const { stdout } = await promisify(execFile)(exe, [String(WARMUP), String(SAMPLES)], {
        env: { ...process.env, TRUSTBOX_STATE: stateDir, LD_LIBRARY_PATH: join(ROOT, 'libteec/build') },
      });
      const [p50, p99] = stdout.trim().split(/\s+/).map(Number);
      if (!Number.isFinite(p50) || !Number.isFinite(p99)) throw new Error(`libteec_invoke printed ${JSON.stringify(stdout)}`);
      return { cP50: p50!, cP99: p99!, tsP50: ts };
    } finally {
      await served.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

let results: Promise<Results> | undefined;
const get = () => (results ??= measure());
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export const metrics: BenchMetric[] = [
  { name: 'libteec.invoke.us', unit: 'us', run: async () => round((await get()).cP50) },
  { name: 'libteec.invoke.p99.us', unit: 'us', run: async () => round((await get()).cP99) },
  { name: 'libteec.ts_invoke.us', unit: 'us', run: async () => round((await get()).tsP50) },
  { name: 'libteec.ratio_to_ts', unit: 'ratio', run: async () => { const r = await get(); return round(r.cP50 / r.tsP50, 2); } },
];
