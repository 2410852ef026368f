/**
 * Runs conformance cases one after another against a running device, each on a TEEC context of
 * its own (finalized afterwards, so sessions a failed case left open are closed), with a
 * per-case time limit so a hung device fails the case instead of hanging the run.
 */
import { randomBytes } from 'node:crypto';
import { TeecContext, TeecError, type TeeConnection } from '../../client/index.js';
import { CaseFailure, hex32, type ConformanceCase } from './case.js';
import type { CaseOutcome } from './junit.js';

/** How long one case may take (a TA call's watchdog is 10 s by default). */
export const CASE_TIMEOUT_MS = 30_000;

/** Cases whose id or name matches `pattern` (a regular expression, case-insensitive; or a plain id prefix). */
export function selectCases(cases: readonly ConformanceCase[], pattern?: string): ConformanceCase[] {
  if (!pattern) return [...cases];
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch (error) {
    throw new Error(`--filter ${pattern}: not a regular expression (${(error as Error).message})`);
  }
  return cases.filter((c) => re.test(`${c.id} ${c.name}`) || re.test(c.family));
}

function describeError(error: unknown): Pick<CaseOutcome, 'kind' | 'message' | 'type' | 'detail'> {
  if (error instanceof CaseFailure) return { kind: 'failure', message: error.message, type: 'CaseFailure', detail: error.message };
  if (error instanceof TeecError) {
    const message = `${error.message} (result ${hex32(error.result)}, origin ${error.origin}, code ${error.code})`;
    return { kind: 'error', message, type: 'TeecError', detail: error.stack ?? message };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'error', message: e.message, type: e.name, detail: e.stack ?? e.message };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseFailure(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one case on a fresh context of `conn`. */
export async function runCase(conn: TeeConnection, c: ConformanceCase, tag: string, timeoutMs = CASE_TIMEOUT_MS): Promise<CaseOutcome> {
  const start = performance.now();
  const base = { id: c.id, name: c.name, family: c.family };
  let context: TeecContext | undefined;
  try {
    context = await TeecContext.onConnection(conn, `conformance-${c.id}`);
    await withTimeout(c.run(context, tag), timeoutMs, `case ${c.id}`);
    return { ...base, ok: true, ms: performance.now() - start };
  } catch (error) {
    return { ...base, ok: false, ms: performance.now() - start, ...describeError(error) };
  } finally {
    if (context && !conn.closed) await context.finalize().catch(() => {});
  }
}

/** Runs `cases` in order; `onCase` sees each outcome as it comes. */
export async function runCases(conn: TeeConnection, cases: readonly ConformanceCase[], onCase: (o: CaseOutcome) => void): Promise<CaseOutcome[]> {
  // Objects a case stores are named with this tag, so runs against one device do not meet.
  const tag = randomBytes(6).toString('hex');
  const out: CaseOutcome[] = [];
  for (const c of cases) {
    const o = await runCase(conn, c, tag);
    out.push(o);
    onCase(o);
  }
  return out;
}
