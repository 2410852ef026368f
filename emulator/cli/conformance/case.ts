/**
 * What a conformance case of `trustbox test` is, and the few checks cases make. A case talks
 * to a running device only through the client library (a TEEC context of its own), so it
 * tests what any client program would see: results, origins, parameters written back.
 */
import { TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS, TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import { TeecError, type TeecContext, type TeecResult, type TeecSession } from '../../client/index.js';

/** One numbered case, numbered by family like xtest: 1xxx core, 4xxx crypto, 5xxx client API, 6xxx storage. */
export interface ConformanceCase {
  /** e.g. "1001" */
  id: string;
  /** What it checks, one line. */
  name: string;
  /** The family, used as the JUnit testsuite name. */
  family: 'core' | 'crypto' | 'client-api' | 'storage';
  /** Throws a CaseFailure (or any error) when the device does not behave. */
  run(context: TeecContext, tag: string): Promise<void>;
}

/** A check that did not hold: the case failed (rather than broke). */
export class CaseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseFailure';
  }
}

const ORIGINS: Record<number, string> = {
  [TEEC_ORIGIN_API]: 'API', [TEEC_ORIGIN_COMMS]: 'COMMS', [TEEC_ORIGIN_TEE]: 'TEE', [TEEC_ORIGIN_TRUSTED_APP]: 'TRUSTED_APP',
};

/** 0xffff0008 */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function origin(n: number): string {
  return ORIGINS[n] ?? String(n);
}

/** Fails unless `got === want`. */
export function expectEqual<T>(what: string, got: T, want: T): void {
  if (got !== want) throw new CaseFailure(`${what}: got ${String(got)}, expected ${String(want)}`);
}

/** Fails unless two byte strings are equal (shown in hex). */
export function expectBytes(what: string, got: Uint8Array, want: Uint8Array): void {
  const g = Buffer.from(got).toString('hex');
  const w = Buffer.from(want).toString('hex');
  if (g !== w) throw new CaseFailure(`${what}: got ${g || '(empty)'}, expected ${w || '(empty)'}`);
}

/** Fails unless the call answered `result` (and `origin`, when given). */
export function expectResult(what: string, r: TeecResult, result: number, want?: number): void {
  if (r.result >>> 0 !== result >>> 0 || (want !== undefined && r.origin !== want)) {
    const expected = want === undefined ? hex32(result) : `${hex32(result)} origin ${origin(want)}`;
    throw new CaseFailure(`${what}: got ${hex32(r.result)} origin ${origin(r.origin)}, expected ${expected}`);
  }
}

/** Opens a session on `uuid`, runs `body`, closes the session whatever happens. */
export async function withSession<T>(context: TeecContext, uuid: string, body: (s: TeecSession) => Promise<T>): Promise<T> {
  const session = await context.openSession(uuid);
  try {
    return await body(session);
  } finally {
    await session.close().catch(() => {});
  }
}

/** The result and origin of an open that must fail; fails the case if the open succeeds. */
export async function openFails(context: TeecContext, uuid: string): Promise<TeecResult> {
  try {
    const s = await context.openSession(uuid);
    await s.close().catch(() => {});
  } catch (error) {
    if (error instanceof TeecError) return { result: error.result, origin: error.origin };
    throw error;
  }
  throw new CaseFailure(`TEEC_OpenSession ${uuid} succeeded; expected it to fail`);
}
