/**
 * `trustbox oe ...`: the Open Enclave tools (docs/open-enclave.md).
 */
import type { Command } from 'commander';
import { registerEdger8r } from './oe/edger8r-command.js';
import { registerBuild } from './oe/build.js';
import { registerOesign } from './oe/oesign.js';
import { registerSdk } from './oe/sdk.js';

/** Adds the `oe` command group and its subcommands to `program`. */
export function registerOe(program: Command): Command {
  const oe = program.command('oe').description('Open Enclave on the virtual TrustBox: edger8r and the SDK tools');
  registerEdger8r(oe);
  registerOesign(oe);
  registerSdk(oe);
  registerBuild(oe);
  return oe;
}
