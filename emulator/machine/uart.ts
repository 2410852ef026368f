/**
 * A PL011-style UART, transmit side only: the guest writes bytes to DR and each finished line
 * becomes a console event. FR always reads "transmit FIFO empty, receive FIFO empty".
 */
export const UART_DR = 0x000;
export const UART_FR = 0x018;
const FR_TXFE = 1 << 7;
const FR_RXFE = 1 << 4;
const MAX_LINE = 4096;

export class Uart {
  private line: number[] = [];

  /** `onLine` receives each line without its newline. */
  constructor(private readonly onLine: (line: string) => void) {}

  read(offset: number): number {
    return offset === UART_FR ? FR_TXFE | FR_RXFE : 0;
  }

  write(offset: number, _size: number, value: number): void {
    if (offset !== UART_DR) return;
    this.putByte(value & 0xff);
  }

  /** Feeds one byte, as the host side does for the secure console. */
  putByte(byte: number): void {
    if (byte === 0x0a || this.line.length >= MAX_LINE) {
      this.flush();
      if (byte === 0x0a) return;
    }
    if (byte !== 0x0d) this.line.push(byte);
  }

  /** Writes a whole line (used by TypeScript parts of the secure world). */
  writeLine(text: string): void {
    this.flush();
    this.onLine(text);
  }

  /** The bytes of the line being written (device snapshots). */
  get partialLine(): Uint8Array {
    return Uint8Array.from(this.line);
  }

  set partialLine(bytes: Uint8Array) {
    this.line = [...bytes.subarray(0, MAX_LINE)];
  }

  /** Emits a partial line, if any. */
  flush(): void {
    if (this.line.length === 0) return;
    const text = Buffer.from(this.line).toString('latin1');
    this.line = [];
    this.onLine(text);
  }
}
