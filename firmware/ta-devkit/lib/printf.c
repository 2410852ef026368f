/*
 * A small vsnprintf for TA logs: %s %c %d %i %u %x %X %p %%, length modifiers l ll z h,
 * field width (digits or *), flags '0' and '-'. No floating point: TA logs do not need it and it
 * would drag the FP runtime into every TA.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, even those that did not fit */
};

struct spec {
	bool left;
	bool zero;
	unsigned int width;
	int length; /* 0 int, 1 long, 2 long long, 3 size_t, -1 short */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

static void put_padded(struct out *o, const char *s, size_t n, const struct spec *sp,
		       bool negative)
{
	size_t body = n + (negative ? 1 : 0);
	size_t pad = sp->width > body ? sp->width - body : 0;

	if (!sp->left && !sp->zero)
		put_repeat(o, ' ', pad);
	if (negative)
		put(o, '-');
	if (!sp->left && sp->zero)
		put_repeat(o, '0', pad);
	while (n--)
		put(o, *s++);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

static void put_unsigned(struct out *o, uint64_t v, unsigned int base, bool upper,
			 const struct spec *sp, bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	put_padded(o, tmp + sizeof(tmp) - n, n, sp, negative);
}

static uint64_t take_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t take_signed(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	case -1:
		return (short)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);

		sp->width = w < 0 ? 0 : (unsigned int)w;
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*f++ - '0');
	if (*f == 'h') {
		sp->length = -1;
		f++;
		if (*f == 'h')
			f++;
	} else if (*f == 'l') {
		sp->length = 1;
		if (*++f == 'l') {
			sp->length = 2;
			f++;
		}
	} else if (*f == 'z') {
		sp->length = 3;
		f++;
	}
	return f;
}

static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = take_signed(ap, sp->length);

		put_unsigned(o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, false, sp,
			     v < 0);
		break;
	}
	case 'u':
		put_unsigned(o, take_unsigned(ap, sp->length), 10, false, sp, false);
		break;
	case 'x':
	case 'X':
		put_unsigned(o, take_unsigned(ap, sp->length), 16, c == 'X', sp, false);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_unsigned(o, (uintptr_t)va_arg(*ap, void *), 16, false, sp, false);
		break;
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		put_padded(o, &ch, 1, sp, false);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (!s)
			s = "(null)";
		put_padded(o, s, strlen(s), sp, false);
		break;
	}
	default: /* "%%" and unknown conversions print themselves */
		put(o, c);
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		if (!*fmt)
			break;
		convert(&o, *fmt++, &sp, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
