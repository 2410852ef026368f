/**
 * A call as a tree and as a picture (issue 16, items 1 and 2): the tree of a hello_world invoke
 * and of a secure_storage write (with its FS RPCs) checked for structure; the Mermaid diagram
 * names every lane; `invoke --trace=tree` prints it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../emulator/trace/events.js';
import { callTrees, renderMermaid, renderTree, type TraceNode } from '../../emulator/trace/tree.js';
import { renderSvg } from '../../emulator/trace/svg.js';
import { SecureStorage } from '../conformance/6xxx-storage-client.js';
import { HELLO_WORLD, bootDevice, type TestDevice } from '../helpers/device.js';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');

/** Every node below `n`, depth first. */
const all = (n: TraceNode): TraceNode[] => [n, ...n.children.flatMap(all)];

describe('a call as a tree', () => {
  let dev: TestDevice;
  let events: DeviceEvent[];
  beforeAll(() => {
    dev = bootDevice({ trace: true });
    events = [];
    dev.device.events.on((e) => events.push(e));
  });
  afterAll(() => dev?.close());

  it('a hello_world invoke: request, one SMC into the TEE, the TA\'s syscalls inside it, and the answer', () => {
    const s = dev.client.openSession(HELLO_WORLD).session!;
    events.length = 0;
    dev.client.invoke(s, 0, [{ type: 'value-inout', a: 41, b: 0 }]);
    const trees = callTrees(events);
    expect(trees).toHaveLength(1);
    const t = trees[0]!;
    expect(t.label).toMatch(/^invoke session \d+ command 0, 1 params -> TEE_SUCCESS, origin TRUSTED_APP; 1 SMC$/);
    expect(t.ms).toBeGreaterThan(0);
    expect(t.children).toHaveLength(1);
    const smc = t.children[0]!;
    expect(smc.kind).toBe('smc');
    expect(smc.label).toBe('normal world: smc OPTEE_SMC_CALL_WITH_ARG (yielding) -> monitor; back to the normal world: OK');
    const kinds = smc.children.map((c) => c.kind);
    expect(kinds[0]).toBe('switch');
    expect(kinds.at(-1)).toBe('switch');
    const syscalls = smc.children.filter((c) => c.kind === 'syscall').map((c) => c.label.replace(/\(.*\)/, '()'));
    expect(syscalls).toEqual([
      'TA 8aaaf200: syscall LOG() -> TEE_SUCCESS', 'TA 8aaaf200: syscall LOG() -> TEE_SUCCESS', 'TA 8aaaf200: syscall RETURN() -> TEE_SUCCESS',
    ]);
    expect(smc.children.some((c) => c.kind === 'ta' && c.label.includes('invoke cmd 0 -> TEE_SUCCESS'))).toBe(true);
    // Times only grow along the tree.
    const times = all(t).map((n) => n.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const text = renderTree(t);
    expect(text[0]).toMatch(/^invoke session \d+ command 0.*\[\d+\.\d{3} ms\]$/);
    expect(text.at(-1)).toMatch(/^   └─ monitor: world switch secure -> normal/);
    dev.client.closeSession(s);
  });

  it('a secure_storage write: the TA\'s storage syscalls and each FS RPC to the normal world with what the supplicant did', () => {
    events.length = 0;
    expect(new SecureStorage(dev).write('tree-object', Buffer.from('hello tree'))).toBe(0);
    const write = callTrees(events).find((t) => t.label.startsWith('invoke'))!;
    expect(write.label).toMatch(/command 1, 2 params -> TEE_SUCCESS/);
    const nodes = all(write);
    expect(nodes.some((n) => n.kind === 'syscall' && n.label.includes('STORAGE_OBJ_CREATE'))).toBe(true);
    const rpcs = nodes.filter((n) => n.kind === 'rpc').map((n) => n.label);
    expect(rpcs).toContain('TEE core: RPC FS to the normal world');
    expect(nodes.filter((n) => n.kind === 'supplicant' && n.label.startsWith('normal world: supplicant FS')).length).toBeGreaterThan(0);
    // Every RPC is answered by a RETURN_FROM_RPC SMC.
    const smcs = write.children.filter((n) => n.kind === 'smc');
    expect(smcs.length).toBeGreaterThan(rpcs.length);
    expect(smcs.slice(1).every((n) => n.label.includes('OPTEE_SMC_CALL_RETURN_FROM_RPC'))).toBe(true);
  });

  it('the Mermaid picture names every lane and starts and ends with the client', () => {
    const s = dev.client.openSession(HELLO_WORLD).session!;
    events.length = 0;
    dev.client.invoke(s, 0, [{ type: 'value-inout', a: 1, b: 0 }]);
    const m = renderMermaid(callTrees(events)[0]!);
    expect(m[0]).toBe('sequenceDiagram');
    for (const lane of ['Client', 'Normal world', 'Monitor (EL3)', 'TEE core', 'TA']) expect(m.join('\n')).toContain(` as ${lane}`);
    expect(m[6]).toMatch(/^  Client->>NW: invoke session/);
    expect(m.at(-1)).toMatch(/^  NW-->>Client: TEE_SUCCESS, origin TRUSTED_APP/);
    expect(m.some((l) => l.startsWith('  TA->>TEE: syscall LOG'))).toBe(true);
    // The same call as SVG: well-formed XML (xmllint), every lane named, one arrow per message.
    const svg = renderSvg(callTrees(events)[0]!);
    const lint = spawnSync('xmllint', ['--noout', '-'], { input: svg, encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    for (const lane of ['Client', 'Normal world', 'Monitor (EL3)', 'TEE core', 'TA']) expect(svg).toContain(`>${lane}</text>`);
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(m.length - 6);
    dev.client.closeSession(s);
  });
});

it('invoke --trace=tree prints each call\'s path as a tree after the result', () => {
  const r = spawnSync(process.execPath, [BIN, 'invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,0', '--trace=tree'],
    { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^result: 0x00000000/m);
  expect(r.stdout).toMatch(/^open session to TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b -> TEE_SUCCESS/m);
  expect(r.stdout).toMatch(/^invoke session 1 command 0, 1 params -> TEE_SUCCESS, origin TRUSTED_APP; 1 SMC \[/m);
  expect(r.stdout).toMatch(/^   ├─ TA 8aaaf200: syscall LOG\(buf=0x[0-9a-f]+, len=0x1c\) -> TEE_SUCCESS  \+\d+\.\d{3} ms$/m);
  const bad = spawnSync(process.execPath, [BIN, 'invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--trace=pie'], { encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr.trim()).toBe('trustbox: --trace=pie: the formats are lines (the default) and tree');
});

it('trustbox trace --state prints the next call of a running device as a JSON tree, and --format mermaid as a diagram', async () => {
  const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-trace-'));
  const state = join(dir, 'dev');
  const boot = spawn(process.execPath, [BIN, 'boot', '--state', state], { stdio: 'ignore' });
  try {
    while (!existsSync(join(state, 'endpoint.json'))) await new Promise((r) => setTimeout(r, 50));
    const follow = (args: string[]) => {
      const p = spawn(process.execPath, [BIN, 'trace', '--state', state, ...args]);
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      return { done: new Promise<string>((r) => p.on('exit', () => r(out))) };
    };
    const json = follow(['--json']);
    const mermaid = follow(['--format', 'mermaid', '--count', '3']);
    await new Promise((r) => setTimeout(r, 1500)); // both subscribed
    const r = spawnSync(process.execPath, [BIN, 'invoke', '--state', state, '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:1,0'],
      { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const tree = JSON.parse((await json.done).trim()) as TraceNode;
    expect(tree.kind).toBe('call');
    expect(tree.label).toMatch(/^open session to TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b -> TEE_SUCCESS/);
    expect(all(tree).some((n) => n.kind === 'supplicant' && n.label.includes('LOAD_TA'))).toBe(true);
    const diagrams = (await mermaid.done).split('sequenceDiagram').filter((d) => d.trim());
    expect(diagrams).toHaveLength(3); // open, invoke, close
    // Through the API server: its lane between the client and the normal world.
    expect(diagrams[1]).toMatch(/Client->>API: invokeCommand\n  API->>NW: invoke session \d+ command 0/);
  } finally {
    boot.kill('SIGTERM');
    await new Promise((r) => boot.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

it('trustbox trace prints the latest call from the device\'s history at once, --call N picks one, and a call it no longer holds exits 1', async () => {
  const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const run = (args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let [stdout, stderr] = ['', ''];
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-trace-'));
  const state = join(dir, 'dev');
  const boot = spawn(process.execPath, [BIN, 'boot', '--state', state, '--trace-history', '2'], { stdio: 'ignore' });
  try {
    while (!existsSync(join(state, 'endpoint.json'))) await new Promise((r) => setTimeout(r, 50));
    // Three calls (open 1, invoke 2, close 3) before any trace reader connects; the history keeps 2 and 3.
    expect((await run(['invoke', '--state', state, '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:1,0'])).status).toBe(0);
    const latest = await run(['trace', '--state', state]);
    expect(latest.status).toBe(0);
    expect(latest.stdout).toMatch(/^call 3: close session \d+ -> TEE_SUCCESS/);
    expect(latest.stdout.split('\n')[1]).toMatch(/^├─ API server: closeSession from trustbox-cli \(127\.0\.0\.1:\d+\), answered after \d+\.\d{3} ms; /);
    const second = await run(['trace', '--state', state, '--call', '2', '--json']);
    const tree = JSON.parse(second.stdout) as TraceNode;
    expect(tree).toMatchObject({ call: 2, kind: 'call' });
    expect(tree.label).toMatch(/^invoke session \d+ command 0, 1 params -> TEE_SUCCESS/);
    expect(tree.children[0]!.kind).toBe('api');
    expect(JSON.parse((await run(['trace', '--state', state, '--call', '-2', '--json'])).stdout)).toMatchObject({ call: 2 });
    const svg = await run(['trace', '--state', state, '--call', '-1', '--format', 'svg']);
    expect(svg.stdout).toMatch(/^<svg /);
    expect(svg.stdout).toContain('>API server</text>');
    for (const n of ['1', '-3', '99']) {
      const gone = await run(['trace', '--state', state, '--call', n]);
      expect(gone.status, n).toBe(1);
      expect(gone.stdout).toBe('');
      expect(gone.stderr.trim().split('\n')).toEqual([
        `trustbox: call ${n} is not in the device's trace history (3 calls since it started; it keeps the latest ones, \`trustbox boot --trace-history N\`)`,
      ]);
    }
    for (const [args, why] of [
      [['--call', '0'], '--call N: N is a call number from 1, or -1 for the latest, -2 for the one before, ...'],
      [['--call', '2', '--follow'], '--call picks one call of the history: it does not go with --follow or --count'],
    ] as const) {
      const bad = await run(['trace', '--state', state, ...args]);
      expect(bad.status).toBe(1);
      expect(bad.stderr.trim()).toBe(`trustbox: ${why}`);
    }
    const badBoot = await run(['boot', '--state', join(dir, 'other'), '--trace-history', '-1']);
    expect(badBoot.status).toBe(1);
    expect(badBoot.stderr.trim()).toBe('trustbox: --trace-history -1: a whole number of calls from 0 (no history) to 4096');
  } finally {
    boot.kill('SIGTERM');
    await new Promise((r) => boot.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
