/* SPDX-License-Identifier: MIT */
/*
 * Frames between workers.  An endpoint (a wire, a VNIC) is owned by one
 * worker; a frame another worker switches toward it is gathered in that
 * worker's out[owner] during the burst, then pushed into the owner's
 * ring from it, in[sender]: one ring per (sender, owner) pair, single
 * producer and single consumer, so neither side takes a lock.  The owner
 * takes its rings at the start of each iteration and switches the frames
 * as its own (vsw_ep_take()).
 *
 * A sleeping owner is woken by its eventfd, and only when it sleeps: it
 * sets w->sleeping, then looks at its rings once more before it waits;
 * a sender pushes, then reads the flag.  Both sides are sequentially
 * consistent, so one of them sees the other.
 *
 * An endpoint being destroyed or moved (ep->dying) may have frames in
 * rings: the control thread, after the grace period that ends every
 * burst which could still switch toward it, waits until each ring has
 * been taken past its producer's position (vsw_handoff_settle()); the
 * owner frees what it finds for a dying endpoint.  Only then does the
 * endpoint go (or change owner).  A frame that reaches a worker no
 * longer the owner is handed on again (vsw_ep_take()).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "switch_pvt.h"

/* Frames one worker may have in flight toward another. */
#define HANDOFF_RING_SIZE 1024

int vsw_handoff_init(struct vsw_switch *sw)
{
    char name[RTE_RING_NAMESIZE];
    unsigned s, d;

    for (d = 0; d < sw->nw; d++) {
        for (s = 0; s < sw->nw; s++) {
            if (s == d)
                continue;
            snprintf(name, sizeof(name), "vswho%p_%u_%u", (void *)sw, s, d);
            sw->w[d]->in[s] = rte_ring_create_elem(
                name, sizeof(struct vsw_handoff), HANDOFF_RING_SIZE, SOCKET_ID_ANY,
                RING_F_SP_ENQ | RING_F_SC_DEQ);
            if (!sw->w[d]->in[s])
                return rte_errno ? -rte_errno : -ENOMEM;
        }
    }
    return 0;
}

/* Every ring must be empty (vsw_handoff_settle() with no thread). */
void vsw_handoff_fini(struct vsw_switch *sw)
{
    unsigned s, d;

    for (d = 0; d < sw->nw; d++) {
        if (!sw->w[d])
            continue;
        for (s = 0; s < sw->nw; s++) {
            rte_ring_free(sw->w[d]->in[s]);
            sw->w[d]->in[s] = NULL;
        }
    }
}

void vsw_handoff_put(struct vsw_worker *w, struct vsw_worker *to,
                     struct vsw_ep *ep, struct rte_mbuf *m, uint16_t vid)
{
    unsigned d = to->id;
    struct vsw_hobuf *b = &w->out[d];

    b->e[b->n++] = (struct vsw_handoff){.ep = ep, .m = m, .vid = vid};
    w->outmask |= 1u << d;
    if (b->n == VSW_BURST)
        vsw_handoff_flush(w);
}

static void wake(struct vsw_worker *d)
{
    uint64_t one = 1;

    if (write(d->wakefd, &one, sizeof(one)) < 0) {
        /* The counter is saturated: a wake-up is pending anyway. */
    }
}

void vsw_handoff_flush(struct vsw_worker *w)
{
    struct vsw_switch *sw = w->sw;

    while (w->outmask) {
        unsigned d = (unsigned)__builtin_ctz(w->outmask), k, i;
        struct vsw_hobuf *b = &w->out[d];
        struct vsw_worker *dw = sw->w[d];

        w->outmask &= ~(1u << d);
        k = rte_ring_sp_enqueue_burst_elem(dw->in[w->id], b->e,
                                           sizeof(b->e[0]), b->n, NULL);
        w->handed += k;
        for (i = k; i < b->n; i++) {
            w->ho_drops++;
            rte_pktmbuf_free(b->e[i].m);
        }
        b->n = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (k && __atomic_load_n(&dw->sleeping, __ATOMIC_RELAXED))
            wake(dw);
    }
}

/* Switch up to a burst from @r.  @return frames taken. */
static unsigned ring_run(struct vsw_worker *w, struct rte_ring *r,
                         uint64_t now)
{
    struct vsw_handoff e[VSW_BURST];
    unsigned n, i;

    n = rte_ring_sc_dequeue_burst_elem(r, e, sizeof(e[0]), VSW_BURST, NULL);
    for (i = 0; i < n; i++) {
        struct vsw_ep *ep = e[i].ep;

        if (vsw_load_acq(&ep->dying)) {
            w->gone++;
            rte_pktmbuf_free(e[i].m);
        } else
            vsw_ep_take(w, ep, e[i].m, (uint16_t)e[i].vid, now);
    }
    return n;
}

unsigned vsw_handoff_run(struct vsw_worker *w, uint64_t now)
{
    unsigned s, total = 0, n;

    for (s = 0; s < w->sw->nw; s++) {
        if (!w->in[s])
            continue;
        do {
            n = ring_run(w, w->in[s], now);
            total += n;
        } while (n == VSW_BURST);
    }
    return total;
}

bool vsw_handoff_pending(const struct vsw_worker *w)
{
    unsigned s;

    for (s = 0; s < w->sw->nw; s++)
        if (w->in[s] && !rte_ring_empty(w->in[s]))
            return true;
    return false;
}

void vsw_handoff_settle(struct vsw_switch *sw)
{
    unsigned s, d;

    if (sw->nw == 1)
        return;
    for (s = 0; s < sw->nw; s++)
        if (vsw_worker_mine(sw->w[s]))
            vsw_handoff_flush(sw->w[s]);
    for (d = 0; d < sw->nw; d++) {
        struct vsw_worker *dw = sw->w[d];

        if (vsw_worker_mine(dw)) {
            /* No thread takes its rings (or we are it): we do. */
            uint64_t now = rte_rdtsc();

            vsw_handoff_run(dw, now);
            vsw_worker_flush(dw, now);
            continue;
        }
        for (s = 0; s < sw->nw; s++) {
            struct rte_ring *r = dw->in[s];
            uint32_t mark;

            if (!r)
                continue;
            mark = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
            while ((int32_t)(__atomic_load_n(&r->cons.tail,
                                             __ATOMIC_ACQUIRE) -
                             mark) < 0)
                sched_yield();
        }
    }
}
