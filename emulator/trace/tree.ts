/**
 * One client call as a tree: the request the host posted to the normal world, each SMC the
 * firmware made for it (the first CALL_WITH_ARG, then a RETURN_FROM_RPC after every RPC), what
 * the monitor and the TEE core did inside each (world switches, the TA's entry, its syscalls,
 * RPCs to the normal world and what the supplicant did for them), and how it ended, with times.
 *
 * Built from the device's event stream (verbose events: `--trace`). Events between a `request`
 * and its `request-done` belong to that call; with several calls in flight at once their events
 * interleave, and a tree then also shows what other calls did meanwhile (said in its root).
 * A call made through the API server also has the server's hop (an `api` event): its first
 * child, with the time from the request frame to the answer and the part the device took.
 */
import { resultName } from '../abi/results.js';
import type { ApiEvent, DeviceEvent } from './events.js';
import { formatEvent, originName } from './format.js';
import { REQUEST_OP } from './history.js';

export interface TraceNode {
  /** What happened, for a person. */
  label: string;
  kind: 'call' | 'api' | 'smc' | 'switch' | 'ta' | 'syscall' | 'rpc' | 'supplicant' | 'event';
  /** The call's number in the device's trace history (roots read from the history only). */
  call?: number;
  /** Device time (ms) when it began. */
  t: number;
  /** How long it took (ms), where it has an end. */
  ms?: number;
  children: TraceNode[];
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Groups the events of `events` into one tree per client call (request ... request-done).
 * Events outside any call (boot, console lines) are left out.
 */
export function callTrees(events: readonly DeviceEvent[]): TraceNode[] {
  const trees: TraceNode[] = [];
  const open = new Map<number, { root: TraceNode; smc: TraceNode | undefined; others: number }>();
  let current: { root: TraceNode; smc: TraceNode | undefined; others: number } | undefined;
  const api = new Map<TraceNode, ApiEvent>();
  for (const e of events) {
    if (e.type === 'api') {
      // Sent with the answer, so after its call's request-done: finished calls first, newest first.
      const recent = trees.slice(-16).reverse();
      const root = apiCall(e, [...recent.filter((r) => r.ms !== undefined), ...recent.filter((r) => r.ms === undefined)], api);
      if (root) api.set(root, e);
      continue;
    }
    if (e.type === 'request') {
      const root: TraceNode = { label: `${e.op} ${e.detail}`, kind: 'call', t: e.t, children: [] };
      current = { root, smc: undefined, others: open.size };
      open.set(e.slot, current);
      trees.push(root);
      continue;
    }
    if (e.type === 'request-done') {
      const c = open.get(e.slot);
      if (!c) continue;
      open.delete(e.slot);
      c.root.ms = round(e.t - c.root.t);
      const how = e.status !== 0 ? `${resultName(e.status)} (the request did not reach the TEE)`
        : `${resultName(e.ret)}, origin ${originName(e.origin)}`;
      c.root.label += ` -> ${how}; ${e.smcCalls} SMC${e.smcCalls === 1 ? '' : 's'}`;
      if (c.others > 0) c.root.label += ` (${c.others} other call${c.others === 1 ? '' : 's'} in flight: their events may show here)`;
      if (current === c) current = [...open.values()].pop();
      continue;
    }
    if (!current) continue;
    add(current, e);
  }
  for (const [root, e] of api) root.children.unshift(apiNode(root, e));
  return trees;
}

/** The call an API server's answer belongs to: the newest of its operation without one yet. */
function apiCall(e: ApiEvent, roots: TraceNode[], taken: Map<TraceNode, ApiEvent>): TraceNode | undefined {
  const op = REQUEST_OP[e.op];
  return op ? roots.find((r) => r.label.startsWith(`${op} `) && !taken.has(r)) : undefined;
}

/** The API server's hop: who asked, and where the time between the request and the answer went. */
function apiNode(root: TraceNode, e: ApiEvent): TraceNode {
  const device = root.ms !== undefined ? `; ${root.ms.toFixed(3)} ms of it on the device, ` +
    `${Math.max(0, e.ms - root.ms).toFixed(3)} ms queued and in the server` : '';
  return {
    label: `API server: ${e.op} from ${e.client} (${e.remote}), answered after ${e.ms.toFixed(3)} ms${device}`,
    kind: 'api', t: root.t, ms: round(e.ms), children: [],
  };
}

function add(c: { root: TraceNode; smc: TraceNode | undefined }, e: DeviceEvent): void {
  const parent = c.smc ?? c.root;
  switch (e.type) {
    case 'smc': {
      const node: TraceNode = {
        label: `normal world: smc ${e.name}${e.fast ? '' : ' (yielding)'} -> monitor`, kind: 'smc', t: e.t, children: [],
      };
      c.root.children.push(node);
      c.smc = node;
      return;
    }
    case 'smc-return':
      if (c.smc) {
        c.smc.ms = round(e.t - c.smc.t);
        c.smc.label += `; back to the normal world: ${e.outcome}`;
        c.smc = undefined;
      }
      return;
    case 'world-switch':
      parent.children.push({ label: `monitor: world switch ${e.from} -> ${e.to} (${e.reason})`, kind: 'switch', t: e.t, children: [] });
      return;
    case 'syscall':
      parent.children.push({ label: `TA ${e.uuid.slice(0, 8)}: syscall ${e.name}(${e.args.join(', ')}) -> ${e.resultName}`, kind: 'syscall', t: e.t, children: [] });
      return;
    case 'rpc': {
      const toNormal = e.detail.startsWith('RPC to the normal world');
      parent.children.push({
        label: toNormal ? `TEE core: RPC ${e.name} to the normal world` : `normal world: supplicant ${e.name}: ${e.detail}`,
        kind: toNormal ? 'rpc' : 'supplicant', t: e.t, children: [],
      });
      return;
    }
    case 'invoke':
      parent.children.push({
        label: `TEE core: TA ${e.uuid.slice(0, 8)} invoke cmd ${e.cmd} -> ${resultName(e.result)} (origin ${originName(e.origin)}) in ${e.us} us`,
        kind: 'ta', t: e.t, children: [],
      });
      return;
    case 'session':
      parent.children.push({ label: `TEE core: ${formatEvent(e)}`, kind: 'ta', t: e.t, children: [] });
      return;
    case 'console':
      parent.children.push({ label: `${e.world} console: ${e.line}`, kind: 'event', t: e.t, children: [] });
      return;
    default:
      parent.children.push({ label: formatEvent(e), kind: 'event', t: e.t, children: [] });
  }
}

/** The tree as indented lines for a person, with device times relative to the call's start. */
export function renderTree(root: TraceNode): string[] {
  const lines: string[] = [];
  const walk = (n: TraceNode, prefix: string, last: boolean, top: boolean) => {
    const at = `+${(n.t - root.t).toFixed(3)} ms`;
    const took = n.ms !== undefined ? ` [${n.ms.toFixed(3)} ms]` : '';
    lines.push(top ? `${n.call !== undefined ? `call ${n.call}: ` : ''}${n.label}${took}` : `${prefix}${last ? '└─ ' : '├─ '}${n.label}${took}  ${at}`);
    const next = top ? '' : prefix + (last ? '   ' : '│  ');
    n.children.forEach((ch, i) => walk(ch, next, i === n.children.length - 1, false));
  };
  walk(root, '', true, true);
  return lines;
}

/** Lanes of the sequence diagram, left to right (the API server's only for calls that went through it). */
export const LANES = [
  ['Client', 'Client'], ['API', 'API server'], ['NW', 'Normal world'], ['Mon', 'Monitor (EL3)'], ['TEE', 'TEE core'], ['TA', 'TA'],
] as const;
export type Lane = (typeof LANES)[number][0];

/** The lanes a call's diagram draws: all, or all but the API server's for a call made in-process. */
export function lanesOf(root: TraceNode): (typeof LANES)[number][] {
  const viaApi = root.children.some((n) => n.kind === 'api');
  return LANES.filter(([id]) => viaApi || id !== 'API');
}

/** One arrow of the sequence diagram (a note over the TEE core when from = to = 'TEE' and note). */
export interface SequenceMessage { from: Lane; to: Lane; text: string; reply: boolean; note?: boolean }

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * One call as the messages of a sequence diagram: the client, the normal world, the monitor,
 * the TEE core and the TA as lanes; each SMC, world switch, syscall and RPC as an arrow.
 */
export function sequenceOf(root: TraceNode): SequenceMessage[] {
  const out: SequenceMessage[] = [];
  const msg = (from: Lane, to: Lane, text: string, reply = false) => out.push({ from, to, text: oneLine(text), reply });
  const api = root.children.find((n) => n.kind === 'api');
  if (api) msg('Client', 'API', api.label.replace(/^API server: /, '').split(' from ')[0]!);
  msg(api ? 'API' : 'Client', 'NW', root.label.split(' -> ')[0]!);
  const walk = (n: TraceNode) => {
    switch (n.kind) {
      case 'smc': {
        const [call, back] = n.label.replace(/^normal world: smc /, '').split('; back to the normal world: ');
        msg('NW', 'Mon', `smc ${call!.replace(' -> monitor', '')}`);
        n.children.forEach(walk);
        if (back) msg('Mon', 'NW', back, true);
        return;
      }
      case 'switch':
        if (n.label.includes('normal -> secure')) msg('Mon', 'TEE', 'world switch to secure');
        else msg('TEE', 'Mon', 'world switch to normal', true);
        return;
      case 'syscall': msg('TA', 'TEE', n.label.replace(/^TA \w+: /, '')); return;
      case 'rpc': msg('TEE', 'Mon', n.label.replace('TEE core: ', ''), true); return;
      case 'supplicant': msg('NW', 'NW', n.label.replace('normal world: ', '')); return;
      case 'ta': msg('TEE', 'TA', n.label.replace('TEE core: ', '')); return;
      case 'api': return;
      default: out.push({ from: 'TEE', to: 'TEE', text: oneLine(n.label).slice(0, 120), reply: false, note: true });
    }
  };
  root.children.forEach(walk);
  msg('NW', api ? 'API' : 'Client', root.label.split(' -> ')[1] ?? 'done', true);
  if (api) msg('API', 'Client', `answered after ${api.ms?.toFixed(3) ?? '?'} ms`, true);
  return out;
}

/** Mermaid text escapes: no semicolons or line breaks inside a message. */
const mm = (s: string) => s.replace(/[;#]/g, ' ');

/** One call as a Mermaid sequence diagram (renders in GitHub and GitLab as is). */
export function renderMermaid(root: TraceNode): string[] {
  const lines = ['sequenceDiagram', ...lanesOf(root).map(([id, name]) => `  participant ${id} as ${name}`)];
  for (const m of sequenceOf(root)) {
    lines.push(m.note ? `  Note over ${m.from}: ${mm(m.text)}` : `  ${m.from}${m.reply ? '-->>' : '->>'}${m.to}: ${mm(m.text)}`);
  }
  return lines;
}
