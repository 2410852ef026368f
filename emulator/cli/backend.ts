/**
 * Where `trustbox invoke` and `trustbox session` send their calls: a throwaway device booted in
 * this process, or (with the client API) a running device.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../device/device.js';
import type { ParamSpec, SpecResult } from './params.js';
import { SpecClient } from './spec-client.js';
import { parseTaContainer } from '../tee/loader/container.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_FORMAT } from '../abi/results.js';

export interface TeeBackend {
  open(uuid: string, params: ParamSpec[]): Promise<SpecResult>;
  invoke(session: number, cmd: number, params: ParamSpec[]): Promise<SpecResult>;
  close(session: number): Promise<void>;
  /** Makes a `.ta` file available to the device; returns its UUID. */
  addTaFile(path: string): Promise<string>;
  dispose(): Promise<void>;
}

/** The UUID a signed TA file declares in its bootstrap header. */
export function taFileUuid(bytes: Uint8Array, path: string): string {
  const c = parseTaContainer(bytes, path);
  if (!c.bootstrap) throw new TeeError(TEE_ERROR_BAD_FORMAT, `${path} has no bootstrap header, so it names no UUID`);
  return c.bootstrap.uuid;
}

export interface LocalBackendOptions {
  board?: string;
  image?: string;
  taPaths: string[];
  trace: boolean;
  watchdogMs?: number;
  exactFaults?: boolean;
  seed?: string;
  /** HUK of the throwaway device's fuses (hex; --huk). */
  huk?: string;
  /** A virtual clock (--virtual-clock): with --seed, runs repeat byte for byte. */
  virtualClock?: boolean;
}

/**
 * Temporary state directories of throwaway devices still on disk: removed on every way out of
 * the process (normal exit, an error, Ctrl-C, SIGTERM), since they hold the device's fuses.
 */
const throwaway = new Set<string>();
let exitHooked = false;

function removeThrowaway(): void {
  for (const dir of throwaway) rmSync(dir, { recursive: true, force: true });
  throwaway.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', removeThrowaway);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      removeThrowaway();
      process.exit(code);
    });
  }
}

/** A device booted in this process with a temporary state directory, gone when disposed or when the process ends. */
export class LocalBackend implements TeeBackend {
  readonly device: Device;
  private readonly client: SpecClient;
  private readonly stateDir: string;

  constructor(opts: LocalBackendOptions) {
    hookExit();
    this.stateDir = mkdtempSync(join(tmpdir(), 'trustbox-invoke-'));
    throwaway.add(this.stateDir);
    try {
      this.device = new Device({
        stateDir: this.stateDir, taPaths: opts.taPaths, trace: opts.trace,
        ...(opts.board ? { board: opts.board } : {}), ...(opts.image ? { imageDir: opts.image } : {}),
        ...(opts.watchdogMs ? { watchdogMs: opts.watchdogMs } : {}),
        ...(opts.exactFaults ? { exactFaultPcs: true } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.huk !== undefined ? { huk: opts.huk } : {}),
        ...(opts.virtualClock ? { virtualClock: true } : {}),
      });
    } catch (error) {
      this.removeState();
      throw error;
    }
    this.client = new SpecClient(this.device);
  }

  private removeState(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
    throwaway.delete(this.stateDir);
  }

  boot(): void {
    try {
      this.device.boot();
    } catch (error) {
      this.device.close();
      this.removeState();
      throw error;
    }
  }

  async open(uuid: string, params: ParamSpec[]): Promise<SpecResult> {
    return this.client.openSession(uuid, params);
  }

  async invoke(session: number, cmd: number, params: ParamSpec[]): Promise<SpecResult> {
    return this.client.invoke(session, cmd, params);
  }

  async close(session: number): Promise<void> {
    this.client.closeSession(session);
  }

  async addTaFile(path: string): Promise<string> {
    const bytes = readFileSync(path);
    const uuid = taFileUuid(bytes, path);
    this.device.taStore.addFile(uuid, bytes, path);
    return uuid;
  }

  async dispose(): Promise<void> {
    try {
      this.device.powerOff();
    } finally {
      this.removeState();
    }
  }
}
