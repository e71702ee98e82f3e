/* SPDX-License-Identifier: MIT */
/*
 * The netif vocabulary (netif/netif.h): the feature table is complete and
 * unambiguous, and a key maps back to the feature it was written for;
 * the mac key's parser.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "netif/netif.h"

static const struct netif_feature_key *tab(void)
{
    return netif_feature_table();
}

/* Every feature has a short name and at least one key; bits in order. */
static void test_every_feature_named(void)
{
    uint32_t all = 0;
    unsigned i;

    for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
        const struct netif_feature_key *e = &tab()[i];

        CHECK_EQ(e->bit, 1u << i);
        CHECK(e->name && e->name[0]);
        CHECK(e->be_key || e->fe_key);
        CHECK(!e->be_key || strncmp(e->be_key, "feature-", 8) == 0);
        CHECK(!e->fe_key || strncmp(e->fe_key, "feature-", 8) == 0 ||
              strncmp(e->fe_key, "request-", 8) == 0);
        all |= e->bit;
    }
    CHECK_EQ(all, (1u << NETIF_FEATURE_COUNT) - 1);
}

/* No two features share a name, or a key written by the same end. */
static void test_names_unique(void)
{
    unsigned i, j;

    for (i = 0; i < NETIF_FEATURE_COUNT; i++)
        for (j = i + 1; j < NETIF_FEATURE_COUNT; j++) {
            const struct netif_feature_key *a = &tab()[i], *b = &tab()[j];

            CHECK(strcmp(a->name, b->name) != 0);
            CHECK(!a->be_key || !b->be_key ||
                  strcmp(a->be_key, b->be_key) != 0);
            CHECK(!a->fe_key || !b->fe_key ||
                  strcmp(a->fe_key, b->fe_key) != 0);
        }
}

/* key -> bit -> key gives the key back, for both ends. */
static void test_key_round_trip(void)
{
    static const enum netif_end ends[] = {NETIF_BACKEND, NETIF_FRONTEND};
    unsigned i, e;

    for (e = 0; e < 2; e++)
        for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
            const char *k = netif_feature_key_of(&tab()[i], ends[e]);
            uint32_t bit;

            if (!k)
                continue;
            bit = netif_feature_by_key(ends[e], k);
            CHECK_EQ(bit, tab()[i].bit);
            CHECK(bit && strcmp(netif_feature_key_of(
                                    &tab()[__builtin_ctz(bit)], ends[e]),
                                k) == 0);
        }
}

/* The keys as both ends use them on the wire. */
static void test_known_keys(void)
{
    CHECK_EQ(netif_feature_by_key(NETIF_BACKEND, "feature-rx-copy"),
             NETIF_F_RX_COPY);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, "request-rx-copy"),
             NETIF_F_RX_COPY);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, "feature-sg"), NETIF_F_SG);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, "feature-rx-notify"),
             NETIF_F_RX_NOTIFY);
    CHECK_EQ(netif_feature_by_key(NETIF_BACKEND, "feature-multicast-control"),
             NETIF_F_MCAST_CTRL);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND,
                                  "request-multicast-control"),
             NETIF_F_MCAST_CTRL);
    /* A key of the other end, a prefix, an extension, nothing. */
    CHECK_EQ(netif_feature_by_key(NETIF_BACKEND, "request-rx-copy"), 0);
    CHECK_EQ(netif_feature_by_key(NETIF_BACKEND, "feature-rx-notify"), 0);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, "feature-s"), 0);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, "feature-sgx"), 0);
    CHECK_EQ(netif_feature_by_key(NETIF_FRONTEND, ""), 0);
}

/* The limits both ends enforce. */
static void test_limits(void)
{
    CHECK_EQ(NETIF_RING_SIZE, 256);
    CHECK_EQ(NETIF_MAX_SLOTS_PER_PKT, XEN_NETIF_NR_SLOTS_MIN);
    CHECK_EQ(NETIF_MAX_FRAME, 0xffff);
    CHECK_EQ(NETIF_GSO_TCPV4, XEN_NETIF_GSO_TYPE_TCPV4);
    CHECK_EQ(NETIF_GSO_TCPV6, XEN_NETIF_GSO_TYPE_TCPV6);
}

/* The mac key: six pairs of hex digits of either case, colons between. */
static void test_mac_parse(void)
{
    static const char *const bad[] = {
        "00:16:3e:00:00:0",   "00:16:3e:00:00:001", "00-16-3e-00-00-01",
        "0g:16:3e:00:00:01",  "00:16:3e:00:00:0 ",  "",
    };
    uint8_t mac[6] = {0};
    unsigned i;

    CHECK(netif_mac_parse("00:16:3E:0a:Ff:01", mac));
    CHECK(memcmp(mac, "\x00\x16\x3e\x0a\xff\x01", 6) == 0);
    CHECK_EQ(strlen("00:16:3E:0a:Ff:01"), NETIF_MAC_LEN);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!netif_mac_parse(bad[i], mac));
    CHECK(memcmp(mac, "\x00\x16\x3e\x0a\xff\x01", 6) == 0);
}

int main(void)
{
    RUN(test_every_feature_named);
    RUN(test_names_unique);
    RUN(test_key_round_trip);
    RUN(test_known_keys);
    RUN(test_limits);
    RUN(test_mac_parse);
    return check_summary();
}
