/**
 * `trustbox oe edger8r FILE.edl...`: Open Enclave's oeedger8r. Reads EDL files (edl/loader.ts)
 * and writes the C stubs for the enclave (`--trusted`) and the host (`--untrusted`), and with
 * `--untrusted-ts DIR` the TypeScript host module `<name>_u.ts`. Errors name file:line:column
 * and exit with status 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EdlError } from './edl/ast.js';
import { generateC } from './edl/gen-c.js';
import { generateTs } from './edl/gen-ts.js';
import { loadEdl } from './edl/loader.js';

export interface Edger8rOptions {
  searchPath?: string[];
  trusted?: boolean;
  untrusted?: boolean;
  trustedDir?: string;
  untrustedDir?: string;
  untrustedTs?: string;
  headerOnly?: boolean;
  define?: string[];
  runtimeImport?: string;
}

/** The default module the generated `<name>_u.ts` imports its runtime from. */
export const DEFAULT_RUNTIME_IMPORT = 'trustbox-emulator/oe';

/** Runs the edger8r on `files`; returns the exit status (messages go to `log`/`err`). */
export function runEdger8r(files: string[], opts: Edger8rOptions, log: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  const both = !opts.trusted && !opts.untrusted;
  const trusted = both || !!opts.trusted;
  const untrusted = both || !!opts.untrusted;
  try {
    for (const file of files) {
      log(`Processing ${file}.`);
      const edl = loadEdl(file, { searchPaths: opts.searchPath ?? [], defines: opts.define ?? [], warn: err });
      for (const out of generateC(edl, { trusted, untrusted, headerOnly: !!opts.headerOnly })) {
        const dir = out.side === 'trusted' ? opts.trustedDir ?? '.' : opts.untrustedDir ?? '.';
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, out.name), out.text);
      }
      if (opts.untrustedTs) {
        mkdirSync(opts.untrustedTs, { recursive: true });
        writeFileSync(join(opts.untrustedTs, `${edl.name}_u.ts`), generateTs(edl, opts.runtimeImport ?? DEFAULT_RUNTIME_IMPORT));
      }
    }
  } catch (error) {
    if (error instanceof EdlError) { err(error.message); return 1; }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') { err(`error: ${(error as Error).message}`); return 1; }
    throw error;
  }
  log('Success.');
  return 0;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds `edger8r` to `program` (the `oe` command group). */
export function registerEdger8r(program: Command): void {
  program.command('edger8r')
    .description("Open Enclave's oeedger8r: EDL files to enclave (_t) and host (_u) C stubs, and a TypeScript host module")
    .argument('<files...>', 'EDL files')
    .option('--search-path <dir>', 'where imported EDL files are looked for (repeatable; then the importing file\'s directory)', collect, [])
    .option('--trusted', 'generate the enclave side only (default: both sides)')
    .option('--untrusted', 'generate the host side only (default: both sides)')
    .option('--trusted-dir <dir>', 'directory for the enclave-side files (default: .)')
    .option('--untrusted-dir <dir>', 'directory for the host-side C files (default: .)')
    .option('--untrusted-ts <dir>', 'also write the TypeScript host module <name>_u.ts to DIR')
    .option('--header-only', 'write only the headers')
    .option('-D, --define <name>', 'define NAME for #ifdef in the EDL (repeatable)', collect, [])
    .option('--runtime-import <spec>', `module the generated <name>_u.ts imports the runtime from (default: ${DEFAULT_RUNTIME_IMPORT})`)
    .option('--use-prefix', 'accepted for oeedger8r compatibility (ignored)')
    .option('--experimental', 'accepted for oeedger8r compatibility (ignored)')
    // oeedger8r's -W<warning>/-Wall/-Werror options are accepted and ignored.
    .allowUnknownOption()
    .addHelpText('after', '\nExit codes:\n  0  the files were written\n  1  an EDL error (printed as FILE:LINE:COLUMN: error: ...) or a missing file\n')
    .action((args: string[], opts: Edger8rOptions) => {
      const unknown = args.filter((a) => a.startsWith('-') && !a.startsWith('-W'));
      if (unknown.length) {
        console.error(`error: unknown option '${unknown[0]}'`);
        process.exitCode = 1;
        return;
      }
      const status = runEdger8r(args.filter((a) => !a.startsWith('-')), opts);
      if (status !== 0) process.exitCode = status;
    });
}
