/**
 * Recursive-descent parser for one EDL file's tokens (lexer.ts) into the syntax tree (ast.ts).
 * Imports are not followed here: `imports` lists them for loader.ts.
 */
import { EdlError, noAttrs, type Attrs, type Decl, type Func, type Loc, type SizeExpr, type TypeRef, type UserType } from './ast.js';
import type { Token } from './lexer.js';

/** An `import "x.edl"` (names undefined = all) or `from "x.edl" import a, b;`. */
export interface ImportDecl { file: string; names?: string[]; loc: Loc }

export interface ParsedFile {
  includes: string[];
  imports: ImportDecl[];
  types: UserType[];
  trusted: Func[];
  untrusted: Func[];
  /** Warnings (e.g. allow() on an ocall) as `file:line:col: warning: ...`. */
  warnings: string[];
}

const INT_WORDS = new Set(['signed', 'unsigned', 'short', 'long', 'int', 'char', 'float', 'double']);

class Parser {
  private p = 0;
  readonly out: ParsedFile = { includes: [], imports: [], types: [], trusted: [], untrusted: [], warnings: [] };

  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token { return this.toks[Math.min(this.p + k, this.toks.length - 1)]; }
  private next(): Token { return this.toks[Math.min(this.p++, this.toks.length - 1)]; }
  private is(text: string, k = 0): boolean { const t = this.peek(k); return (t.kind === 'punct' || t.kind === 'id') && t.text === text; }
  private accept(text: string): boolean { if (this.is(text)) { this.p++; return true; } return false; }
  private fail(t: Token, what: string): never { throw new EdlError(t.loc, `expected ${what}, found '${t.text}'`); }
  private expect(text: string): Token { const t = this.next(); if (t.text !== text || t.kind === 'str') this.fail(t, `'${text}'`); return t; }
  private ident(what = 'an identifier'): Token { const t = this.next(); if (t.kind !== 'id') this.fail(t, what); return t; }
  private str(): Token { const t = this.next(); if (t.kind !== 'str') this.fail(t, 'a string literal'); return t; }

  file(): ParsedFile {
    this.expect('enclave');
    this.expect('{');
    while (!this.is('}')) this.item();
    this.expect('}');
    this.accept(';');
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, 'end of file after the enclave block');
    return this.out;
  }

  private item(): void {
    const t = this.peek();
    if (t.kind === 'eof') this.fail(t, "'}'");
    if (this.accept('include')) { this.out.includes.push(this.str().text); this.accept(';'); return; }
    if (this.accept('import')) {
      const f = this.str();
      this.out.imports.push({ file: f.text, loc: f.loc });
      this.accept(';');
      return;
    }
    if (this.accept('from')) {
      const f = this.str();
      this.expect('import');
      if (this.accept('*')) this.out.imports.push({ file: f.text, loc: f.loc });
      else {
        const names = [this.ident('a function name').text];
        while (this.accept(',')) names.push(this.ident('a function name').text);
        this.out.imports.push({ file: f.text, names, loc: f.loc });
      }
      this.expect(';');
      return;
    }
    if (this.is('enum')) { this.out.types.push(this.enumDef()); return; }
    if (this.is('struct') || this.is('union')) { this.out.types.push(this.structDef()); return; }
    if (this.is('trusted') || this.is('untrusted')) {
      const trusted = this.next().text === 'trusted';
      this.expect('{');
      while (!this.is('}')) (trusted ? this.out.trusted : this.out.untrusted).push(this.func(trusted));
      this.expect('}');
      this.expect(';');
      return;
    }
    this.fail(t, "include, import, from, enum, struct, union, trusted or untrusted");
  }

  private enumDef(): UserType {
    const loc = this.next().loc;
    const name = this.ident('an enum name').text;
    this.expect('{');
    const values: { name: string; value?: string }[] = [];
    while (!this.is('}')) {
      const n = this.ident('an enumerator').text;
      let value: string | undefined;
      if (this.accept('=')) {
        const v = this.next();
        if (v.kind !== 'num' && v.kind !== 'id') this.fail(v, 'a number or a name');
        value = v.text;
      }
      values.push(value === undefined ? { name: n } : { name: n, value });
      if (!this.accept(',')) break;
    }
    this.expect('}');
    this.expect(';');
    return { kind: 'enum', name, values, loc };
  }

  private structDef(): UserType {
    const kw = this.next();
    const name = this.ident(`a ${kw.text} name`).text;
    this.expect('{');
    const fields: Decl[] = [];
    while (!this.is('}')) {
      fields.push(this.decl(false));
      this.expect(';');
    }
    this.expect('}');
    this.expect(';');
    return { kind: kw.text as 'struct' | 'union', name, fields, loc: kw.loc };
  }

  private func(trusted: boolean): Func {
    const start = this.peek();
    const isPublic = this.accept('public');
    if (this.is('[')) this.attrs(); // return-value attributes are accepted and ignored
    const ret = this.type();
    const nameTok = this.ident('a function name');
    this.expect('(');
    const params: Decl[] = [];
    if (this.is('void') && this.is(')', 1)) this.p++;
    else if (!this.is(')')) {
      params.push(this.decl(true));
      while (this.accept(',')) params.push(this.decl(true));
    }
    this.expect(')');
    const f: Func = { name: nameTok.text, ret, params, trusted, isPublic, allow: [], switchless: false, propagateErrno: false, loc: nameTok.loc };
    for (;;) {
      const s = this.peek();
      if (this.accept('allow')) {
        this.expect('(');
        if (!this.is(')')) {
          f.allow.push(this.ident().text);
          while (this.accept(',')) f.allow.push(this.ident().text);
        }
        this.expect(')');
        if (trusted) throw new EdlError(s.loc, `allow() is only allowed on untrusted functions ('${f.name}' is trusted)`);
        this.out.warnings.push(`${s.loc.file}:${s.loc.line}:${s.loc.col}: warning: allow() is not supported and is ignored [-Wunsupported-allow]`);
      } else if (this.accept('transition_using_threads')) f.switchless = true;
      else if (this.accept('propagate_errno')) {
        if (trusted) throw new EdlError(s.loc, `propagate_errno is only allowed on untrusted functions ('${f.name}' is trusted)`);
        f.propagateErrno = true;
      } else break;
    }
    this.expect(';');
    if (trusted && !isPublic) throw new EdlError(start.loc, `private specifier is not supported: trusted function '${f.name}' must be public`);
    return f;
  }

  /** `[attrs] type name [N]...` (a parameter or a struct field). */
  private decl(param: boolean): Decl {
    const loc = this.peek().loc;
    const attrs = this.is('[') ? this.attrs() : undefined;
    const type = this.type();
    const nameTok = this.ident(param ? 'a parameter name' : 'a field name');
    const dims: string[] = [];
    while (this.accept('[')) {
      const d = this.next();
      if (d.kind !== 'num' && d.kind !== 'id') this.fail(d, 'an array size');
      dims.push(d.text);
      this.expect(']');
    }
    const decl: Decl = { name: nameTok.text, type, dims, loc };
    if (attrs) decl.attrs = attrs;
    return decl;
  }

  private attrs(): Attrs {
    this.expect('[');
    const a = noAttrs();
    for (;;) {
      const t = this.ident('an attribute');
      switch (t.text) {
        case 'in': a.in = true; break;
        case 'out': a.out = true; break;
        case 'user_check': a.userCheck = true; break;
        case 'string': a.string = true; break;
        case 'wstring': a.wstring = true; break;
        case 'isptr': a.isptr = true; break;
        case 'isary': a.isary = true; break;
        case 'size':
        case 'count': {
          this.expect('=');
          const v = this.next();
          let e: SizeExpr;
          if (v.kind === 'num') e = { num: Number(v.text.replace(/[uUlL]+$/, '')) };
          else if (v.kind === 'id') e = { name: v.text };
          else this.fail(v, 'a number or a parameter name');
          if (t.text === 'size') a.size = e; else a.count = e;
          break;
        }
        case 'sizefunc':
          throw new EdlError(t.loc, "the 'sizefunc' attribute is deprecated and not supported; use size= or count=");
        default:
          throw new EdlError(t.loc, `unknown attribute '${t.text}'`);
      }
      if (!this.accept(',')) break;
    }
    this.expect(']');
    return a;
  }

  private type(): TypeRef {
    let isConst = this.accept('const');
    let base: string;
    const t = this.peek();
    if (this.is('struct') || this.is('enum') || this.is('union')) {
      this.p++;
      base = `${t.text} ${this.ident(`a ${t.text} name`).text}`;
    } else if (t.kind === 'id' && INT_WORDS.has(t.text)) {
      const words: string[] = [];
      while (this.peek().kind === 'id' && INT_WORDS.has(this.peek().text)) words.push(this.next().text);
      base = words.join(' ');
    } else if (t.kind === 'id') {
      base = this.next().text;
    } else this.fail(t, 'a type');
    if (this.accept('const')) isConst = true;
    let ptr = 0;
    while (this.accept('*')) { ptr++; this.accept('const'); }
    return { base, isConst, ptr };
  }
}

/** Parses one file's tokens. Throws EdlError at the first syntax error. */
export function parseTokens(toks: Token[]): ParsedFile {
  return new Parser(toks).file();
}
