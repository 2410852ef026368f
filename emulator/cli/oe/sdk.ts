/**
 * `trustbox oe sdk --prefix DIR`: installs an Open Enclave SDK in OE's shape, for TrustBox:
 *
 *   include/openenclave/            enclave.h, host.h, bits/, corelibc/, edger8r/, edl/ (system EDLs),
 *                                   optee/ta-devkit/ (the dev kit headers enclaves compile against)
 *   bin/oeedger8r, bin/oesign       wrappers running this checkout's `trustbox oe edger8r|oesign`
 *   lib/openenclave/enclave/        liboeenclave.a, liboelibc.a, liboelibcxx.a, libtrustbox_utee.a, ta.lds, dyn_list,
 *                                   mbedtls (libmbedcrypto/x509/tls.a, when scripts/mbedtls.sh built them)
 *   lib/openenclave/host/           liboehost.a, libteec.so*
 *   share/pkgconfig/                oeenclave-gcc, oeenclave-g++, oehost-gcc, oehost-g++ (.pc)
 *
 * The .pc files are relocatable (`prefix=${pcfiledir}/../..`), as OE's are; the enclave flags are
 * for aarch64-linux-gnu-gcc and link a TA-shaped ELF (the dev kit's ta.lds and dyn_list, -pie).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { keysDirectory } from '../../tee/loader/signing-keys.js';
import { run } from '../ta-files.js';

/** The checkout this CLI runs from (the directory holding keys/). */
export function repoRoot(): string {
  return dirname(keysDirectory());
}

/** Where the checkout's pieces are (built by their Makefiles and scripts/mbedtls.sh). */
export function sdkSources(root = repoRoot()) {
  return {
    include: join(root, 'oe', 'include', 'openenclave'),
    edl: join(root, 'oe', 'edl', 'openenclave', 'edl'),
    devkit: join(root, 'firmware', 'ta-devkit'),
    enclaveLibs: join(root, 'oe', 'build', 'enclave'),
    mbedtls: join(root, 'oe', 'build', 'mbedtls'),
    hostLibs: join(root, 'oe', 'build', 'host'),
    libteec: join(root, 'libteec', 'build'),
    trustbox: join(root, 'bin', 'trustbox.js'),
  };
}

/** The enclave compiler's freestanding headers (stddef.h, stdint.h, ...). */
function gccInclude(cc: string): string {
  try {
    return execFileSync(cc, ['-print-file-name=include'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${cc} was not found: the enclave side needs the aarch64 cross compiler (apt-get install gcc-aarch64-linux-gnu)`);
  }
}

/**
 * The C++ standard library headers of the enclave C++ compiler: the directories of its own search
 * list that hold libstdc++ (`c++/<version>`, its target and backward folders), as g++ lists them.
 * Empty when the compiler is missing (C-only enclaves do not need it).
 */
export function cxxIncludeDirs(cxx: string): string[] {
  // g++ -v prints its search list on stderr
  const r = spawnSync(cxx, ['-xc++', '-E', '-v', '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const text = r.error ? '' : r.stderr;
  const from = text.indexOf('#include <...> search starts here:');
  const to = text.indexOf('End of search list.', from);
  if (from < 0 || to < 0) return [];
  return text.slice(from, to).split('\n').slice(1).map((l) => l.trim())
    .filter((d) => /[\\/]c\+\+[\\/]/.test(d)).map((d) => resolve(d));
}

/** Flags of every enclave compile (C and C++), as the dev kit compiles TAs (firmware/ta-devkit/mk/flags.mk). */
const ENCLAVE_CODE_FLAGS = ['-fpic', '-mstrict-align', '-mno-outline-atomics', '-ffreestanding', '-fno-builtin', '-fno-common',
  '-fstack-protector-strong', '-nostdinc'];

/**
 * Flags of a C enclave compile. Standard headers: the enclave C library (corelibc: its limits.h
 * takes the numeric limits from GCC's), then the dev kit, then GCC's freestanding headers.
 */
export function enclaveCflags(gccInc: string, includedir = '${includedir}'): string[] {
  return [
    ...ENCLAVE_CODE_FLAGS, `-isystem ${gccInc}`,
    `-I${includedir}/openenclave/corelibc`, `-I${includedir}/openenclave/optee/ta-devkit`, `-I${includedir}`,
  ];
}

/**
 * Flags of a C++ enclave compile: C++11 as OE's samples are, without exceptions or RTTI, with
 * the cross compiler's libstdc++ headers over the enclave C library. The order is what
 * libstdc++'s <cstdlib> and friends need (their `#include_next <stdlib.h>` finds corelibc's):
 * corelibc/libstdc++ (its bits/c++config.h adjusts libstdc++ for an enclave), libstdc++,
 * corelibc, the dev kit, GCC's headers. All are -isystem, so the application's -I folders
 * still come first.
 */
export function enclaveCxxflags(gccInc: string, cxxDirs: readonly string[], includedir = '${includedir}'): string[] {
  return [
    // -fno-gnu-unique: a TA is a plain ELF (EI_OSABI NONE); template statics stay weak symbols
    ...ENCLAVE_CODE_FLAGS, '-nostdinc++', '-fno-exceptions', '-fno-rtti', '-fno-gnu-unique',
    `-isystem ${includedir}/openenclave/corelibc/libstdc++`, ...cxxDirs.map((d) => `-isystem ${d}`),
    `-isystem ${includedir}/openenclave/corelibc`, `-isystem ${includedir}/openenclave/optee/ta-devkit`,
    `-isystem ${gccInc}`, `-I${includedir}`,
  ];
}

/** Link flags of an enclave: a PIE TA ELF with the dev kit's script, entry and exported symbols. */
export function enclaveLibs(libdir = '${libdir}'): string[] {
  const dir = `${libdir}/openenclave/enclave`;
  return [
    '-nostdlib', '-nodefaultlibs', '-nostartfiles', '-pie', '-Wl,--no-dynamic-linker', '-Wl,-e__ta_entry',
    // the .oeinfo record oesign fills in: nothing refers to it, so ask for it
    '-Wl,--undefined=oe_optee_enclave_info',
    `-Wl,-T,${dir}/ta.lds`, '-Wl,--sort-section=alignment', '-Wl,-z,max-page-size=4096',
    `-Wl,--dynamic-list=${dir}/dyn_list`, `-L${dir}`,
    '-Wl,--start-group', '-loeenclave', '-loelibc', '-loelibcxx', '-ltrustbox_utee', '-lgcc', '-Wl,--end-group',
  ];
}

/** mbedtls, with the runtime again after it (static libraries are searched in order). */
export const MBEDTLS_LIBS =
  '-L${libdir}/openenclave/enclave -Wl,--start-group -loecryptombedtls -lmbedtls -lmbedx509 -lmbedcrypto -loeenclave -loelibc -ltrustbox_utee -lgcc -Wl,--end-group';

function pcFile(name: string, description: string, vars: Record<string, string>, cflags: string[], libs: string[]): string {
  const lines = [
    'prefix=${pcfiledir}/../..', 'exec_prefix=${prefix}', 'includedir=${prefix}/include', 'libdir=${prefix}/lib',
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), '',
    `Name: ${name}`, `Description: ${description}`, 'Version: 0.19.0-trustbox',
    `Cflags: ${cflags.join(' ')}`, `Libs: ${libs.join(' ')}`, '',
  ];
  return lines.join('\n');
}

/** The four .pc files, by name (`cxxDirs`: the C++ compiler's libstdc++ headers, cxxIncludeDirs). */
export function pkgConfigFiles(gccInc: string, cxxDirs: readonly string[]): Record<string, string> {
  const unsupported = 'echo-openssl-is-not-available-in-trustbox-enclaves-use-mbedtls';
  const crypto = { mbedtlslibs: MBEDTLS_LIBS, openssllibs: `-l${unsupported}`, openssl_3libs: `-l${unsupported}`, openssl_3flags: '' };
  const host = ['-fstack-protector-strong', '-D_FORTIFY_SOURCE=2', '-I${includedir}'];
  const hostLibs = ['-Wl,-z,noexecstack', '-L${libdir}/openenclave/host', '-loehost', '-lteec',
    '-Wl,-rpath,${libdir}/openenclave/host', '-ldl', '-lpthread'];
  return {
    'oeenclave-gcc.pc': pcFile('Open Enclave (TrustBox)', 'Open Enclave enclave flags for aarch64-linux-gnu-gcc (a TrustBox TA)',
      crypto, ['-std=gnu11', ...enclaveCflags(gccInc)], enclaveLibs()),
    'oeenclave-g++.pc': pcFile('Open Enclave (TrustBox)', 'Open Enclave enclave flags for aarch64-linux-gnu-g++ (a TrustBox TA)',
      crypto, ['-std=c++11', ...enclaveCxxflags(gccInc, cxxDirs)], enclaveLibs()),
    'oehost-gcc.pc': pcFile('Open Enclave host (TrustBox)', 'Open Enclave host flags for gcc (over libteec.so.2)', {}, host, hostLibs),
    'oehost-g++.pc': pcFile('Open Enclave host (TrustBox)', 'Open Enclave host flags for g++ (over libteec.so.2)', {}, host, hostLibs),
  };
}

function wrapper(trustbox: string, sub: string): string {
  const q = `'${trustbox.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh\n# Open Enclave's ${sub} for TrustBox: runs trustbox oe ${sub} of the checkout it was installed from.\nexec node ${q} oe ${sub} "$@"\n`;
}

function copyDir(from: string, to: string, what: string): void {
  if (!existsSync(from)) throw new Error(`${from} is missing (${what})`);
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}

function copyLibs(from: string, to: string, names: readonly string[], fix: string): void {
  for (const n of names) {
    if (!existsSync(join(from, n))) throw new Error(`${join(from, n)} is missing: ${fix}`);
    cpSync(join(from, n), join(to, n), { dereference: true });
  }
}

export interface SdkOptions {
  prefix: string;
  root?: string;
  /** enclave C compiler (default aarch64-linux-gnu-gcc) */
  cc?: string;
  /** enclave C++ compiler, whose libstdc++ headers oeenclave-g++ names (default aarch64-linux-gnu-g++) */
  cxx?: string;
  log?: (line: string) => void;
}

/** Installs the SDK under `prefix`; returns the files' directory list for the person. */
export function installSdk(o: SdkOptions): string[] {
  const prefix = resolve(o.prefix);
  const src = sdkSources(o.root);
  const log = o.log ?? (() => {});
  const inc = join(prefix, 'include', 'openenclave');
  const encLib = join(prefix, 'lib', 'openenclave', 'enclave');
  const hostLib = join(prefix, 'lib', 'openenclave', 'host');
  const bin = join(prefix, 'bin');
  const pc = join(prefix, 'share', 'pkgconfig');
  rmSync(inc, { recursive: true, force: true });
  copyDir(src.include, inc, 'the SDK headers');
  if (existsSync(src.edl)) copyDir(src.edl, join(inc, 'edl'), 'the system EDLs');
  copyDir(join(src.devkit, 'include'), join(inc, 'optee', 'ta-devkit'), 'the TA dev kit headers');
  log(`headers    ${inc}`);

  mkdirSync(encLib, { recursive: true });
  copyLibs(src.enclaveLibs, encLib, ['liboeenclave.a', 'liboelibc.a', 'liboelibcxx.a'], 'run make -C oe/enclave');
  copyLibs(join(src.devkit, 'build', 'lib'), encLib, ['libtrustbox_utee.a'], 'run make -C firmware/ta-devkit/lib');
  copyLibs(src.devkit, encLib, ['ta.lds', 'dyn_list'], 'the dev kit is incomplete');
  const mbed = ['libmbedcrypto.a', 'libmbedx509.a', 'libmbedtls.a'];
  if (mbed.every((n) => existsSync(join(src.mbedtls, 'lib', n)))) {
    copyLibs(join(src.mbedtls, 'lib'), encLib, mbed, 'run scripts/mbedtls.sh');
    copyDir(join(src.mbedtls, 'include', 'mbedtls'), join(inc, '3rdparty', 'mbedtls'), 'the mbedtls headers');
    copyDir(join(src.mbedtls, 'include', 'mbedtls'), join(inc, 'corelibc', 'mbedtls'), 'the mbedtls headers');
    log(`mbedtls    ${encLib}`);
  } else {
    log('mbedtls    not built (run scripts/mbedtls.sh, then oe sdk again): mbedtlslibs will not link');
  }
  // OE names its mbedtls glue liboecryptombedtls; ours lives in liboeenclave, so this one is empty.
  const glue = join(encLib, 'liboecryptombedtls.a');
  writeFileSync(glue, '!<arch>\n');
  log(`enclave    ${encLib}`);

  mkdirSync(hostLib, { recursive: true });
  copyLibs(src.hostLibs, hostLib, ['liboehost.a'], 'run make -C oe/host');
  copyLibs(src.libteec, hostLib, ['libteec.so.2'], 'run make -C libteec');
  rmSync(join(hostLib, 'libteec.so'), { force: true });
  cpSync(join(hostLib, 'libteec.so.2'), join(hostLib, 'libteec.so'));
  log(`host       ${hostLib}`);

  mkdirSync(bin, { recursive: true });
  for (const [file, sub] of [['oeedger8r', 'edger8r'], ['oesign', 'oesign']] as const) {
    writeFileSync(join(bin, file), wrapper(src.trustbox, sub));
    chmodSync(join(bin, file), 0o755);
  }
  log(`tools      ${bin}/oeedger8r, ${bin}/oesign`);

  mkdirSync(pc, { recursive: true });
  const cxxDirs = cxxIncludeDirs(o.cxx ?? 'aarch64-linux-gnu-g++');
  if (cxxDirs.length === 0) log('c++        no libstdc++ headers (aarch64-linux-gnu-g++ missing?): oeenclave-g++ has C headers only');
  for (const [name, text] of Object.entries(pkgConfigFiles(gccInclude(o.cc ?? 'aarch64-linux-gnu-gcc'), cxxDirs))) {
    writeFileSync(join(pc, name), text);
  }
  log(`pkg-config ${pc} (${readdirSync(pc).join(', ')})`);
  return [inc, encLib, hostLib, bin, pc];
}

/** Adds `sdk` to the `oe` command group. */
export function registerSdk(oe: Command): void {
  oe.command('sdk')
    .description('install an Open Enclave SDK for TrustBox (headers, oeedger8r, oesign, libraries, pkg-config files)')
    .requiredOption('--prefix <dir>', 'where to install (then: PKG_CONFIG_PATH=<dir>/share/pkgconfig)')
    .action((opts: { prefix: string }, c: Command) => run(c, () => {
      installSdk({ prefix: opts.prefix, log: (line) => process.stdout.write(`${line}\n`) });
      process.stdout.write(`done: export PKG_CONFIG_PATH=${resolve(opts.prefix)}/share/pkgconfig PATH=${resolve(opts.prefix)}/bin:$PATH\n`);
    }));
}
