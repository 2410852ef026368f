/**
 * `trustbox`: boot virtual TrustBox devices, run TAs, inspect images and TAs.
 */
import { Command } from 'commander';
import { registerAttestCommands } from './attest-commands.js';
import { registerBootCommands } from './boot.js';
import { registerDemoCommands } from './demo-commands.js';
import { registerDeviceCommands } from './device-commands.js';
import { registerEdgeCommands } from './edge-commands.js';
import { registerInfoCommand } from './info.js';
import { registerInstallCommand } from './install-command.js';
import { registerInvokeCommands } from './invoke.js';
import { registerOe } from './oe-commands.js';
import { registerSnapshotCommand } from './snapshot-command.js';
import { registerStorageCommand } from './storage-command.js';
import { registerTaCommands } from './ta-commands.js';
import { registerTestCommand } from './test-command.js';
import { registerTraceCommand } from './trace-command.js';
import { registerWatchCommand } from './watch-command.js';

// `trustbox ... | head` closes our stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('trustbox')
  .description('Emulator of a TrustBox-style ARM edge device with TrustZone: boot virtual devices, run OP-TEE TAs, serve the GP TEE Client API')
  .version('0.1.0')
  .showHelpAfterError();

registerBootCommands(program);
registerDemoCommands(program);
registerInfoCommand(program);
registerInvokeCommands(program);
registerTaCommands(program);
registerInstallCommand(program);
registerStorageCommand(program);
registerSnapshotCommand(program);
registerWatchCommand(program);
registerDeviceCommands(program);
registerAttestCommands(program);
registerEdgeCommands(program);
registerTestCommand(program);
registerTraceCommand(program);
registerOe(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`trustbox: ${(error as Error).message}`);
  process.exitCode = process.exitCode || 1;
}
