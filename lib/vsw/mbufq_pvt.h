/* SPDX-License-Identifier: MIT */
/*
 * The one mbuf FIFO every queue of the switch uses: the queue toward a
 * VNIC waiting for maxbw credit (shaper.c), the per-class queues of a
 * congested wire (prio.c) and a vif's frames waiting for guest buffers
 * (port_vif.c).  A bounded ring of mbuf pointers with a byte count; its
 * capacity is a power of two.  One thread only (the fast path).
 */
#ifndef VSW_MBUFQ_PVT_H
#define VSW_MBUFQ_PVT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_mbuf.h>

struct vsw_mbufq {
    uint32_t head, n, mask;
    uint64_t bytes;            /* pkt_len of the frames held */
    struct rte_mbuf *m[];
};

/* An empty queue of @cap (a power of two) frames, or NULL (ENOMEM). */
static inline struct vsw_mbufq *vsw_mbufq_new(uint32_t cap)
{
    struct vsw_mbufq *q = calloc(1, sizeof(*q) + cap * sizeof(q->m[0]));

    if (q)
        q->mask = cap - 1;
    return q;
}

static inline bool vsw_mbufq_full(const struct vsw_mbufq *q)
{
    return q->n > q->mask;
}

/* Append @m; false (not taken) when full. */
static inline bool vsw_mbufq_push(struct vsw_mbufq *q, struct rte_mbuf *m)
{
    if (vsw_mbufq_full(q))
        return false;
    q->m[(q->head + q->n++) & q->mask] = m;
    q->bytes += m->pkt_len;
    return true;
}

/* The @i-th frame from the head (i < n). */
static inline struct rte_mbuf *vsw_mbufq_at(const struct vsw_mbufq *q,
                                            uint32_t i)
{
    return q->m[(q->head + i) & q->mask];
}

/* Forget the first @k frames (handed on by the caller). */
static inline void vsw_mbufq_drop_head(struct vsw_mbufq *q, uint32_t k)
{
    uint32_t i;

    for (i = 0; i < k; i++)
        q->bytes -= vsw_mbufq_at(q, i)->pkt_len;
    q->head = (q->head + k) & q->mask;
    q->n -= k;
}

/* Take the first frame off (the queue must not be empty). */
static inline struct rte_mbuf *vsw_mbufq_pop(struct vsw_mbufq *q)
{
    struct rte_mbuf *m = vsw_mbufq_at(q, 0);

    vsw_mbufq_drop_head(q, 1);
    return m;
}

/* Free every frame held; @return how many. */
static inline unsigned vsw_mbufq_purge(struct vsw_mbufq *q)
{
    unsigned n = q->n;

    while (q->n)
        rte_pktmbuf_free(vsw_mbufq_pop(q));
    q->bytes = 0;
    return n;
}

/* Purge and free @q.  NULL ok. */
static inline void vsw_mbufq_free(struct vsw_mbufq *q)
{
    if (!q)
        return;
    vsw_mbufq_purge(q);
    free(q);
}

#endif /* VSW_MBUFQ_PVT_H */
