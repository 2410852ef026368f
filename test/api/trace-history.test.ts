/**
 * The trace history (issue 16, items 1 and 2): the API server keeps the latest calls' trace for
 * the admin's traceHistory, numbered from 1, oldest first and bounded; each call's tree has the
 * API server's hop with plausible times; a connection without the admin credential gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEEC_PARAM_TYPES, TEEC_VALUE_INOUT, TeecOperation, type TeecContext } from '../../emulator/client/index.js';
import type { DeviceEvent } from '../../emulator/trace/events.js';
import { TraceHistory } from '../../emulator/trace/history.js';
import { callTrees, renderMermaid, renderTree } from '../../emulator/trace/tree.js';
import { renderSvg } from '../../emulator/trace/svg.js';
import { HELLO_WORLD } from '../helpers/device.js';
import { startServer, type TestServer } from './helpers.js';

/** A finished call of `slot` at time t, with one console line inside (synthetic events). */
function call(slot: number, t: number, op = 'invoke'): DeviceEvent[] {
  return [
    { type: 'request', slot, op, detail: `session 1 command ${t}`, t },
    { type: 'console', world: 'secure', line: `line ${t}`, t: t + 0.1 } as DeviceEvent,
    { type: 'request-done', slot, status: 0, ret: 0, origin: 4, smcCalls: 1, t: t + 1 },
  ];
}

describe('TraceHistory', () => {
  it('numbers calls from 1 in the order they began, lists them oldest first and keeps only the latest', () => {
    const h = new TraceHistory(3);
    for (let i = 1; i <= 5; i++) for (const e of call(i % 2, i * 10)) h.add(e);
    expect(h.total).toBe(5);
    expect(h.list().map((c) => c.call)).toEqual([3, 4, 5]);
    expect(h.list({ last: 2 }).map((c) => c.call)).toEqual([4, 5]);
    expect(h.list({ call: 4 })[0]!.events.map((e) => e.type)).toEqual(['request', 'console', 'request-done']);
    expect(h.list({ call: 2 })).toEqual([]);
    // Interleaved calls: each keeps its own request and request-done, and what happened meanwhile.
    h.add({ type: 'request', slot: 7, op: 'invoke', detail: 'a', t: 100 });
    h.add({ type: 'request', slot: 8, op: 'open session', detail: 'b', t: 101 });
    h.add({ type: 'request-done', slot: 8, status: 0, ret: 0, origin: 4, smcCalls: 1, t: 102 });
    h.add({ type: 'api', op: 'openSession', client: 'x', remote: 'r', ms: 3, t: 103 });
    h.add({ type: 'request-done', slot: 7, status: 0, ret: 0, origin: 4, smcCalls: 1, t: 104 });
    // Listed in the order they ended; the API server's answer joins the call of its operation.
    expect(h.list({ last: 2 }).map((c) => [c.call, c.events.map((e) => e.type)])).toEqual([
      [7, ['request', 'request-done', 'api']],
      [6, ['request', 'request-done']],
    ]);
  });

  it('the API server\'s answer joins the finished call of its operation, not one still running', () => {
    const h = new TraceHistory(4);
    h.add({ type: 'request', slot: 0, op: 'invoke', detail: 'session 1 command 0', t: 1 });
    h.add({ type: 'request', slot: 1, op: 'invoke', detail: 'session 2 command 0', t: 2 });
    h.add({ type: 'request-done', slot: 1, status: 0, ret: 0, origin: 4, smcCalls: 1, t: 3 });
    h.add({ type: 'api', op: 'invokeCommand', client: 'b', remote: 'r', ms: 2, t: 4 });
    h.add({ type: 'request-done', slot: 0, status: 0, ret: 0, origin: 4, smcCalls: 1, t: 5 });
    const [second, first] = h.list();
    expect(second!.call).toBe(2);
    expect(second!.events.at(-1)).toMatchObject({ type: 'api', client: 'b' });
    expect(first!.events.some((e) => e.type === 'api')).toBe(false);
    // The tree builder gives the same answer from the interleaved stream.
    const trees = callTrees([...first!.events.slice(0, 1), ...second!.events, ...first!.events.slice(1)]);
    expect(trees.map((t) => t.children[0]?.kind)).toEqual([undefined, 'api']);
  });

  it('keeps at most eventsPerCall events of a call and says how many it dropped', () => {
    const h = new TraceHistory(2, 3);
    h.add({ type: 'request', slot: 0, op: 'invoke', detail: '', t: 0 });
    for (let i = 0; i < 5; i++) h.add({ type: 'console', world: 'normal', line: `${i}`, t: i + 1 } as DeviceEvent);
    h.add({ type: 'request-done', slot: 0, status: 0, ret: 0, origin: 4, smcCalls: 1, t: 9 });
    const [c] = h.list();
    expect(c!.events.map((e) => e.type)).toEqual(['request', 'console', 'console', 'lost', 'request-done']);
    expect(c!.events[3]).toMatchObject({ type: 'lost', count: 3 });
  });
});

describe('the API server keeps the latest calls\' trace', () => {
  let server: TestServer;
  let admin: TeecContext;
  beforeAll(async () => {
    server = await startServer(undefined, { traceHistory: 2 });
    admin = await server.context('teacher', { admin: true });
  });
  afterAll(() => server?.stop());

  it('open, invoke, close: the latest two, numbered, each with the API server\'s hop and its times', async () => {
    const client = await server.context('student');
    const s = await client.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 0 } }]);
    await s.invokeCommand(0, op);
    await s.close();
    const { calls, total } = await admin.connection.request('traceHistory', {});
    expect(total).toBe(3);
    expect(calls.map((c) => c.call)).toEqual([2, 3]);
    const trees = calls.map((c) => callTrees(c.events as unknown as DeviceEvent[])[0]!);
    expect(trees[0]!.label).toMatch(/^invoke session \d+ command 0, 1 params -> TEE_SUCCESS/);
    expect(trees[1]!.label).toMatch(/^close session /);
    for (const tree of trees) {
      const api = tree.children[0]!;
      expect(api.kind).toBe('api');
      expect(api.label).toMatch(/^API server: (invokeCommand|closeSession) from student \(127\.0\.0\.1:\d+\), answered after \d+\.\d{3} ms; /);
      expect(api.t).toBe(tree.t);
      // The hop holds the device's part: received before the device began, answered after it ended.
      expect(api.ms!).toBeGreaterThan(0);
      expect(api.ms!).toBeGreaterThanOrEqual(tree.ms! - 0.5);
      expect(api.ms!).toBeLessThan(5000);
    }
    const mermaid = renderMermaid(trees[0]!);
    expect(mermaid).toContain('  participant API as API server');
    expect(mermaid[7]).toBe('  Client->>API: invokeCommand');
    expect(mermaid.at(-1)).toMatch(/^  API-->>Client: answered after \d+\.\d{3} ms$/);
    expect(renderSvg(trees[0]!)).toContain('>API server</text>');
    expect(renderTree({ ...trees[0]!, call: 2 })[0]).toMatch(/^call 2: invoke session/);
    // One call by number, and a number the history no longer holds.
    expect((await admin.connection.request('traceHistory', { call: 3 })).calls.map((c) => c.call)).toEqual([3]);
    expect((await admin.connection.request('traceHistory', { call: 1 })).calls).toEqual([]);
    expect((await admin.connection.request('traceHistory', { last: 1 })).calls.map((c) => c.call)).toEqual([3]);
  });

  it('a connection without the admin credential gets admin-required', async () => {
    const client = await server.context('student');
    await expect(client.connection.request('traceHistory', {})).rejects.toMatchObject({ code: 'admin-required' });
  });

  it('a server without a history says so (not-found)', async () => {
    const plain = await startServer();
    try {
      const ctx = await plain.context('teacher', { admin: true });
      await expect(ctx.connection.request('traceHistory', {})).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await plain.stop();
    }
  });
});
