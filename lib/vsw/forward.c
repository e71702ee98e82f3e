/* SPDX-License-Identifier: MIT */
/*
 * The switch core, data side: forwarding.  Frames from the wire and from
 * VNICs are classified (classify.c), checked, tagged or untagged
 * (vlan_pvt.h), shaped (shaper.c), flooded, and batched per output.
 * Runs on a worker (struct vsw_worker) and takes no lock: what the
 * control thread publishes is read with acquire loads and stays valid
 * until the worker's next quiescent state, which is reported only after
 * every buffered frame has been sent or handed on (vsw_switch_poll).  A
 * frame toward an endpoint another worker owns is handed to it
 * (handoff.c) before anything of the endpoint's is touched: by
 * vnic_deliver() for a VNIC, by ep_put() and vnic_to_wire() for a wire.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>

#include "capture_pvt.h"
#include "classify_pvt.h"
#include "shaper_pvt.h"
#include "vlan_pvt.h"

/* ---- output ---- */

void vsw_ep_flush(struct vsw_ep *ep)
{
    struct vsw_port *port = vsw_load_acq(&ep->port);
    enum vsw_drop why = VSW_DROP_VIF_ERROR;
    uint16_t n = ep->ntx, sent = 0, i, cnt[VSW_BURST];
    uint32_t len[VSW_BURST];
    uint64_t bytes = 0, frames = 0;

    if (n == 0)
        return;
    ep->ntx = 0;
    /* A queue's frames are its VNIC's. */
    vsw_cap_tap(ep->qv ? &ep->qv->ep.cap : &ep->cap, ep->tx, n,
                VSW_CAP_LEAVE);
    if (port && ep->prio_egress) {
        vsw_egress_tx(ep, port, n); /* prio.c */
        return;
    }
    /* Counted as they came, before any coalescing. */
    for (i = 0; i < n; i++) {
        cnt[i] = 1;
        len[i] = ep->tx[i]->pkt_len;
    }
    if (port && (port->flags & VSW_PORT_F_GRO) && n > 1)
        n = vsw_gro_burst(ep, ep->tx, n, cnt, len);
    if (port)
        sent = port->ops->tx(port, ep->tx, n, &why);
    for (i = 0; i < sent; i++) {
        frames += cnt[i];
        bytes += len[i];
    }
    for (i = sent; i < n; i++) {
        ep->stats->drops[why] += cnt[i];
        rte_pktmbuf_free(ep->tx[i]);
    }
    if (ep->is_vnic) {
        ep->stats->ipackets += frames;
        ep->stats->rbytes += bytes;
    } else {
        ep->stats->opackets += frames;
        ep->stats->obytes += bytes;
    }
}

/* May @w touch @ep: it owns it, and it is not going away? */
static inline bool ep_mine(const struct vsw_worker *w, const struct vsw_ep *ep)
{
    return vsw_load_acq(&ep->w) == w && !vsw_load_acq(&ep->dying);
}

/* @m for an ep not ep_mine(): to its owner, or freed while it goes. */
static void ep_away(struct vsw_worker *w, struct vsw_ep *ep,
                    struct rte_mbuf *m)
{
    struct vsw_worker *owner = vsw_load_acq(&ep->w);

    if (owner != w) {
        vsw_handoff_put(w, owner, ep, m, LP_VID_NONE);
    } else {
        w->gone++; /* its owner lets go of it */
        rte_pktmbuf_free(m);
    }
}

/* Buffer @m for @ep; it is sent at the end of the burst or when full. */
static inline void ep_put(struct vsw_worker *w, struct vsw_ep *ep,
                          struct rte_mbuf *m)
{
    const struct vsw_port *port;

    if (unlikely(!ep_mine(w, ep))) {
        ep_away(w, ep, m);
        return;
    }
    port = vsw_load_acq(&ep->port);
    if (!port) {
        vsw_drop(ep->stats, VSW_DROP_VIF_ERROR);
        rte_pktmbuf_free(m);
        return;
    }
    if (unlikely(vsw_ofl_pending(m)) &&
        !(port->flags & VSW_PORT_F_OFFLOAD_META)) {
        vsw_ofl_put(w, ep, m, LP_VID_NONE); /* gso.c */
        return;
    }
    if (!ep->dirty) {
        ep->dirty = true;
        ep->next_dirty = w->dirty;
        w->dirty = ep;
    }
    ep->tx[ep->ntx++] = m;
    if (ep->ntx == VSW_BURST)
        vsw_ep_flush(ep);
}

void vsw_ep_put(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m)
{
    ep_put(w, ep, m);
}

void vsw_fp_flush_eps(struct vsw_worker *w)
{
    struct vsw_ep *ep = w->dirty, *keep = NULL;

    while (ep) {
        struct vsw_ep *next = ep->next_dirty;

        vsw_ep_flush(ep);
        if (unlikely(ep->egq != NULL) && vsw_egress_backlog(ep)) {
            /* A congested wire stays dirty until its queue drains. */
            ep->next_dirty = keep;
            keep = ep;
        } else {
            ep->dirty = false;
            ep->next_dirty = NULL;
        }
        ep = next;
    }
    w->dirty = keep;
}

/* ---- toward a VNIC ---- */

/* @m, past @v's receive maxbw, to the endpoint of its queue: the VNIC's
 * own, or with several queues its flow's (the port's queue_of), whose
 * owner sends it.  Consumes @m. */
static inline void vnic_put(struct vsw_worker *w, struct vsw_vnic *v,
                            struct rte_mbuf *m)
{
    struct vsw_vqs *qs = vsw_load_acq(&v->qs);
    const struct vsw_port *port;
    unsigned q;

    if (likely(!qs)) {
        ep_put(w, &v->ep, m);
        return;
    }
    port = vsw_load_acq(&v->ep.port);
    q = port ? port->ops->queue_of(port, m) : 0;
    ep_put(w, q && q <= qs->n ? &qs->q[q - 1].ep : &v->ep, m);
}

void vsw_vnic_put(struct vsw_worker *w, struct vsw_vnic *v,
                  struct rte_mbuf *m)
{
    vnic_put(w, v, m);
}

/*
 * Give @m to @v within its receive maxbw: at once if it has credit and
 * nothing queued, else queued in order; dropped (policer) when the queue
 * is full.  The bucket is the VNIC owner's: with a maxbw the frame goes
 * there first, without one straight to its queue's owner.  Consumes @m.
 */
static void vnic_deliver(struct vsw_worker *w, struct vsw_vnic *v,
                         struct rte_mbuf *m, uint64_t now)
{
    const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);

    if (!c) {
        vnic_put(w, v, m);
        return;
    }
    if (unlikely(!ep_mine(w, &v->ep))) {
        ep_away(w, &v->ep, m);
        return;
    }
    vsw_tb_refill(&v->rx_tb, c, now);
    if ((v->rxq && v->rxq->n) || !vsw_tb_take(&v->rx_tb, m->pkt_len)) {
        if (vsw_shaper_enqueue(w, v, c, m) < 0) {
            vsw_drop(&v->stats, VSW_DROP_POLICER);
            rte_pktmbuf_free(m);
        }
        return;
    }
    vnic_put(w, v, m);
}

void vsw_ep_take(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m,
                 uint16_t vid, uint64_t now)
{
    if (ep->qv)
        ep_put(w, ep, m); /* past the VNIC's maxbw already */
    else if (ep->is_vnic)
        vnic_deliver(w, container_of(ep, struct vsw_vnic, ep), m, now);
    else
        vsw_ofl_put(w, ep, m, vid); /* segmented if need be, tagged */
}

void vsw_worker_flush(struct vsw_worker *w, uint64_t now)
{
    if (w->outmask)
        vsw_handoff_flush(w);
    if (w->backlog)
        vsw_fp_backlog_run(w, now, false);
    vsw_fp_flush_eps(w);
}

void vsw_switch_flush(struct vsw_switch *sw, uint64_t now)
{
    unsigned i;

    /* A frame is handed on at most once: out, then in, is all. */
    for (i = 0; i < sw->nw; i++)
        vsw_handoff_flush(sw->w[i]);
    for (i = 0; i < sw->nw; i++) {
        if (sw->nw > 1)
            vsw_handoff_run(sw->w[i], now);
        vsw_worker_flush(sw->w[i], now);
    }
}

/*
 * Drop @v from @w's own lists and its queue.  Only for a caller that is
 * @w or when none runs; otherwise @w does it itself when it sees
 * v->ep.dying.
 */
void vsw_fp_let_go(struct vsw_worker *w, struct vsw_vnic *v)
{
    struct vsw_vnic **pp;

    for (pp = &w->backlog; *pp; pp = &(*pp)->next_backlog) {
        if (*pp == v) {
            *pp = v->next_backlog;
            break;
        }
    }
    if (v->rxq)
        w->gone += vsw_mbufq_purge(v->rxq);
    vsw_fp_ep_let_go(w, &v->ep);
    v->next_backlog = NULL;
    v->backlogged = false;
    v->rx_tb.waiting = false;
}

int vsw_tag_insert(struct rte_mbuf *m, uint16_t vid)
{
    return vsw_tag_insert_inl(m, vid);
}

/* The egress class of a frame @v sends to the wire (prio.c). */
static inline void prio_mark(struct rte_mbuf *m, const struct vsw_vnic *v)
{
    m->hash.sched.traffic_class =
        (uint8_t)__atomic_load_n(&v->priority, __ATOMIC_RELAXED);
}

/* ---- flooding ---- */

/*
 * Give @m to every VNIC of @f except @self that admits it, and to @wire
 * when not NULL.  All receive the same mbuf by reference count; nobody
 * edits it.  Our own reference, held during the loop, keeps it alive
 * while outputs fill and flush.  Consumes @m.  @return receivers.
 */
static unsigned flood(struct vsw_worker *w, const struct vsw_flood *f,
                      const struct vsw_vnic *self, struct vsw_ep *wire,
                      struct rte_mbuf *m, uint64_t now)
{
    unsigned i, k = 0;

    for (i = 0; f && i < f->n; i++) {
        struct vsw_vnic *d = f->v[i];

        if (d == self)
            continue;
        rte_pktmbuf_refcnt_update(m, 1);
        vnic_deliver(w, d, m, now);
        k++;
    }
    if (wire) {
        rte_pktmbuf_refcnt_update(m, 1);
        ep_put(w, wire, m);
        k++;
    }
    rte_pktmbuf_free(m);
    return k;
}

static void flood_from_wire(struct vsw_worker *w, struct vsw_link *l,
                            struct rte_mbuf *m, uint16_t vid, bool tagged,
                            uint64_t now)
{
    const struct vsw_flood *f = vsw_load_acq(&l->flood[vid]);

    if (!f) {
        vsw_drop(&l->stats, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    if (tagged)
        vsw_tag_strip(m);
    flood(w, f, NULL, NULL, m, now);
}

static void flood_from_vnic(struct vsw_worker *w, struct vsw_vnic *v,
                            struct vsw_stats *st, struct rte_mbuf *m,
                            uint64_t now)
{
    struct vsw_link *l = v->link;
    const struct vsw_flood *f = vsw_load_acq(&l->flood[v->key.vid]);
    bool others = f && (f->n > 1 || (f->n == 1 && f->v[0] != v));
    struct vsw_ep *wire = vsw_load_acq(&l->ep.port) ? &l->ep : NULL;
    uint16_t vid = v->key.vid;
    struct rte_mbuf *c;

    if (!wire && !others) {
        vsw_drop(st, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    if (!wire || vid == LP_VID_NONE) {
        prio_mark(m, v);
        flood(w, f, v, wire, m, now);
        return;
    }
    /* The wire needs the tagged form: edit in place if nobody else
     * gets the frame, otherwise tag a private copy. */
    if (!others) {
        c = m;
        m = NULL;
    } else {
        c = rte_pktmbuf_copy(m, l->sw->pool, 0, UINT32_MAX);
    }
    if (!c || vsw_tag_insert_inl(c, vid) < 0) {
        vsw_drop(st, VSW_DROP_NOBUF);
        rte_pktmbuf_free(c);
    } else {
        prio_mark(c, v);
        ep_put(w, wire, c);
    }
    if (m)
        flood(w, f, v, NULL, m, now);
}

/* ---- input ---- */

/* Wire input, at most VSW_BURST frames. */
static void link_input_burst(struct vsw_worker *w, struct vsw_link *l,
                             struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
    struct rte_mbuf *ok[VSW_BURST];
    struct vsw_vnic *dst[VSW_BURST];
    uint16_t vid[VSW_BURST];
    bool tagged[VSW_BURST];
    unsigned i, k = 0;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        int v;

        l->stats.ipackets++;
        l->stats.rbytes += m->pkt_len;
        v = vsw_wire_vid(m, &tagged[k]);
        if (v < 0) {
            l->stats.ierrors++;
            rte_pktmbuf_free(m);
            continue;
        }
        vid[k] = (uint16_t)v;
        ok[k++] = m;
    }
    vsw_classify(w, l, ok, vid, k, dst);
    for (i = 0; i < k; i++) {
        struct rte_mbuf *m = ok[i];

        if (dst[i] == VSW_CLS_FLOOD) {
            flood_from_wire(w, l, m, vid[i], tagged[i], now);
        } else if (!dst[i]) {
            vsw_drop(&l->stats, VSW_DROP_UNKNOWN_DEST);
            rte_pktmbuf_free(m);
        } else {
            if (tagged[i])
                vsw_tag_strip(m);
            vnic_deliver(w, dst[i], m, now);
        }
    }
}

void vsw_link_input(struct vsw_link *l, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now)
{
    vsw_cap_tap(&l->ep.cap, pkts, n, VSW_CAP_ENTER);
    while (n) {
        uint16_t b = n < VSW_BURST ? n : VSW_BURST;

        link_input_burst(l->ep.w, l, pkts, b, now);
        pkts += b;
        n -= b;
    }
}

/*
 * What a VNIC's client may send: a complete untagged frame, from the
 * VNIC's own MAC when mac-nospoof is on, within maxbw.  Counts and frees
 * what fails.
 */
static bool vnic_tx_check(struct vsw_vnic *v, struct vsw_stats *st,
                          struct rte_mbuf *m, uint32_t prot, bool limited)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

    if (m->data_len < RTE_ETHER_HDR_LEN ||
        (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ||
        eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
        st->oerrors++;
        goto drop;
    }
    if ((prot & LP_PROT_MAC_NOSPOOF) &&
        memcmp(&eh->src_addr, v->key.mac, RTE_ETHER_ADDR_LEN) != 0) {
        vsw_drop(st, VSW_DROP_SPOOF);
        goto drop;
    }
    switch (vsw_l3_check(v, m, prot)) {
    case VSW_L3_OVERSIZE:
        st->oerrors++;
        goto drop;
    case VSW_L3_SPOOF:
        vsw_drop(st, VSW_DROP_SPOOF);
        goto drop;
    default:
        break;
    }
    if (limited && !vsw_tb_take(&v->tx_tb, m->pkt_len)) {
        vsw_drop(st, VSW_DROP_POLICER);
        goto drop;
    }
    st->opackets++;
    st->obytes += m->pkt_len;
    return true;
drop:
    rte_pktmbuf_free(m);
    return false;
}

/* A unicast frame from @v that no VNIC of its (link, VID) has. */
static void vnic_to_wire(struct vsw_worker *w, struct vsw_vnic *v,
                         struct vsw_stats *st, struct rte_mbuf *m)
{
    struct vsw_link *l = v->link;
    struct vsw_worker *owner;

    if (!vsw_load_acq(&l->ep.port)) {
        vsw_drop(st, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    prio_mark(m, v);
    owner = vsw_load_acq(&l->ep.w);
    if (unlikely(owner != w)) {
        /* Its owner segments and tags it (vsw_ep_take()). */
        vsw_handoff_put(w, owner, &l->ep, m, v->key.vid);
        return;
    }
    if (unlikely(vsw_ofl_pending(m))) {
        /* Segmented (gso.c) before the tag goes in. */
        vsw_ofl_put(w, &l->ep, m, v->key.vid);
        return;
    }
    if (v->key.vid != LP_VID_NONE && vsw_tag_insert_inl(m, v->key.vid) < 0) {
        vsw_drop(st, VSW_DROP_NOBUF);
        rte_pktmbuf_free(m);
        return;
    }
    ep_put(w, &l->ep, m);
}

static void vnic_input_burst(struct vsw_worker *w, struct vsw_vnic *v,
                             struct vsw_ep *from, struct rte_mbuf **pkts,
                             uint16_t n, uint64_t now)
{
    const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);
    uint32_t prot = __atomic_load_n(&v->protection, __ATOMIC_RELAXED);
    const struct vsw_port *port = vsw_load_acq(&from->port);
    struct vsw_stats *st = from->stats;
    struct rte_mbuf *ok[VSW_BURST];
    struct vsw_vnic *dst[VSW_BURST];
    uint16_t vid[VSW_BURST];
    unsigned i, k = 0;

    /* A port that slows its client by credit is not policed here (nor
     * is a queue's: queues are a vif's, which does). */
    if (c && ((port && (port->flags & VSW_PORT_F_TX_RATE)) || from->qv))
        c = NULL;
    if (c)
        vsw_tb_refill(&v->tx_tb, c, now);
    for (i = 0; i < n; i++) {
        if (!vnic_tx_check(v, st, pkts[i], prot, c != NULL))
            continue;
        vid[k] = v->key.vid;
        ok[k++] = pkts[i];
    }
    vsw_classify(w, v->link, ok, vid, k, dst);
    for (i = 0; i < k; i++) {
        struct rte_mbuf *m = ok[i];
        struct vsw_vnic *d = dst[i];

        if (d == VSW_CLS_FLOOD) {
            flood_from_vnic(w, v, st, m, now);
        } else if (!d) {
            vnic_to_wire(w, v, st, m);
        } else if (d == v) {
            /* No hairpin: a VNIC's own address is not a destination. */
            vsw_drop(st, VSW_DROP_UNKNOWN_DEST);
            rte_pktmbuf_free(m);
        } else {
            vnic_deliver(w, d, m, now);
        }
    }
}

void vsw_vnic_input_from(struct vsw_worker *w, struct vsw_vnic *v,
                         struct vsw_ep *from, struct rte_mbuf **pkts,
                         uint16_t n, uint64_t now)
{
    vsw_cap_tap(&v->ep.cap, pkts, n, VSW_CAP_ENTER);
    while (n) {
        uint16_t b = n < VSW_BURST ? n : VSW_BURST;

        vnic_input_burst(w, v, from, pkts, b, now);
        pkts += b;
        n -= b;
    }
}

void vsw_vnic_input(struct vsw_vnic *v, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now)
{
    vsw_vnic_input_from(v->ep.w, v, &v->ep, pkts, n, now);
}
