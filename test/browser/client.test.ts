/**
 * 5xxx the client library in a real browser: the compiled `trustbox-emulator/client`
 * (dist/emulator/client, built by `npm test`'s set-up) runs in Debian's headless Chromium and
 * talks over the browser's own WebSocket to a device served on 127.0.0.1. The page imports it by
 * its package name through an import map, as a bundler-free application would; scenario.js is
 * what it runs, once, and each test checks one part of what it reported.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS, TEEC_ERROR_ACCESS_DENIED, TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_COMMUNICATION, TEEC_ERROR_ITEM_NOT_FOUND,
  TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS, TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP, TEEC_SUCCESS,
} from '../../emulator/abi/protocol.js';
import { startServer, type TestServer } from '../api/helpers.js';
import { requireChromium, runInChromium } from './chromium.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** What the page loads: the compiled library, the protocol module, msgpackr's and cbor-x's ESM builds, the scenario. */
const BUILT = ['dist/emulator/client/index.js', 'dist/emulator/client/connection.js', 'dist/emulator/client/teec.js', 'dist/emulator/abi/protocol.js'];

let server: TestServer;
let report: Promise<any>;

async function scenario(): Promise<unknown> {
  requireChromium();
  for (const f of BUILT) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`bash scripts/setup.sh\` (npm test runs it first) to build dist/`);
  }
  return runInChromium({
    root: ROOT,
    serve: ['dist/emulator/client', 'dist/emulator/abi', 'node_modules/msgpackr', 'node_modules/cbor-x', 'test/browser'],
    imports: {
      'trustbox-emulator/client': '/dist/emulator/client/index.js', msgpackr: '/node_modules/msgpackr/index.js', 'cbor-x': '/node_modules/cbor-x/index.js',
    },
    module: '/test/browser/scenario.js',
    // The page's origin is listed in allowedOrigins, as a real page's would be: without it the
    // server refuses any upgrade that carries an Origin header (test/api/hardening.test.ts 2701).
    config: async (origin: string) => {
      server = await startServer(undefined, { allowedOrigins: [origin] });
      return { url: server.url, token: server.token };
    },
    timeoutMs: 20_000,
  });
}

beforeAll(() => {
  report = scenario();
  report.catch(() => {}); // each test awaits it and fails with its message
});

afterAll(async () => {
  await server?.stop();
});

it('5001 the library runs in Chromium, not Node, and a wrong token is refused with result and origin', async () => {
  const r = await report;
  expect(r.environment).toMatchObject({ process: 'undefined', WebSocket: 'function' });
  expect(r.environment.userAgent).toMatch(/HeadlessChrome\//);
  expect(r.badToken).toMatchObject({ rejected: true, isTeecError: true, name: 'TeecError', code: 'bad-token', result: TEEC_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_COMMS });
  expect(r.welcome.maxFrameBytes).toBe(DEFAULT_LIMITS.maxFrameBytes);
});

it('5002 hello_world: VALUE_INOUT 41 comes back as 42', async () => {
  const r = await report;
  expect(r.helloWorld).toEqual({ result: TEEC_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP, value: { a: 42, b: 7 } });
});

it('5003 random: MEMREF_WHOLE on allocated shared memory and a MEMREF_TEMP_OUTPUT are filled', async () => {
  const r = await report;
  expect(r.sharedMemory).toMatchObject({ result: TEEC_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP, size: 32 });
  expect(r.sharedMemory.hex).toMatch(/^[0-9a-f]{64}$/);
  expect(r.sharedMemory.hex).not.toBe('00'.repeat(32));
  expect(r.tempMemref).toMatchObject({ result: TEEC_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP, size: 16 });
  expect(r.tempMemref.hex).toMatch(/^[0-9a-f]{32}$/);
  expect(r.tempMemref.hex).not.toBe(r.sharedMemory.hex.slice(0, 32));
});

it('5004 errors carry result and origin: the TA, the TEE (unknown UUID) and the API server', async () => {
  const r = await report;
  expect(r.taRefuses).toEqual({ result: TEEC_ERROR_BAD_PARAMETERS, origin: TEEC_ORIGIN_TRUSTED_APP });
  expect(r.unknownUuid).toMatchObject({ rejected: true, isTeecError: true, code: 'tee', result: TEEC_ERROR_ITEM_NOT_FOUND, origin: TEEC_ORIGIN_TEE });
  expect(r.unknownSession).toMatchObject({ rejected: true, isTeecError: true, code: 'not-found', result: TEEC_ERROR_ITEM_NOT_FOUND, origin: TEEC_ORIGIN_API });
});

it('5005 close and finalize: the connection is closed on both ends', async () => {
  const r = await report;
  expect(r.closed).toMatchObject({ connectionClosed: true, afterClose: { rejected: true, code: 'connection-closed', result: TEEC_ERROR_COMMUNICATION, origin: TEEC_ORIGIN_COMMS } });
  const end = Date.now() + 2000;
  while (server.server.connectionCount > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
  expect(server.server.connectionCount).toBe(0);
});
