/* SPDX-License-Identifier: MIT */
/*
 * A vif's life: connecting to the frontend's rings, disabling it when the
 * frontend breaks the protocol, counters, logging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netback_pvt.h"

static void log_stderr(const char *line)
{
    fprintf(stderr, "netback: %s\n", line);
}

static void (*nb_log_fn)(const char *line) = log_stderr;

void nb_set_log(void (*fn)(const char *line))
{
    nb_log_fn = fn ? fn : log_stderr;
}

static const char *const fatal_names[NB_FATAL__MAX] = {
    [NB_FATAL_NONE] = "none",
    [NB_FATAL_TX_PROD_OVERFLOW] = "tx-prod-overflow",
    [NB_FATAL_TX_PROD_BACKWARDS] = "tx-prod-backwards",
    [NB_FATAL_TX_CHAIN_OVERRUN] = "tx-chain-overrun",
    [NB_FATAL_TX_TOO_MANY_SLOTS] = "tx-too-many-slots",
    [NB_FATAL_TX_SLOT_CROSSES_PAGE] = "tx-slot-crosses-page",
    [NB_FATAL_TX_BAD_GRANT] = "tx-bad-grant",
    [NB_FATAL_TX_BAD_LEN] = "tx-bad-len",
    [NB_FATAL_TX_FRAG_OVERRUN] = "tx-frag-overrun",
    [NB_FATAL_TX_BAD_EXTRA] = "tx-bad-extra",
    [NB_FATAL_TX_BAD_GSO] = "tx-bad-gso",
    [NB_FATAL_RX_PROD_OVERFLOW] = "rx-prod-overflow",
    [NB_FATAL_RX_PROD_BACKWARDS] = "rx-prod-backwards",
    [NB_FATAL_RX_BAD_GRANT] = "rx-bad-grant",
};

const char *nb_fatal_str(enum nb_fatal reason)
{
    if ((unsigned)reason >= NB_FATAL__MAX || !fatal_names[reason])
        return "unknown";
    return fatal_names[reason];
}

void nb_vif_disable(struct nb_vif *vif, enum nb_fatal reason, const char *fmt,
                    ...)
{
    int none = NB_FATAL_NONE;
    char details[160], line[256];
    va_list ap;

    /* TX and RX threads may both find a fault: only the first one counts,
     * so a hostile guest cannot make us log in a loop. */
    if (!__atomic_compare_exchange_n(&vif->disabled, &none, (int)reason, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&vif->fatal_count[reason], 1, __ATOMIC_RELAXED);
    va_start(ap, fmt);
    vsnprintf(details, sizeof(details), fmt, ap);
    va_end(ap);
    snprintf(line, sizeof(line), "%s: disabled (%s): %s", vif->name,
             nb_fatal_str(reason), details);
    nb_log_fn(line);
}

uint64_t nb_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool params_ok(const struct nb_vif_params *p)
{
    return p && p->mem && p->evtchn && p->ops && p->ops->tx_buf_get &&
           p->ops->tx_buf_put && p->ops->tx_deliver &&
           p->tx_ring_ref != p->rx_ring_ref;
}

/*
 * Map one ring page and read where to attach: the frontend initialised it,
 * we only take its current response producer.  A request producer more
 * than a ring ahead of it cannot come from a sane frontend.
 */
static int ring_map(struct nb_vif *vif, grant_ref_t ref, void **page,
                    RING_IDX *rsp_prod, RING_IDX *req_prod)
{
    struct netif_tx_sring *s; /* both ring types share the index layout */
    int16_t st;

    st = xvm_gnttab_map(vif->gt, ref, true, page);
    if (st != GNTST_okay)
        return -EINVAL;
    s = *page;
    *rsp_prod = __atomic_load_n(&s->rsp_prod, __ATOMIC_ACQUIRE);
    *req_prod = __atomic_load_n(&s->req_prod, __ATOMIC_ACQUIRE);
    if (*req_prod - *rsp_prod > NETIF_RING_SIZE) {
        xvm_gnttab_unmap(vif->gt, ref, true);
        return -EINVAL;
    }
    return 0;
}

static int vif_attach(struct nb_vif *vif)
{
    RING_IDX rsp, req;
    void *page;
    int rc;

    rc = ring_map(vif, vif->tx_ring_ref, &page, &rsp, &req);
    if (rc < 0)
        return rc;
    vif->tx.ring.sring = page;
    vif->tx.ring.nr_ents = NETIF_RING_SIZE;
    vif->tx.ring.req_cons = vif->tx.ring.rsp_prod_pvt = rsp;
    vif->tx.rsp_pushed = rsp;
    vif->tx.last_prod = req;

    rc = ring_map(vif, vif->rx_ring_ref, &page, &rsp, &req);
    if (rc < 0) {
        xvm_gnttab_unmap(vif->gt, vif->tx_ring_ref, true);
        return rc;
    }
    vif->rx.ring.sring = page;
    vif->rx.ring.nr_ents = NETIF_RING_SIZE;
    vif->rx.ring.req_cons = vif->rx.ring.rsp_prod_pvt = rsp;
    vif->rx.rsp_pushed = rsp;
    vif->rx.last_prod = req;
    return 0;
}

struct nb_vif *nb_vif_create(const struct nb_vif_params *p)
{
    struct nb_vif *vif;
    int rc;

    if (!params_ok(p)) {
        errno = EINVAL;
        return NULL;
    }
    if (posix_memalign((void **)&vif, 64, sizeof(*vif)) != 0) {
        errno = ENOMEM;
        return NULL;
    }
    memset(vif, 0, sizeof(*vif));
    snprintf(vif->name, sizeof(vif->name), "%s", p->name ? p->name : "vif");
    vif->evtchn = p->evtchn;
    vif->tx_port = p->tx_port;
    vif->rx_port = p->rx_port;
    vif->tx_ring_ref = p->tx_ring_ref;
    vif->rx_ring_ref = p->rx_ring_ref;
    vif->features = p->features;
    vif->ops = p->ops;
    vif->ops_arg = p->ops_arg;
    vif->tx.credit =
        p->credit_of ? p->credit_of->tx.credit : &vif->tx.credit_own;
    if (p->credit_of)
        vif->tx.credit->shared = true; /* queues may be polled apart */

    vif->gt = xvm_gnttab_open(p->mem, p->gnttab_gfn, p->gnttab_frames,
                              p->frontend_domid, p->backend_domid);
    if (!vif->gt) {
        rc = -errno;
        goto err_free;
    }
    rc = vif_attach(vif);
    if (rc < 0)
        goto err_gnttab;
    return vif;

err_gnttab:
    xvm_gnttab_close(vif->gt);
err_free:
    free(vif);
    errno = -rc;
    return NULL;
}

void nb_vif_destroy(struct nb_vif *vif)
{
    if (!vif)
        return;
    xvm_gnttab_unmap(vif->gt, vif->rx_ring_ref, true);
    xvm_gnttab_unmap(vif->gt, vif->tx_ring_ref, true);
    xvm_gnttab_close(vif->gt);
    free(vif);
}

enum nb_fatal nb_vif_disabled(const struct nb_vif *vif)
{
    return (enum nb_fatal)__atomic_load_n(&vif->disabled, __ATOMIC_ACQUIRE);
}

void nb_vif_stats_get(const struct nb_vif *vif, struct nb_vif_stats *st)
{
    unsigned i;

    memset(st, 0, sizeof(*st));
    st->tx_packets = vif->tx.packets;
    st->tx_bytes = vif->tx.bytes;
    st->tx_nobuf_stalls = vif->tx.nobuf_stalls;
    st->tx_credit_stalls = vif->tx.credit_stalls;
    st->mcast_ops = vif->tx.mcast_ops;
    st->notify_tx = vif->tx.notify;
    st->rx_packets = vif->rx.packets;
    st->rx_bytes = vif->rx.bytes;
    st->rx_no_slots = vif->rx.no_slots;
    st->rx_dropped_offload = vif->rx.dropped_offload;
    st->rx_dropped_bad = vif->rx.dropped_bad;
    st->notify_rx = vif->rx.notify;
    for (i = 0; i < NB_FATAL__MAX; i++)
        st->fatal[i] = __atomic_load_n(&vif->fatal_count[i], __ATOMIC_RELAXED);
}

unsigned nb_vif_mcast_list(const struct nb_vif *vif, uint8_t (*macs)[6],
                           unsigned max)
{
    unsigned i, n = vif->tx.n_mcast;

    for (i = 0; i < n && i < max; i++)
        memcpy(macs[i], vif->tx.mcast[i], 6);
    return n;
}

const char *nb_vif_name(const struct nb_vif *vif)
{
    return vif->name;
}
