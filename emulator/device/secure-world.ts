/**
 * The secure world's hardware: secure RAM, the OTP fuses, the secure console (UART1) and the
 * secure CPU, whose engine maps the secure view (every region of the board). The TEE core
 * (TypeScript) runs "on" it; each TA instance gets an S-EL0 address space of its own whose
 * pages are carved out of secure RAM (see `emulator/tee/ta-space.ts`).
 */
import { Cpu, PERM, allocateHostRam } from '../cpu/cpu.js';
import { region, type Board } from '../machine/board.js';
import { Uart } from '../machine/uart.js';
import type { Fuses } from './state.js';

export interface SharedNormalMemory {
  dram: Uint8Array;
  shm: Uint8Array;
}

export class SecureWorld {
  readonly cpu: Cpu;
  readonly ram: Uint8Array;
  readonly ramBase: number;
  readonly console: Uart;
  readonly nsShmBase: number;
  readonly nsShm: Uint8Array;

  constructor(
    readonly board: Board,
    readonly fuses: Fuses,
    normal: SharedNormalMemory,
    onConsoleLine: (line: string) => void,
    normalDevices: { uart0: Uart; bridgeRead(o: number): number; bridgeWrite(o: number, s: number, v: number): void },
  ) {
    const ram = region(board, 'secure-ram');
    this.ramBase = ram.base;
    this.ram = allocateHostRam(ram.size);
    this.console = new Uart(onConsoleLine);
    this.cpu = Cpu.create({ model: board.cpu, secure: true });
    const rom = region(board, 'boot-rom');
    this.cpu.mapRam(rom.base, rom.size, PERM.RX);
    this.cpu.mapHost(ram.base, this.ram, PERM.RWX);
    const otp = region(board, 'otp');
    const fuseBytes = Buffer.concat([fuses.huk, fuses.dieId]);
    this.cpu.mapMmio(otp.base, otp.size, (o) => (o + 4 <= fuseBytes.length ? fuseBytes.readUInt32LE(o) : 0), () => {});
    const uart1 = region(board, 'uart1');
    this.cpu.mapMmio(uart1.base, uart1.size, (o) => this.console.read(o), (o, s, v) => this.console.write(o, s, v));
    // The secure view includes the normal world's regions too.
    const dram = region(board, 'ns-dram');
    const shm = region(board, 'ns-shm');
    this.cpu.mapHost(dram.base, normal.dram, PERM.RW);
    this.cpu.mapHost(shm.base, normal.shm, PERM.RW);
    this.nsShmBase = shm.base;
    this.nsShm = normal.shm;
    const uart0 = region(board, 'uart0');
    this.cpu.mapMmio(uart0.base, uart0.size, (o) => normalDevices.uart0.read(o),
      (o, s, v) => normalDevices.uart0.write(o, s, v));
    const hb = region(board, 'hostbridge');
    this.cpu.mapMmio(hb.base, hb.size, (o) => normalDevices.bridgeRead(o), (o, s, v) => normalDevices.bridgeWrite(o, s, v));
  }

  /** Writes a line on the secure console (UART1). */
  log(line: string): void {
    this.console.writeLine(line);
  }

  close(): void {
    this.cpu.close();
  }
}
