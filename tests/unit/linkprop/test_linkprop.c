/* SPDX-License-Identifier: MIT */
/* liblinkprop: every parser refuses bad text, and format/parse agree. */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>

#include "check.h"
#include "linkprop/linkprop.h"

static void test_name(void)
{
    CHECK_EQ(lp_name_check("vnic0"), 0);
    CHECK_EQ(lp_name_check("xvm3_1"), 0);
    /* The guests' names: xvm<digits>_<digits>, nothing else. */
    CHECK(lp_name_guest("xvm3_1"));
    CHECK(lp_name_guest("xvm12_10"));
    CHECK(!lp_name_guest("xvm3"));
    CHECK(!lp_name_guest("xvm_1"));
    CHECK(!lp_name_guest("xvm3_"));
    CHECK(!lp_name_guest("xvm3_1_2"));
    CHECK(!lp_name_guest("xvma_1"));
    CHECK(!lp_name_guest("vnic0"));
    CHECK(!lp_name_guest("xvm3_01"));
    CHECK_EQ(lp_name_check("e1000g0"), 0);
    CHECK_EQ(lp_name_check("stub.10"), 0);
    CHECK_EQ(lp_name_check(""), -EINVAL);
    CHECK_EQ(lp_name_check("0vnic"), -EINVAL);
    CHECK_EQ(lp_name_check("vnic"), -EINVAL);
    CHECK_EQ(lp_name_check("vnic01"), -EINVAL);
    CHECK_EQ(lp_name_check("vn-ic1"), -EINVAL);
    CHECK_EQ(lp_name_check(" vnic1"), -EINVAL);
    CHECK_EQ(lp_name_check("a23456789012345678901234567890"), 0);
    CHECK_EQ(lp_name_check("a2345678901234567890123456789012"), -ENAMETOOLONG);
}

static void test_ifname(void)
{
    CHECK_EQ(lp_ifname_check("eth0"), 0);
    CHECK_EQ(lp_ifname_check("vw12345s"), 0);
    CHECK_EQ(lp_ifname_check("br-3f2a.10"), 0);
    CHECK_EQ(lp_ifname_check("enp0s31f6"), 0);
    CHECK_EQ(lp_ifname_check("a23456789012345"), 0);
    CHECK_EQ(lp_ifname_check("a234567890123456"), -ENAMETOOLONG);
    CHECK_EQ(lp_ifname_check(""), -EINVAL);
    CHECK_EQ(lp_ifname_check("."), -EINVAL);
    CHECK_EQ(lp_ifname_check(".."), -EINVAL);
    CHECK_EQ(lp_ifname_check("a b"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a,iface=b"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a/b"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a:1"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a#1"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a\"1"), -EINVAL);
    CHECK_EQ(lp_ifname_check("a\\1"), -EINVAL);
}

static void test_mac_bad(void)
{
    static const char *const bad[] = {
        "",
        "1:2:3",
        "g:0:0:0:0:0",
        "1:2:3:4:5:6:7",
        "01:02:03:04:05:0600",
        " 1:2:3:4:5:6",
        "1:2:3:4:5:6 ",
        "1:2:3:4:5:6x",
        "x1:2:3:4:5:6",
        "1::3:4:5:6",
        "1:2:3:4:5:",
        ":1:2:3:4:5",
        "001:2:3:4:5:6",
        "0x1:2:3:4:5:6",
        "+1:2:3:4:5:6",
        "1-2-3-4-5-6",
        "1:2:3:4:5:6:",
        "2:8:200:0:0:1",
        "2:8::0:0:1",
    };
    uint8_t mac[6] = {9, 9, 9, 9, 9, 9}, prefix[6];
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (lp_mac_parse(bad[i], mac) != -EINVAL)
            fprintf(stderr, "accepted MAC \"%s\"\n", bad[i]);
        CHECK_EQ(lp_mac_parse(bad[i], mac), -EINVAL);
    }
    CHECK_EQ(mac[0], 9); /* untouched on failure */
    CHECK_EQ(lp_mac_prefix_parse("2:8:20", prefix, 5), 3);
    CHECK_EQ(lp_mac_prefix_parse("2:8:20:1:2:3", prefix, 5), -EINVAL);
    CHECK_EQ(lp_mac_prefix_parse("", prefix, 5), -EINVAL);
}

static void test_mac_roundtrip(void)
{
    static const uint8_t m[6] = {0x02, 0x08, 0x20, 0x0a, 0xbb, 0x00};
    uint8_t got[6];
    char buf[LP_MACSTRLEN];

    lp_mac_format(m, buf);
    CHECK(strcmp(buf, "2:8:20:a:bb:0") == 0);
    CHECK_EQ(lp_mac_parse(buf, got), 0);
    CHECK(memcmp(got, m, 6) == 0);
    lp_mac_format_xs(m, buf);
    CHECK(strcmp(buf, "02:08:20:0a:bb:00") == 0);
    CHECK_EQ(lp_mac_parse(buf, got), 0);
    CHECK(memcmp(got, m, 6) == 0);
    CHECK_EQ(lp_mac_parse("2:8:20:A:BB:0", got), 0);
    CHECK(memcmp(got, m, 6) == 0);
    CHECK(lp_mac_valid(m));
    CHECK(!lp_mac_valid((const uint8_t[6]){0}));
    CHECK(!lp_mac_valid((const uint8_t[6]){1, 0, 0, 0, 0, 1}));
    lp_mac_random(got, NULL, 0);
    CHECK(memcmp(got, lp_mac_prefix, LP_MAC_PREFIX_LEN) == 0);
    CHECK(lp_mac_valid(got));
    lp_mac_random(got, (const uint8_t[]){0x00, 0x16, 0x3e}, 3);
    CHECK(got[0] == 0 && got[1] == 0x16 && got[2] == 0x3e);
}

static void test_vid(void)
{
    uint16_t vid = 7;

    CHECK_EQ(lp_vid_parse("0", &vid), 0);
    CHECK_EQ(vid, LP_VID_NONE);
    CHECK_EQ(lp_vid_parse("1", &vid), 0);
    CHECK_EQ(vid, 1);
    CHECK_EQ(lp_vid_parse("4094", &vid), 0);
    CHECK_EQ(vid, 4094);
    CHECK_EQ(lp_vid_parse("4095", &vid), -ERANGE);
    CHECK_EQ(lp_vid_parse("99999999999999999999999", &vid), -ERANGE);
    CHECK_EQ(lp_vid_parse("10a", &vid), -EINVAL);
    CHECK_EQ(lp_vid_parse("", &vid), -EINVAL);
    CHECK_EQ(lp_vid_parse("-1", &vid), -EINVAL);
    CHECK_EQ(lp_vid_parse(" 10", &vid), -EINVAL);
    CHECK_EQ(lp_vid_parse("+10", &vid), -EINVAL);
    CHECK_EQ(vid, 4094);
}

static void test_maxbw(void)
{
    static const struct {
        const char *s;
        uint64_t bps;
    } good[] = {
        {"100", 100000000},          {"100M", 100000000},  {"1.2M", 1200000},
        {"1200K", 1200000},          {"1.5m", 1500000},    {"2G", 2000000000},
        {"1000G", 1000000000000ull}, {"1200.5K", 1200500},
    };
    static const struct {
        const char *s;
        int rc;
    } bad[] = {
        {"0", -ERANGE},          {"-1", -EINVAL},
        {"1.1M", -ERANGE},       {"1199K", -ERANGE},
        {"10X", -EINVAL},        {"", -EINVAL},
        {"M", -EINVAL},          {"1.M", -EINVAL},
        {".5M", -EINVAL},        {"10MB", -EINVAL},
        {" 10M", -EINVAL},       {"10M ", -EINVAL},
        {"1001G", -EOVERFLOW},   {"99999999999999999999999", -EOVERFLOW},
        {"1200.0005K", -EDOM},   {"1.0000001M", -EDOM},
        {"1.0000000001K", -EDOM},
    };
    char buf[LP_MAXBW_STRLEN];
    uint64_t bps = 42;
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK_EQ(lp_maxbw_parse(good[i].s, &bps), 0);
        CHECK_EQ(bps, good[i].bps);
        lp_maxbw_format(bps, buf, sizeof(buf));
        bps = 0;
        CHECK_EQ(lp_maxbw_parse(buf, &bps), 0);
        CHECK_EQ(bps, good[i].bps);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bps = 42;
        if (lp_maxbw_parse(bad[i].s, &bps) != bad[i].rc)
            fprintf(stderr, "maxbw \"%s\"\n", bad[i].s);
        CHECK_EQ(lp_maxbw_parse(bad[i].s, &bps), bad[i].rc);
        CHECK_EQ(bps, 42);
    }
    lp_maxbw_format(1500000, buf, sizeof(buf));
    CHECK(strcmp(buf, "1500K") == 0);
    /* each refusal has its own reason */
    CHECK(strncmp(lp_maxbw_why(-EINVAL), "not a rate", 10) == 0);
    CHECK(strncmp(lp_maxbw_why(-EDOM), "finer than one bit/s", 20) == 0);
    CHECK(strstr(lp_maxbw_why(-ERANGE), "1200K") != NULL);
    CHECK(strstr(lp_maxbw_why(-EOVERFLOW), "1000G") != NULL);
}

static void test_rate(void)
{
    static const uint64_t rates[] = {LP_MAXBW_MIN, 1500000, 100000000,
                                     LP_MAXBW_MAX};
    uint64_t bytes, usecs;
    char buf[48];
    unsigned i;

    for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        lp_rate_format(rates[i], buf, sizeof(buf));
        CHECK_EQ(lp_rate_parse(buf, &bytes, &usecs), 0);
        CHECK_EQ(usecs, LP_RATE_USECS);
        CHECK_EQ(lp_rate_to_maxbw(bytes, usecs), rates[i]);
    }
    lp_rate_format(LP_MAXBW_NONE, buf, sizeof(buf));
    CHECK(strcmp(buf, "") == 0);
    CHECK_EQ(lp_rate_to_maxbw(0, 0), LP_MAXBW_NONE);
    CHECK_EQ(lp_rate_to_maxbw(1, 1000000), LP_MAXBW_MIN);
    CHECK_EQ(lp_rate_parse("0,0", &bytes, &usecs), 0);
    CHECK_EQ(lp_rate_parse("10,0", &bytes, &usecs), -EINVAL);
    CHECK_EQ(lp_rate_parse("10", &bytes, &usecs), -EINVAL);
    CHECK_EQ(lp_rate_parse("10,", &bytes, &usecs), -EINVAL);
    CHECK_EQ(lp_rate_parse(",10", &bytes, &usecs), -EINVAL);
    CHECK_EQ(lp_rate_parse("1099511627777,1", &bytes, &usecs), -EINVAL);
    CHECK_EQ(lp_rate_parse("1,2,3", &bytes, &usecs), -EINVAL);
}

static void test_priority(void)
{
    enum lp_priority p = LP_PRIO_LOW;

    CHECK_EQ(LP_PRIO_DEFAULT, LP_PRIO_HIGH);
    for (int i = LP_PRIO_LOW; i <= LP_PRIO_HIGH; i++) {
        CHECK_EQ(lp_priority_parse(lp_priority_str((enum lp_priority)i), &p),
                 0);
        CHECK_EQ(p, i);
    }
    CHECK_EQ(lp_priority_parse("", &p), -EINVAL);
    CHECK_EQ(lp_priority_parse("HIGH", &p), -EINVAL);
    CHECK_EQ(lp_priority_parse("high ", &p), -EINVAL);
    CHECK_EQ(lp_priority_parse("med", &p), -EINVAL);
    CHECK(strcmp(lp_priority_str((enum lp_priority)7), "?") == 0);
}

static void test_protection(void)
{
    uint32_t bits = 99;
    char buf[LP_PROT_STRLEN];

    CHECK_EQ(lp_protection_parse("none", &bits), 0);
    CHECK_EQ(bits, 0);
    CHECK_EQ(lp_protection_parse("ip-nospoof,mac-nospoof", &bits), 0);
    CHECK_EQ(bits, LP_PROT_IP_NOSPOOF | LP_PROT_MAC_NOSPOOF);
    lp_protection_format(bits, buf, sizeof(buf));
    CHECK(strcmp(buf, "mac-nospoof,ip-nospoof") == 0);
    lp_protection_format(LP_PROT__ALL, buf, sizeof(buf));
    CHECK_EQ(lp_protection_parse(buf, &bits), 0);
    CHECK_EQ(bits, LP_PROT__ALL);
    lp_protection_format(0, buf, sizeof(buf));
    CHECK(strcmp(buf, "none") == 0);
    bits = 99;
    CHECK_EQ(lp_protection_parse("mac-nospoof,", &bits), -EINVAL);
    CHECK_EQ(lp_protection_parse(",mac-nospoof", &bits), -EINVAL);
    CHECK_EQ(lp_protection_parse("mac-nospoof,,restricted", &bits), -EINVAL);
    CHECK_EQ(lp_protection_parse("nospoof", &bits), -EINVAL);
    CHECK_EQ(lp_protection_parse("mac-nospoofx", &bits), -EINVAL);
    CHECK_EQ(bits, 99);
}

static void test_ips(void)
{
    struct lp_ipnet ips[LP_IPS_MAX + 1], back[LP_IPS_MAX];
    char buf[LP_IPS_STRLEN], many[LP_IPS_STRLEN] = "";
    uint8_t n = 0, nb = 0;

    CHECK_EQ(lp_ips_parse("10.0.0.1,10.1.0.0/16,fe80::1", ips, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(ips[1].family, AF_INET);
    CHECK_EQ(ips[1].plen, 16);
    lp_ips_format(ips, n, buf, sizeof(buf));
    CHECK(strcmp(buf, "10.0.0.1,10.1.0.0/16,fe80::1") == 0);
    CHECK_EQ(lp_ips_parse(buf, back, &nb), 0);
    CHECK(lp_ips_equal(ips, n, back, nb));
    CHECK_EQ(lp_ips_parse("10.0.0.1/16", ips, &n), -EDOM); /* host bits */
    CHECK_EQ(lp_ips_parse("0.0.0.0", ips, &n), -EADDRNOTAVAIL);
    CHECK_EQ(lp_ips_parse("::", ips, &n), -EADDRNOTAVAIL);
    CHECK_EQ(lp_ips_parse("fe80::/64", ips, &n), -EPROTONOSUPPORT);
    CHECK_EQ(lp_ips_parse("10.0.0.1,10.0.0.1", ips, &n), -EEXIST);
    CHECK_EQ(lp_ips_parse("10.0.0.1,", ips, &n), -EINVAL);
    CHECK_EQ(lp_ips_parse("10.0.0.0/33", ips, &n), -ERANGE);
    CHECK_EQ(lp_ips_parse("10.0.0.0/-8", ips, &n), -EINVAL);
    CHECK_EQ(lp_ips_parse("10.0.0", ips, &n), -EINVAL);
    /* Why, naming the entry. */
    {
        static const struct {
            const char *s, *why;
        } w[] = {
            {"10.0.0.5,10.77.0.1/24", "'10.77.0.1/24' has host bits set"},
            {"10.0.0.0/33", "'10.0.0.0/33' has an IPv4 prefix length"},
            {"fe80::/64", "'fe80::/64' is an IPv6 address with a prefix"},
            {"10.0.0.1,10.0.0.1", "'10.0.0.1' is given twice"},
            {"web", "'web' is not an IPv4 address"},
            {"0.0.0.0", "'0.0.0.0' is the unspecified address"},
            {"10.0.0.1,", "an entry is empty"},
        };
        char why[256];

        for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
            lp_ips_why(w[i].s, lp_ips_parse(w[i].s, ips, &n), why,
                       sizeof(why));
            CHECK(strncmp(why, w[i].why, strlen(w[i].why)) == 0);
        }
    }
    for (int i = 1; i <= LP_IPS_MAX + 1; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many),
                 "%s10.0.0.%d", i > 1 ? "," : "", i);
    CHECK_EQ(lp_ips_parse(many, ips, &n), -E2BIG);
    CHECK_EQ(lp_ips_parse("none", ips, &n), 0);
    CHECK_EQ(n, 0);
}

static void test_mtu(void)
{
    uint16_t mtu = 1;

    CHECK_EQ(lp_mtu_parse("68", &mtu), 0);
    CHECK_EQ(mtu, LP_MTU_MIN);
    CHECK_EQ(lp_mtu_parse("9000", &mtu), 0);
    CHECK_EQ(mtu, LP_MTU_MAX);
    CHECK_EQ(lp_mtu_parse("67", &mtu), -ERANGE);
    CHECK_EQ(lp_mtu_parse("9001", &mtu), -ERANGE);
    CHECK_EQ(lp_mtu_parse("0", &mtu), -ERANGE);
    CHECK_EQ(lp_mtu_parse("1500x", &mtu), -EINVAL);
    /* A VNIC's: its own when set, else its link's, within 68..9000. */
    CHECK_EQ(lp_vnic_mtu(1400, 9000), 1400);
    CHECK_EQ(lp_vnic_mtu(0, 1000), 1000);
    CHECK_EQ(lp_vnic_mtu(0, 9000), 9000);
    CHECK_EQ(lp_vnic_mtu(0, 65535), LP_MTU_MAX);
    CHECK_EQ(lp_vnic_mtu(0, 0), LP_MTU_DEFAULT);
    CHECK_EQ(lp_mtu_parse("-1500", &mtu), -EINVAL);
    CHECK_EQ(lp_mtu_parse("", &mtu), -EINVAL);
    CHECK_EQ(mtu, LP_MTU_MAX);
}

static void test_cpus_format(void)
{
    static const uint16_t a[] = {0, 1, 2, 4, 6, 7, 4095};
    char buf[64];

    lp_cpus_format(a, 7, buf, sizeof(buf));
    CHECK(strcmp(buf, "0-2,4,6-7,4095") == 0);
    lp_cpus_format(a, 0, buf, sizeof(buf));
    CHECK(strcmp(buf, "") == 0);
    lp_cpus_format(a + 3, 1, buf, sizeof(buf));
    CHECK(strcmp(buf, "4") == 0);
    /* too small: whole items only, then "..." */
    lp_cpus_format(a, 7, buf, 12);
    CHECK(strcmp(buf, "0-2,4,...") == 0);
    lp_cpus_format(a, 7, buf, 4);
    CHECK(strcmp(buf, "...") == 0);
    lp_cpus_format(a, 7, buf, 1);
    CHECK(strcmp(buf, "") == 0);
}

static void test_kv(void)
{
    char text[] = "  link=phys0,,vlan=10 mac= ,x";
    char *s = text, *k, *v;

    CHECK_EQ(lp_kv_next(&s, ", ", &k, &v), 1);
    CHECK(strcmp(k, "link") == 0 && strcmp(v, "phys0") == 0);
    CHECK_EQ(lp_kv_next(&s, ", ", &k, &v), 1);
    CHECK(strcmp(k, "vlan") == 0 && strcmp(v, "10") == 0);
    CHECK_EQ(lp_kv_next(&s, ", ", &k, &v), 1);
    CHECK(strcmp(k, "mac") == 0 && strcmp(v, "") == 0);
    CHECK_EQ(lp_kv_next(&s, ", ", &k, &v), -EINVAL);
    CHECK(strcmp(k, "x") == 0);
    CHECK_EQ(lp_kv_next(&s, ", ", &k, &v), 0);
    char eq[] = "=v";
    s = eq;
    CHECK_EQ(lp_kv_next(&s, ",", &k, &v), -EINVAL);
}

int main(void)
{
    RUN(test_name);
    RUN(test_ifname);
    RUN(test_mac_bad);
    RUN(test_mac_roundtrip);
    RUN(test_vid);
    RUN(test_maxbw);
    RUN(test_rate);
    RUN(test_priority);
    RUN(test_protection);
    RUN(test_ips);
    RUN(test_mtu);
    RUN(test_cpus_format);
    RUN(test_kv);
    return check_summary();
}
