/**
 * The normal world is not trusted: random and half-valid optee_msg_arg messages, thrown straight
 * at the TEE core's entry (as a compromised REE kernel could), must never throw out of the core,
 * must leave an answer in the message or an SMC error code, and must not hurt the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { region } from '../../emulator/machine/board.js';
import { SHM_LAYOUT } from '../../emulator/machine/boards.js';
import { OPTEE_SMC_RETURN_EBADADDR, OPTEE_SMC_RETURN_OK } from '../../emulator/abi/smccc.js';
import { seededRandom } from '../../emulator/host/crypto.js';
import { HELLO_WORLD, bootDevice, type TestDevice } from '../helpers/device.js';

let dev: TestDevice;
beforeAll(() => { dev = bootDevice(); });
afterAll(() => dev?.close());

/** Where a message goes: the client half of NS shared memory, away from the firmware's pool. */
function messageArea(): { pa: number; view: DataView; bytes: Uint8Array } {
  const shmRegion = region(dev.device.board, 'ns-shm');
  const pa = shmRegion.base + SHM_LAYOUT.clientPoolOffset + SHM_LAYOUT.clientPoolSize - 0x2000;
  const core = dev.device.core;
  const bytes = core.nsBuffer(pa, 0x1000);
  return { pa, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function call(pa: number): number[] {
  const core = dev.device.core;
  const regs = core.callWithArg([0x32000004, Math.floor(pa / 2 ** 32), pa >>> 0, 0, 0, 0, 0, 0]);
  // A message that made the core ask for an RPC is abandoned here, as a hostile kernel would.
  return regs;
}

describe('hostile optee_msg_arg from the normal world', () => {
  it('random bytes never throw out of the core, and the device keeps serving', () => {
    const rnd = seededRandom('msg-fuzz');
    const { pa, bytes, view } = messageArea();
    for (let i = 0; i < 400; i++) {
      bytes.set(rnd.bytes(bytes.length));
      // Half the cases: a plausible header (known command, few params) with random params.
      if (i % 2 === 0) {
        view.setUint32(0, i % 6, true); // cmd
        view.setUint32(28, i % 7, true); // num_params
      }
      let regs: number[] = [];
      expect(() => { regs = call(pa); }, `case ${i}`).not.toThrow();
      expect(typeof regs[0]).toBe('number');
    }
    const s = dev.client.openSession(HELLO_WORLD);
    expect(s.result).toBe(0);
    expect(dev.client.invoke(s.session!, 0, [{ type: 'value-inout', a: 1, b: 0 }]).params[0]).toEqual({ type: 'value', a: 2, b: 0 });
    dev.client.closeSession(s.session!);
  });

  it('a message outside shared memory or misaligned is refused with EBADADDR', () => {
    const secure = region(dev.device.board, 'secure-ram').base;
    expect(dev.device.core.callWithArg([0x32000004, 0, secure, 0, 0, 0, 0, 0])).toEqual([OPTEE_SMC_RETURN_EBADADDR]);
    const { pa } = messageArea();
    expect(dev.device.core.callWithArg([0x32000004, 0, pa + 3, 0, 0, 0, 0, 0])).toEqual([OPTEE_SMC_RETURN_EBADADDR]);
  });

  it('an unknown session or command is answered in the message with BAD_PARAMETERS', () => {
    const { pa, bytes, view } = messageArea();
    bytes.fill(0);
    view.setUint32(0, 1, true); // INVOKE_COMMAND
    view.setUint32(8, 0x7777, true); // no such session
    expect(call(pa)).toEqual([OPTEE_SMC_RETURN_OK]);
    expect(view.getUint32(20, true)).toBe(0xffff0006);
    view.setUint32(0, 99, true);
    expect(call(pa)).toEqual([OPTEE_SMC_RETURN_OK]);
    expect(view.getUint32(20, true)).toBe(0xffff0006);
  });
});
