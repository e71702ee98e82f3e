/* SPDX-License-Identifier: MIT */
/*
 * Capture internals shared with the switch core: the per-endpoint list the
 * fast path reads, the one-line taps fastpath.c calls, and the hooks the
 * control side calls when VNICs and links come and go.
 *
 * Each struct vsw_ep (a link's wire, a VNIC) has a published list of the
 * captures that see it, immutable once published and replaced as a whole
 * (freed after an RCU grace period), NULL when there are none: the cost
 * of capture for an endpoint without one is one load and one predictable
 * branch per burst.
 */
#ifndef VSW_CAPTURE_PVT_H
#define VSW_CAPTURE_PVT_H

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "vsw/capture.h"

struct vsw_ep;
struct vsw_link;
struct vsw_vnic;

/* Where a tap sits, seen from the switch. */
enum vsw_cap_point {
    VSW_CAP_ENTER = 0, /* frames the switch takes from the endpoint */
    VSW_CAP_LEAVE = 1, /* frames the switch gives the endpoint */
};

struct vsw_cap_ent {
    struct vsw_cap *c;
    uint8_t dir[2];    /* per point: the direction recorded, 0: none */
};

struct vsw_cap_list {
    uint32_t n;
    struct vsw_cap_ent e[];
};

/* capture.c, fast path: run the captures of @cl at @point over a burst. */
void vsw_cap_run(const struct vsw_cap_list *cl, struct rte_mbuf *const *pkts,
                 uint16_t n, enum vsw_cap_point point);

/* The tap fastpath.c calls; @cap is an endpoint's published list. */
static inline void vsw_cap_tap(const struct vsw_cap_list *const *cap,
                               struct rte_mbuf *const *pkts, uint16_t n,
                               enum vsw_cap_point point)
{
    const struct vsw_cap_list *cl = __atomic_load_n(cap, __ATOMIC_ACQUIRE);

    if (unlikely(cl != NULL))
        vsw_cap_run(cl, pkts, n, point);
}

/* capture.c, control thread: objects coming and going. */
void vsw_cap_vnic_added(struct vsw_vnic *v);
void vsw_cap_vnic_gone(struct vsw_vnic *v);
void vsw_cap_link_gone(struct vsw_link *l);

#endif /* VSW_CAPTURE_PVT_H */
