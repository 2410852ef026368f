/**
 * Building and running the samples of examples/oe/ as their Makefiles do: `make -C SAMPLE
 * TARGET OUT=<temp> TRUSTBOX="node bin/trustbox.js"` (the `build` target runs `trustbox oe build`),
 * hosts run with TRUSTBOX_STATE. The temporary OUT gets what a project that depends on
 * trustbox-emulator has, so that the TypeScript hosts resolve the package from there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLES = join(ROOT, 'examples/oe');

/** The C pieces the SDK installs, rebuilt when their sources changed (no-ops otherwise). */
export function makeRuntimes(): void {
  for (const dir of ['libteec', 'oe/host', 'oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
}

/** An OUT directory laid out as a project depending on trustbox-emulator (for host-ts). */
export function projectOut(out: string): string {
  mkdirSync(join(out, 'node_modules'), { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module", "private": true }\n');
  symlinkSync(ROOT, join(out, 'node_modules', 'trustbox-emulator'), 'dir');
  return out;
}

/** Runs a Makefile target of a sample; returns its output, throws with it on failure. */
export function make(sample: string, target: string, vars: Record<string, string>): string {
  const args = ['-C', join(EXAMPLES, sample), target, `TRUSTBOX=node ${join(ROOT, 'bin/trustbox.js')}`,
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  try {
    return execFileSync('make', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`make ${target} in ${sample} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

/** A new RSA-3072 key (exponent 3, as OE's samples make theirs). */
export function rsaKey(file: string): string {
  execFileSync('openssl', ['genrsa', '-out', file, '-3', '3072'], { stdio: 'ignore' });
  return file;
}

export interface Run { stdout: string; stderr: string; status: number | null }

/** Runs a host (a program, or `node main.js`) against the device of `state`. */
export function runHost(cmd: string, args: string[], state: string, cwd = ROOT): Promise<Run> {
  const child = spawn(cmd, args, {
    cwd, timeout: 120_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TRUSTBOX_STATE: state },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((res) => child.on('close', (status) => res({ stdout, stderr, status })));
}

export const lines = (text: string): string[] => text.split('\n').filter(Boolean);
