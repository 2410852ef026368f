#!/usr/bin/env node
/**
 * The verifier of the example: a relying party that hands out single-use nonces and judges the
 * module's attestation evidence with `trustbox attest verify` (signature by the device identity
 * key, fresh nonce, the expected TA measured). Listens on 127.0.0.1 only.
 *
 *   node verifier.mjs --device DEVICE.pem --uuid UUID --ta-file ENCRYPTED.ta [--port-file FILE]
 *
 *   GET  /nonce                  -> 32 random bytes, hex (each nonce is accepted once)
 *   POST /evidence?nonce=HEX     body: the raw PSA token -> {"verified": bool, "detail": "..."}
 *
 * Each verdict is also printed as one line: "verifier: verified ..." or "verifier: rejected ...".
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({ options: { device: { type: 'string' }, uuid: { type: 'string' }, 'ta-file': { type: 'string' }, 'port-file': { type: 'string' } } });
if (!opts.device || !opts.uuid || !opts['ta-file']) {
  console.error('verifier: give --device DEVICE.pem --uuid UUID --ta-file TA');
  process.exit(2);
}
const TRUSTBOX = join(dirname(fileURLToPath(import.meta.url)), '../../bin/trustbox.js');
const issued = new Set();
const scratch = mkdtempSync(join(tmpdir(), 'verifier-'));

function verify(nonce, token) {
  if (!issued.delete(nonce)) return { verified: false, detail: 'unknown or already used nonce' };
  const file = join(scratch, `${nonce}.cbor`);
  writeFileSync(file, token);
  const r = spawnSync(process.execPath, [TRUSTBOX, 'attest', 'verify', file, '--device', opts.device, '--nonce', nonce,
    '--expect-ta', opts.uuid, '--ta-file', opts['ta-file']], { encoding: 'utf8' });
  rmSync(file, { force: true });
  return { verified: r.status === 0, detail: (r.stdout + r.stderr).trim().split('\n').pop() };
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (req.method === 'GET' && url.pathname === '/nonce') {
    const nonce = randomBytes(32).toString('hex');
    issued.add(nonce);
    res.end(nonce);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/evidence') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const verdict = verify(url.searchParams.get('nonce') ?? '', Buffer.concat(chunks));
      console.log(`verifier: ${verdict.verified ? 'verified' : 'rejected'}: ${verdict.detail}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(verdict));
    });
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (opts['port-file']) writeFileSync(opts['port-file'], `${port}\n`);
  console.log(`verifier: listening on http://127.0.0.1:${port}`);
});
const stop = () => server.close(() => { rmSync(scratch, { recursive: true, force: true }); process.exit(0); });
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
