/**
 * The secure world's hardware: secure RAM, the OTP fuses and the secure console (UART1), plus
 * the secure world's view of the normal world's shared memory. The TEE core (TypeScript) runs
 * "on" it; each TA instance gets an S-EL0 engine and address space of its own whose pages are
 * carved out of secure RAM (see `emulator/tee/ta-space.ts`). There is no secure engine of the
 * world itself: no secure-world code runs outside TA instances.
 */
import { allocateHostRam, type CpuModel } from '../cpu/cpu.js';
import { region, type Board } from '../machine/board.js';
import { Uart } from '../machine/uart.js';
import type { Fuses } from './state.js';

export class SecureWorld {
  readonly ram: Uint8Array;
  readonly ramBase: number;
  readonly console: Uart;
  readonly nsShmBase: number;
  readonly nsShm: Uint8Array;

  /**
   * `nsShm` is the normal world's shared-memory region (board region `ns-shm`). `reuseRam` is
   * the secure RAM of the device this one replaces (a restore): what it holds does not matter,
   * since the core zeroes every block it hands out (tee/secure-memory.ts).
   */
  constructor(
    readonly board: Board,
    readonly fuses: Fuses,
    nsShm: Uint8Array,
    onConsoleLine: (line: string) => void,
    reuseRam?: Uint8Array,
  ) {
    const ram = region(board, 'secure-ram');
    this.ramBase = ram.base;
    this.ram = reuseRam?.length === ram.size ? reuseRam : allocateHostRam(ram.size);
    this.console = new Uart(onConsoleLine);
    this.nsShmBase = region(board, 'ns-shm').base;
    this.nsShm = nsShm;
  }

  /** The CPU model TA engines emulate (the board's). */
  get cpuModel(): CpuModel {
    return this.board.cpu;
  }

  /** Writes a line on the secure console (UART1). */
  log(line: string): void {
    this.console.writeLine(line);
  }
}
