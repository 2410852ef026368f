/**
 * `trustbox watch (--state DIR | --connect URL --token TOKEN) [--trace] [--json]`: follows a
 * running device's consoles, and with --trace every event of its trace, while it serves other
 * clients: the live view of a device that was booted without --trace. Runs until Ctrl-C or
 * until the device closes the connection (it powered off).
 */
import type { Command } from 'commander';
import type { DeviceEvent } from '../trace/events.js';
import { eventPrinter } from './boot.js';
import { RemoteBackend, wantsRemote, type RemoteTarget } from './remote-backend.js';

interface WatchOptions extends RemoteTarget {
  trace?: boolean;
  json?: boolean;
}

async function watchCommand(opts: WatchOptions): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('watch needs a running device: --state DIR or --connect URL --token TOKEN');
  const remote = await RemoteBackend.connect(opts);
  const conn = remote.connection;
  const print = eventPrinter({ trace: opts.trace ?? false, json: opts.json ?? false });
  await conn.subscribe({ console: true, trace: opts.trace ?? false }, (_stream, e) => print(e as unknown as DeviceEvent));
  const ended = await new Promise<string>((resolve) => {
    const stop = () => resolve('');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    conn.onClose((error) => resolve(error.message));
  });
  if (ended) {
    console.error(`trustbox: the device ended the watch: ${ended}`);
    return;
  }
  await remote.dispose().catch(() => {});
}

export function registerWatchCommand(program: Command): void {
  program.command('watch')
    .description('follow a running device\'s consoles (and with --trace its whole trace) until Ctrl-C')
    .option('--state <dir>', 'the running device of this state directory (reads <dir>/endpoint.json)')
    .option('--connect <url>', 'server URL, ws://HOST:PORT')
    .option('--token <token>', 'token from endpoint.json')
    .option('--trace', 'every device event: world switches, SMCs, syscalls, RPCs, TA loads')
    .option('--json', 'one JSON object per line')
    .action((opts: WatchOptions) => watchCommand(opts));
}
