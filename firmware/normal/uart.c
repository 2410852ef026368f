/*
 * Transmit-only driver for the PL011-style UART0. The console is a log, not a terminal:
 * '\n' goes out as-is, so the host sees exactly the bytes we print.
 */
#include "board.h"
#include "mmio.h"
#include "uart.h"

#define UART_FR_TXFF    (1u << 5)   /* transmit FIFO full */

void uart_putc(char c)
{
	/* The emulated FIFO never fills, but a real PL011 would drop bytes without this. */
	while (mmio_read32(BOARD_UART0_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(BOARD_UART0_BASE + UART_DR, (uint8_t)c);
}
