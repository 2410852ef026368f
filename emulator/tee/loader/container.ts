/**
 * The signed TA container `<uuid>.ta` (reference `optee-abi.md` §2): parsing, verification
 * against trusted keys, and signing in the layout OP-TEE's sign_encrypt.py produces.
 *
 *   shdr(20) | hash[hash_size] | sig[sig_size] | shdr_bootstrap_ta(20)? | shdr_encrypted_ta+iv+tag? | payload
 *
 * Malformed files are TEE_ERROR_BAD_FORMAT; hash and signature failures TEE_ERROR_SECURITY. A
 * subkey chain in front of a container is verified by subkey.ts (the TA source pipeline strips
 * it first); parsed here, it is TEE_ERROR_NOT_SUPPORTED. Encrypted TAs are parsed here and opened by the
 * encrypted container kind (ta-sources/encrypted.ts), which decrypts in the secure world.
 */
import { TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 } from '../../abi/tee-api.js';
import { constants, nodeCryptoModule, rsaVerifyDigest, sha256, type KeyObject } from '../../host/crypto.js';
import { TeeError } from '../../abi/errors.js';
import { isUuid, uuidFromOctets, uuidToOctets } from '../../abi/uuid.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SECURITY } from '../../abi/results.js';

export const SHDR_MAGIC = 0x4f545348;
export const SHDR_TA = 0;
export const SHDR_BOOTSTRAP_TA = 1;
export const SHDR_ENCRYPTED_TA = 2;
export const SHDR_SUBKEY = 3;
export const SHDR_SIZE = 20;
export const SHDR_BOOTSTRAP_TA_SIZE = 20;
export const SHDR_ENCRYPTED_TA_SIZE = 12;
/** shdr_encrypted_ta.flags bit 0, OP-TEE's key type: the device-specific key (HUK_SUBKEY_TA_ENC). */
export const SHDR_ENC_KEY_DEV_SPECIFIC = 0;
/** ... or a class-wide key (a platform's own; OP-TEE's default core refuses it). */
export const SHDR_ENC_KEY_CLASS_WIDE = 1;
export const SHDR_ENC_KEY_TYPE_MASK = 0x1;
/**
 * Our extension (docs/encrypted-tas.md): flags bit 1 says the content key is wrapped to one
 * device in an envelope that trails the payload; the signature covers it.
 */
export const SHDR_ENC_TRUSTBOX_ENVELOPE = 0x2;
const SHA256_SIZE = 32;
/** sign_encrypt.py signs PSS with a salt as long as the digest. */
const PSS_SALT_LENGTH = 32;

export const IMG_TYPE_NAMES: Record<number, string> = {
  [SHDR_TA]: 'TA', [SHDR_BOOTSTRAP_TA]: 'BOOTSTRAP_TA', [SHDR_ENCRYPTED_TA]: 'ENCRYPTED_TA', [SHDR_SUBKEY]: 'SUBKEY',
};
export const ALGO_NAMES: Record<number, string> = {
  [TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256]: 'TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256',
  [TEE_ALG_RSASSA_PKCS1_V1_5_SHA256]: 'TEE_ALG_RSASSA_PKCS1_V1_5_SHA256',
};

/** A parsed (not yet verified) container. */
export interface TaContainer {
  imgType: number;
  imgSize: number;
  algo: number;
  hashSize: number;
  sigSize: number;
  hash: Uint8Array;
  signature: Uint8Array;
  /** Present for BOOTSTRAP_TA and ENCRYPTED_TA. */
  bootstrap?: { uuid: string; taVersion: number };
  /** Header of an ENCRYPTED_TA (the payload stays ciphertext). */
  encrypted?: { encAlgo: number; flags: number; iv: Uint8Array; tag: Uint8Array; envelope?: Uint8Array };
  payloadOffset: number;
  payload: Uint8Array;
  /** The headers covered by the hash, in order, before the (plaintext) payload. */
  hashedHeaders: Uint8Array[];
  /** Set instead of throwing when parsed with `lenientSize`: why the file size is not the headers' size. */
  sizeMismatch?: string;
}

/** A public key the TEE trusts to sign TAs. */
export interface TrustedKey {
  name: string;
  key: KeyObject;
  /**
   * A development key whose private half is public knowledge (OP-TEE's default key, ours):
   * anyone can sign with it, so what it signs has no identity worth binding data to.
   */
  development?: boolean;
  /**
   * For the last subkey of a chain (subkey.ts): the trusted root key. OP-TEE derives the TA
   * encryption key from the root key's modulus, whoever signed the TA.
   */
  root?: KeyObject;
}

/** Outcome of a successful verification. */
export interface VerifiedTa {
  container: TaContainer;
  /** The verified plaintext ELF. */
  elf: Uint8Array;
  /** Name of the trusted key whose signature verified. */
  signer: string;
}

function formatError(label: string, what: string): never {
  throw new TeeError(TEE_ERROR_BAD_FORMAT, `${label}: ${what}`);
}

/**
 * Parses a container, checking every size against the file; throws BAD_FORMAT/NOT_SUPPORTED.
 * With `lenientSize`, a file longer or shorter than its headers say is returned with
 * `sizeMismatch` set (the encrypted kind checks sizes after the header signature, as OP-TEE).
 */
export function parseTaContainer(bytes: Uint8Array, label = 'TA container', options: { lenientSize?: boolean } = {}): TaContainer {
  if (bytes.length < SHDR_SIZE) formatError(label, `truncated: ${bytes.length} bytes, shorter than the 20-byte signed header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== SHDR_MAGIC) formatError(label, 'bad magic (not a signed TA container)');
  const imgType = v.getUint32(4, true);
  if (imgType === SHDR_SUBKEY) {
    throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${label}: a subkey chain comes before the TA's own header (the TA source pipeline and \`ta inspect\` verify it: loader/subkey.ts); this reads the container itself`);
  }
  if (!(imgType in IMG_TYPE_NAMES)) formatError(label, `unknown image type ${imgType}`);
  const c = {
    imgType, imgSize: v.getUint32(8, true), algo: v.getUint32(12, true), hashSize: v.getUint16(16, true),
    sigSize: v.getUint16(18, true),
  };
  const need = (offset: number, size: number, what: string) => {
    if (offset + size > bytes.length) formatError(label, `truncated: ${what} ends at ${offset + size}, beyond the ${bytes.length}-byte file`);
    return bytes.subarray(offset, offset + size);
  };
  let off = SHDR_SIZE;
  const hash = need(off, c.hashSize, 'hash');
  const signature = need((off += c.hashSize), c.sigSize, 'signature');
  off += c.sigSize;
  const hashedHeaders = [bytes.subarray(0, SHDR_SIZE)];
  let bootstrap: TaContainer['bootstrap'];
  let encrypted: TaContainer['encrypted'];
  if (imgType !== SHDR_TA) {
    const b = need(off, SHDR_BOOTSTRAP_TA_SIZE, 'bootstrap header');
    bootstrap = { uuid: uuidFromOctets(b.subarray(0, 16)), taVersion: v.getUint32(off + 16, true) };
    hashedHeaders.push(b);
    off += SHDR_BOOTSTRAP_TA_SIZE;
  }
  if (imgType === SHDR_ENCRYPTED_TA) {
    need(off, SHDR_ENCRYPTED_TA_SIZE, 'encryption header');
    const ivSize = v.getUint16(off + 8, true);
    const tagSize = v.getUint16(off + 10, true);
    const all = need(off, SHDR_ENCRYPTED_TA_SIZE + ivSize + tagSize, 'encryption IV and tag');
    const ivAt = SHDR_ENCRYPTED_TA_SIZE;
    encrypted = {
      encAlgo: v.getUint32(off, true), flags: v.getUint32(off + 4, true),
      iv: all.subarray(ivAt, ivAt + ivSize), tag: all.subarray(ivAt + ivSize, ivAt + ivSize + tagSize),
    };
    hashedHeaders.push(all);
    off += all.length;
  }
  const end = off + c.imgSize;
  let sizeMismatch: string | undefined;
  if (encrypted && (encrypted.flags & SHDR_ENC_TRUSTBOX_ENVELOPE) && bytes.length > end) {
    // The per-device envelope trails the payload (hashed after the encryption header).
    encrypted.envelope = bytes.subarray(end);
    hashedHeaders.push(encrypted.envelope);
  } else if (bytes.length !== end) {
    sizeMismatch = `size mismatch: file is ${bytes.length} bytes, headers say ${end} (payload at ${off}, img_size ${c.imgSize})`;
    if (!options.lenientSize) formatError(label, sizeMismatch);
  }
  return {
    ...c, hash, signature, bootstrap, encrypted, payloadOffset: off, payload: bytes.subarray(off, end), hashedHeaders,
    ...(sizeMismatch ? { sizeMismatch } : {}),
  };
}

/** Parses and verifies a container: signature by one of `keys`, then the hash of the payload. */
export function verifyTaContainer(bytes: Uint8Array, keys: readonly TrustedKey[], label = 'TA container'): VerifiedTa {
  const c = parseTaContainer(bytes, label);
  if (c.imgType === SHDR_ENCRYPTED_TA) {
    throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${label}: an encrypted TA is verified as it is decrypted, in the secure world (ta-sources/encrypted.ts)`);
  }
  const padding = paddingFor(c.algo, label);
  if (c.hashSize !== SHA256_SIZE) formatError(label, `hash_size ${c.hashSize} does not match the 32-byte SHA-256 digest of the algorithm`);
  const message = Buffer.concat([...c.hashedHeaders, c.payload]);
  // Node verifies RSA over the message, not a bare digest, so the hash is compared first; once it
  // matches, verifying over the message is verifying over the stored digest.
  const digest = sha256(message);
  if (!digest.equals(c.hash)) throw new TeeError(TEE_ERROR_SECURITY, `${label}: hash mismatch (the payload or headers were altered)`);
  const signer = keys.find((k) => verifyWith(k.key, message, c.signature, padding));
  if (!signer) throw new TeeError(TEE_ERROR_SECURITY, `${label}: signature does not verify with any trusted key`);
  return { container: c, elf: c.payload, signer: signer.name };
}

/** Returns the name of the first key whose signature verifies over the container, if any. */
export function findSigner(c: TaContainer, keys: readonly TrustedKey[]): string | undefined {
  if (c.algo !== TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 && c.algo !== TEE_ALG_RSASSA_PKCS1_V1_5_SHA256) return undefined;
  const message = Buffer.concat([...c.hashedHeaders, c.payload]);
  return keys.find((k) => verifyWith(k.key, message, c.signature, paddingFor(c.algo, '')))?.name;
}

/**
 * Verifies the header signature over the stored digest alone, before the payload it covers is
 * read (OP-TEE's order for encrypted TAs: the plaintext is hashed only after decryption, so the
 * digest is compared afterwards). Returns the trusted key that signed, or undefined.
 */
export function verifyHeaderSignature(c: TaContainer, keys: readonly TrustedKey[], label: string): TrustedKey | undefined {
  const padding = paddingFor(c.algo, label);
  if (c.hashSize !== SHA256_SIZE) formatError(label, `hash_size ${c.hashSize} does not match the 32-byte SHA-256 digest of the algorithm`);
  const pss = padding === constants.RSA_PKCS1_PSS_PADDING;
  return keys.find((k) => rsaVerifyDigest(k.key, pss, c.hash, c.signature, PSS_SALT_LENGTH));
}

function paddingFor(algo: number, label: string): number {
  if (algo === TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256) return constants.RSA_PKCS1_PSS_PADDING;
  if (algo === TEE_ALG_RSASSA_PKCS1_V1_5_SHA256) return constants.RSA_PKCS1_PADDING;
  throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${label}: signature algorithm 0x${algo.toString(16)} is not supported (use RSASSA PSS or PKCS#1 v1.5 with SHA-256)`);
}

function verifyWith(key: KeyObject, message: Uint8Array, sig: Uint8Array, padding: number): boolean {
  try {
    return nodeCryptoModule.verify('sha256', message, { key, padding, saltLength: PSS_SALT_LENGTH }, sig);
  } catch {
    return false; // a non-RSA key or a signature of the wrong length simply does not verify
  }
}

/** Options for {@link signTa}. */
export interface SignOptions {
  elf: Uint8Array;
  uuid: string;
  /** Rollback counter stored in the bootstrap header (default 0). */
  taVersion?: number;
  /** RSA private key. */
  key: KeyObject;
  /** 'pss' (default, as sign_encrypt.py) or 'pkcs1'. */
  algo?: 'pss' | 'pkcs1';
}

/** Produces a BOOTSTRAP_TA container in sign_encrypt.py's layout (sig_size = modulus bytes). */
export function signTa(opts: SignOptions): Uint8Array {
  return signContainer(opts);
}

/** What an ENCRYPTED_TA adds to {@link SignOptions}: its headers and the ciphertext. */
export interface EncryptedParts {
  /** shdr_encrypted_ta || iv || tag. */
  encHeader: Uint8Array;
  ciphertext: Uint8Array;
  /** Our per-device envelope, written after the payload (hashed after encHeader). */
  envelope?: Uint8Array;
}

/**
 * Signs a container: a BOOTSTRAP_TA, or an ENCRYPTED_TA when `enc` is given. The digest covers
 * shdr || bootstrap || encHeader || envelope || PLAINTEXT ELF (`opts.elf`), as OP-TEE hashes it.
 */
export function signContainer(opts: SignOptions, enc?: EncryptedParts): Uint8Array {
  const bits = opts.key.asymmetricKeyDetails?.modulusLength;
  if (opts.key.asymmetricKeyType !== 'rsa' || opts.key.type !== 'private' || !bits) {
    throw new TeeError(TEE_ERROR_BAD_FORMAT, 'signing a TA needs an RSA private key');
  }
  const taVersion = opts.taVersion ?? 0;
  if (!Number.isInteger(taVersion) || taVersion < 0 || taVersion > 0xffffffff) {
    throw new TeeError(TEE_ERROR_BAD_FORMAT, `ta_version ${taVersion} is not a 32-bit unsigned integer`);
  }
  const pss = (opts.algo ?? 'pss') === 'pss';
  const shdr = Buffer.alloc(SHDR_SIZE);
  shdr.writeUInt32LE(SHDR_MAGIC, 0);
  shdr.writeUInt32LE(enc ? SHDR_ENCRYPTED_TA : SHDR_BOOTSTRAP_TA, 4);
  shdr.writeUInt32LE(opts.elf.length, 8);
  shdr.writeUInt32LE(pss ? TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 : TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, 12);
  shdr.writeUInt16LE(SHA256_SIZE, 16);
  shdr.writeUInt16LE(Math.ceil(bits / 8), 18);
  const boot = Buffer.alloc(SHDR_BOOTSTRAP_TA_SIZE);
  if (!isUuid(opts.uuid)) throw new TeeError(TEE_ERROR_BAD_FORMAT, `"${opts.uuid}" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  boot.set(uuidToOctets(opts.uuid), 0);
  boot.writeUInt32LE(taVersion, 16);
  const headers = enc ? [shdr, boot, enc.encHeader, ...(enc.envelope ? [enc.envelope] : [])] : [shdr, boot];
  const message = Buffer.concat([...headers, opts.elf]);
  const hash = sha256(message);
  const padding = pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
  const sig = nodeCryptoModule.sign('sha256', message, { key: opts.key, padding, saltLength: PSS_SALT_LENGTH });
  const body = enc ? [boot, enc.encHeader, enc.ciphertext, ...(enc.envelope ? [enc.envelope] : [])] : [boot, opts.elf];
  return new Uint8Array(Buffer.concat([shdr, hash, sig, ...body]));
}
