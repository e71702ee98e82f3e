/* SPDX-License-Identifier: MIT */
/*
 * A host NIC shared between the host's stack and the switch (see
 * vsw/xdp_share.h for the design): the wire port of such a link wraps
 *  - a net_af_xdp ethdev on rx queue 0, which loads and attaches our XDP
 *    program (xdp_share.bpf.c, embedded here as xsh_bpf_obj and handed to
 *    the PMD as /proc/self/fd/<memfd>), for the VNICs' unicast, and what
 *    the switch sends;
 *  - an AF_PACKET socket (TPACKET_V2 ring, so an idle poll costs no system
 *    call) that takes the broadcast and multicast frames the program
 *    passed to the host, for the switch's copy.
 * After the PMD attached the program, we find it on the NIC and open its
 * maps by name: the VNIC map is how the manager steers frames.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_ether.h>

#include "vsw/pool.h"
#include "vsw/xdp_share.h"
#include "xdp_share_pvt.h"
#include "xvm/log.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#ifdef VSW_XDP_SHARE_BPF
/* The compiled program (generated from xdp_share.bpf.c at build time). */
extern const unsigned char xsh_bpf_obj[];
extern const unsigned long xsh_bpf_obj_len;
#endif

/* The broadcast socket's ring: 512 frames of 2 KiB. */
#define RING_FRAME 2048u
#define RING_BLOCK (64u * 1024u)
#define RING_BLOCKS 16u
#define RING_FRAMES (RING_BLOCK / RING_FRAME * RING_BLOCKS)

/* AF_XDP sockets noted at open (the PMD makes one per queue, we use one),
 * and at most in the process (one per NIC shared). */
#define XSK_MAX 8
#define XSK_ALL 1024

struct xsh_port {
    struct vsw_port port;
    struct vsw_port *eth; /* the net_af_xdp ethdev */
    struct rte_mempool *pool;
    int ifindex;
    char ifname[IF_NAMESIZE];
    uint32_t prog_id;
    uint32_t map_ids[3];
    int vnics_fd, stats_fd;
    /* The broadcast socket and its ring. */
    int pkt_fd;
    uint8_t *ring;
    uint32_t ring_next;
    uint64_t group_rx, group_lost; /* fast path */
    uint64_t sock_drops;           /* control thread (PACKET_STATISTICS) */
    /* The AF_XDP sockets the PMD made (inodes), checked at close. */
    unsigned long xsk_ino[XSK_MAX];
    int nxsk;
    /* What to give back at close. */
    bool was_promisc;
    bool rxvlan_off;
};

static const struct vsw_port_ops xsh_ops;

/* ---- the broadcast socket ---- */

static uint16_t group_rx(struct xsh_port *x, struct rte_mbuf **pkts,
                         uint16_t n)
{
    uint16_t got = 0;

    while (got < n) {
        struct tpacket2_hdr *h =
            (void *)(x->ring + (size_t)x->ring_next * RING_FRAME);
        uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
        struct rte_mbuf *m;

        if (!(st & TP_STATUS_USER))
            break;
        m = rte_pktmbuf_alloc(x->pool);
        if (!m || h->tp_snaplen != h->tp_len ||
            h->tp_snaplen > rte_pktmbuf_tailroom(m) ||
            ((st & TP_STATUS_VLAN_VALID) &&
             (st & TP_STATUS_VLAN_TPID_VALID) &&
             h->tp_vlan_tpid != RTE_ETHER_TYPE_VLAN)) {
            /* No mbuf, cut short, or a tag we do not switch (802.1ad). */
            rte_pktmbuf_free(m);
            x->group_lost++;
        } else {
            memcpy(rte_pktmbuf_mtod(m, void *), (uint8_t *)h + h->tp_mac,
                   h->tp_snaplen);
            m->data_len = (uint16_t)h->tp_snaplen;
            m->pkt_len = h->tp_snaplen;
            if (st & TP_STATUS_VLAN_VALID) {
                /* The kernel took the tag off into metadata. */
                m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
                m->vlan_tci = h->tp_vlan_tci;
            }
            pkts[got++] = m;
            x->group_rx++;
        }
        __atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        x->ring_next = (x->ring_next + 1) % RING_FRAMES;
    }
    return got;
}

/*
 * Received frames with the group bit only: "ldb [0]; jset #1; ret all;
 * ret 0".  Outgoing ones are ignored by PACKET_IGNORE_OUTGOING.
 */
static int group_socket(struct xsh_port *x)
{
    static struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0x40000),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct sock_fprog prog = {.len = 4, .filter = code};
    struct tpacket_req req = {
        .tp_block_size = RING_BLOCK,
        .tp_block_nr = RING_BLOCKS,
        .tp_frame_size = RING_FRAME,
        .tp_frame_nr = RING_FRAMES,
    };
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = x->ifindex,
    };
    int one = 1, v2 = TPACKET_V2, fd;
    void *ring;

    /* Protocol 0: nothing arrives before the filter and bind. */
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) <
            0 ||
        setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                   sizeof(one)) < 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) < 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
        goto fail;
    ring = mmap(NULL, (size_t)RING_BLOCK * RING_BLOCKS, PROT_READ | PROT_WRITE,
                MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED)
        goto fail;
    if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        int e = errno;

        munmap(ring, (size_t)RING_BLOCK * RING_BLOCKS);
        close(fd);
        return -e;
    }
    x->pkt_fd = fd;
    x->ring = ring;
    return 0;
fail:
    {
        int e = errno;

        close(fd);
        return -e;
    }
}

/* ---- the port ---- */

static uint16_t xsh_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct xsh_port *x = container_of(port, struct xsh_port, port);
    uint16_t got = x->eth->ops->rx(x->eth, pkts, n);

    if (got < n)
        got += group_rx(x, pkts + got, n - got);
    return got;
}

static uint16_t xsh_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    struct xsh_port *x = container_of(port, struct xsh_port, port);

    return x->eth->ops->tx(x->eth, pkts, n, why);
}

static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

    if (fd < 0)
        return -errno;
    rc = ioctl(fd, req, ifr) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

static int iface_flags(const char *ifname, short *flags, bool set)
{
    struct ifreq ifr;
    int rc;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (!set) {
        rc = if_ioctl(SIOCGIFFLAGS, &ifr);
        *flags = ifr.ifr_flags;
        return rc;
    }
    ifr.ifr_flags = *flags;
    return if_ioctl(SIOCSIFFLAGS, &ifr);
}

/* The legacy ethtool flags (ETH_FLAG_RXVLAN: rx-vlan-hw-parse). */
static int ethtool_flags(const char *ifname, uint32_t *flags, bool set)
{
    struct ethtool_value ev = {.cmd = set ? ETHTOOL_SFLAGS : ETHTOOL_GFLAGS,
                               .data = set ? *flags : 0};
    struct ifreq ifr;
    int rc;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    ifr.ifr_data = (void *)&ev;
    rc = if_ioctl(SIOCETHTOOL, &ifr);
    if (rc == 0 && !set)
        *flags = ev.data;
    return rc;
}

/*
 * Call @fn(fd, target, arg) for each descriptor of this process, target
 * what /proc/self/fd says it is ("socket:[123]", "anon_inode:bpf-map");
 * @fn may close the descriptor.  The PMD's leftovers are found this way:
 * it keeps no list we could ask.
 */
static void fd_walk(void (*fn)(int fd, const char *target, void *arg),
                    void *arg)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[64], target[64];
        int fd = atoi(e->d_name);
        ssize_t len;

        if (e->d_name[0] == '.' || fd == dirfd(d))
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        len = readlink(path, target, sizeof(target) - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        fn(fd, target, arg);
    }
    closedir(d);
}

/* An AF_XDP socket: its inode, else 0. */
static unsigned long xsk_ino(int fd, const char *target)
{
    unsigned long ino;
    int dom = 0;
    socklen_t dl = sizeof(dom);

    if (sscanf(target, "socket:[%lu]", &ino) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dl) < 0 ||
        dom != AF_XDP)
        return 0;
    return ino;
}

/*
 * Close the program's and maps' descriptors the PMD leaves open (DPDK
 * 22.11 never closes the bpf_object it loaded), so that the kernel frees
 * the program once it is detached.  Only descriptors of our ids.
 */
static void leftover_fd(int fd, const char *target, void *arg)
{
    const struct xsh_port *x = arg;
    unsigned i;

    if (strcmp(target, "anon_inode:bpf-prog") == 0) {
        struct bpf_prog_info pi;
        uint32_t plen = sizeof(pi);

        memset(&pi, 0, sizeof(pi));
        if (bpf_obj_get_info_by_fd(fd, &pi, &plen) == 0 &&
            pi.id == x->prog_id)
            close(fd);
    } else if (strcmp(target, "anon_inode:bpf-map") == 0) {
        struct bpf_map_info mi;
        uint32_t mlen = sizeof(mi);

        memset(&mi, 0, sizeof(mi));
        if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) != 0 ||
            fd == x->vnics_fd || fd == x->stats_fd)
            return;
        for (i = 0; i < 3; i++)
            if (mi.id && mi.id == x->map_ids[i]) {
                close(fd);
                break;
            }
    }
}

static void close_leftover_fds(const struct xsh_port *x)
{
    fd_walk(leftover_fd, (void *)x);
}

/* ---- what net_af_xdp leaves at close ---- */

/*
 * DPDK 22.11's net_af_xdp never deletes the UMEM at close (it tests its
 * reference count one too low), and the UMEM's descriptor is also the
 * AF_XDP socket of queue 0: that socket stays open and bound to the NIC's
 * queue, so the next bind there fails (EBUSY), and the mbufs in its rings
 * (the fill ring holds 2048 of the packet pool's at any time) are never
 * given back.  Open notes the AF_XDP sockets the PMD made (by inode);
 * once the ethdev is closed, any of them still open is mapped again ring
 * by ring, the mbufs the rings hold go back to the pool, and it is
 * closed.  A PMD that closed its socket itself leaves nothing to do.
 */

enum { RING_RX, RING_TX, RING_FILL, RING_COMP, RINGS };

struct ino_list {
    unsigned long *ino;
    int n, max;
};

static void note_xsk(int fd, const char *target, void *arg)
{
    struct ino_list *l = arg;
    unsigned long ino = xsk_ino(fd, target);

    if (ino && l->n < l->max)
        l->ino[l->n++] = ino;
}

/* The AF_XDP sockets open in this process: their inodes into @ino (at
 * most @max).  @return how many. */
static int xsk_inodes(unsigned long *ino, int max)
{
    struct ino_list l = {ino, 0, max};

    fd_walk(note_xsk, &l);
    return l.n;
}

/*
 * How many entries a ring of the socket @fd has, of @esz bytes after
 * @desc, from the largest mapping the kernel allows at @pgoff: the ring's
 * allocation, a page more than the entries where the kernel rounds it to
 * pages, twice the entries where it takes a power of two of pages.
 * @return 0 when there is no such ring or the count cannot be told.
 */
static uint32_t ring_entries(int fd, off_t pgoff, size_t esz)
{
    size_t page = (size_t)getpagesize(), lo = 0, hi = 1, n1, n2;

    /* lo pages map, hi pages do not (at most 1 GiB). */
    for (;;) {
        void *p = mmap(NULL, hi * page, PROT_READ, MAP_SHARED, fd, pgoff);

        if (p == MAP_FAILED)
            break;
        munmap(p, hi * page);
        lo = hi;
        hi *= 2;
        if (hi > (1u << 18))
            return 0;
    }
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        void *p = mmap(NULL, mid * page, PROT_READ, MAP_SHARED, fd, pgoff);

        if (p == MAP_FAILED) {
            hi = mid;
        } else {
            munmap(p, mid * page);
            lo = mid;
        }
    }
    if (lo < 2)
        return 0; /* none, or one page: too small to tell */
    n1 = (lo - 1) * page / esz;
    n2 = lo * page / 2 / esz;
    if (n1 && !(n1 & (n1 - 1)))
        return (uint32_t)n1;
    if (n2 && !(n2 & (n2 - 1)))
        return (uint32_t)n2;
    return 0;
}

/*
 * The mbuf of the packet pool whose buffer is the UMEM's chunk at @addr,
 * as net_af_xdp places them (the UMEM starts at the page of the pool's
 * first object; a chunk is an object from its header), or NULL.  @seen
 * has a bit per object, so that none is given back twice.
 */
static struct rte_mbuf *umem_mbuf(const struct rte_mempool *pool,
                                  uint64_t addr, uint8_t *seen)
{
    const struct rte_mempool_memhdr *h = STAILQ_FIRST(&pool->mem_list);
    size_t obj = pool->header_size + pool->elt_size + pool->trailer_size;
    uintptr_t first = (uintptr_t)h->addr, m, i;
    struct rte_mbuf *mb;

    m = (first & ~((uintptr_t)getpagesize() - 1)) +
        (uintptr_t)(addr & XSK_UNALIGNED_BUF_ADDR_MASK) + pool->header_size;
    if (m < first + pool->header_size || m >= first + h->len ||
        (m - first - pool->header_size) % obj != 0)
        return NULL;
    i = (m - first - pool->header_size) / obj;
    if (i >= pool->populated_size || (seen[i / 8] & (1u << (i % 8))))
        return NULL;
    mb = (struct rte_mbuf *)m;
    if (mb->pool != pool)
        return NULL;
    seen[i / 8] |= (uint8_t)(1u << (i % 8));
    return mb;
}

/* Give the pool back the mbufs that lie in the rings of the socket @fd.
 * @return how many of its rings could be mapped (0: none, a kernel before
 * 6.4 refuses to map a bound socket's rings again). */
static unsigned xsk_take_back(struct xsh_port *x, int fd)
{
    static const off_t pgoff[RINGS] = {
        XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING, XDP_UMEM_PGOFF_FILL_RING,
        XDP_UMEM_PGOFF_COMPLETION_RING};
    struct xdp_mmap_offsets off;
    socklen_t ol = sizeof(off);
    struct rte_mbuf **back = NULL;
    size_t nback = 0, max = 0;
    uint8_t *seen;
    unsigned r, mapped = 0;

    /* Only a UMEM that is the packet pool (open checked it is packed). */
    if (!vsw_pool_packed(x->pool) ||
        getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol) < 0)
        return 0;
    seen = calloc(x->pool->populated_size / 8 + 1, 1);
    if (!seen)
        return 0;
    for (r = 0; r < RINGS; r++) {
        const struct xdp_ring_offset *ro = r == RING_RX     ? &off.rx
                                           : r == RING_TX   ? &off.tx
                                           : r == RING_FILL ? &off.fr
                                                            : &off.cr;
        size_t esz = r == RING_RX || r == RING_TX ? sizeof(struct xdp_desc)
                                                  : sizeof(uint64_t);
        uint32_t n = ring_entries(fd, pgoff[r], esz), prod, cons;
        size_t len = ro->desc + (size_t)n * esz;
        struct rte_mbuf **nb;
        uint8_t *p;

        if (n == 0)
            continue;
        p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, pgoff[r]);
        if (p == MAP_FAILED)
            continue;
        mapped++;
        prod = __atomic_load_n((uint32_t *)(p + ro->producer),
                               __ATOMIC_ACQUIRE);
        cons = __atomic_load_n((uint32_t *)(p + ro->consumer),
                               __ATOMIC_ACQUIRE);
        nb = prod - cons <= n ? realloc(back, (max + n) * sizeof(*back))
                              : NULL;
        if (nb) {
            back = nb;
            max += n;
        }
        /* Between consumer and producer: the fill ring's the kernel has
         * not used, the rx ring's the PMD has not read, the tx ring's the
         * kernel has not sent, the completion ring's the PMD has not
         * freed.  Each is an mbuf of the pool no one else holds. */
        for (; nb && cons != prod; cons++) {
            uint32_t i = cons & (n - 1);
            uint64_t addr =
                esz == sizeof(uint64_t)
                    ? ((const uint64_t *)(p + ro->desc))[i]
                    : ((const struct xdp_desc *)(p + ro->desc))[i].addr;
            struct rte_mbuf *m = umem_mbuf(x->pool, addr, seen);

            if (m)
                back[nback++] = m;
        }
        munmap(p, len);
    }
    while (nback)
        rte_pktmbuf_free(back[--nback]);
    free(back);
    free(seen);
    return mapped;
}

/*
 * The kernel lets go of a closed socket's queue later (the socket is
 * freed after an RCU grace period, its buffer pool in a work item): until
 * then a bind there fails with EBUSY, and net_af_xdp's failed open loses
 * the mbufs it had put in its fill ring.  The netdev generic netlink
 * family tells whether a queue has an AF_XDP socket's pool (queue-get's
 * xsk, Linux 6.10 on).  Its numbers, from the kernel's netdev.h:
 */
#define NETDEV_GENL_NAME "netdev"
#define NETDEV_CMD_QUEUE_GET 10
#define NETDEV_A_QUEUE_ID 1
#define NETDEV_A_QUEUE_IFINDEX 2
#define NETDEV_A_QUEUE_TYPE 3
#define NETDEV_A_QUEUE_XSK 7
#define NETDEV_QUEUE_TYPE_RX 0

static size_t nl_attr(uint8_t *at, uint16_t type, const void *data,
                      uint16_t len)
{
    struct nlattr *a = (struct nlattr *)at;

    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    memcpy(at + NLA_HDRLEN, data, len);
    return NLA_ALIGN(a->nla_len);
}

/* One generic netlink request on @fd; the reply's attributes into @buf.
 * @return their length, or -1 (an error, or no reply). */
static int genl_do(int fd, uint16_t family, uint8_t cmd, const uint8_t *attrs,
                   size_t alen, uint8_t *buf, size_t blen)
{
    uint8_t req[256];
    struct nlmsghdr *h = (struct nlmsghdr *)req;
    struct genlmsghdr *g = NLMSG_DATA(h);
    ssize_t n;

    memset(req, 0, sizeof(req));
    h->nlmsg_len = (uint32_t)NLMSG_LENGTH(GENL_HDRLEN + alen);
    h->nlmsg_type = family;
    h->nlmsg_flags = NLM_F_REQUEST;
    g->cmd = cmd;
    g->version = 1;
    memcpy((uint8_t *)g + GENL_HDRLEN, attrs, alen);
    if (send(fd, req, h->nlmsg_len, 0) < 0)
        return -1;
    n = recv(fd, buf, blen, 0);
    h = (struct nlmsghdr *)buf;
    if (n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || !NLMSG_OK(h, n) ||
        h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE)
        return -1;
    n = (ssize_t)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
    memmove(buf, (uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN, (size_t)n);
    return (int)n;
}

/* Whether the attributes @at (@len bytes) have one of @type; its data. */
static const void *nl_find(const uint8_t *at, int len, uint16_t type)
{
    while (len >= NLA_HDRLEN) {
        const struct nlattr *a = (const struct nlattr *)at;

        if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
            break;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            return at + NLA_HDRLEN;
        at += NLA_ALIGN(a->nla_len);
        len -= NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

/* Whether rx queue 0 of @ifindex has an AF_XDP socket's pool: 1, 0, or
 * -1 when the kernel does not say. */
static int queue_has_xsk(int ifindex)
{
    uint8_t at[64], buf[1024];
    const void *v;
    uint32_t u;
    uint16_t family;
    size_t alen;
    int fd, n, rc = -1;

    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0)
        return -1;
    alen = nl_attr(at, CTRL_ATTR_FAMILY_NAME, NETDEV_GENL_NAME,
                   sizeof(NETDEV_GENL_NAME));
    n = genl_do(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, at, alen, buf,
                sizeof(buf));
    if (n > 0 && (v = nl_find(buf, n, CTRL_ATTR_FAMILY_ID)) != NULL) {
        memcpy(&family, v, sizeof(family));
        u = (uint32_t)ifindex;
        alen = nl_attr(at, NETDEV_A_QUEUE_IFINDEX, &u, sizeof(u));
        u = NETDEV_QUEUE_TYPE_RX;
        alen += nl_attr(at + alen, NETDEV_A_QUEUE_TYPE, &u, sizeof(u));
        u = 0;
        alen += nl_attr(at + alen, NETDEV_A_QUEUE_ID, &u, sizeof(u));
        n = genl_do(fd, family, NETDEV_CMD_QUEUE_GET, at, alen, buf,
                    sizeof(buf));
        if (n >= 0)
            rc = nl_find(buf, n, NETDEV_A_QUEUE_XSK) != NULL;
    }
    close(fd);
    return rc;
}

/* Wait (at most 2 s) until the kernel has let go of the NIC's queue;
 * @said: whether it reported our socket there before we closed it (else
 * it cannot tell us, and we give it 100 ms). */
static void queue_released_wait(int ifindex, bool said)
{
    struct timespec ms = {.tv_nsec = 1000000};
    int i;

    if (!said) {
        ms.tv_nsec = 100000000;
        nanosleep(&ms, NULL);
        return;
    }
    for (i = 0; i < 2000 && queue_has_xsk(ifindex) == 1; i++)
        nanosleep(&ms, NULL);
}

struct leftover {
    struct xsh_port *x;
    bool attached; /* our program still on the NIC */
    bool closed;
};

static void leftover_socket(int fd, const char *target, void *arg)
{
    struct leftover *l = arg;
    struct xsh_port *x = l->x;
    unsigned long ino = xsk_ino(fd, target);
    int i;

    for (i = 0; ino && i < x->nxsk; i++) {
        if (x->xsk_ino[i] != ino)
            continue;
        if (l->attached)
            xvm_log_warn("NIC %s: our XDP program is still on it: the "
                         "buffers of the AF_XDP socket net_af_xdp left are "
                         "not given back", x->ifname);
        else if (xsk_take_back(x, fd) == 0)
            xvm_log_warn("NIC %s: the AF_XDP socket net_af_xdp left cannot "
                         "be mapped again (a kernel before 6.4): the buffers "
                         "it held are lost to the packet pool", x->ifname);
        close(fd);
        l->closed = true;
        return;
    }
}

/* Close the AF_XDP sockets the PMD made and left open, the mbufs in
 * their rings given back first (unless our program is still on the NIC:
 * it could still steer frames into those rings, so they stay lost rather
 * than be given back under the kernel); then wait until the kernel lets
 * go of the queue. */
static void close_leftover_sockets(struct xsh_port *x)
{
    struct leftover l = {.x = x};
    uint32_t id = 0;
    bool said;

    if (x->nxsk == 0)
        return;
    said = queue_has_xsk(x->ifindex) == 1;
    l.attached = x->prog_id && bpf_xdp_query_id(x->ifindex, 0, &id) == 0 &&
                 id == x->prog_id;
    fd_walk(leftover_socket, &l);
    if (l.closed)
        queue_released_wait(x->ifindex, said);
}

/* The NIC's state before the switch took it, as the owner entry says it. */
static uint32_t owner_flags(const struct xsh_port *x)
{
    return (x->was_promisc ? XSH_OWNER_WAS_PROMISC : 0) |
           (x->rxvlan_off ? XSH_OWNER_RXVLAN_OFF : 0);
}

/* Give @ifname back what the switch changed (@owner: owner_flags()), at
 * close or for a switch that died holding it. */
static void owner_restore(const char *ifname, uint32_t owner)
{
    if (!(owner & XSH_OWNER_WAS_PROMISC)) {
        short fl;

        if (iface_flags(ifname, &fl, false) == 0 && (fl & IFF_PROMISC)) {
            fl &= ~IFF_PROMISC;
            iface_flags(ifname, &fl, true);
        }
    }
    if (owner & XSH_OWNER_RXVLAN_OFF) {
        uint32_t fl;

        if (ethtool_flags(ifname, &fl, false) == 0) {
            fl |= ETH_FLAG_RXVLAN;
            ethtool_flags(ifname, &fl, true);
        }
    }
}

static void xsh_destroy(struct vsw_port *port)
{
    struct xsh_port *x = container_of(port, struct xsh_port, port);
    uint32_t id = 0;

    if (x->ring)
        munmap(x->ring, (size_t)RING_BLOCK * RING_BLOCKS);
    if (x->pkt_fd >= 0)
        close(x->pkt_fd);
    /* net_af_xdp's close deletes the socket and detaches the program. */
    vsw_port_destroy(x->eth);
    if (x->prog_id && bpf_xdp_query_id(x->ifindex, 0, &id) == 0 &&
        id == x->prog_id) {
        /* It did not: take ours off, and only ours. */
        int pfd = bpf_prog_get_fd_by_id(x->prog_id);
        LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = pfd);

        if (pfd >= 0) {
            bpf_xdp_detach(x->ifindex, XDP_FLAGS_REPLACE, &o);
            close(pfd);
        }
    }
    if (x->vnics_fd >= 0)
        close(x->vnics_fd);
    if (x->stats_fd >= 0)
        close(x->stats_fd);
    if (x->prog_id)
        close_leftover_fds(x);
    close_leftover_sockets(x);
    owner_restore(x->ifname, owner_flags(x));
    free(x);
}

static int xsh_ucast_add(struct vsw_port *port, const uint8_t mac[6],
                         uint16_t vid)
{
    return vsw_xdp_share_add(port, mac, vid);
}

static void xsh_ucast_del(struct vsw_port *port, const uint8_t mac[6],
                          uint16_t vid)
{
    vsw_xdp_share_del(port, mac, vid);
}

/* The switch keeps the VNIC map in step through ucast_add/del: a link
 * whose wire this is steers each of its VNICs' (MAC, VID) to itself. */
static const struct vsw_port_ops xsh_ops = {
    .kind = "xdp-share",
    .rx = xsh_rx,
    .tx = xsh_tx,
    .ucast_add = xsh_ucast_add,
    .ucast_del = xsh_ucast_del,
    .destroy = xsh_destroy,
};

/* ---- open ---- */

const char *vsw_xdp_why_str(enum vsw_xdp_why why)
{
    switch (why) {
    case VSW_XDP_OK:
        return "shared";
    case VSW_XDP_NOT_BUILT:
        return "built without the XDP program (no clang)";
    case VSW_XDP_NO_IFACE:
        return "no such interface";
    case VSW_XDP_NO_AF_XDP:
        return "the kernel has no AF_XDP sockets";
    case VSW_XDP_BUSY:
        return "another XDP program is attached to the interface";
    case VSW_XDP_MULTIQUEUE:
        return "the interface has more than one rx queue";
    case VSW_XDP_ATTACH:
        return "net_af_xdp could not attach the program or open the socket";
    case VSW_XDP_NO_MAP:
        return "the XDP program's maps were not found";
    case VSW_XDP_SOCKET:
        return "the broadcast socket could not be opened";
    case VSW_XDP_POOL:
        return "the packet pool is not one packed area (AF_XDP's UMEM)";
    }
    return "unknown";
}

const char *vsw_xdp_mode_str(enum vsw_xdp_mode mode)
{
    return mode == VSW_XDP_MODE_NATIVE    ? "native"
           : mode == VSW_XDP_MODE_GENERIC ? "generic"
                                          : "none";
}

static uint32_t rx_queues(const char *ifname)
{
    char path[96];
    struct dirent *e;
    uint32_t n = 0;
    DIR *d;

    snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
    d = opendir(path);
    if (!d)
        return 1;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "rx-", 3) == 0)
            n++;
    closedir(d);
    return n ? n : 1;
}

static enum vsw_xdp_mode mode_of(uint8_t attach_mode)
{
    return attach_mode == XDP_ATTACHED_DRV   ? VSW_XDP_MODE_NATIVE
           : attach_mode == XDP_ATTACHED_SKB ? VSW_XDP_MODE_GENERIC
                                             : VSW_XDP_MODE_NONE;
}

/* Program @pfd's info, its map ids in @ids (8 at most). */
static int prog_info(int pfd, struct bpf_prog_info *pi, uint32_t ids[8])
{
    uint32_t len = sizeof(*pi);

    memset(pi, 0, sizeof(*pi));
    pi->nr_map_ids = 8;
    pi->map_ids = (uint64_t)(uintptr_t)ids;
    if (bpf_obj_get_info_by_fd(pfd, pi, &len) < 0)
        return -errno;
    if (pi->nr_map_ids > 8)
        pi->nr_map_ids = 8;
    return 0;
}

/* Map @id opened, its info in @mi: @return its fd, or -1. */
static int map_open(uint32_t id, struct bpf_map_info *mi)
{
    uint32_t mlen = sizeof(*mi);
    int mfd = bpf_map_get_fd_by_id(id);

    if (mfd < 0)
        return -1;
    memset(mi, 0, sizeof(*mi));
    if (bpf_obj_get_info_by_fd(mfd, mi, &mlen) < 0) {
        close(mfd);
        return -1;
    }
    return mfd;
}

/* Our program on the NIC, and its maps.  @return 0 or -errno. */
static int find_program(struct xsh_port *x, struct vsw_xdp_share_info *info)
{
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    struct bpf_prog_info pi;
    uint32_t ids[8], i;
    int pfd, rc;

    rc = bpf_xdp_query(x->ifindex, 0, &q);
    if (rc < 0)
        return rc;
    if (!q.prog_id)
        return -ENOENT;
    info->mode = mode_of(q.attach_mode);
    info->prog_id = x->prog_id = q.prog_id;
    pfd = bpf_prog_get_fd_by_id(q.prog_id);
    if (pfd < 0)
        return -errno;
    rc = prog_info(pfd, &pi, ids);
    close(pfd);
    if (rc < 0)
        return rc;
    if (strcmp(pi.name, XSH_PROG_NAME) != 0)
        return -ENOENT;
    for (i = 0; i < pi.nr_map_ids; i++) {
        struct bpf_map_info mi;
        int mfd = map_open(ids[i], &mi);

        if (mfd < 0)
            continue;
        if (strcmp(mi.name, XSH_VNICS_MAP) == 0 && x->vnics_fd < 0) {
            x->vnics_fd = mfd;
            x->map_ids[0] = mi.id;
        } else if (strcmp(mi.name, XSH_STATS_MAP) == 0 && x->stats_fd < 0) {
            x->stats_fd = mfd;
            x->map_ids[1] = mi.id;
        } else {
            if (strcmp(mi.name, XSH_XSKS_MAP) == 0)
                x->map_ids[2] = mi.id;
            close(mfd);
        }
    }
    return x->vnics_fd >= 0 && x->stats_fd >= 0 ? 0 : -ENOENT;
}

/* Note the AF_XDP sockets open now that were not in @before. */
static void note_sockets(struct xsh_port *x, const unsigned long *before,
                         int nbefore)
{
    unsigned long *now = calloc(XSK_ALL, sizeof(*now));
    int n = now ? xsk_inodes(now, XSK_ALL) : 0, i, j;

    for (i = 0; i < n && x->nxsk < XSK_MAX; i++) {
        for (j = 0; j < nbefore && before[j] != now[i]; j++)
            ;
        if (j == nbefore)
            x->xsk_ino[x->nxsk++] = now[i];
    }
    free(now);
}

/* Whether the program @pfd is ours: its name, and exactly our three maps
 * by name and type. */
static bool prog_is_ours(int pfd)
{
    static const struct {
        const char *name;
        uint32_t type;
    } maps[] = {
        {XSH_XSKS_MAP, BPF_MAP_TYPE_XSKMAP},
        {XSH_VNICS_MAP, BPF_MAP_TYPE_HASH},
        {XSH_STATS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY},
    };
    struct bpf_prog_info pi;
    uint32_t ids[8], i, j, found = 0;

    if (prog_info(pfd, &pi, ids) < 0 || pi.type != BPF_PROG_TYPE_XDP ||
        strcmp(pi.name, XSH_PROG_NAME) != 0 || pi.nr_map_ids != 3)
        return false;
    for (i = 0; i < 3; i++) {
        struct bpf_map_info mi;
        int mfd = map_open(ids[i], &mi);

        if (mfd < 0)
            return false;
        for (j = 0; j < 3; j++)
            if (strcmp(mi.name, maps[j].name) == 0 && mi.type == maps[j].type)
                found |= 1u << j;
        close(mfd);
    }
    return found == 7;
}

/* The owner entry of our program @pfd: @return 0 with its flags, or -1
 * (a program of a switch that wrote none: nothing to put back). */
static int prog_owner(int pfd, uint32_t *flags)
{
    struct xsh_key k = {.vid = XSH_OWNER_VID};
    struct bpf_prog_info pi;
    uint32_t ids[8], i;
    struct xsh_val v;
    int rc = -1;

    if (prog_info(pfd, &pi, ids) < 0)
        return -1;
    for (i = 0; i < pi.nr_map_ids && rc < 0; i++) {
        struct bpf_map_info mi;
        int mfd = map_open(ids[i], &mi);

        if (mfd < 0)
            continue;
        if (strcmp(mi.name, XSH_VNICS_MAP) == 0 &&
            bpf_map_lookup_elem(mfd, &k, &v) == 0) {
            *flags = v.flags;
            rc = 0;
        }
        close(mfd);
    }
    return rc;
}

int vsw_xdp_share_clear_stale(const char *ifname, uint32_t *prog_id)
{
    uint32_t owner = 0;
    bool have_owner;
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    int ifindex, pfd, rc, i;
    uint32_t flags = XDP_FLAGS_REPLACE;

    if (prog_id)
        *prog_id = 0;
    if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
        return -EINVAL;
    ifindex = (int)if_nametoindex(ifname);
    if (ifindex == 0)
        return -ENODEV;
    rc = bpf_xdp_query(ifindex, 0, &q);
    if (rc < 0)
        return rc;
    if (!q.prog_id)
        return 0;
    pfd = bpf_prog_get_fd_by_id(q.prog_id);
    if (pfd < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!prog_is_ours(pfd)) {
        close(pfd);
        return 0;
    }
    /* A socket still bound to the queue is a live user's (a tool that
     * opened the NIC without its lock): not stale.  A dead process's
     * socket leaves the queue a little after its death: give it 500 ms. */
    for (i = 0; i < 50 && queue_has_xsk(ifindex) == 1; i++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    if (queue_has_xsk(ifindex) == 1) {
        close(pfd);
        return 0;
    }
    have_owner = prog_owner(pfd, &owner) == 0;
    if (q.attach_mode == XDP_ATTACHED_SKB)
        flags |= XDP_FLAGS_SKB_MODE;
    else if (q.attach_mode == XDP_ATTACHED_DRV)
        flags |= XDP_FLAGS_DRV_MODE;
    {
        LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = pfd);

        /* Only if it is still that one on the NIC. */
        rc = bpf_xdp_detach(ifindex, flags, &o);
    }
    close(pfd);
    if (rc < 0)
        return rc;
    if (have_owner)
        owner_restore(ifname, owner);
    if (prog_id)
        *prog_id = q.prog_id;
    /* Its AF_XDP socket died with its process: the kernel lets go of the
     * queue a little later (100 ms where the kernel cannot say). */
    queue_released_wait(ifindex, queue_has_xsk(ifindex) >= 0);
    return 1;
}

static struct vsw_port *fail(struct xsh_port *x, struct vsw_xdp_share_info *info,
                             enum vsw_xdp_why why, int err)
{
    info->why = why;
    if (x) {
        x->port.ops = &xsh_ops;
        xsh_destroy(&x->port);
    }
    errno = err;
    return NULL;
}

struct vsw_port *vsw_port_xdp_share_open(const char *ifname,
                                         struct rte_mempool *pool,
                                         struct vsw_xdp_share_info *info)
{
    struct vsw_xdp_share_info dummy;
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    unsigned long *before;
    char devargs[160];
    struct xsh_port *x;
    uint32_t ethfl;
    short fl;
    int fd, rc, ifindex, nbefore;

    if (!info)
        info = &dummy;
    memset(info, 0, sizeof(*info));
    /* The name goes into devargs: no ',' or '=' in it. */
    if (!ifname || !pool || !*ifname || strlen(ifname) >= IF_NAMESIZE ||
        strpbrk(ifname, ",=")) {
        errno = EINVAL;
        info->why = VSW_XDP_NO_IFACE;
        return NULL;
    }
#ifndef VSW_XDP_SHARE_BPF
    return fail(NULL, info, VSW_XDP_NOT_BUILT, ENOTSUP);
#else
    ifindex = (int)if_nametoindex(ifname);
    if (ifindex == 0)
        return fail(NULL, info, VSW_XDP_NO_IFACE, ENODEV);
    if (!vsw_pool_packed(pool))
        return fail(NULL, info, VSW_XDP_POOL, EINVAL);
    fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(NULL, info, VSW_XDP_NO_AF_XDP, errno);
    close(fd);
    rc = bpf_xdp_query(ifindex, 0, &q);
    if (rc < 0)
        return fail(NULL, info, VSW_XDP_ATTACH, -rc);
    if (q.prog_id || q.attach_mode != XDP_ATTACHED_NONE) {
        info->prog_id = q.prog_id;
        info->mode = mode_of(q.attach_mode);
        return fail(NULL, info, VSW_XDP_BUSY, EBUSY);
    }
    info->rx_queues = rx_queues(ifname);
    if (info->rx_queues > 1)
        return fail(NULL, info, VSW_XDP_MULTIQUEUE, EOPNOTSUPP);

    x = calloc(1, sizeof(*x));
    if (!x)
        return fail(NULL, info, VSW_XDP_ATTACH, ENOMEM);
    x->pool = pool;
    x->ifindex = ifindex;
    x->pkt_fd = x->vnics_fd = x->stats_fd = -1;
    snprintf(x->ifname, sizeof(x->ifname), "%s", ifname);
    x->was_promisc = true; /* until we know */
    if (iface_flags(ifname, &fl, false) == 0)
        x->was_promisc = (fl & IFF_PROMISC) != 0;
    /* XDP must see the tags: take rx-vlan offload off where it is on. */
    if (ethtool_flags(ifname, &ethfl, false) == 0 &&
        (ethfl & ETH_FLAG_RXVLAN)) {
        ethfl &= ~ETH_FLAG_RXVLAN;
        if (ethtool_flags(ifname, &ethfl, true) == 0)
            x->rxvlan_off = info->rxvlan_off = true;
    }

    /* The PMD reads the object from a path: give it a memfd's. */
    fd = memfd_create("xvnet-xdp-share.bpf.o", MFD_CLOEXEC);
    if (fd < 0)
        return fail(x, info, VSW_XDP_ATTACH, errno);
    if (write(fd, xsh_bpf_obj, xsh_bpf_obj_len) != (ssize_t)xsh_bpf_obj_len) {
        close(fd);
        return fail(x, info, VSW_XDP_ATTACH, EIO);
    }
    snprintf(devargs, sizeof(devargs),
             "net_af_xdp_%s,iface=%s,start_queue=0,queue_count=1,"
             "xdp_prog=/proc/self/fd/%d",
             ifname, ifname, fd);
    before = calloc(XSK_ALL, sizeof(*before));
    nbefore = before ? xsk_inodes(before, XSK_ALL) : 0;
    x->eth = vsw_port_ethdev_open(devargs, pool);
    rc = errno;
    close(fd);
    if (before)
        note_sockets(x, before, nbefore);
    free(before);
    if (!x->eth)
        return fail(x, info, VSW_XDP_ATTACH, rc);
    rc = find_program(x, info);
    if (rc < 0)
        return fail(x, info, VSW_XDP_NO_MAP, -rc);
    {
        struct xsh_key ok = {.vid = XSH_OWNER_VID};
        struct xsh_val ov = {.flags = owner_flags(x)};

        /* Without it a switch after a SIGKILL cannot put the NIC back. */
        bpf_map_update_elem(x->vnics_fd, &ok, &ov, BPF_ANY);
    }
    rc = group_socket(x);
    if (rc < 0)
        return fail(x, info, VSW_XDP_SOCKET, -rc);

    x->port.ops = &xsh_ops;
    snprintf(x->port.name, sizeof(x->port.name), "%s", ifname);
    x->port.rx_fd = -1;  /* polled, as the ethdev */
    x->port.wake_fd = -1; /* net_af_xdp has no rx interrupt */
    x->port.flags = x->eth->flags;
    x->port.tx_offloads = x->eth->tx_offloads;
    info->why = VSW_XDP_OK;
    return &x->port;
#endif
}

bool vsw_port_is_xdp_share(const struct vsw_port *port)
{
    return port && port->ops == &xsh_ops;
}

static int entry_key(const struct vsw_port *port, const uint8_t mac[6],
                     uint16_t vid, struct xsh_key *k)
{
    static const uint8_t zero[6];

    if (!vsw_port_is_xdp_share(port) || !mac || (mac[0] & 1) ||
        memcmp(mac, zero, 6) == 0 || vid > 4094)
        return -EINVAL;
    memset(k, 0, sizeof(*k));
    memcpy(k->mac, mac, 6);
    k->vid = vid;
    return 0;
}

int vsw_xdp_share_add(struct vsw_port *port, const uint8_t mac[6],
                      uint16_t vid)
{
    struct xsh_val v = {0};
    struct xsh_key k;
    int rc = entry_key(port, mac, vid, &k);

    if (rc < 0)
        return rc;
    rc = bpf_map_update_elem(
        container_of(port, struct xsh_port, port)->vnics_fd, &k, &v, BPF_ANY);
    return rc < 0 ? (rc == -E2BIG ? -ENOSPC : rc) : 0;
}

int vsw_xdp_share_del(struct vsw_port *port, const uint8_t mac[6],
                      uint16_t vid)
{
    struct xsh_key k;
    int rc = entry_key(port, mac, vid, &k);

    if (rc < 0)
        return rc;
    return bpf_map_delete_elem(
        container_of(port, struct xsh_port, port)->vnics_fd, &k);
}

int vsw_xdp_share_stats_get(const struct vsw_port *port,
                            struct vsw_xdp_share_stats *st)
{
    struct xsh_port *x;
    struct tpacket_stats ts;
    socklen_t tl = sizeof(ts);
    struct xsh_key k, next;
    uint64_t *vals;
    int ncpu, i, rc = 0;
    uint32_t s;

    if (!vsw_port_is_xdp_share(port) || !st)
        return -EINVAL;
    x = container_of(port, struct xsh_port, port);
    memset(st, 0, sizeof(*st));
    ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0)
        return ncpu < 0 ? ncpu : -EINVAL;
    vals = calloc((size_t)ncpu, sizeof(*vals));
    if (!vals)
        return -ENOMEM;
    for (s = 0; s < XSH_STAT_MAX && rc == 0; s++) {
        uint64_t sum = 0;

        rc = bpf_map_lookup_elem(x->stats_fd, &s, vals);
        for (i = 0; rc == 0 && i < ncpu; i++)
            sum += vals[i];
        if (s == XSH_STAT_REDIRECT)
            st->redirected = sum;
        else if (s == XSH_STAT_GROUP)
            st->group = sum;
        else if (s == XSH_STAT_HOST)
            st->host = sum;
        else
            st->nosock = sum;
    }
    free(vals);
    /* PACKET_STATISTICS counts since its last read: keep the sum. */
    if (getsockopt(x->pkt_fd, SOL_PACKET, PACKET_STATISTICS, &ts, &tl) == 0)
        x->sock_drops += ts.tp_drops;
    st->group_rx = __atomic_load_n(&x->group_rx, __ATOMIC_RELAXED);
    st->group_lost =
        __atomic_load_n(&x->group_lost, __ATOMIC_RELAXED) + x->sock_drops;
    if (bpf_map_get_next_key(x->vnics_fd, NULL, &next) == 0) {
        do {
            st->entries += next.vid != XSH_OWNER_VID;
            k = next;
        } while (bpf_map_get_next_key(x->vnics_fd, &k, &next) == 0);
    }
    return rc;
}
