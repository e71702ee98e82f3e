/* SPDX-License-Identifier: MIT */
/*
 * vsw/capture.h - the switch side of a capture: attach a capture ring
 * (the layout in vswctl/capture.h, which the reader shares) to a link,
 * VNIC or etherstub.  Control thread only.
 */
#ifndef VSW_CAPTURE_H
#define VSW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "vswctl/capture.h"
#include "xvm/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_switch;
struct vsw_cap;

struct vsw_cap_params {
    const char *name;     /**< link, VNIC or etherstub */
    uint32_t dir;         /**< enum vsw_cap_dir bits, not 0 */
    uint32_t snaplen;     /**< 0: VSW_CAP_SNAPLEN_MAX */
    uint32_t ring_bytes;  /**< 0: default; rounded up to a power of two */
    const char *filter;   /**< pcap expression; NULL or "" = every frame */
};

/**
 * Attach a capture.  The filter is compiled here, so a bad one fails
 * with EINVAL and libpcap's message in @err.
 * @return the capture, or NULL with errno (ENOENT no such object, EINVAL
 *         bad parameter or filter, ENOSPC VSW_CAP_MAX reached, ENOMEM,
 *         EMFILE) and a message in @err.
 */
XVN_EXPORT
struct vsw_cap *vsw_cap_open(struct vsw_switch *sw,
                             const struct vsw_cap_params *p, char *err,
                             size_t errlen);

/** The ring's memfd and eventfd (owned by the capture: dup to keep). */
XVN_EXPORT
int vsw_cap_memfd(const struct vsw_cap *c);
XVN_EXPORT
int vsw_cap_eventfd(const struct vsw_cap *c);
/** The ring's data area, in bytes. */
XVN_EXPORT
uint32_t vsw_cap_ring_bytes(const struct vsw_cap *c);
/** True when the filter runs as native code (the eBPF JIT). */
XVN_EXPORT
int vsw_cap_jitted(const struct vsw_cap *c);

/**
 * Mark the ring ended with @why (enum vsw_cap_end) and wake the reader;
 * the capture stays attached until vsw_cap_close().
 */
XVN_EXPORT
void vsw_cap_end(struct vsw_cap *c, int why);

/**
 * Detach (after the fast path has let go), end the ring if not ended, and
 * free the capture.  Accepts NULL.
 */
XVN_EXPORT
void vsw_cap_close(struct vsw_cap *c);

#ifdef __cplusplus
}
#endif

#endif /* VSW_CAPTURE_H */
