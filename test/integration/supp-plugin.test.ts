/**
 * tee-supplicant plugins (`boot --plugin-path`, OPTEE_RPC_CMD_SUPP_PLUGIN): real shared
 * libraries built here with the host gcc, loaded at boot as tee-supplicant loads them, and
 * called by a TA through tee_invoke_supp_plugin() (the rpcprobe test TA, our dev kit's libutee,
 * the system PTA). Files that are not plugins, and a plugin whose init() fails, are reported
 * and skipped; the device keeps going.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { uuidToOctets } from '../../emulator/abi/uuid.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_PARAM_TYPES, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
} from '../../emulator/abi/client-api.js';
import { bootDevice as bootServed, TeecOperation } from '../../emulator/cli/device-api.js';

const ROOT = join(import.meta.dirname, '../..');
const RPCPROBE = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const ECHO = 'd1c9e0a0-1f2e-4d3c-8b4a-5e6f7a8b9c0d';
const BADINIT = '0badbad0-1111-4222-8333-444455556666';
const CMD_SUPP_PLUGIN = 3;
const TEE_ERROR_ITEM_NOT_FOUND = 0xffff0008;
const TEE_ERROR_SHORT_BUFFER = 0xffff0010;
const TEE_ERROR_NOT_SUPPORTED = 0xffff000a;

/** A TEE_UUID struct as a TA holds it (little-endian fields). */
function teeUuid(uuid: string): Buffer {
  const o = uuidToOctets(uuid);
  const b = Buffer.from(o);
  b.writeUInt32LE(o.readUInt32BE(0), 0);
  b.writeUInt16LE(o.readUInt16BE(4), 4);
  b.writeUInt16LE(o.readUInt16BE(6), 6);
  return b;
}

function buildPlugins(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-plugins-'));
  const cc = (define: string, out: string) => execFileSync('gcc', ['-shared', '-fPIC', '-O1', `-D${define}`,
    '-I', join(ROOT, 'libteec/include'), '-o', join(dir, out), join(ROOT, 'test/fixtures/plugin/plugins.c')]);
  cc('PLUGIN_ECHO', 'echo.plugin');
  cc('PLUGIN_BADINIT', 'badinit.plugin');
  cc('PLUGIN_NOMETHOD', 'nomethod.plugin');
  writeFileSync(join(dir, 'README.txt'), 'not a library\n');
  return dir;
}

let dev: TestDevice;
let pluginDir: string;
beforeAll(() => {
  pluginDir = buildPlugins();
  dev = bootDevice({ taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')], pluginPaths: [pluginDir], trace: true });
});
afterAll(() => dev?.close());

function call(uuid: string, cmd: number, subCmd: number, data: Buffer) {
  const s = dev.client.openSession(RPCPROBE);
  expect(s.result).toBe(TEE_SUCCESS);
  const r = dev.client.invoke(s.session!, CMD_SUPP_PLUGIN, [
    { type: 'memref-in', data: teeUuid(uuid) }, { type: 'value-in', a: cmd, b: subCmd },
    { type: 'memref-inout', data }, { type: 'value-out' },
  ]);
  dev.client.closeSession(s.session!);
  expect(r.result).toBe(TEE_SUCCESS);
  const out = r.params[3]!;
  const mem = r.params[2]!;
  return {
    result: out.type === 'value' ? out.b >>> 0 : -1,
    outLen: out.type === 'value' ? out.a : -1,
    data: mem.type === 'memref' ? Buffer.from(mem.data) : Buffer.alloc(0),
  };
}

describe('tee-supplicant plugins', () => {
  it('load at boot: the echo plugin; a failing init(), a library without plugin_method and a text file are reported and skipped', () => {
    const normal = dev.lines('normal').join('\n');
    expect(normal).toContain(`plugin echo (${ECHO}) loaded`);
    expect(normal).toMatch(/badinit\.plugin \(badinit\): init failed with 0xffff0000: skipped/);
    expect(normal).toMatch(/nomethod\.plugin not loaded/);
    expect(normal).toMatch(/README\.txt not loaded/);
    expect(call(ECHO, 3, 0, Buffer.from([0xff])).data[0]).toBe(1); // init() ran once
  });

  it('a TA\'s call reaches the plugin: the data it rewrites, the length it answers, its result', () => {
    // After a full garbage collection: the loaded library must stay open under its functions.
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const r = call(ECHO, 1, 7, Buffer.from('abcdef'));
    expect(r).toEqual({ result: TEE_SUCCESS, outLen: 6 + 7, data: Buffer.from('fedcba') });
    expect(dev.events.some((e) => e.type === 'rpc' && e.name === 'SUPP_PLUGIN' && /echo .* cmd 1 sub_cmd 7/.test(String(e.detail)))).toBe(true);
  });

  it('the plugin\'s own errors come back as they are; a call without data works', () => {
    expect(call(ECHO, 2, 0, Buffer.from('xyz'))).toMatchObject({ result: TEE_ERROR_SHORT_BUFFER, outLen: 103 });
    expect(call(ECHO, 9, 0, Buffer.alloc(0))).toMatchObject({ result: TEE_ERROR_NOT_SUPPORTED });
  });

  it('a UUID no plugin has, or the one whose init() failed: ITEM_NOT_FOUND, and the device goes on', () => {
    expect(call('11111111-2222-4333-8444-555555555555', 1, 0, Buffer.from('a')).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(call(BADINIT, 1, 0, Buffer.from('a')).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(call(ECHO, 1, 0, Buffer.from('ok')).data.toString()).toBe('ko');
  });
});

describe('plugins of a device served from a worker (bootDevice of trustbox-emulator)', () => {
  it('load there and answer a TA\'s call made through the client API', async () => {
    const served = await bootServed({ taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')], pluginPaths: [pluginDir] });
    try {
      expect(served.consoles.lines('normal').join('\n')).toContain(`plugin echo (${ECHO}) loaded`);
      const s = await served.context.openSession(RPCPROBE);
      const data = new Uint8Array(Buffer.from('worker'));
      const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT), [
        { tmpref: { buffer: new Uint8Array(teeUuid(ECHO)), size: 16 } }, { value: { a: 1, b: 0 } },
        { tmpref: { buffer: data, size: data.length } }, { value: { a: 0, b: 0 } },
      ]);
      expect((await s.invokeCommand(CMD_SUPP_PLUGIN, op)).result).toBe(TEE_SUCCESS);
      expect(op.params[3].value).toEqual({ a: 6, b: TEE_SUCCESS });
      expect(Buffer.from(data).toString()).toBe('rekrow');
      await s.close();
    } finally {
      await served.powerOff();
    }
  }, 30_000);
});
