/**
 * DES and triple DES for GP's DES_* and DES3_* algorithms (ECB and CBC without padding, CBC-MAC
 * without padding and with PKCS#5 padding), as OP-TEE offers them: 8-byte blocks on
 * node:crypto's DES-EDE3 (host/crypto.ts `desCipher`). The key object holds 8 (DES), 16 or 24
 * (DES3) bytes, parity bits included and not checked.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE } from '../../abi/results.js';
import { desCipher, type StreamCipher } from '../../host/crypto.js';
import type { MacLike } from './symmetric.js';

export const DES_BLOCK = 8;

const bad = (msg: string): TeeError => new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);

/** A running DES/3DES cipher (ECB or CBC, no padding). */
export class DesCipherCalc {
  private stream: StreamCipher;
  /** Input bytes of a block not yet complete. */
  private pending: Buffer = Buffer.alloc(0);
  private chain: Buffer;

  constructor(private readonly mode: 'ecb' | 'cbc', private readonly encrypt: boolean, private readonly key: Buffer, iv: Buffer) {
    this.chain = Buffer.from(iv);
    this.stream = desCipher(mode, encrypt, key, mode === 'ecb' ? null : iv);
  }

  updateSize(len: number): number {
    return Math.floor((this.pending.length + len) / DES_BLOCK) * DES_BLOCK;
  }

  update(data: Uint8Array): Buffer {
    const out = this.stream.update(data);
    const all = Buffer.concat([this.pending, data]);
    const keep = all.length % DES_BLOCK;
    if (this.mode === 'cbc' && all.length - keep >= DES_BLOCK) {
      // The chaining value: the last ciphertext block, output when encrypting, input when decrypting.
      const src = this.encrypt ? out : all.subarray(0, all.length - keep);
      this.chain = Buffer.from(src.subarray(src.length - DES_BLOCK));
    }
    this.pending = Buffer.from(all.subarray(all.length - keep));
    return out;
  }

  finalSize(len: number): number {
    if ((this.pending.length + len) % DES_BLOCK) throw bad('input is not a multiple of the DES block size');
    return this.pending.length + len;
  }

  final(data: Uint8Array): Buffer {
    this.finalSize(data.length);
    return Buffer.concat([this.stream.update(data), this.stream.final()]);
  }

  /** A copy of the running state (TEE_CopyOperation), between whole blocks. */
  clone(): DesCipherCalc {
    if (this.pending.length) throw new TeeError(TEE_ERROR_BAD_STATE, 'cannot copy a DES state holding a partial block');
    return new DesCipherCalc(this.mode, this.encrypt, this.key, this.chain);
  }
}

/** The CBC chaining value after encrypting whole `blocks` from `chain` (CBC-MAC and CMAC). */
function desCbcChain(key: Buffer, chain: Buffer, blocks: Uint8Array): Buffer {
  if (blocks.length === 0) return chain;
  const out = desCipher('cbc', true, key, chain).update(blocks);
  return Buffer.from(out.subarray(out.length - DES_BLOCK));
}

/** DES/3DES CBC-MAC (NOPAD or PKCS#5): the last block of the CBC encryption, zero IV unless given. */
export class DesMacCalc implements MacLike {
  readonly size = DES_BLOCK;
  constructor(private readonly key: Buffer, private readonly pad: boolean,
    private chain: Buffer = Buffer.alloc(DES_BLOCK), private pending: Buffer = Buffer.alloc(0)) {}

  private absorb(blocks: Uint8Array): void {
    this.chain = desCbcChain(this.key, this.chain, blocks);
  }

  update(data: Uint8Array): void {
    const all = Buffer.concat([this.pending, data]);
    // With padding the last block (even a full one) waits for final.
    const keep = this.pad ? (all.length % DES_BLOCK || (all.length ? DES_BLOCK : 0)) : all.length % DES_BLOCK;
    this.absorb(all.subarray(0, all.length - keep));
    this.pending = Buffer.from(all.subarray(all.length - keep));
  }

  final(data: Uint8Array): Buffer {
    this.update(data);
    if (this.pad) {
      const n = DES_BLOCK - (this.pending.length % DES_BLOCK);
      this.absorb(Buffer.concat([this.pending, Buffer.alloc(n, n)]));
    } else if (this.pending.length) {
      throw bad('CBC-MAC without padding needs whole blocks');
    }
    this.pending = Buffer.alloc(0);
    return this.chain;
  }

  clone(): DesMacCalc {
    return new DesMacCalc(this.key, this.pad, Buffer.from(this.chain), Buffer.from(this.pending));
  }
}

/** Doubling in GF(2^64) for CMAC's subkeys (SP 800-38B: Rb = 0x1B for 64-bit blocks). */
function dbl64(b: Buffer): Buffer {
  const out = Buffer.alloc(DES_BLOCK);
  for (let i = 0; i < DES_BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < DES_BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[DES_BLOCK - 1]! ^= 0x1b;
  return out;
}

/** Triple-DES CMAC (NIST SP 800-38B with TDEA; OP-TEE's TEE_ALG_DES3_CMAC). */
export class Des3CmacCalc implements MacLike {
  readonly size = DES_BLOCK;
  constructor(private readonly key: Buffer, private chain: Buffer = Buffer.alloc(DES_BLOCK), private pending: Buffer = Buffer.alloc(0)) {}

  private absorb(blocks: Uint8Array): void {
    this.chain = desCbcChain(this.key, this.chain, blocks);
  }

  update(data: Uint8Array): void {
    const all = Buffer.concat([this.pending, data]);
    // The last block, full or not, waits for final (it is masked with a subkey).
    const keep = all.length % DES_BLOCK || (all.length ? DES_BLOCK : 0);
    this.absorb(all.subarray(0, all.length - keep));
    this.pending = Buffer.from(all.subarray(all.length - keep));
  }

  final(data: Uint8Array): Buffer {
    this.update(data);
    const l = desCipher('ecb', true, this.key, null).update(Buffer.alloc(DES_BLOCK));
    const k1 = dbl64(l);
    const k2 = dbl64(k1);
    const last = this.pending.length === DES_BLOCK
      ? Buffer.from(this.pending)
      : Buffer.concat([this.pending, Buffer.from([0x80]), Buffer.alloc(DES_BLOCK - 1 - this.pending.length)]);
    const k = this.pending.length === DES_BLOCK ? k1 : k2;
    for (let i = 0; i < DES_BLOCK; i++) last[i]! ^= k[i]!;
    this.pending = Buffer.alloc(0);
    this.absorb(last);
    return this.chain;
  }

  clone(): Des3CmacCalc {
    return new Des3CmacCalc(this.key, Buffer.from(this.chain), Buffer.from(this.pending));
  }
}
