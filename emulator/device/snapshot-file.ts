/**
 * The snapshot file: a small header, then the body (snapshot.ts DeviceSnapshot) in CBOR.
 *
 *   offset 0   "TBSNAP"                      magic, 6 bytes
 *          6   format version                u16 little-endian (SNAPSHOT_FORMAT)
 *          8   header length H               u32 little-endian
 *         12   header, H bytes               CBOR map: board, emulator (version), takenAt,
 *                                            bodyBytes, bodySha256 (32 bytes)
 *     12 + H   body, bodyBytes bytes         CBOR map (DeviceSnapshot)
 *
 * Reading checks everything before anything is used, and each refusal is a SnapshotError that
 * names the file and what is wrong: not a snapshot, another format version, truncated or
 * longer than its header says, a body whose SHA-256 differs (corrupt), another board, and any
 * field of the body that is missing, of the wrong type or out of range (page runs outside
 * their region, paths outside the state folders...). Nothing is restored from a file that
 * fails, so a bad file never costs the device it would replace.
 *
 * The file holds the device's fuses (hardware/otp-fuses.bin, sealed when the device is): keep
 * it as private as the state directory. It is written with mode 0600.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encoder } from 'cbor-x';
import { sha256 } from '../host/crypto.js';
import { region, type Board } from '../machine/board.js';
import { getBoard } from '../machine/boards.js';
import { projectRoot } from './image.js';
import { NORMAL_REGS_BYTES, SNAPSHOT_DIRS, type DeviceSnapshot, type PageRun } from './snapshot.js';
import { FUSES_FILE, HARDWARE_DIR } from './state.js';

export const SNAPSHOT_MAGIC = Buffer.from('TBSNAP', 'latin1');
/** The format this emulator writes and reads. */
export const SNAPSHOT_FORMAT = 1;
const FIXED = 12;
const MAX_HEADER = 4096;
/** Most bytes a UART line, a seed or a random pool may have in a snapshot. */
const MAX_SMALL = 4096;

/** A snapshot file that cannot be used, and why (one sentence, naming the file). */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** What the header says. */
export interface SnapshotHeader {
  board: string;
  emulator: string;
  takenAt: string;
  bodyBytes: number;
  bodySha256: Uint8Array;
}

const cbor = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false, variableMapSize: true, pack: false });

let version: string | undefined;
/** This emulator's version (package.json). */
export function emulatorVersion(): string {
  version ??= (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** The bytes of a snapshot file. */
export function encodeSnapshot(s: DeviceSnapshot): Buffer {
  const body = cbor.encode(s);
  const header = cbor.encode({ board: s.board, emulator: s.emulator, takenAt: s.takenAt, bodyBytes: body.length, bodySha256: sha256(body) });
  const fixed = Buffer.alloc(FIXED);
  SNAPSHOT_MAGIC.copy(fixed, 0);
  fixed.writeUInt16LE(SNAPSHOT_FORMAT, 6);
  fixed.writeUInt32LE(header.length, 8);
  return Buffer.concat([fixed, header, body]);
}

/**
 * Reads and checks a snapshot (see the file header); `name` names it in errors, `board` (when
 * given) is the board it must be of.
 */
export function decodeSnapshot(bytes: Uint8Array, name: string, board?: Board): DeviceSnapshot {
  const fail = (what: string): never => {
    throw new SnapshotError(`snapshot ${name}: ${what}`);
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < FIXED || !buf.subarray(0, 6).equals(SNAPSHOT_MAGIC)) fail('not a TrustBox snapshot file (no TBSNAP header)');
  const format = buf.readUInt16LE(6);
  if (format !== SNAPSHOT_FORMAT) {
    fail(`format version ${format}, and this emulator (${emulatorVersion()}) reads version ${SNAPSHOT_FORMAT} only: ` +
      'take the snapshot again with this emulator');
  }
  const { header, headerBytes } = readHeader(buf, fail);
  const body = buf.subarray(FIXED + headerBytes);
  if (body.length < header.bodyBytes) fail(`truncated: the header says ${header.bodyBytes} bytes of body, the file has ${body.length}`);
  if (body.length > header.bodyBytes) fail(`${body.length - header.bodyBytes} bytes follow the body its header describes (damaged)`);
  if (!sha256(body).equals(header.bodySha256)) fail('corrupt: the SHA-256 of its body differs from the one its header records');
  if (board && header.board !== board.name) {
    fail(`it was taken on board ${header.board}, and this device is a ${board.name}: restore it on a ${header.board} (--board ${header.board})`);
  }
  let decoded: unknown;
  try {
    decoded = cbor.decode(body);
  } catch {
    fail('its body is damaged (not CBOR)');
  }
  return checkBody(decoded, header, fail);
}

/** The bytes of snapshot file `path`; a SnapshotError when it cannot be read. */
export function readSnapshotFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotError(`snapshot ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`}`);
  }
}

/** The CBOR header after the fixed part, its length checked, then its fields (`checkHeader`). */
function readHeader(buf: Buffer, fail: (what: string) => never): { header: ReturnType<typeof checkHeader>; headerBytes: number } {
  const headerBytes = buf.readUInt32LE(8);
  if (headerBytes > MAX_HEADER || FIXED + headerBytes > buf.length) fail(`truncated or damaged: its header says it is ${headerBytes} bytes long`);
  let raw: unknown;
  try {
    raw = cbor.decode(buf.subarray(FIXED, FIXED + headerBytes));
  } catch {
    fail('its header is damaged (not CBOR)');
  }
  return { header: checkHeader(raw, fail), headerBytes };
}

/** The board a snapshot file says it was taken on (its header only; decodeSnapshot checks the rest). */
export function snapshotBoard(path: string): string {
  const buf = readSnapshotFile(path);
  const fail = (what: string): never => {
    throw new SnapshotError(`snapshot ${path}: ${what}`);
  };
  if (buf.length < FIXED || !buf.subarray(0, 6).equals(SNAPSHOT_MAGIC)) fail('not a TrustBox snapshot file (no TBSNAP header)');
  return readHeader(buf, fail).header.board;
}

type Fail = (what: string) => never;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isInt = (v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isBytes = (v: unknown, max = Infinity): v is Uint8Array => v instanceof Uint8Array && v.length <= max;
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isBig = (v: unknown): boolean => typeof v === 'bigint' ? v >= 0n && v < 2n ** 64n : isInt(v);

function checkHeader(v: unknown, fail: Fail): SnapshotHeader {
  if (!isMap(v) || !isStr(v.board, 64) || !isStr(v.emulator, 64) || !isStr(v.takenAt, 64) || !isInt(v.bodyBytes)
    || !isBytes(v.bodySha256) || v.bodySha256.length !== 32) {
    return fail('its header is damaged (fields missing or of the wrong type)');
  }
  return v as unknown as SnapshotHeader;
}

/** Throws (fail) unless `runs` are page runs inside a region of `size` bytes, in order, apart. */
function checkRuns(v: unknown, size: number, what: string, fail: Fail): PageRun[] {
  if (!Array.isArray(v)) fail(`${what}: not a list of page runs`);
  let end = 0;
  for (const r of v as unknown[]) {
    if (!isMap(r) || !isInt(r.offset) || !isBytes(r.bytes) || r.offset % 4096 !== 0 || r.bytes.length === 0 || r.bytes.length % 4096 !== 0) {
      fail(`${what}: a page run is damaged`);
    }
    const run = r as unknown as PageRun;
    if (run.offset < end || run.offset + run.bytes.length > size) fail(`${what}: a page run lies outside the region or over another`);
    end = run.offset + run.bytes.length;
  }
  return v as PageRun[];
}

const SEGMENT = /^[A-Za-z0-9._-]{1,255}$/;
/** A path below SNAPSHOT_DIRS: '/'-separated plain names, never `.` or `..`. */
function safePath(p: unknown): p is string {
  if (!isStr(p, 1024)) return false;
  const parts = p.split('/');
  return (SNAPSHOT_DIRS as readonly string[]).includes(parts[0]!) && parts.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
}

function checkCore(v: unknown, fail: Fail): void {
  if (!isMap(v)) fail('its TEE core state is missing');
  const c = v as Record<string, unknown>;
  const ok = isInt(c.lastSession, 0, 0x7fffffff) && isInt(c.nextThread, 1) && isInt(c.secureNextFit)
    && isBytes(c.bootSeed) && c.bootSeed.length === 32
    && (c.rpcArg === undefined || (isMap(c.rpcArg) && isInt(c.rpcArg.pa) && isBig(c.rpcArg.cookie)))
    && Array.isArray(c.registeredShm) && c.registeredShm.every((r) => Array.isArray(r) && r.length === 3 && isBig(r[0]) && isInt(r[1]) && isInt(r[2]))
    && Array.isArray(c.taTimes) && c.taTimes.every((t) => Array.isArray(t) && t.length === 2 && isStr(t[0], 64) && Number.isFinite(t[1]))
    && Array.isArray(c.measurements) && c.measurements.every((e) => isMap(e) && isStr(e.type, 16) && isStr(e.description)
      && isBytes(e.digest) && e.digest.length === 32 && (e.signerId === undefined || isBytes(e.signerId, 64))
      && (e.version === undefined || isStr(e.version, 64)) && (e.uuid === undefined || isStr(e.uuid, 64)));
  if (!ok) fail('its TEE core state is damaged');
  // cbor-x gives back 64-bit values below 2^53 as numbers: cookies are bigints again.
  const arg = c.rpcArg as { pa: number; cookie: bigint } | undefined;
  if (arg) arg.cookie = BigInt(arg.cookie);
  for (const r of c.registeredShm as [bigint, number, number][]) r[0] = BigInt(r[0]);
  for (const e of c.measurements as Record<string, unknown>[]) {
    for (const k of ['signerId', 'version', 'uuid']) if (e[k] === undefined) delete e[k];
    e.digest = Buffer.from(e.digest as Uint8Array);
  }
}

function checkBody(v: unknown, header: SnapshotHeader, fail: Fail): DeviceSnapshot {
  if (!isMap(v)) return fail('its body is not a map');
  const s = v as Record<string, unknown>;
  if (s.board !== header.board || !isStr(s.emulator, 64) || !isStr(s.takenAt, 64)) fail('its body does not match its header');
  let board: Board;
  try {
    board = getBoard(header.board);
  } catch {
    return fail(`it names board ${header.board}, which this emulator does not know`);
  }
  const report = s.report;
  if (!isMap(report) || typeof report.bootMs !== 'number' || !isStr(report.osUuid, 64)) fail('its boot report is damaged');
  const random = s.random;
  if (random !== undefined && !(isMap(random) && isBytes(random.seed, MAX_SMALL) && isInt(random.counter) && isBytes(random.pool, 64))) {
    fail('its random stream is damaged');
  }
  const clock = s.clock;
  if (!isMap(clock) || typeof clock.virtual !== 'boolean' || typeof clock.t !== 'number' || !(clock.t >= 0)) fail('its clock is damaged');
  const n = s.normal;
  if (!isMap(n) || !isBytes(n.regs) || n.regs.length !== NORMAL_REGS_BYTES || !isBytes(n.uart, MAX_SMALL)) fail('its normal-world CPU state is damaged');
  const normal = n as Record<string, unknown>;
  const dram = region(board, 'ns-dram');
  if (!isInt(normal.pc) || (normal.pc as number) < dram.base || (normal.pc as number) >= dram.base + dram.size) {
    fail('its normal-world PC is not in NS DRAM');
  }
  checkRuns(normal.dram, dram.size, 'NS DRAM', fail);
  checkRuns(normal.shm, region(board, 'ns-shm').size, 'NS shared memory', fail);
  if (!isBytes(s.secureUart, MAX_SMALL)) fail('its secure console state is damaged');
  checkCore(s.core, fail);
  if (!isMap(s.client) || !isInt(s.client.cookieGeneration)) fail('its client state is damaged');
  const e = s.engines;
  if (!isMap(e) || !isInt(e.nextId, 1) || !Array.isArray(e.instances)
    || !e.instances.every((i) => Array.isArray(i) && i.length === 2 && isStr(i[0]) && isInt(i[1]))) {
    fail('its engine numbering is damaged');
  }
  checkFiles(s, fail);
  if (!Array.isArray(s.dropped) || !s.dropped.every((d) => isStr(d, 64))) fail('its list of dropped TA instances is damaged');
  return s as unknown as DeviceSnapshot;
}

function checkFiles(s: Record<string, unknown>, fail: Fail): void {
  if (!Array.isArray(s.dirs) || !s.dirs.every(safePath)) fail('its list of state folders is damaged or leaves the state folders');
  const dirs = new Set(s.dirs as string[]);
  if (!Array.isArray(s.files)) fail('its list of state files is damaged');
  for (const f of s.files as unknown[]) {
    if (!isMap(f) || !safePath(f.path) || !isBytes(f.bytes)) fail('a state file is damaged, or its path leaves the state folders');
    const path = (f as { path: string }).path;
    if (!dirs.has(path.slice(0, path.lastIndexOf('/')))) fail(`state file ${path} lies in a folder the snapshot does not have`);
  }
  if (!(s.files as { path: string }[]).some((f) => f.path === `${HARDWARE_DIR}/${FUSES_FILE}`)) {
    fail(`it has no ${HARDWARE_DIR}/${FUSES_FILE} (the device's fuses)`);
  }
}
