/**
 * The attestation sample's TypeScript host, as a relying party outside the device: it asks
 * enclave_a for evidence (through peer_u.ts, generated from peer.edl) and verifies it itself,
 * with nothing but the device's public key, instead of handing it to another enclave:
 *
 *   evidence = "TBOE" u16 version u16 0 u32 custom_size u32 token_size || custom claims || PSA token
 *
 * The PSA token must be signed by the device key, its nonce must be SHA-256 of the custom claims,
 * and its last software component is the enclave (signer id, "oe:product_id=...;..." version).
 * Then it shows that a token with one bit changed is refused.
 *
 *   TRUSTBOX_STATE=DIR node out/host-ts/main.js ENCLAVE_A.ta [DEVICE_PUBLIC_KEY.pem]
 *
 * Without the PEM it asks the device for its identity key; a real verifier has it from the
 * device's enrolment certificate (docs/identity.md), not from the device it is checking.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TeecContext, verifyPsaToken } from 'trustbox-emulator/client';
import { oeResultStr } from 'trustbox-emulator/oe';
import { createPeerEnclave } from './peer_u.js';

function deviceOf(state: string | undefined): { url: string; token: string; admin?: string } {
  if (!state) throw new Error('set TRUSTBOX_STATE to the state directory of a running `trustbox boot --state DIR`');
  const endpoint = JSON.parse(readFileSync(join(state, 'endpoint.json'), 'utf8')) as { url: string; token: string };
  const adminFile = join(state, 'admin.json');
  const admin = existsSync(adminFile) ? (JSON.parse(readFileSync(adminFile, 'utf8')) as { admin: string }).admin : undefined;
  return { url: endpoint.url, token: endpoint.token, ...(admin ? { admin } : {}) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** OE's custom claims layout: u64 version, u64 count, then per claim u64 name size, u64 value size, name, value. */
function customClaims(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 16;
  for (let i = 0n, n = buf.readBigUInt64LE(8); i < n; i++) {
    const ns = Number(buf.readBigUInt64LE(off));
    const vs = Number(buf.readBigUInt64LE(off + 8));
    off += 16;
    out.set(buf.subarray(off, off + ns - 1).toString('utf8'), buf.subarray(off + ns, off + ns + vs));
    off += ns + vs;
  }
  return out;
}

/** Splits TrustBox evidence into its custom claims and its PSA token. */
function split(evidence: Buffer): { custom: Buffer; token: Buffer } {
  if (evidence.length < 16 || evidence.subarray(0, 4).toString('latin1') !== 'TBOE') throw new Error('not TrustBox evidence');
  const customSize = evidence.readUInt32LE(8);
  const tokenSize = evidence.readUInt32LE(12);
  if (16 + customSize + tokenSize !== evidence.length) throw new Error('evidence sizes do not add up');
  return { custom: evidence.subarray(16, 16 + customSize), token: evidence.subarray(16 + customSize) };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length < 1 || argv.length > 2) {
    console.error('usage: main.js ENCLAVE_A.ta [DEVICE_PUBLIC_KEY.pem]');
    return 2;
  }
  const ctx = await TeecContext.initialize({ ...deviceOf(process.env.TRUSTBOX_STATE), client: 'attestation-ts' });
  try {
    const publicKey = argv[1] ? readFileSync(argv[1], 'utf8') : (await ctx.connection.deviceIdentity()).publicKey;
    const enclave = await createPeerEnclave(ctx, argv[0], {});
    const got = await enclave.peer_get_evidence(16384);
    await enclave.terminate();
    if (got.result !== 0 || got.retval !== 0) {
      console.error(`host: peer_get_evidence failed: ${oeResultStr(got.result || got.retval)}`);
      return 1;
    }
    const evidence = Buffer.from(got.evidence.subarray(0, Number(got.evidence_size)));
    const { custom, token } = split(evidence);
    const nonce = createHash('sha256').update(custom).digest();
    const verdict = await verifyPsaToken(token, { publicKey, nonce });
    if (!verdict.ok) {
      console.log(`host: enclave_a's evidence refused (${verdict.check}): ${verdict.reason}`);
      return 1;
    }
    const enclaveComponent = verdict.claims.softwareComponents.at(-1)!;
    const claims = customClaims(custom);
    console.log(`host: evidence verified with the device key: ${evidence.length} bytes, nonce = SHA-256 of the custom claims`);
    console.log(`host: enclave ${enclaveComponent.version} signer ${enclaveComponent.signerId?.slice(0, 16)}...`);
    console.log(`host: custom claims: peer_name=${claims.get('peer_name')?.toString('utf8').replace(/\0$/, '')} public_key=${hex(claims.get('public_key') ?? Buffer.alloc(0)).slice(0, 16)}...`);

    const forged = Buffer.from(token);
    forged[forged.length - 5] ^= 0x01;
    const refused = await verifyPsaToken(forged, { publicKey, nonce });
    console.log(`host: the token with one bit of its signature changed: ${refused.ok ? 'accepted' : `refused (${refused.check})`}`);
    const otherClaims = Buffer.from(custom);
    otherClaims[otherClaims.length - 1] ^= 0x01;
    const swapped = await verifyPsaToken(token, { publicKey, nonce: createHash('sha256').update(otherClaims).digest() });
    console.log(`host: the token with other custom claims: ${swapped.ok ? 'accepted' : `refused (${swapped.check})`}`);
    return !refused.ok && !swapped.ok ? 0 : 1;
  } finally {
    await ctx.finalize();
    ctx.connection.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
  console.error(`host: ${error.message}`);
  process.exitCode = 1;
});
