/**
 * `trustbox boot` (the demos are in demo-commands.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Device, type DeviceOptions } from '../device/device.js';
import type { DeviceEvent } from '../trace/events.js';
import { formatEvent, prefixFor } from '../trace/format.js';
import { BOARDS, DEFAULT_BOARD, getBoard } from '../machine/boards.js';
import { bootAndServe } from './boot-serve.js';
import { parseListen } from '../api/serve.js';
import { parseHuk } from '../device/state.js';
import { snapshotBoard } from '../device/snapshot-file.js';
import { DEFAULT_SECURE_THREADS, MAX_SECURE_THREADS } from '../tee/entry.js';
import { TIME_SLICE_MS } from '../tee/ta-instance.js';

interface BootOptions {
  board: string;
  image?: string;
  state?: string;
  trace?: boolean;
  exitOnReady?: boolean;
  json?: boolean;
  listen?: string;
  ui?: boolean;
  uiListen?: string;
  watchdogMs?: string;
  exactFaults?: boolean;
  seed?: string;
  trust?: string[];
  huk?: string;
  seedFuses?: boolean;
  hardwarePassphraseFile?: string;
  secureThreads?: string;
  taPath?: string[];
  pluginPath?: string[];
  virtualClock?: boolean;
  restore?: string;
}

/** Exit codes of `trustbox boot`, for --help. */
const BOOT_EXIT_CODES = `
Exit codes:
  0  powered off on request (Ctrl-C, SIGTERM, --exit-on-ready)
  1  refused or failed, with one line saying why: a bad option (--listen, --huk, --watchdog-ms, --secure-threads), a state
     directory that cannot be made or is not yours alone (owner, mode 0700; symbolic links refused), a state
     directory in use by a running device (its pid is named), a wrong hardware passphrase, a failed boot, a --restore
     snapshot that is damaged, truncated, of another format version, board, image or emulator build

The state directory has two parts: hardware/ (fuses with the hardware unique key, the RPMB-like rollback
anchor, trusted signers), which only the secure world reads, and the flash (ta/, secure-storage/), which the
normal world reads. Both are files of one folder: file permissions protect hardware/ from other users, and a
hardware passphrase (--hardware-passphrase-file, TRUSTBOX_HARDWARE_PASSPHRASE) seals the fuses beyond that.`;

/** The hardware passphrase: from --hardware-passphrase-file, else $TRUSTBOX_HARDWARE_PASSPHRASE, else none. */
export function hardwarePassphrase(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`--hardware-passphrase-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const pass = text.replace(/\r?\n$/, '');
    if (!pass) throw new Error(`--hardware-passphrase-file ${file} is empty`);
    return pass;
  }
  const pass = env.TRUSTBOX_HARDWARE_PASSPHRASE;
  return pass ? pass : undefined;
}

/** Prints device events: both consoles told apart, traces when asked, or JSON lines. */
export function attachPrinter(device: Device, opts: { json?: boolean; trace?: boolean; to?: NodeJS.WriteStream }): void {
  device.events.on(eventPrinter(opts));
}

/**
 * What attachPrinter prints, for events from anywhere (a device in this process, or a running
 * device's event stream): `to` is standard output unless given (invoke --json and session print
 * their trace to standard error, so that standard output stays JSON).
 */
/** Events the console stream carries (printed without --trace); the rest belong to the trace. */
const CONSOLE_TYPES: ReadonlySet<string> = new Set(['console', 'panic', 'fault', 'boot', 'power', 'lost']);

export function eventPrinter(opts: { json?: boolean; trace?: boolean; to?: NodeJS.WriteStream }): (e: DeviceEvent) => void {
  const out = opts.to ?? process.stdout;
  const color = !opts.json && out.isTTY === true;
  return (e: DeviceEvent) => {
    if (e.type === 'ready') return; // the caller prints one ready line, with more detail
    // Trace events reach the printer whenever a reader wants them (the trace history, a `trace` subscriber).
    if (!opts.trace && !CONSOLE_TYPES.has(e.type)) return;
    if (opts.json) {
      out.write(JSON.stringify(e.type === 'console' ? { event: 'console', world: e.world, line: e.line, t: e.t }
        : { event: e.type, ...e, type: undefined }) + '\n');
      return;
    }
    // Faults and panics are explained on the secure console; the trace adds the structured view.
    if (e.type !== 'console' && !opts.trace) return;
    out.write(prefixFor(e, color) + formatEvent(e) + '\n');
  };
}

export function deviceOptions(opts: {
  board?: string; image?: string; state?: string; trace?: boolean; watchdogMs?: string; exactFaults?: boolean; seed?: string;
  trust?: string[]; huk?: string; seedFuses?: boolean; hardwarePassphraseFile?: string; secureThreads?: string; taPath?: string[];
  pluginPath?: string[]; virtualClock?: boolean; restore?: string;
}): DeviceOptions {
  const watchdogMs = opts.watchdogMs === undefined ? undefined : Number(opts.watchdogMs);
  if (watchdogMs !== undefined && !(watchdogMs > 0)) throw new Error('--watchdog-ms must be a positive number');
  const threads = opts.secureThreads === undefined ? undefined : Number(opts.secureThreads);
  if (threads !== undefined && !(/^\d+$/.test(opts.secureThreads!) && threads >= 1 && threads <= MAX_SECURE_THREADS)) {
    throw new Error(`--secure-threads must be a whole number from 1 to ${MAX_SECURE_THREADS}`);
  }
  if (opts.huk !== undefined) parseHuk(opts.huk);
  if (opts.seedFuses && opts.seed === undefined) throw new Error('--seed-fuses burns the fuses from --seed: give --seed too');
  if (opts.seedFuses && opts.huk !== undefined) throw new Error('--seed-fuses and --huk both choose the fuses: give one');
  const passphrase = hardwarePassphrase(opts.hardwarePassphraseFile);
  return {
    board: opts.board ?? DEFAULT_BOARD,
    ...(opts.image ? { imageDir: opts.image } : {}),
    ...(opts.state ? { stateDir: opts.state } : {}),
    trace: opts.trace ?? false,
    ...(watchdogMs !== undefined ? { watchdogMs } : {}),
    ...(opts.exactFaults ? { exactFaultPcs: true } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.trust && opts.trust.length > 0 ? { trust: opts.trust } : {}),
    ...(opts.huk !== undefined ? { huk: opts.huk } : {}),
    ...(opts.seedFuses ? { seedFuses: true } : {}),
    ...(passphrase !== undefined ? { hardwarePassphrase: passphrase } : {}),
    ...(threads !== undefined ? { secureThreads: threads } : {}),
    ...(opts.taPath && opts.taPath.length > 0 ? { taPaths: opts.taPath.map((p) => resolve(p)) } : {}),
    ...(opts.pluginPath && opts.pluginPath.length > 0 ? { pluginPaths: opts.pluginPath.map((p) => resolve(p)) } : {}),
    ...(opts.virtualClock ? { virtualClock: true } : {}),
    ...(opts.restore !== undefined ? { restore: resolve(opts.restore) } : {}),
  };
}

function bootCommand(opts: BootOptions, cmd?: Command): void | Promise<void> {
  // A restored device is of its snapshot's board unless --board says otherwise (then they must agree).
  if (opts.restore !== undefined && cmd?.getOptionValueSource('board') === 'default') opts.board = snapshotBoard(opts.restore);
  getBoard(opts.board);
  if (opts.listen !== undefined) {
    parseListen(opts.listen);
    if (opts.exitOnReady) throw new Error('--listen serves the API, --exit-on-ready does not serve: give one of them');
  }
  if (opts.uiListen !== undefined) {
    try {
      parseListen(opts.uiListen);
    } catch (error) {
      throw new Error((error as Error).message.replace('--listen', '--ui-listen'));
    }
  }
  if ((opts.ui || opts.uiListen !== undefined) && opts.exitOnReady) throw new Error('--ui serves the live view, --exit-on-ready does not serve: give one of them');
  // Serving is the default: the device runs in a worker behind the TEE Client API server.
  if (!opts.exitOnReady) {
    return bootAndServe(deviceOptions(opts), opts, (on) => attachPrinter({ events: { on } } as unknown as Device, opts));
  }
  const device = new Device(deviceOptions(opts));
  attachPrinter(device, opts);
  const powerOff = (why: string) => {
    device.powerOff();
    if (opts.json) console.log(JSON.stringify({ event: 'power', state: 'off', reason: why }));
    else if (!opts.exitOnReady) console.log(`power: off (${why})`);
  };
  // Signals are handled from the start (a Ctrl-C during boot powers off too), and a second
  // Ctrl-C while powering off must not kill the process half-way.
  let stopping = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (keepAlive) clearInterval(keepAlive);
    powerOff(signal);
    process.exit(0);
  };
  if (!opts.exitOnReady) {
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  }
  let report;
  try {
    report = device.boot();
  } catch (error) {
    device.close();
    const message = (error as Error).message;
    if (opts.json) console.log(JSON.stringify({ event: 'error', message }));
    else console.error(`trustbox: boot failed: ${message}`);
    process.exitCode = 1;
    return;
  }
  if (opts.exitOnReady) {
    printReady(report, device.stateDir, opts);
    powerOff('--exit-on-ready');
    return;
  }
  keepAlive = setInterval(() => {}, 1 << 30);
  printReady(report, device.stateDir, opts);
}

function printReady(report: { bootMs: number; board: string; osUuid: string }, stateDir: string, opts: BootOptions): void {
  if (opts.json) {
    console.log(JSON.stringify({ event: 'ready', bootMs: round(report.bootMs), board: report.board, osUuid: report.osUuid, stateDir }));
  } else {
    console.log(`ready: ${report.board} ${opts.restore !== undefined ? `restored from ${opts.restore}` : 'booted'} in ${report.bootMs.toFixed(1)} ms; state in ${stateDir}` +
      (opts.exitOnReady ? '' : '; press Ctrl-C to power off'));
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export function registerBootCommands(program: Command): void {
  program
    .command('boot')
    .description('boot a virtual TrustBox and print both consoles')
    .option('--board <name>', `board (${[...BOARDS.keys()].join(', ')})`, DEFAULT_BOARD)
    .option('--image <dir>', 'image directory (default: images/<board>)')
    .option('--state <dir>', 'device state directory (default: $TRUSTBOX_STATE_HOME/<board>, or ~/.local/state/trustbox/<board>)')
    .option('--trace', 'print every world switch, SMC, syscall and RPC')
    .option('--exit-on-ready', 'power off and exit 0 once the device is ready (no API server)')
    .option('--listen <host:port>', 'serve the TEE Client API on HOST:PORT (default 127.0.0.1:0, a free port)')
    .option('--ui', 'also serve the live view, a web page that draws the board and animates calls (docs/live-view.md)')
    .option('--ui-listen <host:port>', 'serve the live view on HOST:PORT (implies --ui; default 127.0.0.1:0, a free port)')
    .option('--trace-history <n>', 'the API server keeps the trace of the last N calls for `trustbox trace` and the live view ' +
      '(default 64; 0: none, and calls run a little faster while nobody watches the trace)')
    .option('--json', 'print one JSON object per line (console lines and events)')
    .option('--watchdog-ms <ms>', 'time budget of one call: its runs, waits and RPCs together, not time it spends ' +
      'parked while other calls run (default 10000); then the TA is stopped')
    .option('--secure-threads <n>', `calls the TEE serves at once (default ${DEFAULT_SECURE_THREADS}, at most ` +
      `${MAX_SECURE_THREADS}); a busy TA gives the CPU back every ${TIME_SLICE_MS} ms, and calls past the count wait for a thread`)
    .option('--ta-path <dir>', 'also look for <uuid>.ta files in DIR, after the state directory\'s installed TAs ' +
      '(repeatable; as tee-supplicant\'s --ta-path)', (v: string, all: string[] = []) => [...all, v])
    .option('--plugin-path <dir>', 'load every file in DIR as a tee-supplicant plugin (a shared library exporting ' +
      'plugin_method) that TAs call with tee_invoke_supp_plugin() (repeatable; as tee-supplicant\'s --plugin-path)',
    (v: string, all: string[] = []) => [...all, v])
    .option('--exact-faults', 'exact PCs for TA memory faults (on with --trace; slower TA code)')
    .option('--seed <text>', 'deterministic randomness of TAs for repeatable runs (fuses stay random: see --seed-fuses)')
    .option('--virtual-clock', 'time starts at 0 and moves only as the device runs; TEE_Wait jumps ahead instead of ' +
      'sleeping (with --seed, runs repeat byte for byte)')
    .option('--seed-fuses', 'burn a NEW device\'s fuses from --seed as well: a predictable hardware unique key, tests only')
    .option('--huk <hex>', 'hardware unique key of a NEW device, 16 or 32 bytes as 32 or 64 hex digits (32 zeros: OP-TEE on QEMU; ' +
      'an existing device must match: fuses never change)')
    .option('--hardware-passphrase-file <file>', 'seal the device\'s fuses with the passphrase in FILE (or set ' +
      'TRUSTBOX_HARDWARE_PASSPHRASE); a sealed device needs it at every boot')
    .option('--trust <key.pem>', 'a new device trusts only TAs signed with this key (repeatable; recorded at first ' +
      'boot; without it a new device is a development device that trusts the public development keys)',
      (v: string, all: string[] = []) => [...all, v])
    .option('--restore <file>', 'restore a snapshot file (`trustbox snapshot`) instead of booting the firmware: memory, CPUs, ' +
      'TEE core, TA store and storage as they were; its seed, clock, fuses and trusted keys come with it (so no --seed, ' +
      '--virtual-clock, --seed-fuses, --huk or --trust); the state directory\'s hardware/, ta/, secure-storage/ and identity/ ' +
      'become the snapshot\'s')
    .addHelpText('after', BOOT_EXIT_CODES)
    .action((opts: BootOptions, cmd: Command) => bootCommand(opts, cmd));
}
