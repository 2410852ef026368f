/**
 * The boot image of a board: `images/<board>/manifest.json` lists every file with its SHA-256.
 * The boot ROM stage refuses an image whose files are missing, changed or not listed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../host/crypto.js';

export interface ManifestFile {
  path: string;
  sha256: string;
  /** `normal-firmware` or `ta`. */
  role: string;
  /** For firmware: load address (hex string). */
  load?: string;
  entry?: string;
}

export interface Manifest {
  version: 1;
  board: string;
  description?: string;
  files: ManifestFile[];
}

/** A verified image, with the bytes of every file. */
export interface BootImage {
  dir: string;
  manifest: Manifest;
  files: Map<string, Buffer>;
  firmware: { bytes: Buffer; load: number; entry: number; path: string };
  /** TA files in the image, by lowercase UUID. */
  tas: Map<string, { path: string; bytes: Buffer }>;
}

/** An image that must not boot; the message names the file. */
export class ImageError extends Error {
  constructor(message: string, public readonly file?: string) {
    super(message);
    this.name = 'ImageError';
  }
}

/** The repository root (two levels above this file, in both the sources and `dist/`). */
export function projectRoot(): string {
  let dir = resolve(fileURLToPath(new URL('.', import.meta.url)));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'images'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the trustbox-emulator project root');
}

/** The default image directory of a board. */
export function defaultImageDir(board: string): string {
  return join(projectRoot(), 'images', board);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

function parseHex(value: string | undefined, what: string, file: string): number {
  if (value === undefined || !/^0x[0-9a-f]+$/i.test(value)) {
    throw new ImageError(`manifest.json: ${what} of ${file} must be a hex string such as "0x40000000"`, 'manifest.json');
  }
  return Number.parseInt(value, 16);
}

function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new ImageError(`image ${dir} has no manifest.json`, 'manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new ImageError(`manifest.json in ${dir} is not valid JSON (${(error as Error).message})`, 'manifest.json');
  }
  if (manifest?.version !== 1 || !Array.isArray(manifest.files)) {
    throw new ImageError(`manifest.json in ${dir} is not a version 1 manifest with a files list`, 'manifest.json');
  }
  return manifest;
}

/** Reads and verifies an image directory for `board`. */
export function loadImage(dir: string, board: string): BootImage {
  if (!existsSync(dir)) throw new ImageError(`image directory ${dir} does not exist`);
  const manifest = readManifest(dir);
  if (manifest.board !== board) {
    throw new ImageError(`image ${dir} is built for board ${manifest.board}, not ${board}`, 'manifest.json');
  }
  const files = new Map<string, Buffer>();
  for (const entry of manifest.files) {
    if (typeof entry.path !== 'string' || entry.path.includes('..') || entry.path.startsWith('/')) {
      throw new ImageError(`manifest.json lists an invalid path ${JSON.stringify(entry.path)}`, 'manifest.json');
    }
    const full = join(dir, entry.path);
    if (!existsSync(full)) throw new ImageError(`image file ${entry.path} is missing from ${dir}`, entry.path);
    const bytes = readFileSync(full);
    const digest = sha256(bytes).toString('hex');
    if (digest !== entry.sha256) {
      throw new ImageError(
        `image file ${entry.path} does not match its manifest: sha256 is ${digest}, expected ${entry.sha256}; ` +
        'the image was changed after it was built (rebuild it with `npm run build`)', entry.path);
    }
    files.set(entry.path, bytes);
  }
  for (const path of listFiles(dir)) {
    if (path !== 'manifest.json' && !files.has(path)) {
      throw new ImageError(`image file ${path} is not listed in manifest.json; refusing an image with unknown files`, path);
    }
  }
  const fw = manifest.files.find((f) => f.role === 'normal-firmware');
  if (!fw) throw new ImageError('manifest.json names no normal-firmware file', 'manifest.json');
  const firmware = {
    bytes: files.get(fw.path)!, path: fw.path,
    load: parseHex(fw.load, 'load', fw.path), entry: parseHex(fw.entry, 'entry', fw.path),
  };
  const tas = new Map<string, { path: string; bytes: Buffer }>();
  for (const f of manifest.files.filter((x) => x.role === 'ta')) {
    const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.ta$/.exec(f.path);
    if (!m) throw new ImageError(`TA file ${f.path} is not named <uuid>.ta`, f.path);
    tas.set(m[1]!, { path: f.path, bytes: files.get(f.path)! });
  }
  return { dir, manifest, files, firmware, tas };
}
