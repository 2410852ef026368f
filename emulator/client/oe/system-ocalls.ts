/**
 * TS host implementations of the system OCALLs our system EDLs declare (oe/edl/openenclave/edl):
 * the enclave's stdout/stderr, nanosleep, getpid, uname and the logging calls. A module's own
 * handler of the same name wins.
 */
import { OeResult } from './result.js';

/** Receives bytes an enclave writes to one of its streams. */
export type OeOutput = (bytes: Uint8Array) => void;

function processStream(fd: 1 | 2): OeOutput {
  const proc = (globalThis as { process?: { stdout?: { write(b: Uint8Array): unknown }; stderr?: { write(b: Uint8Array): unknown } } }).process;
  const stream = fd === 1 ? proc?.stdout : proc?.stderr;
  if (stream) return (b) => { stream.write(b); };
  return (b) => (fd === 1 ? console.log : console.error)(new TextDecoder().decode(b).replace(/\n$/, ''));
}

const EBADF = 9;

type Struct = Record<string, unknown>;

/** The handlers, writing through `options.stdout`/`stderr` (default: this process's streams). */
export function systemOcalls(options: { stdout?: OeOutput; stderr?: OeOutput }): Record<string, (...args: any[]) => unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = options.stdout ?? processStream(1);
  const err = options.stderr ?? processStream(2);
  const write = (fd: number, bytes: Uint8Array) => {
    if (fd === 1) out(bytes);
    else if (fd === 2) err(bytes);
    else throw Object.assign(new Error('bad file descriptor'), { errno: EBADF });
  };
  const text = (s: string) => new TextEncoder().encode(s);
  return {
    oe_syscall_write_ocall(fd: number, buf: Uint8Array | null, count: number): bigint {
      write(fd, (buf ?? new Uint8Array(0)).subarray(0, count));
      return BigInt(count);
    },
    async oe_syscall_nanosleep_ocall(req: Struct | null, rem: Struct | null): Promise<number> {
      const ms = req ? Number(req.tv_sec) * 1000 + Number(req.tv_nsec) / 1e6 : 0;
      await new Promise((r) => setTimeout(r, Math.max(0, ms)));
      if (rem) { rem.tv_sec = 0n; rem.tv_nsec = 0n; }
      return 0;
    },
    oe_syscall_getpid_ocall(): number {
      return (globalThis as { process?: { pid?: number } }).process?.pid ?? 1;
    },
    oe_syscall_uname_ocall(buf: Struct | null): number {
      if (buf) {
        buf.sysname = text('Linux');
        buf.nodename = text('trustbox');
        buf.release = text('trustbox');
        buf.version = text('Open Enclave on TrustBox');
        buf.machine = text('aarch64');
        buf.domainname = text('');
      }
      return 0;
    },
    oe_log_is_supported_ocall(): number { return OeResult.OE_OK; },
    oe_log_ocall(_level: number, message: string | null): number {
      if (message !== null) err(text(message.endsWith('\n') ? message : `${message}\n`));
      return OeResult.OE_OK;
    },
    oe_write_ocall(device: number, str: string | null, maxlen: number): void {
      if (str === null) return;
      const b = text(str).subarray(0, maxlen);
      (device === 1 ? err : out)(b);
    },
  };
}
