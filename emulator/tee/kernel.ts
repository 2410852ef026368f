/**
 * The Kernel port: exactly the services of the TEE core that syscall handlers and pseudo-TAs
 * use, and nothing else. Handlers get it through their `SyscallContext`, pseudo-TAs when they
 * are created; neither sees the core itself, its tables or the hardware unique key (keys come
 * out only as HUK subkeys, as OP-TEE's `huk_subkey_derive` gives them).
 *
 * Also here: `SecurePlatform`, what the core needs of the secure world's hardware (the device
 * implements it), so that the core depends on no device module.
 */
import type { MsgArg, MsgParam } from '../abi/optee-msg.js';
import type { CpuModel } from '../cpu/cpu.js';
import type { RandomSource } from '../host/crypto.js';
import type { Attester } from './attestation/attester.js';
import type { DeviceIdentity } from './identity.js';
import type { Clock } from '../trace/clock.js';
import type { DeriveSubkey } from './huk.js';
import type { TaParams } from './params.js';
import type { Property } from './properties.js';
import type { SecureMemory } from './secure-memory.js';
import type { CallContext, CallerTa, ClientIdentity, EntryResult, SecureThread, Session } from './service.js';
import type { RollbackAnchor } from './storage/anchor.js';

/** TEE time: seconds and milliseconds. */
export interface TeeTime {
  seconds: number;
  millis: number;
}

/** Result of opening a session: the entry result and, on success, the session. */
export interface OpenResult extends EntryResult {
  session?: Session;
}

/** The TA instance a syscall is made by, as the kernel's services need to know it. */
export interface KernelTa {
  readonly uuid: string;
  /** The engine running it, which the watchdog stops (its `uc_engine` handle). */
  readonly engineHandle: bigint;
  /** Milliseconds left of the time budget of the call it is serving. */
  readonly budgetLeftMs: number;
}

export interface Kernel {
  // ---- memory, randomness and keys
  /** Secure RAM pages (temporary buffers of TA-to-TA calls). */
  readonly memory: SecureMemory;
  readonly random: RandomSource;
  /** Subkeys of the hardware unique key; the HUK itself is never handed out. */
  readonly deriveKey: DeriveSubkey;
  /** The device identity key pair (signs and agrees keys; never hands its private key out). */
  readonly identity: DeviceIdentity;
  /** PSA attestation tokens and the TA-memory hash (attestation pseudo-TAs). */
  readonly attester: Attester;
  /** Replay-protected counters of secure storage, when the device has a state directory. */
  readonly rollbackAnchor: RollbackAnchor | undefined;

  // ---- the secure console
  /** Writes a line on the secure console. */
  log(line: string): void;
  /** A TA's log output, split into console lines. */
  taLog(text: string): void;
  /** Whether console lines reach anyone (a LOG syscall may skip decoding when not). */
  consoleHeard(): boolean;

  // ---- time, the watchdog and cancellation
  /** A call's time budget in ms (runs, waits and RPCs of one call together). */
  readonly watchdogMs: number;
  /** The device's clock (real, or virtual for reproducible runs: TEE_Wait then jumps ahead). */
  readonly clock: Clock;
  /** Time since boot (TEE_GetSystemTime). */
  systemTime(): TeeTime;
  /** The TA's persistent time, or undefined when it was never set. */
  taTime(uuid: string): TeeTime | undefined;
  setTaTime(uuid: string, t: TeeTime): void;
  /** REE time, asked from the normal world (OPTEE_RPC_CMD_GET_TIME). */
  reeTime(): SecureThread<TeeTime>;
  /** Whether the client asked to cancel the operation in progress on `session`. */
  isCancelled(session: Session): boolean;

  // ---- the normal world
  /** One RPC command to the normal world; returns the answered message. */
  rpcCmd(cmd: number, params: MsgParam[]): SecureThread<MsgArg>;
  /** A TA file as the TA sources give it (unverified; the attestation PTA reads its header). */
  fetchTa(uuid: string): SecureThread<Uint8Array>;
  /** A live view of NS shared memory [pa, pa + size); BAD_PARAMETERS outside it. */
  nsBuffer(pa: number, size: number): Uint8Array;

  // ---- sessions (the internal client API)
  openSession(uuid: string, client: ClientIdentity, params: TaParams, ctx: CallContext): SecureThread<OpenResult>;
  invokeCommand(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult>;
  closeSession(session: Session, ctx: CallContext): SecureThread<void>;
  /** dlopen() of a library TA into the calling TA instance (PTA_SYSTEM_DLOPEN); throws a TeeError. */
  dlopen?(ta: CallerTa, uuid: string): SecureThread<void>;
  /** dlsym() in the calling TA instance (PTA_SYSTEM_DLSYM): `uuid` undefined for dlopen(NULL)'s handle; throws a TeeError. */
  dlsym?(ta: CallerTa, uuid: string | undefined, name: string): number;

  // ---- properties
  /** A kernel-side property set (TEE implementation, current client, current TA). */
  properties(set: number, session: Session, taUuid: string): Property[] | undefined;
}

/** What the core needs of the secure world's hardware. */
export interface SecurePlatform {
  /** Secure RAM and its physical base. */
  readonly ram: Uint8Array;
  readonly ramBase: number;
  /** Non-secure shared memory (the normal world's side of every message) and its base. */
  readonly nsShm: Uint8Array;
  readonly nsShmBase: number;
  /** The OTP fuses: hardware unique key and die id. */
  readonly fuses: { readonly huk: Uint8Array; readonly dieId: Uint8Array };
  /** The CPU model TA engines emulate. */
  readonly cpuModel: CpuModel;
  /** Writes a line on the secure console (UART1). */
  log(line: string): void;
}
