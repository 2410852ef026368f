/**
 * ECDSA over a digest the TA computed (GP TEE_AsymmetricSignDigest): node:crypto only signs
 * messages it hashes itself, so the signature equation runs here on BigInt, with GP's r||s
 * fixed-size encoding. Curve generators come from the provider (the public key of d = 1);
 * primes are the NIST closed forms and orders are the published FIPS 186-4 values.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../abi/results.js';
import type { Curve } from './algorithms.js';
import { fromBig, modInv, toBig } from './keys.js';
import { ecGenerator } from '../../host/crypto.js';

interface Params { p: bigint; n: bigint; gx: bigint; gy: bigint; bytes: number; bits: number }

const PRIMES: Record<number, bigint> = {
  192: (1n << 192n) - (1n << 64n) - 1n,
  224: (1n << 224n) - (1n << 96n) + 1n,
  256: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
  384: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
  521: (1n << 521n) - 1n,
};
const ORDERS: Record<number, bigint> = {
  192: 0xffffffffffffffffffffffff99def836146bc9b1b4d22831n,
  224: 0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3dn,
  256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  521: 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

const cache = new Map<number, Params>();

export function curveParams(curve: Curve): Params {
  let c = cache.get(curve.id);
  if (!c) {
    const g = ecGenerator(curve.openssl);
    c = { p: PRIMES[curve.bits]!, n: ORDERS[curve.bits]!, gx: toBig(g.x), gy: toBig(g.y), bytes: curve.bytes, bits: curve.bits };
    cache.set(curve.id, c);
  }
  return c;
}

/** Jacobian point (X, Y, Z); Z = 0 is the point at infinity. */
type J = [bigint, bigint, bigint];

function mod(a: bigint, p: bigint): bigint {
  const r = a % p;
  return r < 0n ? r + p : r;
}

function dbl([x, y, z]: J, p: bigint): J {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const yy = mod(y * y, p);
  const zz = mod(z * z, p);
  const s = mod(4n * x * yy, p);
  const m = mod(3n * (x - zz) * (x + zz), p); // a = -3
  const x3 = mod(m * m - 2n * s, p);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, p), mod(2n * y * z, p)];
}

function add(a: J, b: J, p: bigint): J {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const z1z1 = mod(a[2] * a[2], p);
  const z2z2 = mod(b[2] * b[2], p);
  const u1 = mod(a[0] * z2z2, p);
  const u2 = mod(b[0] * z1z1, p);
  const s1 = mod(a[1] * b[2] * z2z2, p);
  const s2 = mod(b[1] * a[2] * z1z1, p);
  if (u1 === u2) return s1 === s2 ? dbl(a, p) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x3 = mod(r * r - hhh - 2n * v, p);
  return [x3, mod(r * (v - x3) - s1 * hhh, p), mod(a[2] * b[2] * h, p)];
}

function mul(k: bigint, pt: J, p: bigint): J {
  let r: J = [0n, 1n, 0n];
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    r = dbl(r, p);
    if ((k >> i) & 1n) r = add(r, pt, p);
  }
  return r;
}

function affineX(pt: J, p: bigint): bigint | undefined {
  if (pt[2] === 0n) return undefined;
  const zi = modInv(pt[2], p);
  return mod(pt[0] * zi * zi, p);
}

/** The digest as an integer, truncated to the order's bit length (FIPS 186-4 6.4). */
function digestInt(digest: Uint8Array, c: Params): bigint {
  const nbits = c.n.toString(2).length;
  let e = toBig(digest);
  const dbits = digest.length * 8;
  if (dbits > nbits) e >>= BigInt(dbits - nbits);
  return e;
}

/** Signs a digest; `random(n)` supplies bytes for the nonce. Returns r||s (2 * curve bytes). */
export function ecdsaSign(curve: Curve, d: Uint8Array, digest: Uint8Array, random: (n: number) => Buffer): Buffer {
  const c = curveParams(curve);
  const priv = toBig(d);
  if (priv <= 0n || priv >= c.n) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'ECDSA private value out of range');
  const e = digestInt(digest, c);
  for (;;) {
    const k = mod(toBig(random(c.bytes + 8)), c.n - 1n) + 1n;
    const x = affineX(mul(k, [c.gx, c.gy, 1n], c.p), c.p);
    if (x === undefined) continue;
    const r = mod(x, c.n);
    if (r === 0n) continue;
    const s = mod(modInv(k, c.n) * (e + r * priv), c.n);
    if (s === 0n) continue;
    return Buffer.concat([fromBig(r, c.bytes), fromBig(s, c.bytes)]);
  }
}

/** Verifies r||s over a digest with the public point (x, y). */
export function ecdsaVerify(curve: Curve, x: Uint8Array, y: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean {
  const c = curveParams(curve);
  if (sig.length !== 2 * c.bytes) return false;
  const r = toBig(sig.subarray(0, c.bytes));
  const s = toBig(sig.subarray(c.bytes));
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const e = digestInt(digest, c);
  const w = modInv(s, c.n);
  const u1 = mod(e * w, c.n);
  const u2 = mod(r * w, c.n);
  const pt = add(mul(u1, [c.gx, c.gy, 1n], c.p), mul(u2, [toBig(x), toBig(y), 1n], c.p), c.p);
  const vx = affineX(pt, c.p);
  return vx !== undefined && mod(vx, c.n) === r;
}

/** n * G (the point at infinity for the right order): a self-check for the tables above. */
export function orderCheck(curve: Curve): boolean {
  const c = curveParams(curve);
  return mul(c.n, [c.gx, c.gy, 1n], c.p)[2] === 0n;
}
