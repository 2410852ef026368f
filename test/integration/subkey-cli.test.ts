/**
 * Subkey chains from the command line (`ta sign-subkey`, `ta subkey-uuid`, `ta sign --subkey`),
 * as sign_encrypt.py makes them: a TA signed through two subkey levels loads and runs on a device
 * that trusts only the root; `ta inspect` shows the chain; a TA outside the namespace is refused
 * at signing, saying why.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTaContainer } from '../../emulator/tee/loader/container.js';
import { namespaceUuid, subkeyName } from '../../emulator/tee/loader/subkey.js';
import { HELLO_WORLD } from '../helpers/device.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/trustbox.js');
const ROOT_KEY = join(ROOT, 'keys/trustbox-dev-ta.pem');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

let dir: string;
const pem = (name: string) => {
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustbox-subkey-cli-'));
  const elf = parseTaContainer(readFileSync(join(ROOT, `images/trustbox-edge/ta/${HELLO_WORLD}.ta`))).payload;
  writeFileSync(join(dir, 'hello.elf'), elf);
});

describe('ta sign-subkey, subkey-uuid, sign --subkey', () => {
  it('two identity subkeys under the development root sign hello_world, which runs on a device', () => {
    const top = pem('top');
    const mid = pem('mid');
    const a = run(['ta', 'sign-subkey', '--in', top, '--key', ROOT_KEY, '--uuid', HELLO_WORLD, '--name-size', '0', '--max-depth', '1',
      '--subkey-version', '2', '--out', join(dir, 'top.bin')]);
    expect(a.stderr).toBe('');
    expect(a.stdout).toContain(`signed subkey ${HELLO_WORLD} (max depth 1, name size 0, version 2)`);
    // Both identity subkeys have the UUID, so one version record (OP-TEE's subkey_ver.db): the same version.
    const b = run(['ta', 'sign-subkey', '--in', mid, '--key', top, '--subkey', join(dir, 'top.bin'), '--name-size', '0',
      '--subkey-version', '2', '--out', join(dir, 'mid.bin')]);
    expect(b.stdout).toContain(`signed subkey ${HELLO_WORLD} (max depth 0`);
    expect(run(['ta', 'subkey-uuid', '--subkey', join(dir, 'mid.bin')]).stdout.trim()).toBe(HELLO_WORLD);
    mkdirSync(join(dir, 'tas'), { recursive: true });
    const ta = join(dir, 'tas', `${HELLO_WORLD}.ta`);
    const c = run(['ta', 'sign', '--in', join(dir, 'hello.elf'), '--key', mid, '--subkey', join(dir, 'mid.bin'), '--out', ta]);
    expect(c.stdout).toContain('subkey chain');
    const inspect = run(['ta', 'inspect', ta]).stdout;
    expect(inspect.match(/^subkey: +8aaaf200/gm)?.length).toBe(2);
    expect(inspect).toMatch(/signer: +subkey 8aaaf200-2450-11e4-abe2-0002a5d5c51b \(signed by trustbox-dev\)/);
    const invoke = run(['invoke', '--ta-path', join(dir, 'tas'), '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,0']);
    expect(invoke.stderr + invoke.stdout).toContain('42');
    expect(invoke.status).toBe(0);
    expect(invoke.stdout).toMatch(/42/);
  });

  it('a named namespace: subkey-uuid gives the TA\'s UUID; a TA of another UUID is refused at signing, saying why', () => {
    const ns = pem('ns');
    const uuid = '0f0e0d0c-0b0a-4908-8706-050403020100';
    expect(run(['ta', 'sign-subkey', '--in', ns, '--key', ROOT_KEY, '--uuid', uuid, '--name-size', '32', '--out', join(dir, 'ns.bin')]).status).toBe(0);
    const want = namespaceUuid(uuid, subkeyName('my-ta', 32));
    expect(run(['ta', 'subkey-uuid', '--subkey', join(dir, 'ns.bin'), '--name', 'my-ta']).stdout.trim()).toBe(want);
    const r = run(['ta', 'sign', '--in', join(dir, 'hello.elf'), '--key', ns, '--subkey', join(dir, 'ns.bin'), '--name', 'my-ta',
      '--out', join(dir, 'refused.ta')]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toContain(`signs UUID ${want} for the name "my-ta", not the TA's ${HELLO_WORLD}`);
    expect(run(['ta', 'subkey-uuid', '--subkey', join(dir, 'ns.bin')]).stderr).toContain('give --name');
    expect(run(['ta', 'sign', '--in', join(dir, 'hello.elf'), '--name', 'x', '--out', join(dir, 'x.ta')]).stderr).toContain('give --subkey too');
  });
});
