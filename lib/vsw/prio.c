/* SPDX-License-Identifier: MIT */
/*
 * Strict priority at a congested wire (the VNIC `priority` property).
 *
 * While the port takes every frame, a wire's output is a plain burst: no
 * queue, one extra branch.  When the port refuses some (its tx ring is
 * full), what it refused is queued by class, taken from the frame's
 * hash.sched.traffic_class (the sending VNIC's priority, set by
 * fastpath.c), and from then on every new frame is queued too; the queues
 * are offered to the port highest class first, so under congestion a high
 * priority frame waits only for the port, never behind a low one.  Each
 * class queue is bounded: beyond it frames of that class are dropped
 * (counted as nobuf on the link and per class), which is where low
 * priority traffic loses while high priority traffic keeps flowing.
 *
 * The fast-path thread owns the queues.  A wire with frames queued stays
 * on the switch's dirty list (it is retried every iteration) and keeps the
 * thread from going RCU-offline (poll.c), so the link cannot go away
 * under it; a link being destroyed has its port unpublished first, and
 * the next retry frees what waits.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "switch_pvt.h"

/* Frames one class may hold: ~12 ms of a 1 Gbit/s port at 1500 B. */
#define EGQ_MAX 1024

struct vsw_egq {
    uint32_t n; /* in all classes */
    struct vsw_mbufq *c[VSW_PRIO_N];
};

static struct vsw_egq *egq_new(void)
{
    struct vsw_egq *egq = calloc(1, sizeof(*egq));
    unsigned c;

    for (c = 0; egq && c < VSW_PRIO_N; c++) {
        egq->c[c] = vsw_mbufq_new(EGQ_MAX);
        if (!egq->c[c]) {
            while (c--)
                vsw_mbufq_free(egq->c[c]);
            free(egq);
            return NULL;
        }
    }
    return egq;
}

static inline unsigned class_of(const struct rte_mbuf *m)
{
    unsigned c = m->hash.sched.traffic_class;

    return c < VSW_PRIO_N ? c : LP_PRIO_HIGH;
}

/* Classes are counted only for frames that waited: the uncongested
 * path costs what it did before priorities. */
static void count_sent(struct vsw_ep *ep, struct rte_mbuf *const *m,
                       uint16_t n, bool waited)
{
    uint64_t bytes = 0;
    uint16_t i;

    for (i = 0; i < n; i++) {
        bytes += m[i]->pkt_len;
        if (waited)
            ep->egst.queued[class_of(m[i])]++;
    }
    ep->stats->opackets += n;
    ep->stats->obytes += bytes;
}

static void enqueue(struct vsw_ep *ep, struct rte_mbuf *m)
{
    unsigned c = class_of(m);
    if (!vsw_mbufq_push(ep->egq->c[c], m)) {
        ep->egst.dropped[c]++;
        vsw_drop(ep->stats, VSW_DROP_NOBUF);
        rte_pktmbuf_free(m);
        return;
    }
    ep->egq->n++;
}

/* Offer the queues to the port, highest class first, until it refuses. */
static void drain(struct vsw_ep *ep, struct vsw_port *port)
{
    struct vsw_egq *egq = ep->egq;

    while (egq->n) {
        struct rte_mbuf *b[VSW_BURST];
        enum vsw_drop why = VSW_DROP_NOBUF;
        uint16_t k = 0, sent, left;
        int c;

        for (c = VSW_PRIO_N - 1; c >= 0 && k < VSW_BURST; c--) {
            const struct vsw_mbufq *q = egq->c[c];
            uint32_t i;

            for (i = 0; i < q->n && k < VSW_BURST; i++)
                b[k++] = vsw_mbufq_at(q, i);
        }
        sent = port->ops->tx(port, b, k, &why);
        count_sent(ep, b, sent, true);
        /* What was sent is a prefix: the heads of the classes in order. */
        for (c = VSW_PRIO_N - 1, left = sent; c >= 0 && left; c--) {
            struct vsw_mbufq *q = egq->c[c];
            uint32_t d = left < q->n ? left : q->n;

            vsw_mbufq_drop_head(q, d);
            egq->n -= d;
            left = (uint16_t)(left - d);
        }
        if (sent < k)
            return;
    }
}

void vsw_egress_tx(struct vsw_ep *ep, struct vsw_port *port, uint16_t n)
{
    enum vsw_drop why = VSW_DROP_NOBUF;
    uint16_t sent = 0, i;

    if (likely(!ep->egq || ep->egq->n == 0)) {
        sent = port->ops->tx(port, ep->tx, n, &why);
        count_sent(ep, ep->tx, sent, false);
        if (likely(sent == n))
            return;
        if (!ep->egq)
            ep->egq = egq_new();
        if (!ep->egq) {
            for (i = sent; i < n; i++) {
                vsw_drop(ep->stats, why);
                rte_pktmbuf_free(ep->tx[i]);
            }
            return;
        }
    }
    for (i = sent; i < n; i++)
        enqueue(ep, ep->tx[i]);
    drain(ep, port);
}

static void drop_all(struct vsw_ep *ep)
{
    struct vsw_egq *egq = ep->egq;
    unsigned c;

    for (c = 0; c < VSW_PRIO_N; c++)
        vsw_mbufq_purge(egq->c[c]);
    egq->n = 0;
}

bool vsw_egress_backlog(struct vsw_ep *ep)
{
    struct vsw_port *port = __atomic_load_n(&ep->port, __ATOMIC_ACQUIRE);

    if (ep->egq->n == 0)
        return false;
    if (!port) {
        drop_all(ep);
        return false;
    }
    drain(ep, port);
    return ep->egq->n != 0;
}

void vsw_egq_free(struct vsw_ep *ep)
{
    struct vsw_worker *w = ep->w;
    struct vsw_ep **pp;
    unsigned c;

    if (!ep->egq)
        return;
    if (vsw_worker_mine(w)) {
        for (pp = &w->dirty; *pp; pp = &(*pp)->next_dirty) {
            if (*pp == ep) {
                *pp = ep->next_dirty;
                ep->next_dirty = NULL;
                ep->dirty = false;
                break;
            }
        }
        drop_all(ep);
    }
    for (c = 0; c < VSW_PRIO_N; c++)
        free(ep->egq->c[c]);
    free(ep->egq);
    ep->egq = NULL;
}
