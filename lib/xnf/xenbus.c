/* SPDX-License-Identifier: MIT */
/*
 * The frontend half of the netif xenbus handshake (hosted only: it needs
 * libc and libxs).  The backend is another domain, so its values are
 * parsed as strictly as the backend parses ours; the xenstore mechanics
 * are libxs's (xs/xenbus.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xnf/xenbus.h"
#include "xs/xenbus.h"
#include "xs/xs.h"
#include "xvm/log.h"

struct xnf_xenbus {
    struct xvm_xs_dev dev; /* path: ours; otherend: the backend's */
    const struct xnf_xenbus_ops *ops;
    bool want_up;   /* false after xnf_xenbus_close() */
    unsigned tries; /* reconnects since the backend was last Connected */
    struct xnf_xenbus_info info;
    unsigned queues;       /* the most the owner sets up */
    bool be_offers_queues; /* the backend wrote multi-queue-max-queues */
    struct xnf_xenbus_rings rings[NETIF_QUEUES_MAX];
    bool carrier;        /* the backend's carrier key, as last read well */
    bool carrier_warned; /* a bad carrier value was logged */
    char token[XVM_XS_DEV_PATH_MAX + 4];
    char carrier_token[XVM_XS_DEV_PATH_MAX + 12];
};

/*
 * The allowed frontend transitions (xvm_xs_dev_switch() enforces them):
 *
 *   Unknown      --> Initialising            (create)
 *   Initialising --> Connected               (backend InitWait, keys)
 *   Initialising, Connected --> Closing      (close, fatal error)
 *   Initialising, Connected, Closing --> Closed
 *   Closed       --> Initialising            (wait for a backend again)
 *
 * Entering Connected writes the ring keys with the state, in one
 * transaction.  Leaving a set-up device behind disconnects the owner,
 * there and nowhere else.
 */
static const uint16_t fe_allowed[XenbusStateReconfigured + 1] = {
    [XenbusStateUnknown] = 1u << XenbusStateInitialising,
    [XenbusStateInitialising] = 1u << XenbusStateConnected |
                                1u << XenbusStateClosing |
                                1u << XenbusStateClosed,
    [XenbusStateConnected] = 1u << XenbusStateClosing |
                             1u << XenbusStateClosed,
    [XenbusStateClosing] = 1u << XenbusStateClosed,
    [XenbusStateClosed] = 1u << XenbusStateInitialising,
};

/* Queue @q's ring refs and event channel(s), under @dir. */
static int write_queue(struct xnf_xenbus *xf, uint32_t tx, const char *dir,
                       const struct xnf_xenbus_rings *rg)
{
    struct xvm_xs *xs = xf->dev.xs;
    int r;

    r = xvm_xs_write_key(xs, tx, dir, NETIF_KEY_TX_RING_REF, "%u",
                         rg->tx_ring_ref);
    if (r == 0)
        r = xvm_xs_write_key(xs, tx, dir, NETIF_KEY_RX_RING_REF, "%u",
                             rg->rx_ring_ref);
    if (r == 0 && !rg->evtchn_rx)
        return xvm_xs_write_key(xs, tx, dir, NETIF_KEY_EVTCHN, "%u",
                                rg->evtchn);
    if (r == 0)
        r = xvm_xs_write_key(xs, tx, dir, NETIF_KEY_EVTCHN_TX, "%u",
                             rg->evtchn);
    if (r == 0)
        r = xvm_xs_write_key(xs, tx, dir, NETIF_KEY_EVTCHN_RX, "%u",
                             rg->evtchn_rx);
    return r;
}

/*
 * The keys netfront writes with state=Connected (xvm_xs_dev_switch), in
 * its order: the queue count (when the backend offered a maximum), each
 * queue's keys (flat for one queue, under queue-N/ otherwise), then the
 * features.
 */
static int write_keys(void *arg, uint32_t tx)
{
    const struct netif_feature_key *t = netif_feature_table();
    struct xnf_xenbus *xf = arg;
    const char *dir = xf->dev.path;
    struct xvm_xs *xs = xf->dev.xs;
    unsigned nq = xf->info.num_queues, i;
    /* libxnf always receives by copy and always notifies. */
    uint32_t f = xf->rings[0].fe_features | NETIF_F_RX_COPY |
                 NETIF_F_RX_NOTIFY;
    char qdir[XVM_XS_DEV_PATH_MAX + 32];
    int r = 0;

    if (xf->be_offers_queues)
        r = xvm_xs_write_key(xs, tx, dir, NETIF_KEY_NUM_QUEUES, "%u", nq);
    for (i = 0; r == 0 && i < nq; i++) {
        if (nq > 1)
            snprintf(qdir, sizeof(qdir), "%s/" NETIF_KEY_QUEUE_FMT, dir, i);
        r = write_queue(xf, tx, nq > 1 ? qdir : dir, &xf->rings[i]);
    }
    for (i = 0; r == 0 && i < NETIF_FEATURE_COUNT; i++)
        if (t[i].fe_key)
            r = xvm_xs_write_key(xs, tx, dir, t[i].fe_key, "%d",
                                 (f & t[i].bit) != 0);
    return r;
}

static int set_state(struct xnf_xenbus *xf, enum xenbus_state to)
{
    return xvm_xs_dev_switch(&xf->dev, to,
                             to == XenbusStateConnected ? write_keys : NULL,
                             xf);
}

/* Every backend feature key; a missing one is "0". */
static int read_be_features(struct xnf_xenbus *xf, uint32_t *features)
{
    const struct netif_feature_key *t = netif_feature_table();
    unsigned i;

    *features = 0;
    for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
        bool on = false;
        int r = t[i].be_key ? xvm_xs_read_key_bool(xf->dev.xs,
                                                   xf->dev.otherend,
                                                   t[i].be_key, false, &on)
                            : 0;

        if (r < 0)
            return r;
        if (on)
            *features |= t[i].bit;
    }
    return 0;
}

/* How many queues, and split channels or not: what the backend offers
 * (multi-queue-max-queues, 1 when absent), within what we set up. */
static int read_be_queues(struct xnf_xenbus *xf)
{
    uint64_t max = 1;
    bool split = false;
    int r = xvm_xs_read_key_uint(xf->dev.xs, xf->dev.otherend,
                                 NETIF_KEY_MAX_QUEUES, UINT32_MAX, &max);

    xf->be_offers_queues = r == 0;
    if (r == -ENOENT)
        r = 0;
    if (r == 0)
        r = xvm_xs_read_key_bool(xf->dev.xs, xf->dev.otherend,
                                 NETIF_KEY_SPLIT_EVTCHN, false, &split);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    if (max == 0)
        return -EINVAL;
    xf->info.num_queues = max < xf->queues ? (unsigned)max : xf->queues;
    xf->info.split_evtchn = split;
    return 0;
}

/* The backend is in InitWait: make a device per queue and publish them. */
static int do_connect(struct xnf_xenbus *xf)
{
    uint32_t be;
    int r = read_be_features(xf, &be);

    if (r == 0)
        r = read_be_queues(xf);
    if (r == -EINVAL)
        return xvm_xs_dev_fatal(&xf->dev, r, "reading backend features");
    if (r < 0)
        return r;
    if (!(be & NETIF_F_RX_COPY))
        return xvm_xs_dev_fatal(&xf->dev, EOPNOTSUPP,
                                "backend doesn't support rx-copy");
    xf->info.be_features = be;
    memset(xf->rings, 0, sizeof(xf->rings));
    r = xf->ops->setup(xf->dev.owner, &xf->info, xf->rings);
    if (r < 0)
        return xvm_xs_dev_fatal(&xf->dev, r, "setting up the device");
    xf->dev.live = true;
    r = set_state(xf, XenbusStateConnected);
    if (r < 0)
        return xvm_xs_dev_fatal(&xf->dev, r, "writing the ring keys");
    r = xf->ops->connect(xf->dev.owner, be);
    if (r < 0)
        return xvm_xs_dev_fatal(&xf->dev, r, "connecting the device");
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

/* React to the backend's state (Linux netfront's netback_changed). */
static int backend_changed(struct xnf_xenbus *xf)
{
    enum xenbus_state be, fe = xf->dev.state;
    int r = xvm_xs_read_state(xf->dev.xs, xf->dev.otherend, &be);

    if (r == -EINVAL)
        return fe == XenbusStateInitialising || fe == XenbusStateConnected
                   ? xvm_xs_dev_fatal(&xf->dev, r, "reading backend state")
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

/*
 * The backend's carrier key changed (or the watch was just set): read it
 * once; "1" or "0", or missing (up).  Anything else the backend wrote,
 * or a node we may not read, leaves the carrier as it was.
 */
static int carrier_changed(struct xnf_xenbus *xf)
{
    bool up;
    int r = xvm_xs_read_key_bool(xf->dev.xs, xf->dev.otherend,
                                 NETIF_KEY_CARRIER, true, &up);

    if (r == -EINVAL || r == -EACCES || r == -EPERM) {
        if (!xf->carrier_warned)
            xvm_log_warn("%s: the backend's %s key is %s: ignored",
                         xf->dev.path, NETIF_KEY_CARRIER,
                         r == -EINVAL ? "neither \"0\" nor \"1\""
                                      : "not readable");
        xf->carrier_warned = true;
        return 0;
    }
    if (r < 0)
        return r;
    if (up == xf->carrier)
        return 0;
    xf->carrier = up;
    if (xf->ops->carrier)
        xf->ops->carrier(xf->dev.owner, up);
    return 0;
}

int xnf_xenbus_event(struct xnf_xenbus *xf, const struct xvm_xs_event *ev)
{
    int r;

    if (strcmp(ev->token, xf->carrier_token) == 0)
        r = carrier_changed(xf);
    else if (strcmp(ev->token, xf->token) == 0)
        r = backend_changed(xf);
    else
        return 0;
    return r < 0 ? r : 1;
}

bool xnf_xenbus_carrier(const struct xnf_xenbus *xf)
{
    return xf->carrier;
}

enum xenbus_state xnf_xenbus_state(const struct xnf_xenbus *xf)
{
    return xf->dev.state;
}

const struct xnf_xenbus_info *xnf_xenbus_info(const struct xnf_xenbus *xf)
{
    return &xf->info;
}

int xnf_xenbus_close(struct xnf_xenbus *xf)
{
    xf->want_up = false;
    if (xf->dev.state == XenbusStateClosed || xf->dev.state == XenbusStateClosing)
        return 0;
    return set_state(xf, XenbusStateClosing);
}

int xnf_xenbus_open(struct xnf_xenbus *xf)
{
    int r = 0;

    if (xf->dev.state != XenbusStateClosed && xf->dev.state != XenbusStateClosing)
        return 0;
    xf->want_up = true;
    xf->tries = 0;
    if (xf->dev.state == XenbusStateClosing)
        r = set_state(xf, XenbusStateClosed);
    if (r == 0)
        r = set_state(xf, XenbusStateInitialising);
    /* A backend already waiting will not write again: look now. */
    return r < 0 ? r : backend_changed(xf);
}

/* The toolstack's keys: backend and backend-id, handle, mtu, mac. */
static int read_toolstack(struct xnf_xenbus *xf)
{
    struct xvm_xs *xs = xf->dev.xs;
    const char *dir = xf->dev.path;
    char mac[NETIF_MAC_LEN + 1];
    uint64_t v;
    int r = xvm_xs_dev_otherend(&xf->dev, "backend", "backend-id");

    if (r < 0)
        return r;
    xf->info.backend_id = xf->dev.otherend_id;
    r = xvm_xs_read_key_uint(xs, dir, "handle", UINT32_MAX, &v);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    xf->info.handle = (uint32_t)v;
    r = xvm_xs_read_key_uint(xs, dir, "mtu", NETIF_MAX_FRAME, &v);
    if (r == -ENOENT)
        v = 1500;
    else if (r < 0 || v < 68)
        return r < 0 && r != -ERANGE ? r : -EINVAL;
    xf->info.mtu = (uint32_t)v;
    r = xvm_xs_read_key_str(xs, dir, NETIF_KEY_MAC, mac, sizeof(mac));
    return r == 0 && !netif_mac_parse(mac, xf->info.mac) ? -EINVAL : r;
}

static int start(struct xnf_xenbus *xf)
{
    char p[XVM_XS_DEV_PATH_MAX * 2];
    int r = read_toolstack(xf);

    if (r == 0)
        r = set_state(xf, XenbusStateInitialising);
    if (r == 0)
        r = xvm_xs_key_path(p, sizeof(p), xf->dev.otherend, "state");
    /* The watch fires at once; that first event starts the handshake. */
    if (r == 0)
        r = xvm_xs_watch(xf->dev.xs, p, xf->token);
    if (r == 0)
        r = xvm_xs_key_path(p, sizeof(p), xf->dev.otherend,
                            NETIF_KEY_CARRIER);
    /* This one too: the carrier the backend says now. */
    return r < 0 ? r : xvm_xs_watch(xf->dev.xs, p, xf->carrier_token);
}

struct xnf_xenbus *xnf_xenbus_create(struct xvm_xs *xs,
                                     const char *frontend_path,
                                     unsigned queues,
                                     const struct xnf_xenbus_ops *ops,
                                     void *owner)
{
    struct xnf_xenbus *xf;
    int r;

    if (!ops || !ops->setup || !ops->connect || !ops->disconnect ||
        queues < 1 || queues > NETIF_QUEUES_MAX) {
        errno = EINVAL;
        return NULL;
    }
    xf = calloc(1, sizeof(*xf));
    if (!xf)
        return NULL;
    r = xvm_xs_dev_init(&xf->dev, xs, frontend_path, fe_allowed,
                        XenbusStateUnknown, ops->disconnect, owner);
    if (r < 0) {
        free(xf);
        errno = -r;
        return NULL;
    }
    xf->ops = ops;
    xf->queues = queues;
    xf->want_up = true;
    xf->carrier = true;
    snprintf(xf->token, sizeof(xf->token), "xnf:%s", frontend_path);
    snprintf(xf->carrier_token, sizeof(xf->carrier_token), "xnf-carrier:%s",
             frontend_path);
    r = start(xf);
    if (r < 0) {
        xnf_xenbus_destroy(xf);
        errno = -r;
        return NULL;
    }
    return xf;
}

void xnf_xenbus_destroy(struct xnf_xenbus *xf)
{
    char p[XVM_XS_DEV_PATH_MAX * 2];

    if (!xf)
        return;
    if (xf->dev.state != XenbusStateUnknown)
        set_state(xf, XenbusStateClosed);
    if (xf->dev.otherend[0] &&
        xvm_xs_key_path(p, sizeof(p), xf->dev.otherend, "state") == 0)
        xvm_xs_unwatch(xf->dev.xs, p, xf->token);
    if (xf->dev.otherend[0] &&
        xvm_xs_key_path(p, sizeof(p), xf->dev.otherend,
                        NETIF_KEY_CARRIER) == 0)
        xvm_xs_unwatch(xf->dev.xs, p, xf->carrier_token);
    free(xf);
}
