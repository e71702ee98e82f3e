/* SPDX-License-Identifier: MIT */
/*
 * xvmd: event channels between a guest and its backends.
 *
 * xvmd plays Xen's part: it makes both doorbells (eventfds) of a channel.
 * A guest asks over its guest channel for an unbound port toward a remote
 * domain (EVTCHNOP_alloc_unbound) and gets the port number, its own
 * doorbell and the future peer's; it publishes the port in xenstore.  The
 * backend named as remote then binds it (XVMD_CMD_EVTCHN_BIND, the
 * EVTCHNOP_bind_interdomain of the control socket) and gets the same two
 * doorbells the other way round.  The guest can signal before the bind
 * (the backend finds its port pending, as in Xen).  Only the named remote
 * binds, and it may bind again: in Xen a port goes back to unbound when
 * the remote's end closes, and a restarted backend binds it anew; xvmd
 * does not see a backend's descriptors close, so a second bind from the
 * remote is that, and gets the same two doorbells.
 *
 * The guest closes a port on the same channel (EVTCHNOP_close): xvmd
 * closes its copies of both doorbells (a backend that bound the port keeps
 * its own until it lets go) and the port, with its two descriptors, goes
 * back to the domain's and the global budget.  Only a port in use is
 * closed, so a close cannot give back more than an alloc took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/xen.h"
#include "xvmd.h"

/* May xvmd hold two more eventfds?  What it may hold, less the reserve
 * and each active domain's own descriptors, is the event channels'. */
static bool evtchn_room(const struct xvmd *x)
{
    const struct xvmd_dom *d;
    long budget = x->nofile - XVMD_FD_RESERVE;

    for (d = x->doms; d; d = d->next)
        if (d->mem)
            budget -= XVMD_FD_PER_DOMAIN;
    return (long)x->evt_fds + 2 <= budget;
}

int xvmd_evtchn_alloc(struct xvmd *x, struct xvmd_dom *dom, uint16_t remote)
{
    unsigned p;

    if (!evtchn_room(x))
        return -ENFILE;
    for (p = 1; p < XVMD_EVTCHN_PORTS; p++) {
        struct xvmd_evtchn *e = &dom->evt[p];

        if (e->used)
            continue;
        e->gfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        e->bfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (e->gfd < 0 || e->bfd < 0) {
            int rc = -errno;

            if (e->gfd >= 0)
                close(e->gfd);
            if (e->bfd >= 0)
                close(e->bfd);
            return rc;
        }
        e->remote = remote;
        e->bound = 0;
        e->used = 1;
        x->evt_fds += 2;
        return (int)p;
    }
    return -ENOSPC;
}

int xvmd_evtchn_bind(struct xvmd_dom *dom, uint32_t port, uint16_t requester)
{
    struct xvmd_evtchn *e;

    if (port == 0 || port >= XVMD_EVTCHN_PORTS || !dom->evt[port].used)
        return -EINVAL;
    e = &dom->evt[port];
    if (e->remote != requester)
        return -EACCES;
    if (e->bfd < 0)
        return -EISCONN; /* adopted: the doorbells are not ours to give */
    e->bound = 1;
    return 0;
}

int xvmd_evtchn_close(struct xvmd *x, struct xvmd_dom *dom, uint32_t port)
{
    struct xvmd_evtchn *e;

    if (port == 0 || port >= XVMD_EVTCHN_PORTS || !dom->evt[port].used)
        return -EINVAL;
    e = &dom->evt[port];
    /* A port of an adopted run has its doorbells with the guest and its
     * backend only (run.c): nothing of the budget to give back. */
    if (e->gfd >= 0) {
        close(e->gfd);
        close(e->bfd);
        x->evt_fds -= 2;
    }
    memset(e, 0, sizeof(*e));
    return 0;
}

void xvmd_evtchn_release(struct xvmd *x, struct xvmd_dom *dom)
{
    unsigned p;

    for (p = 1; p < XVMD_EVTCHN_PORTS; p++)
        if (dom->evt[p].used)
            xvmd_evtchn_close(x, dom, p);
    dom->ports_saved = 0; /* the run and its record end */
}

/* The reply to @req: 0 or -errno in rep->rc, for an alloc the port when
 * it is 0.  @return true if a port was handed out or closed. */
static bool guest_answer(struct xvmd *x, struct xvmd_dom *dom,
                         const struct xvmd_guest_req *req, ssize_t n,
                         struct xvmd_guest_rep *rep)
{
    static bool logged_full;
    int rc;

    rep->rc = -EINVAL;
    if (n != (ssize_t)sizeof(*req))
        return false;
    if (req->op == XVMD_GUEST_EVTCHN_CLOSE) {
        rep->rc = xvmd_evtchn_close(x, dom, req->remote);
        return rep->rc == 0;
    }
    if (req->op != XVMD_GUEST_EVTCHN_ALLOC ||
        req->remote >= DOMID_FIRST_RESERVED)
        return false;
    rc = xvmd_evtchn_alloc(x, dom, (uint16_t)req->remote);
    /* Once per run of refusals; a guest that closes a port to end the
     * run and asks again in a loop is held to its own limit. */
    if (rc == -ENFILE && !logged_full)
        xvm_log_limited(&dom->log_limit, XVM_LOG_WARNING,
                        "domain %s (id %u): event channel refused: the "
                        "global quota (%u descriptors) is spent",
                        dom->cfg.name, dom->id, x->evt_fds);
    logged_full = rc == -ENFILE;
    rep->rc = rc < 0 ? rc : 0;
    rep->port = rc > 0 ? (uint32_t)rc : 0;
    return rc > 0;
}

/* One request from the guest on its channel (see xvmd.h). */
int xvmd_guest_serve(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_guest_req req;
    struct xvmd_guest_rep rep = {0};
    unsigned nfds = 0;
    bool changed;
    ssize_t n;
    int fds[2];

    n = xvm_fd_recv(dom->ctl_fd, &req, sizeof(req), NULL, 0, &nfds);
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n <= 0)
        return -EPIPE;
    if (n == (ssize_t)sizeof(req) && req.op == XVMD_GUEST_EXIT) {
        /* Only believed of an adopted guest, and only as far as a guest
         * may end its own run (xvmd_dom_gone()). */
        dom->end_said = req.remote <= XVMD_GUEST_END_CRASH
                            ? (int)req.remote
                            : (int)XVMD_GUEST_END_CRASH;
        return 0;
    }
    changed = guest_answer(x, dom, &req, n, &rep);
    nfds = changed && req.op == XVMD_GUEST_EVTCHN_ALLOC ? 2 : 0;
    /* Only a port the run record lacks is news for it: a close leaves
     * the port there (xvmd_dom.ports_saved). */
    changed = nfds && !(dom->ports_saved & (1ull << rep.port));
    if (nfds) {
        fds[0] = dom->evt[rep.port].gfd;
        fds[1] = dom->evt[rep.port].bfd;
    }
    /* The channel is non-blocking: a full send buffer is a guest that
     * does not read, and xvmd waits for no guest. */
    n = xvm_fd_send(dom->ctl_fd, &rep, sizeof(rep), fds, nfds);
    if (n == -EAGAIN)
        return -EAGAIN;
    return changed ? 1 : 0;
}
