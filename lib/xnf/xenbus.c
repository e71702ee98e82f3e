/* SPDX-License-Identifier: MIT */
/*
 * The frontend half of the netif xenbus handshake (hosted only: it needs
 * libc and libxvm's xenstore client).  The backend is another domain, so
 * its values are parsed as strictly as the backend parses ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xnf/xenbus.h"
#include "xs/xs.h"

#define XF_PATH_MAX 256u
#define XF_TXN_TRIES 16

struct xnf_xenbus {
    struct xvm_xs *xs;
    const struct xnf_xenbus_ops *ops;
    void *owner;
    enum xenbus_state state;
    bool live;       /* ops->setup succeeded; disconnect still owed */
    bool want_up;    /* false after xnf_xenbus_close() */
    unsigned tries;  /* reconnects since the backend was last Connected */
    struct xnf_xenbus_info info;
    struct xnf_xenbus_rings rings;
    char fe_path[XF_PATH_MAX];
    char be_path[XF_PATH_MAX];
    char token[XF_PATH_MAX + 4];
};

/* Backend "0"/"1" keys and the XNF_BE_* bit each sets. */
static const struct {
    const char *key;
    uint32_t bit;
} be_flags[] = {
    {"feature-rx-copy", NETIF_F_RX_COPY},
    {"feature-sg", NETIF_F_SG},
    {"feature-gso-tcpv4", NETIF_F_GSO_TCPV4},
    {"feature-gso-tcpv6", NETIF_F_GSO_TCPV6},
    {"feature-ipv6-csum-offload", NETIF_F_IPV6_CSUM},
    {"feature-multicast-control", NETIF_F_MCAST_CTRL},
};

static int key_path(char *buf, const char *dir, const char *key)
{
    int n = snprintf(buf, XF_PATH_MAX * 2, "%s/%s", dir, key);

    return n < 0 || n >= (int)XF_PATH_MAX * 2 ? -ENAMETOOLONG : 0;
}

static int read_uint(struct xnf_xenbus *xf, const char *dir, const char *key,
                     uint64_t max, uint64_t *out)
{
    char p[XF_PATH_MAX * 2];
    int r = key_path(p, dir, key);

    if (r == 0)
        r = xvm_xs_read_uint(xf->xs, XVM_XS_NO_TX, p, max, out);
    return r == -ERANGE ? -EINVAL : r;
}

static int write_key(struct xnf_xenbus *xf, uint32_t tx, const char *key,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int write_key(struct xnf_xenbus *xf, uint32_t tx, const char *key,
                     const char *fmt, ...)
{
    char p[XF_PATH_MAX * 2], v[32];
    va_list ap;
    int r = key_path(p, xf->fe_path, key);

    if (r < 0)
        return r;
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    return xvm_xs_write_str(xf->xs, tx, p, v);
}

/* The keys netfront writes with state=Connected, in one transaction. */
static int write_keys(struct xnf_xenbus *xf, uint32_t tx)
{
    const struct xnf_xenbus_rings *rg = &xf->rings;
    uint32_t f = rg->fe_features;
    int r;

    r = write_key(xf, tx, "tx-ring-ref", "%u", rg->tx_ring_ref);
    if (r == 0)
        r = write_key(xf, tx, "rx-ring-ref", "%u", rg->rx_ring_ref);
    if (r == 0)
        r = write_key(xf, tx, "event-channel", "%u", rg->evtchn);
    if (r == 0)
        r = write_key(xf, tx, "request-rx-copy", "1");
    if (r == 0)
        r = write_key(xf, tx, "feature-rx-notify", "1");
    if (r == 0)
        r = write_key(xf, tx, "feature-sg", "%d", !!(f & NETIF_F_SG));
    if (r == 0)
        r = write_key(xf, tx, "feature-gso-tcpv4", "%d",
                      !!(f & NETIF_F_GSO_TCPV4));
    if (r == 0)
        r = write_key(xf, tx, "feature-gso-tcpv6", "%d",
                      !!(f & NETIF_F_GSO_TCPV6));
    if (r == 0)
        r = write_key(xf, tx, "state", "%d", XenbusStateConnected);
    return r;
}

/* As illumos xnf: the whole set in one transaction, again on EAGAIN. */
static int publish_connected(struct xnf_xenbus *xf)
{
    uint32_t tx;
    int r, tries;

    for (tries = 0; tries < XF_TXN_TRIES; tries++) {
        r = xvm_xs_transaction_start(xf->xs, &tx);
        if (r < 0)
            return r;
        r = write_keys(xf, tx);
        if (r < 0) {
            xvm_xs_transaction_end(xf->xs, tx, false);
            return r;
        }
        r = xvm_xs_transaction_end(xf->xs, tx, true);
        if (r != -EAGAIN)
            return r;
    }
    return -EAGAIN;
}

/*
 * The one place the frontend state changes.  Allowed transitions:
 *
 *   Unknown      --> Initialising            (create)
 *   Initialising --> Connected               (backend InitWait, keys)
 *   Initialising, Connected --> Closing      (close, fatal error)
 *   Initialising, Connected, Closing --> Closed
 *   Closed       --> Initialising            (wait for a backend again)
 *
 * Entering Connected writes the ring keys with the state, in one
 * transaction.  Leaving a set-up device behind disconnects the owner,
 * here and nowhere else.
 */
static int set_state(struct xnf_xenbus *xf, enum xenbus_state to)
{
    static const uint16_t allowed[XenbusStateReconfigured + 1] = {
        [XenbusStateUnknown] = 1u << XenbusStateInitialising,
        [XenbusStateInitialising] = 1u << XenbusStateConnected |
                                    1u << XenbusStateClosing |
                                    1u << XenbusStateClosed,
        [XenbusStateConnected] = 1u << XenbusStateClosing |
                                 1u << XenbusStateClosed,
        [XenbusStateClosing] = 1u << XenbusStateClosed,
        [XenbusStateClosed] = 1u << XenbusStateInitialising,
    };
    int r;

    if (to == xf->state)
        return 0;
    if (!(allowed[xf->state] & (1u << to)))
        return -EINVAL;
    if (xf->live && to != XenbusStateConnected) {
        xf->live = false;
        xf->ops->disconnect(xf->owner);
    }
    if (to == XenbusStateConnected)
        r = publish_connected(xf);
    else
        r = write_key(xf, XVM_XS_NO_TX, "state", "%d", (int)to);
    if (r == 0)
        xf->state = to;
    return r;
}

/* xenbus_dev_fatal: error/<node>/error under our home, then Closing. */
static int fatal(struct xnf_xenbus *xf, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fatal(struct xnf_xenbus *xf, int err, const char *fmt, ...)
{
    char p[XF_PATH_MAX * 2], msg[256];
    int home = 0, n;
    va_list ap;

    if (sscanf(xf->fe_path, "/local/domain/%*u/%n", &home) != 0 || home <= 0)
        home = 0;
    snprintf(p, sizeof(p), "%.*serror/%s/error", home, xf->fe_path,
             xf->fe_path + (home ? home : 1));
    n = snprintf(msg, sizeof(msg), "%d ", err < 0 ? -err : err);
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    /* The error node is best effort: the state change is what counts. */
    xvm_xs_write_str(xf->xs, XVM_XS_NO_TX, p, msg);
    return set_state(xf, XenbusStateClosing);
}

static int read_be_features(struct xnf_xenbus *xf, uint32_t *features)
{
    uint64_t v;
    size_t i;
    int r;

    *features = 0;
    for (i = 0; i < sizeof(be_flags) / sizeof(be_flags[0]); i++) {
        r = read_uint(xf, xf->be_path, be_flags[i].key, 1, &v);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            return r;
        if (v)
            *features |= be_flags[i].bit;
    }
    return 0;
}

/* The backend is in InitWait: make a device and publish it. */
static int do_connect(struct xnf_xenbus *xf)
{
    uint32_t be;
    int r = read_be_features(xf, &be);

    if (r == -EINVAL)
        return fatal(xf, r, "reading backend features");
    if (r < 0)
        return r;
    if (!(be & NETIF_F_RX_COPY))
        return fatal(xf, EOPNOTSUPP, "backend doesn't support rx-copy");
    xf->info.be_features = be;
    memset(&xf->rings, 0, sizeof(xf->rings));
    r = xf->ops->setup(xf->owner, &xf->info, &xf->rings);
    if (r < 0)
        return fatal(xf, r, "setting up the device");
    xf->live = true;
    r = set_state(xf, XenbusStateConnected);
    if (r < 0)
        return fatal(xf, r, "writing the ring keys");
    r = xf->ops->connect(xf->owner, be);
    if (r < 0)
        return fatal(xf, r, "connecting the device");
    return 0;
}

/* Closed; then, unless closed on purpose, wait for a backend again. */
static int closed(struct xnf_xenbus *xf)
{
    int r = set_state(xf, XenbusStateClosed);

    if (r < 0 || !xf->want_up || xf->tries >= XNF_XENBUS_RETRIES)
        return r;
    xf->tries++;
    return set_state(xf, XenbusStateInitialising);
}

static int backend_state(struct xnf_xenbus *xf, enum xenbus_state *st)
{
    uint64_t v;
    int r = read_uint(xf, xf->be_path, "state", XenbusStateReconfigured, &v);

    *st = XenbusStateUnknown;
    if (r == -ENOENT)
        return 0;
    if (r == 0)
        *st = (enum xenbus_state)v;
    return r;
}

/* React to the backend's state (Linux netfront's netback_changed). */
static int backend_changed(struct xnf_xenbus *xf)
{
    enum xenbus_state be, fe = xf->state;
    int r = backend_state(xf, &be);

    if (r == -EINVAL)
        return fe == XenbusStateInitialising || fe == XenbusStateConnected
                   ? fatal(xf, r, "reading backend state")
                   : 0;
    if (r < 0)
        return r;
    switch (be) {
    case XenbusStateInitWait:
        if (fe == XenbusStateClosed && xf->want_up) {
            r = set_state(xf, XenbusStateInitialising);
            fe = XenbusStateInitialising;
        }
        return r == 0 && fe == XenbusStateInitialising ? do_connect(xf) : r;
    case XenbusStateConnected:
        if (fe == XenbusStateConnected)
            xf->tries = 0;
        return 0;
    case XenbusStateUnknown:
    case XenbusStateClosing:
    case XenbusStateClosed:
        /* Initialising already waits for a backend: nothing to undo. */
        return fe == XenbusStateConnected || fe == XenbusStateClosing
                   ? closed(xf)
                   : 0;
    default:
        return 0;
    }
}

int xnf_xenbus_event(struct xnf_xenbus *xf, const struct xvm_xs_event *ev)
{
    int r;

    if (strcmp(ev->token, xf->token) != 0)
        return 0;
    r = backend_changed(xf);
    return r < 0 ? r : 1;
}

enum xenbus_state xnf_xenbus_state(const struct xnf_xenbus *xf)
{
    return xf->state;
}

const struct xnf_xenbus_info *xnf_xenbus_info(const struct xnf_xenbus *xf)
{
    return &xf->info;
}

int xnf_xenbus_close(struct xnf_xenbus *xf)
{
    xf->want_up = false;
    if (xf->state == XenbusStateClosed || xf->state == XenbusStateClosing)
        return 0;
    return set_state(xf, XenbusStateClosing);
}

int xnf_xenbus_open(struct xnf_xenbus *xf)
{
    int r = 0;

    if (xf->state != XenbusStateClosed && xf->state != XenbusStateClosing)
        return 0;
    xf->want_up = true;
    xf->tries = 0;
    if (xf->state == XenbusStateClosing)
        r = set_state(xf, XenbusStateClosed);
    if (r == 0)
        r = set_state(xf, XenbusStateInitialising);
    /* A backend already waiting will not write again: look now. */
    return r < 0 ? r : backend_changed(xf);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    static const char hex[] = "0123456789abcdef0123456789ABCDEF";
    unsigned i, j;

    if (strlen(s) != 17)
        return -EINVAL;
    for (i = 0; i < 6; i++) {
        uint8_t b = 0;

        for (j = 0; j < 2; j++) {
            const char *d = s[i * 3 + j] ? strchr(hex, s[i * 3 + j]) : NULL;

            if (!d)
                return -EINVAL;
            b = (uint8_t)(b << 4 | ((d - hex) & 15));
        }
        if (i < 5 && s[i * 3 + 2] != ':')
            return -EINVAL;
        mac[i] = b;
    }
    return 0;
}

/* A whole string key (no NUL inside), shorter than XF_PATH_MAX. */
static int read_str(struct xnf_xenbus *xf, const char *key, char *out)
{
    char p[XF_PATH_MAX * 2], *v;
    size_t len;
    int r = key_path(p, xf->fe_path, key);

    if (r == 0)
        r = xvm_xs_read(xf->xs, XVM_XS_NO_TX, p, &v, &len);
    if (r < 0)
        return r;
    if (len == 0 || len >= XF_PATH_MAX || strlen(v) != len)
        r = -EINVAL;
    else
        memcpy(out, v, len + 1);
    free(v);
    return r;
}

/* The toolstack's keys; the backend path must be under backend-id's home. */
static int read_toolstack(struct xnf_xenbus *xf)
{
    char home[40], mac[XF_PATH_MAX];
    uint64_t v;
    int r;

    r = read_uint(xf, xf->fe_path, "backend-id", DOMID_FIRST_RESERVED - 1, &v);
    if (r < 0)
        return r;
    xf->info.backend_id = (domid_t)v;
    r = read_uint(xf, xf->fe_path, "handle", UINT32_MAX, &v);
    if (r < 0)
        return r;
    xf->info.handle = (uint32_t)v;
    r = read_uint(xf, xf->fe_path, "mtu", 65535, &v);
    if (r == -ENOENT)
        v = 1500;
    else if (r < 0 || v < 68)
        return r < 0 ? r : -EINVAL;
    xf->info.mtu = (uint32_t)v;
    r = read_str(xf, "backend", xf->be_path);
    if (r < 0)
        return r;
    snprintf(home, sizeof(home), "/local/domain/%u/", xf->info.backend_id);
    if (strncmp(xf->be_path, home, strlen(home)) != 0 ||
        xf->be_path[strlen(xf->be_path) - 1] == '/')
        return -EINVAL;
    r = read_str(xf, "mac", mac);
    return r < 0 ? r : parse_mac(mac, xf->info.mac);
}

static int start(struct xnf_xenbus *xf)
{
    char p[XF_PATH_MAX * 2];
    int r = read_toolstack(xf);

    if (r == 0)
        r = set_state(xf, XenbusStateInitialising);
    if (r == 0)
        r = key_path(p, xf->be_path, "state");
    /* The watch fires at once; that first event starts the handshake. */
    return r < 0 ? r : xvm_xs_watch(xf->xs, p, xf->token);
}

struct xnf_xenbus *xnf_xenbus_create(struct xvm_xs *xs,
                                     const char *frontend_path,
                                     const struct xnf_xenbus_ops *ops,
                                     void *owner)
{
    struct xnf_xenbus *xf;
    size_t len;
    int r;

    if (!xs || !frontend_path || !ops || !ops->setup || !ops->connect ||
        !ops->disconnect)
        goto einval;
    len = strlen(frontend_path);
    if (frontend_path[0] != '/' || len < 2 || len >= XF_PATH_MAX ||
        frontend_path[len - 1] == '/')
        goto einval;
    xf = calloc(1, sizeof(*xf));
    if (!xf)
        return NULL;
    xf->xs = xs;
    xf->ops = ops;
    xf->owner = owner;
    xf->want_up = true;
    xf->state = XenbusStateUnknown;
    memcpy(xf->fe_path, frontend_path, len + 1);
    snprintf(xf->token, sizeof(xf->token), "xnf:%s", frontend_path);
    r = start(xf);
    if (r < 0) {
        xnf_xenbus_destroy(xf);
        errno = -r;
        return NULL;
    }
    return xf;

einval:
    errno = EINVAL;
    return NULL;
}

void xnf_xenbus_destroy(struct xnf_xenbus *xf)
{
    char p[XF_PATH_MAX * 2];

    if (!xf)
        return;
    if (xf->state != XenbusStateUnknown)
        set_state(xf, XenbusStateClosed);
    if (xf->be_path[0] && key_path(p, xf->be_path, "state") == 0)
        xvm_xs_unwatch(xf->xs, p, xf->token);
    free(xf);
}
