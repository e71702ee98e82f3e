/* SPDX-License-Identifier: MIT */
/* minios: console output through the console hypercall. */
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
