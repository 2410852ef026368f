/**
 * Each ABI constant is defined once per language; this test proves the C headers in
 * firmware/include (and the dev kit's syscall numbers) agree with the TypeScript constants.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { region } from '../../emulator/machine/board.js';
import { SHM_LAYOUT, getBoard } from '../../emulator/machine/boards.js';
import * as smccc from '../../emulator/abi/smccc.js';
import * as hostbridge from '../../emulator/ree/hostbridge.js';
import * as msg from '../../emulator/abi/optee-msg.js';
import * as results from '../../emulator/abi/results.js';
import * as scn from '../../emulator/tee/syscalls/numbers.js';
import * as ta from '../../emulator/abi/ta.js';
import * as clientApi from '../../emulator/abi/client-api.js';

function defines(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)[uUlL]*\)?\s*(\/\*.*)?$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
    const shift = /^#define\s+(\w+)\s+\((\d+)[uU]?\s*<<\s*(\d+)\)\s*(\/\*.*)?$/.exec(line.trim());
    if (shift) out.set(shift[1]!, Number(shift[2]) * 2 ** Number(shift[3]));
  }
  return out;
}

/** Compares every header name that the TS module also exports; returns how many matched. */
function compare(header: Map<string, number>, ts: Record<string, unknown>, rename = (n: string) => n): number {
  let n = 0;
  for (const [name, value] of header) {
    const v = ts[rename(name)];
    if (typeof v !== 'number') continue;
    expect({ name, value: v >>> 0 }).toEqual({ name, value: value >>> 0 });
    n++;
  }
  return n;
}

describe('ABI constants agree between C and TypeScript', () => {
  it('board.h matches the board table', () => {
    const h = defines('firmware/include/board.h');
    const b = getBoard('trustbox-edge');
    expect(h.get('BOARD_UART0_BASE')).toBe(region(b, 'uart0').base);
    expect(h.get('BOARD_UART1_BASE')).toBe(region(b, 'uart1').base);
    expect(h.get('BOARD_HOSTBRIDGE_BASE')).toBe(region(b, 'hostbridge').base);
    expect(h.get('BOARD_SECURE_RAM_BASE')).toBe(region(b, 'secure-ram').base);
    expect(h.get('BOARD_NS_DRAM_BASE')).toBe(region(b, 'ns-dram').base);
    expect(h.get('BOARD_NS_DRAM_SIZE')).toBe(region(b, 'ns-dram').size);
    expect(h.get('BOARD_NS_SHM_BASE')).toBe(region(b, 'ns-shm').base);
    expect(h.get('BOARD_NS_SHM_SIZE')).toBe(region(b, 'ns-shm').size);
  });

  it('hostbridge.h matches emulator/ree/hostbridge.ts', () => {
    expect(compare(defines('firmware/include/hostbridge.h'), hostbridge)).toBeGreaterThanOrEqual(35);
    expect(hostbridge.HB_SLOT_SIZE).toBe(SHM_LAYOUT.slotSize);
  });

  it('optee_smc.h and psci.h match emulator/abi/smccc.ts', () => {
    expect(compare(defines('firmware/include/optee_smc.h'), smccc)).toBeGreaterThanOrEqual(25);
    expect(compare(defines('firmware/include/psci.h'), smccc)).toBeGreaterThanOrEqual(4);
  });

  it('optee_msg.h matches emulator/abi/optee-msg.ts', () => {
    expect(compare(defines('firmware/include/optee_msg.h'), msg)).toBeGreaterThanOrEqual(30);
  });

  it('tee_results.h matches emulator/abi/results.ts and client-api.ts (origins included)', () => {
    const h = defines('firmware/include/tee_results.h');
    const n = compare(h, results as Record<string, unknown>, (name) => name.replace(/^TEEC_/, 'TEE_'));
    expect(n).toBeGreaterThanOrEqual(15);
    expect(compare(h, clientApi as Record<string, unknown>)).toBeGreaterThanOrEqual(19);
    for (const o of ['TEEC_ORIGIN_API', 'TEEC_ORIGIN_COMMS', 'TEEC_ORIGIN_TEE', 'TEEC_ORIGIN_TRUSTED_APP']) expect(h.has(o), o).toBe(true);
  });

  it("the dev kit's user_ta_header.h TA_FLAG_* match emulator/abi/ta.ts", () => {
    const h = defines('firmware/ta-devkit/include/user_ta_header.h');
    const flags = [...h.keys()].filter((n) => n.startsWith('TA_FLAG_') && h.get(n) !== 0);
    expect(flags.length).toBeGreaterThanOrEqual(11);
    for (const name of flags) expect({ name, value: (ta as Record<string, unknown>)[name] }).toEqual({ name, value: h.get(name) });
    expect(h.get('TA_FLAGS_MASK')).toBe(ta.TA_FLAGS_MASK);
  });

  it('the dev kit numbers syscalls as the core does', () => {
    const h = defines('firmware/ta-devkit/include/tee_syscall_numbers.h');
    expect(compare(h, scn)).toBeGreaterThanOrEqual(56);
    expect(h.get('TEE_SCN_MAX')).toBe(scn.TEE_SCN_MAX);
  });
});
