/* SPDX-License-Identifier: MIT */
/*
 * xvm/probe.h - static probes on the path of a frame, for tracing where a
 * frame waits (as illumos's SDT probes and DTrace's USDT providers do).
 *
 * Each probe is a systemtap/USDT note (provider "xvnet") plus a no-op
 * instruction at its site.  A tracer that attaches (bpftrace, perf; see
 * bench/fptrace.sh) sets the probe's semaphore, and only then does the
 * code compute the probe's arguments: untraced, a probe costs one load
 * and one branch.
 *
 * Probes on frames pass a key, a hash of the frame from its network
 * header on (a VLAN tag skipped), the same for a frame at every stage of
 * its path whatever tag it carries, and its length.  Wake probes mark
 * the end of a sleep that a notification ended.
 *
 * Usage: XVM_PROBE_DEFINE(name) once in the file that fires the probe
 * (the semaphore lives in the same object as the probe), then
 * XVM_PROBE_FRAME(name, data, len) or XVM_PROBE_NUM(name, n) there.
 */
#ifndef XVM_PROBE_H
#define XVM_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include "xvm/hash.h"

/* How many bytes from the network header on the key covers: the IPv4 or
 * IPv6 header and the start of what it carries (ports, ICMP id and
 * sequence, TCP sequence numbers). */
#define XVM_PROBE_KEY_BYTES 48u

/** The key of a frame: FNV-1a of up to 48 bytes after its Ethernet
 *  header and one VLAN tag. */
static inline uint64_t xvm_probe_key(const void *frame, size_t len)
{
    const unsigned char *p = frame;
    size_t off = 14;

    if (len >= 18 && p[12] == 0x81 && p[13] == 0x00)
        off = 18;
    if (len <= off)
        return 0;
    return xvm_fnv1a(XVM_FNV1A_BASIS, p + off,
                     len - off < XVM_PROBE_KEY_BYTES ? len - off
                                                     : XVM_PROBE_KEY_BYTES);
}

/** Define the semaphore of probe @name (once, in the file that fires it). */
#define XVM_PROBE_DEFINE(name)                                                \
    extern unsigned short xvnet_##name##_semaphore;                           \
    __attribute__((used, visibility("hidden"), section(".probes")))           \
    unsigned short xvnet_##name##_semaphore

/** Is a tracer attached to probe @name? */
#define XVM_PROBE_ON(name) __builtin_expect(xvnet_##name##_semaphore != 0, 0)

/** Fire probe @name for the frame at @data of @len bytes: (key, len). */
#define XVM_PROBE_FRAME(name, data, len)                                      \
    do {                                                                      \
        if (XVM_PROBE_ON(name)) {                                             \
            uint64_t xvm_probe_k_ = xvm_probe_key((data), (len));             \
            uint32_t xvm_probe_l_ = (uint32_t)(len);                          \
            STAP_PROBE2(xvnet, name, xvm_probe_k_, xvm_probe_l_);             \
        }                                                                     \
    } while (0)

/** Fire probe @name with one number (a count, a port). */
#define XVM_PROBE_NUM(name, n)                                                \
    do {                                                                      \
        if (XVM_PROBE_ON(name)) {                                             \
            uint64_t xvm_probe_n_ = (uint64_t)(n);                            \
            STAP_PROBE1(xvnet, name, xvm_probe_n_);                           \
        }                                                                     \
    } while (0)

#endif /* XVM_PROBE_H */
