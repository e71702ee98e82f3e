/* SPDX-License-Identifier: MIT */
/*
 * Classification, apart from forwarding (as a VALE switch keeps its
 * lookup apart): for a burst of frames on a link, each frame's verdict is
 * a VNIC, VSW_CLS_FLOOD (a group address: every VNIC of the VLAN) or NULL
 * (no VNIC has the address).  Reads the link's lock-free table; fast-path
 * thread only.
 */
#ifndef VSW_CLASSIFY_PVT_H
#define VSW_CLASSIFY_PVT_H

#include "switch_pvt.h"

#define VSW_CLS_FLOOD ((struct vsw_vnic *)1)

/*
 * Classify @n (at most VSW_BURST) frames of @l whose VIDs are @vid into
 * @out.
 */
void vsw_classify(const struct vsw_link *l, struct rte_mbuf *const *pkts,
                  const uint16_t *vid, unsigned n, struct vsw_vnic **out);

#endif /* VSW_CLASSIFY_PVT_H */
