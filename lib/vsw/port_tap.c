/* SPDX-License-Identifier: MIT */
/*
 * Host TAP ports: a VNIC that dom0 itself uses.  The switch opens
 * /dev/net/tun and reads and writes the fd directly, one frame per system
 * call, instead of going through net_tap: an ethdev per VNIC would hit
 * Debian DPDK's limit of 32 ethdevs, and net_tap also brings per-queue fds,
 * netlink and tc machinery a plain fd does not need.  The cost is a system
 * call per frame, which is fine for dom0's own traffic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vsw/port.h"

/* Frames of up to this many segments are written with one writev. */
#define TAP_IOV_MAX 8

struct tap_port {
    struct vsw_port port;
    struct rte_mempool *pool;
    struct rte_mbuf *spare; /* allocated but unused by the last rx */
};

static uint16_t tap_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct tap_port *t = container_of(port, struct tap_port, port);
    uint16_t i;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = t->spare ? t->spare : rte_pktmbuf_alloc(t->pool);
        ssize_t r;

        t->spare = NULL;
        if (!m)
            break; /* the fd stays readable: we come back */
        r = read(port->rx_fd, rte_pktmbuf_mtod(m, void *),
                 rte_pktmbuf_tailroom(m));
        if (r <= 0) {
            t->spare = m;
            break;
        }
        m->data_len = (uint16_t)r;
        m->pkt_len = (uint32_t)r;
        pkts[i] = m;
    }
    return i;
}

static ssize_t tap_write(int fd, const struct rte_mbuf *m)
{
    struct iovec iov[TAP_IOV_MAX];
    int n = 0;

    if (m->nb_segs == 1)
        return write(fd, rte_pktmbuf_mtod(m, const void *), m->data_len);
    for (; m && n < TAP_IOV_MAX; m = m->next, n++) {
        iov[n].iov_base = rte_pktmbuf_mtod(m, void *);
        iov[n].iov_len = m->data_len;
    }
    if (m) {
        errno = EMSGSIZE;
        return -1;
    }
    return writev(fd, iov, n);
}

static uint16_t tap_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    uint16_t i;

    for (i = 0; i < n; i++) {
        if (tap_write(port->rx_fd, pkts[i]) < 0) {
            *why = (errno == EAGAIN || errno == ENOBUFS) ? VSW_DROP_NOBUF
                                                         : VSW_DROP_VIF_ERROR;
            break;
        }
        rte_pktmbuf_free(pkts[i]);
    }
    return i;
}

static void tap_destroy(struct vsw_port *port)
{
    struct tap_port *t = container_of(port, struct tap_port, port);

    rte_pktmbuf_free(t->spare);
    close(port->rx_fd);
    free(t);
}

static const struct vsw_port_ops tap_ops = {
    .kind = "tap",
    .rx = tap_rx,
    .tx = tap_tx,
    .destroy = tap_destroy,
};

static bool ifname_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < IFNAMSIZ && strcmp(s, ".") != 0 &&
           strcmp(s, "..") != 0 && strpbrk(s, "/: \t\n") == NULL;
}

/* Give the interface @mac and bring it up. */
static int tap_setup(const char *ifname, const uint8_t mac[6])
{
    struct ifreq ifr;
    int s, rc = 0;

    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, ifname);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0 ||
        ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        rc = -errno;
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            rc = -errno;
    }
    close(s);
    return rc;
}

struct vsw_port *vsw_port_tap_open(const char *ifname, const uint8_t mac[6],
                                   struct rte_mempool *pool)
{
    struct tap_port *t;
    struct ifreq ifr;
    int fd, rc;

    if (!ifname || !ifname_ok(ifname) || !pool) {
        errno = EINVAL;
        return NULL;
    }
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    memset(&ifr, 0, sizeof(ifr));
    /* IFF_TUN_EXCL: never attach to an interface someone else made. */
    ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL);
    strcpy(ifr.ifr_name, ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        rc = errno == EBUSY ? -EEXIST : -errno;
        goto close_fd;
    }
    rc = tap_setup(ifname, mac);
    if (rc < 0)
        goto close_fd;
    t = calloc(1, sizeof(*t));
    if (!t) {
        rc = -ENOMEM;
        goto close_fd;
    }
    t->port.ops = &tap_ops;
    snprintf(t->port.name, sizeof(t->port.name), "%s", ifname);
    t->port.rx_fd = fd;
    t->port.wake_fd = -1;
    t->pool = pool;
    return &t->port;

close_fd:
    close(fd);
    errno = -rc;
    return NULL;
}
