/* SPDX-License-Identifier: MIT */
/*
 * Host TAP ports: a VNIC that dom0 itself uses.  The switch opens
 * /dev/net/tun and reads and writes the fd directly, one frame per system
 * call, instead of going through net_tap: an ethdev per VNIC would hit
 * Debian DPDK's limit of 32 ethdevs, and net_tap also brings per-queue fds,
 * netlink and tc machinery a plain fd does not need.  The cost is a system
 * call per frame, which is fine for dom0's own traffic.
 *
 * The TAP carries a struct virtio_net_hdr in front of every frame
 * (IFF_VNET_HDR) and offers the kernel checksum and TCP segmentation
 * offload (TUNSETOFFLOAD), so the host's stack hands over large TCP
 * segments with a partial checksum instead of segmenting them itself, and
 * takes them back the same way.  A frame longer than one mbuf is read
 * into a buffer of the fast-path thread and copied into a chain.  On the switch the metadata rides on the
 * mbuf as a guest vif's does (VSW_PORT_F_OFFLOAD_META, gso.c):
 *
 *   VIRTIO_NET_HDR_F_NEEDS_CSUM   <-> RTE_MBUF_F_RX_L4_CKSUM_NONE
 *   VIRTIO_NET_HDR_F_DATA_VALID   <-> RTE_MBUF_F_RX_L4_CKSUM_GOOD
 *   VIRTIO_NET_HDR_GSO_TCPV4/6    <-> RTE_MBUF_F_RX_LRO, MSS in tso_segsz
 *
 * The mbuf has no room for csum_start and csum_offset: a partial checksum
 * is kept as metadata only where those are TCP's or UDP's after the IP
 * header (what the switch's parser finds again); any other is finished
 * here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "switch_pvt.h"
#include "vsw/port.h"
#include "xvm/tap.h"

#define VNET_HLEN ((uint32_t)sizeof(struct virtio_net_hdr))
/* The largest frame the kernel hands over: a 64 KiB segment and its
 * Ethernet header, a tag included. */
#define TAP_FRAME_MAX (65536u + 18u)
/* Most mbufs one frame may take (read or written). */
#define TAP_SEGS_MAX 64
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

struct tap_port {
    struct vsw_port port;
    struct rte_mempool *pool;
    uint16_t room;          /* data bytes of one mbuf */
    struct rte_mbuf *spare; /* allocated but unused by the last rx */
};

/* ---- the vnet header ------------------------------------------------- */

/* Finish the partial checksum of @m at @start (@off into the L4 header):
 * the field holds the pseudo-header sum.  @return 0 or -EINVAL. */
static int csum_finish(struct rte_mbuf *m, uint32_t start, uint32_t off)
{
    uint16_t sum = 0, c;

    if (start + off + 2 > m->data_len ||
        rte_raw_cksum_mbuf(m, start, m->pkt_len - start, &sum) != 0)
        return -EINVAL;
    c = (uint16_t)~sum;
    if (c == 0)
        c = 0xffff; /* as Linux: 0 would mean "none" to UDP */
    memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, start + off), &c, 2);
    return 0;
}

/* TAP -> switch: @h into @m's metadata.  @return 0 or -EINVAL. */
static int vnet_to_mbuf(const struct virtio_net_hdr *h, struct rte_mbuf *m)
{
    const uint8_t known =
        VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
    struct vsw_hdrs hd;
    bool parsed, l4_csum;

    if (h->flags & ~known)
        return -EINVAL;
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
            return -EINVAL;
        if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
            m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
        return 0;
    }
    parsed = vsw_hdrs_parse(m, &hd) == 0;
    l4_csum = parsed && h->csum_start == hd.l2 + hd.l3 &&
              h->csum_offset ==
                  (hd.proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF);
    if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        uint8_t ipv = h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4   ? 4
                      : h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6 ? 6
                                                                : 0;

        /* ECN and UDP segments are never offered (TUNSETOFFLOAD). */
        if (!ipv || !l4_csum || hd.ipv != ipv || hd.proto != IPPROTO_TCP ||
            h->gso_size == 0)
            return -EINVAL;
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_LRO;
        m->tso_segsz = h->gso_size;
        m->packet_type = RTE_PTYPE_L4_TCP | (ipv == 6 ? RTE_PTYPE_L3_IPV6
                                                      : RTE_PTYPE_L3_IPV4);
        return 0;
    }
    if (l4_csum) {
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
        return 0;
    }
    return csum_finish(m, h->csum_start, h->csum_offset);
}

/* Write the TCP pseudo-header sum (not complemented) into the checksum
 * field of @m, which is ours: what a large segment must carry. */
static void pseudo_write(struct rte_mbuf *m, const struct vsw_hdrs *hd)
{
    void *l3 = rte_pktmbuf_mtod_offset(m, void *, hd->l2);
    uint16_t ck = hd->ipv == 4 ? rte_ipv4_phdr_cksum(l3, 0)
                               : rte_ipv6_phdr_cksum(l3, 0);

    memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, hd->l2 + hd->l3 +
                                                      TCP_CSUM_OFF),
           &ck, 2);
}

/*
 * Switch -> TAP: @h from the metadata of *@mp.  A large segment without a
 * blank checksum (its field holds the whole checksum) gets the pseudo
 * header's sum written in, on a copy when the frame is shared.
 * @return 0, -EINVAL (headers not found) or -ENOBUFS.
 */
static int mbuf_to_vnet(struct rte_mbuf **mp, struct rte_mempool *pool,
                        struct virtio_net_hdr *h)
{
    struct rte_mbuf *m = *mp;
    uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
    bool blank = ck == RTE_MBUF_F_RX_L4_CKSUM_NONE;
    bool large = (m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz;
    struct vsw_hdrs hd;

    memset(h, 0, sizeof(*h));
    if (!blank && !large) {
        if (ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
            h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
        return 0;
    }
    if (vsw_hdrs_parse(m, &hd) < 0)
        return -EINVAL;
    if (large && hd.proto != IPPROTO_TCP)
        return -EINVAL;
    /* One segment's worth is a plain frame. */
    if (large && m->pkt_len > (uint32_t)hd.l2 + hd.l3 + hd.l4 + m->tso_segsz) {
        if (!blank) {
            if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) > 1) {
                struct rte_mbuf *c =
                    rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);

                if (!c)
                    return -ENOBUFS;
                rte_pktmbuf_free(m);
                *mp = m = c;
            }
            pseudo_write(m, &hd);
        }
        h->gso_type = hd.ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                  : VIRTIO_NET_HDR_GSO_TCPV6;
        h->gso_size = m->tso_segsz;
        h->hdr_len = (uint16_t)(hd.l2 + hd.l3 + hd.l4);
    } else if (!blank) {
        if (ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
            h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
        return 0;
    }
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = (uint16_t)(hd.l2 + hd.l3);
    h->csum_offset = hd.proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
    return 0;
}

/* ---- rx and tx ------------------------------------------------------- */

/* What does not fit in the first mbuf of a frame is read here, then
 * copied into a chain: one buffer per fast-path thread instead of a
 * chain's worth of idle mbufs per port (there may be thousands). */
static __thread uint8_t rx_rest[TAP_FRAME_MAX];

/* Move @len bytes of rx_rest behind @m as a chain.  @return 0 or
 * -ENOBUFS. */
static int rest_chain(struct tap_port *t, struct rte_mbuf *m, uint32_t len)
{
    struct rte_mbuf *segs[TAP_SEGS_MAX], *last = m;
    unsigned n = (len + t->room - 1) / t->room, i;
    uint32_t off = 0;

    if (n + 1 > TAP_SEGS_MAX || rte_pktmbuf_alloc_bulk(t->pool, segs, n))
        return -ENOBUFS;
    for (i = 0; i < n; i++) {
        uint16_t l = (uint16_t)(len - off < t->room ? len - off : t->room);

        memcpy(rte_pktmbuf_mtod(segs[i], void *), rx_rest + off, l);
        segs[i]->data_len = l;
        off += l;
        last->next = segs[i];
        last = segs[i];
    }
    m->nb_segs = (uint16_t)(n + 1);
    m->pkt_len += len;
    return 0;
}

static uint16_t tap_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct tap_port *t = container_of(port, struct tap_port, port);
    struct virtio_net_hdr h;
    uint16_t got = 0, tries;

    for (tries = 0; tries < n; tries++) {
        struct rte_mbuf *m = t->spare ? t->spare : rte_pktmbuf_alloc(t->pool);
        struct iovec iov[3];
        uint32_t len;
        ssize_t r;

        t->spare = NULL;
        if (!m)
            break; /* the fd stays readable: we come back */
        iov[0] = (struct iovec){&h, VNET_HLEN};
        iov[1] = (struct iovec){rte_pktmbuf_mtod(m, void *), t->room};
        iov[2] = (struct iovec){rx_rest, sizeof(rx_rest)};
        r = readv(port->rx_fd, iov, 3);
        if (r <= (ssize_t)(VNET_HLEN + RTE_ETHER_HDR_LEN)) {
            t->spare = m; /* nothing read, or a runt */
            if (r <= 0)
                break;
            continue;
        }
        len = (uint32_t)r - VNET_HLEN;
        m->data_len = (uint16_t)(len < t->room ? len : t->room);
        m->pkt_len = m->data_len;
        if ((len > t->room && rest_chain(t, m, len - t->room) < 0) ||
            vnet_to_mbuf(&h, m) < 0) {
            rte_pktmbuf_free(m);
            continue;
        }
        pkts[got++] = m;
    }
    return got;
}

/* Write @m after @h with one writev. */
static ssize_t tap_write(int fd, const struct virtio_net_hdr *h,
                         const struct rte_mbuf *m)
{
    struct iovec iov[TAP_SEGS_MAX + 1];
    int n = 1;

    iov[0].iov_base = (void *)h;
    iov[0].iov_len = VNET_HLEN;
    for (; m && n <= TAP_SEGS_MAX; m = m->next, n++) {
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
    struct tap_port *t = container_of(port, struct tap_port, port);
    struct virtio_net_hdr h;
    uint16_t i;
    int rc;

    for (i = 0; i < n; i++) {
        rc = mbuf_to_vnet(&pkts[i], t->pool, &h);
        if (rc < 0) {
            *why = rc == -ENOBUFS ? VSW_DROP_NOBUF : VSW_DROP_VIF_ERROR;
            break;
        }
        if (tap_write(port->rx_fd, &h, pkts[i]) < 0) {
            *why = (errno == EAGAIN || errno == ENOBUFS) ? VSW_DROP_NOBUF
                                                         : VSW_DROP_VIF_ERROR;
            break;
        }
        rte_pktmbuf_free(pkts[i]);
    }
    return i;
}

/* ---- the host interface ---------------------------------------------- */

/* Through the fd: this works wherever the interface has been moved, and
 * while it is up. */
static int tap_set_mac_fd(int fd, const uint8_t mac[6])
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    return ioctl(fd, SIOCSIFHWADDR, &ifr) < 0 ? -errno : 0;
}

static int tap_set_mac(struct vsw_port *port, const uint8_t mac[6])
{
    return tap_set_mac_fd(port->rx_fd, mac);
}

static int tap_set_carrier(struct vsw_port *port, bool up)
{
    return xvm_tap_set_carrier(port->rx_fd, up);
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
    .set_mac = tap_set_mac,
    .set_carrier = tap_set_carrier,
    .destroy = tap_destroy,
};

static bool ifname_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < IFNAMSIZ && strcmp(s, ".") != 0 &&
           strcmp(s, "..") != 0 && strpbrk(s, "/: \t\n") == NULL;
}

struct vsw_port *vsw_port_tap_open(const char *ifname, const uint8_t mac[6],
                                   struct rte_mempool *pool)
{
    struct tap_port *t;
    uint16_t room;
    int fd, rc;

    if (!ifname || !ifname_ok(ifname) || !pool) {
        errno = EINVAL;
        return NULL;
    }
    room = (uint16_t)(rte_pktmbuf_data_room_size(pool) -
                      RTE_PKTMBUF_HEADROOM);
    if (room < RTE_ETHER_MAX_LEN ||
        (TAP_FRAME_MAX + room - 1) / room > TAP_SEGS_MAX) {
        errno = EINVAL;
        return NULL;
    }
    /* Never attach to an interface someone else made. */
    fd = xvm_tap_open(ifname, XVM_TAP_NONBLOCK | XVM_TAP_EXCL);
    if (fd < 0) {
        errno = -fd;
        return NULL;
    }
    rc = xvm_tap_vnet(fd, (int)VNET_HLEN,
                      TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
    if (rc == 0)
        rc = tap_set_mac_fd(fd, mac);
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
    t->port.flags = VSW_PORT_F_OFFLOAD_META | VSW_PORT_F_GRO;
    t->pool = pool;
    t->room = room;
    return &t->port;

close_fd:
    close(fd);
    errno = -rc;
    return NULL;
}
