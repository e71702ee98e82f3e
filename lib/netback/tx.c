/* SPDX-License-Identifier: MIT */
/*
 * Guest transmit: take packets off the frontend's TX ring.
 *
 * One poll is one burst: read req_prod once, then per packet copy each of
 * its requests once into tx->req[], validate the copies, get an owner
 * buffer and queue grant-copy ops for it.  Then one xvm_gnttab_copy() for
 * the whole burst, every response written, one push (and at most one
 * event), one tx_deliver().  Requests are answered in ring order, so the
 * response for the request at index i goes in slot i and req_cons ==
 * rsp_prod_pvt between polls.
 *
 * A packet we stop in front of (no credit, no buffer) is left on the ring
 * untouched; its private copies are discarded and it is read afresh next
 * time.  A packet that breaks the protocol gets no response: the packets
 * before it in the burst complete normally, then the vif is disabled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netback_pvt.h"

/* Credit may accumulate up to this much even when credit_bytes is smaller,
 * so a 64 KiB packet always fits eventually (as Linux netback). */
#define CREDIT_MIN_BURST (128u * 1024u)

/* What parsing one packet's requests found. */
struct tx_info {
    uint16_t nslots;     /* requests used: first + extras + other data */
    uint16_t nextra;     /* extra-info slots after the first */
    uint16_t ndata;      /* data slots, the first included */
    uint16_t first_size; /* the first slot's real size: total - the rest */
    struct netif_offload off;
    bool mcast_add, mcast_del;
    uint8_t add_addr[6], del_addr[6];
};

/* The state of one poll. */
struct tx_burst {
    RING_IDX cons;       /* next request to take */
    RING_IDX prod;       /* req_prod as read at the start */
    unsigned npkts;      /* packets taken, in tx->pend[] and tx->pkts[] */
    unsigned nops;       /* grant-copy ops queued in tx->ops[] */
    enum nb_fatal fatal; /* protocol error found: disable after the burst */
    bool limited;        /* the credit's lock is held: take from it */
    char why[128];       /* details for the log */
};

static void tx_bad(struct tx_burst *b, enum nb_fatal reason, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));

static void tx_bad(struct tx_burst *b, enum nb_fatal reason, const char *fmt,
                   ...)
{
    va_list ap;

    b->fatal = reason;
    va_start(ap, fmt);
    vsnprintf(b->why, sizeof(b->why), fmt, ap);
    va_end(ap);
}

/*
 * Read the request producer once.  It never moves backwards and is never
 * more than a ring ahead of what we consumed; anything else is garbage
 * (XSA-39) and disables the vif.
 */
static bool tx_read_prod(struct nb_vif *vif, RING_IDX *prod)
{
    struct nb_tx *tx = &vif->tx;
    RING_IDX p = __atomic_load_n(&tx->ring.sring->req_prod, __ATOMIC_ACQUIRE);

    if ((int32_t)(p - tx->last_prod) < 0) {
        nb_vif_disable(vif, NB_FATAL_TX_PROD_BACKWARDS, "req_prod %u after %u",
                       p, tx->last_prod);
        return false;
    }
    if (p - tx->ring.req_cons > NETIF_RING_SIZE) {
        nb_vif_disable(vif, NB_FATAL_TX_PROD_OVERFLOW,
                       "req_prod %u req_cons %u", p, tx->ring.req_cons);
        return false;
    }
    tx->last_prod = p;
    *prod = p;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Parsing: private copies only.                                            */

/* The extra-info records after the first request, chained by MORE. */
static bool tx_parse_extras(struct nb_tx *tx, RING_IDX *idx, RING_IDX prod,
                            struct tx_info *ti, struct tx_burst *b)
{
    netif_extra_info_t ex;

    do {
        netif_tx_request_t *slot = &tx->req[*idx & NB_RING_MASK];

        if (*idx == prod) {
            tx_bad(b, NB_FATAL_TX_BAD_EXTRA, "extra info missing at %u", *idx);
            return false;
        }
        RING_COPY_REQUEST(&tx->ring, *idx, slot);
        memcpy(&ex, slot, sizeof(ex));
        if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
            ex.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
            tx_bad(b, NB_FATAL_TX_BAD_EXTRA, "extra type %u at %u", ex.type,
                   *idx);
            return false;
        }
        (*idx)++;
        ti->nextra++;
        switch (ex.type) {
        case XEN_NETIF_EXTRA_TYPE_GSO:
            if (ex.u.gso.size == 0 ||
                (ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
                 ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)) {
                tx_bad(b, NB_FATAL_TX_BAD_GSO, "gso size %u type %u",
                       ex.u.gso.size, ex.u.gso.type);
                return false;
            }
            ti->off.flags |= NETIF_OFF_GSO;
            ti->off.gso_size = ex.u.gso.size;
            ti->off.gso_type = ex.u.gso.type;
            break;
        case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
            ti->mcast_add = true;
            memcpy(ti->add_addr, ex.u.mcast.addr, 6);
            break;
        case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
            ti->mcast_del = true;
            memcpy(ti->del_addr, ex.u.mcast.addr, 6);
            break;
        default: /* a hash: nothing to do with it */
            break;
        }
    } while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
    return true;
}

/*
 * The data slots after the first one.  The first slot's size is the
 * packet's total; its own share is what the others leave, computed
 * without ever underflowing (XSA-432).
 */
static bool tx_parse_frags(struct nb_tx *tx, RING_IDX cons, RING_IDX prod,
                           struct tx_info *ti, struct tx_burst *b)
{
    const netif_tx_request_t *first = &tx->req[cons & NB_RING_MASK];
    RING_IDX idx = cons + 1 + ti->nextra;
    uint32_t left = first->size;
    uint16_t flags = first->flags;

    while (flags & NETTXF_more_data) {
        netif_tx_request_t *r = &tx->req[idx & NB_RING_MASK];

        if (ti->ndata == NETIF_MAX_SLOTS_PER_PKT) {
            tx_bad(b, NB_FATAL_TX_TOO_MANY_SLOTS, "more than %u slots",
                   NETIF_MAX_SLOTS_PER_PKT);
            return false;
        }
        if (idx == prod) {
            tx_bad(b, NB_FATAL_TX_CHAIN_OVERRUN, "more_data past req_prod %u",
                   prod);
            return false;
        }
        RING_COPY_REQUEST(&tx->ring, idx, r);
        if ((uint32_t)r->offset + r->size > XVM_PAGE_SIZE) {
            tx_bad(b, NB_FATAL_TX_SLOT_CROSSES_PAGE,
                   "slot %u offset %u size %u", idx, r->offset, r->size);
            return false;
        }
        if (r->size > left) {
            tx_bad(b, NB_FATAL_TX_FRAG_OVERRUN,
                   "slot %u size %u, %u left of total %u", idx, r->size, left,
                   first->size);
            return false;
        }
        left -= r->size;
        flags = r->flags;
        idx++;
        ti->ndata++;
    }
    if ((uint32_t)first->offset + left > XVM_PAGE_SIZE) {
        tx_bad(b, NB_FATAL_TX_SLOT_CROSSES_PAGE, "first slot offset %u size %u",
               first->offset, left);
        return false;
    }
    ti->first_size = (uint16_t)left;
    ti->nslots = (uint16_t)(1 + ti->nextra + ti->ndata - 1);
    return true;
}

/*
 * Parse the packet whose first request (already copied) is at @cons.
 * @return false with b->fatal set if the frontend broke the protocol.
 */
static bool tx_parse(struct nb_tx *tx, RING_IDX cons, struct tx_info *ti,
                     struct tx_burst *b)
{
    const netif_tx_request_t *first = &tx->req[cons & NB_RING_MASK];
    RING_IDX idx = cons + 1;

    memset(ti, 0, sizeof(*ti));
    ti->ndata = 1;
    if (first->flags & NETTXF_csum_blank)
        ti->off.flags |= NETIF_OFF_CSUM_BLANK;
    if (first->flags & NETTXF_data_validated)
        ti->off.flags |= NETIF_OFF_DATA_VALIDATED;
    if ((first->flags & NETTXF_extra_info) &&
        !tx_parse_extras(tx, &idx, b->prod, ti, b))
        return false;
    /* A GSO packet is checksum-partial (the pseudo-header sum in place):
     * xnf sends its LSO packets with the GSO record alone, and Linux
     * netback fixes such packets up the same way. */
    if (ti->off.flags & NETIF_OFF_GSO)
        ti->off.flags |= NETIF_OFF_CSUM_BLANK;
    /* xnf's multicast dummy: a lone request of size 0 carrying the
     * multicast record.  No data, no packet; it is answered at once. */
    if (first->size == 0 && !(first->flags & NETTXF_more_data) &&
        (ti->mcast_add || ti->mcast_del)) {
        ti->ndata = 0;
        ti->nslots = (uint16_t)(1 + ti->nextra);
        return true;
    }
    if (first->size < NETIF_MIN_FRAME) {
        tx_bad(b, NB_FATAL_TX_BAD_LEN, "packet size %u at %u", first->size,
               cons);
        return false;
    }
    return tx_parse_frags(tx, cons, b->prod, ti, b);
}

/* ------------------------------------------------------------------------ */
/* Taking a packet.                                                         */

static int mcast_add(struct nb_tx *tx, const uint8_t *addr)
{
    unsigned i;

    /* Only group addresses: a guest must not list unicast ones. */
    if (!(addr[0] & 1))
        return -EINVAL;
    for (i = 0; i < tx->n_mcast; i++)
        if (memcmp(tx->mcast[i], addr, 6) == 0)
            return 0;
    if (tx->n_mcast == NB_MCAST_MAX)
        return -ENOSPC;
    memcpy(tx->mcast[tx->n_mcast++], addr, 6);
    return 0;
}

static void mcast_del(struct nb_tx *tx, const uint8_t *addr)
{
    unsigned i;

    for (i = 0; i < tx->n_mcast; i++) {
        if (memcmp(tx->mcast[i], addr, 6) == 0) {
            memcpy(tx->mcast[i], tx->mcast[--tx->n_mcast], 6);
            return;
        }
    }
}

/* @return the status for the request that carried the records. */
static int16_t tx_mcast_apply(struct nb_tx *tx, const struct tx_info *ti)
{
    int16_t st = NETIF_RSP_OKAY;

    if (ti->mcast_add) {
        tx->mcast_ops++;
        if (mcast_add(tx, ti->add_addr) < 0)
            st = NETIF_RSP_ERROR;
    }
    if (ti->mcast_del) {
        tx->mcast_ops++;
        mcast_del(tx, ti->del_addr);
    }
    return st;
}

/* One response per slot, in the request's own slot: @status for data,
 * NULL for extra records. */
static void tx_respond(struct nb_tx *tx, RING_IDX cons, unsigned nslots,
                       unsigned nextra, int16_t status)
{
    unsigned k;

    for (k = 0; k < nslots; k++) {
        RING_IDX idx = cons + k;
        netif_tx_response_t *rsp = RING_GET_RESPONSE(&tx->ring, idx);

        rsp->id = tx->req[idx & NB_RING_MASK].id;
        rsp->status = (k >= 1 && k <= nextra) ? NETIF_RSP_NULL : status;
    }
}

static bool segs_cover(const struct nb_seg *segs, unsigned n, uint32_t len)
{
    uint64_t sum = 0;
    unsigned i;

    if (n > NB_TX_SEGS_MAX)
        return false;
    for (i = 0; i < n; i++)
        sum += segs[i].len;
    return sum >= len;
}

/*
 * Queue the grant copies of one packet into tx->segs, splitting a slot
 * where it crosses a segment boundary.  A zero-size slot gets no op at all:
 * its gref is never looked at (XSA-448).
 * @return the new op count.
 */
static unsigned tx_build_ops(struct nb_tx *tx, RING_IDX cons,
                             const struct tx_info *ti, unsigned nseg,
                             unsigned nops)
{
    const struct nb_seg *seg = tx->segs, *seg_end = tx->segs + nseg;
    uint32_t seg_off = 0;
    unsigned k;

    for (k = 0; k < ti->ndata; k++) {
        RING_IDX idx = k ? cons + ti->nextra + k : cons;
        const netif_tx_request_t *r = &tx->req[idx & NB_RING_MASK];
        uint32_t left = k ? r->size : ti->first_size;
        uint16_t off = r->offset;

        while (left && seg < seg_end) {
            uint32_t room = seg->len - seg_off, chunk;
            struct xvm_gcopy *op;

            if (room == 0) {
                seg++;
                seg_off = 0;
                continue;
            }
            chunk = left < room ? left : room;
            op = &tx->ops[nops++];
            op->local = (char *)seg->base + seg_off;
            op->ref = r->gref;
            op->offset = off;
            op->len = (uint16_t)chunk;
            op->dir = XVM_GCOPY_FROM_GUEST;
            off = (uint16_t)(off + chunk);
            left -= chunk;
            seg_off += chunk;
        }
    }
    return nops;
}

/*
 * Get an owner buffer for the parsed packet at @cons and queue its copy.
 * @return false if the owner has no buffer: stop before this packet.
 */
static bool tx_take(struct nb_vif *vif, RING_IDX cons, const struct tx_info *ti,
                    struct tx_burst *b)
{
    struct nb_tx *tx = &vif->tx;
    uint32_t len = tx->req[cons & NB_RING_MASK].size;
    struct nb_tx_pend *pend = &tx->pend[b->npkts];
    struct nb_tx_pkt *pkt = &tx->pkts[b->npkts];
    void *cookie = NULL;
    unsigned nseg;

    nseg = vif->ops->tx_buf_get(vif->ops_arg, len, tx->segs, NB_TX_SEGS_MAX,
                                &cookie);
    if (nseg == 0) {
        tx->nobuf_stalls++;
        return false;
    }
    if (!segs_cover(tx->segs, nseg, len)) {
        vif->ops->tx_buf_put(vif->ops_arg, cookie);
        tx->nobuf_stalls++;
        return false;
    }
    pend->slot_first = cons;
    pend->nslots = ti->nslots;
    pend->nextra = ti->nextra;
    pend->op_first = (uint16_t)b->nops;
    b->nops = tx_build_ops(tx, cons, ti, nseg, b->nops);
    pend->op_end = (uint16_t)b->nops;
    pkt->cookie = cookie;
    pkt->len = len;
    pkt->off = ti->off;
    tx_respond(tx, cons, ti->nslots, ti->nextra, NETIF_RSP_OKAY);
    tx_mcast_apply(tx, ti);
    if (b->limited)
        tx->credit->left -= len; /* checked against it in tx_gather() */
    b->npkts++;
    b->cons += ti->nslots;
    return true;
}

/* Take packets until the budget, the ring, the credit or the buffers run
 * out, or the frontend breaks the protocol. */
static void tx_gather(struct nb_vif *vif, unsigned budget, struct tx_burst *b)
{
    struct nb_tx *tx = &vif->tx;
    bool limited = b->limited;
    struct tx_info ti;

    while (b->npkts < budget && b->cons != b->prod) {
        RING_IDX cons = b->cons;
        netif_tx_request_t *first = &tx->req[cons & NB_RING_MASK];

        RING_COPY_REQUEST(&tx->ring, cons, first);
        if (limited && first->size > tx->credit->left) {
            tx->credit_stalled = true;
            tx->credit_need = first->size;
            tx->credit_stalls++;
            break;
        }
        if (!tx_parse(tx, cons, &ti, b))
            break;
        if (ti.ndata == 0) {
            tx_respond(tx, cons, ti.nslots, ti.nextra, tx_mcast_apply(tx, &ti));
            b->cons += ti.nslots;
            continue;
        }
        /* Room for the worst case of this packet, or end the burst. */
        if (b->nops + ti.ndata + NB_TX_SEGS_MAX > NB_TX_OPS_MAX)
            break;
        if (!tx_take(vif, cons, &ti, b))
            break;
    }
}

/* ------------------------------------------------------------------------ */
/* Finishing a burst.                                                       */

/*
 * Some copies failed: answer those packets ERROR, give their buffers back
 * and drop them from tx->pkts[].  @return packets left to deliver.
 */
static unsigned tx_fail_packets(struct nb_vif *vif, struct tx_burst *b,
                                const struct xvm_gcopy **bad_op)
{
    struct nb_tx *tx = &vif->tx;
    unsigned i, j, n = 0;

    for (i = 0; i < b->npkts; i++) {
        const struct nb_tx_pend *p = &tx->pend[i];
        bool ok = true;

        for (j = p->op_first; j < p->op_end; j++) {
            if (tx->ops[j].status != GNTST_okay) {
                if (!*bad_op)
                    *bad_op = &tx->ops[j];
                ok = false;
                break;
            }
        }
        if (ok) {
            tx->pkts[n++] = tx->pkts[i];
            continue;
        }
        tx_respond(tx, p->slot_first, p->nslots, p->nextra, NETIF_RSP_ERROR);
        vif->ops->tx_buf_put(vif->ops_arg, tx->pkts[i].cookie);
    }
    return n;
}

static unsigned tx_finish(struct nb_vif *vif, struct tx_burst *b)
{
    struct nb_tx *tx = &vif->tx;
    const struct xvm_gcopy *bad_op = NULL;
    unsigned i, n = b->npkts;

    if (b->nops && xvm_gnttab_copy(vif->gt, tx->ops, b->nops) != 0)
        n = tx_fail_packets(vif, b, &bad_op);
    tx->ring.req_cons = tx->ring.rsp_prod_pvt = b->cons;
    if (nb_ring_push(&tx->ring.sring->rsp_prod, &tx->ring.sring->rsp_event,
                     &tx->rsp_pushed, b->cons)) {
        xvm_evtchn_send(vif->evtchn, vif->tx_port);
        tx->notify++;
    }
    if (n) {
        for (i = 0; i < n; i++)
            tx->bytes += tx->pkts[i].len;
        tx->packets += n;
        vif->ops->tx_deliver(vif->ops_arg, tx->pkts, n);
    }
    if (bad_op)
        nb_vif_disable(vif, NB_FATAL_TX_BAD_GRANT,
                       "copy from gref %u offset %u len %u: %s", bad_op->ref,
                       bad_op->offset, bad_op->len,
                       xvm_gntst_str(bad_op->status));
    else if (b->fatal != NB_FATAL_NONE)
        nb_vif_disable(vif, b->fatal, "%s", b->why);
    return n;
}

/*
 * Credit earned since window_start, at bytes per window,
 * continuously: a packet waits only as long as its own size takes at the
 * rate, and no credit is lost to a window boundary or to a late poll
 * (credit by whole windows, as Linux netback gives it, lost a tenth or
 * more at 100 Mbit/s: a 64 KiB segment that did not fit a window's
 * remainder took that remainder with it).  The clock moves by the time the
 * credit added stands for, so fractions carry over; a full bucket stops
 * earning.
 */
static void tx_credit_refill(struct nb_credit *c, uint64_t now)
{
    uint64_t cap, add, elapsed;

    if (now <= c->window_start)
        return;
    cap = c->bytes > CREDIT_MIN_BURST ? c->bytes
                                              : CREDIT_MIN_BURST;
    elapsed = now - c->window_start;
    if (c->left >= cap ||
        elapsed / c->window_ns > cap / c->bytes + 1) {
        c->left = cap;
        c->window_start = now;
        return;
    }
    add = (uint64_t)((unsigned __int128)elapsed * c->bytes /
                     c->window_ns);
    if (add == 0)
        return;
    if (c->left + add >= cap) {
        c->left = cap;
        c->window_start = now;
        return;
    }
    c->left += add;
    c->window_start += (uint64_t)((unsigned __int128)add *
                                          c->window_ns /
                                          c->bytes);
}

unsigned nb_vif_tx_poll(struct nb_vif *vif, unsigned budget)
{
    struct nb_tx *tx = &vif->tx;
    struct tx_burst b;

    if (nb_vif_is_dead(vif) || budget == 0)
        return 0;
    if (budget > NB_BURST_MAX)
        budget = NB_BURST_MAX;
    b.npkts = b.nops = 0;
    b.fatal = NB_FATAL_NONE;
    if (!tx_read_prod(vif, &b.prod))
        return 0;
    b.cons = tx->ring.req_cons;
    if (b.cons == b.prod)
        return 0;
    tx->credit_stalled = false;
    b.limited = false;
    if (__atomic_load_n(&tx->credit->bytes, __ATOMIC_RELAXED)) {
        nb_credit_lock(tx->credit);
        b.limited = tx->credit->bytes != 0;
        if (b.limited)
            tx_credit_refill(tx->credit, nb_now_ns());
        else
            nb_credit_unlock(tx->credit);
    }
    tx_gather(vif, budget, &b);
    if (b.limited)
        nb_credit_unlock(tx->credit);
    return tx_finish(vif, &b);
}

bool nb_vif_tx_final_check(struct nb_vif *vif)
{
    struct nb_tx *tx = &vif->tx;
    RING_IDX prod;

    if (nb_vif_is_dead(vif) || !tx_read_prod(vif, &prod))
        return false;
    if (prod != tx->ring.req_cons)
        return true;
    __atomic_store_n(&tx->ring.sring->req_event, tx->ring.req_cons + 1,
                     __ATOMIC_RELAXED);
    xen_mb(); /* req_event visible before we look at req_prod again */
    if (!tx_read_prod(vif, &prod))
        return false;
    return prod != tx->ring.req_cons;
}

int nb_vif_set_rate(struct nb_vif *vif, uint64_t bytes, uint64_t usecs)
{
    struct nb_tx *tx = &vif->tx;

    if (bytes && !usecs)
        return -EINVAL;
    tx->credit_stalled = false;
    tx->credit_need = 0;
    nb_credit_lock(tx->credit);
    if (bytes) {
        tx->credit->window_ns =
            usecs > UINT64_MAX / 1000u ? UINT64_MAX : usecs * 1000u;
        tx->credit->left = bytes;
        tx->credit->window_start = nb_now_ns();
    }
    __atomic_store_n(&tx->credit->bytes, bytes, __ATOMIC_RELAXED);
    nb_credit_unlock(tx->credit);
    return 0;
}

uint64_t nb_vif_tx_credit_wait_ns(const struct nb_vif *vif)
{
    const struct nb_tx *tx = &vif->tx;
    struct nb_credit *c = tx->credit;
    uint64_t need, span, end, now;

    if (!tx->credit_stalled || !__atomic_load_n(&c->bytes, __ATOMIC_RELAXED))
        return 0;
    nb_credit_lock(c);
    if (!c->bytes) {
        nb_credit_unlock(c);
        return 0;
    }
    /* Until the stalled packet's credit is earned (from the clock on). */
    need = tx->credit_need > c->left ? tx->credit_need - c->left : 0;
    span = (uint64_t)(((unsigned __int128)need * c->window_ns + c->bytes -
                       1) /
                      c->bytes);
    end = c->window_start + span;
    if (end < c->window_start)
        end = UINT64_MAX;
    nb_credit_unlock(c);
    now = nb_now_ns();
    return end > now ? end - now : 0;
}
