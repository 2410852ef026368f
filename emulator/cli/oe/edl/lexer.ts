/**
 * EDL lexer: identifiers, decimal (and hex) numbers, string literals, punctuation; `//` and
 * `/* *\/` comments skipped; `#ifdef/#ifndef/#else/#endif` lines evaluated against the `-D`
 * names, dropping the tokens of inactive branches (as oeedger8r's preprocessor does).
 */
import { EdlError, type Loc } from './ast.js';

export type TokKind = 'id' | 'num' | 'str' | 'punct' | 'eof';
export interface Token { kind: TokKind; text: string; loc: Loc }

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ';', ',', '*', '=', '<', '>', '.']);

interface Cond { active: boolean; parentActive: boolean; sawElse: boolean; loc: Loc }

/** Splits `src` (file `file`) into tokens; `defines` are the `-D` names. */
export function lex(src: string, file: string, defines: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  const conds: Cond[] = [];
  let i = 0, line = 1, col = 1;
  let atLineStart = true;
  const active = () => conds.every((c) => c.active);
  const here = (): Loc => ({ file, line, col });
  const adv = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') { line++; col = 1; atLineStart = true; } else col++;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { adv(1); continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') adv(1); continue; }
    if (c === '/' && src[i + 1] === '*') {
      const start = here();
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new EdlError(start, 'unterminated comment');
      adv(end + 2 - i);
      continue;
    }
    if (c === '#' && atLineStart) {
      const loc = here();
      let e = src.indexOf('\n', i);
      if (e < 0) e = src.length;
      const words = src.slice(i + 1, e).replace(/\/\/.*$/, '').trim().split(/\s+/);
      directive(words, loc, conds, active(), defines);
      adv(e - i);
      continue;
    }
    atLineStart = false;
    const loc = here();
    let tok: Token;
    if (/[A-Za-z_]/.test(c)) {
      let e = i + 1;
      while (e < src.length && /[A-Za-z0-9_]/.test(src[e])) e++;
      tok = { kind: 'id', text: src.slice(i, e), loc };
    } else if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(src.slice(i, i + 40))!;
      tok = { kind: 'num', text: m[0], loc };
    } else if (c === '"') {
      let e = i + 1;
      while (e < src.length && src[e] !== '"' && src[e] !== '\n') e++;
      if (src[e] !== '"') throw new EdlError(loc, 'unterminated string literal');
      tok = { kind: 'str', text: src.slice(i + 1, e), loc };
      adv(e + 1 - i);
      if (active()) out.push(tok);
      continue;
    } else if (PUNCT.has(c)) {
      tok = { kind: 'punct', text: c, loc };
    } else {
      throw new EdlError(loc, `unexpected character '${c}'`);
    }
    adv(tok.text.length);
    if (active()) out.push(tok);
  }
  if (conds.length > 0) throw new EdlError(conds[conds.length - 1].loc, 'unterminated #if block (missing #endif)');
  out.push({ kind: 'eof', text: '<end of file>', loc: here() });
  return out;
}

function directive(words: string[], loc: Loc, conds: Cond[], outerActive: boolean, defines: ReadonlySet<string>): void {
  const [what, name] = words;
  switch (what) {
    case 'ifdef':
    case 'ifndef': {
      if (!name) throw new EdlError(loc, `#${what} needs a name`);
      const on = defines.has(name) === (what === 'ifdef');
      conds.push({ active: on, parentActive: outerActive, sawElse: false, loc });
      return;
    }
    case 'else': {
      const top = conds[conds.length - 1];
      if (!top || top.sawElse) throw new EdlError(loc, '#else without #ifdef');
      top.active = !top.active;
      top.sawElse = true;
      return;
    }
    case 'endif':
      if (!conds.pop()) throw new EdlError(loc, '#endif without #ifdef');
      return;
    default:
      throw new EdlError(loc, `unsupported preprocessor directive #${what ?? ''} (EDL supports #ifdef, #ifndef, #else, #endif)`);
  }
}
