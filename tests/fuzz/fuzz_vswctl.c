/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vswctl.c - libFuzzer harness for libvswctl's control-protocol codec
 * (vswctl/ctl.h), fed what vswitchd's control socket receives.
 *
 * The input is one request datagram.  The harness walks its messages the
 * way vsw_mgr_handle() does (every message with NLM_F_REQUEST and a known
 * command) and decodes each as the daemon does: vsw_ctl_attrs(), then
 * vsw_ctl_get_link() / vsw_ctl_get_vnic() / vsw_ctl_get_stats() and the
 * name checks the manager applies.  The manager itself (libvswmgr) needs
 * DPDK's EAL and a switch, so it is not driven here.
 *
 * Checked, aborting on a breach:
 *  - vsw_ctl_attrs() and vsw_ctl_get_stats() (the shared parser of
 *    xvm/ctlmsg.h under vsw_ctl_policy and vsw_stat_policy) accept
 *    exactly what the plain re-statement of its rule in ctlmsg_ref.h
 *    accepts, and index the last attribute of each type;
 *  - every attribute vsw_ctl_attrs() indexes lies inside its message
 *    (nlmsg_len, not the aligned tail) and has the type and size of its
 *    policy: NUL-terminated strings that fit their buffer, exact integer
 *    and MAC sizes, whole allowed-ips entries;
 *  - the decoded structures hold NUL-terminated names within their
 *    buffers and at most LP_IPS_MAX allowed-ips;
 *  - encoding is stable: put(get(msg)) decodes to the same structure, and
 *    encoding that again gives the same bytes (link, VNIC and stats);
 *  - the formatters used on decoded values stay in their buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "ctlmsg_ref.h"
#include "vswctl/ctl.h"
#include "vswctl/defs.h"

#define FUZZ_NAME "fuzz_vswctl"
#include "fuzz_harness.h"

/* Payload size each attribute must have: 0 any, -1 a NUL-terminated
 * string of at most the given buffer (below), -2 whole allowed-ips. */
static const int attr_size[VSW_A__END] = {
    [VSW_A_NAME] = -1,        [VSW_A_CLASS] = 1,    [VSW_A_DEVARGS] = -1,
    [VSW_A_LINK] = -1,        [VSW_A_MAC] = 6,      [VSW_A_MAC_TYPE] = 1,
    [VSW_A_VID] = 2,          [VSW_A_MAXBW] = 8,    [VSW_A_PRIORITY] = 1,
    [VSW_A_PROTECTION] = 4,   [VSW_A_ATTACH] = 1,   [VSW_A_TAP] = -1,
    [VSW_A_NVNICS] = 4,       [VSW_A_NEWNAME] = -1, [VSW_A_MTU] = 2,
    [VSW_A_ALLOWED_IPS] = -2, [VSW_A_SPEED] = 4,    [VSW_A_STATE] = 1,
    [VSW_A_DUPLEX] = 1,       [VSW_A_IFNAME] = -1,  [VSW_A_LINK_FLAGS] = 4,
};

static const unsigned str_max[VSW_A__END] = {
    [VSW_A_NAME] = LP_NAMSIZ,    [VSW_A_DEVARGS] = VSW_DEVARGSIZ,
    [VSW_A_LINK] = LP_NAMSIZ,    [VSW_A_TAP] = VSW_IFNAMSIZ,
    [VSW_A_NEWNAME] = LP_NAMSIZ, [VSW_A_IFNAME] = VSW_IFNAMSIZ,
};

static _Alignas(NLMSG_ALIGNTO) char out1[VSW_CTL_BUFSIZ], out2[VSW_CTL_BUFSIZ];

/* libmnl leaves attribute padding as it finds it: encode into zeros, as
 * vswitchd does.  Every message here is well under 4 KiB. */
static void out_clear(void)
{
    memset(out1, 0, 4096);
    memset(out2, 0, 4096);
}

static void check_attrs(const struct nlmsghdr *nlh,
                        const struct nlattr *const *tb)
{
    const char *lo = mnl_nlmsg_get_payload(nlh),
               *hi = (const char *)nlh + nlh->nlmsg_len;
    unsigned t;

    for (t = 1; t <= VSW_A_MAX; t++) {
        const struct nlattr *a = tb[t];
        const char *p;
        uint16_t len;

        if (!a)
            continue;
        INV((const char *)a >= lo && a->nla_len >= MNL_ATTR_HDRLEN);
        INV((const char *)a + a->nla_len <= hi);
        len = mnl_attr_get_payload_len(a);
        p = mnl_attr_get_payload(a);
        if (attr_size[t] > 0)
            INV(len == attr_size[t]);
        else if (attr_size[t] == -1)
            INV(len >= 1 && len <= str_max[t] && p[len - 1] == '\0');
        else if (attr_size[t] == -2)
            INV(len % sizeof(struct lp_ipnet) == 0 &&
                len <= LP_IPS_MAX * sizeof(struct lp_ipnet));
        else if (t == VSW_A_TEMPORARY || t == VSW_A_PERSISTENT)
            INV(len == 0);
    }
}

static void str_ok(const char *s, size_t size)
{
    INV(memchr(s, '\0', size) != NULL);
}

/* Encode @lc, decode it into a fresh struct, encode again: same bytes. */
static void link_round_trip(const struct vsw_link_conf *lc)
{
    const struct nlattr *tb[VSW_A_MAX + 1];
    struct nlmsghdr *a, *b;
    struct vsw_link_conf lc2;

    out_clear();
    a = vsw_ctl_msg(out1, VSW_CMD_LINK_GET, 0, 1);
    b = vsw_ctl_msg(out2, VSW_CMD_LINK_GET, 0, 1);
    vsw_ctl_put_link(a, lc);
    INV(vsw_ctl_attrs(a, tb) == 0);
    memset(&lc2, 0, sizeof(lc2));
    INV(vsw_ctl_get_link(tb, &lc2) == 0);
    INV(strcmp(lc2.name, lc->name) == 0 && lc2.cls == lc->cls);
    INV(lc2.nvnics == lc->nvnics && lc2.temporary == lc->temporary);
    vsw_ctl_put_link(b, &lc2);
    INV(a->nlmsg_len == b->nlmsg_len && memcmp(a, b, a->nlmsg_len) == 0);
}

static void vnic_round_trip(const struct vsw_vnic_conf *vc)
{
    const struct nlattr *tb[VSW_A_MAX + 1];
    struct nlmsghdr *a, *b;
    struct vsw_vnic_conf vc2;
    uint32_t mods;

    out_clear();
    a = vsw_ctl_msg(out1, VSW_CMD_VNIC_GET, 0, 1);
    b = vsw_ctl_msg(out2, VSW_CMD_VNIC_GET, 0, 1);
    vsw_ctl_put_vnic(a, vc);
    INV(vsw_ctl_attrs(a, tb) == 0);
    vsw_vnic_conf_init(&vc2);
    INV(vsw_ctl_get_vnic(tb, &vc2, &mods) == 0);
    INV(strcmp(vc2.name, vc->name) == 0 && strcmp(vc2.link, vc->link) == 0);
    INV(vc2.vid == vc->vid && vc2.maxbw == vc->maxbw && vc2.mtu == vc->mtu);
    INV(vc2.protection == vc->protection && vc2.mac_type == vc->mac_type);
    INV(lp_ips_equal(vc2.ips, vc2.nips, vc->ips, vc->nips));
    vsw_ctl_put_vnic(b, &vc2);
    INV(a->nlmsg_len == b->nlmsg_len && memcmp(a, b, a->nlmsg_len) == 0);
}

static void stats_round_trip(const struct nlattr *attr)
{
    const struct nlattr *tb[VSW_A_MAX + 1];
    const uint8_t *last[VSW_STAT_MAX + 1];
    const struct nlattr *first, *drop;
    struct nlmsghdr *a;
    struct vsw_stats st, st2;
    bool ref =
        ref_attrs(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr),
                  VSW_STAT_MAX, vsw_stat_policy, last);
    int rc = vsw_ctl_get_stats(attr, &st);

    INV((rc == 0) == ref && (rc == 0 || rc == -EINVAL));
    if (rc < 0)
        return;
    /* The first counter and the last drop reason, as the last of each. */
    first = (const void *)last[VSW_STAT_IPACKETS];
    drop = (const void *)last[VSW_STAT_MAX];
    INV(st.ipackets == (first ? mnl_attr_get_u64(first) : 0));
    INV(st.drops[VSW_DROP__MAX - 1] == (drop ? mnl_attr_get_u64(drop) : 0));
    out_clear();
    a = vsw_ctl_msg(out1, VSW_CMD_STATS_GET, 0, 1);
    vsw_ctl_put_stats(a, &st);
    INV(vsw_ctl_attrs(a, tb) == 0 && tb[VSW_A_STATS]);
    INV(vsw_ctl_get_stats(tb[VSW_A_STATS], &st2) == 0);
    INV(memcmp(&st, &st2, sizeof(st)) == 0);
}

/* What the manager does with a decoded VNIC before trusting it. */
static void vnic_use(const struct vsw_vnic_conf *vc)
{
    char buf[LP_IPS_MAX * 48], mac[18], bw[32], prot[64];

    str_ok(vc->name, sizeof(vc->name));
    str_ok(vc->link, sizeof(vc->link));
    str_ok(vc->tap, sizeof(vc->tap));
    INV(vc->nips <= LP_IPS_MAX);
    (void)lp_name_check(vc->name);
    (void)lp_name_check(vc->link);
    (void)lp_mac_valid(vc->mac);
    lp_mac_format(vc->mac, mac);
    INV(strlen(mac) >= 11 && strlen(mac) <= 17); /* canonical: unpadded */
    lp_maxbw_format(vc->maxbw, bw, sizeof(bw));
    str_ok(bw, sizeof(bw));
    lp_protection_format(vc->protection, prot, sizeof(prot));
    str_ok(prot, sizeof(prot));
    lp_ips_format(vc->ips, vc->nips, buf, sizeof(buf));
    str_ok(buf, sizeof(buf));
    (void)lp_priority_str(vc->priority);
}

static void handle_one(const struct nlmsghdr *nlh)
{
    const struct nlattr *tb[VSW_A_MAX + 1];
    const uint8_t *last[VSW_A_MAX + 1];
    struct vsw_link_conf lc;
    struct vsw_vnic_conf vc;
    uint32_t mods;
    bool ref = ref_msg((const uint8_t *)nlh, nlh->nlmsg_len, VSW_A_MAX,
                       vsw_ctl_policy, last);
    int rc = vsw_ctl_attrs(nlh, tb);

    INV((rc == 0) == ref && (rc == 0 || rc == -EINVAL));
    if (rc < 0)
        return;
    INV(ref_same(tb, last, VSW_A_MAX));
    check_attrs(nlh, (const struct nlattr *const *)tb);
    if (tb[VSW_A_NAME])
        (void)lp_name_check(mnl_attr_get_str(tb[VSW_A_NAME]));
    if (tb[VSW_A_NEWNAME])
        (void)lp_name_check(mnl_attr_get_str(tb[VSW_A_NEWNAME]));
    if (tb[VSW_A_STATS])
        stats_round_trip(tb[VSW_A_STATS]);
    switch (nlh->nlmsg_type) {
    case VSW_CMD_LINK_CREATE:
    case VSW_CMD_LINK_GET:
        memset(&lc, 0, sizeof(lc));
        INV(vsw_ctl_get_link(tb, &lc) == 0);
        str_ok(lc.name, sizeof(lc.name));
        str_ok(lc.devargs, sizeof(lc.devargs));
        (void)vsw_class_str(lc.cls);
        link_round_trip(&lc);
        break;
    case VSW_CMD_VNIC_CREATE:
    case VSW_CMD_VNIC_MODIFY:
    case VSW_CMD_VNIC_GET:
        vsw_vnic_conf_init(&vc);
        INV(vsw_ctl_get_vnic(tb, &vc, &mods) == 0);
        INV(!(mods & VSW_MOD_ALLOWED_IPS) || tb[VSW_A_ALLOWED_IPS]);
        vnic_use(&vc);
        vnic_round_trip(&vc);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct nlmsghdr *nlh;
    char *dgram;
    int rest = (int)size;

    /* Exactly the datagram in its own allocation, so that reading past it
     * is caught (vswitchd's buffer has stale bytes there instead). */
    if (size > VSW_CTL_BUFSIZ)
        return 0;
    dgram = malloc(size ? size : 1);
    if (!dgram)
        abort();
    memcpy(dgram, data, size);
    nlh = (const struct nlmsghdr *)dgram;
    for (; xvm_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
        if (!(nlh->nlmsg_flags & NLM_F_REQUEST) ||
            nlh->nlmsg_type >= VSW_CMD__END)
            continue;
        handle_one(nlh);
    }
    free(dgram);
    return 0;
}
