/**
 * Regression (issue 12, item 8): a TA could take secure RAM through the system PTA's MAP_ZI
 * 16 MiB at a time, as often as it liked. Now each instance owns at most image + stack +
 * max(gpd.ta.dataSize, 1 MiB); MAP_ZI past that is TEE_ERROR_OUT_OF_MEMORY with a secure
 * console line, UNMAP gives the bytes back, and the TA and the device go on working.
 * Driven with raw TA-to-TA syscalls through the sysprobe TA (S = its private scratch buffer).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS } from '../../emulator/abi/results.js';
import { uuidToTeeUuid } from '../../emulator/abi/uuid.js';
import { parseElf } from '../../emulator/tee/loader/elf.js';
import { readU32Property } from '../../emulator/tee/loader/ta-props.js';
import { PTA_SYSTEM_MAP_FLAG_SHAREABLE, PTA_SYSTEM_MAP_ZI, PTA_SYSTEM_UNMAP, PTA_SYSTEM_UUID } from '../../emulator/tee/pta/system.js';
import { MAP_ZI_BASE } from '../../emulator/tee/ta-space.js';
import { memoryLimit } from '../../emulator/tee/ta-loader.js';
import { HELLO_WORLD, SYSPROBE_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const S = (off = 0) => (0x5c5cn << 48n) | BigInt(off);
const MiB = 1 << 20;
const KiB = 1 << 10;
const SYS_OPEN_TA_SESSION = 5;
const SYS_CLOSE_TA_SESSION = 6;
const SYS_INVOKE_TA_COMMAND = 7;
const SYS_GET_TIME = 13;

let dev: TestDevice;
beforeAll(() => {
  dev = bootDevice();
});
afterAll(() => dev?.close());

/** A sysprobe session and its session to the system PTA, opened with raw syscalls. */
class Prober {
  readonly session: number;
  readonly pta: number;

  constructor() {
    this.session = dev.client.openSession(SYSPROBE_TA).session!;
    const scratch = Buffer.alloc(256);
    uuidToTeeUuid(PTA_SYSTEM_UUID).copy(scratch, 0);
    const o = this.raw(SYS_OPEN_TA_SESSION, [S(0), 0, 0, S(200), S(204)], scratch);
    expect(o.result).toBe(TEE_SUCCESS);
    this.pta = o.scratch.readUInt32LE(200);
  }

  /** One raw syscall; its result and the scratch buffer afterwards. */
  raw(num: number, args: (bigint | number)[], scratch: Uint8Array = Buffer.alloc(256)) {
    const block = Buffer.alloc(72);
    for (let i = 0; i < 8; i++) block.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[i] ?? 0)), 8 * i);
    block.writeBigUInt64LE(BigInt(num), 64);
    const r = dev.client.invoke(this.session, 0, [
      { type: 'memref-in', data: block }, { type: 'memref-inout', data: scratch }, { type: 'value-out' },
    ]);
    expect(r.result).toBe(TEE_SUCCESS);
    const out = r.params[1]!;
    const value = r.params[2]!;
    return { result: value.type === 'value' ? value.a : -1, scratch: Buffer.from(out.type === 'memref' ? out.data : []) };
  }

  /** PTA_SYSTEM_MAP_ZI of `size` bytes: the result and the VA on success. */
  mapZi(size: number, flags = 0): { result: number; va: number } {
    const scratch = Buffer.alloc(256);
    scratch.writeBigUInt64LE(0x121n, 32); // VALUE_INPUT, VALUE_OUTPUT, VALUE_INPUT
    scratch.writeBigUInt64LE(BigInt(size), 40);
    scratch.writeBigUInt64LE(BigInt(flags), 48);
    const r = this.raw(SYS_INVOKE_TA_COMMAND, [this.pta, 0, PTA_SYSTEM_MAP_ZI, S(32), S(204)], scratch);
    return { result: r.result, va: Number(r.scratch.readBigUInt64LE(56)) * 2 ** 32 + Number(r.scratch.readBigUInt64LE(64)) };
  }

  unmap(va: number, size: number): number {
    const scratch = Buffer.alloc(256);
    scratch.writeBigUInt64LE(0x11n, 32); // VALUE_INPUT, VALUE_INPUT
    scratch.writeBigUInt64LE(BigInt(size), 40);
    scratch.writeBigUInt64LE(BigInt(Math.floor(va / 2 ** 32)), 56);
    scratch.writeBigUInt64LE(BigInt(va >>> 0), 64);
    return this.raw(SYS_INVOKE_TA_COMMAND, [this.pta, 0, PTA_SYSTEM_UNMAP, S(32), S(204)], scratch).result;
  }

  close(): void {
    expect(this.raw(SYS_CLOSE_TA_SESSION, [this.pta]).result).toBe(TEE_SUCCESS);
    dev.client.closeSession(this.session);
  }
}

const refusals = () => dev.lines('secure').filter((l) => l.includes(`TA ${SYSPROBE_TA} asked for`));

describe('a TA cannot map past its memory limit through the system PTA (issue 12, item 8)', () => {
  it('reads gpd.ta.dataSize from a stripped TA and sums the limit from it', () => {
    const dir = 'firmware/ta/sysprobe/out';
    const stripped = readdirSync(dir).find((f) => f.endsWith('.stripped.elf'))!;
    expect(readU32Property(parseElf(readFileSync(join(dir, stripped))), 'gpd.ta.dataSize')).toBe(16 * KiB);
    const image = { regions: [{ size: 0x3000 }, { size: 0x9000 }], taHead: { stackSize: 6144 } } as never;
    expect(memoryLimit(image, 16 * KiB)).toEqual({ bytes: 0xc000 + 8192 + MiB, why: 'image 49152 + stack 8192 + data size 1 MiB' });
    expect(memoryLimit(image, 3 * MiB)).toEqual({ bytes: 0xc000 + 8192 + 3 * MiB, why: `image 49152 + stack 8192 + data size ${3 * MiB}` });
  });

  it('refuses a mapping far past the limit with OUT_OF_MEMORY, allows one within it, and goes on answering', () => {
    const p = new Prober();
    try {
      const instance = dev.device.core.instances().find((i) => i.uuid === SYSPROBE_TA)!;
      const image = instance.image.regions.reduce((n, r) => n + r.size, 0);
      const stack = Math.ceil(instance.image.taHead.stackSize / 4096) * 4096;
      expect(instance.space.ownedBytes).toBe(image + stack);

      expect(p.mapZi(15 * MiB).result).toBe(TEE_ERROR_OUT_OF_MEMORY);
      expect(refusals().at(-1)).toBe(`tee: TA ${SYSPROBE_TA} asked for ${15 * MiB} bytes more ` +
        `(holds ${image + stack}, limit ${image + stack + MiB} = image ${image} + stack ${stack} + data size 1 MiB)`);

      const within = p.mapZi(512 * KiB, PTA_SYSTEM_MAP_FLAG_SHAREABLE);
      expect(within.result).toBe(TEE_SUCCESS);
      expect(within.va).toBeGreaterThanOrEqual(MAP_ZI_BASE);
      expect(p.mapZi(768 * KiB).result).toBe(TEE_ERROR_OUT_OF_MEMORY); // 512 + 768 KiB > 1 MiB
      expect(p.unmap(within.va, 512 * KiB)).toBe(TEE_SUCCESS); // gives the bytes back
      const again = p.mapZi(768 * KiB);
      expect(again.result).toBe(TEE_SUCCESS);
      expect(p.unmap(again.va, 768 * KiB)).toBe(TEE_SUCCESS);
      expect(instance.space.ownedBytes).toBe(image + stack);

      // The same session answers a normal command after the refusals.
      expect(p.raw(SYS_GET_TIME, [0, S(0)]).result).toBe(TEE_SUCCESS);
    } finally {
      p.close();
    }
  });

  it('many small mappings stop at the limit (1 MiB = 16 x 64 KiB for this TA), not at secure RAM', () => {
    const p = new Prober();
    try {
      const results = Array.from({ length: 40 }, () => p.mapZi(64 * KiB).result);
      expect(results.filter((r) => r === TEE_SUCCESS)).toHaveLength(16);
      expect(results.slice(16).every((r) => r === TEE_ERROR_OUT_OF_MEMORY)).toBe(true);
      // Another TA instance has its own limit, and other TAs keep working.
      const q = new Prober();
      try {
        const m = q.mapZi(MiB);
        expect(m.result).toBe(TEE_SUCCESS);
        expect(q.unmap(m.va, MiB)).toBe(TEE_SUCCESS);
      } finally {
        q.close();
      }
      const hello = dev.client.openSession(HELLO_WORLD);
      const inc = dev.client.invoke(hello.session!, 0, [{ type: 'value-inout', a: 41, b: 0 }]);
      expect(inc.params[0]).toMatchObject({ a: 42 });
      dev.client.closeSession(hello.session!);
      expect(p.raw(SYS_GET_TIME, [0, S(0)]).result).toBe(TEE_SUCCESS);
    } finally {
      p.close();
    }
  });
});
