/**
 * The TA loader, as OP-TEE's ldelf with the kernel's TA store: it takes a TA and the library
 * TAs it needs through the TA source pipeline (found, verified, decrypted, measured), links
 * them into one image and makes an instance with an address space of its own.
 */
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_ITEM_NOT_FOUND } from '../abi/results.js';
import type { Cpu, CpuModel } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import type { EventBus } from '../trace/events.js';
import { resolveDlsym } from './loader/dlsym.js';
import { parseElf, type ElfImage } from './loader/elf.js';
import { loadTa, type LoadedImage, type LoadedModule } from './loader/load.js';
import type { SecureMemory } from './secure-memory.js';
import type { SecureThread } from './service.js';
import type { TaSourcePipeline } from './ta-sources/pipeline.js';
import { TaInstance, type InstanceHost } from './ta-instance.js';
import { IMAGE_BASE, type MemoryLimit } from './ta-space.js';
import { readU32Property } from './loader/ta-props.js';
import { PAGE_SIZE } from '../machine/board.js';

export interface TaLoaderOptions {
  pipeline: TaSourcePipeline;
  memory: SecureMemory;
  model: CpuModel;
  /** The device's engine registry: each instance's engine joins it. */
  engines?: EngineRegistry<Cpu>;
  host: InstanceHost;
  events: EventBus;
  /** Make fault PCs exact (a code hook over the TA's executable sections). */
  exactFaultPcs: boolean;
  log(line: string): void;
  /** Measured boot: each TA loaded extends the measurement register (core.ts). */
  measured?(ta: { uuid: string; measurement: string; signerId: string }): void;
}

/** What dlopen() needs to link a library into a running instance: the ELFs it was linked from. */
interface Linked {
  main: Uint8Array;
  libraries: Map<string, Uint8Array>;
  /** The dlopen() calls that added modules, in order, with where they were placed. */
  opened: { libraries: string[]; base: number }[];
  /** UUIDs of every module mapped. */
  mapped: Set<string>;
  /** Every module mapped, in load order (the main TA first), with where it was placed. */
  modules: readonly LoadedModule[];
  /** Parsed ELFs of the modules, by UUID ('' for the main TA), filled by dlsym(). */
  parsed: Map<string, ElfImage>;
}

export class TaLoader {
  private readonly linked = new WeakMap<TaInstance, Linked>();

  constructor(private readonly o: TaLoaderOptions) {}

  /**
   * dlopen() of the library TA `uuid` into a running instance (PTA_SYSTEM_DLOPEN), as ldelf's
   * dlopen: the library and what it needs are fetched, placed above everything mapped, linked
   * against the loaded modules, and `__elf_phdr_info` is pointed at a new table that lists them
   * too. libutee then sets up their TLS and runs their constructors. Loading twice is a no-op.
   */
  *dlopen(ta: TaInstance, uuid: string): SecureThread<void> {
    const l = this.linked.get(ta);
    if (!l) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `TA ${ta.uuid} was not loaded by this loader`);
    const lib = uuid.toLowerCase();
    if (l.mapped.has(lib)) return;
    yield* this.fetchLibraries(l.libraries, [lib]);
    const plan = (base: number) => loadTa({
      elf: l.main, base: IMAGE_BASE, label: `TA ${ta.uuid}`, fetchLibrary: (u) => l.libraries.get(u.toLowerCase())!,
      dlopen: [...l.opened, { libraries: [lib], base }],
    });
    // Lay out once to learn the span, then again where that span is free.
    const span = plan(ta.image.end).end - ta.image.end;
    const base = ta.space.findFree(span, ta.image.end);
    const image = plan(base);
    for (const r of image.regions) {
      if (r.va >= base && r.va < base + span) ta.space.mapPrivate(r.va, r.size, r.prot, r.kind, r.bytes);
    }
    const info = image.regions.find((r) => r.kind === 'phdr-info');
    if (image.elfPhdrInfo !== undefined && info) {
      const struct = Buffer.alloc(16);
      struct.writeUInt16LE(image.modules.length, 4);
      struct.writeBigUInt64LE(BigInt(info.va), 8);
      ta.space.write(image.elfPhdrInfo, struct);
    }
    l.opened.push({ libraries: [lib], base });
    l.modules = image.modules;
    for (const m of image.modules) if (m.uuid) l.mapped.add(m.uuid.toLowerCase());
    this.o.log(`tee: TA ${ta.uuid}: dlopen ${lib} at 0x${base.toString(16)}`);
  }

  /**
   * dlsym() in a running instance (PTA_SYSTEM_DLSYM): the address of `name`, looked up first in
   * the module `uuid` names (undefined: dlopen(NULL)'s handle), then in every module in load order.
   */
  dlsym(ta: TaInstance, uuid: string | undefined, name: string): number {
    const l = this.linked.get(ta);
    if (!l) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `TA ${ta.uuid} was not loaded by this loader`);
    const modules = l.modules.map((m, i) => {
      const key = i === 0 ? '' : (m.uuid ?? '').toLowerCase();
      let elf = l.parsed.get(key);
      if (!elf) {
        const bytes = i === 0 ? l.main : l.libraries.get(key);
        if (!bytes) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `module ${m.name} has no ELF`);
        elf = parseElf(bytes, m.name);
        l.parsed.set(key, elf);
      }
      return { uuid: m.uuid, base: m.base, elf };
    });
    return resolveDlsym(modules, uuid, name);
  }

  private *fetchLibraries(libraries: Map<string, Uint8Array>, queue: string[]): SecureThread<void> {
    while (queue.length > 0) {
      const lib = queue.shift()!.toLowerCase();
      if (libraries.has(lib)) continue;
      const code = yield* this.o.pipeline.open(lib);
      libraries.set(lib, code.elf);
      queue.push(...parseElf(code.elf, `library ${lib}`).needed);
    }
  }

  /** A fresh instance of the TA `uuid`; throws a TeeError when any stage refuses it. */
  *load(uuid: string): SecureThread<TaInstance> {
    const t0 = this.o.events.now();
    const main = yield* this.o.pipeline.open(uuid);
    const libraries = new Map<string, Uint8Array>();
    const mainElf = parseElf(main.elf, `TA ${uuid}`);
    yield* this.fetchLibraries(libraries, [...mainElf.needed]);
    const image = loadTa({
      elf: main.elf, base: IMAGE_BASE, label: `TA ${uuid}`,
      fetchLibrary: (u) => {
        const elf = libraries.get(u.toLowerCase());
        if (!elf) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `library TA ${u} was not loaded`);
        return elf;
      },
    });
    if (image.taHead.uuid !== uuid) this.o.pipeline.refuse(uuid, `its ta_head names UUID ${image.taHead.uuid}`);
    const instance = new TaInstance({
      uuid, image, signer: main.signer, signerId: main.signerId, developmentSigner: main.developmentSigner,
      measurement: main.measurement,
      model: this.o.model, memory: this.o.memory, host: this.o.host, ...(this.o.engines ? { engines: this.o.engines } : {}),
      codeRanges: this.o.exactFaultPcs ? codeRanges(image, main.elf, libraries) : [],
    });
    this.o.measured?.({ uuid, measurement: main.measurement, signerId: main.signerId });
    this.linked.set(instance, {
      main: main.elf, libraries, opened: [], mapped: new Set(image.modules.flatMap((m) => (m.uuid ? [m.uuid.toLowerCase()] : []))),
      modules: image.modules, parsed: new Map([['', mainElf]]),
    });
    instance.space.setLimit(memoryLimit(image, readU32Property(mainElf, 'gpd.ta.dataSize')));
    const ms = this.o.events.now() - t0;
    this.o.log(`tee: loaded TA ${uuid} (${main.size} bytes, signed by ${main.signer}) at 0x${instance.loadAddress.toString(16)} ` +
      `in ${ms.toFixed(1)} ms; flags: ${instance.flagNames().join(', ') || 'none'}`);
    this.o.events.emit({
      type: 'ta-load', uuid, size: main.size, signer: main.signer, source: main.source, flags: instance.flagNames(),
    });
    return instance;
  }
}

/** At least this much room for MAP_ZI and the like, whatever gpd.ta.dataSize says. */
const MIN_DATA_ALLOWANCE = 1 << 20;

/**
 * What a TA instance may own (issue 12, item 8): its image, its stack, and room for MAP_ZI
 * buffers of max(gpd.ta.dataSize, 1 MiB). The heap itself is .bss, already in the image.
 */
export function memoryLimit(image: LoadedImage, dataSize: number | undefined): MemoryLimit {
  const imageBytes = image.regions.reduce((n, r) => n + r.size, 0);
  const stack = Math.ceil(image.taHead.stackSize / PAGE_SIZE) * PAGE_SIZE;
  const data = Math.max(dataSize ?? 0, MIN_DATA_ALLOWANCE);
  const dataText = data === MIN_DATA_ALLOWANCE ? '1 MiB' : String(data);
  return { bytes: imageBytes + stack + data, why: `image ${imageBytes} + stack ${stack} + data size ${dataText}` };
}

/**
 * Where each module's executable sections (.text, .plt...) are mapped: exact fault PCs are
 * asked for these ranges only, not for the whole RX segment, because the segment also holds
 * .rodata and a hook over data that code reads costs several times the run time.
 */
function codeRanges(image: LoadedImage, main: Uint8Array, libraries: ReadonlyMap<string, Uint8Array>): { va: number; end: number }[] {
  const SHF_EXECINSTR = 0x4;
  const out: { va: number; end: number }[] = [];
  image.modules.forEach((m, i) => {
    const elf = i === 0 ? main : m.uuid ? libraries.get(m.uuid.toLowerCase()) : undefined;
    if (!elf) return;
    for (const s of parseElf(elf).sections) {
      if ((s.flags & SHF_EXECINSTR) && s.size > 0) out.push({ va: m.base + s.addr, end: m.base + s.addr + s.size });
    }
  });
  return out;
}
