/* SPDX-License-Identifier: MIT */
/*
 * The backend half of the netif xenbus handshake: feature keys, the
 * backend XenbusState machine, and strict reading of what the frontend
 * wrote.  Everything under the frontend's path is the guest's to write,
 * so every value is parsed as hostile input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netback/netback.h"
#include "xs/xs.h"

/* Longest device path we accept; Xen's paths are far shorter. */
#define XB_PATH_MAX 256u
/* A transaction that keeps losing to other writers is given up on. */
#define XB_TXN_TRIES 16

struct nb_xenbus {
    struct xvm_xs *xs;
    const struct nb_xenbus_ops *ops;
    void *owner;
    enum xenbus_state state;
    bool connected; /* ops->connect succeeded, disconnect not yet called */
    domid_t fe_domid;
    uint32_t handle;
    uint8_t mac[6];
    char be_path[XB_PATH_MAX];
    char fe_path[XB_PATH_MAX];
    char token[XB_PATH_MAX + 4];
};

/* The feature keys the backend offers, written in one transaction. */
static const struct {
    const char *key;
    const char *val;
} be_features[] = {
    {"feature-sg", "1"},
    {"feature-gso-tcpv4", "1"},
    {"feature-gso-tcpv6", "1"},
    {"feature-ipv6-csum-offload", "1"},
    {"feature-rx-copy", "1"},
    {"feature-rx-flip", "0"},
    {"feature-multicast-control", "1"},
};

/* Optional "0"/"1" keys of the frontend and the feature bit each sets. */
static const struct {
    const char *key;
    uint32_t bit;
} fe_flags[] = {
    {"feature-sg", NETIF_F_SG},
    {"feature-gso-tcpv4", NETIF_F_GSO_TCPV4},
    {"feature-gso-tcpv6", NETIF_F_GSO_TCPV6},
    {"feature-rx-notify", NETIF_F_RX_NOTIFY},
    {"feature-no-csum-offload", NETIF_F_NO_CSUM},
    {"feature-ipv6-csum-offload", NETIF_F_IPV6_CSUM},
    {"request-multicast-control", NETIF_F_MCAST_CTRL},
};

static int key_path(char *buf, const char *dir, const char *key)
{
    int n = snprintf(buf, XB_PATH_MAX * 2, "%s/%s", dir, key);

    return n < 0 || n >= (int)XB_PATH_MAX * 2 ? -ENAMETOOLONG : 0;
}

static int read_uint(struct nb_xenbus *xb, const char *dir, const char *key,
                     uint64_t max, uint64_t *out)
{
    char p[XB_PATH_MAX * 2];
    int r = key_path(p, dir, key);

    return r < 0 ? r : xvm_xs_read_uint(xb->xs, XVM_XS_NO_TX, p, max, out);
}

/* A "0"/"1" key; missing reads as @dflt. */
static int read_bool(struct nb_xenbus *xb, const char *dir, const char *key,
                     bool dflt, bool *out)
{
    uint64_t v;
    int r = read_uint(xb, dir, key, 1, &v);

    if (r == -ENOENT) {
        *out = dflt;
        return 0;
    }
    if (r == -ERANGE)
        r = -EINVAL;
    if (r == 0)
        *out = v != 0;
    return r;
}

static int write_key(struct nb_xenbus *xb, uint32_t tx, const char *key,
                     const char *val)
{
    char p[XB_PATH_MAX * 2];
    int r = key_path(p, xb->be_path, key);

    return r < 0 ? r : xvm_xs_write_str(xb->xs, tx, p, val);
}

/*
 * The one place the backend state changes.  Allowed transitions:
 *
 *   Initialising --> InitWait     (probe, fresh frontend)
 *   Initialising --> Closing      (probe, frontend still attached)
 *   InitWait     --> Connected    (frontend Connected, owner connected)
 *   InitWait, Connected --> Closing --> Closed
 *   InitWait, Connected --> Closed   (frontend gone; device removed)
 *   Connected    --> InitWait     (frontend reinitialised while connected)
 *   Closing, Closed --> InitWait  (frontend reinitialised: reconnect)
 *
 * Leaving Connected disconnects the owner, here and nowhere else.
 */
static int set_state(struct nb_xenbus *xb, enum xenbus_state to)
{
    static const uint16_t allowed[XenbusStateReconfigured + 1] = {
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
    char v[4];

    if (to == xb->state)
        return 0;
    if (!(allowed[xb->state] & (1u << to)))
        return -EINVAL;
    if (xb->connected && to != XenbusStateConnected) {
        xb->connected = false;
        xb->ops->disconnect(xb->owner);
    }
    xb->state = to;
    snprintf(v, sizeof(v), "%d", (int)to);
    return write_key(xb, XVM_XS_NO_TX, "state", v);
}

/*
 * A fatal xenbus error, as Linux's xenbus_dev_fatal: "<errno> <message>"
 * in error/<node>/error under the backend domain's home, then Closing.
 */
static int fatal(struct nb_xenbus *xb, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fatal(struct nb_xenbus *xb, int err, const char *fmt, ...)
{
    char p[XB_PATH_MAX * 2], msg[256];
    const char *rest = xb->be_path + 1;
    unsigned home = 0;
    va_list ap;
    int n = 0, r;

    if (sscanf(xb->be_path, "/local/domain/%*u/%n", &n) == 0 && n > 0)
        home = (unsigned)n;
    rest = xb->be_path + (home ? home : 1);
    snprintf(p, sizeof(p), "%.*serror/%s/error", (int)home, xb->be_path,
             rest);
    n = snprintf(msg, sizeof(msg), "%d ", err < 0 ? -err : err);
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    r = xvm_xs_write_str(xb->xs, XVM_XS_NO_TX, p, msg);
    if (r == 0 || r == -EACCES || r == -ENOSPC)
        r = set_state(xb, XenbusStateClosing);
    return r;
}

/* The event channel(s): event-channel, or event-channel-tx and -rx. */
static int read_evtchn(struct nb_xenbus *xb, struct nb_xenbus_frontend *fi)
{
    uint64_t tx, rx;
    int r = read_uint(xb, xb->fe_path, "event-channel-tx", UINT32_MAX, &tx);

    if (r == -ENOENT) {
        r = read_uint(xb, xb->fe_path, "event-channel", UINT32_MAX, &tx);
        rx = tx;
        fi->split_evtchn = false;
    } else if (r == 0) {
        r = read_uint(xb, xb->fe_path, "event-channel-rx", UINT32_MAX, &rx);
        fi->split_evtchn = true;
    }
    if (r < 0)
        return fatal(xb, r, "reading event-channel");
    fi->tx_port = (evtchn_port_t)tx;
    fi->rx_port = (evtchn_port_t)rx;
    return 1;
}

/*
 * Read and check every key the frontend wrote.
 * @return 1 if @fi is complete, 0 if the frontend was refused (the error
 *         is written), or -errno if xenstore failed.
 */
static int read_frontend(struct nb_xenbus *xb, struct nb_xenbus_frontend *fi)
{
    uint64_t v;
    size_t i;
    bool on = false;
    int r;

    r = read_uint(xb, xb->fe_path, "multi-queue-num-queues", 1, &v);
    if (r < 0 && r != -ENOENT)
        return fatal(xb, r, "reading multi-queue-num-queues");
    r = read_bool(xb, xb->fe_path, "request-rx-copy", false, &on);
    if (r < 0)
        return fatal(xb, r, "reading request-rx-copy");
    if (!on)
        return fatal(xb, EOPNOTSUPP, "%s doesn't support rx-copy",
                     xb->fe_path);
    r = read_uint(xb, xb->fe_path, "tx-ring-ref", UINT32_MAX, &v);
    if (r < 0)
        return fatal(xb, r, "reading tx-ring-ref");
    fi->tx_ring_ref = (grant_ref_t)v;
    r = read_uint(xb, xb->fe_path, "rx-ring-ref", UINT32_MAX, &v);
    if (r < 0)
        return fatal(xb, r, "reading rx-ring-ref");
    fi->rx_ring_ref = (grant_ref_t)v;
    r = read_evtchn(xb, fi);
    if (r <= 0)
        return r;
    for (i = 0; i < sizeof(fe_flags) / sizeof(fe_flags[0]); i++) {
        r = read_bool(xb, xb->fe_path, fe_flags[i].key, false, &on);
        if (r < 0)
            return fatal(xb, r, "reading %s", fe_flags[i].key);
        if (on)
            fi->features |= fe_flags[i].bit;
    }
    return 1;
}

static int do_connect(struct nb_xenbus *xb)
{
    struct nb_xenbus_frontend fi = {
        .backend_path = xb->be_path,
        .frontend_path = xb->fe_path,
        .frontend_domid = xb->fe_domid,
        .handle = xb->handle,
    };
    int r;

    memcpy(fi.mac, xb->mac, sizeof(fi.mac));
    r = read_frontend(xb, &fi);
    if (r <= 0)
        return r;
    r = xb->ops->connect(xb->owner, &fi);
    if (r < 0)
        return fatal(xb, r, "connecting the vif");
    xb->connected = true;
    return set_state(xb, XenbusStateConnected);
}

/* Where the frontend says it is; -EINVAL for junk. */
static int frontend_state(struct nb_xenbus *xb, enum xenbus_state *st)
{
    uint64_t v;
    int r = read_uint(xb, xb->fe_path, "state", XenbusStateReconfigured, &v);

    if (r == -ENOENT) {
        *st = XenbusStateUnknown;
        return 0;
    }
    if (r == -ERANGE)
        r = -EINVAL;
    if (r == 0)
        *st = (enum xenbus_state)v;
    return r;
}

/* React to the frontend's state (Linux netback's frontend_changed). */
static int frontend_changed(struct nb_xenbus *xb)
{
    enum xenbus_state fe = XenbusStateUnknown, be = xb->state;
    int r = frontend_state(xb, &fe);

    if (r == -EINVAL)
        return be == XenbusStateClosing || be == XenbusStateClosed
                   ? 0
                   : fatal(xb, r, "reading frontend state");
    if (r < 0)
        return r;
    switch (fe) {
    case XenbusStateInitialising:
        if (be == XenbusStateClosing)
            r = set_state(xb, XenbusStateClosed);
        if (r == 0 && be != XenbusStateInitWait)
            r = set_state(xb, XenbusStateInitWait);
        return r;
    case XenbusStateConnected:
        return be == XenbusStateInitWait ? do_connect(xb) : 0;
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

enum xenbus_state nb_xenbus_state(const struct nb_xenbus *xb)
{
    return xb->state;
}

static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
    unsigned i;

    if (len != 17)
        return -EINVAL;
    for (i = 0; i < 6; i++) {
        const char *h = s + i * 3;
        char d[3] = {h[0], h[1], 0};
        char *e;

        if (!strchr("0123456789abcdefABCDEF", h[0]) || !h[0] ||
            !strchr("0123456789abcdefABCDEF", h[1]) || !h[1] ||
            (i < 5 && h[2] != ':'))
            return -EINVAL;
        mac[i] = (uint8_t)strtoul(d, &e, 16);
    }
    return 0;
}

/* A string key, whole (no embedded NUL), shorter than XB_PATH_MAX. */
static int read_str(struct nb_xenbus *xb, const char *key, char *out)
{
    char p[XB_PATH_MAX * 2], *v;
    size_t len;
    int r = key_path(p, xb->be_path, key);

    if (r == 0)
        r = xvm_xs_read(xb->xs, XVM_XS_NO_TX, p, &v, &len);
    if (r < 0)
        return r;
    if (len == 0 || len >= XB_PATH_MAX || strlen(v) != len)
        r = -EINVAL;
    else
        memcpy(out, v, len + 1);
    free(v);
    return r;
}

/*
 * The toolstack's keys.  The frontend path must lie under the frontend
 * domain's home, so a bad toolstack entry cannot point us at another
 * domain's nodes.
 */
static int read_toolstack(struct nb_xenbus *xb)
{
    char home[40], mac[XB_PATH_MAX];
    uint64_t v;
    int r;

    r = read_uint(xb, xb->be_path, "frontend-id", DOMID_FIRST_RESERVED - 1,
                  &v);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    xb->fe_domid = (domid_t)v;
    r = read_uint(xb, xb->be_path, "handle", UINT32_MAX, &v);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    xb->handle = (uint32_t)v;
    r = read_str(xb, "frontend", xb->fe_path);
    if (r < 0)
        return r;
    snprintf(home, sizeof(home), "/local/domain/%u/", xb->fe_domid);
    if (strncmp(xb->fe_path, home, strlen(home)) != 0 ||
        xb->fe_path[strlen(xb->fe_path) - 1] == '/')
        return -EINVAL;
    r = read_str(xb, "mac", mac);
    if (r == 0)
        r = parse_mac(mac, strlen(mac), xb->mac);
    return r;
}

static int write_features(struct nb_xenbus *xb)
{
    uint32_t tx;
    size_t i;
    int r, tries;

    for (tries = 0; tries < XB_TXN_TRIES; tries++) {
        r = xvm_xs_transaction_start(xb->xs, &tx);
        if (r < 0)
            return r;
        for (i = 0; r == 0 && i < sizeof(be_features) / sizeof(*be_features);
             i++)
            r = write_key(xb, tx, be_features[i].key, be_features[i].val);
        if (r < 0) {
            xvm_xs_transaction_end(xb->xs, tx, false);
            return r;
        }
        r = xvm_xs_transaction_end(xb->xs, tx, true);
        if (r != -EAGAIN)
            return r;
    }
    return -EAGAIN;
}

/* Probe: a frontend found mid-session belonged to an earlier backend. */
static int probe(struct nb_xenbus *xb)
{
    enum xenbus_state fe;
    char p[XB_PATH_MAX * 2];
    int r;

    r = read_toolstack(xb);
    if (r == 0)
        r = write_features(xb);
    if (r == 0)
        r = key_path(p, xb->fe_path, "state");
    if (r == 0)
        r = xvm_xs_watch(xb->xs, p, xb->token);
    if (r < 0)
        return r;
    r = frontend_state(xb, &fe);
    if (r < 0 && r != -EINVAL)
        return r;
    if (r == 0 && (fe == XenbusStateUnknown ||
                   fe == XenbusStateInitialising || fe == XenbusStateClosed))
        return set_state(xb, XenbusStateInitWait);
    return set_state(xb, XenbusStateClosing);
}

struct nb_xenbus *nb_xenbus_create(struct xvm_xs *xs,
                                   const char *backend_path,
                                   const struct nb_xenbus_ops *ops,
                                   void *owner)
{
    struct nb_xenbus *xb;
    size_t len;
    int r;

    if (!xs || !backend_path || !ops || !ops->connect || !ops->disconnect)
        goto einval;
    len = strlen(backend_path);
    if (backend_path[0] != '/' || len < 2 || len >= XB_PATH_MAX ||
        backend_path[len - 1] == '/')
        goto einval;
    xb = calloc(1, sizeof(*xb));
    if (!xb)
        return NULL;
    xb->xs = xs;
    xb->ops = ops;
    xb->owner = owner;
    xb->state = XenbusStateInitialising;
    memcpy(xb->be_path, backend_path, len + 1);
    snprintf(xb->token, sizeof(xb->token), "nb:%s", backend_path);
    r = probe(xb);
    if (r < 0) {
        nb_xenbus_destroy(xb);
        errno = -r;
        return NULL;
    }
    return xb;

einval:
    errno = EINVAL;
    return NULL;
}

void nb_xenbus_destroy(struct nb_xenbus *xb)
{
    char p[XB_PATH_MAX * 2];

    if (!xb)
        return;
    /* Best effort: a frontend told Closed lets go and waits for the
     * next backend. */
    if (xb->state != XenbusStateInitialising)
        set_state(xb, XenbusStateClosed);
    if (xb->fe_path[0] && key_path(p, xb->fe_path, "state") == 0)
        xvm_xs_unwatch(xb->xs, p, xb->token);
    free(xb);
}
