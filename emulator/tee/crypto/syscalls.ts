/**
 * The GP cryptography syscalls (TEE_SCN 15-32, 34-40, 54; 33 lives in basic.ts): every TA
 * pointer goes through the instance's checked address space, every handle through the
 * instance's crypto handle table. Errors are thrown as TeeError (the dispatcher returns their
 * code to the TA); any other exception is turned into TEE_ERROR_GENERIC here so none escapes.
 */
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_GENERIC, TEE_ERROR_ITEM_NOT_FOUND,
  TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_SCN_ASYMM_OPERATE, TEE_SCN_ASYMM_VERIFY, TEE_SCN_AUTHENC_DEC_FINAL, TEE_SCN_AUTHENC_ENC_FINAL, TEE_SCN_AUTHENC_INIT,
  TEE_SCN_AUTHENC_UPDATE_AAD, TEE_SCN_AUTHENC_UPDATE_PAYLOAD, TEE_SCN_CIPHER_FINAL, TEE_SCN_CIPHER_INIT, TEE_SCN_CIPHER_UPDATE,
  TEE_SCN_CRYP_DERIVE_KEY, TEE_SCN_CRYP_OBJ_ALLOC, TEE_SCN_CRYP_OBJ_CLOSE, TEE_SCN_CRYP_OBJ_COPY, TEE_SCN_CRYP_OBJ_GENERATE_KEY,
  TEE_SCN_CRYP_OBJ_GET_ATTR, TEE_SCN_CRYP_OBJ_GET_INFO, TEE_SCN_CRYP_OBJ_POPULATE, TEE_SCN_CRYP_OBJ_RESET,
  TEE_SCN_CRYP_STATE_ALLOC, TEE_SCN_CRYP_STATE_COPY, TEE_SCN_CRYP_STATE_FREE,
  TEE_SCN_HASH_FINAL, TEE_SCN_HASH_INIT, TEE_SCN_HASH_UPDATE,
} from '../syscalls/numbers.js';
import { inline, type SyscallArgs, type SyscallContext, type SyscallEntry } from '../syscalls/table.js';
import { asymOperate, asymOutputSize, asymVerify, derive } from './asymmetric.js';
import { generateKey } from './generate.js';
import { sm2KepDerive } from './sm2.js';
import {
  allocateObject, checkPopulate, copyCompatible, copyInto, handles, readAttributes, type CryptoObject,
} from './objects.js';
import { newState, OpState } from './operations.js';
import { XofCalc } from './symmetric.js';
import {
  TEE_ATTR_FLAG_PUBLIC, TEE_ATTR_SECRET_VALUE, TEE_MEMORY_ACCESS_ANY_OWNER, TEE_MEMORY_ACCESS_WRITE, TEE_MODE_ENCRYPT, TEE_MODE_SIGN, TEE_MODE_VERIFY, TEE_OPERATION_ASYMMETRIC_CIPHER,
  TEE_OPERATION_ASYMMETRIC_SIGNATURE, TEE_OPERATION_KEY_DERIVATION, TEE_TYPE_GENERIC_SECRET,
  TEE_USAGE_EXTRACTABLE,
} from '../../abi/tee-api.js';

const u32 = (v: bigint): number => Number(v & 0xffffffffn);

function bad(msg: string): TeeError {
  return new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);
}

/** A length argument as a number (sizes above what a copy may move are refused by the space). */
function len(v: bigint): number {
  if (v > 0xffffffffn) throw bad('length too large');
  return Number(v);
}

function readBuf(ctx: SyscallContext, ptr: bigint, n: bigint): Buffer {
  const l = len(n);
  return l === 0 ? Buffer.alloc(0) : ctx.instance.space.read(ptr, l);
}

function state(ctx: SyscallContext, h: bigint): OpState {
  return handles(ctx).state<OpState>(h);
}

/**
 * Writes `out` to (dst, *dstLen) with GP's short-buffer rule: if the buffer is too small, the
 * needed size goes back through the u64 length and SHORT_BUFFER is returned.
 */
function checkRoom(ctx: SyscallContext, lenPtr: bigint, need: number): boolean {
  const have = ctx.instance.space.readU64(lenPtr);
  if (have < BigInt(need)) {
    ctx.instance.space.writeU64(lenPtr, need);
    return false;
  }
  return true;
}

function put(ctx: SyscallContext, dst: bigint, lenPtr: bigint, out: Buffer): void {
  if (out.length) ctx.instance.space.write(dst, out);
  ctx.instance.space.writeU64(lenPtr, out.length);
}

/* ---- objects ---- */

function objGetInfo(ctx: SyscallContext, a: SyscallArgs): number {
  ctx.instance.space.write(a[1]!, handles(ctx).object(a[0]!).infoBytes());
  return TEE_SUCCESS;
}

function objGetAttr(ctx: SyscallContext, a: SyscallArgs): number {
  const obj = handles(ctx).object(a[0]!);
  const id = u32(a[1]!);
  if (!obj.initialized) throw bad('the object holds no attributes');
  if (!(id & TEE_ATTR_FLAG_PUBLIC) && !(obj.usage & TEE_USAGE_EXTRACTABLE)) {
    throw new TeeError(TEE_ERROR_ACCESS_DENIED, 'the object is not extractable');
  }
  const v = obj.attrs.get(id);
  if (v === undefined) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `attribute 0x${id.toString(16)} not present`);
  let out: Buffer;
  if (Buffer.isBuffer(v)) out = v;
  else {
    out = Buffer.alloc(8);
    out.writeUInt32LE(v.a >>> 0, 0);
    out.writeUInt32LE(v.b >>> 0, 4);
  }
  if (!checkRoom(ctx, a[3]!, out.length)) return TEE_ERROR_SHORT_BUFFER;
  put(ctx, a[2]!, a[3]!, out);
  return TEE_SUCCESS;
}

function objAlloc(ctx: SyscallContext, a: SyscallArgs): number {
  if (a[1]! > 0xffffffffn) throw bad('object size too large');
  const obj = allocateObject(u32(a[0]!), Number(a[1]!));
  const t = handles(ctx);
  const h = t.addObject(obj);
  try {
    ctx.instance.space.writeU32(a[2]!, h);
  } catch (error) {
    t.remove(h);
    throw error;
  }
  return TEE_SUCCESS;
}

function transient(obj: CryptoObject): CryptoObject {
  if (obj.persistent) throw bad('the object is persistent');
  return obj;
}

function objPopulate(ctx: SyscallContext, a: SyscallArgs): number {
  const obj = transient(handles(ctx).object(a[0]!));
  if (obj.initialized) throw bad('the object is already populated');
  const attrs = readAttributes(ctx, a[1]!, a[2]!);
  obj.setAttributes(attrs, checkPopulate(obj, attrs));
  return TEE_SUCCESS;
}

function objCopy(ctx: SyscallContext, a: SyscallArgs): number {
  const t = handles(ctx);
  const dst = transient(t.object(a[0]!));
  const src = t.object(a[1]!);
  if (dst.initialized) throw bad('the destination object is already populated');
  if (!src.initialized) throw bad('the source object holds no key');
  if (!copyCompatible(dst, src)) throw bad(`cannot copy type 0x${src.type.toString(16)} into 0x${dst.type.toString(16)}`);
  copyInto(dst, src);
  return TEE_SUCCESS;
}

function objGenerate(ctx: SyscallContext, a: SyscallArgs): number {
  const obj = handles(ctx).object(a[0]!);
  if (a[1]! > 0xffffn) throw bad('key size too large');
  generateKey(obj, Number(a[1]!), readAttributes(ctx, a[2]!, a[3]!), (n) => ctx.kernel.random.bytes(n));
  return TEE_SUCCESS;
}

/* ---- operation states ---- */

function stateAlloc(ctx: SyscallContext, a: SyscallArgs): number {
  const t = handles(ctx);
  const s = newState(t, u32(a[0]!), u32(a[1]!), a[2]! > 0xffffffffn ? -1 : u32(a[2]!), a[3]! > 0xffffffffn ? -1 : u32(a[3]!));
  const h = t.add({ kind: 'state', state: s });
  try {
    ctx.instance.space.writeU32(a[4]!, h);
  } catch (error) {
    t.remove(h);
    throw error;
  }
  return TEE_SUCCESS;
}

function stateCopy(ctx: SyscallContext, a: SyscallArgs): number {
  state(ctx, a[0]!).copyFrom(state(ctx, a[1]!));
  return TEE_SUCCESS;
}

function stateFree(ctx: SyscallContext, a: SyscallArgs): number {
  state(ctx, a[0]!);
  handles(ctx).remove(a[0]!);
  return TEE_SUCCESS;
}

/* ---- digest and MAC ---- */

function hashInit(ctx: SyscallContext, a: SyscallArgs): number {
  state(ctx, a[0]!).hashInit(handles(ctx), readBuf(ctx, a[1]!, a[2]!));
  return TEE_SUCCESS;
}

function hashUpdate(ctx: SyscallContext, a: SyscallArgs): number {
  const m = state(ctx, a[0]!).mac();
  m.update(readBuf(ctx, a[1]!, a[2]!));
  return TEE_SUCCESS;
}

function hashFinal(ctx: SyscallContext, a: SyscallArgs): number {
  const s = state(ctx, a[0]!);
  const m = s.mac();
  // SHAKE gives as many bytes as the caller's buffer holds (OP-TEE's XOF digests).
  if (m instanceof XofCalc) {
    const want = ctx.instance.space.readU64(a[4]!);
    // The whole output buffer must be the TA's to write before anything is computed.
    if (ctx.instance.space.check(TEE_MEMORY_ACCESS_WRITE | TEE_MEMORY_ACCESS_ANY_OWNER, a[3]!, want) !== TEE_SUCCESS) {
      throw new TeeError(TEE_ERROR_ACCESS_DENIED, `SHAKE output of ${want} bytes at 0x${a[3]!.toString(16)} is not writable`);
    }
    const out = m.final(readBuf(ctx, a[1]!, a[2]!), Number(want));
    s.hashDone();
    put(ctx, a[3]!, a[4]!, out);
    return TEE_SUCCESS;
  }
  if (!checkRoom(ctx, a[4]!, m.size)) return TEE_ERROR_SHORT_BUFFER;
  const out = m.final(readBuf(ctx, a[1]!, a[2]!));
  s.hashDone();
  put(ctx, a[3]!, a[4]!, out);
  return TEE_SUCCESS;
}

/* ---- ciphers ---- */

function cipherInit(ctx: SyscallContext, a: SyscallArgs): number {
  state(ctx, a[0]!).cipherInit(handles(ctx), readBuf(ctx, a[1]!, a[2]!));
  return TEE_SUCCESS;
}

function cipherUpdate(ctx: SyscallContext, a: SyscallArgs): number {
  const c = state(ctx, a[0]!).cipher();
  const src = readBuf(ctx, a[1]!, a[2]!);
  if (!checkRoom(ctx, a[4]!, c.updateSize(src.length))) return TEE_ERROR_SHORT_BUFFER;
  put(ctx, a[3]!, a[4]!, c.update(src));
  return TEE_SUCCESS;
}

function cipherFinal(ctx: SyscallContext, a: SyscallArgs): number {
  const s = state(ctx, a[0]!);
  const c = s.cipher();
  const src = readBuf(ctx, a[1]!, a[2]!);
  if (!checkRoom(ctx, a[4]!, c.finalSize(src.length))) return TEE_ERROR_SHORT_BUFFER;
  const out = c.final(src);
  s.finished();
  put(ctx, a[3]!, a[4]!, out);
  return TEE_SUCCESS;
}

/* ---- authenticated encryption ---- */

function aeInit(ctx: SyscallContext, a: SyscallArgs): number {
  if (a[3]! > 64n || a[4]! > 0xffffffffn || a[5]! > 0xffffffffn) throw bad('AE lengths out of range');
  state(ctx, a[0]!).aeInit(handles(ctx), readBuf(ctx, a[1]!, a[2]!), Number(a[3]!), Number(a[4]!), Number(a[5]!));
  return TEE_SUCCESS;
}

function aeAad(ctx: SyscallContext, a: SyscallArgs): number {
  state(ctx, a[0]!).ae().updateAad(readBuf(ctx, a[1]!, a[2]!));
  return TEE_SUCCESS;
}

function aeUpdate(ctx: SyscallContext, a: SyscallArgs): number {
  const ae = state(ctx, a[0]!).ae();
  const src = readBuf(ctx, a[1]!, a[2]!);
  if (!checkRoom(ctx, a[4]!, ae.updateSize(src.length))) return TEE_ERROR_SHORT_BUFFER;
  put(ctx, a[3]!, a[4]!, ae.update(src));
  return TEE_SUCCESS;
}

function aeEncFinal(ctx: SyscallContext, a: SyscallArgs): number {
  const s = state(ctx, a[0]!);
  const ae = s.ae();
  const src = readBuf(ctx, a[1]!, a[2]!);
  const outOk = checkRoom(ctx, a[4]!, ae.finalSize(src.length));
  const tagOk = checkRoom(ctx, a[6]!, ae.tagLen);
  if (!outOk || !tagOk) return TEE_ERROR_SHORT_BUFFER;
  const { out, tag } = ae.encryptFinal(src);
  s.finished();
  put(ctx, a[3]!, a[4]!, out);
  put(ctx, a[5]!, a[6]!, tag);
  return TEE_SUCCESS;
}

function aeDecFinal(ctx: SyscallContext, a: SyscallArgs): number {
  const s = state(ctx, a[0]!);
  const ae = s.ae();
  const src = readBuf(ctx, a[1]!, a[2]!);
  if (!checkRoom(ctx, a[4]!, ae.finalSize(src.length))) return TEE_ERROR_SHORT_BUFFER;
  const tag = readBuf(ctx, a[5]!, a[6]!);
  let out: Buffer;
  try {
    out = ae.decryptFinal(src, tag);
  } finally {
    s.finished();
  }
  put(ctx, a[3]!, a[4]!, out);
  return TEE_SUCCESS;
}

/* ---- asymmetric and derivation ---- */

function asymState(ctx: SyscallContext, h: bigint, verify: boolean): OpState {
  const s = state(ctx, h);
  const cls = s.alg.cls;
  if (cls !== TEE_OPERATION_ASYMMETRIC_CIPHER && cls !== TEE_OPERATION_ASYMMETRIC_SIGNATURE) throw bad(`${s.alg.name} is not asymmetric`);
  if ((s.mode === TEE_MODE_VERIFY) !== verify) throw bad('operation mode does not fit this call');
  return s;
}

function asymOp(ctx: SyscallContext, a: SyscallArgs): number {
  const s = asymState(ctx, a[0]!, false);
  const t = handles(ctx);
  const params = readAttributes(ctx, a[1]!, a[2]!);
  const src = readBuf(ctx, a[3]!, a[4]!);
  // A signature's size is known before signing, an RSA ciphertext's (the modulus) before encrypting:
  // a short buffer is answered first, before the message is looked at (OP-TEE: a size query for an
  // OAEP message too long for the key still learns the size).
  const sizedFirst = s.mode === TEE_MODE_SIGN || (s.mode === TEE_MODE_ENCRYPT && (s.alg.kind === 'rsaes' || s.alg.kind === 'oaep'));
  if (sizedFirst && !checkRoom(ctx, a[6]!, asymOutputSize(s.alg, s.key(t)))) return TEE_ERROR_SHORT_BUFFER;
  const out = asymOperate(s.alg, s.mode, s.key(t), params, src, (n) => ctx.kernel.random.bytes(n));
  if (!checkRoom(ctx, a[6]!, out.length)) return TEE_ERROR_SHORT_BUFFER;
  put(ctx, a[5]!, a[6]!, out);
  return TEE_SUCCESS;
}

function asymVer(ctx: SyscallContext, a: SyscallArgs): number {
  const s = asymState(ctx, a[0]!, true);
  const params = readAttributes(ctx, a[1]!, a[2]!);
  asymVerify(s.alg, s.key(handles(ctx)), params, readBuf(ctx, a[3]!, a[4]!), readBuf(ctx, a[5]!, a[6]!));
  return TEE_SUCCESS;
}

function deriveKey(ctx: SyscallContext, a: SyscallArgs): number {
  const t = handles(ctx);
  const s = state(ctx, a[0]!);
  if (s.alg.cls !== TEE_OPERATION_KEY_DERIVATION) throw bad(`${s.alg.name} does not derive keys`);
  const params = readAttributes(ctx, a[1]!, a[2]!);
  const out = transient(t.object(a[3]!));
  if (out.type !== TEE_TYPE_GENERIC_SECRET >>> 0) throw bad('keys are derived into GENERIC_SECRET objects');
  if (out.initialized) throw bad('the derived object is already populated');
  // As OP-TEE: the secret must fit what the type can hold (GENERIC_SECRET: 4096 bits), not the
  // object's maxObjectSize (optee_test's X25519 case allocates 32 *bits* for a 32-byte secret).
  const room = Math.floor(out.info.maxBits / 8);
  // SM2 KEP takes the ephemeral key pair as key 2 and, as OP-TEE, the derived object's
  // maxObjectSize as the number of bytes of K (xtest 4014 allocates it so).
  const secret = s.alg.kind === 'sm2kep'
    ? sm2KepDerive(ctx, a[1]!, a[2]!, s.key(t), s.key(t, 2), params, out.maxSize)
    : derive(s.alg, s.key(t), params, room, Math.floor(out.maxSize / 8));
  if (secret.length > room) throw bad(`derived secret of ${secret.length} bytes does not fit the object`);
  out.setAttributes(new Map([[TEE_ATTR_SECRET_VALUE >>> 0, secret]]), secret.length * 8);
  return TEE_SUCCESS;
}

/** Wraps a handler so that only TeeError (a GP code) leaves it. */
function guarded(name: string, argNames: readonly string[], fn: (ctx: SyscallContext, a: SyscallArgs) => number): SyscallEntry {
  return inline(name, argNames, (ctx, a) => {
    try {
      return fn(ctx, a);
    } catch (error) {
      if (error instanceof TeeError) throw error;
      throw new TeeError(TEE_ERROR_GENERIC, `${name} failed: ${(error as Error).message}`);
    }
  });
}

export const cryptoSyscalls: ReadonlyMap<number, SyscallEntry> = new Map<number, SyscallEntry>([
  [TEE_SCN_CRYP_STATE_ALLOC, guarded('CRYP_STATE_ALLOC', ['algo', 'op_mode', 'key1', 'key2', 'state'], stateAlloc)],
  [TEE_SCN_CRYP_STATE_COPY, guarded('CRYP_STATE_COPY', ['dst', 'src'], stateCopy)],
  [TEE_SCN_CRYP_STATE_FREE, guarded('CRYP_STATE_FREE', ['state'], stateFree)],
  [TEE_SCN_HASH_INIT, guarded('HASH_INIT', ['state', 'iv', 'iv_len'], hashInit)],
  [TEE_SCN_HASH_UPDATE, guarded('HASH_UPDATE', ['state', 'chunk', 'len'], hashUpdate)],
  [TEE_SCN_HASH_FINAL, guarded('HASH_FINAL', ['state', 'chunk', 'len', 'hash', 'hash_len'], hashFinal)],
  [TEE_SCN_CIPHER_INIT, guarded('CIPHER_INIT', ['state', 'iv', 'iv_len'], cipherInit)],
  [TEE_SCN_CIPHER_UPDATE, guarded('CIPHER_UPDATE', ['state', 'src', 'len', 'dst', 'dst_len'], cipherUpdate)],
  [TEE_SCN_CIPHER_FINAL, guarded('CIPHER_FINAL', ['state', 'src', 'len', 'dst', 'dst_len'], cipherFinal)],
  [TEE_SCN_CRYP_OBJ_GET_INFO, guarded('CRYP_OBJ_GET_INFO', ['obj', 'info'], objGetInfo)],
  // CRYP_OBJ_RESTRICT_USAGE (25) is in storage/syscalls.ts: for a persistent object it is written through.
  [TEE_SCN_CRYP_OBJ_GET_ATTR, guarded('CRYP_OBJ_GET_ATTR', ['obj', 'attr_id', 'buf', 'size'], objGetAttr)],
  [TEE_SCN_CRYP_OBJ_ALLOC, guarded('CRYP_OBJ_ALLOC', ['obj_type', 'max_size', 'obj'], objAlloc)],
  [TEE_SCN_CRYP_OBJ_CLOSE, guarded('CRYP_OBJ_CLOSE', ['obj'], (c, a) => {
    handles(c).object(a[0]!);
    handles(c).remove(a[0]!);
    return TEE_SUCCESS;
  })],
  [TEE_SCN_CRYP_OBJ_RESET, guarded('CRYP_OBJ_RESET', ['obj'], (c, a) => {
    transient(handles(c).object(a[0]!)).reset();
    return TEE_SUCCESS;
  })],
  [TEE_SCN_CRYP_OBJ_POPULATE, guarded('CRYP_OBJ_POPULATE', ['obj', 'attrs', 'count'], objPopulate)],
  [TEE_SCN_CRYP_OBJ_COPY, guarded('CRYP_OBJ_COPY', ['dst', 'src'], objCopy)],
  [TEE_SCN_CRYP_DERIVE_KEY, guarded('CRYP_DERIVE_KEY', ['state', 'params', 'count', 'derived'], deriveKey)],
  [TEE_SCN_AUTHENC_INIT, guarded('AUTHENC_INIT', ['state', 'nonce', 'nonce_len', 'tag_len', 'aad_len', 'payload_len'], aeInit)],
  [TEE_SCN_AUTHENC_UPDATE_AAD, guarded('AUTHENC_UPDATE_AAD', ['state', 'aad', 'len'], aeAad)],
  [TEE_SCN_AUTHENC_UPDATE_PAYLOAD, guarded('AUTHENC_UPDATE_PAYLOAD', ['state', 'src', 'len', 'dst', 'dst_len'], aeUpdate)],
  [TEE_SCN_AUTHENC_ENC_FINAL, guarded('AUTHENC_ENC_FINAL',
    ['state', 'src', 'len', 'dst', 'dst_len', 'tag', 'tag_len'], aeEncFinal)],
  [TEE_SCN_AUTHENC_DEC_FINAL, guarded('AUTHENC_DEC_FINAL',
    ['state', 'src', 'len', 'dst', 'dst_len', 'tag', 'tag_len'], aeDecFinal)],
  [TEE_SCN_ASYMM_OPERATE, guarded('ASYMM_OPERATE', ['state', 'params', 'count', 'src', 'src_len', 'dst', 'dst_len'], asymOp)],
  [TEE_SCN_ASYMM_VERIFY, guarded('ASYMM_VERIFY', ['state', 'params', 'count', 'data', 'data_len', 'sig', 'sig_len'], asymVer)],
  [TEE_SCN_CRYP_OBJ_GENERATE_KEY, guarded('CRYP_OBJ_GENERATE_KEY', ['obj', 'key_size', 'params', 'count'], objGenerate)],
]);
