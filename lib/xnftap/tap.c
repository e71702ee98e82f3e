/* SPDX-License-Identifier: MIT */
/*
 * tap.c - create and configure a process domain's TAP device.
 *
 * The device is made from inside the guest's namespace (setns on this
 * thread, then back): a TAP device is born in the namespace of whoever
 * calls TUNSETIFF, so it never exists in the host's namespace, and its name
 * (eth0) can only clash with the guest's own devices.  The netlink socket
 * used to configure it is opened there too, for the same reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "xnftap_pvt.h"
#include "xvm/tap.h"

#define MTU_MIN 68u
#define MTU_MAX (65535u - 14u)

/* libnl reports NLE_* codes; the API promises errno values. */
static int nl_errno(int nle)
{
    switch (nle < 0 ? -nle : nle) {
    case NLE_NOMEM:
        return ENOMEM;
    case NLE_EXIST:
        return EEXIST;
    case NLE_INVAL:
    case NLE_RANGE:
        return EINVAL;
    case NLE_PERM:
    case NLE_NOACCESS:
        return EPERM;
    case NLE_OBJ_NOTFOUND:
    case NLE_NODEV:
        return ENODEV;
    case NLE_OPNOTSUPP:
        return EOPNOTSUPP;
    case NLE_BUSY:
        return EBUSY;
    default:
        return EIO;
    }
}

/* MAC, MTU and IFF_UP in one RTM_NEWLINK change. */
static int link_configure(int ifindex, const uint8_t mac[6], uint32_t mtu)
{
    struct rtnl_link *cur = NULL, *chg = NULL;
    struct nl_addr *addr = NULL;
    struct nl_sock *sk;
    int rc;

    sk = nl_socket_alloc();
    if (!sk)
        return -ENOMEM;
    rc = nl_connect(sk, NETLINK_ROUTE);
    if (rc < 0)
        goto out_sock;
    rc = rtnl_link_get_kernel(sk, ifindex, NULL, &cur);
    if (rc < 0)
        goto out_sock;
    chg = rtnl_link_alloc();
    addr = nl_addr_build(AF_LLC, mac, 6);
    if (!chg || !addr) {
        rc = -NLE_NOMEM;
        goto out_link;
    }
    rtnl_link_set_addr(chg, addr);
    rtnl_link_set_mtu(chg, mtu);
    rtnl_link_set_flags(chg, IFF_UP);
    rc = rtnl_link_change(sk, cur, chg, 0);
out_link:
    nl_addr_put(addr);
    rtnl_link_put(chg);
    rtnl_link_put(cur);
out_sock:
    nl_socket_free(sk);
    return rc < 0 ? -nl_errno(rc) : 0;
}

/* TUN_F_* the backend lets us accept from the guest's stack. */
static unsigned offloads_for(uint32_t be)
{
    unsigned f = TUN_F_CSUM;

    if (be & NETIF_F_GSO_TCPV4)
        f |= TUN_F_TSO4;
    if ((be & NETIF_F_GSO_TCPV6) && (be & NETIF_F_IPV6_CSUM))
        f |= TUN_F_TSO6;
    return f;
}

/* Open the TAP device in the current namespace and set it up. */
static int tap_open(struct xnftap *t, const struct xnftap_config *cfg)
{
    int rc;

    t->fd = xvm_tap_open(t->ifname, XVM_TAP_NONBLOCK |
                                        (cfg->multi_queue ? XVM_TAP_MULTI_QUEUE
                                                          : 0));
    if (t->fd < 0)
        return t->fd;
    t->offloads = offloads_for(t->be);
    rc = xvm_tap_vnet(t->fd, (int)XNFTAP_VNET_HDR_LEN, t->offloads);
    if (rc < 0)
        return rc;
    t->ifindex = (int)if_nametoindex(t->ifname);
    if (t->ifindex <= 0)
        return -errno;
    rc = link_configure(t->ifindex, cfg->mac, cfg->mtu ? cfg->mtu : 1500);
    return rc;
}

/* Run tap_open() inside @netns_fd, coming back whatever happens. */
static int tap_open_in(struct xnftap *t, const struct xnftap_config *cfg)
{
    int self, rc;

    if (cfg->netns_fd < 0)
        return tap_open(t, cfg);
    self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return -errno;
    if (setns(cfg->netns_fd, CLONE_NEWNET) < 0) {
        rc = -errno;
        close(self);
        return rc;
    }
    rc = tap_open(t, cfg);
    /* Staying in the guest's namespace would silently move whatever this
     * thread opens next there: treat a failed return as fatal. */
    if (setns(self, CLONE_NEWNET) < 0 && rc == 0)
        rc = -errno;
    close(self);
    return rc;
}

static bool config_ok(const struct xnftap_config *cfg)
{
    const char *name = cfg->ifname ? cfg->ifname : XNFTAP_IFNAME_DEFAULT;
    size_t n = strlen(name);

    if (!cfg->xnf || !cfg->ec || !xnf_be_features(cfg->xnf))
        return false;
    if (cfg->mtu && (cfg->mtu < MTU_MIN || cfg->mtu > MTU_MAX))
        return false;
    if (n == 0 || n >= IFNAMSIZ || strchr(name, '/'))
        return false;
    /* A multicast address is no station address (and the kernel says so
     * with a less helpful error). */
    return !(cfg->mac[0] & 1u);
}

struct xnftap *xnftap_create(const struct xnftap_config *cfg)
{
    struct xnftap *t;
    int rc;

    if (!cfg || !config_ok(cfg)) {
        errno = EINVAL;
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->fd = t->ep = -1;
    t->xnf = cfg->xnf;
    t->ec = cfg->ec;
    t->port = cfg->port;
    t->port_rx = cfg->port_rx;
    t->be = xnf_be_features(cfg->xnf);
    t->tap_armed = true;
    strcpy(t->ifname, cfg->ifname ? cfg->ifname : XNFTAP_IFNAME_DEFAULT);
    t->txbuf = aligned_alloc(64, XNFTAP_BUF + 64 - XNFTAP_BUF % 64);
    t->rxbuf = aligned_alloc(64, XNFTAP_BUF + 64 - XNFTAP_BUF % 64);
    if (!t->txbuf || !t->rxbuf) {
        rc = -ENOMEM;
        goto fail;
    }
    rc = tap_open_in(t, cfg);
    if (rc < 0)
        goto fail;
    return t;

fail:
    xnftap_destroy(t);
    errno = -rc;
    return NULL;
}

void xnftap_destroy(struct xnftap *t)
{
    if (!t)
        return;
    if (t->ep >= 0)
        close(t->ep);
    if (t->fd >= 0)
        close(t->fd);
    free(t->txbuf);
    free(t->rxbuf);
    free(t);
}

int xnftap_ifindex(const struct xnftap *t)
{
    return t->ifindex;
}

int xnftap_set_carrier(struct xnftap *t, bool up)
{
    return xvm_tap_set_carrier(t->fd, up);
}

unsigned xnftap_offloads(const struct xnftap *t)
{
    return t->offloads;
}

void xnftap_stats_get(const struct xnftap *t, struct xnftap_stats *st)
{
    *st = t->st;
}
