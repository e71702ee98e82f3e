/* SPDX-License-Identifier: MIT */
/* xvmd: the control protocol (see proto.h): one request, one reply. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <xen/io/xenbus.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/gnttab.h"
#include "netif/netif.h"
#include "xs/xs.h"
#include "xvm/mem.h"
#include "xvmd.h"

_Static_assert(XVMD_CONFIG_MAX == XVM_DOMCFG_TEXT_MAX,
               "a CONFIG attribute holds one whole config file");

/* The reply being built; one at a time (xvmd is single-threaded). */
static char reply_buf[XVMD_MSG_MAX];

struct reply {
    struct nlmsghdr *nlh;
    int full; /* an attribute did not fit */
};

static void reply_start(struct reply *r, uint16_t type, uint32_t seq)
{
    r->nlh = mnl_nlmsg_put_header(reply_buf);
    r->nlh->nlmsg_type = type;
    r->nlh->nlmsg_seq = seq;
    r->full = 0;
}

static void dom0_put(struct reply *r)
{
    static const uint8_t zero[16];
    uint64_t kib = 0;
    char line[128];
    FILE *f = fopen("/proc/meminfo", "re");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct nlattr *nest;

    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemTotal: %lu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    nest = mnl_attr_nest_start_check(r->nlh, XVMD_MSG_MAX, XVMD_A_DOMAIN);
    if (!nest ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_ID, 0) ||
        !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_D_NAME,
                                 "Domain-0") ||
        !mnl_attr_put_check(r->nlh, XVMD_MSG_MAX, XVMD_D_UUID, 16, zero) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_STATE,
                                XVMD_STATE_RUNNING) ||
        !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_D_OSTYPE,
                                 "linux") ||
        !mnl_attr_put_u64_check(r->nlh, XVMD_MSG_MAX, XVMD_D_MEMORY, kib) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_VCPUS,
                                cpus > 0 ? (uint32_t)cpus : 1) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_PID,
                                (uint32_t)getpid()) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_AUTOSTART, 0)) {
        r->full = 1;
        return;
    }
    mnl_attr_nest_end(r->nlh, nest);
}

static void dom_put(struct reply *r, const struct xvmd_dom *dom)
{
    struct nlattr *nest;
    int irq = 0;
    const char *hv = dom->ops->hypervisor(&irq);

    nest = mnl_attr_nest_start_check(r->nlh, XVMD_MSG_MAX, XVMD_A_DOMAIN);
    if (!nest ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_ID, dom->id) ||
        !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_D_NAME,
                                 dom->cfg.name) ||
        !mnl_attr_put_check(r->nlh, XVMD_MSG_MAX, XVMD_D_UUID, 16,
                            dom->uuid) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_STATE,
                                dom->state) ||
        !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_D_OSTYPE,
                                 dom->ops->os_type) ||
        !mnl_attr_put_u64_check(r->nlh, XVMD_MSG_MAX, XVMD_D_MEMORY,
                                (uint64_t)dom->cfg.memory_mib * 1024) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_VCPUS,
                                dom->cfg.vcpus) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_PID,
                                (uint32_t)dom->pid) ||
        !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_AUTOSTART,
                                dom->autostart ? 1 : 0) ||
        (hv && (!mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX,
                                         XVMD_D_HYPERVISOR, hv) ||
                !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_IRQ,
                                        irq ? 1 : 0))) ||
        (xvmd_dom_active(dom) &&
         !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_D_UNLIMITED,
                                 xvmd_cg_unlimited(dom)))) {
        r->full = 1;
        return;
    }
    mnl_attr_nest_end(r->nlh, nest);
}

/* Finish with @rc (0 or -errno) and @msg, send with @nfds of @fds. */
/* A xenstore value of @x's store, or "" (not there); @buf @len bytes. */
static void xs_get(struct xvmd *x, const char *path, char *buf, size_t len)
{
    char *v = NULL;
    size_t n;

    buf[0] = '\0';
    if (xvm_xs_read(x->xs, XVM_XS_NO_TX, path, &v, &n) == 0 && v)
        snprintf(buf, len, "%s", v);
    free(v);
}

/* An error node of @x's store as text: Xen writes "<errno> <message>";
 * the message alone, or "" (no node). */
static void xs_get_error(struct xvmd *x, const char *path, char *buf,
                         size_t len)
{
    size_t skip;

    xs_get(x, path, buf, len);
    skip = strspn(buf, "0123456789");
    if (skip && buf[skip] == ' ')
        memmove(buf, buf + skip + 1, strlen(buf + skip + 1) + 1);
}

/* The VNIC of vif @n of @dom: the one it borrows, the one named for it,
 * or while it runs xvm<domid>_<n>; "" for none. */
static void vif_vnic(const struct xvmd_dom *dom, unsigned n, char *buf,
                     size_t len)
{
    const struct xvm_vifcfg *v = &dom->cfg.vifs[n];

    if (v->vnic[0] || v->vifname[0])
        snprintf(buf, len, "%s", v->vnic[0] ? v->vnic : v->vifname);
    else if (dom->id != XVMD_NO_ID)
        snprintf(buf, len, "xvm%u_%u", dom->id, n);
    else
        buf[0] = '\0';
}

/* Where vif @v goes, for messages: its link or the VNIC it borrows. */
static const char *vif_where(const struct xvm_vifcfg *v)
{
    return v->vnic[0] ? v->vnic : v->link;
}

/* Each vif of @dom, as configured and as its backend says in xenstore. */
static void vifs_put(struct xvmd *x, struct reply *r,
                     const struct xvmd_dom *dom)
{
    unsigned n;

    for (n = 0; n < dom->cfg.nr_vifs; n++) {
        const struct xvm_vifcfg *v = &dom->cfg.vifs[n];
        bool live = dom->id != XVMD_NO_ID;
        char path[128], state[16], err[256], mac[LP_MACSTRLEN] = "";
        char vnic[LP_NAMSIZ], nq[16] = "", cpus[XVM_VIFCFG_CPUS_STRLEN];
        struct nlattr *nest;
        unsigned long queues;

        vif_vnic(dom, n, vnic, sizeof(vnic));
        snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state",
                 dom->id, n);
        state[0] = err[0] = '\0';
        if (live) {
            xs_get(x, path, state, sizeof(state));
            snprintf(path, sizeof(path),
                     "/local/domain/0/error/backend/vif/%u/%u/error", dom->id,
                     n);
            xs_get_error(x, path, err, sizeof(err));
            lp_mac_format(dom->vif_mac[n], mac);
            /* the guest's key, which the backend took if it connected
             * (the guest may write it since: only shown within netif's
             * bounds) */
            snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u/"
                     NETIF_KEY_NUM_QUEUES, dom->id, n);
            if (strcmp(state, "4") == 0)
                xs_get(x, path, nq, sizeof(nq));
        } else if (v->mac_kind == XVM_MAC_FIXED) {
            lp_mac_format(v->mac, mac);
        }
        xvm_vifcfg_cpus_str(v, cpus);
        nest = mnl_attr_nest_start_check(r->nlh, XVMD_MSG_MAX, XVMD_A_VIFINFO);
        if (!nest ||
            !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_V_INDEX, n) ||
            !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_V_LINK,
                                     v->link) ||
            !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX, XVMD_V_MAC, mac) ||
            !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_V_VLAN,
                                    v->vlan) ||
            !mnl_attr_put_u64_check(r->nlh, XVMD_MSG_MAX, XVMD_V_MAXBW,
                                    v->maxbw) ||
            !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_V_STATE,
                                    (uint32_t)strtoul(state, NULL, 10)) ||
            (err[0] && !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX,
                                                XVMD_V_ERROR, err)) ||
            (vnic[0] && !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX,
                                                 XVMD_V_VNIC, vnic)) ||
            ((queues = strtoul(nq, NULL, 10)) > 1 &&
             queues <= NETIF_QUEUES_MAX &&
             !mnl_attr_put_u32_check(r->nlh, XVMD_MSG_MAX, XVMD_V_QUEUES,
                                     (uint32_t)queues)) ||
            (cpus[0] && !mnl_attr_put_strz_check(r->nlh, XVMD_MSG_MAX,
                                                 XVMD_V_CPUS, cpus))) {
            r->full = 1;
            return;
        }
        mnl_attr_nest_end(r->nlh, nest);
    }
}

static void reply_send(struct reply *r, int sock, int rc, const char *msg,
                       const int *fds, unsigned nfds)
{
    ssize_t n;

    if (r->full) {
        /* start over: an error reply always fits */
        reply_start(r, r->nlh->nlmsg_type, r->nlh->nlmsg_seq);
        rc = -EMSGSIZE;
        msg = "reply too large";
        nfds = 0;
    }
    if (rc < 0)
        nfds = 0;
    mnl_attr_put_u32(r->nlh, XVMD_A_ERRNO, (uint32_t)-rc);
    if (rc < 0 && msg && *msg)
        mnl_attr_put_strz(r->nlh, XVMD_A_ERRMSG, msg);
    n = xvm_fd_send(sock, r->nlh, r->nlh->nlmsg_len, fds, nfds);
    if (n < 0)
        xvm_log_warn("control: cannot send a reply: %s", strerror((int)-n));
}

/* Resolve DOM: *@dom set, or *@dom0 set for Domain-0, or -ENOENT. */
static int dom_resolve(struct xvmd *x, const struct nlattr *a,
                       struct xvmd_dom **dom, int *dom0, char *err,
                       size_t errlen)
{
    const char *spec;

    *dom = NULL;
    *dom0 = 0;
    if (!a) {
        snprintf(err, errlen, "no domain given");
        return -EINVAL;
    }
    spec = mnl_attr_get_str(a);
    if (strcmp(spec, "0") == 0 || strcmp(spec, "Domain-0") == 0 ||
        strcmp(spec, "00000000-0000-0000-0000-000000000000") == 0) {
        *dom0 = 1;
        return 0;
    }
    *dom = xvmd_dom_find(x, spec);
    if (*dom)
        return 0;
    snprintf(err, errlen, "domain '%s' not found", spec);
    return -ENOENT;
}

/*
 * Parked requests: a CREATE or START that asked to WAIT is answered only
 * once its domain's vifs are all Connected on both ends (xenstore), or one
 * failed, or the domain stopped, or the time ran out; on failure the run
 * is undone, so the command that failed leaves nothing behind.
 */
struct xvmd_waiter {
    struct xvmd_waiter *next;
    int sock;              /* the client, out of the epoll set meanwhile */
    uint16_t type;         /* XVMD_CMD_CREATE or XVMD_CMD_START */
    uint32_t seq;
    struct xvmd_dom *dom;
    uint64_t deadline_ms;
    unsigned wait_ms;
    int created;              /* CREATE: undo it on failure */
    struct xvm_domcfg *old;   /* CREATE of a known domain: its old record */
};

/* Park the request @nlh of @sock until @dom's vifs connect. */
static int wait_park(struct xvmd *x, int sock, const struct nlmsghdr *nlh,
                     struct xvmd_dom *dom, unsigned ms, int created,
                     struct xvm_domcfg *old)
{
    struct xvmd_waiter *w = calloc(1, sizeof(*w));

    if (!w)
        return -ENOMEM;
    w->sock = sock;
    w->type = nlh->nlmsg_type;
    w->seq = nlh->nlmsg_seq;
    w->dom = dom;
    w->wait_ms = ms;
    w->deadline_ms = xvmd_now_ms() + ms;
    w->created = created;
    w->old = old;
    w->next = x->waiters;
    x->waiters = w;
    return 0;
}

/*
 * Where the vifs of @dom are: 1 all Connected, -1 one failed (an error
 * node, or an end closing or closed), 0 not yet.  With @why (@timeout:
 * the time ran out), a line per vif not Connected is added to it.
 */
static int vifs_state(struct xvmd *x, const struct xvmd_dom *dom, char *why,
                      size_t len, int timeout)
{
    unsigned n, be, fe;
    int all = 1, failed = 0, bad;
    size_t used = why ? strlen(why) : 0;

    for (n = 0; n < dom->cfg.nr_vifs; n++) {
        char path[128], v[16], beerr[256], feerr[256];

        snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state",
                 dom->id, n);
        xs_get(x, path, v, sizeof(v));
        be = (unsigned)strtoul(v, NULL, 10);
        snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u/state",
                 dom->id, n);
        xs_get(x, path, v, sizeof(v));
        fe = (unsigned)strtoul(v, NULL, 10);
        snprintf(path, sizeof(path),
                 "/local/domain/0/error/backend/vif/%u/%u/error", dom->id, n);
        xs_get_error(x, path, beerr, sizeof(beerr));
        snprintf(path, sizeof(path),
                 "/local/domain/%u/error/device/vif/%u/error", dom->id, n);
        xs_get_error(x, path, feerr, sizeof(feerr));
        if (be == XenbusStateConnected && fe == XenbusStateConnected)
            continue;
        all = 0;
        bad = beerr[0] || feerr[0] || be >= XenbusStateClosing ||
              fe >= XenbusStateClosing;
        failed |= bad;
        /* after a failure, the vifs that failed; at the timeout, all
         * that are not Connected */
        if (!why || used >= len || (!timeout && !bad))
            continue;
        if (beerr[0] || feerr[0])
            snprintf(why + used, len - used, "\n  vif %u on %s: %s%s%s", n,
                     vif_where(&dom->cfg.vifs[n]), beerr[0] ? beerr : "",
                     beerr[0] && feerr[0] ? "; the guest says: " : "",
                     feerr);
        else if (be <= XenbusStateInitialising && timeout)
            snprintf(why + used, len - used,
                     "\n  vif %u on %s: no backend took it (is a "
                     "vswitchd with -x %s running?)", n,
                     vif_where(&dom->cfg.vifs[n]), x->xs_path);
        else
            snprintf(why + used, len - used,
                     "\n  vif %u on %s: backend %s, frontend %s", n,
                     vif_where(&dom->cfg.vifs[n]), xvmd_vif_state_str(be),
                     xvmd_vif_state_str(fe));
        used += strlen(why + used);
    }
    return all ? 1 : failed ? -1 : 0;
}

static void wait_answer(struct xvmd *x, struct xvmd_waiter *w, int rc,
                        const char *msg)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = w->sock};
    struct reply r;

    reply_start(&r, w->type, w->seq);
    if (rc == 0)
        dom_put(&r, w->dom);
    reply_send(&r, w->sock, rc, msg, NULL, 0);
    /* The client may send its next request (or hang up: its read then
     * drops it). */
    if (x->ep < 0 || epoll_ctl(x->ep, EPOLL_CTL_ADD, w->sock, &ev) < 0)
        shutdown(w->sock, SHUT_RDWR);
}

static void wait_free(struct xvmd *x, struct xvmd_waiter *w)
{
    struct xvmd_waiter **pp;

    for (pp = &x->waiters; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    free(w->old);
    free(w);
}

/* Decide @w if it can be decided now; @return 1 if it was. */
static int wait_check(struct xvmd *x, struct xvmd_waiter *w, uint64_t now)
{
    static char why[4096];
    struct xvmd_dom *dom = w->dom;
    const char *verb = w->type == XVMD_CMD_CREATE ? "created" : "started";
    int st, timeout = now >= w->deadline_ms;

    if (dom->state == XVMD_STATE_SHUTOFF || dom->state == XVMD_STATE_CRASHED) {
        char log[1024];

        snprintf(why, sizeof(why), "domain %s not %s: it %s before its "
                 "network came up", dom->cfg.name, verb,
                 dom->state == XVMD_STATE_CRASHED ? "crashed" : "stopped");
        /* what the guest said on the way out */
        if (xvmd_console_log_path(x, dom, log, sizeof(log)) == 0)
            snprintf(why + strlen(why), sizeof(why) - strlen(why),
                     " (its console: %s)", log);
    } else {
        st = vifs_state(x, dom, NULL, 0, 0);
        if (st == 1) {
            xvm_log_info("domain %s (id %u): every vif connected",
                         dom->cfg.name, dom->id);
            wait_answer(x, w, 0, NULL);
            wait_free(x, w);
            return 1;
        }
        if (st == 0 && !timeout)
            return 0;
        snprintf(why, sizeof(why), "domain %s not %s: %s", dom->cfg.name,
                 verb, st < 0 ? "a vif failed to connect"
                              : "its vifs did not connect in time");
        if (st == 0)
            snprintf(why + strlen(why), sizeof(why) - strlen(why),
                     " (%u s)", w->wait_ms / 1000);
        vifs_state(x, dom, why, sizeof(why), timeout);
    }
    xvm_log_warn("%s", why);
    /* Unlinked first: undoing a create undefines, which cancels waits. */
    {
        struct xvmd_waiter copy = *w;

        w->old = NULL;
        wait_free(x, w);
        if (copy.type == XVMD_CMD_CREATE && (copy.created || copy.old))
            xvmd_dom_create_undo(x, dom, copy.old);
        else if (dom->state != XVMD_STATE_SHUTOFF) {
            char e[256];

            xvmd_dom_destroy(x, dom, e, sizeof(e));
        }
        wait_answer(x, &copy, -EHOSTUNREACH, why);
        free(copy.old);
    }
    return 1;
}

int xvmd_ctl_waits(struct xvmd *x)
{
    uint64_t now = xvmd_now_ms(), next = UINT64_MAX;
    struct xvmd_waiter *w, *nw;

    for (w = x->waiters; w; w = nw) {
        nw = w->next;
        if (!wait_check(x, w, now) && w->deadline_ms < next)
            next = w->deadline_ms;
        /* a decision may have freed others (an undefine): start over */
        if (nw && !x->waiters)
            break;
    }
    return next == UINT64_MAX ? -1
                              : (int)(next > now ? next - now : 0);
}

void xvmd_ctl_waits_cancel(struct xvmd *x, const struct xvmd_dom *dom,
                           const char *why)
{
    struct xvmd_waiter *w, *nw;

    for (w = x->waiters; w; w = nw) {
        nw = w->next;
        if (dom && w->dom != dom)
            continue;
        wait_answer(x, w, -ECANCELED, why);
        wait_free(x, w);
    }
}

/* The WAIT of a request: ms, 0 if none. */
static unsigned wait_ms(const struct nlattr **tb)
{
    uint32_t ms = tb[XVMD_A_WAIT] ? mnl_attr_get_u32(tb[XVMD_A_WAIT]) : 0;

    return ms > XVMD_WAIT_MAX_MS ? XVMD_WAIT_MAX_MS : ms;
}

/* CREATE and DEFINE: @return 0 (answer now), 1 (parked), or -errno. */
static int do_create(struct xvmd *x, struct reply *r, int sock,
                     const struct nlmsghdr *nlh, const struct nlattr **tb,
                     char *err, size_t errlen)
{
    struct xvm_domcfg *old = NULL;
    struct xvmd_dom *dom;
    int rc;

    if (!tb[XVMD_A_FILE] || !tb[XVMD_A_CONFIG]) {
        snprintf(err, errlen, "file and config required");
        return -EINVAL;
    }
    rc = xvmd_dom_create(x, mnl_attr_get_str(tb[XVMD_A_FILE]),
                         mnl_attr_get_payload(tb[XVMD_A_CONFIG]),
                         mnl_attr_get_payload_len(tb[XVMD_A_CONFIG]),
                         nlh->nlmsg_type == XVMD_CMD_CREATE, &dom, &old,
                         err, errlen);
    if (rc < 0)
        return rc;
    if (nlh->nlmsg_type == XVMD_CMD_CREATE && wait_ms(tb) &&
        dom->cfg.nr_vifs &&
        wait_park(x, sock, nlh, dom, wait_ms(tb), !old, old) == 0)
        return 1;
    free(old);
    dom_put(r, dom);
    return 0;
}

/* Does @a come before @b in a list: running ones by id, then the shut-off
 * ones by name, as virsh lists them? */
static bool dom_before(const struct xvmd_dom *a, const struct xvmd_dom *b)
{
    bool a_off = a->state == XVMD_STATE_SHUTOFF,
         b_off = b->state == XVMD_STATE_SHUTOFF;

    if (a_off != b_off)
        return b_off;
    if (!a_off)
        return a->id < b->id;
    return strcmp(a->cfg.name, b->cfg.name) < 0;
}

static void do_list(struct xvmd *x, struct reply *r, const struct nlattr **tb)
{
    const struct xvmd_dom *dom, *next, *last = NULL;

    dom0_put(r);
    /* In order whatever order the domains were made or taken over in. */
    for (;;) {
        next = NULL;
        for (dom = x->doms; dom; dom = dom->next)
            if ((tb[XVMD_A_ALL] || dom->state != XVMD_STATE_SHUTOFF) &&
                (!last || dom_before(last, dom)) &&
                (!next || dom_before(dom, next)))
                next = dom;
        if (!next)
            break;
        dom_put(r, next);
        last = next;
    }
}

/*
 * The memory of @dom for the backend that serves its vifs: a duplicate of
 * the memfd (the backend maps all of it and validates every grant), where
 * the grant table is, and which domain it is.  Only root reaches this
 * socket; each hand-off is logged.
 */
static int dommem_put(struct reply *r, const struct xvmd_dom *dom, int fd[2],
                      char *err, size_t errlen)
{
    int dfd = fcntl(xvm_mem_fd(dom->mem), F_DUPFD_CLOEXEC, 0);

    if (dfd < 0) {
        snprintf(err, errlen, "cannot share the memory of %s: %s",
                 dom->cfg.name, strerror(errno));
        return -errno;
    }
    mnl_attr_put_u64(r->nlh, XVMD_A_GT_GFN, XVM_GNTTAB_GFN);
    mnl_attr_put_u32(r->nlh, XVMD_A_GT_FRAMES, XVM_GNTTAB_FRAMES);
    dom_put(r, dom);
    fd[0] = dfd;
    xvm_log_info("domain %s (id %u): memory handed to a backend", dom->cfg.name,
                 dom->id);
    return 0;
}

/* dom0 binds a port @dom allocated toward it: fd[0] = dom0's doorbell,
 * fd[1] = the guest's.  The fds stay xvmd's (the caller must not close). */
static int evtchn_bind(struct xvmd_dom *dom, const struct nlattr *port,
                       int *fd, char *err, size_t errlen)
{
    uint32_t p;
    int rc;

    if (!port) {
        snprintf(err, errlen, "no port given");
        return -EINVAL;
    }
    p = mnl_attr_get_u32(port);
    rc = xvmd_evtchn_bind(dom, p, 0);
    if (rc < 0) {
        snprintf(err, errlen, "cannot bind port %u of %s: %s", p,
                 dom->cfg.name, strerror(-rc));
        return rc;
    }
    fd[0] = dom->evt[p].bfd;
    fd[1] = dom->evt[p].gfd;
    return 1; /* fds are borrowed */
}

/* Commands on one domain; @fd gets fds to pass back (DOMMEM, CONSOLE:
 * one, NETNS: one or two, that the caller closes; EVTCHN_BIND: two
 * borrowed, return value 1).  A START that waits for its vifs returns
 * 2: parked. */
static int do_dom(struct xvmd *x, struct reply *r, int sock,
                  const struct nlmsghdr *nlh, const struct nlattr **tb,
                  int fd[2], char *err, size_t errlen)
{
    uint16_t cmd = nlh->nlmsg_type;
    static const char *const verbs[] = {
        [XVMD_CMD_DESTROY - XVMD_CMD_CREATE] = "destroy",
        [XVMD_CMD_SHUTDOWN - XVMD_CMD_CREATE] = "shut down",
        [XVMD_CMD_PAUSE - XVMD_CMD_CREATE] = "pause",
        [XVMD_CMD_RESUME - XVMD_CMD_CREATE] = "resume",
        [XVMD_CMD_UNDEFINE - XVMD_CMD_CREATE] = "undefine",
        [XVMD_CMD_NETNS - XVMD_CMD_CREATE] = "enter",
        [XVMD_CMD_DOMMEM - XVMD_CMD_CREATE] = "map the memory of",
        [XVMD_CMD_EVTCHN_BIND - XVMD_CMD_CREATE] = "bind to",
        [XVMD_CMD_START - XVMD_CMD_CREATE] = "start",
        [XVMD_CMD_VIF_SET - XVMD_CMD_CREATE] = "change a vif of",
        [XVMD_CMD_DOMIFLIST - XVMD_CMD_CREATE] = "list the vifs of",
        [XVMD_CMD_REBOOT - XVMD_CMD_CREATE] = "reboot",
        [XVMD_CMD_AUTOSTART - XVMD_CMD_CREATE] = "autostart",
        [XVMD_CMD_CONSOLE - XVMD_CMD_CREATE] = "attach to the console of",
    };
    struct xvmd_dom *dom;
    int dom0, rc;

    rc = dom_resolve(x, tb[XVMD_A_DOM], &dom, &dom0, err, errlen);
    if (rc < 0)
        return rc;
    if (cmd == XVMD_CMD_DOMINFO) {
        if (dom0)
            dom0_put(r);
        else
            dom_put(r, dom);
        return 0;
    }
    if (dom0) {
        snprintf(err, errlen, "cannot %s Domain-0: it is the control domain",
                 verbs[cmd - XVMD_CMD_CREATE]);
        return -EPERM;
    }
    switch (cmd) {
    case XVMD_CMD_DESTROY:
        return xvmd_dom_destroy(x, dom, err, errlen);
    case XVMD_CMD_SHUTDOWN:
        return xvmd_dom_shutdown(x, dom, err, errlen);
    case XVMD_CMD_PAUSE:
        return xvmd_dom_pause(x, dom, err, errlen);
    case XVMD_CMD_RESUME:
        return xvmd_dom_resume(x, dom, err, errlen);
    case XVMD_CMD_UNDEFINE:
        if (dom->state == XVMD_STATE_SHUTOFF) /* it goes: nobody waits */
            xvmd_ctl_waits_cancel(x, dom, "the domain was undefined");
        return xvmd_dom_undefine(x, dom, err, errlen);
    case XVMD_CMD_DOMIFLIST:
        vifs_put(x, r, dom);
        return 0;
    case XVMD_CMD_REBOOT:
        return xvmd_dom_reboot(x, dom, err, errlen);
    case XVMD_CMD_AUTOSTART:
        if (!tb[XVMD_A_AUTOSTART]) {
            snprintf(err, errlen, "autostart: on or off required");
            return -EINVAL;
        }
        return xvmd_dom_autostart(x, dom,
                                  mnl_attr_get_u32(tb[XVMD_A_AUTOSTART]) != 0,
                                  err, errlen);
    case XVMD_CMD_START:
        rc = xvmd_dom_start(x, dom, err, errlen);
        if (rc == 0 && wait_ms(tb) && dom->cfg.nr_vifs &&
            wait_park(x, sock, nlh, dom, wait_ms(tb), 0, NULL) == 0)
            return 2;
        if (rc == 0)
            dom_put(r, dom);
        return rc;
    case XVMD_CMD_VIF_SET:
        if (!tb[XVMD_A_VIF] || !tb[XVMD_A_VIFSPEC]) {
            snprintf(err, errlen, "vif-set: vif and spec required");
            return -EINVAL;
        }
        return xvmd_dom_vif_set(x, dom, mnl_attr_get_u32(tb[XVMD_A_VIF]),
                                mnl_attr_get_str(tb[XVMD_A_VIFSPEC]), err,
                                errlen);
    }
    /* XVMD_CMD_NETNS, XVMD_CMD_DOMMEM, XVMD_CMD_EVTCHN_BIND,
     * XVMD_CMD_CONSOLE: a domain that runs */
    if (dom->state == XVMD_STATE_SHUTOFF || dom->state == XVMD_STATE_CRASHED) {
        snprintf(err, errlen, "domain %s is %s", dom->cfg.name,
                 xvmd_state_str(dom->state));
        return -ESRCH;
    }
    if (cmd == XVMD_CMD_DOMMEM)
        return dommem_put(r, dom, fd, err, errlen);
    if (cmd == XVMD_CMD_EVTCHN_BIND)
        return evtchn_bind(dom, tb[XVMD_A_PORT], fd, err, errlen);
    if (cmd == XVMD_CMD_CONSOLE)
        return xvmd_console_attach(x, dom, fd, err, errlen);
    /* Entering joins the domain's cgroup: frozen, it would freeze the
     * command, and the xvm that waits for it, until a resume. */
    if (dom->state == XVMD_STATE_PAUSED) {
        snprintf(err, errlen, "cannot enter domain %s: it is paused (xvm "
                 "resume %s)", dom->cfg.name, dom->cfg.name);
        return -EAGAIN;
    }
    rc = dom->ops->enter_open(dom, fd);
    if (rc == -EOPNOTSUPP)
        snprintf(err, errlen, "domain %s is a %s domain: it has no "
                 "namespaces to enter", dom->cfg.name, dom->ops->os_type);
    else if (rc < 0)
        snprintf(err, errlen, "cannot open the namespaces of %s: %s",
                 dom->cfg.name, strerror(-rc));
    return rc;
}

/* What a member of the read-only group may ask: nothing that changes a
 * domain, nor a domain's memory, namespace, event channels or console. */
static bool cmd_readonly(uint16_t type)
{
    return type == XVMD_CMD_LIST || type == XVMD_CMD_DOMINFO ||
           type == XVMD_CMD_DOMIFLIST;
}

int xvmd_ctl_handle(struct xvmd *x, int sock, const void *req, size_t len,
                    bool ro)
{
    const struct nlattr *tb[XVMD_A_MAX_ + 1];
    const struct nlmsghdr *nlh;
    struct reply r;
    char err[1024] = "";
    int rc, fd[2] = {-1, -1};

    nlh = xvmd_msg_parse(req, len, tb, XVMD_A_MAX_, xvmd_req_policy);
    if (!nlh || !(nlh->nlmsg_flags & NLM_F_REQUEST) ||
        nlh->nlmsg_type < XVMD_CMD_CREATE || nlh->nlmsg_type > XVMD_CMD_MAX_) {
        reply_start(&r, nlh ? nlh->nlmsg_type : 0, nlh ? nlh->nlmsg_seq : 0);
        reply_send(&r, sock, -EINVAL, "malformed request", NULL, 0);
        return 0;
    }
    reply_start(&r, nlh->nlmsg_type, nlh->nlmsg_seq);
    if (ro && !cmd_readonly(nlh->nlmsg_type)) {
        reply_send(&r, sock, -EACCES, "permission denied (needs root)", NULL,
                   0);
        return 0;
    }
    switch (nlh->nlmsg_type) {
    case XVMD_CMD_CREATE:
    case XVMD_CMD_DEFINE:
        rc = do_create(x, &r, sock, nlh, tb, err, sizeof(err));
        if (rc == 1)
            return 1;
        break;
    case XVMD_CMD_LIST:
        do_list(x, &r, tb);
        rc = 0;
        break;
    default:
        rc = do_dom(x, &r, sock, nlh, tb, fd, err, sizeof(err));
        if (rc == 2)
            return 1;
        break;
    }
    if (rc < 0 && !err[0])
        snprintf(err, sizeof(err), "%s", strerror(-rc));
    if (rc == 1) { /* borrowed fds (EVTCHN_BIND) */
        reply_send(&r, sock, 0, err, fd, 2);
        return 0;
    }
    reply_send(&r, sock, rc, err, fd, fd[0] < 0 ? 0 : fd[1] < 0 ? 1 : 2);
    if (fd[0] >= 0)
        close(fd[0]);
    if (fd[1] >= 0)
        close(fd[1]);
    return 0;
}
