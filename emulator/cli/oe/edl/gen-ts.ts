/**
 * The generated TypeScript host module `<name>_u.ts`: the EDL's types as interfaces and as
 * layout descriptions for the runtime (emulator/client/oe), an `<Name>Ocalls` interface of
 * handlers, and `create<Name>Enclave(ctx, path, ocalls, options?)` returning one async method per
 * ECALL that resolves with `{ result, retval, <out params> }`.
 */
import { EdlError, type Decl, type Edl, type Func, type TypeRef } from './ast.js';
import { planFunc, type ParamPlan } from './model.js';

const PRIMS: Record<string, string> = {
  'char': 'i8', 'signed char': 'i8', 'int8_t': 'i8', 'unsigned char': 'u8', 'uint8_t': 'u8', 'void': 'u8',
  'short': 'i16', 'short int': 'i16', 'signed short': 'i16', 'int16_t': 'i16', 'unsigned short': 'u16', 'unsigned short int': 'u16', 'uint16_t': 'u16',
  'int': 'i32', 'signed': 'i32', 'signed int': 'i32', 'int32_t': 'i32', 'unsigned': 'u32', 'unsigned int': 'u32', 'uint32_t': 'u32',
  'oe_result_t': 'u32', 'wchar_t': 'u32', 'float': 'f32', 'double': 'f64', 'bool': 'bool', '_Bool': 'bool',
  'long': 'i64', 'long int': 'i64', 'signed long': 'i64', 'long long': 'i64', 'long long int': 'i64', 'int64_t': 'i64', 'ssize_t': 'i64', 'intptr_t': 'i64', 'off_t': 'i64', 'time_t': 'i64',
  'unsigned long': 'u64', 'unsigned long int': 'u64', 'unsigned long long': 'u64', 'uint64_t': 'u64', 'uintptr_t': 'u64', 'size_t': 'size',
};

/** The runtime TypeDesc (as TS source) of a non-pointer type. */
function desc(edl: Edl, t: TypeRef, at: Decl | Func): string {
  if (t.ptr > 0) return "'ptr'";
  const m = /^(?:struct|union|enum) (\w+)$/.exec(t.base);
  const name = m ? m[1] : t.base;
  const u = edl.types.find((x) => x.name === name);
  if (u) return u.kind === 'enum' ? "'i32'" : `{ struct: '${name}' }`;
  const p = PRIMS[t.base];
  if (p) return `'${p}'`;
  throw new EdlError(at.loc, `type '${t.base}' is not declared in the EDL, so the TypeScript host module cannot lay it out; declare it in the EDL or generate C only`);
}

/** The TS type of a value of TypeDesc `d`. */
function tsOf(d: string): string {
  if (d.startsWith('{')) return /'(\w+)'/.exec(d)![1];
  if (d === "'i64'" || d === "'u64'") return 'bigint';
  if (d === "'bool'") return 'boolean';
  return 'number';
}

const isByte = (d: string) => d === "'u8'" || d === "'i8'";

function sizeRef(e: { num: number } | { name: string } | undefined): string | undefined {
  if (!e) return undefined;
  return 'num' in e ? String(e.num) : `'${e.name}'`;
}

function typeTable(edl: Edl): string[] {
  const o = ['const types: TypeTable = {'];
  for (const t of edl.types) {
    if (t.kind === 'enum') continue;
    const fields = t.fields.map((f) => {
      const parts = [`name: '${f.name}'`];
      const deep = f.type.ptr > 0 && f.attrs && (f.attrs.size || f.attrs.count) && !f.attrs.userCheck;
      if (deep) {
        parts.push(`type: ${desc(edl, { ...f.type, ptr: f.type.ptr - 1 }, f)}`);
        const s = sizeRef(f.attrs!.size), c = sizeRef(f.attrs!.count);
        parts.push(`deep: { ${[s && `size: ${s}`, c && `count: ${c}`].filter(Boolean).join(', ')} }`);
      } else if (f.type.ptr > 0) parts.push("type: 'ptr'", 'ptr: true');
      else parts.push(`type: ${desc(edl, f.type, f)}`);
      if (f.dims.length) parts.push(`dims: [${f.dims.map((n) => dimNum(n, f)).join(', ')}]`);
      return `{ ${parts.join(', ')} }`;
    });
    o.push(`  ${t.name}: { ${t.kind === 'union' ? 'union: true, ' : ''}fields: [${fields.join(', ')}] },`);
  }
  o.push('};', '');
  return o;
}

function dimNum(n: string, at: Decl): number {
  const v = Number(n);
  if (!Number.isInteger(v)) throw new EdlError(at.loc, `array size '${n}' must be a number for the TypeScript host module`);
  return v;
}

function interfaces(edl: Edl): string[] {
  const o: string[] = [];
  for (const t of edl.types) {
    if (t.kind === 'enum') {
      o.push(`export const ${t.name} = {`);
      let next = 0;
      for (const v of t.values) {
        const n = v.value !== undefined && /^-?(0x[0-9a-f]+|\d+)$/i.test(v.value) ? Number(v.value) : next;
        o.push(`  ${v.name}: ${n},`);
        next = n + 1;
      }
      o.push('} as const;', `export type ${t.name} = number;`, '');
      continue;
    }
    o.push(`export interface ${t.name} {`);
    for (const f of t.fields) o.push(`  ${f.name}: ${fieldTs(edl, f)};`);
    o.push('}', '');
  }
  return o;
}

function fieldTs(edl: Edl, f: Decl): string {
  const deep = f.type.ptr > 0 && f.attrs && (f.attrs.size || f.attrs.count) && !f.attrs.userCheck;
  if (deep) {
    const d = desc(edl, { ...f.type, ptr: f.type.ptr - 1 }, f);
    return isByte(d) ? 'Uint8Array | null' : `${tsOf(d)}[] | null`;
  }
  if (f.type.ptr > 0) return 'number';
  const d = desc(edl, f.type, f);
  if (f.dims.length) return isByte(d) ? 'Uint8Array' : `${tsOf(d)}[]`;
  return tsOf(d);
}

interface ParamTs { plan: ParamPlan; spec: string; ts: string }

function paramTs(edl: Edl, p: ParamPlan): ParamTs {
  const d = p.d;
  const a = d.attrs;
  if (p.kind === 'value') {
    const t = desc(edl, d.type, d);
    return { plan: p, spec: `{ name: '${d.name}', kind: 'value', type: ${t} }`, ts: tsOf(t) };
  }
  if (p.kind === 'user_check') return { plan: p, spec: `{ name: '${d.name}', kind: 'user_check', type: 'ptr' }`, ts: 'number' };
  const elem = a?.isptr || a?.isary ? (() => { throw new EdlError(d.loc, `isptr/isary parameter '${d.name}' (a foreign type) cannot be marshalled by the TypeScript host module`); })() : desc(edl, p.elem!, d);
  const single = !a?.size && !a?.count && d.dims.length === 0 && !p.stringChar;
  const parts = [`name: '${d.name}'`, "kind: 'buffer'", `type: ${elem}`, `dir: '${p.dir}'`];
  if (p.stringChar) parts.push(`str: ${p.stringChar === 'char' ? 1 : 4}`);
  const s = sizeRef(a?.size), c = sizeRef(a?.count);
  if (s) parts.push(`size: ${s}`);
  if (c) parts.push(`count: ${c}`);
  if (d.dims.length) parts.push(`dims: [${d.dims.map((n) => dimNum(n, d)).join(', ')}]`);
  if (p.deep) parts.push('deep: true');
  if (single) parts.push('single: true');
  let ts: string;
  if (p.stringChar) ts = 'string';
  else if (isByte(elem) && !single) ts = 'Uint8Array';
  else if (single) ts = tsOf(elem);
  else ts = `${tsOf(elem)}[]`;
  return { plan: p, spec: `{ ${parts.join(', ')} }`, ts };
}

/** One primitive out or in,out value: an OCALL handler fills it through `{ value }`. */
function boxed(p: ParamTs): boolean {
  return p.plan.kind === 'buffer' && p.plan.dir !== 'in' && p.spec.includes('single: true') && !p.spec.includes('struct:');
}

function funcSpec(edl: Edl, f: Func): { spec: string; params: ParamTs[]; ret?: string } {
  const plan = planFunc(edl, f);
  const params = plan.params.map((p) => paramTs(edl, p));
  const ret = plan.hasRet ? desc(edl, f.ret, f) : undefined;
  const parts = [`name: '${f.name}'`];
  if (ret) parts.push(`ret: ${ret}`);
  parts.push(`params: [${params.map((p) => p.spec).join(', ')}]`);
  if (f.propagateErrno) parts.push('errno: true');
  return { spec: `{ ${parts.join(', ')} }`, params, ret };
}

/** `helloworld` → `Helloworld`, `file_encryptor` → `FileEncryptor`. */
export function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const SYSTEM = new Set(['oe_syscall_write_ocall', 'oe_syscall_nanosleep_ocall', 'oe_syscall_getpid_ocall', 'oe_syscall_uname_ocall', 'oe_log_is_supported_ocall', 'oe_log_ocall', 'oe_write_ocall']);

/** `<name>_u.ts`, importing the runtime from `runtime`. */
export function generateTs(edl: Edl, runtime: string): string {
  const N = pascal(edl.name);
  const ecalls = edl.trusted.map((f) => ({ f, ...funcSpec(edl, f) }));
  const ocalls = edl.untrusted.map((f) => ({ f, ...funcSpec(edl, f) }));
  const o = ['// Generated by `trustbox oe edger8r`. Do not edit.', `// The TypeScript host side of ${edl.name}.edl.`, '/* eslint-disable */',
    `import { createEnclave, type CreateEnclaveOptions, type EnclaveSpec, type OcallHandler, type OeEnclave, type TeecContext, type TypeTable } from '${runtime}';`, ''];
  o.push(...interfaces(edl), ...typeTable(edl));
  o.push('const spec: EnclaveSpec = {', `  name: '${edl.name}',`, '  types,', '  ecalls: [');
  for (const e of ecalls) o.push(`    ${e.spec},`);
  o.push('  ],', '  ocalls: [');
  for (const e of ocalls) o.push(`    ${e.spec},`);
  o.push('  ],', '};', '');
  o.push(`/** The host functions the enclave calls. Out buffers arrive zero-filled: fill them in place (one number through { value }). System calls (oe_syscall_*) have defaults. */`);
  o.push(`export interface ${N}Ocalls {`);
  for (const e of ocalls) {
    const ps = e.params.map((p) => `${p.plan.d.name}: ${boxed(p) ? `{ value: ${p.ts} }` : p.ts}${p.plan.kind === 'buffer' ? ' | null' : ''}`).join(', ');
    const r = e.ret ? tsOf(e.ret) : 'void';
    o.push(`  ${e.f.name}${SYSTEM.has(e.f.name) ? '?' : ''}(${ps}): ${r} | Promise<${r}>;`);
  }
  o.push('}', '');
  o.push(`/** The enclave's ECALLs. Each resolves with the oe_result_t; the return value and out parameters are set when it is OE_OK (0). */`);
  o.push(`export interface ${N}Enclave {`, '  readonly enclave: OeEnclave;');
  const methods: string[] = [];
  for (const e of ecalls) {
    const ins = e.params.filter((p) => !(p.plan.kind === 'buffer' && p.plan.dir === 'out'));
    const outs = e.params.filter((p) => p.plan.kind === 'buffer' && p.plan.dir !== 'in');
    const ps = ins.map((p) => `${p.plan.d.name}: ${p.ts}${p.plan.kind === 'buffer' ? ' | null' : ''}`).join(', ');
    const res = ['result: number', ...(e.ret ? [`retval: ${tsOf(e.ret)}`] : []), ...outs.map((p) => `${p.plan.d.name}: ${p.ts}`)].join('; ');
    o.push(`  ${e.f.name}(${ps}): Promise<{ ${res} }>;`);
    const vals = e.params.map((p) => (p.plan.kind === 'buffer' && p.plan.dir === 'out' ? `${p.plan.d.name}: true` : p.plan.d.name)).join(', ');
    const back = ['result: r.result', ...(e.ret ? [`retval: r.retval as ${tsOf(e.ret)}`] : []), ...outs.map((p) => `${p.plan.d.name}: r.outs.${p.plan.d.name} as ${p.ts}`)].join(', ');
    methods.push(`    async ${e.f.name}(${ps}) {`, `      const r = await enclave.ecall('${e.f.name}', { ${vals} });`, `      return { ${back} };`, '    },');
  }
  o.push('  /** oe_terminate_enclave. */', '  terminate(): Promise<number>;', '}', '');
  o.push(`/** oe_create_${edl.name}_enclave: \`path\` is the TA UUID (optionally with .ta), a .ta file to install (admin), or its bytes. */`);
  o.push(`export async function create${N}Enclave(ctx: TeecContext, path: string | Uint8Array, ocalls: ${N}Ocalls, options?: CreateEnclaveOptions): Promise<${N}Enclave> {`);
  o.push('  const enclave = await createEnclave(ctx, path, spec, ocalls as unknown as Record<string, OcallHandler>, options);', '  return {', '    enclave,');
  o.push(...methods, '    terminate: () => enclave.terminate(),', '  };', '}', '');
  return o.join('\n');
}
