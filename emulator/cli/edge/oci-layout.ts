/**
 * OCI image layout on disk (image-spec v1.1.1 `image-layout.md`, reference confidential.md §9):
 * `oci-layout`, `index.json`, `blobs/sha256/<hex>`. These are plain files, written and read
 * here; moving them to and from a registry is skopeo's job (skopeo.ts), never ours.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../host/crypto.js';

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** Docker's schema 2 types, which a registry may hand back for images pushed by docker. */
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** The tag of a descriptor in index.json. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_VERSION = 'org.opencontainers.image.version';
export const ANNOTATION_DESCRIPTION = 'org.opencontainers.image.description';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The parts of an OCI image config that the edge agent reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; Labels?: Record<string, string> };
  rootfs?: { type: string; diff_ids: string[] };
}

export const sha256Hex = (bytes: Uint8Array): string => sha256(bytes).toString('hex');

/** Path of a blob in a layout; `digest` must be `sha256:<64 hex>` (anything else could escape the folder). */
export function blobPath(layout: string, digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`unsupported or malformed digest "${digest}" (only sha256:<64 hex> is accepted)`);
  return join(layout, 'blobs', 'sha256', m[1]!);
}

/** Writes `bytes` as a blob of the layout and returns its descriptor. */
export function writeBlob(layout: string, mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>): Descriptor {
  const digest = `sha256:${sha256Hex(bytes)}`;
  const path = blobPath(layout, digest);
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  if (!existsSync(path)) writeFileSync(path, bytes);
  return { mediaType, digest, size: bytes.length, ...(annotations && Object.keys(annotations).length ? { annotations } : {}) };
}

/** Writes a JSON blob (compact, stable key order as given). */
export function writeJsonBlob(layout: string, mediaType: string, value: unknown, annotations?: Record<string, string>): Descriptor {
  return writeBlob(layout, mediaType, Buffer.from(JSON.stringify(value)), annotations);
}

/** Reads a blob and checks that its content hashes to its digest and has the descriptor's size. */
export function readBlob(layout: string, d: Pick<Descriptor, 'digest' | 'size'>): Buffer {
  const bytes = readFileSync(blobPath(layout, d.digest));
  if (bytes.length !== d.size) throw new Error(`blob ${d.digest}: ${bytes.length} bytes, the descriptor says ${d.size}`);
  if (`sha256:${sha256Hex(bytes)}` !== d.digest) throw new Error(`blob ${d.digest}: content does not match its digest`);
  return bytes;
}

interface IndexFile {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

function readIndex(layout: string): IndexFile {
  const path = join(layout, 'index.json');
  if (!existsSync(join(layout, 'oci-layout')) || !existsSync(path)) {
    throw new Error(`${layout} is not an OCI image layout (no oci-layout or index.json): make one with \`trustbox module pack\``);
  }
  const index = JSON.parse(readFileSync(path, 'utf8')) as IndexFile;
  if (index.schemaVersion !== 2 || !Array.isArray(index.manifests)) throw new Error(`${path}: not an OCI image index (schemaVersion 2, manifests)`);
  return index;
}

/**
 * Creates the layout if needed and makes `manifest` the one descriptor tagged `tag` in
 * index.json (a descriptor of another tag is kept; an older one of this tag is replaced).
 */
export function tagManifest(layout: string, manifest: Descriptor, tag: string): void {
  mkdirSync(layout, { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const indexPath = join(layout, 'index.json');
  const kept = existsSync(indexPath) ? readIndex(layout).manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] !== tag) : [];
  const tagged = { ...manifest, annotations: { ...manifest.annotations, [ANNOTATION_REF_NAME]: tag } };
  const index: IndexFile = { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [...kept, tagged] };
  writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
}

/** The tags of a layout's index.json. */
export function layoutTags(layout: string): string[] {
  return readIndex(layout).manifests.flatMap((d) => d.annotations?.[ANNOTATION_REF_NAME] ?? []);
}

/** One image of a layout: its manifest (checked against its digest), config and descriptors. */
export interface LayoutImage {
  digest: string;
  manifest: ImageManifest;
  config: ImageConfig;
}

/** Reads the image tagged `tag` (or the only image, when `tag` is undefined) of a layout. */
export function readImage(layout: string, tag?: string): LayoutImage {
  const { manifests } = readIndex(layout);
  const found = tag === undefined ? manifests : manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag);
  if (found.length !== 1) {
    const tags = manifests.map((d) => d.annotations?.[ANNOTATION_REF_NAME] ?? '(untagged)').join(', ');
    throw new Error(`${layout}: ${tag === undefined ? 'holds more than one image: name a tag' : `no image tagged "${tag}"`} (tags: ${tags || 'none'})`);
  }
  const d = found[0]!;
  if (d.mediaType !== undefined && d.mediaType !== MEDIA_TYPE_MANIFEST && d.mediaType !== DOCKER_MANIFEST) {
    throw new Error(`${layout}: the image is a ${d.mediaType}, not an image manifest (multi-platform indexes are not supported)`);
  }
  const manifest = JSON.parse(readBlob(layout, d).toString('utf8')) as ImageManifest;
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new Error(`${layout}: manifest ${d.digest} is not an OCI image manifest`);
  }
  const config = JSON.parse(readBlob(layout, manifest.config).toString('utf8')) as ImageConfig;
  return { digest: d.digest, manifest, config };
}

/** Whether a layer descriptor is a tarball this agent can unpack (plain or gzip). */
export function layerCompression(d: Descriptor): 'none' | 'gzip' {
  if (d.mediaType === MEDIA_TYPE_LAYER_TAR) return 'none';
  if (d.mediaType === MEDIA_TYPE_LAYER_TAR_GZIP || d.mediaType === DOCKER_LAYER_GZIP) return 'gzip';
  throw new Error(`layer ${d.digest} has media type ${d.mediaType}, which this edge agent cannot unpack (encrypted image layers are not supported: ` +
    'TrustBox modules encrypt their TAs, not their layers)');
}
