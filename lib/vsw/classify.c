/* SPDX-License-Identifier: MIT */
/* Classification: see classify_pvt.h. */
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "classify_pvt.h"

static inline void key_set(struct vsw_fdb_key *k, const struct rte_mbuf *m,
                           uint16_t vid)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

    memcpy(k->mac, &eh->dst_addr, RTE_ETHER_ADDR_LEN);
    k->vid = vid;
}

static inline bool dst_is_group(const struct rte_mbuf *m)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

    return rte_is_multicast_ether_addr(&eh->dst_addr);
}

void vsw_classify(const struct vsw_link *l, struct rte_mbuf *const *pkts,
                  const uint16_t *vid, unsigned n, struct vsw_vnic **out)
{
    struct vsw_fdb_key keys[VSW_BURST];
    const void *kp[VSW_BURST];
    void *hit[VSW_BURST];
    uint8_t idx[VSW_BURST];
    uint64_t hits = 0;
    unsigned i, k = 0;

    for (i = 0; i < n; i++) {
        if (dst_is_group(pkts[i])) {
            out[i] = VSW_CLS_FLOOD;
            continue;
        }
        key_set(&keys[k], pkts[i], vid[i]);
        kp[k] = &keys[k];
        idx[k++] = (uint8_t)i;
    }
    if (k)
        rte_hash_lookup_bulk_data(l->fdb, kp, k, &hits, hit);
    for (i = 0; i < k; i++)
        out[idx[i]] = (hits & (1ull << i)) ? hit[i] : NULL;
}
