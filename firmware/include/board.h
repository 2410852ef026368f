/*
 * Memory map of the TrustBox boards as the normal-world firmware sees it.
 * The source of truth is emulator/machine/boards.ts; test/unit/abi-constants.test.ts
 * checks that every value here matches it.
 *
 *   0x0000_0000  boot ROM        64 KiB  secure
 *   0x0100_0000  OTP fuses        4 KiB  secure
 *   0x0900_0000  UART0            4 KiB  normal  (normal-world console)
 *   0x0904_0000  UART1            4 KiB  secure  (secure-world console)
 *   0x0906_0000  host bridge      4 KiB  normal  (mailbox registers + doorbell)
 *   0x0e00_0000  secure RAM      16 MiB  secure  (32 MiB on trustbox-edgexl)
 *   0x4000_0000  NS DRAM         32 MiB  normal  (firmware is loaded at its base)
 *   0x4200_0000  NS shared mem    8 MiB  normal  mailbox 32 KiB at the base, the firmware's pool
 *                                         (msg args, RPC buffers) at +1 MiB (3 MiB), client buffers at +4 MiB
 */
#ifndef TRUSTBOX_BOARD_H
#define TRUSTBOX_BOARD_H

#define BOARD_UART0_BASE        0x09000000UL
#define BOARD_UART1_BASE        0x09040000UL
#define BOARD_HOSTBRIDGE_BASE   0x09060000UL
#define BOARD_SECURE_RAM_BASE   0x0e000000UL
#define BOARD_NS_DRAM_BASE      0x40000000UL
#define BOARD_NS_DRAM_SIZE      0x02000000UL
#define BOARD_NS_SHM_BASE       0x42000000UL
#define BOARD_NS_SHM_SIZE       0x00800000UL

/* PL011-style UART registers used by the firmware (byte offsets). */
#define UART_DR                 0x000   /* write: transmit one byte */
#define UART_FR                 0x018   /* flags: bit 5 TXFF is always 0 here */

#endif
