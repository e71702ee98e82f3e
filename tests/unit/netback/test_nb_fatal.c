/* SPDX-License-Identifier: MIT */
/*
 * libnetback against a frontend that breaks the protocol: one test per
 * nb_fatal reason (with the variants that lead there), each proving the
 * vif is disabled for that reason, counted and logged once, and inert
 * afterwards; the packets before the bad one still complete; another vif
 * in the same process carries on; garbage rings terminate (XSA-39).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nbt.h"

#define FEAT_ALL (NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY)

static int fresh(struct nbt *t)
{
    nbt_log_count = 0;
    return nbt_setup(t, FEAT_ALL);
}

/*
 * @t was disabled for @reason: check it is counted and logged once, then
 * offer it valid work in both directions and check it touches nothing.
 */
static void expect_fatal(struct nbt *t, enum nb_fatal reason)
{
    static uint8_t txr[XVM_PAGE_SIZE], rxr[XVM_PAGE_SIZE], buf[100];
    struct nb_seg seg = {.base = buf, .len = sizeof(buf)};
    struct nb_rx_pkt pkt = {.segs = &seg, .nseg = 1, .len = sizeof(buf)};
    struct nb_vif_stats st, st2;
    unsigned r, gets;

    CHECK_EQ(nb_vif_disabled(t->vif), reason);
    nb_vif_stats_get(t->vif, &st);
    for (r = 0; r < NB_FATAL__MAX; r++)
        CHECK_EQ(st.fatal[r], r == (unsigned)reason);
    CHECK_EQ(nbt_log_count, 1);
    CHECK(strstr(nbt_log_last, t->name) != NULL);
    CHECK(strstr(nbt_log_last, nb_fatal_str(reason)) != NULL);
    CHECK(nbt_balanced(t));

    nbt_tx_simple(t, 60, 1);
    nbt_tx_push(t);
    nbt_rx_post(t, 2);
    nbt_events(t);
    memcpy(txr, t->tx.sring, sizeof(txr));
    memcpy(rxr, t->rx.sring, sizeof(rxr));
    gets = t->own.gets;
    CHECK_EQ(nb_vif_tx_poll(t->vif, 64), 0);
    CHECK(!nb_vif_tx_final_check(t->vif));
    CHECK_EQ(nb_vif_rx_burst(t->vif, &pkt, 1), 0);
    CHECK_EQ(nb_vif_rx_slots(t->vif), 0);
    CHECK(memcmp(txr, t->tx.sring, sizeof(txr)) == 0);
    CHECK(memcmp(rxr, t->rx.sring, sizeof(rxr)) == 0);
    CHECK_EQ(t->own.gets, gets);
    CHECK_EQ(nbt_events(t), 0);
    CHECK_EQ(nbt_log_count, 1);
    nb_vif_stats_get(t->vif, &st2);
    CHECK(memcmp(&st, &st2, sizeof(st)) == 0);
}

static void test_fatal_tx_prod_overflow(void)
{
    struct nbt t;
    unsigned k;

    CHECK_EQ(fresh(&t), 0);
    t.tx.sring->req_prod = NBT_RING + 1;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(nbt_tx_rsp_prod(&t), 0);
    expect_fatal(&t, NB_FATAL_TX_PROD_OVERFLOW);
    nbt_teardown(&t);

    /* Seen by the final check as well. */
    CHECK_EQ(fresh(&t), 0);
    t.tx.sring->req_prod = 1000;
    CHECK(!nb_vif_tx_final_check(t.vif));
    expect_fatal(&t, NB_FATAL_TX_PROD_OVERFLOW);
    nbt_teardown(&t);

    /* A full ring is not an overflow. */
    CHECK_EQ(fresh(&t), 0);
    for (k = 0; k < NBT_RING; k++)
        nbt_tx_simple(&t, 60, k);
    nbt_tx_push(&t);
    for (k = 0; k < 4; k++)
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 64);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_fatal_tx_prod_backwards(void)
{
    struct nbt t;
    unsigned k;

    CHECK_EQ(fresh(&t), 0);
    for (k = 0; k < 3; k++)
        nbt_tx_simple(&t, 60, k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 1), 1);
    t.tx.sring->req_prod = 2; /* still ahead of req_cons, but went back */
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(nbt_tx_rsp_prod(&t), 1);
    expect_fatal(&t, NB_FATAL_TX_PROD_BACKWARDS);
    nbt_teardown(&t);
}

static void test_fatal_tx_chain_overrun(void)
{
    static const uint16_t frag[] = {200, 100};
    struct nbt t;
    uint32_t i;

    CHECK_EQ(fresh(&t), 0);
    nbt_tx_simple(&t, 60, 1); /* a good packet in the same burst */
    i = nbt_tx_pkt(&t, frag, 2, 0, 0, NULL, 0, 2);
    RING_GET_REQUEST(&t.tx, i + 1)->flags |= NETTXF_more_data;
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 60, 1));
    CHECK_EQ(nbt_tx_rsp_prod(&t), 1); /* the bad packet is not answered */
    CHECK_EQ(nbt_tx_rsp(&t, 0).status, NETIF_RSP_OKAY);
    expect_fatal(&t, NB_FATAL_TX_CHAIN_OVERRUN);
    nbt_teardown(&t);
}

static void test_fatal_tx_too_many_slots(void)
{
    uint16_t frag[NETIF_MAX_SLOTS_PER_PKT + 1];
    struct nbt t;
    unsigned k;

    CHECK_EQ(fresh(&t), 0);
    for (k = 0; k <= NETIF_MAX_SLOTS_PER_PKT; k++)
        frag[k] = 100;
    nbt_tx_pkt(&t, frag, NETIF_MAX_SLOTS_PER_PKT + 1, 0, 0, NULL, 0, 1);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(t.own.gets, 0);
    expect_fatal(&t, NB_FATAL_TX_TOO_MANY_SLOTS);
    nbt_teardown(&t);
}

static void test_fatal_tx_slot_crosses_page(void)
{
    static const uint16_t frag[] = {3000, 200};
    /* {slot to change, its offset}: the second slot past the page; the
     * u16 sum 0xffff + 200 that wraps (XSA-270 class); the first slot
     * whose own share (3000) ends past the page. */
    static const uint16_t cases[][2] = {{1, 3950}, {1, 0xffff}, {0, 1100}};
    struct nbt t;
    unsigned c;
    uint32_t i;

    for (c = 0; c < 3; c++) {
        CHECK_EQ(fresh(&t), 0);
        i = nbt_tx_pkt(&t, frag, 2, 0, 0, NULL, 0, 1);
        RING_GET_REQUEST(&t.tx, i + cases[c][0])->offset = cases[c][1];
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
        expect_fatal(&t, NB_FATAL_TX_SLOT_CROSSES_PAGE);
        nbt_teardown(&t);
    }
    /* One slot, 60 bytes at 4090. */
    CHECK_EQ(fresh(&t), 0);
    i = nbt_tx_simple(&t, 60, 1);
    RING_GET_REQUEST(&t.tx, i)->offset = 4090;
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    expect_fatal(&t, NB_FATAL_TX_SLOT_CROSSES_PAGE);
    nbt_teardown(&t);
}

/* Grant a ref the way a hostile guest might. */
static void bad_grant(struct nbt *t, grant_ref_t ref, domid_t dom,
                      uint32_t frame)
{
    xvm_gnttab_grant(t->gt, t->gt_entries, ref, dom, frame, true);
}

static void test_fatal_tx_bad_grant(void)
{
    static const uint16_t frag[] = {100, 100};
    static const grant_ref_t refs[] = {NBT_BAD_REF, 0xfffffff0u, 900, 901,
                                       NBT_TX_REF0 + 2};
    struct nbt t;
    unsigned c;
    uint32_t i;

    for (c = 0; c < 5; c++) {
        CHECK_EQ(fresh(&t), 0);
        bad_grant(&t, 900, 3, NBT_TX_GFN0); /* another domain's */
        bad_grant(&t, 901, NBT_DOM_BACK, NBT_FRAMES + 10); /* no frame */
        nbt_tx_simple(&t, 60, 1);
        i = nbt_tx_pkt(&t, frag, 2, 0, 0, NULL, 0, 2);
        nbt_tx_simple(&t, 70, 3);
        RING_GET_REQUEST(&t.tx, i + 1)->gref = refs[c];
        if (c == 4) /* access ended by the guest before we copy */
            CHECK_EQ(xvm_gnttab_end(t.gt, t.gt_entries, refs[c]), 0);
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 2);
        CHECK(nbt_rec_is(&t, 0, 60, 1));
        CHECK(nbt_rec_is(&t, 1, 70, 3));
        /* Answered ERROR before the vif went down. */
        CHECK_EQ(nbt_tx_rsp_prod(&t), 4);
        CHECK_EQ(nbt_tx_rsp(&t, 0).status, NETIF_RSP_OKAY);
        CHECK_EQ(nbt_tx_rsp(&t, 1).status, NETIF_RSP_ERROR);
        CHECK_EQ(nbt_tx_rsp(&t, 2).status, NETIF_RSP_ERROR);
        CHECK_EQ(nbt_tx_rsp(&t, 2).id, nbt_id(2));
        CHECK_EQ(nbt_tx_rsp(&t, 3).status, NETIF_RSP_OKAY);
        CHECK_EQ(t.own.puts, 1);
        CHECK_EQ(nbt_events(&t), 1);
        expect_fatal(&t, NB_FATAL_TX_BAD_GRANT);
        nbt_teardown(&t);
    }
}

static void test_fatal_tx_bad_len(void)
{
    static const uint8_t grp[6] = {0x01, 0, 0x5e, 0, 0, 1};
    static const uint16_t small[] = {5, 5};
    netif_extra_info_t ex;
    struct nbt t;
    unsigned c;
    uint32_t i;

    for (c = 0; c < 6; c++) {
        CHECK_EQ(fresh(&t), 0);
        nbt_tx_simple(&t, 60, 1); /* completes before the bad one */
        switch (c) {
        case 0: /* size 0 */
        case 1: /* size 13 */
            i = nbt_tx_simple(&t, 60, 2);
            RING_GET_REQUEST(&t.tx, i)->size = c ? 13 : 0;
            break;
        case 2: /* a total under 14 in two slots */
            nbt_tx_pkt(&t, small, 2, 0, 0, NULL, 0, 2);
            break;
        case 3: /* multicast "dummy" that claims more data */
            ex = nbt_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, grp, 0);
            nbt_tx_raw(&t, 0, 0, NETTXF_extra_info | NETTXF_more_data, 0);
            nbt_tx_extra(&t, &ex);
            nbt_tx_raw(&t, nbt_tx_ref(3), 0, 0, 60);
            break;
        case 4: /* size 0 with a GSO record only: no dummy */
            ex = nbt_gso(1000, XEN_NETIF_GSO_TYPE_TCPV4, 0);
            nbt_tx_raw(&t, 0, 0, NETTXF_extra_info, 0);
            nbt_tx_extra(&t, &ex);
            break;
        default: /* size 0 with data behind it */
            i = nbt_tx_pkt(&t, small, 2, 0, 0, NULL, 0, 2);
            RING_GET_REQUEST(&t.tx, i)->size = 0;
            break;
        }
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
        CHECK_EQ(nbt_tx_rsp_prod(&t), 1);
        CHECK_EQ(t.own.gets, 1);
        expect_fatal(&t, NB_FATAL_TX_BAD_LEN);
        nbt_teardown(&t);
    }
}

static void test_fatal_tx_frag_overrun(void)
{
    uint16_t frag[NETIF_MAX_SLOTS_PER_PKT];
    struct nbt t;
    unsigned k;
    uint32_t i;

    CHECK_EQ(fresh(&t), 0);
    frag[0] = frag[1] = 50;
    i = nbt_tx_pkt(&t, frag, 2, 0, 0, NULL, 0, 1);
    RING_GET_REQUEST(&t.tx, i + 1)->size = 200; /* total says 100 */
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    expect_fatal(&t, NB_FATAL_TX_FRAG_OVERRUN);
    nbt_teardown(&t);

    /* XSA-432: 18 slots, total 60, the others add up to 68. */
    CHECK_EQ(fresh(&t), 0);
    for (k = 0; k < NETIF_MAX_SLOTS_PER_PKT; k++)
        frag[k] = 4;
    i = nbt_tx_pkt(&t, frag, NETIF_MAX_SLOTS_PER_PKT, 0, 0, NULL, 0, 1);
    RING_GET_REQUEST(&t.tx, i)->size = 60;
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(t.own.gets, 0);
    expect_fatal(&t, NB_FATAL_TX_FRAG_OVERRUN);
    nbt_teardown(&t);
}

static void test_fatal_tx_bad_extra(void)
{
    static const uint8_t types[] = {XEN_NETIF_EXTRA_TYPE_NONE,
                                    XEN_NETIF_EXTRA_TYPE_MAX, 0xff};
    netif_extra_info_t ex;
    struct nbt t;
    unsigned c;

    for (c = 0; c < 5; c++) {
        CHECK_EQ(fresh(&t), 0);
        nbt_tx_raw(&t, nbt_tx_ref(0), 0, NETTXF_extra_info, 60);
        if (c < 3) { /* a record of a bad type */
            ex = nbt_gso(1000, XEN_NETIF_GSO_TYPE_TCPV4, 0);
            ex.type = types[c];
            nbt_tx_extra(&t, &ex);
        } else if (c == 4) { /* a good record promising one more */
            ex = nbt_gso(1000, XEN_NETIF_GSO_TYPE_TCPV4, 1);
            nbt_tx_extra(&t, &ex);
        } /* c == 3: the record is missing altogether */
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
        CHECK_EQ(t.own.gets, 0);
        expect_fatal(&t, NB_FATAL_TX_BAD_EXTRA);
        nbt_teardown(&t);
    }
}

static void test_fatal_tx_bad_gso(void)
{
    static const struct {
        uint16_t size;
        uint8_t type;
    } cases[] = {{0, XEN_NETIF_GSO_TYPE_TCPV4},
                 {1448, XEN_NETIF_GSO_TYPE_NONE},
                 {1448, 3},
                 {1448, 0xff}};
    netif_extra_info_t ex;
    struct nbt t;
    unsigned c;
    uint16_t len = 3000;

    for (c = 0; c < 4; c++) {
        CHECK_EQ(fresh(&t), 0);
        ex = nbt_gso(cases[c].size, cases[c].type, 0);
        nbt_tx_pkt(&t, &len, 1, 0, 0, &ex, 1, 1);
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
        expect_fatal(&t, NB_FATAL_TX_BAD_GSO);
        nbt_teardown(&t);
    }
}

static struct nb_rx_pkt rx_pkt(struct nb_seg *seg, uint8_t *buf, uint32_t len)
{
    *seg = (struct nb_seg){.base = buf, .len = len};
    return (struct nb_rx_pkt){.segs = seg, .nseg = 1, .len = len};
}

static void test_fatal_rx_prod_overflow(void)
{
    static uint8_t buf[100];
    struct nb_seg seg;
    struct nb_rx_pkt p = rx_pkt(&seg, buf, 100);
    struct nbt t;

    CHECK_EQ(fresh(&t), 0);
    t.rx.sring->req_prod = NBT_RING + 1;
    CHECK_EQ(nb_vif_rx_slots(t.vif), 0); /* a query does not judge */
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    CHECK_EQ(nb_vif_rx_burst(t.vif, &p, 1), 0);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 0);
    t.rx.req_prod_pvt = NBT_RING + 1;
    expect_fatal(&t, NB_FATAL_RX_PROD_OVERFLOW);
    nbt_teardown(&t);
}

static void test_fatal_rx_prod_backwards(void)
{
    static uint8_t buf[100];
    struct nb_seg seg;
    struct nb_rx_pkt p = rx_pkt(&seg, buf, 100);
    struct nbt t;

    CHECK_EQ(fresh(&t), 0);
    nbt_rx_post(&t, 4);
    CHECK_EQ(nb_vif_rx_burst(t.vif, &p, 1), 1);
    t.rx.sring->req_prod = 3;
    CHECK_EQ(nb_vif_rx_burst(t.vif, &p, 1), 0);
    CHECK_EQ(nbt_rx_rsp_prod(&t), 1);
    t.rx.req_prod_pvt = 3;
    expect_fatal(&t, NB_FATAL_RX_PROD_BACKWARDS);
    nbt_teardown(&t);
}

static void test_fatal_rx_bad_grant(void)
{
    static uint8_t buf[4][5000];
    struct nb_seg seg[4];
    struct nb_rx_pkt p[4];
    /* never granted; a read-only grant (a TX page) */
    static const grant_ref_t refs[] = {NBT_BAD_REF, NBT_TX_REF0};
    struct nb_vif_stats st;
    struct nbt t;
    unsigned c, k;

    for (c = 0; c < 2; c++) {
        CHECK_EQ(fresh(&t), 0);
        nbt_rx_post(&t, 4);
        RING_GET_REQUEST(&t.rx, 1)->gref = refs[c];
        /* A packet dropped in the same burst counts for nothing. */
        p[0] = rx_pkt(&seg[3], buf[3], 10);
        for (k = 0; k < 3; k++)
            p[k + 1] = rx_pkt(&seg[k], buf[k], 100);
        CHECK_EQ(nb_vif_rx_burst(t.vif, p, 4), 4);
        CHECK_EQ(nbt_rx_rsp_prod(&t), 3);
        CHECK_EQ(nbt_rx_rsp(&t, 0).status, 100);
        CHECK_EQ(nbt_rx_rsp(&t, 1).status, GNTST_permission_denied);
        CHECK_EQ(nbt_rx_rsp(&t, 1).id, nbt_id(1));
        CHECK_EQ(nbt_rx_rsp(&t, 2).status, 100);
        CHECK_EQ(nbt_events(&t), 1);
        nb_vif_stats_get(t.vif, &st);
        CHECK_EQ(st.rx_packets, 2);
        CHECK_EQ(st.rx_bytes, 200);
        CHECK_EQ(st.rx_dropped_bad, 1);
        expect_fatal(&t, NB_FATAL_RX_BAD_GRANT);
        nbt_teardown(&t);
    }
    /* The second page of a two-slot packet. */
    CHECK_EQ(fresh(&t), 0);
    nbt_rx_post(&t, 2);
    RING_GET_REQUEST(&t.rx, 1)->gref = NBT_BAD_REF;
    p[0] = rx_pkt(&seg[0], buf[0], 5000);
    CHECK_EQ(nb_vif_rx_burst(t.vif, p, 1), 1);
    CHECK_EQ(nbt_rx_rsp(&t, 0).status, 4096);
    CHECK_EQ(nbt_rx_rsp(&t, 1).status, GNTST_permission_denied);
    nb_vif_stats_get(t.vif, &st);
    CHECK_EQ(st.rx_packets, 0);
    expect_fatal(&t, NB_FATAL_RX_BAD_GRANT);
    nbt_teardown(&t);
}

/* One guest's vif dies; another in the same process keeps working. */
static void test_fatal_other_vif_unaffected(void)
{
    static uint8_t buf[1500];
    struct nb_seg seg;
    struct nb_rx_pkt p = rx_pkt(&seg, buf, sizeof(buf));
    struct nbt a, b;
    unsigned k, n = 0;

    CHECK_EQ(fresh(&a), 0);
    CHECK_EQ(nbt_setup(&b, FEAT_ALL), 0);
    a.tx.sring->req_prod = 5000;
    CHECK_EQ(nb_vif_tx_poll(a.vif, 64), 0);
    CHECK_EQ(nb_vif_disabled(a.vif), NB_FATAL_TX_PROD_OVERFLOW);
    for (k = 0; k < 100; k++) {
        nbt_tx_simple(&b, 1000, k);
        nbt_tx_push(&b);
        nbt_rx_post(&b, 1);
        n += nb_vif_tx_poll(b.vif, 64);
        CHECK_EQ(nb_vif_rx_burst(b.vif, &p, 1), 1);
        CHECK_EQ(nb_vif_tx_poll(a.vif, 64), 0);
    }
    CHECK_EQ(n, 100);
    CHECK(nbt_rec_is(&b, 99, 1000, 99));
    CHECK_EQ(nbt_rx_rsp(&b, 99).status, 1500);
    CHECK_EQ(nb_vif_disabled(b.vif), NB_FATAL_NONE);
    CHECK_EQ(nbt_log_count, 1);
    nbt_teardown(&a);
    nbt_teardown(&b);
}

static uint32_t rnd_state = 0x12345678u;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/* XSA-39: a ring full of garbage ends every poll, disables the vif or
 * answers within the ring, and never loses an owner buffer. */
static void test_fatal_garbage_ring(void)
{
    static uint8_t buf[9000];
    struct nb_seg seg;
    struct nb_rx_pkt p = rx_pkt(&seg, buf, sizeof(buf));
    struct nbt t;
    unsigned it, k, dead = 0;

    for (it = 0; it < 150; it++) {
        CHECK_EQ(nbt_setup(&t, rnd() & 0x7f), 0);
        for (k = 0; k < NBT_RING; k++) {
            netif_tx_request_t *r = RING_GET_REQUEST(&t.tx, k);
            netif_rx_request_t *q = RING_GET_REQUEST(&t.rx, k);

            r->gref = rnd() % 4 ? NBT_TX_REF0 + rnd() % 300 : rnd();
            r->offset = (uint16_t)(rnd() % 4 ? rnd() % 4096 : rnd());
            r->flags = (uint16_t)(rnd() & 0xf);
            r->size = (uint16_t)(rnd() % 3 ? rnd() % 4096 : rnd());
            r->id = (uint16_t)rnd();
            q->gref = NBT_RX_REF0 + rnd() % 300;
            q->id = (uint16_t)rnd();
        }
        t.tx.sring->req_prod = rnd() % 8 ? rnd() % 300 : rnd();
        t.rx.sring->req_prod = rnd() % 8 ? rnd() % 300 : rnd();
        for (k = 0; k < 8; k++) {
            nb_vif_tx_poll(t.vif, 64);
            nb_vif_rx_burst(t.vif, &p, 1);
            CHECK(nbt_balanced(&t));
        }
        CHECK((unsigned)nb_vif_disabled(t.vif) < NB_FATAL__MAX);
        CHECK(nbt_tx_rsp_prod(&t) <= NBT_RING);
        CHECK(nbt_rx_rsp_prod(&t) <= NBT_RING);
        for (k = 0; k < t.own.nrec; k++)
            CHECK(t.own.rec[k].len >= 14 && t.own.rec[k].len <= 65535);
        dead += nb_vif_disabled(t.vif) != NB_FATAL_NONE;
        nbt_teardown(&t);
    }
    CHECK(dead > 0); /* garbage does get caught */
}

static void test_fatal_names(void)
{
    unsigned r, s;

    for (r = 0; r < NB_FATAL__MAX; r++) {
        CHECK(strcmp(nb_fatal_str((enum nb_fatal)r), "unknown") != 0);
        for (s = 0; s < r; s++)
            CHECK(strcmp(nb_fatal_str((enum nb_fatal)r),
                         nb_fatal_str((enum nb_fatal)s)) != 0);
    }
    CHECK(strcmp(nb_fatal_str(NB_FATAL__MAX), "unknown") == 0);
    CHECK(strcmp(nb_fatal_str((enum nb_fatal) - 1), "unknown") == 0);
}

int main(void)
{
    nbt_log_capture();
    RUN(test_fatal_tx_prod_overflow);
    RUN(test_fatal_tx_prod_backwards);
    RUN(test_fatal_tx_chain_overrun);
    RUN(test_fatal_tx_too_many_slots);
    RUN(test_fatal_tx_slot_crosses_page);
    RUN(test_fatal_tx_bad_grant);
    RUN(test_fatal_tx_bad_len);
    RUN(test_fatal_tx_frag_overrun);
    RUN(test_fatal_tx_bad_extra);
    RUN(test_fatal_tx_bad_gso);
    RUN(test_fatal_rx_prod_overflow);
    RUN(test_fatal_rx_prod_backwards);
    RUN(test_fatal_rx_bad_grant);
    RUN(test_fatal_other_vif_unaffected);
    RUN(test_fatal_garbage_ring);
    RUN(test_fatal_names);
    return check_summary();
}
