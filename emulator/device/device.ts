/**
 * One virtual TrustBox: boot ROM stage, secure monitor, secure world with the TEE core, and the
 * normal world running the REE firmware. Everything runs synchronously on the calling thread;
 * `DeviceHost` (host.ts) runs a device in a worker thread for servers.
 */
import { allocateHostRam, type Cpu } from '../cpu/cpu.js';
import { EngineRegistry } from '../cpu/engines.js';
import { hex, region, type Board } from '../machine/board.js';
import { DEFAULT_BOARD, SHM_LAYOUT, getBoard } from '../machine/boards.js';
import { Uart } from '../machine/uart.js';
import { Monitor } from '../monitor/monitor.js';
import { OPTEE_OS_UUID_STRING, OpteeDispatcher } from '../monitor/optee-dispatcher.js';
import { PsciService } from '../monitor/psci.js';
import { HostBridge, HB_OP_POWER_OFF } from '../ree/hostbridge.js';
import { Mailbox, type HbRequest, type HbResult } from '../ree/mailbox.js';
import { RequestFlow } from './request-flow.js';
import { Supplicant } from '../ree/supplicant.js';
import type { RpcAnswer, RpcCall } from '../abi/protocol.js';
import { TaStore } from '../ree/ta-store.js';
import { TeeClient } from '../ree/tee-client.js';
import { seededRandom, systemRandom, type RandomSource } from '../host/crypto.js';
import { TeeCore } from '../tee/core.js';
import type { DeviceIdentityInfo } from '../tee/identity.js';
import { DEFAULT_SECURE_THREADS, MAX_SECURE_THREADS } from '../tee/entry.js';
import type { TaIdentity } from '../tee/ta-sources/pipeline.js';
import { TeeError } from '../abi/errors.js';
import { describeTrust, resolveTrust, type DeviceTrust } from './trust.js';
import { TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_COMMUNICATION, TEE_ERROR_SECURITY } from '../abi/results.js';
import { EventBus } from '../trace/events.js';
import { realClock, virtualClock } from '../trace/clock.js';
import { DeviceDebug } from './debug.js';
import { defaultImageDir, loadImage, type BootImage } from './image.js';
import { measureNormalWorld, measureSecureBoot } from './measured-boot.js';
import { NormalWorld } from './normal-world.js';
import { SecureWorld } from './secure-world.js';
import { defaultStateDir, openHardware, parseHuk, prepareStateDir, type DeviceHardware } from './state.js';
import { lockStateDir, type StateLock } from './state-lock.js';
import { TEEC_ORIGIN_COMMS } from '../abi/client-api.js';

export interface DeviceOptions {
  /** Board name (default trustbox-edge). */
  board?: string;
  /** Image directory (default images/<board> of this project). */
  imageDir?: string;
  /** State directory (default ~/.local/state/trustbox/<board>). */
  stateDir?: string;
  /** Extra directories of `<uuid>.ta` files, searched after the state directory. */
  taPaths?: string[];
  /** Seed for deterministic randomness (tests); the system CSPRNG otherwise. */
  seed?: string;
  /** Build verbose events (SMCs, world switches, syscalls). */
  trace?: boolean;
  /** A call's time budget: how long a TA may take for one call (runs, waits and RPCs together) before the watchdog stops it, in ms. */
  watchdogMs?: number;
  /**
   * Exact PCs for TA memory faults (default: on with `trace`). A code hook over TA code: about
   * 1 ns per TA instruction (compute-heavy TAs run several times slower, SHA-256 ~5x); without
   * it a fault names its basic block's first PC.
   */
  exactFaultPcs?: boolean;
  /**
   * PEM files of the keys a new device trusts to sign TAs (recorded at first boot; see
   * trust.ts). Without them a new device trusts the public development keys.
   */
  trust?: string[];
  /** The HUK of a new device, 32 or 64 hex digits (16 bytes is OP-TEE's size; an existing device's fuses must match it). */
  huk?: string;
  /** Burn a new device's fuses from `seed` too (predictable HUK: tests only). Fuses are random otherwise. */
  seedFuses?: boolean;
  /** Passphrase that seals the device's fuse block (needed to boot a sealed device). */
  hardwarePassphrase?: string;
  /** Secure threads: calls the TEE serves at once (default 4, at most 64); more wait for one. */
  secureThreads?: number;
  /**
   * A virtual clock (trace/clock.ts): time starts at 0 and moves only as the device runs, and
   * TEE_Wait jumps ahead instead of sleeping; with `seed`, runs repeat byte for byte.
   */
  virtualClock?: boolean;
}

const KNOWN_OPTIONS = new Set(['board', 'imageDir', 'stateDir', 'taPaths', 'seed', 'trace', 'watchdogMs', 'exactFaultPcs', 'trust',
  'huk', 'seedFuses', 'hardwarePassphrase', 'secureThreads', 'virtualClock']);

/** Validates options up front: unknown keys and bad values are errors. */
export function checkDeviceOptions(options: DeviceOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`unknown device option "${key}"`);
  }
  if (options.watchdogMs !== undefined && !(options.watchdogMs > 0)) {
    throw new TypeError('watchdogMs must be a positive number of milliseconds');
  }
  if (options.huk !== undefined) parseHuk(options.huk);
  const threads = options.secureThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_SECURE_THREADS)) {
    throw new TypeError(`secureThreads must be a whole number from 1 to ${MAX_SECURE_THREADS}`);
  }
}

export interface BootReport {
  bootMs: number;
  board: string;
  osUuid: string;
}

/** Thrown when a request cannot reach the TEE (the normal world is down or busy). */
export class DeviceError extends Error {
  constructor(message: string, public readonly code = TEE_ERROR_COMMUNICATION, public readonly origin = TEEC_ORIGIN_COMMS) {
    super(message);
    this.name = 'DeviceError';
  }
}

export class Device {
  readonly events: EventBus;
  /**
   * Every CPU engine of the device (the normal world's, and one per TA instance), with
   * `created` / `closed` events. The TEE core passes it down to every TA instance it makes.
   */
  readonly engines = new EngineRegistry<Cpu>();
  /** Pause and resume, for debuggers (see `device/debug.ts`). */
  readonly debug = new DeviceDebug(this.engines, () => this.tee?.watchdog);
  readonly board: Board;
  readonly stateDir: string;
  readonly imageDir: string;
  readonly random: RandomSource;
  private readonly created = performance.now();
  private image: BootImage | undefined;
  private secure: SecureWorld | undefined;
  private normal: NormalWorld | undefined;
  private bridge: HostBridge | undefined;
  private mailbox: Mailbox | undefined;
  private tee: TeeCore | undefined;
  private supplicant: Supplicant | undefined;
  private teeClient: TeeClient | undefined;
  private trust: DeviceTrust | undefined;
  private tas: TaStore | undefined;
  private readyFlag = false;
  private probeOk = false;
  private flow: RequestFlow | undefined;
  private power: 'off' | 'on' = 'off';
  private bootReport: BootReport | undefined;
  private hardware: DeviceHardware | undefined;
  private lock: StateLock | undefined;

  constructor(readonly options: DeviceOptions = {}) {
    checkDeviceOptions(options);
    this.board = getBoard(options.board ?? DEFAULT_BOARD);
    this.imageDir = options.imageDir ?? defaultImageDir(this.board.name);
    this.stateDir = options.stateDir ?? defaultStateDir(this.board.name);
    this.random = options.seed !== undefined ? seededRandom(options.seed) : systemRandom;
    this.events = new EventBus(options.virtualClock ? virtualClock() : realClock());
    this.events.verbose = options.trace ?? false;
  }

  /** The TEE core (after boot). */
  get core(): TeeCore {
    if (!this.tee) throw new DeviceError('the device has not booted');
    return this.tee;
  }

  /** The GP-shaped client of this device (after boot). */
  get client(): TeeClient {
    if (!this.teeClient) throw new DeviceError('the device has not booted');
    return this.teeClient;
  }

  /**
   * Who serves the RPCs of client programs (Open Enclave ocalls): given the tag of the request
   * (RequestFlow.nextTag), an id and the call, returns true when it will answer through
   * `answerRpc`. Unset, those RPCs fail NOT_SUPPORTED.
   */
  set rpcSink(sink: ((tag: number | undefined, rpc: number, call: RpcCall) => boolean) | undefined) {
    const generic = this.supplicantService.generic;
    generic.sink = sink && ((slot, rpc, call) => sink(this.flow?.tagOf(slot), rpc, call));
  }

  /** The answer to RPC `rpc` (see rpcSink): its call resumes at the next pump. False when no such RPC waits. */
  answerRpc(rpc: number, answer: RpcAnswer): boolean {
    const slot = this.supplicant?.generic.answer(rpc, answer);
    if (slot === undefined) return false;
    this.mailbox?.setRpcWait(slot, false);
    this.flow?.rpcWait(slot, false);
    return true;
  }

  /** The host-side supplicant (after boot): storage and other RPC servers register here. */
  get supplicantService(): Supplicant {
    if (!this.supplicant) throw new DeviceError('the device has not booted');
    return this.supplicant;
  }

  /**
   * Installs a TA file into the device's TA store, after the secure world verified it with the
   * device's trusted keys. A TA of a UUID the store already has must come from the same signer
   * and have a ta_version no lower than the one it replaces (TEE_ERROR_SECURITY /
   * TEE_ERROR_ACCESS_CONFLICT, origin TEE, nothing stored).
   */
  installTa(bytes: Uint8Array): { uuid: string; path: string } {
    const core = this.core;
    const offered = core.vetTa(bytes);
    const current = this.taStore.find(offered.uuid);
    let installed: TaIdentity | undefined;
    try {
      installed = current ? core.vetTa(current.bytes) : undefined;
    } catch {
      installed = undefined; // a file this device cannot run may be replaced
    }
    if (installed && installed.signerId !== offered.signerId) {
      throw new TeeError(TEE_ERROR_SECURITY, `TA ${offered.uuid} is refused: the device's ${current!.source} copy is signed by ` +
        `${installed.signer}, and a TA may be replaced only by its own signer (this one is signed by ${offered.signer})`);
    }
    if (installed && offered.taVersion < installed.taVersion) {
      throw new TeeError(TEE_ERROR_ACCESS_CONFLICT, `TA ${offered.uuid} is refused: its ta_version ${offered.taVersion} is ` +
        `lower than the ${installed.taVersion} the device has (a rollback)`);
    }
    return { uuid: offered.uuid, path: this.taStore.install(offered.uuid, bytes) };
  }

  /** What the device trusts to sign TAs (after boot). */
  get trustedSigners(): DeviceTrust {
    if (!this.trust) throw new DeviceError('the device has not booted');
    return this.trust;
  }

  /** The normal world's TA store (after boot). */
  get taStore(): TaStore {
    if (!this.tas) throw new DeviceError('the device has not booted');
    return this.tas;
  }

  get isReady(): boolean {
    return this.readyFlag && this.power === 'on';
  }

  get report(): BootReport | undefined {
    return this.bootReport;
  }

  /** Runs the boot chain until the normal world waits for requests. Throws if boot fails. */
  boot(): BootReport {
    if (this.power === 'on') throw new Error('the device is already on');
    try {
      return this.bootChain();
    } catch (error) {
      this.releaseState();
      throw error;
    }
  }

  private bootChain(): BootReport {
    this.image = loadImage(this.imageDir, this.board.name);
    const moved = prepareStateDir(this.stateDir);
    this.lock ??= lockStateDir(this.stateDir);
    const seedFuses = this.options.seedFuses === true && this.options.seed !== undefined;
    const hardware = this.hardware = openHardware(this.stateDir, {
      random: seedFuses ? this.random : systemRandom, seeded: seedFuses,
      ...(this.options.huk !== undefined ? { huk: parseHuk(this.options.huk) } : {}),
      ...(this.options.hardwarePassphrase !== undefined ? { passphrase: this.options.hardwarePassphrase } : {}),
    });
    hardware.notes.unshift(...moved);
    const fuses = hardware.fuses;
    const dram = allocateHostRam(region(this.board, 'ns-dram').size);
    const shm = allocateHostRam(region(this.board, 'ns-shm').size);
    const uart0 = new Uart((line) => this.consoleLine('normal', line));
    const shmRegion = region(this.board, 'ns-shm');
    this.mailbox = new Mailbox(shm, SHM_LAYOUT.mailboxOffset, SHM_LAYOUT.slotCount);
    this.tas = new TaStore(this.stateDir, this.options.taPaths ?? [], this.image.tas);
    const supplicant = new Supplicant(this.tas, this.stateDir, shm, shmRegion.base, this.events);
    this.supplicant = supplicant;
    this.teeClient = new TeeClient(this, shm, shmRegion.base, SHM_LAYOUT.clientPoolOffset, SHM_LAYOUT.clientPoolSize);
    this.bridge = new HostBridge(
      shmRegion.base + SHM_LAYOUT.mailboxOffset, SHM_LAYOUT.slotCount,
      shmRegion.base + SHM_LAYOUT.firmwarePoolOffset, SHM_LAYOUT.firmwarePoolSize,
      shm.subarray(SHM_LAYOUT.queueOffset, SHM_LAYOUT.queueOffset + SHM_LAYOUT.queueSize), shmRegion.base + SHM_LAYOUT.queueOffset,
      {
        supplicantCall: (slot) => {
          if (supplicant.serve(this.mailbox!.rpcArgPa(slot), slot)) {
            this.mailbox!.setRpcWait(slot, true);
            this.flow?.rpcWait(slot, true);
          }
        },
        ready: () => { this.readyFlag = true; },
        probe: (ok) => { this.probeOk = ok; },
      });
    const bridge = this.bridge;
    this.secure = new SecureWorld(this.board, fuses, shm, (line) => this.consoleLine('secure', line));
    const secure = this.secure;
    this.logBootRom();
    const trust = resolveTrust(this.stateDir, this.options.trust);
    this.trust = trust;
    this.tee = new TeeCore(secure, this.events, this.random, {
      trustedKeys: trust.keys,
      watchdogMs: this.options.watchdogMs ?? 10_000,
      exactFaultPcs: this.options.exactFaultPcs ?? this.options.trace ?? false,
      rollbackAnchorPath: hardware.anchorPath,
      rollbackAnchorFuse: hardware.rpmb,
      engines: this.engines,
      secureThreads: this.options.secureThreads ?? DEFAULT_SECURE_THREADS,
    });
    measureSecureBoot(this.tee, this.image);
    const monitor = new Monitor(this.events, [
      new OpteeDispatcher(this.tee, {
        base: shmRegion.base + SHM_LAYOUT.firmwarePoolOffset, size: SHM_LAYOUT.firmwarePoolSize,
      }),
      new PsciService({
        systemOff: (reason) => this.powerDown('off', reason),
        systemReset: (reason) => this.powerDown('reset', reason),
      }),
    ]);
    secure.log('monitor: secure monitor (EL3) ready: SMCCC 1.1, PSCI 1.1, OP-TEE dispatcher');
    secure.log(`tee: TEE core up (OP-TEE 4.10 ABI), ${this.image.tas.size} TAs in the image`);
    secure.log(`tee: ${describeTrust(trust)}`);
    this.normal = new NormalWorld(this.board, { dram, shm }, {
      uartRead: (o) => uart0.read(o),
      uartWrite: (o, s, v) => uart0.write(o, s, v),
      bridgeRead: (o) => bridge.read(o),
      bridgeWrite: (o, s, v) => bridge.write(o, s, v),
      // Posted work the firmware has not taken; while calls are parked it may have no room.
      workPending: () => bridge.pending && bridge.parked === 0,
      explainFault: (line) => secure.log(line),
      engines: this.engines,
      beforeRun: () => this.debug.gate(),
    }, monitor, this.events);
    const normal = this.normal;
    this.flow = new RequestFlow(this.mailbox, bridge, {
      run: () => normal.run(),
      stopped: (stop) => this.afterStop(stop),
      nextWake: () => this.tee?.nextWake(),
      parkedThreads: () => this.tee?.parkedThreads ?? 0,
      events: this.events,
      error: (message, code) => new DeviceError(message, code),
    });
    return this.startNormalWorld();
  }

  /** A console line becomes an event only when someone listens (TA logs come on every call). */
  private consoleLine(world: 'normal' | 'secure', line: string): void {
    if (this.events.wants('console')) this.events.emit({ type: 'console', world, line });
  }

  private logBootRom(): void {
    const s = this.secure!;
    const img = this.image!;
    this.events.emit({ type: 'boot', stage: 'rom', detail: `board ${this.board.name}` });
    s.log(`boot ROM: TrustBox boot ROM on ${this.board.name} (${this.board.cpu})`);
    s.log(`boot ROM: image ${img.dir}: ${img.files.size} files match manifest.json (sha256)`);
    for (const line of this.hardware?.notes ?? []) s.log(line);
    s.log(`boot ROM: OTP fuses read from hardware/ (hardware unique key present, die id ${this.secure!.fuses.dieId.subarray(0, 4).toString('hex')}...); ` +
      `protected by the state folder's owner and modes${this.hardware?.sealed ? ' and the hardware passphrase' : ' only (not sealed)'}`);
    s.log(`boot ROM: secure RAM ${hex(s.ramBase)}, ${s.ram.length >> 20} MiB; normal world sees none of it`);
  }

  private startNormalWorld(): BootReport {
    const img = this.image!;
    const normal = this.normal!;
    this.readyFlag = false;
    normal.loadFirmware(img.firmware.bytes, img.firmware.load, img.firmware.entry);
    measureNormalWorld(this.tee!, img);
    this.secure!.log(`boot ROM: starting the normal world at ${hex(img.firmware.entry)} (NS-EL1): ${img.firmware.path}`);
    this.events.emit({ type: 'boot', stage: 'normal-world', detail: `entry ${hex(img.firmware.entry)}` });
    this.power = 'on';
    this.events.emit({ type: 'power', state: 'on', reason: 'boot' });
    const stop = normal.run();
    if (stop !== 'idle' || !this.readyFlag) {
      this.power = 'off';
      throw new DeviceError(`boot failed: the normal world ${stop === 'idle' ? 'went idle before it was ready' : `stopped (${stop})`}`);
    }
    if (!this.probeOk) throw new DeviceError('boot failed: the normal world did not find OP-TEE (see the console)');
    const bootMs = this.events.clock.virtual ? this.events.now() : performance.now() - this.created;
    this.bootReport = { bootMs, board: this.board.name, osUuid: OPTEE_OS_UUID_STRING };
    this.events.emit({ type: 'ready', bootMs, board: this.board.name, osUuid: OPTEE_OS_UUID_STRING });
    return this.bootReport;
  }

  private powerDown(state: 'off' | 'reset', reason: string): void {
    this.normal?.setPower(state);
    this.events.emit({ type: 'power', state, reason });
  }

  /**
   * Posts one request to the firmware through the host bridge and runs the normal world until
   * the firmware completes it (other requests in flight go on meanwhile).
   */
  request(req: HbRequest): HbResult {
    return this.requests().request(req);
  }

  /** The device's identity, public part only: the secure world derived it from the fuses. */
  identity(): DeviceIdentityInfo {
    if (!this.tee) throw new DeviceError('the device is off');
    return this.tee.identity.info;
  }

  submit(req: HbRequest, done: (result: HbResult | Error) => void): void {
    this.requests().submit(req, done);
  }

  runUntil(finished: () => boolean): void {
    if (finished()) return;
    this.requests().runUntil(finished);
  }

  /** The device's requests in flight, for callers that do not wait for each (the worker). */
  requests(): RequestFlow {
    if (this.power !== 'on' || !this.normal || !this.flow) throw new DeviceError('the device is off');
    return this.flow;
  }

  private afterStop(stop: string): void {
    if (stop === 'reset') {
      this.tee?.reset();
      this.startNormalWorld();
    } else {
      this.power = 'off';
    }
  }

  /** Asks the firmware to power off through PSCI and closes everything. */
  powerOff(): void {
    if (this.power === 'on' && this.normal) {
      try {
        this.request({ op: HB_OP_POWER_OFF });
      } catch {
        // The firmware powered off before completing the request: that is the expected path.
      }
    }
    this.power = 'off';
    this.close();
  }

  /** Frees the engines. */
  close(): void {
    this.power = 'off';
    this.tee?.close();
    this.normal?.close();
    this.tee = undefined;
    this.normal = undefined;
    this.secure = undefined;
    this.releaseState();
  }

  /** Lets another device boot on the state directory. */
  private releaseState(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  /** Milliseconds since the device object was created. */
  uptimeMs(): number {
    return performance.now() - this.created;
  }
}
