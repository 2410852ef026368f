/**
 * `trustbox trace (--state DIR | --connect URL --token-file FILE) [--call N | --follow | --count N]
 * [--json | --format tree|mermaid|svg]`: a client call a running device served, as a tree of its
 * path through both worlds (trace/tree.ts). Without --follow or --count it prints the latest
 * finished call from the device's trace history (trace/history.ts), or call N of it, and waits
 * for the next call only when the history is empty; with them, each call as it ends. The trace
 * shows every client's calls, so it needs the admin credential, as `watch --trace` does.
 */
import type { Command } from 'commander';
import type { DeviceEvent } from '../trace/events.js';
import { callTrees, renderMermaid, renderTree, type TraceNode } from '../trace/tree.js';
import { renderSvg } from '../trace/svg.js';
import { TeecError } from '../client/index.js';
import { RemoteBackend, adminHint, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

interface TraceOptions extends RemoteTarget {
  follow?: boolean;
  count?: string;
  json?: boolean;
  format?: string;
  call?: string;
}

/** How long a finished call waits for the API server's hop before it is printed without it. */
const API_WAIT_MS = 250;

/** One tree in the chosen format, as the text to print. */
function render(tree: TraceNode, format: string): string {
  const out = format === 'json' ? [JSON.stringify(tree)] : format === 'mermaid' ? [...renderMermaid(tree), '']
    : format === 'svg' ? [renderSvg(tree)] : [...renderTree(tree), ''];
  return out.join('\n') + '\n';
}

/**
 * The call `--call N` names (N from 1: its number since the device started, as each tree's
 * header shows it; -1 the latest, -2 the one before, ...; default -1) from the device's trace
 * history: its tree, or a sentence saying why there is none (`empty`: no call yet, or no history).
 */
async function fromHistory(remote: RemoteBackend, call: number): Promise<{ tree?: TraceNode; why: string; empty: boolean }> {
  let answer;
  try {
    answer = await remote.connection.request('traceHistory', call > 0 ? { call } : { last: -call });
  } catch (error) {
    if (error instanceof TeecError && error.code === 'admin-required') throw new Error(adminHint('reading the trace history'));
    if (error instanceof TeecError && error.code === 'not-found') return { why: error.message, empty: true };
    throw error;
  }
  const { calls, total } = answer;
  const picked = call > 0 ? calls[0] : calls.length === -call ? calls[0] : undefined;
  const tree = picked ? callTrees(picked.events as unknown as DeviceEvent[])[0] : undefined;
  if (!picked || !tree) {
    return { why: `call ${call} is not in the device's trace history (${total} calls since it started; it keeps the latest ` +
      'ones, `trustbox boot --trace-history N`)', empty: total === 0 };
  }
  tree.call = picked.call;
  return { tree, why: '', empty: false };
}

async function traceCommand(opts: TraceOptions): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('trace needs a running device: --state DIR or --connect URL --token-file FILE');
  const format = opts.json ? 'json' : opts.format ?? 'tree';
  if (!['tree', 'mermaid', 'svg', 'json'].includes(format)) throw new Error(`--format ${format}: the formats are tree, mermaid and svg (and --json)`);
  const count = opts.count !== undefined ? Number(opts.count) : opts.follow ? Infinity : 1;
  if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) throw new Error('--count must be a whole number of calls, at least 1');
  const call = opts.call !== undefined ? Number(opts.call) : undefined;
  if (call !== undefined && (!Number.isSafeInteger(call) || call === 0)) throw new Error('--call N: N is a call number from 1, or -1 for the latest, -2 for the one before, ...');
  if (call !== undefined && (opts.follow || opts.count !== undefined)) throw new Error('--call picks one call of the history: it does not go with --follow or --count');
  const remote = await RemoteBackend.connect(opts);
  if (!opts.follow && opts.count === undefined) {
    const past = await fromHistory(remote, call ?? -1).catch(async (error: Error) => {
      await remote.dispose().catch(() => {});
      throw error;
    });
    if (past.tree || call !== undefined) {
      await remote.dispose().catch(() => {});
      if (past.tree) process.stdout.write(render(past.tree, format));
      else {
        console.error(`trustbox: ${past.why}`);
        process.exitCode = 1;
      }
      return;
    }
  }
  let events: DeviceEvent[] = [];
  let printed = 0;
  let finish: (why: string) => void = () => {};
  const ended = new Promise<string>((resolve) => { finish = resolve; });
  const shown = new Set<number>();
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A finished call is printed once the API server's hop (its `api` event, sent with the answer)
  // has come, or API_WAIT_MS after its end without it (a call the server did not make).
  const emit = (force: boolean) => {
    const trees = callTrees(events);
    for (const tree of trees) {
      if (tree.ms === undefined || shown.has(tree.t) || printed >= count) continue;
      if (!force && !tree.children.some((n) => n.kind === 'api')) continue;
      shown.add(tree.t);
      process.stdout.write(render(tree, format));
      if (++printed >= count) finish('');
    }
    if (inFlight === 0 && trees.every((t) => shown.has(t.t))) {
      events = [];
      shown.clear();
      clearTimeout(timer);
    }
  };
  const onEvent = (e: DeviceEvent) => {
    if (e.type === 'request') inFlight++;
    if (inFlight === 0 && !(e.type === 'api' && events.length > 0)) return; // boot lines, other output between calls
    events.push(e);
    if (e.type === 'request-done') {
      inFlight--;
      clearTimeout(timer);
      timer = setTimeout(() => emit(true), API_WAIT_MS);
    }
    if (e.type === 'request-done' || e.type === 'api') emit(false);
  };
  try {
    await remote.subscribe({ console: true, trace: true }, (_stream, e) => onEvent(e as unknown as DeviceEvent));
  } catch (error) {
    await remote.dispose().catch(() => {});
    throw error;
  }
  process.once('SIGINT', () => finish(''));
  process.once('SIGTERM', () => finish(''));
  remote.connection.onClose((error) => finish(error.message));
  const why = await ended;
  clearTimeout(timer);
  await remote.dispose().catch(() => {});
  if (why) {
    console.error(`trustbox: the device ended the trace: ${why}`);
    process.exitCode = 1;
  }
}

export function registerTraceCommand(program: Command): void {
  remoteOptions(program.command('trace')
    .description('a call a running device served, as a tree of its path through both worlds: the latest, call N, or ' +
      'each new one (needs the admin credential)'))
    .option('--call <n>', 'call N of the device\'s trace history: N from 1 is the number each tree\'s header shows ' +
      '("call 7: invoke ..."), counted since the device started; -1 is the latest (the default), -2 the one before')
    .option('--follow', 'print every new call as it ends, until Ctrl-C (default: the latest call, or the next one when ' +
      'the device has served none yet)')
    .option('--count <n>', 'print the next N calls as they end, then exit')
    .option('--format <format>', 'tree (indented, with times), mermaid (a sequence diagram for GitHub/GitLab) or svg ' +
      '(a picture: `trustbox trace --state DIR --format svg > call.svg`)', 'tree')
    .option('--json', 'each call\'s tree as one JSON object per line (label, kind, t, ms, children; call, for a call from the history)')
    .addHelpText('after', '\nThe device keeps the trace of its latest calls (`trustbox boot --trace-history N`, default 64).\n' +
      '\nExit codes:\n  0  printed the calls asked for, or stopped with Ctrl-C\n' +
      '  1  the call asked for is not in the history, the device went away, could not be reached, or refused the trace\n')
    .action((opts: TraceOptions) => traceCommand(opts));
}
