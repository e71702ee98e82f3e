/* SPDX-License-Identifier: MIT */
/* Classification: see classify_pvt.h. */
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "classify_pvt.h"

/*
 * The (MAC, VID) key of @m as struct vsw_fdb_key's one word, made in a
 * register: the destination and the two bytes after it (the frame has a
 * whole Ethernet header) loaded as one word, those two bytes replaced by
 * the VID. Storing the parts and loading the word would stall the load.
 */
static inline uint64_t key_of(const struct rte_mbuf *m, uint16_t vid)
{
    uint64_t w;

    memcpy(&w, rte_pktmbuf_mtod(m, const uint8_t *), sizeof(w));
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    return (w & 0xffffffffffffull) | (uint64_t)vid << 48;
#else
    return (w & ~0xffffull) | vid;
#endif
}

static inline bool dst_is_group(const struct rte_mbuf *m)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

    return rte_is_multicast_ether_addr(&eh->dst_addr);
}

/* The cache slot of (@l, @key): a multiplicative hash's top bits. */
static inline unsigned slot_of(const struct vsw_link *l, uint64_t key)
{
    uint64_t h = (key ^ (uint64_t)(uintptr_t)l) * 0x9e3779b97f4a7c15ull;

    return (unsigned)(h >> (64 - VSW_FDBC_BITS));
}

void vsw_classify(struct vsw_worker *w, const struct vsw_link *l,
                  struct rte_mbuf *const *pkts, const uint16_t *vid,
                  unsigned n, struct vsw_vnic **out)
{
    uint64_t gen = __atomic_load_n(&w->sw->fdb_gen, __ATOMIC_ACQUIRE);
    uint64_t keys[VSW_BURST];
    const void *kp[VSW_BURST];
    void *hit[VSW_BURST];
    uint8_t idx[VSW_BURST];
    uint64_t hits = 0;
    unsigned i, k = 0, cached = 0;

    for (i = 0; i < n; i++) {
        const struct vsw_fdbc_ent *e;
        uint64_t key;

        if (dst_is_group(pkts[i])) {
            out[i] = VSW_CLS_FLOOD;
            continue;
        }
        key = key_of(pkts[i], vid[i]);
        e = &w->fdbc[slot_of(l, key)];
        if (e->key == key && e->l == l && e->gen == gen) {
            out[i] = e->v;
            cached++;
            continue;
        }
        keys[k] = key;
        kp[k] = &keys[k];
        idx[k++] = (uint8_t)i;
    }
    w->fdbc_hits += cached;
    if (!k)
        return;
    w->fdbc_misses += k;
    rte_hash_lookup_bulk_data(l->fdb, kp, k, &hits, hit);
    for (i = 0; i < k; i++) {
        struct vsw_fdbc_ent *e = &w->fdbc[slot_of(l, keys[i])];
        struct vsw_vnic *v = (hits & (1ull << i)) ? hit[i] : NULL;

        out[idx[i]] = v;
        e->key = keys[i];
        e->l = l;
        e->v = v;
        e->gen = gen;
    }
}
