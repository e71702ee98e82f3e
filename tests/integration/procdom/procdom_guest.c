/* SPDX-License-Identifier: MIT */
/*
 * procdom_guest - the netfront of a process domain, for the tests and the
 * benchmark (xvmd's xvm-procdom will do the same with xenstore in place of
 * the socket handshake).
 *
 *   procdom_guest -s SOCKET -n NETNS -m MAC [-M MTU] [-d DOMID]
 *
 * Connects to the backend at SOCKET (procdom_switch), sets up a libxnf
 * frontend through tests/support/netif_pair, creates eth0 in network
 * namespace NETNS (a name under /run/netns, or a path) with libxnftap and
 * pumps frames until SIGTERM/SIGINT.  Prints "ready ..." once eth0 is up,
 * and one line of counters ("xnftap key=value ...") on the way out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netif_pair.h"
#include "procdom.h"
#include "xnftap/xnftap.h"

struct opts {
    const char *sock, *netns;
    uint8_t mac[6];
    uint32_t mtu;
    domid_t domid;
};

/* The switch may still be starting: retry for a few seconds. */
static int backend_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timespec ms100 = {.tv_nsec = 100000000};
    int fd, i;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    for (i = 0; i < 50; i++) {
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        close(fd);
        if (errno != ENOENT && errno != ECONNREFUSED)
            return -errno;
        nanosleep(&ms100, NULL);
    }
    return -ETIMEDOUT;
}

static int netns_open(const char *name)
{
    char path[PATH_MAX];

    if (strchr(name, '/'))
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "/run/netns/%s", name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

static void report(const struct xnftap *t, const struct np_front *f)
{
    struct xnftap_stats s;
    struct xnf_stats x;

    xnftap_stats_get(t, &s);
    xnf_stats_get(f->xnf, &x);
    printf("xnftap tx_frames=%" PRIu64 " tx_bytes=%" PRIu64
           " tx_gso=%" PRIu64 " tx_csum_blank=%" PRIu64 " tx_csum_sw=%" PRIu64
           " tx_bad_hdr=%" PRIu64 " tx_send_err=%" PRIu64
           " tx_ring_full=%" PRIu64 " rx_frames=%" PRIu64 " rx_bytes=%" PRIu64
           " rx_gso=%" PRIu64 " rx_csum_blank=%" PRIu64
           " rx_bad_offload=%" PRIu64 " rx_too_big=%" PRIu64
           " rx_write_err=%" PRIu64 " wakeups=%" PRIu64
           " xnf_tx_errors=%" PRIu64 " xnf_rx_errors=%" PRIu64 "\n",
           s.tx_frames, s.tx_bytes, s.tx_gso, s.tx_csum_blank, s.tx_csum_sw,
           s.tx_bad_hdr, s.tx_send_err, s.tx_ring_full, s.rx_frames,
           s.rx_bytes, s.rx_gso, s.rx_csum_blank, s.rx_bad_offload,
           s.rx_too_big, s.rx_write_err, s.wakeups, x.tx_errors,
           x.rx_errors);
    fflush(stdout);
}

/* Leave in order: tell the backend, let it unmap our rings, then revoke
 * our grants (a vif polled after the revoke would be disabled as broken). */
static void backend_leave(int sock)
{
    struct timeval tv = {.tv_sec = 2};
    char b;

    shutdown(sock, SHUT_WR);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (recv(sock, &b, 1, 0) > 0)
        ;
}

static int guest_run(const struct opts *o, int nsfd, int sfd)
{
    struct pd_hello h = {.magic = PD_MAGIC};
    struct xnftap_config cfg;
    struct xnftap *t = NULL;
    struct np_front f;
    int sock, rc;

    sock = backend_connect(o->sock);
    if (sock < 0) {
        fprintf(stderr, "procdom_guest: %s: %s\n", o->sock, strerror(-sock));
        return 1;
    }
    memcpy(h.mac, o->mac, 6);
    if (send(sock, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        rc = -errno;
        goto out_sock;
    }
    rc = np_front_setup(&f, sock, o->domid,
                        NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |
                            NETIF_F_RX_NOTIFY);
    if (rc < 0)
        goto out_sock;
    memset(&cfg, 0, sizeof(cfg));
    cfg.netns_fd = nsfd;
    memcpy(cfg.mac, o->mac, 6);
    cfg.mtu = o->mtu;
    cfg.xnf = f.xnf;
    cfg.ec = f.ec;
    cfg.port = f.port;
    t = xnftap_create(&cfg);
    if (!t) {
        rc = -errno;
        goto out_front;
    }
    printf("ready ifindex=%d offloads=0x%x be_features=0x%x\n",
           xnftap_ifindex(t), xnftap_offloads(t), xnf_be_features(f.xnf));
    fflush(stdout);
    rc = xnftap_run(t, sfd);
    report(t, &f);
    xnftap_destroy(t);
out_front:
    backend_leave(sock);
    np_front_teardown(&f);
out_sock:
    close(sock);
    if (rc < 0)
        fprintf(stderr, "procdom_guest: %s\n", strerror(-rc));
    return rc < 0 ? 1 : 0;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
    int opt, have_mac = 0;

    memset(o, 0, sizeof(*o));
    o->domid = 1;
    while ((opt = getopt(argc, argv, "s:n:m:M:d:")) != -1) {
        switch (opt) {
        case 's':
            o->sock = optarg;
            break;
        case 'n':
            o->netns = optarg;
            break;
        case 'm':
            if (pd_mac_parse(optarg, o->mac) < 0)
                return -1;
            have_mac = 1;
            break;
        case 'M':
            o->mtu = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        case 'd':
            o->domid = (domid_t)strtoul(optarg, NULL, 0);
            break;
        default:
            return -1;
        }
    }
    if (!o->sock || !o->netns || !have_mac || optind != argc ||
        o->domid == 0 || o->domid >= DOMID_FIRST_RESERVED)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    sigset_t set;
    int nsfd, sfd, rc;

    if (opts_parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: procdom_guest -s SOCKET -n NETNS -m MAC "
                        "[-M MTU] [-d DOMID]\n");
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    nsfd = netns_open(o.netns);
    if (sfd < 0 || nsfd < 0) {
        fprintf(stderr, "procdom_guest: %s: %s\n", o.netns, strerror(errno));
        return 1;
    }
    rc = guest_run(&o, nsfd, sfd);
    close(nsfd);
    close(sfd);
    return rc;
}
