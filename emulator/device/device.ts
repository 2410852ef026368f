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
import { SupplicantPlugins } from '../ree/plugins.js';
import type { RpcAnswer, RpcCall } from '../abi/protocol.js';
import { TaStore } from '../ree/ta-store.js';
import { TeeClient } from '../ree/tee-client.js';
import { seededRandom, systemRandom, type RandomSource } from '../host/crypto.js';
import { TeeCore } from '../tee/core.js';
import type { DeviceIdentityInfo } from '../tee/identity.js';
import { DEFAULT_SECURE_THREADS } from '../tee/entry.js';
import type { TaIdentity } from '../tee/ta-sources/pipeline.js';
import { TeeError } from '../abi/errors.js';
import { describeTrust, type DeviceTrust } from './trust.js';
import { TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_BAD_STATE, TEE_ERROR_COMMUNICATION, TEE_ERROR_SECURITY } from '../abi/results.js';
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
import { checkDeviceOptions, type DeviceOptions } from './device-options.js';
import { decodeSnapshot, readSnapshotFile, snapshotBoard, SnapshotError } from './snapshot-file.js';
import { loadStateFiles, type DeviceSnapshot } from './snapshot.js';
import {
  checkSameDevice, checkSnapshotFits, finishRestore, notAtRest, randomOf, restoreMemory, restoreParts, reuseMemory, takeSnapshot, trustFor,
  type SnapshotParts, type TrustMemo,
} from './snapshot-device.js';

export { checkDeviceOptions, type DeviceOptions } from './device-options.js';

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
  private rng: RandomSource;
  /** The seed of a seeded random stream (the option's, or a restored snapshot's). */
  private seed: Uint8Array | undefined;
  private uart0: Uart | undefined;
  private memory: { dram: Uint8Array; shm: Uint8Array } | undefined;
  private readonly created = performance.now();
  private image: BootImage | undefined;
  private secure: SecureWorld | undefined;
  private normal: NormalWorld | undefined;
  private bridge: HostBridge | undefined;
  private mailbox: Mailbox | undefined;
  private tee: TeeCore | undefined;
  private supplicant: Supplicant | undefined;
  private plugins: SupplicantPlugins | undefined;
  private teeClient: TeeClient | undefined;
  private trust: DeviceTrust | undefined;
  private trustMemo: TrustMemo | undefined;
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
    this.board = getBoard(options.board ?? (options.restore !== undefined ? snapshotBoard(options.restore) : DEFAULT_BOARD));
    this.imageDir = options.imageDir ?? defaultImageDir(this.board.name);
    this.stateDir = options.stateDir ?? defaultStateDir(this.board.name);
    this.seed = options.seed !== undefined ? Buffer.from(options.seed, 'utf8') : undefined;
    this.rng = options.seed !== undefined ? seededRandom(options.seed) : systemRandom;
    this.events = new EventBus(options.virtualClock ? virtualClock() : realClock());
    this.events.verbose = options.trace ?? false;
  }

  /** Where the device's randomness comes from: the system CSPRNG, or a seeded stream (tests). */
  get random(): RandomSource {
    return this.rng;
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

  /**
   * Runs the boot chain until the normal world waits for requests, or, with the `restore`
   * option, restores its snapshot file instead of running the firmware. Throws if boot fails.
   */
  boot(): BootReport {
    if (this.power === 'on') throw new Error('the device is already on');
    try {
      const file = this.options.restore;
      return file === undefined ? this.bootChain() : this.bootChain(decodeSnapshot(readSnapshotFile(file), file, this.board), file);
    } catch (error) {
      this.releaseState();
      throw error;
    }
  }

  /**
   * A snapshot of the device at rest (device/snapshot.ts): refused with a DeviceError naming
   * what is open while calls are in flight, sessions are open or shared memory is registered.
   * Neither its clock nor its random stream moves.
   */
  snapshot(): DeviceSnapshot {
    const parts = this.parts();
    const busy = notAtRest(parts, 'take a snapshot');
    if (busy) throw new DeviceError(busy, TEE_ERROR_BAD_STATE);
    return takeSnapshot(parts);
  }

  /**
   * Puts the device back as `snapshot` was taken, without running the firmware: memory, CPU,
   * TEE core, state files, clock and random stream. Refused (DeviceError) while the device is
   * not at rest; a snapshot that does not fit (another board, image or emulator build) is
   * refused (SnapshotError) before anything changes. `name` names it in errors.
   */
  restore(snapshot: DeviceSnapshot, name = 'snapshot'): BootReport {
    if (snapshot.board !== this.board.name) throw new SnapshotError(`snapshot ${name}: it was taken on board ${snapshot.board}, this device is a ${this.board.name}`);
    if (this.power === 'on') {
      const busy = notAtRest(this.parts(), 'restore a snapshot');
      if (busy) throw new DeviceError(busy, TEE_ERROR_BAD_STATE);
    }
    if (this.image) checkSnapshotFits(snapshot, this.image, name);
    checkSameDevice(this.stateDir, snapshot, name);
    this.power = 'off';
    this.tee?.close(); // the normal world's engine and secure RAM are kept: bootChain reuses them
    try {
      return this.bootChain(snapshot, name);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The parts a snapshot is taken from (of a device that is on) or put back into (`assembling`: one being restored). */
  private parts(assembling = false): SnapshotParts {
    if ((!assembling && this.power !== 'on') || !this.tee || !this.normal || !this.flow) throw new DeviceError('the device is off');
    return {
      board: this.board.name, stateDir: this.stateDir, image: this.image!, core: this.tee, client: this.teeClient!, supplicant: this.supplicant!,
      flow: this.flow, normal: this.normal, uart0: this.uart0!, secureUart: this.secure!.console, memory: this.memory!, engines: this.engines,
      events: this.events, random: this.rng, seed: this.seed, report: this.bootReport ?? { bootMs: 0, osUuid: OPTEE_OS_UUID_STRING },
    };
  }

  private bootChain(snap?: DeviceSnapshot, name = 'snapshot'): BootReport {
    const started = performance.now();
    this.image = snap && this.image?.dir === this.imageDir ? this.image : loadImage(this.imageDir, this.board.name);
    if (snap) checkSnapshotFits(snap, this.image, name);
    const moved = prepareStateDir(this.stateDir);
    this.lock ??= lockStateDir(this.stateDir);
    if (snap) {
      checkSameDevice(this.stateDir, snap, name);
      loadStateFiles(this.stateDir, snap.dirs, snap.files);
      this.rng = randomOf(snap);
      this.seed = snap.random?.seed;
    }
    const seedFuses = !snap && this.options.seedFuses === true && this.options.seed !== undefined;
    const hardware = this.hardware = openHardware(this.stateDir, {
      random: seedFuses ? this.random : systemRandom, seeded: seedFuses,
      ...(this.options.huk !== undefined ? { huk: parseHuk(this.options.huk) } : {}),
      ...(this.options.hardwarePassphrase !== undefined ? { passphrase: this.options.hardwarePassphrase } : {}),
    });
    hardware.notes.unshift(...moved);
    const fuses = hardware.fuses;
    // A restore keeps the normal world's engine and the memory it maps, zeroed (snapshot-device.ts).
    const reused = snap && this.memory ? this.normal : undefined;
    if (reused) reuseMemory(this.memory!, this.secure!.ram);
    else this.memory = { dram: allocateHostRam(region(this.board, 'ns-dram').size), shm: allocateHostRam(region(this.board, 'ns-shm').size) };
    const { dram, shm } = this.memory!;
    if (snap) restoreMemory(snap, this.memory!); // before the host bridge reads its queue
    this.uart0 = new Uart((line) => this.consoleLine('normal', line));
    const shmRegion = region(this.board, 'ns-shm');
    this.mailbox = new Mailbox(shm, SHM_LAYOUT.mailboxOffset, SHM_LAYOUT.slotCount);
    this.tas = new TaStore(this.stateDir, this.options.taPaths ?? [], this.image.tas);
    this.plugins ??= new SupplicantPlugins(this.options.pluginPaths ?? [], (line) => this.consoleLine('normal', line), this.events);
    const supplicant = new Supplicant(this.tas, this.stateDir, shm, shmRegion.base, this.events, this.plugins);
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
    this.secure = new SecureWorld(this.board, fuses, shm, (line) => this.consoleLine('secure', line), reused && this.secure?.ram);
    const secure = this.secure;
    this.logBootRom();
    if (snap) secure.log(`boot ROM: restoring snapshot ${name} (taken ${snap.takenAt} by emulator ${snap.emulator}); the firmware is not run again`);
    this.trustMemo = trustFor(this.stateDir, this.options.trust, snap, this.trustMemo);
    const trust = this.trust = this.trustMemo.trust;
    this.tee = new TeeCore(secure, this.events, this.rng, {
      trustedKeys: trust.keys,
      watchdogMs: this.options.watchdogMs ?? 10_000,
      exactFaultPcs: this.options.exactFaultPcs ?? this.options.trace ?? false,
      rollbackAnchorPath: hardware.anchorPath,
      rollbackAnchorFuse: hardware.rpmb,
      engines: this.engines,
      secureThreads: this.options.secureThreads ?? DEFAULT_SECURE_THREADS,
    });
    if (!snap) measureSecureBoot(this.tee, this.image);
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
    // The devices are looked up at each access: a restored device keeps this engine (reuse).
    const fw = this.image.firmware;
    if (reused) reused.reuse(monitor, { begin: fw.load, end: fw.load + Math.ceil(fw.bytes.length / 0x1000) * 0x1000 });
    this.normal = reused ?? new NormalWorld(this.board, { dram, shm }, {
      uartRead: (o) => this.uart0!.read(o),
      uartWrite: (o, s, v) => this.uart0!.write(o, s, v),
      bridgeRead: (o) => this.bridge!.read(o),
      bridgeWrite: (o, s, v) => this.bridge!.write(o, s, v),
      // Posted work the firmware has not taken; while calls are parked it may have no room.
      workPending: () => this.bridge!.pending && this.bridge!.parked === 0,
      explainFault: (line) => this.secure!.log(line),
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
    return snap ? this.resumeNormalWorld(snap, started) : this.startNormalWorld();
  }

  /** The end of a restore: the firmware resumes where the snapshot left it, waiting for requests. */
  private resumeNormalWorld(snap: DeviceSnapshot, started: number): BootReport {
    restoreParts(this.parts(true), snap);
    this.readyFlag = true;
    this.probeOk = true;
    this.power = 'on';
    this.events.emit({ type: 'boot', stage: 'restore', detail: `snapshot taken ${snap.takenAt}` });
    this.events.emit({ type: 'power', state: 'on', reason: 'restore' });
    const bootMs = snap.clock.virtual ? snap.report.bootMs : performance.now() - started;
    this.bootReport = { bootMs, board: this.board.name, osUuid: OPTEE_OS_UUID_STRING };
    this.events.emit({ type: 'ready', bootMs, board: this.board.name, osUuid: OPTEE_OS_UUID_STRING });
    finishRestore({ engines: this.engines, random: this.rng, events: this.events }, snap);
    return this.bootReport;
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
    this.supplicant?.sockets.closeAll(); // the TAs' connections end with the secure world
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
    this.supplicant?.sockets.closeAll();
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
