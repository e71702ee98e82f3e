/* SPDX-License-Identifier: MIT */
/*
 * illumos xnf's dialogue with our backend, step by step as docs/netif.md
 * section 9.2 writes it down: an event channel from attach, the
 * backend's keys read at InitWait (its mac among them), rings set up and
 * the RX ring filled and pushed before anything is published, its keys
 * and Connected in one transaction, the kick and the multicast refresh
 * at the backend's Connected, traffic both ways with its offloads and
 * the checks its receive path makes; a backend killed and started again,
 * which takes over xnf's rings; then a resume: the toolstack puts
 * the device back to Initialising, xnf takes a new channel and publishes
 * fresh rings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nfc.h"

struct xnf {
    struct nfc *w;
    struct nfc_queue q;
    evtchn_port_t evtchn; /* from attach; kept across reconnects */
    bool be_rx_copy, be_mcast, be_tx_sg, be_lso;
    bool connected, link_up;
    uint8_t mac[6];
    unsigned mcast_ok;
};

/* xnf_read_config(): the backend's keys; a missing one reads as 0. */
static bool read_config(struct xnf *x)
{
    struct xvm_xs *xs = x->w->fx;
    char *mac = nfc_rd(xs, NFC_BE, "mac");
    unsigned b[6];
    int end = 0, i;
    bool ok = mac &&
              sscanf(mac, "%x:%x:%x:%x:%x:%x%n", &b[0], &b[1], &b[2], &b[3],
                     &b[4], &b[5], &end) == 6 &&
              mac[end] == '\0';

    for (i = 0; ok && i < 6; i++)
        x->mac[i] = (uint8_t)b[i];
    free(mac);
    x->be_rx_copy = nfc_rd_uint(xs, NFC_BE, "feature-rx-copy", 0) != 0;
    x->be_mcast = nfc_rd_uint(xs, NFC_BE, "feature-multicast-control", 0) != 0;
    x->be_tx_sg = nfc_rd_uint(xs, NFC_BE, "feature-sg", 0) != 0;
    x->be_lso =
        x->be_tx_sg && nfc_rd_uint(xs, NFC_BE, "feature-gso-tcpv4", 0) != 0;
    return ok;
}

/* xnf_setup_rings(): grant the rings, fill RX and push it, no kick. */
static bool setup_rings(struct xnf *x)
{
    if (!nfc_rings_setup(x->w, &x->q))
        return false;
    x->q.tx_port = x->q.rx_port = x->evtchn;
    if (nfc_rx_post(x->w, &x->q) != NFC_RING)
        return false;
    RING_PUSH_REQUESTS(&x->q.rx);
    return true;
}

/* xnf_be_connect(): every key and the state in one transaction. */
static int be_connect(struct xnf *x)
{
    struct xvm_xs *xs = x->w->fx;
    uint32_t tx;
    char v[16];
    int r;

    if (!setup_rings(x))
        return -ENOMEM;
    do {
        r = xvm_xs_transaction_start(xs, &tx);
        if (r < 0)
            return r;
        snprintf(v, sizeof(v), "%u", x->q.tx_ring_ref);
        r |= nfc_wr(xs, tx, NFC_FE, "tx-ring-ref", v);
        snprintf(v, sizeof(v), "%u", x->q.rx_ring_ref);
        r |= nfc_wr(xs, tx, NFC_FE, "rx-ring-ref", v);
        snprintf(v, sizeof(v), "%u", x->evtchn);
        r |= nfc_wr(xs, tx, NFC_FE, "event-channel", v);
        r |= nfc_wr(xs, tx, NFC_FE, "feature-rx-notify", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "request-rx-copy", "1");
        if (x->be_mcast)
            r |= nfc_wr(xs, tx, NFC_FE, "request-multicast-control", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-sg", "1");
        r |= nfc_wr(xs, tx, NFC_FE, "feature-gso-tcpv4", "0"); /* no LRO */
        r |= nfc_wr(xs, tx, NFC_FE, "state", "4");
        if (r) {
            xvm_xs_transaction_end(xs, tx, false);
            return -EIO;
        }
        r = xvm_xs_transaction_end(xs, tx, true);
    } while (r == -EAGAIN);
    return r;
}

/*
 * xnf_set_multicast(): a request with gref 0, size 0 and extra_info, the
 * record in the next slot (its flags byte is not written: xnf leaves
 * what the slot held, zero on a fresh ring), kick, wait for the answer.
 */
static bool set_multicast(struct xnf *x, bool add, const uint8_t *addr)
{
    struct nfc_queue *q = &x->q;
    netif_tx_request_t *r;
    netif_extra_info_t *e;
    unsigned id = 0, ok = 0;

    while (id < NFC_RING && q->tx_pending[id])
        id++;
    if (id == NFC_RING)
        return false;
    r = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
    e = (netif_extra_info_t *)RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt + 1);
    r->gref = 0;
    r->size = 0;
    r->offset = 0;
    r->id = (uint16_t)id;
    r->flags = NETTXF_extra_info;
    e->type =
        add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
    memcpy(e->u.mcast.addr, addr, 6);
    q->tx.req_prod_pvt += 2;
    nfc_tx_push(x->w, q);
    /* The answer is a response for the id; nothing to ungrant. */
    if (!NFC_UNTIL(x->w, q->tx.sring->rsp_prod == q->tx.req_prod_pvt))
        return false;
    while (q->tx.rsp_cons != q->tx.sring->rsp_prod) {
        netif_tx_response_t rsp;

        RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons, &rsp);
        q->tx.rsp_cons++;
        if (rsp.status == NETIF_RSP_NULL)
            continue;
        ok += rsp.id == id && rsp.status == NETIF_RSP_OKAY;
    }
    (void)nfc_tx_gc(x->w, q, &ok);
    return ok == 1;
}

/* oe_state_change() */
static void oe_state_change(struct xnf *x)
{
    static const uint8_t groups[][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                        {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};
    unsigned i;

    switch (nfc_state(x->w->fx, NFC_BE)) {
    case XenbusStateInitWait:
        if (!read_config(x))
            break;
        if (!x->be_rx_copy) {
            nfc_wr(x->w->fx, XVM_XS_NO_TX, NFC_FE, "state", "6");
            break;
        }
        CHECK_EQ(be_connect(x), 0);
        break;
    case XenbusStateConnected:
        if (x->connected)
            break;
        x->connected = true;
        xvm_evtchn_send(x->w->fe_ec, x->evtchn); /* kick */
        x->link_up = true;
        /* mac_multicast_refresh(): every group it belongs to. */
        for (i = 0; x->be_mcast && i < 2; i++)
            x->mcast_ok += set_multicast(x, true, groups[i]);
        break;
    default: /* Closing, Closed and the rest: nothing */
        break;
    }
}

#define XNF_UNTIL(x, cond)                                                     \
    ({                                                                         \
        int n_ = 250;                                                          \
        bool ok_;                                                              \
        while (!(ok_ = (cond)) && n_-- > 0)                                    \
            if (nfc_pump((x)->w, 20))                                          \
                oe_state_change(x);                                            \
        ok_;                                                                   \
    })

/* xnf_attach(): an event channel, then the watch on the backend state. */
static void xnf_attach(struct xnf *x, struct nfc *w)
{
    memset(x, 0, sizeof(*x));
    x->w = w;
    x->evtchn = nfc_evtchn(w);
    CHECK(x->evtchn != 0);
    CHECK_EQ(xvm_xs_watch(w->fx, NFC_BE "/state", w->fe_token), 0);
}

static bool connected(const struct xnf *x)
{
    return x->connected && x->w->be &&
           nb_xenbus_state(x->w->be) == XenbusStateConnected;
}

/*
 * xnf_send(): checksum offload is csum_blank alone (the pseudo-header
 * sum in place, never data_validated); LSO is the GSO record alone, no
 * checksum flag; one slot per DMA cookie, at most 18.
 */
static void check_tx(struct xnf *x)
{
    static const struct {
        uint32_t len, chunk;
        uint16_t off, flags, mss;
        uint16_t want;
    } c[] = {
        {60, 4096, 2, 0, 0, 0},
        {1514, 4096, 2, NETTXF_csum_blank, 0, NETIF_OFF_CSUM_BLANK},
        {1514, 4096, 3000, NETTXF_csum_blank, 0, NETIF_OFF_CSUM_BLANK},
        /* LSO: the backend treats a GSO packet as checksum-partial, as
         * Linux netback does. */
        {40000, 4096, 100, 0, 1460, NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK},
        {65535, 3641, 0, 0, 1460, NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK},
    };
    struct nfc_owner *o = &x->w->own;
    unsigned i, ok = 0, base = o->nrec;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        netif_extra_info_t gso = {.type = XEN_NETIF_EXTRA_TYPE_GSO};
        uint8_t *f = nfc_frame(c[i].len, false, 200 + i);
        const struct nfc_pkt *r = &o->rec[base + i];

        gso.u.gso.size = c[i].mss;
        gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
        CHECK(nfc_tx_queue(x->w, &x->q, f, c[i].len, c[i].off, c[i].chunk,
                           c[i].flags, c[i].mss ? &gso : NULL) <= 18);
        nfc_tx_push(x->w, &x->q);
        CHECK(NFC_UNTIL(x->w, o->nrec == base + i + 1));
        if (o->nrec == base + i + 1) {
            if (r->off.flags != c[i].want)
                fprintf(stderr, "  TX %u: flags %#x, want %#x\n", i,
                        r->off.flags, c[i].want);
            CHECK_EQ(r->len, c[i].len);
            CHECK(memcmp(r->data, f, c[i].len) == 0);
            CHECK_EQ(r->off.flags, c[i].want);
            CHECK_EQ(r->off.gso_size, c[i].mss);
        }
        free(f);
    }
    /* xnf cleans its TX ring lazily; every response must be good. */
    nfc_tx_gc(x->w, &x->q, &ok);
    CHECK(!x->q.broken);
    for (i = 0; i < NFC_RING; i++)
        CHECK(!x->q.tx_pending[i]);
    CHECK_EQ(nb_vif_disabled(o->vif[0]), NB_FATAL_NONE);
}

/*
 * xnf_rx_one_packet(): a response's id must be its request's, a data
 * slot must hold 1..4096 bytes within the page, and only data_validated
 * is looked at (hwcsum).  It asked for no GSO (feature-gso-tcpv4=0), so
 * a GSO packet must never reach it.
 */
static void check_rx(struct xnf *x)
{
    static const struct {
        uint32_t len;
        uint16_t off_flags;
        uint16_t want_rx_flags;
        unsigned slots;
    } c[] = {
        {60, 0, 0, 1},
        {1514, NETIF_OFF_CSUM_BLANK, NETRXF_csum_blank | NETRXF_data_validated,
         1},
        {1514, NETIF_OFF_DATA_VALIDATED, NETRXF_data_validated, 1},
        {9014, 0, NETRXF_more_data, 3},
    };
    enum { N = sizeof(c) / sizeof(c[0]) };
    struct nfc_pkt in[N + 1], got[N];
    struct nb_vif_stats st;
    unsigned i, n = 0, k;

    for (i = 0; i <= N; i++) {
        uint32_t len = i < N ? c[i].len : 30000;

        in[i] = (struct nfc_pkt){.data = nfc_frame(len, false, 300 + i),
                                 .len = len};
        in[i].off.flags =
            i < N ? c[i].off_flags : NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK;
        in[i].off.gso_size = i < N ? 0 : 1460;
        in[i].off.gso_type = NETIF_GSO_TCPV4;
    }
    /* The GSO packet first: dropped, the others behind it arrive. */
    CHECK_EQ(nfc_be_rx(x->w, 0, &in[N], 1), 1);
    CHECK_EQ(nfc_be_rx(x->w, 0, in, N), N);
    nb_vif_stats_get(x->w->own.vif[0], &st);
    CHECK_EQ(st.rx_dropped_offload, 1);
    CHECK(NFC_UNTIL(x->w, nfc_events(x->w, x->evtchn) > 0));
    for (k = 0; k < 4 && n < N; k++) {
        n += nfc_rx_collect(x->w, &x->q, got + n, N - n);
        /* xnf_intr(): rsp_event past what it took, buffers hung again. */
        nfc_rx_post(x->w, &x->q);
        nfc_rx_push(x->w, &x->q);
    }
    CHECK_EQ(n, N);
    CHECK(!x->q.broken);
    if (x->q.broken)
        fprintf(stderr, "  xnf: %s\n", x->q.why);
    for (i = 0; i < n && i < N; i++) {
        CHECK_EQ(got[i].len, c[i].len);
        CHECK(memcmp(got[i].data, in[i].data, c[i].len) == 0);
        CHECK_EQ(got[i].rx_flags, c[i].want_rx_flags);
        CHECK_EQ(got[i].slots, c[i].slots);
        CHECK(!got[i].gso_extra);
        /* hwcsum: a partial checksum must come marked validated */
        if (c[i].off_flags & NETIF_OFF_CSUM_BLANK)
            CHECK(got[i].rx_flags & NETRXF_data_validated);
    }
    nfc_pkts_free(in, N + 1);
    nfc_pkts_free(got, n);
}

static void check_published(struct xnf *x)
{
    struct nfc *w = x->w;
    const struct nb_xenbus_frontend *i = &w->own.info;

    CHECK(nfc_is(w->ts, NFC_FE, "state", "4"));
    CHECK(nfc_is(w->ts, NFC_FE, "request-multicast-control", "1"));
    CHECK(nfc_is(w->ts, NFC_FE, "feature-gso-tcpv4", "0"));
    CHECK_EQ(i->num_queues, 1); /* no multi-queue-num-queues: one */
    CHECK_EQ(i->queue[0].tx_ring_ref, x->q.tx_ring_ref);
    CHECK_EQ(i->queue[0].rx_ring_ref, x->q.rx_ring_ref);
    CHECK_EQ(i->queue[0].tx_port, x->evtchn);
    CHECK(!i->queue[0].split_evtchn);
    CHECK_EQ(i->features, NETIF_F_RX_COPY | NETIF_F_RX_NOTIFY | NETIF_F_SG |
                              NETIF_F_MCAST_CTRL);
    CHECK(x->be_rx_copy && x->be_mcast && x->be_tx_sg && x->be_lso);
    CHECK(x->mac[0] == 0x00 && x->mac[5] == 0x7c);
    CHECK(x->link_up);
}

static void test_attach_traffic_resume(void)
{
    struct nfc w;
    struct xnf x;
    uint8_t m[2][6];
    grant_ref_t old_ref;

    CHECK(nfc_open(&w));
    xnf_attach(&x, &w);
    CHECK(nfc_backend_start(&w));
    CHECK(XNF_UNTIL(&x, connected(&x)));
    if (!connected(&x))
        goto out;
    check_published(&x);
    /* The multicast refresh was answered and the groups are kept. */
    CHECK_EQ(x.mcast_ok, 2);
    CHECK_EQ(nb_vif_mcast_list(w.own.vif[0], m, 2), 2);
    check_tx(&x);
    check_rx(&x);

    /*
     * The backend killed and started again (dom0's switch restarted):
     * xnf ignores the backend's states but Connected, so the new backend
     * must take over the rings and channel xnf still publishes; traffic
     * goes on with no step of xnf's.
     */
    old_ref = x.q.tx_ring_ref;
    CHECK(nfc_backend_kill(&w));
    CHECK(nfc_backend_start(&w));
    CHECK(XNF_UNTIL(&x, connected(&x)));
    if (!connected(&x))
        goto out;
    CHECK_EQ(w.own.connects, 2);
    CHECK_EQ(w.own.info.queue[0].tx_ring_ref, old_ref);
    check_tx(&x);
    check_rx(&x);

    /*
     * Suspend and resume (or the toolstack re-plugging the vif): the
     * backend goes, the toolstack puts the frontend back to
     * Initialising, xnf takes a new channel and, at the new backend's
     * InitWait, publishes fresh rings.
     */
    old_ref = x.q.tx_ring_ref;
    nfc_backend_stop(&w);
    CHECK_EQ(w.own.disconnects, 2);
    CHECK(nfc_rings_teardown(&w, &x.q));
    xvm_xs_unwatch(w.fx, NFC_BE "/state", w.fe_token);
    CHECK_EQ(nfc_wr(w.ts, XVM_XS_NO_TX, NFC_FE, "state", "1"), 0);
    xnf_attach(&x, &w);
    CHECK(nfc_backend_start(&w));
    CHECK(XNF_UNTIL(&x, connected(&x)));
    if (!connected(&x))
        goto out;
    CHECK_EQ(w.own.connects, 3);
    CHECK(x.q.tx_ring_ref != old_ref);
    check_published(&x);
    check_tx(&x);
    check_rx(&x);
out:
    nfc_close(&w);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!nfc_init()) {
        printf("SKIP: no xenstore server could be started\n");
        return 77;
    }
    RUN(test_attach_traffic_resume);
    nfc_fini();
    return check_summary();
}
