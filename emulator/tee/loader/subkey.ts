/**
 * Subkey chains in front of a TA container (img_type SHDR_SUBKEY, optee-abi.md §2.1), as OP-TEE
 * verifies them: a trusted (root) key signs a subkey, which may sign further subkeys, the last
 * of which signs the TA. Each link is
 *
 *   shdr(SUBKEY, 20) | hash | sig | shdr_subkey: uuid[16] name_size subkey_version max_depth algo
 *   attr_count attrs[]{id offs size} + attribute bytes (img_size in all) | name[name_size]
 *
 * The hash covers shdr || shdr_subkey; the signature is by the previous link's key (the first by
 * a trusted key). A subkey's max_depth must be below the previous one's. The name after a link
 * fixes the UUID of what follows: SHA-512(subkey uuid || name) made a version 5 UUID, or the
 * subkey's own UUID when name_size is 0 (an identity subkey). What follows must have that UUID:
 * the next subkey, or the TA. Every refusal is TEE_ERROR_SECURITY, as OP-TEE's.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_SECURITY } from '../../abi/results.js';
import { uuidFromOctets } from '../../abi/uuid.js';
import { TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 } from '../../abi/tee-api.js';
import { constants, createHash, createPublicKey, nodeCryptoModule, rsaVerifyDigest, sha256, type KeyObject } from '../../host/crypto.js';
import { SHDR_MAGIC, SHDR_SIZE, SHDR_SUBKEY, type TrustedKey } from './container.js';

const SHDR_SUBKEY_SIZE = 36;
const ATTR_SIZE = 12;
const TEE_ATTR_RSA_MODULUS = 0xd0000130;
const TEE_ATTR_RSA_PUBLIC_EXPONENT = 0xd0000230;
const SHA256_SIZE = 32;
const TEE_MAIN_ALGO_RSA = 0x30;

/** One verified link of a chain. */
export interface Subkey {
  uuid: string;
  version: number;
  maxDepth: number;
  key: KeyObject;
}

/** A verified chain: its links, the key that signs what follows, and the UUID that must follow. */
export interface SubkeyChain {
  subkeys: Subkey[];
  /** The last subkey, as the one key that may sign the TA container after the chain. */
  signer: TrustedKey;
  /** The trusted key at the root of the chain. */
  root: TrustedKey;
  /** The UUID the TA must have. */
  nextUuid: string;
  /** The TA container after the chain. */
  rest: Uint8Array;
}

const refuse = (label: string, why: string): never => {
  throw new TeeError(TEE_ERROR_SECURITY, `${label}: subkey chain: ${why}`);
};

/** Whether a file starts with a subkey link. */
export function startsWithSubkey(bytes: Uint8Array): boolean {
  if (bytes.length < SHDR_SIZE) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return v.getUint32(0, true) === SHDR_MAGIC && v.getUint32(4, true) === SHDR_SUBKEY;
}

/** Verifies the chain at the start of `bytes` against the trusted keys; throws SECURITY. */
export function openSubkeyChain(bytes: Uint8Array, keys: readonly TrustedKey[], label: string): SubkeyChain {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const subkeys: Subkey[] = [];
  let verifiers: readonly TrustedKey[] = keys;
  let root: TrustedKey | undefined;
  let maxDepth = 0xffffffff;
  let nextUuid: string | undefined;
  let off = 0;
  while (off + SHDR_SIZE <= bytes.length && v.getUint32(off, true) === SHDR_MAGIC && v.getUint32(off + 4, true) === SHDR_SUBKEY) {
    const imgSize = v.getUint32(off + 8, true);
    const algo = v.getUint32(off + 12, true);
    const hashSize = v.getUint16(off + 16, true);
    const sigSize = v.getUint16(off + 18, true);
    const body = off + SHDR_SIZE + hashSize + sigSize;
    if (body + imgSize > bytes.length) refuse(label, `link ${subkeys.length + 1} ends beyond the ${bytes.length}-byte file`);
    if (imgSize < SHDR_SUBKEY_SIZE) refuse(label, `link ${subkeys.length + 1}: img_size ${imgSize} is shorter than a subkey header`);
    const hash = bytes.subarray(off + SHDR_SIZE, off + SHDR_SIZE + hashSize);
    const sig = bytes.subarray(off + SHDR_SIZE + hashSize, body);
    const img = bytes.subarray(body, body + imgSize);
    const signer = verifyLink(algo, hash, sig, verifiers, label, subkeys.length + 1);
    root ??= signer;
    if (!sha256(bytes.subarray(off, off + SHDR_SIZE), img).equals(hash)) {
      refuse(label, `link ${subkeys.length + 1}: the hash does not match the subkey header (altered)`);
    }
    const sk = readSubkey(img, label, subkeys.length + 1);
    if (sk.maxDepth >= maxDepth) refuse(label, `subkey ${sk.uuid}: max_depth ${sk.maxDepth} is not below its signer's ${maxDepth}`);
    if (nextUuid !== undefined && sk.uuid !== nextUuid) refuse(label, `subkey ${sk.uuid} is not in its signer's namespace (expected ${nextUuid})`);
    const nameSize = new DataView(img.buffer, img.byteOffset).getUint32(16, true);
    const nameAt = body + imgSize;
    if (nameAt + nameSize > bytes.length) refuse(label, `subkey ${sk.uuid}: its ${nameSize}-byte name ends beyond the file`);
    nextUuid = namespaceUuid(sk.uuid, bytes.subarray(nameAt, nameAt + nameSize));
    subkeys.push(sk);
    maxDepth = sk.maxDepth;
    verifiers = [{ name: `subkey ${sk.uuid}`, key: sk.key }];
    off = nameAt + nameSize;
  }
  if (!root || nextUuid === undefined) return refuse(label, 'the file does not start with a subkey');
  const signer = { ...verifiers[0]!, development: root.development, root: root.key };
  return { subkeys, signer, root, nextUuid, rest: bytes.subarray(off) };
}

function verifyLink(algo: number, hash: Uint8Array, sig: Uint8Array, keys: readonly TrustedKey[], label: string, n: number): TrustedKey {
  if (algo !== TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 && algo !== TEE_ALG_RSASSA_PKCS1_V1_5_SHA256) {
    refuse(label, `link ${n}: signature algorithm 0x${algo.toString(16)} is not supported (RSASSA PSS or PKCS#1 v1.5 with SHA-256)`);
  }
  if (hash.length !== SHA256_SIZE) refuse(label, `link ${n}: hash_size ${hash.length} is not SHA-256's`);
  const pss = algo === TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256;
  const key = keys.find((k) => rsaVerifyDigest(k.key, pss, hash, sig));
  return key ?? refuse(label, `link ${n}: the signature does not verify with ${n === 1 ? 'any trusted key' : 'the previous subkey'}`);
}

function readSubkey(img: Uint8Array, label: string, n: number): Subkey {
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const uuid = uuidFromOctets(img.subarray(0, 16));
  const version = v.getUint32(20, true);
  const maxDepth = v.getUint32(24, true);
  const algo = v.getUint32(28, true);
  const count = v.getUint32(32, true);
  if (SHDR_SUBKEY_SIZE + count * ATTR_SIZE > img.length) refuse(label, `link ${n}: ${count} attributes do not fit its ${img.length} bytes`);
  const attrs = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const at = SHDR_SUBKEY_SIZE + i * ATTR_SIZE;
    const id = v.getUint32(at, true);
    const offs = v.getUint32(at + 4, true);
    const size = v.getUint32(at + 8, true);
    if (offs + size > img.length) refuse(label, `link ${n}: attribute 0x${id.toString(16)} lies outside the subkey header`);
    if (!attrs.has(id)) attrs.set(id, img.subarray(offs, offs + size));
  }
  if ((algo & 0xff) !== TEE_MAIN_ALGO_RSA) refuse(label, `subkey ${uuid}: algorithm 0x${algo.toString(16)} is not RSA`);
  const n_ = attrs.get(TEE_ATTR_RSA_MODULUS);
  const e = attrs.get(TEE_ATTR_RSA_PUBLIC_EXPONENT);
  if (!n_ || !e) return refuse(label, `subkey ${uuid}: no RSA modulus or public exponent`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: b64url(n_), e: b64url(e) }, format: 'jwk' });
  } catch (error) {
    return refuse(label, `subkey ${uuid}: its RSA public key is not valid (${(error as Error).message})`);
  }
  return { uuid, version, maxDepth, key };
}

/** Big-endian bytes without leading zeros, base64url (JWK). */
function b64url(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i)).toString('base64url');
}

/**
 * The UUID of what a subkey signs: its own without a name; else SHA-512(uuid octets || name up
 * to its first NUL), the first 16 bytes with version 5 and the RFC 4122 variant set.
 */
export function namespaceUuid(uuid: string, name: Uint8Array): string {
  if (name.length === 0) return uuid;
  const end = name.indexOf(0);
  const digest = createHash('sha512').update(Buffer.from(uuid.replace(/-/g, ''), 'hex'))
    .update(end < 0 ? name : name.subarray(0, end)).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return uuidFromOctets(digest.subarray(0, 16));
}

/** Options of {@link signSubkey}, as sign_encrypt.py's sign-subkey. */
export interface SubkeyOptions {
  /** The subkey's public key (RSA). */
  subkey: KeyObject;
  uuid: string;
  /** The private key that signs this link: a trusted key for the first, the previous subkey after. */
  signWith: KeyObject;
  /** The previous links and the name after them, when this subkey is signed by a subkey. */
  chain?: Uint8Array;
  maxDepth?: number;
  /** Bytes reserved for the name after this link (0: an identity subkey). */
  nameSize?: number;
  version?: number;
  algo?: 'pss' | 'pkcs1';
}

/** A link of a subkey chain, appended to `chain` (a `.bin` as sign_encrypt.py's sign-subkey writes). */
export function signSubkey(o: SubkeyOptions): Uint8Array {
  const jwk = o.subkey.export({ format: 'jwk' });
  if (!jwk.n || !jwk.e) throw new TeeError(TEE_ERROR_SECURITY, 'a subkey must be an RSA key');
  const n = Buffer.concat([Buffer.alloc(1), Buffer.from(jwk.n, 'base64url')]);
  const e = Buffer.from(jwk.e, 'base64url');
  const attrsEnd = SHDR_SUBKEY_SIZE + 2 * ATTR_SIZE;
  const img = Buffer.alloc(attrsEnd + n.length + e.length);
  img.set(Buffer.from(o.uuid.replace(/-/g, ''), 'hex'), 0);
  const words = [o.nameSize ?? 0, o.version ?? 0, o.maxDepth ?? 0, subkeyAlgo(o.algo), 2,
    TEE_ATTR_RSA_MODULUS, attrsEnd, n.length, TEE_ATTR_RSA_PUBLIC_EXPONENT, attrsEnd + n.length, e.length];
  words.forEach((w, i) => img.writeUInt32LE(w >>> 0, 16 + 4 * i));
  img.set(n, attrsEnd);
  img.set(e, attrsEnd + n.length);
  return Buffer.concat([o.chain ?? new Uint8Array(0), signLink(SHDR_SUBKEY, img, o.signWith, o.algo)]);
}

/** The name after a link, padded to the link's name_size (what fixes the next UUID). */
export function subkeyName(name: string, nameSize: number): Uint8Array {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > nameSize) throw new TeeError(TEE_ERROR_SECURITY, `name "${name}" is longer than the subkey's ${nameSize}-byte name size`);
  return Buffer.concat([bytes, Buffer.alloc(nameSize - bytes.length)]);
}

function subkeyAlgo(algo: 'pss' | 'pkcs1' | undefined): number {
  return algo === 'pkcs1' ? TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 : TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256;
}

function signLink(imgType: number, img: Uint8Array, key: KeyObject, algo: 'pss' | 'pkcs1' | undefined): Buffer {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const shdr = Buffer.alloc(SHDR_SIZE);
  shdr.writeUInt32LE(SHDR_MAGIC, 0);
  shdr.writeUInt32LE(imgType, 4);
  shdr.writeUInt32LE(img.length, 8);
  shdr.writeUInt32LE(subkeyAlgo(algo), 12);
  shdr.writeUInt16LE(SHA256_SIZE, 16);
  shdr.writeUInt16LE(Math.ceil(bits / 8), 18);
  const message = Buffer.concat([shdr, img]);
  const padding = algo === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
  const sig = nodeCryptoModule.sign('sha256', message, { key, padding, saltLength: SHA256_SIZE });
  return Buffer.concat([shdr, sha256(message), sig, img]);
}

/**
 * The links of a chain file (sign-subkey's output) without verifying them, for building on it:
 * each subkey's UUID, name size and max depth. Throws SECURITY on a malformed file.
 */
export function readChainLinks(bytes: Uint8Array, label: string): { uuid: string; nameSize: number; maxDepth: number }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const links: { uuid: string; nameSize: number; maxDepth: number }[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + SHDR_SIZE > bytes.length || v.getUint32(off, true) !== SHDR_MAGIC || v.getUint32(off + 4, true) !== SHDR_SUBKEY) {
      refuse(label, `byte ${off} does not start a subkey link`);
    }
    const imgSize = v.getUint32(off + 8, true);
    const body = off + SHDR_SIZE + v.getUint16(off + 16, true) + v.getUint16(off + 18, true);
    if (imgSize < SHDR_SUBKEY_SIZE || body + imgSize > bytes.length) refuse(label, `link ${links.length + 1} is truncated`);
    const nameSize = v.getUint32(body + 16, true);
    links.push({ uuid: uuidFromOctets(bytes.subarray(body, body + 16)), nameSize, maxDepth: v.getUint32(body + 24, true) });
    off = body + imgSize;
    // The name after a link is in the file only when something was signed after it.
    if (off < bytes.length) off += nameSize;
  }
  if (links.length === 0) refuse(label, 'the file holds no subkey link');
  return links;
}
