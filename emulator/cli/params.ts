/**
 * Parameter specs on the command line and in `trustbox session` requests, and the JSON shape
 * of results: `{"result":"0x........","origin":N,"params":[...]}`.
 */
import type { ClientParam, ClientResult, ClientResultParam } from '../ree/teec.js';
import { hex32 } from '../abi/results.js';

/** Parses `none`, `value-in:A,B`, `value-out`, `value-inout:A,B`, `memref-in:HEX`, `memref-out:SIZE`, `memref-inout:HEX`. */
export function parseParamSpec(spec: string): ClientParam {
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
      if (size > 1 << 20) throw new Error(`"${spec}": at most 1 MiB per buffer`);
      return { type: 'memref-out', size };
    }
    default:
      throw new Error(`unknown parameter "${spec}"; use none, value-in:A,B, value-out, value-inout:A,B, ` +
        'memref-in:HEX, memref-out:SIZE or memref-inout:HEX');
  }
}

export function parseParamSpecs(specs: string[]): ClientParam[] {
  if (specs.length > 4) throw new Error('at most 4 parameters');
  return specs.map(parseParamSpec);
}

export type JsonParam =
  | { type: 'none' }
  | { type: 'value'; a: number; b: number }
  | { type: 'memref'; hex: string; size: number };

export function paramToJson(p: ClientResultParam): JsonParam {
  if (p.type === 'none') return { type: 'none' };
  if (p.type === 'value') return { type: 'value', a: p.a, b: p.b };
  return { type: 'memref', hex: Buffer.from(p.data).toString('hex'), size: p.size };
}

export function resultToJson(r: ClientResult): { result: string; origin: number; params: JsonParam[] } {
  return { result: hex32(r.result), origin: r.origin, params: r.params.map(paramToJson) };
}
