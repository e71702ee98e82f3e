/* SPDX-License-Identifier: MIT */
/*
 * libnetback guest receive (slots, extras, flags, drops, running out of
 * buffers, events), free-running ring indices wrapping past 2^32 in both
 * directions, and what nb_vif_create() refuses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "check.h"
#include "nbt.h"

#define FEAT_ALL (NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY)

/* Packets built from pattern data, cut into segments of seg bytes. */
struct pkts {
    uint8_t data[8][20000];
    struct nb_seg seg[8][200];
    struct nb_rx_pkt p[8];
};

static struct pkts P;

static struct nb_rx_pkt *mk(unsigned i, uint32_t len, uint32_t seg,
                            uint16_t flags, uint32_t seed)
{
    uint32_t k, off = 0;
    uint16_t n = 0;

    for (k = 0; k < len; k++)
        P.data[i][k] = nbt_pat(seed, k);
    while (off < len) {
        uint32_t l = len - off < seg ? len - off : seg;

        P.seg[i][n++] = (struct nb_seg){.base = P.data[i] + off, .len = l};
        off += l;
    }
    P.p[i] = (struct nb_rx_pkt){.segs = P.seg[i], .nseg = n, .len = len};
    P.p[i].off.flags = flags;
    return &P.p[i];
}

static struct nb_vif_stats stats(struct nbt *t)
{
    struct nb_vif_stats st;

    nb_vif_stats_get(t->vif, &st);
    return st;
}

static bool rsp_is(struct nbt *t, uint32_t idx, uint16_t flags, int16_t status)
{
    netif_rx_response_t r = nbt_rx_rsp(t, idx);

    return r.id == nbt_id(idx) && r.offset == 0 && r.flags == flags &&
           r.status == status;
}

static void test_rx_single_slot(void)
{
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_rx_post(&t, 4);
    CHECK_EQ(nb_vif_rx_slots(t.vif), 4);
    CHECK_EQ(nb_vif_rx_burst(t.vif, mk(0, 60, 60, 0, 1), 1), 1);
    CHECK(rsp_is(&t, 0, 0, 60));
    CHECK(nbt_rx_page_is(&t, 0, 1, 0, 60));
    for (k = 60; k < XVM_PAGE_SIZE; k++) /* nothing written past it */
        if (nbt_rx_page(&t, 0)[k] != 0)
            break;
    CHECK_EQ(k, XVM_PAGE_SIZE);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 1);
    CHECK_EQ(nbt_events(&t), 1);
    CHECK_EQ(nb_vif_rx_slots(t.vif), 3);
    CHECK_EQ(stats(&t).rx_packets, 1);
    CHECK_EQ(stats(&t).rx_bytes, 60);
    CHECK_EQ(stats(&t).notify_rx, 1);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 0), 0);
    nbt_teardown(&t);
}

static void test_rx_multi_slot(void)
{
    struct nbt t;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_rx_post(&t, 8);
    mk(0, 10000, 5000, 0, 2);
    P.seg[0][0].len = 3000; /* segments 3000, 5000, 2000 */
    P.seg[0][1].base = P.data[0] + 3000;
    P.seg[0][2] = (struct nb_seg){.base = P.data[0] + 8000, .len = 2000};
    P.p[0].nseg = 3;
    mk(1, 10000, 100, 0, 3); /* 100 tiny segments */
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 2), 2);
    CHECK(rsp_is(&t, 0, NETRXF_more_data, 4096));
    CHECK(rsp_is(&t, 1, NETRXF_more_data, 4096));
    CHECK(rsp_is(&t, 2, 0, 1808));
    CHECK(nbt_rx_page_is(&t, 0, 2, 0, 4096));
    CHECK(nbt_rx_page_is(&t, 1, 2, 4096, 4096));
    CHECK(nbt_rx_page_is(&t, 2, 2, 8192, 1808));
    CHECK(rsp_is(&t, 3, NETRXF_more_data, 4096));
    CHECK(rsp_is(&t, 5, 0, 1808));
    CHECK(nbt_rx_page_is(&t, 4, 3, 4096, 4096));
    CHECK(nbt_rx_page_is(&t, 5, 3, 8192, 1808));
    CHECK_EQ(nbt_rx_rsp_prod(&t), 6);
    CHECK_EQ(nbt_events(&t), 1);
    nbt_teardown(&t);
}

static void test_rx_gso_extra(void)
{
    netif_extra_info_t ex;
    struct nb_rx_pkt *p;
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_rx_post(&t, 8);
    p = mk(0, 9000, 9000, NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO, 4);
    p->off.gso_size = 1448;
    p->off.gso_type = NETIF_GSO_TCPV4;
    p = mk(1, 1000, 1000, NETIF_OFF_GSO, 5);
    p->off.gso_size = 1220;
    p->off.gso_type = NETIF_GSO_TCPV6;
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 2), 2);
    CHECK(rsp_is(&t, 0,
                 NETRXF_csum_blank | NETRXF_data_validated | NETRXF_extra_info |
                     NETRXF_more_data,
                 4096));
    memcpy(&ex, RING_GET_RESPONSE(&t.rx, 1), sizeof(ex));
    CHECK_EQ(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
    CHECK_EQ(ex.flags, 0);
    CHECK_EQ(ex.u.gso.size, 1448);
    CHECK_EQ(ex.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
    CHECK_EQ(ex.u.gso.pad, 0); /* no stale bytes */
    CHECK_EQ(ex.u.gso.features, 0);
    CHECK(rsp_is(&t, 2, NETRXF_more_data, 4096));
    CHECK(rsp_is(&t, 3, 0, 808));
    CHECK(nbt_rx_page_is(&t, 0, 4, 0, 4096));
    CHECK(nbt_rx_page_is(&t, 2, 4, 4096, 4096));
    CHECK(nbt_rx_page_is(&t, 3, 4, 8192, 808));
    for (k = 0; k < XVM_PAGE_SIZE; k++) /* the extra's page is unused */
        if (nbt_rx_page(&t, 1)[k] != 0)
            break;
    CHECK_EQ(k, XVM_PAGE_SIZE);
    /* one data slot + its extra; GSO goes out checksum-partial even
     * when the owner said nothing (netfront would count a fix-up) */
    CHECK(rsp_is(&t, 4,
                 NETRXF_csum_blank | NETRXF_data_validated | NETRXF_extra_info,
                 1000));
    memcpy(&ex, RING_GET_RESPONSE(&t.rx, 5), sizeof(ex));
    CHECK_EQ(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
    CHECK_EQ(ex.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV6);
    CHECK_EQ(ex.u.gso.size, 1220);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 6);
    nbt_teardown(&t);
}

static void test_rx_csum_flags(void)
{
    static const uint16_t in[] = {NETIF_OFF_CSUM_BLANK, NETIF_OFF_DATA_VALIDATED, 0,
                                  NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED};
    static const uint16_t out[] = {NETRXF_csum_blank | NETRXF_data_validated,
                                   NETRXF_data_validated, 0,
                                   NETRXF_csum_blank | NETRXF_data_validated};
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_rx_post(&t, 4);
    for (k = 0; k < 4; k++)
        mk(k, 100, 100, in[k], k);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 4), 4);
    for (k = 0; k < 4; k++)
        CHECK(rsp_is(&t, k, out[k], 100));
    nbt_teardown(&t);
}

static void test_rx_offload_drops(void)
{
    static struct nb_seg one;
    struct nb_rx_pkt *p;
    struct nbt t;
    unsigned k;

    /* Nothing negotiated: no multi-slot, no GSO. */
    CHECK_EQ(nbt_setup(&t, 0), 0);
    nbt_rx_post(&t, 4);
    mk(0, 5000, 5000, 0, 0);
    p = mk(1, 1000, 1000, NETIF_OFF_GSO, 1);
    p->off.gso_size = 1000;
    p->off.gso_type = NETIF_GSO_TCPV4;
    mk(2, 60, 60, 0, 2);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 3), 3);
    CHECK_EQ(stats(&t).rx_dropped_offload, 2);
    CHECK_EQ(stats(&t).rx_packets, 1);
    CHECK(rsp_is(&t, 0, 0, 60));
    CHECK(nbt_rx_page_is(&t, 0, 2, 0, 60));
    CHECK_EQ(nbt_rx_rsp_prod(&t), 1);
    nbt_teardown(&t);

    /* SG and TCPv4 only: TCPv6, size 0 and unknown types are dropped. */
    CHECK_EQ(nbt_setup(&t, NETIF_F_SG | NETIF_F_GSO_TCPV4), 0);
    nbt_rx_post(&t, 4);
    for (k = 0; k < 3; k++) {
        p = mk(k, 1000, 1000, NETIF_OFF_GSO, k);
        p->off.gso_size = k == 1 ? 0 : 1000;
        p->off.gso_type = k == 0 ? NETIF_GSO_TCPV6 : k == 1 ? NETIF_GSO_TCPV4 : 7;
    }
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 3), 3);
    CHECK_EQ(stats(&t).rx_dropped_offload, 3);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 0);

    /* Packets that break the nb_rx_pkt rules are dropped as bad. */
    mk(0, 10, 10, 0, 0); /* too short */
    mk(1, 100, 100, 0, 0);
    P.p[1].len = 70000; /* too long, and segs disagree */
    mk(2, 100, 50, 0, 0);
    P.p[2].len = 90; /* segs add up to 100 */
    mk(3, 100, 100, 0, 0);
    P.p[3].nseg = 0;
    P.p[4] = (struct nb_rx_pkt){.segs = NULL, .nseg = 1, .len = 100};
    one = (struct nb_seg){.base = P.data[5], .len = 100};
    P.p[5] = (struct nb_rx_pkt){.segs = &one, .nseg = 1, .len = 100};
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 6), 6);
    CHECK_EQ(stats(&t).rx_dropped_bad, 5);
    CHECK_EQ(stats(&t).rx_packets, 1);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_rx_no_slots_arms_event(void)
{
    struct nbt t;
    bool notify;

    CHECK_EQ(nbt_setup(&t, NETIF_F_SG | NETIF_F_RX_NOTIFY), 0);
    nbt_rx_post(&t, 1);
    mk(0, 60, 60, 0, 0);
    mk(1, 60, 60, 0, 1);
    t.rx.sring->req_event = 0;
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 2), 1);
    CHECK_EQ(stats(&t).rx_no_slots, 1);
    CHECK_EQ(t.rx.sring->req_event, 2); /* the next post notifies */
    t.rx.req_prod_pvt++;
    RING_GET_REQUEST(&t.rx, 1)->id = nbt_id(1);
    RING_GET_REQUEST(&t.rx, 1)->gref = NBT_RX_REF0 + 1;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&t.rx, notify);
    CHECK(notify);
    CHECK_EQ(nb_vif_rx_burst(t.vif, &P.p[1], 1), 1);
    CHECK(rsp_is(&t, 1, 0, 60));

    /* XSA-392: a two-slot packet does not go into one free slot. */
    mk(0, 5000, 5000, 0, 0);
    nbt_rx_post(&t, 1);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 1), 0);
    CHECK_EQ(stats(&t).rx_no_slots, 2);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 2);
    CHECK_EQ(nb_vif_rx_slots(t.vif), 1);
    nbt_rx_post(&t, 1);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 1), 1);
    CHECK(rsp_is(&t, 2, NETRXF_more_data, 4096));
    CHECK(rsp_is(&t, 3, 0, 904));
    nbt_teardown(&t);

    /* Without feature-rx-notify the event index is left alone. */
    CHECK_EQ(nbt_setup(&t, NETIF_F_SG), 0);
    t.rx.sring->req_event = 0;
    mk(0, 60, 60, 0, 0);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 1), 0);
    CHECK_EQ(t.rx.sring->req_event, 0);
    CHECK_EQ(stats(&t).rx_no_slots, 1);
    nbt_teardown(&t);
}

static void test_rx_notify_and_burst_cap(void)
{
    static struct nb_rx_pkt many[100];
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_rx_post(&t, 200);
    t.rx.sring->rsp_event = 100; /* no event before 100 responses */
    mk(0, 60, 60, 0, 0);
    CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 1), 1);
    CHECK_EQ(nbt_events(&t), 0);
    CHECK_EQ(stats(&t).notify_rx, 0);
    t.rx.sring->rsp_event = 2;
    for (k = 0; k < 100; k++)
        many[k] = P.p[0];
    CHECK_EQ(nb_vif_rx_burst(t.vif, many, 100), NB_BURST_MAX);
    CHECK_EQ(nbt_events(&t), 1); /* one event for the burst */
    CHECK_EQ(nbt_rx_rsp_prod(&t), 1 + NB_BURST_MAX);
    nbt_teardown(&t);
}

/* Free-running indices: start 256 short of 2^32 and go well past it. */
static void test_ring_wrap(void)
{
    static const uint16_t frag[] = {700, 800};
    const uint32_t start = 0xffffff00u;
    uint32_t tx_i = start, rx_i = start, seed = 0;
    struct nbt t;
    unsigned r, k, n = 0;
    bool ok = true;

    CHECK_EQ(nbt_domain(&t, start), 0);
    CHECK(nbt_connect(&t, FEAT_ALL) != NULL);
    mk(0, 6000, 1000, 0, 77);
    for (r = 0; r < 20; r++) {
        for (k = 0; k < 30; k++)
            nbt_tx_pkt(&t, frag, 1 + k % 2, 0, 0, NULL, 0, seed++);
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 30);
        for (; tx_i != t.tx.req_prod_pvt; tx_i++) {
            netif_tx_response_t rsp = nbt_tx_rsp(&t, tx_i);

            ok &= rsp.id == nbt_id(tx_i) && rsp.status == NETIF_RSP_OKAY;
        }
        nbt_rx_post(&t, 40);
        CHECK_EQ(nb_vif_rx_burst(t.vif, P.p, 1), 1);
        ok &= nbt_rx_rsp(&t, rx_i).status == 4096 &&
              nbt_rx_rsp(&t, rx_i + 1).status == 1904 &&
              nbt_rx_page_is(&t, rx_i + 1, 77, 4096, 1904);
        rx_i += 2;
        for (k = 0; k < 38; k++)
            n += nb_vif_rx_burst(t.vif, mk(1, 100, 100, 0, 5), 1);
        rx_i += 38;
    }
    CHECK(ok);
    CHECK_EQ(n, 20 * 38);
    CHECK_EQ(nbt_tx_rsp_prod(&t), t.tx.req_prod_pvt);
    CHECK(nbt_tx_rsp_prod(&t) < start); /* wrapped */
    CHECK_EQ(nbt_rx_rsp_prod(&t), rx_i);
    CHECK(nbt_rx_rsp_prod(&t) < start);
    for (k = 0; k < 30; k++)
        CHECK(nbt_rec_is(&t, 19 * 30 + k, k % 2 ? 1500 : 700, 19 * 30 + k));
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_create_rejects(void)
{
    struct nb_io_ops no_ops = {0};
    struct nb_vif_params p;
    struct nbt t;
    struct nb_vif *v;
    unsigned c;

    CHECK_EQ(nbt_domain(&t, 0), 0);
    errno = 0;
    CHECK(nb_vif_create(NULL) == NULL && errno == EINVAL);
    xvm_gnttab_grant(t.gt, t.gt_entries, 900, 3, NBT_TX_RING_GFN, false);
    xvm_gnttab_grant(t.gt, t.gt_entries, 901, NBT_DOM_BACK, NBT_FRAMES, false);
    for (c = 0; c < 11; c++) {
        p = t.params;
        switch (c) {
        case 0:
            p.ops = NULL;
            break;
        case 1:
            p.ops = &no_ops;
            break;
        case 2:
            p.rx_ring_ref = p.tx_ring_ref;
            break;
        case 3:
            p.tx_ring_ref = NBT_BAD_REF;
            break; /* not granted */
        case 4:
            p.tx_ring_ref = NBT_TX_REF0;
            break; /* read-only */
        case 5:
            p.rx_ring_ref = 0xffffffffu;
            break; /* outside table */
        case 6:
            p.rx_ring_ref = 900;
            break; /* other domain */
        case 7:
            p.rx_ring_ref = 901;
            break; /* no such frame */
        case 8:
            p.gnttab_gfn = NBT_FRAMES;
            break;
        case 9:
            p.backend_domid = 3;
            break; /* not for us */
        default:
            p.evtchn = NULL;
            break;
        }
        errno = 0;
        v = nb_vif_create(&p);
        CHECK(v == NULL);
        CHECK_EQ(errno, EINVAL);
        nb_vif_destroy(v);
        /* nothing left mapped */
        CHECK_EQ(t.gt[NBT_TX_RING_REF].flags, GTF_permit_access);
        CHECK_EQ(t.gt[NBT_RX_RING_REF].flags, GTF_permit_access);
    }
    /* A ring holding more than a ring's worth of requests is refused;
     * exactly a full ring is fine. */
    t.rx.sring->req_prod = NBT_RING + 1;
    CHECK(nbt_connect(&t, FEAT_ALL) == NULL && errno == EINVAL);
    CHECK_EQ(t.gt[NBT_TX_RING_REF].flags, GTF_permit_access);
    t.rx.sring->req_prod = NBT_RING;
    t.tx.sring->req_prod = 0u - 1u; /* behind rsp_prod: garbage */
    CHECK(nbt_connect(&t, FEAT_ALL) == NULL && errno == EINVAL);
    t.tx.sring->req_prod = 0;
    CHECK(nbt_connect(&t, FEAT_ALL) != NULL);
    CHECK_EQ(nb_vif_rx_slots(t.vif), NBT_RING);
    CHECK(strcmp(nb_vif_name(t.vif), t.name) == 0);
    nb_vif_destroy(NULL);
    nbt_teardown(&t);
}

int main(void)
{
    nbt_log_capture();
    RUN(test_rx_single_slot);
    RUN(test_rx_multi_slot);
    RUN(test_rx_gso_extra);
    RUN(test_rx_csum_flags);
    RUN(test_rx_offload_drops);
    RUN(test_rx_no_slots_arms_event);
    RUN(test_rx_notify_and_burst_cap);
    RUN(test_ring_wrap);
    RUN(test_create_rejects);
    CHECK_EQ(nbt_log_count, 0);
    return check_summary();
}
