/* SPDX-License-Identifier: MIT */
/*
 * xvm-procdom: the domain's netif frontends (see procdom_net.h).
 *
 * The TAP device outlives the connections: it is made persistent
 * (TUNSETPERSIST) before libxnftap first attaches to it, so when a backend
 * goes away the pump and its xnftap handle are dropped but eth<N> stays,
 * with its addresses, routes and ifindex, carrier off.  The next
 * connection's xnftap_create() attaches to the same device again.  Only
 * on the way out is the device made non-persistent, which removes it.
 *
 * While connected, eth<N>'s carrier is the backend's link's: off while
 * the backend's carrier key says "0" (xnf_xenbus ops->carrier), set again
 * on every new connection, whose TAP starts with its carrier on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "xvmdctl/client.h"
#include "procdom_log.h"
#include "procdom_net.h"
#include "xnf/xenbus.h"
#include "xnftap/xnftap.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"
#include "xvm/tap.h"
#include "xs/xs.h"

/** Connections per vif whose ring grants may be left held (see .h). */
#define PD_GENS 8u
#define PD_VIF_GREFS (XNF_GREFS_NEEDED + 2u * (PD_GENS - 1u))
#define PD_VIF_FRAMES (XNF_PAGES_NEEDED - 2u + 2u * PD_GENS)
/** How long a closing frontend waits for its backend to follow. */
#define PD_CLOSE_MS 1500
/** Largest vif number accepted (eth<N> must fit IFNAMSIZ). */
#define PD_VIF_MAX 4095u
/** How long the init command waits for every vif to connect once. */
#define PD_READY_MS 10000

struct pd_net;

struct pd_vif {
    struct pd_net *net;
    unsigned n; /* the vif number: device/vif/<n>, eth<n> */
    char path[64];
    char ifname[IFNAMSIZ];
    struct xnf_xenbus *xb;
    void *devmem;        /* xnf_dev_size() bytes */
    struct xnf_dev *dev; /* from setup until retired (see dev_retire) */
    struct xnf_page *pages;
    struct xvm_evtchn *ec; /* this vif's own port table */
    evtchn_port_t port;    /* local port of the live connection, or 0 */
    grant_ref_t gref_base;
    uint64_t gfn_base;
    unsigned gen; /* lowest generation that may still be free */
    bool tap_pinned;
    struct xnftap *tap;
    pthread_t pump;
    bool pumping;
    int stop_fd; /* eventfd: tells the pump to return */
};

struct pd_net {
    struct xvm_mem *mem;
    struct xvm_xs *xs;
    int chan;
    domid_t self;
    grant_entry_v1_t *gnttab;
    uint32_t gt_entries;
    struct pd_vif *vifs;
    unsigned nvifs;
};

static void vlog(const struct pd_vif *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void vlog(const struct pd_vif *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pd_log("vif %u: %s", v->n, msg);
}

/* Create (attach to) TAP @ifname and set its persistence. */
static int tap_persist(const char *ifname, bool on)
{
    int fd = xvm_tap_open(ifname, 0), rc;

    if (fd < 0)
        return fd;
    rc = xvm_tap_set_persist(fd, on);
    close(fd);
    return rc;
}

static void notify(void *arg)
{
    struct pd_vif *v = arg;

    xvm_evtchn_send(v->ec, v->port);
}

static void *pump_main(void *arg)
{
    struct pd_vif *v = arg;
    int rc = xnftap_run(v->tap, v->stop_fd);

    if (rc < 0)
        vlog(v, "pump stopped: %s", strerror(-rc));
    return NULL;
}

static void pump_stop(struct pd_vif *v)
{
    eventfd_t val;

    if (!v->pumping)
        return;
    eventfd_write(v->stop_fd, 1);
    pthread_join(v->pump, NULL);
    eventfd_read(v->stop_fd, &val);
    v->pumping = false;
}

/* A fresh device in the lowest generation whose grants are all free. */
static struct xnf_dev *dev_init(struct pd_vif *v, domid_t backend)
{
    struct pd_net *net = v->net;
    struct xnf_config cfg;
    struct xnf_dev *dev;
    unsigned i, g;

    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = net->gnttab;
    cfg.gnttab_entries = net->gt_entries;
    cfg.pages = v->pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = backend;
    cfg.notify = notify;
    cfg.notify_arg = v;
    cfg.want =
        NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY;
    for (g = v->gen; g < PD_GENS; g++) {
        for (i = 0; i < XNF_PAGES_NEEDED; i++) {
            uint64_t gfn =
                v->gfn_base + (i < 2 ? 2u * g + i : 2u * PD_GENS + i - 2u);

            v->pages[i].va = xvm_mem_frame(net->mem, gfn);
            v->pages[i].gfn = (uint32_t)gfn;
        }
        cfg.gref_base = v->gref_base + 2u * g;
        dev = xnf_init(v->devmem, &cfg);
        if (dev) {
            v->gen = g;
            return dev;
        }
    }
    return NULL;
}

/*
 * End the grants of the last connection's device.  Not done at disconnect
 * time: there the backend may still be polling (a frontend closing on
 * purpose writes Closing first), and a revoked grant would look like a
 * broken frontend to it.  By the next setup, or once the backend followed
 * us to Closed, it has let go of the rings.
 */
static void dev_retire(struct pd_vif *v)
{
    int stuck;

    if (!v->dev)
        return;
    stuck = xnf_shutdown(v->dev);
    if (stuck > 0) {
        vlog(v, "%d grants still held by the old backend: not reused", stuck);
        v->gen++;
    }
    v->dev = NULL;
}

/* xnf_xenbus ops->setup: a device and an event channel for @info. */
static int vif_setup(void *owner, const struct xnf_xenbus_info *info,
                     struct xnf_xenbus_rings *rings)
{
    struct pd_vif *v = owner;
    int own = -1, peer = -1, rc;
    uint32_t port;

    dev_retire(v);
    v->dev = dev_init(v, info->backend_id);
    if (!v->dev) {
        vlog(v, "no free grant references left for a new connection");
        return -EBUSY;
    }
    rc = xvmd_guest_evtchn_alloc(v->net->chan, info->backend_id, &port, &own,
                                 &peer);
    if (rc == 0) {
        rc = xvm_evtchn_adopt(v->ec, 0, info->backend_id, own, peer);
        close(own);
        close(peer);
    }
    if (rc < 0) {
        vlog(v, "event channel: %s", strerror(-rc));
        xnf_shutdown(v->dev);
        v->dev = NULL;
        return rc;
    }
    v->port = (evtchn_port_t)rc;
    rings->tx_ring_ref = xnf_tx_ring_ref(v->dev);
    rings->rx_ring_ref = xnf_rx_ring_ref(v->dev);
    rings->evtchn = port; /* the number in our space, as xvmd gave it */
    rings->fe_features = xnf_fe_features(v->dev);
    return 0;
}

/* xnf_xenbus ops->connect: start the device and pump eth<N>. */
static int vif_connect(void *owner, uint32_t be_features)
{
    struct pd_vif *v = owner;
    const struct xnf_xenbus_info *info = xnf_xenbus_info(v->xb);
    struct xnftap_config cfg;
    int rc;

    rc = xnf_connect(v->dev, be_features);
    if (rc < 0)
        return rc;
    if (!v->tap_pinned) {
        rc = tap_persist(v->ifname, true);
        if (rc < 0) {
            vlog(v, "%s: %s", v->ifname, strerror(-rc));
            return rc;
        }
        v->tap_pinned = true;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.netns_fd = -1; /* this process lives in the domain's namespace */
    cfg.ifname = v->ifname;
    memcpy(cfg.mac, info->mac, 6);
    cfg.mtu = info->mtu;
    cfg.xnf = v->dev;
    cfg.ec = v->ec;
    cfg.port = v->port;
    v->tap = xnftap_create(&cfg);
    if (!v->tap) {
        rc = -errno;
        vlog(v, "%s: %s", v->ifname, strerror(errno));
        return rc;
    }
    if (!xnf_xenbus_carrier(v->xb)) {
        rc = xnftap_set_carrier(v->tap, false);
        if (rc < 0)
            vlog(v, "%s: cannot set the carrier off: %s", v->ifname,
                 strerror(-rc));
    }
    rc = -pthread_create(&v->pump, NULL, pump_main, v);
    if (rc < 0) {
        xnftap_destroy(v->tap);
        v->tap = NULL;
        return rc;
    }
    v->pumping = true;
    vlog(v, "connected to domain %u as %s", info->backend_id, v->ifname);
    return 0;
}

/* xnf_xenbus ops->disconnect: the connection is over. */
static void vif_disconnect(void *owner)
{
    struct pd_vif *v = owner;

    pump_stop(v);
    xnftap_destroy(v->tap); /* eth<N> stays: it is persistent */
    v->tap = NULL;
    if (v->port) {
        xvm_evtchn_close(v->ec, v->port);
        v->port = 0;
    }
}

/* xnf_xenbus ops->carrier: the backend's link went down or came up.
 * Without a connection there is no TAP to tell (and no carrier); the
 * next one is given this at connect. */
static void vif_carrier(void *owner, bool up)
{
    struct pd_vif *v = owner;
    int rc;

    vlog(v, "the backend's link is %s", up ? "up" : "down");
    if (!v->tap)
        return;
    rc = xnftap_set_carrier(v->tap, up);
    if (rc < 0)
        vlog(v, "%s: cannot set the carrier %s: %s", v->ifname,
             up ? "on" : "off", strerror(-rc));
}

static const struct xnf_xenbus_ops vif_ops = {
    .setup = vif_setup,
    .connect = vif_connect,
    .disconnect = vif_disconnect,
    .carrier = vif_carrier,
};

/* Place vif @k of the domain in memory and start its frontend. */
static int vif_start(struct pd_net *net, struct pd_vif *v, unsigned k,
                     unsigned n)
{
    uint64_t last;

    v->net = net;
    v->n = n;
    v->stop_fd = -1;
    snprintf(v->ifname, sizeof(v->ifname), "eth%u", n);
    snprintf(v->path, sizeof(v->path), "/local/domain/%u/device/vif/%u",
             net->self, n);
    v->gref_base = XVM_GNTTAB_FIRST_FREE_REF + k * PD_VIF_GREFS;
    v->gfn_base =
        XVM_GNTTAB_GFN + XVM_GNTTAB_FRAMES + (uint64_t)k * PD_VIF_FRAMES;
    last = v->gfn_base + PD_VIF_FRAMES - 1;
    if (v->gref_base + PD_VIF_GREFS > net->gt_entries) {
        vlog(v, "no room in the grant table (%u vifs at most)",
             (net->gt_entries - XVM_GNTTAB_FIRST_FREE_REF) / PD_VIF_GREFS);
        return -ENOSPC;
    }
    if (last >= xvm_mem_nr_frames(net->mem)) {
        vlog(v, "domain memory too small (%u frames, needs %llu)",
             xvm_mem_nr_frames(net->mem), (unsigned long long)last + 1);
        return -ENOSPC;
    }
    v->devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    v->pages = calloc(XNF_PAGES_NEEDED, sizeof(*v->pages));
    v->ec = xvm_evtchn_open(net->self);
    v->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!v->devmem || !v->pages || !v->ec || v->stop_fd < 0)
        return -ENOMEM;
    v->xb = xnf_xenbus_create(net->xs, v->path, 1, &vif_ops, v);
    if (!v->xb) {
        vlog(v, "xenbus: %s", strerror(errno));
        return -errno;
    }
    return 0;
}

static void vif_free(struct pd_vif *v)
{
    xnf_xenbus_destroy(v->xb); /* disconnects a live device */
    v->xb = NULL;
    dev_retire(v);
    if (v->tap_pinned && tap_persist(v->ifname, false) < 0)
        vlog(v, "cannot remove %s", v->ifname);
    xvm_evtchn_destroy(v->ec);
    free(v->pages);
    free(v->devmem);
    if (v->stop_fd >= 0)
        close(v->stop_fd);
}

/*
 * Our domain id, for the absolute paths xnf_xenbus wants.  The "domid" key
 * of our home says it; xvmd (for now) writes it dom0-only, so fall back to
 * the owner of our device directory: a domain owns its frontend nodes.
 */
static int self_domid(struct pd_net *net)
{
    struct xvm_xs_perm *perms = NULL;
    unsigned n = 0;
    uint64_t v;
    int rc;

    rc = xvm_xs_read_uint(net->xs, XVM_XS_NO_TX, "domid",
                          DOMID_FIRST_RESERVED - 1, &v);
    if (rc == -EACCES) {
        rc = xvm_xs_get_perms(net->xs, XVM_XS_NO_TX, "device/vif", &perms, &n);
        if (rc == 0)
            v = perms[0].domid;
        free(perms);
        if (rc == 0 && (v == 0 || v >= DOMID_FIRST_RESERVED))
            rc = -EPROTO;
    }
    if (rc == 0)
        net->self = (domid_t)v;
    return rc;
}

/* The domain's id, its grant table, and a frontend per vif directory. */
static int net_open(struct pd_net *net)
{
    char **names = NULL;
    unsigned i, nnames = 0;
    uint64_t v;
    int rc;

    rc = self_domid(net);
    if (rc < 0)
        return rc == -ENOENT ? 0 : rc; /* no device/vif: no vifs */
    net->gnttab = xvm_mem_frame(net->mem, XVM_GNTTAB_GFN);
    if (!net->gnttab ||
        !xvm_mem_frame(net->mem, XVM_GNTTAB_GFN + XVM_GNTTAB_FRAMES - 1))
        return -ENOSPC;
    net->gt_entries =
        XVM_GNTTAB_FRAMES * XVM_PAGE_SIZE / (uint32_t)sizeof(grant_entry_v1_t);
    rc = xvm_xs_directory(net->xs, XVM_XS_NO_TX, "device/vif", &names, &nnames);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    net->vifs = calloc(nnames ? nnames : 1, sizeof(*net->vifs));
    if (!net->vifs) {
        free(names);
        return -ENOMEM;
    }
    for (i = 0; i < nnames; i++) {
        struct pd_vif *pv = &net->vifs[net->nvifs];

        if (xvm_xs_parse_uint(names[i], strlen(names[i]), PD_VIF_MAX, &v)) {
            pd_log("device/vif/%s: not a vif number", names[i]);
            continue;
        }
        net->nvifs++;
        if (vif_start(net, pv, net->nvifs - 1, (unsigned)v) < 0) {
            vif_free(pv);
            memset(pv, 0, sizeof(*pv));
            pv->stop_fd = -1;
        }
    }
    free(names);
    return 0;
}

/* Hand every waiting watch event to the frontend it belongs to. */
static int net_events(struct pd_net *net)
{
    struct xvm_xs_event *ev;
    unsigned i;
    int rc;

    while ((rc = xvm_xs_event_next(net->xs, &ev)) == 1) {
        for (i = 0; i < net->nvifs; i++) {
            if (!net->vifs[i].xb)
                continue;
            rc = xnf_xenbus_event(net->vifs[i].xb, ev);
            if (rc != 0)
                break;
        }
        free(ev);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events: 1 stop, 0 xenstore readable or timeout, <0 error. */
static int net_wait(struct pd_net *net, int sig, int timeout_ms)
{
    struct pollfd p[3] = {
        {.fd = xvm_xs_fd(net->xs), .events = POLLIN},
        {.fd = sig, .events = POLLIN},
        {.fd = net->chan, .events = POLLIN},
    };
    int n = poll(p, sig >= 0 ? 3 : 1, timeout_ms);

    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    if (sig >= 0 && (p[1].revents || p[2].revents))
        return 1; /* SIGTERM/SIGINT, or xvmd closed the channel */
    if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
        return -EPIPE;
    return 0;
}

/* Sleep until SIGTERM/SIGINT or xvmd closes the channel: 1, or <0. */
static int net_wait_stop(int sig, int chan)
{
    struct pollfd p[2] = {{.fd = sig, .events = POLLIN},
                          {.fd = chan, .events = POLLIN}};

    if (poll(p, 2, -1) < 0)
        return errno == EINTR ? 0 : -errno;
    return p[0].revents || p[1].revents ? 1 : 0;
}

static bool all_closed(const struct pd_net *net, const bool *waiting)
{
    unsigned i;

    for (i = 0; i < net->nvifs; i++)
        if (waiting[i] && net->vifs[i].xb &&
            xnf_xenbus_state(net->vifs[i].xb) != XenbusStateClosed)
            return false;
    return true;
}

/*
 * Close as netfront does on removal: Closing, and Closed when the backend
 * follows.  Only a vif whose backend was there (we were Connected) is
 * waited for, and not for long: an absent backend must not hold us up.
 */
static void net_close(struct pd_net *net)
{
    bool *waiting = calloc(net->nvifs ? net->nvifs : 1, sizeof(bool));
    int64_t until = now_ms() + PD_CLOSE_MS;
    unsigned i;

    for (i = 0; i < net->nvifs; i++) {
        struct pd_vif *v = &net->vifs[i];

        if (!v->xb)
            continue;
        if (waiting)
            waiting[i] = xnf_xenbus_state(v->xb) == XenbusStateConnected;
        xnf_xenbus_close(v->xb);
    }
    while (waiting && !all_closed(net, waiting)) {
        int64_t left = until - now_ms();

        if (left <= 0 || net_events(net) < 0 ||
            net_wait(net, -1, (int)left) < 0)
            break;
    }
    free(waiting);
    for (i = 0; i < net->nvifs; i++)
        vif_free(&net->vifs[i]);
    free(net->vifs);
}

/* Has every vif that runs a frontend connected once (its eth<N> is
 * there)?  Vifs that could not be set up are not waited for. */
static bool net_up(const struct pd_net *net)
{
    unsigned i;

    for (i = 0; i < net->nvifs; i++)
        if (net->vifs[i].xb && !net->vifs[i].tap_pinned)
            return false;
    return true;
}

/* Call @ready once the vifs are up or the wait is over: 0; else the ms
 * left to wait, or -1 when @ready was already called (*@ready NULL). */
static int net_ready(struct pd_net *net, pd_net_ready_fn **ready, void *arg,
                     int64_t until)
{
    int64_t left = until - now_ms();
    unsigned i;

    if (!*ready)
        return -1;
    if (!net_up(net) && left > 0)
        return (int)left;
    for (i = 0; i < net->nvifs; i++)
        if (net->vifs[i].xb && !net->vifs[i].tap_pinned)
            pd_log("vif %u: not connected after %d s; the init command "
                   "starts without %s", net->vifs[i].n, PD_READY_MS / 1000,
                   net->vifs[i].ifname);
    (*ready)(arg);
    *ready = NULL;
    return -1;
}

int pd_net_run(struct xvm_mem *mem, int xs_fd, int chan, int sig,
               pd_net_ready_fn *ready, void *arg)
{
    struct pd_net net = {.mem = mem, .chan = chan};
    int64_t until = now_ms() + PD_READY_MS;
    int rc, wait_ms;

    net.xs = xvm_xs_adopt(xs_fd);
    if (!net.xs) {
        rc = -errno;
        close(xs_fd);
        if (ready)
            ready(arg);
        return rc;
    }
    rc = net_open(&net);
    /* Without xenstore the domain runs on, with no network, until told to
     * stop. */
    while (rc >= 0) {
        rc = net_events(&net);
        wait_ms = net_ready(&net, &ready, arg, until);
        if (rc == 0)
            rc = net_wait(&net, sig, wait_ms);
        if (rc == 1)
            break;
    }
    if (rc < 0) {
        pd_log("xenstore: %s", strerror(-rc));
        if (ready)
            ready(arg);
        while (net_wait_stop(sig, chan) == 0)
            ;
    }
    net_close(&net);
    xvm_xs_close(net.xs);
    return 0;
}
