/**
 * Attestation on a booted device (issue 13 section 3): measured boot, PSA tokens about TAs (the
 * `attest` work of the device), and OP-TEE's two attestation pseudo-TAs called by a TA through
 * raw TA-to-TA syscalls (the sysprobe TA; S = its private scratch buffer).
 */
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_IMPLEMENTED,
  TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../../emulator/abi/results.js';
import { PSA_PROFILE_DRAFT } from '../../emulator/abi/psa-token.js';
import { uuidToTeeUuid } from '../../emulator/abi/uuid.js';
import { decodePsaToken, verifyPsaToken } from '../../emulator/client/attestation.js';
import { attest } from '../../emulator/device/attest.js';
import { sha256 } from '../../emulator/host/crypto.js';
import { taMemoryHash } from '../../emulator/tee/attestation/attester.js';
import { replayLog } from '../../emulator/tee/attestation/measurements.js';
import { parseTaContainer } from '../../emulator/tee/loader/container.js';
import { PTA_ATTESTATION_UUID, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 } from '../../emulator/tee/pta/attestation.js';
import { PTA_VERAISON_ATTESTATION_UUID } from '../../emulator/tee/pta/veraison.js';
import { HELLO_WORLD, RANDOM_TA, SYSPROBE_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const S = (off = 0) => (0x5c5cn << 48n) | BigInt(off);
const SYS_OPEN_TA_SESSION = 5;
const SYS_CLOSE_TA_SESSION = 6;
const SYS_INVOKE_TA_COMMAND = 7;
const SYS_GET_TIME = 13;
const MEMREF_IN = 5;
const MEMREF_OUT = 6;
const VALUE_OUT = 2;
const SCRATCH = 4096;

const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-attest-'));
let dev: TestDevice;
let other: TestDevice;
beforeAll(() => {
  dev = bootDevice({ stateDir });
  other = bootDevice();
});
afterAll(() => {
  dev?.close();
  other?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const nonce = (fill: number, n = 32) => Buffer.alloc(n, fill);
const pem = (d: TestDevice) => d.device.identity().publicKeyPem;

describe('measured boot', () => {
  it('logs boot ROM, monitor, TEE core and normal world in order, then each TA as it loads; the register replays', () => {
    const events = dev.device.core.measurements.events();
    expect(events.slice(0, 4).map((e) => e.type)).toEqual(['BL', 'PRoT', 'PRoT', 'NSPE']);
    const image = join(import.meta.dirname, '../../images/trustbox-edge');
    expect(events[0]!.digest.equals(sha256(readFileSync(join(image, 'manifest.json'))))).toBe(true);
    expect(events[3]!.digest.equals(sha256(readFileSync(join(image, 'normal.bin'))))).toBe(true);
    const s = dev.client.openSession(HELLO_WORLD).session!;
    const instance = dev.device.core.instances().find((i) => i.uuid === HELLO_WORLD)!;
    const ta = dev.device.core.measurements.events().find((e) => e.uuid === HELLO_WORLD)!;
    expect(ta).toMatchObject({ type: 'App' });
    expect(ta.digest.toString('hex')).toBe(instance.measurement);
    expect(ta.signerId!.toString('hex')).toBe(instance.signerId);
    dev.client.closeSession(s);
    expect(dev.device.core.measurements.register.equals(replayLog(dev.device.core.measurements.events()))).toBe(true);
  });
});

describe('the attest work: PSA tokens about a TA', () => {
  it('a token about a TA not loaded carries what loading it would measure, and verifies with the device key', async () => {
    const token = attest(dev.device, { uuid: RANDOM_TA, nonce: nonce(1) });
    const r = await verifyPsaToken(token, { publicKey: pem(dev), nonce: nonce(1) });
    expect(r.ok).toBe(true);
    const claims = decodePsaToken(token);
    expect(claims.instanceId).toBe(dev.device.identity().instanceId.toString('hex'));
    const file = readFileSync(join(import.meta.dirname, `../../images/trustbox-edge/ta/${RANDOM_TA}.ta`));
    expect(claims.softwareComponents.at(-1)).toMatchObject({ measurementType: 'App', measurementValue: sha256(file).toString('hex') });
    expect(claims.softwareComponents.map((c) => c.measurementType).slice(0, 4)).toEqual(['BL', 'PRoT', 'PRoT', 'NSPE']);
  });

  it('the draft profile on request; 48- and 64-byte nonces; an unknown TA is ITEM_NOT_FOUND, a 16-byte nonce BAD_PARAMETERS', async () => {
    const draft = attest(dev.device, { uuid: HELLO_WORLD, nonce: nonce(2, 64), profile: 'draft' });
    expect(await verifyPsaToken(draft, { publicKey: pem(dev), nonce: nonce(2, 64) })).toMatchObject({ ok: true, claims: { profile: PSA_PROFILE_DRAFT } });
    expect(decodePsaToken(attest(dev.device, { uuid: HELLO_WORLD, nonce: nonce(3, 48) })).nonce).toBe(nonce(3, 48).toString('hex'));
    expect(() => attest(dev.device, { uuid: '00000000-0000-0000-0000-000000000001', nonce: nonce(1) }))
      .toThrow(expect.objectContaining({ code: TEE_ERROR_ITEM_NOT_FOUND }) as TeeError);
    expect(() => attest(dev.device, { uuid: HELLO_WORLD, nonce: nonce(1, 16) })).toThrow(expect.objectContaining({ code: TEE_ERROR_BAD_PARAMETERS }) as TeeError);
  });

  it('rejects a forged signature, a wrong nonce, a replayed nonce, another device and a changed TA', async () => {
    const n = nonce(9);
    const token = attest(dev.device, { uuid: HELLO_WORLD, nonce: n });
    const hello = sha256(readFileSync(join(import.meta.dirname, `../../images/trustbox-edge/ta/${HELLO_WORLD}.ta`))).toString('hex');
    const seen = new Set<string>();
    expect(await verifyPsaToken(token, { publicKey: pem(dev), nonce: n, seenNonces: seen, expectTa: { measurement: hello } })).toMatchObject({ ok: true });
    const forged = Buffer.from(token);
    forged[forged.length - 1]! ^= 0x80;
    expect(await verifyPsaToken(forged, { publicKey: pem(dev), nonce: n })).toMatchObject({ ok: false, check: 'signature' });
    expect(await verifyPsaToken(token, { publicKey: pem(dev), nonce: nonce(8) })).toMatchObject({ ok: false, check: 'nonce' });
    expect(await verifyPsaToken(token, { publicKey: pem(dev), nonce: n, seenNonces: seen })).toMatchObject({ ok: false, check: 'replay' });
    expect(await verifyPsaToken(token, { publicKey: pem(other), nonce: n })).toMatchObject({ ok: false, check: 'signature' });
    // Another device's genuine token does not pass as this device's, nor this one's instance id as its.
    const fromOther = attest(other.device, { uuid: HELLO_WORLD, nonce: n });
    expect(await verifyPsaToken(fromOther, { publicKey: pem(dev), nonce: n })).toMatchObject({ ok: false, check: 'signature' });
    // A changed TA: the token about another TA does not measure hello_world; reference values without it fail.
    const random = attest(dev.device, { uuid: RANDOM_TA, nonce: n });
    expect(await verifyPsaToken(random, { publicKey: pem(dev), nonce: n, expectTa: { measurement: hello } })).toMatchObject({ ok: false, check: 'expected-ta' });
    const rv = decodePsaToken(token).softwareComponents.map((c) => ({ 'measurement-type': c.measurementType!, 'measurement-value': c.measurementValue }));
    expect(await verifyPsaToken(token, { publicKey: pem(dev), nonce: n, referenceValues: rv })).toMatchObject({ ok: true });
    expect(await verifyPsaToken(random, { publicKey: pem(dev), nonce: n, referenceValues: rv })).toMatchObject({ ok: false, check: 'reference-values' });
  });
});

/** A sysprobe session: raw syscalls, and its scratch buffer's address (found by a marker). */
class Prober {
  readonly session: number;
  readonly scratchVa: number;

  constructor(readonly d: TestDevice) {
    this.session = d.client.openSession(SYSPROBE_TA).session!;
    const marker = Buffer.from('attestation test scratch marker!');
    const scratch = Buffer.alloc(SCRATCH);
    marker.copy(scratch, 0);
    this.raw(SYS_GET_TIME, [0, S(4000)], scratch); // a harmless call: fills the scratch buffer
    const instance = d.device.core.instances().find((i) => i.uuid === SYSPROBE_TA)!;
    const region = instance.space.list().find((r) => r.prot === 'rw' && Buffer.from(r.bytes.subarray(0, r.size)).includes(marker))!;
    this.scratchVa = region.va + Buffer.from(region.bytes.subarray(0, region.size)).indexOf(marker);
  }

  raw(num: number, args: (bigint | number)[], scratch: Uint8Array = Buffer.alloc(SCRATCH)) {
    const block = Buffer.alloc(72);
    for (let i = 0; i < 8; i++) block.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[i] ?? 0)), 8 * i);
    block.writeBigUInt64LE(BigInt(num), 64);
    const r = this.d.client.invoke(this.session, 0, [{ type: 'memref-in', data: block }, { type: 'memref-inout', data: scratch }, { type: 'value-out' }]);
    expect(r.result).toBe(TEE_SUCCESS);
    const out = r.params[1]!;
    const value = r.params[2]!;
    return { result: value.type === 'value' ? value.a >>> 0 : -1, scratch: Buffer.from(out.type === 'memref' ? out.data : []) };
  }

  openPta(uuid: string): number {
    const scratch = Buffer.alloc(SCRATCH);
    uuidToTeeUuid(uuid).copy(scratch, 0);
    const o = this.raw(SYS_OPEN_TA_SESSION, [S(0), 0, 0, S(200), S(204)], scratch);
    expect(o.result).toBe(TEE_SUCCESS);
    return o.scratch.readUInt32LE(200);
  }

  /**
   * Invokes `cmd` of a PTA session with up to four params: memrefs as {type, data or size} placed
   * in the scratch buffer from offset 1024, values out. Answers the result, the output bytes and sizes.
   */
  invoke(pta: number, cmd: number, params: ({ type: number; data?: Uint8Array; size?: number } | undefined)[]) {
    const scratch = Buffer.alloc(SCRATCH);
    let types = 0n;
    let at = 1024;
    const places: { off: number; size: number }[] = [];
    params.forEach((p, i) => {
      if (!p) return;
      types |= BigInt(p.type) << BigInt(4 * i);
      if (p.type === MEMREF_IN || p.type === MEMREF_OUT) {
        const size = p.data?.length ?? p.size ?? 0;
        if (p.data) Buffer.from(p.data).copy(scratch, at);
        scratch.writeBigUInt64LE(BigInt(this.scratchVa + at), 40 + 16 * i);
        scratch.writeBigUInt64LE(BigInt(size), 48 + 16 * i);
        places[i] = { off: at, size };
        at += Math.max(size, 16);
      }
    });
    scratch.writeBigUInt64LE(types, 32);
    const r = this.raw(SYS_INVOKE_TA_COMMAND, [pta, 0, cmd, S(32), S(300)], scratch);
    const outSize = (i: number) => Number(r.scratch.readBigUInt64LE(48 + 16 * i));
    const out = (i: number) => r.scratch.subarray(places[i]!.off, places[i]!.off + Math.min(outSize(i), places[i]!.size));
    return { result: r.result, out, outSize, value: (i: number) => r.scratch.readBigUInt64LE(40 + 16 * i) };
  }
}

describe('OP-TEE\'s Veraison attestation PTA (GET_CBOR_EVIDENCE)', () => {
  it('answers the calling TA a draft-profile token with the real instance id, its signer id and its memory hash', async () => {
    const p = new Prober(dev);
    const pta = p.openPta(PTA_VERAISON_ATTESTATION_UUID);
    const implId = Buffer.from('acme-implementation-id-000000001');
    const r = p.invoke(pta, 0, [{ type: MEMREF_IN, data: nonce(5) }, { type: MEMREF_OUT, size: 2048 }, { type: MEMREF_IN, data: implId }]);
    expect(r.result).toBe(TEE_SUCCESS);
    const token = Buffer.from(r.out(1));
    const v = await verifyPsaToken(token, { publicKey: pem(dev), nonce: nonce(5) });
    expect(v).toMatchObject({ ok: true, claims: { profile: PSA_PROFILE_DRAFT, implementationId: implId.toString('hex') } });
    const instance = dev.device.core.instances().find((i) => i.uuid === SYSPROBE_TA)!;
    const ta = decodePsaToken(token).softwareComponents.at(-1)!;
    expect(ta.measurementValue).toBe(taMemoryHash(instance.space).toString('hex'));
    expect(ta.signerId).toBe(instance.signerId);

    const short = p.invoke(pta, 0, [{ type: MEMREF_IN, data: nonce(5) }, { type: MEMREF_OUT, size: 64 }, { type: MEMREF_IN, data: implId }]);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(short.outSize(1)).toBe(token.length);
    expect(p.invoke(pta, 0, [{ type: MEMREF_IN, data: Buffer.alloc(0) }, { type: MEMREF_OUT, size: 2048 }, { type: MEMREF_IN, data: implId }]).result)
      .toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(p.invoke(pta, 0, [{ type: MEMREF_IN, data: nonce(5) }, { type: MEMREF_OUT, size: 2048 }]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(p.invoke(pta, 1, [{ type: MEMREF_IN, data: nonce(5) }]).result).toBe(TEE_ERROR_NOT_IMPLEMENTED);
    dev.client.closeSession(p.session);
  });

  it('refuses a normal-world client: ACCESS_DENIED', () => {
    const s = dev.client.openSession(PTA_VERAISON_ATTESTATION_UUID);
    expect(s.result).toBe(TEE_SUCCESS);
    const r = dev.client.invoke(s.session!, 0, [{ type: 'memref-in', data: nonce(1) }, { type: 'memref-out', size: 1024 }, { type: 'memref-in', data: nonce(2) }]);
    expect(r.result).toBe(TEE_ERROR_ACCESS_DENIED);
    dev.client.closeSession(s.session!);
  });
});

describe('OP-TEE\'s attestation PTA (xtest 1037\'s commands)', () => {
  let p: Prober;
  let pta: number;
  let publicKey: ReturnType<typeof createPublicKey>;
  const pssVerify = (n: Uint8Array, out: Uint8Array) => nodeVerify('sha256', Buffer.concat([n, out.subarray(0, 32)]),
    { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, out.subarray(32));

  beforeAll(() => {
    p = new Prober(dev);
    pta = p.openPta(PTA_ATTESTATION_UUID);
  });
  afterAll(() => dev.client.closeSession(p.session));

  it('GET_PUBKEY: e, n (3072 bits) and the PSS algorithm; a short buffer gets the sizes', () => {
    const short = p.invoke(pta, 0, [{ type: MEMREF_OUT, size: 3 }, { type: MEMREF_OUT, size: 16 }, { type: VALUE_OUT }]);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(short.outSize(1)).toBe(384);
    const r = p.invoke(pta, 0, [{ type: MEMREF_OUT, size: 8 }, { type: MEMREF_OUT, size: 512 }, { type: VALUE_OUT }]);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(Buffer.from(r.out(0)).toString('hex')).toBe('010001');
    expect(r.out(1).length).toBe(384);
    expect(Number(r.value(2) & 0xffffffffn)).toBe(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256);
    publicKey = createPublicKey({ key: { kty: 'RSA', e: Buffer.from(r.out(0)).toString('base64url'), n: Buffer.from(r.out(1)).toString('base64url') }, format: 'jwk' });
  });

  it('HASH_TA_MEMORY: the caller\'s read-only memory hash, signed over nonce || H, stable across calls', () => {
    const n = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const a = p.invoke(pta, 2, [{ type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 416 }]);
    expect(a.result).toBe(TEE_SUCCESS);
    const out = Buffer.from(a.out(1));
    expect(out.length).toBe(416);
    const instance = dev.device.core.instances().find((i) => i.uuid === SYSPROBE_TA)!;
    expect(out.subarray(0, 32).equals(taMemoryHash(instance.space))).toBe(true);
    expect(pssVerify(n, out)).toBe(true);
    expect(Buffer.from(p.invoke(pta, 2, [{ type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 416 }]).out(1)).subarray(0, 32).equals(out.subarray(0, 32))).toBe(true);
    const short = p.invoke(pta, 2, [{ type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 100 }]);
    expect([short.result, short.outSize(1)]).toEqual([TEE_ERROR_SHORT_BUFFER, 416]);
    expect(p.invoke(pta, 2, [{ type: MEMREF_IN, data: Buffer.alloc(0) }, { type: MEMREF_OUT, size: 416 }]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('GET_TA_SHDR_DIGEST: the signed header\'s digest of a TA file; HASH_TEE_MEMORY: the TEE core\'s measurement; unknown cmd: SUCCESS', () => {
    const n = Buffer.from('a09876543210', 'hex');
    const r = p.invoke(pta, 1, [{ type: MEMREF_IN, data: uuidToTeeUuid(HELLO_WORLD) }, { type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 416 }]);
    expect(r.result).toBe(TEE_SUCCESS);
    const file = readFileSync(join(import.meta.dirname, `../../images/trustbox-edge/ta/${HELLO_WORLD}.ta`));
    expect(Buffer.from(r.out(2)).subarray(0, 32).equals(Buffer.from(parseTaContainer(file).hash))).toBe(true);
    expect(pssVerify(n, Buffer.from(r.out(2)))).toBe(true);
    const missing = p.invoke(pta, 1, [{ type: MEMREF_IN, data: uuidToTeeUuid('00000000-0000-0000-0000-000000000009') }, { type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 416 }]);
    expect(missing.result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    const tee = p.invoke(pta, 3, [{ type: MEMREF_IN, data: n }, { type: MEMREF_OUT, size: 416 }]);
    expect(tee.result).toBe(TEE_SUCCESS);
    const core = dev.device.core.measurements.events().find((e) => e.description === 'TEE core')!;
    expect(Buffer.from(tee.out(1)).subarray(0, 32).equals(core.digest)).toBe(true);
    expect(p.invoke(pta, 99, []).result).toBe(TEE_SUCCESS);
  });

  it('keeps its RSA key sealed in hardware/: the same key after a reboot, a file no other device opens', () => {
    const sealed = readFileSync(join(stateDir, 'hardware', 'attestation-rsa.sealed'), 'utf8');
    expect(sealed).not.toMatch(/PRIVATE KEY/);
    dev.close();
    dev = bootDevice({ stateDir });
    p = new Prober(dev);
    pta = p.openPta(PTA_ATTESTATION_UUID);
    const r = p.invoke(pta, 0, [{ type: MEMREF_OUT, size: 8 }, { type: MEMREF_OUT, size: 512 }, { type: VALUE_OUT }]);
    expect(Buffer.from(r.out(1)).toString('base64url')).toBe(publicKey.export({ format: 'jwk' }).n);
  });
});
