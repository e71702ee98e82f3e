/* SPDX-License-Identifier: MIT */
/*
 * procdom_switch - a test backend that switches frames between the vifs
 * of several process domains, standing in for vswitchd until guests attach
 * to VNICs there.
 *
 *   procdom_switch -s SOCKET
 *
 * Each guest connects to SOCKET (SOCK_SEQPACKET), says its MAC (struct
 * pd_hello) and runs the netif_pair handshake; the switch then serves its
 * vif with libnetback.  A frame a guest transmits goes to the vif whose MAC
 * is its destination, or to every other vif if the destination is
 * broadcast/multicast; unknown unicast is dropped and counted.  Offload
 * metadata (partial checksum, GSO type and size) passes through unchanged,
 * so a large segment one guest sends reaches the other as one.
 *
 * Buffers come from one pool of 64 KiB buffers shared by all vifs, each
 * referenced by every queue it waits in.  When the pool is empty the
 * sending vif stalls (nb_io_ops.tx_buf_get returns 0): guests are slowed,
 * never dropped.  On exit, and when a guest leaves, one line of counters
 * per vif goes to stdout ("port NAME key=value ...") for the tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "netif_pair.h"
#include "procdom.h"

#define MAX_PORTS 8u
#define POOL_BUFS 256u
#define BUF_LEN 65536u

enum { EV_LISTEN = 1, EV_SIGNAL, EV_CONN, EV_EVTCHN };
#define EV(type, idx) ((uint64_t)(type) << 32 | (uint32_t)(idx))

struct pbuf {
    unsigned char *data;
    uint32_t len;
    uint32_t refs; /* queues it waits in */
    struct nb_offload off;
};

struct port_stats {
    uint64_t tx_pkts, tx_bytes, tx_gso, tx_csum_blank, tx_max_len;
    uint64_t rx_pkts, rx_gso, drop_unknown;
};

struct sw;

struct port {
    struct sw *sw;
    unsigned idx;
    bool used;  /* a guest is connected */
    bool alive; /* its vif may be polled */
    int conn;
    uint8_t mac[6];
    char name[16];
    struct np_back nb;
    struct pbuf *q[POOL_BUFS]; /* frames waiting for this guest */
    unsigned qh, qn;
    struct port_stats st;
};

struct sw {
    struct port ports[MAX_PORTS];
    struct pbuf bufs[POOL_BUFS];
    struct pbuf *free[POOL_BUFS];
    unsigned nfree;
    int ep;
};

static void buf_unref(struct sw *sw, struct pbuf *b)
{
    if (b->refs == 0 || --b->refs == 0)
        sw->free[sw->nfree++] = b;
}

static unsigned sw_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                           unsigned max, void **cookie)
{
    struct port *p = arg;
    struct sw *sw = p->sw;
    struct pbuf *b;

    if (!sw->nfree || !max || len > BUF_LEN)
        return 0;
    b = sw->free[--sw->nfree];
    b->refs = 0;
    segs[0].base = b->data;
    segs[0].len = len;
    *cookie = b;
    return 1;
}

static void sw_buf_put(void *arg, void *cookie)
{
    struct port *p = arg;

    buf_unref(p->sw, cookie);
}

static void enqueue(struct port *p, struct pbuf *b)
{
    /* A queue holds each buffer once and there are POOL_BUFS buffers, so
     * it cannot overflow. */
    p->q[(p->qh + p->qn) % POOL_BUFS] = b;
    p->qn++;
    b->refs++;
}

static void switch_one(struct port *src, struct pbuf *b)
{
    struct sw *sw = src->sw;
    const uint8_t *dst = b->data;
    unsigned i;

    for (i = 0; i < MAX_PORTS; i++) {
        struct port *p = &sw->ports[i];

        if (p == src || !p->alive)
            continue;
        if ((dst[0] & 1u) || memcmp(dst, p->mac, 6) == 0)
            enqueue(p, b);
    }
    if (!b->refs && !(dst[0] & 1u))
        src->st.drop_unknown++;
}

static void sw_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct port *src = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        struct pbuf *b = pkts[i].cookie;

        b->len = pkts[i].len;
        b->off = pkts[i].off;
        src->st.tx_pkts++;
        src->st.tx_bytes += b->len;
        src->st.tx_gso += (b->off.flags & NB_PKT_GSO) != 0;
        src->st.tx_csum_blank += (b->off.flags & NB_PKT_CSUM_BLANK) != 0;
        if (b->len > src->st.tx_max_len)
            src->st.tx_max_len = b->len;
        switch_one(src, b);
        b->refs++; /* released below: an empty match frees it */
        buf_unref(src->sw, b);
    }
}

static const struct nb_io_ops sw_ops = {
    .tx_buf_get = sw_buf_get,
    .tx_buf_put = sw_buf_put,
    .tx_deliver = sw_deliver,
};

/* Hand queued frames to the guest while it has buffers posted. */
static unsigned port_flush(struct port *p)
{
    struct nb_seg segs[NB_BURST_MAX];
    struct nb_rx_pkt pk[NB_BURST_MAX];
    unsigned total = 0, k, i, done;

    while (p->qn) {
        k = p->qn < NB_BURST_MAX ? p->qn : NB_BURST_MAX;
        for (i = 0; i < k; i++) {
            struct pbuf *b = p->q[(p->qh + i) % POOL_BUFS];

            segs[i] = (struct nb_seg){.base = b->data, .len = b->len};
            pk[i] = (struct nb_rx_pkt){.segs = &segs[i], .nseg = 1,
                                       .len = b->len, .off = b->off};
        }
        done = nb_vif_rx_burst(p->nb.vif, pk, k);
        for (i = 0; i < done; i++) {
            struct pbuf *b = p->q[p->qh];

            p->st.rx_pkts++;
            p->st.rx_gso += (b->off.flags & NB_PKT_GSO) != 0;
            buf_unref(p->sw, b);
            p->qh = (p->qh + 1) % POOL_BUFS;
            p->qn--;
        }
        total += done;
        if (done < k)
            break;
    }
    return total;
}

static void port_drain(struct port *p)
{
    while (p->qn) {
        buf_unref(p->sw, p->q[p->qh]);
        p->qh = (p->qh + 1) % POOL_BUFS;
        p->qn--;
    }
}

static void port_report(const struct port *p)
{
    struct nb_vif_stats ns;

    memset(&ns, 0, sizeof(ns));
    if (p->nb.vif)
        nb_vif_stats_get(p->nb.vif, &ns);
    printf("port %s mac=%02x:%02x:%02x:%02x:%02x:%02x tx_pkts=%" PRIu64
           " tx_bytes=%" PRIu64 " tx_gso=%" PRIu64 " tx_csum_blank=%" PRIu64
           " tx_max_len=%" PRIu64 " rx_pkts=%" PRIu64 " rx_gso=%" PRIu64
           " drop_unknown=%" PRIu64 " nb_rx_dropped=%" PRIu64
           " nb_rx_no_slots=%" PRIu64 " nb_tx_nobuf=%" PRIu64
           " disabled=%s\n",
           p->name, p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4],
           p->mac[5], p->st.tx_pkts, p->st.tx_bytes, p->st.tx_gso,
           p->st.tx_csum_blank, p->st.tx_max_len, p->st.rx_pkts,
           p->st.rx_gso, p->st.drop_unknown,
           ns.rx_dropped_offload + ns.rx_dropped_bad, ns.rx_no_slots,
           ns.tx_nobuf_stalls,
           p->nb.vif ? nb_fatal_str(nb_vif_disabled(p->nb.vif)) : "none");
    fflush(stdout);
}

/* Stop serving a vif whose frontend broke the protocol; keep its
 * connection until the guest leaves. */
static void port_kill(struct port *p)
{
    fprintf(stderr, "procdom_switch: %s disabled: %s\n", p->name,
            nb_fatal_str(nb_vif_disabled(p->nb.vif)));
    p->alive = false;
    port_drain(p);
    epoll_ctl(p->sw->ep, EPOLL_CTL_DEL, xvm_evtchn_fd(p->nb.ec, p->nb.port),
              NULL);
}

static void port_close(struct port *p)
{
    if (p->alive)
        epoll_ctl(p->sw->ep, EPOLL_CTL_DEL,
                  xvm_evtchn_fd(p->nb.ec, p->nb.port), NULL);
    epoll_ctl(p->sw->ep, EPOLL_CTL_DEL, p->conn, NULL);
    port_report(p);
    port_drain(p);
    np_back_teardown(&p->nb);
    close(p->conn);
    p->used = p->alive = false;
    p->conn = -1;
}

/* A guest connects: its MAC, then the netif handshake.  The socket has a
 * receive timeout so a silent client cannot hold the switch. */
static void port_accept(struct sw *sw, int lfd)
{
    struct timeval tv = {.tv_sec = 2};
    struct epoll_event ev = {.events = EPOLLIN};
    struct pd_hello h;
    struct port *p = NULL;
    unsigned i;
    int c, rc;

    c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
    for (i = 0; i < MAX_PORTS && !p; i++)
        if (!sw->ports[i].used)
            p = &sw->ports[i];
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (!p || recv(c, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
        h.magic != PD_MAGIC || (h.mac[0] & 1u)) {
        fprintf(stderr, "procdom_switch: refused a guest (%s)\n",
                p ? "bad hello" : "no free port");
        close(c);
        return;
    }
    memcpy(p->mac, h.mac, 6);
    snprintf(p->name, sizeof(p->name), "vif%u", p->idx);
    rc = np_back_setup(&p->nb, c, p->name, &sw_ops, p);
    if (rc < 0) {
        fprintf(stderr, "procdom_switch: %s: setup: %s\n", p->name,
                strerror(-rc));
        close(c);
        return;
    }
    memset(&p->st, 0, sizeof(p->st));
    p->conn = c;
    p->used = p->alive = true;
    ev.data.u64 = EV(EV_CONN, p->idx);
    epoll_ctl(sw->ep, EPOLL_CTL_ADD, c, &ev);
    ev.data.u64 = EV(EV_EVTCHN, p->idx);
    epoll_ctl(sw->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(p->nb.ec, p->nb.port),
              &ev);
    fprintf(stderr, "procdom_switch: %s up\n", p->name);
}

/* One pass over every vif: guest transmit, then guest receive. */
static unsigned sw_pass(struct sw *sw)
{
    unsigned work = 0, i;

    for (i = 0; i < MAX_PORTS; i++)
        if (sw->ports[i].alive)
            work += nb_vif_tx_poll(sw->ports[i].nb.vif, NB_BURST_MAX);
    for (i = 0; i < MAX_PORTS; i++) {
        struct port *p = &sw->ports[i];

        if (!p->alive)
            continue;
        work += port_flush(p);
        if (nb_vif_disabled(p->nb.vif))
            port_kill(p);
    }
    return work;
}

/* RX slots the frame at the head of @p's queue takes: one per 4 KiB, one
 * more for the GSO extra.  A guest with fewer posted is no work yet. */
static unsigned head_slots(const struct port *p)
{
    const struct pbuf *b = p->q[p->qh];

    return (b->len + 4095u) / 4096u + ((b->off.flags & NB_PKT_GSO) ? 1u : 0u);
}

/* Before sleeping: anything that arrived since the pass? */
static bool sw_final_check(struct sw *sw)
{
    bool busy = false;
    unsigned i;

    for (i = 0; i < MAX_PORTS; i++) {
        struct port *p = &sw->ports[i];

        if (!p->alive)
            continue;
        /* Requests waiting while the pool is empty are no work: buffers
         * come back only when a guest posts RX buffers, which notifies. */
        if ((nb_vif_tx_final_check(p->nb.vif) && sw->nfree) ||
            (p->qn && nb_vif_rx_slots(p->nb.vif) >= head_slots(p)))
            busy = true;
    }
    return busy;
}

/* Returns true when told to stop. */
static bool sw_events(struct sw *sw, const struct epoll_event *ev, int n,
                      int lfd)
{
    char b[64];
    int i;

    for (i = 0; i < n; i++) {
        unsigned type = (unsigned)(ev[i].data.u64 >> 32);
        struct port *p = &sw->ports[(uint32_t)ev[i].data.u64 % MAX_PORTS];

        if (type == EV_SIGNAL)
            return true;
        if (type == EV_LISTEN)
            port_accept(sw, lfd);
        else if (type == EV_EVTCHN && p->alive)
            xvm_evtchn_consume(p->nb.ec, p->nb.port);
        else if (type == EV_CONN && p->used &&
                 recv(p->conn, b, sizeof(b), MSG_DONTWAIT) <= 0)
            port_close(p); /* the guest is leaving (or gone) */
    }
    return false;
}

static int sw_run(struct sw *sw, int lfd)
{
    struct epoll_event ev[16];
    unsigned busy = 0;
    int n, timeout;

    for (;;) {
        unsigned work = sw_pass(sw);

        if (work && ++busy % 16)
            continue;
        timeout = work || sw_final_check(sw) ? 0 : -1;
        n = epoll_wait(sw->ep, ev, 16, timeout);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0 && sw_events(sw, ev, n, lfd))
            return 0;
    }
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
        int rc = -errno;

        close(fd);
        return rc;
    }
    return fd;
}

static int sw_setup(struct sw *sw, int lfd, int sfd)
{
    struct epoll_event ev = {.events = EPOLLIN};
    unsigned i;

    memset(sw, 0, sizeof(*sw));
    for (i = 0; i < POOL_BUFS; i++) {
        sw->bufs[i].data = aligned_alloc(64, BUF_LEN);
        if (!sw->bufs[i].data)
            return -ENOMEM;
        sw->free[sw->nfree++] = &sw->bufs[i];
    }
    for (i = 0; i < MAX_PORTS; i++) {
        sw->ports[i].sw = sw;
        sw->ports[i].idx = i;
        sw->ports[i].conn = -1;
    }
    sw->ep = epoll_create1(EPOLL_CLOEXEC);
    if (sw->ep < 0)
        return -errno;
    ev.data.u64 = EV(EV_LISTEN, 0);
    if (epoll_ctl(sw->ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
        return -errno;
    ev.data.u64 = EV(EV_SIGNAL, 0);
    if (epoll_ctl(sw->ep, EPOLL_CTL_ADD, sfd, &ev) < 0)
        return -errno;
    return 0;
}

static void sw_teardown(struct sw *sw)
{
    unsigned i;

    for (i = 0; i < MAX_PORTS; i++)
        if (sw->ports[i].used)
            port_close(&sw->ports[i]);
    for (i = 0; i < POOL_BUFS; i++)
        free(sw->bufs[i].data);
    if (sw->ep >= 0)
        close(sw->ep);
}

int main(int argc, char **argv)
{
    static struct sw sw;
    const char *path = NULL;
    sigset_t set;
    int opt, lfd, sfd, rc;

    while ((opt = getopt(argc, argv, "s:")) != -1) {
        if (opt != 's')
            goto usage;
        path = optarg;
    }
    if (!path || optind != argc)
        goto usage;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    lfd = listen_on(path);
    if (sfd < 0 || lfd < 0) {
        fprintf(stderr, "procdom_switch: %s: %s\n", path,
                strerror(lfd < 0 ? -lfd : errno));
        return 1;
    }
    rc = sw_setup(&sw, lfd, sfd);
    if (rc == 0)
        rc = sw_run(&sw, lfd);
    if (rc < 0)
        fprintf(stderr, "procdom_switch: %s\n", strerror(-rc));
    sw_teardown(&sw);
    close(lfd);
    close(sfd);
    unlink(path);
    return rc < 0 ? 1 : 0;

usage:
    fprintf(stderr, "usage: procdom_switch -s SOCKET\n");
    return 1;
}
