/**
 * Crypto benchmark (issue "crypto and storage"): crypto.aesgcm.mbps, AES-128-GCM encryption
 * of 1 MiB buffers through the cryptest TA (client memrefs -> SMC -> TA -> TEE_AEEncryptFinal
 * -> syscall -> provider and back), in megabytes (10^6 bytes) of plaintext per second: the
 * median of 9 runs after 2 warm-up runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../emulator/device/device.js';
import { median } from './core.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import type { BenchMetric } from './types.js';

const CRYPTEST_TA = '7c0a5b1e-3f2d-4c8a-9e61-b2d4f0a8c317';
const CT_CMD_AE = 3;
const TEE_ALG_AES_GCM = 0x40000810;
const TEE_TYPE_AES = 0xa0000010;
const TEE_ATTR_SECRET_VALUE = 0xc0000000;
const CT = { IV: 0x01, DATA: 0x04, TAGLEN: 0x05, KEYTYPE: 0x08 };
const MIB = 1 << 20;

/** cryptest blob records {u32 id, u32 len, data, pad to 4}. */
function record(id: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(id >>> 0, 0);
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}
const value = (a: number, b: number): Buffer => Buffer.from(new Uint32Array([a, b]).buffer);

function aesGcmMbps(): number {
  const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-crypto-'));
  const device = new Device({ stateDir: state, watchdogMs: 60_000 });
  try {
    device.boot();
    const client = new SpecClient(device);
    const open = client.openSession(CRYPTEST_TA);
    if (open.result !== 0) throw new Error(`cryptest TA: 0x${open.result.toString(16)}`);
    const key = Buffer.concat([record(CT.KEYTYPE, value(TEE_TYPE_AES, 128)), record(TEE_ATTR_SECRET_VALUE, Buffer.alloc(16, 0x42))]);
    const data = Buffer.alloc(MIB, 0x5a);
    const op = Buffer.concat([record(CT.IV, Buffer.alloc(12, 1)), record(CT.TAGLEN, value(128, 0)), record(CT.DATA, data)]);
    const once = (): number => {
      const t0 = performance.now();
      const r = client.invoke(open.session!, CT_CMD_AE, [
        { type: 'value-in', a: TEE_ALG_AES_GCM, b: 0 }, { type: 'memref-in', data: key }, { type: 'memref-in', data: op },
        { type: 'memref-out', size: MIB + 16 },
      ]);
      const ms = performance.now() - t0;
      if (r.result !== 0) throw new Error(`AES-GCM through the TA failed: 0x${(r.result >>> 0).toString(16)}`);
      return ms;
    };
    once();
    once();
    const times: number[] = [];
    for (let i = 0; i < 9; i++) times.push(once());
    client.closeSession(open.session!);
    return MIB / 1e6 / (median(times) / 1000);
  } finally {
    device.powerOff();
    rmSync(state, { recursive: true, force: true });
  }
}

export const metrics: BenchMetric[] = [
  { name: 'crypto.aesgcm.mbps', unit: 'MB/s', run: aesGcmMbps },
];
