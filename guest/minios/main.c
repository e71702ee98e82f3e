/* SPDX-License-Identifier: MIT */
/*
 * minios: the kernel's main.  For now it checks what the monitor handed it,
 * says hello on the console and powers off.
 */
#include "console.h"
#include "hcall.h"

void minios_main(const struct xkvm_start_info *si);

void minios_main(const struct xkvm_start_info *si)
{
    if (si->magic != XKVM_START_MAGIC || si->version != XKVM_START_VERSION) {
        console_puts("minios: not started by an xvnet monitor\n");
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    }
    console_puts("minios: hello\n");
    hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
}
