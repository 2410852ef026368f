/**
 * `trustbox oe edger8r` output: the C files compile for both sides (aarch64 enclave side with
 * -fsyntax-only, host side with gcc), the CLI's messages and exit codes, and layout parity
 * between the TS marshalling and the generated C (a host C program calls the generated ecall
 * proxy with a fake oe_call_enclave_function that dumps the input buffer).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEdger8r } from '../../emulator/cli/oe/edger8r-command.js';

const ROOT = resolve(__dirname, '../..');
const FIX = join(ROOT, 'test/oe/fixtures-edl');
const SEARCH = [join(ROOT, 'oe/edl'), join(ROOT, 'oe/edl/openenclave/edl/sgx')];
const hasCross = spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0;
const hasGcc = spawnSync('gcc', ['--version']).status === 0;

function gen(file: string, extra: Record<string, unknown> = {}): { dir: string; log: string[]; err: string[]; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'edl-gen-'));
  const log: string[] = [];
  const err: string[] = [];
  const status = runEdger8r([file], { searchPath: SEARCH, trustedDir: join(dir, 't'), untrustedDir: join(dir, 'u'), untrustedTs: join(dir, 'ts'), ...extra }, (s) => log.push(s), (s) => err.push(s));
  return { dir, log, err, status };
}

function cc(compiler: string, dir: string, file: string): void {
  const r = spawnSync(compiler, ['-fsyntax-only', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-Wno-unused-function', '-I', join(ROOT, 'oe/include'), '-I', dir, join(dir, file)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} ${file}:\n${r.stderr}`);
}

describe('edger8r C output', () => {
  it('prints Processing/Success and writes both sides', () => {
    const { dir, log, status } = gen(join(FIX, 'all.edl'));
    expect(status).toBe(0);
    expect(log).toEqual([`Processing ${join(FIX, 'all.edl')}.`, 'Success.']);
    for (const f of ['t/all_args.h', 't/all_t.h', 't/all_t.c', 'u/all_args.h', 'u/all_u.h', 'u/all_u.c', 'ts/all_u.ts']) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it.skipIf(!hasCross)('enclave side compiles for aarch64', () => {
    const { dir } = gen(join(FIX, 'all.edl'));
    cc('aarch64-linux-gnu-gcc', join(dir, 't'), 'all_t.c');
  });

  it.skipIf(!hasCross)('enclave side compiles with the TA flags and the enclave libc headers', () => {
    const { dir } = gen(join(FIX, 'all.edl'));
    const gccInclude = execFileSync('aarch64-linux-gnu-gcc', ['-print-file-name=include'], { encoding: 'utf8' }).trim();
    const r = spawnSync('aarch64-linux-gnu-gcc', ['-std=gnu11', '-Os', '-fpic', '-ffreestanding', '-fno-builtin', '-nostdinc', '-isystem', gccInclude,
      '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-I', join(ROOT, 'oe/include/openenclave/corelibc'), '-I', join(ROOT, 'firmware/ta-devkit/include'),
      '-I', join(ROOT, 'oe/include'), '-I', join(dir, 't'), '-fsyntax-only', join(dir, 't', 'all_t.c')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasGcc)('host side compiles with gcc', () => {
    const { dir } = gen(join(FIX, 'all.edl'));
    cc('gcc', join(dir, 'u'), 'all_u.c');
  });
});

// ---- layout parity: TS marshalling vs the generated C, byte for byte ----

import { loadEdl } from '../../emulator/cli/oe/edl/loader.js';
import { generateTs } from '../../emulator/cli/oe/edl/gen-ts.js';
import { marshalCall, marshalReturn, unmarshalCall, unmarshalReturn } from '../../emulator/client/oe/marshal.js';
import type { EnclaveSpec } from '../../emulator/client/oe/enclave.js';

/** Equal, except 8-byte words where TS wrote the non-NULL flag 1 and C a real (non-zero) pointer. */
function sameModuloPointers(ts: Uint8Array, c: Uint8Array): boolean {
  if (ts.length !== c.length) return false;
  const tv = new DataView(ts.buffer, ts.byteOffset, ts.length), cv = new DataView(c.buffer, c.byteOffset, c.length);
  for (let i = 0; i + 8 <= ts.length; i += 8) {
    const t = tv.getBigUint64(i, true), x = cv.getBigUint64(i, true);
    if (t === x || (t === 1n && x !== 0n)) continue;
    return false;
  }
  return true;
}

const enc = (s: string) => new TextEncoder().encode(s);

/** The same ECALL implementations as parity_impl.c, over the TS values. */
const tsImpls: Record<string, (...a: any[]) => unknown> = { // eslint-disable-line @typescript-eslint/no-explicit-any
  hello(s: string, outs: number[], n: number, p: { x: number; y: number }) {
    for (let i = 0; i < n; i++) outs[i] = 10 * i + 7;
    p.x += 100;
    p.y = enc(s).length;
    return 42;
  },
  arrays(a: number[], b: number[], c: Uint8Array) {
    for (let i = 0; i < 6; i++) b[i] = a[i % 4]! * ((i % 3) + 2);
    for (let k = 0; k < 5; k++) c[k] = c[k]! + 3;
  },
  sizes() {},
  seal_data(policy: number, msg: Uint8Array, len: number, sealed: { data: Uint8Array | null; size: number }) {
    sealed.size = len + 4;
    sealed.data = new Uint8Array(sealed.size).map((_, i) => msg[i % len]! ^ policy);
    return 7;
  },
  unseal_data(sealed: { data: Uint8Array; size: number }, out: { data: Uint8Array | null; size: number }) {
    out.size = sealed.size;
    out.data = sealed.data.map((x) => (x + 1) & 0xff);
    return 9;
  },
  paint(p: { x: number; y: number }, u: { i: number }, arrs: { n: number; items: number[]; name: Uint8Array }[]) {
    return p.x + p.y + u.i + arrs[0]!.n + arrs[1]!.items[0]! + arrs[0]!.name[1]!;
  },
  wide() {},
  mix(a: number, b: number, c: bigint, d: number, e: boolean) {
    return BigInt(a) + BigInt(b) + BigInt.asUintN(64, c) + BigInt(Math.trunc(d)) + (e ? 1000n : 0n);
  },
};

const tsValues: Record<string, Record<string, unknown>> = {
  hello: { s: 'hello', outs: true, n: 3, p: { x: 5, y: 6 } },
  arrays: { a: [3, 4, 5, 6], b: true, c: enc('abcde') },
  sizes: { buf: new Uint8Array(10).map((_, i) => i * 3), len: 10, uc: 0x1234 },
  seal_data: { policy: 2, msg: enc('secret'), len: 6, sealed: true },
  unseal_data: { sealed: { data: enc('abcd'), size: 4 }, out: true },
  paint: { p: { x: 5, y: 6 }, u: { i: 77 }, arrs: [{ items: [9, 8], n: 2, name: enc('n1') }, { items: [30, 31, 32], n: 3, name: enc('n2') }] },
  wide: { w: 'w\u00e9' },
  mix: { a: 200, b: 60000, c: -5n, d: 2.75, e: true },
};

async function loadSpec(dir: string, edl = 'parity.edl'): Promise<EnclaveSpec> {
  // The generated module keeps its spec private; evaluate the spec literal out of the generated text.
  const text = generateTs(loadEdl(join(FIX, edl)), 'x');
  const typesSrc = /const types: TypeTable = (\{[\s\S]*?\n\});/.exec(text)![1];
  const specSrc = /const spec: EnclaveSpec = (\{[\s\S]*?\n\});/.exec(text)![1];
  writeFileSync(join(dir, `${edl}.mjs`), `const types = ${typesSrc};\nexport default ${specSrc};\n`);
  return (await import(join(dir, `${edl}.mjs`))).default as EnclaveSpec;
}

describe.skipIf(!hasGcc)('layout parity with the generated C', () => {
  it('TS and C marshal every ECALL to the same bytes and read each other\'s answers', async () => {
    const { dir, status } = gen(join(FIX, 'parity.edl'));
    expect(status).toBe(0);
    const out = join(dir, 'c');
    runEdger8r([join(FIX, 'parity.edl')], { trustedDir: out, untrustedDir: out }, () => {}, () => {});
    const exe = join(dir, 'parity');
    const build = spawnSync('gcc', ['-Wall', '-Werror', '-Wno-unused-function', '-I', join(ROOT, 'oe/include'), '-I', out, '-o', exe,
      join(out, 'parity_t.c'), join(out, 'parity_u.c'), join(FIX, 'parity_impl.c'), join(FIX, 'parity_driver.c')], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(build.stderr);
    const lines = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
    const buf = (tag: string, name: string) => Buffer.from(lines.find((l) => l.startsWith(`${tag} ${name} `))!.split(' ')[2]!, 'hex');
    const res = (name: string) => lines.find((l) => l.startsWith(`RES ${name} `))!.split(' ').slice(2);
    const spec = await loadSpec(dir);
    for (const f of spec.ecalls) {
      const cIn = new Uint8Array(buf('IN', f.name)), cOut = new Uint8Array(buf('OUT', f.name));
      expect(res(f.name)[0], `${f.name} result`).toBe('0');
      // TS caller == C caller
      const m = marshalCall(f, tsValues[f.name]!, spec.types);
      expect(sameModuloPointers(m.input, cIn), `${f.name} input\nts ${Buffer.from(m.input).toString('hex')}\nc  ${Buffer.from(cIn).toString('hex')}`).toBe(true);
      expect(m.outputSize, `${f.name} output size`).toBe(cOut.length);
      // TS callee == C callee
      const call = unmarshalCall(f, cIn, spec.types);
      const retval = tsImpls[f.name]!(...call.args);
      const tsOut = marshalReturn(f, call.vals, call.args, retval, 0, cOut.length, spec.types);
      expect(sameModuloPointers(tsOut, cOut), `${f.name} output\nts ${Buffer.from(tsOut).toString('hex')}\nc  ${Buffer.from(cOut).toString('hex')}`).toBe(true);
      // TS caller reads the C callee's answer
      const back = unmarshalReturn(f, m, tsValues[f.name]!, cOut, spec.types);
      expect(back.result).toBe(0);
      if (f.name === 'hello') expect([back.retval, back.outs.outs, back.outs.p]).toEqual([42, [7, 17, 27], { x: 105, y: 5 }]);
      if (f.name === 'arrays') expect([(back.outs.b as number[])[0], (back.outs.b as number[])[5], (back.outs.c as Uint8Array)[4]]).toEqual([Number(res('arrays')[1]), Number(res('arrays')[2]), 'h'.charCodeAt(0)]);
      if (f.name === 'seal_data') {
        const s = back.outs.sealed as { data: Uint8Array; size: number };
        expect([back.retval, s.size, s.data[0], s.data[9]]).toEqual([7, 10, parseInt(res('seal_data')[3]!, 16), parseInt(res('seal_data')[4]!, 16)]);
      }
      if (f.name === 'unseal_data') expect(new TextDecoder().decode((back.outs.out as { data: Uint8Array }).data)).toBe('bcde');
      if (f.name === 'paint') expect(String(back.retval)).toBe(res('paint')[1]);
      if (f.name === 'mix') expect(String(back.retval)).toBe(res('mix')[1]);
    }
  });

  it('TS and C marshal every OCALL to the same bytes (enclave proxy, host stub)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-ocall-'));
    for (const edl of ['parity.edl', 'parity_o.edl']) runEdger8r([join(FIX, edl)], { trustedDir: dir, untrustedDir: dir }, () => {}, () => {});
    const names = ['hello', 'arrays', 'sizes', 'seal_data', 'unseal_data', 'paint', 'wide', 'mix'];
    const toEnc = names.map((n) => `-Do_${n}=enc_o_${n}`), toHost = names.map((n) => `-D${n}=o_${n}`);
    const inc = ['-I', join(ROOT, 'oe/include'), '-I', dir];
    const objs: string[] = [];
    const c = (file: string, defs: string[]) => {
      const o = join(dir, `${objs.length}.o`);
      const r = spawnSync('gcc', ['-c', '-Wall', '-Werror', '-Wno-unused-function', ...inc, ...defs, '-o', o, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      objs.push(o);
    };
    c(join(dir, 'parity_o_t.c'), toEnc);
    c(join(dir, 'parity_o_u.c'), []);
    c(join(FIX, 'parity_impl.c'), toHost);
    c(join(FIX, 'parity_o_driver.c'), toEnc);
    const exe = join(dir, 'parity_o');
    const link = spawnSync('gcc', ['-o', exe, ...objs], { encoding: 'utf8' });
    if (link.status !== 0) throw new Error(link.stderr);
    const lines = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
    const buf = (tag: string, name: string) => new Uint8Array(Buffer.from(lines.find((l) => l.startsWith(`${tag} ${name} `))!.split(' ')[2]!, 'hex'));
    const spec = await loadSpec(dir, 'parity_o.edl');
    for (const f of spec.ocalls) {
      const name = f.name.slice(2);
      expect(lines).toContain(`RES ${name} 0`);
      const cIn = buf('IN', name), cOut = buf('OUT', name);
      const m = marshalCall(f, tsValues[name]!, spec.types);
      expect(sameModuloPointers(m.input, cIn), `${f.name} input\nts ${Buffer.from(m.input).toString('hex')}\nc  ${Buffer.from(cIn).toString('hex')}`).toBe(true);
      expect(m.outputSize).toBe(cOut.length);
      const call = unmarshalCall(f, cIn, spec.types);
      const retval = tsImpls[name]!(...call.args); // no boxed (single primitive out) params here
      const tsOut = marshalReturn(f, call.vals, call.args, retval, 0, cOut.length, spec.types);
      expect(sameModuloPointers(tsOut, cOut), `${f.name} output\nts ${Buffer.from(tsOut).toString('hex')}\nc  ${Buffer.from(cOut).toString('hex')}`).toBe(true);
    }
  });
});

// ---- the TS runtime and a generated module over a simulated enclave ----

import { TeecOperation } from '../../emulator/client/teec.js';
import { OeResult, oeResultStr } from '../../emulator/client/oe/result.js';
import type { FuncSpec } from '../../emulator/client/oe/marshal.js';

/**
 * A TeecContext whose one "TA" runs ECALL implementations in TS, unmarshalling and marshalling
 * as the enclave's generated code does, and making OCALLs through the session's onRpc exactly as
 * the contract's RPC frames carry them.
 */
function fakeContext(spec: EnclaveSpec, impls: Record<string, (ocall: (name: string, v: Record<string, unknown>) => Promise<{ result: number; retval?: unknown; outs: Record<string, unknown> }>, ...a: any[]) => unknown>) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const opened: string[] = [];
  const installed: Uint8Array[] = [];
  let calls = 0;
  let teecResult = 0;
  type Rpc = (c: { func: number; args: Uint8Array; input: Uint8Array; outSize: number }) => Promise<{ result: number; args?: Uint8Array; output?: Uint8Array }>;
  const ctx = {
    connection: { installTA: async (b: Uint8Array) => { installed.push(b); return { uuid: '11111111-2222-3333-4444-555555555555', path: '' }; } },
    get calls() { return calls; },
    opened,
    installed,
    onRpc: undefined as Rpc | undefined,
    failWith(r: number) { teecResult = r; },
    async openSession(uuid: string, opts: { onRpc: Rpc }) {
      opened.push(uuid);
      ctx.onRpc = opts.onRpc;
      const ocall = async (name: string, v: Record<string, unknown>) => {
        const id = spec.ocalls.findIndex((f) => f.name === name);
        const f = spec.ocalls[id]!;
        const m = marshalCall(f, v, spec.types);
        const args = new Uint8Array(56);
        const dv = new DataView(args.buffer);
        dv.setBigUint64(0, BigInt(id), true);
        dv.setBigUint64(48, BigInt(OeResult.OE_UNEXPECTED), true);
        const a = await opts.onRpc({ func: 0x8000, args, input: m.input, outSize: m.outputSize });
        const back = new DataView(a.args!.buffer);
        if (Number(back.getBigUint64(48, true)) !== OeResult.OE_OK) return { result: Number(back.getBigUint64(48, true)), outs: {} };
        return unmarshalReturn(f, m, v, a.output!, spec.types);
      };
      return {
        async invokeCommand(cmd: number, op: TeecOperation) {
          calls++;
          expect(cmd).toBe(2);
          if (teecResult) return { result: teecResult, origin: 3 };
          const args = op.params[1].tmpref!.buffer!;
          const dv = new DataView(args.buffer);
          const f = spec.ecalls[Number(dv.getBigUint64(0, true))] as FuncSpec;
          const input = op.params[2].tmpref!.buffer!;
          const outSize = Number(dv.getBigUint64(32, true));
          const call = unmarshalCall(f, input, spec.types);
          const retval = await impls[f.name]!(ocall, ...call.args);
          op.params[3].tmpref!.buffer!.set(marshalReturn(f, call.vals, call.args, retval, 0, outSize, spec.types));
          dv.setBigUint64(40, BigInt(outSize), true);
          dv.setUint32(48, OeResult.OE_OK, true);
          return { result: 0, origin: 4 };
        },
        async close() {},
      };
    },
  };
  return ctx;
}

describe('TS host runtime through a generated module', () => {
  it('creates, calls ECALLs with OCALLs inside, refuses reentrant ECALLs, routes enclave stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-rt-'));
    const runtime = join(ROOT, 'emulator/client/oe/index.js');
    expect(runEdger8r([join(FIX, 'rt.edl')], { searchPath: SEARCH, untrusted: true, untrustedDir: dir, untrustedTs: dir, runtimeImport: runtime }, () => {}, () => {})).toBe(0);
    const mod = await import(join(dir, 'rt_u.ts'));
    const spec = await (async () => {
      const text = readFileSync(join(dir, 'rt_u.ts'), 'utf8');
      const typesSrc = /const types: TypeTable = (\{[\s\S]*?\n\});/.exec(text)![1];
      const specSrc = /const spec: EnclaveSpec = (\{[\s\S]*?\n\});/.exec(text)![1];
      writeFileSync(join(dir, 'spec.mjs'), `const types = ${typesSrc};\nexport default ${specSrc};\n`);
      return (await import(join(dir, 'spec.mjs'))).default as EnclaveSpec;
    })();
    let enclaveRef: { reenter(): Promise<{ result: number }> } | undefined;
    let inner: number | undefined;
    const ctx = fakeContext(spec, {
      async greet(ocall, name: string, reply: Uint8Array, cap: number) {
        const r = await ocall('host_log', { msg: `greeting ${name}`, seen: true });
        await ocall('oe_syscall_write_ocall', { fd: 1, buf: enc('from the enclave\n'), count: 17 });
        reply.set(enc(`Hello ${name}, ${r.outs.seen}`).subarray(0, cap - 1));
        return r.retval;
      },
      async reenter(ocall) { await ocall('host_log', { msg: 'again', seen: true }); },
      store(_o, b: { data: Uint8Array; size: number }, copy: { data: Uint8Array | null; size: number }) {
        copy.size = b.size * 2;
        copy.data = new Uint8Array([...b.data, ...b.data]);
        return 3;
      },
    });
    const logged: string[] = [];
    const stdout: string[] = [];
    const enclave = await mod.createRtEnclave(ctx, '11111111-2222-3333-4444-555555555555.ta', {
      async host_log(msg: string, seen: { value: number }) {
        logged.push(msg);
        seen.value = 99;
        if (msg === 'again') inner = (await enclaveRef!.reenter()).result;
        return 5;
      },
    }, { stdout: (b: Uint8Array) => stdout.push(new TextDecoder().decode(b)) });
    enclaveRef = enclave;
    expect(ctx.opened).toEqual(['11111111-2222-3333-4444-555555555555']);
    const g = await enclave.greet('Ada', 32);
    expect(g.result).toBe(OeResult.OE_OK);
    expect(g.retval).toBe(5);
    expect(new TextDecoder().decode(g.reply).replace(/\0+$/, '')).toBe('Hello Ada, 99');
    expect(logged).toEqual(['greeting Ada']);
    expect(stdout).toEqual(['from the enclave\n']);
    const s = await enclave.store({ data: enc('xy'), size: 2 });
    expect([s.result, s.retval, s.copy.size, new TextDecoder().decode(s.copy.data)]).toEqual([0, 3, 4, 'xyxy']);
    const callsBefore = ctx.calls;
    expect((await enclave.reenter()).result).toBe(OeResult.OE_OK);
    expect(inner).toBe(OeResult.OE_REENTRANT_ECALL);
    expect(ctx.calls).toBe(callsBefore + 1); // the reentrant ECALL never reached the TEE
    expect(oeResultStr(OeResult.OE_REENTRANT_ECALL)).toBe('OE_REENTRANT_ECALL');
    expect(oeResultStr(61)).toBe('OE_SGX_QUOTE_LIBRARY_ERROR');
    expect(oeResultStr(62)).toBe('UNKNOWN');
    expect(await enclave.terminate()).toBe(OeResult.OE_OK);
  });

  it('answers malformed OCALL RPCs as OE does, maps TEE failures, installs .ta bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-rt2-'));
    runEdger8r([join(FIX, 'rt.edl')], { searchPath: SEARCH, untrusted: true, untrustedDir: dir, untrustedTs: dir, runtimeImport: join(ROOT, 'emulator/client/oe/index.js') }, () => {}, () => {});
    const mod = await import(join(dir, 'rt_u.ts'));
    const spec = { name: 'rt', types: {}, ecalls: [], ocalls: [] } as EnclaveSpec;
    const ctx = fakeContext(spec, {});
    const enclave = await mod.createRtEnclave(ctx, new Uint8Array([1, 2, 3]), { host_log: () => 0 });
    expect(ctx.installed).toEqual([new Uint8Array([1, 2, 3])]);
    const rpc = ctx.onRpc!;
    const args = (id: bigint) => {
      const a = new Uint8Array(56);
      const dv = new DataView(a.buffer);
      dv.setBigUint64(0, id, true);
      dv.setBigUint64(48, BigInt(OeResult.OE_UNEXPECTED), true);
      return a;
    };
    const resultOf = (a?: Uint8Array) => Number(new DataView(a!.buffer, a!.byteOffset).getBigUint64(48, true));
    // id out of range, args of the wrong size, sizes not multiples of 16: args.result stays OE_UNEXPECTED
    for (const call of [{ args: args(99n), input: new Uint8Array(48), outSize: 48 }, { args: new Uint8Array(40), input: new Uint8Array(48), outSize: 48 },
      { args: args(0n), input: new Uint8Array(40), outSize: 48 }]) {
      const a = await rpc({ func: 0x8000, ...call });
      expect(a.result).toBe(0);
      expect(a.args!.length === 56 ? resultOf(a.args) : OeResult.OE_UNEXPECTED).toBe(OeResult.OE_UNEXPECTED);
    }
    expect((await rpc({ func: 0x8002, args: args(0n), input: new Uint8Array(0), outSize: 0 })).result).toBe(0xffff000a); // TEEC_ERROR_NOT_SUPPORTED
    expect((await rpc({ func: 0x8123, args: args(0n), input: new Uint8Array(0), outSize: 0 })).result).toBe(0xffff0008); // TEEC_ERROR_ITEM_NOT_FOUND
    // host_log whose string length lies (longer than the input): the host stub answers OE_BUFFER_TOO_SMALL
    const liar = new Uint8Array(64);
    const ldv = new DataView(liar.buffer);
    // host_log_args_t: oe_result @0, deepcopy_out_buffer @8, _size @16, oe_retval @24, msg @32, seen @40, msg_len @48
    ldv.setBigUint64(32, 1n, true); // msg != NULL
    ldv.setBigUint64(48, 1000n, true); // msg_len
    const a = await rpc({ func: 0x8000, args: args(0n), input: liar, outSize: 80 });
    expect(resultOf(a.args)).toBe(OeResult.OE_OK);
    expect(new DataView(a.output!.buffer).getUint32(0, true)).toBe(OeResult.OE_BUFFER_TOO_SMALL);
    // TEE failures
    ctx.failWith(0xffff0008);
    expect((await enclave.reenter()).result).toBe(OeResult.OE_NOT_FOUND);
    ctx.failWith(0xffff3024);
    expect((await enclave.reenter()).result).toBe(OeResult.OE_ENCLAVE_ABORTED);
    ctx.failWith(0xffff0000);
    expect((await enclave.reenter()).result).toBe(OeResult.OE_UNEXPECTED);
    await expect(mod.createRtEnclave(ctx, join(dir, 'missing.ta'), { host_log: () => 0 })).rejects.toThrow(/OE_INVALID_PARAMETER: enclave path/);
  });
});
