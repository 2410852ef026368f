/**
 * A msgpack frame's structure, checked before it is decoded: how deep its maps and arrays nest
 * and how many values it holds. The walk reads only type bytes and lengths (strings, binaries
 * and extensions are skipped by their length), keeps no recursion and stops at the first value
 * over a limit, so a hostile frame (half a million nested arrays, an array that claims 2^32
 * elements, a million nils) costs at most `maxElements` steps and never reaches the decoder.
 */

/** What is wrong with a frame's structure: too deep or too many values, or not msgpack at all. */
export type FrameProblem = { kind: 'complex' | 'malformed'; message: string };

/** The walk's stack, reused by every call (the server runs on one thread); grown for a larger maxDepth. */
let stack = new Float64Array(16);

/** Bytes after the type byte that hold a length or count, by type byte (0: none). */
function lengthBytes(t: number): number {
  switch (t) {
    case 0xc4: case 0xc7: case 0xd9: return 1;
    case 0xc5: case 0xc8: case 0xda: case 0xdc: case 0xde: return 2;
    case 0xc6: case 0xc9: case 0xdb: case 0xdd: case 0xdf: return 4;
    default: return 0;
  }
}

/** Fixed sizes of scalars after the type byte. */
function scalarSize(t: number): number {
  switch (t) {
    case 0xc0: case 0xc2: case 0xc3: return 0;
    case 0xcc: case 0xd0: return 1;
    case 0xcd: case 0xd1: return 2;
    case 0xca: case 0xce: case 0xd2: return 4;
    case 0xcb: case 0xcf: case 0xd3: return 8;
    case 0xd4: return 2; case 0xd5: return 3; case 0xd6: return 5; case 0xd7: return 9; case 0xd8: return 17;
    default: return -1;
  }
}

/**
 * Undefined when the first msgpack value of `b` nests at most `maxDepth` containers deep (the
 * frame itself is depth 1) and holds at most `maxElements` values (map keys and values, array
 * elements and the frame itself); otherwise what is wrong.
 */
export function checkFrameStructure(b: Uint8Array, maxDepth: number, maxElements: number): FrameProblem | undefined {
  // remaining[d]: values still to read in the container at depth d (remaining[0]: the frame itself).
  if (stack.length < maxDepth + 1) stack = new Float64Array(maxDepth + 1);
  const remaining = stack;
  let depth = 1; // entries of `remaining` in use
  remaining[0] = 1;
  let pos = 0;
  let elements = 0;
  const n = b.length;
  while (depth > 0) {
    const top = depth - 1;
    if (remaining[top] === 0) {
      depth--;
      continue;
    }
    remaining[top]!--;
    if (++elements > maxElements) return { kind: 'complex', message: `the frame holds more than ${maxElements} values` };
    if (pos >= n) return { kind: 'malformed', message: 'the frame is not msgpack (it ends inside a value)' };
    const t = b[pos]!;
    let count = -1; // a container's values to read, or -1 for a scalar
    if (t <= 0x7f || t >= 0xe0) pos += 1;
    else if (t <= 0x8f) { count = (t & 0x0f) * 2; pos += 1; }
    else if (t <= 0x9f) { count = t & 0x0f; pos += 1; }
    else if (t <= 0xbf) pos += 1 + (t & 0x1f);
    else {
      const lb = lengthBytes(t);
      if (lb > 0) {
        if (pos + 1 + lb > n) return { kind: 'malformed', message: 'the frame is not msgpack (it ends inside a length)' };
        const len = lb === 1 ? b[pos + 1]! : lb === 2 ? (b[pos + 1]! << 8) | b[pos + 2]! : ((b[pos + 1]! << 24) >>> 0) + ((b[pos + 2]! << 16) | (b[pos + 3]! << 8) | b[pos + 4]!);
        pos += 1 + lb;
        if (t === 0xdc || t === 0xdd) count = len;
        else if (t === 0xde || t === 0xdf) count = len * 2;
        else pos += len + (t >= 0xc7 && t <= 0xc9 ? 1 : 0); // bin, str: the bytes; ext: its type byte too
      } else {
        const size = scalarSize(t);
        if (size < 0) return { kind: 'malformed', message: `the frame is not msgpack (type byte 0x${t.toString(16)})` };
        pos += 1 + size;
      }
    }
    if (count >= 0) {
      if (depth > maxDepth) return { kind: 'complex', message: `the frame nests deeper than ${maxDepth} maps and arrays` };
      if (count > maxElements - elements) return { kind: 'complex', message: `the frame holds more than ${maxElements} values` };
      remaining[depth++] = count;
    }
  }
  if (pos > n) return { kind: 'malformed', message: 'the frame is not msgpack (it ends inside a value)' };
  return undefined;
}
