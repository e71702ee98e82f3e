/* SPDX-License-Identifier: MIT */
/*
 * nbd_guest - a process domain's guest with a real netif frontend, for
 * the xvm-netbackd tests: xvmd runs it in place of xvm-procdom (-p).
 *
 *   nbd_guest [-n NETNS_DIR] NAME          (started by xvmd, channel on fd 3)
 *
 * It takes the domain's memory and xenstore connection from xvmd, moves
 * into a network namespace of its own (`xvm exec` finds it through the
 * pid), reports "ok", and drives vif 0 the way a guest kernel would:
 * xnf_xenbus on its xenstore connection, libxnf in its own memory (the
 * grant table where xvmd says, XVM_GNTTAB_GFN), event channels allocated
 * through xvmd, and a libxnftap eth0.  Every (re)connection gets a fresh
 * device and eth0; when NBD_GUEST_IPV4 is set in the environment (say
 * "10.77.0"), eth0 gets the address NBD_GUEST_IPV4.<domid>/24 each time.
 * It runs until SIGTERM/SIGINT or until xvmd closes the channel.
 *
 * This stands in for the real xvm-procdom frontend, which is being
 * written; the tests switch to it once it lands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "xvmdctl/client.h"
#include "xnf/xenbus.h"
#include "xnftap/xnftap.h"
#include "xvm/fdpass.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"
#include "xs/xs.h"

#define CHAN 3
/* The device's pages start here; each region holds one device. */
#define PAGES_GFN 8u
#define REGIONS 3u

struct guest {
    struct xvm_mem *mem;
    struct xvm_xs *xs;
    struct xvm_evtchn *ec;
    struct xnf_xenbus *xb;
    struct xnf_dev *xnf;
    void *xnf_mem;
    struct xnftap *tap;
    evtchn_port_t port;
    unsigned region;    /* pages and grant refs of the next device */
    unsigned domid;
    char fe_path[64];
    int ep;             /* stop fd for xnftap_run: signals, xenstore */
    int sfd;
};

static void report(const char *msg)
{
    if (send(CHAN, msg, strlen(msg), MSG_NOSIGNAL) < 0)
        fprintf(stderr, "nbd_guest: cannot report: %s\n", strerror(errno));
}

static void notify(void *arg)
{
    struct guest *g = arg;

    xvm_evtchn_send(g->ec, g->port);
}

/* An unbound port toward the backend, from xvmd. */
static int evtchn_alloc(struct guest *g, domid_t backend)
{
    int own = -1, peer = -1, rc;
    uint32_t port;

    rc = xvmd_guest_evtchn_alloc(CHAN, backend, &port, &own, &peer);
    if (rc < 0)
        return rc;
    rc = xvm_evtchn_adopt(g->ec, port, backend, own, peer);
    close(own);
    close(peer);
    if (rc < 0)
        return rc;
    g->port = (evtchn_port_t)rc;
    return 0;
}

static int fe_setup(void *owner, const struct xnf_xenbus_info *info,
                    struct xnf_xenbus_rings *r)
{
    struct xnf_page pages[XNF_PAGES_NEEDED];
    struct guest *g = owner;
    struct xnf_config cfg;
    uint32_t base = PAGES_GFN + g->region * XNF_PAGES_NEEDED, i;
    int rc;

    if (g->region >= REGIONS ||
        base + XNF_PAGES_NEEDED > xvm_mem_nr_frames(g->mem))
        return -ENOSPC;
    rc = evtchn_alloc(g, info->backend_id);
    if (rc < 0)
        return rc;
    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        pages[i].gfn = base + i;
        pages[i].va = xvm_mem_frame(g->mem, base + i);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = xvm_mem_frame(g->mem, XVM_GNTTAB_GFN);
    cfg.gnttab_entries = XVM_GNTTAB_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    cfg.gref_base = XVM_GNTTAB_FIRST_FREE_REF + g->region * XNF_GREFS_NEEDED;
    cfg.pages = pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = info->backend_id;
    cfg.notify = notify;
    cfg.notify_arg = g;
    cfg.want = NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |
               NETIF_F_RX_NOTIFY;
    g->xnf = xnf_init(g->xnf_mem, &cfg);
    if (!g->xnf) {
        xvm_evtchn_close(g->ec, g->port);
        return -EINVAL;
    }
    r->tx_ring_ref = xnf_tx_ring_ref(g->xnf);
    r->rx_ring_ref = xnf_rx_ring_ref(g->xnf);
    r->evtchn = g->port;
    r->fe_features = xnf_fe_features(g->xnf);
    return 0;
}

/* NBD_GUEST_IPV4.<domid>/24 on eth0, if asked for. */
static int addr_add(struct guest *g)
{
    const char *pfx = getenv("NBD_GUEST_IPV4");
    struct nl_sock *sk;
    struct rtnl_addr *a;
    struct nl_addr *local = NULL;
    char buf[64];
    int rc = -ENOMEM;

    if (!pfx)
        return 0;
    snprintf(buf, sizeof(buf), "%s.%u/24", pfx, g->domid);
    sk = nl_socket_alloc();
    a = rtnl_addr_alloc();
    if (!sk || !a || nl_connect(sk, NETLINK_ROUTE) < 0 ||
        nl_addr_parse(buf, AF_INET, &local) < 0)
        goto out;
    rtnl_addr_set_ifindex(a, xnftap_ifindex(g->tap));
    rtnl_addr_set_local(a, local);
    rc = rtnl_addr_add(sk, a, 0) < 0 ? -EIO : 0;
out:
    nl_addr_put(local);
    rtnl_addr_put(a);
    nl_socket_free(sk);
    return rc;
}

static int fe_connect(void *owner, uint32_t be_features)
{
    struct guest *g = owner;
    const struct xnf_xenbus_info *info = xnf_xenbus_info(g->xb);
    struct xnftap_config cfg;
    int rc = xnf_connect(g->xnf, be_features);

    if (rc < 0)
        return rc;
    memset(&cfg, 0, sizeof(cfg));
    cfg.netns_fd = -1;
    memcpy(cfg.mac, info->mac, 6);
    cfg.mtu = info->mtu;
    cfg.xnf = g->xnf;
    cfg.ec = g->ec;
    cfg.port = g->port;
    g->tap = xnftap_create(&cfg);
    if (!g->tap)
        return -errno;
    rc = addr_add(g);
    fprintf(stderr, "nbd_guest: dom %u connected (be_features 0x%x)%s\n",
            g->domid, be_features, rc < 0 ? ", no address" : "");
    return rc;
}

static void fe_disconnect(void *owner)
{
    struct guest *g = owner;

    xnftap_destroy(g->tap);
    g->tap = NULL;
    /* Pages a backend still holds are never reused: next region. */
    if (xnf_shutdown(g->xnf) > 0)
        g->region++;
    g->xnf = NULL;
    xvm_evtchn_close(g->ec, g->port);
    fprintf(stderr, "nbd_guest: dom %u disconnected\n", g->domid);
}

static const struct xnf_xenbus_ops fe_ops = {fe_setup, fe_connect,
                                             fe_disconnect};

/* Hand every waiting xenstore event to the frontend.  @return how many,
 * or -errno.  Events the client read along with a reply wait in it
 * without making its fd readable, so this runs before any sleep. */
static int drain(struct guest *g)
{
    struct xvm_xs_event *xe;
    int rc, n = 0;

    while ((rc = xvm_xs_event_next(g->xs, &xe)) == 1) {
        xnf_xenbus_event(g->xb, xe);
        free(xe);
        n++;
    }
    return rc < 0 ? rc : n;
}

/* @return 1 to stop, 0 to go on. */
static int handle(struct guest *g, bool wait)
{
    struct epoll_event ev[4];
    int n, i, rc;

    rc = drain(g);
    if (rc < 0)
        return 1;
    n = epoll_wait(g->ep, ev, 4, wait && rc == 0 ? -1 : 0);
    for (i = 0; i < n; i++)
        if (ev[i].data.u32 != 0)
            return 1; /* a signal, or xvmd went away */
    return drain(g) < 0;
}

static void run(struct guest *g)
{
    for (;;) {
        /* Without a device, or with a broken one, wait for xenstore. */
        bool wait = !g->tap;

        if (g->tap && !xvm_xs_event_pending(g->xs)) {
            int rc = xnftap_run(g->tap, g->ep);

            if (rc < 0) {
                fprintf(stderr, "nbd_guest: pump: %s\n", strerror(-rc));
                wait = true;
            }
        }
        if (handle(g, wait))
            return;
    }
}

static int setup(struct guest *g, int xs_fd)
{
    struct epoll_event ev = {.events = EPOLLIN};
    sigset_t set;

    g->xs = xvm_xs_adopt(xs_fd);
    if (!g->xs)
        return -errno;
    g->xnf_mem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    g->sfd = signalfd(-1, &set, SFD_CLOEXEC);
    g->ep = epoll_create1(EPOLL_CLOEXEC);
    if (!g->xnf_mem || g->sfd < 0 || g->ep < 0)
        return -ENOMEM;
    ev.data.u32 = 0;
    epoll_ctl(g->ep, EPOLL_CTL_ADD, xvm_xs_fd(g->xs), &ev);
    ev.data.u32 = 1;
    epoll_ctl(g->ep, EPOLL_CTL_ADD, g->sfd, &ev);
    ev.events = EPOLLRDHUP;
    ev.data.u32 = 2;
    epoll_ctl(g->ep, EPOLL_CTL_ADD, CHAN, &ev);
    return 0;
}

/* After "ok" only: xvmd serves xenstore once it has heard from us. */
static int start(struct guest *g)
{
    struct xvm_xs_perm *perms = NULL;
    unsigned n = 0, id;
    int rc;

    /* xvmd writes "domid" dom0-only; a domain owns its device nodes. */
    rc = xvm_xs_get_perms(g->xs, XVM_XS_NO_TX, "device/vif/0", &perms, &n);
    if (rc < 0)
        return rc;
    id = perms[0].domid;
    free(perms);
    if (id == 0 || id >= DOMID_FIRST_RESERVED)
        return -EPROTO;
    g->domid = id;
    g->ec = xvm_evtchn_open((domid_t)id);
    if (!g->ec)
        return -ENOMEM;
    snprintf(g->fe_path, sizeof(g->fe_path),
             "/local/domain/%u/device/vif/0", g->domid);
    g->xb = xnf_xenbus_create(g->xs, g->fe_path, &fe_ops, g);
    return g->xb ? 0 : -errno;
}

/* What xvmd sends at start: the memory memfd and the xenstore fd. */
static int receive(struct guest *g, int *xs_fd)
{
    char buf[16];
    int fds[2] = {-1, -1};
    unsigned nfds = 0;
    ssize_t n = xvm_fd_recv(CHAN, buf, sizeof(buf), fds, 2, &nfds);

    if (n != 3 || memcmp(buf, "mem", 3) != 0 || nfds != 2) {
        while (nfds)
            close(fds[--nfds]);
        return -EPROTO;
    }
    g->mem = xvm_mem_open(fds[0]);
    close(fds[0]);
    *xs_fd = fds[1];
    return g->mem ? 0 : -errno;
}

int main(int argc, char **argv)
{
    static struct guest g;
    char msg[160];
    int xs_fd = -1, rc;

    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    rc = receive(&g, &xs_fd);
    if (rc == 0 && unshare(CLONE_NEWNET) < 0)
        rc = -errno;
    if (rc == 0)
        rc = setup(&g, xs_fd);
    if (rc < 0) {
        snprintf(msg, sizeof(msg), "err %d nbd_guest: %s", -rc,
                 strerror(-rc));
        report(msg);
        return 1;
    }
    report("ok");
    rc = start(&g);
    if (rc < 0) {
        fprintf(stderr, "nbd_guest: vif 0: %s\n", strerror(-rc));
        return 1;
    }
    run(&g);
    xnf_xenbus_destroy(g.xb);
    xvm_xs_close(g.xs);
    xvm_evtchn_destroy(g.ec);
    xvm_mem_destroy(g.mem);
    free(g.xnf_mem);
    return 0;
}
