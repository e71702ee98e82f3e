/* SPDX-License-Identifier: MIT */
/*
 * A MAC switch between libnetback vifs (see nbd_switch.h).  The lookup is
 * a scan of at most NBD_SW_PORTS_MAX MACs: a switch for a handful of test
 * and development guests, not the fast path (that is vswitchd).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbd_switch.h"

struct nbd_buf {
    unsigned char *data;
    uint32_t len;
    uint32_t refs; /* port queues it waits in */
    struct netif_offload off;
};

struct nbd_port {
    struct nbd_switch *sw;
    struct nb_vif *vif;
    bool alive; /* attached, vif healthy: polled and switched to */
    uint8_t mac[6];
    char name[32];
    struct nbd_buf *q[NBD_SW_QUEUE_MAX]; /* frames waiting for the guest */
    unsigned qh, qn;
    struct nbd_port_stats st;
};

struct nbd_switch {
    struct nbd_port *ports[NBD_SW_PORTS_MAX]; /* [0, nports), in order */
    unsigned nports;
    struct nbd_buf *bufs;
    struct nbd_buf **free;
    unsigned nbufs, nfree;
    const struct nbd_switch_ops *ops;
    void *arg;
};

static void buf_unref(struct nbd_switch *sw, struct nbd_buf *b)
{
    if (b->refs == 0 || --b->refs == 0)
        sw->free[sw->nfree++] = b;
}

static unsigned sw_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                           unsigned max, void **cookie)
{
    struct nbd_port *p = arg;
    struct nbd_switch *sw = p->sw;
    struct nbd_buf *b;

    if (!sw->nfree || !max || len > NBD_SW_BUF_LEN)
        return 0;
    b = sw->free[--sw->nfree];
    b->refs = 0;
    segs[0].base = b->data;
    segs[0].len = len;
    *cookie = b;
    return 1;
}

static void sw_buf_put(void *arg, void *cookie)
{
    struct nbd_port *p = arg;

    buf_unref(p->sw, cookie);
}

static void enqueue(struct nbd_port *p, struct nbd_buf *b)
{
    if (p->qn == NBD_SW_QUEUE_MAX) {
        p->st.drop_qfull++;
        return;
    }
    p->q[(p->qh + p->qn) % NBD_SW_QUEUE_MAX] = b;
    p->qn++;
    b->refs++;
}

/* Unicast to the port with the destination MAC, else flood the others. */
static void switch_one(struct nbd_port *src, struct nbd_buf *b)
{
    struct nbd_switch *sw = src->sw;
    const uint8_t *dst = b->data;
    bool group = dst[0] & 1u, found = false;
    unsigned i;

    for (i = 0; i < sw->nports; i++) {
        struct nbd_port *p = sw->ports[i];

        if (p == src || !p->alive)
            continue;
        if (group) {
            enqueue(p, b);
        } else if (memcmp(dst, p->mac, 6) == 0) {
            enqueue(p, b);
            found = true;
            break;
        }
    }
    if (!group && !found)
        src->st.drop_unknown++;
}

static void sw_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct nbd_port *src = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        struct nbd_buf *b = pkts[i].cookie;

        b->len = pkts[i].len;
        b->off = pkts[i].off;
        src->st.tx_pkts++;
        src->st.tx_bytes += b->len;
        src->st.tx_gso += (b->off.flags & NETIF_OFF_GSO) != 0;
        src->st.tx_csum_blank += (b->off.flags & NETIF_OFF_CSUM_BLANK) != 0;
        if (b->len > src->st.tx_max_len)
            src->st.tx_max_len = b->len;
        b->refs++; /* ours until switched: a frame nobody takes is freed */
        if (src->alive)
            switch_one(src, b);
        buf_unref(src->sw, b);
    }
}

const struct nb_io_ops nbd_switch_io_ops = {
    .tx_buf_get = sw_buf_get,
    .tx_buf_put = sw_buf_put,
    .tx_deliver = sw_deliver,
};

static void queue_drop(struct nbd_port *p)
{
    while (p->qn) {
        buf_unref(p->sw, p->q[p->qh]);
        p->qh = (p->qh + 1) % NBD_SW_QUEUE_MAX;
        p->qn--;
    }
}

/* Hand queued frames to the guest while it has buffers posted. */
static unsigned port_flush(struct nbd_port *p)
{
    struct nb_seg segs[NB_BURST_MAX];
    struct nb_rx_pkt pk[NB_BURST_MAX];
    unsigned total = 0, k, i, done;

    while (p->qn) {
        k = p->qn < NB_BURST_MAX ? p->qn : NB_BURST_MAX;
        for (i = 0; i < k; i++) {
            struct nbd_buf *b = p->q[(p->qh + i) % NBD_SW_QUEUE_MAX];

            segs[i] = (struct nb_seg){.base = b->data, .len = b->len};
            pk[i] = (struct nb_rx_pkt){.segs = &segs[i], .nseg = 1,
                                       .len = b->len, .off = b->off};
        }
        done = nb_vif_rx_burst(p->vif, pk, k);
        for (i = 0; i < done; i++) {
            struct nbd_buf *b = p->q[p->qh];

            p->st.rx_pkts++;
            p->st.rx_bytes += b->len;
            p->st.rx_gso += (b->off.flags & NETIF_OFF_GSO) != 0;
            buf_unref(p->sw, b);
            p->qh = (p->qh + 1) % NBD_SW_QUEUE_MAX;
            p->qn--;
        }
        total += done;
        if (done < k)
            break;
    }
    return total;
}

static void port_kill(struct nbd_port *p)
{
    struct nbd_switch *sw = p->sw;

    p->alive = false;
    queue_drop(p);
    if (sw->ops && sw->ops->disabled)
        sw->ops->disabled(sw->arg, p, nb_vif_disabled(p->vif));
}

unsigned nbd_switch_poll(struct nbd_switch *sw)
{
    unsigned work = 0, i;

    for (i = 0; i < sw->nports; i++)
        if (sw->ports[i]->alive)
            work += nb_vif_tx_poll(sw->ports[i]->vif, NB_BURST_MAX);
    for (i = 0; i < sw->nports; i++) {
        struct nbd_port *p = sw->ports[i];

        if (!p->alive)
            continue;
        work += port_flush(p);
        if (nb_vif_disabled(p->vif) != NB_FATAL_NONE)
            port_kill(p);
    }
    return work;
}

/* RX slots the frame at the head of @p's queue takes: one per 4 KiB, one
 * more for the GSO extra.  A guest with fewer posted is no work yet. */
static unsigned head_slots(const struct nbd_port *p)
{
    const struct nbd_buf *b = p->q[p->qh];

    return (b->len + 4095u) / 4096u + ((b->off.flags & NETIF_OFF_GSO) ? 1u : 0u);
}

int nbd_switch_sleep_ms(struct nbd_switch *sw)
{
    uint64_t wait_ns = 0;
    unsigned i;

    for (i = 0; i < sw->nports; i++) {
        struct nbd_port *p = sw->ports[i];
        uint64_t w;

        if (!p->alive)
            continue;
        if (p->qn && nb_vif_rx_slots(p->vif) >= head_slots(p))
            return 0;
        /* A credit-stalled vif has requests waiting: wake when its
         * credit is back rather than spin. */
        w = nb_vif_tx_credit_wait_ns(p->vif);
        if (w) {
            if (!wait_ns || w < wait_ns)
                wait_ns = w;
            continue;
        }
        /* Requests waiting while the pool is empty are no work: buffers
         * come back only when a guest posts RX buffers, which notifies. */
        if (nb_vif_tx_final_check(p->vif) && sw->nfree)
            return 0;
    }
    if (!wait_ns)
        return -1;
    return (int)((wait_ns + 999999u) / 1000000u);
}

struct nbd_switch *nbd_switch_create(unsigned nbufs,
                                     const struct nbd_switch_ops *ops,
                                     void *arg)
{
    struct nbd_switch *sw;
    unsigned i;

    if (nbufs == 0 || nbufs > 4096) {
        errno = EINVAL;
        return NULL;
    }
    sw = calloc(1, sizeof(*sw));
    if (!sw)
        return NULL;
    sw->ops = ops;
    sw->arg = arg;
    sw->bufs = calloc(nbufs, sizeof(*sw->bufs));
    sw->free = calloc(nbufs, sizeof(*sw->free));
    if (!sw->bufs || !sw->free)
        goto fail;
    for (i = 0; i < nbufs; i++) {
        sw->bufs[i].data = aligned_alloc(64, NBD_SW_BUF_LEN);
        if (!sw->bufs[i].data)
            goto fail;
        sw->nbufs++;
        sw->free[sw->nfree++] = &sw->bufs[i];
    }
    return sw;

fail:
    nbd_switch_destroy(sw);
    errno = ENOMEM;
    return NULL;
}

void nbd_switch_destroy(struct nbd_switch *sw)
{
    unsigned i;

    if (!sw)
        return;
    while (sw->nports)
        nbd_port_remove(sw->ports[sw->nports - 1]);
    for (i = 0; i < sw->nbufs; i++)
        free(sw->bufs[i].data);
    free(sw->bufs);
    free(sw->free);
    free(sw);
}

struct nbd_port *nbd_port_add(struct nbd_switch *sw, const char *name,
                              const uint8_t mac[6])
{
    struct nbd_port *p;

    if (mac[0] & 1u) {
        errno = EINVAL;
        return NULL;
    }
    if (sw->nports == NBD_SW_PORTS_MAX) {
        errno = ENOSPC;
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->sw = sw;
    memcpy(p->mac, mac, 6);
    snprintf(p->name, sizeof(p->name), "%s", name);
    sw->ports[sw->nports++] = p;
    return p;
}

void nbd_port_attach(struct nbd_port *p, struct nb_vif *vif)
{
    p->vif = vif;
    p->alive = vif && nb_vif_disabled(vif) == NB_FATAL_NONE;
}

void nbd_port_remove(struct nbd_port *p)
{
    struct nbd_switch *sw;
    unsigned i;

    if (!p)
        return;
    sw = p->sw;
    p->alive = false;
    queue_drop(p);
    for (i = 0; i < sw->nports && sw->ports[i] != p; i++)
        ;
    if (i < sw->nports) {
        memmove(&sw->ports[i], &sw->ports[i + 1],
                (sw->nports - i - 1) * sizeof(sw->ports[0]));
        sw->nports--;
    }
    free(p);
}

void nbd_port_stats_get(const struct nbd_port *p, struct nbd_port_stats *st)
{
    *st = p->st;
}

const char *nbd_port_name(const struct nbd_port *p)
{
    return p->name;
}

const uint8_t *nbd_port_mac(const struct nbd_port *p)
{
    return p->mac;
}

struct nb_vif *nbd_port_vif(const struct nbd_port *p)
{
    return p->vif;
}

bool nbd_port_alive(const struct nbd_port *p)
{
    return p->alive;
}

void nbd_switch_foreach(struct nbd_switch *sw,
                        void (*fn)(void *arg, struct nbd_port *p), void *arg)
{
    unsigned i;

    for (i = 0; i < sw->nports; i++)
        fn(arg, sw->ports[i]);
}
