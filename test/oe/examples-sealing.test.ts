/**
 * examples/oe/data-sealing end to end: three enclaves (a_v1 and a_v2 releases of one product,
 * signed with one key; b of another product and key) on a device that trusts both keys. Which
 * enclave opens which blob; a blob kept in a file opens after the device powers off and boots
 * again from the same state directory, and not on another device (another HUK).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDevice, type Served } from '../../emulator/api/serve.js';
import { lines, make, makeRuntimes, rsaKey, runHost } from './examples-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'trustbox-oe-sealing-'));
const out = join(work, 'out');
const keyA = rsaKey(join(work, 'a.pem'));
const keyB = rsaKey(join(work, 'b.pem'));
const keys = { KEY_enclave_a_v1: keyA, KEY_enclave_a_v2: keyA, KEY_enclave_b: keyB };
const ta = (name: string) => join(out, `${name}.ta`);

/** A served device on `stateDir` that trusts the sample's two signers. */
function boot(stateDir: string): Promise<Served> {
  return serveDevice({ device: { stateDir, watchdogMs: 5000, trust: [keyA, keyB] } });
}

let device: Served | undefined;
const state = join(work, 'device');
beforeAll(async () => {
  makeRuntimes();
  make('data-sealing', 'build', { OUT: out, ...keys });
  device = await boot(state);
}, 240_000);
afterAll(async () => {
  await device?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('examples/oe/data-sealing', () => {
  it('PRODUCT opens in the product\'s releases from the sealer\'s on; UNIQUE only in the sealer; never in b', async () => {
    const r = await runHost(join(out, 'host'), ['demo', ta('enclave_a_v1'), ta('enclave_a_v2'), ta('enclave_b')], state);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'enclave_a_v1: sealed 20 bytes with OE_SEAL_POLICY_PRODUCT into a 68-byte blob',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v1, opened in enclave_a_v1: OE_OK "the product\'s secret"',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v1, opened in enclave_a_v2: OE_OK "the product\'s secret"',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v1, opened in enclave_b: OE_VERIFY_FAILED',
      'enclave_a_v2: sealed 18 bytes with OE_SEAL_POLICY_PRODUCT into a 66-byte blob',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v2, opened in enclave_a_v1: OE_INVALID_ISVSVN',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v2, opened in enclave_a_v2: OE_OK "release 2\'s secret"',
      'host: OE_SEAL_POLICY_PRODUCT sealed by enclave_a_v2, opened in enclave_b: OE_INVALID_ISVSVN',
      'enclave_a_v1: sealed 17 bytes with OE_SEAL_POLICY_UNIQUE into a 65-byte blob',
      'host: OE_SEAL_POLICY_UNIQUE sealed by enclave_a_v1, opened in enclave_a_v1: OE_OK "a_v1\'s own secret"',
      'host: OE_SEAL_POLICY_UNIQUE sealed by enclave_a_v1, opened in enclave_a_v2: OE_VERIFY_FAILED',
      'host: OE_SEAL_POLICY_UNIQUE sealed by enclave_a_v1, opened in enclave_b: OE_VERIFY_FAILED',
      'host: sealing behaved as the policies say',
    ]);
    expect(r.status).toBe(0);
  }, 120_000);

  it('a sealed file opens after a power cycle of the same device, and not on another device', async () => {
    const product = join(work, 'product.blob');
    const unique = join(work, 'unique.blob');
    let r = await runHost(join(out, 'host'), ['seal', 'product', ta('enclave_a_v1'), product, 'kept across the reboot'], state);
    expect(r.stdout).toMatch(/^enclave_a_v1: sealed 22 bytes with OE_SEAL_POLICY_PRODUCT/);
    r = await runHost(join(out, 'host'), ['seal', 'unique', ta('enclave_a_v1'), unique, 'only a_v1, only here'], state);
    expect(r.status).toBe(0);

    await device!.close(); // power off; the state directory stays
    device = await boot(state);
    r = await runHost(join(out, 'host'), ['unseal', ta('enclave_a_v2'), product], state);
    expect(r.stdout).toBe(`host: enclave_a_v2 opened ${product}: "kept across the reboot"\n`);
    r = await runHost(join(out, 'host'), ['unseal', ta('enclave_a_v1'), unique], state);
    expect(r.stdout).toBe(`host: enclave_a_v1 opened ${unique}: "only a_v1, only here"\n`);

    // Another device (its own state directory, so its own fuses and HUK), trusting the same signers
    const otherState = join(work, 'other-device');
    const other = await boot(otherState);
    try {
      for (const [name, blob] of [['enclave_a_v2', product], ['enclave_a_v1', unique]]) {
        r = await runHost(join(out, 'host'), ['unseal', ta(name), blob], otherState);
        expect(r.stdout).toBe(`host: ${name} could not open ${blob}: OE_VERIFY_FAILED\n`);
        expect(r.status).toBe(1);
      }
    } finally {
      await other.close();
    }
    expect(readFileSync(product).subarray(0, 4).toString('latin1')).toBe('TBSL'); // TrustBox's seal blob
  }, 240_000);
});
