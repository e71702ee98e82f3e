/* SPDX-License-Identifier: MIT */
/*
 * xvm-netbackd: the vif devices.
 *
 * A watch on NBD_BE_ROOT finds every backend directory <domid>/<n> the
 * toolstack (xvmd) writes; each gets an nb_xenbus state machine.  When the
 * frontend connects, the owner side here maps the domain's memory (fetched
 * from xvmd once per domain and shared by its vifs), binds the frontend's
 * event channel through xvmd, creates the nb_vif and plugs it into the
 * switch.  Disconnect undoes it; the domain's memory is unmapped when its
 * last vif goes.  A directory that disappears (domain destroyed) takes its
 * device with it.
 *
 * A restarted netbackd finds the directories of running guests at its
 * first scan; nb_xenbus sends a frontend it finds Connected through
 * Closing, and the frontend comes back with fresh rings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "client.h"
#include "netbackd.h"

/* ---- domains ---------------------------------------------------------- */

static struct nbd_dom *dom_find(struct nbd *d, uint32_t domid)
{
    struct nbd_dom *m;

    for (m = d->doms; m; m = m->next)
        if (m->domid == domid)
            return m;
    return NULL;
}

/* The domain's memory, mapped once; the caller takes a reference. */
static int dom_get(struct nbd *d, uint32_t domid, struct nbd_dom **out)
{
    struct xvmd_dommem dm;
    struct nbd_dom *m = dom_find(d, domid);
    char err[256];
    int rc;

    if (m) {
        *out = m;
        return 0;
    }
    rc = xvmd_dommem_get(d->xvmd_sock, domid, &dm, err, sizeof(err));
    if (rc < 0) {
        nbd_log("domain %u: no memory from xvmd: %s", domid, err);
        return rc;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        close(dm.memfd);
        return -ENOMEM;
    }
    m->mem = xvm_mem_open(dm.memfd);
    rc = -errno;
    close(dm.memfd);
    if (!m->mem) {
        nbd_log("domain %u: cannot map its memory: %s", domid,
                strerror(-rc));
        free(m);
        return rc;
    }
    m->domid = domid;
    m->gt_gfn = dm.gt_gfn;
    m->gt_frames = dm.gt_frames;
    m->next = d->doms;
    d->doms = m;
    nbd_log("domain %u: memory mapped (%u frames)", domid,
            xvm_mem_nr_frames(m->mem));
    *out = m;
    return 0;
}

/* Drop a reference; the last one unmaps the memory. */
static void dom_put(struct nbd *d, struct nbd_dom *m)
{
    struct nbd_dom **pp;

    if (!m || --m->refs > 0)
        return;
    for (pp = &d->doms; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    nbd_log("domain %u: memory unmapped", m->domid);
    xvm_mem_destroy(m->mem);
    free(m);
}

/* ---- event channels --------------------------------------------------- */

/* Bind the guest's @port through xvmd and enter it in our table. */
static int evtchn_bind(struct nbd *d, uint32_t domid, evtchn_port_t port,
                       evtchn_port_t *local)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int own = -1, peer = -1, rc;
    char err[256];

    rc = xvmd_evtchn_bind(d->xvmd_sock, domid, port, &own, &peer, err,
                          sizeof(err));
    if (rc < 0) {
        nbd_log("domain %u: cannot bind port %u: %s", domid, port, err);
        return rc;
    }
    rc = xvm_evtchn_adopt(d->ec, 0, (domid_t)domid, own, peer);
    close(own);
    close(peer);
    if (rc < 0)
        return rc;
    *local = (evtchn_port_t)rc;
    ev.data.u64 = NBD_EV(NBD_EV_EVTCHN, *local);
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(d->ec, *local), &ev) <
        0) {
        rc = -errno;
        xvm_evtchn_close(d->ec, *local);
        return rc;
    }
    return 0;
}

static void evtchn_unbind(struct nbd *d, evtchn_port_t port)
{
    int fd = xvm_evtchn_fd(d->ec, port);

    if (fd < 0)
        return;
    epoll_ctl(d->ep, EPOLL_CTL_DEL, fd, NULL);
    xvm_evtchn_close(d->ec, port);
}

/* ---- connect / disconnect (nb_xenbus owner) --------------------------- */

/* The toolstack's rate key, "bytes,usecs"; absent means unlimited. */
static int read_rate(struct nbd_dev *dev)
{
    char p[128], *v, *comma;
    uint64_t bytes, usecs;
    size_t len;
    int rc;

    dev->rate_bytes = dev->rate_usecs = 0;
    snprintf(p, sizeof(p), "%s/rate", dev->path);
    rc = xvm_xs_read(dev->d->xs, XVM_XS_NO_TX, p, &v, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    comma = memchr(v, ',', len);
    rc = -EINVAL;
    if (comma &&
        xvm_xs_parse_uint(v, (size_t)(comma - v), UINT32_MAX, &bytes) == 0 &&
        xvm_xs_parse_uint(comma + 1, len - (size_t)(comma - v) - 1,
                          UINT32_MAX, &usecs) == 0 &&
        (usecs || !bytes)) {
        dev->rate_bytes = bytes;
        dev->rate_usecs = usecs;
        rc = 0;
    }
    free(v);
    return rc;
}

static int vif_make(struct nbd_dev *dev, const struct nb_xenbus_frontend *fi)
{
    struct nbd *d = dev->d;
    struct nb_vif_params p = {
        .name = dev->name,
        .frontend_domid = fi->frontend_domid,
        .backend_domid = 0,
        .mem = dev->dom->mem,
        .gnttab_gfn = dev->dom->gt_gfn,
        .gnttab_frames = dev->dom->gt_frames,
        .tx_ring_ref = fi->tx_ring_ref,
        .rx_ring_ref = fi->rx_ring_ref,
        .evtchn = d->ec,
        .tx_port = dev->tx_port,
        .rx_port = dev->rx_port,
        .features = fi->features,
        .ops = &nbd_switch_io_ops,
    };

    dev->port = nbd_port_add(d->sw, dev->name, fi->mac);
    if (!dev->port)
        return -errno;
    p.ops_arg = dev->port;
    dev->vif = nb_vif_create(&p);
    if (!dev->vif) {
        int rc = -errno;

        nbd_port_remove(dev->port);
        dev->port = NULL;
        return rc;
    }
    nb_vif_set_rate(dev->vif, dev->rate_bytes, dev->rate_usecs);
    nbd_port_attach(dev->port, dev->vif);
    return 0;
}

static int dev_connect(void *owner, const struct nb_xenbus_frontend *fi)
{
    struct nbd_dev *dev = owner;
    struct nbd *d = dev->d;
    int rc;

    rc = read_rate(dev);
    if (rc < 0) {
        nbd_log("%s: bad rate key: %s", dev->name, strerror(-rc));
        return rc;
    }
    rc = dom_get(d, dev->domid, &dev->dom);
    if (rc < 0)
        return rc;
    dev->dom->refs++;
    rc = evtchn_bind(d, dev->domid, fi->tx_port, &dev->tx_port);
    if (rc < 0)
        goto err_dom;
    dev->rx_port = dev->tx_port;
    if (fi->split_evtchn) {
        rc = evtchn_bind(d, dev->domid, fi->rx_port, &dev->rx_port);
        if (rc < 0)
            goto err_tx;
    }
    rc = vif_make(dev, fi);
    if (rc < 0)
        goto err_rx;
    nbd_log("%s: connected (mac %02x:%02x:%02x:%02x:%02x:%02x, rate "
            "%llu,%llu)", dev->name, fi->mac[0], fi->mac[1], fi->mac[2],
            fi->mac[3], fi->mac[4], fi->mac[5],
            (unsigned long long)dev->rate_bytes,
            (unsigned long long)dev->rate_usecs);
    d->stats_dirty = true;
    return 0;

err_rx:
    if (dev->rx_port != dev->tx_port)
        evtchn_unbind(d, dev->rx_port);
err_tx:
    evtchn_unbind(d, dev->tx_port);
err_dom:
    dom_put(d, dev->dom);
    dev->dom = NULL;
    dev->tx_port = dev->rx_port = 0;
    nbd_log("%s: cannot connect: %s", dev->name, strerror(-rc));
    return rc;
}

static void dev_disconnect(void *owner)
{
    struct nbd_dev *dev = owner;
    struct nbd *d = dev->d;

    nbd_port_remove(dev->port);
    dev->port = NULL;
    nb_vif_destroy(dev->vif);
    dev->vif = NULL;
    if (dev->rx_port != dev->tx_port)
        evtchn_unbind(d, dev->rx_port);
    evtchn_unbind(d, dev->tx_port);
    dev->tx_port = dev->rx_port = 0;
    nbd_log("%s: disconnected", dev->name);
    dom_put(d, dev->dom);
    dev->dom = NULL;
    d->stats_dirty = true;
}

static const struct nb_xenbus_ops dev_xb_ops = {
    .connect = dev_connect,
    .disconnect = dev_disconnect,
};

/* A vif the switch found broken: stop listening to its doorbells.  The
 * device stays until its frontend or the toolstack lets go. */
static void dev_disabled(void *arg, struct nbd_port *port, enum nb_fatal why)
{
    struct nbd *d = arg;
    struct nbd_dev *dev;

    for (dev = d->devs; dev && dev->port != port; dev = dev->next)
        ;
    nbd_log("%s: disabled: %s", nbd_port_name(port), nb_fatal_str(why));
    if (dev) {
        epoll_ctl(d->ep, EPOLL_CTL_DEL, xvm_evtchn_fd(d->ec, dev->tx_port),
                  NULL);
        if (dev->rx_port != dev->tx_port)
            epoll_ctl(d->ep, EPOLL_CTL_DEL,
                      xvm_evtchn_fd(d->ec, dev->rx_port), NULL);
    }
    d->stats_dirty = true;
}

const struct nbd_switch_ops nbd_switch_hooks = {.disabled = dev_disabled};

/* ---- devices ---------------------------------------------------------- */

/* Start the xenbus machine; a directory the toolstack is still filling
 * in is retried at its next change. */
static void dev_probe(struct nbd_dev *dev)
{
    dev->xb = nb_xenbus_create(dev->d->xs, dev->path, &dev_xb_ops, dev);
    if (dev->xb) {
        if (dev->probe_err)
            nbd_log("%s: probed", dev->name);
        dev->probe_err = 0;
        dev->d->stats_dirty = true;
        return;
    }
    if (dev->probe_err != errno)
        nbd_log("%s: cannot probe %s: %s (waiting for a change)", dev->name,
                dev->path, strerror(errno));
    dev->probe_err = errno;
}

static struct nbd_dev *dev_find(struct nbd *d, uint32_t domid, uint32_t n)
{
    struct nbd_dev *dev;

    for (dev = d->devs; dev; dev = dev->next)
        if (dev->domid == domid && dev->n == n)
            return dev;
    return NULL;
}

static struct nbd_dev *dev_new(struct nbd *d, uint32_t domid, uint32_t n)
{
    struct nbd_dev *dev = calloc(1, sizeof(*dev));

    if (!dev)
        return NULL;
    dev->d = d;
    dev->domid = domid;
    dev->n = n;
    snprintf(dev->path, sizeof(dev->path), NBD_BE_ROOT "/%u/%u", domid, n);
    snprintf(dev->name, sizeof(dev->name), "vif%u.%u", domid, n);
    dev->next = d->devs;
    d->devs = dev;
    nbd_log("%s: new device %s", dev->name, dev->path);
    dev_probe(dev);
    d->stats_dirty = true;
    return dev;
}

/*
 * Remove the directories our last state write may have recreated under a
 * directory the toolstack removed (xenstore WRITE creates parents), and
 * our error node.
 */
static void dev_leftovers(struct nbd_dev *dev)
{
    struct xvm_xs *xs = dev->d->xs;
    char p[128], **names = NULL;
    unsigned n = 0;

    xvm_xs_rm(xs, XVM_XS_NO_TX, dev->path);
    snprintf(p, sizeof(p), NBD_BE_ROOT "/%u", dev->domid);
    if (xvm_xs_directory(xs, XVM_XS_NO_TX, p, &names, &n) == 0 && n == 0)
        xvm_xs_rm(xs, XVM_XS_NO_TX, p);
    free(names);
    snprintf(p, sizeof(p), "/local/domain/0/error/backend/vif/%u/%u",
             dev->domid, dev->n);
    xvm_xs_rm(xs, XVM_XS_NO_TX, p);
}

/* Forget a device; @gone: its directory was removed (domain destroyed). */
static void dev_free(struct nbd *d, struct nbd_dev *dev, bool gone)
{
    struct nbd_dev **pp;

    for (pp = &d->devs; *pp; pp = &(*pp)->next)
        if (*pp == dev) {
            *pp = dev->next;
            break;
        }
    nb_xenbus_destroy(dev->xb);
    if (gone) {
        dev_leftovers(dev);
        nbd_log("%s: removed (backend directory gone)", dev->name);
    }
    d->stats_dirty = true;
    free(dev);
}

/* A directory name as a number: strict decimal below @max. */
static bool name_num(const char *s, uint64_t max, uint32_t *out)
{
    uint64_t v;

    if (xvm_xs_parse_uint(s, strlen(s), max, &v) < 0)
        return false;
    *out = (uint32_t)v;
    return true;
}

/*
 * A device whose directory lost its toolstack keys: what our own Closed
 * write leaves when the frontend's nodes went before the backend's.
 */
static bool dev_orphan(struct nbd_dev *dev)
{
    char p[128], *v = NULL;
    int rc;

    /* Only a device we ran: one still being filled in is left alone. */
    if (!dev->xb || nb_xenbus_state(dev->xb) != XenbusStateClosed)
        return false;
    snprintf(p, sizeof(p), "%s/frontend-id", dev->path);
    rc = xvm_xs_read(dev->d->xs, XVM_XS_NO_TX, p, &v, NULL);
    free(v);
    return rc == -ENOENT;
}

static int scan_domain(struct nbd *d, uint32_t domid)
{
    char p[96], **names = NULL;
    unsigned n = 0, i;
    uint32_t vn;
    int rc;

    snprintf(p, sizeof(p), NBD_BE_ROOT "/%u", domid);
    rc = xvm_xs_directory(d->xs, XVM_XS_NO_TX, p, &names, &n);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        struct nbd_dev *dev;

        if (!name_num(names[i], UINT32_MAX, &vn))
            continue;
        dev = dev_find(d, domid, vn);
        if (!dev)
            dev = dev_new(d, domid, vn);
        if (dev)
            dev->seen = !dev_orphan(dev);
    }
    free(names);
    return 0;
}

/* Bring the device list in line with the directories under NBD_BE_ROOT. */
static int scan(struct nbd *d)
{
    struct nbd_dev *dev, *next;
    char **names = NULL;
    unsigned n = 0, i;
    uint32_t domid;
    int rc;

    for (dev = d->devs; dev; dev = dev->next)
        dev->seen = false;
    rc = xvm_xs_directory(d->xs, XVM_XS_NO_TX, NBD_BE_ROOT, &names, &n);
    if (rc == -ENOENT)
        rc = 0; /* no vif yet: nothing to serve, and no device to keep */
    if (rc < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        if (name_num(names[i], DOMID_FIRST_RESERVED - 1, &domid) && domid)
            rc = scan_domain(d, domid);
    free(names);
    if (rc < 0)
        return rc;
    for (dev = d->devs; dev; dev = next) {
        next = dev->next;
        if (!dev->seen)
            dev_free(d, dev, true);
    }
    return 0;
}

/*
 * An event of our NBD_BE_ROOT watch.  Below a known device's directory it
 * only matters to a device still waiting for its toolstack keys; anything
 * else (a directory made or removed) needs a scan.
 */
static int root_event(struct nbd *d, const char *path)
{
    size_t len = strlen(NBD_BE_ROOT);
    uint32_t domid, n;
    struct nbd_dev *dev;
    int used = 0;

    if (strncmp(path, NBD_BE_ROOT, len) != 0 || path[len] != '/')
        return scan(d);
    if (sscanf(path + len, "/%u/%u/%n", &domid, &n, &used) != 2 || !used)
        return scan(d);
    dev = dev_find(d, domid, n);
    if (!dev)
        return scan(d);
    if (!dev->xb)
        dev_probe(dev);
    if (dev->xb && nb_xenbus_state(dev->xb) == XenbusStateClosed)
        return scan(d);
    return 0;
}

int nbd_devs_event(struct nbd *d, const struct xvm_xs_event *ev)
{
    struct nbd_dev *dev;
    int rc;

    if (strcmp(ev->token, NBD_BE_TOKEN) == 0)
        return root_event(d, ev->path);
    for (dev = d->devs; dev; dev = dev->next) {
        if (!dev->xb)
            continue;
        rc = nb_xenbus_event(dev->xb, ev);
        if (rc < 0)
            return rc;
        if (rc > 0) {
            d->stats_dirty = true;
            return 0;
        }
    }
    return 0;
}

int nbd_devs_start(struct nbd *d)
{
    /* The watch fires once at once: that event runs the first scan. */
    return xvm_xs_watch(d->xs, NBD_BE_ROOT, NBD_BE_TOKEN);
}

void nbd_devs_stop(struct nbd *d)
{
    /* Closed tells each frontend to wait for the next backend. */
    while (d->devs)
        dev_free(d, d->devs, false);
    xvm_xs_unwatch(d->xs, NBD_BE_ROOT, NBD_BE_TOKEN);
}
