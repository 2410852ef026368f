#!/usr/bin/env node
/**
 * An edge module that signs its sensor readings in the TEE of a (virtual) TrustBox.
 *
 *   node examples/edge-module/index.mjs --state DIR            # device booted with `trustbox boot --state DIR`
 *   node examples/edge-module/index.mjs --connect URL --token T # or name the endpoint directly
 *   options: --count N (default 3), --interval-ms MS (default 1000), --ta FILE (signer .ta to install)
 *
 * Each reading: a simulated temperature, serialised as JSON, signed by the signer TA
 * (HMAC-SHA256 with a key that never leaves the TA), verified by the TA, printed as one JSON line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  TEEC_ERROR_ITEM_NOT_FOUND, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_PARAM_TYPES, TEEC_SUCCESS,
  TeecContext, TeecError, TeecOperation,
} from 'trustbox-emulator/client';

const SIGNER_TA = '3d0c52a4-5a0e-4a8e-b1f2-7c1d9e6b4f21';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_TA = join(ROOT, 'firmware/ta/signer/out', `${SIGNER_TA}.ta`);

/** A mistake of the user's: one line on standard error and exit code 2, never a stack trace. */
function usage(message) {
  console.error(`edge-module: ${message}`);
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      state: { type: 'string' }, connect: { type: 'string' }, token: { type: 'string' },
      count: { type: 'string', default: '3' }, 'interval-ms': { type: 'string', default: '1000' }, ta: { type: 'string' },
    },
  }));
} catch (error) {
  usage(error.message);
}
const count = Number(opts.count);
const intervalMs = Number(opts['interval-ms']);
if (!/^\d+$/.test(opts.count)) usage(`--count must be a whole number, not "${opts.count}"`);
if (!/^\d+$/.test(opts['interval-ms'])) usage(`--interval-ms must be a whole number of milliseconds, not "${opts['interval-ms']}"`);

/** Where the device listens: <state>/endpoint.json, like a module reading its device's connection string. */
function endpoint() {
  if (opts.connect && opts.token) return { url: opts.connect, token: opts.token };
  const state = opts.state ?? process.env.TRUSTBOX_STATE;
  if (!state) usage('give --state DIR (of a running `trustbox boot --state DIR`) or --connect URL --token TOKEN');
  let endpointFile;
  try {
    endpointFile = JSON.parse(readFileSync(join(state, 'endpoint.json'), 'utf8'));
  } catch {
    usage(`${state} has no readable endpoint.json: is a device running there (\`trustbox boot --state ${state}\`)?`);
  }
  const { url, token } = endpointFile;
  if (typeof url !== 'string' || typeof token !== 'string') usage(`${join(state, 'endpoint.json')} does not name a device (url, token)`);
  // Installing a TA (--ta) is an admin right: the credential is in <state>/admin.json (mode 0600).
  const adminFile = join(state, 'admin.json');
  const admin = existsSync(adminFile) ? JSON.parse(readFileSync(adminFile, 'utf8')).admin : undefined;
  return admin ? { url, token, admin } : { url, token };
}

/** A simulated temperature sensor: a slow random walk around 21.5 °C. */
function* sensor() {
  let t = 21.5;
  for (;;) {
    t += (Math.random() - 0.5) * 0.4;
    yield Math.round(t * 100) / 100;
  }
}

async function openSigner(ctx) {
  try {
    return await ctx.openSession(SIGNER_TA);
  } catch (error) {
    if (!(error instanceof TeecError) || error.result !== TEEC_ERROR_ITEM_NOT_FOUND) throw error;
  }
  // Not in the device's TA store yet: install it, as a deployment would push a TA with the module.
  const file = opts.ta ?? DEFAULT_TA;
  if (!existsSync(file)) throw new Error(`the signer TA is not installed and ${file} does not exist: run \`make -C firmware/ta/signer\``);
  const { uuid } = await ctx.connection.installTA(readFileSync(file));
  console.error(`edge-module: installed signer TA ${uuid}`);
  return ctx.openSession(SIGNER_TA);
}

async function call(session, cmd, types, params) {
  const op = new TeecOperation(TEEC_PARAM_TYPES(...types), params);
  const { result, origin } = await session.invokeCommand(cmd, op);
  return { result, origin, op };
}

const ep = endpoint();
let ctx;
try {
  ctx = await TeecContext.initialize({ ...ep, client: 'edge-module', name: 'edge-module' });
} catch (error) {
  console.error(`edge-module: cannot reach the device at ${ep.url}: ${error.message}`);
  process.exit(1);
}
try {
  const session = await openSigner(ctx);
  const keyId = new Uint8Array(8);
  await call(session, 2, [TEEC_MEMREF_TEMP_OUTPUT], [{ tmpref: { buffer: keyId, size: 8 } }]);
  const readings = sensor();
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
    const reading = { device: 'trustbox-edge', sensor: 'temperature', unit: 'C', value: readings.next().value, at: new Date().toISOString(), seq: i };
    const message = new TextEncoder().encode(JSON.stringify(reading));
    const tag = new Uint8Array(32);
    const signed = await call(session, 0, [TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT],
      [{ tmpref: { buffer: message, size: message.length } }, { tmpref: { buffer: tag, size: 32 } }]);
    if (signed.result !== TEEC_SUCCESS) throw new TeecError(signed.result, signed.origin, 'signing failed');
    const check = await call(session, 1, [TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT],
      [{ tmpref: { buffer: message, size: message.length } }, { tmpref: { buffer: tag, size: 32 } }]);
    console.log(JSON.stringify({
      reading, signature: { alg: 'HMAC-SHA256', keyId: Buffer.from(keyId).toString('hex'), tag: Buffer.from(tag).toString('hex') },
      verifiedByTee: check.result === TEEC_SUCCESS,
    }));
  }
  await session.close();
} finally {
  await ctx.finalize().catch(() => {});
  ctx.connection.close();
}
