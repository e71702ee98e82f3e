/* SPDX-License-Identifier: MIT */
/*
 * VNICs, control side.  A VNIC is published to the fast path in two
 * places: its link's (MAC, VID) table and the flood list of its (link,
 * VID).  Flood lists are immutable arrays replaced as a whole.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture_pvt.h"
#include "switch_pvt.h"

/* A copy of @old with @add appended; NULL on ENOMEM. */
static struct vsw_flood *flood_with(const struct vsw_flood *old,
                                    struct vsw_vnic *add)
{
    uint32_t n = old ? old->n : 0;
    struct vsw_flood *f = malloc(sizeof(*f) + (n + 1) * sizeof(f->v[0]));

    if (!f)
        return NULL;
    if (n)
        memcpy(f->v, old->v, n * sizeof(f->v[0]));
    f->v[n] = add;
    f->n = n + 1;
    return f;
}

/*
 * Take @v out of its flood list.  @return the list to free after the
 * grace period (NULL if none).
 */
static struct vsw_flood *flood_remove(struct vsw_link *l, struct vsw_vnic *v)
{
    struct vsw_flood *old = l->flood[v->key.vid], *f = NULL;
    uint32_t i, n = 0;

    if (!old)
        return NULL;
    if (old->n > 1) {
        f = malloc(sizeof(*f) + (old->n - 1) * sizeof(f->v[0]));
        if (!f) {
            /* Edit in place instead: a reader may then see the last
             * VNIC twice or miss it for one burst, never a freed one. */
            for (i = 0; i < old->n; i++)
                if (old->v[i] == v)
                    old->v[i] = old->v[old->n - 1];
            __atomic_sub_fetch(&old->n, 1, __ATOMIC_RELEASE);
            return NULL;
        }
        for (i = 0; i < old->n; i++)
            if (old->v[i] != v)
                f->v[n++] = old->v[i];
        f->n = n;
    }
    vsw_publish(&l->flood[v->key.vid], f);
    return old;
}

static int params_check(const struct vsw_vnic_params *p)
{
    if (!p->name || lp_name_check(p->name) < 0 || p->vid > LP_VID_MAX ||
        (p->maxbw && p->maxbw < LP_MAXBW_MIN) ||
        p->priority > LP_PRIO_HIGH || (p->protection & ~LP_PROT__ALL) ||
        (p->mtu && (p->mtu < VSW_MTU_MIN || p->mtu > VSW_MTU_MAX)) ||
        !lp_mac_valid(p->mac))
        return -EINVAL;
    return 0;
}

static bool mac_on_link(const struct vsw_link *l, const uint8_t mac[6])
{
    const struct vsw_vnic *v;

    TAILQ_FOREACH(v, &l->vnics, entry)
        if (memcmp(v->key.mac, mac, 6) == 0)
            return true;
    return false;
}

struct vsw_vnic *vsw_vnic_create(struct vsw_link *l,
                                 const struct vsw_vnic_params *p)
{
    struct vsw_switch *sw = l->sw;
    struct vsw_flood *f, *old;
    struct vsw_vnic *v;
    int rc, err = ENOMEM;

    rc = params_check(p);
    if (rc == 0 && vsw_name_taken(sw, p->name))
        rc = -EEXIST;
    if (rc == 0 && mac_on_link(l, p->mac))
        rc = -EADDRINUSE;
    if (rc == 0 && l->nvnics >= sw->vnics_per_link)
        rc = -ENOSPC;
    if (rc < 0) {
        errno = -rc;
        return NULL;
    }
    v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->link = l;
    strcpy(v->name, p->name);
    v->nm.is_vnic = true;
    memcpy(v->key.mac, p->mac, 6);
    v->key.vid = p->vid;
    v->protection = p->protection;
    v->priority = p->priority;
    v->maxbw = p->maxbw;
    v->mtu = p->mtu ? p->mtu : VSW_MTU_DEFAULT;
    v->ep.stats = &v->stats;
    v->ep.is_vnic = true;
    v->ep.w = vsw_worker_pick(sw);
    v->pinned = -1;
    if (p->maxbw) {
        v->tbcfg = vsw_tb_cfg_new(p->maxbw, sw->tsc_hz);
        if (!v->tbcfg)
            goto free_vnic;
    }
    old = l->flood[p->vid];
    f = flood_with(old, v);
    if (!f)
        goto free_cfg;
    rc = rte_hash_add_key_data(l->fdb, &v->key, v);
    if (rc < 0) {
        err = rc == -ENOSPC ? ENOSPC : EINVAL;
        goto free_flood;
    }
    vsw_fdb_changed(sw);
    vsw_publish(&l->flood[p->vid], f);
    pthread_mutex_lock(&sw->lock);
    TAILQ_INSERT_TAIL(&l->vnics, v, entry);
    l->nvnics++;
    pthread_mutex_unlock(&sw->lock);
    v->ep.w->neps++;
    vsw_name_set(sw, &v->nm, v->name, p->name);
    vsw_sync(sw);
    free(old);
    vsw_cap_vnic_added(v);
    /* A wire that sorts by destination learns the VNIC's (MAC, VID). */
    rc = vsw_link_ucast(l, v, true);
    if (rc < 0) {
        vsw_vnic_destroy(v);
        errno = -rc;
        return NULL;
    }
    return v;

free_flood:
    free(f);
free_cfg:
    free((void *)v->tbcfg);
free_vnic:
    free(v);
    errno = err;
    return NULL;
}

/* Counter structs are all uint64_t: add @b's to @a's, field by field. */
_Static_assert(sizeof(struct vsw_stats) % sizeof(uint64_t) == 0,
               "vsw_stats is counters only");
_Static_assert(sizeof(struct vsw_ofl_stats) % sizeof(uint64_t) == 0,
               "vsw_ofl_stats is counters only");
static void u64s_add(void *a, const void *b, size_t size)
{
    uint64_t *x = a;
    const uint64_t *y = b;
    size_t i;

    for (i = 0; i < size / sizeof(uint64_t); i++)
        x[i] += y[i];
}
#define COUNTERS_ADD(a, b) u64s_add((a), (b), sizeof(*(a)))

/* Add what @qs's queues counted to @st and @ofl. */
static void queues_sum(const struct vsw_vqs *qs, struct vsw_stats *st,
                       struct vsw_ofl_stats *ofl)
{
    unsigned i;

    for (i = 0; qs && i < qs->n; i++) {
        COUNTERS_ADD(st, &qs->q[i].stats);
        COUNTERS_ADD(ofl, &qs->q[i].ep.ofl);
    }
}

/* The worker of @v's queue @q (1..): the one it is pinned to, else the
 * next ones after its own, round. */
static struct vsw_worker *queue_worker(const struct vsw_vnic *v, unsigned q)
{
    const struct vsw_switch *sw = v->link->sw;

    return sw->w[v->pinned >= 0 ? (unsigned)v->pinned
                                : (v->ep.w->id + q) % sw->nw];
}

/*
 * Retire the endpoints of @qs, the first @plugged of them plugged (their
 * port published): as a VNIC being destroyed, unplugged and marked dying,
 * two grace periods with the rings settled between them, then let go of
 * by their owners; what they counted stays @v's.  @qs is no longer
 * published.  Control thread.
 */
static void queues_retire(struct vsw_vnic *v, struct vsw_vqs *qs,
                          unsigned plugged)
{
    struct vsw_switch *sw = v->link->sw;
    unsigned i;

    for (i = 0; i < plugged; i++) {
        struct vsw_ep *ep = &qs->q[i].ep;

        if (ep->port) /* NULL: a move failed to plug it again */
            vsw_ep_unplug(ep, ep->port);
        vsw_publish(&ep->port, NULL);
        __atomic_store_n(&ep->dying, true, __ATOMIC_RELEASE);
    }
    vsw_sync(sw);
    vsw_handoff_settle(sw);
    vsw_sync(sw);
    for (i = 0; i < plugged; i++) {
        struct vsw_ep *ep = &qs->q[i].ep;

        if (vsw_worker_mine(ep->w))
            vsw_fp_ep_let_go(ep->w, ep);
        vsw_egq_free(ep);
        ep->w->neps--;
    }
    pthread_mutex_lock(&sw->lock); /* telemetry reads the counters */
    queues_sum(qs, &v->qgone, &v->qgone_ofl);
    if (v->qs_going == qs)
        v->qs_going = NULL;
    pthread_mutex_unlock(&sw->lock);
    free(qs);
}

/* @v's port's queues 1.. (if it has several) get endpoints of their own,
 * each on its worker.  Control thread.  @return 0 or -errno. */
static int queues_add(struct vsw_vnic *v, struct vsw_port *port)
{
    struct vsw_switch *sw = v->link->sw;
    unsigned n = port->nqueues > 1 && port->ops->queue && port->ops->queue_of
                     ? port->nqueues - 1u
                     : 0,
             i;
    struct vsw_vqs *qs;
    int rc = 0;

    if (n == 0)
        return 0;
    /* Each queue's endpoint on cache lines of its own: its owner writes
     * its counters, every worker reads its owner. */
    if (posix_memalign((void **)&qs, RTE_CACHE_LINE_SIZE,
                       sizeof(*qs) + n * sizeof(qs->q[0])) != 0)
        return -ENOMEM;
    memset(qs, 0, sizeof(*qs) + n * sizeof(qs->q[0]));
    qs->n = n;
    for (i = 0; i < n; i++) {
        struct vsw_ep *ep = &qs->q[i].ep;
        struct vsw_port *qp = port->ops->queue(port, i + 1);

        ep->w = queue_worker(v, i + 1);
        ep->stats = &qs->q[i].stats;
        ep->is_vnic = true;
        ep->qv = v;
        rc = qp ? 0 : -EINVAL;
        if (rc == 0) {
            vsw_publish(&ep->port, qp);
            rc = vsw_ep_plug(ep, qp);
        }
        if (rc < 0) {
            vsw_publish(&ep->port, NULL);
            break;
        }
        ep->w->neps++;
    }
    if (rc < 0) {
        queues_retire(v, qs, i);
        return rc;
    }
    pthread_mutex_lock(&sw->lock);
    vsw_publish(&v->qs, qs);
    pthread_mutex_unlock(&sw->lock);
    return 0;
}

/* Take @v's queue endpoints away (before its port goes). */
static void queues_drop(struct vsw_vnic *v)
{
    struct vsw_switch *sw = v->link->sw;
    struct vsw_vqs *qs = v->qs;

    if (!qs)
        return;
    pthread_mutex_lock(&sw->lock);
    vsw_publish(&v->qs, NULL);
    v->qs_going = qs; /* counted until its counters are v's */
    pthread_mutex_unlock(&sw->lock);
    queues_retire(v, qs, qs->n);
}

void vsw_vnic_destroy(struct vsw_vnic *v)
{
    struct vsw_link *l;
    struct vsw_switch *sw;
    struct vsw_port *port;
    struct vsw_flood *old;
    int32_t pos;

    if (!v)
        return;
    queues_drop(v);
    vsw_cap_vnic_gone(v);
    l = v->link;
    sw = l->sw;
    vsw_link_ucast(l, v, false);
    port = v->ep.port;
    if (port)
        vsw_ep_unplug(&v->ep, port);
    vsw_publish(&v->ep.port, NULL);
    pos = rte_hash_del_key(l->fdb, &v->key);
    vsw_fdb_changed(sw);
    old = flood_remove(l, v);
    __atomic_store_n(&v->ep.dying, true, __ATOMIC_RELEASE);
    pthread_mutex_lock(&sw->lock);
    TAILQ_REMOVE(&l->vnics, v, entry);
    l->nvnics--;
    v->ep.w->neps--;
    vsw_names_del(&sw->names, &v->nm);
    pthread_mutex_unlock(&sw->lock);
    /* Two grace periods: see the stall and backlog lists in poll.c; and
     * between them, the frames other workers handed its owner for it are
     * taken (dropped: it is dying), see handoff.c. */
    vsw_sync(sw);
    vsw_handoff_settle(sw);
    vsw_sync(sw);
    if (vsw_worker_mine(v->ep.w))
        vsw_fp_let_go(v->ep.w, v);
    if (pos >= 0)
        rte_hash_free_key_with_position(l->fdb, pos);
    vsw_port_destroy(port);
    free(old);
    free((void *)v->tbcfg);
    free((void *)v->ips);
    vsw_mbufq_free(v->rxq); /* empty unless the fast path never ran */
    free(v);
}

/* Publish @port as @v's (the previous one is unplugged first, not freed). */
static int vnic_port_swap(struct vsw_vnic *v, struct vsw_port *port)
{
    struct vsw_switch *sw = v->link->sw;
    struct vsw_port *old = v->ep.port;
    int rc = 0;

    queues_drop(v);
    if (old)
        vsw_ep_unplug(&v->ep, old);
    /* Locked: telemetry looks at the port's kind (telemetry.c). */
    pthread_mutex_lock(&sw->lock);
    vsw_publish(&v->ep.port, port);
    pthread_mutex_unlock(&sw->lock);
    if (port) {
        if (port->ops->set_maxbw)
            port->ops->set_maxbw(port, v->maxbw);
        rc = vsw_ep_plug(&v->ep, port);
        if (rc == 0) {
            rc = queues_add(v, port);
            if (rc < 0)
                vsw_ep_unplug(&v->ep, port);
        }
        if (rc < 0) {
            pthread_mutex_lock(&sw->lock);
            vsw_publish(&v->ep.port, NULL);
            pthread_mutex_unlock(&sw->lock);
        }
    }
    vsw_sync(sw);
    return rc;
}

int vsw_vnic_attach(struct vsw_vnic *v, struct vsw_port *port)
{
    struct vsw_port *old = v->ep.port;
    int rc;

    if (port == old)
        return 0;
    rc = vnic_port_swap(v, port);
    vsw_port_destroy(old);
    return rc;
}

struct vsw_port *vsw_vnic_detach(struct vsw_vnic *v)
{
    struct vsw_port *old = v->ep.port;

    if (old)
        vnic_port_swap(v, NULL);
    else
        queues_drop(v); /* a move that failed left the queues */
    return old;
}

int vsw_vnic_set_worker(struct vsw_vnic *v, unsigned worker)
{
    struct vsw_ep *eps[VSW_EPS_MOVE_MAX];
    struct vsw_vqs *qs = v->qs;
    unsigned i, n = 0;
    int rc;

    eps[n++] = &v->ep;
    for (i = 0; qs && i < qs->n && n < VSW_EPS_MOVE_MAX; i++)
        eps[n++] = &qs->q[i].ep;
    /* The VNIC and its queues together: one pause, not one each. */
    rc = vsw_eps_move(v->link->sw, eps, n, worker);
    if (rc != -EINVAL)
        v->pinned = (int)worker;
    return rc;
}

int vsw_vnic_unpin(struct vsw_vnic *v)
{
    struct vsw_vqs *qs = v->qs;
    unsigned i;
    int rc = 0;

    if (v->pinned < 0)
        return 0;
    v->pinned = -1;
    for (i = 0; qs && i < qs->n; i++) {
        int r = vsw_ep_move(v->link->sw, &qs->q[i].ep,
                            queue_worker(v, i + 1)->id);

        if (rc == 0)
            rc = r;
    }
    return rc;
}

unsigned vsw_vnic_worker(const struct vsw_vnic *v)
{
    return v->ep.w->id;
}

unsigned vsw_vnic_queues(const struct vsw_vnic *v)
{
    return v->qs ? v->qs->n + 1 : 1;
}

int vsw_vnic_queue_worker(const struct vsw_vnic *v, unsigned q)
{
    if (q == 0)
        return (int)v->ep.w->id;
    if (!v->qs || q > v->qs->n)
        return -EINVAL;
    return (int)v->qs->q[q - 1].ep.w->id;
}

int vsw_vnic_set_maxbw(struct vsw_vnic *v, uint64_t bps)
{
    struct vsw_tb_cfg *c = NULL;
    const struct vsw_tb_cfg *old = v->tbcfg;

    if (bps && bps < LP_MAXBW_MIN)
        return -EINVAL;
    if (bps) {
        c = vsw_tb_cfg_new(bps, v->link->sw->tsc_hz);
        if (!c)
            return -ENOMEM;
    }
    vsw_publish(&v->tbcfg, c);
    v->maxbw = bps;
    if (v->ep.port && v->ep.port->ops->set_maxbw)
        v->ep.port->ops->set_maxbw(v->ep.port, bps);
    vsw_sync(v->link->sw);
    free((void *)old);
    return 0;
}

int vsw_vnic_set_protection(struct vsw_vnic *v, uint32_t bits)
{
    if (bits & ~LP_PROT__ALL)
        return -EINVAL;
    __atomic_store_n(&v->protection, bits, __ATOMIC_RELAXED);
    return 0;
}

int vsw_vnic_set_priority(struct vsw_vnic *v, enum lp_priority prio)
{
    if (prio > LP_PRIO_HIGH)
        return -EINVAL;
    /* Read by the fast path for each frame to the wire (fastpath.c). */
    __atomic_store_n(&v->priority, prio, __ATOMIC_RELAXED);
    return 0;
}

static int prefix_check(const struct lp_ipnet *p)
{
    if (p->family == AF_INET)
        return p->plen <= 32 ? 0 : -EINVAL;
    if (p->family == AF_INET6)
        return p->plen <= 128 ? 0 : -EINVAL;
    return -EINVAL;
}

int vsw_vnic_set_allowed_ips(struct vsw_vnic *v, const struct lp_ipnet *ips,
                             unsigned n)
{
    const struct vsw_ipset *old = v->ips;
    struct vsw_ipset *s = NULL;
    unsigned i;

    if (n > LP_IPS_MAX || (n && !ips))
        return -EINVAL;
    for (i = 0; i < n; i++)
        if (prefix_check(&ips[i]) < 0)
            return -EINVAL;
    if (n) {
        s = malloc(sizeof(*s) + n * sizeof(s->p[0]));
        if (!s)
            return -ENOMEM;
        s->n = n;
        for (i = 0; i < n; i++)
            vsw_prefix_normalize(&ips[i], &s->p[i]);
    }
    vsw_publish(&v->ips, s);
    vsw_sync(v->link->sw);
    free((void *)old);
    return 0;
}

unsigned vsw_vnic_allowed_ips_get(const struct vsw_vnic *v,
                                  struct lp_ipnet *ips, unsigned max)
{
    const struct vsw_ipset *s = v->ips;
    unsigned n = s ? s->n : 0;

    if (n)
        memcpy(ips, s->p, (n < max ? n : max) * sizeof(*ips));
    return n;
}

int vsw_vnic_set_mtu(struct vsw_vnic *v, uint16_t mtu)
{
    if (mtu == 0)
        mtu = VSW_MTU_DEFAULT;
    if (mtu < VSW_MTU_MIN || mtu > VSW_MTU_MAX)
        return -EINVAL;
    __atomic_store_n(&v->mtu, mtu, __ATOMIC_RELAXED);
    return 0;
}

int vsw_vnic_rename(struct vsw_vnic *v, const char *name)
{
    struct vsw_switch *sw = v->link->sw;

    if (!name || lp_name_check(name) < 0)
        return -EINVAL;
    if (strcmp(v->name, name) == 0)
        return 0;
    if (vsw_name_taken(sw, name))
        return -EEXIST;
    vsw_name_set(sw, &v->nm, v->name, name);
    return 0;
}

struct vsw_vnic *vsw_vnic_next(const struct vsw_link *l,
                               const struct vsw_vnic *prev)
{
    return prev ? TAILQ_NEXT(prev, entry) : TAILQ_FIRST(&l->vnics);
}

void vsw_vnic_params_get(const struct vsw_vnic *v, struct vsw_vnic_params *p)
{
    p->name = v->name;
    memcpy(p->mac, v->key.mac, 6);
    p->vid = v->key.vid;
    p->maxbw = v->maxbw;
    p->priority = v->priority;
    p->protection = v->protection;
    p->mtu = v->mtu;
}

struct vsw_link *vsw_vnic_link(const struct vsw_vnic *v)
{
    return v->link;
}

struct vsw_port *vsw_vnic_port(const struct vsw_vnic *v)
{
    return v->ep.port;
}

/* @v's counters and offload counters, over its queues, gone ones too. */
static void vnic_counters(const struct vsw_vnic *v, struct vsw_stats *st,
                          struct vsw_ofl_stats *ofl)
{
    *st = v->stats;
    *ofl = v->ep.ofl;
    COUNTERS_ADD(st, &v->qgone);
    COUNTERS_ADD(ofl, &v->qgone_ofl);
    queues_sum(v->qs, st, ofl);
    queues_sum(v->qs_going, st, ofl);
}

void vsw_vnic_stats_get(const struct vsw_vnic *v, struct vsw_stats *st)
{
    struct vsw_ofl_stats ofl;

    vnic_counters(v, st, &ofl);
}

void vsw_vnic_ofl_get(const struct vsw_vnic *v, struct vsw_ofl_stats *o)
{
    struct vsw_stats st;

    vnic_counters(v, &st, o);
}
