/**
 * The package entry `trustbox-emulator` (package.json "exports" "."): `bootDevice(options)`
 * boots a device in a worker thread behind the API server on 127.0.0.1 (a free port) and the
 * Unix socket `<state>/api.sock`, exactly as `trustbox boot` serves one, and hands back a
 * client context connected with the device's token, both consoles, the event stream and
 * `powerOff()`. docs/testing.md shows it in use.
 *
 * It lives under cli/ because it sits on the top floor (it starts a server and uses the client
 * library); the floors of docs/architecture.md allow that only here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDevice, type Served } from '../api/serve.js';
import { TeecContext } from '../client/index.js';
import type { DeviceOptions } from '../device/device.js';
import type { DeviceEvent, WorldName } from '../trace/events.js';

export { TeecContext, TeecError, TeecOperation, TeecSession, TeecSharedMemory } from '../client/index.js';
export type { DeviceEvent, WorldName } from '../trace/events.js';

/** Options of `bootDevice`; each is passed to the device as DeviceOptions spells it. */
export interface BootOptions {
  /** Board name (default trustbox-edge). */
  board?: string;
  /** State directory to use (and keep); default: a new temporary one, removed by powerOff(). */
  stateDir?: string;
  /** Seed for deterministic randomness of TAs (default: the system CSPRNG). */
  seed?: string;
  /** Directories of `<uuid>.ta` files searched after the state directory (tee-supplicant's --ta-path). */
  taPaths?: string[];
  /** Directories of tee-supplicant plugins loaded at boot (tee-supplicant's --plugin-path). */
  pluginPaths?: string[];
  /** How long a TA may take for one call before the watchdog stops it, ms (default 10000). */
  watchdogMs?: number;
  /** Calls the TEE serves at once (default 4). */
  secureThreads?: number;
  /** PEM files of the keys a new device trusts to sign TAs (default: the public development keys). */
  trust?: string[];
  /** HUK of a new device, 32 or 64 hex digits (default: random fuses). */
  huk?: string;
  /** Build verbose events (SMCs, world switches, syscalls) for `events.on(..., { trace: true })`. */
  trace?: boolean;
  /** A virtual clock: with `seed`, two runs of the same script give byte-identical traces and results. */
  virtualClock?: boolean;
  /**
   * A snapshot file (`trustbox snapshot`, `snapshot()` written to a file) to restore instead of
   * booting the firmware; its seed, clock, fuses and trusted keys come with it.
   */
  restore?: string;
}

const KNOWN_OPTIONS = new Set(['board', 'stateDir', 'seed', 'taPaths', 'pluginPaths', 'watchdogMs', 'secureThreads', 'trust', 'huk', 'trace',
  'virtualClock', 'restore']);

/** One console line with the world that printed it. */
export interface ConsoleLine { world: WorldName; line: string }

/** Both consoles of the device: UART0 (normal world) and UART1 (secure world). */
export interface Consoles {
  /** Every line so far, of one world or of both in order. */
  lines(world?: WorldName): string[];
  /**
   * Resolves with the first line (already printed, or printed later) that matches `pattern`;
   * rejects after `timeoutMs` (default 5000) naming the pattern and the last lines.
   */
  waitFor(pattern: RegExp | string, options?: { world?: WorldName; timeoutMs?: number }): Promise<string>;
}

/** The device's event stream (docs/architecture.md, "Events"). */
export interface DeviceEvents {
  /**
   * Calls `listener` for each event from now on: console lines, boot, power, faults, panics and
   * TA loads; with `trace: true` (and the device booted with `trace`) every SMC, switch and
   * syscall too. Returns the function that unsubscribes.
   */
  on(listener: (event: DeviceEvent) => void, options?: { trace?: boolean }): () => void;
}

/** A booted device, served on `url`. */
export interface BootedDevice {
  /** A TEEC context on its own connection, made with the device's token. */
  context: TeecContext;
  consoles: Consoles;
  events: DeviceEvents;
  stateDir: string;
  /** ws://127.0.0.1:PORT */
  url: string;
  token: string;
  /** The admin credential (installTA, the trace); also in `<stateDir>/admin.json`. */
  admin: string;
  /** Another context on a new connection (`admin: true` adds the admin credential). */
  newContext(options?: { name?: string; admin?: boolean }): Promise<TeecContext>;
  /**
   * A snapshot of the whole device (both CPUs' state, memory, TEE core, TA store, storage) as
   * the bytes of a snapshot file (`trustbox boot --restore FILE` takes them written to a file).
   * Only a device at rest can be snapshot: it rejects while calls are in flight, sessions are
   * open or shared memory is registered, naming what is open. Keep-alive TA instances are not
   * kept (docs/testing.md).
   */
  snapshot(): Promise<Uint8Array>;
  /**
   * Puts the device back as `snapshot` was taken, in place, in a few ms: same URL, token and
   * state directory; its files, clock and random stream become the snapshot's. Rejects (and
   * changes nothing) for a damaged snapshot or one of another board, image or emulator build,
   * and while the device is not at rest.
   */
  restore(snapshot: Uint8Array): Promise<void>;
  /**
   * Closes every context made here, the server and the device; removes the state directory if
   * bootDevice made it. Safe to call twice.
   */
  powerOff(): Promise<void>;
}

function checkOptions(options: BootOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`bootDevice: unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
}

function deviceOptions(options: BootOptions, stateDir: string): DeviceOptions {
  const out: DeviceOptions = { stateDir };
  const { board, seed, taPaths, pluginPaths, watchdogMs, secureThreads, trust, huk, trace, virtualClock, restore } = options;
  if (board !== undefined) out.board = board;
  if (seed !== undefined) out.seed = seed;
  if (taPaths !== undefined) out.taPaths = [...taPaths];
  if (pluginPaths !== undefined) out.pluginPaths = [...pluginPaths];
  if (watchdogMs !== undefined) out.watchdogMs = watchdogMs;
  if (secureThreads !== undefined) out.secureThreads = secureThreads;
  if (trust !== undefined) out.trust = [...trust];
  if (huk !== undefined) out.huk = huk;
  if (trace !== undefined) out.trace = trace;
  if (virtualClock !== undefined) out.virtualClock = virtualClock;
  if (restore !== undefined) out.restore = restore;
  return out;
}

/** Records console lines and wakes the waiters of `waitFor`. */
class ConsoleLog implements Consoles {
  private readonly all: ConsoleLine[] = [];
  private readonly waiters = new Set<(l: ConsoleLine) => void>();

  add(l: ConsoleLine): void {
    this.all.push(l);
    for (const w of [...this.waiters]) w(l);
  }

  lines(world?: WorldName): string[] {
    return this.all.filter((l) => !world || l.world === world).map((l) => l.line);
  }

  waitFor(pattern: RegExp | string, options: { world?: WorldName; timeoutMs?: number } = {}): Promise<string> {
    const matches = (l: ConsoleLine) =>
      (!options.world || l.world === options.world) && (typeof pattern === 'string' ? l.line.includes(pattern) : pattern.test(l.line));
    const seen = this.all.find(matches);
    if (seen) return Promise.resolve(seen.line);
    const ms = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const waiter = (l: ConsoleLine) => {
        if (!matches(l)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(l.line);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const tail = this.all.slice(-5).map((l) => `  [${l.world}] ${l.line}`).join('\n');
        reject(new Error(`no console line matched ${String(pattern)} within ${ms} ms; the last lines:\n${tail}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }
}

/** Event listeners, and what the worker must forward for them. */
class EventHub implements DeviceEvents {
  private readonly listeners = new Map<(e: DeviceEvent) => void, boolean>();
  served: Served | undefined;

  emit(e: DeviceEvent): void {
    for (const [l, trace] of this.listeners) if (trace || !VERBOSE.has(e.type)) l(e);
  }

  on(listener: (event: DeviceEvent) => void, options: { trace?: boolean } = {}): () => void {
    this.listeners.set(listener, options.trace ?? false);
    this.refresh();
    return () => {
      this.listeners.delete(listener);
      this.refresh();
    };
  }

  /** Console lines always (the log keeps them); the trace only while someone asks for it. */
  refresh(): void {
    const trace = [...this.listeners.values()].some(Boolean);
    this.served?.host.forward('device-api', { console: true, trace });
  }
}

/** Events only a `trace: true` listener receives. */
const VERBOSE: ReadonlySet<string> = new Set(['smc', 'smc-return', 'world-switch', 'syscall', 'rpc', 'session', 'invoke']);

/** Boots a device and serves it (see the file header); rejects if the boot fails. */
export async function bootDevice(options: BootOptions = {}): Promise<BootedDevice> {
  checkOptions(options);
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'trustbox-device-'));
  const log = new ConsoleLog();
  const hub = new EventHub();
  const onEvent = (e: DeviceEvent) => {
    if (e.type === 'console') log.add({ world: e.world, line: e.line });
    hub.emit(e);
  };
  let served: Served;
  try {
    served = await serveDevice({ device: deviceOptions(options, stateDir), onEvent });
  } catch (error) {
    if (temporary) rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  hub.served = served;
  hub.refresh();
  const contexts: TeecContext[] = [];
  const newContext = async (o: { name?: string; admin?: boolean } = {}): Promise<TeecContext> => {
    const ctx = await TeecContext.initialize({
      url: served.url, token: served.token, name: o.name ?? 'bootDevice', client: o.name ?? 'bootDevice',
      ...(o.admin ? { admin: served.admin } : {}),
    });
    contexts.push(ctx);
    return ctx;
  };
  let context: TeecContext;
  try {
    context = await newContext();
  } catch (error) {
    await served.close().catch(() => {});
    if (temporary) rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  let off: Promise<void> | undefined;
  return {
    context, consoles: log, events: hub, stateDir, url: served.url, token: served.token, admin: served.admin, newContext,
    snapshot: async () => (await served.host.call('snapshot', {})).bytes,
    restore: async (snapshot) => {
      await served.host.call('restore', { bytes: snapshot });
    },
    powerOff() {
      off ??= (async () => {
        for (const c of contexts) c.connection.close();
        try {
          await served.close();
        } finally {
          if (temporary) rmSync(stateDir, { recursive: true, force: true });
        }
      })();
      return off;
    },
  };
}
