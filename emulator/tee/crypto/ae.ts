/**
 * Authenticated encryption for GP's AE operations: AES-GCM on node:crypto's streaming cipher, and
 * AES-CCM (SP 800-38C) computed as it streams from AES blocks (node:crypto's CCM wants the whole
 * message at once), so that updates give out whole blocks as OP-TEE's do.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_STATE, TEE_ERROR_MAC_INVALID } from '../../abi/results.js';
import { aesCipher, aesEncryptBlock, timingSafeEqual, type StreamCipher } from '../../host/crypto.js';
import { append, bad, BLOCK, cbcChain, xor } from './symmetric.js';

/** A running AES-GCM or AES-CCM computation. */
export class AeCalc {
  private stream: StreamCipher | undefined;
  /** AAD and payload seen so far: a copy of the running operation replays them. */
  private aad: Buffer = Buffer.alloc(0);
  private payload: Buffer = Buffer.alloc(0);
  private started = false;
  /** CCM (SP 800-38C), computed as it streams: CBC-MAC state and CTR keystream from A1. */
  private ccm: { mac: Buffer; macPending: Buffer; ctr: StreamCipher; s0: Buffer; held: Buffer; aadSeen: number; payloadSeen: number } | undefined;

  constructor(readonly kind: 'gcm' | 'ccm', readonly encrypt: boolean, private readonly key: Buffer, private readonly nonce: Buffer,
    readonly tagLen: number, private readonly aadLen: number, private readonly payloadLen: number) {
    if (kind === 'gcm') {
      if (![12, 13, 14, 15, 16].includes(tagLen)) throw new TeeError(0xffff000a, `GCM tag of ${tagLen} bytes is not supported`);
      if (nonce.length === 0) throw bad('GCM needs a nonce');
      this.stream = aesCipher('gcm', encrypt, key, nonce, tagLen);
    } else {
      if (![4, 6, 8, 10, 12, 14, 16].includes(tagLen)) throw new TeeError(0xffff000a, `CCM tag of ${tagLen} bytes is not supported`);
      if (nonce.length < 7 || nonce.length > 13) throw bad('CCM nonces are 7 to 13 bytes');
      this.ccm = this.ccmStart();
    }
  }

  /** B0 and the AAD length prefix into the MAC; the counter blocks A0 (for the tag) and A1... */
  private ccmStart(): NonNullable<AeCalc['ccm']> {
    const q = 15 - this.nonce.length;
    if (q < 8 && this.payloadLen >= 2 ** (8 * q)) throw bad(`a ${this.nonce.length}-byte nonce cannot cover ${this.payloadLen} bytes`);
    const b0 = Buffer.alloc(BLOCK);
    b0[0] = (this.aadLen > 0 ? 0x40 : 0) | (((this.tagLen - 2) / 2) << 3) | (q - 1);
    this.nonce.copy(b0, 1);
    for (let i = 0, n = this.payloadLen; i < q; i++, n = Math.floor(n / 256)) b0[15 - i] = n % 256;
    const counter = (i: number): Buffer => {
      const a = Buffer.alloc(BLOCK);
      a[0] = q - 1;
      this.nonce.copy(a, 1);
      for (let k = 0; k < q && k < 4; k++) a[15 - k] = (i >>> (8 * k)) & 0xff; // the counter is the last q bytes
      return a;
    };
    let prefix = Buffer.alloc(0);
    if (this.aadLen > 0) {
      prefix = this.aadLen < 0xff00 ? Buffer.from([this.aadLen >> 8, this.aadLen & 0xff])
        : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0, 0, 0, 0])]);
      if (this.aadLen >= 0xff00) prefix.writeUInt32BE(this.aadLen, 2);
    }
    const state = { mac: Buffer.alloc(BLOCK), macPending: Buffer.alloc(0), ctr: aesCipher('ctr', true, this.key, counter(1)),
      s0: aesEncryptBlock(this.key, counter(0)), held: Buffer.alloc(0), aadSeen: 0, payloadSeen: 0 };
    this.ccm = state;
    this.macAbsorb(Buffer.concat([b0, prefix]));
    return state;
  }

  /** CBC-MAC over more bytes (whole blocks go in, a partial one waits). */
  private macAbsorb(data: Uint8Array, pad = false): void {
    const c = this.ccm!;
    let all = Buffer.concat([c.macPending, data]);
    if (pad && all.length % BLOCK) all = Buffer.concat([all, Buffer.alloc(BLOCK - (all.length % BLOCK))]);
    const n = all.length - (all.length % BLOCK);
    c.mac = cbcChain(this.key, c.mac, all.subarray(0, n));
    c.macPending = Buffer.from(all.subarray(n));
  }

  updateAad(data: Uint8Array): void {
    if (this.started) throw new TeeError(TEE_ERROR_BAD_STATE, 'AAD after payload');
    if (this.stream) this.stream.setAAD(data);
    if (this.ccm) {
      if (this.ccm.aadSeen + data.length > this.aadLen) throw bad(`CCM AAD beyond the ${this.aadLen} bytes announced`);
      this.ccm.aadSeen += data.length;
      this.macAbsorb(data, this.ccm.aadSeen === this.aadLen);
    }
    this.aad = append(this.aad, data);
  }

  /** Output of an update: all of it for GCM; whole blocks for CCM (a partial one waits). */
  updateSize(len: number): number {
    if (this.kind === 'gcm') return len;
    return Math.floor((this.ccm!.held.length + len) / BLOCK) * BLOCK;
  }

  update(data: Uint8Array): Buffer {
    this.started = true;
    this.payload = append(this.payload, data);
    if (this.stream) return this.stream.update(data);
    const c = this.ccm!;
    if (c.aadSeen !== this.aadLen) throw bad(`CCM AAD is ${c.aadSeen} bytes, ${this.aadLen} were announced`);
    if (c.payloadSeen + data.length > this.payloadLen) throw bad(`CCM payload beyond the ${this.payloadLen} bytes announced`);
    c.payloadSeen += data.length;
    c.held = append(c.held, data);
    const n = Math.floor(c.held.length / BLOCK) * BLOCK;
    const out = this.ccmCrypt(c.held.subarray(0, n));
    c.held = Buffer.from(c.held.subarray(n));
    return out;
  }

  /** CTR over payload bytes, the MAC over the plaintext side. */
  private ccmCrypt(input: Uint8Array): Buffer {
    if (input.length === 0) return Buffer.alloc(0);
    const out = this.ccm!.ctr.update(input);
    this.macAbsorb(this.encrypt ? input : out);
    return out;
  }

  finalSize(len: number): number {
    return this.kind === 'gcm' ? len : this.ccm!.held.length + len;
  }

  /**
   * A copy of the running operation (TEE_CopyOperation): a new one that has seen the same AAD
   * and payload, replayed into fresh state.
   */
  clone(): AeCalc {
    const c = new AeCalc(this.kind, this.encrypt, this.key, this.nonce, this.tagLen, this.aadLen, this.payloadLen);
    if (this.aad.length) c.updateAad(this.aad);
    if (this.payload.length) c.update(this.payload);
    c.started = this.started;
    return c;
  }

  /** CCM's end: the rest of the payload, the lengths checked, the tag (MAC xor S0). */
  private ccmFinish(data: Uint8Array): { out: Buffer; tag: Buffer } {
    const c = this.ccm!;
    if (c.aadSeen !== this.aadLen) throw bad(`CCM AAD is ${c.aadSeen} bytes, ${this.aadLen} were announced`);
    if (c.payloadSeen + data.length !== this.payloadLen) throw bad(`CCM payload is ${c.payloadSeen + data.length} bytes, ${this.payloadLen} were announced`);
    c.payloadSeen += data.length;
    const rest = append(c.held, data);
    c.held = Buffer.alloc(0);
    const out = this.ccmCrypt(rest);
    this.macAbsorb(Buffer.alloc(0), true);
    return { out, tag: xor(c.mac, c.s0).subarray(0, this.tagLen) };
  }

  /** Encrypt final: remaining output and the tag. */
  encryptFinal(data: Uint8Array): { out: Buffer; tag: Buffer } {
    if (this.stream) {
      const c = this.stream;
      const out = Buffer.concat([c.update(data), c.final()]);
      return { out, tag: c.getAuthTag() };
    }
    return this.ccmFinish(data);
  }

  /** Decrypt final: remaining plaintext, or MAC_INVALID. */
  decryptFinal(data: Uint8Array, tag: Uint8Array): Buffer {
    if (tag.length !== this.tagLen) throw new TeeError(TEE_ERROR_MAC_INVALID, 'tag length differs from the one given at init');
    if (!this.stream) {
      const { out, tag: want } = this.ccmFinish(data);
      if (!timingSafeEqual(Buffer.from(tag), want)) throw new TeeError(TEE_ERROR_MAC_INVALID, 'the authentication tag does not match');
      return out;
    }
    try {
      const c = this.stream;
      c.setAuthTag(tag);
      return Buffer.concat([c.update(data), c.final()]);
    } catch (error) {
      if (error instanceof TeeError) throw error;
      throw new TeeError(TEE_ERROR_MAC_INVALID, 'the authentication tag does not match');
    }
  }
}
