/**
 * Runs inside headless Chromium (see client.test.ts): the compiled client library, imported by
 * its package name through the page's import map, against a served device. Each step records
 * plain JSON; the page POSTs the record to the test server, which asserts on it.
 *
 * Plain JavaScript on purpose: the browser loads this file as it is.
 */
import {
  TEEC_MEM_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT,
  TeecContext, TeecError, TeecOperation,
} from 'trustbox-emulator/client';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const RANDOM = 'b6c53aba-9669-4668-a7f2-205629d00f86';
const NO_SUCH_TA = '00000000-0000-0000-0000-0000000000ff';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** A rejection as data: what a browser application would see of it. */
async function failure(promise) {
  try {
    await promise;
    return { rejected: false };
  } catch (e) {
    return {
      rejected: true, isTeecError: e instanceof TeecError, name: e.name,
      result: e.result, origin: e.origin, code: e.code, message: String(e.message),
    };
  }
}

/** The scenario: every kind of call an application makes, in the order it makes them. */
export async function run({ url, token }) {
  const steps = {
    // Proof that this is a browser, not Node: the client must have used the global WebSocket.
    environment: { userAgent: navigator.userAgent, process: typeof globalThis.process, WebSocket: typeof WebSocket },
  };

  steps.badToken = await failure(TeecContext.initialize({ url, token: 'not-the-token', connectTimeoutMs: 3000 }));

  const ctx = await TeecContext.initialize({ url, token, client: 'chromium' });
  steps.welcome = { maxFrameBytes: ctx.connection.limits.maxFrameBytes };

  const hello = await ctx.openSession(HELLO_WORLD);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 7 } }]);
  steps.helloWorld = { ...(await hello.invokeCommand(0, op)), value: op.params[0].value };

  const random = await ctx.openSession(RANDOM);
  const shm = await ctx.allocateSharedMemory(32, TEEC_MEM_OUTPUT);
  const whole = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE), [{ memref: { parent: shm, size: 32, offset: 0 } }]);
  steps.sharedMemory = { ...(await random.invokeCommand(0, whole)), size: whole.params[0].memref.size, hex: hex(shm.buffer) };

  const buffer = new Uint8Array(16);
  const temp = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT), [{ tmpref: { buffer, size: buffer.length } }]);
  steps.tempMemref = { ...(await random.invokeCommand(0, temp)), size: temp.params[0].tmpref.size, hex: hex(buffer) };

  // The TA refuses a value where it wants a memref: an answer from the TA, not a rejection.
  steps.taRefuses = await random.invokeCommand(0, new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 2 } }]));
  steps.unknownUuid = await failure(ctx.openSession(NO_SUCH_TA));
  steps.unknownSession = await failure(ctx.connection.request('closeSession', { session: 0x7fff_ffff }));

  await shm.release();
  await random.close();
  await hello.close();
  await ctx.finalize();
  ctx.connection.close();
  steps.closed = { connectionClosed: ctx.connection.closed, afterClose: await failure(ctx.connection.info()) };
  return steps;
}
