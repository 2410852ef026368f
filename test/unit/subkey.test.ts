/**
 * Subkey chains (img_type SHDR_SUBKEY, xtest 1039): UUID namespaces against the values OP-TEE's
 * own subkey1 TA was built with, chains of named and identity links signed here, and every way a
 * hostile chain is refused (SECURITY); then a TA signed through a chain loading on a device, and
 * refused when it is outside the namespace, signed past the chain, or its subkey rolled back.
 */
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_SECURITY, TEE_SUCCESS } from '../../emulator/abi/results.js';
import { parseTaContainer, signTa, type TrustedKey } from '../../emulator/tee/loader/container.js';
import { namespaceUuid, openSubkeyChain, signSubkey, subkeyName } from '../../emulator/tee/loader/subkey.js';
import { HELLO_WORLD, bootDevice, type TestDevice } from '../helpers/device.js';

const ROOT_PEM = join(import.meta.dirname, '../../keys/trustbox-dev-ta.pem');
const root = createPrivateKey(readFileSync(ROOT_PEM));
const trusted: TrustedKey[] = [{ name: 'trustbox-dev', key: root, development: true }];
const rsa = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const top = rsa();
const mid = rsa();

const code = (error: unknown) => (error instanceof TeeError ? error.code : error);
function refused(f: () => unknown): number | unknown {
  try {
    f();
  } catch (error) {
    return code(error);
  }
  return 'accepted';
}

/** top (named, name_size 32) -> mid (named, name_size 32) -> `taUuid` = namespace(mid, 'ta'). */
function twoLevels(opts: { midDepth?: number; midUuid?: string } = {}) {
  const topUuid = 'f04fa996-148a-453c-b037-1dcfbad120a6';
  const topLink = signSubkey({ subkey: top, uuid: topUuid, signWith: root, maxDepth: 4, nameSize: 32, version: 1 });
  const midUuid = opts.midUuid ?? namespaceUuid(topUuid, subkeyName('mid', 32));
  const chain = Buffer.concat([topLink, subkeyName('mid', 32)]);
  const midLink = signSubkey({ subkey: mid, uuid: midUuid, signWith: top, chain, maxDepth: opts.midDepth ?? 3, nameSize: 32, version: 7 });
  return { bytes: Buffer.concat([midLink, subkeyName('ta', 32)]), taUuid: namespaceUuid(midUuid, subkeyName('ta', 32)), midUuid };
}

describe('subkey chains', () => {
  it('derive UUIDs as OP-TEE does: the values optee_test\'s subkey1 TA was built with', () => {
    // top_level_subkey.bin -> "mid_level_subkey" -> mid_level_subkey.bin -> "subkey1_ta" -> the TA.
    expect(namespaceUuid('f04fa996-148a-453c-b037-1dcfbad120a6', Buffer.from('mid_level_subkey\0\0\0'))).toBe('1a5948c5-1aa0-518c-86f4-be6f6a057b16');
    expect(namespaceUuid('1a5948c5-1aa0-518c-86f4-be6f6a057b16', Buffer.from('subkey1_ta'))).toBe('5c206987-16a3-59cc-ab0f-64b9cfc9e758');
    expect(namespaceUuid('a720ccbb-51da-417d-b82e-e5445d474a7a', new Uint8Array(0))).toBe('a720ccbb-51da-417d-b82e-e5445d474a7a');
  });

  it('verify two named links and say which UUID and key must follow', () => {
    const { bytes, taUuid, midUuid } = twoLevels();
    const tail = Buffer.from('rest');
    const chain = openSubkeyChain(Buffer.concat([bytes, tail]), trusted, 'test');
    expect(chain.subkeys.map((s) => [s.uuid, s.version, s.maxDepth])).toEqual([
      ['f04fa996-148a-453c-b037-1dcfbad120a6', 1, 4], [midUuid, 7, 3],
    ]);
    expect(chain.nextUuid).toBe(taUuid);
    expect(Buffer.from(chain.rest).toString()).toBe('rest');
    expect(chain.root.name).toBe('trustbox-dev');
    expect(chain.signer.key.export({ format: 'jwk' }).n).toBe(mid.export({ format: 'jwk' }).n);
  });

  it('refuse a hostile chain with SECURITY', () => {
    const { bytes } = twoLevels();
    const flip = (at: number) => { const b = Buffer.from(bytes); b[at] ^= 1; return b; };
    const firstImg = 20 + 32 + 256; // shdr, hash, signature of a 2048-bit root
    expect(refused(() => openSubkeyChain(flip(20), trusted, 't'))).toBe(TEE_ERROR_SECURITY); // hash
    expect(refused(() => openSubkeyChain(flip(firstImg + 40), trusted, 't'))).toBe(TEE_ERROR_SECURITY); // subkey header
    expect(refused(() => openSubkeyChain(flip(bytes.length - 10), trusted, 't'))).toBe('accepted'); // the name after the last link: a different UUID follows
    expect(refused(() => openSubkeyChain(bytes, [{ name: 'other', key: rsa() }], 't'))).toBe(TEE_ERROR_SECURITY); // untrusted root
    expect(refused(() => openSubkeyChain(bytes.subarray(0, bytes.length - 100), trusted, 't'))).toBe(TEE_ERROR_SECURITY); // truncated
    expect(refused(() => openSubkeyChain(twoLevels({ midDepth: 4 }).bytes, trusted, 't'))).toBe(TEE_ERROR_SECURITY); // depth not below
    expect(refused(() => openSubkeyChain(twoLevels({ midUuid: HELLO_WORLD }).bytes, trusted, 't'))).toBe(TEE_ERROR_SECURITY); // outside namespace
    // An attribute that points past the subkey header.
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(0xffff, firstImg + 36 + 4);
    expect(refused(() => openSubkeyChain(bad, trusted, 't'))).toBe(TEE_ERROR_SECURITY);
  });
});

describe('a TA signed through a subkey chain, on a device', () => {
  const helloElf = parseTaContainer(readFileSync(join(import.meta.dirname, `../../images/trustbox-edge/ta/${HELLO_WORLD}.ta`))).payload;
  let dev: TestDevice | undefined;
  afterEach(() => dev?.close());

  /** hello_world behind two identity links (its UUID is fixed by its ta_head), in a TA directory. */
  function identityChainTa(o: { version?: number; signTaWith?: KeyObject; midUuid?: string } = {}): string {
    const first = signSubkey({ subkey: top, uuid: HELLO_WORLD, signWith: root, maxDepth: 1, version: o.version ?? 1 });
    // Both links have the UUID, so one version record (OP-TEE's subkey_ver.db keeps one per UUID).
    const chain = signSubkey({ subkey: mid, uuid: o.midUuid ?? HELLO_WORLD, signWith: top, chain: first, maxDepth: 0, version: o.version ?? 1 });
    const ta = signTa({ elf: helloElf, uuid: HELLO_WORLD, key: o.signTaWith ?? mid });
    const dir = mkdtempSync(join(tmpdir(), 'subkey-ta-'));
    writeFileSync(join(dir, `${HELLO_WORLD}.ta`), Buffer.concat([chain, ta]));
    return dir;
  }
  const invoke = (d: TestDevice) => {
    const s = d.client.openSession(HELLO_WORLD);
    if (s.result !== TEE_SUCCESS) return s.result >>> 0;
    const r = d.client.invoke(s.session!, 0, [{ type: 'value-inout', a: 41, b: 0 }]);
    d.client.closeSession(s.session!);
    return r.params[0];
  };

  it('loads and runs; the attested signer is the last subkey', () => {
    dev = bootDevice({ taPaths: [identityChainTa()], trace: true });
    expect(invoke(dev)).toEqual({ type: 'value', a: 42, b: 0 });
    const load = dev.events.find((e) => e.type === 'ta-load' && e.uuid === HELLO_WORLD) as { signer?: string } | undefined;
    expect(load?.signer).toBe(`subkey ${HELLO_WORLD} (signed by trustbox-dev)`);
  });

  it('is refused when signed past the chain by the root, or a link leaves the namespace', () => {
    dev = bootDevice({ taPaths: [identityChainTa({ signTaWith: root })] });
    expect(invoke(dev)).toBe(TEE_ERROR_SECURITY);
    expect(dev.lines('secure').some((l) => /refusing TA .*does not verify|refus.*signature/.test(l))).toBe(true);
    dev.close();
    dev = bootDevice({ taPaths: [identityChainTa({ midUuid: '11111111-2222-4333-8444-555555555555' })] });
    expect(invoke(dev)).toBe(TEE_ERROR_SECURITY);
    expect(dev.lines('secure').some((l) => l.includes('not in its signer\'s namespace'))).toBe(true);
  });

  it('refuses a subkey whose subkey_version is older than one this device has seen', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'subkey-state-'));
    dev = bootDevice({ stateDir, taPaths: [identityChainTa({ version: 3 })] });
    expect(invoke(dev)).toEqual({ type: 'value', a: 42, b: 0 });
    dev.close();
    dev = bootDevice({ stateDir, taPaths: [identityChainTa({ version: 2 })] });
    expect(invoke(dev)).toBe(TEE_ERROR_SECURITY);
    expect(dev.lines('secure').some((l) => l.includes('subkey_version 2 is older than 3'))).toBe(true);
  });
});
