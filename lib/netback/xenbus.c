/* SPDX-License-Identifier: MIT */
/*
 * The backend half of the netif xenbus handshake: feature keys, the
 * backend XenbusState machine, and strict reading of what the frontend
 * wrote.  Everything under the frontend's path is the guest's to write,
 * so every value is parsed as hostile input (nb_xenbus_parse_frontend).
 * The xenstore mechanics are libxs's (xs/xenbus.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netback/netback.h"
#include "xenbus_pvt.h"
#include "xs/xenbus.h"
#include "xs/xs.h"

struct nb_xenbus {
    struct xvm_xs_dev dev; /* path: ours; otherend: the frontend's */
    const struct nb_xenbus_ops *ops;
    uint32_t handle;
    unsigned max_queues; /* what we offer: the most the owner holds */
    uint8_t mac[6];
    struct nb_xenbus_frontend fe; /* what the owner connected to */
    char token[XVM_XS_DEV_PATH_MAX + 4];
    char why[160]; /* a failing connect()'s reason (nb_xenbus_why) */
    bool carrier;       /* as the owner last set it */
    bool carrier_dirty; /* not written yet: nb_xenbus_resume() does */
    bool adopt; /* probed with the frontend Connected: take it over */
    /* Connects left and when they were last counted: a frontend that
     * reconnects in a loop makes the owner map the domain and bind its
     * channels each time, so after NB_CONNECT_BURST it gets one every
     * NB_CONNECT_GAP_NS, and is refused (fatal) in between. */
    unsigned connects;
    uint64_t connects_at;
};

#define NB_CONNECT_BURST 8u
#define NB_CONNECT_GAP_NS 1000000000ull

static uint64_t mono_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Take one connect from @xb's budget.  @return false if none is left. */
static bool connect_take(struct nb_xenbus *xb)
{
    uint64_t now = mono_ns();
    uint64_t due = (now - xb->connects_at) / NB_CONNECT_GAP_NS;

    if (due) {
        due += xb->connects;
        xb->connects = due > NB_CONNECT_BURST ? NB_CONNECT_BURST
                                              : (unsigned)due;
        xb->connects_at = now;
    }
    if (xb->connects == 0)
        return false;
    xb->connects--;
    return true;
}

/*
 * The allowed backend transitions (xvm_xs_dev_switch() enforces them):
 *
 *   Initialising --> InitWait     (probe, fresh frontend)
 *   Initialising --> Closing      (probe, frontend mid-handshake)
 *   Initialising --> InitWait --> Connected  (probe, frontend Connected:
 *                                 its rings taken over)
 *   InitWait     --> Connected    (frontend Connected, owner connected)
 *   InitWait, Connected --> Closing --> Closed
 *   InitWait, Connected --> Closed   (frontend gone; device removed)
 *   Connected    --> InitWait     (frontend reinitialised while connected)
 *   Closing, Closed --> InitWait  (frontend reinitialised: reconnect)
 *
 * Leaving Connected disconnects the owner, there and nowhere else.
 */
static const uint16_t be_allowed[XenbusStateReconfigured + 1] = {
    [XenbusStateInitialising] = 1u << XenbusStateInitWait |
                                1u << XenbusStateClosing,
    [XenbusStateInitWait] = 1u << XenbusStateConnected |
                            1u << XenbusStateClosing |
                            1u << XenbusStateClosed,
    [XenbusStateConnected] = 1u << XenbusStateClosing |
                             1u << XenbusStateClosed |
                             1u << XenbusStateInitWait,
    [XenbusStateClosing] = 1u << XenbusStateClosed |
                           1u << XenbusStateInitWait,
    [XenbusStateClosed] = 1u << XenbusStateInitWait,
};

static int set_state(struct nb_xenbus *xb, enum xenbus_state to)
{
    return xvm_xs_dev_switch(&xb->dev, to, NULL, NULL);
}

bool nb_fe_key_name(char *buf, size_t len, unsigned nq, unsigned k)
{
    static const char *const qkeys[NB_FEQ__MAX] = {
        [NB_FEQ_TX_RING_REF] = NETIF_KEY_TX_RING_REF,
        [NB_FEQ_RX_RING_REF] = NETIF_KEY_RX_RING_REF,
        [NB_FEQ_EVTCHN] = NETIF_KEY_EVTCHN,
        [NB_FEQ_EVTCHN_TX] = NETIF_KEY_EVTCHN_TX,
        [NB_FEQ_EVTCHN_RX] = NETIF_KEY_EVTCHN_RX,
    };
    const char *name;
    unsigned q;
    int n;

    if (k == NB_FE_NUM_QUEUES)
        name = NETIF_KEY_NUM_QUEUES;
    else if (k < NB_FE__MAX)
        name = netif_feature_table()[k - NB_FE_FEATURE].fe_key;
    else if (k < NB_FE_KEYS)
        name = qkeys[(k - NB_FE__MAX) % NB_FEQ__MAX];
    else
        return false;
    if (!name)
        return false;
    q = k < NB_FE__MAX ? 0 : (k - NB_FE__MAX) / NB_FEQ__MAX;
    if (k < NB_FE__MAX || nq <= 1)
        n = snprintf(buf, len, "%s", name);
    else
        n = snprintf(buf, len, NETIF_KEY_QUEUE_FMT "/%s", q, name);
    return n >= 0 && (size_t)n < len;
}

/* Key @k as a number up to @max; -ENOENT when missing. */
static int fe_uint(const struct nb_fe_values *v, unsigned k, uint64_t max,
                   uint64_t *out)
{
    if (!v->val[k])
        return -ENOENT;
    return xvm_xs_parse_uint(v->val[k], v->len[k], max, out);
}

int nb_fe_num_queues(const struct nb_fe_values *v, unsigned max_queues,
                     unsigned *nq)
{
    uint64_t n = 1;
    int r = fe_uint(v, NB_FE_NUM_QUEUES, UINT32_MAX, &n);

    if (r < 0 && r != -ENOENT)
        return r;
    if (n == 0 || n > max_queues)
        return -ERANGE;
    *nq = (unsigned)n;
    return 0;
}

/* Queue @q's event channel(s): event-channel, or event-channel-tx and
 * -rx (tried first, as Linux netback does). */
static int parse_evtchn(const struct nb_fe_values *v, unsigned q,
                        struct nb_xenbus_queue *fq, unsigned *bad)
{
    uint64_t tx, rx;
    int r;

    fq->split_evtchn = v->val[NB_FE_QKEY(q, NB_FEQ_EVTCHN_TX)] != NULL;
    *bad = NB_FE_QKEY(q, fq->split_evtchn ? NB_FEQ_EVTCHN_TX : NB_FEQ_EVTCHN);
    r = fe_uint(v, *bad, UINT32_MAX, &tx);
    rx = tx;
    if (r == 0 && fq->split_evtchn) {
        *bad = NB_FE_QKEY(q, NB_FEQ_EVTCHN_RX);
        r = fe_uint(v, *bad, UINT32_MAX, &rx);
    }
    fq->tx_port = (evtchn_port_t)tx;
    fq->rx_port = (evtchn_port_t)rx;
    if (r == 0 && fq->split_evtchn && tx == rx)
        return -EINVAL; /* split onto one port: not split */
    return r;
}

/* Has a queue before @q bound port @port (Linux refuses one port for two
 * queues: their events would be one)? */
static bool port_taken(const struct nb_xenbus_frontend *fi, unsigned q,
                       evtchn_port_t port)
{
    unsigned i;

    for (i = 0; i < q; i++)
        if (fi->queue[i].tx_port == port || fi->queue[i].rx_port == port)
            return true;
    return false;
}

/* Has a queue before @q (or @q's TX ring) used ring ref @ref? */
static bool ref_taken(const struct nb_xenbus_frontend *fi, unsigned q,
                      bool rx, grant_ref_t ref)
{
    unsigned i;

    for (i = 0; i <= q; i++)
        if ((i < q && fi->queue[i].rx_ring_ref == ref) ||
            (!(i == q && !rx) && fi->queue[i].tx_ring_ref == ref))
            return true;
    return false;
}

/* Queue @q's rings and event channels.  Two rings on one grant would
 * have two queues (or both directions) fight over one page. */
static int parse_queue(const struct nb_fe_values *v, unsigned q,
                       struct nb_xenbus_frontend *fi, unsigned *bad)
{
    struct nb_xenbus_queue *fq = &fi->queue[q];
    uint64_t n;
    int r;

    *bad = NB_FE_QKEY(q, NB_FEQ_TX_RING_REF);
    r = fe_uint(v, *bad, UINT32_MAX, &n);
    if (r < 0)
        return r;
    if (ref_taken(fi, q, false, (grant_ref_t)n))
        return -EINVAL;
    fq->tx_ring_ref = (grant_ref_t)n;
    *bad = NB_FE_QKEY(q, NB_FEQ_RX_RING_REF);
    r = fe_uint(v, *bad, UINT32_MAX, &n);
    if (r < 0)
        return r;
    if (ref_taken(fi, q, true, (grant_ref_t)n))
        return -EINVAL;
    fq->rx_ring_ref = (grant_ref_t)n;
    r = parse_evtchn(v, q, fq, bad);
    if (r == 0 && (port_taken(fi, q, fq->tx_port) ||
                   port_taken(fi, q, fq->rx_port)))
        return -EINVAL;
    return r;
}

/* Every "0"/"1" feature key; a missing one is "0". */
static int parse_features(const struct nb_fe_values *v,
                          struct nb_xenbus_frontend *fi, unsigned *bad)
{
    const struct netif_feature_key *t = netif_feature_table();
    uint64_t on;
    unsigned i;

    fi->features = 0;
    for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
        int r = fe_uint(v, NB_FE_FEATURE + i, 1, &on);

        if (r == -ENOENT)
            continue;
        if (r < 0) {
            *bad = NB_FE_FEATURE + i;
            return -EINVAL;
        }
        if (on)
            fi->features |= t[i].bit;
    }
    return 0;
}

int nb_xenbus_parse_frontend(const struct nb_fe_values *v,
                             unsigned max_queues,
                             struct nb_xenbus_frontend *fi, unsigned *bad)
{
    unsigned q;
    int r;

    *bad = NB_FE_NUM_QUEUES;
    r = nb_fe_num_queues(v, max_queues, &fi->num_queues);
    if (r < 0)
        return r;
    r = parse_features(v, fi, bad);
    if (r < 0)
        return r;
    if (!(fi->features & NETIF_F_RX_COPY)) {
        /* the table is in bit order */
        *bad = NB_FE_FEATURE + (unsigned)__builtin_ctz(NETIF_F_RX_COPY);
        return -EOPNOTSUPP;
    }
    memset(fi->queue, 0, sizeof(fi->queue));
    for (q = 0; q < fi->num_queues; q++) {
        r = parse_queue(v, q, fi, bad);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Read key @k (relative to the frontend, for @nq queues) into @v. */
static int read_value(struct nb_xenbus *xb, struct nb_fe_values *v,
                      unsigned nq, unsigned k)
{
    char name[64], p[XVM_XS_DEV_PATH_MAX * 2];
    char *val;
    int r;

    if (!nb_fe_key_name(name, sizeof(name), nq, k))
        return 0;
    r = xvm_xs_key_path(p, sizeof(p), xb->dev.otherend, name);
    if (r == 0)
        r = xvm_xs_read(xb->dev.xs, XVM_XS_NO_TX, p, &val, &v->len[k]);
    if (r == -ENOENT)
        return 0;
    if (r == 0)
        v->val[k] = val;
    return r;
}

/* Every frontend key, raw, each read once: the device-wide ones, then
 * the keys of as many queues as num-queues asks for, where it puts them
 * (none when it is bad: the parser says so).  The strings are the
 * caller's to free. */
static int read_values(struct nb_xenbus *xb, struct nb_fe_values *v,
                       unsigned *bad)
{
    unsigned k, nq = 0;
    int r;

    memset(v, 0, sizeof(*v));
    for (k = 0; k < NB_FE__MAX; k++) {
        *bad = k;
        r = read_value(xb, v, 1, k);
        if (r < 0)
            return r;
    }
    if (nb_fe_num_queues(v, xb->max_queues, &nq) < 0)
        return 0;
    for (k = NB_FE__MAX; k < NB_FE_QKEY(nq, 0); k++) {
        *bad = k;
        r = read_value(xb, v, nq, k);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The frontend's keys, read and checked, into @fi; @bad: the key at fault. */
static int frontend_values(struct nb_xenbus *xb, struct nb_xenbus_frontend *fi,
                           unsigned *bad)
{
    struct nb_fe_values v;
    unsigned k;
    int r = read_values(xb, &v, bad);

    if (r == 0)
        r = nb_xenbus_parse_frontend(&v, xb->max_queues, fi, bad);
    else if (nb_fe_num_queues(&v, xb->max_queues, &k) == 0)
        fi->num_queues = k; /* so that the key at fault is named right */
    for (k = 0; k < NB_FE_KEYS; k++)
        free((char *)v.val[k]);
    return r;
}

/* The name of the key at fault, for the error node. */
static const char *bad_key(unsigned bad, const struct nb_xenbus_frontend *fi,
                           char *buf, size_t len)
{
    if (!nb_fe_key_name(buf, len, fi->num_queues, bad))
        snprintf(buf, len, "the frontend's keys");
    return buf;
}

/* What the owner connects to: the device's own fields, then the keys. */
static int frontend_read(struct nb_xenbus *xb, struct nb_xenbus_frontend *fi,
                         unsigned *bad)
{
    *fi = (struct nb_xenbus_frontend){
        .backend_path = xb->dev.path,
        .frontend_path = xb->dev.otherend,
        .frontend_domid = xb->dev.otherend_id,
        .handle = xb->handle,
    };
    memcpy(fi->mac, xb->mac, sizeof(fi->mac));
    return frontend_values(xb, fi, bad);
}

static int connected(struct nb_xenbus *xb, const struct nb_xenbus_frontend *fi)
{
    xb->fe = *fi;
    xb->dev.live = true;
    return set_state(xb, XenbusStateConnected);
}

static int do_connect(struct nb_xenbus *xb)
{
    struct nb_xenbus_frontend fi;
    unsigned bad = 0;
    char key[64];
    int r = frontend_read(xb, &fi, &bad);

    if (r == -EOPNOTSUPP)
        return xvm_xs_dev_fatal(&xb->dev, r, "%s doesn't support rx-copy",
                                xb->dev.otherend);
    if (r < 0 && bad == NB_FE_NUM_QUEUES)
        return xvm_xs_dev_fatal(&xb->dev, r, "reading %s: 1 to %u queues "
                                "offered", NETIF_KEY_NUM_QUEUES,
                                xb->max_queues);
    if (r < 0)
        return xvm_xs_dev_fatal(&xb->dev, r, "reading %s",
                                bad_key(bad, &fi, key, sizeof(key)));
    if (!connect_take(xb))
        return xvm_xs_dev_fatal(&xb->dev, -EAGAIN, "reconnecting too often "
                                "(%u connects, then one a second)",
                                NB_CONNECT_BURST);
    xb->why[0] = '\0';
    r = xb->ops->connect(xb->dev.owner, &fi);
    if (r < 0)
        return xvm_xs_dev_fatal(&xb->dev, r, "%s",
                                xb->why[0] ? xb->why : "connecting the vif");
    return connected(xb, &fi);
}

/*
 * A frontend still Connected to an earlier backend (this one restarted):
 * take over the rings and event channels it publishes, as Linux netback
 * does, so that a frontend that ignores a backend's Closing (illumos xnf)
 * goes on, and others do not reconnect.  The owner starts from the rings'
 * shared indices.  What cannot be taken over (keys no longer valid, a port
 * that cannot be bound again) goes through Closing, as a frontend found
 * mid-handshake does, with the reason in the error node.  The probe only
 * marks the device (the owner may not be ready before nb_xenbus_create()
 * returns); the frontend's state, which the watch delivers first, makes
 * the move.
 */
static int adopt(struct nb_xenbus *xb)
{
    struct nb_xenbus_frontend fi;
    unsigned bad = 0;
    char key[64];
    int r;

    xb->adopt = false;
    r = frontend_read(xb, &fi, &bad);
    if (r < 0)
        return xvm_xs_dev_fatal(&xb->dev, r, "taking the frontend over: "
                                "reading %s",
                                bad_key(bad, &fi, key, sizeof(key)));
    xb->why[0] = '\0';
    r = xb->ops->connect(xb->dev.owner, &fi);
    if (r < 0)
        return xvm_xs_dev_fatal(&xb->dev, r, "taking the frontend over: %s",
                                xb->why[0] ? xb->why : "connecting the vif");
    return connected(xb, &fi);
}

/* React to the frontend's state (Linux netback's frontend_changed). */
static int frontend_changed(struct nb_xenbus *xb)
{
    enum xenbus_state fe, be = xb->dev.state;
    int r = xvm_xs_read_state(xb->dev.xs, xb->dev.otherend, &fe);

    if (r == -EINVAL)
        return be == XenbusStateClosing || be == XenbusStateClosed
                   ? 0
                   : xvm_xs_dev_fatal(&xb->dev, r, "reading frontend state");
    if (r < 0)
        return r;
    if (fe != XenbusStateConnected)
        xb->adopt = false; /* it moved on: a handshake as any other */
    switch (fe) {
    case XenbusStateInitialising:
        if (be == XenbusStateClosing)
            r = set_state(xb, XenbusStateClosed);
        if (r == 0 && be != XenbusStateInitWait)
            r = set_state(xb, XenbusStateInitWait);
        return r;
    case XenbusStateConnected:
        if (be != XenbusStateInitWait)
            return 0;
        return xb->adopt ? adopt(xb) : do_connect(xb);
    case XenbusStateClosing:
        return be == XenbusStateClosed ? 0
                                       : set_state(xb, XenbusStateClosing);
    case XenbusStateUnknown:
    case XenbusStateClosed:
        return set_state(xb, XenbusStateClosed);
    default: /* InitWait, Initialised, Reconfiguring/-ed: nothing to do */
        return 0;
    }
}

int nb_xenbus_event(struct nb_xenbus *xb, const struct xvm_xs_event *ev)
{
    int r;

    if (strcmp(ev->token, xb->token) != 0)
        return 0;
    r = frontend_changed(xb);
    return r < 0 ? r : 1;
}

/* Does the frontend still hold the rings and ports we connected to? */
static bool same_frontend(struct nb_xenbus *xb)
{
    struct nb_xenbus_frontend fi = {0};
    unsigned bad = 0, q;
    int r = frontend_values(xb, &fi, &bad);


    if (r < 0 || fi.num_queues != xb->fe.num_queues ||
        fi.features != xb->fe.features)
        return false;
    for (q = 0; q < fi.num_queues; q++) {
        const struct nb_xenbus_queue *a = &fi.queue[q], *b = &xb->fe.queue[q];

        if (a->tx_ring_ref != b->tx_ring_ref ||
            a->rx_ring_ref != b->rx_ring_ref || a->tx_port != b->tx_port ||
            a->rx_port != b->rx_port || a->split_evtchn != b->split_evtchn)
            return false;
    }
    return true;
}

/*
 * Take the device over to @xs.  It stays as it is only if xenstore still
 * says what we last wrote and, when connected, the frontend still holds
 * the rings and event channel the owner has.
 */
static int resume_on(struct nb_xenbus *xb, struct xvm_xs *xs)
{
    enum xenbus_state be;
    char p[XVM_XS_DEV_PATH_MAX * 2];
    int r;

    xb->dev.xs = xs;
    r = xvm_xs_read_state(xs, xb->dev.path, &be);
    if (r < 0)
        return r == -EINVAL ? -ESTALE : r;
    if (be != xb->dev.state || (xb->dev.live && !same_frontend(xb)))
        return -ESTALE;
    r = xvm_xs_key_path(p, sizeof(p), xb->dev.otherend, "state");
    return r < 0 ? r : xvm_xs_watch(xs, p, xb->token);
}

static int carrier_write(struct nb_xenbus *xb)
{
    int r = xvm_xs_write_key(xb->dev.xs, XVM_XS_NO_TX, xb->dev.path,
                             NETIF_KEY_CARRIER, "%d", xb->carrier);

    xb->carrier_dirty = r < 0;
    return r;
}

int nb_xenbus_set_carrier(struct nb_xenbus *xb, bool up)
{
    xb->carrier = up;
    return carrier_write(xb);
}

int nb_xenbus_resume(struct nb_xenbus *xb, struct xvm_xs *xs)
{
    int r = xs != xb->dev.xs ? resume_on(xb, xs) : 0;

    if (r == 0 && xb->carrier_dirty)
        r = carrier_write(xb);
    return r < 0 ? r : frontend_changed(xb);
}

enum xenbus_state nb_xenbus_state(const struct nb_xenbus *xb)
{
    return xb->dev.state;
}

/* The toolstack's keys: frontend and frontend-id, handle, mac. */
static int read_toolstack(struct nb_xenbus *xb)
{
    char mac[NETIF_MAC_LEN + 1];
    uint64_t v;
    int r = xvm_xs_dev_otherend(&xb->dev, "frontend", "frontend-id");

    if (r < 0)
        return r;
    r = xvm_xs_read_key_uint(xb->dev.xs, xb->dev.path, "handle", UINT32_MAX,
                             &v);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    xb->handle = (uint32_t)v;
    r = xvm_xs_read_key_str(xb->dev.xs, xb->dev.path, NETIF_KEY_MAC, mac,
                            sizeof(mac));
    return r == 0 && !netif_mac_parse(mac, xb->mac) ? -EINVAL : r;
}

/* Every backend key of netif_feature_table(): "1" if offered, else "0";
 * then split event channels and the most queues we take. */
static int write_features(void *arg, uint32_t tx)
{
    const struct netif_feature_key *t = netif_feature_table();
    struct nb_xenbus *xb = arg;
    unsigned i;
    int r = 0;

    for (i = 0; r == 0 && i < NETIF_FEATURE_COUNT; i++)
        if (t[i].be_key)
            r = xvm_xs_write_key(xb->dev.xs, tx, xb->dev.path, t[i].be_key,
                                 "%d", (NB_FEATURES & t[i].bit) != 0);
    if (r == 0)
        r = xvm_xs_write_key(xb->dev.xs, tx, xb->dev.path,
                             NETIF_KEY_SPLIT_EVTCHN, "1");
    if (r == 0)
        r = xvm_xs_write_key(xb->dev.xs, tx, xb->dev.path,
                             NETIF_KEY_MAX_QUEUES, "%u", xb->max_queues);
    return r;
}

/* What a backend offers when its creator names no maximum. */
static unsigned default_queues(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (cpus < 1)
        return 1;
    return cpus < (long)NB_QUEUES_DEFAULT ? (unsigned)cpus : NB_QUEUES_DEFAULT;
}

/* Probe: a frontend found mid-session belonged to an earlier backend. */
static int probe(struct nb_xenbus *xb)
{
    enum xenbus_state fe;
    char p[XVM_XS_DEV_PATH_MAX * 2];
    int r;

    r = read_toolstack(xb);
    if (r == 0)
        r = xvm_xs_transact(xb->dev.xs, write_features, xb);
    if (r == 0)
        r = xvm_xs_key_path(p, sizeof(p), xb->dev.otherend, "state");
    if (r == 0)
        r = xvm_xs_watch(xb->dev.xs, p, xb->token);
    if (r < 0)
        return r;
    r = xvm_xs_read_state(xb->dev.xs, xb->dev.otherend, &fe);
    if (r < 0 && r != -EINVAL)
        return r;
    if (r == 0 && (fe == XenbusStateUnknown ||
                   fe == XenbusStateInitialising || fe == XenbusStateClosed))
        return set_state(xb, XenbusStateInitWait);
    xb->adopt = r == 0 && fe == XenbusStateConnected;
    if (xb->adopt)
        return set_state(xb, XenbusStateInitWait);
    return set_state(xb, XenbusStateClosing);
}

struct nb_xenbus *nb_xenbus_create(struct xvm_xs *xs,
                                   const char *backend_path,
                                   unsigned max_queues,
                                   const struct nb_xenbus_ops *ops,
                                   void *owner)
{
    struct nb_xenbus *xb;
    int r;

    if (!ops || !ops->connect || !ops->disconnect ||
        max_queues > NETIF_QUEUES_MAX) {
        errno = EINVAL;
        return NULL;
    }
    xb = calloc(1, sizeof(*xb));
    if (!xb)
        return NULL;
    r = xvm_xs_dev_init(&xb->dev, xs, backend_path, be_allowed,
                        XenbusStateInitialising, ops->disconnect, owner);
    if (r < 0) {
        free(xb);
        errno = -r;
        return NULL;
    }
    xb->ops = ops;
    xb->connects = NB_CONNECT_BURST;
    xb->connects_at = mono_ns();
    xb->max_queues = max_queues ? max_queues : default_queues();
    snprintf(xb->token, sizeof(xb->token), "nb:%s", backend_path);
    r = probe(xb);
    if (r < 0) {
        nb_xenbus_destroy(xb);
        errno = -r;
        return NULL;
    }
    return xb;
}

void nb_xenbus_destroy(struct nb_xenbus *xb)
{
    char p[XVM_XS_DEV_PATH_MAX * 2];

    if (!xb)
        return;
    /* Best effort: a frontend told Closed lets go and waits for the
     * next backend. */
    if (xb->dev.state != XenbusStateInitialising)
        set_state(xb, XenbusStateClosed);
    if (xb->dev.otherend[0] &&
        xvm_xs_key_path(p, sizeof(p), xb->dev.otherend, "state") == 0)
        xvm_xs_unwatch(xb->dev.xs, p, xb->token);
    free(xb);
}

void nb_xenbus_why(struct nb_xenbus *xb, const char *fmt, ...)
{
    va_list ap;

    if (!xb)
        return;
    va_start(ap, fmt);
    vsnprintf(xb->why, sizeof(xb->why), fmt, ap);
    va_end(ap);
}
