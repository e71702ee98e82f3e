/* SPDX-License-Identifier: MIT */
/*
 * libnetback guest transmit: what a frontend may legally send must come
 * through intact (multi-slot, 18 slots, offloads, multicast, the shapes of
 * XSA-423/432/448), stalls must leave the ring alone, events must follow
 * the frontend's event index, and requests are read exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "nbt.h"

#define FEAT_ALL (NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY)

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};

    nanosleep(&ts, NULL);
}

static struct nb_vif_stats stats(struct nbt *t)
{
    struct nb_vif_stats st;

    nb_vif_stats_get(t->vif, &st);
    return st;
}

/* Responses [first, first + n) echo their ids and carry @status, except
 * the slots in [ex_from, ex_to) which are extras (NULL). */
static bool rsps_are(struct nbt *t, uint32_t first, unsigned n, int16_t status,
                     uint32_t ex_from, uint32_t ex_to)
{
    unsigned k;

    for (k = 0; k < n; k++) {
        netif_tx_response_t r = nbt_tx_rsp(t, first + k);
        int16_t want = (first + k >= ex_from && first + k < ex_to)
                           ? NETIF_RSP_NULL
                           : status;

        if (r.id != nbt_id(first + k) || r.status != want)
            return false;
    }
    return true;
}

static void test_tx_one_slot(void)
{
    struct nbt t;
    uint16_t len = 60;
    uint32_t i;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    i = nbt_tx_pkt(&t, &len, 1, 100, NETTXF_data_validated, NULL, 0, 1);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 60, 1));
    CHECK_EQ(t.own.rec[0].off.flags, NETIF_OFF_DATA_VALIDATED);
    CHECK_EQ(nbt_tx_rsp_prod(&t), 1);
    CHECK(rsps_are(&t, i, 1, NETIF_RSP_OKAY, 0, 0));
    CHECK_EQ(t.own.deliver_calls, 1);
    CHECK(nbt_balanced(&t));
    CHECK_EQ(stats(&t).tx_packets, 1);
    CHECK_EQ(stats(&t).tx_bytes, 60);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0); /* idle */
    CHECK_EQ(t.own.deliver_calls, 1);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_tx_multi_slot(void)
{
    static const uint16_t frag[] = {1000, 1500, 500};
    uint16_t big[16];
    struct nbt t;
    uint32_t seg, i;
    unsigned k;

    /* Owner buffers in one piece, then cut at awkward places so slots
     * straddle segments. */
    for (seg = 0; seg <= 700; seg += 700) {
        CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
        t.own.seg_size = seg;
        i = nbt_tx_pkt(&t, frag, 3, 96, 0, NULL, 0, 7);
        nbt_tx_push(&t);
        CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
        CHECK(nbt_rec_is(&t, 0, 3000, 7));
        CHECK(rsps_are(&t, i, 3, NETIF_RSP_OKAY, 0, 0));
        CHECK_EQ(nbt_tx_rsp_prod(&t), 3);
        nbt_teardown(&t);
    }
    /* The largest frame: 65535 bytes in 16 slots. */
    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    for (k = 0; k < 16; k++)
        big[k] = k < 15 ? 4096 : 4095;
    t.own.seg_size = 2048;
    nbt_tx_pkt(&t, big, 16, 0, 0, NULL, 0, 9);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 65535, 9));
    CHECK(nbt_balanced(&t));
    nbt_teardown(&t);
}

static void test_tx_exactly_18_slots(void)
{
    uint16_t frag[NETIF_MAX_SLOTS_PER_PKT];
    struct nbt t;
    unsigned k;
    uint32_t i;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    for (k = 0; k < NETIF_MAX_SLOTS_PER_PKT; k++)
        frag[k] = (uint16_t)(100 + k);
    i = nbt_tx_pkt(&t, frag, NETIF_MAX_SLOTS_PER_PKT, 4, 0, NULL, 0, 3);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 18 * 100 + 153, 3));
    CHECK(rsps_are(&t, i, 18, NETIF_RSP_OKAY, 0, 0));
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_tx_gso_extra(void)
{
    static const uint8_t grp[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x07};
    static const uint16_t frag[] = {2000, 3000};
    netif_extra_info_t ex[3];
    uint8_t macs[4][6];
    struct nbt t;
    uint32_t i;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    ex[0] = nbt_gso(1448, XEN_NETIF_GSO_TYPE_TCPV4, 0);
    i = nbt_tx_pkt(&t, frag, 2, 0, NETTXF_csum_blank, ex, 1, 11);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 5000, 11));
    CHECK_EQ(t.own.rec[0].off.flags, NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO);
    CHECK_EQ(t.own.rec[0].off.gso_size, 1448);
    CHECK_EQ(t.own.rec[0].off.gso_type, NETIF_GSO_TCPV4);
    CHECK(rsps_are(&t, i, 3, NETIF_RSP_OKAY, i + 1, i + 2));

    /* A chain: GSO (TCPv6), a hash record, a multicast add, on a real
     * packet.  The hash is accepted and ignored. */
    ex[0] = nbt_gso(9000, XEN_NETIF_GSO_TYPE_TCPV6, 1);
    memset(&ex[1], 0, sizeof(ex[1]));
    ex[1].type = XEN_NETIF_EXTRA_TYPE_HASH;
    ex[1].flags = XEN_NETIF_EXTRA_FLAG_MORE;
    ex[2] = nbt_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, grp, 0);
    i = nbt_tx_pkt(&t, frag, 2, 0, 0, ex, 3, 12);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 1, 5000, 12));
    /* GSO without csum_blank (xnf's LSO) is checksum-partial all the
     * same, as Linux netback takes it. */
    CHECK_EQ(t.own.rec[1].off.flags, NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK);
    CHECK_EQ(t.own.rec[1].off.gso_type, NETIF_GSO_TCPV6);
    CHECK_EQ(t.own.rec[1].off.gso_size, 9000);
    CHECK(rsps_are(&t, i, 5, NETIF_RSP_OKAY, i + 1, i + 4));
    CHECK_EQ(nb_vif_mcast_list(t.vif, macs, 4), 1);
    CHECK(memcmp(macs[0], grp, 6) == 0);
    CHECK_EQ(stats(&t).mcast_ops, 1);
    nbt_teardown(&t);
}

/* xnf's multicast dummy: size 0, gref 0, one extra; answered, no packet. */
static uint32_t mcast_dummy(struct nbt *t, uint8_t type, const uint8_t *a)
{
    netif_extra_info_t ex = nbt_mcast(type, a, 0);
    uint32_t i = nbt_tx_raw(t, 0, 0, NETTXF_extra_info, 0);

    nbt_tx_extra(t, &ex);
    return i;
}

static void test_tx_mcast(void)
{
    uint8_t a[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
    static const uint8_t uni[6] = {0x02, 0x16, 0x3e, 0x00, 0x00, 0x01};
    uint8_t macs[NB_MCAST_MAX + 1][6];
    struct nbt t;
    uint32_t i, first;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL | NETIF_F_MCAST_CTRL), 0);
    i = mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0); /* answered, nothing delivered */
    CHECK_EQ(nbt_tx_rsp_prod(&t), 2);
    CHECK(rsps_are(&t, i, 2, NETIF_RSP_OKAY, i + 1, i + 2));
    CHECK_EQ(t.own.gets, 0);
    CHECK_EQ(nb_vif_mcast_list(t.vif, macs, NB_MCAST_MAX), 1);
    CHECK(memcmp(macs[0], a, 6) == 0);

    i = mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, a);
    nbt_tx_push(&t);
    nb_vif_tx_poll(t.vif, 64);
    CHECK(rsps_are(&t, i, 2, NETIF_RSP_OKAY, i + 1, i + 2));
    CHECK_EQ(nb_vif_mcast_list(t.vif, macs, NB_MCAST_MAX), 0);

    /* A unicast address is not a group: refused. */
    i = mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, uni);
    nbt_tx_push(&t);
    nb_vif_tx_poll(t.vif, 64);
    CHECK(rsps_are(&t, i, 2, NETIF_RSP_ERROR, i + 1, i + 2));
    CHECK_EQ(nb_vif_mcast_list(t.vif, macs, NB_MCAST_MAX), 0);

    /* 64 addresses fit, a duplicate is fine, the 65th is refused. */
    first = t.tx.req_prod_pvt;
    for (k = 0; k < NB_MCAST_MAX; k++) {
        a[5] = (uint8_t)k;
        mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a);
    }
    a[5] = 0;
    mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a);
    a[5] = 200;
    i = mcast_dummy(&t, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    for (k = 0; k <= NB_MCAST_MAX; k++)
        CHECK(rsps_are(&t, first + 2 * k, 2, NETIF_RSP_OKAY, first + 2 * k + 1,
                       first + 2 * k + 2));
    CHECK(rsps_are(&t, i, 2, NETIF_RSP_ERROR, i + 1, i + 2));
    CHECK_EQ(nb_vif_mcast_list(t.vif, macs, NB_MCAST_MAX + 1), NB_MCAST_MAX);
    CHECK_EQ(stats(&t).mcast_ops, 3 + NB_MCAST_MAX + 2);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    CHECK_EQ(t.own.gets, 0);
    nbt_teardown(&t);
}

/* XSA-448: a zero-length non-first fragment must not be looked at, not
 * even its gref.  A zero-length first fragment is the same case. */
static void test_tx_xsa448_zero_frag(void)
{
    static const uint16_t frag[] = {100, 0, 50, 0};
    static const uint16_t first0[] = {0, 60};
    struct nbt t;
    uint32_t i;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    i = nbt_tx_pkt(&t, frag, 4, 0, 0, NULL, 0, 5);
    RING_GET_REQUEST(&t.tx, i + 1)->gref = NBT_BAD_REF;
    RING_GET_REQUEST(&t.tx, i + 3)->gref = 0xffffffffu;
    RING_GET_REQUEST(&t.tx, i + 3)->offset = 4096; /* 4096 + 0 fits */
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 150, 5));
    CHECK(rsps_are(&t, i, 4, NETIF_RSP_OKAY, 0, 0));

    i = nbt_tx_pkt(&t, first0, 2, 0, 0, NULL, 0, 6);
    RING_GET_REQUEST(&t.tx, i)->gref = NBT_BAD_REF;
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 1, 60, 6));
    CHECK(rsps_are(&t, i, 2, NETIF_RSP_OKAY, 0, 0));
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

/* XSA-432: 18 slots carrying a tiny packet; the first fragment's share
 * is what is left over, computed without underflow. */
static void test_tx_xsa432_many_slots_small_total(void)
{
    uint16_t frag[NETIF_MAX_SLOTS_PER_PKT];
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    frag[0] = 9;
    for (k = 1; k < NETIF_MAX_SLOTS_PER_PKT; k++)
        frag[k] = 3;
    nbt_tx_pkt(&t, frag, NETIF_MAX_SLOTS_PER_PKT, 0, 0, NULL, 0, 8);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 60, 8));
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

/* XSA-423: the Ethernet header spread over 14 one-byte slots. */
static void test_tx_xsa423_split_header(void)
{
    uint16_t frag[NETIF_MAX_SLOTS_PER_PKT];
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    t.own.seg_size = 200;
    for (k = 0; k < 14; k++)
        frag[k] = 1;
    for (; k < NETIF_MAX_SLOTS_PER_PKT; k++)
        frag[k] = 1000;
    nbt_tx_pkt(&t, frag, NETIF_MAX_SLOTS_PER_PKT, 4095 - 1000, 0, NULL, 0, 4);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 4014, 4));
    CHECK(nbt_balanced(&t));
    nbt_teardown(&t);
}

static void test_tx_rate_limit(void)
{
    uint16_t frag[15];
    struct nbt t;
    uint64_t wait;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    CHECK_EQ(nb_vif_set_rate(t.vif, 1, 0), -EINVAL);
    CHECK_EQ(nb_vif_set_rate(t.vif, 1000, 30000), 0); /* 1000 B / 30 ms */
    for (k = 0; k < 3; k++)
        nbt_tx_simple(&t, 600, k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK_EQ(stats(&t).tx_credit_stalls, 1);
    CHECK_EQ(nbt_tx_rsp_prod(&t), 1); /* the rest wait on the ring */
    wait = nb_vif_tx_credit_wait_ns(t.vif);
    CHECK(wait > 0 && wait <= 30000000u);
    CHECK(nb_vif_tx_final_check(t.vif)); /* work is there, credit is not */
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(stats(&t).tx_credit_stalls, 2);
    /* Credit is earned continuously: the 200 bytes the second packet
     * lacks take 6 ms of the 30, and the wait says so. */
    CHECK(wait <= 6000000u);
    sleep_ns(nb_vif_tx_credit_wait_ns(t.vif) + 1000000u);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK_EQ(stats(&t).tx_credit_stalls, 3); /* the third waits its turn */
    wait = nb_vif_tx_credit_wait_ns(t.vif);
    CHECK(wait > 0 && wait <= 18000000u); /* its own 600 bytes: 18 ms */
    sleep_ns(wait + 1000000u);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK_EQ(nb_vif_tx_credit_wait_ns(t.vif), 0);
    CHECK(nbt_rec_is(&t, 2, 600, 2));
    CHECK_EQ(stats(&t).tx_credit_stalls, 3);

    /* Credit accumulates to max(credit, 128 KiB), not just to credit. */
    CHECK_EQ(nb_vif_set_rate(t.vif, 100000, 1000), 0);
    sleep_ns(2000000u);
    for (k = 0; k < 15; k++)
        frag[k] = 4000;
    for (k = 0; k < 3; k++)
        nbt_tx_pkt(&t, frag, 15, 0, 0, NULL, 0, 20 + k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 2); /* 131072 -> 71072 -> 11072 */
    CHECK_EQ(stats(&t).tx_credit_stalls, 4);

    /* Unlimited again. */
    CHECK_EQ(nb_vif_set_rate(t.vif, 0, 0), 0);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 5, 60000, 22));
    CHECK_EQ(nb_vif_tx_credit_wait_ns(t.vif), 0);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

/* No owner buffer: stop in front of the packet, leave the ring alone. */
static void test_tx_nobuf_leaves_packet(void)
{
    uint8_t before[XVM_PAGE_SIZE];
    struct nbt t;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_tx_simple(&t, 100, 1);
    nbt_tx_simple(&t, 200, 2);
    nbt_tx_push(&t);
    memcpy(before, t.tx.sring, sizeof(before));
    t.own.allow = 0;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(stats(&t).tx_nobuf_stalls, 1);
    CHECK(memcmp(before, t.tx.sring, sizeof(before)) == 0);
    CHECK_EQ(nbt_events(&t), 0);
    t.own.allow = 1;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK_EQ(stats(&t).tx_nobuf_stalls, 2);
    CHECK_EQ(nbt_tx_rsp_prod(&t), 1);
    /* A buffer that does not cover the packet is given back. */
    t.own.allow = ~0u;
    t.own.short_segs = true;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(stats(&t).tx_nobuf_stalls, 3);
    CHECK_EQ(t.own.puts, 1);
    t.own.short_segs = false;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(nbt_rec_is(&t, 0, 100, 1));
    CHECK(nbt_rec_is(&t, 1, 200, 2));
    CHECK(nbt_balanced(&t));
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

static void test_tx_budget_and_burst(void)
{
    static const uint16_t frag[] = {1500, 1500, 100};
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    t.own.seg_size = 1000;
    for (k = 0; k < 10; k++)
        nbt_tx_simple(&t, (uint16_t)(60 + k), k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 0), 0);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 3), 3);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 1000), 7);
    CHECK_EQ(t.own.deliver_calls, 2);
    for (k = 0; k < 70; k++)
        nbt_tx_pkt(&t, frag, (k % 3) + 1, 0, 0, NULL, 0, 100 + k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 1000), NB_BURST_MAX);
    CHECK_EQ(t.own.deliver_calls, 3); /* one call for the whole burst */
    CHECK_EQ(nb_vif_tx_poll(t.vif, 1000), 70 - NB_BURST_MAX);
    for (k = 0; k < 10; k++)
        CHECK(nbt_rec_is(&t, k, 60 + k, k));
    for (k = 0; k < 70; k++) {
        static const uint32_t len[] = {1500, 3000, 3100};

        CHECK(nbt_rec_is(&t, 10 + k, len[k % 3], 100 + k));
    }
    CHECK(nbt_balanced(&t));
    nbt_teardown(&t);
}

static void test_tx_notify_suppression(void)
{
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_tx_simple(&t, 60, 0);
    nbt_tx_push(&t);
    nb_vif_tx_poll(t.vif, 64);
    CHECK_EQ(nbt_events(&t), 1);
    /* The frontend wants no event before 100 more responses. */
    t.tx.sring->rsp_event = nbt_tx_rsp_prod(&t) + 100;
    nbt_tx_simple(&t, 60, 1);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK_EQ(nbt_events(&t), 0);
    CHECK_EQ(stats(&t).notify_tx, 1);
    /* A whole burst costs at most one event. */
    t.tx.sring->rsp_event = nbt_tx_rsp_prod(&t) + 1;
    for (k = 0; k < 64; k++)
        nbt_tx_simple(&t, 60, k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 64);
    CHECK_EQ(nbt_events(&t), 1);
    CHECK_EQ(stats(&t).notify_tx, 2);
    nbt_teardown(&t);
}

static void test_tx_final_check(void)
{
    struct nbt t;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_tx_simple(&t, 60, 0);
    nbt_tx_simple(&t, 60, 1);
    nbt_tx_push(&t);
    CHECK(nb_vif_tx_final_check(t.vif)); /* work waiting: do not sleep */
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 2);
    t.tx.sring->req_event = 0;
    CHECK(!nb_vif_tx_final_check(t.vif));
    CHECK_EQ(t.tx.sring->req_event, 3); /* armed at req_cons + 1 */
    nbt_tx_simple(&t, 60, 2);
    CHECK(nbt_tx_push_notify(&t)); /* so the frontend's next post notifies */
    nbt_tx_simple(&t, 60, 3);
    CHECK(!nbt_tx_push_notify(&t)); /* until we arm again */
    CHECK(nb_vif_tx_final_check(t.vif));
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 2);
    nbt_teardown(&t);
}

static struct nbt *hook_target;

/* A guest racing with the backend: once the requests have been read,
 * rewrite every one of them, and the shared response producer, with
 * values that would be fatal or out of bounds if used. */
static void scribble_ring(struct nbt *t)
{
    unsigned k;

    for (k = 0; k < NBT_RING; k++) {
        netif_tx_request_t *r = RING_GET_REQUEST(&t->tx, k);

        r->gref = NBT_BAD_REF;
        r->offset = 4000;
        r->size = 4096;
        r->flags = NETTXF_more_data | NETTXF_extra_info;
    }
    t->tx.sring->rsp_prod = 2;
    hook_target = t;
}

/* XSA-155: every request is fetched once; later guest writes change
 * nothing.  The event decision does not trust the shared rsp_prod. */
static void test_tx_double_fetch(void)
{
    static const uint16_t frag[] = {1000, 500};
    struct nbt t;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    nbt_tx_pkt(&t, frag, 2, 10, 0, NULL, 0, 13);
    nbt_tx_push(&t);
    t.own.hook = scribble_ring;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 1);
    CHECK(hook_target == &t);
    CHECK(nbt_rec_is(&t, 0, 1500, 13));
    CHECK(rsps_are(&t, 0, 2, NETIF_RSP_OKAY, 0, 0));
    CHECK_EQ(nbt_tx_rsp_prod(&t), 2);
    CHECK_EQ(nbt_events(&t), 1);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    t.own.hook = NULL;
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 0);
    CHECK_EQ(nb_vif_disabled(t.vif), NB_FATAL_NONE);
    nbt_teardown(&t);
}

/* XSA-465-like reconnect: a new vif on the same rings carries on where
 * the responses stopped; the ring grants are held only while mapped. */
static void test_tx_reattach(void)
{
    struct nbt t;
    unsigned k;

    CHECK_EQ(nbt_setup(&t, FEAT_ALL), 0);
    CHECK(t.gt[NBT_TX_RING_REF].flags & GTF_writing);
    CHECK(t.gt[NBT_RX_RING_REF].flags & GTF_writing);
    for (k = 0; k < 5; k++)
        nbt_tx_simple(&t, 60, k);
    nbt_tx_push(&t);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 3), 3);
    nb_vif_destroy(t.vif);
    t.vif = NULL;
    CHECK_EQ(t.gt[NBT_TX_RING_REF].flags, GTF_permit_access);
    CHECK_EQ(t.gt[NBT_RX_RING_REF].flags, GTF_permit_access);
    CHECK(nbt_connect(&t, FEAT_ALL) != NULL);
    CHECK_EQ(nb_vif_tx_poll(t.vif, 64), 2);
    CHECK(rsps_are(&t, 0, 5, NETIF_RSP_OKAY, 0, 0));
    CHECK(nbt_rec_is(&t, 4, 60, 4));
    nbt_teardown(&t);
}

int main(void)
{
    nbt_log_capture();
    RUN(test_tx_one_slot);
    RUN(test_tx_multi_slot);
    RUN(test_tx_exactly_18_slots);
    RUN(test_tx_gso_extra);
    RUN(test_tx_mcast);
    RUN(test_tx_xsa448_zero_frag);
    RUN(test_tx_xsa432_many_slots_small_total);
    RUN(test_tx_xsa423_split_header);
    RUN(test_tx_rate_limit);
    RUN(test_tx_nobuf_leaves_packet);
    RUN(test_tx_budget_and_burst);
    RUN(test_tx_notify_suppression);
    RUN(test_tx_final_check);
    RUN(test_tx_double_fetch);
    RUN(test_tx_reattach);
    CHECK_EQ(nbt_log_count, 0);
    return check_summary();
}
