/**
 * PSA attestation tokens (RFC 9783 and the draft profile) built by tee/attestation/psa-token.ts
 * and checked by the client library's verifier (client/attestation.ts): the encoding other
 * verifiers read, both profiles, and each rejection naming its check.
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { Decoder, Encoder, Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import {
  PSA_CLAIM_BOOT_SEED, PSA_CLAIM_BOOT_SEED_DRAFT, PSA_PROFILE_DRAFT, PSA_PROFILE_RFC,
} from '../../emulator/abi/psa-token.js';
import { decodePsaToken, verifyPsaToken } from '../../emulator/client/attestation.js';
import { MeasurementLog, replayLog } from '../../emulator/tee/attestation/measurements.js';
import { TRUSTBOX_IMPLEMENTATION_ID, buildPsaToken, plainCbor } from '../../emulator/tee/attestation/psa-token.js';
import { sha256 } from '../../emulator/host/crypto.js';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as never);

function device() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    instanceId: Buffer.concat([Buffer.from([1]), sha256(spki)]),
    sign: (tbs: Uint8Array) => nodeSign('sha256', tbs, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}

const nonce = Buffer.alloc(32, 0xa5);
const stages = [
  { type: 'BL', description: 'boot ROM', digest: sha256(Buffer.from('rom')) },
  { type: 'App', description: 'TA x', uuid: 'x', digest: sha256(Buffer.from('ta')), signerId: sha256(Buffer.from('key')), version: '1' },
];

function token(d = device(), profile: 'rfc' | 'draft' = 'rfc', n: Uint8Array = nonce) {
  return { d, t: buildPsaToken({ nonce: n, instanceId: d.instanceId, profile, bootSeed: Buffer.alloc(32, 7), components: stages }, d.sign) };
}

describe('PSA token encoding', () => {
  it('is a tagged COSE_Sign1 (18) with protected {1: -7}, an empty unprotected map and a 64-byte signature', () => {
    const { t } = token();
    expect(t.subarray(0, 6).toString('hex')).toBe('d28443a10126');
    const top = decoder.decode(t) as Tag;
    expect(top).toBeInstanceOf(Tag);
    expect(top.tag).toBe(18);
    const [prot, unprot, , sig] = top.value as [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
    expect(Buffer.from(prot).toString('hex')).toBe('a10126');
    expect(unprot).toBeInstanceOf(Map);
    expect(unprot.size).toBe(0);
    expect(sig.length).toBe(64);
  });

  it('carries the RFC 9783 claims with integer keys, the boot seed at 268', () => {
    const { d, t } = token();
    const payload = decoder.decode((decoder.decode(t) as Tag).value[2]) as Map<number, unknown>;
    expect([...payload.keys()].every((k) => typeof k === 'number')).toBe(true);
    expect(payload.get(PSA_CLAIM_BOOT_SEED)).toBeDefined();
    expect(payload.has(PSA_CLAIM_BOOT_SEED_DRAFT)).toBe(false);
    const c = decodePsaToken(t);
    expect(c).toMatchObject({
      profile: PSA_PROFILE_RFC, clientId: 1, lifecycle: 0x3000, implementationId: TRUSTBOX_IMPLEMENTATION_ID.toString('hex'),
      instanceId: d.instanceId.toString('hex'), nonce: nonce.toString('hex'), bootSeed: '07'.repeat(32),
    });
    expect(c.softwareComponents).toEqual([
      { measurementType: 'BL', measurementValue: stages[0]!.digest.toString('hex'), measurementDesc: 'sha-256' },
      { measurementType: 'App', measurementValue: stages[1]!.digest.toString('hex'), signerId: stages[1]!.signerId!.toString('hex'), version: '1', measurementDesc: 'sha-256' },
    ]);
  });

  it('the draft profile names http://arm.com/psa/2.0.0 and puts the boot seed at 2397', async () => {
    const { d, t } = token(undefined, 'draft');
    const payload = decoder.decode((decoder.decode(t) as Tag).value[2]) as Map<number, unknown>;
    expect(payload.get(PSA_CLAIM_BOOT_SEED_DRAFT)).toBeDefined();
    expect(payload.has(PSA_CLAIM_BOOT_SEED)).toBe(false);
    const r = await verifyPsaToken(t, { publicKey: d.pem, nonce });
    expect(r).toMatchObject({ ok: true, claims: { profile: PSA_PROFILE_DRAFT, bootSeed: '07'.repeat(32) } });
  });

  it('verifies a token re-encoded non-canonically (another encoder, string tag order, 32-bit ints)', async () => {
    const { d, t } = token();
    // Re-sign the same claims encoded by a default cbor-x encoder (its own choices): still read.
    const claims = decoder.decode((decoder.decode(t) as Tag).value[2]) as Map<number, unknown>;
    const other = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, useFloat32: 0 } as never);
    const payload = Buffer.concat([Buffer.from([0xbb, 0, 0, 0, 0, 0, 0, 0, claims.size]), ...[...claims].reverse().flatMap(([k, v]) => [
      Buffer.from([0x1a, 0, 0, (k >> 8) & 0xff, k & 0xff]), other.encode(v)])]); // map with an 8-byte length, keys as 32-bit ints
    const prot = plainCbor.encode(new Map([[1, -7]]));
    const tbs = plainCbor.encode(['Signature1', prot, Buffer.alloc(0), payload]);
    const resigned = plainCbor.encode(new Tag([prot, new Map(), payload, d.sign(tbs)], 18));
    expect(await verifyPsaToken(resigned, { publicKey: d.pem, nonce })).toMatchObject({ ok: true });
  });
});

describe('PSA token verification', () => {
  it('accepts a genuine token and rejects a forged signature, a changed payload, another device and a wrong nonce', async () => {
    const { d, t } = token();
    expect(await verifyPsaToken(t, { publicKey: d.pem, nonce })).toMatchObject({ ok: true });
    const forged = Buffer.from(t);
    forged[forged.length - 5]! ^= 1;
    expect(await verifyPsaToken(forged, { publicKey: d.pem, nonce })).toMatchObject({ ok: false, check: 'signature' });
    const changed = Buffer.from(t);
    changed[changed.indexOf(Buffer.from('sha-256')) + 2]! ^= 1; // a byte of the payload
    expect(await verifyPsaToken(changed, { publicKey: d.pem, nonce })).toMatchObject({ ok: false, check: 'signature' });
    expect(await verifyPsaToken(t, { publicKey: device().pem, nonce })).toMatchObject({ ok: false, check: 'signature' });
    expect(await verifyPsaToken(t, { publicKey: d.pem, nonce: Buffer.alloc(32, 1) })).toMatchObject({ ok: false, check: 'nonce' });
  });

  it('rejects a replayed nonce, an instance id that does not name the key, and a short nonce', async () => {
    const { d, t } = token();
    const seen = new Set<string>();
    expect(await verifyPsaToken(t, { publicKey: d.pem, nonce, seenNonces: seen })).toMatchObject({ ok: true });
    expect(await verifyPsaToken(t, { publicKey: d.pem, nonce, seenNonces: seen })).toMatchObject({ ok: false, check: 'replay' });
    const other = device();
    const wrongId = buildPsaToken({ nonce, instanceId: other.instanceId, components: stages }, d.sign);
    expect(await verifyPsaToken(wrongId, { publicKey: d.pem, nonce })).toMatchObject({ ok: false, check: 'instance-id' });
    const short = buildPsaToken({ nonce: Buffer.alloc(16), instanceId: d.instanceId, components: stages }, d.sign);
    expect(await verifyPsaToken(short, { publicKey: d.pem })).toMatchObject({ ok: false, check: 'nonce' });
  });

  it('checks the expected TA and reference values, and rejects what is not a COSE_Sign1', async () => {
    const { d, t } = token();
    const ta = stages[1]!;
    expect(await verifyPsaToken(t, { publicKey: d.pem, expectTa: { measurement: ta.digest.toString('hex'), signerId: ta.signerId!.toString('hex') } }))
      .toMatchObject({ ok: true });
    expect(await verifyPsaToken(t, { publicKey: d.pem, expectTa: { measurement: '00'.repeat(32) } })).toMatchObject({ ok: false, check: 'expected-ta' });
    const rv = stages.map((s) => ({ 'measurement-type': s.type, 'measurement-value': s.digest.toString('hex') }));
    expect(await verifyPsaToken(t, { publicKey: d.pem, referenceValues: rv })).toMatchObject({ ok: true });
    expect(await verifyPsaToken(t, { publicKey: d.pem, referenceValues: rv.slice(0, 1) })).toMatchObject({ ok: false, check: 'reference-values' });
    expect(await verifyPsaToken(Buffer.from('not cbor at all \xff'), { publicKey: d.pem })).toMatchObject({ ok: false });
    expect(await verifyPsaToken(plainCbor.encode(new Tag([1, 2], 17)), { publicKey: d.pem })).toMatchObject({ ok: false, check: 'cose' });
  });

  it('a measurement register replays from its event log; a TA loaded again is logged once', () => {
    const log = new MeasurementLog();
    for (const s of [...stages, stages[1]!]) log.extend(s);
    expect(log.events()).toHaveLength(2);
    expect(log.bootStages()).toHaveLength(1);
    expect(log.register.equals(replayLog(stages))).toBe(true);
  });
});
