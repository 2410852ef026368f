/**
 * The device's one typed event stream. Traces, the CLI, tests and teaching views all read it.
 * Every event carries `t`, milliseconds since the device was created.
 */
import { realClock, type Clock } from './clock.js';

export type WorldName = 'normal' | 'secure';

export interface ConsoleEvent { type: 'console'; world: WorldName; line: string }
export interface BootEvent { type: 'boot'; stage: string; detail: string }
export interface ReadyEvent { type: 'ready'; bootMs: number; board: string; osUuid?: string }
export interface PowerEvent { type: 'power'; state: 'on' | 'off' | 'reset'; reason: string }
/** An SMC from the normal world arriving at the monitor (emitted before it is served). */
export interface SmcEvent {
  type: 'smc';
  fid: number;
  name: string;
  fast: boolean;
  owner: string;
  /** a1..a7 */
  args: number[];
}
/** The monitor returning from an SMC to the normal world. */
export interface SmcReturnEvent {
  type: 'smc-return';
  fid: number;
  name: string;
  /** a0..a3 (or more) as returned. */
  result: number[];
  /** What a0 means: OK, an RPC request, unknown function. */
  outcome: string;
}
export interface WorldSwitchEvent { type: 'world-switch'; from: WorldName; to: WorldName; reason: string }
export interface FaultEvent {
  type: 'fault';
  world: WorldName;
  access: 'read' | 'write' | 'fetch';
  address: number;
  pc: number;
  region?: string;
  /** The explanation a person reads. */
  explanation: string;
}
export interface TaLoadEvent { type: 'ta-load'; uuid: string; size: number; signer: string; source: string; flags: string[] }
export interface SessionEvent {
  type: 'session';
  action: 'open' | 'close';
  uuid: string;
  session: number;
  result?: number;
  origin?: number;
}
export interface InvokeEvent { type: 'invoke'; uuid: string; session: number; cmd: number; result: number; origin: number; us: number }
export interface SyscallEvent {
  type: 'syscall';
  uuid: string;
  num: number;
  name: string;
  args: string[];
  result: number;
  resultName: string;
}
export interface PanicEvent { type: 'panic'; uuid: string; code: number; pc: number; taPc: number; reason: string }
export interface RpcEvent { type: 'rpc'; name: string; detail: string }
/** The host posted a request to the normal world (a client call, in mailbox slot `slot`). */
export interface RequestEvent { type: 'request'; slot: number; op: string; detail: string }
/** The normal world completed the request of `slot`. */
export interface RequestDoneEvent { type: 'request-done'; slot: number; status: number; ret: number; origin: number; smcCalls: number }
/** Events dropped because their reader fell behind (`where` names the hop), reported once it caught up. */
export interface LostEvent { type: 'lost'; count: number; where: string }
/**
 * The API server answered a client's operation (emitted by the server, not the device, when it
 * sends the answer): the operation, the client's name and address, and `ms`, host time from
 * the request frame's arrival to the answer (queueing, the device's work and the way back).
 */
export interface ApiEvent { type: 'api'; op: string; client: string; remote: string; ms: number }

export type DeviceEventBody =
  | ConsoleEvent | BootEvent | ReadyEvent | PowerEvent | SmcEvent | SmcReturnEvent | WorldSwitchEvent | FaultEvent
  | TaLoadEvent | SessionEvent | InvokeEvent | SyscallEvent | PanicEvent | RpcEvent | LostEvent | RequestEvent | RequestDoneEvent
  | ApiEvent;

export type DeviceEvent = DeviceEventBody & { t: number };

export type EventType = DeviceEvent['type'];

/** Events that are cheap and always produced; the rest only when someone listens for them. */
const ALWAYS: ReadonlySet<EventType> = new Set(['console', 'boot', 'ready', 'power', 'fault', 'panic', 'ta-load']);

type Listener = (event: DeviceEvent) => void;

/** A synchronous event bus. Listeners must not throw; a listener that does is dropped. */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  /** Verbose event kinds (syscalls, SMCs, world switches) are built only when this is true. */
  verbose = false;

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether building an event of this type is worth it right now. */
  wants(type: EventType): boolean {
    return this.listeners.size > 0 && (this.verbose || ALWAYS.has(type));
  }

  /**
   * `clock` times the events (a device's clock: real, or virtual for reproducible traces). A
   * device restored from a snapshot replaces it with the snapshot's (device/snapshot.ts).
   */
  constructor(public clock: Clock = realClock()) {}

  /** Milliseconds since the device was created. */
  now(): number {
    return this.clock.now();
  }

  emit(body: DeviceEventBody): void {
    if (!this.wants(body.type)) return;
    const event = { ...body, t: Math.round(this.now() * 1000) / 1000 } as DeviceEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
