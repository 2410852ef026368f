/**
 * The call form's four parameter rows: a type (none, value input/output/inout, temporary memref
 * input/output/inout) and its fields (a and b for values; text, or hex:0011.. for bytes, and buffer size for memrefs),
 * turned into what TeecOperation takes, and the answer's parameters turned back into lines.
 */
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
  TEEC_VALUE_OUTPUT,
} from 'trustbox-emulator/client';

const TYPES = [
  [TEEC_NONE, 'none'], [TEEC_VALUE_INPUT, 'value input'], [TEEC_VALUE_OUTPUT, 'value output'], [TEEC_VALUE_INOUT, 'value inout'],
  [TEEC_MEMREF_TEMP_INPUT, 'memref input (text)'], [TEEC_MEMREF_TEMP_OUTPUT, 'memref output (size)'],
  [TEEC_MEMREF_TEMP_INOUT, 'memref inout (text, size)'],
];
const isValue = (t) => t >= TEEC_VALUE_INPUT && t <= TEEC_VALUE_INOUT;
const isMemref = (t) => t >= TEEC_MEMREF_TEMP_INPUT && t <= TEEC_MEMREF_TEMP_INOUT;
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** A memref's input: `hex:` and hex digits for bytes (`hex:00ff10`), anything else as UTF-8 text. */
export function bytesOf(text) {
  const m = /^hex:((?:[0-9a-fA-F]{2})*)$/.exec(text.trim());
  if (!m) return new TextEncoder().encode(text);
  return Uint8Array.from(m[1].match(/../g) ?? [], (h) => parseInt(h, 16));
}

export class ParamRows {
  rows = [];
  constructor(container) {
    for (let i = 0; i < 4; i++) {
      const row = document.createElement('div');
      row.className = 'param';
      const type = document.createElement('select');
      type.id = `p${i}-type`;
      for (const [t, name] of TYPES) type.append(new Option(`${name}`, String(t)));
      const a = Object.assign(document.createElement('input'), { id: `p${i}-a`, placeholder: 'a / text / hex:00ff', value: i === 0 ? '41' : '' });
      const b = Object.assign(document.createElement('input'), { id: `p${i}-b`, placeholder: 'b / size', value: i === 0 ? '0' : '' });
      if (i === 0) type.value = String(TEEC_VALUE_INOUT);
      row.append(`param ${i} `, type, ' ', a, ' ', b);
      container.append(row);
      this.rows.push({ type, a, b });
    }
  }

  /** The four param types and the TeecOperation parameters. */
  operation() {
    const types = [];
    const params = [];
    for (const r of this.rows) {
      const t = Number(r.type.value);
      types.push(t);
      if (isValue(t)) params.push({ value: { a: Number(r.a.value) >>> 0, b: Number(r.b.value) >>> 0 } });
      else if (isMemref(t)) {
        const text = t === TEEC_MEMREF_TEMP_OUTPUT ? new Uint8Array(0) : bytesOf(r.a.value);
        const size = t === TEEC_MEMREF_TEMP_INPUT ? text.length : Math.max(Number(r.b.value) >>> 0, text.length);
        const buffer = new Uint8Array(size);
        buffer.set(text);
        params.push({ tmpref: { buffer, size } });
      } else params.push({});
    }
    return { types, params };
  }
}

/** The parameters after the call, one line each (values, and the bytes memrefs got back). */
export function describeParams(types, params) {
  const lines = [];
  types.forEach((t, i) => {
    const p = params[i];
    if (isValue(t)) lines.push(`param ${i}: value a=${p.value.a} b=${p.value.b}`);
    if (isMemref(t)) {
      const bytes = p.tmpref.buffer.subarray(0, Math.min(p.tmpref.size, p.tmpref.buffer.length));
      lines.push(`param ${i}: memref size ${p.tmpref.size}: ${hex(bytes.subarray(0, 64))}${bytes.length > 64 ? '…' : ''}`);
    }
  });
  return lines;
}
