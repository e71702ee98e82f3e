/* SPDX-License-Identifier: MIT */
/*
 * nbd_vifmgr: vif devices found in xenstore, their xenbus machines and
 * their domains' memory and event channels (nbd_vifmgr.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linkprop/linkprop.h"
#include "xvmdctl/client.h"
#include "netback/nbd_vifmgr.h"
#include "xs/xenbus.h"

/* The token of our watch on NBD_BE_ROOT. */
#define BE_TOKEN "nbd:vifs"

/* Reconnection backoff: the first retry, and the longest wait. */
#define RETRY_FIRST_MS 100u
#define RETRY_MAX_MS 2000u

struct nbd_vifmgr {
    struct xvm_xs *xs; /* the devices' connection (unusable while lost) */
    bool lost;         /* xs failed: reconnecting */
    unsigned attempts; /* reconnection attempts since the loss */
    unsigned wait_ms;  /* the current backoff */
    struct timespec retry_at;
    uint64_t dropped; /* xvm_xs_events_dropped() already caught up with */
    const char *xs_sock;
    const char *xvmd_sock;
    const struct nbd_vifmgr_ops *ops;
    void *arg;
    nbd_log_fn *log;
    unsigned max_queues; /* what each device offers (0: the default) */
    struct nbd_vifdev *devs;
    struct nbd_dom *doms;
};

static void changed(struct nbd_vifmgr *vm)
{
    if (vm->ops->changed)
        vm->ops->changed(vm->arg);
}

/* ---- domains ---------------------------------------------------------- */

static struct nbd_dom *dom_find(struct nbd_vifmgr *vm, uint32_t domid)
{
    struct nbd_dom *m;

    for (m = vm->doms; m; m = m->next)
        if (m->domid == domid)
            return m;
    return NULL;
}

/* The domain's memory, mapped once; the caller takes a reference. */
static int dom_get(struct nbd_vifmgr *vm, uint32_t domid,
                   struct nbd_dom **out)
{
    struct xvmd_dommem dm;
    struct nbd_dom *m = dom_find(vm, domid);
    char err[256];
    int rc;

    if (m) {
        *out = m;
        return 0;
    }
    rc = xvmd_dommem_get(vm->xvmd_sock, domid, &dm, err, sizeof(err));
    if (rc < 0) {
        vm->log("domain %u: no memory from xvmd: %s", domid, err);
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
        vm->log("domain %u: cannot map its memory: %s", domid,
                strerror(-rc));
        free(m);
        return rc;
    }
    m->domid = domid;
    m->gt_gfn = dm.gt_gfn;
    m->gt_frames = dm.gt_frames;
    m->next = vm->doms;
    vm->doms = m;
    vm->log("domain %u: memory mapped (%u frames)", domid,
            xvm_mem_nr_frames(m->mem));
    *out = m;
    return 0;
}

/* Drop a reference; the last one unmaps the memory. */
static void dom_put(struct nbd_vifmgr *vm, struct nbd_dom *m)
{
    struct nbd_dom **pp;

    if (!m || --m->refs > 0)
        return;
    for (pp = &vm->doms; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    vm->log("domain %u: memory unmapped", m->domid);
    xvm_mem_destroy(m->mem);
    free(m);
}

/* ---- connect / disconnect (nb_xenbus owner) --------------------------- */

int nbd_vifdev_read(const struct nbd_vifdev *dev, const char *key,
                    char **val)
{
    char p[160], *v;
    size_t len;
    int rc = xvm_xs_key_path(p, sizeof(p), dev->path, key);

    if (rc < 0)
        return rc;
    rc = xvm_xs_read(dev->mgr->xs, XVM_XS_NO_TX, p, &v, &len);
    if (rc < 0)
        return rc;
    *val = strndup(v, len);
    free(v);
    return *val ? 0 : -ENOMEM;
}

int nbd_vifdev_read_rate(struct nbd_vifdev *dev)
{
    char *v;
    int rc;

    dev->rate_bytes = dev->rate_usecs = 0;
    rc = nbd_vifdev_read(dev, "rate", &v);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    rc = lp_rate_parse(v, &dev->rate_bytes, &dev->rate_usecs);
    free(v);
    return rc;
}

static void fds_close(struct nbd_evtchn_fds *e)
{
    if (e->own_fd >= 0)
        close(e->own_fd);
    if (e->peer_fd >= 0)
        close(e->peer_fd);
    e->own_fd = e->peer_fd = -1;
}

/* Bind the guest's @port through xvmd: both doorbells into @e. */
static int evtchn_bind(struct nbd_vifdev *dev, uint32_t port,
                       struct nbd_evtchn_fds *e)
{
    char err[256];
    int rc;

    e->remote = port;
    rc = xvmd_evtchn_bind(dev->mgr->xvmd_sock, dev->domid, port, &e->own_fd,
                          &e->peer_fd, err, sizeof(err));
    if (rc < 0) {
        e->own_fd = e->peer_fd = -1;
        dev->mgr->log("domain %u: cannot bind port %u: %s", dev->domid, port,
                      err);
    }
    return rc;
}

/* Every queue's channels: the TX (or only) one, and the RX one if split. */
static int evtchns_bind(struct nbd_vifdev *dev,
                        const struct nb_xenbus_frontend *fi,
                        struct nbd_vifconn *c)
{
    unsigned q;
    int rc = 0;

    for (q = 0; rc == 0 && q < fi->num_queues; q++) {
        rc = evtchn_bind(dev, fi->queue[q].tx_port, &c->tx[q]);
        if (rc == 0 && fi->queue[q].split_evtchn)
            rc = evtchn_bind(dev, fi->queue[q].rx_port, &c->rx[q]);
    }
    return rc;
}

static int dev_connect(void *owner, const struct nb_xenbus_frontend *fi)
{
    struct nbd_vifdev *dev = owner;
    struct nbd_vifmgr *vm = dev->mgr;
    struct nbd_vifconn c = {.fe = fi};
    unsigned q;
    int rc;

    for (q = 0; q < NETIF_QUEUES_MAX; q++)
        c.tx[q].own_fd = c.tx[q].peer_fd = c.rx[q].own_fd =
            c.rx[q].peer_fd = -1;

    rc = nbd_vifdev_read_rate(dev);
    if (rc < 0) {
        vm->log("%s: bad rate key: %s", dev->name, strerror(-rc));
        return rc;
    }
    rc = dom_get(vm, dev->domid, &dev->dom);
    if (rc < 0)
        return rc;
    dev->dom->refs++;
    c.dom = dev->dom;
    rc = evtchns_bind(dev, fi, &c);
    if (rc == 0)
        rc = vm->ops->connect(vm->arg, dev, &c);
    for (q = 0; q < NETIF_QUEUES_MAX; q++) {
        fds_close(&c.tx[q]);
        fds_close(&c.rx[q]);
    }
    if (rc < 0) {
        dom_put(vm, dev->dom);
        dev->dom = NULL;
        vm->log("%s: cannot connect: %s", dev->name, strerror(-rc));
        return rc;
    }
    vm->log("%s: connected (mac %02x:%02x:%02x:%02x:%02x:%02x, %u queue%s%s,"
            " rate %llu,%llu)", dev->name, fi->mac[0], fi->mac[1], fi->mac[2],
            fi->mac[3], fi->mac[4], fi->mac[5], fi->num_queues,
            fi->num_queues > 1 ? "s" : "",
            fi->queue[0].split_evtchn ? ", split event channels" : "",
            (unsigned long long)dev->rate_bytes,
            (unsigned long long)dev->rate_usecs);
    changed(vm);
    return 0;
}

static void dev_disconnect(void *owner)
{
    struct nbd_vifdev *dev = owner;
    struct nbd_vifmgr *vm = dev->mgr;

    vm->ops->disconnect(vm->arg, dev);
    vm->log("%s: disconnected", dev->name);
    dom_put(vm, dev->dom);
    dev->dom = NULL;
    changed(vm);
}

static const struct nb_xenbus_ops dev_xb_ops = {
    .connect = dev_connect,
    .disconnect = dev_disconnect,
};

/* ---- devices ---------------------------------------------------------- */

/* Start the xenbus machine; a directory the toolstack is still filling
 * in is retried at its next change. */
static void dev_probe(struct nbd_vifdev *dev)
{
    struct nbd_vifmgr *vm = dev->mgr;

    dev->xb = nb_xenbus_create(vm->xs, dev->path, vm->max_queues,
                               &dev_xb_ops, dev);
    if (dev->xb) {
        if (dev->probe_err)
            vm->log("%s: probed", dev->name);
        dev->probe_err = 0;
        if (!dev->added && vm->ops->add)
            vm->ops->add(vm->arg, dev);
        dev->added = true;
        changed(vm);
        return;
    }
    if (dev->probe_err != errno)
        vm->log("%s: cannot probe %s: %s (waiting for a change)", dev->name,
                dev->path, strerror(errno));
    dev->probe_err = errno;
}

static struct nbd_vifdev *dev_find(struct nbd_vifmgr *vm, uint32_t domid,
                                   uint32_t n)
{
    struct nbd_vifdev *dev;

    for (dev = vm->devs; dev; dev = dev->next)
        if (dev->domid == domid && dev->n == n)
            return dev;
    return NULL;
}

static struct nbd_vifdev *dev_new(struct nbd_vifmgr *vm, uint32_t domid,
                                  uint32_t n)
{
    struct nbd_vifdev *dev = calloc(1, sizeof(*dev));

    if (!dev)
        return NULL;
    dev->mgr = vm;
    dev->domid = domid;
    dev->n = n;
    snprintf(dev->path, sizeof(dev->path), NBD_BE_ROOT "/%u/%u", domid, n);
    snprintf(dev->name, sizeof(dev->name), "vif%u.%u", domid, n);
    dev->next = vm->devs;
    vm->devs = dev;
    vm->log("%s: new device %s", dev->name, dev->path);
    dev_probe(dev);
    changed(vm);
    return dev;
}

/*
 * Remove the directories our last state write may have recreated under a
 * directory the toolstack removed (xenstore WRITE creates parents), and
 * our error node.
 */
static void dev_leftovers(struct nbd_vifdev *dev)
{
    struct xvm_xs *xs = dev->mgr->xs;
    char p[128], **names = NULL;
    unsigned n = 0;

    xvm_xs_rm(xs, XVM_XS_NO_TX, dev->path);
    snprintf(p, sizeof(p), NBD_BE_ROOT "/%u", dev->domid);
    if (xvm_xs_directory(xs, XVM_XS_NO_TX, p, &names, &n) == 0 && n == 0)
        xvm_xs_rm(xs, XVM_XS_NO_TX, p);
    free(names);
    if (xvm_xs_error_dir(p, sizeof(p), dev->path) == 0)
        xvm_xs_rm(xs, XVM_XS_NO_TX, p);
}

/* Why a device goes. */
enum dev_end {
    DEV_STOP,  /* the manager is being destroyed */
    DEV_GONE,  /* its directory was removed (domain destroyed) */
    DEV_STALE, /* after a resync it cannot be kept: probed again */
};

/* Forget a device. */
static void dev_free(struct nbd_vifmgr *vm, struct nbd_vifdev *dev,
                     enum dev_end why)
{
    struct nbd_vifdev **pp;

    for (pp = &vm->devs; *pp; pp = &(*pp)->next)
        if (*pp == dev) {
            *pp = dev->next;
            break;
        }
    nb_xenbus_destroy(dev->xb);
    if (dev->added && vm->ops->remove)
        vm->ops->remove(vm->arg, dev, why != DEV_STOP);
    if (why == DEV_GONE) {
        dev_leftovers(dev);
        vm->log("%s: removed (backend directory gone)", dev->name);
    }
    changed(vm);
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
static bool dev_orphan(struct nbd_vifdev *dev)
{
    char *v = NULL;
    int rc;

    /* Only a device we ran: one still being filled in is left alone. */
    if (!dev->xb || nb_xenbus_state(dev->xb) != XenbusStateClosed)
        return false;
    rc = nbd_vifdev_read(dev, "frontend-id", &v);
    free(v);
    return rc == -ENOENT;
}

static int scan_domain(struct nbd_vifmgr *vm, uint32_t domid)
{
    char p[96], **names = NULL;
    unsigned n = 0, i;
    uint32_t vn;
    int rc;

    snprintf(p, sizeof(p), NBD_BE_ROOT "/%u", domid);
    rc = xvm_xs_directory(vm->xs, XVM_XS_NO_TX, p, &names, &n);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        struct nbd_vifdev *dev;

        if (!name_num(names[i], UINT32_MAX, &vn))
            continue;
        dev = dev_find(vm, domid, vn);
        if (!dev)
            dev = dev_new(vm, domid, vn);
        if (dev)
            dev->seen = !dev_orphan(dev);
    }
    free(names);
    return 0;
}

/* Bring the device list in line with the directories under NBD_BE_ROOT. */
static int scan(struct nbd_vifmgr *vm)
{
    struct nbd_vifdev *dev, *next;
    char **names = NULL;
    unsigned n = 0, i;
    uint32_t domid;
    int rc;

    for (dev = vm->devs; dev; dev = dev->next)
        dev->seen = false;
    rc = xvm_xs_directory(vm->xs, XVM_XS_NO_TX, NBD_BE_ROOT, &names, &n);
    if (rc == -ENOENT)
        rc = 0; /* no vif yet: nothing to serve, and no device to keep */
    if (rc < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        if (name_num(names[i], DOMID_FIRST_RESERVED - 1, &domid) && domid)
            rc = scan_domain(vm, domid);
    free(names);
    if (rc < 0)
        return rc;
    for (dev = vm->devs; dev; dev = next) {
        next = dev->next;
        if (!dev->seen)
            dev_free(vm, dev, DEV_GONE);
    }
    return 0;
}

/*
 * An event of our NBD_BE_ROOT watch.  Below a known device's directory it
 * only matters to a device still waiting for its toolstack keys; anything
 * else (a directory made or removed) needs a scan.
 */
static int root_event(struct nbd_vifmgr *vm, const char *path)
{
    size_t len = strlen(NBD_BE_ROOT);
    uint32_t domid, n;
    struct nbd_vifdev *dev;
    int used = 0;

    if (strncmp(path, NBD_BE_ROOT, len) != 0 || path[len] != '/')
        return scan(vm);
    if (sscanf(path + len, "/%u/%u/%n", &domid, &n, &used) != 2 || !used)
        return scan(vm);
    dev = dev_find(vm, domid, n);
    if (!dev)
        return scan(vm);
    if (!dev->xb)
        dev_probe(dev);
    if (dev->xb && nb_xenbus_state(dev->xb) == XenbusStateClosed)
        return scan(vm);
    return 0;
}

/* Hand a watch event to whom it is for.  @return 0, or -errno when
 * xenstore failed. */
static int dispatch(struct nbd_vifmgr *vm, const struct xvm_xs_event *ev)
{
    struct nbd_vifdev *dev;
    int rc;

    if (strcmp(ev->token, BE_TOKEN) == 0)
        return root_event(vm, ev->path);
    for (dev = vm->devs; dev; dev = dev->next) {
        if (!dev->xb)
            continue;
        rc = nb_xenbus_event(dev->xb, ev);
        if (rc < 0)
            return rc;
        if (rc > 0) {
            changed(vm);
            return 0;
        }
    }
    return 0;
}

/* ---- recovery: reconnecting and resynchronising ----------------------- */

/*
 * Bring one device in line with xenstore after a reconnection or lost
 * events: its directory gone, it is reaped; else its xenbus machine is
 * taken over to vm->xs if it still matches (the vif keeps running), or
 * the device is probed again as after a backend restart.
 * @return 0 kept, 1 probed again, 2 reaped (@dev is then freed), or
 *         -errno (xenstore failed; @dev is still there).
 */
static int dev_resync(struct nbd_vifmgr *vm, struct nbd_vifdev *dev)
{
    uint32_t domid = dev->domid, n = dev->n;
    char *v = NULL;
    int rc = nbd_vifdev_read(dev, "frontend-id", &v);

    free(v);
    if (rc == -ENOENT) {
        dev_free(vm, dev, DEV_GONE);
        return 2;
    }
    if (rc < 0)
        return rc;
    if (dev->xb) {
        rc = nb_xenbus_resume(dev->xb, vm->xs);
        if (rc != -ESTALE)
            return rc;
    }
    /* Its VNIC is made again from the keys there now: the domain id
     * may even belong to another domain. */
    vm->log("%s: not as it was: probing it again", dev->name);
    dev_free(vm, dev, DEV_STALE);
    /* Out of memory, the scan that ends the resync tries again. */
    dev_new(vm, domid, n);
    return 1;
}

/*
 * Resynchronise every device with vm->xs, then look for new ones.  After
 * a reconnection the devices still use the old connection until they are
 * taken over; on a xenstore failure those not taken over let go of it
 * (the caller closes it afterwards) and are probed again at the next
 * resync.
 */
static int resync(struct nbd_vifmgr *vm)
{
    unsigned cnt[3] = {0, 0, 0};
    struct nbd_vifdev *dev, *next;
    int rc = 0, r;

    /* New devices go to the head of the list: walk what was there. */
    for (dev = vm->devs; dev; dev = next) {
        next = dev->next;
        if (rc < 0) {
            nb_xenbus_destroy(dev->xb);
            dev->xb = NULL;
            continue;
        }
        r = dev_resync(vm, dev);
        if (r >= 0) {
            cnt[r]++;
            continue;
        }
        rc = r;
        nb_xenbus_destroy(dev->xb);
        dev->xb = NULL;
    }
    if (rc == 0)
        rc = scan(vm);
    if (rc < 0)
        return rc;
    vm->log("xenstore resynchronised: %u vifs kept, %u probed again, %u "
            "reaped", cnt[0], cnt[1], cnt[2]);
    return 0;
}

/* The connection failed with @err: let it be, and retry soon. */
static void lose(struct nbd_vifmgr *vm, int err)
{
    if (vm->xs)
        vm->log("xenstore connection lost (%s): reconnecting to %s, guest "
                "vifs keep running meanwhile", strerror(-err), vm->xs_sock);
    else
        vm->log("xenstore at %s: %s: waiting for it", vm->xs_sock,
                strerror(-err));
    vm->lost = true;
    vm->attempts = 0;
    vm->wait_ms = RETRY_FIRST_MS;
    clock_gettime(CLOCK_MONOTONIC, &vm->retry_at);
}

/* Milliseconds from now until @t (0 if past). */
static int ms_until(const struct timespec *t)
{
    struct timespec now;
    int64_t ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (t->tv_sec - now.tv_sec) * 1000 +
         (t->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* One attempt; a failure doubles the wait (up to RETRY_MAX_MS). */
static void reconnect(struct nbd_vifmgr *vm)
{
    struct xvm_xs *old = vm->xs, *xs = xvm_xs_open(vm->xs_sock);
    int rc = xs ? xvm_xs_watch(xs, NBD_BE_ROOT, BE_TOKEN) : -errno;

    vm->attempts++;
    if (rc < 0) {
        /* Attempts 1, 2, 4, 8, ...: the log says it is still trying. */
        if ((vm->attempts & (vm->attempts - 1)) == 0)
            vm->log("xenstore: reconnecting to %s (attempt %u, next in %u "
                    "ms): %s", vm->xs_sock, vm->attempts, vm->wait_ms,
                    strerror(-rc));
        xvm_xs_close(xs);
        clock_gettime(CLOCK_MONOTONIC, &vm->retry_at);
        vm->retry_at.tv_sec += vm->wait_ms / 1000;
        vm->retry_at.tv_nsec += (long)(vm->wait_ms % 1000) * 1000000;
        if (vm->retry_at.tv_nsec >= 1000000000) {
            vm->retry_at.tv_sec++;
            vm->retry_at.tv_nsec -= 1000000000;
        }
        vm->wait_ms = vm->wait_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS
                                                     : vm->wait_ms * 2;
        return;
    }
    vm->log("xenstore: reconnected to %s after %u attempt(s)", vm->xs_sock,
            vm->attempts);
    vm->xs = xs;
    vm->lost = false;
    vm->dropped = 0;
    rc = resync(vm);
    xvm_xs_close(old);
    if (rc < 0)
        lose(vm, rc);
}

void nbd_vifmgr_run(struct nbd_vifmgr *vm)
{
    struct xvm_xs_event *ev;
    uint64_t dropped;
    int rc;

    if (vm->lost) {
        if (ms_until(&vm->retry_at) == 0)
            reconnect(vm);
        return;
    }
    /* Until nothing is queued nor readable: events read along with a
     * reply wait in the client without the fd being readable. */
    while ((rc = xvm_xs_event_next(vm->xs, &ev)) == 1) {
        rc = dispatch(vm, ev);
        free(ev);
        if (rc < 0)
            break;
    }
    dropped = xvm_xs_events_dropped(vm->xs);
    if (rc == 0 && dropped != vm->dropped) {
        vm->log("xenstore dropped %llu watch event(s): resynchronising",
                (unsigned long long)(dropped - vm->dropped));
        vm->dropped = dropped;
        rc = resync(vm);
    }
    if (rc < 0)
        lose(vm, rc);
}

int nbd_vifmgr_fd(const struct nbd_vifmgr *vm)
{
    return vm->lost ? -1 : xvm_xs_fd(vm->xs);
}

int nbd_vifmgr_timeout(const struct nbd_vifmgr *vm)
{
    return vm->lost ? ms_until(&vm->retry_at) : -1;
}

struct xvm_xs *nbd_vifmgr_xs(const struct nbd_vifmgr *vm)
{
    return vm->lost ? NULL : vm->xs;
}

struct nbd_vifmgr *nbd_vifmgr_create(const struct nbd_vifmgr_params *p)
{
    struct nbd_vifmgr *vm;
    int rc;

    if (!p || !p->xs_sock || !p->xvmd_sock || !p->ops || !p->ops->connect ||
        !p->ops->disconnect || !p->log || p->max_queues > NETIF_QUEUES_MAX) {
        errno = EINVAL;
        return NULL;
    }
    vm = calloc(1, sizeof(*vm));
    if (!vm)
        return NULL;
    vm->xs_sock = p->xs_sock;
    vm->xvmd_sock = p->xvmd_sock;
    vm->ops = p->ops;
    vm->arg = p->arg;
    vm->log = p->log;
    vm->max_queues = p->max_queues;
    vm->xs = xvm_xs_open(p->xs_sock);
    if (!vm->xs && (errno == ENOENT || errno == ECONNREFUSED)) {
        /* xenstore is not up yet: wait for it as after a loss. */
        lose(vm, -errno);
        return vm;
    }
    if (!vm->xs)
        goto free_vm;
    /* The watch fires once at once: that event runs the first scan. */
    rc = xvm_xs_watch(vm->xs, NBD_BE_ROOT, BE_TOKEN);
    if (rc < 0) {
        errno = -rc;
        goto close_xs;
    }
    return vm;

close_xs:
    rc = errno;
    xvm_xs_close(vm->xs);
    errno = rc;
free_vm:
    free(vm);
    return NULL;
}

void nbd_vifmgr_destroy(struct nbd_vifmgr *vm)
{
    if (!vm)
        return;
    /* Closed tells each frontend to wait for the next backend. */
    while (vm->devs)
        dev_free(vm, vm->devs, DEV_STOP);
    if (vm->xs)
        xvm_xs_unwatch(vm->xs, NBD_BE_ROOT, BE_TOKEN);
    xvm_xs_close(vm->xs);
    free(vm);
}

struct nbd_vifdev *nbd_vifmgr_devs(const struct nbd_vifmgr *vm)
{
    return vm ? vm->devs : NULL;
}

struct nbd_dom *nbd_vifmgr_doms(const struct nbd_vifmgr *vm)
{
    return vm ? vm->doms : NULL;
}
