/**
 * The TEE core's seams, observed from outside: a loaded TA instance keeps what attestation
 * will need (the measurement of its signed container and its signer's key id), pseudo-TAs and
 * container kinds come from their registries, and HUK subkeys keep the derivations existing
 * state directories were written with.
 */
import { createHash, createHmac, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHDR_BOOTSTRAP_TA, SHDR_ENCRYPTED_TA, SHDR_TA } from '../../emulator/tee/loader/container.js';
import { hukSubkeys } from '../../emulator/tee/huk.js';
import { PSEUDO_TAS } from '../../emulator/tee/pta/registry.js';
import { PTA_SYSTEM_UUID } from '../../emulator/tee/pta/system.js';
import { CONTAINER_KINDS } from '../../emulator/tee/ta-sources/registry.js';
import { uuidToOctets } from '../../emulator/abi/uuid.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../emulator/device/device.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import { HELLO_WORLD, LOOP_TA, SINGLE_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let dev: TestDevice;
beforeAll(() => {
  dev = bootDevice();
});
afterAll(() => dev?.close());

describe('a TA instance keeps its measurement and signer', () => {
  it('measurement = SHA-256 of the signed container, signerId = SHA-256 of the signing key', () => {
    const open = dev.client.openSession(SINGLE_TA);
    expect(open.result).toBe(0);
    try {
      const instance = dev.device.core.instances().find((i) => i.uuid === SINGLE_TA);
      expect(instance).toBeDefined();
      const file = readFileSync(`images/trustbox-edge/ta/${SINGLE_TA}.ta`);
      expect(instance!.measurement).toBe(sha256(file));
      const spki = createPublicKey(readFileSync('keys/trustbox-dev-ta.pem')).export({ type: 'spki', format: 'der' });
      expect(instance!.signer).toBe('trustbox-dev');
      expect(instance!.signerId).toBe(sha256(spki));
    } finally {
      dev.client.closeSession(open.session!);
    }
  });

  it('the ta-load event names the source the pipeline found it in', () => {
    const s = dev.client.openSession(HELLO_WORLD);
    dev.client.closeSession(s.session!);
    const load = dev.events.find((e) => e.type === 'ta-load' && e.uuid === HELLO_WORLD);
    expect(load).toMatchObject({ source: 'REE TA store (LOAD_TA)', signer: 'trustbox-dev' });
  });
});

describe('registries', () => {
  it('the system PTA is the first pseudo-TA and answers a TA, never the normal world', () => {
    // then OP-TEE's attestation PTA, its Veraison PSA-token PTA, Open Enclave's RPC PTA and our OE keys PTA
    expect(PSEUDO_TAS.map((p) => p.uuid)).toEqual([PTA_SYSTEM_UUID, '39800861-182a-4720-9b67-2bcd622bc0b5', 'a77955f9-eea1-44fd-add5-4a9d962afcf5', 'ad0fd0ae-09e1-464b-98ed-0607ec9ebd8b', '5c0e7f1a-9d3b-4f62-8a41-6e2b0d9c7f35',
      '3b996a7d-2c2b-4a49-a896-e1fb5766d2f4']);
    expect(dev.client.openSession(PTA_SYSTEM_UUID).result).toBe(0xffff0001); // ACCESS_DENIED
  });

  it('a pseudo-TA\'s own errors come with origin TRUSTED_APP, as OP-TEE\'s (libutee panics a calling TA on a TEE-origin error)', () => {
    const s = dev.client.openSession('39800861-182a-4720-9b67-2bcd622bc0b5'); // OP-TEE's attestation PTA
    expect(s.result).toBe(0);
    const r = dev.client.invoke(s.session!, 0); // GET_PUBKEY without its parameters
    expect(r.result).toBe(0xffff0006); // BAD_PARAMETERS
    expect(r.origin).toBe(4); // TEEC_ORIGIN_TRUSTED_APP
    dev.client.closeSession(s.session!);
  });

  it('container kinds cover signed and encrypted TAs, each img_type once', () => {
    const types = CONTAINER_KINDS.flatMap((k) => k.imgTypes);
    expect([...types].sort()).toEqual([SHDR_TA, SHDR_BOOTSTRAP_TA, SHDR_ENCRYPTED_TA].sort());
  });
});

describe('HUK subkeys', () => {
  const huk = Buffer.alloc(32, 7);
  const derive = hukSubkeys(huk);
  const uuid = uuidToOctets(HELLO_WORLD);

  it('keep the derivations existing state directories use', () => {
    const hmac = (...parts: Uint8Array[]): string => parts.reduce((h, p) => h.update(p), createHmac('sha256', huk)).digest('hex');
    expect(derive('storageObject', uuid).toString('hex')).toBe(hmac(Buffer.from('trustbox.storage.object.v1'), Buffer.from([0]), uuid));
    expect(derive('storageIndex', uuid).toString('hex')).toBe(hmac(Buffer.from('trustbox.storage.index.v1'), Buffer.from([0]), uuid));
    expect(derive('storageAnchor').toString('hex')).toBe(hmac(Buffer.from('trustbox.storage.anchor.v1')));
    expect(derive('taUnique', uuid).toString('hex')).toBe(hmac(Buffer.from('trustbox ta unique key'), uuid));
  });

  it('differ by usage and by device, and refuse an unknown usage', () => {
    expect(derive('storageObject', uuid).equals(derive('storageIndex', uuid))).toBe(false);
    expect(hukSubkeys(Buffer.alloc(32, 8))('storageObject', uuid).equals(derive('storageObject', uuid))).toBe(false);
    expect(() => derive('nope' as never)).toThrow(/unknown HUK subkey usage/);
  });
});

describe('the default image', () => {
  it('does not offer the test TA that loops (issue 12, item 2): tests add it as a TA path', () => {
    expect(existsSync(`images/trustbox-edge/ta/${LOOP_TA}.ta`)).toBe(false);
    const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-image-'));
    const device = new Device({ stateDir });
    try {
      device.boot();
      expect(new SpecClient(device).openSession(LOOP_TA).result >>> 0).toBe(0xffff0008); // ITEM_NOT_FOUND
    } finally {
      device.powerOff();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
