import { describe, expect, it } from 'vitest';
import { decodeFunctionId, isRpcReturn, rpcName, SMC_UNK } from '../../emulator/abi/smccc.js';
import { EventBus, type DeviceEvent } from '../../emulator/trace/events.js';
import { Monitor } from '../../emulator/monitor/monitor.js';
import { PsciService, PSCI_VERSION_1_1 } from '../../emulator/monitor/psci.js';

describe('SMC Calling Convention', () => {
  it('decodes OP-TEE fast calls', () => {
    const uid = decodeFunctionId(0xbf00ff01);
    expect(uid).toMatchObject({ fast: true, smc64: false, owner: 63, number: 0xff01, name: 'OPTEE_SMC_CALLS_UID', known: true });
    expect(uid.ownerName).toBe('trusted OS');
  });

  it('decodes yielding calls and PSCI', () => {
    expect(decodeFunctionId(0x32000004)).toMatchObject({ fast: false, owner: 50, number: 4, name: 'OPTEE_SMC_CALL_WITH_ARG' });
    expect(decodeFunctionId(0x84000008)).toMatchObject({ fast: true, owner: 4, ownerName: 'standard service', name: 'PSCI_SYSTEM_OFF' });
    expect(decodeFunctionId(0xc4000003)).toMatchObject({ fast: true, smc64: true, owner: 4, number: 3, known: false });
  });

  it('describes unknown ids', () => {
    const f = decodeFunctionId(0x83000007);
    expect(f.known).toBe(false);
    expect(f.name).toBe('fast SMC32 call 7 of OEM service');
  });

  it('recognises RPC returns', () => {
    expect(isRpcReturn(0xffff0005)).toBe(true);
    expect(rpcName(0xffff0005)).toBe('OPTEE_SMC_RETURN_RPC_CMD');
    expect(isRpcReturn(0)).toBe(false);
    expect(isRpcReturn(0xffffffff)).toBe(false); // UNKNOWN_FUNCTION shares the prefix but is no RPC
  });
});

describe('Monitor', () => {
  it('answers an unknown function id with SMC_UNK and traces it', () => {
    const events = new EventBus();
    events.verbose = true;
    const seen: DeviceEvent[] = [];
    events.on((e) => seen.push(e));
    const offs: string[] = [];
    const monitor = new Monitor(events, [new PsciService({ systemOff: (r) => offs.push(r), systemReset: () => {} })]);
    expect(monitor.smc([0x83000007, 1, 2, 3, 0, 0, 0, 0])).toEqual([SMC_UNK]);
    expect(seen).toContainEqual(expect.objectContaining({ type: 'smc', fid: 0x83000007, args: [1, 2, 3, 0, 0, 0, 0] }));
    expect(seen).toContainEqual(expect.objectContaining({ type: 'smc-return', fid: 0x83000007, outcome: 'UNKNOWN_FUNCTION (SMC_UNK)' }));
    expect(monitor.smc([0x84000000, 0, 0, 0, 0, 0, 0, 0])).toEqual([PSCI_VERSION_1_1]);
    monitor.smc([0x84000008, 0, 0, 0, 0, 0, 0, 0]);
    expect(offs).toHaveLength(1);
    expect(seen.filter((e) => e.type === 'world-switch')).toHaveLength(0); // PSCI stays at EL3
  });
});
