/**
 * `trustbox ta install FILE (--state DIR | --connect URL --token-file FILE --admin-token-file FILE)`:
 * uploads a signed TA into the running device's TA store (the state directory's `ta/`), where
 * the supplicant finds it at the next OPEN_SESSION. Installing is an admin right: `--state`
 * reads the admin credential from `<state>/admin.json`; `--connect` takes it from
 * `--admin-token-file` or TRUSTBOX_ADMIN_TOKEN.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RemoteBackend, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

async function installCommand(file: string, opts: RemoteTarget & { json?: boolean }): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('ta install needs a running device: --state DIR or --connect URL --token-file FILE --admin-token-file FILE');
  const backend = await RemoteBackend.connect(opts);
  try {
    const { uuid, path } = await backend.installTA(readFileSync(file));
    if (opts.json) console.log(JSON.stringify({ uuid, path }));
    else console.log(`installed ${uuid} -> ${path}`);
  } finally {
    await backend.dispose();
  }
}

/** Adds `install` under the existing `ta` command group (or creates the group). */
export function registerInstallCommand(program: Command): void {
  const ta = program.commands.find((c) => c.name() === 'ta') ?? program.command('ta').description('TA files');
  remoteOptions(ta.command('install')
    .description('upload a signed .ta into a running device\'s TA store (needs the device\'s admin credential)')
    .argument('<file>', 'signed TA file (<uuid>.ta)'))
    .option('--json', 'print {"uuid":...,"path":...}')
    .action((file: string, opts: RemoteTarget & { json?: boolean }) => installCommand(file, opts));
}
