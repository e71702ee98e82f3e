/* SPDX-License-Identifier: MIT */
/*
 * Guest receive: copy the owner's packets into buffers the frontend posted
 * on its RX ring.
 *
 * A packet takes ceil(len / 4096) consecutive requests, plus one after the
 * first for a GSO extra record.  Data lands at offset 0 of each granted
 * page, at most a page per slot.  The response to request i goes in slot
 * i (netfront finds extras by position), so req_cons == rsp_prod_pvt
 * between bursts.  One xvm_gnttab_copy() and at most one event per burst.
 */
#define _GNU_SOURCE
#include <string.h>

#include "netback_pvt.h"

_Static_assert(sizeof(netif_extra_info_t) == sizeof(netif_rx_response_t),
               "an extra record fills an RX response slot");

/* The state of one burst. */
struct rx_burst {
    RING_IDX cons;       /* next request to fill */
    RING_IDX prod;       /* req_prod as last read */
    unsigned nops;       /* grant-copy ops queued in rx->ops[] */
    enum nb_fatal fatal; /* found on a re-read: disable after the burst */
    RING_IDX bad_prod;
};

/*
 * Check a freshly read request producer: it never moves backwards and is
 * never more than a ring ahead of our responses.
 */
static enum nb_fatal rx_check_prod(struct nb_rx *rx, RING_IDX p)
{
    if ((int32_t)(p - rx->last_prod) < 0)
        return NB_FATAL_RX_PROD_BACKWARDS;
    if (p - rx->ring.rsp_prod_pvt > NETIF_RING_SIZE)
        return NB_FATAL_RX_PROD_OVERFLOW;
    rx->last_prod = p;
    return NB_FATAL_NONE;
}

static RING_IDX rx_load_prod(const struct nb_rx *rx)
{
    return __atomic_load_n(&rx->ring.sring->req_prod, __ATOMIC_ACQUIRE);
}

static void rx_disable_prod(struct nb_vif *vif, enum nb_fatal reason,
                            RING_IDX p)
{
    nb_vif_disable(vif, reason, "req_prod %u (last %u, rsp_prod %u)", p,
                   vif->rx.last_prod, vif->rx.ring.rsp_prod_pvt);
}

/*
 * Slots @p needs, with *@ndata of them for data; 0 if it is dropped
 * (counted).  Offloads the frontend did not negotiate cannot be expressed
 * to it, so those packets are dropped rather than mangled.
 */
static unsigned rx_classify(struct nb_vif *vif, const struct nb_rx_pkt *p,
                            unsigned *ndata)
{
    struct nb_rx *rx = &vif->rx;
    uint64_t sum = 0;
    unsigned i, n;

    if (p->len < NETIF_MIN_FRAME || p->len > NETIF_MAX_FRAME || !p->segs ||
        p->nseg == 0 || p->nseg > NB_RX_OPS_MAX - NETIF_RING_SIZE)
        goto bad;
    for (i = 0; i < p->nseg; i++)
        sum += p->segs[i].len;
    if (sum != p->len)
        goto bad;
    n = (p->len + XVM_PAGE_SIZE - 1) / XVM_PAGE_SIZE;
    if (n > 1 && !(vif->features & NETIF_F_SG))
        goto offload;
    *ndata = n;
    if (!(p->off.flags & NETIF_OFF_GSO))
        return n;
    if (p->off.gso_size == 0)
        goto offload;
    if (p->off.gso_type == NETIF_GSO_TCPV4 && (vif->features & NETIF_F_GSO_TCPV4))
        return n + 1;
    if (p->off.gso_type == NETIF_GSO_TCPV6 && (vif->features & NETIF_F_GSO_TCPV6))
        return n + 1;
offload:
    rx->dropped_offload++;
    return 0;
bad:
    rx->dropped_bad++;
    return 0;
}

/*
 * Too few requests for the next packet.  With feature-rx-notify, ask for
 * an event on the frontend's next post and look once more, so a post that
 * raced with us is not missed.  @return true if there are enough now.
 */
static bool rx_wait_slots(struct nb_vif *vif, struct rx_burst *b, unsigned need)
{
    struct nb_rx *rx = &vif->rx;
    RING_IDX p;

    if (vif->features & NETIF_F_RX_NOTIFY) {
        __atomic_store_n(&rx->ring.sring->req_event, b->prod + 1,
                         __ATOMIC_RELAXED);
        xen_mb(); /* req_event visible before req_prod is read again */
        p = rx_load_prod(rx);
        b->fatal = rx_check_prod(rx, p);
        if (b->fatal != NB_FATAL_NONE) {
            b->bad_prod = p;
            return false;
        }
        b->prod = p;
        if (b->prod - b->cons >= need)
            return true;
    }
    rx->no_slots++;
    return false;
}

/* A GSO packet is checksum-partial whatever the owner said: netfront
 * takes one without csum_blank for a buggy peer's and fixes it up. */
static uint16_t rx_csum_flags(const struct netif_offload *off)
{
    if (off->flags & (NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO))
        return NETRXF_csum_blank | NETRXF_data_validated;
    if (off->flags & NETIF_OFF_DATA_VALIDATED)
        return NETRXF_data_validated;
    return 0;
}

static void rx_put_extra(struct nb_rx *rx, RING_IDX idx,
                         const struct netif_offload *off)
{
    netif_extra_info_t ex;

    /* Built whole in private memory so no stale byte reaches the guest. */
    memset(&ex, 0, sizeof(ex));
    ex.type = XEN_NETIF_EXTRA_TYPE_GSO;
    ex.u.gso.size = off->gso_size;
    ex.u.gso.type = off->gso_type;
    memcpy(RING_GET_RESPONSE(&rx->ring, idx), &ex, sizeof(ex));
}

/*
 * Queue the copies of @p into the next requests and write their
 * responses.  Ops split where a page or a segment ends.
 */
static void rx_put_packet(struct nb_rx *rx, const struct nb_rx_pkt *p,
                          unsigned ndata, bool gso, struct rx_burst *b)
{
    const struct nb_seg *seg = p->segs, *seg_end = p->segs + p->nseg;
    uint32_t seg_off = 0, left = p->len;
    uint16_t flags = rx_csum_flags(&p->off);
    RING_IDX idx = b->cons;
    unsigned k;

    if (gso)
        flags |= NETRXF_extra_info;
    for (k = 0; k < ndata; k++) {
        uint32_t fill = left < XVM_PAGE_SIZE ? left : XVM_PAGE_SIZE;
        uint32_t done = 0;
        netif_rx_response_t *rsp;
        netif_rx_request_t req;

        RING_COPY_REQUEST(&rx->ring, idx, &req);
        while (done < fill && seg < seg_end) {
            uint32_t room = seg->len - seg_off, chunk;
            struct xvm_gcopy *op;

            if (room == 0) {
                seg++;
                seg_off = 0;
                continue;
            }
            chunk = fill - done < room ? fill - done : room;
            rx->op_slot[b->nops] = idx;
            op = &rx->ops[b->nops++];
            op->local = (char *)seg->base + seg_off;
            op->ref = req.gref;
            op->offset = (uint16_t)done;
            op->len = (uint16_t)chunk;
            op->dir = XVM_GCOPY_TO_GUEST;
            done += chunk;
            seg_off += chunk;
        }
        left -= fill;
        rsp = RING_GET_RESPONSE(&rx->ring, idx);
        rsp->id = req.id;
        rsp->offset = 0;
        rsp->flags = flags | (left ? NETRXF_more_data : 0);
        rsp->status = (int16_t)fill;
        flags = 0;
        idx++;
        if (k == 0 && gso)
            rx_put_extra(rx, idx++, &p->off);
    }
    b->cons = idx;
}

/*
 * Some copies failed: put each failing op's negative GNTST_* status in
 * the response of its slot and take the packets off the counters.
 * @return the first failed op.
 */
static const struct xvm_gcopy *rx_fail(struct nb_rx *rx, unsigned npkts,
                                       unsigned nops)
{
    const struct xvm_gcopy *bad = NULL;
    unsigned i, j, first = 0;

    for (j = 0; j < nops; j++) {
        if (rx->ops[j].status == GNTST_okay)
            continue;
        RING_GET_RESPONSE(&rx->ring, rx->op_slot[j])->status =
            rx->ops[j].status;
        if (!bad)
            bad = &rx->ops[j];
    }
    for (i = 0; i < npkts; first = rx->pkt_op_end[i], i++) {
        if (!rx->pkt_len[i])
            continue;
        for (j = first; j < rx->pkt_op_end[i]; j++) {
            if (rx->ops[j].status != GNTST_okay) {
                rx->packets--;
                rx->bytes -= rx->pkt_len[i];
                break;
            }
        }
    }
    return bad;
}

static unsigned rx_finish(struct nb_vif *vif, struct rx_burst *b,
                          unsigned npkts)
{
    struct nb_rx *rx = &vif->rx;
    const struct xvm_gcopy *bad = NULL;

    if (b->nops && xvm_gnttab_copy(vif->gt, rx->ops, b->nops) != 0)
        bad = rx_fail(rx, npkts, b->nops);
    rx->ring.req_cons = rx->ring.rsp_prod_pvt = b->cons;
    if (nb_ring_push(&rx->ring.sring->rsp_prod, &rx->ring.sring->rsp_event,
                     &rx->rsp_pushed, b->cons)) {
        xvm_evtchn_send(vif->evtchn, vif->rx_port);
        rx->notify++;
    }
    if (bad)
        nb_vif_disable(vif, NB_FATAL_RX_BAD_GRANT,
                       "copy to gref %u offset %u len %u: %s", bad->ref,
                       bad->offset, bad->len, xvm_gntst_str(bad->status));
    else if (b->fatal != NB_FATAL_NONE)
        rx_disable_prod(vif, b->fatal, b->bad_prod);
    return npkts;
}

unsigned nb_vif_rx_burst(struct nb_vif *vif, const struct nb_rx_pkt *pkts,
                         unsigned n)
{
    struct nb_rx *rx = &vif->rx;
    struct rx_burst b;
    unsigned i, need, ndata = 0;
    enum nb_fatal f;

    if (nb_vif_is_dead(vif) || n == 0)
        return 0;
    if (n > NB_BURST_MAX)
        n = NB_BURST_MAX;
    b.prod = rx_load_prod(rx);
    f = rx_check_prod(rx, b.prod);
    if (f != NB_FATAL_NONE) {
        rx_disable_prod(vif, f, b.prod);
        return 0;
    }
    b.cons = rx->ring.req_cons;
    b.nops = 0;
    b.fatal = NB_FATAL_NONE;
    b.bad_prod = 0;
    for (i = 0; i < n; i++) {
        const struct nb_rx_pkt *p = &pkts[i];

        rx->pkt_len[i] = 0;
        need = rx_classify(vif, p, &ndata);
        if (need == 0) {
            rx->pkt_op_end[i] = (uint16_t)b.nops;
            continue;
        }
        if (b.nops + ndata + p->nseg > NB_RX_OPS_MAX)
            break;
        if (b.prod - b.cons < need && !rx_wait_slots(vif, &b, need))
            break;
        rx_put_packet(rx, p, ndata, need > ndata, &b);
        rx->pkt_op_end[i] = (uint16_t)b.nops;
        rx->pkt_len[i] = p->len;
        rx->packets++;
        rx->bytes += p->len;
    }
    return rx_finish(vif, &b, i);
}

unsigned nb_vif_rx_slots(struct nb_vif *vif)
{
    struct nb_rx *rx = &vif->rx;
    RING_IDX p, n;

    if (nb_vif_is_dead(vif))
        return 0;
    p = rx_load_prod(rx);
    n = p - rx->ring.req_cons;
    /* A query: report nothing for a bad index, leave judging it to
     * nb_vif_rx_burst(). */
    if (n > NETIF_RING_SIZE || (int32_t)(p - rx->last_prod) < 0)
        return 0;
    return n;
}
