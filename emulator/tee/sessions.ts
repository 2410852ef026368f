/**
 * Sessions and TA instances, with OP-TEE's instance rules: a session talks to a pseudo-TA, to
 * the live instance of a single-instance TA, or to a fresh instance; an instance whose last
 * session closed is destroyed unless it is a keep-alive singleton; an instance that died
 * answers TARGET_DEAD and is replaced, unless its flags keep it crashed.
 *
 * Sessions opened by the normal world are found by id here; sessions a TA opened to other
 * services belong to that TA instance (`taSessions`).
 */
import { TeeError } from '../abi/errors.js';
import { TEEC_ORIGIN_TEE } from '../abi/client-api.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_BUSY, TEE_ERROR_TARGET_DEAD, TEE_SUCCESS } from '../abi/results.js';
import { TA_FLAG_INSTANCE_KEEP_CRASHED } from '../abi/ta.js';
import type { EventBus } from '../trace/events.js';
import type { OpenResult } from './kernel.js';
import type { TaParams } from './params.js';
import { Session, type CallContext, type ClientIdentity, type EntryResult, type SecureThread, type TrustedService } from './service.js';
import { TaInstance } from './ta-instance.js';

/** Loads a fresh instance of a user TA (the TA loader). */
export type InstanceLoader = (uuid: string) => SecureThread<TaInstance>;

export class SessionManager {
  /** Sessions opened by the normal world, by id. */
  private readonly sessions = new Map<number, Session>();
  /** Live single-instance TAs by UUID. */
  private readonly singletons = new Map<string, TaInstance>();
  /** Sessions whose open entry is running (a CANCEL with session 0 looks here). */
  private readonly opening = new Set<Session>();
  private counter = 0;

  constructor(
    private readonly ptas: ReadonlyMap<string, TrustedService>,
    private readonly load: InstanceLoader,
    private readonly events: EventBus,
  ) {}

  /** A session id: a counter, never 0, wrapping within 31 bits. */
  private nextId(): number {
    this.counter = (this.counter % 0x7fffffff) + 1;
    return this.counter;
  }

  /** The last session id handed out (device snapshots: a restored device goes on from it). */
  get lastId(): number {
    return this.counter;
  }

  set lastId(id: number) {
    this.counter = id;
  }

  // ---- the normal world's sessions

  /** The normal world's session `id`; BAD_PARAMETERS when there is none. */
  get(id: number): Session {
    const s = this.sessions.get(id);
    if (!s) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `no session ${id}`);
    return s;
  }

  /** Records a session the normal world opened. */
  adopt(session: Session): void {
    this.sessions.set(session.id, session);
  }

  /** Forgets a normal-world session before it is closed. */
  forget(session: Session): void {
    this.sessions.delete(session.id);
  }

  /** The session a CANCEL names: by session id, or (id 0) the open with that cancel id. */
  cancelTarget(sessionId: number, cancelId: number): Session | undefined {
    if (sessionId !== 0) return this.sessions.get(sessionId);
    return cancelId !== 0 ? [...this.opening].find((s) => s.openCancelId === cancelId) : undefined;
  }

  // ---- open, invoke, close (for the normal world and the internal client API)

  /** Opens a session to `uuid` for `client` (from the normal world or a TA). */
  *open(uuid: string, client: ClientIdentity, params: TaParams, ctx: CallContext): SecureThread<OpenResult> {
    let service: TrustedService;
    try {
      service = yield* this.serviceFor(uuid);
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      this.emitSession('open', uuid, 0, error.code, error.origin);
      return { result: error.code, origin: error.origin };
    }
    const session = new Session(this.nextId(), service, client);
    const instance = service instanceof TaInstance ? service : undefined;
    instance?.sessions.add(session);
    session.openCancelId = ctx.cancelId ?? 0;
    session.cancelAt = ctx.cancelAt;
    this.opening.add(session);
    let r: EntryResult;
    try {
      r = yield* service.openSession(session, params, ctx);
    } finally {
      this.opening.delete(session);
      session.openCancelId = 0;
      session.cancelAt = undefined;
    }
    if (r.result !== TEE_SUCCESS) {
      instance?.sessions.delete(session);
      if (instance) yield* this.release(instance);
      this.emitSession('open', uuid, 0, r.result, r.origin);
      return r;
    }
    this.emitSession('open', uuid, session.id, r.result, r.origin);
    return { ...r, session };
  }

  *invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    if (session.closed) return { result: TEE_ERROR_BAD_STATE, origin: TEEC_ORIGIN_TEE };
    const t0 = this.events.wants('invoke') ? this.events.now() : 0;
    // Each operation has its own timeout (none from the normal world); it ends with the operation.
    session.cancelAt = ctx.cancelAt;
    let r: EntryResult;
    try {
      r = yield* session.service.invoke(session, cmd, params, ctx);
    } finally {
      session.cancelAt = undefined;
    }
    const service = session.service;
    if (service instanceof TaInstance && service.dead) yield* this.reap(service);
    if (this.events.wants('invoke')) {
      this.events.emit({
        type: 'invoke', uuid: service.uuid, session: session.id, cmd, result: r.result >>> 0, origin: r.origin,
        us: Math.round((this.events.now() - t0) * 1000),
      });
    }
    return r;
  }

  *close(session: Session, ctx: CallContext): SecureThread<void> {
    if (session.closed) return;
    session.closed = true;
    const service = session.service;
    yield* service.closeSession(session, ctx);
    if (service instanceof TaInstance) {
      service.sessions.delete(session);
      yield* this.release(service);
    }
    this.emitSession('close', service.uuid, session.id);
  }

  // ---- instances

  /** The service to open a session on: a pseudo-TA, the live singleton, or a fresh instance. */
  private *serviceFor(uuid: string): SecureThread<TrustedService> {
    const pta = this.ptas.get(uuid);
    if (pta) return pta;
    const single = this.singletons.get(uuid);
    if (single) {
      if (single.dead) throw new TeeError(TEE_ERROR_TARGET_DEAD, `TA ${uuid} crashed and is kept crashed`);
      if (single.busy) throw new TeeError(TEE_ERROR_BUSY, `TA ${uuid} is busy (a call into it is in progress)`);
      if (!single.multiSession && single.sessions.size > 0) {
        throw new TeeError(TEE_ERROR_BUSY, `TA ${uuid} is single-instance without multi-session and already has a session`);
      }
      return single;
    }
    const instance = yield* this.load(uuid);
    if (instance.singleInstance) this.singletons.set(uuid, instance);
    return instance;
  }

  /** Destroys an instance that has no sessions left, unless it is a live keep-alive singleton. */
  private *release(instance: TaInstance): SecureThread<void> {
    if (instance.dead) return yield* this.reap(instance);
    if (instance.sessions.size > 0) return;
    if (instance.singleInstance && instance.keepAlive) return;
    yield* this.destroy(instance);
  }

  /** Cleans up after an instance died: it no longer serves new sessions. */
  private *reap(instance: TaInstance): SecureThread<void> {
    if (this.singletons.get(instance.uuid) === instance && !(instance.flags & TA_FLAG_INSTANCE_KEEP_CRASHED)) {
      this.singletons.delete(instance.uuid);
    }
    yield* this.destroy(instance);
  }

  private *destroy(instance: TaInstance): SecureThread<void> {
    for (const s of [...instance.taSessions.values()]) {
      instance.taSessions.delete(s.id);
      yield* this.close(s, { callerTa: instance });
    }
    if (this.singletons.get(instance.uuid) === instance && !instance.dead) this.singletons.delete(instance.uuid);
    instance.destroy();
  }

  // ---- lifecycle

  /** Counts for `info` and tests. */
  stats(): { sessions: number; singletons: number } {
    return { sessions: this.sessions.size, singletons: this.singletons.size };
  }

  /** Live TA instances (for debuggers and attestation): every singleton and every session's. */
  instances(): TaInstance[] {
    const out = new Set<TaInstance>(this.singletons.values());
    for (const s of this.sessions.values()) if (s.service instanceof TaInstance) out.add(s.service);
    return [...out];
  }

  /** Forgets everything (system reset), destroying every instance. */
  reset(): void {
    for (const i of this.instances()) i.destroy();
    this.sessions.clear();
    this.singletons.clear();
    this.opening.clear();
  }

  private emitSession(action: 'open' | 'close', uuid: string, session: number, result?: number, origin?: number): void {
    if (!this.events.wants('session')) return;
    this.events.emit({
      type: 'session', action, uuid, session,
      ...(result !== undefined ? { result: result >>> 0 } : {}), ...(origin !== undefined ? { origin } : {}),
    });
  }
}
