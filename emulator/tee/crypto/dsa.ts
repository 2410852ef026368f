/**
 * DSA (FIPS 186-4 section 4) over a digest the TA computed: GP's TEE_ALG_DSA_SHA1/224/256 with
 * TEE_AsymmetricSignDigest/VerifyDigest, and DSA key generation from given domain parameters.
 *
 * Why the arithmetic is here: node:crypto's DSA signs only messages it hashes itself (there is
 * no raw-digest DSA, as RSA_NO_PADDING is for RSA), and @noble/curves, which signs raw ECDSA
 * digests (ecdsa.ts), has no finite-field DSA. DSA itself is a few lines of modular arithmetic,
 * so it runs on bigints: the per-message k and the private value x by rejection sampling from
 * the device's random source (FIPS 186-4 B.2.2 and B.1.2: a seeded run repeats), secret
 * exponents through a ladder whose steps do not depend on the exponent's bits. BigInt
 * arithmetic is not constant-time: this is an emulator, not a hardened implementation. The
 * unit tests check signatures against node:crypto's DSA in both directions.
 *
 * GP specifics, as OP-TEE has them: the signature is r || s, each as long as the subprime q; the
 * digest is cut to q's bit length (FIPS 186-4 4.6). Signing takes exactly min(hash size, q size)
 * bytes; verifying takes the hash size or q's size; any other length is a bad parameter (the TA
 * panics).
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../abi/results.js';
import {
  TEE_ATTR_DSA_BASE, TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_PRIVATE_VALUE, TEE_ATTR_DSA_PUBLIC_VALUE, TEE_ATTR_DSA_SUBPRIME,
} from '../../abi/tee-api.js';
import { HASH_SIZES, type AlgInfo } from './algorithms.js';
import { fromBig, modInv, modPow, toBig } from './keys.js';
import type { AttrValue, CryptoObject } from './objects.js';

/** Domain parameters: prime p, subprime q (the order of g), base g. */
export interface DsaDomain { p: bigint; q: bigint; g: bigint }

/** Random candidates tried before giving up on a domain that yields no usable k or x. */
const MAX_TRIES = 64;

const bad = (msg: string): TeeError => new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);

const bits = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/** Bytes of the subprime: the width of r and s. */
const qBytes = (d: DsaDomain): number => Math.ceil(bits(d.q) / 8);

/**
 * Checks what the arithmetic needs of a domain (not that p and q are prime: OP-TEE does not
 * either): 1 < q < p and 1 < g < p. A q of 0 or 1 would leave no k to choose.
 */
export function dsaDomain(p: Uint8Array, q: Uint8Array, g: Uint8Array): DsaDomain {
  const d = { p: toBig(p), q: toBig(q), g: toBig(g) };
  if (d.q <= 1n || d.q >= d.p || d.g <= 1n || d.g >= d.p) throw bad('DSA domain parameters out of range');
  return d;
}

function domainOf(key: CryptoObject): DsaDomain {
  const [p, q, g] = [TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_SUBPRIME, TEE_ATTR_DSA_BASE].map((id) => key.buf(id));
  if (!p || !q || !g) throw bad('DSA key without its domain parameters');
  return dsaDomain(p, q, g);
}

/**
 * g^e mod p for a secret e of at most `width` bits: a Montgomery ladder, one multiplication and
 * one squaring per bit whatever the bit, the operands picked by index rather than by branch.
 */
function ladder(g: bigint, e: bigint, p: bigint, width: number): bigint {
  const r = [1n, g % p];
  for (let i = width - 1; i >= 0; i--) {
    const b = Number((e >> BigInt(i)) & 1n);
    r[1 - b] = (r[0]! * r[1]!) % p;
    r[b] = (r[b]! * r[b]!) % p;
  }
  return r[0]!;
}

/** a^-1 mod m, or undefined when there is none (a subprime that is not prime). */
function inverse(a: bigint, m: bigint): bigint | undefined {
  try {
    return modInv(a, m);
  } catch {
    return undefined;
  }
}

/** A uniform integer in [1, q - 1]: N random bits, retried while above q - 2, plus one. */
function belowQ(q: bigint, random: (n: number) => Buffer): bigint {
  const n = bits(q);
  const mask = (1n << BigInt(n)) - 1n;
  for (let i = 0; i < MAX_TRIES; i++) {
    const c = toBig(random(Math.ceil(n / 8))) & mask;
    if (c <= q - 2n) return c + 1n;
  }
  throw bad('DSA subprime gives no random value in range');
}

/** The digest as an integer: its leftmost min(N, outlen) bits (FIPS 186-4 4.6). */
function digestValue(d: DsaDomain, digest: Uint8Array): bigint {
  const extra = digest.length * 8 - bits(d.q);
  const z = toBig(digest);
  return extra > 0 ? z >> BigInt(extra) : z;
}

/** Signs a digest with the private value x; r || s, each qBytes long. */
export function dsaSign(d: DsaDomain, x: Uint8Array, digest: Uint8Array, random: (n: number) => Buffer): Buffer {
  const priv = toBig(x);
  if (priv <= 0n || priv >= d.q) throw bad('DSA private value out of range');
  const z = digestValue(d, digest);
  for (let i = 0; i < MAX_TRIES; i++) {
    const k = belowQ(d.q, random);
    const r = ladder(d.g, k, d.p, bits(d.q)) % d.q;
    const kInv = inverse(k, d.q);
    if (r === 0n || kInv === undefined) continue;
    const s = (kInv * ((z + priv * r) % d.q)) % d.q;
    if (s === 0n) continue;
    return Buffer.concat([fromBig(r, qBytes(d)), fromBig(s, qBytes(d))]);
  }
  throw bad('DSA domain parameters give no signature');
}

/**
 * Verifies r || s over a digest with the public value y. Anything malformed (a signature of
 * another length, r or s outside 1..q-1, y outside 2..p-1) is a signature that does not verify.
 */
export function dsaVerify(d: DsaDomain, y: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean {
  const w = qBytes(d);
  if (sig.length !== 2 * w) return false;
  const [r, s, pub] = [toBig(sig.subarray(0, w)), toBig(sig.subarray(w)), toBig(y)];
  if (r <= 0n || r >= d.q || s <= 0n || s >= d.q || pub <= 1n || pub >= d.p) return false;
  const inv = inverse(s, d.q);
  if (inv === undefined) return false;
  const u1 = (digestValue(d, digest) * inv) % d.q;
  const u2 = (r * inv) % d.q;
  return ((modPow(d.g, u1, d.p) * modPow(pub, u2, d.p)) % d.p) % d.q === r;
}

/** A key pair in a domain: x uniform in [1, q - 1] (FIPS 186-4 B.1.2), y = g^x mod p. */
export function dsaGenerate(d: DsaDomain, random: (n: number) => Buffer): { x: Buffer; y: Buffer } {
  const x = belowQ(d.q, random);
  return { x: fromBig(x), y: fromBig(ladder(d.g, x, d.p, bits(d.q))) };
}

/** Size of a GP DSA signature for the key: 2 * the subprime's bytes. */
export function dsaSignatureSize(key: CryptoObject): number {
  return 2 * qBytes(domainOf(key));
}

/** Digest lengths OP-TEE takes: signing exactly min(hash, q) bytes, verifying the hash size or q's. */
function checkDigest(alg: AlgInfo, d: DsaDomain, digest: Uint8Array, verify: boolean): void {
  const hash = HASH_SIZES[alg.hash!];
  const q = qBytes(d);
  const ok = verify ? digest.length === hash || digest.length === q : digest.length === Math.min(hash, q);
  if (!ok) throw bad(`digest of ${digest.length} bytes for ${alg.name} with a ${bits(d.q)}-bit subprime`);
}

/** TEE_AsymmetricSignDigest with a DSA key pair. */
export function dsaSignDigest(alg: AlgInfo, key: CryptoObject, digest: Uint8Array, random: (n: number) => Buffer): Buffer {
  const d = domainOf(key);
  checkDigest(alg, d, digest, false);
  const x = key.buf(TEE_ATTR_DSA_PRIVATE_VALUE);
  if (!x) throw bad('DSA key without a private value');
  return dsaSign(d, x, digest, random);
}

/** TEE_AsymmetricVerifyDigest with a DSA key (pair or public). */
export function dsaVerifyDigest(alg: AlgInfo, key: CryptoObject, digest: Uint8Array, sig: Uint8Array): boolean {
  const d = domainOf(key);
  checkDigest(alg, d, digest, true);
  return dsaVerify(d, key.buf(TEE_ATTR_DSA_PUBLIC_VALUE) ?? Buffer.alloc(0), digest, sig);
}

/**
 * TEE_GenerateKey for a DSA key pair of `size` bits: the domain comes from the generation
 * attributes (prime, subprime and base, all required) and the prime must be `size` bits long.
 */
export function dsaGenerateAttrs(size: number, params: Map<number, AttrValue>, random: (n: number) => Buffer): Map<number, AttrValue> {
  const [p, q, g] = [TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_SUBPRIME, TEE_ATTR_DSA_BASE].map((id) => params.get(id >>> 0));
  if (!Buffer.isBuffer(p) || !Buffer.isBuffer(q) || !Buffer.isBuffer(g)) throw bad('DSA key generation needs the prime, subprime and base');
  const d = dsaDomain(p, q, g);
  if (bits(d.p) !== size) throw bad(`the DSA prime is not ${size} bits`);
  const { x, y } = dsaGenerate(d, random);
  return new Map<number, AttrValue>([
    [TEE_ATTR_DSA_PRIME >>> 0, Buffer.from(p)], [TEE_ATTR_DSA_SUBPRIME >>> 0, Buffer.from(q)], [TEE_ATTR_DSA_BASE >>> 0, Buffer.from(g)],
    [TEE_ATTR_DSA_PRIVATE_VALUE >>> 0, x], [TEE_ATTR_DSA_PUBLIC_VALUE >>> 0, y],
  ]);
}
