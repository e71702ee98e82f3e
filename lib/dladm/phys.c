/* SPDX-License-Identifier: MIT */
/*
 * libdladm: host NICs that could become physical links (dladm.h), listed
 * through libnl-route-3; speed and duplex come from sysfs, as ethtool's
 * are not in rtnetlink.
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "dladm/dladm.h"

/* The first line of /sys/class/net/@ifname/@what, or "" . */
static void sysfs_read(const char *ifname, const char *what, char *buf,
                       size_t len)
{
    char path[128];
    FILE *f;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
    f = fopen(path, "re");
    if (!f)
        return;
    if (!fgets(buf, (int)len, f))
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

static void hostnic_fill(struct rtnl_link *link, struct dl_hostnic *n)
{
    struct nl_addr *a = rtnl_link_get_addr(link);
    char buf[32];
    long speed;

    memset(n, 0, sizeof(*n));
    snprintf(n->ifname, sizeof(n->ifname), "%s", rtnl_link_get_name(link));
    n->up = (rtnl_link_get_flags(link) & IFF_UP) &&
            rtnl_link_get_carrier(link);
    if (a && nl_addr_get_len(a) == 6)
        memcpy(n->mac, nl_addr_get_binary_addr(a), 6);
    sysfs_read(n->ifname, "speed", buf, sizeof(buf));
    speed = strtol(buf, NULL, 10);
    n->speed = speed > 0 ? (uint32_t)speed : 0;
    sysfs_read(n->ifname, "duplex", buf, sizeof(buf));
    n->duplex = strcmp(buf, "full") == 0 ? 2 : strcmp(buf, "half") == 0;
}

enum dl_status dl_hostnic_walk(dl_hostnic_cb *cb, void *arg)
{
    struct nl_sock *sk = nl_socket_alloc();
    struct nl_cache *cache = NULL;
    struct nl_object *o;
    enum dl_status st = DL_FAILED;

    if (!sk)
        return DL_NOMEM;
    if (nl_connect(sk, NETLINK_ROUTE) < 0 ||
        rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) < 0)
        goto free_sk;
    st = DL_OK;
    for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        struct rtnl_link *link = (struct rtnl_link *)o;
        struct dl_hostnic n;

        if (rtnl_link_get_arptype(link) != ARPHRD_ETHER ||
            (rtnl_link_get_flags(link) & IFF_LOOPBACK))
            continue;
        hostnic_fill(link, &n);
        if (cb(&n, arg))
            break;
    }
    nl_cache_free(cache);
free_sk:
    nl_socket_free(sk);
    return st;
}
