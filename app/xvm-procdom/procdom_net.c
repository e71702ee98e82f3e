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
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "xvmdctl/client.h"
#include "domcfg/domcfg.h"
#include "procdom_log.h"
#include "procdom_net.h"
#include "xnf/xenbus.h"
#include "xnftap/xnftap.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"
#include "xvm/tap.h"
#include "xs/xenbus.h"
#include "xs/xs.h"

/** Connections per queue whose ring grants may be left held (see .h). */
#define PD_GENS 8u
#define PD_Q_GREFS (XNF_GREFS_NEEDED + 2u * (PD_GENS - 1u))
#define PD_Q_FRAMES (XNF_PAGES_NEEDED - 2u + 2u * PD_GENS)
/* What xvmd refuses a process domain's config beyond (more vifs). */
_Static_assert((XVM_GNTTAB_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME -
                XVM_GNTTAB_FIRST_FREE_REF) / PD_Q_GREFS ==
                   XVM_DOMCFG_PROCESS_QUEUES_MAX,
               "the grant table holds XVM_DOMCFG_PROCESS_QUEUES_MAX queues");
/** How long a closing frontend waits for its backend to follow. */
#define PD_CLOSE_MS 1500
/** Largest vif number accepted (eth<N> must fit IFNAMSIZ). */
#define PD_VIF_MAX 4095u
/** CPUs a vif's cpus= may name: 0..PD_CPUS_MAX - 1 (as the toolstack's). */
#define PD_CPUS_MAX 4096u
/** How long the init command waits for every vif to connect once. */
#define PD_READY_MS 10000

struct pd_net;
struct pd_vif;

/* One netif queue: its xnf device, grants, channel, TAP queue and pump. */
struct pd_queue {
    struct pd_vif *v;
    unsigned i;
    void *devmem;        /* xnf_dev_size() bytes */
    struct xnf_dev *dev; /* from setup until retired (see dev_retire) */
    struct xnf_page *pages;
    evtchn_port_t port;    /* local port of the live connection, or 0 */
    evtchn_port_t port_rx; /* its RX channel's when split, or 0 */
    uint32_t xport, xport_rx; /* their numbers at xvmd, to close them */
    grant_ref_t gref_base;
    uint64_t gfn_base;
    unsigned gen; /* lowest generation that may still be free */
    struct xnftap *tap;
    pthread_t pump;
    bool pumping;
};

struct pd_vif {
    struct pd_net *net;
    unsigned n; /* the vif number: device/vif/<n>, eth<n> */
    char path[64];
    char ifname[IFNAMSIZ];
    struct xnf_xenbus *xb;
    struct xvm_evtchn *ec; /* this vif's own port table */
    bool tap_pinned;
    int stop_fd;   /* eventfd: tells the pumps to return */
    unsigned nq;   /* queues set up here (queues=), each with its room */
    unsigned want; /* queues its config asks for */
    unsigned live; /* queues of the live connection */
    unsigned ncpus; /* CPUs its pumps run on (cpus=), 0: anywhere */
    uint16_t cpus[NETIF_QUEUES_MAX];
    struct pd_queue q[NETIF_QUEUES_MAX];
};

struct pd_net {
    struct xvm_mem *mem;
    struct xvm_xs *xs;
    int chan;
    domid_t self;
    grant_entry_v1_t *gnttab;
    uint32_t gt_entries;
    grant_ref_t next_gref; /* where the next queue's refs start */
    uint64_t next_gfn;     /* and its frames */
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

/* The TAP flags of @v's eth<N>: every open must agree (IFF_MULTI_QUEUE). */
static unsigned tap_flags(const struct pd_vif *v)
{
    return v->nq > 1 ? XVM_TAP_MULTI_QUEUE : 0;
}

/* Create (attach to) TAP @ifname and set its persistence. */
static int tap_persist(const struct pd_vif *v, bool on)
{
    int fd = xvm_tap_open(v->ifname, tap_flags(v)), rc;

    if (fd < 0)
        return fd;
    rc = xvm_tap_set_persist(fd, on);
    close(fd);
    return rc;
}

static void notify(void *arg)
{
    struct pd_queue *q = arg;

    xvm_evtchn_send(q->v->ec, q->port);
}

static void notify_rx(void *arg)
{
    struct pd_queue *q = arg;

    xvm_evtchn_send(q->v->ec, q->port_rx);
}

static void *pump_main(void *arg)
{
    struct pd_queue *q = arg;
    char name[16];
    int rc;

    /* Named for top -H and ps -L: eth<N>-q<i>. */
    snprintf(name, sizeof(name), "eth%u-q%u", q->v->n % 10000u, q->i);
    prctl(PR_SET_NAME, name);
    rc = xnftap_run(q->tap, q->v->stop_fd);

    if (rc < 0)
        vlog(q->v, "queue %u: pump stopped: %s", q->i, strerror(-rc));
    return NULL;
}

/* Stop every pump (one eventfd wakes them all). */
static void pump_stop(struct pd_vif *v)
{
    eventfd_t val;
    unsigned i;
    bool any = false;

    for (i = 0; i < v->nq; i++)
        any |= v->q[i].pumping;
    if (!any)
        return;
    eventfd_write(v->stop_fd, 1);
    for (i = 0; i < v->nq; i++) {
        if (!v->q[i].pumping)
            continue;
        pthread_join(v->q[i].pump, NULL);
        v->q[i].pumping = false;
    }
    eventfd_read(v->stop_fd, &val);
}

/* A fresh device in the lowest generation whose grants are all free. */
static struct xnf_dev *dev_init(struct pd_queue *q, domid_t backend,
                                bool split)
{
    struct pd_net *net = q->v->net;
    struct xnf_config cfg;
    struct xnf_dev *dev;
    unsigned i, g;

    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = net->gnttab;
    cfg.gnttab_entries = net->gt_entries;
    cfg.pages = q->pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = backend;
    cfg.notify = notify;
    cfg.notify_rx = split ? notify_rx : NULL;
    cfg.notify_arg = q;
    cfg.want =
        NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY;
    for (g = q->gen; g < PD_GENS; g++) {
        for (i = 0; i < XNF_PAGES_NEEDED; i++) {
            uint64_t gfn =
                q->gfn_base + (i < 2 ? 2u * g + i : 2u * PD_GENS + i - 2u);

            q->pages[i].va = xvm_mem_frame(net->mem, gfn);
            q->pages[i].gfn = (uint32_t)gfn;
        }
        cfg.gref_base = q->gref_base + 2u * g;
        dev = xnf_init(q->devmem, &cfg);
        if (dev) {
            q->gen = g;
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
static void dev_retire(struct pd_queue *q)
{
    int stuck;

    if (!q->dev)
        return;
    stuck = xnf_shutdown(q->dev);
    if (stuck > 0) {
        vlog(q->v, "queue %u: %d grants still held by the old backend: "
             "not reused", q->i, stuck);
        q->gen++;
    }
    q->dev = NULL;
}

/* An event channel toward @backend from xvmd: our local port (or
 * -errno) and, in *@port, its number in our space as xvmd gave it. */
static int channel_alloc(struct pd_vif *v, domid_t backend, uint32_t *port)
{
    int own = -1, peer = -1;
    int rc = xvmd_guest_evtchn_alloc(v->net->chan, backend, port, &own,
                                     &peer);

    if (rc == 0) {
        rc = xvm_evtchn_adopt(v->ec, 0, backend, own, peer);
        close(own);
        close(peer);
        if (rc < 0)
            xvmd_guest_evtchn_close(v->net->chan, *port);
    }
    return rc;
}

/* Queue @q's device and event channel(s) toward @backend, into @rings. */
static int queue_setup(struct pd_queue *q, domid_t backend, bool split,
                       struct xnf_xenbus_rings *rings)
{
    struct pd_vif *v = q->v;
    uint32_t port, port_rx = 0;
    int rc;

    dev_retire(q);
    q->dev = dev_init(q, backend, split);
    if (!q->dev) {
        vlog(v, "queue %u: no free grant references left for a new "
             "connection", q->i);
        return -EBUSY;
    }
    rc = channel_alloc(v, backend, &port);
    if (rc > 0) {
        q->port = (evtchn_port_t)rc;
        q->xport = port;
    }
    if (rc > 0 && split) {
        rc = channel_alloc(v, backend, &port_rx);
        if (rc > 0) {
            q->port_rx = (evtchn_port_t)rc;
            q->xport_rx = port_rx;
        }
    }
    if (rc < 0) {
        vlog(v, "queue %u: event channel: %s", q->i, strerror(-rc));
        xnf_shutdown(q->dev);
        q->dev = NULL;
        return rc;
    }
    rings->tx_ring_ref = xnf_tx_ring_ref(q->dev);
    rings->rx_ring_ref = xnf_rx_ring_ref(q->dev);
    rings->evtchn = port; /* the numbers in our space, as xvmd gave them */
    rings->evtchn_rx = port_rx;
    rings->fe_features = xnf_fe_features(q->dev);
    return 0;
}

/* Close the channels of the live connection's queues, at xvmd too: each
 * reconnect takes new ones, and xvmd's budget of them is the domain's. */
static void ports_close(struct pd_vif *v)
{
    unsigned i;

    for (i = 0; i < v->nq; i++) {
        struct pd_queue *q = &v->q[i];

        if (q->port)
            xvm_evtchn_close(v->ec, q->port);
        if (q->port_rx)
            xvm_evtchn_close(v->ec, q->port_rx);
        if (q->xport)
            xvmd_guest_evtchn_close(v->net->chan, q->xport);
        if (q->xport_rx)
            xvmd_guest_evtchn_close(v->net->chan, q->xport_rx);
        q->port = q->port_rx = 0;
        q->xport = q->xport_rx = 0;
    }
}

/*
 * xnf_xenbus ops->setup: a device per queue the backend takes, with an
 * event channel per direction when the backend takes split channels (one
 * pump serves both: either wakes it).
 */
static int vif_setup(void *owner, const struct xnf_xenbus_info *info,
                     struct xnf_xenbus_rings *rings)
{
    struct pd_vif *v = owner;
    unsigned i;
    int rc = 0;

    v->live = info->num_queues < v->nq ? info->num_queues : v->nq;
    for (i = 0; rc == 0 && i < v->live; i++)
        rc = queue_setup(&v->q[i], info->backend_id, info->split_evtchn,
                         &rings[i]);
    if (rc < 0) {
        ports_close(v);
        v->live = 0;
    }
    return rc;
}

/* Start queue @q's pump, on its CPU of the vif's cpus= if any (from its
 * first instruction).  A CPU this process may not run on (the key is the
 * guest's to rewrite; xvmd checked the toolstack's) is logged, and the
 * pump runs where the scheduler puts it. */
static int pump_start(struct pd_queue *q)
{
    struct pd_vif *v = q->v;
    pthread_attr_t attr;
    unsigned cpu;
    cpu_set_t *set;
    size_t size;
    int rc;

    if (v->ncpus == 0)
        return -pthread_create(&q->pump, NULL, pump_main, q);
    cpu = v->cpus[q->i % v->ncpus]; /* < PD_CPUS_MAX: vif_cpus() */
    set = CPU_ALLOC(PD_CPUS_MAX);
    if (!set || pthread_attr_init(&attr) != 0) {
        CPU_FREE(set);
        return -ENOMEM;
    }
    size = CPU_ALLOC_SIZE(PD_CPUS_MAX);
    rc = sched_getaffinity(0, size, set) < 0 ? errno : 0;
    if (rc == 0 && !CPU_ISSET_S(cpu, size, set))
        rc = EINVAL;
    CPU_ZERO_S(size, set);
    CPU_SET_S(cpu, size, set);
    if (rc == 0)
        rc = pthread_attr_setaffinity_np(&attr, size, set);
    if (rc == 0)
        rc = pthread_create(&q->pump, &attr, pump_main, q);
    pthread_attr_destroy(&attr);
    CPU_FREE(set);
    if (rc == EINVAL) {
        vlog(v, "queue %u: cannot run on CPU %u: not one of this domain's",
             q->i, cpu);
        rc = pthread_create(&q->pump, NULL, pump_main, q);
    }
    return -rc;
}

/* Queue @q's TAP queue and pump. */
static int queue_start(struct pd_queue *q, const struct xnftap_config *tmpl)
{
    struct xnftap_config cfg = *tmpl;
    int rc;

    cfg.xnf = q->dev;
    cfg.port = q->port;
    cfg.port_rx = q->port_rx;
    q->tap = xnftap_create(&cfg);
    if (!q->tap)
        return -errno;
    rc = pump_start(q);
    if (rc < 0) {
        xnftap_destroy(q->tap);
        q->tap = NULL;
        return rc;
    }
    q->pumping = true;
    return 0;
}

/* xnf_xenbus ops->connect: start the devices and pump eth<N>. */
static int vif_connect(void *owner, uint32_t be_features)
{
    struct pd_vif *v = owner;
    const struct xnf_xenbus_info *info = xnf_xenbus_info(v->xb);
    struct xnftap_config cfg;
    unsigned i;
    int rc = 0;

    if (v->live != info->num_queues)
        return -EPROTO; /* setup and connect disagree: cannot happen */
    for (i = 0; rc == 0 && i < v->live; i++)
        rc = xnf_connect(v->q[i].dev, be_features);
    if (rc < 0)
        return rc;
    if (!v->tap_pinned) {
        rc = tap_persist(v, true);
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
    cfg.ec = v->ec;
    cfg.multi_queue = v->nq > 1;
    for (i = 0; rc == 0 && i < v->live; i++)
        rc = queue_start(&v->q[i], &cfg);
    if (rc < 0) {
        vlog(v, "%s: %s", v->ifname, strerror(-rc));
        return rc; /* ops->disconnect undoes the queues started */
    }
    if (!xnf_xenbus_carrier(v->xb)) {
        rc = xnftap_set_carrier(v->q[0].tap, false);
        if (rc < 0)
            vlog(v, "%s: cannot set the carrier off: %s", v->ifname,
                 strerror(-rc));
    }
    if (v->live < v->nq)
        vlog(v, "connected to domain %u as %s (%u of %u queues: the backend "
             "offers no more)", info->backend_id, v->ifname, v->live, v->nq);
    else
        vlog(v, "connected to domain %u as %s (%u queue%s)",
             info->backend_id, v->ifname, v->live, v->live > 1 ? "s" : "");
    return 0;
}

/* xnf_xenbus ops->disconnect: the connection is over.  What each queue
 * carried is logged, so that a user can see the queues were used. */
static void vif_disconnect(void *owner)
{
    struct pd_vif *v = owner;
    struct xnftap_stats st;
    unsigned i;

    pump_stop(v);
    for (i = 0; i < v->nq; i++) {
        struct pd_queue *q = &v->q[i];

        if (q->tap && v->live > 1) {
            xnftap_stats_get(q->tap, &st);
            vlog(v, "queue %u: %llu frames sent, %llu received", i,
                 (unsigned long long)st.tx_frames,
                 (unsigned long long)st.rx_frames);
        }
        xnftap_destroy(q->tap); /* eth<N> stays: it is persistent */
        q->tap = NULL;
    }
    ports_close(v);
    v->live = 0;
}

/* xnf_xenbus ops->carrier: the backend's link went down or came up.
 * Without a connection there is no TAP to tell (and no carrier); the
 * next one is given this at connect. */
static void vif_carrier(void *owner, bool up)
{
    struct pd_vif *v = owner;
    int rc;

    vlog(v, "the backend's link is %s", up ? "up" : "down");
    if (!v->q[0].tap)
        return;
    rc = xnftap_set_carrier(v->q[0].tap, up);
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

/* The queues the toolstack asks for (the vif's queues=; absent: 1). */
static unsigned vif_queues(struct pd_vif *v)
{
    uint64_t n;
    int rc = xvm_xs_read_key_uint(v->net->xs, v->path, NETIF_KEY_FE_QUEUES,
                                  NETIF_QUEUES_MAX, &n);

    if (rc == -ENOENT)
        return 1;
    if (rc < 0 || n == 0) {
        vlog(v, "bad %s key: one queue", NETIF_KEY_FE_QUEUES);
        return 1;
    }
    return (unsigned)n;
}

/* The CPUs the toolstack puts the pumps on (the vif's cpus=; absent:
 * none).  The key is in the guest's own directory: a bad one is logged and
 * ignored. */
static void vif_cpus(struct pd_vif *v)
{
    char val[NETIF_QUEUES_MAX * 6 + 1], *p, *end;
    unsigned n = 0;
    int rc = xvm_xs_read_key_str(v->net->xs, v->path, NETIF_KEY_FE_CPUS,
                                 val, sizeof(val));

    v->ncpus = 0;
    if (rc == -ENOENT)
        return;
    for (p = val; rc == 0 && *p; p = end) {
        unsigned long cpu;

        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        errno = 0;
        cpu = *p >= '0' && *p <= '9' ? strtoul(p, &end, 10) : ULONG_MAX;
        if (cpu >= PD_CPUS_MAX || errno || (*end != ' ' && *end != '\0') ||
            n == NETIF_QUEUES_MAX)
            rc = -EINVAL;
        else
            v->cpus[n++] = (uint16_t)cpu;
    }
    if (rc < 0 || n == 0) {
        vlog(v, "bad %s key: its pumps run anywhere", NETIF_KEY_FE_CPUS);
        return;
    }
    v->ncpus = n;
}

/* Room for queue @i of @v: its grant refs, frames and buffers.  The
 * queues of all vifs are laid out one after the other. */
static int queue_place(struct pd_vif *v, unsigned i)
{
    struct pd_net *net = v->net;
    struct pd_queue *q = &v->q[i];
    uint64_t last = net->next_gfn + PD_Q_FRAMES - 1;

    if (net->next_gref + PD_Q_GREFS > net->gt_entries)
        return -ENOSPC;
    if (last >= xvm_mem_nr_frames(net->mem))
        return -ENOMEM;
    q->v = v;
    q->i = i;
    q->gref_base = net->next_gref;
    q->gfn_base = net->next_gfn;
    q->devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    q->pages = calloc(XNF_PAGES_NEEDED, sizeof(*q->pages));
    if (!q->devmem || !q->pages)
        return -ENOMEM;
    net->next_gref += PD_Q_GREFS;
    net->next_gfn += PD_Q_FRAMES;
    return 0;
}

/* A vif that cannot start says why where its toolstack looks, as a
 * frontend's fatal error does (the error node, then Closing): `xvm create`
 * fails at once with the reason instead of waiting out its time. */
static void vif_refuse(struct pd_vif *v, int err, const char *why)
{
    static const uint16_t allowed[XenbusStateReconfigured + 1] = {
        [XenbusStateInitialising] = 1u << XenbusStateClosing,
    };
    struct xvm_xs_dev dev;

    vlog(v, "%s", why);
    /* never connected: nothing to tear down */
    if (xvm_xs_dev_init(&dev, v->net->xs, v->path, allowed,
                        XenbusStateInitialising, NULL, NULL) == 0)
        xvm_xs_dev_fatal(&dev, err, "%s", why);
}

/* Name vif @v (device/vif/@n) and place its first queue: every vif gets
 * one before any gets more (vif_start). */
static int vif_begin(struct pd_net *net, struct pd_vif *v, unsigned n)
{
    int rc;

    v->net = net;
    v->n = n;
    v->stop_fd = -1;
    snprintf(v->ifname, sizeof(v->ifname), "eth%u", n);
    snprintf(v->path, sizeof(v->path), "/local/domain/%u/device/vif/%u",
             net->self, n);
    v->want = vif_queues(v);
    vif_cpus(v);
    rc = queue_place(v, 0);
    if (rc == -ENOSPC) {
        char why[160];

        snprintf(why, sizeof(why), "no room in the grant table: it holds "
                 "%u netif queues, the vifs before this one took them",
                 (net->gt_entries - XVM_GNTTAB_FIRST_FREE_REF) / PD_Q_GREFS);
        vif_refuse(v, ENOSPC, why);
        return rc;
    }
    if (rc < 0) {
        vif_refuse(v, ENOMEM, "the domain's memory is too small for its "
                   "rings and buffers");
        return rc;
    }
    v->nq = 1;
    return 0;
}

/* Place vif @v's other queues, as many as fit, and start its frontend. */
static int vif_start(struct pd_net *net, struct pd_vif *v)
{
    int rc = 0;

    while (v->nq < v->want && (rc = queue_place(v, v->nq)) == 0)
        v->nq++;
    if (v->nq < v->want)
        vlog(v, "%u of %u queues: no room for more in the %s", v->nq,
             v->want, rc == -ENOSPC ? "grant table" : "domain's memory");
    v->ec = xvm_evtchn_open(net->self);
    v->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!v->ec || v->stop_fd < 0)
        return -ENOMEM;
    v->xb = xnf_xenbus_create(net->xs, v->path, v->nq, &vif_ops, v);
    if (!v->xb) {
        vlog(v, "xenbus: %s", strerror(errno));
        return -errno;
    }
    return 0;
}

static void vif_free(struct pd_vif *v)
{
    unsigned i;

    xnf_xenbus_destroy(v->xb); /* disconnects a live device */
    v->xb = NULL;
    for (i = 0; i < NETIF_QUEUES_MAX; i++) {
        if (v->q[i].v)
            dev_retire(&v->q[i]);
        free(v->q[i].pages);
        free(v->q[i].devmem);
    }
    if (v->tap_pinned && tap_persist(v, false) < 0)
        vlog(v, "cannot remove %s", v->ifname);
    xvm_evtchn_destroy(v->ec);
    if (v->stop_fd >= 0)
        close(v->stop_fd);
}

/* A vif that could not start: nothing of it is left but its slot. */
static void vif_drop(struct pd_vif *v)
{
    vif_free(v);
    memset(v, 0, sizeof(*v));
    v->stop_fd = -1;
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
    net->next_gref = XVM_GNTTAB_FIRST_FREE_REF;
    net->next_gfn = XVM_GNTTAB_GFN + XVM_GNTTAB_FRAMES;
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
    /* Every vif's first queue, then their other queues. */
    for (i = 0; i < nnames; i++) {
        struct pd_vif *pv = &net->vifs[net->nvifs];

        if (xvm_xs_parse_uint(names[i], strlen(names[i]), PD_VIF_MAX, &v)) {
            pd_log("device/vif/%s: not a vif number", names[i]);
            continue;
        }
        net->nvifs++;
        if (vif_begin(net, pv, (unsigned)v) < 0)
            vif_drop(pv);
    }
    free(names);
    for (i = 0; i < net->nvifs; i++)
        if (net->vifs[i].nq && vif_start(net, &net->vifs[i]) < 0)
            vif_drop(&net->vifs[i]);
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
