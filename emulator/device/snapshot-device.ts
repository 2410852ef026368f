/**
 * Taking a snapshot of a Device at rest and resuming one from it (snapshot.ts says what a
 * snapshot holds). `Device.snapshot()` and `Device.restore()` hand their parts to these
 * functions, so that device.ts keeps the boot chain and this file the snapshot's own rules:
 * when a device is at rest, which image and code a snapshot fits, and in which order a
 * restored device takes back its state (its clock and random stream last, so that nothing the
 * restore itself does moves them).
 */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { zeroHostRam, type Cpu } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import { seededRandom, sha256, systemRandom, type RandomSource } from '../host/crypto.js';
import type { Uart } from '../machine/uart.js';
import type { TeeClient } from '../ree/tee-client.js';
import type { Supplicant } from '../ree/supplicant.js';
import { realClock, virtualClock } from '../trace/clock.js';
import type { EventBus } from '../trace/events.js';
import type { TeeCore } from '../tee/core.js';
import type { BootImage } from './image.js';
import { codeMeasurement } from './measured-boot.js';
import type { NormalWorld } from './normal-world.js';
import type { RequestFlow } from './request-flow.js';
import { readPrivateFile } from './private-files.js';
import { emulatorVersion, SnapshotError } from './snapshot-file.js';
import { FUSES_FILE, HARDWARE_DIR } from './state.js';
import { resolveTrust, TRUST_FILE, type DeviceTrust } from './trust.js';
import { loadPages, loadRegisters, saveRegisters, savePages, saveStateFiles, type DeviceSnapshot } from './snapshot.js';

/** What a snapshot is taken from and put back into: the parts of one booted device. */
export interface SnapshotParts {
  board: string;
  stateDir: string;
  image: BootImage;
  core: TeeCore;
  client: TeeClient;
  supplicant: Supplicant;
  flow: RequestFlow;
  normal: NormalWorld;
  uart0: Uart;
  secureUart: Uart;
  memory: { dram: Uint8Array; shm: Uint8Array };
  engines: EngineRegistry<Cpu>;
  events: EventBus;
  random: RandomSource;
  /** The seed of a seeded random stream. */
  seed: Uint8Array | undefined;
  report: { bootMs: number; osUuid: string };
}

/**
 * Why the device is not at rest (calls in flight, sessions open, shared memory registered), in
 * a sentence for the one who asked to `what` ("take a snapshot", "restore"); undefined when it is.
 */
export function notAtRest(p: Pick<SnapshotParts, 'core' | 'client' | 'supplicant' | 'flow'>, what: string): string | undefined {
  const calls = p.flow.inFlight + p.core.parkedThreads + p.core.stats().threads + p.supplicant.generic.pending;
  if (calls > 0) return `cannot ${what} while calls are in flight (${p.flow.inFlight} in the normal world): wait for them to end`;
  const sessions = p.core.stats().sessions;
  if (sessions > 0) {
    const tas = [...new Set(p.core.instances().filter((i) => i.sessions.size > 0).map((i) => i.uuid))];
    return `cannot ${what} while ${sessions} session(s) are open${tas.length ? ` (TA ${tas.join(', ')})` : ''}: ` +
      'close them first (TEEC_CloseSession, or finalize their contexts)';
  }
  const shm = p.client.registeredBlocks;
  if (shm > 0) return `cannot ${what} while ${shm} block(s) of shared memory are registered: release them first (TEEC_ReleaseSharedMemory)`;
  if (p.client.poolBytesInUse > 0) return `cannot ${what} while client buffers are in use`;
  return undefined;
}

/** The snapshot of a device at rest (the caller checked `notAtRest`). Moves neither its clock nor its random stream. */
export function takeSnapshot(p: SnapshotParts): DeviceSnapshot {
  const position = p.random.position?.();
  const { dirs, files } = saveStateFiles(p.stateDir);
  return {
    board: p.board, emulator: emulatorVersion(), takenAt: new Date().toISOString(), report: { ...p.report },
    ...(position && p.seed ? { random: { seed: Uint8Array.from(p.seed), counter: position.counter, pool: position.pool } } : {}),
    clock: { virtual: p.events.clock.virtual, t: p.events.clock.peek() },
    normal: {
      pc: p.normal.resumePc, regs: saveRegisters(p.normal.cpu), uart: p.uart0.partialLine,
      dram: savePages(p.memory.dram), shm: savePages(p.memory.shm),
    },
    secureUart: p.secureUart.partialLine,
    core: p.core.saveState(),
    client: { cookieGeneration: p.client.cookieGeneration },
    engines: p.engines.counters(),
    dirs, files,
    dropped: p.core.instances().map((i) => i.uuid),
  };
}

/** The SHA-256 of each image's manifest, read once (a restore checks it every time). */
const manifestDigests = new WeakMap<BootImage, Buffer>();

/** A device's trust and the record it was read from: a restore whose record is the same keeps it (parsing keys costs ~1 ms). */
export interface TrustMemo { record: Buffer; trust: DeviceTrust }

/** The trust of the device in `stateDir` (trust.ts), reusing `memo` when a restore brings back the record it came from. */
export function trustFor(stateDir: string, trustPaths: readonly string[] | undefined, snap: DeviceSnapshot | undefined, memo: TrustMemo | undefined): TrustMemo {
  const recorded = snap?.files.find((f) => f.path === TRUST_FILE.split(sep).join('/'))?.bytes;
  if (memo && recorded && memo.record.equals(recorded)) return memo;
  const trust = resolveTrust(stateDir, trustPaths);
  return { record: readFileSync(join(stateDir, TRUST_FILE)), trust };
}

/**
 * Throws a SnapshotError unless the snapshot fits this emulator and `image`: the measured boot
 * it carries must describe what would run (the image's manifest and firmware, this build's
 * monitor and TEE core), or attestation would vouch for code that is not there.
 */
export function checkSnapshotFits(s: DeviceSnapshot, image: BootImage, name: string): void {
  const stage = (type: string, prefix: string) => s.core.measurements.find((e) => e.type === type && e.description.startsWith(prefix))?.digest;
  const differs = (d: Uint8Array | undefined, want: Buffer) => !d || !want.equals(d);
  const fail = (what: string): never => {
    throw new SnapshotError(`snapshot ${name}: ${what}`);
  };
  let manifest = manifestDigests.get(image);
  if (!manifest) manifestDigests.set(image, manifest = sha256(readFileSync(join(image.dir, 'manifest.json'))));
  if (differs(stage('BL', 'boot ROM'), manifest)) {
    fail(`it was taken with another boot image than ${image.dir} (its manifest differs): restore it with the image it was taken with`);
  }
  if (differs(stage('NSPE', 'normal world'), sha256(image.firmware.bytes))) fail(`its normal-world firmware differs from ${image.firmware.path}`);
  if (differs(stage('PRoT', 'monitor'), codeMeasurement('monitor')) || differs(stage('PRoT', 'TEE core'), codeMeasurement('tee'))) {
    fail(`it was taken by emulator ${s.emulator} whose monitor or TEE core code differs from this one's (${emulatorVersion()}), ` +
      'so its measured boot would not describe the code that runs: boot the device afresh');
  }
}

/**
 * The HUK and die id of a plain fuse block (state.ts: magic, then for version 2 a flags byte
 * that changes as the device runs); undefined for a sealed one, which only its passphrase opens.
 */
function fuseIdentity(block: Uint8Array | undefined): Buffer | undefined {
  const b = block && Buffer.from(block);
  if (!b) return undefined;
  const magic = b.subarray(0, 8).toString('latin1');
  return magic === 'TBOTP002' ? b.subarray(9) : magic === 'TBOTP001' ? b.subarray(8) : undefined;
}

/**
 * Throws a SnapshotError when `stateDir` holds another device than the snapshot's (another HUK
 * or die id in its fuses): restoring would replace that device's fuses and storage, which
 * nothing could undo. Sealed fuse blocks are not compared (the passphrase would be needed).
 */
export function checkSameDevice(stateDir: string, s: DeviceSnapshot, name: string): void {
  const fuses = `${HARDWARE_DIR}/${FUSES_FILE}`;
  const mine = fuseIdentity(readPrivateFile(join(stateDir, HARDWARE_DIR, FUSES_FILE), 'fuse block'));
  const theirs = fuseIdentity(s.files.find((f) => f.path === fuses)?.bytes);
  if (mine && theirs && !mine.equals(theirs)) {
    throw new SnapshotError(`snapshot ${name}: the state directory ${stateDir} holds another device (its fuses differ from the ` +
      'snapshot\'s), whose fuses and storage a restore would replace: restore into a new state directory, or remove that one first');
  }
}

/** The random source a restored device draws from: the snapshot's seeded stream (moved to its position by `finishRestore`), or the system's. */
export function randomOf(s: DeviceSnapshot): RandomSource {
  return s.random ? seededRandom(s.random.seed) : systemRandom;
}

/**
 * Zeroes the memory of the device being restored, which keeps it (and the engine that maps
 * it): NS DRAM and shared memory before the snapshot's pages go in, and secure RAM, whose
 * blocks the core hands out zeroed anyway, so that nothing of the old device stays in it.
 */
export function reuseMemory(memory: { dram: Uint8Array; shm: Uint8Array }, secureRam: Uint8Array): void {
  zeroHostRam(memory.dram);
  zeroHostRam(memory.shm);
  zeroHostRam(secureRam);
}

/** Puts NS DRAM and NS shared memory back (into zeroed memory, before anything reads it). */
export function restoreMemory(s: DeviceSnapshot, memory: { dram: Uint8Array; shm: Uint8Array }): void {
  loadPages(memory.dram, s.normal.dram);
  loadPages(memory.shm, s.normal.shm);
}

/** Puts the normal world's CPU, both consoles' partial lines, the core and the client back. */
export function restoreParts(p: SnapshotParts, s: DeviceSnapshot): void {
  const fw = p.image.firmware;
  loadRegisters(p.normal.cpu, s.normal.regs);
  p.normal.resumeAt(s.normal.pc, { begin: fw.load, end: fw.load + Math.ceil(fw.bytes.length / 0x1000) * 0x1000 });
  p.uart0.partialLine = s.normal.uart;
  p.secureUart.partialLine = s.secureUart;
  p.core.loadState(s.core);
  p.client.cookieGeneration = s.client.cookieGeneration;
}

/**
 * The last step of a restore, after every event of the restore itself: the engine numbering,
 * the random stream's position and the clock become the snapshot's.
 */
export function finishRestore(p: Pick<SnapshotParts, 'engines' | 'random' | 'events'>, s: DeviceSnapshot): void {
  p.engines.setCounters(s.engines);
  if (s.random) p.random.seek?.({ counter: s.random.counter, pool: s.random.pool });
  // A virtual clock goes back to the snapshot's time (runs repeat); a real one never goes back,
  // and reads at least the snapshot's time (TA times are offsets from it).
  if (s.clock.virtual) p.events.clock = virtualClock(s.clock.t);
  else if (p.events.clock.virtual || p.events.clock.peek() < s.clock.t) p.events.clock = realClock(s.clock.t);
}
