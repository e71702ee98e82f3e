/* SPDX-License-Identifier: MIT */
/*
 * maxbw: token-bucket configurations, the transmit budget of a VNIC whose
 * port is polled, and toward a VNIC a bucket with a bounded queue whose
 * frames wait on the switch's backlog list for their credit.
 */
#include <errno.h>
#include <stdlib.h>

#include "shaper_pvt.h"

/* A full-size untagged frame: the unit of the maxbw budget. */
#define MTU_FRAME 1514
/* The largest segment a port with offload metadata may hand over. */
#define LARGE_FRAME 65550
/*
 * Largest bucket, owed credit and queue, in bytes (512 MiB: 4 ms at
 * LP_MAXBW_MAX).  The bucket is kept in 32.32 fixed point in an int64, and
 * a full bucket plus the refill of its longest gap must stay below 2^63:
 * 10 ms at 1 Tbit/s would not (the sum wrapped negative and the VNIC's
 * frames waited for ever).
 */
#define TB_BYTES_MAX (1ull << 29)

static uint64_t tb_bytes(uint64_t bytes)
{
    if (bytes < 4 * MTU_FRAME)
        return 4 * MTU_FRAME;
    return bytes > TB_BYTES_MAX ? TB_BYTES_MAX : bytes;
}

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
    depth = tb_bytes(bps / 8 / 100);
    c->depth_fp = (int64_t)(depth << 32);
    /* Time that fills the bucket from an overdraft of one large segment
     * (which a TAP with a vnet header may hand over) to full: longer gaps
     * are cut to it, so the refill never overflows. */
    c->max_dt = ((uint64_t)c->depth_fp + ((uint64_t)LARGE_FRAME << 32)) /
                    c->rate_fp + 1;
    /* 100 ms owed at most to frames that waited through a late wake-up. */
    depth = tb_bytes(bps / 8 / 10);
    c->owed_fp = (int64_t)(depth << 32);
    c->max_dt_owed = ((uint64_t)c->owed_fp + ((uint64_t)LARGE_FRAME << 32)) /
                         c->rate_fp + 1;
    /* 50 ms of queue toward the VNIC: enough for TCP to keep the rate,
     * short enough not to add much delay; and never less than one large
     * segment (a TAP with a vnet header hands over up to 64 KiB at once)
     * and a few frames, or at low rates every such segment would be
     * dropped whole and TCP would collapse rather than slow down. */
    c->qlimit = (uint32_t)tb_bytes(bps / 8 / 20);
    if (c->qlimit < LARGE_FRAME + 8 * MTU_FRAME)
        c->qlimit = LARGE_FRAME + 8 * MTU_FRAME;
    return c;
}

/* Cycles until the bucket is positive again (0 if it is). */
uint64_t vsw_tb_wait(const struct vsw_tb *tb, const struct vsw_tb_cfg *c)
{
    if (tb->tokens_fp > 0)
        return 0;
    return (uint64_t)(-tb->tokens_fp) / c->rate_fp + 1;
}

uint16_t vsw_vnic_tx_budget(struct vsw_vnic *v, uint16_t max, uint64_t now)
{
    const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);
    const struct vsw_port *port = vsw_load_acq(&v->ep.port);
    bool large = port && (port->flags & VSW_PORT_F_OFFLOAD_META);
    uint64_t frames;

    if (!c)
        return max;
    vsw_tb_refill(&v->tx_tb, c, now);
    if (v->tx_tb.tokens_fp <= 0)
        return 0;
    /* Enough frames to spend the credit if all are full size, so that
     * the overdraft stays within one frame; a port that hands over large
     * segments (a TAP with a vnet header) counts each as one. */
    frames = 1 + ((uint64_t)v->tx_tb.tokens_fp >> 32) /
                     (large ? LARGE_FRAME : MTU_FRAME);
    return frames < max ? (uint16_t)frames : max;
}

int vsw_shaper_enqueue(struct vsw_worker *w, struct vsw_vnic *v,
                       const struct vsw_tb_cfg *c, struct rte_mbuf *m)
{
    struct vsw_mbufq *q = v->rxq;

    if (!q) {
        /* Made here, by the VNIC's owner, so only that worker ever
         * touches it; the control thread frees it after the VNIC is
         * gone. */
        q = v->rxq = vsw_mbufq_new(VSW_RXQ_MAX);
        if (!q)
            return -ENOMEM;
    }
    /* Full: the oldest frames go (head drop, as CoDel does), not the new
     * one.  The receiver then sees the gap at once, with the frames that
     * follow, and TCP's fast retransmit mends it; dropping at the tail
     * hides the loss behind a full queue of 50 ms, the sender goes on
     * overrunning it, and the burst of losses ends in a retransmission
     * timeout: a fifth of a second without traffic. */
    while (q->n && (q->bytes + m->pkt_len > c->qlimit || vsw_mbufq_full(q))) {
        rte_pktmbuf_free(vsw_mbufq_pop(q));
        vsw_drop(&v->stats, VSW_DROP_POLICER);
    }
    if (q->bytes + m->pkt_len > c->qlimit || !vsw_mbufq_push(q, m))
        return -ENOSPC;
    if (!v->backlogged) {
        v->rx_tb.waiting = true;
        v->backlogged = true;
        v->next_backlog = w->backlog;
        w->backlog = v;
    }
    return 0;
}

/* Send what credit allows from each queue (@all: free everything, the
 * fast path is stopping).  VNICs being destroyed let go of their frames. */
void vsw_fp_backlog_run(struct vsw_worker *w, uint64_t now, bool all)
{
    struct vsw_vnic **pp = &w->backlog, *v;

    while ((v = *pp) != NULL) {
        const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);
        struct vsw_mbufq *q = v->rxq;

        if (vsw_load_acq(&v->ep.dying))
            w->gone += vsw_mbufq_purge(q);
        else if (all)
            vsw_mbufq_purge(q);
        if (c)
            vsw_tb_refill(&v->rx_tb, c, now);
        while (q->n &&
               (!c || vsw_tb_take(&v->rx_tb, vsw_mbufq_at(q, 0)->pkt_len)))
            vsw_vnic_put(w, v, vsw_mbufq_pop(q));
        if (q->n) {
            pp = &v->next_backlog;
            continue;
        }
        *pp = v->next_backlog;
        v->next_backlog = NULL;
        v->backlogged = false;
        v->rx_tb.waiting = false;
    }
}

