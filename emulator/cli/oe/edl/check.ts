/**
 * The semantic checks oeedger8r makes on functions and structs, each an EdlError at the
 * declaration it concerns.
 */
import { EdlError, type Decl, type Func, type StructDef, type UserType } from './ast.js';

/** A struct whose pointer fields carry size=/count= (copied deeply by the edger8r). */
export function deepCopyStruct(types: readonly UserType[], base: string): StructDef | undefined {
  const m = /^struct (\w+)$/.exec(base) ?? /^(\w+)$/.exec(base);
  if (!m) return undefined;
  const s = types.find((t): t is StructDef => t.kind === 'struct' && t.name === m[1]);
  if (!s) return undefined;
  return s.fields.some((f) => f.type.ptr > 0 && f.attrs && (f.attrs.size || f.attrs.count) && (f.attrs.in || f.attrs.out || !f.attrs.userCheck)) ? s : undefined;
}

function checkDecl(d: Decl, siblings: readonly Decl[], where: string, inStruct: boolean): void {
  const a = d.attrs;
  const isPtr = d.type.ptr > 0 || d.dims.length > 0;
  if (!a) {
    if (isPtr && !inStruct) throw new EdlError(d.loc, `${where}: pointer parameter '${d.name}' needs a direction attribute ([in], [out], [in, out]) or [user_check]`);
    return;
  }
  if (a.size && a.count && !inStruct) throw new EdlError(d.loc, `${where}: '${d.name}' has both size and count; use one of them`);
  if (a.isptr && a.isary) throw new EdlError(d.loc, `${where}: isptr and isary cannot both be given on '${d.name}'`);
  if (a.userCheck && (a.in || a.out)) throw new EdlError(d.loc, `${where}: user_check cannot be combined with in or out on '${d.name}'`);
  if ((a.in || a.out || a.size || a.count || a.string || a.wstring) && !isPtr && !a.isptr && !a.isary)
    throw new EdlError(d.loc, `${where}: '${d.name}' is not a pointer or array; pointer attributes apply only to pointers`);
  if (!inStruct && isPtr && !a.in && !a.out && !a.userCheck)
    throw new EdlError(d.loc, `${where}: pointer parameter '${d.name}' needs a direction attribute ([in], [out], [in, out]) or [user_check]`);
  if (a.string || a.wstring) {
    const kw = a.string ? 'string' : 'wstring';
    const want = a.string ? 'char' : 'wchar_t';
    if (a.size || a.count) throw new EdlError(d.loc, `${where}: '${kw}' cannot be combined with size or count on '${d.name}'`);
    if (!a.in) throw new EdlError(d.loc, `${where}: '${kw}' needs the 'in' attribute on '${d.name}'`);
    if (d.type.base !== want || d.type.ptr !== 1) throw new EdlError(d.loc, `${where}: '${kw}' applies only to ${want}* ('${d.name}' is ${d.type.base}${'*'.repeat(d.type.ptr)})`);
  }
  for (const e of [a.size, a.count]) {
    if (e && 'name' in e) {
      const ref = siblings.find((s) => s.name === e.name);
      if (!ref) throw new EdlError(d.loc, `${where}: size/count of '${d.name}' names '${e.name}', which is not a ${inStruct ? 'field' : 'parameter'}`);
      if (ref.type.ptr > 0 || ref.dims.length > 0) throw new EdlError(d.loc, `${where}: size/count '${e.name}' of '${d.name}' must be an integer, not a pointer`);
    }
  }
  if (isPtr && !a.userCheck && !a.isptr && d.dims.length === 0 && d.type.ptr === 1 && d.type.base === 'void' && !a.size && !a.count && !inStruct)
    throw new EdlError(d.loc, `${where}: void* parameter '${d.name}' needs size= or count=`);
}

/** Checks a file's own functions and types; throws the first EdlError. */
export function checkFile(funcs: readonly Func[], types: readonly UserType[]): void {
  for (const t of types) {
    if (t.kind === 'enum') continue;
    for (const f of t.fields) checkDecl(f, t.fields, `${t.kind} ${t.name}`, true);
  }
  for (const f of funcs) {
    const seen = new Set<string>();
    for (const p of f.params) {
      if (seen.has(p.name)) throw new EdlError(p.loc, `${f.name}: parameter '${p.name}' is declared twice`);
      seen.add(p.name);
      checkDecl(p, f.params, f.name, false);
      if (p.type.ptr === 0 && p.dims.length === 0) {
        const s = deepCopyStruct(types, p.type.base);
        if (s) throw new EdlError(p.loc, `${f.name}: struct ${s.name} has size/count pointer fields and cannot be passed by value ('${p.name}'); pass a pointer`);
      }
    }
  }
}
