/* SPDX-License-Identifier: MIT */
/*
 * netback_pvt.h - libnetback internals shared by vif.c, tx.c and rx.c.
 *
 * A vif is one allocation.  Its guest-transmit state (struct nb_tx) and
 * guest-receive state (struct nb_rx) sit on separate cache lines because
 * they may be driven by two threads; each holds every array a burst needs,
 * so the data path never allocates.
 */
#ifndef NETBACK_PVT_H
#define NETBACK_PVT_H

#include <stdarg.h>

#include "netback/netback.h"

#define NB_RING_MASK (NETIF_RING_SIZE - 1u)

/* Grant-copy ops one burst may build.  A burst ends early (not a stall)
 * rather than overflow this. */
#define NB_TX_OPS_MAX 1024u
#define NB_RX_OPS_MAX 1024u

#define NB_CACHE_ALIGNED __attribute__((aligned(64)))

/* A packet of the current guest-transmit burst. */
struct nb_tx_pend {
    RING_IDX slot_first; /* ring index of its first request */
    uint16_t nslots;     /* requests it used, extras included */
    uint16_t nextra;     /* extra-info slots right after the first */
    uint16_t op_first;   /* its grant-copy ops: [op_first, op_end) */
    uint16_t op_end;
};

/* Rate limit (nb_vif_set_rate); bytes == 0: unlimited.  A token bucket:
 * bytes every window_ns, earned continuously, held up to max(bytes,
 * CREDIT_MIN_BURST).  Per device, as Linux netback keeps it per vif: the
 * queues of a device share one, and may be polled from several threads,
 * so while a limit is set a shared bucket is used under its lock (one
 * lock per burst; a device of one queue, or without a limit, never takes
 * it). */
struct nb_credit {
    bool shared;       /* another queue takes from it (credit_of): set
                          before the queues are polled */
    int lock;          /* nb_credit_lock() */
    uint64_t bytes;    /* written under the lock, read without it to
                          know whether to take it */
    uint64_t window_ns;
    uint64_t left;
    uint64_t window_start; /* CLOCK_MONOTONIC ns: credit earned up to
                              here is in left */
};

static inline void nb_credit_lock(struct nb_credit *c)
{
    if (!c->shared)
        return;
    while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&c->lock, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static inline void nb_credit_unlock(struct nb_credit *c)
{
    if (c->shared)
        __atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
}

/* Guest transmit: the TX ring and everything nb_vif_tx_*() touches. */
struct nb_tx {
    netif_tx_back_ring_t ring;
    RING_IDX last_prod;  /* req_prod as last read, to catch it going back */
    RING_IDX rsp_pushed; /* rsp_prod as we last published it */

    /* Rate limit: the device's bucket (credit_own, or another queue's:
     * nb_vif_params.credit_of). */
    struct nb_credit credit_own;
    struct nb_credit *credit;
    uint64_t credit_need; /* the stalled packet's size */
    bool credit_stalled;

    uint64_t packets, bytes, nobuf_stalls, credit_stalls, mcast_ops, notify;

    uint8_t mcast[NB_MCAST_MAX][6];
    unsigned n_mcast;

    /* Private copies of the requests, indexed by ring slot: every request
     * is read from the shared ring exactly once into here. */
    netif_tx_request_t req[NETIF_RING_SIZE];
    struct nb_tx_pend pend[NB_BURST_MAX];
    struct nb_tx_pkt pkts[NB_BURST_MAX];
    struct nb_seg segs[NB_TX_SEGS_MAX];
    struct xvm_gcopy ops[NB_TX_OPS_MAX];
} NB_CACHE_ALIGNED;

/* Guest receive: the RX ring and everything nb_vif_rx_*() touches. */
struct nb_rx {
    netif_rx_back_ring_t ring;
    RING_IDX last_prod;
    RING_IDX rsp_pushed;

    uint64_t packets, bytes, no_slots, dropped_offload, dropped_bad, notify;

    /* Per burst: each op's ring index (to report a failed copy in the
     * right response) and each packet's range of ops. */
    RING_IDX op_slot[NB_RX_OPS_MAX];
    uint16_t pkt_op_end[NB_BURST_MAX];
    uint32_t pkt_len[NB_BURST_MAX];
    struct xvm_gcopy ops[NB_RX_OPS_MAX];
} NB_CACHE_ALIGNED;

struct nb_vif {
    /* Read-mostly, shared by both directions. */
    char name[32];
    int disabled; /* enum nb_fatal; set once, atomically */
    uint64_t fatal_count[NB_FATAL__MAX];
    struct xvm_gnttab *gt;
    struct xvm_evtchn *evtchn;
    evtchn_port_t tx_port, rx_port;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    uint32_t features;
    const struct nb_io_ops *ops;
    void *ops_arg;

    struct nb_tx tx;
    struct nb_rx rx;
};

/* True once the vif is disabled: the data path must then do nothing. */
static inline bool nb_vif_is_dead(const struct nb_vif *vif)
{
    return __atomic_load_n(&vif->disabled, __ATOMIC_ACQUIRE) != NB_FATAL_NONE;
}

/*
 * Disable @vif for @reason: the one place a vif dies.  The first reason
 * wins; it is counted and logged once with the vif's name and @fmt.
 * Callable from the TX and the RX thread alike.
 */
void nb_vif_disable(struct nb_vif *vif, enum nb_fatal reason, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

/*
 * Publish responses up to @rsp_prod_pvt on the ring whose shared indices
 * are @rsp_prod / @rsp_event and say whether the frontend asked for an
 * event.  This is RING_PUSH_RESPONSES_AND_CHECK_NOTIFY, except that the
 * previous producer comes from our private copy (@pushed), not from the
 * shared page the guest can scribble on.
 */
static inline bool nb_ring_push(RING_IDX *rsp_prod, RING_IDX *rsp_event,
                                RING_IDX *pushed, RING_IDX rsp_prod_pvt)
{
    RING_IDX old = *pushed, event;

    if (old == rsp_prod_pvt)
        return false;
    __atomic_store_n(rsp_prod, rsp_prod_pvt, __ATOMIC_RELEASE);
    xen_mb(); /* the frontend sees the responses before we read its event */
    event = __atomic_load_n(rsp_event, __ATOMIC_RELAXED);
    *pushed = rsp_prod_pvt;
    return (RING_IDX)(rsp_prod_pvt - event) < (RING_IDX)(rsp_prod_pvt - old);
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t nb_now_ns(void);

#endif /* NETBACK_PVT_H */
