/**
 * TEE Client API over WebSocket benchmarks (issue 4): hello_world invokes through the whole
 * stack (client library -> msgpack/WebSocket -> server -> worker -> firmware -> SMC -> TEE core
 * -> TA and back), against a bare ws echo of a frame of the same size measured in the same run.
 *
 * All metrics come from one measurement run (one served device), memoised, so they are
 * consistent with each other and the device is booted once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { WebSocket, WebSocketServer, type AddressInfo } from 'ws';
import { serveDevice } from '../../emulator/api/serve.js';
import { MSGPACK_OPTIONS, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } from '../../emulator/abi/protocol.js';
import { TeecContext, TeecOperation } from '../../emulator/client/index.js';
import type { BenchMetric } from './types.js';
import { percentile } from './stats.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const RTT_SAMPLES = 3000;
const WARMUP = 3000;
const THROUGHPUT_CLIENTS = 8;
const THROUGHPUT_MS = 3000;

interface Results {
  invokeP50: number;
  invokeP99: number;
  echoP50: number;
  throughput: number;
}


/** A bare ws echo server and client: the floor for one request/answer over a local socket. */
async function echoRtt(frameBytes: number): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d as Buffer)));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => ws.once('open', r));
  const frame = new Uint8Array(frameBytes);
  const once = () => new Promise<void>((r) => { ws.once('message', () => r()); ws.send(frame); });
  for (let i = 0; i < WARMUP; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < RTT_SAMPLES; i++) {
    const t = performance.now();
    await once();
    samples.push((performance.now() - t) * 1000);
  }
  ws.close();
  await new Promise((r) => wss.close(r));
  return percentile(samples, 50);
}

async function measure(): Promise<Results> {
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-bench-ws-'));
  const served = await serveDevice({ device: { stateDir } });
  try {
    const ctx = await TeecContext.initialize({ url: served.url, token: served.token, client: 'bench' });
    const session = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
    for (let i = 0; i < WARMUP; i++) await session.invokeCommand(0, op);
    const samples: number[] = [];
    for (let i = 0; i < RTT_SAMPLES; i++) {
      const t = performance.now();
      await session.invokeCommand(0, op);
      samples.push((performance.now() - t) * 1000);
    }
    // The echo frame has the size of an invokeCommand request frame.
    const packr = new Packr(MSGPACK_OPTIONS);
    const frameBytes = packr.pack({ type: 'req', id: 1000, op: 'invokeCommand', args: { session: session.id, cmd: 0, params: [{ type: 3, a: 1, b: 0 }] } }).length;
    const echoP50 = await echoRtt(frameBytes);

    const contexts = await Promise.all(Array.from({ length: THROUGHPUT_CLIENTS }, () => TeecContext.initialize({ url: served.url, token: served.token })));
    const sessions = await Promise.all(contexts.map((c) => c.openSession(HELLO_WORLD)));
    let done = 0;
    let stop = false;
    const loop = async (s: (typeof sessions)[number]) => {
      const o = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
      while (!stop) {
        await s.invokeCommand(0, o);
        done++;
      }
    };
    const warm = sessions.map(loop);
    await new Promise((r) => setTimeout(r, 300));
    const start = performance.now();
    const startDone = done;
    await new Promise((r) => setTimeout(r, THROUGHPUT_MS));
    const throughput = ((done - startDone) / (performance.now() - start)) * 1000;
    stop = true;
    await Promise.all(warm);
    for (const c of [ctx, ...contexts]) c.connection.close();
    return { invokeP50: percentile(samples, 50), invokeP99: percentile(samples, 99), echoP50, throughput };
  } finally {
    await served.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

let results: Promise<Results> | undefined;
const get = () => (results ??= measure());
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export const metrics: BenchMetric[] = [
  { name: 'ws.invoke.rtt.p50.us', unit: 'us', run: async () => round((await get()).invokeP50) },
  { name: 'ws.invoke.rtt.p99.us', unit: 'us', run: async () => round((await get()).invokeP99) },
  { name: 'ws.echo.rtt.p50.us', unit: 'us', run: async () => round((await get()).echoP50) },
  { name: 'ws.invoke.ratio_to_echo', unit: 'ratio', run: async () => { const r = await get(); return round(r.invokeP50 / r.echoP50, 2); } },
  { name: 'ws.invoke.throughput.ops', unit: 'ops/s', run: async () => Math.round((await get()).throughput) },
];
