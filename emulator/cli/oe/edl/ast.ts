/**
 * The EDL syntax tree the parser (parser.ts) builds and the generators (gen-*.ts) read.
 * Open Enclave's EDL: an `enclave { ... };` of includes, imports, user types and the
 * trusted (ecall) and untrusted (ocall) function lists.
 */

/** Where something is written: file, 1-based line and column. */
export interface Loc { file: string; line: number; col: number }

/** A parse or check error that names its place; the CLI prints `file:line:col: error: message`. */
export class EdlError extends Error {
  constructor(readonly loc: Loc, readonly detail: string) {
    super(`${loc.file}:${loc.line}:${loc.col}: error: ${detail}`);
    this.name = 'EdlError';
  }
}

/** A C type as written: `const unsigned char*`, `struct foo`, `size_t`, a foreign typedef. */
export interface TypeRef {
  /** The base type's C spelling without const/pointers: `unsigned int`, `struct data_t`, `size_t`. */
  base: string;
  /** `const` on the base type. */
  isConst: boolean;
  /** Number of `*`. */
  ptr: number;
}

/** A `size=`/`count=` value: a number or the name of a sibling parameter or field. */
export type SizeExpr = { num: number } | { name: string };

export interface Attrs {
  in: boolean;
  out: boolean;
  userCheck: boolean;
  string: boolean;
  wstring: boolean;
  isptr: boolean;
  isary: boolean;
  size?: SizeExpr;
  count?: SizeExpr;
}

/** A function parameter or struct field. */
export interface Decl {
  name: string;
  type: TypeRef;
  /** Array dimensions `[N][M]` (numbers or constant names). */
  dims: string[];
  /** `[...]` attributes, absent when none were written. */
  attrs?: Attrs;
  loc: Loc;
}

export interface EnumDef { kind: 'enum'; name: string; values: { name: string; value?: string }[]; loc: Loc }
export interface StructDef { kind: 'struct' | 'union'; name: string; fields: Decl[]; loc: Loc }
export type UserType = EnumDef | StructDef;

export interface Func {
  name: string;
  ret: TypeRef;
  params: Decl[];
  trusted: boolean;
  isPublic: boolean;
  allow: string[];
  switchless: boolean;
  propagateErrno: boolean;
  loc: Loc;
}

/** One parsed file, with its imports already merged (imported functions after local ones). */
export interface Edl {
  /** Basename without `.edl`: the `<name>` of the generated files. */
  name: string;
  file: string;
  includes: string[];
  types: UserType[];
  trusted: Func[];
  untrusted: Func[];
}

export function noAttrs(): Attrs {
  return { in: false, out: false, userCheck: false, string: false, wstring: false, isptr: false, isary: false };
}

/** The C spelling of a type: `const char*`. */
export function cType(t: TypeRef): string {
  return `${t.isConst ? 'const ' : ''}${t.base}${'*'.repeat(t.ptr)}`;
}

/** True when the declaration is a pointer or array the edger8r copies (not user_check). */
export function isBuffer(d: Decl): boolean {
  if (!d.attrs || d.attrs.userCheck) return false;
  return d.type.ptr > 0 || d.dims.length > 0 || d.attrs.isptr || d.attrs.isary;
}
