/**
 * Loads an EDL file with its imports: `import "x.edl"` and `from "x.edl" import ...` resolved
 * through the importing file's directory and the --search-path directories (in that order of
 * the search paths first, as oeedger8r does); imported functions appended after the file's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EdlError, type Edl, type Func, type Loc, type UserType } from './ast.js';
import { checkFile } from './check.js';
import { lex } from './lexer.js';
import { parseTokens, type ParsedFile } from './parser.js';

export interface LoadOptions {
  searchPaths?: readonly string[];
  defines?: readonly string[];
  /** Receives warnings (allow() on ocalls). */
  warn?: (message: string) => void;
}

interface Loaded { parsed: ParsedFile; trusted: Func[]; untrusted: Func[]; types: UserType[]; includes: string[] }

/** Parses `src` as if read from `file` (tests use it for in-memory EDLs without imports). */
export function parseEdlText(src: string, file: string, options: LoadOptions = {}): Edl {
  return finish(file, loadText(src, file, options, new Map(), []));
}

/** Reads, parses, resolves imports of and checks `file`. */
export function loadEdl(file: string, options: LoadOptions = {}): Edl {
  // Messages name the top file as given, imported files as found.
  return finish(file, loadPath(file, options, new Map(), []));
}

function finish(file: string, l: Loaded): Edl {
  return { name: basename(file).replace(/\.edl$/, ''), file, includes: l.includes, types: l.types, trusted: l.trusted, untrusted: l.untrusted };
}

function loadPath(path: string, options: LoadOptions, cache: Map<string, Loaded>, stack: string[]): Loaded {
  const hit = cache.get(path);
  if (hit) return hit;
  return loadText(readFileSync(path, 'utf8'), path, options, cache, stack);
}

function findImport(name: string, from: string, options: LoadOptions, loc: Loc): string {
  const dirs = [...(options.searchPaths ?? []), dirname(from)];
  for (const d of dirs) {
    const p = resolve(d, name);
    if (existsSync(p)) return p;
  }
  throw new EdlError(loc, `cannot find imported file "${name}" (searched ${dirs.map((d) => join(d, name)).join(', ')}); add --search-path`);
}

function loadText(src: string, path: string, options: LoadOptions, cache: Map<string, Loaded>, stack: string[]): Loaded {
  const parsed = parseTokens(lex(src, path, new Set(options.defines ?? [])));
  for (const w of parsed.warnings) options.warn?.(w);
  checkFile([...parsed.trusted, ...parsed.untrusted], parsed.types);
  const l: Loaded = { parsed, trusted: [...parsed.trusted], untrusted: [...parsed.untrusted], types: [...parsed.types], includes: [...parsed.includes] };
  const nextStack = [...stack, path];
  for (const imp of parsed.imports) {
    const target = findImport(imp.file, path, options, imp.loc);
    if (nextStack.includes(target)) continue; // an import cycle adds nothing new
    const sub = loadPath(target, options, cache, nextStack);
    const want = (f: Func) => !imp.names || imp.names.includes(f.name);
    if (imp.names) {
      for (const n of imp.names) {
        if (!sub.trusted.some((f) => f.name === n) && !sub.untrusted.some((f) => f.name === n))
          throw new EdlError(imp.loc, `"${imp.file}" has no function '${n}'`);
      }
    }
    merge(l.trusted, sub.trusted.filter(want));
    merge(l.untrusted, sub.untrusted.filter(want));
    for (const t of sub.types) if (!l.types.some((x) => x.kind === t.kind && x.name === t.name)) l.types.push(t);
    for (const i of sub.includes) if (!l.includes.includes(i)) l.includes.push(i);
  }
  const all = new Map<string, Func>();
  for (const f of [...l.trusted, ...l.untrusted]) {
    const prev = all.get(f.name);
    if (prev && prev !== f) throw new EdlError(f.loc, `duplicate function '${f.name}' (also declared at ${prev.loc.file}:${prev.loc.line}:${prev.loc.col})`);
    all.set(f.name, f);
  }
  cache.set(path, l);
  return l;
}

function merge(into: Func[], more: Func[]): void {
  for (const f of more) if (!into.includes(f)) into.push(f);
}
