/**
 * The TEE core: an OP-TEE-like trusted OS written in TypeScript. This class puts its parts
 * together and implements the Kernel port that syscall handlers and pseudo-TAs see:
 *
 *   entry.ts       entry from the monitor, secure threads, optee_msg translation
 *   sessions.ts    sessions and TA instances (OP-TEE's instance rules)
 *   ta-loader.ts   TA and library loading through the TA source pipeline (ta-sources/)
 *   rpc.ts         RPC to the normal world
 *   ns-memory.ts   the one checked view of non-secure shared memory and registered shm
 *   huk.ts         HUK subkeys (the HUK never leaves it)
 *
 * and three registries: syscall families (syscalls/families.ts), pseudo-TAs
 * (pta/registry.ts) and TA sources with container kinds (ta-sources/registry.ts).
 */
import { dirname, join } from 'node:path';
import { TeeError } from '../abi/errors.js';
import type { MsgArg, MsgParam } from '../abi/optee-msg.js';
import { TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED } from '../abi/results.js';
import type { Cpu } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import { preemptionProblem } from '../cpu/preempt.js';
import { Watchdog } from '../cpu/watchdog.js';
import type { RandomSource } from '../host/crypto.js';
import type { EventBus } from '../trace/events.js';
import { Attester, taComponent } from './attestation/attester.js';
import { MeasurementLog, type MeasurementEvent } from './attestation/measurements.js';
import { SealedRsaKey } from './attestation/rsa-key.js';
import { MessageEntry } from './entry.js';
import type { Clock } from '../trace/clock.js';
import { DeviceIdentity } from './identity.js';
import { hukSubkeys, type DeriveSubkey } from './huk.js';
import type { Kernel, OpenResult, SecurePlatform, TeeTime } from './kernel.js';
import type { TrustedKey } from './loader/container.js';
import { developmentKeys } from './loader/signing-keys.js';
import { NsSharedMemory } from './ns-memory.js';
import type { TaParams } from './params.js';
import {
  TEE_PROPSET_CURRENT_CLIENT, TEE_PROPSET_CURRENT_TA, TEE_PROPSET_TEE_IMPLEMENTATION, clientProperties,
  implementationProperties, taProperties, type Property,
} from './properties.js';
import { PSEUDO_TAS } from './pta/registry.js';
import { NormalWorldRpc } from './rpc.js';
import { SecureMemory } from './secure-memory.js';
import type { CallContext, CallerTa, ClientIdentity, EntryResult, SecureThread, Session, TrustedService } from './service.js';
import { SessionManager } from './sessions.js';
import { RollbackAnchor, type AnchorFuse } from './storage/anchor.js';
import { SYSCALL_FAMILIES } from './syscalls/families.js';
import { buildTable, type SyscallContext, type SyscallEntry } from './syscalls/table.js';
import { TaLoader } from './ta-loader.js';
import { TaInstance, type InstanceHost } from './ta-instance.js';
import { TaSourcePipeline, type TaIdentity } from './ta-sources/pipeline.js';
import { CONTAINER_KINDS, TA_SOURCES } from './ta-sources/registry.js';
import { taVersionStore } from './ta-sources/rollback.js';

export type { OpenResult } from './kernel.js';

export interface TeeCoreOptions {
  /** A call's time budget in ms: runs, waits and RPCs of one call together; then the watchdog stops the TA. */
  watchdogMs: number;
  /** Keys trusted to sign TAs (default: the development keys). */
  trustedKeys?: TrustedKey[];
  /** Make TA fault PCs exact (a code hook over TA code; slower). */
  exactFaultPcs?: boolean;
  /** Where the replay-protected rollback anchor of secure storage lives (the RPMB's part). */
  rollbackAnchorPath?: string;
  /** The OTP bit recording that the anchor was written (then a missing anchor is a rollback). */
  rollbackAnchorFuse?: AnchorFuse;
  /** The device's engine registry: every TA instance's engine joins it. */
  engines?: EngineRegistry<Cpu>;
  /** Calls the core serves at once (secure threads); default DEFAULT_SECURE_THREADS. */
  secureThreads?: number;
}

/**
 * What a device snapshot keeps of the core at rest (device/snapshot.ts): no call in progress,
 * no session open. TA instances are not kept: a restored core starts without any, as after a
 * boot, and loads them again at their next open.
 */
export interface CoreState {
  /** The last session id handed out, and the id of the next secure thread. */
  lastSession: number;
  nextThread: number;
  /** The RPC argument buffer in NS shared memory, once the normal world allocated it. */
  rpcArg?: { pa: number; cookie: bigint };
  /** Shared memory the normal world registered: (cookie, pa, size). */
  registeredShm: [bigint, number, number][];
  /** Where secure RAM's next-fit search starts. */
  secureNextFit: number;
  /** TA persistent time offsets (ms from the device clock), by UUID. */
  taTimes: [string, number][];
  /** The measured boot's log, in order (replayed into the register). */
  measurements: MeasurementEvent[];
  /** The EAT boot seed of this boot. */
  bootSeed: Uint8Array;
}

/** Secure memory kept for the core itself (its "image and heap"). */
const CORE_RESERVED = 1 << 20;

export class TeeCore implements Kernel, InstanceHost {
  readonly memory: SecureMemory;
  readonly watchdog = new Watchdog();
  readonly watchdogMs: number;
  readonly syscalls: readonly SyscallEntry[];
  readonly keys: readonly TrustedKey[];
  readonly deriveKey: DeriveSubkey;
  /** The device identity key pair, derived from the fuses; its private key never leaves it. */
  readonly identity: DeviceIdentity;
  /** Measured boot: the measurement register and its event log (boot stages, then each TA loaded). */
  readonly measurements = new MeasurementLog();
  /** PSA tokens signed by the identity key (attestation PTAs, the `attest` operation). */
  readonly attester: Attester;
  readonly rollbackAnchor: RollbackAnchor | undefined;
  /**
   * Cancellation flags posted from outside the device thread (the device host's shared
   * array): whether the operation in progress on a session is to be cancelled.
   */
  cancelFlags: ((session: Session) => boolean) | undefined;
  private readonly ns: NsSharedMemory;
  private readonly rpc: NormalWorldRpc;
  private readonly sessions: SessionManager;
  private readonly entry: MessageEntry;
  private readonly taTimes = new Map<string, number>();
  private readonly implProps: Property[];
  private readonly pipeline: TaSourcePipeline;
  private readonly loader: TaLoader;

  constructor(
    private readonly platform: SecurePlatform,
    readonly events: EventBus,
    readonly random: RandomSource,
    options: TeeCoreOptions,
  ) {
    this.memory = new SecureMemory(platform.ram, platform.ramBase, CORE_RESERVED);
    this.watchdogMs = options.watchdogMs;
    this.deriveKey = hukSubkeys(platform.fuses.huk);
    this.identity = new DeviceIdentity(this.deriveKey);
    // The attestation PTA's RSA key is sealed beside the rollback anchor, in the hardware/ part.
    const rsaPath = options.rollbackAnchorPath ? join(dirname(options.rollbackAnchorPath), 'attestation-rsa.sealed') : undefined;
    this.attester = new Attester(this.identity, this.measurements, random.bytes(32),
      new SealedRsaKey(rsaPath, this.deriveKey('attestationKeySeal'), random, (line) => this.log(line)));
    this.rollbackAnchor = options.rollbackAnchorPath
      ? new RollbackAnchor(options.rollbackAnchorPath, this.deriveKey('storageAnchor'), options.rollbackAnchorFuse, (line) => this.log(line))
      : undefined;
    this.keys = options.trustedKeys ?? developmentKeys();
    const families = new Map<number, SyscallEntry>();
    for (const f of SYSCALL_FAMILIES) for (const [n, e] of f) families.set(n, e);
    this.syscalls = buildTable(families);
    this.implProps = implementationProperties(platform.fuses.dieId);
    this.ns = new NsSharedMemory(platform.nsShm, platform.nsShmBase);
    this.rpc = new NormalWorldRpc(this.ns, events);
    const log = (line: string): void => this.log(line);
    const pipeline = this.pipeline = new TaSourcePipeline({
      sources: TA_SOURCES.map((make) => make({ rpc: this.rpc, ns: this.ns })), kinds: CONTAINER_KINDS, keys: this.keys, context: this, log,
      versions: taVersionStore(this.deriveKey, options.rollbackAnchorPath, this.rollbackAnchor),
    });
    const loader = this.loader = new TaLoader({
      pipeline, memory: this.memory, model: platform.cpuModel, host: this, events,
      exactFaultPcs: options.exactFaultPcs ?? false, log, measured: (ta) => this.measurements.extend(taComponent(ta)), ...(options.engines ? { engines: options.engines } : {}),
    });
    const ptas = new Map<string, TrustedService>(PSEUDO_TAS.map((p) => [p.uuid, p.create(this)]));
    this.sessions = new SessionManager(ptas, (uuid) => loader.load(uuid), events);
    this.entry = new MessageEntry(this.ns, this.sessions, log, options.secureThreads);
    const preempt = preemptionProblem();
    if (preempt) this.log(`W/TC: ${preempt}`);
  }

  *dlopen(ta: CallerTa, uuid: string): SecureThread<void> {
    if (!(ta instanceof TaInstance)) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'dlopen() needs a user TA instance');
    yield* this.loader.dlopen(ta, uuid);
  }

  dlsym(ta: CallerTa, uuid: string | undefined, name: string): number {
    if (!(ta instanceof TaInstance)) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'dlsym() needs a user TA instance');
    return this.loader.dlsym(ta, uuid, name);
  }

  /** Secure threads: how many calls the core serves at once (OPTEE_SMC_GET_THREAD_COUNT). */
  get threadCount(): number {
    return this.entry.maxThreads;
  }

  /** When the earliest parked call wants the CPU again, or undefined if none is parked. */
  nextWake(): number | undefined {
    return this.entry.nextWake();
  }

  /** Calls whose secure threads gave the CPU back and wait to be resumed. */
  get parkedThreads(): number {
    return this.entry.parkedCount;
  }

  // ---- entry from the monitor (the OP-TEE dispatcher's TeeEntry)

  callWithArg(args: readonly number[]): number[] {
    return this.entry.callWithArg(args);
  }

  returnFromRpc(args: readonly number[]): number[] {
    return this.entry.returnFromRpc(args);
  }

  // ---- the Kernel port

  log(line: string): void {
    this.platform.log(line);
  }

  /** A TA's log output goes to the secure console, line by line, as OP-TEE prints it. */
  taLog(text: string): void {
    const nl = text.indexOf('\n');
    if (nl < 0 || nl === text.length - 1) {
      this.platform.log(nl < 0 ? text : text.slice(0, nl)); // the usual case: one line
      return;
    }
    for (const line of text.replace(/\n$/, '').split('\n')) this.platform.log(line);
  }

  /** Console lines become console events, and nothing else reads them. */
  consoleHeard(): boolean {
    return this.events.wants('console');
  }

  isCancelled(session: Session): boolean {
    return session.cancelRequested || (session.cancelAt !== undefined && this.clock.peek() >= session.cancelAt)
      || (this.cancelFlags?.(session) ?? false);
  }

  get clock(): Clock {
    return this.events.clock;
  }

  systemTime(): TeeTime {
    return split(this.events.clock.now());
  }

  taTime(uuid: string): TeeTime | undefined {
    const offset = this.taTimes.get(uuid);
    return offset === undefined ? undefined : split(this.events.clock.now() + offset);
  }

  setTaTime(uuid: string, t: TeeTime): void {
    this.taTimes.set(uuid, t.seconds * 1000 + t.millis - this.events.clock.now());
  }

  reeTime(): SecureThread<TeeTime> {
    return this.rpc.reeTime();
  }

  rpcCmd(cmd: number, params: MsgParam[]): SecureThread<MsgArg> {
    return this.rpc.cmd(cmd, params);
  }

  *fetchTa(uuid: string): SecureThread<Uint8Array> {
    for (const make of TA_SOURCES) {
      const found = yield* make({ rpc: this.rpc, ns: this.ns }).find(uuid);
      if (found) return found.bytes;
    }
    throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `TA ${uuid} was not found in any TA source`);
  }

  nsBuffer(pa: number, size: number): Uint8Array {
    return this.ns.buffer(pa, size);
  }

  openSession(uuid: string, client: ClientIdentity, params: TaParams, ctx: CallContext): SecureThread<OpenResult> {
    return this.sessions.open(uuid, client, params, ctx);
  }

  invokeCommand(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    return this.sessions.invoke(session, cmd, params, ctx);
  }

  closeSession(session: Session, ctx: CallContext): SecureThread<void> {
    return this.sessions.close(session, ctx);
  }

  properties(set: number, session: Session, taUuid: string): Property[] | undefined {
    switch (set >>> 0) {
      case TEE_PROPSET_TEE_IMPLEMENTATION: return this.implProps;
      case TEE_PROPSET_CURRENT_CLIENT: return clientProperties(session);
      case TEE_PROPSET_CURRENT_TA: return taProperties(taUuid);
      default: return undefined;
    }
  }

  // ---- installation

  /**
   * Verifies a TA file offered for installation with the device's trusted keys (the secure
   * world decides, before the normal world stores it); answers its UUID, version and signer.
   */
  vetTa(bytes: Uint8Array): TaIdentity {
    return this.pipeline.vet(bytes);
  }

  // ---- for TA instances (InstanceHost)

  syscallContext(instance: TaInstance, session: Session): SyscallContext {
    return { kernel: this, instance, session };
  }

  // ---- lifecycle

  /** Counts for `info` and tests. */
  stats(): { sessions: number; singletons: number; threads: number; freeSecurePages: number } {
    return { ...this.sessions.stats(), threads: this.entry.threadCount, freeSecurePages: this.memory.freePages() };
  }

  /** Live TA instances (debuggers, attestation). */
  instances(): readonly TaInstance[] {
    return this.sessions.instances();
  }

  /** The core's state for a device snapshot (see CoreState); the caller checked it is at rest. */
  saveState(): CoreState {
    const arg = this.rpc.argBuffer;
    return {
      lastSession: this.sessions.lastId, nextThread: this.entry.nextThreadId, ...(arg ? { rpcArg: arg } : {}),
      registeredShm: this.ns.registrations(), secureNextFit: this.memory.nextFit, taTimes: [...this.taTimes],
      measurements: this.measurements.events().map((e) => ({ ...e, digest: Buffer.from(e.digest) })),
      bootSeed: Uint8Array.from(this.attester.bootSeed),
    };
  }

  /** Takes a snapshot's state, on a core just made and never entered (device restore). */
  loadState(s: CoreState): void {
    this.sessions.lastId = s.lastSession;
    this.entry.nextThreadId = s.nextThread;
    this.rpc.argBuffer = s.rpcArg;
    for (const [cookie, pa, size] of s.registeredShm) this.ns.register(cookie, pa, size);
    this.memory.nextFit = s.secureNextFit;
    this.taTimes.clear();
    for (const [uuid, offset] of s.taTimes) this.taTimes.set(uuid, offset);
    this.measurements.reset();
    for (const e of s.measurements) this.measurements.extend(e);
    this.attester.bootSeed.set(s.bootSeed.subarray(0, this.attester.bootSeed.length));
  }

  /** Forgets everything (system reset): sessions, instances, threads, shared memory. */
  reset(): void {
    this.sessions.reset();
    this.entry.reset();
    this.ns.clear();
    this.rpc.reset();
  }

  close(): void {
    this.reset();
    this.watchdog.close();
  }
}

function split(ms: number): TeeTime {
  return { seconds: Math.floor(ms / 1000), millis: Math.floor(ms % 1000) };
}
