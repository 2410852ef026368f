/**
 * The emulator's import graph, measured: which module imports which, the floors they sit on,
 * imports that point up a floor, import cycles and the largest files.
 *
 *   node dist/scripts/import-graph.js [--json]
 *
 * The floors are the contract of docs/architecture.md ("Floors"); test/unit/layers.test.ts
 * holds the code to it (no upward import, no cycle). Only relative imports count: packages
 * are not part of the graph.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Floor of each top-level folder of emulator/: a module may import from its own folder and
 * from folders on a lower floor. Folders on the same floor do not import each other.
 * `client/` is apart: it may import only the ground floor (the protocol and the ABI).
 */
export const FLOORS: Readonly<Record<string, number>> = {
  abi: 0,
  trace: 0,
  host: 0,
  cpu: 1,
  machine: 2,
  monitor: 3,
  tee: 3,
  ree: 3,
  device: 4,
  api: 5,
  client: 5,
  ui: 5,
  cli: 6,
};

/** What `client/` may import: it runs in browsers and edge modules, apart from the emulator. */
export const CLIENT_MAY_IMPORT: readonly string[] = ['abi', 'client'];

/** The ground floor imports nothing above it; of its own floor only the ABI, which imports nothing. */
const GROUND_MAY_IMPORT: readonly string[] = ['abi'];
/** Who may import `client/`: the CLI talks to running devices through it, as edge modules do. */
const CLIENT_USERS: readonly string[] = ['cli'];

export interface ModuleInfo {
  /** Path relative to the repository, e.g. `emulator/tee/core.ts`. */
  file: string;
  lines: number;
  imports: string[];
}

export interface GraphReport {
  modules: number;
  edges: number;
  upward: { from: string; to: string; why: string }[];
  cycles: string[][];
  largest: { file: string; lines: number }[];
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Reads every module under `root/emulator` with its relative imports resolved to files. */
export function readModules(root: string): ModuleInfo[] {
  const base = resolve(root);
  const files = listTs(join(base, 'emulator'));
  const known = new Set(files.map((f) => relative(base, f)));
  return files.map((abs) => {
    const text = readFileSync(abs, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    const imports: string[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = relative(base, resolve(dirname(abs), ref.fileName)).replace(/\.js$/, '.ts');
      if (known.has(target)) imports.push(target);
    }
    return { file: relative(base, abs), lines: text.split('\n').length, imports: [...new Set(imports)] };
  });
}

/** `emulator/tee/core.ts` -> `tee`. */
export function folderOf(file: string): string {
  return file.split('/')[1] ?? '';
}

/** Why importing `to` from `from` breaks the floors, or undefined when it does not. */
export function upwardReason(from: string, to: string): string | undefined {
  const a = folderOf(from);
  const b = folderOf(to);
  if (a === b) return undefined;
  if (a === 'client') return CLIENT_MAY_IMPORT.includes(b) ? undefined : `client/ imports ${b}/`;
  const fa = FLOORS[a];
  const fb = FLOORS[b];
  if (fa === undefined) return `${a}/ has no floor`;
  if (fb === undefined) return `${b}/ has no floor`;
  if (b === 'client') return CLIENT_USERS.includes(a) ? undefined : `${a}/ imports client/`;
  if (fa === 0) return a !== 'abi' && GROUND_MAY_IMPORT.includes(b) ? undefined : `ground floor ${a}/ imports ${b}/`;
  if (fb > fa) return `${a}/ (floor ${fa}) imports ${b}/ (floor ${fb})`;
  if (fb === fa) return `${a}/ imports ${b}/ on its own floor`;
  return undefined;
}

/** Strongly connected components of more than one module (Tarjan), each sorted. */
export function findCycles(mods: ModuleInfo[]): string[][] {
  const graph = new Map(mods.map((m) => [m.file, m.imports]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const m of mods) if (!index.has(m.file)) visit(m.file);
  return out.sort((x, y) => y.length - x.length);
}

export function analyse(root: string): GraphReport {
  const mods = readModules(root);
  const upward: GraphReport['upward'] = [];
  let edges = 0;
  for (const m of mods) {
    for (const t of m.imports) {
      edges += 1;
      const why = upwardReason(m.file, t);
      if (why) upward.push({ from: m.file, to: t, why });
    }
  }
  const largest = mods
    .map((m) => ({ file: m.file, lines: m.lines }))
    .sort((a, b) => b.lines - a.lines)
    .slice(0, 10);
  return { modules: mods.length, edges, upward, cycles: findCycles(mods), largest };
}

function main(): void {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
  const report = analyse(root);
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const p = (s: string): void => void process.stdout.write(s + '\n');
  p(`modules ${report.modules}, imports ${report.edges}`);
  p(`upward imports: ${report.upward.length}`);
  for (const u of report.upward) p(`  ${u.from} -> ${u.to}  (${u.why})`);
  p(`import cycles: ${report.cycles.length}`);
  for (const c of report.cycles) p(`  ${c.length} modules: ${c.join(', ')}`);
  p('largest files:');
  for (const l of report.largest) p(`  ${String(l.lines).padStart(5)}  ${l.file}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
