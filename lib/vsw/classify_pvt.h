/* SPDX-License-Identifier: MIT */
/*
 * Classification, apart from forwarding (as a VALE switch keeps its
 * lookup apart): for a burst of frames on a link, each frame's verdict is
 * a VNIC, VSW_CLS_FLOOD (a group address: every VNIC of the VLAN) or NULL
 * (no VNIC has the address).  Reads the worker's cache of verdicts, then
 * the link's lock-free table for what the cache did not hold; fast-path
 * thread only.
 */
#ifndef VSW_CLASSIFY_PVT_H
#define VSW_CLASSIFY_PVT_H

#include "switch_pvt.h"

#define VSW_CLS_FLOOD ((struct vsw_vnic *)1)

/*
 * Classify @n (at most VSW_BURST) frames of @l whose VIDs are @vid into
 * @out, on worker @w.
 */
void vsw_classify(struct vsw_worker *w, const struct vsw_link *l,
                  struct rte_mbuf *const *pkts, const uint16_t *vid,
                  unsigned n, struct vsw_vnic **out);

#endif /* VSW_CLASSIFY_PVT_H */
