/**
 * CRYP_OBJ_GENERATE_KEY: fresh keys for every supported object type. Secrets, EC, DSA and curve 25519
 * keys come from the device random source (repeatable under a seed); RSA key generation is
 * OpenSSL's (system randomness).
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_NOT_SUPPORTED } from '../../abi/results.js';
import { CURVES } from './algorithms.js';
import { curveParams } from './ecdsa.js';
import { dsaGenerateAttrs } from './dsa.js';
import { isSm2KeyPair, sm2GenerateAttrs } from './sm2.js';
import { TEE_TYPE_DSA_KEYPAIR } from '../../abi/tee-api.js';
import { ecAttrs, fromBig, modPow, okpAttrs, rsaAttrs, toBig } from './keys.js';
import { validKeySize, withDesParity, type AttrValue, type CryptoObject } from './objects.js';
import { ecPublicFromPrivate, generateRsaJwk, okpFromSeed } from '../../host/crypto.js';
import {
  TEE_ATTR_DH_BASE, TEE_ATTR_DH_PRIME, TEE_ATTR_DH_PRIVATE_VALUE, TEE_ATTR_DH_PUBLIC_VALUE, TEE_ATTR_DH_SUBPRIME, TEE_ATTR_DH_X_BITS,
  TEE_ATTR_ECC_CURVE, TEE_ATTR_RSA_PUBLIC_EXPONENT, TEE_TYPE_DH_KEYPAIR, TEE_TYPE_ECDH_KEYPAIR, TEE_TYPE_ECDSA_KEYPAIR,
  TEE_TYPE_ED25519_KEYPAIR, TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_X25519_KEYPAIR,
} from '../../abi/tee-api.js';

/** Fills `obj` with a new key of `bits` bits; `params` are GP's generation attributes. */
export function generateKey(obj: CryptoObject, bits: number, params: Map<number, AttrValue>,
  random: (n: number) => Buffer): void {
  if (obj.initialized) throw new TeeError(TEE_ERROR_BAD_STATE, 'the object already holds a key');
  if (obj.persistent) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'keys are generated into transient objects');
  // GP 1.0 DES sizes leave out the parity bits: the key has them, its reported size does not.
  const stored = withDesParity(obj.type, bits);
  if (bits > obj.maxSize || !validKeySize(obj.info, stored)) {
    throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `key size ${bits} is not valid for this object`);
  }
  const info = obj.info;
  if (info.secret) {
    if (stored % 8) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'secret keys are whole bytes');
    obj.setAttributes(new Map([[info.attrs[0]!.id >>> 0, random(stored / 8)]]), bits);
    return;
  }
  switch (obj.type) {
    case TEE_TYPE_RSA_KEYPAIR >>> 0: {
      const e = params.get(TEE_ATTR_RSA_PUBLIC_EXPONENT >>> 0);
      let exponent = 65537;
      if (e !== undefined) {
        if (!Buffer.isBuffer(e) || e.length > 4) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'public exponent above 32 bits');
        exponent = Number(toBig(e));
        if (exponent < 3 || exponent % 2 === 0) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'public exponent must be odd and >= 3');
      }
      if (bits % 8) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'RSA key generation needs a whole number of bytes');
      obj.setAttributes(rsaAttrs(generateRsaJwk(bits, exponent)), bits);
      return;
    }
    case TEE_TYPE_ECDSA_KEYPAIR >>> 0:
    case TEE_TYPE_ECDH_KEYPAIR >>> 0: {
      const c = params.get(TEE_ATTR_ECC_CURVE >>> 0);
      const curve = c && !Buffer.isBuffer(c) ? CURVES.get(c.a) : undefined;
      if (!curve) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'TEE_ATTR_ECC_CURVE missing or unknown');
      if (curve.bits !== bits) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'key size differs from the curve size');
      // The private value comes from the device's random source, so seeded runs repeat.
      const n = curveParams(curve).n;
      const d = fromBig((toBig(random(curve.bytes + 8)) % (n - 1n)) + 1n, curve.bytes);
      obj.setAttributes(ecAttrs(curve, { d, ...ecPublicFromPrivate(curve.openssl, d) }), bits);
      return;
    }
    case TEE_TYPE_DH_KEYPAIR >>> 0: {
      const p = params.get(TEE_ATTR_DH_PRIME >>> 0);
      const g = params.get(TEE_ATTR_DH_BASE >>> 0);
      if (!Buffer.isBuffer(p) || !Buffer.isBuffer(g)) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'DH key generation needs the prime and the base');
      const prime = toBig(p);
      if (p.length * 8 < bits || prime.toString(2).length !== bits) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `the prime is not ${bits} bits`);
      const q = params.get(TEE_ATTR_DH_SUBPRIME >>> 0);
      const xBits = params.get(TEE_ATTR_DH_X_BITS >>> 0);
      // The private value from the device's random source: xBits bits with the top one set when
      // asked, else below the subprime when given, else in [1, p - 2].
      let x: bigint;
      if (xBits !== undefined && !Buffer.isBuffer(xBits) && xBits.a > 0) {
        if (xBits.a >= bits) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'TEE_ATTR_DH_X_BITS must be below the prime size');
        x = (toBig(random(Math.ceil(xBits.a / 8) + 8)) % (1n << BigInt(xBits.a - 1))) | (1n << BigInt(xBits.a - 1));
      } else {
        const limit = Buffer.isBuffer(q) && q.length ? toBig(q) - 1n : prime - 2n;
        x = (toBig(random(p.length + 8)) % limit) + 1n;
      }
      const y = modPow(toBig(g), x, prime);
      const attrs = new Map<number, AttrValue>([[TEE_ATTR_DH_PRIME >>> 0, Buffer.from(p)], [TEE_ATTR_DH_BASE >>> 0, Buffer.from(g)],
        [TEE_ATTR_DH_PRIVATE_VALUE >>> 0, fromBig(x)], [TEE_ATTR_DH_PUBLIC_VALUE >>> 0, fromBig(y)]]);
      if (Buffer.isBuffer(q) && q.length) attrs.set(TEE_ATTR_DH_SUBPRIME >>> 0, Buffer.from(q));
      attrs.set(TEE_ATTR_DH_X_BITS >>> 0, { a: x.toString(2).length, b: 0 });
      obj.setAttributes(attrs, bits);
      return;
    }
    case TEE_TYPE_DSA_KEYPAIR >>> 0:
      obj.setAttributes(dsaGenerateAttrs(bits, params, random), bits);
      return;
    case TEE_TYPE_ED25519_KEYPAIR >>> 0:
      obj.setAttributes(okpAttrs('ed25519', okpFromSeed('ed25519', random(32))), 256);
      return;
    case TEE_TYPE_X25519_KEYPAIR >>> 0:
      obj.setAttributes(okpAttrs('x25519', okpFromSeed('x25519', random(32))), 256);
      return;
    default:
      // SM2 key pairs (any of the three schemes): 256 bits, nothing to choose.
      if (isSm2KeyPair(obj.type)) return obj.setAttributes(sm2GenerateAttrs(random), 256);
      throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `cannot generate keys of type 0x${obj.type.toString(16)}`);
  }
}
