/**
 * Turns GP key objects into provider key objects (and back, for generated keys): RSA from
 * modulus/exponents (CRT parameters recovered from n, e, d when the TA gave none), EC and
 * curve 25519 keys from their coordinates, through JWK.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../abi/results.js';
import { CURVES, type Curve } from './algorithms.js';
import type { AttrValue, CryptoObject } from './objects.js';
import {
  exportJwk, privateKeyFromJwk, publicKeyFromJwk, type KeyObject,
} from '../../host/crypto.js';
import {
  TEE_ATTR_ECC_CURVE, TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y,
  TEE_ATTR_ED25519_PRIVATE_VALUE, TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_RSA_COEFFICIENT,
  TEE_ATTR_RSA_EXPONENT1, TEE_ATTR_RSA_EXPONENT2, TEE_ATTR_RSA_MODULUS, TEE_ATTR_RSA_PRIME1,
  TEE_ATTR_RSA_PRIME2, TEE_ATTR_RSA_PRIVATE_EXPONENT, TEE_ATTR_RSA_PUBLIC_EXPONENT,
  TEE_ATTR_X25519_PRIVATE_VALUE, TEE_ATTR_X25519_PUBLIC_VALUE,
} from '../../abi/tee-api.js';

export const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
export const fromB64u = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

/** Big-endian bytes <-> bigint. */
export function toBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
}
export function fromBig(v: bigint, len?: number): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const raw = Buffer.from(hex === '00' && len === undefined ? '' : hex, 'hex');
  if (len === undefined) return raw.length === 0 ? Buffer.from([0]) : raw;
  if (raw.length > len) return raw.subarray(raw.length - len);
  return Buffer.concat([Buffer.alloc(len - raw.length), raw]);
}
/** Strips leading zero bytes (JWK integers are minimal). */
function minimal(b: Uint8Array): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return Buffer.from(b.subarray(i));
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

export function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'value has no modular inverse');
  return ((s0 % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Recovers p and q from n, e, d (NIST SP 800-56B appendix C method). */
export function recoverPrimes(n: bigint, e: bigint, d: bigint): [bigint, bigint] {
  const k = d * e - 1n;
  if (k <= 0n || n < 15n) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'inconsistent RSA key');
  let t = k;
  let s = 0;
  while ((t & 1n) === 0n) { t >>= 1n; s++; }
  // Each base succeeds with probability >= 1/2 for a consistent key (16 bases: failure < 2^-16);
  // the bound caps what an inconsistent (hostile) 4096-bit key costs at about 1.5 s.
  for (let g = 2n; g < 18n; g++) {
    let x = modPow(g, t, n);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 0; i < s; i++) {
      const y = (x * x) % n;
      if (y === 1n) {
        const p = gcd(x - 1n, n);
        if (p > 1n && p < n) return [p, n / p];
      }
      if (y === n - 1n) break;
      x = y;
    }
  }
  throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'could not recover RSA primes from n, e, d');
}

function must(obj: CryptoObject, id: number): Buffer {
  const v = obj.buf(id);
  if (!v) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `key attribute 0x${(id >>> 0).toString(16)} missing`);
  return v;
}

function cached<T>(obj: CryptoObject, name: string, make: () => T): T {
  if (!obj.cache.has(name)) {
    try {
      obj.cache.set(name, make());
    } catch (error) {
      if (error instanceof TeeError) throw error;
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `the key is not valid: ${(error as Error).message}`);
    }
  }
  return obj.cache.get(name) as T;
}

/** RSA public key of an RSA object. */
export function rsaPublic(obj: CryptoObject): KeyObject {
  return cached(obj, 'rsa.pub', () => publicKeyFromJwk({ kty: 'RSA', n: b64u(minimal(must(obj, TEE_ATTR_RSA_MODULUS))),
    e: b64u(minimal(must(obj, TEE_ATTR_RSA_PUBLIC_EXPONENT))) }));
}

/** RSA private key of an RSA key pair (CRT values recovered when absent). */
export function rsaPrivate(obj: CryptoObject): KeyObject {
  return cached(obj, 'rsa.priv', () => {
    const n = must(obj, TEE_ATTR_RSA_MODULUS);
    const e = must(obj, TEE_ATTR_RSA_PUBLIC_EXPONENT);
    const d = must(obj, TEE_ATTR_RSA_PRIVATE_EXPONENT);
    let crt = [TEE_ATTR_RSA_PRIME1, TEE_ATTR_RSA_PRIME2, TEE_ATTR_RSA_EXPONENT1, TEE_ATTR_RSA_EXPONENT2,
      TEE_ATTR_RSA_COEFFICIENT].map((id) => obj.buf(id));
    if (crt.some((v) => !v)) {
      const [p, q] = recoverPrimes(toBig(n), toBig(e), toBig(d));
      const dd = toBig(d);
      crt = [p, q, dd % (p - 1n), dd % (q - 1n), modInv(q, p)].map((v) => fromBig(v));
    }
    const [p, q, dp, dq, qi] = crt.map((v) => b64u(minimal(v!)));
    return privateKeyFromJwk({ kty: 'RSA', n: b64u(minimal(n)), e: b64u(minimal(e)), d: b64u(minimal(d)), p, q, dp, dq, qi });
  });
}

/** The curve of an EC object. */
export function curveOf(obj: CryptoObject): Curve {
  const c = obj.value(TEE_ATTR_ECC_CURVE);
  const curve = c ? CURVES.get(c.a) : undefined;
  if (!curve) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'EC key without a known curve');
  return curve;
}

export function okpPublic(crv: 'Ed25519' | 'X25519', x: Uint8Array): KeyObject {
  try {
    return publicKeyFromJwk({ kty: 'OKP', crv, x: b64u(x) });
  } catch {
    throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `not a valid ${crv} public key`);
  }
}

export function ed25519Key(obj: CryptoObject, priv: boolean): KeyObject {
  return cached(obj, priv ? 'ed.priv' : 'ed.pub', () => {
    const x = must(obj, TEE_ATTR_ED25519_PUBLIC_VALUE);
    return priv ? privateKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: b64u(x), d: b64u(must(obj, TEE_ATTR_ED25519_PRIVATE_VALUE)) })
      : okpPublic('Ed25519', x);
  });
}

export function x25519Private(obj: CryptoObject): KeyObject {
  return cached(obj, 'x.priv', () => privateKeyFromJwk({ kty: 'OKP', crv: 'X25519',
    x: b64u(must(obj, TEE_ATTR_X25519_PUBLIC_VALUE)), d: b64u(must(obj, TEE_ATTR_X25519_PRIVATE_VALUE)) }));
}

/** Attribute maps from generated JWKs. */
export function rsaAttrs(jwk: ReturnType<typeof exportJwk>): Map<number, AttrValue> {
  return new Map<number, AttrValue>([
    [TEE_ATTR_RSA_MODULUS, fromB64u(jwk.n)], [TEE_ATTR_RSA_PUBLIC_EXPONENT, fromB64u(jwk.e)],
    [TEE_ATTR_RSA_PRIVATE_EXPONENT, fromB64u(jwk.d)], [TEE_ATTR_RSA_PRIME1, fromB64u(jwk.p)],
    [TEE_ATTR_RSA_PRIME2, fromB64u(jwk.q)], [TEE_ATTR_RSA_EXPONENT1, fromB64u(jwk.dp)],
    [TEE_ATTR_RSA_EXPONENT2, fromB64u(jwk.dq)], [TEE_ATTR_RSA_COEFFICIENT, fromB64u(jwk.qi)],
  ].map(([k, v]) => [(k as number) >>> 0, v as AttrValue]));
}

export function ecAttrs(curve: Curve, key: { d: Buffer; x: Buffer; y: Buffer }): Map<number, AttrValue> {
  return new Map<number, AttrValue>([
    [TEE_ATTR_ECC_PRIVATE_VALUE >>> 0, fromBig(toBig(key.d), curve.bytes)], [TEE_ATTR_ECC_PUBLIC_VALUE_X >>> 0, key.x],
    [TEE_ATTR_ECC_PUBLIC_VALUE_Y >>> 0, key.y], [TEE_ATTR_ECC_CURVE >>> 0, { a: curve.id, b: 0 }],
  ]);
}

/** The uncompressed point 04 || X || Y of EC coordinates, each padded to the curve size. */
export function ecPoint(curve: Curve, x: Uint8Array, y: Uint8Array): Buffer {
  if (x.length > curve.bytes + 1 || y.length > curve.bytes + 1) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'EC coordinate too long');
  return Buffer.concat([Buffer.from([4]), fromBig(toBig(x), curve.bytes), fromBig(toBig(y), curve.bytes)]);
}

/** The private value of an EC key pair, padded to the curve size. */
export function ecPrivateValue(obj: CryptoObject): Buffer {
  return fromBig(toBig(must(obj, TEE_ATTR_ECC_PRIVATE_VALUE)), curveOf(obj).bytes);
}

export function okpAttrs(kind: 'ed25519' | 'x25519', jwk: ReturnType<typeof exportJwk>): Map<number, AttrValue> {
  const [pub, priv] = kind === 'ed25519'
    ? [TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_ED25519_PRIVATE_VALUE]
    : [TEE_ATTR_X25519_PUBLIC_VALUE, TEE_ATTR_X25519_PRIVATE_VALUE];
  return new Map<number, AttrValue>([[pub >>> 0, fromB64u(jwk.x)], [priv >>> 0, fromB64u(jwk.d)]]);
}
