/* SPDX-License-Identifier: MIT */
/* minios: the console (the console hypercall) and the few string helpers
 * the compiler may call in a freestanding build. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <stddef.h>

/** Write the NUL-terminated @s, in pieces of at most XKVM_CONSOLE_MAX. */
void console_puts(const char *s);

size_t strlen(const char *s);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif /* MINIOS_CONSOLE_H */
