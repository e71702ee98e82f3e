/* SPDX-License-Identifier: MIT */
/* minios: the hypercalls of kvm/abi.h, one `out` each. */
#ifndef MINIOS_HCALL_H
#define MINIOS_HCALL_H

#include <stdint.h>

#include "kvm/abi.h"

static inline uint64_t hcall3(uint32_t nr, uint64_t a1, uint64_t a2,
                              uint64_t a3)
{
    uint64_t ret;

    __asm__ volatile("outl %%eax, %[port]"
                     : "=a"(ret)
                     : "a"(nr), [port] "i"(XKVM_HC_PORT), "D"(a1), "S"(a2),
                       "d"(a3)
                     : "memory");
    return ret;
}

/** Write @len bytes at @buf (identity-mapped: its address is physical). */
static inline uint64_t hc_console_write(const void *buf, uint64_t len)
{
    return hcall3(XKVM_HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)buf, len, 0);
}

/** Stop the domain with an XKVM_SHUTDOWN_* reason. */
static inline __attribute__((noreturn)) void hc_shutdown(uint64_t reason)
{
    hcall3(XKVM_HC_SHUTDOWN, reason, 0, 0);
    for (;;)
        ;
}

/** Wait for an event or @ns nanoseconds. */
static inline uint64_t hc_block(uint64_t ns)
{
    return hcall3(XKVM_HC_BLOCK, ns, 0, 0);
}

#endif /* MINIOS_HCALL_H */
