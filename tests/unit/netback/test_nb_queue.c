/* SPDX-License-Identifier: MIT */
/*
 * The queue a frame for the guest takes (nb_queue_select, nb_flow_hash):
 * always in range, one flow on one queue whichever way it goes, flows
 * spread over every queue, and no read past a short frame.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netback/netback.h"

/* An Ethernet/IPv4 (or IPv6)/TCP or UDP frame; @vlan adds an 802.1Q tag. */
static uint32_t frame(uint8_t *f, bool v6, bool vlan, uint8_t proto,
                      uint32_t src, uint32_t dst, uint16_t sport,
                      uint16_t dport)
{
    uint8_t *l3;
    uint32_t off = 12;

    memset(f, 0, 128);
    memcpy(f, "\x00\x16\x3e\x00\x00\x01\x00\x16\x3e\x00\x00\x02", 12);
    if (vlan) {
        f[12] = 0x81;
        f[14] = 0x00;
        f[15] = 0x05;
        off = 16;
    }
    f[off] = v6 ? 0x86 : 0x08;
    f[off + 1] = v6 ? 0xdd : 0x00;
    l3 = f + off + 2;
    if (v6) {
        l3[0] = 0x60;
        l3[6] = proto;
        memcpy(l3 + 8 + 12, &src, 4);
        memcpy(l3 + 24 + 12, &dst, 4);
        l3 += 40;
    } else {
        l3[0] = 0x45;
        l3[9] = proto;
        memcpy(l3 + 12, &src, 4);
        memcpy(l3 + 16, &dst, 4);
        l3 += 20;
    }
    l3[0] = (uint8_t)(sport >> 8);
    l3[1] = (uint8_t)sport;
    l3[2] = (uint8_t)(dport >> 8);
    l3[3] = (uint8_t)dport;
    return (uint32_t)(l3 - f) + 20;
}

static void test_select_range(void)
{
    unsigned n, i, hits[8];
    uint32_t h = 12345;

    for (i = 0; i < 1000; i++, h = h * 1103515245u + 12345u)
        CHECK_EQ(nb_queue_select(h, 1), 0);
    CHECK_EQ(nb_queue_select(0, 4), 0);
    CHECK_EQ(nb_queue_select(UINT32_MAX, 4), 3);
    CHECK_EQ(nb_queue_select(UINT32_MAX, 8), 7);
    for (n = 2; n <= 8; n++) {
        memset(hits, 0, sizeof(hits));
        for (i = 0; i < 8000; i++, h = h * 1103515245u + 12345u) {
            unsigned q = nb_queue_select(h, n);

            CHECK(q < n);
            if (q < n)
                hits[q]++;
        }
        for (i = 0; i < n; i++) /* each about 8000/n */
            CHECK(hits[i] > 8000 / n / 2 && hits[i] < 8000 / n * 2);
    }
}

static void test_flow_hash_flows(void)
{
    uint8_t a[128], b[128];
    uint32_t la, lb;
    unsigned used2[2] = {0}, used4[4] = {0}, p;

    /* One flow: the same hash each time, both directions alike. */
    la = frame(a, false, false, 6, 0x0100000a, 0x0200000a, 40000, 5201);
    lb = frame(b, false, false, 6, 0x0200000a, 0x0100000a, 5201, 40000);
    CHECK_EQ(nb_flow_hash(a, la), nb_flow_hash(a, la));
    CHECK_EQ(nb_flow_hash(a, la), nb_flow_hash(b, lb));
    /* A VLAN tag does not move it. */
    lb = frame(b, false, true, 6, 0x0100000a, 0x0200000a, 40000, 5201);
    CHECK_EQ(nb_flow_hash(a, la), nb_flow_hash(b, lb));
    /* IPv6 likewise, and differs from IPv4 with other addresses. */
    la = frame(a, true, false, 17, 0x0100000a, 0x0200000a, 1000, 2000);
    lb = frame(b, true, false, 17, 0x0200000a, 0x0100000a, 2000, 1000);
    CHECK_EQ(nb_flow_hash(a, la), nb_flow_hash(b, lb));
    /* iperf3's parallel streams (one port apart) spread over the queues. */
    for (p = 0; p < 64; p++) {
        la = frame(a, false, false, 6, 0x0100000a, 0x0200000a,
                   (uint16_t)(40000 + p), 5201);
        used2[nb_queue_select(nb_flow_hash(a, la), 2)]++;
        used4[nb_queue_select(nb_flow_hash(a, la), 4)]++;
    }
    CHECK(used2[0] > 8 && used2[1] > 8);
    CHECK(used4[0] && used4[1] && used4[2] && used4[3]);
    /* A fragment's "ports" are data: not hashed. */
    la = frame(a, false, false, 17, 0x0100000a, 0x0200000a, 1, 2);
    lb = frame(b, false, false, 17, 0x0100000a, 0x0200000a, 3, 4);
    a[14 + 6] = b[14 + 6] = 0x20; /* more fragments */
    CHECK_EQ(nb_flow_hash(a, la), nb_flow_hash(b, lb));
}

/* Short frames: each length read from a buffer of exactly that size, so
 * a read past it is caught under ASan. */
static void test_flow_hash_short(void)
{
    uint8_t full[128];
    uint32_t len = frame(full, false, true, 6, 1, 2, 3, 4), l;

    for (l = 0; l <= len; l++) {
        uint8_t *f = malloc(l ? l : 1);

        CHECK(f != NULL);
        if (!f)
            return;
        memcpy(f, full, l);
        (void)nb_flow_hash(f, l);
        free(f);
    }
    full[18] = 0x4f; /* IHL 60 bytes, past the frame */
    (void)nb_flow_hash(full, len);
    CHECK_EQ(nb_flow_hash(full, 0), 0);
}

int main(void)
{
    RUN(test_select_range);
    RUN(test_flow_hash_flows);
    RUN(test_flow_hash_short);
    return check_summary();
}
