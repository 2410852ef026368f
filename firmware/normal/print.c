#include <stdarg.h>
#include <stdint.h>

#include "print.h"
#include "uart.h"

struct spec {
	char pad;           /* ' ' or '0' */
	unsigned width;
	unsigned longs;     /* number of 'l' modifiers */
};

static void put_str(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base, const struct spec *sp, int negative)
{
	char digits[24];
	unsigned n = 0;

	do {
		unsigned d = (unsigned)(v % base);

		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);

	unsigned len = n + (negative ? 1 : 0);

	/* A '-' goes before zero padding but after space padding, as printf does. */
	if (negative && sp->pad == '0')
		uart_putc('-');
	for (; len < sp->width; len++)
		uart_putc(sp->pad);
	if (negative && sp->pad != '0')
		uart_putc('-');
	while (n)
		uart_putc(digits[--n]);
}

/* Fetch an integer argument of the width the length modifiers asked for. */
static uint64_t arg_unsigned(va_list *ap, const struct spec *sp)
{
	if (sp->longs)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, const struct spec *sp)
{
	if (sp->longs)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Parse flags, width and length after '%'; returns the conversion character's position. */
static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ .pad = ' ' };
	if (*f == '0') {
		sp->pad = '0';
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
	while (*f == 'l') {
		sp->longs++;
		f++;
	}
	return f;
}

static void convert(char conv, const struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 's': {
		const char *s = va_arg(*ap, const char *);

		put_str(s ? s : "(null)");
		break;
	}
	case 'c':
		uart_putc((char)va_arg(*ap, int));
		break;
	case 'd': {
		int64_t v = arg_signed(ap, sp);

		put_unsigned(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, sp, v < 0);
		break;
	}
	case 'u':
		put_unsigned(arg_unsigned(ap, sp), 10, sp, 0);
		break;
	case 'x':
		put_unsigned(arg_unsigned(ap, sp), 16, sp, 0);
		break;
	case 'p':
		put_str("0x");
		put_unsigned((uintptr_t)va_arg(*ap, void *), 16, sp, 0);
		break;
	case '%':
		uart_putc('%');
		break;
	default:
		/* Unknown conversion: show it rather than guess at its argument. */
		uart_putc('%');
		uart_putc(conv);
		break;
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			uart_putc(*f);
			continue;
		}
		struct spec sp;

		f = parse_spec(f + 1, &sp);
		if (!*f)
			break;
		convert(*f, &sp, &ap);
	}
	va_end(ap);
}
