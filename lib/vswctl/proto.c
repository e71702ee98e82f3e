/* SPDX-License-Identifier: MIT */
/* Encoding and decoding of control messages (vsw/ctl.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vswctl/capture.h"
#include "vswctl/ctl.h"

struct nlmsghdr *vsw_ctl_msg(void *buf, uint16_t type, uint16_t flags,
                             uint32_t seq)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    return nlh;
}

/* The libmnl type and payload limits of each attribute (vswctl/ctl.h). */
const struct xvm_attr_policy vsw_ctl_policy[VSW_A_MAX + 1] = {
    [VSW_A_NAME] = {MNL_TYPE_NUL_STRING, LP_NAMSIZ},
    [VSW_A_CLASS] = {MNL_TYPE_U8, 0},
    [VSW_A_DEVARGS] = {MNL_TYPE_NUL_STRING, VSW_DEVARGSIZ},
    [VSW_A_LINK] = {MNL_TYPE_NUL_STRING, LP_NAMSIZ},
    [VSW_A_MAC] = {MNL_TYPE_BINARY, 6, .min_len = 6},
    [VSW_A_MAC_TYPE] = {MNL_TYPE_U8, 0},
    [VSW_A_VID] = {MNL_TYPE_U16, 0},
    [VSW_A_MAXBW] = {MNL_TYPE_U64, 0},
    [VSW_A_PRIORITY] = {MNL_TYPE_U8, 0},
    [VSW_A_PROTECTION] = {MNL_TYPE_U32, 0},
    [VSW_A_ATTACH] = {MNL_TYPE_U8, 0},
    [VSW_A_TAP] = {MNL_TYPE_NUL_STRING, VSW_IFNAMSIZ},
    [VSW_A_TEMPORARY] = {MNL_TYPE_FLAG, 0},
    [VSW_A_NVNICS] = {MNL_TYPE_U32, 0},
    [VSW_A_STATS] = {MNL_TYPE_NESTED, 0},
    [VSW_A_NEWNAME] = {MNL_TYPE_NUL_STRING, LP_NAMSIZ},
    [VSW_A_MTU] = {MNL_TYPE_U16, 0},
    [VSW_A_ALLOWED_IPS] = {MNL_TYPE_BINARY,
                           LP_IPS_MAX * sizeof(struct lp_ipnet),
                           .unit = sizeof(struct lp_ipnet)},
    [VSW_A_PERSISTENT] = {MNL_TYPE_FLAG, 0},
    [VSW_A_SPEED] = {MNL_TYPE_U32, 0},
    [VSW_A_STATE] = {MNL_TYPE_U8, 0},
    [VSW_A_DUPLEX] = {MNL_TYPE_U8, 0},
    [VSW_A_DOMID] = {MNL_TYPE_U32, 0},
    [VSW_A_DOMAIN] = {MNL_TYPE_NUL_STRING, LP_NAMSIZ},
    [VSW_A_CAP_DIR] = {MNL_TYPE_U32, 0},
    [VSW_A_CAP_SNAPLEN] = {MNL_TYPE_U32, 0},
    [VSW_A_CAP_RING] = {MNL_TYPE_U32, 0},
    [VSW_A_CAP_FILTER] = {MNL_TYPE_NUL_STRING, VSW_CAP_FILTER_MAX},
    [VSW_A_IFNAME] = {MNL_TYPE_NUL_STRING, VSW_IFNAMSIZ},
    [VSW_A_LINK_FLAGS] = {MNL_TYPE_U32, 0},
    [VSW_A_NIC_ATTACH] = {MNL_TYPE_U8, 0},
    [VSW_A_NIC_WHY] = {MNL_TYPE_NUL_STRING, VSW_WHYSIZ},
    [VSW_A_NICMODE] = {MNL_TYPE_U8, 0},
    [VSW_A_PCI] = {MNL_TYPE_NUL_STRING, 16},
    [VSW_A_CPUS] = {MNL_TYPE_U16, 0},
    [VSW_A_WORKER_CPUS] = {MNL_TYPE_BINARY,
                           VSW_CTL_WORKERS_MAX * sizeof(uint16_t),
                           .unit = sizeof(uint16_t)},
    [VSW_A_LINK_MTU] = {MNL_TYPE_U16, 0},
};

/* Every counter is a u64. */
const struct xvm_attr_policy vsw_stat_policy[VSW_STAT_MAX + 1] = {
    [VSW_STAT_IPACKETS ... VSW_STAT_MAX] = {MNL_TYPE_U64, 0},
};

int vsw_ctl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
    return xvm_msg_attrs(nlh, tb, VSW_A_MAX, vsw_ctl_policy);
}

static void str_get(char *dst, size_t size, const struct nlattr *a)
{
    snprintf(dst, size, "%s", mnl_attr_get_str(a));
}

void vsw_ctl_put_link(struct nlmsghdr *nlh, const struct vsw_link_conf *lc)
{
    mnl_attr_put_strz(nlh, VSW_A_NAME, lc->name);
    if (lc->has_cpus)
        mnl_attr_put_u16(nlh, VSW_A_CPUS, lc->cpus);
    mnl_attr_put_u8(nlh, VSW_A_CLASS, (uint8_t)lc->cls);
    if (lc->cls == VSW_CLASS_PHYS)
        mnl_attr_put_strz(nlh, VSW_A_DEVARGS, lc->devargs);
    if (lc->temporary)
        mnl_attr_put(nlh, VSW_A_TEMPORARY, 0, NULL);
    mnl_attr_put_u32(nlh, VSW_A_NVNICS, lc->nvnics);
    if (lc->mtu)
        mnl_attr_put_u16(nlh, VSW_A_MTU, lc->mtu);
    mnl_attr_put_u32(nlh, VSW_A_SPEED, lc->speed);
    mnl_attr_put_u8(nlh, VSW_A_STATE, (uint8_t)lc->state);
    mnl_attr_put_u8(nlh, VSW_A_DUPLEX, lc->duplex);
    if (lc->ifname[0])
        mnl_attr_put_strz(nlh, VSW_A_IFNAME, lc->ifname);
    if (lc->flags)
        mnl_attr_put_u32(nlh, VSW_A_LINK_FLAGS, lc->flags);
    if (lc->attach)
        mnl_attr_put_u8(nlh, VSW_A_NIC_ATTACH, (uint8_t)lc->attach);
    if (lc->attach_why[0])
        mnl_attr_put_strz(nlh, VSW_A_NIC_WHY, lc->attach_why);
    if (lc->nicmode)
        mnl_attr_put_u8(nlh, VSW_A_NICMODE, (uint8_t)lc->nicmode);
    if (lc->pci[0])
        mnl_attr_put_strz(nlh, VSW_A_PCI, lc->pci);
}

int vsw_ctl_get_link(const struct nlattr *const *tb, struct vsw_link_conf *lc)
{
    if (tb[VSW_A_CPUS]) {
        lc->cpus = mnl_attr_get_u16(tb[VSW_A_CPUS]);
        lc->has_cpus = lc->cpus != VSW_CPUS_NONE;
    }
    if (tb[VSW_A_NAME])
        str_get(lc->name, sizeof(lc->name), tb[VSW_A_NAME]);
    if (tb[VSW_A_CLASS])
        lc->cls = (enum vsw_class)mnl_attr_get_u8(tb[VSW_A_CLASS]);
    if (tb[VSW_A_DEVARGS])
        str_get(lc->devargs, sizeof(lc->devargs), tb[VSW_A_DEVARGS]);
    if (tb[VSW_A_TEMPORARY])
        lc->temporary = true;
    if (tb[VSW_A_NVNICS])
        lc->nvnics = mnl_attr_get_u32(tb[VSW_A_NVNICS]);
    if (tb[VSW_A_MTU])
        lc->mtu = mnl_attr_get_u16(tb[VSW_A_MTU]);
    if (tb[VSW_A_SPEED])
        lc->speed = mnl_attr_get_u32(tb[VSW_A_SPEED]);
    if (tb[VSW_A_STATE])
        lc->state = (enum vsw_link_state)mnl_attr_get_u8(tb[VSW_A_STATE]);
    if (tb[VSW_A_DUPLEX])
        lc->duplex = mnl_attr_get_u8(tb[VSW_A_DUPLEX]);
    if (tb[VSW_A_IFNAME])
        str_get(lc->ifname, sizeof(lc->ifname), tb[VSW_A_IFNAME]);
    if (tb[VSW_A_LINK_FLAGS])
        lc->flags = mnl_attr_get_u32(tb[VSW_A_LINK_FLAGS]);
    if (tb[VSW_A_NIC_ATTACH]) {
        uint8_t a = mnl_attr_get_u8(tb[VSW_A_NIC_ATTACH]);

        lc->attach = a < VSW_NIC_ATTACH__MAX ? (enum vsw_nic_attach)a
                                             : VSW_NIC_ATTACH_OTHER;
    }
    if (tb[VSW_A_NIC_WHY])
        str_get(lc->attach_why, sizeof(lc->attach_why), tb[VSW_A_NIC_WHY]);
    if (tb[VSW_A_NICMODE])
        lc->nicmode =
            mnl_attr_get_u8(tb[VSW_A_NICMODE]) == VSW_NICMODE_DEDICATED
                ? VSW_NICMODE_DEDICATED
                : VSW_NICMODE_SHARED;
    if (tb[VSW_A_PCI])
        str_get(lc->pci, sizeof(lc->pci), tb[VSW_A_PCI]);
    return 0;
}

void vsw_ctl_put_vnic(struct nlmsghdr *nlh, const struct vsw_vnic_conf *vc)
{
    mnl_attr_put_strz(nlh, VSW_A_NAME, vc->name);
    mnl_attr_put_strz(nlh, VSW_A_LINK, vc->link);
    if (vc->mac_type == VSW_MAC_FIXED || lp_mac_valid(vc->mac))
        mnl_attr_put(nlh, VSW_A_MAC, 6, vc->mac);
    mnl_attr_put_u8(nlh, VSW_A_MAC_TYPE, (uint8_t)vc->mac_type);
    mnl_attr_put_u16(nlh, VSW_A_VID, vc->vid);
    mnl_attr_put_u64(nlh, VSW_A_MAXBW, vc->maxbw);
    mnl_attr_put_u8(nlh, VSW_A_PRIORITY, (uint8_t)vc->priority);
    mnl_attr_put_u32(nlh, VSW_A_PROTECTION, vc->protection);
    mnl_attr_put_u8(nlh, VSW_A_ATTACH, (uint8_t)vc->attach);
    if (vc->tap[0])
        mnl_attr_put_strz(nlh, VSW_A_TAP, vc->tap);
    if (vc->temporary)
        mnl_attr_put(nlh, VSW_A_TEMPORARY, 0, NULL);
    mnl_attr_put_u16(nlh, VSW_A_MTU, vc->mtu);
    if (vc->link_mtu)
        mnl_attr_put_u16(nlh, VSW_A_LINK_MTU, vc->link_mtu);
    if (vc->has_cpus)
        mnl_attr_put_u16(nlh, VSW_A_CPUS, vc->cpus);
    vsw_ctl_put_ips(nlh, vc->ips, vc->nips);
    if (vc->domid) {
        mnl_attr_put_u32(nlh, VSW_A_DOMID, vc->domid);
        mnl_attr_put_strz(nlh, VSW_A_DOMAIN, vc->domain);
    }
}

void vsw_ctl_put_ips(struct nlmsghdr *nlh, const struct lp_ipnet *ips,
                     unsigned n)
{
    if (n > LP_IPS_MAX)
        n = LP_IPS_MAX;
    mnl_attr_put(nlh, VSW_A_ALLOWED_IPS, n * sizeof(*ips), ips);
}

int vsw_ctl_get_vnic(const struct nlattr *const *tb, struct vsw_vnic_conf *vc,
                     uint32_t *mods)
{
    uint32_t m = 0;

    if (tb[VSW_A_NAME])
        str_get(vc->name, sizeof(vc->name), tb[VSW_A_NAME]);
    if (tb[VSW_A_LINK])
        str_get(vc->link, sizeof(vc->link), tb[VSW_A_LINK]);
    if (tb[VSW_A_LINK])
        m |= VSW_MOD_LINK;
    if (tb[VSW_A_MAC]) {
        memcpy(vc->mac, mnl_attr_get_payload(tb[VSW_A_MAC]), 6);
        vc->mac_type = VSW_MAC_FIXED;
        m |= VSW_MOD_MAC;
    }
    if (tb[VSW_A_MAC_TYPE]) {
        vc->mac_type = (enum vsw_mac_type)mnl_attr_get_u8(tb[VSW_A_MAC_TYPE]);
        m |= VSW_MOD_MAC;
    }
    if (tb[VSW_A_VID]) {
        vc->vid = mnl_attr_get_u16(tb[VSW_A_VID]);
        m |= VSW_MOD_VID;
    }
    if (tb[VSW_A_DOMID])
        vc->domid = mnl_attr_get_u32(tb[VSW_A_DOMID]);
    if (tb[VSW_A_DOMAIN])
        str_get(vc->domain, sizeof(vc->domain), tb[VSW_A_DOMAIN]);
    if (tb[VSW_A_MTU]) {
        vc->mtu = mnl_attr_get_u16(tb[VSW_A_MTU]);
        m |= VSW_MOD_MTU;
    }
    if (tb[VSW_A_LINK_MTU])
        vc->link_mtu = mnl_attr_get_u16(tb[VSW_A_LINK_MTU]);
    if (tb[VSW_A_CPUS]) {
        vc->cpus = mnl_attr_get_u16(tb[VSW_A_CPUS]);
        vc->has_cpus = vc->cpus != VSW_CPUS_NONE;
        m |= VSW_MOD_CPUS;
    }
    if (tb[VSW_A_ALLOWED_IPS]) {
        uint16_t len = mnl_attr_get_payload_len(tb[VSW_A_ALLOWED_IPS]);

        vc->nips = (uint8_t)(len / sizeof(vc->ips[0]));
        memcpy(vc->ips, mnl_attr_get_payload(tb[VSW_A_ALLOWED_IPS]), len);
        m |= VSW_MOD_ALLOWED_IPS;
    }
    if (tb[VSW_A_MAXBW]) {
        vc->maxbw = mnl_attr_get_u64(tb[VSW_A_MAXBW]);
        m |= VSW_MOD_MAXBW;
    }
    if (tb[VSW_A_PRIORITY]) {
        vc->priority = (enum lp_priority)mnl_attr_get_u8(tb[VSW_A_PRIORITY]);
        m |= VSW_MOD_PRIORITY;
    }
    if (tb[VSW_A_PROTECTION]) {
        vc->protection = mnl_attr_get_u32(tb[VSW_A_PROTECTION]);
        m |= VSW_MOD_PROTECTION;
    }
    if (tb[VSW_A_ATTACH])
        vc->attach = (enum vsw_attach)mnl_attr_get_u8(tb[VSW_A_ATTACH]);
    if (tb[VSW_A_TAP])
        str_get(vc->tap, sizeof(vc->tap), tb[VSW_A_TAP]);
    if (tb[VSW_A_TEMPORARY])
        vc->temporary = true;
    if (mods)
        *mods = m;
    return 0;
}

void vsw_ctl_put_stats(struct nlmsghdr *nlh, const struct vsw_stats *st)
{
    struct nlattr *nest = mnl_attr_nest_start(nlh, VSW_A_STATS);
    int i;

    mnl_attr_put_u64(nlh, VSW_STAT_IPACKETS, st->ipackets);
    mnl_attr_put_u64(nlh, VSW_STAT_RBYTES, st->rbytes);
    mnl_attr_put_u64(nlh, VSW_STAT_OPACKETS, st->opackets);
    mnl_attr_put_u64(nlh, VSW_STAT_OBYTES, st->obytes);
    mnl_attr_put_u64(nlh, VSW_STAT_IERRORS, st->ierrors);
    mnl_attr_put_u64(nlh, VSW_STAT_OERRORS, st->oerrors);
    for (i = 0; i < VSW_DROP__MAX; i++)
        mnl_attr_put_u64(nlh, (uint16_t)(VSW_STAT_DROP_BASE + i),
                         st->drops[i]);
    mnl_attr_nest_end(nlh, nest);
}

int vsw_ctl_get_stats(const struct nlattr *attr, struct vsw_stats *st)
{
    const struct nlattr *tb[VSW_STAT_MAX + 1];
    uint64_t *field[VSW_STAT_MAX + 1] = {
        [VSW_STAT_IPACKETS] = &st->ipackets, [VSW_STAT_RBYTES] = &st->rbytes,
        [VSW_STAT_OPACKETS] = &st->opackets, [VSW_STAT_OBYTES] = &st->obytes,
        [VSW_STAT_IERRORS] = &st->ierrors,   [VSW_STAT_OERRORS] = &st->oerrors,
    };
    unsigned t;

    memset(st, 0, sizeof(*st));
    if (xvm_nest_parse(attr, tb, VSW_STAT_MAX, vsw_stat_policy) < 0)
        return -EINVAL;
    for (t = 0; t < VSW_DROP__MAX; t++)
        field[VSW_STAT_DROP_BASE + t] = &st->drops[t];
    for (t = VSW_STAT_IPACKETS; t <= VSW_STAT_MAX; t++)
        if (tb[t])
            *field[t] = mnl_attr_get_u64(tb[t]);
    return 0;
}
