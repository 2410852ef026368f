/**
 * 3xxx load: 32 clients x 1,000 invokes each, no errors, no growth in memory (process heap
 * and RSS, which include the device worker; device sessions and shared-memory pool).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TeecOperation, type TeecContext } from '../../emulator/client/index.js';
import { HELLO_WORLD } from '../helpers/device.js';
import { startServer, type TestServer } from './helpers.js';

const CLIENTS = 32;
const INVOKES = 1000;
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

async function run(contexts: TeecContext[], invokes: number): Promise<number> {
  let errors = 0;
  await Promise.all(contexts.map(async (ctx, c) => {
    const s = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: c * 1_000_000, b: 0 } }]);
    for (let i = 0; i < invokes; i++) {
      const r = await s.invokeCommand(0, op);
      if (r.result !== TEEC_SUCCESS) errors++;
    }
    if (op.params[0].value!.a !== c * 1_000_000 + invokes) errors++;
    await s.close();
  }));
  return errors;
}

function memory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

it('3001 32 clients x 1,000 invokes: no error, no growth in memory', async () => {
  const contexts = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => server.context(`load-${i}`)));
  expect(await run(contexts, 100)).toBe(0); // warm-up: JIT, pools, socket buffers
  const device0 = await server.host.call('stats', {});
  const before = memory();
  const started = performance.now();
  expect(await run(contexts, INVOKES)).toBe(0);
  const seconds = (performance.now() - started) / 1000;
  const after = memory();
  const device1 = await server.host.call('stats', {});
  console.log(`3001: ${CLIENTS * INVOKES} invokes in ${seconds.toFixed(1)} s (${Math.round(CLIENTS * INVOKES / seconds)}/s); ` +
    `heap ${(before.heap / 2 ** 20).toFixed(1)} -> ${(after.heap / 2 ** 20).toFixed(1)} MiB, rss ${(before.rss / 2 ** 20).toFixed(1)} -> ${(after.rss / 2 ** 20).toFixed(1)} MiB`);
  expect(device1.sessions).toBe(device0.sessions);
  expect(device1.poolBytesInUse).toBe(device0.poolBytesInUse);
  // Ten times the traffic of the warm-up must not leave memory behind: bounded margins, since
  // the GC runs when it likes (no --expose-gc under vitest).
  expect(after.heap - before.heap).toBeLessThan(48 * 2 ** 20);
  expect(after.rss - before.rss).toBeLessThan(96 * 2 ** 20);
  for (const c of contexts) c.connection.close();
}, 120_000);
