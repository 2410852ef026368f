/**
 * `trustbox invoke` (one call) and `trustbox session` (a session driven by JSON lines on
 * standard input).
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { DeviceEvent } from '../trace/events.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_SUCCESS, hex32, resultName } from '../abi/results.js';
import { isUuid } from '../abi/uuid.js';
import { originName } from '../trace/format.js';
import { callTrees, renderTree } from '../trace/tree.js';
import { DEFAULT_BOARD } from '../machine/boards.js';
import { attachPrinter, eventPrinter } from './boot.js';
import { LocalBackend, type TeeBackend } from './backend.js';
import { RemoteBackend, wantsRemote } from './remote-backend.js';
import { definedOutputs, parseParamSpec, parseParamSpecs, resultToJson, type SpecResult } from './params.js';
import { TEEC_ORIGIN_API } from '../abi/client-api.js';

interface TargetOptions {
  uuid?: string;
  ta?: string;
  taPath: string[];
  board?: string;
  image?: string;
  /** true: the trace as lines while it happens; 'tree': each call's path as a tree at the end. */
  trace?: boolean | string;
  json?: boolean;
  watchdogMs?: string;
  exactFaults?: boolean;
  seed?: string;
  huk?: string;
  virtualClock?: boolean;
  state?: string;
  connect?: string;
  token?: string;
  tokenFile?: string;
  adminTokenFile?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Options that shape the throwaway device; a running device keeps what it was booted with. */
const THROWAWAY_ONLY: [keyof TargetOptions, string][] = [
  ['taPath', '--ta-path'], ['board', '--board'], ['image', '--image'], ['watchdogMs', '--watchdog-ms'],
  ['exactFaults', '--exact-faults'], ['seed', '--seed'], ['huk', '--huk'], ['virtualClock', '--virtual-clock'],
];

/**
 * Chooses the backend and the TA: `--uuid` or `--ta FILE`. `given` names the options the user
 * typed (as opposed to defaults). With --trace, human-readable lines go to standard output, or to
 * standard error when standard output carries JSON.
 */
async function connect(opts: TargetOptions, given: (name: string) => boolean): Promise<{ backend: TeeBackend; uuid: string; trees?: () => string[] }> {
  if (!opts.uuid === !opts.ta) throw new Error('give exactly one of --uuid UUID or --ta FILE');
  if (opts.trace !== undefined && opts.trace !== true && opts.trace !== 'tree' && opts.trace !== 'lines') {
    throw new Error(`--trace=${String(opts.trace)}: the formats are lines (the default) and tree`);
  }
  const tree = opts.trace === 'tree';
  const collected: DeviceEvent[] = [];
  const trees = tree ? () => callTrees(collected).flatMap((t) => [...renderTree(t), '']) : undefined;
  if (opts.uuid && !isUuid(opts.uuid)) throw new Error(`--uuid ${opts.uuid} is not a UUID`);
  const traceTo = opts.json ? process.stderr : process.stdout;
  if (wantsRemote(opts)) {
    const ignored = THROWAWAY_ONLY.filter(([key]) => given(key)).map(([, flag]) => flag);
    if (ignored.length) {
      throw new Error(`${ignored.join(', ')} ${ignored.length > 1 ? 'shape' : 'shapes'} the throwaway device; ` +
        'a running device (--state or --connect) keeps the settings it was booted with');
    }
    // Connected to a running device: --ta FILE is uploaded into its TA store first; --trace
    // follows the device's console and trace while this command runs (other clients' calls too).
    const remote = await RemoteBackend.connect(opts);
    if (opts.trace) {
      const print = tree ? (e: DeviceEvent) => collected.push(e) : eventPrinter({ trace: true, to: traceTo });
      await remote.subscribe({ console: true, trace: true }, (_stream, e) => print(e as unknown as DeviceEvent));
    }
    return { backend: remote, uuid: opts.ta ? await remote.addTaFile(opts.ta) : opts.uuid!.toLowerCase(), ...(trees ? { trees } : {}) };
  }
  const backend = new LocalBackend({
    board: opts.board ?? DEFAULT_BOARD, taPaths: opts.taPath, trace: opts.trace !== undefined,
    ...(opts.image ? { image: opts.image } : {}),
    ...(opts.watchdogMs ? { watchdogMs: Number(opts.watchdogMs) } : {}),
    ...(opts.exactFaults ? { exactFaults: true } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.huk !== undefined ? { huk: opts.huk } : {}),
    ...(opts.virtualClock ? { virtualClock: true } : {}),
  });
  // With --trace everything from the first boot line; otherwise only what happens after boot
  // (TA logs on the secure console, faults, panics), and nothing beside JSON output.
  if (tree) backend.device.events.on((e) => collected.push(e));
  else if (opts.trace) attachPrinter(backend.device, { trace: true, to: traceTo });
  backend.boot();
  if (!opts.trace && !opts.json) attachPrinter(backend.device, {});
  const uuid = opts.ta ? await backend.addTaFile(opts.ta) : opts.uuid!.toLowerCase();
  return { backend, uuid, ...(trees ? { trees } : {}) };
}

function printResult(given: SpecResult, json: boolean): void {
  const r = definedOutputs(given);
  if (json) {
    console.log(JSON.stringify(resultToJson(r)));
    return;
  }
  console.log(`result: ${hex32(r.result)} (${resultName(r.result)}), origin ${r.origin} (${originName(r.origin)})`);
  r.params.forEach((p, i) => {
    if (p.type === 'value') console.log(`param ${i}: value a=${p.a} b=${p.b}`);
    else if (p.type === 'memref') console.log(`param ${i}: memref size ${p.size}${p.data.length ? `: ${Buffer.from(p.data).toString('hex')}` : ''}`);
  });
}

async function invokeCommand(opts: TargetOptions & { cmd: string; param: string[] }, given: (name: string) => boolean): Promise<void> {
  const cmd = Number(opts.cmd);
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xffffffff) throw new Error('--cmd must be a 32-bit command id');
  const params = parseParamSpecs(opts.param);
  const { backend, uuid, trees } = await connect(opts, given);
  try {
    const open = await backend.open(uuid, []);
    if (open.result !== TEE_SUCCESS) {
      printResult(open, opts.json ?? false);
      process.exitCode = 3;
      return;
    }
    const r = await backend.invoke(open.session!, cmd, params);
    printResult(r, opts.json ?? false);
    await backend.close(open.session!);
    if (r.result !== TEE_SUCCESS) process.exitCode = 3;
  } finally {
    // Each call's path as a tree (--trace=tree): after the result, beside JSON on standard error.
    if (trees) (opts.json ? process.stderr : process.stdout).write(trees().join('\n'));
    await backend.dispose();
  }
}

async function sessionCommand(opts: TargetOptions, given: (name: string) => boolean): Promise<void> {
  const { backend, uuid } = await connect({ ...opts, json: true }, given);
  try {
    const open = await backend.open(uuid, []);
    if (open.result !== TEE_SUCCESS) {
      console.log(JSON.stringify(resultToJson(open)));
      process.exitCode = 3;
      return;
    }
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      console.log(JSON.stringify(await sessionRequest(backend, open.session!, line)));
    }
    await backend.close(open.session!);
  } finally {
    await backend.dispose();
  }
}

/** Serves one JSON request line; a malformed line gets an error answer and the session goes on. */
async function sessionRequest(backend: TeeBackend, session: number, line: string): Promise<object> {
  let request: { cmd?: unknown; params?: unknown };
  try {
    request = JSON.parse(line) as typeof request;
    if (typeof request !== 'object' || request === null) throw new Error('a request is a JSON object');
    if (typeof request.cmd !== 'number' || !Number.isInteger(request.cmd) || request.cmd < 0 || request.cmd > 0xffffffff) {
      throw new Error('"cmd" must be a 32-bit command id');
    }
    const specs = request.params ?? [];
    if (!Array.isArray(specs) || specs.length > 4 || specs.some((s) => typeof s !== 'string')) {
      throw new Error('"params" must be a list of at most 4 parameter specs');
    }
    const params = (specs as string[]).map(parseParamSpec);
    return resultToJson(await backend.invoke(session, request.cmd, params));
  } catch (error) {
    const code = error instanceof TeeError ? error.code : TEE_ERROR_BAD_PARAMETERS;
    const origin = error instanceof TeeError ? error.origin : TEEC_ORIGIN_API;
    return { result: hex32(code), origin, params: [], error: (error as Error).message };
  }
}

function targetOptions(cmd: Command): Command {
  return cmd
    .option('--uuid <uuid>', 'the TA to open')
    .option('--ta <file>', 'a signed .ta file to load (its header names the UUID)')
    .option('--ta-path <dir>', 'add a directory of <uuid>.ta files to the throwaway device\'s TA store (repeatable)', collect, [])
    .option('--board <name>', 'board of the throwaway device', DEFAULT_BOARD)
    .option('--image <dir>', 'image directory of the throwaway device')
    .option('--watchdog-ms <ms>', 'time budget of one call of the throwaway device (runs, waits and RPCs together)')
    .option('--exact-faults', 'exact PCs for TA memory faults in the throwaway device (on with --trace; slower TA code)')
    .option('--seed <text>', 'deterministic randomness for a repeatable run of the throwaway device')
    .option('--virtual-clock', 'a virtual clock in the throwaway device (TEE_Wait jumps ahead): with --seed and --huk, ' +
      'two runs print byte-identical traces and results')
    .option('--huk <hex>', 'hardware unique key of the throwaway device, 16 or 32 bytes as 32 or 64 hex digits ' +
      '(32 zeros: OP-TEE on QEMU, whose default TA encryption key it derives)')
    .option('--trace [format]', 'print world switches, SMCs, syscalls and RPCs as they happen (to standard error beside JSON ' +
      'output; with --state or --connect, the running device\'s console and trace while the command runs); ' +
      '--trace=tree prints each call\'s path as a tree with times instead')
    .option('--state <dir>', 'use the running device of this state directory (reads <dir>/endpoint.json, and <dir>/admin.json when readable)')
    .option('--connect <url>', 'use the running device at ws://HOST:PORT (token from --token-file, TRUSTBOX_TOKEN or --token)')
    .option('--token-file <file>', 'file holding the token for --connect (plain text, or an endpoint.json)')
    .option('--admin-token-file <file>', 'file holding the admin credential for --connect, needed by --ta and --trace (or TRUSTBOX_ADMIN_TOKEN)')
    .option('--token <token>', 'token for --connect (visible to other users in the process list: prefer --token-file or TRUSTBOX_TOKEN)');
}

/** Whether the user gave an option on the command line (not its default). */
function typed(cmd: Command): (name: string) => boolean {
  return (name) => cmd.getOptionValueSource(name) === 'cli';
}

export function registerInvokeCommands(program: Command): void {
  targetOptions(program.command('invoke'))
    .description('open a session, invoke one command, close, and print the result (in a throwaway device, or a running one with --state or --connect)')
    .requiredOption('--cmd <n>', 'command id')
    .option('--param <spec>', 'parameter, positional (repeatable): none, value-in:A,B, value-out, ' +
      'value-inout:A,B, memref-in:HEX, memref-out:SIZE, memref-inout:HEX', collect, [])
    .option('--json', 'print {"result":"0x...","origin":N,"params":[...]}')
    .action((opts, cmd: Command) => invokeCommand(opts, typed(cmd)));

  targetOptions(program.command('session'))
    .description('open one session and answer JSON requests {"cmd":N,"params":[SPEC,...]} from standard input, one per line')
    .action((opts, cmd: Command) => sessionCommand(opts, typed(cmd)));
}
