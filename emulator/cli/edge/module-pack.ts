/**
 * `trustbox module pack DIR --out IMAGE_DIR`: an IoT Edge module (Node code + TA files) as an OCI
 * image layout, ready for `skopeo copy` to a registry.
 *
 * Module directory:
 *
 *   module.json   {"name": "sensor", "version": "1.0.0", "main": "index.mjs", "tas": ["ta/<uuid>.ta"]}
 *   index.mjs ... the module's code (every file except dot-files and *.ta; node_modules included)
 *
 * Image (two layers, base first):
 *
 *   layer 1, tar+gzip   app/...                     the code; the config's Entrypoint is ["node", main]
 *   layer 2, tar        lib/optee_armtz/<uuid>.ta   each TA container byte for byte, as OP-TEE's
 *                                                   tee-supplicant finds TAs; encrypted when it was
 *
 * The TA layer is left uncompressed so that the container in it is the very file the developer
 * signed (and encrypted), which anyone can check in the registry's storage. Labels and
 * annotations (`org.trustbox.ta.uuids`, `org.trustbox.ta.encrypted-uuids`) name the TAs.
 * The same inputs give the same digests: entries are sorted, times fixed, owners left out.
 */
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as tarCreate } from 'tar';
import { isUuid } from '../../abi/uuid.js';
import { parseElf } from '../../tee/loader/elf.js';
import { readTaHead } from '../../tee/loader/load.js';
import { parseTaContainer, SHDR_ENCRYPTED_TA, SHDR_TA } from '../../tee/loader/container.js';
import {
  ANNOTATION_DESCRIPTION, ANNOTATION_TITLE, ANNOTATION_VERSION, MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_LAYER_TAR_GZIP, MEDIA_TYPE_MANIFEST, sha256Hex, tagManifest, writeBlob, writeJsonBlob, type Descriptor,
} from './oci-layout.js';

/** Annotation and label keys of TrustBox modules. */
export const LABEL_TA_UUIDS = 'org.trustbox.ta.uuids';
export const LABEL_TA_ENCRYPTED = 'org.trustbox.ta.encrypted-uuids';
export const LABEL_MODULE_NAME = 'org.trustbox.module.name';
/** On layer descriptors: "code" or "ta". */
export const ANNOTATION_LAYER = 'org.trustbox.layer';
/** Where TAs live in the image, as in the TrustBox template's /lib/optee_armtz (confidential.md §8). */
export const TA_DIR_IN_IMAGE = 'lib/optee_armtz';
export const APP_DIR_IN_IMAGE = 'app';
/** Fixed entry time, so that packing twice gives the same digests. */
const EPOCH = new Date(0);

/** module.json, validated. */
export interface ModuleSpec {
  name: string;
  version: string;
  main: string;
  tas: string[];
  description?: string;
}

const SPEC_KEYS = new Set(['name', 'version', 'main', 'tas', 'description']);
/** Image name rules of the distribution spec for one path component (confidential.md §10). */
const NAME_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Reads and validates `<dir>/module.json`; every mistake named with its fix. */
export function readModuleSpec(dir: string): ModuleSpec {
  const path = join(dir, 'module.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (a module directory needs module.json: {"name","version","main","tas"})' : (error as Error).message}`);
  }
  for (const k of Object.keys(raw)) if (!SPEC_KEYS.has(k)) throw new Error(`${path}: unknown key "${k}" (known: ${[...SPEC_KEYS].join(', ')})`);
  const { name, version, main, tas = [], description } = raw;
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new Error(`${path}: "name" must be lowercase letters, digits and . _ - (an image name), not ${JSON.stringify(name)}`);
  if (typeof version !== 'string' || !TAG_RE.test(version)) throw new Error(`${path}: "version" must be usable as an image tag ([A-Za-z0-9_][A-Za-z0-9._-]*), not ${JSON.stringify(version)}`);
  if (typeof main !== 'string' || main.startsWith('/') || main.split(/[\\/]/).includes('..')) throw new Error(`${path}: "main" must be a file of the module directory, relative to it, not ${JSON.stringify(main)}`);
  if (!Array.isArray(tas) || !tas.every((t) => typeof t === 'string')) throw new Error(`${path}: "tas" must be a list of .ta file paths (relative to the module directory)`);
  if (description !== undefined && typeof description !== 'string') throw new Error(`${path}: "description" must be a string`);
  return { name, version, main: posix.normalize(main.split(sep).join('/')), tas: tas as string[], ...(description !== undefined ? { description } : {}) };
}

/** One TA of a module as packed. */
export interface PackedTa {
  uuid: string;
  /** Whether the container is an encrypted TA (its code is ciphertext). */
  encrypted: boolean;
  /** Container kind as read from its header (TA, BOOTSTRAP_TA, ENCRYPTED_TA) or "unknown". */
  kind: string;
  size: number;
  source: string;
}

/**
 * What a .ta file is, from its header only (nothing is decrypted or verified here: the device
 * verifies at install). A container this build cannot read is still carried when its file
 * name is `<uuid>.ta`, so that newer formats travel unchanged.
 */
export function describeTa(file: string, bytes: Uint8Array): Omit<PackedTa, 'source' | 'size'> {
  const nameUuid = /^([0-9a-f-]{36})\.ta$/i.exec(basename(file))?.[1]?.toLowerCase();
  try {
    const c = parseTaContainer(bytes, file);
    if (c.bootstrap) return { uuid: c.bootstrap.uuid, encrypted: c.imgType === SHDR_ENCRYPTED_TA, kind: c.imgType === SHDR_ENCRYPTED_TA ? 'ENCRYPTED_TA' : 'BOOTSTRAP_TA' };
    if (c.imgType === SHDR_TA) return { uuid: readTaHead(parseElf(c.payload, file)).uuid, encrypted: false, kind: 'TA' };
    throw new Error(`${file}: unexpected image type ${c.imgType}`);
  } catch (error) {
    if (nameUuid && isUuid(nameUuid)) return { uuid: nameUuid, encrypted: false, kind: 'unknown' };
    throw new Error(`${file}: not a TA container this build can read (${(error as Error).message}); name the file <uuid>.ta to carry it as is`);
  }
}

/** Files of the code layer: everything but dot-files, module-relative TA files and *.ta; no symbolic links. */
function codeFiles(dir: string, under = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, under)).sort()) {
    if (name.startsWith('.')) continue;
    const rel = under ? `${under}/${name}` : name;
    const st = lstatSync(join(dir, rel));
    if (st.isSymbolicLink()) throw new Error(`${join(dir, rel)} is a symbolic link: modules are packed without links (copy the file in)`);
    if (st.isDirectory()) out.push(...codeFiles(dir, rel));
    else if (st.isFile() && !name.endsWith('.ta')) out.push(rel);
  }
  return out;
}

/** A tarball of `files` (relative to `cwd`), deterministic. */
function tarball(cwd: string, files: string[]): Buffer {
  const scratch = mkdtempSync(join(tmpdir(), 'trustbox-layer-'));
  try {
    const file = join(scratch, 'layer.tar');
    tarCreate({ file, cwd, sync: true, portable: true, mtime: EPOCH, noDirRecurse: true, strict: true }, files);
    return readFileSync(file);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The parent directories of each file, in order, so that the layer lists them before their files. */
function withDirectories(files: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!seen.has(d)) { seen.add(d); out.push(d); }
    }
    out.push(f);
  }
  return out;
}

export interface PackOptions {
  dir: string;
  out: string;
  /** Tag in the layout's index.json; default: module.json's version. */
  tag?: string;
  /** More TA files beside module.json's `tas` (paths as given). */
  extraTas?: string[];
  /** Refuse TAs whose code is not encrypted. */
  encryptedOnly?: boolean;
}

export interface PackResult {
  name: string;
  tag: string;
  manifest: Descriptor;
  layers: Descriptor[];
  tas: PackedTa[];
}

/** Builds the image layout. See the file comment for the image's shape. */
export function packModule(opts: PackOptions): PackResult {
  const dir = resolve(opts.dir);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${opts.dir} is not a directory (give the module directory, holding module.json)`);
  const spec = readModuleSpec(dir);
  const tag = opts.tag ?? spec.version;
  if (!TAG_RE.test(tag)) throw new Error(`--tag "${tag}" is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9._-]*, up to 128)`);
  const code = codeFiles(dir);
  if (!code.includes(spec.main)) throw new Error(`${join(dir, 'module.json')}: "main" names ${spec.main}, which is not a file of the module`);

  const stage = mkdtempSync(join(tmpdir(), 'trustbox-pack-'));
  try {
    const tas = stageTas(dir, spec, opts, join(stage, 'ta'));
    for (const f of code) cpSync(join(dir, f), join(stage, 'code', APP_DIR_IN_IMAGE, f));
    const codeTar = tarball(join(stage, 'code'), withDirectories(code.map((f) => `${APP_DIR_IN_IMAGE}/${f}`)));
    const codeGz = gzipSync(codeTar, { level: 9 });
    const taFiles = tas.map((t) => `${TA_DIR_IN_IMAGE}/${t.uuid}.ta`);
    const taTar = taFiles.length ? tarball(join(stage, 'ta'), withDirectories(taFiles)) : undefined;
    return writeImage(opts.out, spec, tag, tas, { codeTar, codeGz, taTar });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Reads, describes and copies each TA to `<into>/lib/optee_armtz/<uuid>.ta`. */
function stageTas(dir: string, spec: ModuleSpec, opts: PackOptions, into: string): PackedTa[] {
  const sources = [...spec.tas.map((t) => resolve(dir, t)), ...(opts.extraTas ?? []).map((t) => resolve(t))];
  const tas: PackedTa[] = [];
  for (const source of sources) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(source);
    } catch {
      throw new Error(`TA file ${source} not found (module.json "tas" paths are relative to the module directory)`);
    }
    const d = describeTa(source, bytes);
    if (tas.some((t) => t.uuid === d.uuid)) throw new Error(`${source}: a second TA with UUID ${d.uuid} (one file per UUID)`);
    if (opts.encryptedOnly && !d.encrypted) throw new Error(`${source}: TA ${d.uuid} is not encrypted (${d.kind}) and --encrypted-only was given: encrypt it with \`trustbox ta encrypt\` first`);
    mkdirSync(join(into, TA_DIR_IN_IMAGE), { recursive: true });
    cpSync(source, join(into, TA_DIR_IN_IMAGE, `${d.uuid}.ta`));
    tas.push({ ...d, size: bytes.length, source });
  }
  return tas;
}

function writeImage(out: string, spec: ModuleSpec, tag: string, tas: PackedTa[],
  blobs: { codeTar: Buffer; codeGz: Buffer; taTar: Buffer | undefined }): PackResult {
  const uuids = tas.map((t) => t.uuid).join(',');
  const encrypted = tas.filter((t) => t.encrypted).map((t) => t.uuid).join(',');
  const labels: Record<string, string> = {
    [LABEL_MODULE_NAME]: spec.name, [LABEL_TA_UUIDS]: uuids, [LABEL_TA_ENCRYPTED]: encrypted,
    [ANNOTATION_TITLE]: spec.name, [ANNOTATION_VERSION]: spec.version,
    ...(spec.description ? { [ANNOTATION_DESCRIPTION]: spec.description } : {}),
  };
  const codeLayer = writeBlob(out, MEDIA_TYPE_LAYER_TAR_GZIP, blobs.codeGz, { [ANNOTATION_LAYER]: 'code', [ANNOTATION_TITLE]: `${spec.name} code` });
  // A module without TAs is an ordinary module: it has no TA layer.
  const taLayer = blobs.taTar && writeBlob(out, MEDIA_TYPE_LAYER_TAR, blobs.taTar, {
    [ANNOTATION_LAYER]: 'ta', [ANNOTATION_TITLE]: `${spec.name} trusted applications`, [LABEL_TA_UUIDS]: uuids, [LABEL_TA_ENCRYPTED]: encrypted,
  });
  const layers = taLayer ? [codeLayer, taLayer] : [codeLayer];
  const diffIds = [blobs.codeTar, ...(blobs.taTar ? [blobs.taTar] : [])].map((b) => `sha256:${sha256Hex(b)}`);
  const config = writeJsonBlob(out, MEDIA_TYPE_CONFIG, {
    architecture: 'arm64',
    os: 'linux',
    config: { Entrypoint: ['node', spec.main], WorkingDir: `/${APP_DIR_IN_IMAGE}`, Labels: labels },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [{ created_by: 'trustbox module pack: module code' }, ...(taLayer ? [{ created_by: 'trustbox module pack: TA containers' }] : [])],
  });
  const manifest = writeJsonBlob(out, MEDIA_TYPE_MANIFEST, {
    schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config, layers, annotations: labels,
  });
  tagManifest(out, manifest, tag);
  return { name: spec.name, tag, manifest, layers, tas };
}
