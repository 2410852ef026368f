/* UART0: the normal-world console. */
#ifndef NORMAL_UART_H
#define NORMAL_UART_H

void uart_putc(char c);

#endif
