/* SPDX-License-Identifier: MIT */
/*
 * The shaper's fast-path half, inlined where frames pass: a token bucket
 * per direction (32.32 fixed-point bytes, refilled from the TSC).  The
 * rest of the shaper (bucket configs, the bounded queue toward a VNIC and
 * its backlog) is shaper.c.  Fast-path thread only.
 */
#ifndef VSW_SHAPER_PVT_H
#define VSW_SHAPER_PVT_H

#include "switch_pvt.h"

/*
 * Refill @tb for the time since its last refill.  The bucket holds at most
 * depth_fp, which bounds the burst after an idle spell; but while frames
 * wait for its credit (tb->waiting) the link was never idle, and credit
 * that came due while the thread was late (a busy host does not wake it
 * on time) is owed, up to owed_fp: without it every late wake-up would
 * lose the rate of the time it was late.
 */
static inline void vsw_tb_refill(struct vsw_tb *tb, const struct vsw_tb_cfg *c,
                             uint64_t now)
{
    int64_t cap = tb->waiting ? c->owed_fp : c->depth_fp;
    uint64_t max_dt = tb->waiting ? c->max_dt_owed : c->max_dt;
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
    if (dt > max_dt)
        dt = max_dt;
    tb->tokens_fp += (int64_t)(dt * c->rate_fp);
    if (tb->tokens_fp > cap)
        tb->tokens_fp = cap;
}

/*
 * A frame may pass while the bucket is positive; it may then go negative
 * by that one frame.  Charging after the fact keeps the long-run rate
 * exact without knowing frame sizes in advance.
 */
static inline bool vsw_tb_take(struct vsw_tb *tb, uint32_t len)
{
    if (tb->tokens_fp <= 0)
        return false;
    tb->tokens_fp -= (int64_t)len << 32;
    return true;
}

/*
 * Queue @m for @v until its receive credit comes back; @v joins the
 * backlog list.  @return 0, or -ENOSPC/-ENOMEM (the caller drops @m).
 */
int vsw_shaper_enqueue(struct vsw_worker *w, struct vsw_vnic *v,
                       const struct vsw_tb_cfg *c, struct rte_mbuf *m);

#endif /* VSW_SHAPER_PVT_H */
