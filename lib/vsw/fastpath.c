/* SPDX-License-Identifier: MIT */
/*
 * The switch core, data side: classification, VLAN tag handling, flooding,
 * maxbw, output batching.  Runs on the fast-path thread only and takes no
 * lock: what the control thread publishes is read with acquire loads and
 * stays valid until this thread's next quiescent state, which is reported
 * only after every buffered frame has been sent (vsw_switch_poll).
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
#include "switch_pvt.h"

#define VLAN_HLEN 4
/* A full-size untagged frame: the unit of the maxbw budget. */
#define MTU_FRAME 1514

#define load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

/* ---- token buckets ---- */

struct vsw_tb_cfg *vsw_tb_cfg_new(uint64_t bps, uint64_t tsc_hz)
{
    struct vsw_tb_cfg *c = malloc(sizeof(*c));
    uint64_t depth;

    if (!c)
        return NULL;
    /* bytes/cycle = bps / 8 / hz, kept with 32 fraction bits so that
     * slow rates refilled every microsecond do not round down to zero. */
    c->rate_fp = (uint64_t)(((unsigned __int128)bps << 32) / (8 * tsc_hz));
    if (c->rate_fp == 0)
        c->rate_fp = 1;
    /* 10 ms of traffic, at least a few full frames: small enough that the
     * rate holds over short intervals, deep enough for a TCP window. */
    depth = bps / 8 / 100;
    if (depth < 4 * MTU_FRAME)
        depth = 4 * MTU_FRAME;
    c->depth_fp = (int64_t)(depth << 32);
    c->max_dt = (uint64_t)c->depth_fp / c->rate_fp + 1;
    /* 50 ms of queue toward the VNIC: enough for TCP to keep the rate,
     * short enough not to add much delay. */
    c->qlimit = (uint32_t)(bps / 8 / 20);
    if (c->qlimit < 8 * MTU_FRAME)
        c->qlimit = 8 * MTU_FRAME;
    return c;
}

/* Cycles until the bucket is positive again (0 if it is). */
uint64_t vsw_tb_wait(const struct vsw_tb *tb, const struct vsw_tb_cfg *c)
{
    if (tb->tokens_fp > 0)
        return 0;
    return (uint64_t)(-tb->tokens_fp) / c->rate_fp + 1;
}

static inline void tb_refill(struct vsw_tb *tb, const struct vsw_tb_cfg *c,
                             uint64_t now)
{
    uint64_t dt;

    if (tb->cfg != c) {
        /* New or changed maxbw: start with a full bucket. */
        tb->cfg = c;
        tb->tokens_fp = c->depth_fp;
        tb->last = now;
        return;
    }
    dt = now - tb->last;
    if (dt == 0)
        return;
    tb->last = now;
    if (dt > c->max_dt)
        dt = c->max_dt;
    tb->tokens_fp += (int64_t)(dt * c->rate_fp);
    if (tb->tokens_fp > c->depth_fp)
        tb->tokens_fp = c->depth_fp;
}

/*
 * A frame may pass while the bucket is positive; it may then go negative
 * by that one frame.  Charging after the fact keeps the long-run rate
 * exact without knowing frame sizes in advance.
 */
static inline bool tb_take(struct vsw_tb *tb, uint32_t len)
{
    if (tb->tokens_fp <= 0)
        return false;
    tb->tokens_fp -= (int64_t)len << 32;
    return true;
}

uint16_t vsw_vnic_tx_budget(struct vsw_vnic *v, uint16_t max, uint64_t now)
{
    const struct vsw_tb_cfg *c = load_acq(&v->tbcfg);
    uint64_t frames;

    if (!c)
        return max;
    tb_refill(&v->tx_tb, c, now);
    if (v->tx_tb.tokens_fp <= 0)
        return 0;
    /* Enough frames to spend the credit if all are full size, so that
     * the overdraft stays within one frame. */
    frames = 1 + ((uint64_t)v->tx_tb.tokens_fp >> 32) / MTU_FRAME;
    return frames < max ? (uint16_t)frames : max;
}

/* ---- output ---- */

void vsw_ep_flush(struct vsw_ep *ep)
{
    struct vsw_port *port = load_acq(&ep->port);
    enum vsw_drop why = VSW_DROP_VIF_ERROR;
    uint16_t n = ep->ntx, sent = 0, i;
    uint64_t bytes = 0;

    if (n == 0)
        return;
    ep->ntx = 0;
    vsw_cap_tap(&ep->cap, ep->tx, n, VSW_CAP_LEAVE);
    if (port && ep->prio_egress) {
        vsw_egress_tx(ep, port, n); /* prio.c */
        return;
    }
    for (i = 0; i < n; i++)
        bytes += ep->tx[i]->pkt_len;
    if (port)
        sent = port->ops->tx(port, ep->tx, n, &why);
    for (i = sent; i < n; i++) {
        bytes -= ep->tx[i]->pkt_len;
        vsw_drop(ep->stats, why);
        rte_pktmbuf_free(ep->tx[i]);
    }
    if (ep->is_vnic) {
        ep->stats->ipackets += sent;
        ep->stats->rbytes += bytes;
    } else {
        ep->stats->opackets += sent;
        ep->stats->obytes += bytes;
    }
}

/* Buffer @m for @ep; it is sent at the end of the burst or when full. */
static inline void ep_put(struct vsw_switch *sw, struct vsw_ep *ep,
                          struct rte_mbuf *m)
{
    const struct vsw_port *port = load_acq(&ep->port);

    if (!port) {
        vsw_drop(ep->stats, VSW_DROP_VIF_ERROR);
        rte_pktmbuf_free(m);
        return;
    }
    if (unlikely(vsw_ofl_pending(m)) &&
        !(port->flags & VSW_PORT_F_OFFLOAD_META)) {
        vsw_ofl_put(sw, ep, m, LP_VID_NONE); /* gso.c */
        return;
    }
    if (!ep->dirty) {
        ep->dirty = true;
        ep->next_dirty = sw->dirty;
        sw->dirty = ep;
    }
    ep->tx[ep->ntx++] = m;
    if (ep->ntx == VSW_BURST)
        vsw_ep_flush(ep);
}

void vsw_ep_put(struct vsw_switch *sw, struct vsw_ep *ep, struct rte_mbuf *m)
{
    ep_put(sw, ep, m);
}

void vsw_fp_flush_eps(struct vsw_switch *sw)
{
    struct vsw_ep *ep = sw->dirty, *keep = NULL;

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
    sw->dirty = keep;
}

/* ---- maxbw toward a VNIC: a token bucket with a bounded queue ---- */

void vsw_rxq_free(struct vsw_rxq *q)
{
    if (!q)
        return;
    while (q->n) {
        rte_pktmbuf_free(q->m[q->head]);
        q->head = (q->head + 1) % VSW_RXQ_MAX;
        q->n--;
    }
    free(q);
}

static int rxq_push(struct vsw_switch *sw, struct vsw_vnic *v,
                    const struct vsw_tb_cfg *c, struct rte_mbuf *m)
{
    struct vsw_rxq *q = v->rxq;

    if (!q) {
        /* Made here, on the fast path, so only this thread ever touches
         * it; the control thread frees it after the VNIC is gone. */
        q = v->rxq = calloc(1, sizeof(*q));
        if (!q)
            return -ENOMEM;
    }
    if (q->n == VSW_RXQ_MAX || q->bytes + m->pkt_len > c->qlimit)
        return -ENOSPC;
    q->m[(q->head + q->n++) % VSW_RXQ_MAX] = m;
    q->bytes += m->pkt_len;
    if (!v->backlogged) {
        v->backlogged = true;
        v->next_backlog = sw->backlog;
        sw->backlog = v;
    }
    return 0;
}

/*
 * Give @m to @v within its receive maxbw: at once if it has credit and
 * nothing queued, else queued in order; dropped (policer) when the queue
 * is full.  Consumes @m.
 */
static void vnic_deliver(struct vsw_switch *sw, struct vsw_vnic *v,
                         struct rte_mbuf *m, uint64_t now)
{
    const struct vsw_tb_cfg *c = load_acq(&v->tbcfg);

    if (c) {
        tb_refill(&v->rx_tb, c, now);
        if ((v->rxq && v->rxq->n) || !tb_take(&v->rx_tb, m->pkt_len)) {
            if (rxq_push(sw, v, c, m) < 0) {
                vsw_drop(&v->stats, VSW_DROP_POLICER);
                rte_pktmbuf_free(m);
            }
            return;
        }
    }
    ep_put(sw, &v->ep, m);
}

/* Send what credit allows from each queue (@all: free everything, the
 * fast path is stopping).  VNICs being destroyed let go of their frames. */
void vsw_fp_backlog_run(struct vsw_switch *sw, uint64_t now, bool all)
{
    struct vsw_vnic **pp = &sw->backlog, *v;

    while ((v = *pp) != NULL) {
        const struct vsw_tb_cfg *c = load_acq(&v->tbcfg);
        struct vsw_rxq *q = v->rxq;

        if (all || load_acq(&v->dying)) {
            while (q->n) {
                rte_pktmbuf_free(q->m[q->head]);
                q->head = (q->head + 1) % VSW_RXQ_MAX;
                q->n--;
            }
        }
        if (c)
            tb_refill(&v->rx_tb, c, now);
        while (q->n && (!c || tb_take(&v->rx_tb, q->m[q->head]->pkt_len))) {
            struct rte_mbuf *m = q->m[q->head];

            q->head = (q->head + 1) % VSW_RXQ_MAX;
            q->n--;
            q->bytes -= m->pkt_len;
            ep_put(sw, &v->ep, m);
        }
        if (q->n) {
            pp = &v->next_backlog;
            continue;
        }
        q->bytes = 0;
        *pp = v->next_backlog;
        v->next_backlog = NULL;
        v->backlogged = false;
    }
}

void vsw_switch_flush(struct vsw_switch *sw, uint64_t now)
{
    if (sw->backlog)
        vsw_fp_backlog_run(sw, now, false);
    vsw_fp_flush_eps(sw);
}

/*
 * Drop @v from the fast path's own lists.  Only for a caller that is the
 * fast path or when none runs; otherwise the fast path does it itself
 * when it sees v->dying.
 */
void vsw_fp_forget(struct vsw_switch *sw, struct vsw_vnic *v)
{
    struct vsw_vnic **pp;

    for (pp = &sw->backlog; *pp; pp = &(*pp)->next_backlog) {
        if (*pp == v) {
            *pp = v->next_backlog;
            break;
        }
    }
    for (pp = &sw->stalled; *pp; pp = &(*pp)->next_stalled) {
        if (*pp == v) {
            *pp = v->next_stalled;
            break;
        }
    }
}

/* ---- 802.1Q ---- */

/*
 * The VID of a frame from the wire, or -1 if it is malformed.  *tagged
 * tells whether the tag is in the data (it is not when the driver
 * stripped it into mbuf metadata).  A priority tag gives VID 0.
 */
static inline int wire_vid(struct rte_mbuf *m, bool *tagged)
{
    const struct rte_ether_hdr *eh;
    const struct rte_vlan_hdr *vh;
    int vid;

    if (m->data_len < RTE_ETHER_HDR_LEN)
        return -1;
    eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
    if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
        m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
        *tagged = false;
        vid = m->vlan_tci & 0xfff;
        return vid == 0xfff ? -1 : vid;
    }
    *tagged = false;
    if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN))
        return 0;
    if (m->data_len < RTE_ETHER_HDR_LEN + VLAN_HLEN)
        return -1;
    vh = (const struct rte_vlan_hdr *)(eh + 1);
    vid = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
    if (vid == 0xfff)
        return -1;
    *tagged = true;
    return vid;
}

/* Remove the tag from an mbuf nobody else holds. */
static inline void tag_strip(struct rte_mbuf *m)
{
    char *p = rte_pktmbuf_mtod(m, char *);

    memmove(p + VLAN_HLEN, p, 2 * RTE_ETHER_ADDR_LEN);
    rte_pktmbuf_adj(m, VLAN_HLEN);
}

/* Insert a tag for @vid into an mbuf nobody else holds. */
static inline int tag_insert(struct rte_mbuf *m, uint16_t vid)
{
    struct rte_vlan_hdr vh;
    char *p;

    if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) > 1)
        return -EINVAL;
    p = rte_pktmbuf_prepend(m, VLAN_HLEN);
    if (!p)
        return -ENOSPC;
    memmove(p, p + VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
    vh.vlan_tci = rte_cpu_to_be_16(vid);
    vh.eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
    /* On the wire: ... src, 0x8100, TCI, original ethertype. */
    memcpy(p + 2 * RTE_ETHER_ADDR_LEN, &vh.eth_proto, 2);
    memcpy(p + 2 * RTE_ETHER_ADDR_LEN + 2, &vh.vlan_tci, 2);
    return 0;
}

int vsw_tag_insert(struct rte_mbuf *m, uint16_t vid)
{
    return tag_insert(m, vid);
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
static unsigned flood(struct vsw_switch *sw, const struct vsw_flood *f,
                      const struct vsw_vnic *self, struct vsw_ep *wire,
                      struct rte_mbuf *m, uint64_t now)
{
    unsigned i, k = 0;

    for (i = 0; f && i < f->n; i++) {
        struct vsw_vnic *d = f->v[i];

        if (d == self)
            continue;
        rte_pktmbuf_refcnt_update(m, 1);
        vnic_deliver(sw, d, m, now);
        k++;
    }
    if (wire) {
        rte_pktmbuf_refcnt_update(m, 1);
        ep_put(sw, wire, m);
        k++;
    }
    rte_pktmbuf_free(m);
    return k;
}

static void flood_from_wire(struct vsw_link *l, struct rte_mbuf *m,
                            uint16_t vid, bool tagged, uint64_t now)
{
    const struct vsw_flood *f = load_acq(&l->flood[vid]);

    if (!f) {
        vsw_drop(&l->stats, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    if (tagged)
        tag_strip(m);
    flood(l->sw, f, NULL, NULL, m, now);
}

static void flood_from_vnic(struct vsw_vnic *v, struct rte_mbuf *m,
                            uint64_t now)
{
    struct vsw_link *l = v->link;
    const struct vsw_flood *f = load_acq(&l->flood[v->key.vid]);
    bool others = f && (f->n > 1 || (f->n == 1 && f->v[0] != v));
    struct vsw_ep *wire = load_acq(&l->ep.port) ? &l->ep : NULL;
    uint16_t vid = v->key.vid;
    struct rte_mbuf *c;

    if (!wire && !others) {
        vsw_drop(&v->stats, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    if (!wire || vid == LP_VID_NONE) {
        prio_mark(m, v);
        flood(l->sw, f, v, wire, m, now);
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
    if (!c || tag_insert(c, vid) < 0) {
        vsw_drop(&v->stats, VSW_DROP_NOBUF);
        rte_pktmbuf_free(c);
    } else {
        prio_mark(c, v);
        ep_put(l->sw, wire, c);
    }
    if (m)
        flood(l->sw, f, v, NULL, m, now);
}

/* ---- classification ---- */

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

/* Wire input, at most VSW_BURST frames. */
static void link_input_burst(struct vsw_link *l, struct rte_mbuf **pkts,
                             uint16_t n, uint64_t now)
{
    struct vsw_fdb_key keys[VSW_BURST];
    const void *kp[VSW_BURST];
    void *hit[VSW_BURST];
    struct rte_mbuf *uni[VSW_BURST];
    bool tagged[VSW_BURST];
    uint64_t hits = 0;
    unsigned i, k = 0;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        bool tg;
        int vid;

        l->stats.ipackets++;
        l->stats.rbytes += m->pkt_len;
        vid = wire_vid(m, &tg);
        if (vid < 0) {
            l->stats.ierrors++;
            rte_pktmbuf_free(m);
        } else if (dst_is_group(m)) {
            flood_from_wire(l, m, (uint16_t)vid, tg, now);
        } else {
            key_set(&keys[k], m, (uint16_t)vid);
            kp[k] = &keys[k];
            tagged[k] = tg;
            uni[k++] = m;
        }
    }
    if (k)
        rte_hash_lookup_bulk_data(l->fdb, kp, k, &hits, hit);
    for (i = 0; i < k; i++) {
        struct rte_mbuf *m = uni[i];
        struct vsw_vnic *v = hit[i];

        if (!(hits & (1ull << i))) {
            vsw_drop(&l->stats, VSW_DROP_UNKNOWN_DEST);
            rte_pktmbuf_free(m);
            continue;
        }
        if (tagged[i])
            tag_strip(m);
        vnic_deliver(l->sw, v, m, now);
    }
}

void vsw_link_input(struct vsw_link *l, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now)
{
    vsw_cap_tap(&l->ep.cap, pkts, n, VSW_CAP_ENTER);
    while (n) {
        uint16_t b = n < VSW_BURST ? n : VSW_BURST;

        link_input_burst(l, pkts, b, now);
        pkts += b;
        n -= b;
    }
}

/*
 * What a VNIC's client may send: a complete untagged frame, from the
 * VNIC's own MAC when mac-nospoof is on, within maxbw.  Counts and frees
 * what fails.
 */
static bool vnic_tx_check(struct vsw_vnic *v, struct rte_mbuf *m,
                          uint32_t prot, bool limited)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

    if (m->data_len < RTE_ETHER_HDR_LEN ||
        (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ||
        eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
        v->stats.oerrors++;
        goto drop;
    }
    if ((prot & LP_PROT_MAC_NOSPOOF) &&
        memcmp(&eh->src_addr, v->key.mac, RTE_ETHER_ADDR_LEN) != 0) {
        vsw_drop(&v->stats, VSW_DROP_SPOOF);
        goto drop;
    }
    switch (vsw_l3_check(v, m, prot)) {
    case VSW_L3_OVERSIZE:
        v->stats.oerrors++;
        goto drop;
    case VSW_L3_SPOOF:
        vsw_drop(&v->stats, VSW_DROP_SPOOF);
        goto drop;
    default:
        break;
    }
    if (limited && !tb_take(&v->tx_tb, m->pkt_len)) {
        vsw_drop(&v->stats, VSW_DROP_POLICER);
        goto drop;
    }
    v->stats.opackets++;
    v->stats.obytes += m->pkt_len;
    return true;
drop:
    rte_pktmbuf_free(m);
    return false;
}

/* A unicast frame from @v that no VNIC of its (link, VID) has. */
static void vnic_to_wire(struct vsw_vnic *v, struct rte_mbuf *m)
{
    struct vsw_link *l = v->link;

    if (!load_acq(&l->ep.port)) {
        vsw_drop(&v->stats, VSW_DROP_UNKNOWN_DEST);
        rte_pktmbuf_free(m);
        return;
    }
    prio_mark(m, v);
    if (unlikely(vsw_ofl_pending(m))) {
        /* Segmented (gso.c) before the tag goes in. */
        vsw_ofl_put(l->sw, &l->ep, m, v->key.vid);
        return;
    }
    if (v->key.vid != LP_VID_NONE && tag_insert(m, v->key.vid) < 0) {
        vsw_drop(&v->stats, VSW_DROP_NOBUF);
        rte_pktmbuf_free(m);
        return;
    }
    ep_put(l->sw, &l->ep, m);
}

static void vnic_input_burst(struct vsw_vnic *v, struct rte_mbuf **pkts,
                             uint16_t n, uint64_t now)
{
    const struct vsw_tb_cfg *c = load_acq(&v->tbcfg);
    uint32_t prot = __atomic_load_n(&v->protection, __ATOMIC_RELAXED);
    const struct vsw_port *port = load_acq(&v->ep.port);
    struct vsw_fdb_key keys[VSW_BURST];
    const void *kp[VSW_BURST];
    void *hit[VSW_BURST];
    struct rte_mbuf *uni[VSW_BURST];
    uint64_t hits = 0;
    unsigned i, k = 0;

    /* A port that slows its client by credit is not policed here. */
    if (c && port && (port->flags & VSW_PORT_F_TX_RATE))
        c = NULL;
    if (c)
        tb_refill(&v->tx_tb, c, now);
    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];

        if (!vnic_tx_check(v, m, prot, c != NULL))
            continue;
        if (dst_is_group(m)) {
            flood_from_vnic(v, m, now);
            continue;
        }
        key_set(&keys[k], m, v->key.vid);
        kp[k] = &keys[k];
        uni[k++] = m;
    }
    if (k)
        rte_hash_lookup_bulk_data(v->link->fdb, kp, k, &hits, hit);
    for (i = 0; i < k; i++) {
        struct rte_mbuf *m = uni[i];
        struct vsw_vnic *d = hit[i];

        if (!(hits & (1ull << i))) {
            vnic_to_wire(v, m);
        } else if (d == v) {
            /* No hairpin: a VNIC's own address is not a destination. */
            vsw_drop(&v->stats, VSW_DROP_UNKNOWN_DEST);
            rte_pktmbuf_free(m);
        } else {
            vnic_deliver(v->link->sw, d, m, now);
        }
    }
}

void vsw_vnic_input(struct vsw_vnic *v, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now)
{
    vsw_cap_tap(&v->ep.cap, pkts, n, VSW_CAP_ENTER);
    while (n) {
        uint16_t b = n < VSW_BURST ? n : VSW_BURST;

        vnic_input_burst(v, pkts, b, now);
        pkts += b;
        n -= b;
    }
}
