/**
 * The agent's side of a module image: pull it into the image cache (`<state>/edge/images/`),
 * unpack its layers into the module's root (`<state>/edge/modules/<name>/rootfs/`), find its TA
 * containers (`lib/optee_armtz/*.ta`) and its entry point.
 *
 * Layers are checked against their digests before they are unpacked; tar drops absolute and
 * `..` paths and never writes through a link, and owners in the archive are ignored.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract as tarExtract } from 'tar';
import { blobPath, layerCompression, readBlob, readImage, type LayoutImage } from './oci-layout.js';
import { LABEL_TA_ENCRYPTED, LABEL_TA_UUIDS, TA_DIR_IN_IMAGE } from './module-pack.js';
import { formatImageRef, parseImageRef, pullImage, type TransferOptions } from './skopeo.js';

/** The package root of this emulator (`dist/emulator/cli/edge/` is four floors down). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The cache layout of an image reference: one layout per repository, tagged by tag or digest. */
export function cacheLocation(imagesDir: string, image: string): { layout: string; tag: string } {
  const ref = parseImageRef(image);
  const safe = `${ref.registry}/${ref.repository}`.replace(/[^a-zA-Z0-9._-]/g, '_');
  const tag = ref.digest ? ref.digest.replace(':', '-') : (ref.tag ?? 'latest');
  return { layout: join(imagesDir, safe), tag };
}

/**
 * Pulls `image` (imagePullPolicy "on-create"), or takes it from the cache ("never"), and reads it.
 */
export function fetchImage(imagesDir: string, image: string, pull: boolean, transfer: TransferOptions): LayoutImage {
  const { layout, tag } = cacheLocation(imagesDir, image);
  if (pull) mkdirSync(layout, { recursive: true, mode: 0o700 });
  if (pull) pullImage(formatImageRef(parseImageRef(image)), layout, tag, transfer);
  else if (!existsSync(join(layout, 'index.json'))) {
    throw new Error(`imagePullPolicy is "never" and ${image} is not in the image cache (${layout}): deploy it once with "on-create"`);
  }
  return readImage(layout, tag);
}

/** Unpacks every layer, base first, into a fresh `rootfs`. */
export function unpackImage(imagesDir: string, image: string, img: LayoutImage, rootfs: string): void {
  const { layout } = cacheLocation(imagesDir, image);
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true, mode: 0o700 });
  for (const layer of img.manifest.layers) {
    layerCompression(layer); // refuses media types we cannot unpack
    readBlob(layout, layer); // digest and size check
    tarExtract({ file: blobPath(layout, layer.digest), cwd: rootfs, sync: true, strict: true, preserveOwner: false, preservePaths: false });
  }
}

/** One TA container of an unpacked module. */
export interface ModuleTa {
  uuid: string;
  /** Whether the image labels it encrypted (the device decides for itself at load). */
  encrypted: boolean;
  bytes: Buffer;
}

/** The TA containers of an unpacked image, checked against the image's `org.trustbox.ta.uuids` label. */
export function moduleTas(img: LayoutImage, rootfs: string): ModuleTa[] {
  const labels = img.config.config?.Labels ?? img.manifest.annotations ?? {};
  const listed = (labels[LABEL_TA_UUIDS] ?? '').split(',').filter(Boolean);
  const encrypted = new Set((labels[LABEL_TA_ENCRYPTED] ?? '').split(',').filter(Boolean));
  const dir = join(rootfs, TA_DIR_IN_IMAGE);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ta')).sort() : [];
  const found = files.map((f) => f.slice(0, -3).toLowerCase());
  const missing = listed.filter((u) => !found.includes(u));
  if (missing.length) throw new Error(`the image names TA ${missing.join(', ')} in ${LABEL_TA_UUIDS} but has no ${TA_DIR_IN_IMAGE}/<uuid>.ta for it`);
  return files.map((f, i) => {
    const path = join(dir, f);
    if (!lstatSync(path).isFile()) throw new Error(`${TA_DIR_IN_IMAGE}/${f} in the image is not a regular file`);
    return { uuid: found[i]!, encrypted: encrypted.has(found[i]!), bytes: readFileSync(path) };
  });
}

/** How to start the module: `node` + script + arguments, in a directory of its root. */
export interface EntryPoint {
  args: string[];
  cwd: string;
}

/**
 * The image's Entrypoint + Cmd (the manifest's createOptions.Cmd replaces the image's Cmd, as
 * Docker does). Only Node modules run here: the entry point must start with `node`.
 */
export function entryPoint(img: LayoutImage, rootfs: string, cmd: string[] | undefined): EntryPoint {
  const c = img.config.config ?? {};
  const argv = [...(c.Entrypoint ?? []), ...(cmd ?? c.Cmd ?? [])];
  if (argv[0] !== 'node' || argv.length < 2) {
    throw new Error(`the image's entry point is ${JSON.stringify(argv)}: this edge agent runs Node modules only (["node", "main.js", ...]; \`trustbox module pack\` writes one)`);
  }
  const cwd = resolve(rootfs, `.${c.WorkingDir ?? '/'}`);
  if (relative(rootfs, cwd).startsWith('..')) throw new Error(`WorkingDir ${c.WorkingDir} leaves the module's root`);
  return { args: argv.slice(1), cwd };
}

/**
 * Makes `trustbox-emulator/client` importable by the module: a link
 * `<rootfs>/node_modules/trustbox-emulator` to this installation, unless the image brings its
 * own. The runtime provides the client library as a device's base image provides libteec.
 */
export function provideClientLibrary(rootfs: string): void {
  const dir = join(rootfs, 'node_modules');
  const link = join(dir, 'trustbox-emulator');
  if (existsSync(link)) return;
  mkdirSync(dir, { recursive: true });
  symlinkSync(PACKAGE_ROOT, link, 'dir');
}
