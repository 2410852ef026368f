/**
 * `trustbox watch (--state DIR | --connect URL --token-file FILE) [--trace] [--json]`: follows a
 * running device's consoles, and with --trace every event of its trace, while it serves other
 * clients: the live view of a device that was booted without --trace. The trace shows every
 * client's calls, so it needs the admin credential (`<state>/admin.json`, or
 * `--admin-token-file` with --connect). Runs until Ctrl-C or until the device closes the
 * connection (it powered off).
 */
import type { Command } from 'commander';
import type { DeviceEvent } from '../trace/events.js';
import { eventPrinter } from './boot.js';
import { RemoteBackend, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

interface WatchOptions extends RemoteTarget {
  trace?: boolean;
  json?: boolean;
}

async function watchCommand(opts: WatchOptions): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('watch needs a running device: --state DIR or --connect URL --token-file FILE');
  const remote = await RemoteBackend.connect(opts);
  const conn = remote.connection;
  const print = eventPrinter({ trace: opts.trace ?? false, json: opts.json ?? false });
  try {
    await remote.subscribe({ console: true, trace: opts.trace ?? false }, (_stream, e) => print(e as unknown as DeviceEvent));
  } catch (error) {
    await remote.dispose().catch(() => {});
    throw error;
  }
  const ended = await new Promise<string>((resolve) => {
    const stop = () => resolve('');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    conn.onClose((error) => resolve(error.message));
  });
  if (ended) {
    // The device went away (powered off, crashed): not the end the user asked for.
    console.error(`trustbox: the device ended the watch: ${ended}`);
    process.exitCode = 1;
    return;
  }
  await remote.dispose().catch(() => {});
}

export function registerWatchCommand(program: Command): void {
  remoteOptions(program.command('watch')
    .description('follow a running device\'s consoles (and with --trace its whole trace: needs the admin credential) until Ctrl-C'))
    .option('--trace', 'every device event: world switches, SMCs, syscalls, RPCs, TA loads')
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExit codes:\n  0  stopped with Ctrl-C\n  1  the device went away, could not be reached, or refused the watch\n')
    .action((opts: WatchOptions) => watchCommand(opts));
}
