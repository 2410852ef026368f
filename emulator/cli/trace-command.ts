/**
 * `trustbox trace (--state DIR | --connect URL --token-file FILE) [--follow] [--count N]
 * [--json | --format tree|mermaid|svg]`: each client call a running device serves, as a tree of
 * its path through both worlds (trace/tree.ts), printed when the call ends. Without --follow it
 * prints the next call and exits; with it, every call until Ctrl-C. The trace shows every
 * client's calls, so it needs the admin credential, as `watch --trace` does.
 */
import type { Command } from 'commander';
import type { DeviceEvent } from '../trace/events.js';
import { callTrees, renderMermaid, renderTree } from '../trace/tree.js';
import { renderSvg } from '../trace/svg.js';
import { RemoteBackend, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

interface TraceOptions extends RemoteTarget {
  follow?: boolean;
  count?: string;
  json?: boolean;
  format?: string;
}

async function traceCommand(opts: TraceOptions): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('trace needs a running device: --state DIR or --connect URL --token-file FILE');
  const format = opts.json ? 'json' : opts.format ?? 'tree';
  if (!['tree', 'mermaid', 'svg', 'json'].includes(format)) throw new Error(`--format ${format}: the formats are tree, mermaid and svg (and --json)`);
  const count = opts.count !== undefined ? Number(opts.count) : opts.follow ? Infinity : 1;
  if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) throw new Error('--count must be a whole number of calls, at least 1');
  const remote = await RemoteBackend.connect(opts);
  let events: DeviceEvent[] = [];
  let printed = 0;
  let finish: (why: string) => void = () => {};
  const ended = new Promise<string>((resolve) => { finish = resolve; });
  const shown = new Set<number>();
  let inFlight = 0;
  const onEvent = (e: DeviceEvent) => {
    if (e.type === 'request') inFlight++;
    if (inFlight === 0) return; // boot lines, other output between calls
    events.push(e);
    if (e.type !== 'request-done') return;
    inFlight--;
    for (const tree of callTrees(events)) {
      if (tree.ms === undefined || shown.has(tree.t) || printed >= count) continue;
      shown.add(tree.t);
      const out = format === 'json' ? [JSON.stringify(tree)] : format === 'mermaid' ? [...renderMermaid(tree), '']
        : format === 'svg' ? [renderSvg(tree)] : [...renderTree(tree), ''];
      process.stdout.write(out.join('\n') + '\n');
      if (++printed >= count) finish('');
    }
    if (inFlight === 0) {
      events = [];
      shown.clear();
    }
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
  await remote.dispose().catch(() => {});
  if (why) {
    console.error(`trustbox: the device ended the trace: ${why}`);
    process.exitCode = 1;
  }
}

export function registerTraceCommand(program: Command): void {
  remoteOptions(program.command('trace')
    .description('each call a running device serves, as a tree of its path through both worlds (needs the admin credential)'))
    .option('--follow', 'keep printing every call until Ctrl-C (default: the next call, then exit)')
    .option('--count <n>', 'exit after N calls')
    .option('--format <format>', 'tree (indented, with times), mermaid (a sequence diagram for GitHub/GitLab) or svg ' +
      '(a picture: `trustbox trace --state DIR --format svg > call.svg`)', 'tree')
    .option('--json', 'each call\'s tree as one JSON object per line (label, kind, t, ms, children)')
    .addHelpText('after', '\nExit codes:\n  0  printed the calls asked for, or stopped with Ctrl-C\n  1  the device went away, could not be reached, or refused the trace\n')
    .action((opts: TraceOptions) => traceCommand(opts));
}
