/**
 * The GP object model: object types with their attributes and size rules, the object class
 * (transient here; persistent objects are built on it by trusted storage through the
 * `persistent` hook), the per-instance handle table, and `struct utee_object_info`.
 *
 * Handles are non-zero u32 values unique per TA instance and shared by objects and operation
 * states (as OP-TEE's are distinct kernel pointers), so a state handle is never an object.
 */
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_SECURITY,
} from '../../abi/results.js';
import type { SyscallContext } from '../syscalls/table.js';
import { CURVES } from './algorithms.js';
import {
  TEE_ATTR_ECC_CURVE, TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y,
  TEE_ATTR_ED25519_PRIVATE_VALUE, TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_FLAG_VALUE, TEE_ATTR_HKDF_IKM,
  TEE_ATTR_RSA_COEFFICIENT, TEE_ATTR_RSA_EXPONENT1, TEE_ATTR_RSA_EXPONENT2, TEE_ATTR_RSA_MODULUS,
  TEE_ATTR_RSA_PRIME1, TEE_ATTR_RSA_PRIME2, TEE_ATTR_RSA_PRIVATE_EXPONENT, TEE_ATTR_RSA_PUBLIC_EXPONENT,
  TEE_ATTR_SECRET_VALUE, TEE_ATTR_X25519_PRIVATE_VALUE, TEE_ATTR_X25519_PUBLIC_VALUE,
  TEE_HANDLE_FLAG_INITIALIZED, TEE_HANDLE_FLAG_PERSISTENT, TEE_TYPE_AES, TEE_TYPE_DES, TEE_TYPE_DES3, TEE_TYPE_SM4, TEE_TYPE_DH_KEYPAIR, TEE_ATTR_DH_PRIME, TEE_ATTR_DH_BASE,
  TEE_ATTR_DH_PUBLIC_VALUE, TEE_ATTR_DH_PRIVATE_VALUE, TEE_ATTR_DH_SUBPRIME, TEE_ATTR_DH_X_BITS, TEE_TYPE_DATA,
  TEE_TYPE_ECDH_KEYPAIR, TEE_TYPE_ECDH_PUBLIC_KEY, TEE_TYPE_ECDSA_KEYPAIR, TEE_TYPE_ECDSA_PUBLIC_KEY,
  TEE_TYPE_ED25519_KEYPAIR, TEE_TYPE_ED25519_PUBLIC_KEY, TEE_TYPE_GENERIC_SECRET, TEE_TYPE_HKDF,
  TEE_TYPE_HKDF_IKM, TEE_TYPE_HMAC_MD5, TEE_TYPE_HMAC_SHA1, TEE_TYPE_HMAC_SHA224, TEE_TYPE_HMAC_SHA256, TEE_TYPE_HMAC_SM3, TEE_TYPE_HMAC_SHA3_224, TEE_TYPE_HMAC_SHA3_256, TEE_TYPE_HMAC_SHA3_384, TEE_TYPE_HMAC_SHA3_512,
  TEE_TYPE_HMAC_SHA384, TEE_TYPE_HMAC_SHA512, TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_RSA_PUBLIC_KEY,
  TEE_TYPE_X25519_KEYPAIR, TEE_TYPE_X25519_PUBLIC_KEY, TEE_USAGE_DEFAULT,
} from '../../abi/tee-api.js';
import {
  TEE_ATTR_DSA_BASE, TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_PRIVATE_VALUE, TEE_ATTR_DSA_PUBLIC_VALUE, TEE_ATTR_DSA_SUBPRIME,
  TEE_TYPE_DSA_KEYPAIR, TEE_TYPE_DSA_PUBLIC_KEY,
} from '../../abi/tee-api.js';
import {
  TEE_TYPE_SM2_DSA_KEYPAIR, TEE_TYPE_SM2_DSA_PUBLIC_KEY, TEE_TYPE_SM2_KEP_KEYPAIR, TEE_TYPE_SM2_KEP_PUBLIC_KEY,
  TEE_TYPE_SM2_PKE_KEYPAIR, TEE_TYPE_SM2_PKE_PUBLIC_KEY,
} from '../../abi/tee-api.js';

/** Largest attribute a TA may pass (bytes) and most attributes in one call. */
export const MAX_ATTR_SIZE = 64 * 1024;
export const MAX_ATTR_COUNT = 64;
/** Most objects plus operation states one TA instance may hold. */
export const MAX_HANDLES = 4096;

/** How an attribute takes part in a type: required to populate, optional, or the size source. */
interface AttrRule { id: number; required: boolean }

/** One object type: size rule (bits) and attributes. */
export interface ObjectTypeInfo {
  type: number;
  minBits: number;
  maxBits: number;
  /** Allowed step between sizes (bits), or an explicit list. */
  step?: number;
  sizes?: readonly number[];
  attrs: readonly AttrRule[];
  /** Secret key: size = bytes of the secret value * 8. */
  secret?: boolean;
  /** Key pair type of which this is the public half (for copies). */
  publicOf?: number;
}

const req = (id: number): AttrRule => ({ id, required: true });
const opt = (id: number): AttrRule => ({ id, required: false });
const SECRET = [req(TEE_ATTR_SECRET_VALUE)];
const RSA_PUB = [req(TEE_ATTR_RSA_MODULUS), req(TEE_ATTR_RSA_PUBLIC_EXPONENT)];
const RSA_PAIR = [...RSA_PUB, req(TEE_ATTR_RSA_PRIVATE_EXPONENT), opt(TEE_ATTR_RSA_PRIME1), opt(TEE_ATTR_RSA_PRIME2),
  opt(TEE_ATTR_RSA_EXPONENT1), opt(TEE_ATTR_RSA_EXPONENT2), opt(TEE_ATTR_RSA_COEFFICIENT)];
const EC_PUB = [req(TEE_ATTR_ECC_PUBLIC_VALUE_X), req(TEE_ATTR_ECC_PUBLIC_VALUE_Y), req(TEE_ATTR_ECC_CURVE)];
const EC_PAIR = [req(TEE_ATTR_ECC_PRIVATE_VALUE), ...EC_PUB];
const DSA_PUB = [req(TEE_ATTR_DSA_PRIME), req(TEE_ATTR_DSA_SUBPRIME), req(TEE_ATTR_DSA_BASE), req(TEE_ATTR_DSA_PUBLIC_VALUE)];
const DH_PAIR = [req(TEE_ATTR_DH_PRIME), req(TEE_ATTR_DH_BASE), req(TEE_ATTR_DH_PUBLIC_VALUE), req(TEE_ATTR_DH_PRIVATE_VALUE),
  opt(TEE_ATTR_DH_SUBPRIME), opt(TEE_ATTR_DH_X_BITS)];

function secretType(type: number, minBits: number, maxBits: number, step = 8): ObjectTypeInfo {
  return { type, minBits, maxBits, step, attrs: SECRET, secret: true };
}

/** Object types that TEE_AllocateTransientObject accepts (OP-TEE's size ranges). */
export const OBJECT_TYPES: ReadonlyMap<number, ObjectTypeInfo> = new Map([
  { type: TEE_TYPE_AES, minBits: 128, maxBits: 256, sizes: [128, 192, 256], attrs: SECRET, secret: true },
  // Sizes with the parity bits, as OP-TEE counts them (GP 1.0's 56/112/168: `withDesParity`).
  { type: TEE_TYPE_DES, minBits: 64, maxBits: 64, sizes: [64], attrs: SECRET, secret: true },
  { type: TEE_TYPE_SM4, minBits: 128, maxBits: 128, sizes: [128], attrs: SECRET, secret: true },
  { type: TEE_TYPE_DES3, minBits: 128, maxBits: 192, sizes: [128, 192], attrs: SECRET, secret: true },
  secretType(TEE_TYPE_GENERIC_SECRET, 8, 4096),
  secretType(TEE_TYPE_HMAC_MD5, 64, 512),
  secretType(TEE_TYPE_HMAC_SHA1, 80, 512),
  secretType(TEE_TYPE_HMAC_SHA224, 112, 512),
  secretType(TEE_TYPE_HMAC_SHA256, 192, 1024),
  secretType(TEE_TYPE_HMAC_SHA384, 256, 1024),
  secretType(TEE_TYPE_HMAC_SHA512, 256, 1024),
  secretType(TEE_TYPE_HMAC_SM3, 80, 1024),
  secretType(TEE_TYPE_HMAC_SHA3_224, 192, 1024),
  secretType(TEE_TYPE_HMAC_SHA3_256, 256, 1024),
  secretType(TEE_TYPE_HMAC_SHA3_384, 256, 1024),
  secretType(TEE_TYPE_HMAC_SHA3_512, 256, 1024),
  secretType(TEE_TYPE_HKDF, 8, 4096),
  { type: TEE_TYPE_HKDF_IKM, minBits: 8, maxBits: 4096, step: 8, attrs: [req(TEE_ATTR_HKDF_IKM)], secret: true },
  // OP-TEE's KDF inputs: the concatenation KDF's shared secret Z and PBKDF2's password.
  { type: 0xa10000c1, minBits: 8, maxBits: 4096, step: 8, attrs: [req(0xc00001c1)], secret: true },
  { type: 0xa10000c2, minBits: 8, maxBits: 4096, step: 8, attrs: [req(0xc00001c2)], secret: true },
  { type: TEE_TYPE_RSA_PUBLIC_KEY, minBits: 256, maxBits: 4096, step: 1, attrs: RSA_PUB, publicOf: TEE_TYPE_RSA_KEYPAIR },
  { type: TEE_TYPE_RSA_KEYPAIR, minBits: 256, maxBits: 4096, step: 1, attrs: RSA_PAIR },
  { type: TEE_TYPE_ECDSA_PUBLIC_KEY, minBits: 192, maxBits: 521, sizes: [192, 224, 256, 384, 521], attrs: EC_PUB,
    publicOf: TEE_TYPE_ECDSA_KEYPAIR },
  { type: TEE_TYPE_ECDSA_KEYPAIR, minBits: 192, maxBits: 521, sizes: [192, 224, 256, 384, 521], attrs: EC_PAIR },
  { type: TEE_TYPE_ECDH_PUBLIC_KEY, minBits: 192, maxBits: 521, sizes: [192, 224, 256, 384, 521], attrs: EC_PUB,
    publicOf: TEE_TYPE_ECDH_KEYPAIR },
  { type: TEE_TYPE_ECDH_KEYPAIR, minBits: 192, maxBits: 521, sizes: [192, 224, 256, 384, 521], attrs: EC_PAIR },
  // SM2 (sm2.ts): the curve is implied (no ECC_CURVE attribute), 256 bits; one type pair per scheme.
  ...[[TEE_TYPE_SM2_DSA_PUBLIC_KEY, TEE_TYPE_SM2_DSA_KEYPAIR], [TEE_TYPE_SM2_KEP_PUBLIC_KEY, TEE_TYPE_SM2_KEP_KEYPAIR],
    [TEE_TYPE_SM2_PKE_PUBLIC_KEY, TEE_TYPE_SM2_PKE_KEYPAIR]].flatMap(([pub, pair]) => [
    { type: pub!, minBits: 256, maxBits: 256, sizes: [256], attrs: EC_PUB.slice(0, 2), publicOf: pair },
    { type: pair!, minBits: 256, maxBits: 256, sizes: [256], attrs: EC_PAIR.slice(0, 3) }]),
  { type: TEE_TYPE_ED25519_PUBLIC_KEY, minBits: 256, maxBits: 256, sizes: [256], attrs: [req(TEE_ATTR_ED25519_PUBLIC_VALUE)],
    publicOf: TEE_TYPE_ED25519_KEYPAIR },
  { type: TEE_TYPE_ED25519_KEYPAIR, minBits: 256, maxBits: 256, sizes: [256],
    attrs: [req(TEE_ATTR_ED25519_PUBLIC_VALUE), req(TEE_ATTR_ED25519_PRIVATE_VALUE)] },
  { type: TEE_TYPE_X25519_PUBLIC_KEY, minBits: 256, maxBits: 256, sizes: [256], attrs: [req(TEE_ATTR_X25519_PUBLIC_VALUE)],
    publicOf: TEE_TYPE_X25519_KEYPAIR },
  { type: TEE_TYPE_X25519_KEYPAIR, minBits: 256, maxBits: 256, sizes: [256],
    attrs: [req(TEE_ATTR_X25519_PUBLIC_VALUE), req(TEE_ATTR_X25519_PRIVATE_VALUE)] },
  // Finite-field Diffie-Hellman: the size is the prime's, 256 to 2048 bits (OP-TEE's range).
  { type: TEE_TYPE_DH_KEYPAIR, minBits: 256, maxBits: 2048, step: 1, attrs: DH_PAIR },
  // DSA: the size is the prime's, 512 to 3072 bits in steps of 64 (OP-TEE's range).
  { type: TEE_TYPE_DSA_PUBLIC_KEY, minBits: 512, maxBits: 3072, step: 64, attrs: DSA_PUB, publicOf: TEE_TYPE_DSA_KEYPAIR },
  { type: TEE_TYPE_DSA_KEYPAIR, minBits: 512, maxBits: 3072, step: 64, attrs: [...DSA_PUB, req(TEE_ATTR_DSA_PRIVATE_VALUE)] },
  { type: TEE_TYPE_DATA, minBits: 0, maxBits: 0, sizes: [0], attrs: [] },
].map((t) => [t.type >>> 0, t as ObjectTypeInfo]));

/** Whether `bits` is a valid key size for the type. */
export function validKeySize(info: ObjectTypeInfo, bits: number): boolean {
  if (bits < info.minBits || bits > info.maxBits) return false;
  if (info.sizes) return info.sizes.includes(bits);
  return bits % (info.step ?? 1) === 0;
}

/** An attribute value: a byte string (reference) or two u32 (value attributes). */
export type AttrValue = Buffer | { a: number; b: number };

export const isValueAttr = (id: number): boolean => (id & TEE_ATTR_FLAG_VALUE) !== 0;

/**
 * Hook for trusted storage: an object whose data stream and id live in secure storage.
 * The crypto side only reads `dataSize`/`dataPosition` for `utee_object_info` and calls
 * `close` when the handle goes away.
 */
export interface PersistentHook {
  dataSize(): number;
  dataPosition(): number;
  close(): void;
}

/** A GP object: a key (or data-only) container with attributes, usage and handle flags. */
export class CryptoObject {
  /** Key size in bits (0 until initialized). */
  size = 0;
  usage = TEE_USAGE_DEFAULT >>> 0;
  handleFlags = 0;
  readonly attrs = new Map<number, AttrValue>();
  /** Set by trusted storage for persistent objects. */
  persistent: PersistentHook | undefined;
  /** Cached provider key objects, dropped whenever attributes change. */
  cache = new Map<string, unknown>();

  constructor(readonly type: number, readonly maxSize: number, readonly info: ObjectTypeInfo) {}

  get initialized(): boolean {
    return (this.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) !== 0;
  }

  /** Buffer attribute, or undefined. */
  buf(id: number): Buffer | undefined {
    const v = this.attrs.get(id >>> 0);
    return Buffer.isBuffer(v) ? v : undefined;
  }

  value(id: number): { a: number; b: number } | undefined {
    const v = this.attrs.get(id >>> 0);
    return v && !Buffer.isBuffer(v) ? v : undefined;
  }

  /** Installs a validated attribute set and marks the object initialized. */
  setAttributes(attrs: Map<number, AttrValue>, size: number): void {
    this.attrs.clear();
    for (const [k, v] of attrs) this.attrs.set(k >>> 0, Buffer.isBuffer(v) ? Buffer.from(v) : { ...v });
    this.size = size;
    this.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
    this.cache.clear();
  }

  /** TEE_ResetTransientObject. */
  reset(): void {
    this.attrs.clear();
    this.cache.clear();
    this.size = 0;
    this.usage = TEE_USAGE_DEFAULT >>> 0;
    this.handleFlags &= ~TEE_HANDLE_FLAG_INITIALIZED;
  }

  /** `struct utee_object_info` (28 bytes). */
  infoBytes(): Buffer {
    const b = Buffer.alloc(28);
    b.writeUInt32LE(this.type >>> 0, 0);
    b.writeUInt32LE(this.size >>> 0, 4);
    b.writeUInt32LE(this.maxSize >>> 0, 8);
    b.writeUInt32LE(this.usage >>> 0, 12);
    b.writeUInt32LE((this.persistent?.dataSize() ?? 0) >>> 0, 16);
    b.writeUInt32LE((this.persistent?.dataPosition() ?? 0) >>> 0, 20);
    b.writeUInt32LE((this.handleFlags | (this.persistent ? TEE_HANDLE_FLAG_PERSISTENT : 0)) >>> 0, 24);
    return b;
  }
}

/**
 * DES key sizes as GP 1.0 gave them, without parity bits (56, 112, 168), become the sizes with
 * them (64, 128, 192), as OP-TEE's CFG_COMPAT_GP10_DES does; other sizes pass unchanged.
 */
export function withDesParity(type: number, bits: number): number {
  const t = type >>> 0;
  if ((t === TEE_TYPE_DES >>> 0 && bits === 56) || (t === TEE_TYPE_DES3 >>> 0 && (bits === 112 || bits === 168))) return bits + bits / 7;
  return bits;
}

/** Allocates a transient object (CRYP_OBJ_ALLOC rules). */
export function allocateObject(type: number, maxBits: number): CryptoObject {
  const info = OBJECT_TYPES.get(type >>> 0);
  if (!info) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `object type 0x${(type >>> 0).toString(16)} is not supported`);
  // GP: maxObjectSize must be a valid size for the type (or 0 for data objects). A GP 1.0 DES
  // size stays as given: its keys then report their size without parity bits, as OP-TEE's.
  if (!validKeySize(info, withDesParity(type, maxBits))) {
    throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `max size ${maxBits} bits is not valid for type 0x${(type >>> 0).toString(16)}`);
  }
  return new CryptoObject(type >>> 0, maxBits, info);
}

/** Big-endian bytes without leading zeros -> bit length. */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/**
 * Checks an attribute set against the type (TEE_PopulateTransientObject) and returns the key
 * size in bits. Throws BAD_PARAMETERS on unknown, duplicate or missing attributes or a size
 * above the object's maximum.
 */
export function checkPopulate(obj: CryptoObject, attrs: Map<number, AttrValue>): number {
  const rules = obj.info.attrs;
  for (const id of attrs.keys()) {
    if (!rules.some((r) => r.id >>> 0 === id)) throw bad(`attribute 0x${id.toString(16)} does not belong to the object type`);
  }
  for (const r of rules) if (r.required && !attrs.has(r.id >>> 0)) throw bad(`attribute 0x${(r.id >>> 0).toString(16)} is missing`);
  const crt = [TEE_ATTR_RSA_PRIME1, TEE_ATTR_RSA_PRIME2, TEE_ATTR_RSA_EXPONENT1, TEE_ATTR_RSA_EXPONENT2, TEE_ATTR_RSA_COEFFICIENT]
    .filter((id) => attrs.has(id >>> 0)).length;
  if (crt !== 0 && crt !== 5) throw bad('RSA CRT attributes must be given all together or not at all');
  let size = keySizeOf(obj.info, attrs);
  const min = obj.info.minBits;
  if (withDesParity(obj.type, obj.maxSize) !== obj.maxSize) size -= size / 8; // GP 1.0 DES: without parity
  if (size > obj.maxSize) throw bad(`key size ${size} bits exceeds the object's maximum ${obj.maxSize}`);
  if (obj.info.type !== TEE_TYPE_DATA && withDesParity(obj.type, size) < min) throw bad(`key size ${size} bits is below the type's minimum`);
  return size;
}

function keySizeOf(info: ObjectTypeInfo, attrs: Map<number, AttrValue>): number {
  const b = (id: number): Buffer => {
    const v = attrs.get(id >>> 0);
    if (!Buffer.isBuffer(v)) throw bad(`attribute 0x${(id >>> 0).toString(16)} must be a buffer`);
    return v;
  };
  if (info.secret) {
    const v = attrs.get(TEE_ATTR_SECRET_VALUE >>> 0) ?? attrs.get(TEE_ATTR_HKDF_IKM >>> 0) ?? attrs.get(info.attrs[0]!.id >>> 0);
    if (!Buffer.isBuffer(v)) throw bad('secret value missing');
    const bits = v.length * 8;
    // Past the type's largest key, OP-TEE's core has no room for it: TEE_ERROR_SECURITY, on
    // which libutee panics the TA (xtest 4010). Past the object's own maximum: BAD_PARAMETERS.
    if (bits > info.maxBits) throw new TeeError(TEE_ERROR_SECURITY, `secret of ${v.length} bytes is larger than the type allows (${info.maxBits} bits)`);
    if (info.sizes && !info.sizes.includes(bits)) throw bad(`secret of ${v.length} bytes is not a valid key size`);
    return bits;
  }
  if (attrs.has(TEE_ATTR_DSA_PRIME >>> 0)) {
    // Every DSA number is at most as long as the prime, whose size is a valid key size.
    const bits = bitLength(b(TEE_ATTR_DSA_PRIME));
    for (const [id, v] of attrs) {
      if (!Buffer.isBuffer(v) || bitLength(v) > bits) throw bad(`DSA attribute 0x${id.toString(16)} is longer than the prime`);
    }
    if (!validKeySize(info, bits)) throw bad(`a DSA prime of ${bits} bits is not a valid key size`);
    return bits;
  }
  if (attrs.has(TEE_ATTR_DH_PRIME >>> 0)) {
    // Every DH number is below the prime: bounds the work a hostile key can cause.
    const p = b(TEE_ATTR_DH_PRIME);
    for (const [id, v] of attrs) {
      if (Buffer.isBuffer(v) && bitLength(v) > bitLength(p)) throw bad(`DH attribute 0x${id.toString(16)} is longer than the prime`);
    }
    return bitLength(p);
  }
  if (attrs.has(TEE_ATTR_RSA_MODULUS >>> 0)) {
    // Every RSA component is at most as long as the modulus: bounds the work a hostile key can cause.
    const n = b(TEE_ATTR_RSA_MODULUS);
    for (const [id, v] of attrs) {
      if (!Buffer.isBuffer(v) || bitLength(v) > bitLength(n)) throw bad(`RSA attribute 0x${id.toString(16)} is longer than the modulus`);
    }
    return bitLength(n);
  }
  if (attrs.has(TEE_ATTR_ECC_CURVE >>> 0)) {
    const c = attrs.get(TEE_ATTR_ECC_CURVE >>> 0);
    const curve = c && !Buffer.isBuffer(c) ? CURVES.get(c.a) : undefined;
    if (!curve) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'unknown ECC curve');
    for (const id of [TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y, TEE_ATTR_ECC_PRIVATE_VALUE]) {
      const v = attrs.get(id >>> 0);
      if (v !== undefined && (!Buffer.isBuffer(v) || bitLength(v) > curve.bits)) throw bad('ECC value larger than the curve');
    }
    return curve.bits;
  }
  for (const id of [TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_ED25519_PRIVATE_VALUE, TEE_ATTR_X25519_PUBLIC_VALUE,
    TEE_ATTR_X25519_PRIVATE_VALUE]) {
    const v = attrs.get(id >>> 0);
    if (v !== undefined && (!Buffer.isBuffer(v) || v.length !== 32)) throw bad('curve 25519 keys are 32 bytes');
  }
  return info.maxBits;
}

function bad(msg: string): TeeError {
  return new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);
}

/**
 * Whether `src` may be copied into `dst` (TEE_CopyObjectAttributes1 / TEE_SetOperationKey):
 * same type, a key pair into its public type, or a generic secret into a secret type.
 */
export function copyCompatible(dst: CryptoObject, src: CryptoObject): boolean {
  if (dst.type === src.type) return true;
  if (dst.info.publicOf === src.type) return true;
  if (src.type === TEE_TYPE_GENERIC_SECRET && dst.info.secret && dst.type !== TEE_TYPE_HKDF_IKM) return true;
  if (dst.type === TEE_TYPE_GENERIC_SECRET && src.info.secret && src.type !== TEE_TYPE_HKDF_IKM) return true;
  return (dst.type === TEE_TYPE_HKDF || dst.type === TEE_TYPE_HKDF_IKM) && src.info.secret === true;
}

/** Copies attributes (only the public ones for a key pair into a public type). */
export function copyInto(dst: CryptoObject, src: CryptoObject): void {
  const attrs = new Map<number, AttrValue>();
  for (const [id, v] of src.attrs) {
    if (dst.info.attrs.some((r) => r.id >>> 0 === id)) attrs.set(id, v);
    else if (dst.info.secret && src.info.secret) attrs.set(dst.info.attrs[0]!.id >>> 0, v);
  }
  if (src.size > dst.maxSize) throw bad(`key of ${src.size} bits does not fit an object of at most ${dst.maxSize}`);
  dst.setAttributes(attrs, src.size);
  dst.usage = src.usage;
}

/** One entry of the per-instance handle table: an object or an operation state. */
export type HandleEntry = { kind: 'object'; obj: CryptoObject } | { kind: 'state'; state: unknown };

/** The per-instance table of crypto handles, kept in `instance.ext`. */
export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>();
  private next = 1;

  add(entry: HandleEntry): number {
    if (this.entries.size >= MAX_HANDLES) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, 'too many crypto handles');
    let h = this.next;
    while (h === 0 || this.entries.has(h)) h = (h + 1) >>> 0;
    this.next = (h + 1) >>> 0;
    this.entries.set(h, entry);
    return h;
  }

  addObject(obj: CryptoObject): number {
    return this.add({ kind: 'object', obj });
  }

  /** The object behind a handle; BAD_PARAMETERS (libutee panics) for anything else. */
  object(handle: bigint | number): CryptoObject {
    const e = this.entries.get(Number(BigInt(handle) & 0xffffffffn));
    if (BigInt(handle) > 0xffffffffn || e?.kind !== 'object') throw bad('not an object handle');
    return e.obj;
  }

  state<T>(handle: bigint | number): T {
    const e = this.entries.get(Number(BigInt(handle) & 0xffffffffn));
    if (BigInt(handle) > 0xffffffffn || e?.kind !== 'state') throw bad('not an operation handle');
    return e.state as T;
  }

  has(handle: number): boolean {
    return this.entries.has(handle);
  }

  remove(handle: bigint | number): void {
    const h = Number(BigInt(handle) & 0xffffffffn);
    const e = this.entries.get(h);
    if (e?.kind === 'object') e.obj.persistent?.close();
    this.entries.delete(h);
  }

  /** Whether an object is used as the key of an operation state (for CRYP_OBJ_CLOSE). */
  entriesOf<T>(kind: 'state'): T[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === kind ? [e.state as T] : []));
  }
}

const EXT_KEY = 'crypto.handles';

/** The instance's handle table, created on first use. */
export function handles(ctx: SyscallContext): HandleTable {
  let t = ctx.instance.ext.get(EXT_KEY) as HandleTable | undefined;
  if (!t) {
    t = new HandleTable();
    ctx.instance.ext.set(EXT_KEY, t);
  }
  return t;
}

/** Shorthands for trusted storage: look up, add and remove objects of the calling instance. */
export const objects = {
  get: (ctx: SyscallContext, handle: bigint | number): CryptoObject => handles(ctx).object(handle),
  add: (ctx: SyscallContext, obj: CryptoObject): number => handles(ctx).addObject(obj),
  remove: (ctx: SyscallContext, handle: bigint | number): void => handles(ctx).remove(handle),
};

/**
 * Reads `count` `struct utee_attribute` (24 bytes each) from the TA: reference attributes are
 * copied in (bounded by MAX_ATTR_SIZE), duplicates are refused.
 */
export function readAttributes(ctx: SyscallContext, ptr: bigint, count: bigint): Map<number, AttrValue> {
  if (count > BigInt(MAX_ATTR_COUNT)) throw bad(`too many attributes (${count})`);
  const n = Number(count);
  const out = new Map<number, AttrValue>();
  if (n === 0) return out;
  const raw = ctx.instance.space.read(ptr, n * 24);
  for (let i = 0; i < n; i++) {
    const a = raw.readBigUInt64LE(i * 24);
    const b = raw.readBigUInt64LE(i * 24 + 8);
    const id = raw.readUInt32LE(i * 24 + 16);
    if (out.has(id)) throw bad(`attribute 0x${id.toString(16)} given twice`);
    if (isValueAttr(id)) {
      out.set(id, { a: Number(a & 0xffffffffn), b: Number(b & 0xffffffffn) });
    } else {
      if (b > BigInt(MAX_ATTR_SIZE)) throw bad(`attribute 0x${id.toString(16)} is larger than ${MAX_ATTR_SIZE} bytes`);
      out.set(id, b === 0n ? Buffer.alloc(0) : ctx.instance.space.read(a, b));
    }
  }
  return out;
}

