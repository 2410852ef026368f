/**
 * Parameters as people and tests write them: the `--param` specs of `trustbox invoke` and
 * `trustbox session` (`value-inout:41,0`, `memref-out:64`, ...), parsed into `ParamSpec`s, the
 * same objects tests write by hand. This is an edge vocabulary: a spec becomes the normal
 * world's one form (OPTEE_MSG params and input bytes, ree/tee-client.ts) for a device in this
 * process, or wire params (protocol.ts) for a running one, and results come back as
 * `ParamResult`s, printed as JSON: `{"result":"0x........","origin":N,"params":[...]}`.
 */
import {
  OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, type MsgParam,
} from '../abi/optee-msg.js';
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
  TEEC_VALUE_OUTPUT, type WireParam, type WireResultParam,
} from '../abi/protocol.js';
import { TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS, hex32 } from '../abi/results.js';
import type { CallResult, ParamBytes } from '../ree/tee-client.js';

/** One parameter as the CLI parses it and tests write it (temporary memrefs and values only). */
export type ParamSpec =
  | { type: 'none' }
  | { type: 'value-in' | 'value-inout'; a: number; b: number }
  | { type: 'value-out' }
  | { type: 'memref-in' | 'memref-inout'; data: Uint8Array }
  | { type: 'memref-out'; size: number };

/** One parameter after the call. */
export type ParamResult =
  | { type: 'none' }
  | { type: 'value'; a: number; b: number }
  /** `data`: the output bytes, empty for inputs or when `size` does not fit the buffer. */
  | { type: 'memref'; data: Uint8Array; size: number };

/** A call's outcome in the spec vocabulary. */
export interface SpecResult {
  result: number;
  origin: number;
  /** The new session, for an open. */
  session?: number;
  /** Empty when the request did not reach the TEE. */
  params: ParamResult[];
}

/** Largest memref-out buffer the command line asks for. */
const MAX_CLI_BUFFER = 1 << 20;
/** Parameters of one call (GP). */
const MAX_PARAMS = 4;

/** Parses `none`, `value-in:A,B`, `value-out`, `value-inout:A,B`, `memref-in:HEX`, `memref-out:SIZE`, `memref-inout:HEX`. */
export function parseParamSpec(spec: string): ParamSpec {
  const [kind, arg = ''] = spec.split(/:(.*)/s, 2) as [string, string?];
  const u32 = (text: string, what: string): number => {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new Error(`${what} in "${spec}" must be a number`);
    const n = Number(text);
    if (n > 0xffffffff) throw new Error(`${what} in "${spec}" does not fit 32 bits`);
    return n;
  };
  const pair = (): [number, number] => {
    const parts = arg.split(',');
    if (parts.length !== 2) throw new Error(`"${spec}" needs two values, A,B`);
    return [u32(parts[0]!.trim(), 'value a'), u32(parts[1]!.trim(), 'value b')];
  };
  const hexData = (): Uint8Array => {
    if (!/^([0-9a-f]{2})*$/i.test(arg)) throw new Error(`"${spec}" needs an even number of hex digits`);
    return Buffer.from(arg, 'hex');
  };
  switch (kind) {
    case 'none': return { type: 'none' };
    case 'value-in': { const [a, b] = pair(); return { type: 'value-in', a, b }; }
    case 'value-inout': { const [a, b] = pair(); return { type: 'value-inout', a, b }; }
    case 'value-out': return { type: 'value-out' };
    case 'memref-in': return { type: 'memref-in', data: hexData() };
    case 'memref-inout': return { type: 'memref-inout', data: hexData() };
    case 'memref-out': {
      const size = u32(arg, 'size');
      if (size > MAX_CLI_BUFFER) throw new Error(`"${spec}": at most 1 MiB per buffer`);
      return { type: 'memref-out', size };
    }
    default:
      throw new Error(`unknown parameter "${spec}"; use none, value-in:A,B, value-out, value-inout:A,B, ` +
        'memref-in:HEX, memref-out:SIZE or memref-inout:HEX');
  }
}

/** Parses the `--param` specs of one call (at most four). */
export function parseParamSpecs(specs: string[]): ParamSpec[] {
  if (specs.length > MAX_PARAMS) throw new Error(`at most ${MAX_PARAMS} parameters`);
  return specs.map(parseParamSpec);
}

const value = (attr: number, a: number, b: number): MsgParam => ({ attr, a: BigInt(a >>> 0), b: BigInt(b >>> 0), c: 0n });
const tmem = (attr: number, size: number): MsgParam => ({ attr, a: 0n, b: BigInt(size), c: 0n });

/** Specs in the normal world's form: MsgParams, and the input bytes of memrefs beside them. */
export function specsToMsg(specs: ParamSpec[]): { params: MsgParam[]; data?: ParamBytes } {
  let data: ParamBytes | undefined;
  const params = specs.map((p, i): MsgParam => {
    switch (p.type) {
      case 'none': return { attr: OPTEE_MSG_ATTR_TYPE_NONE, a: 0n, b: 0n, c: 0n };
      case 'value-in': return value(OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, p.a, p.b);
      case 'value-out': return value(OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
      case 'value-inout': return value(OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, p.a, p.b);
      case 'memref-out': return tmem(OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, p.size);
      default:
        (data ??= new Array<Uint8Array | undefined>(specs.length).fill(undefined))[i] = p.data;
        return tmem(p.type === 'memref-in' ? OPTEE_MSG_ATTR_TYPE_TMEM_INPUT : OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, p.data.length);
    }
  });
  return data ? { params, data } : { params };
}

/** A parameter's result from what came back: `a`/`b` of values, `size` and `bytes` of memrefs. */
function specResult(p: ParamSpec, a: number, b: number, size: number, bytes: Uint8Array | undefined): ParamResult {
  if (p.type === 'none') return { type: 'none' };
  if (p.type === 'value-in') return { type: 'value', a: p.a, b: p.b };
  if (p.type === 'value-out' || p.type === 'value-inout') return { type: 'value', a, b };
  return { type: 'memref', data: bytes ?? new Uint8Array(0), size }; // bytes are already a copy of the call's own
}

const low32 = (x: bigint | undefined): number => Number(BigInt.asUintN(32, x ?? 0n));

/** A call on a device in this process, in the spec vocabulary (with the session the firmware reports). */
export function resultFromCall(specs: ParamSpec[], r: CallResult): SpecResult {
  const params = r.params.length === 0 ? [] : specs.map((p, i) => {
    const m = r.params[i];
    return specResult(p, low32(m?.a), low32(m?.b), Number(m?.b ?? 0n), r.data?.[i]);
  });
  return { result: r.result, origin: r.origin, session: r.session, params };
}

/** A spec on the wire (registered memrefs are not a CLI matter). */
export function specToWire(p: ParamSpec): WireParam {
  switch (p.type) {
    case 'none': return { type: TEEC_NONE };
    case 'value-in': return { type: TEEC_VALUE_INPUT, a: p.a, b: p.b };
    case 'value-inout': return { type: TEEC_VALUE_INOUT, a: p.a, b: p.b };
    case 'value-out': return { type: TEEC_VALUE_OUTPUT };
    case 'memref-in': return { type: TEEC_MEMREF_TEMP_INPUT, size: p.data.length, data: p.data };
    case 'memref-inout': return { type: TEEC_MEMREF_TEMP_INOUT, size: p.data.length, data: p.data };
    case 'memref-out': return { type: TEEC_MEMREF_TEMP_OUTPUT, size: p.size };
  }
}

/** A call on a running device, in the spec vocabulary. */
export function resultFromWire(specs: ParamSpec[], r: { result: number; origin: number; session?: number; params: WireResultParam[] }): SpecResult {
  const params = specs.map((p, i) => {
    const w = r.params[i];
    return specResult(p, w?.a ?? 0, w?.b ?? 0, w?.size ?? 0, w?.data);
  });
  return { result: r.result, origin: r.origin, params, ...(r.session !== undefined ? { session: r.session } : {}) };
}

/** A parameter's result in the JSON output of `trustbox invoke --json` and `trustbox session`. */
export type JsonParam =
  | { type: 'none' }
  | { type: 'value'; a: number; b: number }
  | { type: 'memref'; hex: string; size: number };

/** A parameter's result as JSON (memref bytes as hex). */
export function paramToJson(p: ParamResult): JsonParam {
  if (p.type === 'none') return { type: 'none' };
  if (p.type === 'value') return { type: 'value', a: p.a, b: p.b };
  return { type: 'memref', hex: Buffer.from(p.data).toString('hex'), size: p.size };
}

/** A call's result as JSON: the result code as 0x-hex, the origin, the parameters. */
export function resultToJson(r: SpecResult): { result: string; origin: number; params: JsonParam[] } {
  return { result: hex32(r.result), origin: r.origin, params: definedOutputs(r).params.map(paramToJson) };
}

/**
 * What a call's result says about its parameters: everything after success; after an error,
 * GP defines only the size a memref needs (TEE_ERROR_SHORT_BUFFER), so nothing else is shown.
 */
export function definedOutputs(r: SpecResult): SpecResult {
  if (r.result === TEE_SUCCESS) return r;
  const params = r.result === TEE_ERROR_SHORT_BUFFER
    ? r.params.map((p): ParamResult => (p.type === 'memref' ? { type: 'memref', data: new Uint8Array(0), size: p.size } : { type: 'none' }))
    : [];
  return { ...r, params };
}
