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
    expect(diagrams[1]).toMatch(/Client->>NW: invoke session \d+ command 0/);
  } finally {
    boot.kill('SIGTERM');
    await new Promise((r) => boot.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
