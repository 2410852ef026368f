/**
 * A TA entry's parameters on the TA's side: memref windows mapped into its address space and
 * struct utee_params written at the stack top before the entry, and the answered values and
 * sizes read back after it. Written straight into the stack's bytes when the block lies in the
 * stack mapping (the usual case), through the address space's checked copies otherwise.
 */
import {
  TEE_NUM_PARAMS, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_VALUE_INPUT,
  TEE_PARAM_TYPE_VALUE_OUTPUT,
} from '../abi/tee-api.js';
import { isMemref, type TaParams } from './params.js';
import { PARAM_BASE, type TaAddressSpace, type VmRegion } from './ta-space.js';
import { UTEE_PARAMS_SIZE, uteeSize, uteeWord, viewOf, writeUteeParams } from './utee-params.js';

export class TaParamBlock {
  private readonly stackView: DataView;

  constructor(private readonly space: TaAddressSpace, private readonly stackRegion: VmRegion) {
    this.stackView = viewOf(stackRegion.bytes);
  }

  /** utee_params.vals for one entry, reused. */
  private readonly vals: number[] = new Array<number>(2 * TEE_NUM_PARAMS).fill(0);

  /**
   * The stack region's bytes when [va, va + UTEE_PARAMS_SIZE) still lies in it (the usual
   * case), else undefined (the checked copy helpers of the address space decide).
   */
  private view(va: number): { view: DataView; off: number } | undefined {
    const r = this.space.regionAt(va);
    if (!r || r !== this.stackRegion || r.prot !== 'rw' || va + UTEE_PARAMS_SIZE > r.va + r.size) return undefined;
    return { view: this.stackView, off: va - r.va };
  }

  /** Writes struct utee_params (types, then a/b of each parameter) at `up`. */
  write(up: number, types: number, vals: readonly number[]): void {
    const at = this.view(up);
    if (at) return writeUteeParams(at.view, at.off, types, vals);
    const block = Buffer.alloc(UTEE_PARAMS_SIZE);
    writeUteeParams(viewOf(block), 0, types, vals);
    this.space.write(up, block);
  }

  /**
   * The windows of the last entry, still mapped. Mapping and unmapping a window costs about
   * 10 us each in the engine (Unicorn rebuilds its memory map), and a client that calls again
   * usually passes the same shared-memory pages: an entry whose memref lies in exactly the same
   * bytes, with the same access, gets the same mapping back. Everything else is unmapped before
   * the TA runs, so an entry still sees only its own parameters (the TA never runs between
   * entries; `release` drops them when the instance ends).
   */
  private kept: VmRegion[] = [];

  /** Maps memref windows into the param area; returns utee_params.vals. */
  map(params: TaParams, mapped: VmRegion[]): number[] {
    const vals = this.vals;
    vals.fill(0);
    const reuse: (VmRegion | undefined)[] = [undefined, undefined, undefined, undefined];
    if (this.kept.length > 0) {
      for (let i = 0; i < TEE_NUM_PARAMS; i++) {
        const p = params[i]!;
        if (!isMemref(p.type) || !p.mem) continue;
        const prot = p.type === TEE_PARAM_TYPE_MEMREF_INPUT ? 'r' : 'rw';
        const w = p.mem.window;
        const at = this.kept.findIndex((r) => r.bytes.buffer === w.buffer && r.bytes.byteOffset === w.byteOffset &&
          r.size === w.length && r.prot === prot && r.secure === p.mem!.secure && this.space.regionAt(r.va) === r);
        if (at >= 0) reuse[i] = this.kept.splice(at, 1)[0];
      }
      for (const r of this.kept) this.space.unmap(r);
      this.kept = [];
    }
    for (let i = 0; i < TEE_NUM_PARAMS; i++) {
      const p = params[i]!;
      if (isMemref(p.type)) {
        if (!p.mem) {
          vals[2 * i + 1] = p.nullSize ?? 0; // NULL memref: va 0 (a size query when the size is not 0)
          continue;
        }
        let region = reuse[i];
        if (!region) {
          const prot = p.type === TEE_PARAM_TYPE_MEMREF_INPUT ? 'r' : 'rw';
          const va = this.space.findFree(p.mem.window.length, PARAM_BASE);
          region = this.space.mapShared(va, p.mem.window, prot, 'param', p.mem.secure);
        }
        mapped.push(region);
        vals[2 * i] = region.va + p.mem.offset;
        vals[2 * i + 1] = p.mem.size;
      } else if (p.type === TEE_PARAM_TYPE_VALUE_INOUT || p.type === TEE_PARAM_TYPE_VALUE_INPUT) {
        vals[2 * i] = p.a >>> 0;
        vals[2 * i + 1] = p.b >>> 0;
      }
    }
    return vals;
  }

  /** After an entry: its windows stay mapped for the next one (see `kept`). */
  keep(mapped: readonly VmRegion[]): void {
    this.kept.push(...mapped);
  }

  /** Unmaps the windows kept from the last entry. */
  release(): void {
    for (const r of this.kept) this.space.unmap(r);
    this.kept = [];
  }

  readBack(params: TaParams, up: number): void {
    let view: DataView;
    let off: number;
    const at = this.view(up);
    if (at) {
      ({ view, off } = at);
    } else {
      let block: Buffer;
      try {
        block = this.space.read(up, UTEE_PARAMS_SIZE);
      } catch {
        return; // the TA unmapped its own stack top: nothing to copy back
      }
      view = viewOf(block);
      off = 0;
    }
    for (let i = 0; i < TEE_NUM_PARAMS; i++) {
      const p = params[i]!;
      if (p.type === TEE_PARAM_TYPE_VALUE_OUTPUT || p.type === TEE_PARAM_TYPE_VALUE_INOUT) {
        p.a = uteeWord(view, off, i, 0);
        p.b = uteeWord(view, off, i, 1);
      } else if (isMemref(p.type) && p.type !== TEE_PARAM_TYPE_MEMREF_INPUT) {
        const size = uteeSize(view, off, i);
        if (p.mem) p.mem.size = size;
        else p.nullSize = size;
      }
    }
  }
}
