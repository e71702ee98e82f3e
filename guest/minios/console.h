/* SPDX-License-Identifier: MIT */
/* minios: the console (the console hypercall) and the few string helpers
 * the compiler (and libxnf) may call in a freestanding build. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <stddef.h>

/** Write the NUL-terminated @s, in pieces of at most XKVM_CONSOLE_MAX. */
void console_puts(const char *s);

/** A small printf: %s %c %d %u %x, with l/ll; no widths. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif /* MINIOS_CONSOLE_H */
