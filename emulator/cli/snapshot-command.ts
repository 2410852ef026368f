/**
 * `trustbox snapshot (--state DIR | --connect URL ...) FILE`: saves a running device, whole and
 * at rest (both CPUs' state, memory, TEE core, TA store, secure storage, fuses), into a
 * snapshot file that `trustbox boot --restore FILE` boots from in a few milliseconds
 * (device/snapshot.ts, docs/testing.md). It needs the admin credential, since the file holds
 * the device's fuses and storage; it is written with mode 0600, atomically.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TeecError } from '../client/index.js';
import { RemoteBackend, adminHint, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

async function snapshotCommand(file: string, opts: RemoteTarget & { json?: boolean }): Promise<void> {
  if (!wantsRemote(opts)) throw new Error('snapshot needs a running device: --state DIR or --connect URL --token-file FILE');
  const remote = await RemoteBackend.connect(opts);
  let answer;
  try {
    answer = await remote.connection.request('snapshot', {});
  } catch (error) {
    if (error instanceof TeecError && error.code === 'admin-required') throw new Error(adminHint('taking a snapshot'));
    throw error;
  } finally {
    await remote.dispose().catch(() => {});
  }
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, answer.snapshot, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(error as Error).message}`);
  }
  const dropped = answer.dropped ? answer.dropped.split(' ') : [];
  if (opts.json) console.log(JSON.stringify({ file, bytes: answer.snapshot.length, dropped }));
  else {
    console.log(`snapshot: ${file} (${answer.snapshot.length} bytes); boot it with: trustbox boot --restore ${file}`);
    if (dropped.length > 0) console.log(`not kept: the live instances of keep-alive TA(s) ${dropped.join(', ')} (they start over at their next open)`);
  }
}

export function registerSnapshotCommand(program: Command): void {
  remoteOptions(program.command('snapshot')
    .description('save a running device at rest (no call in flight, no session open) into FILE, for `trustbox boot --restore FILE`')
    .argument('<file>', 'the snapshot file to write (mode 0600; it holds the device\'s fuses and storage: keep it private)')
    .option('--json', 'print {file, bytes, dropped} as JSON'))
    .addHelpText('after', '\nExit codes: 0 saved; 1 refused (no device, no admin credential, sessions open or calls in flight: the message says which)')
    .action((file: string, opts: RemoteTarget & { json?: boolean }) => snapshotCommand(file, opts));
}
