/**
 * The TrustBox boards. The memory map follows QEMU's `virt` machine with `secure=on` where it
 * can (secure RAM at 0x0e000000, UART0/UART1, DRAM at 0x40000000, reserved SHM at 0x42000000),
 * so OP-TEE developers find familiar addresses.
 *
 *   0x0000_0000 +-----------------+  boot ROM (secure)
 *   0x0100_0000 +-----------------+  OTP fuses: hardware unique key, device id (secure)
 *   0x0900_0000 +-----------------+  UART0, the normal-world console
 *   0x0904_0000 +-----------------+  UART1, the secure-world console (secure)
 *   0x0906_0000 +-----------------+  host bridge: registers (mailbox, queue, pool)
 *   0x0e00_0000 +-----------------+  secure RAM: TEE core, TA memory (secure)
 *   0x4000_0000 +-----------------+  NS DRAM: REE firmware
 *   0x4200_0000 +-----------------+  NS shared memory: mailbox, msg args, client buffers
 *
 * `firmware/include/board.h` mirrors these numbers for the firmware; a unit test keeps the
 * two in step.
 */
import { validateBoard, type Board, type Region } from './board.js';

const MiB = 1 << 20;
const KiB = 1 << 10;

function commonRegions(secureRamSize: number): Region[] {
  return [
    { id: 'boot-rom', name: 'boot ROM', base: 0x00000000, size: 64 * KiB, world: 'secure', kind: 'rom' },
    { id: 'otp', name: 'OTP fuses', base: 0x01000000, size: 4 * KiB, world: 'secure', kind: 'device' },
    { id: 'uart0', name: 'UART0 (normal console)', base: 0x09000000, size: 4 * KiB, world: 'normal', kind: 'device' },
    { id: 'uart1', name: 'UART1 (secure console)', base: 0x09040000, size: 4 * KiB, world: 'secure', kind: 'device' },
    { id: 'hostbridge', name: 'host bridge', base: 0x09060000, size: 4 * KiB, world: 'normal', kind: 'device' },
    { id: 'secure-ram', name: 'secure RAM', base: 0x0e000000, size: secureRamSize, world: 'secure', kind: 'ram' },
    { id: 'ns-dram', name: 'NS DRAM', base: 0x40000000, size: 32 * MiB, world: 'normal', kind: 'ram' },
    { id: 'ns-shm', name: 'NS shared memory', base: 0x42000000, size: 8 * MiB, world: 'normal', kind: 'shm' },
  ];
}

/** Every board the emulator knows, by name. */
export const BOARDS: ReadonlyMap<string, Board> = new Map([
  ['trustbox-edge', validateBoard({
    name: 'trustbox-edge',
    description: 'Scalys TrustBox Edge class: NXP LS1012A, one Cortex-A53',
    cpu: 'cortex-a53',
    id: 0,
    regions: commonRegions(16 * MiB),
  })],
  ['trustbox-edgexl', validateBoard({
    name: 'trustbox-edgexl',
    description: 'Scalys TrustBox EdgeXL class: a bigger Cortex-A72 part',
    cpu: 'cortex-a72',
    id: 1,
    regions: commonRegions(32 * MiB),
  })],
]);

export const DEFAULT_BOARD = 'trustbox-edge';

/** The board with this name, or an error that lists the boards. */
export function getBoard(name: string): Board {
  const board = BOARDS.get(name);
  if (!board) {
    throw new Error(`unknown board "${name}"; the boards are: ${[...BOARDS.keys()].join(', ')}`);
  }
  return board;
}

/** Layout of the NS shared memory (offsets from its base), mirrored in hostbridge.h's comments. */
export const SHM_LAYOUT = {
  mailboxOffset: 0,
  slotCount: 64,
  slotSize: 512,
  /** The host bridge's request queue (struct hb_queue), one page after the mailbox. */
  queueOffset: 32 * 1024,
  queueSize: 4096,
  firmwarePoolOffset: 1 * MiB,
  firmwarePoolSize: 3 * MiB,
  clientPoolOffset: 4 * MiB,
  clientPoolSize: 4 * MiB,
} as const;
