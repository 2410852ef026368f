/**
 * `trustbox oe build APP_DIR --out OUT_DIR [--key ENCLAVE=KEY.pem]...`: builds an application laid
 * out as OE's samples are, without changing a source file:
 *
 *   APP_DIR/<name>.edl           the EDL (one; with several, an enclave uses <enclave folder>.edl)
 *   APP_DIR/<enclave folder>/    an enclave's sources (C/C++, any depth) and its .conf
 *   APP_DIR/common/              enclave code shared by every enclave
 *   APP_DIR/host/                the host
 *   .../mbedtls_src, openssl_src alternative crypto code: the mbedtls one is built
 *
 * Each enclave becomes OUT_DIR/<enclave folder>.ta (oesign: its .conf, its key or the development
 * key, its UUID as oesign derives it) and the host OUT_DIR/host, run as the sample's `run` target
 * runs it: `TRUSTBOX_STATE=DIR OUT_DIR/host [args] OUT_DIR/<enclave>.ta`. Intermediate files go
 * to OUT_DIR/.build (the SDK it compiles against to OUT_DIR/.build/sdk).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { runEdger8r } from './edger8r-command.js';
import { signEnclave } from './oesign.js';
import { cxxIncludeDirs, enclaveCflags, enclaveCxxflags, enclaveLibs, installSdk, MBEDTLS_LIBS, repoRoot, sdkSources } from './sdk.js';

const C_EXT = /\.c$/;
const CXX_EXT = /\.(cpp|cc|cxx)$/;
/** Folders at the top of an application that are not enclaves. */
const NOT_ENCLAVES = new Set(['host', 'common', 'mbedtls_src', 'openssl_src', 'build', 'out', 'node_modules']);

export interface BuildOptions {
  app: string;
  out: string;
  /** enclave folder → PEM private key */
  keys?: Record<string, string>;
  root?: string;
  log?: (line: string) => void;
}

/** What a build made. */
export interface BuildResult {
  enclaves: { name: string; ta: string; uuid: string }[];
  host?: string;
}

/** An application's parts, as the sample layout names them. */
export interface AppLayout {
  edls: string[];
  enclaves: string[];
  common?: string;
  host?: string;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Source files under `dir` (any depth): openssl_src is skipped when mbedtls_src is next to it. */
export function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    const names = readdirSync(d).sort();
    for (const n of names) {
      const p = join(d, n);
      if (isDir(p)) {
        if (n.startsWith('.') || n === 'host' || n === 'openssl_src') continue; // mbedtls_src is the crypto built
        walk(p);
      } else if (C_EXT.test(n) || CXX_EXT.test(n)) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

/** Finds the EDL(s), the enclave folders (those with sources), common/ and host/. */
export function scanApp(app: string): AppLayout {
  if (!isDir(app)) throw new Error(`${app} is not a directory`);
  const names = readdirSync(app).sort();
  const edls = names.filter((n) => n.endsWith('.edl')).map((n) => join(app, n));
  if (edls.length === 0) throw new Error(`${app} has no .edl file at its top (OE's sample layout puts the EDL there)`);
  const enclaves = names.filter((n) => !n.startsWith('.') && !NOT_ENCLAVES.has(n) && isDir(join(app, n)) && sourcesUnder(join(app, n)).length > 0)
    .map((n) => join(app, n));
  if (enclaves.length === 0) throw new Error(`${app} has no enclave folder (a folder beside host/ with the enclave's sources)`);
  return {
    edls, enclaves,
    common: isDir(join(app, 'common')) ? join(app, 'common') : undefined,
    host: isDir(join(app, 'host')) ? join(app, 'host') : undefined,
  };
}

/** The EDL an enclave uses: the only one, or the one named after the enclave folder. */
function edlFor(layout: AppLayout, enclave: string): string {
  if (layout.edls.length === 1) return layout.edls[0];
  const named = layout.edls.find((e) => basename(e, '.edl') === basename(enclave));
  if (!named) throw new Error(`several EDLs (${layout.edls.map((e) => basename(e)).join(', ')}) and none named ${basename(enclave)}.edl`);
  return named;
}

/** The enclave's .conf: the first *.conf in its folder (or below it). */
function confFor(enclave: string): string | undefined {
  const walk = (d: string): string | undefined => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (n.endsWith('.conf') && !isDir(p)) return p;
    }
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (isDir(p) && !n.startsWith('.')) {
        const found = walk(p);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(enclave);
}

function toolExists(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a compiler; its messages become the error. */
function sh(tool: string, args: string[], cwd: string): void {
  try {
    execFileSync(tool, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    const text = `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`.trim();
    throw new Error(`${tool} failed:\n${text || err.message}`);
  }
}

/** Splits pkg-config-style flag strings (no quoting inside our flags) after substituting variables. */
function flags(list: string[] | string, vars: Record<string, string>): string[] {
  const text = (Array.isArray(list) ? list.join(' ') : list).replace(/\$\{(\w+)\}/g, (_, v: string) => vars[v] ?? '');
  return text.split(/\s+/).filter(Boolean);
}

function runEdl(edl: string, side: 'trusted' | 'untrusted', dir: string, searchPaths: string[]): void {
  const messages: string[] = [];
  const status = runEdger8r([edl], {
    searchPath: searchPaths, trusted: side === 'trusted', untrusted: side === 'untrusted',
    trustedDir: dir, untrustedDir: dir,
  }, () => {}, (s) => messages.push(s));
  if (status !== 0) throw new Error(`oeedger8r ${basename(edl)}: ${messages.join('\n')}`);
}

interface Compilers { cc: string; cxx: string; hostCc: string; hostCxx: string }

function compilers(): Compilers {
  return {
    cc: process.env.OE_ENCLAVE_CC ?? 'aarch64-linux-gnu-gcc',
    cxx: process.env.OE_ENCLAVE_CXX ?? 'aarch64-linux-gnu-g++',
    hostCc: process.env.CC ?? 'gcc',
    hostCxx: process.env.CXX ?? 'g++',
  };
}

/** Compiles `sources` to objects under `objDir`; returns them. */
function compileAll(sources: string[], objDir: string, app: string, c: { cc: string; cxx: string; cflags: string[]; cxxflags: string[] }): string[] {
  const objs: string[] = [];
  for (const src of sources) {
    const cxx = CXX_EXT.test(src);
    const obj = join(objDir, relative(app, src).replace(/[\\/]/g, '__').replace(/\.\w+$/, '.o'));
    mkdirSync(objDir, { recursive: true });
    if (cxx && !toolExists(c.cxx)) {
      throw new Error(`${relative(app, src)} is C++ and ${c.cxx} is not installed (apt-get install g++-aarch64-linux-gnu, or set OE_ENCLAVE_CXX)`);
    }
    sh(cxx ? c.cxx : c.cc, [...(cxx ? c.cxxflags : c.cflags), '-c', src, '-o', obj], app);
    objs.push(obj);
  }
  return objs;
}

/** Builds one enclave folder to OUT/<name>.ta. */
function buildEnclave(o: BuildOptions, layout: AppLayout, enclave: string, sdk: string, tools: Compilers, searchPaths: string[]) {
  const name = basename(enclave);
  const work = resolve(o.out, '.build', name);
  // Samples include the stubs as "<edl>_t.h" or as <common/<edl>_t.h> (generated into common/)
  const gen = join(work, 'gen', 'common');
  const log = o.log ?? (() => {});
  mkdirSync(gen, { recursive: true });
  const edl = edlFor(layout, enclave);
  log(`[${name}] oeedger8r --trusted ${basename(edl)}`);
  runEdl(edl, 'trusted', gen, searchPaths);
  const gccInc = execFileSync(tools.cc, ['-print-file-name=include'], { encoding: 'utf8' }).trim();
  const vars = { includedir: join(sdk, 'include'), libdir: join(sdk, 'lib') };
  const incs = [`-I${gen}`, `-I${join(work, 'gen')}`, `-I${enclave}`, `-I${o.app}`, ...(layout.common ? [`-I${layout.common}`] : [])];
  const common = ['-Os', '-g', '-Wno-unused-parameter', ...incs];
  const sources = [...sourcesUnder(enclave), ...(layout.common ? sourcesUnder(layout.common) : []),
    ...readdirSync(gen).filter((n) => n.endsWith('_t.c')).map((n) => join(gen, n))];
  const cflags = ['-std=gnu11', ...flags(enclaveCflags(gccInc), vars), ...common];
  // C++ (C++11 as OE's samples; libstdc++'s headers of the cross g++): only asked when needed
  const cxxDirs = sources.some((f) => CXX_EXT.test(f)) ? cxxIncludeDirs(tools.cxx) : [];
  const cxxflags = ['-std=gnu++11', ...flags(enclaveCxxflags(gccInc, cxxDirs), vars), ...common];
  log(`[${name}] compiling ${sources.length} file(s) for aarch64`);
  const objs = compileAll(sources, join(work, 'obj'), o.app, { cc: tools.cc, cxx: tools.cxx, cflags, cxxflags });
  const elf = join(work, name);
  const mbed = existsSync(join(sdk, 'lib', 'openenclave', 'enclave', 'libmbedcrypto.a')) ? flags(MBEDTLS_LIBS, vars) : [];
  const libs = flags(enclaveLibs(), vars);
  log(`[${name}] linking ${elf}`);
  // mbedtls first inside one group with the runtime: the archives refer to each other
  const group = libs.indexOf('-Wl,--start-group');
  const mbedLibs = mbed.filter((f) => /^-l(mbed|oecrypto)/.test(f));
  sh(tools.cc, [...libs.slice(0, group + 1), ...objs, ...mbedLibs, ...libs.slice(group + 1), '-o', elf], o.app);
  const key = o.keys?.[name];
  const conf = confFor(enclave);
  const out = resolve(o.out, `${name}.ta`);
  const r = signEnclave({ enclave: elf, conf, key, out, warn: (l) => log(`[${name}] oesign: ${l}`) });
  log(`[${name}] oesign ${conf ? relative(o.app, conf) : '(no .conf)'} ${key ? `key ${key}` : 'development key'} -> ${out} (${r.uuid})`);
  return { name, ta: out, uuid: r.uuid };
}

/** Builds host/ to OUT/host with gcc (g++ when it has C++), liboehost and libteec. */
function buildHost(o: BuildOptions, layout: AppLayout, hostDir: string, sdk: string, tools: Compilers, searchPaths: string[]): string {
  const work = resolve(o.out, '.build', 'host');
  const gen = join(work, 'gen');
  const log = o.log ?? (() => {});
  mkdirSync(gen, { recursive: true });
  for (const edl of layout.edls) {
    log(`[host] oeedger8r --untrusted ${basename(edl)}`);
    runEdl(edl, 'untrusted', gen, searchPaths);
  }
  const inc = join(sdk, 'include');
  const lib = join(sdk, 'lib', 'openenclave', 'host');
  const common = ['-g', '-O2', '-fstack-protector-strong', `-I${gen}`, `-I${hostDir}`, `-I${o.app}`, `-I${inc}`];
  const sources = [...sourcesUnder(hostDir), ...readdirSync(gen).filter((n) => n.endsWith('_u.c')).map((n) => join(gen, n))];
  log(`[host] compiling ${sources.length} file(s)`);
  const objs = compileAll(sources, join(work, 'obj'), o.app, {
    cc: tools.hostCc, cxx: tools.hostCxx, cflags: ['-std=gnu11', ...common], cxxflags: ['-std=gnu++14', ...common],
  });
  const out = resolve(o.out, 'host');
  const linker = sources.some((s) => CXX_EXT.test(s)) ? tools.hostCxx : tools.hostCc;
  sh(linker, [...objs, '-o', out, `-L${lib}`, '-loehost', '-lteec', `-Wl,-rpath,${lib}`, '-lpthread', '-ldl'], o.app);
  log(`[host] linked -> ${out}`);
  return out;
}

/** Builds every enclave and the host of an application. */
export function buildApp(o: BuildOptions): BuildResult {
  const app = resolve(o.app);
  const opts = { ...o, app, out: resolve(o.out) };
  const log = o.log ?? (() => {});
  const layout = scanApp(app);
  for (const k of Object.keys(o.keys ?? {})) {
    if (!layout.enclaves.some((e) => basename(e) === k)) throw new Error(`--key ${k}=...: ${app} has no enclave folder ${k}`);
  }
  const tools = compilers();
  if (!toolExists(tools.cc)) throw new Error(`${tools.cc} is not installed (apt-get install gcc-aarch64-linux-gnu)`);
  const sdk = join(opts.out, '.build', 'sdk');
  log(`sdk: ${sdk}`);
  installSdk({ prefix: sdk, root: o.root, cc: tools.cc, cxx: tools.cxx });
  const edlRoot = join(sdk, 'include');
  const searchPaths = [app, edlRoot, join(edlRoot, 'openenclave', 'edl', 'sgx'), sdkSources(o.root ?? repoRoot()).edl];
  const enclaves = layout.enclaves.map((e) => buildEnclave(opts, layout, e, sdk, tools, searchPaths));
  const host = layout.host ? buildHost(opts, layout, layout.host, sdk, tools, searchPaths) : undefined;
  return { enclaves, host };
}

/** Adds `build` to the `oe` command group. */
export function registerBuild(oe: Command): void {
  oe.command('build')
    .description('build an OE-sample-shaped application: each enclave folder to OUT/<folder>.ta, host/ to OUT/host')
    .argument('<app-dir>', 'the application (EDL at the top, one folder per enclave, host/, common/)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--key <enclave=pem>', 'signing key of an enclave folder (repeatable; default: the development key)',
      (v: string, prev: string[] = []) => [...prev, v])
    .action((appDir: string, opts: { out: string; key?: string[] }, c: Command) => {
      try {
        const keys: Record<string, string> = {};
        for (const k of opts.key ?? []) {
          const eq = k.indexOf('=');
          if (eq <= 0) throw new Error(`--key ${k}: expected ENCLAVE=KEY.pem`);
          keys[k.slice(0, eq)] = resolve(k.slice(eq + 1));
        }
        const r = buildApp({ app: appDir, out: opts.out, keys, log: (l) => process.stdout.write(`${l}\n`) });
        const tas = r.enclaves.map((e) => e.ta).join(' ');
        if (r.host) process.stdout.write(`run: TRUSTBOX_STATE=<state> ${r.host} ${tas}\n`);
      } catch (e) {
        c.error(`error: ${(e as Error).message}`, { exitCode: 1 });
      }
    });
}
