/* SPDX-License-Identifier: MIT */
/* minios: console output through the console hypercall. */
#include <stdarg.h>
#include <stdint.h>

#include "console.h"
#include "hcall.h"

void console_puts(const char *s)
{
    size_t len = strlen(s);

    while (len > 0) {
        size_t n = len < XKVM_CONSOLE_MAX ? len : XKVM_CONSOLE_MAX;

        hc_console_write(s, n);
        s += n;
        len -= n;
    }
}

struct out {
    char buf[256];
    size_t n;
};

static void put(struct out *o, char c)
{
    if (o->n == sizeof(o->buf)) {
        hc_console_write(o->buf, o->n);
        o->n = 0;
    }
    o->buf[o->n++] = c;
}

static void put_num(struct out *o, unsigned long long v, unsigned base)
{
    char d[24];
    int i = 0;

    do {
        d[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i)
        put(o, d[--i]);
}

void kprintf(const char *fmt, ...)
{
    struct out o = { .n = 0 };
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        int longs = 0;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        while (*++fmt == 'l')
            longs++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);

            while (s && *s)
                put(&o, *s++);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);

            if (v < 0) {
                put(&o, '-');
                v = -v;
            }
            put_num(&o, (unsigned long long)v, 10);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs ? va_arg(ap, unsigned long long)
                                         : va_arg(ap, unsigned);

            put_num(&o, v, *fmt == 'u' ? 10 : 16);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            va_end(ap);
            return; /* a format this printf does not know: stop */
        }
    }
    va_end(ap);
    if (o.n)
        hc_console_write(o.buf, o.n);
}
