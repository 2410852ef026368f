/**
 * A confidential IoT Edge module: proves to a remote verifier which TA it talks to (a PSA
 * attestation token signed in the device's secure world), and only then seals its sensor
 * readings in the TEE (secure storage of the secure_storage TA, which deploy.sh ships
 * encrypted for this one device).
 *
 * Environment (set by `trustbox edge deploy`): TRUSTBOX_ENDPOINT, TRUSTBOX_TOKEN, IOTEDGE_MODULEID;
 * from the deployment manifest: VERIFIER_URL (http://127.0.0.1:PORT), COUNT (readings, default 3).
 * Output: one JSON line per step; the last is {"attestation":"verified","sealed":N} on success.
 */
import {
  TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_PARAM_TYPES, TEEC_SUCCESS, TeecContext, TeecOperation,
} from 'trustbox-emulator/client';

const TA = 'f4e750bb-1437-4fbf-8785-8d3580c34994'; // secure_storage: 0 read raw, 1 write raw
const CMD_READ_RAW = 0;
const CMD_WRITE_RAW = 1;
const verifier = process.env.VERIFIER_URL;
const count = Number(process.env.COUNT ?? 3);
const say = (o) => console.log(JSON.stringify(o));

function fail(step, why) {
  say({ step, error: why });
  process.exit(1);
}

if (!verifier || !/^http:\/\/127\.\d+\.\d+\.\d+:\d+$/.test(verifier)) fail('config', 'VERIFIER_URL must be http://127.x.x.x:PORT (the verifier of deploy.sh)');
const ctx = await TeecContext.initialize({ url: process.env.TRUSTBOX_ENDPOINT, token: process.env.TRUSTBOX_TOKEN, name: process.env.IOTEDGE_MODULEID });
const session = await ctx.openSession(TA); // loads (and decrypts, in the TEE) the TA

// 1. Attest: a fresh nonce from the verifier, a token from the device, the verifier's verdict.
const nonce = (await (await fetch(`${verifier}/nonce`)).text()).trim();
const token = await ctx.connection.attest(TA, Buffer.from(nonce, 'hex'));
const verdict = await (await fetch(`${verifier}/evidence?nonce=${nonce}`, { method: 'POST', body: token })).json();
if (!verdict.verified) fail('attestation', verdict.detail);
say({ step: 'attestation', verified: true, detail: verdict.detail });

// 2. Seal readings: each one a persistent object of the TA, encrypted by the TEE at rest.
async function call(cmd, types, params) {
  const op = new TeecOperation(TEEC_PARAM_TYPES(...types, ...Array(4 - types.length).fill(TEEC_NONE)), params);
  const { result } = await session.invokeCommand(cmd, op);
  return result;
}
const mem = (buffer) => ({ tmpref: { buffer, size: buffer.length } });
for (let i = 0; i < count; i++) {
  const id = new TextEncoder().encode(`reading-${i}`);
  const reading = new TextEncoder().encode(JSON.stringify({ sensor: 'temperature', value: 21 + Math.round(Math.random() * 100) / 100, seq: i }));
  if ((await call(CMD_WRITE_RAW, [TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT], [mem(id), mem(reading)])) !== TEEC_SUCCESS) fail('seal', `writing reading-${i}`);
  const back = new Uint8Array(reading.length);
  if ((await call(CMD_READ_RAW, [TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT], [mem(id), mem(back)])) !== TEEC_SUCCESS) fail('seal', `reading back reading-${i}`);
  if (Buffer.compare(Buffer.from(back), Buffer.from(reading)) !== 0) fail('seal', `reading-${i} came back different`);
  say({ step: 'seal', object: `reading-${i}`, bytes: reading.length });
}
await session.close();
await ctx.finalize();
ctx.connection.close();
say({ attestation: 'verified', sealed: count });
