/**
 * Marshalling of one ECALL or OCALL as the generated C does it (emulator/cli/oe/edl/model.ts):
 *  input  = args struct, each `in`/`in,out` buffer, then the deep-copy pieces of `in` structs;
 *  output = args struct, each `out`/`in,out` buffer, then the deep-copy reserve for `out` structs;
 * every piece rounded up to 16 bytes, absent when the pointer is NULL. The args struct is
 * `{ oe_result_t oe_result; uint8_t* deepcopy_out_buffer; size_t deepcopy_out_buffer_size;
 * [R oe_retval;] params...; [size_t <p>_len...;] [int ocall_errno;] }`.
 */
import { OeResult } from './result.js';
import {
  alignUp, deepBytes, getElems, getValue, layoutOf, putElems, putPrim, putValue, sizeOf,
  type FieldDesc, type SizeRef, type StructDesc, type TypeDesc, type TypeTable,
} from './layout.js';

export const OE_EDGER8R_BUFFER_ALIGNMENT = 16;
/** Room reserved for deep-copied `out` struct data (OE_EDGER8R_DEEPCOPY_RESERVE in edger8r/common.h). */
export const OE_EDGER8R_DEEPCOPY_RESERVE = 65536;

export interface ParamSpec {
  name: string;
  kind: 'value' | 'user_check' | 'buffer';
  /** The value's type (kind value) or the buffer's element type ('u8' for void). */
  type: TypeDesc;
  dir?: 'in' | 'out' | 'inout';
  /** string (1) or wstring (4): character width. */
  str?: 1 | 4;
  size?: SizeRef;
  count?: SizeRef;
  dims?: number[];
  /** The buffer holds structs whose size=/count= pointer fields are copied deeply. */
  deep?: boolean;
  /** One element without count=/size=/dims: the value is the element itself, not an array. */
  single?: boolean;
}

export interface FuncSpec { name: string; ret?: TypeDesc; params: ParamSpec[]; errno?: boolean }

const round = (n: number) => alignUp(n, OE_EDGER8R_BUFFER_ALIGNMENT);

/** Thrown by marshalling with the oe_result_t the call fails with. */
export class OeMarshalError extends Error {
  constructor(readonly result: number, message: string) { super(message); this.name = 'OeMarshalError'; }
}

/** The args struct of a function as a StructDesc (params as their field types). */
export function argsStruct(f: FuncSpec): StructDesc {
  const fields: FieldDesc[] = [{ name: 'oe_result', type: 'u32' }, { name: 'deepcopy_out_buffer', type: 'ptr' }, { name: 'deepcopy_out_buffer_size', type: 'size' }];
  if (f.ret) fields.push({ name: 'oe_retval', type: f.ret });
  for (const p of f.params) fields.push(p.kind === 'value' ? { name: p.name, type: p.type } : { name: p.name, type: 'ptr' });
  for (const p of f.params) if (p.str) fields.push({ name: `${p.name}_len`, type: 'size' });
  if (f.errno) fields.push({ name: 'ocall_errno', type: 'i32' });
  return { fields };
}

function isIn(p: ParamSpec): boolean { return p.kind === 'buffer' && p.dir !== 'out'; }
function isOut(p: ParamSpec): boolean { return p.kind === 'buffer' && p.dir !== 'in'; }
/** One primitive out or in,out value, which an OCALL handler gets as `{ value }` to fill. */
export function isBoxed(p: ParamSpec): boolean { return isOut(p) && !!p.single && typeof p.type === 'string'; }

function strUnits(s: string, width: 1 | 4): number[] {
  if (width === 1) return [...new TextEncoder().encode(s)];
  return [...s].map((c) => c.codePointAt(0)!);
}

function ref(r: SizeRef, vals: Record<string, unknown>): number {
  if (typeof r === 'number') return r;
  const v = vals[r];
  return typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
}

/** Byte size of buffer `p`, given the args struct's values (`<p>_len` for strings). */
export function bufferBytes(p: ParamSpec, vals: Record<string, unknown>, types: TypeTable): number {
  if (p.str) return ref(`${p.name}_len`, vals) * p.str;
  const elem = sizeOf(p.type, types);
  let n: number;
  if (p.size !== undefined && p.count !== undefined) n = ref(p.size, vals) * ref(p.count, vals);
  else if (p.size !== undefined) n = ref(p.size, vals);
  else if (p.count !== undefined) n = ref(p.count, vals) * elem;
  else n = (p.dims ?? [1]).reduce((a, b) => a * b, 1) * elem;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new OeMarshalError(OeResult.OE_INTEGER_OVERFLOW, `${p.name}: size ${n} overflows`);
  return n;
}

function elemCount(p: ParamSpec, bytes: number, types: TypeTable): number {
  return Math.floor(bytes / sizeOf(p.type, types));
}

function deepFields(p: ParamSpec, types: TypeTable): FieldDesc[] {
  if (!p.deep || typeof p.type === 'string') return [];
  return types[p.type.struct]!.fields.filter((f) => f.deep);
}

function elements(v: unknown): Record<string, unknown>[] {
  return (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
}

function encodeBuffer(p: ParamSpec, v: unknown, bytes: number, types: TypeTable): Uint8Array {
  const out = new Uint8Array(bytes);
  const dv = new DataView(out.buffer);
  if (p.str) {
    const units = strUnits(String(v), p.str);
    units.forEach((u, i) => putPrim(dv, i * p.str!, p.str === 1 ? 'u8' : 'u32', u));
    return out;
  }
  if (v instanceof Uint8Array && typeof p.type === 'string' && p.type !== 'u8' && p.type !== 'i8') {
    out.set(v.subarray(0, bytes));
    return out;
  }
  const n = elemCount(p, bytes, types);
  if (v instanceof Uint8Array && v.length < bytes) throw new OeMarshalError(OeResult.OE_INVALID_PARAMETER, `${p.name}: ${v.length} bytes given, ${bytes} declared`);
  if (Array.isArray(v) && v.length < n) throw new OeMarshalError(OeResult.OE_INVALID_PARAMETER, `${p.name}: ${v.length} elements given, ${n} declared`);
  putElems(dv, 0, p.type, n, v, types);
  return out;
}

function decodeBuffer(p: ParamSpec, data: Uint8Array, types: TypeTable): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (p.str) {
    if (p.str === 1) { const z = data.indexOf(0); return new TextDecoder().decode(data.subarray(0, z < 0 ? data.length : z)); }
    let s = '';
    for (let i = 0; i + 4 <= data.length; i += 4) { const c = dv.getUint32(i, true); if (c === 0) break; s += String.fromCodePoint(c); }
    return s;
  }
  const n = elemCount(p, data.length, types);
  return getElems(dv, 0, p.type, n, types, !p.single);
}

/** Pieces after the fixed part: input or output data, each rounded up. */
class Pieces {
  parts: Uint8Array[] = [];
  size = 0;
  add(b: Uint8Array): void { this.parts.push(b); this.size += round(b.length); }
  join(total: number): Uint8Array {
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of this.parts) { out.set(p, off); off += round(p.length); }
    return out;
  }
}

/** Reads consecutive rounded pieces of a buffer, checking each fits. */
class Reader {
  constructor(private readonly buf: Uint8Array, public off: number) {}
  take(n: number, what: string): Uint8Array {
    if (n > this.buf.length - this.off) throw new OeMarshalError(OeResult.OE_BUFFER_TOO_SMALL, `${what}: ${n} bytes past the buffer's end`);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += round(n);
    return b;
  }
}

export interface Marshalled { input: Uint8Array; outputSize: number; args: StructDesc; sizes: Map<string, number> }

/** Caller: builds the input buffer from `values` (by parameter name; out-only buffers: any non-null value). */
export function marshalCall(f: FuncSpec, values: Record<string, unknown>, types: TypeTable): Marshalled {
  const args = argsStruct(f);
  const al = layoutOf(args, types);
  const vals: Record<string, unknown> = { ...values };
  for (const p of f.params) if (p.str && values[p.name] != null) vals[`${p.name}_len`] = strUnits(String(values[p.name]), p.str).length + 1;
  const head = new Uint8Array(round(al.size));
  const dv = new DataView(head.buffer);
  args.fields.forEach((fd, i) => {
    if (fd.name === 'oe_result' || fd.name === 'deepcopy_out_buffer' || fd.name === 'deepcopy_out_buffer_size' || fd.name === 'oe_retval' || fd.name === 'ocall_errno') return;
    const p = f.params.find((x) => x.name === fd.name);
    const v = vals[fd.name];
    if (p && p.kind === 'buffer') putPrim(dv, al.offsets[i], 'ptr', v == null ? 0 : 1);
    else putValue(dv, al.offsets[i], fd.type, v, types);
  });
  const input = new Pieces();
  let outputSize = round(al.size);
  const sizes = new Map<string, number>();
  for (const p of f.params) {
    if (p.kind !== 'buffer' || vals[p.name] == null) continue;
    const bytes = bufferBytes(p, vals, types);
    sizes.set(p.name, bytes);
    if (isIn(p)) input.add(encodeBuffer(p, vals[p.name], bytes, types));
    if (isOut(p)) outputSize += round(bytes);
  }
  for (const p of f.params) {
    if (!isIn(p) || vals[p.name] == null) continue;
    for (const e of elements(vals[p.name])) {
      for (const fd of deepFields(p, types)) {
        const v = e?.[fd.name];
        if (v == null || v === 0) continue;
        const n = deepBytes(fd, e, types);
        input.add(encodeBuffer({ name: fd.name, kind: 'buffer', type: fd.type }, v, n, types));
      }
    }
  }
  if (f.params.some((p) => p.deep && isOut(p))) outputSize += round(OE_EDGER8R_DEEPCOPY_RESERVE);
  const total = head.length + input.size;
  const buf = input.join(total - head.length);
  const full = new Uint8Array(total);
  full.set(head, 0);
  full.set(buf, head.length);
  return { input: full, outputSize, args, sizes };
}

export interface CallOutcome { result: number; retval?: unknown; outs: Record<string, unknown>; errno?: number }

/** Caller: reads the callee's answer (oe_result, retval, each out buffer, deep-copied data). */
export function unmarshalReturn(f: FuncSpec, m: Marshalled, values: Record<string, unknown>, output: Uint8Array, types: TypeTable): CallOutcome {
  const al = layoutOf(m.args, types);
  const dv = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const result = dv.getUint32(0, true);
  if (result !== OeResult.OE_OK) return { result, outs: {} };
  const at = (name: string) => al.offsets[m.args.fields.findIndex((x) => x.name === name)];
  const out: CallOutcome = { result, outs: {} };
  if (f.ret) out.retval = getValue(dv, at('oe_retval'), f.ret, types);
  if (f.errno) out.errno = dv.getInt32(at('ocall_errno'), true);
  const r = new Reader(output, round(al.size));
  for (const p of f.params) {
    if (!isOut(p) || values[p.name] == null) continue;
    out.outs[p.name] = decodeBuffer(p, r.take(m.sizes.get(p.name)!, p.name), types);
  }
  if (f.params.some((p) => p.deep && isOut(p))) {
    const used = Number(dv.getBigUint64(at('deepcopy_out_buffer_size'), true));
    if (used > OE_EDGER8R_DEEPCOPY_RESERVE) throw new OeMarshalError(OeResult.OE_FAILURE, 'deep-copy size exceeds the reserve');
    const deep = new Reader(output.subarray(0, r.off + used), r.off);
    for (const p of f.params) {
      if (!p.deep || !isOut(p) || out.outs[p.name] == null) continue;
      for (const e of elements(out.outs[p.name])) {
        for (const fd of deepFields(p, types)) {
          if (!e[fd.name]) { e[fd.name] = null; continue; }
          const n = deepBytes(fd, e, types);
          e[fd.name] = decodeBuffer({ name: fd.name, kind: 'buffer', type: fd.type }, deep.take(n, fd.name), types);
        }
      }
    }
  }
  return out;
}

/** Callee (a TS ocall handler): the decoded parameters, in order, out-only buffers zero-filled. */
export function unmarshalCall(f: FuncSpec, input: Uint8Array, types: TypeTable): { args: unknown[]; vals: Record<string, unknown> } {
  const st = argsStruct(f);
  const al = layoutOf(st, types);
  if (input.length < al.size) throw new OeMarshalError(OeResult.OE_BUFFER_TOO_SMALL, 'input smaller than the args struct');
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const vals: Record<string, unknown> = {};
  st.fields.forEach((fd, i) => { vals[fd.name] = getValue(dv, al.offsets[i], fd.type, types); });
  const r = new Reader(input, round(al.size));
  const decoded: Record<string, unknown> = {};
  for (const p of f.params) {
    if (p.kind !== 'buffer') { decoded[p.name] = vals[p.name]; continue; }
    if (!vals[p.name]) { decoded[p.name] = null; continue; }
    const bytes = bufferBytes(p, vals, types);
    if (isIn(p)) {
      const data = r.take(bytes, p.name);
      if (p.str && (bytes === 0 || data.subarray(bytes - p.str).some((b) => b !== 0))) throw new OeMarshalError(OeResult.OE_INVALID_PARAMETER, `${p.name}: string not NUL-terminated`);
      decoded[p.name] = decodeBuffer(p, data, types);
    } else decoded[p.name] = decodeBuffer(p, new Uint8Array(bytes), types);
    // A handler fills one primitive out value through a box: `seen.value = 3`.
    if (isBoxed(p)) decoded[p.name] = { value: decoded[p.name] };
  }
  for (const p of f.params) {
    if (!isIn(p) || decoded[p.name] == null) continue;
    for (const e of elements(decoded[p.name])) {
      for (const fd of deepFields(p, types)) {
        if (!e[fd.name]) { e[fd.name] = null; continue; }
        e[fd.name] = decodeBuffer({ name: fd.name, kind: 'buffer', type: fd.type }, r.take(deepBytes(fd, e, types), fd.name), types);
      }
    }
  }
  return { args: f.params.map((p) => decoded[p.name]), vals };
}

/** Callee: the output buffer (`outSize` bytes) after the handler ran with `args` (mutated in place). */
export function marshalReturn(f: FuncSpec, vals: Record<string, unknown>, args: unknown[], retval: unknown, errno: number, outSize: number, types: TypeTable): Uint8Array {
  const st = argsStruct(f);
  const al = layoutOf(st, types);
  const out = new Uint8Array(outSize);
  if (outSize < al.size) throw new OeMarshalError(OeResult.OE_BUFFER_TOO_SMALL, 'output smaller than the args struct');
  const dv = new DataView(out.buffer);
  const at = (name: string) => al.offsets[st.fields.findIndex((x) => x.name === name)];
  if (f.ret) putValue(dv, at('oe_retval'), f.ret, retval, types);
  if (f.errno) dv.setInt32(at('ocall_errno'), errno, true);
  let off = round(al.size);
  f.params.forEach((p, i) => {
    if (!isOut(p) || !vals[p.name]) return;
    const bytes = bufferBytes(p, vals, types);
    if (bytes > outSize - off) throw new OeMarshalError(OeResult.OE_BUFFER_TOO_SMALL, `${p.name}: output too small`);
    out.set(encodeBuffer(p, isBoxed(p) ? (args[i] as { value: unknown }).value : args[i], bytes, types), off);
    off += round(bytes);
  });
  let used = 0;
  f.params.forEach((p, i) => {
    if (!p.deep || !isOut(p) || args[i] == null) return;
    for (const e of elements(args[i])) {
      for (const fd of deepFields(p, types)) {
        if (e[fd.name] == null || e[fd.name] === 0) continue;
        const n = deepBytes(fd, e, types);
        if (round(n) > outSize - off - used) throw new OeMarshalError(OeResult.OE_BUFFER_TOO_SMALL, 'deep copy exceeds the reserve');
        out.set(encodeBuffer({ name: fd.name, kind: 'buffer', type: fd.type }, e[fd.name], n, types), off + used);
        used += round(n);
      }
    }
  });
  if (f.params.some((p) => p.deep && isOut(p))) dv.setBigUint64(at('deepcopy_out_buffer_size'), BigInt(used), true);
  dv.setUint32(0, OeResult.OE_OK, true);
  return out;
}
