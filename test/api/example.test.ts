/**
 * 4xxx the example edge module and the connected CLI, run as separate processes against a
 * served device, as a user would.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEEC_PARAM_TYPES, TEEC_VALUE_INOUT, TeecOperation } from '../../emulator/client/index.js';
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

it('4003 invoke --trace on a running device prints its console and trace in order; beside --json, on standard error', async () => {
  const cli = join(ROOT, 'bin/trustbox.js');
  const hello = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
  const human = await run('node', [cli, 'invoke', '--state', server.stateDir, '--uuid', hello, '--cmd', '0', '--param', 'value-inout:6,0', '--trace']);
  const lines = human.stdout.split('\n');
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  // The TA's log lines sit between the world switch that entered the call and the invoke's summary.
  const enter = at(/^trace {2}\| smc -> OPTEE_SMC_CALL_WITH_ARG/);
  const got = at(/^secure \| I\/TA: Got value: 6 from NW$/);
  const done = at(/^trace {2}\| invoke: 8aaaf200-2450-11e4-abe2-0002a5d5c51b #\d+ cmd 0 -> TEE_SUCCESS/);
  expect(enter).toBeGreaterThanOrEqual(0);
  expect(got).toBeGreaterThan(enter);
  expect(done).toBeGreaterThan(got);
  expect(human.stdout).toMatch(/^trace {2}\| syscall LOG\(/m);
  expect(human.stdout).toMatch(/^result: 0x00000000 \(TEE_SUCCESS\)/m);

  const json = await run('node', [cli, 'invoke', '--state', server.stateDir, '--uuid', hello, '--cmd', '0', '--param', 'value-inout:6,0', '--trace', '--json']);
  expect(JSON.parse(json.stdout)).toEqual({ result: '0x00000000', origin: 4, params: [{ type: 'value', a: 7, b: 0 }] });
  expect(json.stderr).toMatch(/^secure \| I\/TA: Got value: 6 from NW$/m);
});

it('4004 options that shape a throwaway device are refused on a running device, not ignored', async () => {
  const cli = join(ROOT, 'bin/trustbox.js');
  const args = ['invoke', '--state', server.stateDir, '--uuid', '8aaaf200-2450-11e4-abe2-0002a5d5c51b', '--cmd', '0'];
  for (const extra of [['--seed', 'x'], ['--watchdog-ms', '5'], ['--board', 'trustbox-edge'], ['--ta-path', '/tmp'], ['--exact-faults']]) {
    await expect(run('node', [cli, ...args, ...extra])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`${extra[0]} shapes the throwaway device`) });
  }
  const ok = await run('node', [cli, ...args, '--param', 'value-inout:1,0', '--json']);
  expect(JSON.parse(ok.stdout).result).toBe('0x00000000');
});

it('4005 trustbox watch follows a running device\'s console and trace as other clients call it; Ctrl-C ends it with 0', async () => {
  const cli = join(ROOT, 'bin/trustbox.js');
  const child = spawn('node', [cli, 'watch', '--state', server.stateDir, '--trace', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // Calls until the watcher, once subscribed, has seen one of them.
    const ctx = await server.context('watched');
    const s = await ctx.openSession('8aaaf200-2450-11e4-abe2-0002a5d5c51b');
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 77, b: 0 } }]);
    const deadline = Date.now() + 10_000;
    while (!out.includes('Got value: 77 from NW') && Date.now() < deadline) {
      op.params[0].value = { a: 77, b: 0 };
      await s.invokeCommand(0, op);
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.close();
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; line?: string; name?: string });
    expect(lines.some((l) => l.event === 'console' && l.line === 'I/TA: Got value: 77 from NW')).toBe(true);
    expect(lines.some((l) => l.event === 'syscall' && l.name === 'LOG')).toBe(true);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  await expect(run('node', [cli, 'watch'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('needs a running device') });
});
