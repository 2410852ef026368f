/**
 * The engine registry: engines join it on creation (explicitly or through an engine scope),
 * are announced with their label, and leave it on close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cpu, PERM } from '../../emulator/cpu/cpu.js';
import { EngineRegistry, type EngineRecord } from '../../emulator/cpu/engines.js';

const CODE = 0x40000000;

const open: Cpu[] = [];
function track(c: Cpu): Cpu {
  open.push(c);
  return c;
}
afterEach(() => { while (open.length) open.pop()!.close(); });

/** A registry that records its events as "created <label> (<world>)" / "closed <label>". */
function recorded(): { registry: EngineRegistry<Cpu>; log: string[] } {
  const registry = new EngineRegistry<Cpu>();
  const log: string[] = [];
  registry.onCreated((e: EngineRecord<Cpu>) => log.push(`created #${e.id} ${e.label} (${e.world})`));
  registry.onClosed((e: EngineRecord<Cpu>) => log.push(`closed #${e.id} ${e.label}`));
  return { registry, log };
}

describe('EngineRegistry', () => {
  it('announces an engine created with a label, lists it, and reports its close', () => {
    const { registry, log } = recorded();
    const nw = track(Cpu.create({ model: 'cortex-a53', secure: false, registry, label: 'normal world' }));
    expect(log).toEqual(['created #1 normal world (normal)']);
    expect(registry.list().map((e) => [e.id, e.label, e.world, e.cpu === nw])).toEqual([[1, 'normal world', 'normal', true]]);
    expect(nw.label).toBe('normal world');
    nw.close();
    nw.close(); // closing twice reports once
    expect(log).toEqual(['created #1 normal world (normal)', 'closed #1 normal world']);
    expect(registry.list()).toEqual([]);
  });

  it('takes engines created with it but no label, announced once they are named, numbered per name', () => {
    const { registry, log } = recorded();
    const a = track(Cpu.create({ model: 'cortex-a53', secure: true, registry }));
    expect(log).toEqual([]); // not announced before it has its name
    expect(registry.list().map((e) => e.label)).toEqual(['secure engine 1']);
    a.setLabel('TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b', true);
    const b = track(Cpu.create({ model: 'cortex-a53', secure: true, registry }));
    b.setLabel('TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b', true);
    expect(b.label).toBe('TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b instance 2');
    a.close();
    expect(log).toEqual([
      'created #1 TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b instance 1 (secure)',
      'created #2 TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b instance 2 (secure)',
      'closed #1 TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b instance 1',
    ]);
    // Outside the scope, engines join no registry.
    const loose = track(Cpu.create({ model: 'cortex-a53', secure: true }));
    expect(registry.find(loose)).toBeUndefined();
    expect(registry.list().map((e) => e.id)).toEqual([2]);
  });

  it('announces an unnamed engine before its first run, and not again', () => {
    const { registry, log } = recorded();
    const c = track(Cpu.create({ model: 'cortex-a53', secure: true, registry }));
    c.mapRam(CODE, 0x1000, PERM.RWX);
    c.write(CODE, Buffer.from([0x7f, 0x20, 0x03, 0xd5])); // wfi
    let seenBeforeRun = false;
    registry.onCreated((e) => { seenBeforeRun = e.cpu === c && !c.running; });
    c.run(CODE);
    c.run(CODE);
    expect(seenBeforeRun).toBe(true);
    expect(log).toEqual(['created #1 secure engine 1 (secure)']);
  });

  it('does not report the close of an engine it never announced, and removes listeners', () => {
    const { registry, log } = recorded();
    const extra: string[] = [];
    const remove = registry.onCreated((e) => extra.push(e.label));
    remove();
    track(Cpu.create({ model: 'cortex-a53', secure: true, registry })).close();
    track(Cpu.create({ model: 'cortex-a53', secure: true, registry, label: 'x' }));
    expect(log).toEqual(['created #2 x (secure)']);
    expect(extra).toEqual([]);
  });

  it('calls every listener even if one throws, and then rethrows (the engine is closed again)', () => {
    const registry = new EngineRegistry<Cpu>();
    const seen: string[] = [];
    registry.onCreated(() => { throw new Error('listener failed'); });
    registry.onCreated((e) => seen.push(`created ${e.label}`));
    registry.onClosed((e) => seen.push(`closed ${e.label}`));
    expect(() => Cpu.create({ model: 'cortex-a53', secure: false, registry, label: 'nw' })).toThrow('listener failed');
    expect(seen).toEqual(['created nw', 'closed nw']);
    expect(registry.list()).toEqual([]);
  });
});
