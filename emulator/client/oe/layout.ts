/**
 * C data layout of LP64 AArch64 (the enclave's and the C host's ABI) for the types an EDL
 * describes, and the encoding of JS values into those bytes. The generated `<name>_u.ts` gives
 * the runtime declarative type descriptions; this file computes sizes, alignments and offsets
 * exactly as a C compiler does (fields at multiples of their alignment, size rounded up to the
 * largest alignment, unions as wide as their widest member).
 */

/** Primitive C types: fixed-width integers, float/double, bool, size_t and pointers (`ptr`). */
export type Prim = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'bool' | 'size' | 'ptr';
/** A primitive or a struct/union named in the module's type table. */
export type TypeDesc = Prim | { struct: string };
/** A size= or count= value: a number or the name of a sibling parameter or field. */
export type SizeRef = number | string;

export interface FieldDesc {
  name: string;
  type: TypeDesc;
  /** Array dimensions. */
  dims?: number[];
  /** A pointer field (its value is the address, a number, unless `deep`). */
  ptr?: boolean;
  /** A pointer field with size=/count=, whose data is copied (deep copy); `type` is the element type. */
  deep?: { size?: SizeRef; count?: SizeRef };
}

export interface StructDesc { union?: boolean; fields: FieldDesc[] }
export type TypeTable = Readonly<Record<string, StructDesc>>;

const PRIM: Record<Prim, number> = { i8: 1, u8: 1, bool: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, i64: 8, u64: 8, f64: 8, size: 8, ptr: 8 };

export interface Layout { size: number; align: number; offsets: number[] }

const cache = new WeakMap<StructDesc, Layout>();

function struct(types: TypeTable, name: string): StructDesc {
  const s = types[name];
  if (!s) throw new Error(`OE marshalling: unknown struct '${name}'`);
  return s;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** sizeof(T). */
export function sizeOf(t: TypeDesc, types: TypeTable): number {
  return typeof t === 'string' ? PRIM[t] : layoutOf(struct(types, t.struct), types).size;
}

/** _Alignof(T). */
export function alignOf(t: TypeDesc, types: TypeTable): number {
  return typeof t === 'string' ? PRIM[t] : layoutOf(struct(types, t.struct), types).align;
}

function count(dims: readonly number[] | undefined): number {
  return (dims ?? []).reduce((a, b) => a * b, 1);
}

function fieldSize(f: FieldDesc, types: TypeTable): number {
  return f.ptr || f.deep ? 8 : sizeOf(f.type, types) * count(f.dims);
}

function fieldAlign(f: FieldDesc, types: TypeTable): number {
  return f.ptr || f.deep ? 8 : alignOf(f.type, types);
}

/** Offsets, size and alignment of a struct or union. */
export function layoutOf(s: StructDesc, types: TypeTable): Layout {
  const hit = cache.get(s);
  if (hit) return hit;
  let off = 0, align = 1, size = 0;
  const offsets: number[] = [];
  for (const f of s.fields) {
    const a = fieldAlign(f, types), n = fieldSize(f, types);
    align = Math.max(align, a);
    if (s.union) { offsets.push(0); size = Math.max(size, n); continue; }
    off = alignUp(off, a);
    offsets.push(off);
    off += n;
    size = off;
  }
  const l = { size: alignUp(size, align), align, offsets };
  cache.set(s, l);
  return l;
}

/** JS value of a C value: number, bigint (64-bit integers other than size_t), boolean, object, array, Uint8Array. */
export type CValue = unknown;

function isByte(t: TypeDesc): boolean {
  return t === 'u8' || t === 'i8';
}

/** Writes primitive `v` at `off`. */
export function putPrim(dv: DataView, off: number, t: Prim, v: unknown): void {
  switch (t) {
    case 'i8': dv.setInt8(off, Number(v ?? 0)); break;
    case 'u8': dv.setUint8(off, Number(v ?? 0)); break;
    case 'bool': dv.setUint8(off, v ? 1 : 0); break;
    case 'i16': dv.setInt16(off, Number(v ?? 0), true); break;
    case 'u16': dv.setUint16(off, Number(v ?? 0), true); break;
    case 'i32': dv.setInt32(off, Number(v ?? 0), true); break;
    case 'u32': dv.setUint32(off, Number(v ?? 0) >>> 0, true); break;
    case 'f32': dv.setFloat32(off, Number(v ?? 0), true); break;
    case 'f64': dv.setFloat64(off, Number(v ?? 0), true); break;
    case 'i64': dv.setBigInt64(off, BigInt(v as bigint ?? 0n), true); break;
    case 'u64': case 'size': case 'ptr': dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v as bigint ?? 0n)), true); break;
  }
}

/** Reads the primitive at `off` (size_t and pointers as numbers, 64-bit integers as bigint). */
export function getPrim(dv: DataView, off: number, t: Prim): unknown {
  switch (t) {
    case 'i8': return dv.getInt8(off);
    case 'u8': return dv.getUint8(off);
    case 'bool': return dv.getUint8(off) !== 0;
    case 'i16': return dv.getInt16(off, true);
    case 'u16': return dv.getUint16(off, true);
    case 'i32': return dv.getInt32(off, true);
    case 'u32': return dv.getUint32(off, true);
    case 'f32': return dv.getFloat32(off, true);
    case 'f64': return dv.getFloat64(off, true);
    case 'i64': return dv.getBigInt64(off, true);
    case 'u64': return dv.getBigUint64(off, true);
    case 'size': case 'ptr': return Number(dv.getBigUint64(off, true));
  }
}

/** Writes `n` elements of type `t` from `v` (Uint8Array/string for bytes, an array, or one value when n = 1). */
export function putElems(dv: DataView, off: number, t: TypeDesc, n: number, v: unknown, types: TypeTable): void {
  const size = sizeOf(t, types);
  if (isByte(t) && (v instanceof Uint8Array || typeof v === 'string')) {
    const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v;
    new Uint8Array(dv.buffer, dv.byteOffset + off, n).set(bytes.subarray(0, n));
    return;
  }
  const arr = Array.isArray(v) ? v : n === 1 ? [v] : [];
  for (let i = 0; i < n && i < arr.length; i++) putValue(dv, off + i * size, t, arr[i], types);
}

/** Reads `n` elements: bytes as a Uint8Array copy, one non-byte element as itself, else an array. */
export function getElems(dv: DataView, off: number, t: TypeDesc, n: number, types: TypeTable, asArray: boolean): unknown {
  if (isByte(t)) return new Uint8Array(dv.buffer.slice(dv.byteOffset + off, dv.byteOffset + off + n));
  const size = sizeOf(t, types);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(getValue(dv, off + i * size, t, types));
  return asArray ? out : out[0];
}

/** Writes one value of type `t` (a struct from an object; deep pointer fields become 1 when present). */
export function putValue(dv: DataView, off: number, t: TypeDesc, v: unknown, types: TypeTable): void {
  if (typeof t === 'string') { putPrim(dv, off, t, v); return; }
  const s = struct(types, t.struct);
  const l = layoutOf(s, types);
  const obj = (v ?? {}) as Record<string, unknown>;
  s.fields.forEach((f, i) => {
    const fv = obj[f.name];
    if (f.deep) putPrim(dv, off + l.offsets[i], 'ptr', fv == null || fv === 0 ? 0 : 1);
    else if (f.ptr) putPrim(dv, off + l.offsets[i], 'ptr', fv ?? 0);
    else if (f.dims) putElems(dv, off + l.offsets[i], f.type, count(f.dims), fv, types);
    else if (fv !== undefined || !s.union) putValue(dv, off + l.offsets[i], f.type, fv, types);
  });
}

/** Reads one value of type `t`; deep pointer fields read as the pointer number (the caller replaces them). */
export function getValue(dv: DataView, off: number, t: TypeDesc, types: TypeTable): unknown {
  if (typeof t === 'string') return getPrim(dv, off, t);
  const s = struct(types, t.struct);
  const l = layoutOf(s, types);
  const obj: Record<string, unknown> = {};
  s.fields.forEach((f, i) => {
    if (f.ptr || f.deep) obj[f.name] = getPrim(dv, off + l.offsets[i], 'ptr');
    else if (f.dims) obj[f.name] = getElems(dv, off + l.offsets[i], f.type, count(f.dims), types, true);
    else obj[f.name] = getValue(dv, off + l.offsets[i], f.type, types);
  });
  return obj;
}

/** Element count of a deep field of struct value `obj`. */
export function deepBytes(f: FieldDesc, obj: Record<string, unknown>, types: TypeTable): number {
  const ref = (r: SizeRef) => (typeof r === 'number' ? r : Number(obj[r] ?? 0));
  const elem = isByte(f.type) ? 1 : sizeOf(f.type, types);
  if (f.deep!.size !== undefined && f.deep!.count !== undefined) return ref(f.deep!.size) * ref(f.deep!.count);
  if (f.deep!.size !== undefined) return ref(f.deep!.size);
  return ref(f.deep!.count!) * elem;
}
