/**
 * ECDSA over a digest the TA computed (GP TEE_AsymmetricSignDigest). node:crypto only signs
 * messages it hashes itself, so the signature runs in @noble/curves (an audited pure-JS
 * implementation) with prehashing off; this module adapts it to GP: r||s of fixed width,
 * range errors as TEE errors on sign and as a plain "no" on verify.
 *
 * P-256/P-384/P-521 are the library's own curves. It has no P-192/P-224, which GP still lists,
 * so those two are built from their FIPS 186-4 (D.1.2.1, D.1.2.2) domain parameters with the
 * library's generic short-Weierstrass code; orderCheck(), which the unit tests run for every
 * curve, compares its generator with OpenSSL's, so a mistyped constant cannot go unnoticed.
 * The library is loaded on first use (see curves()).
 */
import { createRequire } from 'node:module';
import type * as Weierstrass from '@noble/curves/abstract/weierstrass.js';
import type * as Nist from '@noble/curves/nist.js';
import type * as Sha2 from '@noble/hashes/sha2.js';
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../abi/results.js';
import type { Curve } from './algorithms.js';
import { toBig } from './keys.js';
import { ecGenerator } from '../../host/crypto.js';

interface Params { p: bigint; n: bigint; gx: bigint; gy: bigint; bytes: number; bits: number }

/** What this module needs of a library curve; both the built-in and the custom ones have it. */
type Impl = Pick<Weierstrass.ECDSA, 'sign' | 'verify' | 'Point'>;

let impls: ReadonlyMap<number, Impl> | undefined;

/**
 * The curves by size, made on first use: loading the library precomputes its tables (about
 * 55 ms), which a device that never signs a digest should not pay when it starts. The
 * library's CommonJS build is loaded synchronously, since syscalls run synchronously.
 */
function curves(): ReadonlyMap<number, Impl> {
  if (impls) return impls;
  const load = createRequire(import.meta.url);
  const { ecdsa, weierstrassN } = load('@noble/curves/abstract/weierstrass.js') as typeof Weierstrass;
  const { p256, p384, p521 } = load('@noble/curves/nist.js') as typeof Nist;
  const { sha256 } = load('@noble/hashes/sha2.js') as typeof Sha2;
  /** NIST prime curves have a = -3; h = 1 (prime order), the same for both. */
  const nistCurve = (c: { p: bigint; n: bigint; b: bigint; Gx: bigint; Gy: bigint }): Impl =>
    // The hash only seeds the RFC 6979 nonce generator (digests arrive prehashed); SHA-256 is
    // strong enough for either curve.
    ecdsa(weierstrassN({ p: c.p, n: c.n, h: 1n, a: c.p - 3n, b: c.b, Gx: c.Gx, Gy: c.Gy }), sha256, { lowS: false });
  impls = new Map([[192, nistCurve(P192)], [224, nistCurve(P224)], [256, p256], [384, p384], [521, p521]]);
  return impls;
}

const P192 = nist(
  (1n << 192n) - (1n << 64n) - 1n,
  0xffffffffffffffffffffffff99def836146bc9b1b4d22831n,
  0x64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1n,
  0x188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012n,
  0x07192b95ffc8da78631011ed6b24cdd573f977a11e794811n,
);
const P224 = nist(
  (1n << 224n) - (1n << 96n) + 1n,
  0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3dn,
  0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4n,
  0xb70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21n,
  0xbd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34n,
);

/** FIPS 186-4 domain parameters of a NIST prime curve the library does not have. */
function nist(p: bigint, n: bigint, b: bigint, Gx: bigint, Gy: bigint): { p: bigint; n: bigint; b: bigint; Gx: bigint; Gy: bigint } {
  return { p, n, b, Gx, Gy };
}

function impl(curve: Curve): Impl {
  const c = curves().get(curve.bits);
  if (!c) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `no ECDSA for a ${curve.bits}-bit curve`);
  return c;
}

/** Domain parameters (field prime, order, generator) of a GP curve, as the library holds them. */
export function curveParams(curve: Curve): Params {
  const { p, n, Gx, Gy } = impl(curve).Point.CURVE();
  return { p, n, gx: Gx, gy: Gy, bytes: curve.bytes, bits: curve.bits };
}

/**
 * Signs a digest; `random(n)` supplies bytes for the nonce. Returns r||s (2 * curve bytes).
 * The digest is truncated to the order's bit length (FIPS 186-4 6.4) by the library. The
 * nonce is RFC 6979's, hedged with bytes from the device's random source (RFC 6979 3.6): a
 * seeded run still repeats, and a weak random source alone cannot leak the private value.
 */
export function ecdsaSign(curve: Curve, d: Uint8Array, digest: Uint8Array, random: (n: number) => Buffer): Buffer {
  const c = impl(curve);
  const priv = toBig(d);
  // Checked here, not left to the library, so that callers see a TEE error, not an Error.
  if (priv <= 0n || priv >= c.Point.Fn.ORDER) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'ECDSA private value out of range');
  // lowS off: GP does not normalise s, and neither did the signatures before this library.
  const sig = c.sign(digest, priv, { prehash: false, lowS: false, extraEntropy: random(curve.bytes) });
  return Buffer.from(sig.toBytes('compact'));
}

/**
 * Verifies r||s over a digest with the public point (x, y). Any malformed input - a signature
 * of the wrong length, r or s outside 1..n-1, a point off the curve - is a signature that does
 * not verify, so the answer is false rather than an exception.
 */
export function ecdsaVerify(curve: Curve, x: Uint8Array, y: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean {
  const c = impl(curve);
  if (sig.length !== 2 * curve.bytes) return false;
  try {
    // From integers, not bytes: attribute buffers may have lost leading zeros, and a
    // coordinate >= p must be refused rather than cut to width.
    const q = c.Point.fromAffine({ x: toBig(x), y: toBig(y) }).toBytes(false);
    // High s accepted (lowS off), as other GP implementations and node:crypto produce it.
    return c.verify(sig, digest, q, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/**
 * Self-check that the library's curve is the provider's: the same generator G, a valid point,
 * and n * G = O. (The library only multiplies by scalars below n, so n * G is (n - 1) * G + G.)
 */
export function orderCheck(curve: Curve): boolean {
  const { Point } = impl(curve);
  const g = ecGenerator(curve.openssl);
  const base = Point.BASE;
  base.assertValidity();
  const { n } = Point.CURVE();
  return base.x === toBig(g.x) && base.y === toBig(g.y) && base.multiplyUnsafe(n - 1n).add(base).is0();
}
