/* SPDX-License-Identifier: MIT */
/*
 * The switch core, control side: links, VNICs, and publishing the tables
 * the fast path reads.  Every change follows the same order: build the new
 * version, publish it with a release store, wait for an RCU grace period
 * (vsw_sync), then free what the fast path might still have been using.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "capture_pvt.h"
#include "switch_pvt.h"

#define DEFAULT_VNICS_PER_LINK 4096

bool vsw_worker_mine(const struct vsw_worker *w)
{
    return !w->running || pthread_equal(w->tid, pthread_self());
}

/*
 * Wait until every worker has passed a quiescent state.  When the caller
 * is a worker itself (single-threaded tests, the benchmark) it reports
 * its own quiescent state instead of waiting for itself.  The wait
 * yields the CPU rather than spinning: on a host with one CPU for both
 * threads, spinning would hold off the fast path for a whole time slice.
 */
void vsw_sync(struct vsw_switch *sw)
{
    uint64_t token = rte_rcu_qsbr_start(sw->qsbr);
    unsigned i;

    for (i = 0; i < sw->nw; i++)
        if (sw->w[i]->running && pthread_equal(sw->w[i]->tid, pthread_self()))
            rte_rcu_qsbr_quiescent(sw->qsbr, i);
    while (!rte_rcu_qsbr_check(sw->qsbr, token, false))
        sched_yield();
}

struct vsw_worker *vsw_worker_pick(struct vsw_switch *sw)
{
    struct vsw_worker *best = sw->w[0];
    unsigned i;

    for (i = 1; i < sw->nw; i++)
        if (sw->w[i]->neps < best->neps)
            best = sw->w[i];
    return best;
}

static struct vsw_worker *worker_new(struct vsw_switch *sw, unsigned id)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    struct vsw_worker *w;

    /* The process's own heap, not DPDK's: what it points to (its poll
     * set) stays visible to leak checkers. */
    w = aligned_alloc(RTE_CACHE_LINE_SIZE,
                      RTE_ALIGN_CEIL(sizeof(*w), RTE_CACHE_LINE_SIZE));
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    memset(w, 0, sizeof(*w));
    w->sw = sw;
    w->id = id;
    w->pollset = calloc(1, sizeof(*w->pollset));
    if (!w->pollset)
        goto free_w;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0)
        goto free_pollset;
    w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->wakefd < 0)
        goto close_ep;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) < 0)
        goto close_wake;
    return w;

close_wake:
    close(w->wakefd);
close_ep:
    close(w->epfd);
free_pollset:
    free(w->pollset);
free_w:
    free(w);
    return NULL;
}

static void worker_free(struct vsw_worker *w)
{
    if (!w)
        return;
    close(w->wakefd);
    close(w->epfd);
    free(w->pollset);
    free(w);
}

static void workers_free(struct vsw_switch *sw)
{
    unsigned i;

    vsw_handoff_fini(sw);
    for (i = 0; i < sw->nw; i++)
        worker_free(sw->w[i]);
}

struct vsw_switch *vsw_switch_create(const struct vsw_switch_params *p)
{
    struct vsw_switch *sw;
    unsigned nw, i;
    size_t qsz;
    int rc;

    nw = p && p->workers ? p->workers : 1;
    if (!p || !p->pool || nw > VSW_WORKERS_MAX) {
        errno = EINVAL;
        return NULL;
    }
    sw = calloc(1, sizeof(*sw));
    if (!sw)
        return NULL;
    sw->pool = p->pool;
    sw->vnics_per_link =
        p->vnics_per_link ? p->vnics_per_link : DEFAULT_VNICS_PER_LINK;
    sw->tsc_hz = rte_get_tsc_hz();
    sw->fd_look_gap = vsw_fd_look_gap(sw->tsc_hz);
    TAILQ_INIT(&sw->links);
    pthread_mutex_init(&sw->lock, NULL);
    if (vsw_names_init(&sw->names) < 0)
        goto free_sw;
    qsz = rte_rcu_qsbr_get_memsize(nw);
    sw->qsbr = rte_zmalloc("vsw_qsbr", qsz, RTE_CACHE_LINE_SIZE);
    if (!sw->qsbr) {
        errno = ENOMEM;
        goto free_names;
    }
    if (rte_rcu_qsbr_init(sw->qsbr, nw) != 0)
        goto free_qsbr;
    sw->nw = nw;
    for (i = 0; i < nw; i++)
        if (!(sw->w[i] = worker_new(sw, i)))
            goto free_workers;
    rc = vsw_handoff_init(sw);
    if (rc < 0) {
        errno = -rc;
        goto free_workers;
    }
    return sw;

free_workers:
    workers_free(sw);
free_qsbr:
    rte_free(sw->qsbr);
free_names:
    vsw_names_fini(&sw->names);
free_sw:
    free(sw);
    return NULL;
}

void vsw_switch_destroy(struct vsw_switch *sw)
{
    struct vsw_link *l;

    if (!sw)
        return;
    while ((l = TAILQ_FIRST(&sw->links)) != NULL) {
        struct vsw_vnic *v;

        while ((v = TAILQ_FIRST(&l->vnics)) != NULL)
            vsw_vnic_destroy(v);
        vsw_link_destroy(l);
    }
    vsw_handoff_settle(sw);
    workers_free(sw);
    rte_free(sw->qsbr);
    vsw_names_fini(&sw->names);
    pthread_mutex_destroy(&sw->lock);
    free(sw);
}

unsigned vsw_switch_workers(const struct vsw_switch *sw)
{
    return sw->nw;
}

int vsw_switch_worker_stats(const struct vsw_switch *sw, unsigned worker,
                            struct vsw_worker_stats *st)
{
    const struct vsw_worker *w;

    if (worker >= sw->nw)
        return -EINVAL;
    w = sw->w[worker];
    st->endpoints = w->neps;
    st->handed = __atomic_load_n(&w->handed, __ATOMIC_RELAXED);
    st->handoff_drops = __atomic_load_n(&w->ho_drops, __ATOMIC_RELAXED);
    st->gone_drops = __atomic_load_n(&w->gone, __ATOMIC_RELAXED);
    st->cache_hits = __atomic_load_n(&w->fdbc_hits, __ATOMIC_RELAXED);
    st->cache_misses = __atomic_load_n(&w->fdbc_misses, __ATOMIC_RELAXED);
    return 0;
}

void vsw_switch_wake(struct vsw_switch *sw)
{
    uint64_t one = 1;
    unsigned i;

    for (i = 0; i < sw->nw; i++)
        if (write(sw->w[i]->wakefd, &one, sizeof(one)) < 0) {
            /* The counter is saturated: a wake-up is pending anyway. */
        }
}

int vsw_switch_thread_start(struct vsw_switch *sw, unsigned worker)
{
    struct vsw_worker *w;

    if (worker >= sw->nw)
        return -EINVAL;
    w = sw->w[worker];
    if (w->running)
        return -EBUSY;
    if (rte_rcu_qsbr_thread_register(sw->qsbr, worker) != 0)
        return -EINVAL;
    w->tid = pthread_self();
    __atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
    rte_rcu_qsbr_thread_online(sw->qsbr, worker);
    return 0;
}

void vsw_switch_thread_stop(struct vsw_switch *sw, unsigned worker)
{
    struct vsw_worker *w;

    if (worker >= sw->nw || !sw->w[worker]->running)
        return;
    w = sw->w[worker];
    vsw_fp_unstall_all(w);
    vsw_fp_backlog_run(w, 0, true);
    vsw_handoff_flush(w);
    vsw_fp_flush_eps(w);
    rte_rcu_qsbr_thread_offline(sw->qsbr, worker);
    rte_rcu_qsbr_thread_unregister(sw->qsbr, worker);
    __atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
}

/* ---- names ---- */

bool vsw_name_taken(const struct vsw_switch *sw, const char *name)
{
    return vsw_names_find(&sw->names, name) != NULL;
}

void vsw_name_set(struct vsw_switch *sw, struct vsw_name *nm, char *buf,
                  const char *name)
{
    pthread_mutex_lock(&sw->lock);
    if (nm->name)
        vsw_names_del(&sw->names, nm);
    strcpy(buf, name);
    nm->name = buf;
    vsw_names_add(&sw->names, nm);
    pthread_mutex_unlock(&sw->lock);
}

struct vsw_link *vsw_link_find(const struct vsw_switch *sw, const char *name)
{
    struct vsw_name *e = vsw_names_find(&sw->names, name);

    return e && !e->is_vnic ? container_of(e, struct vsw_link, nm) : NULL;
}

struct vsw_vnic *vsw_vnic_find(const struct vsw_switch *sw, const char *name)
{
    struct vsw_name *e = vsw_names_find(&sw->names, name);

    return e && e->is_vnic ? container_of(e, struct vsw_vnic, nm) : NULL;
}

/* ---- ports: epoll registration and the poll set ---- */

/* Publish a poll set of @w with @add added and/or @del removed; old
 * freed. */
static int pollset_change(struct vsw_worker *w, struct vsw_ep *add,
                          struct vsw_ep *del)
{
    struct vsw_pollset *old = w->pollset, *ps;
    uint32_t i, n = 0;

    ps = malloc(sizeof(*ps) + (old->n + 1) * sizeof(ps->ep[0]));
    if (!ps)
        return -ENOMEM;
    for (i = 0; i < old->n; i++)
        if (old->ep[i] != del)
            ps->ep[n++] = old->ep[i];
    if (add)
        ps->ep[n++] = add;
    ps->n = n;
    vsw_publish(&w->pollset, ps);
    vsw_sync(w->sw);
    free(old);
    return 0;
}

int vsw_ep_plug(struct vsw_ep *ep, struct vsw_port *port)
{
    struct epoll_event ev = {.data.ptr = ep};
    struct vsw_worker *w = ep->w;
    int rc;

    if (port->rx_fd >= 0) {
        ev.events = EPOLLIN;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, port->rx_fd, &ev) < 0)
            return -errno;
        __atomic_add_fetch(&w->nfdports, 1, __ATOMIC_RELEASE);
        return 0;
    }
    if (port->wake_fd >= 0) {
        ev.events = EPOLLIN | EPOLLET;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, port->wake_fd, &ev) < 0)
            return -errno;
    }
    rc = pollset_change(w, ep, NULL);
    if (rc < 0 && port->wake_fd >= 0)
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, port->wake_fd, NULL);
    return rc;
}

void vsw_ep_unplug(struct vsw_ep *ep, struct vsw_port *port)
{
    struct vsw_worker *w = ep->w;

    if (port->rx_fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, port->rx_fd, NULL);
        __atomic_sub_fetch(&w->nfdports, 1, __ATOMIC_RELEASE);
        return;
    }
    if (port->wake_fd >= 0)
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, port->wake_fd, NULL);
    while (pollset_change(w, NULL, ep) < 0) {
        /* Removal must not fail: it only needs a smaller array. */
    }
}

/*
 * Give the @n endpoints @eps (at most VSW_EPS_MOVE_MAX) to worker @to,
 * workers running or not, together.  Each old owner lets go as of a VNIC
 * being destroyed: the ports are unplugged and unpublished, the eps
 * marked dying (frames for them are freed, their lists let go, see
 * poll.c), two grace periods with the rings settled between them; then
 * the new owner is published while the marks stay, one more grace period
 * makes every worker see it, and the ports come back on the new owner.
 * Frames toward them meanwhile are dropped and counted: the workers' gone
 * drops, or, for what a port no longer takes, the ep's vif-error or the
 * sender's unknown-destination drops.  @return 0, -EINVAL, or the first
 * plug's -errno (that ep is then attached to nothing).
 */
int vsw_eps_move(struct vsw_switch *sw, struct vsw_ep **eps, unsigned n,
                 unsigned to)
{
    struct vsw_port *port[VSW_EPS_MOVE_MAX];
    struct vsw_ep *mv[VSW_EPS_MOVE_MAX];
    unsigned i, k = 0;
    struct vsw_worker *w;
    int rc = 0;

    if (to >= sw->nw || n > VSW_EPS_MOVE_MAX)
        return -EINVAL;
    w = sw->w[to];
    for (i = 0; i < n; i++)
        if (eps[i]->w != w)
            mv[k++] = eps[i];
    if (k == 0)
        return 0;
    for (i = 0; i < k; i++) {
        port[i] = mv[i]->port;
        if (port[i])
            vsw_ep_unplug(mv[i], port[i]);
        pthread_mutex_lock(&sw->lock); /* telemetry reads the port's kind */
        vsw_publish(&mv[i]->port, NULL);
        pthread_mutex_unlock(&sw->lock);
        __atomic_store_n(&mv[i]->dying, true, __ATOMIC_RELEASE);
    }
    vsw_sync(sw);
    vsw_handoff_settle(sw);
    vsw_sync(sw);
    for (i = 0; i < k; i++) {
        struct vsw_ep *ep = mv[i];
        struct vsw_worker *old = ep->w;

        if (vsw_worker_mine(old) && ep->is_vnic && !ep->qv)
            vsw_fp_let_go(old, container_of(ep, struct vsw_vnic, ep));
        else if (vsw_worker_mine(old))
            vsw_fp_ep_let_go(old, ep);
        vsw_egq_free(ep);
        old->neps--;
        w->neps++;
        vsw_publish(&ep->w, w);
    }
    vsw_sync(sw);
    for (i = 0; i < k; i++) {
        struct vsw_ep *ep = mv[i];
        int r;

        __atomic_store_n(&ep->dying, false, __ATOMIC_RELEASE);
        if (!port[i])
            continue;
        pthread_mutex_lock(&sw->lock);
        vsw_publish(&ep->port, port[i]);
        pthread_mutex_unlock(&sw->lock);
        r = vsw_ep_plug(ep, port[i]);
        if (r < 0) {
            pthread_mutex_lock(&sw->lock);
            vsw_publish(&ep->port, NULL);
            pthread_mutex_unlock(&sw->lock);
            if (rc == 0)
                rc = r;
        }
    }
    return rc;
}

int vsw_ep_move(struct vsw_switch *sw, struct vsw_ep *ep, unsigned to)
{
    return vsw_eps_move(sw, &ep, 1, to);
}

void vsw_port_destroy(struct vsw_port *port)
{
    if (port && port->ops->destroy)
        port->ops->destroy(port);
}

/* ---- links ---- */

/*
 * The table's key compare: the key is one 8-byte word, which DPDK would
 * otherwise compare with memcmp (its own compares start at 16 bytes).
 */
static int fdb_key_cmp(const void *a, const void *b, size_t len)
{
    uint64_t x, y;

    (void)len;
    memcpy(&x, a, sizeof(x));
    memcpy(&y, b, sizeof(y));
    return x != y;
}

static struct rte_hash *fdb_create(struct vsw_switch *sw)
{
    char name[RTE_HASH_NAMESIZE];
    struct rte_hash_parameters hp = {
        .name = name,
        /* A cuckoo table fills to about 95 % before a key finds no
         * bucket: twice the VNIC limit, so the limit (vnic.c) is what
         * refuses, never a collision. */
        .entries = sw->vnics_per_link * 2,
        .key_len = sizeof(struct vsw_fdb_key),
        .hash_func = rte_hash_crc,
        .socket_id = SOCKET_ID_ANY,
        .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
    };

    struct rte_hash *h;

    snprintf(name, sizeof(name), "vswfdb%p_%u", (void *)sw, sw->hash_seq++);
    h = rte_hash_create(&hp);
    if (h)
        rte_hash_set_cmp_func(h, fdb_key_cmp);
    return h;
}

struct vsw_link *vsw_link_create(struct vsw_switch *sw, const char *name,
                                 enum vsw_class cls, struct vsw_port *port)
{
    struct vsw_link *l;
    int rc;

    /* A host NIC's link goes by the NIC's name, which follows the
     * kernel's rules rather than dladm's. */
    if (!name ||
        (lp_name_check(name) < 0 &&
         (cls != VSW_CLASS_PHYS || lp_ifname_check(name) < 0)) ||
        (cls == VSW_CLASS_ETHERSTUB && port) ||
        (cls != VSW_CLASS_PHYS && cls != VSW_CLASS_ETHERSTUB)) {
        errno = EINVAL;
        return NULL;
    }
    if (vsw_name_taken(sw, name)) {
        errno = EEXIST;
        return NULL;
    }
    l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->sw = sw;
    l->cls = cls;
    TAILQ_INIT(&l->vnics);
    l->ep.stats = &l->stats;
    /* An etherstub's ep never carries a frame: it weighs nothing. */
    l->ep.w = cls == VSW_CLASS_ETHERSTUB ? sw->w[0] : vsw_worker_pick(sw);
    l->fdb = fdb_create(sw);
    if (!l->fdb) {
        errno = rte_errno ? rte_errno : ENOMEM;
        goto free_link;
    }
    /* Verdicts cached for a freed link at this address are stale (the
     * VNICs' deletions made them so already; this keeps it true without
     * relying on that). */
    vsw_fdb_changed(sw);
    if (port) {
        l->ep.port = port;
        l->ep.prio_egress = true;
        rc = vsw_ep_plug(&l->ep, port);
        if (rc < 0) {
            errno = -rc;
            goto free_fdb;
        }
    }
    if (cls != VSW_CLASS_ETHERSTUB)
        l->ep.w->neps++;
    strcpy(l->name, name);
    pthread_mutex_lock(&sw->lock);
    TAILQ_INSERT_TAIL(&sw->links, l, entry);
    pthread_mutex_unlock(&sw->lock);
    vsw_name_set(sw, &l->nm, l->name, name);
    return l;

free_fdb:
    rte_hash_free(l->fdb);
free_link:
    free(l);
    return NULL;
}

struct rte_mempool *vsw_switch_pool(const struct vsw_switch *sw)
{
    return sw->pool;
}

int vsw_link_rename(struct vsw_link *l, const char *name)
{
    if (!name || lp_name_check(name) < 0)
        return -EINVAL;
    if (strcmp(l->name, name) == 0)
        return 0;
    if (vsw_name_taken(l->sw, name))
        return -EEXIST;
    vsw_name_set(l->sw, &l->nm, l->name, name);
    return 0;
}

int vsw_link_destroy(struct vsw_link *l)
{
    struct vsw_switch *sw;
    struct vsw_port *port;

    if (!l)
        return 0;
    sw = l->sw;
    port = l->ep.port;
    if (l->nvnics)
        return -EBUSY;
    vsw_cap_link_gone(l);
    if (port)
        vsw_ep_unplug(&l->ep, port);
    vsw_publish(&l->ep.port, NULL);
    if (l->cls != VSW_CLASS_ETHERSTUB)
        l->ep.w->neps--;
    pthread_mutex_lock(&sw->lock);
    TAILQ_REMOVE(&sw->links, l, entry);
    vsw_names_del(&sw->names, &l->nm);
    pthread_mutex_unlock(&sw->lock);
    vsw_sync(sw);
    /* A congested wire may still be on the fast path's dirty list: the
     * first iteration that sees no port lets go of it (prio.c). */
    vsw_sync(sw);
    if (vsw_worker_mine(l->ep.w))
        vsw_fp_ep_let_go(l->ep.w, &l->ep);
    vsw_egq_free(&l->ep);
    vsw_port_destroy(port);
    rte_hash_free(l->fdb);
    free(l);
    return 0;
}

static int port_ucast(struct vsw_port *port, const struct vsw_vnic *v,
                      bool add)
{
    if (!port || !port->ops->ucast_add)
        return 0;
    if (add)
        return port->ops->ucast_add(port, v->key.mac, v->key.vid);
    if (port->ops->ucast_del)
        port->ops->ucast_del(port, v->key.mac, v->key.vid);
    return 0;
}

int vsw_link_ucast(struct vsw_link *l, const struct vsw_vnic *v, bool add)
{
    return port_ucast(l->ep.port, v, add);
}

/* Tell @port of every VNIC of @l; on failure it is told of none. */
static int ucast_all(struct vsw_link *l, struct vsw_port *port)
{
    const struct vsw_vnic *v, *u;
    int rc;

    if (!port || !port->ops->ucast_add)
        return 0;
    TAILQ_FOREACH(v, &l->vnics, entry) {
        rc = port_ucast(port, v, true);
        if (rc == 0)
            continue;
        TAILQ_FOREACH(u, &l->vnics, entry) {
            if (u == v)
                break;
            port_ucast(port, u, false);
        }
        return rc;
    }
    return 0;
}

int vsw_link_set_port(struct vsw_link *l, struct vsw_port *port)
{
    struct vsw_switch *sw = l->sw;
    struct vsw_port *old = l->ep.port;
    int rc = 0;

    if (l->cls != VSW_CLASS_PHYS)
        return -EINVAL;
    if (port == old)
        return 0;
    /* Before anything changes: a wire that cannot take the link's
     * VNICs is refused, the old one stays. */
    rc = ucast_all(l, port);
    if (rc < 0)
        return rc;
    if (old)
        vsw_ep_unplug(&l->ep, old);
    /* Locked: telemetry looks at the port's kind (telemetry.c). */
    pthread_mutex_lock(&sw->lock);
    vsw_publish(&l->ep.port, port);
    pthread_mutex_unlock(&sw->lock);
    if (port) {
        l->ep.prio_egress = true;
        rc = vsw_ep_plug(&l->ep, port);
        if (rc < 0) {
            pthread_mutex_lock(&sw->lock);
            vsw_publish(&l->ep.port, NULL);
            pthread_mutex_unlock(&sw->lock);
        }
    }
    /* As in vsw_link_destroy(): the fast path lets go of the old port,
     * and of the wire's place on its dirty list, within two grace
     * periods.  Frames queued for a congested wire go to the new port,
     * or are dropped while there is none. */
    vsw_sync(sw);
    vsw_sync(sw);
    vsw_port_destroy(old);
    return rc;
}

int vsw_link_set_worker(struct vsw_link *l, unsigned worker)
{
    if (l->cls == VSW_CLASS_ETHERSTUB)
        return worker < l->sw->nw ? 0 : -EINVAL;
    return vsw_ep_move(l->sw, &l->ep, worker);
}

unsigned vsw_link_worker(const struct vsw_link *l)
{
    return l->ep.w->id;
}

struct vsw_link *vsw_link_next(const struct vsw_switch *sw,
                               const struct vsw_link *prev)
{
    return prev ? TAILQ_NEXT(prev, entry) : TAILQ_FIRST(&sw->links);
}

const char *vsw_link_name(const struct vsw_link *l)
{
    return l->name;
}

enum vsw_class vsw_link_class(const struct vsw_link *l)
{
    return l->cls;
}

uint32_t vsw_link_nvnics(const struct vsw_link *l)
{
    return l->nvnics;
}

struct vsw_port *vsw_link_port(const struct vsw_link *l)
{
    return l->ep.port;
}

void vsw_link_stats_get(const struct vsw_link *l, struct vsw_stats *st)
{
    *st = l->stats;
}
