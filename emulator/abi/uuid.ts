/**
 * UUIDs in the three forms the TEE meets: canonical strings, RFC 4122 octets (big-endian, as
 * in optee_msg and the signed-TA header) and the native TEE_UUID struct (little-endian words,
 * as in ta_head and syscall arguments).
 */
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(text: string): boolean {
  return CANONICAL.test(text.toLowerCase());
}

/** Canonical lowercase string from RFC 4122 octets. */
export function uuidFromOctets(octets: Uint8Array): string {
  const h = Buffer.from(octets.subarray(0, 16)).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 4122 octets from a canonical string (throws on a malformed one). */
export function uuidToOctets(uuid: string): Buffer {
  const lower = uuid.toLowerCase();
  if (!CANONICAL.test(lower)) throw new TypeError(`"${uuid}" is not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  return Buffer.from(lower.replace(/-/g, ''), 'hex');
}

/** Canonical string from a native TEE_UUID (timeLow u32, timeMid u16, timeHiAndVersion u16 LE). */
export function uuidFromTeeUuid(struct: Uint8Array): string {
  const b = Buffer.from(struct.subarray(0, 16));
  const octets = Buffer.alloc(16);
  octets.writeUInt32BE(b.readUInt32LE(0), 0);
  octets.writeUInt16BE(b.readUInt16LE(4), 4);
  octets.writeUInt16BE(b.readUInt16LE(6), 6);
  b.copy(octets, 8, 8, 16);
  return uuidFromOctets(octets);
}

/** Native TEE_UUID bytes from a canonical string. */
export function uuidToTeeUuid(uuid: string): Buffer {
  const o = uuidToOctets(uuid);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(o.readUInt32BE(0), 0);
  out.writeUInt16LE(o.readUInt16BE(4), 4);
  out.writeUInt16LE(o.readUInt16BE(6), 6);
  o.copy(out, 8, 8, 16);
  return out;
}

