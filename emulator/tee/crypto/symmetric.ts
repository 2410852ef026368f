/**
 * Running symmetric computations: digests, HMAC, AES MACs (CMAC, CBC-MAC), AES cipher modes
 * (ECB, CBC, CTR streamed; CTS and XTS over the whole message at final) and AEAD (GCM streamed,
 * CCM at final, since the provider's CCM takes one payload). Every class can be cloned, which
 * TEE_CopyOperation needs, and computes output sizes before consuming input, so that a
 * SHORT_BUFFER answer leaves the state untouched.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_OUT_OF_MEMORY } from '../../abi/results.js';
import { HASH_BLOCKS, HASH_SIZES } from './algorithms.js';
import { aesCipher, aesEncryptBlock, createHash, createXof, sm4Cipher, xofOutput, type Hash, type HashName, type StreamCipher, type XofName } from '../../host/crypto.js';

/** Largest message buffered inside the core (CTS, XTS, CCM, AAD). */
export const MAX_BUFFERED = 8 << 20;
export const BLOCK = 16;

export function bad(msg: string): TeeError {
  return new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);
}

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function append(buf: Buffer, data: Uint8Array): Buffer {
  if (buf.length + data.length > MAX_BUFFERED) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, 'message too long for this mode');
  return Buffer.concat([buf, data]);
}

/** A digest or MAC computation. */
export interface MacLike {
  readonly size: number;
  update(data: Uint8Array): void;
  final(data: Uint8Array): Buffer;
  clone(): MacLike;
}

export class DigestCalc implements MacLike {
  readonly size: number;
  constructor(private readonly name: HashName, private h: Hash = createHash(name)) {
    this.size = HASH_SIZES[name];
  }
  update(data: Uint8Array): void { this.h.update(data); }
  final(data: Uint8Array): Buffer {
    this.h.update(data);
    const out = this.h.digest();
    this.h = createHash(this.name);
    return out;
  }
  clone(): DigestCalc { return new DigestCalc(this.name, this.h.copy()); }
}

/**
 * SHAKE128/256: `size` 0, the output is as long as the caller asks (`final(data, length)`).
 * As OP-TEE's XOF digests, each final squeezes on from where the last one stopped (so
 * TEE_DigestExtract can take the output in pieces); a hash init starts over.
 */
export class XofCalc implements MacLike {
  readonly size = 0;
  constructor(private readonly name: XofName, private h: Hash = createXof(name), private squeezed = -1) {}
  update(data: Uint8Array): void {
    if (this.squeezed >= 0) throw new TeeError(TEE_ERROR_BAD_STATE, `${this.name}: no input once output was taken`);
    this.h.update(data);
  }
  final(data: Uint8Array, length = 0): Buffer {
    if (this.squeezed < 0) {
      this.h.update(data);
      this.squeezed = 0;
    } else if (data.length) {
      throw new TeeError(TEE_ERROR_BAD_STATE, `${this.name}: no input once output was taken`);
    }
    const out = xofOutput(this.h, this.squeezed + length).subarray(this.squeezed);
    this.squeezed += length;
    return out;
  }
  clone(): XofCalc { return new XofCalc(this.name, this.h.copy(), this.squeezed); }
}

/** HMAC built on copyable hashes (RFC 2104), so that running MACs can be copied. */
export class HmacCalc implements MacLike {
  readonly size: number;
  private readonly opad: Buffer;
  private inner: Hash;
  constructor(private readonly name: HashName, key: Uint8Array, state?: { opad: Buffer; inner: Hash }) {
    this.size = HASH_SIZES[name];
    if (state) {
      this.opad = state.opad;
      this.inner = state.inner;
      return;
    }
    const blockSize = HASH_BLOCKS[name];
    let k = Buffer.from(key);
    if (k.length > blockSize) k = createHash(name).update(k).digest();
    const padded = Buffer.concat([k, Buffer.alloc(blockSize - k.length)]);
    this.opad = padded.map((b) => b ^ 0x5c) as Buffer;
    this.inner = createHash(name).update(padded.map((b) => b ^ 0x36));
  }
  update(data: Uint8Array): void { this.inner.update(data); }
  final(data: Uint8Array): Buffer {
    this.inner.update(data);
    return createHash(this.name).update(this.opad).update(this.inner.digest()).digest();
  }
  clone(): HmacCalc { return new HmacCalc(this.name, Buffer.alloc(0), { opad: this.opad, inner: this.inner.copy() }); }
}

/** CBC chaining over whole blocks, keeping the chaining value (for CBC-MAC and CMAC). */
export function cbcChain(key: Uint8Array, chain: Buffer, blocks: Uint8Array): Buffer {
  if (blocks.length === 0) return chain;
  const c = aesCipher('cbc', true, key, chain);
  const out = c.update(blocks);
  return Buffer.from(out.subarray(out.length - BLOCK));
}

/** AES-CMAC (RFC 4493) and AES-CBC-MAC (NOPAD / PKCS5). */
export class AesMacCalc implements MacLike {
  readonly size = BLOCK;
  constructor(private readonly key: Buffer, private readonly kind: 'cmac' | 'cbcmac', private readonly pad: boolean,
    private chain: Buffer = Buffer.alloc(BLOCK), private pending: Buffer = Buffer.alloc(0)) {}

  update(data: Uint8Array): void {
    const all = Buffer.concat([this.pending, data]);
    // CMAC must keep the last (possibly full) block for the final step; CBC-MAC with padding too.
    const keep = this.kind === 'cmac' || this.pad ? (all.length % BLOCK || (all.length ? BLOCK : 0)) : all.length % BLOCK;
    this.chain = cbcChain(this.key, this.chain, all.subarray(0, all.length - keep));
    this.pending = Buffer.from(all.subarray(all.length - keep));
  }

  final(data: Uint8Array): Buffer {
    this.update(data);
    let last: Buffer;
    if (this.kind === 'cbcmac') {
      if (this.pad) {
        const n = BLOCK - (this.pending.length % BLOCK);
        const padded = Buffer.concat([this.pending, Buffer.alloc(n, n)]);
        return cbcChain(this.key, this.chain, padded);
      }
      if (this.pending.length) throw bad('CBC-MAC without padding needs whole blocks');
      return this.chain;
    }
    const [k1, k2] = cmacSubkeys(this.key);
    if (this.pending.length === BLOCK) last = xor(this.pending, k1);
    else last = xor(Buffer.concat([this.pending, Buffer.from([0x80]), Buffer.alloc(BLOCK - 1 - this.pending.length)]), k2);
    return aesEncryptBlock(this.key, xor(last, this.chain));
  }

  clone(): AesMacCalc {
    return new AesMacCalc(this.key, this.kind, this.pad, Buffer.from(this.chain), Buffer.from(this.pending));
  }
}

/** Doubling in GF(2^128) with the CMAC (big-endian) convention. */
function dblBE(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[BLOCK - 1]! ^= 0x87;
  return out;
}

function cmacSubkeys(key: Uint8Array): [Buffer, Buffer] {
  const k1 = dblBE(aesEncryptBlock(key, Buffer.alloc(BLOCK)));
  return [k1, dblBE(k1)];
}

/** Doubling of an XTS tweak (little-endian convention, IEEE 1619). */
function dblLE(t: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  let carry = 0;
  for (let i = 0; i < BLOCK; i++) {
    out[i] = ((t[i]! << 1) | carry) & 0xff;
    carry = t[i]! >> 7;
  }
  if (carry) out[0]! ^= 0x87;
  return out;
}

function ecb(key: Uint8Array, encrypt: boolean, data: Uint8Array): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const c = aesCipher('ecb', encrypt, key, null);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * XTS-AES over a data unit (IEEE 1619), with ciphertext stealing for a partial tail. `start`:
 * the encrypted tweak to begin with, for a unit whose first blocks went through already
 * (`xtsAdvance` gives it); by default E(key2, tweak).
 */
export function xts(key1: Uint8Array, key2: Uint8Array, tweak: Uint8Array, encrypt: boolean, data: Uint8Array, start?: Buffer): Buffer {
  if (data.length < BLOCK) throw bad('XTS needs at least one block');
  const full = Math.floor(data.length / BLOCK);
  const tail = data.length % BLOCK;
  const tweaks: Buffer[] = [];
  let t = start ?? aesEncryptBlock(key2, tweak);
  for (let i = 0; i < full + 1; i++) { tweaks.push(t); t = dblLE(t); }
  const run = (blocks: Buffer, ts: Buffer[]): Buffer => {
    const masked = Buffer.alloc(blocks.length);
    for (let i = 0; i < ts.length; i++) xor(blocks.subarray(i * BLOCK, i * BLOCK + BLOCK), ts[i]!).copy(masked, i * BLOCK);
    const out = ecb(key1, encrypt, masked);
    for (let i = 0; i < ts.length; i++) xor(out.subarray(i * BLOCK, i * BLOCK + BLOCK), ts[i]!).copy(out, i * BLOCK);
    return out;
  };
  const src = Buffer.from(data);
  if (tail === 0) return run(src, tweaks.slice(0, full));
  const head = full - 1;
  const out = Buffer.alloc(data.length);
  run(src.subarray(0, head * BLOCK), tweaks.slice(0, head)).copy(out);
  const lastFull = src.subarray(head * BLOCK, full * BLOCK);
  const partial = src.subarray(full * BLOCK);
  // Encryption uses tweaks m-1 then m; decryption the other way round.
  const [ta, tb] = encrypt ? [tweaks[head]!, tweaks[head + 1]!] : [tweaks[head + 1]!, tweaks[head]!];
  const cc = run(Buffer.from(lastFull), [ta]);
  const stolen = Buffer.concat([partial, cc.subarray(tail)]);
  run(stolen, [tb]).copy(out, head * BLOCK);
  cc.subarray(0, tail).copy(out, full * BLOCK);
  return out;
}

/** The encrypted tweak `blocks` blocks after `t` (XTS multiplies by alpha per block). */
export function xtsAdvance(t: Buffer, blocks: number): Buffer {
  let x = t;
  for (let i = 0; i < blocks; i++) x = dblLE(x);
  return x;
}

/** AES-CBC-CS3 (ciphertext stealing, RFC 3962 / NIST SP800-38A addendum) over a whole message. */
export function cts(key: Uint8Array, iv: Uint8Array, encrypt: boolean, data: Uint8Array): Buffer {
  if (data.length < BLOCK) throw bad('CTS needs at least one block');
  const cbc = (enc: boolean, d: Uint8Array): Buffer => {
    const c = aesCipher('cbc', enc, key, iv);
    return Buffer.concat([c.update(d), c.final()]);
  };
  if (data.length === BLOCK) return cbc(encrypt, data);
  const n = Math.ceil(data.length / BLOCK);
  const d = data.length - (n - 1) * BLOCK;
  if (encrypt) {
    const padded = Buffer.concat([data, Buffer.alloc(n * BLOCK - data.length)]);
    const c = cbc(true, padded);
    return Buffer.concat([c.subarray(0, (n - 2) * BLOCK), c.subarray((n - 1) * BLOCK), c.subarray((n - 2) * BLOCK, (n - 2) * BLOCK + d)]);
  }
  const src = Buffer.from(data);
  const x = src.subarray((n - 2) * BLOCK, (n - 1) * BLOCK);
  const y = src.subarray((n - 1) * BLOCK);
  const dx = ecb(key, false, x);
  const cPrev = Buffer.concat([y, dx.subarray(d)]);
  const last = xor(dx.subarray(0, d), y);
  const head = cbc(false, Buffer.concat([src.subarray(0, (n - 2) * BLOCK), cPrev]));
  return Buffer.concat([head, last]);
}

/** Adds `n` to a 128-bit big-endian counter block. */
function ctrAdd(iv: Buffer, n: number): Buffer {
  const out = Buffer.from(iv);
  let carry = BigInt(n);
  for (let i = BLOCK - 1; i >= 0 && carry > 0n; i--) {
    const v = BigInt(out[i]!) + (carry & 0xffn);
    out[i] = Number(v & 0xffn);
    carry = (carry >> 8n) + (v >> 8n);
  }
  return out;
}

/** A running AES cipher in one of GP's modes. */
export class CipherCalc {
  private stream: StreamCipher | undefined;
  /** Bytes held back: a partial block (ECB/CBC) or the whole message (CTS/XTS). */
  private held: Buffer = Buffer.alloc(0);
  private pendingLen = 0;
  private processed = 0;
  private chain: Buffer;
  /** XTS: the encrypted tweak of the next block, once blocks went through. */
  private xtsTweak: Buffer | undefined;

  /** `sm4`: SM4 instead of AES (ECB, CBC and CTR only; same 16-byte block). */
  constructor(private readonly mode: 'ecb' | 'cbc' | 'ctr' | 'cts' | 'xts', private readonly encrypt: boolean,
    private readonly key: Buffer, private readonly key2: Buffer | undefined, private readonly iv: Buffer, private readonly sm4 = false) {
    this.chain = Buffer.from(iv);
    if (mode === 'ecb' || mode === 'cbc' || mode === 'ctr') this.stream = this.blockCipher(mode, mode === 'ecb' ? null : iv);
  }

  private blockCipher(mode: 'ecb' | 'cbc' | 'ctr', iv: Buffer | null): StreamCipher {
    return this.sm4 ? sm4Cipher(mode, this.encrypt, this.key, iv) : aesCipher(mode, this.encrypt, this.key, iv);
  }

  /** Output bytes an update of `len` bytes produces. */
  updateSize(len: number): number {
    if (this.mode === 'ctr') return len;
    if (this.mode === 'ecb' || this.mode === 'cbc') return Math.floor((this.pendingLen + len) / BLOCK) * BLOCK;
    if (this.mode === 'cts' || this.mode === 'xts') return Math.floor((this.held.length + len) / BLOCK) * BLOCK;
    return 0;
  }

  update(data: Uint8Array): Buffer {
    if (this.mode === 'cts') {
      // As OP-TEE's core: an update is plain CBC over whole blocks (before the stolen block CTS
      // is CBC) and the chain carries on to final, which steals over what is left. Keeping the
      // last 17-32 bytes for final is the library's job (libutee buffers them in the TA).
      this.held = append(this.held, data);
      const n = Math.floor(this.held.length / BLOCK) * BLOCK;
      if (n === 0) return Buffer.alloc(0);
      const c = aesCipher('cbc', this.encrypt, this.key, this.chain);
      const input = this.held.subarray(0, n);
      const out = Buffer.concat([c.update(input), c.final()]);
      this.chain = Buffer.from((this.encrypt ? out : input).subarray(n - BLOCK, n));
      this.held = Buffer.from(this.held.subarray(n));
      return out;
    }
    if (this.mode === 'xts') {
      // As OP-TEE's core: whole blocks go through at once with the running tweak; final steals
      // over the rest (the library keeps the last 17-32 bytes for it, as for CTS).
      this.held = append(this.held, data);
      const n = Math.floor(this.held.length / BLOCK) * BLOCK;
      if (n === 0) return Buffer.alloc(0);
      this.xtsTweak ??= aesEncryptBlock(this.key2!, this.iv);
      const out = xts(this.key, this.key2!, this.iv, this.encrypt, this.held.subarray(0, n), this.xtsTweak);
      this.xtsTweak = xtsAdvance(this.xtsTweak, n / BLOCK);
      this.held = Buffer.from(this.held.subarray(n));
      return out;
    }
    if (!this.stream) {
      this.held = append(this.held, data);
      return Buffer.alloc(0);
    }
    const out = this.stream.update(data);
    this.track(data, out);
    return out;
  }

  /** Output size of final with `len` more bytes; throws BAD_PARAMETERS when the total is invalid. */
  finalSize(len: number): number {
    switch (this.mode) {
      case 'ctr': return len;
      case 'ecb': case 'cbc':
        if ((this.pendingLen + len) % BLOCK) throw bad('input is not a multiple of the block size');
        return this.pendingLen + len;
      default:
        if (this.held.length + len < BLOCK) throw bad('CTS/XTS need at least one block');
        return this.held.length + len;
    }
  }

  final(data: Uint8Array): Buffer {
    if (this.stream) {
      const out = Buffer.concat([this.stream.update(data), this.stream.final()]);
      this.stream = undefined;
      return out;
    }
    const all = append(this.held, data);
    this.held = Buffer.alloc(0);
    return this.mode === 'cts' ? cts(this.key, this.chain, this.encrypt, all) : xts(this.key, this.key2!, this.iv, this.encrypt, all, this.xtsTweak);
  }

  private track(input: Uint8Array, out: Buffer): void {
    this.processed += input.length;
    this.pendingLen = (this.pendingLen + input.length) % BLOCK;
    if (this.mode === 'cbc' && out.length >= BLOCK) {
      // The chaining value is the last ciphertext block: output when encrypting, input when decrypting.
      const src = this.encrypt ? out : Buffer.from(input);
      const end = this.encrypt ? out.length : input.length - this.pendingLen;
      if (end >= BLOCK) this.chain = Buffer.from(src.subarray(end - BLOCK, end));
    }
  }

  /** A copy of the running state (TEE_CopyOperation). Partial-block input is not carried over for ECB/CBC. */
  clone(): CipherCalc {
    const c = new CipherCalc(this.mode, this.encrypt, this.key, this.key2, this.iv, this.sm4);
    c.held = Buffer.from(this.held);
    if (this.mode === 'cbc') {
      if (this.pendingLen) throw new TeeError(TEE_ERROR_BAD_STATE, 'cannot copy a CBC state holding a partial block');
      c.stream = this.blockCipher('cbc', this.chain);
      c.chain = Buffer.from(this.chain);
    } else if (this.mode === 'ecb' && this.pendingLen) {
      throw new TeeError(TEE_ERROR_BAD_STATE, 'cannot copy an ECB state holding a partial block');
    } else if (this.mode === 'ctr') {
      const blocks = Math.floor(this.processed / BLOCK);
      c.stream = this.blockCipher('ctr', ctrAdd(this.iv, blocks));
      c.stream.update(Buffer.alloc(this.processed % BLOCK));
    }
    c.processed = this.processed;
    c.chain = Buffer.from(this.chain);
    if (this.xtsTweak) c.xtsTweak = Buffer.from(this.xtsTweak);
    c.pendingLen = this.pendingLen;
    return c;
  }
}
