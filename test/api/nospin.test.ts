/**
 * TRUSTBOX_SPIN=0: the device host and its worker sleep instead of spinning (for machines whose
 * cores are busy). Same answers, same cancellation, through the event-loop path only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEEC_ERROR_CANCEL, TEEC_NONE, TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TeecOperation, type TeecContext,
} from '../../emulator/client/index.js';
import { spins } from '../../emulator/device/host.js';
import { HELLO_WORLD, LOOP_TA } from '../helpers/device.js';
import { startServer, type TestServer } from './helpers.js';

let server: TestServer;
let ctx: TeecContext;
const before = process.env.TRUSTBOX_SPIN;

beforeAll(async () => {
  process.env.TRUSTBOX_SPIN = '0';
  server = await startServer();
  ctx = await server.context('no-spin');
});
afterAll(async () => {
  await server?.stop();
  if (before === undefined) delete process.env.TRUSTBOX_SPIN;
  else process.env.TRUSTBOX_SPIN = before;
});

describe('3100 a device host that does not spin', () => {
  it('3101 reads the switch from the environment', () => {
    expect(spins({ TRUSTBOX_SPIN: '0' })).toBe(false);
    expect(spins({})).toBe(true);
    expect(server.host.spinning).toBe(false);
  });

  it('3102 answers back-to-back and concurrent invokes in order', async () => {
    const s = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 0, b: 0 } }]);
    for (let i = 0; i < 200; i++) expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(op.params[0].value!.a).toBe(200);
    const ops = Array.from({ length: 16 }, (_, i) => new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: i, b: 0 } }]));
    await Promise.all(ops.map((o) => s.invokeCommand(0, o)));
    expect(ops.map((o) => o.params[0].value!.a)).toEqual(ops.map((_, i) => i + 1));
    await s.close();
  });

  it('3103 still cancels a long invoke', async () => {
    const s = await ctx.openSession(LOOP_TA);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE));
    const running = s.invokeCommand(1, op);
    await new Promise((r) => setTimeout(r, 100));
    await op.requestCancellation();
    expect((await running).result).toBe(TEEC_ERROR_CANCEL);
    await s.close();
  });
});
