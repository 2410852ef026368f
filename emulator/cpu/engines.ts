/**
 * The registry of a device's CPU engines: every `Cpu` created for the device, with a label and a
 * world, and `created` / `closed` events. A debugger (the coming GDB stub) lists the engines as
 * its threads and follows TA instances as they come and go.
 *
 * One registry per device, owned by the device and passed down to where engines are created:
 * the normal world's engine gets it with its label (`Cpu.create({ registry, label })`), TA
 * engines through the TEE core, its TA loader and each instance's address space.
 *
 * Labels: an engine created with a label is announced (`created`) at once. One created without
 * a label is announced when it gets one (`Cpu.setLabel`; a TA instance names its engine right
 * after creating it), or else before its first run, under a generic label, so that a listener
 * always sees an engine before it executes anything.
 */

/** Which world an engine belongs to. */
export type EngineWorld = 'normal' | 'secure';

/**
 * What the registry and the device's pause need of an engine. `Cpu` is one; the registry is
 * generic over it so that this module does not import `cpu.ts` (which imports this one).
 */
export interface Engine {
  /** Whether the engine executes guest code now. */
  readonly running: boolean;
  /** Stops the engine at its next block boundary (safe inside its hooks). */
  stop(): void;
}

/** One registered engine. `label` may change (`Cpu.setLabel`). */
export interface EngineRecord<C extends Engine = Engine> {
  /** 1, 2, 3... in creation order within the registry, never reused (stable thread ids). */
  readonly id: number;
  readonly cpu: C;
  readonly world: EngineWorld;
  readonly label: string;
}

/** Called with an engine that was created or closed. */
export type EngineListener<C extends Engine = Engine> = (engine: EngineRecord<C>) => void;

interface Entry<C extends Engine> extends EngineRecord<C> {
  label: string;
  announced: boolean;
}

/** The engines of one device (`EngineRegistry<Cpu>`). */
export class EngineRegistry<C extends Engine = Engine> {
  private readonly entries = new Map<C, Entry<C>>();
  private readonly instanceCounts = new Map<string, number>();
  private nextId = 1;
  private createdListeners: readonly EngineListener<C>[] = [];
  private closedListeners: readonly EngineListener<C>[] = [];

  /** Calls `fn` for each engine announced from now on; returns its remover. */
  onCreated(fn: EngineListener<C>): () => void {
    this.createdListeners = [...this.createdListeners, fn];
    return () => { this.createdListeners = this.createdListeners.filter((l) => l !== fn); };
  }

  /** Calls `fn` for each announced engine that closes from now on; returns its remover. */
  onClosed(fn: EngineListener<C>): () => void {
    this.closedListeners = [...this.closedListeners, fn];
    return () => { this.closedListeners = this.closedListeners.filter((l) => l !== fn); };
  }

  /** The numbering state (next id, instances per name), for device snapshots. */
  counters(): { nextId: number; instances: [string, number][] } {
    return { nextId: this.nextId, instances: [...this.instanceCounts] };
  }

  /** Continues the numbering of a snapshot's registry (device restore). */
  setCounters(c: { nextId: number; instances: readonly (readonly [string, number])[] }): void {
    this.nextId = Math.max(this.nextId, c.nextId);
    this.instanceCounts.clear();
    for (const [name, n] of c.instances) this.instanceCounts.set(name, n);
  }

  /** The live engines, oldest first. */
  list(): EngineRecord<C>[] {
    return [...this.entries.values()];
  }

  /** The record of `cpu`, if it is registered here. */
  find(cpu: C): EngineRecord<C> | undefined {
    return this.entries.get(cpu);
  }

  /**
   * Registers an engine (called by `Cpu` itself on creation). With a label it is announced at
   * once; without one, when `label` or `announce` is called for it.
   */
  add(cpu: C, world: EngineWorld, label?: string): EngineRecord<C> {
    const id = this.nextId++;
    const entry: Entry<C> = { id, cpu, world, label: label ?? `${world} engine ${id}`, announced: false };
    this.entries.set(cpu, entry);
    if (label !== undefined) this.announce(cpu);
    return entry;
  }

  /**
   * Names an engine. `numbered` appends " instance N", N counting the engines given the same
   * name in this registry (1, 2, ...), e.g. "TA <uuid> instance 2". Announces the engine if it
   * was not yet. Returns the label.
   */
  label(cpu: C, name: string, numbered = false): string {
    const entry = this.entries.get(cpu);
    let label = name;
    if (numbered) {
      const n = (this.instanceCounts.get(name) ?? 0) + 1;
      this.instanceCounts.set(name, n);
      label = `${name} instance ${n}`;
    }
    if (entry) {
      entry.label = label;
      this.announce(cpu);
    }
    return label;
  }

  /** Emits `created` for an engine once (called by `Cpu` before its first run at the latest). */
  announce(cpu: C): void {
    const entry = this.entries.get(cpu);
    if (!entry || entry.announced) return;
    entry.announced = true;
    notify(this.createdListeners, entry);
  }

  /** Deregisters an engine (called by `Cpu.close`), emitting `closed` if it was announced. */
  remove(cpu: C): void {
    const entry = this.entries.get(cpu);
    if (!entry) return;
    this.entries.delete(cpu);
    if (entry.announced) notify(this.closedListeners, entry);
  }
}

/**
 * Calls every listener, even after one throws, and then rethrows the first error: one broken
 * listener must not hide an engine from the others.
 */
function notify<C extends Engine>(listeners: readonly EngineListener<C>[], entry: EngineRecord<C>): void {
  let failure: { error: unknown } | undefined;
  for (const fn of listeners) {
    try {
      fn(entry);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
