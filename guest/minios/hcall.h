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

/** Name the frames of the grant table. */
static inline int64_t hc_gnttab_setup(uint64_t gfn, uint64_t frames)
{
    return (int64_t)hcall3(XKVM_HC_GNTTAB_SETUP, gfn, frames, 0);
}

/** Name the frame of the shared page. */
static inline int64_t hc_shared_info(uint64_t gfn)
{
    return (int64_t)hcall3(XKVM_HC_SHARED_INFO, gfn, 0, 0);
}

/** A new port @remote may bind: the port, or a negative errno. */
static inline int64_t hc_evtchn_alloc_unbound(uint64_t remote)
{
    return (int64_t)hcall3(XKVM_HC_EVTCHN_ALLOC_UNBOUND, remote, 0, 0);
}

/** Notify the peer of @port. */
static inline int64_t hc_evtchn_send(uint64_t port)
{
    return (int64_t)hcall3(XKVM_HC_EVTCHN_SEND, port, 0, 0);
}

/** Ring @port's doorbell: the send without an exit where the host
 * takes ioeventfds (kvm/abi.h, XKVM_DOORBELL_BASE). */
static inline void hc_doorbell(uint32_t port)
{
    __asm__ volatile("outb %%al, %%dx"
                     :
                     : "a"(0), "d"((uint16_t)XKVM_DOORBELL_PORT(port))
                     : "memory");
}

/** EVTCHNOP_bind_interdomain: the new port, or a negative errno. */
static inline int64_t hc_evtchn_bind(uint64_t remote, uint64_t rport)
{
    return (int64_t)hcall3(XKVM_HC_EVTCHN_BIND, remote, rport, 0);
}

/** Close @port. */
static inline int64_t hc_evtchn_close(uint64_t port)
{
    return (int64_t)hcall3(XKVM_HC_EVTCHN_CLOSE, port, 0, 0);
}

/** Name the frame of the xenstore ring: 0, or -ENODEV (no xenstore). */
static inline int64_t hc_xs_setup(uint64_t gfn)
{
    return (int64_t)hcall3(XKVM_HC_XS_SETUP, gfn, 0, 0);
}

/** Tell the monitor the xenstore ring moved. */
static inline void hc_xs_notify(void)
{
    hcall3(XKVM_HC_XS_NOTIFY, 0, 0, 0);
}

#endif /* MINIOS_HCALL_H */
