/**
 * The OE enclave runtime (oe/enclave): a test enclave linked as OE developers link one, driven
 * through OE's ECALL wire (command 2, the 56-byte args block) from a plain TEE client: ECALL
 * dispatch and its refusals, enclave memory checks, sealing across enclave identities and
 * reboots, evidence made and verified through the oe-keys pseudo-TA, reports.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_TARGET_DEAD, TEE_SUCCESS,
} from '../../emulator/abi/results.js';
import { sha256 } from '../../emulator/host/crypto.js';
import type { ParamSpec } from '../../emulator/cli/params.js';
import { decodeClaims, PTA_OE_KEYS_UUID } from '../../emulator/tee/pta/oe-keys.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

const ROOT = process.cwd();
const A_V1 = '0e5a1c00-0000-4000-8000-00000000a001';
const A_V2 = '0e5a1c00-0000-4000-8000-00000000a002';
const B = '0e5a1c00-0000-4000-8000-00000000b001';
const OE_OK = 0;
const OE_VERIFY_FAILED = 8;
const OE_NOT_FOUND = 9;
const OE_INVALID_ISVSVN = 23;
const UNIQUE = 1;
const PRODUCT = 2;
const ECALL = 2;

let out: string;
let state: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'trustbox-oe-enclave-'));
  state = mkdtempSync(join(tmpdir(), 'trustbox-oe-state-'));
  execFileSync('make', ['-s', '-C', join(ROOT, 'firmware', 'ta-devkit', 'lib')], { stdio: 'pipe' });
  // Private copies of the runtime libraries: test files run in parallel.
  execFileSync('make', ['-s', '-C', join(ROOT, 'oe', 'enclave'), `OUT=${join(out, 'lib')}`], { stdio: 'pipe' });
  execFileSync('make', ['-s', '-C', join(ROOT, 'test', 'fixtures', 'oe', 'enclave'), `O=${out}`, `OE_LIB=${join(out, 'lib')}`], { stdio: 'pipe' });
}, 180_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

interface EcallAnswer { tee: number; result: number; oe?: number; data?: Buffer; written?: number }

/** One ECALL on OE's wire; `oe`/`data` decode the test enclave's answer layout. */
function ecall(dev: TestDevice, session: number, id: number, input: Uint8Array, outSize = 8192): EcallAnswer {
  const args = Buffer.alloc(56);
  args.writeBigUInt64LE(BigInt(id), 0);
  args.writeBigUInt64LE(BigInt(input.length), 16);
  args.writeBigUInt64LE(BigInt(outSize), 32);
  args.writeUInt32LE(0xffffffff, 48);
  const specs: ParamSpec[] = [
    { type: 'none' }, { type: 'memref-inout', data: args },
    input.length ? { type: 'memref-in', data: input } : { type: 'none' }, { type: 'memref-out', size: outSize },
  ];
  const r = dev.client.invoke(session, ECALL, specs);
  const a = r.params[1];
  const o = r.params[3];
  const back = a?.type === 'memref' ? Buffer.from(a.data) : Buffer.alloc(56);
  const answer: EcallAnswer = { tee: r.result, result: back.readUInt32LE(48), written: Number(back.readBigUInt64LE(40)) };
  if (r.result === TEE_SUCCESS && o?.type === 'memref') {
    const buf = Buffer.from(o.data);
    answer.oe = buf.readUInt32LE(0);
    answer.data = buf.subarray(8, 8 + buf.readUInt32LE(4));
  }
  return answer;
}

function open(dev: TestDevice, uuid: string): number {
  const s = dev.client.openSession(uuid);
  expect(s.result).toBe(TEE_SUCCESS);
  return s.session!;
}

/** OE's custom-claims layout, decoded. */
function claimsOf(buf: Buffer): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  let off = 16;
  for (let i = 0n, n = buf.readBigUInt64LE(8); i < n; i++) {
    const ns = Number(buf.readBigUInt64LE(off));
    const vs = Number(buf.readBigUInt64LE(off + 8));
    off += 16;
    m.set(buf.subarray(off, off + ns - 1).toString(), buf.subarray(off + ns, off + ns + vs));
    off += ns + vs;
  }
  return m;
}

const sealInput = (policy: number, text: string, context = false) => Buffer.concat([Buffer.from([policy, context ? 1 : 0]), Buffer.from(text)]);

describe('OE enclave runtime: ECALLs', () => {
  it('dispatches an ECALL, copies the output back and prints to the TEE log without syscall.edl', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const s = open(dev, A_V1);
      const r = ecall(dev, s, 0, Buffer.from('abc'));
      expect(r).toMatchObject({ tee: TEE_SUCCESS, result: OE_OK, oe: OE_OK, written: 11 });
      expect(r.data?.toString()).toBe('cba');
      expect(dev.lines('secure').some((l) => l.includes('echo from the enclave: 3 bytes'))).toBe(true);
    } finally {
      dev.close();
    }
  });

  it('refuses an unknown function id with OE_NOT_FOUND, other commands as OE on OP-TEE, and non-NONE open params', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const s = open(dev, A_V1);
      expect(ecall(dev, s, 99, Buffer.alloc(0))).toMatchObject({ tee: TEE_ERROR_ITEM_NOT_FOUND, result: OE_NOT_FOUND });
      expect(dev.client.invoke(s, 0).result).toBe(TEE_ERROR_BAD_STATE);
      expect(dev.client.invoke(s, 7).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
      expect(dev.client.invoke(s, ECALL, [{ type: 'none' }, { type: 'memref-inout', data: Buffer.alloc(40) }]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
      expect(dev.client.openSession(A_V1, [{ type: 'value-in', a: 1, b: 2 }]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
      // The device keeps serving.
      expect(ecall(dev, s, 0, Buffer.from('x')).oe).toBe(OE_OK);
    } finally {
      dev.close();
    }
  });

  it('passes its self-checks: memory ranges, oe_random, oe_result_str, seal keys, custom claims, constructors, operator new, time', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const r = ecall(dev, open(dev, A_V1), 5, Buffer.from('input'));
      expect(r.oe).toBe(OE_OK);
      const bits = r.data!.readUInt32LE(0);
      expect(bits.toString(2)).toBe('1'.repeat(19));
    } finally {
      dev.close();
    }
  });

  it('oe_abort ends the enclave (TARGET_DEAD) and the device keeps serving', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const s = open(dev, A_V1);
      expect(ecall(dev, s, 7, Buffer.alloc(0)).tee).toBe(TEE_ERROR_TARGET_DEAD);
      expect(ecall(dev, open(dev, A_V1), 0, Buffer.from('ok')).data?.toString()).toBe('ko');
    } finally {
      dev.close();
    }
  });
});

describe('OE enclave runtime: sealing', () => {
  it('UNIQUE: only the same enclave unseals; PRODUCT: newer versions of the product unseal, other products and older versions not', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const v1 = open(dev, A_V1);
      const v2 = open(dev, A_V2);
      const b = open(dev, B);
      const unique = ecall(dev, v1, 1, sealInput(UNIQUE, 'secret u'));
      expect(unique.oe).toBe(OE_OK);
      expect(ecall(dev, v1, 2, unique.data!).data?.toString()).toBe('secret u');
      expect(ecall(dev, v2, 2, unique.data!).oe).toBe(OE_VERIFY_FAILED);
      expect(ecall(dev, b, 2, unique.data!).oe).toBe(OE_VERIFY_FAILED);

      const product = ecall(dev, v1, 1, sealInput(PRODUCT, 'secret p', true));
      expect(product.oe).toBe(OE_OK);
      expect(ecall(dev, v1, 2, product.data!).data?.toString()).toBe('secret p');
      expect(ecall(dev, v2, 2, product.data!).data?.toString()).toBe('secret p');
      expect(ecall(dev, b, 2, product.data!).oe).toBe(OE_VERIFY_FAILED);
      const newer = ecall(dev, v2, 1, sealInput(PRODUCT, 'from v2'));
      expect(ecall(dev, v1, 2, newer.data!).oe).toBe(OE_INVALID_ISVSVN);

      // Tampering with the blob or its header fails authentication.
      const bad = Buffer.from(product.data!);
      bad[bad.length - 1] ^= 1;
      expect(ecall(dev, v1, 2, bad).oe).toBe(OE_VERIFY_FAILED);
      const badHeader = Buffer.from(product.data!);
      badHeader[10] ^= 1;
      expect(ecall(dev, v1, 2, badHeader).oe).toBe(OE_VERIFY_FAILED);
      // Two seals of the same data differ (random IV).
      expect(ecall(dev, v1, 1, sealInput(UNIQUE, 'secret u')).data!.equals(unique.data!)).toBe(false);
    } finally {
      dev.close();
    }
  });

  it('blobs survive a reboot of the same device and are refused on another device', () => {
    let blob: Buffer;
    const first = bootDevice({ taPaths: [out], stateDir: state });
    try {
      blob = ecall(first, open(first, A_V1), 1, sealInput(PRODUCT, 'persist')).data!;
    } finally {
      first.close();
    }
    const again = bootDevice({ taPaths: [out], stateDir: state });
    try {
      expect(ecall(again, open(again, A_V2), 2, blob).data?.toString()).toBe('persist');
    } finally {
      again.close();
    }
    const other = bootDevice({ taPaths: [out] });
    try {
      expect(ecall(other, open(other, A_V1), 2, blob).oe).toBe(OE_VERIFY_FAILED);
    } finally {
      other.close();
    }
  });
});

describe('OE enclave runtime: attestation', () => {
  it('makes PSA-token evidence whose claims verify in an enclave: identity, product, version, custom claims', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const v2 = open(dev, A_V2);
      const ev = ecall(dev, v2, 3, Buffer.from('hello claims'));
      expect(ev.oe).toBe(OE_OK);
      expect(ev.data!.subarray(0, 4).toString()).toBe('TBOE');
      const verified = ecall(dev, open(dev, B), 4, ev.data!);
      expect(verified.oe).toBe(OE_OK);
      const claims = claimsOf(verified.data!);
      expect([...claims.keys()].slice(0, 7)).toEqual(['id_version', 'security_version', 'attributes', 'unique_id', 'signer_id', 'product_id', 'format_uuid']);
      expect(claims.get('security_version')!.readUInt32LE(0)).toBe(2);
      expect(claims.get('product_id')!.readUInt16LE(0)).toBe(1);
      expect(claims.get('attributes')!.readBigUInt64LE(0)).toBe(3n); // DEBUG | REMOTE
      expect(claims.get('format_uuid')!.toString('hex')).toBe('7d0f2c643b1e4a579c865e210ba4d319');
      const file = readFileSync(join(out, `${A_V2}.ta`));
      expect(claims.get('unique_id')!.equals(sha256(file))).toBe(true);
      expect(claims.get('signer_id')!.length).toBe(32);
      expect(claims.get('ueid')!.length).toBe(33);
      const custom = claimsOf(claims.get('custom_claims_buffer')!);
      expect(custom.get('data')?.toString()).toBe('hello claims');
    } finally {
      dev.close();
    }
  });

  it('rejects forged evidence: changed custom claims, a changed token, and evidence from another device', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    const other = bootDevice({ taPaths: [out] });
    try {
      const s = open(dev, A_V1);
      const ev = ecall(dev, s, 3, Buffer.from('genuine')).data!;
      const forgedClaims = Buffer.from(ev);
      forgedClaims[16 + 40] ^= 1; // inside the custom claims
      expect(ecall(dev, s, 4, forgedClaims).oe).toBe(OE_VERIFY_FAILED);
      const forgedToken = Buffer.from(ev);
      forgedToken[forgedToken.length - 5] ^= 1; // inside the signature
      expect(ecall(dev, s, 4, forgedToken).oe).toBe(OE_VERIFY_FAILED);
      const foreign = ecall(other, open(other, A_V1), 3, Buffer.from('genuine')).data!;
      expect(ecall(dev, s, 4, foreign).oe).toBe(OE_VERIFY_FAILED);
      expect(ecall(dev, s, 4, Buffer.from('junk')).oe).not.toBe(OE_OK);
    } finally {
      dev.close();
      other.close();
    }
  });

  it('the oe-keys pseudo-TA verifies evidence for a normal-world client too, and gives keys and evidence only to TAs', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const ev = ecall(dev, open(dev, A_V1), 3, Buffer.from('to the host')).data!;
      const pta = open(dev, PTA_OE_KEYS_UUID);
      const r = dev.client.invoke(pta, 2, [{ type: 'memref-in', data: ev }, { type: 'memref-out', size: 4096 }]);
      expect(r.result).toBe(TEE_SUCCESS);
      const rec = r.params[1];
      const claims = decodeClaims(rec?.type === 'memref' ? rec.data : new Uint8Array(4));
      expect(claims.get('unique_id')!.equals(sha256(readFileSync(join(out, `${A_V1}.ta`))))).toBe(true);
      expect(dev.client.invoke(pta, 0, [{ type: 'value-in', a: 1, b: 0 }, { type: 'none' }, { type: 'memref-out', size: 32 }, { type: 'value-out' }]).result)
        .toBe(TEE_ERROR_ACCESS_DENIED);
      expect(dev.client.invoke(pta, 1, [{ type: 'memref-in', data: Buffer.alloc(32) }, { type: 'memref-out', size: 4096 }]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    } finally {
      dev.close();
    }
  });

  it('oe_get_report / oe_verify_report give the enclave identity and the report data', () => {
    const dev = bootDevice({ taPaths: [out], stateDir: state });
    try {
      const r = ecall(dev, open(dev, B), 6, Buffer.from('report data'));
      expect(r.oe).toBe(OE_OK);
      const d = r.data!;
      expect(d.readUInt32LE(0)).toBe(1);
      expect(d.readBigUInt64LE(4) & 1n).toBe(1n);
      expect(d.subarray(12, 44).equals(sha256(readFileSync(join(out, `${B}.ta`))))).toBe(true);
      expect(d.readUInt16LE(76)).toBe(2);
      expect(d.subarray(92).toString()).toBe('report data');
    } finally {
      dev.close();
    }
  });
});
