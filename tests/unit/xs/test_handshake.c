/* SPDX-License-Identifier: MIT */
/*
 * The netif xenbus handshake, both halves in one process against a real
 * libxst server: the test plays the toolstack (dom0), libnetback's
 * nb_xenbus the backend (dom0 connection) and libxnf's xnf_xenbus the
 * frontend (a connection bound to domain 5).  Owners are recorders: the
 * frontend owner hands out new ring refs and ports for every connection,
 * and the backend owner must receive exactly those.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "netback/netback.h"
#include "xnf/xenbus.h"
#include "xsd.h"
#include "xs/xs.h"

#define DOM 5
#define FE "/local/domain/5/device/vif/0"
#define BE "/local/domain/0/backend/vif/5/0"
#define MAC "00:16:3e:0a:0b:0c"

static struct xsd *xsd;

struct be_owner {
    int connects, disconnects, ret;
    struct nb_xenbus_frontend info;
    char fe_path[128];
};

struct fe_owner {
    int setups, connects, disconnects;
    int carriers; /* ops->carrier calls */
    bool up;      /* the last one's */
    uint32_t be_features;
    struct xnf_xenbus_rings rings; /* queue 0's */
    struct xnf_xenbus_rings qrings[NETIF_QUEUES_MAX];
    struct xnf_xenbus_info info;
    bool split; /* take split channels when offered */
};

static int be_connect(void *owner, const struct nb_xenbus_frontend *fi)
{
    struct be_owner *o = owner;

    o->info = *fi;
    snprintf(o->fe_path, sizeof(o->fe_path), "%s", fi->frontend_path);
    o->info.frontend_path = o->fe_path;
    o->info.backend_path = NULL;
    if (o->ret == 0)
        o->connects++;
    return o->ret;
}

static void be_disconnect(void *owner)
{
    ((struct be_owner *)owner)->disconnects++;
}

static const struct nb_xenbus_ops be_ops = {be_connect, be_disconnect};

/* Every connection gets new refs and a new port, as a re-inited device. */
static int fe_setup(void *owner, const struct xnf_xenbus_info *info,
                    struct xnf_xenbus_rings *r)
{
    struct fe_owner *o = owner;

    unsigned q, s;

    o->setups++;
    o->info = *info;
    s = (unsigned)o->setups;
    r->tx_ring_ref = 1000u + 2u * s;
    r->rx_ring_ref = 1001u + 2u * s;
    r->evtchn = 20u + s;
    for (q = 1; q < info->num_queues; q++) {
        r[q].tx_ring_ref = 3000u + 16u * s + 2u * q;
        r[q].rx_ring_ref = 3001u + 16u * s + 2u * q;
        r[q].evtchn = 200u + 16u * s + 2u * q;
    }
    for (q = 0; o->split && info->split_evtchn && q < info->num_queues; q++)
        r[q].evtchn_rx = 500u + 16u * s + q;
    r->fe_features = NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_RX_NOTIFY;
    o->rings = *r;
    memcpy(o->qrings, r, info->num_queues * sizeof(*r));
    return 0;
}

static int fe_connect(void *owner, uint32_t be_features)
{
    struct fe_owner *o = owner;

    o->connects++;
    o->be_features = be_features;
    return 0;
}

static void fe_disconnect(void *owner)
{
    ((struct fe_owner *)owner)->disconnects++;
}

static void fe_carrier(void *owner, bool up)
{
    struct fe_owner *o = owner;

    o->carriers++;
    o->up = up;
}

static const struct xnf_xenbus_ops fe_ops = {fe_setup, fe_connect,
                                             fe_disconnect, fe_carrier};

struct world {
    struct xvm_xs *ts; /* the toolstack, dom0 */
    struct xvm_xs *bx; /* the backend's connection, dom0 */
    struct xvm_xs *fx; /* the guest's connection, dom 5 */
    struct nb_xenbus *be;
    struct xnf_xenbus *fe;
    struct be_owner bo;
    struct fe_owner fo;
};

static int wr(struct xvm_xs *xs, const char *dir, const char *key,
              const char *val)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return xvm_xs_write_str(xs, XVM_XS_NO_TX, p, val);
}

static char *rd(struct xvm_xs *xs, const char *dir, const char *key)
{
    char p[256], *v = NULL;

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return xvm_xs_read(xs, XVM_XS_NO_TX, p, &v, NULL) == 0 ? v : NULL;
}

static bool is(struct xvm_xs *xs, const char *dir, const char *key,
               const char *want)
{
    char *v = rd(xs, dir, key);
    bool ok = v && strcmp(v, want) == 0;

    if (!ok)
        fprintf(stderr, "  %s/%s = %s, want %s\n", dir, key, v ? v : "(none)",
                want);
    free(v);
    return ok;
}

/* Key/value pairs under one directory, a NULL key after the last. */
#define KV(...) ((const char *const[][2]){__VA_ARGS__, {NULL, NULL}})

/* wr() of every pair; 0 or the first failure's. */
static int wr_all(struct xvm_xs *xs, const char *dir,
                  const char *const (*kv)[2])
{
    int rc = 0;

    for (; (*kv)[0] && rc == 0; kv++)
        rc = wr(xs, dir, (*kv)[0], (*kv)[1]);
    return rc;
}

/* is() of every pair (each one is checked and told). */
static bool are(struct xvm_xs *xs, const char *dir, const char *const (*kv)[2])
{
    bool ok = true;

    for (; (*kv)[0]; kv++)
        ok = is(xs, dir, (*kv)[0], (*kv)[1]) && ok;
    return ok;
}

/* The nodes libxl writes for one vif, with libxl's permissions. */
static void toolstack(struct world *w)
{
    struct xvm_xs_perm fe_perms[2] = {{DOM, XVM_XS_PERM_NONE},
                                      {0, XVM_XS_PERM_READ}};
    struct xvm_xs_perm be_perms[2] = {{0, XVM_XS_PERM_NONE},
                                      {DOM, XVM_XS_PERM_READ}};

    xvm_xs_rm(w->ts, 0, "/local/domain/0/backend");
    xvm_xs_rm(w->ts, 0, "/local/domain/0/error");
    xvm_xs_rm(w->ts, 0, "/local/domain/5");
    CHECK_EQ(xsd_make_home(w->ts, DOM), 0);
    CHECK_EQ(xvm_xs_mkdir(w->ts, 0, FE), 0);
    CHECK_EQ(xvm_xs_set_perms(w->ts, 0, FE, fe_perms, 2), 0);
    CHECK_EQ(wr_all(w->ts, FE,
                    KV({"backend", BE}, {"backend-id", "0"}, {"state", "1"},
                       {"handle", "0"}, {"mac", MAC}, {"mtu", "9000"})),
             0);
    CHECK_EQ(xvm_xs_mkdir(w->ts, 0, BE), 0);
    CHECK_EQ(xvm_xs_set_perms(w->ts, 0, BE, be_perms, 2), 0);
    CHECK_EQ(wr_all(w->ts, BE,
                    KV({"frontend", FE}, {"frontend-id", "5"}, {"online", "1"},
                       {"state", "1"}, {"mac", MAC}, {"handle", "0"},
                       {"type", "vif"})),
             0);
}

static bool world_open(struct world *w)
{
    memset(w, 0, sizeof(*w));
    w->ts = xvm_xs_open(xsd_path(xsd));
    w->bx = xvm_xs_open(xsd_path(xsd));
    w->fx = xsd_connect(xsd, DOM);
    if (!w->ts || !w->bx || !w->fx)
        return false;
    toolstack(w);
    return true;
}

static void world_close(struct world *w)
{
    xnf_xenbus_destroy(w->fe);
    nb_xenbus_destroy(w->be);
    xvm_xs_close(w->ts);
    xvm_xs_close(w->bx);
    xvm_xs_close(w->fx);
}

/* Hand every waiting event to the machines; true if any was handled. */
static bool pump_once(struct world *w, int timeout_ms)
{
    struct pollfd p[2] = {{.fd = xvm_xs_fd(w->bx), .events = POLLIN},
                          {.fd = xvm_xs_fd(w->fx), .events = POLLIN}};
    struct xvm_xs_event *ev;
    bool any = false;

    if (!xvm_xs_event_pending(w->bx) && !xvm_xs_event_pending(w->fx))
        poll(p, 2, timeout_ms);
    while (xvm_xs_event_next(w->bx, &ev) == 1) {
        if (w->be)
            CHECK(nb_xenbus_event(w->be, ev) >= 0);
        free(ev);
        any = true;
    }
    while (xvm_xs_event_next(w->fx, &ev) == 1) {
        if (w->fe)
            CHECK(xnf_xenbus_event(w->fe, ev) >= 0);
        free(ev);
        any = true;
    }
    return any;
}

/* Run until @cond holds and nothing more happens, or 5 s pass. */
#define PUMP_UNTIL(w, cond)                                                  \
    ({                                                                       \
        struct timespec t0_, t_;                                             \
        bool ok_ = false;                                                    \
        clock_gettime(CLOCK_MONOTONIC, &t0_);                                \
        for (;;) {                                                           \
            bool busy_ = pump_once((w), 20);                                 \
            if (!busy_ && (cond)) {                                          \
                ok_ = true;                                                  \
                break;                                                       \
            }                                                                \
            clock_gettime(CLOCK_MONOTONIC, &t_);                             \
            if (t_.tv_sec - t0_.tv_sec > 5)                                  \
                break;                                                       \
        }                                                                    \
        ok_;                                                                 \
    })

static bool both_connected(const struct world *w)
{
    return w->be && w->fe &&
           nb_xenbus_state(w->be) == XenbusStateConnected &&
           xnf_xenbus_state(w->fe) == XenbusStateConnected;
}

/* The backend got what the frontend's latest setup published. */
static void check_match(const struct world *w)
{
    const struct nb_xenbus_frontend *i = &w->bo.info;

    CHECK_EQ(i->queue[0].tx_ring_ref, w->fo.rings.tx_ring_ref);
    CHECK_EQ(i->queue[0].rx_ring_ref, w->fo.rings.rx_ring_ref);
    CHECK_EQ(i->queue[0].tx_port, w->fo.rings.evtchn);
    CHECK_EQ(i->queue[0].rx_port, w->fo.rings.evtchn);
    CHECK(!i->queue[0].split_evtchn);
    CHECK_EQ(i->features, NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4 |
                              NETIF_F_RX_NOTIFY);
}

/* The backend of @w offering @queues; false if it could not be made. */
static bool be_start(struct world *w, unsigned queues)
{
    w->be = nb_xenbus_create(w->bx, BE, queues, &be_ops, &w->bo);
    return w->be != NULL;
}

/* The frontend of @w asking for @queues; false if it could not be made. */
static bool fe_start(struct world *w, unsigned queues)
{
    w->fe = xnf_xenbus_create(w->fx, FE, queues, &fe_ops, &w->fo);
    return w->fe != NULL;
}

static void connect_world(struct world *w)
{
    CHECK(be_start(w, 0));
    CHECK(fe_start(w, 1));
    CHECK(PUMP_UNTIL(w, both_connected(w)));
}

/* A world whose two ends connected (checked); false if they did not. */
static bool world_up(struct world *w)
{
    CHECK(world_open(w));
    connect_world(w);
    return both_connected(w);
}

/*
 * A connected frontend that goes away without Closing: the backend lets
 * go.  A new frontend in the same domain connects to the same backend.
 */
static void fe_replace(struct world *w)
{
    int fe_downs = w->fo.disconnects, downs = w->bo.disconnects;
    int ups = w->bo.connects;

    xnf_xenbus_destroy(w->fe);
    w->fe = NULL;
    CHECK_EQ(w->fo.disconnects, fe_downs + 1);
    CHECK(is(w->ts, FE, "state", "6"));
    CHECK(PUMP_UNTIL(w, nb_xenbus_state(w->be) == XenbusStateClosed));
    CHECK_EQ(w->bo.disconnects, downs + 1);
    fe_start(w, 1);
    CHECK(PUMP_UNTIL(w, both_connected(w)));
    CHECK_EQ(w->bo.connects, ups + 1);
    check_match(w);
}

/* The backend taken over to the new connection @nx (checked). */
static void be_resume(struct world *w, struct xvm_xs *nx)
{
    CHECK_EQ(nb_xenbus_resume(w->be, nx), 0);
    xvm_xs_close(w->bx);
    w->bx = nx;
}

/*
 * Queues: the frontend asks for three, the backend offers two (and split
 * channels): two are set up, written under queue-N/ with a channel per
 * direction, and the backend gets both.  A frontend asking for one
 * writes the count and the flat keys.
 */
static void test_queues(void)
{
    struct world w;
    const struct nb_xenbus_frontend *i = &w.bo.info;
    char v[16], *v_flat;
    unsigned q;

    CHECK(world_open(&w));
    w.fo.split = true;
    CHECK(be_start(&w, 2));
    CHECK(is(w.ts, BE, "multi-queue-max-queues", "2"));
    CHECK(is(w.ts, BE, "feature-split-event-channels", "1"));
    CHECK(fe_start(&w, 3));
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK_EQ(w.fo.info.num_queues, 2);
    CHECK(w.fo.info.split_evtchn);
    CHECK(is(w.ts, FE, "multi-queue-num-queues", "2"));
    CHECK_EQ(i->num_queues, 2);
    for (q = 0; q < 2; q++) {
        char dir[160];

        snprintf(dir, sizeof(dir), "%s/queue-%u", FE, q);
        snprintf(v, sizeof(v), "%u", w.fo.qrings[q].tx_ring_ref);
        CHECK(is(w.ts, dir, "tx-ring-ref", v));
        snprintf(v, sizeof(v), "%u", w.fo.qrings[q].evtchn_rx);
        CHECK(is(w.ts, dir, "event-channel-rx", v));
        CHECK_EQ(i->queue[q].tx_ring_ref, w.fo.qrings[q].tx_ring_ref);
        CHECK_EQ(i->queue[q].rx_ring_ref, w.fo.qrings[q].rx_ring_ref);
        CHECK_EQ(i->queue[q].tx_port, w.fo.qrings[q].evtchn);
        CHECK_EQ(i->queue[q].rx_port, w.fo.qrings[q].evtchn_rx);
        CHECK(i->queue[q].split_evtchn);
    }
    v_flat = rd(w.ts, FE, "tx-ring-ref");
    CHECK(v_flat == NULL);
    free(v_flat);
    world_close(&w);

    CHECK(world_open(&w));
    be_start(&w, 4);
    fe_start(&w, 1);
    CHECK(w.be && w.fe);
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK(is(w.ts, FE, "multi-queue-num-queues", "1"));
    v_flat = rd(w.ts, FE, "queue-0");
    CHECK(v_flat == NULL);
    free(v_flat);
    CHECK_EQ(i->num_queues, 1);
    check_match(&w);
    world_close(&w);
}

static void test_connect(void)
{
    struct world w;
    const struct nb_xenbus_frontend *i = &w.bo.info;

    CHECK(world_open(&w));
    CHECK(be_start(&w, 0));
    if (!w.be)
        goto out;
    /* Probe: features, then InitWait. */
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateInitWait);
    CHECK(are(w.ts, BE,
              KV({"state", "2"}, {"feature-rx-copy", "1"},
                 {"feature-rx-flip", "0"}, {"feature-sg", "1"},
                 {"feature-gso-tcpv4", "1"}, {"feature-gso-tcpv6", "1"},
                 {"feature-ipv6-csum-offload", "1"},
                 {"feature-multicast-control", "1"})));

    CHECK(fe_start(&w, 1));
    if (!w.fe)
        goto out;
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK(is(w.ts, BE, "state", "4"));
    CHECK(are(w.ts, FE,
              KV({"state", "4"}, {"tx-ring-ref", "1002"},
                 {"rx-ring-ref", "1003"}, {"event-channel", "21"},
                 {"request-rx-copy", "1"}, {"feature-rx-notify", "1"},
                 {"feature-sg", "1"}, {"feature-gso-tcpv4", "1"},
                 {"feature-gso-tcpv6", "0"})));
    CHECK_EQ(w.bo.connects, 1);
    CHECK_EQ(w.fo.setups, 1);
    CHECK_EQ(w.fo.connects, 1);
    check_match(&w);
    CHECK_EQ(i->frontend_domid, DOM);
    CHECK_EQ(i->handle, 0);
    CHECK(strcmp(i->frontend_path, FE) == 0);
    CHECK(i->mac[0] == 0x00 && i->mac[1] == 0x16 && i->mac[5] == 0x0c);
    CHECK_EQ(w.fo.be_features, NETIF_F_RX_COPY | NETIF_F_SG |
                                   NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |
                                   NETIF_F_IPV6_CSUM | NETIF_F_MCAST_CTRL);
    CHECK_EQ(w.fo.info.backend_id, 0);
    CHECK_EQ(w.fo.info.mtu, 9000);
    CHECK(w.fo.info.mac[2] == 0x3e && w.fo.info.mac[4] == 0x0b);
    CHECK_EQ(w.bo.disconnects, 0);
    CHECK_EQ(w.fo.disconnects, 0);
out:
    world_close(&w);
}

/* The owner's vif creation failing is a fatal xenbus error. */
static void test_owner_refuses(void)
{
    struct world w;

    CHECK(world_open(&w));
    w.bo.ret = -ENOMEM;
    be_start(&w, 0);
    fe_start(&w, 1);
    CHECK(w.be && w.fe);
    if (w.be && w.fe) {
        /* The frontend retries a few times, then stays Closed. */
        CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) == XenbusStateClosed &&
                                 nb_xenbus_state(w.be) == XenbusStateClosed));
        CHECK_EQ(w.bo.connects, 0);
        CHECK_EQ(w.fo.setups, 1 + (int)XNF_XENBUS_RETRIES);
        CHECK_EQ(w.fo.disconnects, w.fo.setups);
        CHECK(is(w.ts, "/local/domain/0/error/backend/vif/5/0", "error",
                 "12 connecting the vif"));
    }
    world_close(&w);
}

/*
 * A hand-written frontend: the good keys, one of them replaced by
 * @key=@val (@val NULL: removed), then state Connected.
 */
static void fake_frontend(struct world *w, const char *key, const char *val)
{
    static const char *good[][2] = {
        {"tx-ring-ref", "8"},     {"rx-ring-ref", "9"},
        {"event-channel", "3"},   {"request-rx-copy", "1"},
        {"feature-sg", "1"},      {"feature-rx-notify", "1"},
    };
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!key || strcmp(key, good[i][0]) != 0)
            CHECK_EQ(wr(w->fx, FE, good[i][0], good[i][1]), 0);
    if (key && val)
        CHECK_EQ(wr(w->fx, FE, key, val), 0);
    CHECK_EQ(wr(w->fx, FE, "state", "4"), 0);
}

/* Backend and hand-written frontend; @return the backend's final state. */
static enum xenbus_state run_fake(const char *key, const char *val,
                                  struct be_owner *bo, char **err)
{
    struct world w;
    enum xenbus_state st = XenbusStateUnknown;

    *err = NULL;
    CHECK(world_open(&w));
    CHECK(be_start(&w, 0));
    if (w.be) {
        fake_frontend(&w, key, val);
        PUMP_UNTIL(&w, nb_xenbus_state(w.be) != XenbusStateInitWait);
        st = nb_xenbus_state(w.be);
        CHECK(is(w.ts, BE, "state", st == XenbusStateConnected ? "4" : "5"));
        *err = rd(w.ts, "/local/domain/0/error/backend/vif/5/0", "error");
    }
    *bo = w.bo;
    world_close(&w);
    return st;
}

/*
 * A frontend that reconnects in a loop (Connected, Initialising, ...)
 * makes the owner connect each time: after eight, one a second, and
 * the rest refused as a fatal error with the reason.
 */
static void test_reconnect_storm(void)
{
    struct timespec t0, t1;
    struct world w;
    int i, extra;

    CHECK(world_open(&w));
    clock_gettime(CLOCK_MONOTONIC, &t0); /* the budget starts with be */
    CHECK(be_start(&w, 0));
    if (!w.be)
        goto out;
    fake_frontend(&w, NULL, NULL);
    for (i = 0; i < 40; i++) {
        PUMP_UNTIL(&w, nb_xenbus_state(w.be) != XenbusStateInitWait);
        if (nb_xenbus_state(w.be) != XenbusStateConnected)
            break;
        CHECK_EQ(wr(w.fx, FE, "state", "1"), 0);
        PUMP_UNTIL(&w, nb_xenbus_state(w.be) == XenbusStateInitWait);
        CHECK_EQ(wr(w.fx, FE, "state", "4"), 0);
    }
    /* eight, and one more for each whole second a slow run took */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    extra = (int)(t1.tv_sec - t0.tv_sec);
    CHECK(i >= 8 && i <= 8 + extra && i < 40);
    CHECK_EQ(w.bo.connects, i);
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateClosing);
    CHECK(is(w.ts, "/local/domain/0/error/backend/vif/5/0", "error",
             "11 reconnecting too often (8 connects, then one a second)"));
    /* A second later, one more. */
    usleep(1100 * 1000);
    CHECK_EQ(wr(w.fx, FE, "state", "1"), 0);
    PUMP_UNTIL(&w, nb_xenbus_state(w.be) == XenbusStateInitWait);
    CHECK_EQ(wr(w.fx, FE, "state", "4"), 0);
    PUMP_UNTIL(&w, nb_xenbus_state(w.be) != XenbusStateInitWait);
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateConnected);
    CHECK_EQ(w.bo.connects, i + 1);
out:
    world_close(&w);
}

static void test_refuse_no_rx_copy(void)
{
    struct be_owner bo;
    char *err;

    /* Control: the hand-written frontend is good as it is. */
    CHECK_EQ(run_fake(NULL, NULL, &bo, &err), XenbusStateConnected);
    CHECK_EQ(bo.connects, 1);
    CHECK_EQ(bo.info.queue[0].tx_ring_ref, 8);
    CHECK_EQ(bo.info.queue[0].rx_ring_ref, 9);
    CHECK_EQ(bo.info.queue[0].tx_port, 3);
    CHECK_EQ(bo.info.features,
             NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_RX_NOTIFY);
    CHECK(err == NULL);
    free(err);

    CHECK_EQ(run_fake("request-rx-copy", NULL, &bo, &err),
             XenbusStateClosing);
    CHECK_EQ(bo.connects, 0);
    CHECK(err && strcmp(err, "95 " FE " doesn't support rx-copy") == 0);
    free(err);

    CHECK_EQ(run_fake("request-rx-copy", "0", &bo, &err),
             XenbusStateClosing);
    CHECK_EQ(bo.connects, 0);
    CHECK(err && strncmp(err, "95 ", 3) == 0);
    free(err);
}

static void test_hostile_frontend_values(void)
{
    static const char *cases[][2] = {
        {"tx-ring-ref", "12abc"},        {"tx-ring-ref", "-1"},
        {"tx-ring-ref", "99999999999"},  {"tx-ring-ref", "4294967296"},
        {"tx-ring-ref", ""},             {"tx-ring-ref", " 12"},
        {"tx-ring-ref", "+12"},          {"tx-ring-ref", "0x10"},
        {"tx-ring-ref", NULL},           {"rx-ring-ref", "9\n"},
        {"rx-ring-ref", NULL},           {"event-channel", "1e3"},
        {"event-channel", NULL},         {"request-rx-copy", "11"},
        {"request-rx-copy", "yes"},      {"feature-sg", "2"},
        {"feature-rx-notify", "-0"},     {"feature-gso-tcpv4", "true"},
        {"multi-queue-num-queues", "2"}, {"event-channel-tx", "4"},
    };
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct be_owner bo;
        char *err;
        enum xenbus_state st = run_fake(cases[i][0], cases[i][1], &bo, &err);

        if (st != XenbusStateClosing || bo.connects || !err)
            fprintf(stderr, "  case %s=\"%s\": state %d connects %d\n",
                    cases[i][0], cases[i][1] ? cases[i][1] : "(none)", st,
                    bo.connects);
        CHECK_EQ(st, XenbusStateClosing);
        CHECK_EQ(bo.connects, 0);
        CHECK(err != NULL);
        free(err);
    }
}

static void test_split_event_channels(void)
{
    struct world w;

    CHECK(world_open(&w));
    CHECK(be_start(&w, 0));
    if (w.be) {
        CHECK_EQ(wr(w.fx, FE, "event-channel-tx", "11"), 0);
        CHECK_EQ(wr(w.fx, FE, "event-channel-rx", "12"), 0);
        fake_frontend(&w, "event-channel", NULL);
        CHECK(PUMP_UNTIL(&w, nb_xenbus_state(w.be) == XenbusStateConnected));
        CHECK(w.bo.info.queue[0].split_evtchn);
        CHECK_EQ(w.bo.info.queue[0].tx_port, 11);
        CHECK_EQ(w.bo.info.queue[0].rx_port, 12);
    }
    world_close(&w);
}

/* A backend offering no rx-copy is refused by the frontend. */
static void test_hostile_backend(void)
{
    static const char *vals[] = {NULL, "0", "1x"};
    unsigned i;

    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        struct world w;
        char *err;

        CHECK(world_open(&w));
        if (vals[i])
            CHECK_EQ(wr(w.ts, BE, "feature-rx-copy", vals[i]), 0);
        CHECK_EQ(wr(w.ts, BE, "state", "2"), 0);
        CHECK(fe_start(&w, 1));
        if (w.fe)
            CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) ==
                                     XenbusStateClosing));
        CHECK(is(w.ts, FE, "state", "5"));
        CHECK_EQ(w.fo.setups, 0);
        err = rd(w.ts, "/local/domain/5/error/device/vif/0", "error");
        CHECK(err && strncmp(err, vals[i] && vals[i][1] ? "22 " : "95 ",
                             3) == 0);
        free(err);
        world_close(&w);
    }
}

static void test_close_and_reconnect(void)
{
    struct world w;

    if (!world_up(&w))
        goto out;
    CHECK_EQ(xnf_xenbus_close(w.fe), 0);
    CHECK_EQ(w.fo.disconnects, 1);
    CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) == XenbusStateClosed &&
                             nb_xenbus_state(w.be) == XenbusStateClosed));
    CHECK(is(w.ts, FE, "state", "6"));
    CHECK(is(w.ts, BE, "state", "6"));
    CHECK_EQ(w.bo.disconnects, 1);
    CHECK_EQ(w.fo.setups, 1);

    CHECK_EQ(xnf_xenbus_open(w.fe), 0);
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK_EQ(w.fo.setups, 2);
    CHECK_EQ(w.bo.connects, 2);
    CHECK_EQ(w.bo.info.queue[0].tx_ring_ref, 1004); /* the new device's refs */
    check_match(&w);
    CHECK(is(w.ts, FE, "tx-ring-ref", "1004"));

    fe_replace(&w);
out:
    world_close(&w);
}

static void test_backend_restart(void)
{
    struct world w;

    if (!world_up(&w))
        goto out;
    nb_xenbus_destroy(w.be);
    w.be = NULL;
    CHECK_EQ(w.bo.disconnects, 1);
    CHECK(is(w.ts, BE, "state", "6"));
    /* The frontend lets go and waits for a backend. */
    CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) == XenbusStateInitialising));
    CHECK_EQ(w.fo.disconnects, 1);

    CHECK(be_start(&w, 0));
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK_EQ(w.fo.setups, 2);
    CHECK_EQ(w.bo.connects, 2);
    check_match(&w);

    /* And again: reconnecting does not wear out the retry budget. */
    for (int i = 0; i < 3; i++) {
        nb_xenbus_destroy(w.be);
        CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) ==
                                 XenbusStateInitialising));
        be_start(&w, 0);
        CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    }
    CHECK_EQ(w.fo.setups, 5);
    check_match(&w);

    /* A backend that closed and one that took over before the frontend
     * saw it: the frontend, which reads the state when its watch fires,
     * sees Connected throughout and keeps its rings. */
    nb_xenbus_destroy(w.be);
    be_start(&w, 0);
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK_EQ(w.fo.setups, 5);
    check_match(&w);
out:
    world_close(&w);
}

/*
 * The backend's connection to xenstore fails and a new one replaces it
 * (the toolstack restarted; the guest did not): the device is taken over
 * and stays connected, its frontend watch now on the new connection.
 */
static void test_resume_new_connection(void)
{
    struct world w;
    struct xvm_xs *nx;

    nx = xvm_xs_open(xsd_path(xsd));
    CHECK(nx != NULL);
    if (!world_up(&w) || !nx)
        goto out;
    be_resume(&w, nx);
    CHECK(PUMP_UNTIL(&w, both_connected(&w)));
    CHECK_EQ(w.bo.connects, 1);
    CHECK_EQ(w.bo.disconnects, 0);
    fe_replace(&w); /* seen through the new connection */
out:
    world_close(&w);
}

/* What xenstore holds no longer matches the device: it cannot be kept. */
static void test_resume_stale(void)
{
    static const char *const what[][3] = {
        {BE, "state", "2"},          /* not what the backend wrote */
        {FE, "tx-ring-ref", "4242"}, /* the frontend has new rings */
        {FE, "event-channel", "99"}, /* or a new event channel */
    };
    struct world w;
    struct xvm_xs *nx;
    unsigned i;

    for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        nx = xvm_xs_open(xsd_path(xsd));
        CHECK(nx != NULL);
        if (world_up(&w) && nx) {
            CHECK_EQ(wr(w.ts, what[i][0], what[i][1], what[i][2]), 0);
            CHECK_EQ(nb_xenbus_resume(w.be, nx), -ESTALE);
            CHECK_EQ(w.bo.disconnects, 0); /* the caller destroys it */
        }
        world_close(&w); /* destroys the backend while nx is open */
        xvm_xs_close(nx);
    }
}

/*
 * Link state: the backend's carrier key reaches the frontend's owner on
 * every change, "0"/"1" only, a missing key being up; whatever else the
 * backend (here: dom0 by hand) writes there changes nothing.
 */
static void test_carrier(void)
{
    static const char *const bad[] = {"2", "up", "", "01", " 0", "0\n",
                                      "-1", "10"};
    struct world w;
    unsigned i;

    if (!world_up(&w))
        goto out;
    CHECK(xnf_xenbus_carrier(w.fe)); /* no key: up */
    CHECK_EQ(w.fo.carriers, 0);
    CHECK_EQ(nb_xenbus_set_carrier(w.be, false), 0);
    CHECK(is(w.ts, BE, "carrier", "0"));
    CHECK(PUMP_UNTIL(&w, w.fo.carriers == 1));
    CHECK(!w.fo.up && !xnf_xenbus_carrier(w.fe));
    CHECK_EQ(nb_xenbus_set_carrier(w.be, false), 0); /* no change */
    CHECK_EQ(nb_xenbus_set_carrier(w.be, true), 0);
    CHECK(is(w.ts, BE, "carrier", "1"));
    CHECK(PUMP_UNTIL(&w, w.fo.carriers == 2));
    CHECK(w.fo.up && xnf_xenbus_carrier(w.fe));

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(wr(w.ts, BE, "carrier", bad[i]), 0);
        PUMP_UNTIL(&w, true);
        CHECK_EQ(w.fo.carriers, 2);
        CHECK(xnf_xenbus_carrier(w.fe));
    }
    CHECK_EQ(wr(w.ts, BE, "carrier", "0"), 0);
    CHECK(PUMP_UNTIL(&w, w.fo.carriers == 3 && !w.fo.up));
    /* A bad value leaves it down too. */
    CHECK_EQ(wr(w.ts, BE, "carrier", "yes"), 0);
    PUMP_UNTIL(&w, true);
    CHECK(w.fo.carriers == 3 && !xnf_xenbus_carrier(w.fe));
    /* Removed: a backend that says nothing is up. */
    CHECK_EQ(xvm_xs_rm(w.ts, 0, BE "/carrier"), 0);
    CHECK(PUMP_UNTIL(&w, w.fo.carriers == 4 && w.fo.up));
    CHECK_EQ(w.fo.disconnects, 0);
    CHECK(both_connected(&w));
out:
    world_close(&w);

    /* A frontend that comes to a link already down knows it at once. */
    CHECK(world_open(&w));
    CHECK_EQ(wr(w.ts, BE, "carrier", "0"), 0);
    connect_world(&w);
    CHECK(both_connected(&w) && !xnf_xenbus_carrier(w.fe));
    CHECK_EQ(w.fo.carriers, 1);
    world_close(&w);
}

/* A carrier the backend could not write (its xenstore connection died)
 * is written when the device is taken over to a new one. */
static void test_carrier_resume(void)
{
    struct world w;
    struct xvm_xs *nx;
    char *v;

    nx = xvm_xs_open(xsd_path(xsd));
    CHECK(nx != NULL);
    if (!world_up(&w) || !nx)
        goto out;
    shutdown(xvm_xs_fd(w.bx), SHUT_RDWR);
    CHECK(nb_xenbus_set_carrier(w.be, false) < 0);
    v = rd(w.ts, BE, "carrier");
    CHECK(v == NULL); /* not written */
    free(v);
    be_resume(&w, nx);
    nx = NULL;
    CHECK(is(w.ts, BE, "carrier", "0"));
    CHECK(PUMP_UNTIL(&w, w.fo.carriers == 1 && !w.fo.up));
    CHECK(both_connected(&w));
out:
    xvm_xs_close(nx);
    world_close(&w);
}

/* Watch events lost on a live connection: resume catches up. */
static void test_resume_lost_events(void)
{
    struct world w;
    struct xvm_xs_event *ev;

    if (!world_up(&w))
        goto out;
    CHECK_EQ(wr(w.ts, FE, "state", "5"), 0);
    /* The event for it is lost. */
    usleep(50000);
    while (xvm_xs_event_next(w.bx, &ev) == 1)
        free(ev);
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateConnected);
    CHECK_EQ(nb_xenbus_resume(w.be, w.bx), 0);
    CHECK_EQ(nb_xenbus_state(w.be), XenbusStateClosing);
    CHECK_EQ(w.bo.disconnects, 1);
out:
    world_close(&w);
}

/*
 * A backend process killed with SIGKILL writes nothing: its successor
 * finds the frontend still Connected to a session it knows nothing of and
 * takes over the rings it publishes.  The child reports each connect's
 * ring refs through a pipe.
 */
static pid_t spawn_backend(int report_fd)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    {
        struct xvm_xs *xs = xvm_xs_open(xsd_path(xsd));
        struct be_owner bo = {0};
        struct nb_xenbus *be = xs ? nb_xenbus_create(xs, BE, 0, &be_ops, &bo)
                                  : NULL;
        int last = 0;

        if (!be)
            _exit(2);
        for (;;) {
            struct pollfd p = {.fd = xvm_xs_fd(xs), .events = POLLIN};
            struct xvm_xs_event *ev;

            while (xvm_xs_event_next(xs, &ev) == 1) {
                if (nb_xenbus_event(be, ev) < 0)
                    _exit(3);
                free(ev);
            }
            if (bo.connects != last &&
                nb_xenbus_state(be) == XenbusStateConnected) {
                last = bo.connects;
                if (write(report_fd, &bo.info.queue[0].tx_ring_ref,
                          sizeof(grant_ref_t)) < 0)
                    _exit(4);
            }
            poll(&p, 1, 1000);
        }
    }
}

static bool got_report(int fd, grant_ref_t *ref)
{
    return read(fd, ref, sizeof(*ref)) == (ssize_t)sizeof(*ref);
}

static void test_backend_killed(void)
{
    struct world w;
    grant_ref_t ref = 0;
    int pfd[2];
    pid_t a, b;

    CHECK(world_open(&w));
    CHECK_EQ(pipe2(pfd, O_NONBLOCK | O_CLOEXEC), 0);
    a = spawn_backend(pfd[1]);
    fe_start(&w, 1);
    CHECK(PUMP_UNTIL(&w, xnf_xenbus_state(w.fe) == XenbusStateConnected &&
                             got_report(pfd[0], &ref)));
    CHECK_EQ(ref, w.fo.rings.tx_ring_ref);
    CHECK(is(w.ts, BE, "state", "4"));
    kill(a, SIGKILL);
    waitpid(a, NULL, 0);
    CHECK(is(w.ts, BE, "state", "4")); /* stale: nobody said otherwise */
    CHECK_EQ(xnf_xenbus_state(w.fe), XenbusStateConnected);

    /* The new backend takes over the rings the frontend still publishes
     * (as Linux netback does): the frontend never notices. */
    ref = 0;
    b = spawn_backend(pfd[1]);
    CHECK(PUMP_UNTIL(&w, got_report(pfd[0], &ref)));
    CHECK_EQ(ref, w.fo.rings.tx_ring_ref);
    CHECK_EQ(w.fo.setups, 1);
    CHECK_EQ(w.fo.disconnects, 0);
    CHECK_EQ(xnf_xenbus_state(w.fe), XenbusStateConnected);
    CHECK(is(w.ts, BE, "state", "4"));
    kill(b, SIGKILL);
    waitpid(b, NULL, 0);
    close(pfd[0]);
    close(pfd[1]);
    world_close(&w);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    xsd = xsd_start();
    if (!xsd)
        return 1;
    RUN(test_connect);
    RUN(test_queues);
    RUN(test_owner_refuses);
    RUN(test_refuse_no_rx_copy);
    RUN(test_reconnect_storm);
    RUN(test_hostile_frontend_values);
    RUN(test_split_event_channels);
    RUN(test_hostile_backend);
    RUN(test_close_and_reconnect);
    RUN(test_backend_restart);
    RUN(test_backend_killed);
    RUN(test_resume_new_connection);
    RUN(test_resume_stale);
    RUN(test_resume_lost_events);
    RUN(test_carrier);
    RUN(test_carrier_resume);
    xsd_stop(xsd);
    return check_summary();
}
