/* SPDX-License-Identifier: MIT */
/*
 * Linux 6.1 xen-netfront's dialogue with our backend, step by step as
 * docs/netif.md section 9.1 writes it down: what it reads from the
 * backend and how it falls back when a feature is not offered, the keys
 * it writes in one transaction, its states, traffic both ways with the
 * offload metadata it uses and the checks it makes on what it receives,
 * its close sequence and a reconnect with fresh rings; and what it does
 * when the backend goes away under it.  Our backend offers queues and
 * split event channels: netfront takes two queues (the test's backend
 * offers two) with the queue-N/ layout and a channel per direction, and
 * traffic flows on both queues both ways; a backend offering one queue
 * gets the flat layout.  A hostile frontend's keys are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nfc.h"

#define NF_RX_SLOTS_MIN (XEN_NETIF_NR_SLOTS_MIN + 1)

/* The frontend: one device, its state and its negotiated features. */
struct netfront {
    struct nfc *w;
    enum xenbus_state state;
    unsigned num_queues;
    bool split, bounce, xdp_headroom;
    uint8_t mac[6];
    struct nfc_queue q[NETIF_QUEUES_MAX];
    uint32_t hw;        /* NETIF_F_* the device kept after fix_features */
    bool carrier;
    int connect_errors;
};

static void switch_state(struct netfront *nf, enum xenbus_state s)
{
    char v[4];

    snprintf(v, sizeof(v), "%d", s);
    CHECK_EQ(nfc_wr(nf->w->fx, XVM_XS_NO_TX, NFC_FE, "state", v), 0);
    nf->state = s;
}

/* xen_net_read_mac(): the frontend's own mac key, six hex bytes. */
static bool read_mac(struct netfront *nf)
{
    char *v = nfc_rd(nf->w->fx, NFC_FE, "mac");
    unsigned b[6];
    int end = 0, i;
    bool ok = v &&
              sscanf(v, "%x:%x:%x:%x:%x:%x%n", &b[0], &b[1], &b[2], &b[3],
                     &b[4], &b[5], &end) == 6 &&
              v[end] == '\0';

    for (i = 0; ok && i < 6; i++)
        nf->mac[i] = (uint8_t)b[i];
    free(v);
    return ok;
}

/* The keys of one queue, flat or under queue-N/. */
static int write_queue_keys(struct netfront *nf, uint32_t tx, unsigned id,
                            bool hierarchical)
{
    struct xvm_xs *xs = nf->w->fx;
    const struct nfc_queue *q = &nf->q[id];
    char dir[128], v[16];
    int r = 0;

    snprintf(dir, sizeof(dir), hierarchical ? "%s/queue-%u" : "%s", NFC_FE, id);
    snprintf(v, sizeof(v), "%u", q->tx_ring_ref);
    r |= nfc_wr(xs, tx, dir, "tx-ring-ref", v);
    snprintf(v, sizeof(v), "%u", q->rx_ring_ref);
    r |= nfc_wr(xs, tx, dir, "rx-ring-ref", v);
    if (q->tx_port == q->rx_port) {
        snprintf(v, sizeof(v), "%u", q->tx_port);
        r |= nfc_wr(xs, tx, dir, "event-channel", v);
    } else {
        snprintf(v, sizeof(v), "%u", q->tx_port);
        r |= nfc_wr(xs, tx, dir, "event-channel-tx", v);
        snprintf(v, sizeof(v), "%u", q->rx_port);
        r |= nfc_wr(xs, tx, dir, "event-channel-rx", v);
    }
    return r;
}

/* setup_netfront(): rings, then split channels if offered, else one. */
static bool setup_queue(struct netfront *nf, struct nfc_queue *q)
{
    struct nfc *w = nf->w;

    if (!nfc_rings_setup(w, q))
        return false;
    if (nf->split) {
        q->tx_port = nfc_evtchn(w);
        q->rx_port = nfc_evtchn(w);
    }
    if (!nf->split || !q->tx_port || !q->rx_port)
        q->tx_port = q->rx_port = nfc_evtchn(w);
    return q->tx_port != 0;
}

/* talk_to_netback(): read, set up, then every key in one transaction. */
static int talk_to_netback(struct netfront *nf)
{
    struct xvm_xs *xs = nf->w->fx;
    unsigned max_queues;
    unsigned i;
    uint32_t tx;
    int r;

    nf->bounce = !nfc_rd_uint(xs, NFC_FE, "trusted", 1);
    max_queues = nfc_rd_uint(xs, NFC_BE, "multi-queue-max-queues", 1);
    /* xennet_max_queues: min(8, CPUs), netif's maximum */
    nf->num_queues = max_queues < NETIF_QUEUES_MAX ? max_queues : NETIF_QUEUES_MAX;
    nf->split = nfc_rd_uint(xs, NFC_BE, "feature-split-event-channels", 0);
    if (!read_mac(nf))
        return -ENOENT;
    nf->xdp_headroom = nfc_rd_uint(xs, NFC_BE, "feature-xdp-headroom", 0);
    if (nf->xdp_headroom &&
        nfc_wr(xs, XVM_XS_NO_TX, NFC_FE, "xdp-headroom", "0") < 0)
        return -EIO;
    /* xennet_create_queues() then setup_netfront() for each. */
    for (i = 0; i < nf->num_queues; i++)
        if (!setup_queue(nf, &nf->q[i]))
            return -ENOMEM;
    do {
        r = xvm_xs_transaction_start(xs, &tx);
        if (r < 0)
            return r;
        if (nfc_exists(xs, NFC_BE, "multi-queue-max-queues")) {
            char v[16];

            snprintf(v, sizeof(v), "%u", nf->num_queues);
            r |= nfc_wr(xs, tx, NFC_FE, "multi-queue-num-queues", v);
        }
        for (i = 0; i < nf->num_queues; i++)
            r |= write_queue_keys(nf, tx, i, nf->num_queues > 1);
        r |= nfc_wr(xs, tx, NFC_FE, "request-rx-copy", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-rx-notify", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-sg", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-gso-tcpv4", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-gso-tcpv6", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-ipv6-csum-offload", "1");
        if (r) {
            xvm_xs_transaction_end(xs, tx, false);
            return -EIO;
        }
        r = xvm_xs_transaction_end(xs, tx, true);
    } while (r == -EAGAIN);
    return r;
}

/* xennet_fix_features(): keep what the backend offers. */
static void fix_features(struct netfront *nf)
{
    static const char *const keys[] = {
        "feature-sg", "feature-ipv6-csum-offload", "feature-gso-tcpv4",
        "feature-gso-tcpv6"};
    static const uint32_t bits[] = {NETIF_F_SG, NETIF_F_IPV6_CSUM,
                                    NETIF_F_GSO_TCPV4, NETIF_F_GSO_TCPV6};
    unsigned i;

    nf->hw = 0;
    for (i = 0; i < 4; i++)
        if (nfc_rd_uint(nf->w->fx, NFC_BE, keys[i], 0))
            nf->hw |= bits[i];
}

/* xennet_alloc_rx_buffers(): fill, push only with enough slots. */
static void alloc_rx_buffers(struct netfront *nf, struct nfc_queue *q)
{
    nfc_rx_post(nf->w, q);
    if (q->rx.req_prod_pvt - q->rx.rsp_cons >= NF_RX_SLOTS_MIN)
        nfc_rx_push(nf->w, q);
}

/* xennet_connect() */
static int xennet_connect(struct netfront *nf)
{
    unsigned i;
    int r;

    if (!nfc_rd_uint(nf->w->fx, NFC_BE, "feature-rx-copy", 0))
        return -ENODEV;
    r = talk_to_netback(nf);
    if (r < 0)
        return r;
    fix_features(nf);
    nf->carrier = true;
    /* A kick before Connected: the backend finds its ports pending. */
    for (i = 0; i < nf->num_queues; i++) {
        struct nfc_queue *q = &nf->q[i];

        xvm_evtchn_send(nf->w->fe_ec, q->tx_port);
        if (q->rx_port != q->tx_port)
            xvm_evtchn_send(nf->w->fe_ec, q->rx_port);
        alloc_rx_buffers(nf, q);
    }
    return 0;
}

/* netback_changed() */
static void netback_changed(struct netfront *nf)
{
    switch (nfc_state(nf->w->fx, NFC_BE)) {
    case XenbusStateInitWait:
        if (nf->state != XenbusStateInitialising)
            break;
        if (xennet_connect(nf) != 0) {
            nf->connect_errors++;
            break;
        }
        switch_state(nf, XenbusStateConnected);
        break;
    case XenbusStateConnected: /* netdev_notify_peers() */
        break;
    case XenbusStateClosed:
        if (nf->state == XenbusStateClosed)
            break;
        /* It missed the backend's Closing. */
        __attribute__((fallthrough));
    case XenbusStateClosing:
        switch_state(nf, XenbusStateClosed); /* xenbus_frontend_closed() */
        break;
    default:
        break;
    }
}

/* Pump, running netback_changed() on every backend state event, until
 * @cond holds or 5 s pass. */
#define NF_UNTIL(nf, cond)                                                     \
    ({                                                                         \
        int n_ = 250;                                                          \
        bool ok_;                                                              \
        while (!(ok_ = (cond)) && n_-- > 0)                                    \
            if (nfc_pump((nf)->w, 20))                                         \
                netback_changed(nf);                                           \
        ok_;                                                                   \
    })

/* netfront_probe() -> xennet_create_dev(): Initialising, then wait for a
 * backend that is neither Closed nor Unknown. */
static bool netfront_probe(struct netfront *nf, struct nfc *w)
{
    enum xenbus_state be;

    memset(nf, 0, sizeof(*nf));
    nf->w = w;
    switch_state(nf, XenbusStateInitialising);
    CHECK_EQ(xvm_xs_watch(w->fx, NFC_BE "/state", w->fe_token), 0);
    return NF_UNTIL(nf, (be = nfc_state(w->fx, NFC_BE)) != XenbusStateClosed &&
                            be != XenbusStateUnknown);
}

/* xennet_disconnect_backend(): carrier off, channels, buffers, rings. */
static bool disconnect_backend(struct netfront *nf)
{
    unsigned i;
    bool ok = true;

    nf->carrier = false;
    for (i = 0; i < nf->num_queues; i++)
        ok &= nfc_rings_teardown(nf->w, &nf->q[i]);
    return ok;
}

/* xennet_remove() -> xennet_bus_close(), then the device goes. */
static bool netfront_remove(struct netfront *nf)
{
    struct nfc *w = nf->w;
    enum xenbus_state be = nfc_state(w->fx, NFC_BE);
    bool ok = true;

    if (be != XenbusStateClosed) {
        switch_state(nf, XenbusStateClosing);
        ok &= NF_UNTIL(nf,
                       (be = nfc_state(w->fx, NFC_BE)) == XenbusStateClosing ||
                           be == XenbusStateClosed || be == XenbusStateUnknown);
        if (be != XenbusStateClosed) {
            switch_state(nf, XenbusStateClosed);
            ok &= NF_UNTIL(nf, (be = nfc_state(w->fx, NFC_BE)) ==
                                       XenbusStateClosed ||
                                   be == XenbusStateUnknown);
        }
    }
    ok &= disconnect_backend(nf);
    xvm_xs_unwatch(w->fx, NFC_BE "/state", w->fe_token);
    return ok;
}

static bool connected(const struct netfront *nf)
{
    return nf->state == XenbusStateConnected && nf->w->be &&
           nb_xenbus_state(nf->w->be) == XenbusStateConnected;
}

/* ---- traffic ------------------------------------------------------------ */

enum csum { CSUM_NONE, CSUM_PARTIAL, CSUM_UNNECESSARY };

/*
 * xennet_start_xmit(): the linear area at @head_off of its page, then
 * frags of @frag bytes; checksum flags from ip_summed; a GSO record when
 * @mss.  Pushed, notified if asked, then the TX ring is cleaned.
 */
static unsigned xmit(struct netfront *nf, struct nfc_queue *q,
                     const uint8_t *f, uint32_t len,
                     uint16_t head_off, uint32_t frag, enum csum cs,
                     uint16_t mss, bool v6)
{
    netif_extra_info_t gso = {.type = XEN_NETIF_EXTRA_TYPE_GSO};
    uint16_t flags = cs == CSUM_PARTIAL
                         ? NETTXF_csum_blank | NETTXF_data_validated
                     : cs == CSUM_UNNECESSARY ? NETTXF_data_validated
                                              : 0;
    unsigned slots, ok = 0;

    gso.u.gso.size = mss;
    gso.u.gso.type = v6 ? XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4;
    slots = nfc_tx_queue(nf->w, q, f, len, head_off, frag, flags,
                         mss ? &gso : NULL);
    nfc_tx_push(nf->w, q);
    nfc_tx_gc(nf->w, q, &ok);
    return slots;
}

struct tx_case {
    const char *what;
    uint32_t len;
    uint16_t head_off;
    uint32_t frag;
    enum csum cs;
    uint16_t mss;
    bool v6;
    uint16_t want; /* NETIF_OFF_* the owner must see */
};

/* Guest transmit on queue @qi: every case reaches the owner through that
 * queue's vif. */
static void check_tx(struct netfront *nf, unsigned qi)
{
    static const struct tx_case c[] = {
        {"ARP-sized, no checksum", 60, 64, 4096, CSUM_NONE, 0, false, 0},
        {"TCP, checksum partial", 1514, 128, 4096, CSUM_PARTIAL, 0, false,
         NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED},
        {"forwarded, checksum known good", 1000, 2, 4096, CSUM_UNNECESSARY, 0,
         false, NETIF_OFF_DATA_VALIDATED},
        {"head across a page, then frags", 9000, 4000, 4096, CSUM_PARTIAL, 0,
         false, NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED},
        {"TSO over IPv4", 30000, 256, 4096, CSUM_PARTIAL, 1448, false,
         NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED | NETIF_OFF_GSO},
        {"TSO over IPv6", 20000, 256, 2048, CSUM_PARTIAL, 1428, true,
         NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED | NETIF_OFF_GSO},
        {"18 slots, the most before it linearises", 65535, 0, 3641,
         CSUM_PARTIAL, 1448, false,
         NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED | NETIF_OFF_GSO},
    };
    struct nfc_owner *o = &nf->w->own;
    struct nfc_queue *q = &nf->q[qi];
    uint64_t on_q = o->tx_by_queue[qi];
    unsigned i, ok = 0, base;

    nfc_pkts_free(o->rec, o->nrec);
    o->nrec = 0;
    base = o->nrec;
    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        uint8_t *f = nfc_frame(c[i].len, c[i].v6, i + 10 * qi);
        unsigned slots = xmit(nf, q, f, c[i].len, c[i].head_off, c[i].frag,
                              c[i].cs, c[i].mss, c[i].v6);
        const struct nfc_pkt *r = &o->rec[base + i];

        CHECK(slots >= 1 && slots <= XEN_NETIF_NR_SLOTS_MIN);
        CHECK(NFC_UNTIL(nf->w, o->nrec == base + i + 1));
        if (o->nrec == base + i + 1) {
            if (r->len != c[i].len || memcmp(r->data, f, c[i].len) != 0 ||
                r->off.flags != c[i].want)
                fprintf(stderr, "  TX %s: len %u flags %#x\n", c[i].what,
                        r->len, r->off.flags);
            CHECK_EQ(r->len, c[i].len);
            CHECK(memcmp(r->data, f, c[i].len) == 0);
            CHECK_EQ(r->off.flags, c[i].want);
            CHECK_EQ(r->off.gso_size, c[i].mss);
            if (c[i].mss)
                CHECK_EQ(r->off.gso_type,
                         c[i].v6 ? NETIF_GSO_TCPV6 : NETIF_GSO_TCPV4);
        }
        free(f);
    }
    /* The backend's responses wake the frontend, which frees every
     * grant (netfront declares itself broken on one still in use). */
    CHECK(NFC_UNTIL(nf->w, nfc_events(nf->w, q->tx_port) > 0));
    nfc_tx_gc(nf->w, q, &ok);
    for (i = 0; i < NFC_RING; i++)
        CHECK(!q->tx_pending[i]);
    CHECK(!q->broken);
    if (q->broken)
        fprintf(stderr, "  frontend broken: %s\n", q->why);
    CHECK_EQ(nb_vif_disabled(o->vif[qi]), NB_FATAL_NONE);
    CHECK_EQ(o->tx_by_queue[qi] - on_q, sizeof(c) / sizeof(c[0]));
}

struct rx_case {
    const char *what;
    uint32_t len;
    uint16_t off_flags, mss;
    bool v6;
    uint16_t want_rx_flags; /* NETRXF_* of the first response */
    unsigned want_slots;
};

/* Guest receive on queue @qi: the owner hands packets to that queue's vif;
 * they arrive on that queue's ring and wake its RX channel. */
static void check_rx(struct netfront *nf, unsigned qi)
{
    static const struct rx_case c[] = {
        {"small", 60, 0, 0, false, 0, 1},
        {"checksum partial", 1514, NETIF_OFF_CSUM_BLANK, 0, false,
         NETRXF_csum_blank | NETRXF_data_validated, 1},
        {"known good", 1514, NETIF_OFF_DATA_VALIDATED, 0, false,
         NETRXF_data_validated, 1},
        {"jumbo", 9014, NETIF_OFF_CSUM_BLANK, 0, false,
         NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data, 3},
        {"GRO'd TCPv4", 60000, NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO, 1448,
         false,
         NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data |
             NETRXF_extra_info,
         15},
        {"GRO'd TCPv6", 20000, NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO, 1428, true,
         NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data |
             NETRXF_extra_info,
         5},
        /* netfront counts a GSO packet without csum_blank as a fix-up of
         * a buggy peer: the backend must say it is checksum-partial. */
        {"GSO whose owner said nothing of the checksum", 8000, NETIF_OFF_GSO,
         1448, false,
         NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data |
             NETRXF_extra_info,
         2},
    };
    enum { N = sizeof(c) / sizeof(c[0]) };
    struct nfc_pkt in[N], got[N];
    struct nfc_queue *q = &nf->q[qi];
    unsigned i, n = 0, k;

    for (i = 0; i < N; i++) {
        in[i] = (struct nfc_pkt){.data = nfc_frame(c[i].len, c[i].v6,
                                                   100 + i + 10 * qi),
                                 .len = c[i].len};
        in[i].off.flags = c[i].off_flags;
        in[i].off.gso_size = c[i].mss;
        in[i].off.gso_type = c[i].v6 ? NETIF_GSO_TCPV6 : NETIF_GSO_TCPV4;
    }
    CHECK_EQ(nfc_be_rx(nf->w, qi, in, N), N);
    CHECK(NFC_UNTIL(nf->w, nfc_events(nf->w, q->rx_port) > 0));
    for (k = 0; k < 4 && n < N; k++) {
        n += nfc_rx_collect(nf->w, q, got + n, N - n);
        alloc_rx_buffers(nf, q);
    }
    CHECK_EQ(n, N);
    CHECK(!q->broken);
    if (q->broken)
        fprintf(stderr, "  frontend broken: %s\n", q->why);
    for (i = 0; i < n && i < N; i++) {
        if (got[i].rx_flags != c[i].want_rx_flags ||
            got[i].slots != c[i].want_slots)
            fprintf(stderr, "  RX %s: flags %#x slots %u\n", c[i].what,
                    got[i].rx_flags, got[i].slots);
        CHECK_EQ(got[i].len, c[i].len);
        CHECK(memcmp(got[i].data, in[i].data, c[i].len) == 0);
        CHECK_EQ(got[i].rx_flags, c[i].want_rx_flags);
        CHECK_EQ(got[i].slots, c[i].want_slots);
        CHECK_EQ(got[i].gso_extra, c[i].mss != 0);
        CHECK_EQ(got[i].off.gso_size, c[i].mss);
    }
    nfc_pkts_free(in, N);
    nfc_pkts_free(got, n);
}

/* ---- the tests ---------------------------------------------------------- */

/* What the backend offers, read as netfront reads it. */
static void check_offer(struct nfc *w, unsigned max_queues)
{
    CHECK_EQ(nfc_state(w->fx, NFC_BE), XenbusStateInitWait);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-rx-copy", 0), 1);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-sg", 0), 1);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-gso-tcpv4", 0), 1);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-gso-tcpv6", 0), 1);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-ipv6-csum-offload", 0), 1);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "multi-queue-max-queues", 0),
             max_queues);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-split-event-channels", 0), 1);
    /* Not supported, so not offered: no control ring, no XDP headroom. */
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-ctrl-ring", 0), 0);
    CHECK_EQ(nfc_rd_uint(w->fx, NFC_BE, "feature-xdp-headroom", 0), 0);
}

/* Queue @qi's keys as netfront published them, and what the backend
 * connected that queue to. */
static void check_queue_published(struct netfront *nf, unsigned qi)
{
    struct nfc *w = nf->w;
    const struct nb_xenbus_queue *bq = &w->own.info.queue[qi];
    const struct nfc_queue *q = &nf->q[qi];
    char dir[128], v[16];

    snprintf(dir, sizeof(dir), nf->num_queues > 1 ? "%s/queue-%u" : "%s",
             NFC_FE, qi);
    snprintf(v, sizeof(v), "%u", q->tx_ring_ref);
    CHECK(nfc_is(w->ts, dir, "tx-ring-ref", v));
    snprintf(v, sizeof(v), "%u", q->rx_ring_ref);
    CHECK(nfc_is(w->ts, dir, "rx-ring-ref", v));
    snprintf(v, sizeof(v), "%u", q->tx_port);
    CHECK(nfc_is(w->ts, dir, "event-channel-tx", v));
    snprintf(v, sizeof(v), "%u", q->rx_port);
    CHECK(nfc_is(w->ts, dir, "event-channel-rx", v));
    CHECK(!nfc_exists(w->ts, dir, "event-channel"));
    CHECK(q->tx_port != q->rx_port);
    CHECK_EQ(bq->tx_ring_ref, q->tx_ring_ref);
    CHECK_EQ(bq->rx_ring_ref, q->rx_ring_ref);
    CHECK_EQ(bq->tx_port, q->tx_port);
    CHECK_EQ(bq->rx_port, q->rx_port);
    CHECK(bq->split_evtchn);
}

/* What netfront published and what the backend connected to: @nq queues,
 * split channels each. */
static void check_published(struct netfront *nf, unsigned nq)
{
    struct nfc *w = nf->w;
    const struct nb_xenbus_frontend *i = &w->own.info;
    char v[16];
    unsigned q;

    CHECK_EQ(nf->num_queues, nq);
    CHECK(nf->split);
    snprintf(v, sizeof(v), "%u", nq);
    CHECK(nfc_is(w->ts, NFC_FE, "multi-queue-num-queues", v));
    CHECK_EQ(nfc_exists(w->ts, NFC_FE, "queue-0"), nq > 1);
    if (nq > 1)
        CHECK(!nfc_exists(w->ts, NFC_FE, "tx-ring-ref"));
    CHECK(!nfc_exists(w->ts, NFC_FE, "xdp-headroom"));
    for (q = 0; q < nq; q++)
        check_queue_published(nf, q);
    CHECK(nfc_is(w->ts, NFC_FE, "request-rx-copy", "1"));
    CHECK(nfc_is(w->ts, NFC_FE, "feature-rx-notify", "1"));
    CHECK(nfc_is(w->ts, NFC_FE, "state", "4"));
    CHECK(nfc_is(w->ts, NFC_BE, "state", "4"));
    CHECK(nfc_is(w->ts, NFC_BE, "carrier", "1"));
    CHECK_EQ(i->num_queues, nq);
    CHECK_EQ(w->own.nq, nq);
    CHECK_EQ(i->features, NETIF_F_RX_COPY | NETIF_F_RX_NOTIFY | NETIF_F_SG |
                              NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |
                              NETIF_F_IPV6_CSUM);
    CHECK_EQ(nf->hw, NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |
                         NETIF_F_IPV6_CSUM);
    CHECK(nf->carrier && !nf->bounce && !nf->xdp_headroom);
    CHECK(nf->mac[0] == 0x00 && nf->mac[3] == 0x5a && nf->mac[5] == 0x7c);
}

/* Traffic both ways on every queue. */
static void check_traffic(struct netfront *nf)
{
    unsigned q;

    for (q = 0; q < nf->num_queues; q++) {
        check_tx(nf, q);
        check_rx(nf, q);
    }
}

/* A backend offering @max_queues, as netfront finds it, and netfront
 * probed until connected: whether it did. */
static bool netfront_up(struct nfc *w, struct netfront *nf,
                        unsigned max_queues)
{
    CHECK(nfc_open(w));
    w->max_queues = max_queues;
    CHECK(nfc_backend_start(w));
    check_offer(w, max_queues);
    CHECK(netfront_probe(nf, w));
    CHECK(NF_UNTIL(nf, connected(nf)));
    return connected(nf);
}

/* Connect to a backend offering @nq queues, traffic on each, close, and
 * reconnect with fresh rings and channels. */
static void check_connect_close_reconnect(unsigned nq)
{
    struct nfc w;
    struct netfront nf;
    grant_ref_t old_tx_ref;

    if (!netfront_up(&w, &nf, nq))
        goto out;
    CHECK_EQ(nf.connect_errors, 0);
    CHECK_EQ(w.own.connects, 1);
    check_published(&nf, nq);
    check_traffic(&nf);

    /* Close: Closing, the backend follows, Closed, the backend follows;
     * then every grant comes back. */
    old_tx_ref = nf.q[0].tx_ring_ref;
    CHECK(netfront_remove(&nf));
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateClosed);
    CHECK(nfc_is(w.ts, NFC_FE, "state", "6"));
    CHECK_EQ(w.own.connects, 1);
    CHECK_EQ(w.own.disconnects, 1);
    CHECK(!w.own.vif[0] && !w.own.vif[1]);

    /* Reconnect: probed again (a rebind, or the module reloaded), with
     * fresh rings and fresh channels. */
    CHECK(netfront_probe(&nf, &w));
    CHECK(NF_UNTIL(&nf, connected(&nf)));
    if (!connected(&nf))
        goto out;
    CHECK_EQ(w.own.connects, 2);
    CHECK(nf.q[0].tx_ring_ref != old_tx_ref);
    check_published(&nf, nq);
    check_traffic(&nf);
    CHECK(netfront_remove(&nf));
out:
    nfc_close(&w);
}

static void test_connect_traffic_close_reconnect(void)
{
    check_connect_close_reconnect(2);
}

/*
 * The backend goes away (the switch stops): it writes Closed, which
 * netfront takes as a missed Closing and closes too.  A new backend
 * finds it Closed and stays Closed; netfront would ignore an InitWait
 * anyway outside Initialising: the device comes back only when it is
 * probed again, as with Linux's own netback.
 */
static void test_backend_goes_away(void)
{
    struct nfc w;
    struct netfront nf;

    netfront_up(&w, &nf, 2);
    nfc_backend_stop(&w);
    CHECK_EQ(w.own.disconnects, 1);
    CHECK(NF_UNTIL(&nf, nf.state == XenbusStateClosed));
    CHECK(nfc_backend_start(&w));
    NF_UNTIL(&nf, false);
    /* The new backend follows the Closed frontend, as Linux netback. */
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateClosed);
    CHECK(nfc_is(w.ts, NFC_FE, "state", "6"));
    CHECK_EQ(w.own.connects, 1);

    CHECK(netfront_remove(&nf));
    CHECK(netfront_probe(&nf, &w));
    CHECK(NF_UNTIL(&nf, connected(&nf)));
    CHECK_EQ(w.own.connects, 2);
    if (connected(&nf)) {
        check_published(&nf, 2);
        check_traffic(&nf);
    }
    nfc_close(&w);
}

/*
 * A backend restart under a connected two-queue netfront (nothing written
 * to xenstore): the new backend takes both queues' rings and channels
 * over, netfront ignores the InitWait and keeps its rings, and traffic
 * flows on both queues again.
 */
static void test_backend_restart_takeover(void)
{
    struct nfc w;
    struct netfront nf;

    if (!netfront_up(&w, &nf, 2))
        goto out;
    check_traffic(&nf);
    CHECK(nfc_backend_kill(&w));
    CHECK(nfc_backend_start(&w));
    CHECK(NF_UNTIL(&nf, connected(&nf)));
    CHECK_EQ(w.own.connects, 2);
    CHECK_EQ(nf.connect_errors, 0);
    if (connected(&nf)) {
        check_published(&nf, 2);
        check_traffic(&nf);
    }
    /* A backend that now offers one queue cannot take two over: Closing,
     * the reason in the error node, nothing held; netfront closes. */
    CHECK(nfc_backend_kill(&w));
    w.max_queues = 1;
    CHECK(nfc_backend_start(&w));
    CHECK(NF_UNTIL(&nf, nf.state == XenbusStateClosed));
    CHECK(nfc_is(w.ts, "/local/domain/0/error/backend/vif/7/0", "error",
                 "34 taking the frontend over: reading "
                 "multi-queue-num-queues"));
    CHECK_EQ(w.own.connects, 2);
    CHECK(!w.own.vif[0] && !w.own.vif[1]);
    CHECK(netfront_remove(&nf));
out:
    nfc_close(&w);
}

/*
 * A backend offering one queue (multi-queue-max-queues=1, as a dom0
 * configured so writes it) makes netfront write multi-queue-num-queues=1
 * and the flat layout; split channels still.
 */
static void test_max_queues_one(void)
{
    check_connect_close_reconnect(1);
}

/*
 * The rate limit is the device's: the queues share one credit, so a limit
 * set through queue 0 holds queue 1's packets, and lifting it through
 * queue 1 lets them go.
 */
static void test_rate_shared(void)
{
    struct nfc w;
    struct netfront nf;
    struct nb_vif_stats st;
    uint8_t *f;
    uint64_t before;
    unsigned ok = 0;

    if (!netfront_up(&w, &nf, 2) || nf.num_queues != 2)
        goto out;
    CHECK_EQ(nb_vif_set_rate(w.own.vif[0], 1000, 10000000), 0);
    before = w.own.tx_by_queue[1];
    f = nfc_frame(1514, false, 7);
    xmit(&nf, &nf.q[1], f, 1514, 64, 4096, CSUM_NONE, 0, false);
    for (ok = 0; ok < 25; ok++) /* half a second: it must not go */
        nfc_pump(&w, 20);
    ok = 0;
    CHECK_EQ(w.own.tx_by_queue[1], before);
    nb_vif_stats_get(w.own.vif[1], &st);
    CHECK(st.tx_credit_stalls >= 1);
    CHECK(nb_vif_tx_credit_wait_ns(w.own.vif[1]) > 0);
    CHECK_EQ(nb_vif_set_rate(w.own.vif[1], 0, 0), 0);
    xvm_evtchn_send(w.fe_ec, nf.q[1].tx_port);
    CHECK(NFC_UNTIL(&w, w.own.tx_by_queue[1] == before + 1));
    nfc_tx_gc(&w, &nf.q[1], &ok);
    free(f);
    CHECK(netfront_remove(&nf));
out:
    nfc_close(&w);
}

/* ---- a hostile frontend ---------------------------------------------- */

/* One bad set of keys, written with state Connected in one transaction. */
struct bad_keys {
    const char *what;
    const char *num_queues; /* NULL: not written */
    bool flat;              /* the queue keys flat, else under queue-N/ */
    unsigned nq;            /* queues whose keys are written */
    const char *ref;        /* queue 1's tx-ring-ref as written (NULL: real) */
    bool drop_q1_evtchn;    /* queue 1 without its event channels */
    const char *reason;     /* in the error node */
};

static int write_bad(struct nfc *w, const struct bad_keys *b,
                     struct nfc_queue *q, uint32_t tx)
{
    char dir[128], v[24];
    unsigned i;
    int r = 0;

    if (b->num_queues)
        r |= nfc_wr(w->fx, tx, NFC_FE, "multi-queue-num-queues",
                    b->num_queues);
    for (i = 0; i < b->nq; i++) {
        snprintf(dir, sizeof(dir), b->flat ? "%s" : "%s/queue-%u", NFC_FE, i);
        snprintf(v, sizeof(v), "%u", q[i].tx_ring_ref);
        r |= nfc_wr(w->fx, tx, dir, "tx-ring-ref",
                    i == 1 && b->ref ? b->ref : v);
        snprintf(v, sizeof(v), "%u", q[i].rx_ring_ref);
        r |= nfc_wr(w->fx, tx, dir, "rx-ring-ref", v);
        if (i == 1 && b->drop_q1_evtchn)
            continue;
        snprintf(v, sizeof(v), "%u", q[i].tx_port);
        r |= nfc_wr(w->fx, tx, dir, "event-channel", v);
    }
    r |= nfc_wr(w->fx, tx, NFC_FE, "request-rx-copy", "1");
    r |= nfc_wr(w->fx, tx, NFC_FE, "state", "4");
    return r;
}

/* Every way the queue keys can be wrong ends the same: the backend goes
 * Closing with the reason in the error node, and holds nothing (no vif,
 * no bound channel). */
static void test_hostile_queue_keys(void)
{
    static const struct bad_keys c[] = {
        {"num-queues 0", "0", false, 2, NULL, false, "multi-queue-num-queues"},
        {"num-queues over the offer", "9", false, 2, NULL, false,
         "multi-queue-num-queues"},
        {"num-queues not a number", "two", false, 2, NULL, false,
         "multi-queue-num-queues"},
        {"queue-1's channel missing", "2", false, 2, NULL, true,
         "queue-1/event-channel"},
        {"queue keys flat with num-queues 2", "2", true, 1, NULL, false,
         "queue-0/tx-ring-ref"},
        {"a huge ring ref", "2", false, 2, "4294967295", false, "connecting"},
        {"a ring ref out of range", "2", false, 2, "99999999999", false,
         "queue-1/tx-ring-ref"},
        {"two queues on one ring", "2", false, 2, "DUP", false,
         "queue-1/tx-ring-ref"},
        {"two queues on one event channel", "2", false, 2, "DUPPORT", false,
         "queue-1/event-channel"},
    };
    unsigned i, k;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct nfc w;
        struct nfc_queue q[2];
        struct bad_keys b = c[i];
        char dup[16], *err;
        uint32_t tx;

        CHECK(nfc_open(&w));
        w.max_queues = 2;
        CHECK(nfc_backend_start(&w));
        memset(q, 0, sizeof(q));
        for (k = 0; k < 2; k++) {
            CHECK(nfc_rings_setup(&w, &q[k]));
            q[k].tx_port = q[k].rx_port = nfc_evtchn(&w);
        }
        if (b.ref && strcmp(b.ref, "DUP") == 0) {
            snprintf(dup, sizeof(dup), "%u", q[0].rx_ring_ref);
            b.ref = dup;
        } else if (b.ref && strcmp(b.ref, "DUPPORT") == 0) {
            q[1].tx_port = q[0].tx_port; /* queue 1 names queue 0's port */
            b.ref = NULL;
        }
        CHECK_EQ(xvm_xs_transaction_start(w.fx, &tx), 0);
        CHECK_EQ(write_bad(&w, &b, q, tx), 0);
        CHECK_EQ(xvm_xs_transaction_end(w.fx, tx, true), 0);
        CHECK(NFC_UNTIL(&w, nb_xenbus_state(w.be) == XenbusStateClosing));
        err = nfc_rd(w.ts, "/local/domain/0/error/backend/vif/7/0", "error");
        if (!err || !strstr(err, b.reason))
            fprintf(stderr, "  %s: error node %s, want %s\n", b.what,
                    err ? err : "(none)", b.reason);
        CHECK(err && strstr(err, b.reason));
        free(err);
        CHECK_EQ(w.own.connects, 0);
        for (k = 0; k < NETIF_QUEUES_MAX; k++)
            CHECK(!w.own.vif[k] && !w.own.be_tx_port[k] &&
                  !w.own.be_rx_port[k]);
        for (k = 0; k < 2; k++)
            CHECK(nfc_rings_teardown(&w, &q[k])); /* no grant still held */
        nfc_close(&w);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!nfc_init()) {
        printf("SKIP: no xenstore server could be started\n");
        return 77;
    }
    RUN(test_connect_traffic_close_reconnect);
    RUN(test_backend_goes_away);
    RUN(test_backend_restart_takeover);
    RUN(test_max_queues_one);
    RUN(test_rate_shared);
    RUN(test_hostile_queue_keys);
    nfc_fini();
    return check_summary();
}
