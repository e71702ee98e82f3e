/* SPDX-License-Identifier: MIT */
/*
 * libdladm without vswitchd: property lists, property values (parsing,
 * limits, illumos wording, printing), MAC syntax and the illumos MAC
 * form, link names, allowed-ips and protection text forms.
 */
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "dladm/dladm.h"

static void test_proplist(void)
{
    struct dl_proparg a[DL_PROPARGS_MAX];

    CHECK_EQ(dl_proplist_parse("a=1,2,b=3", true, a, DL_PROPARGS_MAX), 2);
    CHECK(strcmp(a[0].name, "a") == 0 && strcmp(a[0].val, "1,2") == 0);
    CHECK(strcmp(a[1].name, "b") == 0 && strcmp(a[1].val, "3") == 0);
    CHECK_EQ(dl_proplist_parse("maxbw", true, a, DL_PROPARGS_MAX), 1);
    CHECK(!a[0].has_val);
    CHECK_EQ(dl_proplist_parse("maxbw,mtu", false, a, DL_PROPARGS_MAX), 2);
    CHECK_EQ(dl_proplist_parse("maxbw=1", false, a, DL_PROPARGS_MAX), -1);
    CHECK_EQ(dl_proplist_parse("a=1,,b=2", true, a, DL_PROPARGS_MAX), -1);
    CHECK_EQ(dl_proplist_parse("a=1,b=2", true, a, 1), -1);
    /* A property given twice is found, whatever its values. */
    CHECK(dl_proplist_repeated(a, dl_proplist_parse("a=1,2,b=3", true, a,
                                                    DL_PROPARGS_MAX)) == NULL);
    CHECK_EQ(dl_proplist_parse("protection=mac-nospoof,protection=restricted",
                               true, a, DL_PROPARGS_MAX), 2);
    CHECK(strcmp(dl_proplist_repeated(a, 2), "protection") == 0);
    CHECK_EQ(dl_proplist_parse("maxbw,mtu,maxbw", false, a, DL_PROPARGS_MAX),
             3);
    CHECK(strcmp(dl_proplist_repeated(a, 3), "maxbw") == 0);
}

static void test_maxbw(void)
{
    struct vsw_vnic_conf vc;
    char why[128], buf[64];

    vsw_vnic_conf_init(&vc);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "100", &vc, why, sizeof(why)),
             DL_OK);
    CHECK_EQ(vc.maxbw, 100000000);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "1200K", &vc, why, sizeof(why)),
             DL_OK);
    dl_prop_value(DL_PROP_MAXBW, DL_VAL_CURRENT, VSW_CLASS_VNIC, &vc, buf,
                  sizeof(buf));
    CHECK(strcmp(buf, "1.200") == 0);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "1199K", &vc, why, sizeof(why)),
             DL_MINMAXBW);
    CHECK(strcmp(why, "minimum value for maxbw is 1200K") == 0);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "1", &vc, why, sizeof(why)),
             DL_MINMAXBW);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "2G", &vc, why, sizeof(why)),
             DL_OK);
    CHECK_EQ(vc.maxbw, 2000000000ull);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "fast", &vc, why, sizeof(why)),
             DL_BADARG);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, "10%", &vc, why, sizeof(why)),
             DL_NOTSUP);
    CHECK_EQ(dl_prop_parse(DL_PROP_MAXBW, NULL, &vc, why, sizeof(why)),
             DL_OK);
    CHECK_EQ(vc.maxbw, 0);
}

static void test_enum_props(void)
{
    struct vsw_vnic_conf vc;
    char why[128], buf[128];

    vsw_vnic_conf_init(&vc);
    CHECK_EQ(dl_prop_parse(DL_PROP_PRIORITY, "urgent", &vc, why,
                           sizeof(why)), DL_BADVAL);
    CHECK(strcmp(why, "low,medium,high") == 0);
    CHECK_EQ(dl_prop_parse(DL_PROP_PROTECTION, "ip-nospoof,mac-nospoof",
                           &vc, why, sizeof(why)), DL_OK);
    dl_prop_value(DL_PROP_PROTECTION, DL_VAL_CURRENT, VSW_CLASS_VNIC, &vc,
                  buf, sizeof(buf));
    CHECK(strcmp(buf, "mac-nospoof,ip-nospoof") == 0);
    CHECK_EQ(dl_prop_parse(DL_PROP_MTU, "67", &vc, why, sizeof(why)),
             DL_BADVAL);
    CHECK_EQ(dl_prop_parse(DL_PROP_MTU, "9000", &vc, why, sizeof(why)),
             DL_OK);
    dl_prop_value(DL_PROP_MTU, DL_VAL_PERM, VSW_CLASS_PHYS, NULL, buf,
                  sizeof(buf));
    CHECK(strcmp(buf, "r-") == 0);
    CHECK_EQ(dl_prop_lookup("allowed-ips"), DL_PROP_ALLOWED_IPS);
    CHECK_EQ(dl_prop_lookup("zone"), -1);
}

/* A link that is not a VNIC: only the MTU of one over a host NIC is
 * settable, and its value is the link's. */
static void test_link_props(void)
{
    struct vsw_link_conf nic = {.name = "eth1", .cls = VSW_CLASS_PHYS,
                                .mtu = 9000, .ifname = "eth1"};
    struct vsw_link_conf dpdk = {.name = "phys1", .cls = VSW_CLASS_PHYS,
                                 .mtu = 1500};
    struct vsw_link_conf stub = {.name = "stub0",
                                 .cls = VSW_CLASS_ETHERSTUB, .mtu = 9000};
    char buf[64];

    CHECK(dl_link_prop_settable(DL_PROP_MTU, &nic));
    CHECK(!dl_link_prop_settable(DL_PROP_MAXBW, &nic));
    CHECK(!dl_link_prop_settable(DL_PROP_MTU, &dpdk));
    CHECK(!dl_link_prop_settable(DL_PROP_MTU, &stub));
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_CURRENT, &nic, buf, sizeof(buf));
    CHECK(strcmp(buf, "9000") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_PERM, &nic, buf, sizeof(buf));
    CHECK(strcmp(buf, "rw") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_DEFAULT, &nic, buf, sizeof(buf));
    CHECK(strcmp(buf, "1500") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_POSSIBLE, &nic, buf, sizeof(buf));
    CHECK(strcmp(buf, "68-9000") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_PERM, &dpdk, buf, sizeof(buf));
    CHECK(strcmp(buf, "r-") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_POSSIBLE, &dpdk, buf, sizeof(buf));
    CHECK(strcmp(buf, "") == 0);
    dl_link_prop_value(DL_PROP_MTU, DL_VAL_DEFAULT, &stub, buf, sizeof(buf));
    CHECK(strcmp(buf, "9000") == 0);
    dl_link_prop_value(DL_PROP_PRIORITY, DL_VAL_CURRENT, &nic, buf,
                       sizeof(buf));
    CHECK(strcmp(buf, "") == 0);
}

static void test_statuses(void)
{
    CHECK(strcmp(dl_status_str(DL_EXIST), "object already exists") == 0);
    CHECK(strcmp(dl_status_str(DL_INACTIVE),
                 "link is not active (deleted with -t)") == 0);
    CHECK(strcmp(dl_status_str(DL_MTU_LINK),
                 "mtu is larger than the link's mtu") == 0);
    for (int st = 0; st < DL_STATUS__MAX; st++)
        CHECK(dl_status_str((enum dl_status)st) != NULL);
}

int main(void)
{
    RUN(test_proplist);
    RUN(test_maxbw);
    RUN(test_enum_props);
    RUN(test_link_props);
    RUN(test_statuses);
    return check_summary();
}
