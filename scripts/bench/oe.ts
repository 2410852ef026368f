/**
 * Open Enclave benchmarks (issue 15): the round trip of an empty ECALL and of an empty OCALL,
 * through the TypeScript host runtime (trustbox-emulator/oe) over the WebSocket API against a
 * served device, next to a plain invoke of the same device in the same run:
 *
 *   oe.ecall.us                  p50 of `bench_empty()` (an ECALL with no parameters)
 *   oe.invoke.us                 p50 of hello_world's command 0 (one VALUE_INOUT), same client
 *   oe.ecall.ratio_to_invoke     oe.ecall.us / oe.invoke.us (goal: 1.2 or less)
 *   oe.ecall_as_invoke.us        p50 of the same ECALL made by hand as a plain invoke (command 2
 *                                and its three temporary memrefs, no marshalling): what the
 *                                transport costs, against which oe.ecall.us shows the runtime's share
 *   oe.ocall.us                  what one empty OCALL adds: (p50 of `bench_ocalls(16)` - oe.ecall.us) / 16
 *
 * The enclave (scripts/bench/oe-app) is built at bench time with `trustbox oe build` and
 * installed from its .ta file; the ECALL/OCALL descriptions below match its EDL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveDevice } from '../../emulator/api/serve.js';
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT,
} from '../../emulator/abi/protocol.js';
import { TeecContext, TeecOperation } from '../../emulator/client/index.js';
import { createEnclave, OeResult, type EnclaveSpec } from '../../emulator/client/oe/index.js';
import { buildApp } from '../../emulator/cli/oe/build.js';
import type { BenchMetric } from './types.js';
import { percentile } from './stats.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const WARMUP = 2000;
const SAMPLES = 3000;
const OCALLS_PER_ECALL = 16;

/** scripts/bench/oe-app/bench.edl, as `trustbox oe edger8r --untrusted-ts` describes it. */
const SPEC: EnclaveSpec = {
  name: 'bench',
  types: {},
  ecalls: [
    { name: 'bench_empty', params: [] },
    { name: 'bench_ocalls', ret: 'i32', params: [{ name: 'n', kind: 'value', type: 'i32' }] },
  ],
  ocalls: [{ name: 'bench_host_empty', params: [] }],
};

interface Results {
  ecall: number;
  invoke: number;
  ocall: number;
  asInvoke: number;
}

async function p50(run: () => Promise<void>, samples = SAMPLES): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await run();
    times.push((performance.now() - t) * 1000);
  }
  return percentile(times, 50);
}

async function measure(): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), 'trustbox-bench-oe-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-bench-oe-state-'));
  try {
    const built = buildApp({ app: join(ROOT, 'scripts/bench/oe-app'), out, log: () => {} });
    const ta = built.enclaves[0]!.ta;
    const served = await serveDevice({ device: { stateDir } });
    try {
      const ctx = await TeecContext.initialize({ url: served.url, token: served.token, admin: served.admin, client: 'bench-oe' });
      try {
        let hostCalls = 0;
        const enclave = await createEnclave(ctx, ta, SPEC, { bench_host_empty: () => { hostCalls++; } });
        const check = async (name: string, values: Record<string, unknown>) => {
          const r = await enclave.ecall(name, values);
          if (r.result !== OeResult.OE_OK) throw new Error(`${name}: oe_result ${r.result}`);
          return r;
        };
        const many = await check('bench_ocalls', { n: OCALLS_PER_ECALL });
        if (many.retval !== OCALLS_PER_ECALL || hostCalls !== OCALLS_PER_ECALL) {
          throw new Error(`bench_ocalls(${OCALLS_PER_ECALL}) returned ${String(many.retval)} after ${hostCalls} host calls`);
        }
        const session = await ctx.openSession(HELLO_WORLD);
        const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
        // Interleave the two plain measurements around the ECALL one, so drift shows as a spread.
        const invokeA = await p50(async () => { await session.invokeCommand(0, op); });
        const ecall = await p50(async () => { await check('bench_empty', {}); });
        const invokeB = await p50(async () => { await session.invokeCommand(0, op); });
        // bench_empty (id 0) by hand: the 56-byte args block and a 16-byte output, no input.
        const raw = await ctx.openSession(enclave.uuid);
        const args = new Uint8Array(56);
        new DataView(args.buffer).setUint32(48, OeResult.OE_UNEXPECTED, true);
        const output = new Uint8Array(16);
        const rawOp = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE, TEEC_MEMREF_TEMP_INOUT, TEEC_NONE, TEEC_MEMREF_TEMP_OUTPUT), [
          {}, { tmpref: { buffer: args, size: args.length } }, {}, { tmpref: { buffer: output, size: output.length } }]);
        const asInvoke = await p50(async () => { await raw.invokeCommand(2, rawOp); });
        await raw.close();
        const withOcalls = await p50(async () => { await check('bench_ocalls', { n: OCALLS_PER_ECALL }); }, 500);
        await session.close();
        await enclave.terminate();
        return { ecall, invoke: (invokeA + invokeB) / 2, ocall: (withOcalls - ecall) / OCALLS_PER_ECALL, asInvoke };
      } finally {
        ctx.connection.close();
      }
    } finally {
      await served.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

let results: Promise<Results> | undefined;
const get = () => (results ??= measure());
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export const metrics: BenchMetric[] = [
  { name: 'oe.ecall.us', unit: 'us', run: async () => round((await get()).ecall) },
  { name: 'oe.invoke.us', unit: 'us', run: async () => round((await get()).invoke) },
  { name: 'oe.ecall.ratio_to_invoke', unit: 'ratio', run: async () => { const r = await get(); return round(r.ecall / r.invoke, 2); } },
  { name: 'oe.ecall_as_invoke.us', unit: 'us', run: async () => round((await get()).asInvoke) },
  { name: 'oe.ocall.us', unit: 'us', run: async () => round((await get()).ocall) },
];
