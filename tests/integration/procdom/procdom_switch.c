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
 * The switching is xvm-netbackd's (netback/netbackd/nbd_switch.h): one
 * pool of 64 KiB buffers shared by all vifs, each referenced by every
 * queue it waits in.  When the pool is empty the sending vif stalls
 * (nb_io_ops.tx_buf_get returns 0): guests are slowed, never dropped.
 * On exit, and when a guest leaves, one line of counters
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

#include "nbd_switch.h"
#include "netif_pair.h"
#include "procdom.h"

#define MAX_PORTS 8u
#define POOL_BUFS 256u

enum { EV_LISTEN = 1, EV_SIGNAL, EV_CONN, EV_EVTCHN };
#define EV(type, idx) ((uint64_t)(type) << 32 | (uint32_t)(idx))

struct sw;

struct port {
    struct sw *sw;
    unsigned idx;
    bool used; /* a guest is connected */
    int conn;
    uint8_t mac[6];
    char name[16];
    struct np_back nb;
    struct nbd_port *sp; /* its port on the switch */
};

struct sw {
    struct port ports[MAX_PORTS];
    struct nbd_switch *nsw;
    int ep;
};

static void port_report(const struct port *p)
{
    struct nbd_port_stats st;
    struct nb_vif_stats ns;

    memset(&ns, 0, sizeof(ns));
    memset(&st, 0, sizeof(st));
    if (p->nb.vif)
        nb_vif_stats_get(p->nb.vif, &ns);
    if (p->sp)
        nbd_port_stats_get(p->sp, &st);
    printf("port %s mac=%02x:%02x:%02x:%02x:%02x:%02x tx_pkts=%" PRIu64
           " tx_bytes=%" PRIu64 " tx_gso=%" PRIu64 " tx_csum_blank=%" PRIu64
           " tx_max_len=%" PRIu64 " rx_pkts=%" PRIu64 " rx_gso=%" PRIu64
           " drop_unknown=%" PRIu64 " drop_qfull=%" PRIu64
           " nb_rx_dropped=%" PRIu64 " nb_rx_no_slots=%" PRIu64
           " nb_tx_nobuf=%" PRIu64 " disabled=%s\n",
           p->name, p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4],
           p->mac[5], st.tx_pkts, st.tx_bytes, st.tx_gso, st.tx_csum_blank,
           st.tx_max_len, st.rx_pkts, st.rx_gso, st.drop_unknown,
           st.drop_qfull, ns.rx_dropped_offload + ns.rx_dropped_bad,
           ns.rx_no_slots, ns.tx_nobuf_stalls,
           p->nb.vif ? nb_fatal_str(nb_vif_disabled(p->nb.vif)) : "none");
    fflush(stdout);
}

/* The switch stopped serving a vif whose frontend broke the protocol;
 * keep its connection until the guest leaves. */
static void port_disabled(void *arg, struct nbd_port *sp, enum nb_fatal why)
{
    struct sw *sw = arg;
    unsigned i;

    fprintf(stderr, "procdom_switch: %s disabled: %s\n", nbd_port_name(sp),
            nb_fatal_str(why));
    for (i = 0; i < MAX_PORTS; i++) {
        struct port *p = &sw->ports[i];

        if (p->used && p->sp == sp)
            epoll_ctl(sw->ep, EPOLL_CTL_DEL,
                      xvm_evtchn_fd(p->nb.ec, p->nb.port), NULL);
    }
}

static const struct nbd_switch_ops sw_hooks = {.disabled = port_disabled};

static void port_close(struct port *p)
{
    if (nbd_port_alive(p->sp))
        epoll_ctl(p->sw->ep, EPOLL_CTL_DEL,
                  xvm_evtchn_fd(p->nb.ec, p->nb.port), NULL);
    epoll_ctl(p->sw->ep, EPOLL_CTL_DEL, p->conn, NULL);
    port_report(p);
    nbd_port_remove(p->sp);
    p->sp = NULL;
    np_back_teardown(&p->nb);
    close(p->conn);
    p->used = false;
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
    p->sp = nbd_port_add(sw->nsw, p->name, p->mac);
    rc = p->sp ? np_back_setup(&p->nb, c, p->name, &nbd_switch_io_ops, p->sp)
               : -errno;
    if (rc < 0) {
        fprintf(stderr, "procdom_switch: %s: setup: %s\n", p->name,
                strerror(-rc));
        nbd_port_remove(p->sp);
        p->sp = NULL;
        close(c);
        return;
    }
    nbd_port_attach(p->sp, p->nb.vif);
    p->conn = c;
    p->used = true;
    ev.data.u64 = EV(EV_CONN, p->idx);
    epoll_ctl(sw->ep, EPOLL_CTL_ADD, c, &ev);
    ev.data.u64 = EV(EV_EVTCHN, p->idx);
    epoll_ctl(sw->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(p->nb.ec, p->nb.port),
              &ev);
    fprintf(stderr, "procdom_switch: %s up\n", p->name);
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
        else if (type == EV_EVTCHN && p->used)
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
        unsigned work = nbd_switch_poll(sw->nsw);

        if (work && ++busy % 16)
            continue;
        timeout = work ? 0 : nbd_switch_sleep_ms(sw->nsw);
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
    sw->ep = -1;
    for (i = 0; i < MAX_PORTS; i++) {
        sw->ports[i].sw = sw;
        sw->ports[i].idx = i;
        sw->ports[i].conn = -1;
    }
    sw->nsw = nbd_switch_create(POOL_BUFS, &sw_hooks, sw);
    if (!sw->nsw)
        return -errno;
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
    nbd_switch_destroy(sw->nsw);
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
