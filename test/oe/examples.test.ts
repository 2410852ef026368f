/**
 * The samples of examples/oe/ end to end (helloworld, file-encryptor, attestation; data-sealing
 * is in examples-sealing.test.ts): each built by its Makefile (`trustbox oe build`, and the
 * pkg-config way for helloworld), run against a served device from its C host and, where it has
 * one, its TypeScript host; the output they print is what their READMEs show.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../emulator/trace/events.js';
import { callTrees, renderTree } from '../../emulator/trace/tree.js';
import { startServer, type TestServer } from '../api/helpers.js';
import { EXAMPLES, lines, make, makeRuntimes, projectOut, rsaKey, runHost } from './examples-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'trustbox-oe-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => makeRuntimes(), 240_000);

describe('examples/oe/helloworld', () => {
  const out = projectOut(join(work, 'helloworld'));
  let server: TestServer;
  beforeAll(async () => {
    make('helloworld', 'build', { OUT: out });
    server = await startServer(undefined, { traceHistory: 8 });
  }, 240_000);
  afterAll(async () => server?.stop());

  const expected = [
    'host: enclave created',
    'enclave: hello world, this is the enclave speaking',
    'host: the enclave called back: "the enclave says thank you"',
    'enclave: the host answered 26',
    'host: enclave_greet returned 26',
    'host: done',
  ];

  it('the C host: the enclave prints through the host, calls back, gets the answer', async () => {
    const r = await runHost(join(out, 'host'), [join(out, 'enclave.ta')], server.stateDir);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(expected);
    expect(r.status).toBe(0);
  });

  it('the trace shows each ocall leave the TA as an RPC GENERIC and the host answer it', async () => {
    const r = await runHost(join(out, 'host'), [join(out, 'enclave.ta')], server.stateDir);
    expect(r.status).toBe(0);
    const admin = await server.context('trace-reader', { admin: true });
    const { calls } = await admin.connection.request('traceHistory', {});
    const trees = calls.map((c) => callTrees(c.events as unknown as DeviceEvent[])[0]!);
    const ecall = trees.find((t) => /^invoke session \d+ command 2\b/.test(t.label))!; // OE_ECALL_CALL_ENCLAVE_FUNCTION
    expect(ecall).toBeDefined();
    const text = renderTree(ecall).join('\n');
    // printf, host_answer, printf: three OCALLs (OE_OCALL_CALL_HOST_FUNCTION 0x8000), each a round trip
    expect(text.match(/TEE core: RPC GENERIC to the normal world/g)).toHaveLength(3);
    expect(text.match(/normal world: supplicant GENERIC: function 0x8000 .* to the client/g)).toHaveLength(3);
    expect(text.match(/normal world: supplicant GENERIC: answered 0x0/g)).toHaveLength(3);
  });

  it('the TypeScript host prints the same through helloworld_u.ts', async () => {
    make('helloworld', 'host-ts', { OUT: out });
    const r = await runHost('node', [join(out, 'host-ts/main.js'), join(out, 'enclave.ta'), 'Ada'], server.stateDir);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(expected.map((l) => l.replace('hello world', 'hello Ada')));
    expect(r.status).toBe(0);
  }, 120_000);

  it('builds the pkg-config way too (sdk-build) and that build runs the same', async () => {
    make('helloworld', 'sdk-build', { OUT: out });
    expect(existsSync(join(out, 'sdk-build/enclave.signed'))).toBe(true);
    const r = await runHost(join(out, 'sdk-build/host'), [join(out, 'sdk-build/enclave.signed')], server.stateDir);
    expect(lines(r.stdout)).toEqual(expected);
  }, 240_000);
});

describe('examples/oe/file-encryptor', () => {
  const out = join(work, 'file-encryptor');
  let server: TestServer;
  beforeAll(async () => {
    make('file-encryptor', 'build', { OUT: out });
    server = await startServer();
  }, 240_000);
  afterAll(async () => server?.stop());

  it('encrypts testfile in blocks, decrypts it back identical; a wrong password and a flipped bit are refused', async () => {
    const testfile = join(EXAMPLES, 'file-encryptor/testfile');
    const r = await runHost(join(out, 'host'), [join(out, 'enclave.ta'), 'demo', testfile, out], server.stateDir);
    const enc = join(out, 'testfile.encrypted');
    expect(lines(r.stdout)).toEqual([
      'enclave: key derived (PBKDF2-HMAC-SHA256, 1000 iterations), encrypting',
      'enclave: encrypted 7160 bytes',
      `host: encrypted ${testfile} to ${enc} in 2 block(s)`,
      'enclave: key derived (PBKDF2-HMAC-SHA256, 1000 iterations), decrypting',
      'enclave: decrypted 7160 bytes, tag verified',
      `host: decrypted ${enc} to ${join(out, 'testfile.decrypted')}`,
      `host: ${testfile} and ${join(out, 'testfile.decrypted')} are identical; ${enc} is not`,
      'enclave: wrong password',
      'host: decrypting with a wrong password: OE_VERIFY_FAILED',
      'enclave: key derived (PBKDF2-HMAC-SHA256, 1000 iterations), decrypting',
      'enclave: the file was altered: its tag does not match',
      `host: decrypting after one bit of ${enc} flipped: OE_VERIFY_FAILED`,
      'host: file-encryptor sample succeeded',
    ]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'testfile.decrypted'))).toEqual(readFileSync(testfile));
    expect(readFileSync(enc).length).toBe(64 + 7160 + 16); // header, ciphertext, tag
    expect(existsSync(join(out, 'testfile.refused'))).toBe(false); // no unverified plaintext left behind
  }, 120_000);

  it('encrypt and decrypt one step at a time with a password of the caller', async () => {
    const plain = join(EXAMPLES, 'file-encryptor/testfile');
    const a = await runHost(join(out, 'host'), [join(out, 'enclave.ta'), 'encrypt', plain, join(out, 'one.enc'), 'pw1'], server.stateDir);
    expect(a.status).toBe(0);
    const b = await runHost(join(out, 'host'), [join(out, 'enclave.ta'), 'decrypt', join(out, 'one.enc'), join(out, 'one.dec'), 'pw1'], server.stateDir);
    expect(b.status).toBe(0);
    expect(readFileSync(join(out, 'one.dec'))).toEqual(readFileSync(plain));
  }, 120_000);
});

describe('examples/oe/attestation', () => {
  const out = projectOut(join(work, 'attestation'));
  const key = rsaKey(join(work, 'attestation-sample.pem'));
  let server: TestServer;
  beforeAll(async () => {
    make('attestation', 'build', { OUT: out, KEY_enclave_a: key, KEY_enclave_b: key });
    server = await startServer(undefined, { device: { trust: [key] } });
  }, 240_000);
  afterAll(async () => server?.stop());

  it('the enclaves verify each other, exchange messages, and refuse forged evidence and altered messages', async () => {
    const r = await runHost(join(out, 'host'), [join(out, 'enclave_a.ta'), join(out, 'enclave_b.ta')], server.stateDir);
    const host = lines(r.stdout).filter((l) => l.startsWith('host: '));
    expect(host).toEqual([
      "host: enclave_a's evidence: OE_OK",
      'host: enclave_b verifies enclave_a: OE_OK',
      "host: enclave_b's evidence: OE_OK",
      'host: enclave_a verifies enclave_b: OE_OK',
      'host: enclave_a encrypts for enclave_b: OE_OK',
      'host: enclave_b decrypts: OE_OK',
      'host: enclave_b decrypts an altered message: OE_VERIFY_FAILED',
      'host: enclave_b encrypts for enclave_a: OE_OK',
      'host: enclave_a decrypts: OE_OK',
      'host: enclave_a decrypts an altered message: OE_VERIFY_FAILED',
      "host: enclave_b verifies enclave_a's evidence with its signature altered: OE_VERIFY_FAILED",
      "host: enclave_b verifies enclave_a's evidence with its custom claims altered: OE_VERIFY_FAILED",
      'host: enclave_b verifies its own evidence as if it came from enclave_a: OE_VERIFY_FAILED',
      'host: enclave_b verifies 256 bytes of junk: OE_INVALID_PARAMETER',
      'host: attestation sample succeeded',
    ]);
    expect(r.stdout).toMatch(/enclave_b: verified enclave_a: same signer, product 1, its public key [0-9a-f]{8}\.\.\./);
    expect(r.stdout).toContain('enclave_b: decrypted a message from its peer: "hello enclave_b, this is enclave_a"');
    expect(r.stdout).toContain('enclave_b: the peer is not product 1');
    expect(r.status).toBe(0);
  }, 120_000);

  it('enclaves signed by another key are not accepted as peers (another signer id)', async () => {
    const other = projectOut(join(work, 'attestation-other'));
    const otherKey = rsaKey(join(work, 'attestation-other.pem'));
    make('attestation', 'build', { OUT: other, KEY_enclave_a: otherKey, KEY_enclave_b: key });
    const device = await startServer(undefined, { device: { trust: [key, otherKey] } });
    try {
      const r = await runHost(join(other, 'host'), [join(other, 'enclave_a.ta'), join(other, 'enclave_b.ta')], device.stateDir);
      expect(r.stdout).toContain('enclave_b: the peer has another signer');
      expect(r.stdout).toContain('host: enclave_b verifies enclave_a: OE_VERIFY_FAILED');
      expect(r.status).toBe(1);
    } finally {
      await device.stop();
    }
  }, 240_000);

  it('the TypeScript host verifies the evidence itself with the device key and refuses altered tokens', async () => {
    make('attestation', 'host-ts', { OUT: out, KEY_enclave_a: key, KEY_enclave_b: key });
    const r = await runHost('node', [join(out, 'host-ts/main.js'), join(out, 'enclave_a.ta')], server.stateDir);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'enclave_a: made 768 bytes of evidence with its public key in the custom claims',
      'host: evidence verified with the device key: 768 bytes, nonce = SHA-256 of the custom claims',
      expect.stringMatching(/^host: enclave oe:product_id=1;security_version=1;debug=1 signer [0-9a-f]{16}\.\.\.$/),
      expect.stringMatching(/^host: custom claims: peer_name=enclave_a public_key=04[0-9a-f]{14}\.\.\.$/),
      'host: the token with one bit of its signature changed: refused (signature)',
      'host: the token with other custom claims: refused (nonce)',
    ]);
    expect(r.status).toBe(0);
  }, 120_000);
});
