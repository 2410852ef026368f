import { afterEach, describe, expect, it } from 'vitest';
import { Cpu, EXCP, PERM, REG, type MemoryFault } from '../../emulator/cpu/cpu.js';
import { chooseLibrary } from '../../emulator/cpu/library.js';

const CODE = 0x40000000;

/** Little-endian bytes of A64 instruction words. */
function code(...words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b;
}

const cpus: Cpu[] = [];
function cpu(secure = true, model: 'cortex-a53' | 'cortex-a72' = 'cortex-a53'): Cpu {
  const c = Cpu.create({ model, secure });
  cpus.push(c);
  c.mapRam(CODE, 0x10000, PERM.RWX);
  return c;
}
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

describe('Cpu', () => {
  it('runs code and reports svc with the PC after it', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd2800020, // mov x0, #1
      0x91000800, // add x0, x0, #2
      0xd4000001, // svc #0
    ));
    const seen: [number, number][] = [];
    c.addInterruptListener((intno) => { seen.push([intno, c.pc]); c.stop(); });
    expect(c.run(CODE)).toBe(0);
    expect(seen).toEqual([[EXCP.SWI, CODE + 12]]);
    expect(c.x(0)).toBe(3n);
  });

  it('traps smc at EL1 as EXCP_SMC and continues after the hook', () => {
    const c = cpu(false);
    c.write(CODE, code(
      0xd2800020, // mov x0, #1
      0xd4000003, // smc #0
      0x91000400, // add x0, x0, #1
      0xd4000001, // svc #0
    ));
    const seen: number[] = [];
    c.addInterruptListener((intno) => {
      seen.push(intno);
      if (intno === EXCP.SMC) c.setX(0, 41); else c.stop();
    });
    c.run(CODE);
    expect(seen).toEqual([EXCP.SMC, EXCP.SWI]);
    expect(c.x(0)).toBe(42n);
  });

  it('ends the run on wfi with the PC after it', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd2800020, // mov x0, #1
      0xd503207f, // wfi
      0xd2800040, // mov x0, #2
    ));
    expect(c.run(CODE)).toBe(0);
    expect(c.pc).toBe(CODE + 8);
    expect(c.stopRequested).toBe(false);
  });

  it('reports an unmapped load with its address and an exact PC', () => {
    const c = cpu();
    c.exactFaultPcs(CODE, CODE + 0x1000);
    c.write(CODE, code(
      0xd2800020, // mov x0, #1
      0xd2a1c000, // mov x0, #0x0e000000
      0xb9400001, // ldr w1, [x0]
    ));
    const faults: MemoryFault[] = [];
    c.addFaultListener((f) => { faults.push(f); return false; });
    const err = c.run(CODE);
    expect(err).toBe(6); // UC_ERR_READ_UNMAPPED
    expect(faults).toEqual([{ access: 'read', kind: 'unmapped', address: 0x0e000000, size: 4 }]);
    expect(c.pc).toBe(CODE + 8);
  });

  it('shares host memory between two engines', () => {
    const ram = new Uint8Array(new SharedArrayBuffer(0x1000));
    const a = cpu(false);
    const b = cpu(true);
    a.mapHost(0x42000000, ram, PERM.RW);
    b.mapHost(0x42000000, ram, PERM.RW);
    a.write(CODE, code(
      0xd2a84000, // mov x0, #0x42000000
      0xd2824681, // mov x1, #0x1234
      0xb9000001, // str w1, [x0]
      0xd4000001, // svc #0
    ));
    a.addInterruptListener(() => a.stop());
    a.run(CODE);
    expect(Buffer.from(ram.subarray(0, 4)).readUInt32LE(0)).toBe(0x1234);
    expect(b.read(0x42000000, 4).readUInt32LE(0)).toBe(0x1234);
  });

  it('runs code written by a guest store once its translations are flushed', () => {
    const c = cpu();
    const target = CODE + 0x100;
    c.write(target, code(
      0xd2800020, // mov x0, #1
      0xd4000001, // svc #0
    ));
    c.write(CODE, code(
      0x52800801, // mov w1, #0x40
      0x72ba5001, // movk w1, #0xd280, lsl #16     (w1 = "mov x0, #2")
      0xd2a80002, // mov x2, #0x40000000
      0x91040042, // add x2, x2, #0x100
      0xb9000041, // str w1, [x2]                  (rewrite the first instruction at target)
      0xd4000001, // svc #0
    ));
    c.addInterruptListener(() => c.stop());
    c.run(target);
    expect(c.x(0)).toBe(1n);
    c.run(CODE);
    c.run(target);
    // With the store fix the engine no longer watches guest stores for code (see library.ts):
    // the old translation still runs. The library as installed retranslates on the store.
    expect(c.x(0)).toBe(chooseLibrary().variant === 'store-fix' ? 1n : 2n);
    c.flushTranslations(target, target + 8);
    c.run(target);
    expect(c.x(0)).toBe(2n);
  });

  it('rethrows an error raised in a hook after stopping the engine', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd4000001, // svc #0
      0x14000000, // b .   (would spin forever if the engine kept running)
    ));
    c.addInterruptListener(() => { throw new Error('hook failed'); });
    expect(() => c.run(CODE)).toThrow('hook failed');
  });

  it('enters EL0 through an eret stub and traps privileged instructions there', () => {
    const c = cpu();
    c.write(CODE, code(0xd69f03e0)); // eret
    c.write(CODE + 0x100, code(
      0xd2800540, // mov x0, #42
      0xd4000001, // svc #0
      0xd5384241, // mrs x1, currentel  (UNDEFINED at EL0)
    ));
    c.setSysreg('ELR_EL1', BigInt(CODE + 0x100));
    c.setSysreg('SPSR_EL1', 0n);
    const seen: number[] = [];
    c.addInterruptListener((intno) => {
      seen.push(intno);
      if (intno !== EXCP.SWI) c.stop();
    });
    c.run(CODE);
    expect(seen).toEqual([EXCP.SWI, EXCP.UDEF]);
    expect(c.el).toBe(0);
    expect(c.x(0)).toBe(42n);
  });

  it('saves and restores a context, and batches register access', () => {
    const c = cpu();
    c.writeRegs([199, 200, REG.SP], [7, 8, 0x40008000]);
    const ctx = c.saveContext();
    c.writeRegs([199, 200], [0, 0]);
    c.restoreContext(ctx);
    expect(Array.from(c.readRegs([199, 200, REG.SP]))).toEqual([7n, 8n, 0x40008000n]);
  });

  it('rejects system registers outside the whitelist', () => {
    const c = cpu();
    expect(() => c.sysreg('CURRENTEL' as never)).toThrow(/not accessible/);
    expect(c.sysreg('MIDR_EL1')).toBe(0x410fd034n);
  });

  it('selects the Cortex-A72 model', () => {
    expect(cpu(true, 'cortex-a72').sysreg('MIDR_EL1')).toBe(0x410fd083n);
  });
});

describe('Cpu listeners', () => {
  it('calls interrupt listeners in registration order, and a remover takes one out', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd4000001, // svc #0
      0xd503207f, // wfi        (ends the run: neither listener stops the engine)
    ));
    const seen: string[] = [];
    const removeA = c.addInterruptListener(() => { seen.push(`a${c.running ? ' (running)' : ''}`); });
    c.addInterruptListener(() => { seen.push('b'); });
    c.run(CODE);
    expect(seen).toEqual(['a (running)', 'b']);
    expect(c.running).toBe(false);
    removeA();
    removeA(); // removing twice is harmless
    c.run(CODE);
    expect(seen).toEqual(['a (running)', 'b', 'b']);
  });

  it('lets a listener claim an event, and puts a `first` listener ahead of the others', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd4000001, // svc #0
      0xd503207f, // wfi
    ));
    const seen: string[] = [];
    c.addInterruptListener(() => { seen.push('owner'); return true; });
    c.addInterruptListener(() => { seen.push('never'); });
    c.addInterruptListener(() => { seen.push('debugger'); }, { first: true });
    c.run(CODE);
    expect(seen).toEqual(['debugger', 'owner']);
  });

  it('stops at an interrupt when nobody listens', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd4000001, // svc #0
      0xd2800020, // mov x0, #1
      0xd503207f, // wfi
    ));
    c.addInterruptListener(() => {})(); // added and removed at once
    expect(c.run(CODE)).toBe(0);
    expect(c.stopRequested).toBe(true);
    expect(c.x(0)).toBe(0n);
    expect(c.pc).toBe(CODE + 4);
  });

  it('stops the engine when a listener throws, skips the later ones, and rethrows the first error after the run', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd4000001, // svc #0
      0x14000000, // b .   (would spin forever if the engine kept running)
    ));
    const seen: string[] = [];
    const removeThrower = c.addInterruptListener(() => { throw new Error('first listener failed'); });
    c.addInterruptListener(() => { seen.push('second'); });
    expect(() => c.run(CODE)).toThrow('first listener failed');
    expect(seen).toEqual([]);
    expect(c.running).toBe(false);
    // The engine is usable again once the thrower is gone.
    removeThrower();
    c.addInterruptListener(() => c.stop());
    expect(c.run(CODE)).toBe(0);
    expect(seen).toEqual(['second']);
  });

  it('calls fault listeners in order until one fixes the fault, then retries the access', () => {
    const c = cpu();
    c.write(CODE, code(
      0xd2a1c000, // mov x0, #0x0e000000
      0xb9400001, // ldr w1, [x0]
      0xd4000001, // svc #0
    ));
    const seen: string[] = [];
    c.addFaultListener((f) => { seen.push(`observer ${f.access} ${f.kind}`); });
    c.addFaultListener((f) => {
      seen.push('mapper');
      c.mapRam(f.address, 0x1000, PERM.RW);
      c.write(f.address, code(0x12345678));
      return true;
    });
    c.addFaultListener(() => { seen.push('never'); return true; });
    c.addInterruptListener(() => c.stop());
    expect(c.run(CODE)).toBe(0);
    expect(seen).toEqual(['observer read unmapped', 'mapper']);
    expect(c.x(1)).toBe(0x12345678n);
  });
});

describe('host memory lifetime', () => {
  it('keeps mapped host memory alive after the caller drops it (regression: SIGSEGV in code fetch)', () => {
    const c = cpu();
    (() => {
      const ram = new Uint8Array(new SharedArrayBuffer(0x10000));
      ram.set(code(
        0xd2800540, // mov x0, #42
        0xd4000001, // svc #0
      ));
      c.mapHost(0x50000000, ram, PERM.RWX);
    })();
    // Churn the heap so that an unreferenced SharedArrayBuffer would be collected.
    for (let i = 0; i < 200; i++) new SharedArrayBuffer(1 << 20);
    (globalThis as { gc?: () => void }).gc?.();
    c.addInterruptListener(() => c.stop());
    c.run(0x50000000);
    expect(c.x(0)).toBe(42n);
  });
});
