/**
 * 4xxx the example edge module and the connected CLI, run as separate processes against a
 * served device, as a user would.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ECHO_TA, echoTaBytes, startServer, type TestServer } from './helpers.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SIGNER = join(ROOT, 'firmware/ta/signer/out/3d0c52a4-5a0e-4a8e-b1f2-7c1d9e6b4f21.ta');
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  echoTaBytes();
  if (!existsSync(SIGNER)) await run('make', ['-s', '-C', join(ROOT, 'firmware/ta/signer'), `TRUSTBOX=node ${join(ROOT, 'bin/trustbox.js')}`]);
});

afterAll(async () => {
  await server?.stop();
});

it('4001 the edge module signs readings in the TEE and the TEE verifies them', async () => {
  const { stdout } = await run('node', [join(ROOT, 'examples/edge-module/index.mjs'), '--state', server.stateDir, '--count', '2', '--interval-ms', '10', '--ta', SIGNER]);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(2);
  for (const l of lines) {
    expect(l.verifiedByTee).toBe(true);
    expect(l.signature.tag).toMatch(/^[0-9a-f]{64}$/);
  }
  expect(lines[0].signature.keyId).toBe(lines[1].signature.keyId);
});

it('4002 trustbox ta install and invoke --state / --connect reach the running device', async () => {
  const cli = join(ROOT, 'bin/trustbox.js');
  const ta = join(ROOT, 'firmware/ta/echo/out', `${ECHO_TA}.ta`);
  const installed = await run('node', [cli, 'ta', 'install', ta, '--state', server.stateDir, '--json']);
  expect(JSON.parse(installed.stdout).uuid).toBe(ECHO_TA);
  const inv = await run('node', [cli, 'invoke', '--state', server.stateDir, '--uuid', ECHO_TA, '--cmd', '1', '--param', 'memref-inout:0102030405', '--json']);
  expect(JSON.parse(inv.stdout).params[0].hex).toBe('0504030201');
  const hw = await run('node', [cli, 'invoke', '--connect', server.url, '--token', server.token, '--uuid', '8aaaf200-2450-11e4-abe2-0002a5d5c51b', '--cmd', '0', '--param', 'value-inout:41,0', '--json']);
  expect(JSON.parse(hw.stdout).params[0]).toEqual({ type: 'value', a: 42, b: 0 });
  await expect(run('node', [cli, 'invoke', '--connect', server.url, '--token', 'wrong-token', '--uuid', ECHO_TA, '--cmd', '0'])).rejects.toMatchObject({ stderr: expect.stringContaining('token') });
});
