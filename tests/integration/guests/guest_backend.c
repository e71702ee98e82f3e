/* SPDX-License-Identifier: MIT */
/*
 * guest_backend - a dom0 netif backend for xvmd's guests, built from
 * libnetback's nb_xenbus and nb_vif: the in-test stand-in for
 * xvm-netbackd.
 *
 *   guest_backend -s XVMD_SOCKET -x XENSTORED_SOCKET
 *
 * Watches /local/domain/0/backend/vif, runs nb_xenbus for every vif the
 * toolstack (xvmd) writes there, and when a frontend connects gets the
 * guest's memory (XVMD_CMD_DOMMEM) and binds its event channel
 * (XVMD_CMD_EVTCHN_BIND) through xvmd.  Frames are switched between vifs
 * by destination MAC (each vif's toolstack "mac"); broadcast and multicast
 * go to every other vif; a frame the destination has no RX buffer for is
 * dropped.  One thread, one epoll loop.  SIGTERM/SIGINT closes every vif
 * (state Closed: the frontends wait for the next backend) and exits.
 * Prints "up" once watching, and "connected D.N" / "disconnected D.N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xvmdctl/client.h"
#include "netback/netback.h"
#include "xvm/evtchn.h"
#include "xvm/mem.h"
#include "xs/xs.h"

#define BE_ROOT "/local/domain/0/backend/vif"
#define MAX_PORTS 16u
#define NBUFS NB_BURST_MAX
#define BUF_LEN 65536u

enum { EV_XS = MAX_PORTS, EV_SIG };

struct port {
    bool used, seen;
    unsigned domid, n;
    char path[96];
    uint8_t mac[6];
    struct nb_xenbus *xb;
    struct nb_vif *vif;
    struct xvm_mem *mem;
    struct xvm_evtchn *ec;
    evtchn_port_t lport;
};

static struct port ports[MAX_PORTS];
static unsigned char *bufs[NBUFS];
static unsigned char *free_bufs[NBUFS];
static unsigned nfree;
static const char *xvmd_sock;
static struct xvm_xs *xs;
static int ep;
static unsigned long dropped;

static unsigned buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                        unsigned max, void **cookie)
{
    (void)arg;
    if (!nfree || !max || len > BUF_LEN)
        return 0;
    *cookie = free_bufs[--nfree];
    segs[0].base = *cookie;
    segs[0].len = len;
    return 1;
}

static void buf_put(void *arg, void *cookie)
{
    (void)arg;
    free_bufs[nfree++] = cookie;
}

static void deliver_to(struct port *p, const struct nb_tx_pkt *pk)
{
    struct nb_seg seg = {.base = pk->cookie, .len = pk->len};
    struct nb_rx_pkt rx = {.segs = &seg, .nseg = 1, .len = pk->len};

    memcpy(&rx.off, &pk->off, sizeof(rx.off));
    if (nb_vif_rx_burst(p->vif, &rx, 1) != 1)
        dropped++;
}

static void deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct port *src = arg;
    unsigned i, k;

    for (i = 0; i < n; i++) {
        const uint8_t *dst = pkts[i].cookie;

        for (k = 0; k < MAX_PORTS; k++) {
            struct port *p = &ports[k];

            if (p == src || !p->vif || nb_vif_disabled(p->vif))
                continue;
            if ((dst[0] & 1u) || memcmp(dst, p->mac, 6) == 0)
                deliver_to(p, &pkts[i]);
        }
        buf_put(NULL, pkts[i].cookie);
    }
}

static const struct nb_io_ops io_ops = {buf_get, buf_put, deliver};

/* Take everything the guest transmitted, then arm and re-check. */
static void port_service(struct port *p)
{
    xvm_evtchn_consume(p->ec, p->lport);
    do {
        while (nb_vif_tx_poll(p->vif, NB_BURST_MAX))
            ;
    } while (nb_vif_tx_final_check(p->vif));
}

static int be_connect(void *owner, const struct nb_xenbus_frontend *fi)
{
    struct port *p = owner;
    struct nb_vif_params prm;
    struct xvmd_dommem dm;
    struct epoll_event ev = {.events = EPOLLIN};
    char err[256];
    int own = -1, peer = -1, rc;

    rc = xvmd_dommem_get(xvmd_sock, p->domid, &dm, err, sizeof(err));
    if (rc < 0)
        goto fail;
    p->mem = xvm_mem_open(dm.memfd);
    close(dm.memfd);
    rc = xvmd_evtchn_bind(xvmd_sock, p->domid, fi->tx_port, &own, &peer, err,
                          sizeof(err));
    if (rc < 0)
        goto fail;
    p->ec = xvm_evtchn_open(0);
    rc = p->ec && p->mem
             ? xvm_evtchn_adopt(p->ec, 0, (domid_t)p->domid, own, peer)
             : -ENOMEM;
    close(own);
    close(peer);
    if (rc < 0)
        goto fail_msg;
    p->lport = (evtchn_port_t)rc;
    memset(&prm, 0, sizeof(prm));
    prm.name = p->path;
    prm.frontend_domid = (domid_t)p->domid;
    prm.mem = p->mem;
    prm.gnttab_gfn = dm.gt_gfn;
    prm.gnttab_frames = dm.gt_frames;
    prm.tx_ring_ref = fi->tx_ring_ref;
    prm.rx_ring_ref = fi->rx_ring_ref;
    prm.evtchn = p->ec;
    prm.tx_port = prm.rx_port = p->lport;
    prm.features = fi->features;
    prm.ops = &io_ops;
    prm.ops_arg = p;
    p->vif = nb_vif_create(&prm);
    if (!p->vif) {
        rc = -errno;
        goto fail_msg;
    }
    memcpy(p->mac, fi->mac, 6);
    ev.data.u32 = (uint32_t)(p - ports);
    epoll_ctl(ep, EPOLL_CTL_ADD, xvm_evtchn_fd(p->ec, p->lport), &ev);
    printf("connected %u.%u\n", p->domid, p->n);
    fflush(stdout);
    return 0; /* what the guest sent already left its doorbell pending */

fail:
    fprintf(stderr, "guest_backend: %s: %s\n", p->path, err);
    goto out;
fail_msg:
    fprintf(stderr, "guest_backend: %s: %s\n", p->path, strerror(-rc));
out:
    xvm_evtchn_destroy(p->ec);
    p->ec = NULL;
    xvm_mem_destroy(p->mem);
    p->mem = NULL;
    return rc;
}

static void be_disconnect(void *owner)
{
    struct port *p = owner;

    if (p->vif)
        epoll_ctl(ep, EPOLL_CTL_DEL, xvm_evtchn_fd(p->ec, p->lport), NULL);
    nb_vif_destroy(p->vif);
    p->vif = NULL;
    xvm_evtchn_destroy(p->ec);
    p->ec = NULL;
    xvm_mem_destroy(p->mem);
    p->mem = NULL;
    printf("disconnected %u.%u\n", p->domid, p->n);
    fflush(stdout);
}

static const struct nb_xenbus_ops xb_ops = {be_connect, be_disconnect};

/*
 * @gone: the toolstack removed the directory.  nb_xenbus_destroy() writes
 * state=Closed, which would bring the directory back: remove it again.
 */
static void port_free(struct port *p, bool gone)
{
    char dir[64], **names = NULL;
    unsigned n = 0;

    nb_xenbus_destroy(p->xb);
    if (gone) {
        xvm_xs_rm(xs, XVM_XS_NO_TX, p->path);
        snprintf(dir, sizeof(dir), BE_ROOT "/%u", p->domid);
        if (xvm_xs_directory(xs, XVM_XS_NO_TX, dir, &names, &n) == 0 && !n)
            xvm_xs_rm(xs, XVM_XS_NO_TX, dir);
        free(names);
    }
    memset(p, 0, sizeof(*p));
}

static struct port *port_find(unsigned domid, unsigned n)
{
    unsigned i;

    for (i = 0; i < MAX_PORTS; i++)
        if (ports[i].used && ports[i].domid == domid && ports[i].n == n)
            return &ports[i];
    return NULL;
}

static void port_add(unsigned domid, unsigned n)
{
    struct port *p = port_find(domid, n);
    unsigned i;

    if (p) {
        p->seen = true;
        return;
    }
    for (i = 0; i < MAX_PORTS && ports[i].used; i++)
        ;
    if (i == MAX_PORTS)
        return;
    p = &ports[i];
    p->used = p->seen = true;
    p->domid = domid;
    p->n = n;
    snprintf(p->path, sizeof(p->path), BE_ROOT "/%u/%u", domid, n);
    p->xb = nb_xenbus_create(xs, p->path, &xb_ops, p);
    if (!p->xb) {
        fprintf(stderr, "guest_backend: %s: %s\n", p->path, strerror(errno));
        memset(p, 0, sizeof(*p));
    }
}

/* Follow the toolstack: a device per vif directory, none for the rest. */
static void scan(void)
{
    char **doms = NULL, **vifs, path[64];
    unsigned nd = 0, nv, i, j;
    uint64_t d, n;

    for (i = 0; i < MAX_PORTS; i++)
        ports[i].seen = false;
    xvm_xs_directory(xs, XVM_XS_NO_TX, BE_ROOT, &doms, &nd);
    for (i = 0; i < nd; i++) {
        if (xvm_xs_parse_uint(doms[i], strlen(doms[i]), 0x7fef, &d))
            continue;
        snprintf(path, sizeof(path), BE_ROOT "/%s", doms[i]);
        vifs = NULL;
        nv = 0;
        xvm_xs_directory(xs, XVM_XS_NO_TX, path, &vifs, &nv);
        for (j = 0; j < nv; j++)
            if (!xvm_xs_parse_uint(vifs[j], strlen(vifs[j]), 4095, &n))
                port_add((unsigned)d, (unsigned)n);
        free(vifs);
    }
    free(doms);
    for (i = 0; i < MAX_PORTS; i++)
        if (ports[i].used && !ports[i].seen)
            port_free(&ports[i], true);
}

/* For the tests: "fe D.N state S" for a frontend state event, read
 * before nb_xenbus acts on it (so a Closing is seen before the Closed that
 * our answer leads to). */
static void fe_state_show(const char *path)
{
    unsigned d, n;
    int end = 0;
    uint64_t st;

    if (sscanf(path, "/local/domain/%u/device/vif/%u/state%n", &d, &n, &end) !=
            2 ||
        path[end] != '\0')
        return;
    if (xvm_xs_read_uint(xs, XVM_XS_NO_TX, path, 8, &st) == 0)
        printf("fe %u.%u state %u\n", d, n, (unsigned)st);
    fflush(stdout);
}

static int xs_events(void)
{
    struct xvm_xs_event *ev;
    unsigned i;
    int rc;

    while ((rc = xvm_xs_event_next(xs, &ev)) == 1) {
        if (strcmp(ev->token, "vifs") == 0) {
            scan();
        } else {
            fe_state_show(ev->path);
            for (i = 0; i < MAX_PORTS; i++)
                if (ports[i].used && nb_xenbus_event(ports[i].xb, ev) != 0)
                    break;
        }
        free(ev);
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct epoll_event ev = {.events = EPOLLIN};
    const char *xs_sock = NULL;
    sigset_t set;
    int opt, sig, i, n;
    bool stop = false;

    while ((opt = getopt(argc, argv, "s:x:")) != -1) {
        if (opt == 's')
            xvmd_sock = optarg;
        else if (opt == 'x')
            xs_sock = optarg;
        else
            goto usage;
    }
    if (!xvmd_sock || !xs_sock || optind != argc)
        goto usage;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sig = signalfd(-1, &set, SFD_CLOEXEC);
    ep = epoll_create1(EPOLL_CLOEXEC);
    xs = xvm_xs_open(xs_sock);
    for (i = 0; i < (int)NBUFS; i++) {
        bufs[i] = malloc(BUF_LEN);
        if (!bufs[i])
            return 1;
        free_bufs[nfree++] = bufs[i];
    }
    if (sig < 0 || ep < 0 || !xs || xvm_xs_watch(xs, BE_ROOT, "vifs") < 0) {
        fprintf(stderr, "guest_backend: %s: %s\n", xs_sock, strerror(errno));
        return 1;
    }
    ev.data.u32 = EV_XS;
    epoll_ctl(ep, EPOLL_CTL_ADD, xvm_xs_fd(xs), &ev);
    ev.data.u32 = EV_SIG;
    epoll_ctl(ep, EPOLL_CTL_ADD, sig, &ev);
    printf("up\n");
    fflush(stdout);
    while (!stop) {
        struct epoll_event evs[8];

        if (xs_events() < 0)
            break;
        n = epoll_wait(ep, evs, 8, -1);
        for (i = 0; i < n; i++) {
            uint32_t k = evs[i].data.u32;

            if (k == EV_SIG)
                stop = true;
            else if (k < MAX_PORTS && ports[k].vif)
                port_service(&ports[k]);
        }
    }
    for (i = 0; i < (int)MAX_PORTS; i++)
        if (ports[i].used)
            port_free(&ports[i], false);
    fprintf(stderr, "guest_backend: exiting, %lu frames dropped\n", dropped);
    xvm_xs_close(xs);
    for (i = 0; i < (int)NBUFS; i++)
        free(bufs[i]);
    close(ep);
    close(sig);
    return 0;

usage:
    fprintf(stderr, "usage: guest_backend -s XVMD_SOCKET -x XENSTORED\n");
    return 1;
}
