/**
 * SM2 (GM/T 0003-2012, GB/T 32918) on the sm2p256v1 curve: signatures over a digest the TA
 * computed (SM2_DSA_SM3), public-key encryption (SM2_PKE) and key exchange (SM2_KEP), with the
 * SM3-based KDF of GM/T 0003.4 section 5.4.3.
 *
 * Neither node:crypto (it has the curve for ECDH, not the SM2 schemes on raw digests) nor
 * @noble/curves (no SM2) offers these, so all point arithmetic runs in @noble/curves' generic
 * short-Weierstrass code (audited) built from the curve's published parameters, and only the
 * SM2 formulas are written here. orderCheck() compares the generator with OpenSSL's, so a
 * mistyped constant cannot go unnoticed. The library is loaded on first use, as in ecdsa.ts.
 *
 * Formats are OP-TEE's (core/crypto/sm2-*.c), which xtest checks: signatures r || s (32 + 32
 * bytes); ciphertexts C1 || C2 || C3 (GM/T 0003-2012's order) with C1 = 04 || x || y; the
 * digest e = SM3(Z || M) is the caller's, as Z needs the signer's identity.
 */
import { createRequire } from 'node:module';
import type * as Weierstrass from '@noble/curves/abstract/weierstrass.js';
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_CIPHERTEXT_INVALID, TEE_ERROR_NOT_SUPPORTED, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X, TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y, TEE_ATTR_ECC_PRIVATE_VALUE,
  TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y, TEE_ATTR_SM2_ID_INITIATOR, TEE_ATTR_SM2_ID_RESPONDER,
  TEE_ATTR_SM2_KEP_CONFIRMATION_IN, TEE_ATTR_SM2_KEP_CONFIRMATION_OUT, TEE_ATTR_SM2_KEP_USER, TEE_MEMORY_ACCESS_ANY_OWNER,
  TEE_MEMORY_ACCESS_WRITE, TEE_MODE_DECRYPT,
  TEE_MODE_ENCRYPT, TEE_MODE_SIGN, TEE_TYPE_SM2_DSA_KEYPAIR, TEE_TYPE_SM2_KEP_KEYPAIR, TEE_TYPE_SM2_PKE_KEYPAIR,
  __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X, __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y,
} from '../../abi/tee-api.js';
import { digest, ecGenerator, timingSafeEqual } from '../../host/crypto.js';
import type { SyscallContext } from '../syscalls/table.js';
import type { AlgInfo } from './algorithms.js';
import { fromBig, toBig } from './keys.js';
import type { AttrValue, CryptoObject } from './objects.js';

type Point = Weierstrass.WeierstrassPoint<bigint>;
type PointCons = Weierstrass.WeierstrassPointCons<bigint>;

/** sm2p256v1 (GM/T 0003.5 section 3, GB/T 32918.5): y^2 = x^3 + ax + b over GF(p), order n, h = 1. */
export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

const N = SM2_CURVE.n;
/** Bytes of a coordinate or scalar, and of an SM3 digest. */
const LEN = 32;
const HASH = 32;
/** Tries at a fresh nonce before giving up (each retry has probability about 2^-256). */
const RETRIES = 8;

let cons: PointCons | undefined;

/** The curve's point class, made on first use (see ecdsa.ts for why the CommonJS build). */
function curve(): PointCons {
  if (cons) return cons;
  const { weierstrassN } = createRequire(import.meta.url)('@noble/curves/abstract/weierstrass.js') as typeof Weierstrass;
  const c = SM2_CURVE;
  const made = weierstrassN<bigint>({ p: c.p, n: c.n, h: 1n, a: c.a, b: c.b, Gx: c.Gx, Gy: c.Gy });
  cons = made;
  return made;
}

const bad = (msg: string): TeeError => new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);
const be = (v: bigint): Buffer => fromBig(v, LEN);
const mod = (v: bigint): bigint => ((v % N) + N) % N;
const sm3 = (...parts: Uint8Array[]): Buffer => digest('sm3', ...parts);

/** The affine point (x, y), or undefined when it is not on the curve (or a coordinate is >= p). */
export function sm2Point(x: bigint, y: bigint): Point | undefined {
  try {
    const pt = curve().fromAffine({ x, y });
    pt.assertValidity();
    return pt;
  } catch {
    return undefined;
  }
}

/** A scalar in [1, n - 1] from the device random source (40 bytes: the bias is below 2^-64). */
export function randomScalar(random: (n: number) => Buffer): bigint {
  return (toBig(random(LEN + 8)) % (N - 1n)) + 1n;
}

/** The SM3 KDF (GM/T 0003.4 5.4.3): SM3(Z || ct) for ct = 1, 2, ... cut to `len` bytes. */
export function sm2Kdf(z: Uint8Array, len: number): Buffer {
  const out: Buffer[] = [];
  const ct = Buffer.alloc(4);
  for (let i = 1, have = 0; have < len; i++, have += HASH) {
    ct.writeUInt32BE(i >>> 0);
    out.push(sm3(z, ct));
  }
  return Buffer.concat(out).subarray(0, len);
}

/** Z = SM3(ENTL || ID || a || b || xG || yG || x || y): a user's identity hash (GM/T 0003.2 5.5). */
export function sm2Z(id: Uint8Array, x: bigint, y: bigint): Buffer {
  if (id.length * 8 > 0xffff) throw bad('an SM2 identity is at most 8191 bytes');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  const c = SM2_CURVE;
  return sm3(entl, id, be(c.a), be(c.b), be(c.Gx), be(c.Gy), be(x), be(y));
}

/**
 * Signs the digest e (GM/T 0003.2 6.1, steps A3-A7) with private value d; `nextK` gives each
 * nonce (random, or the standard's fixed k in the unit tests). Returns r || s.
 */
export function sm2Sign(d: bigint, e: Uint8Array, nextK: () => bigint): Buffer {
  // d = n - 1 would make 1 + d non-invertible; d outside [1, n - 2] is not a valid key.
  if (d <= 0n || d >= N - 1n) throw bad('SM2 private value out of range');
  const { BASE, Fn } = curve();
  const ev = toBig(e);
  const inv = Fn.inv(1n + d);
  for (let i = 0; i < RETRIES; i++) {
    const k = nextK();
    const r = mod(ev + BASE.multiply(k).x);
    if (r === 0n || r + k === N) continue;
    const s = mod(inv * (k - r * d));
    if (s !== 0n) return Buffer.concat([be(r), be(s)]);
  }
  throw new TeeError(TEE_ERROR_BAD_STATE, 'SM2 signing found no valid nonce');
}

/** Verifies r || s over the digest e with public point q (GM/T 0003.2 7.1, steps B1-B7). */
export function sm2Verify(q: Point, e: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 2 * LEN) return false;
  const r = toBig(sig.subarray(0, LEN));
  const s = toBig(sig.subarray(LEN));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const t = mod(r + s);
  if (t === 0n) return false;
  // Public values only: the variable-time multiplication is fine here.
  const pt = curve().BASE.multiplyUnsafe(s).add(q.multiplyUnsafe(t));
  return !pt.is0() && mod(toBig(e) + pt.x) === r;
}

/** x2 || y2 of a shared point, the KDF input of encryption. */
const xy = (pt: Point): Buffer => Buffer.concat([be(pt.x), be(pt.y)]);
const xor = (a: Uint8Array, b: Uint8Array): Buffer => Buffer.from(a.map((v, i) => v ^ b[i]!));
const allZero = (b: Uint8Array): boolean => b.every((v) => v === 0);

/** Encrypts `msg` to public point q (GM/T 0003.4 6.1): C1 || C2 || C3. */
export function sm2Encrypt(q: Point, msg: Uint8Array, nextK: () => bigint): Buffer {
  if (msg.length === 0) throw bad('SM2 encryption of an empty message');
  for (let i = 0; i < RETRIES; i++) {
    const k = nextK();
    const s = xy(q.multiply(k));
    const t = sm2Kdf(s, msg.length);
    // An all-zero t would leave M in the clear: the standard draws another k.
    if (allZero(t)) continue;
    const c1 = curve().BASE.multiply(k).toBytes(false);
    return Buffer.concat([c1, xor(msg, t), sm3(s.subarray(0, LEN), msg, s.subarray(LEN))]);
  }
  throw new TeeError(TEE_ERROR_BAD_STATE, 'SM2 encryption found no valid nonce');
}

/**
 * Decrypts C1 || C2 || C3 with private value d (GM/T 0003.4 7.1), with OP-TEE's results: a
 * compressed or hybrid C1 is NOT_SUPPORTED, a malformed one (or no C2) BAD_PARAMETERS, a C3
 * that does not match CIPHERTEXT_INVALID.
 */
export function sm2Decrypt(d: bigint, c: Uint8Array): Buffer {
  if (d <= 0n || d >= N) throw bad('SM2 private value out of range');
  const pc = c[0];
  if (pc === 2 || pc === 3 || pc === 6 || pc === 7) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'SM2 C1 in compressed or hybrid form');
  if (pc !== 4 || c.length < 1 + 2 * LEN) throw bad('SM2 ciphertext does not start with an uncompressed point');
  const c1 = sm2Point(toBig(c.subarray(1, 1 + LEN)), toBig(c.subarray(1 + LEN, 1 + 2 * LEN)));
  if (!c1) throw bad('SM2 C1 is not a point on the curve');
  const head = 1 + 2 * LEN;
  if (c.length <= head + HASH) throw bad('SM2 ciphertext without C2');
  const s = xy(c1.multiply(d));
  const c2 = c.subarray(head, c.length - HASH);
  const t = sm2Kdf(s, c2.length);
  if (allZero(t)) throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'SM2 KDF output is zero');
  const m = xor(c2, t);
  const u = sm3(s.subarray(0, LEN), m, s.subarray(LEN));
  if (!timingSafeEqual(u, c.subarray(c.length - HASH))) throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'SM2 C3 does not match');
  return m;
}

/** One side of a key exchange: its long-term and ephemeral key pairs and the peer's public keys. */
export interface Sm2KepInput {
  initiator: boolean;
  d: bigint;
  own: Point;
  r: bigint;
  ownEph: Point;
  peer: Point;
  peerEph: Point;
  idInitiator: Uint8Array;
  idResponder: Uint8Array;
  /** Shared key length in bytes. */
  klen: number;
  /** The peer's confirmation value (S_B for the initiator, S_A for the responder), if any. */
  confirmationIn?: Uint8Array;
}

/** x̄ = 2^w + (x & (2^w - 1)) with w = 127 for a 256-bit order (GM/T 0003.3 6.1 A4). */
const xbar = (x: bigint): bigint => (1n << 127n) + (x & ((1n << 127n) - 1n));

/**
 * The key exchange (GM/T 0003.3 6.1, steps A4-A10 or B3-B9): the shared key K and this side's
 * confirmation value (S_A for the initiator, S_B for the responder). A confirmation in that does
 * not match is BAD_STATE, as OP-TEE answers it.
 */
export function sm2Kep(i: Sm2KepInput): { key: Buffer; confirmation: Buffer } {
  if (i.d <= 0n || i.d >= N || i.r <= 0n || i.r >= N) throw bad('SM2 private value out of range');
  const t = mod(i.d + xbar(i.ownEph.x) * i.r);
  const sum = i.peer.add(i.peerEph.multiplyUnsafe(xbar(i.peerEph.x)));
  if (t === 0n || sum.is0()) throw new TeeError(TEE_ERROR_BAD_STATE, 'SM2 key exchange reached the point at infinity');
  const u = sum.multiply(t);
  const [pa, pb] = i.initiator ? [i.own, i.peer] : [i.peer, i.own];
  const [ra, rb] = i.initiator ? [i.ownEph, i.peerEph] : [i.peerEph, i.ownEph];
  const zazb = Buffer.concat([sm2Z(i.idInitiator, pa.x, pa.y), sm2Z(i.idResponder, pb.x, pb.y)]);
  const key = sm2Kdf(Buffer.concat([be(u.x), be(u.y), zazb]), i.klen);
  const inner = sm3(be(u.x), zazb, be(ra.x), be(ra.y), be(rb.x), be(rb.y));
  const s = (flag: number): Buffer => sm3(Buffer.from([flag]), be(u.y), inner);
  if (i.confirmationIn) {
    if (i.confirmationIn.length < HASH) throw bad('SM2 confirmation value shorter than 32 bytes');
    if (!timingSafeEqual(s(i.initiator ? 2 : 3), i.confirmationIn.subarray(0, HASH))) {
      throw new TeeError(TEE_ERROR_BAD_STATE, 'SM2 key confirmation failed');
    }
  }
  return { key, confirmation: s(i.initiator ? 3 : 2) };
}

/**
 * Self-check that the curve is the provider's: the same generator as OpenSSL's "SM2" curve, a
 * valid point, and n * G = O.
 */
export function orderCheck(): boolean {
  const { BASE } = curve();
  const g = ecGenerator('SM2');
  BASE.assertValidity();
  return BASE.x === toBig(g.x) && BASE.y === toBig(g.y) && BASE.multiplyUnsafe(N - 1n).add(BASE).is0();
}

/* ---- GP key objects and operations ---- */

/** Whether an object type is one of the SM2 key pairs (keys are generated only for those). */
export function isSm2KeyPair(type: number): boolean {
  const t = type >>> 0;
  return t === TEE_TYPE_SM2_DSA_KEYPAIR >>> 0 || t === TEE_TYPE_SM2_KEP_KEYPAIR >>> 0 || t === TEE_TYPE_SM2_PKE_KEYPAIR >>> 0;
}

/** A fresh SM2 key pair's attributes, its private value from the device random source. */
export function sm2GenerateAttrs(random: (n: number) => Buffer): Map<number, AttrValue> {
  // [1, n - 2]: n - 1 cannot sign (see sm2Sign).
  const d = (toBig(random(LEN + 8)) % (N - 2n)) + 1n;
  const q = curve().BASE.multiply(d);
  return new Map<number, AttrValue>([[TEE_ATTR_ECC_PRIVATE_VALUE >>> 0, be(d)],
    [TEE_ATTR_ECC_PUBLIC_VALUE_X >>> 0, be(q.x)], [TEE_ATTR_ECC_PUBLIC_VALUE_Y >>> 0, be(q.y)]]);
}

function publicPoint(key: CryptoObject): Point {
  const x = key.buf(TEE_ATTR_ECC_PUBLIC_VALUE_X);
  const y = key.buf(TEE_ATTR_ECC_PUBLIC_VALUE_Y);
  const q = x && y ? sm2Point(toBig(x), toBig(y)) : undefined;
  if (!q) throw bad('the SM2 public key is not a point on the curve');
  return q;
}

function privateValue(key: CryptoObject): bigint {
  const d = key.buf(TEE_ATTR_ECC_PRIVATE_VALUE);
  if (!d) throw bad('the SM2 key has no private value');
  return toBig(d);
}

/** ASYMM_OPERATE for SM2_DSA_SM3 (sign) and SM2_PKE (encrypt, decrypt). */
export function sm2Operate(alg: AlgInfo, mode: number, key: CryptoObject, src: Buffer, random: (n: number) => Buffer): Buffer {
  const nextK = (): bigint => randomScalar(random);
  if (alg.kind === 'sm2dsa' && mode === TEE_MODE_SIGN) {
    if (src.length !== HASH) throw bad(`digest of ${src.length} bytes for SM2_DSA_SM3 (needs ${HASH})`);
    return sm2Sign(privateValue(key), src, nextK);
  }
  if (alg.kind === 'sm2pke' && mode === TEE_MODE_ENCRYPT) return sm2Encrypt(publicPoint(key), src, nextK);
  if (alg.kind === 'sm2pke' && mode === TEE_MODE_DECRYPT) return sm2Decrypt(privateValue(key), src);
  throw bad(`${alg.name} does not work in mode ${mode}`);
}

/**
 * ASYMM_VERIFY for SM2_DSA_SM3. As OP-TEE: a digest that is not 32 bytes or a signature that
 * is not 64 is BAD_PARAMETERS (on which the TA panics), a signature that does not match false.
 */
export function sm2VerifyDigest(key: CryptoObject, digestBytes: Buffer, sig: Buffer): boolean {
  if (digestBytes.length !== HASH) throw bad(`digest of ${digestBytes.length} bytes for SM2_DSA_SM3 (needs ${HASH})`);
  if (sig.length !== 2 * LEN) throw bad(`SM2 signature of ${sig.length} bytes (needs ${2 * LEN})`);
  return sm2Verify(publicPoint(key), digestBytes, sig);
}

function peerPoint(params: Map<number, AttrValue>, ids: readonly (readonly number[])[], what: string): Point {
  const [x, y] = ids.map((alts) => alts.map((id) => params.get(id >>> 0)).find((v) => v !== undefined));
  if (!Buffer.isBuffer(x) || !Buffer.isBuffer(y)) throw bad(`SM2 KEP needs the ${what} X and Y`);
  const pt = sm2Point(toBig(x), toBig(y));
  if (!pt) throw bad(`the ${what} is not a point on the curve`);
  return pt;
}

const KEP_ATTRS = new Set([TEE_ATTR_SM2_KEP_USER, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y,
  TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X, TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y, __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X,
  __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y, TEE_ATTR_SM2_ID_INITIATOR, TEE_ATTR_SM2_ID_RESPONDER,
  TEE_ATTR_SM2_KEP_CONFIRMATION_IN, TEE_ATTR_SM2_KEP_CONFIRMATION_OUT].map((id) => id >>> 0));

/**
 * DERIVE_KEY for SM2_KEP. key1 is this side's key pair, key2 its ephemeral key pair; the
 * parameters give the role (KEP_USER a = 0: initiator), the peer's public and ephemeral public
 * keys, both identities and optionally the peer's confirmation value. The shared key is
 * `klen` bytes: OP-TEE takes the derived object's maxObjectSize as a byte count, and xtest
 * 4014 sizes its object that way. This side's confirmation value is written to the buffer of
 * TEE_ATTR_SM2_KEP_CONFIRMATION_OUT in the TA, if the TA may write there (OP-TEE 4.x computes it
 * into a kernel copy only).
 */
export function sm2KepDerive(ctx: SyscallContext, attrPtr: bigint, attrCount: bigint, key: CryptoObject, eph: CryptoObject,
  params: Map<number, AttrValue>, klen: number): Buffer {
  for (const id of params.keys()) if (!KEP_ATTRS.has(id)) throw bad(`attribute 0x${id.toString(16)} is not an SM2 KEP parameter`);
  const user = params.get(TEE_ATTR_SM2_KEP_USER >>> 0);
  const idI = params.get(TEE_ATTR_SM2_ID_INITIATOR >>> 0);
  const idR = params.get(TEE_ATTR_SM2_ID_RESPONDER >>> 0);
  const confIn = params.get(TEE_ATTR_SM2_KEP_CONFIRMATION_IN >>> 0);
  const confOut = params.get(TEE_ATTR_SM2_KEP_CONFIRMATION_OUT >>> 0);
  if (user === undefined || Buffer.isBuffer(user)) throw bad('SM2 KEP needs TEE_ATTR_SM2_KEP_USER');
  if (!Buffer.isBuffer(idI) || !Buffer.isBuffer(idR)) throw bad('SM2 KEP needs both identities');
  if (Buffer.isBuffer(confOut) && confOut.length < HASH) throw bad('SM2 confirmation buffer shorter than 32 bytes');
  if (klen <= 0) throw bad('SM2 KEP needs a derived key of at least one byte');
  const result = sm2Kep({
    initiator: user.a === 0,
    d: privateValue(key), own: publicPoint(key), r: privateValue(eph), ownEph: publicPoint(eph),
    peer: peerPoint(params, [[TEE_ATTR_ECC_PUBLIC_VALUE_X], [TEE_ATTR_ECC_PUBLIC_VALUE_Y]], 'peer public key'),
    peerEph: peerPoint(params, [[TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X, __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X],
      [TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y, __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y]], 'peer ephemeral key'),
    idInitiator: idI, idResponder: idR, klen,
    confirmationIn: Buffer.isBuffer(confIn) ? confIn : undefined,
  });
  if (Buffer.isBuffer(confOut)) writeAttribute(ctx, attrPtr, attrCount, TEE_ATTR_SM2_KEP_CONFIRMATION_OUT, result.confirmation);
  return result.key;
}

/**
 * Writes `data` into the TA buffer of reference attribute `id` of a `struct utee_attribute`
 * array, when the TA may write there. A buffer it may not (xtest's crypt TA passes one inside its
 * input parameter) is left as it is: OP-TEE never writes it, so nothing may depend on it.
 */
function writeAttribute(ctx: SyscallContext, ptr: bigint, count: bigint, id: number, data: Buffer): void {
  // readAttributes has read and bounded this array already; it is read again for the pointer.
  const raw = ctx.instance.space.read(ptr, Number(count) * 24);
  for (let i = 0; i < Number(count); i++) {
    const va = raw.readBigUInt64LE(i * 24);
    if (raw.readUInt32LE(i * 24 + 16) !== id >>> 0) continue;
    if (ctx.instance.space.check(TEE_MEMORY_ACCESS_WRITE | TEE_MEMORY_ACCESS_ANY_OWNER, va, data.length) === TEE_SUCCESS) {
      ctx.instance.space.write(va, data);
    }
  }
}
