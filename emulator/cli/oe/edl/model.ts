/**
 * How each parameter of a function is marshalled, shared by the C and TS generators so both
 * lay buffers out the same way:
 *  input  = args struct, then each `in`/`in,out` buffer (strings included), then the deep-copy
 *           pieces of `in` structs' size=/count= fields;
 *  output = args struct, then each `out`/`in,out` buffer, then the deep-copy reserve for `out`
 *           structs (OE_EDGER8R_DEEPCOPY_RESERVE);
 * every piece rounded up to 16 bytes, in parameter order, absent when the pointer is NULL.
 */
import { cType, type Decl, type Edl, type Func, type SizeExpr, type StructDef, type TypeRef } from './ast.js';
import { deepCopyStruct } from './check.js';

export type Dir = 'in' | 'out' | 'inout';

export interface ParamPlan {
  d: Decl;
  /** 'value': copied in the args struct; 'user_check': pointer value only; 'buffer': copied. */
  kind: 'value' | 'user_check' | 'buffer';
  dir?: Dir;
  /** For string/wstring: the character type. */
  stringChar?: 'char' | 'wchar_t';
  /** The element type of the buffer (`T` of `T*`, of `T a[N]`). */
  elem?: TypeRef;
  /** The struct whose fields are deep-copied, for struct buffers with size=/count= fields. */
  deep?: StructDef;
}

export interface FuncPlan {
  f: Func;
  params: ParamPlan[];
  hasRet: boolean;
  hasDeepOut: boolean;
}

/** The element type of a pointer or array declaration. */
export function elemType(d: Decl): TypeRef {
  if (d.dims.length > 0) return { ...d.type };
  return { ...d.type, ptr: Math.max(0, d.type.ptr - 1) };
}

export function planFunc(edl: Edl, f: Func): FuncPlan {
  const params = f.params.map((d): ParamPlan => {
    const a = d.attrs;
    const isPtr = d.type.ptr > 0 || d.dims.length > 0 || !!a?.isptr || !!a?.isary;
    if (!isPtr || !a) return { d, kind: 'value' };
    if (a.userCheck) return { d, kind: 'user_check' };
    const dir: Dir = a.in && a.out ? 'inout' : a.out ? 'out' : 'in';
    const plan: ParamPlan = { d, kind: 'buffer', dir, elem: elemType(d) };
    if (a.string) plan.stringChar = 'char';
    if (a.wstring) plan.stringChar = 'wchar_t';
    const deep = d.type.ptr === 1 && d.dims.length === 0 ? deepCopyStruct(edl.types, d.type.base) : undefined;
    if (deep) plan.deep = deep;
    return plan;
  });
  return {
    f, params, hasRet: !(f.ret.base === 'void' && f.ret.ptr === 0),
    hasDeepOut: params.some((p) => p.deep && p.dir !== 'in'),
  };
}

/** The args-struct field type of a declaration: const dropped, arrays as pointers. */
export function fieldDecl(d: Decl): string {
  const t = { ...d.type, isConst: false };
  if (d.dims.length === 0) {
    if (d.attrs?.isary) return `void* ${d.name}`;
    return `${cType(t)} ${d.name}`;
  }
  const rest = d.dims.slice(1).map((n) => `[${n}]`).join('');
  return rest ? `${cType(t)} (*${d.name})${rest}` : `${cType(t)}* ${d.name}`;
}

/** A parameter as written in a C prototype: `const char* s`, `int a[4]`. */
export function protoDecl(d: Decl): string {
  return `${cType(d.type)} ${d.name}${d.dims.map((n) => `[${n}]`).join('')}`;
}

/** C expression for a size expression, reading sibling values through `prefix` (`_args.`, `_e->`). */
export function sizeExprC(e: SizeExpr, prefix: string): string {
  return 'num' in e ? `(size_t)${e.num}` : `(size_t)${prefix}${e.name}`;
}

/**
 * C statements computing the byte size of buffer `d` into `dst` from values read through
 * `prefix`; a multiplication overflow sets `_result` to OE_INTEGER_OVERFLOW and jumps to done.
 */
export function bufferBytesC(p: ParamPlan, prefix: string, dst: string, ptrExpr: string): string {
  const d = p.d;
  const a = d.attrs!;
  if (p.stringChar) return `${dst} = ${prefix}${d.name}_len * sizeof(${p.stringChar});`;
  const elem = p.elem!;
  const elemSize = a.isptr ? `sizeof(*${ptrExpr})` : a.isary ? `sizeof(${d.type.base})` : `sizeof(${cType({ ...elem, isConst: false })})`;
  let count: string;
  if (d.dims.length > 0) count = d.dims.map((n) => `(size_t)(${n})`).join(' * ');
  else count = '1';
  if (a.size && a.count) return `if ((_result = oe_edger8r_mul(${sizeExprC(a.size, prefix)}, ${sizeExprC(a.count, prefix)}, &${dst})) != OE_OK) goto done;`;
  if (a.size) return `${dst} = ${sizeExprC(a.size, prefix)};`;
  if (a.count) count = sizeExprC(a.count, prefix);
  if (elem.base === 'void' && elem.ptr === 0 && !a.isptr) return `${dst} = ${count};`;
  return `if ((_result = oe_edger8r_mul(${count}, ${elemSize}, &${dst})) != OE_OK) goto done;`;
}

/** Deep-copied fields of a struct: pointer fields with size=/count=. */
export function deepFields(s: StructDef): Decl[] {
  return s.fields.filter((f) => f.type.ptr > 0 && f.attrs && (f.attrs.size || f.attrs.count) && !f.attrs.userCheck);
}

/** C statements for the byte size of deep field `f` of element `e` (a pointer expression) into dst. */
export function deepBytesC(f: Decl, e: string, dst: string): string {
  const a = f.attrs!;
  const elem = elemType(f);
  const isVoid = elem.base === 'void' && elem.ptr === 0;
  if (a.size && a.count) return `if ((_result = oe_edger8r_mul(${sizeExprC(a.size, `${e}->`)}, ${sizeExprC(a.count, `${e}->`)}, &${dst})) != OE_OK) goto done;`;
  if (a.size) return `${dst} = ${sizeExprC(a.size, `${e}->`)};`;
  if (isVoid) return `${dst} = ${sizeExprC(a.count!, `${e}->`)};`;
  return `if ((_result = oe_edger8r_mul(${sizeExprC(a.count!, `${e}->`)}, sizeof(*${e}->${f.name}), &${dst})) != OE_OK) goto done;`;
}

/** Number of struct elements a deep-copied struct buffer holds (C expression; bytes from `sz`). */
export function deepCountC(p: ParamPlan, sz: string): string {
  return `(${sz} / sizeof(${cType({ ...p.elem!, isConst: false })}))`;
}
