/**
 * Operation states (what CRYP_STATE_ALLOC creates): the algorithm, mode and key object
 * handles of a GP operation plus its running computation. The kernel side of GP's state
 * machine lives here: a state is "initialized" between an init syscall and a final one
 * (digests are always ready), updates and finals before init answer BAD_STATE, which the dev
 * kit's library turns into the panic GP asks for. Key usage and the initial/active/extracting
 * handle states of TEE_OperationInfo are tracked by the library, as in OP-TEE.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_NOT_SUPPORTED } from '../../abi/results.js';
import { algorithm, type AlgInfo } from './algorithms.js';
import type { CryptoObject, HandleTable } from './objects.js';
import { DES_BLOCK, Des3CmacCalc, DesCipherCalc, DesMacCalc } from './des.js';
import { AeCalc } from './ae.js';
import { AesMacCalc, CipherCalc, DigestCalc, HmacCalc, XofCalc, type MacLike } from './symmetric.js';
import {
  TEE_OPERATION_AE, TEE_OPERATION_CIPHER, TEE_OPERATION_DIGEST, TEE_OPERATION_MAC, TEE_MODE_ENCRYPT,
  TEE_ATTR_SECRET_VALUE,
} from '../../abi/tee-api.js';

export class OpState {
  initialized = false;
  calc: MacLike | CipherCalc | DesCipherCalc | AeCalc | undefined;

  constructor(readonly alg: AlgInfo, readonly mode: number, readonly key1: number, readonly key2: number) {
    if (alg.cls === TEE_OPERATION_DIGEST) this.resetDigest();
  }

  private resetDigest(): void {
    this.calc = this.alg.xof ? new XofCalc(this.alg.xof) : new DigestCalc(this.alg.hash!);
    this.initialized = true;
  }

  /** The key object behind key 1 (or 2), which must hold a key by now. */
  key(table: HandleTable, which: 1 | 2 = 1): CryptoObject {
    const handle = which === 1 ? this.key1 : this.key2;
    if (!handle || !table.has(handle)) throw new TeeError(TEE_ERROR_BAD_STATE, 'the operation has no key');
    const obj = table.object(handle);
    if (!obj.initialized) throw new TeeError(TEE_ERROR_BAD_STATE, 'the operation key is not set');
    return obj;
  }

  private secret(table: HandleTable, which: 1 | 2 = 1): Buffer {
    const s = this.key(table, which).buf(TEE_ATTR_SECRET_VALUE);
    if (!s) throw new TeeError(TEE_ERROR_BAD_STATE, 'the operation key has no secret value');
    return s;
  }

  /** HASH_INIT: digests restart, MACs take their key. */
  hashInit(table: HandleTable, iv: Buffer): void {
    const a = this.alg;
    if (a.cls === TEE_OPERATION_DIGEST) return this.resetDigest();
    if (a.cls !== TEE_OPERATION_MAC) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${a.name} is not a digest or MAC`);
    const key = this.secret(table);
    if (a.kind === 'hmac') this.calc = new HmacCalc(a.hash!, key);
    else if (a.des && a.kind === 'cmac') this.calc = new Des3CmacCalc(key);
    else if (a.des) this.calc = new DesMacCalc(key, a.pad === true, iv.length === DES_BLOCK ? Buffer.from(iv) : Buffer.alloc(DES_BLOCK));
    else {
      const chain = a.kind === 'cbcmac' && iv.length === 16 ? Buffer.from(iv) : Buffer.alloc(16);
      this.calc = new AesMacCalc(key, a.kind as 'cmac' | 'cbcmac', a.pad === true, chain);
    }
    this.initialized = true;
  }

  mac(): MacLike {
    const c = this.calc;
    if (!this.initialized || !(c instanceof DigestCalc || c instanceof XofCalc || c instanceof HmacCalc || c instanceof AesMacCalc || c instanceof DesMacCalc || c instanceof Des3CmacCalc)) {
      throw new TeeError(TEE_ERROR_BAD_STATE, 'digest/MAC operation not initialized');
    }
    return c;
  }

  /** HASH_FINAL done: MACs need a new init, digests are ready again. */
  hashDone(): void {
    if (this.alg.cls === TEE_OPERATION_MAC) {
      this.initialized = false;
      this.calc = undefined;
    }
  }

  cipherInit(table: HandleTable, iv: Buffer): void {
    const a = this.alg;
    if (a.cls !== TEE_OPERATION_CIPHER) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${a.name} is not a cipher`);
    const key = this.secret(table);
    let key2: Buffer | undefined;
    if (a.twoKeys) {
      key2 = this.secret(table, 2);
      if (key2.length !== key.length) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'XTS keys differ in size');
    }
    if (a.des) {
      if (a.cipher !== 'ecb' && iv.length !== DES_BLOCK) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${a.name} needs an 8-byte IV`);
      this.calc = new DesCipherCalc(a.cipher as 'ecb' | 'cbc', this.mode === TEE_MODE_ENCRYPT, key, a.cipher === 'ecb' ? Buffer.alloc(DES_BLOCK) : iv);
      this.initialized = true;
      return;
    }
    if (a.cipher !== 'ecb' && iv.length !== 16) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${a.name} needs a 16-byte IV`);
    this.calc = new CipherCalc(a.cipher!, this.mode === TEE_MODE_ENCRYPT, key, key2, a.cipher === 'ecb' ? Buffer.alloc(16) : iv, a.sm4 === true);
    this.initialized = true;
  }

  cipher(): CipherCalc | DesCipherCalc {
    if (!this.initialized || !(this.calc instanceof CipherCalc || this.calc instanceof DesCipherCalc)) throw new TeeError(TEE_ERROR_BAD_STATE, 'cipher not initialized');
    return this.calc;
  }

  aeInit(table: HandleTable, nonce: Buffer, tagLen: number, aadLen: number, payloadLen: number): void {
    const a = this.alg;
    if (a.cls !== TEE_OPERATION_AE) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${a.name} is not an AE algorithm`);
    this.calc = new AeCalc(a.kind as 'gcm' | 'ccm', this.mode === TEE_MODE_ENCRYPT, this.secret(table), nonce, tagLen, aadLen, payloadLen);
    this.initialized = true;
  }

  ae(): AeCalc {
    if (!this.initialized || !(this.calc instanceof AeCalc)) throw new TeeError(TEE_ERROR_BAD_STATE, 'AE operation not initialized');
    return this.calc;
  }

  finished(): void {
    this.initialized = false;
    this.calc = undefined;
  }

  /** CRYP_STATE_COPY: same algorithm and mode; the running computation is cloned. */
  copyFrom(src: OpState): void {
    if (src.alg.id !== this.alg.id || src.mode !== this.mode) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'operations differ in algorithm or mode');
    }
    this.calc = src.calc?.clone();
    this.initialized = src.initialized;
  }
}

/** CRYP_STATE_ALLOC checks: supported algorithm, allowed mode, key objects of fitting types. */
export function newState(table: HandleTable, algo: number, mode: number, key1: number, key2: number): OpState {
  const alg = algorithm(algo);
  if (!alg) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `algorithm 0x${(algo >>> 0).toString(16)} is not supported`);
  if (!alg.modes.includes(mode)) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `mode ${mode} is not valid for ${alg.name}`);
  const check = (h: number, need: boolean): void => {
    if (!need) {
      if (h !== 0) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${alg.name} takes no key here`);
      return;
    }
    const obj = table.object(h);
    if (!alg.keyTypes.includes(obj.type)) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `key object type 0x${obj.type.toString(16)} does not fit ${alg.name}`);
    }
  };
  check(key1, alg.keyTypes.length > 0);
  check(key2, alg.twoKeys === true);
  return new OpState(alg, mode, key1, key2);
}
