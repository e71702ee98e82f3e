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

void xvmd_evtchn_release(struct xvmd *x, struct xvmd_dom *dom)
{
    unsigned p;

    for (p = 1; p < XVMD_EVTCHN_PORTS; p++) {
        struct xvmd_evtchn *e = &dom->evt[p];

        if (!e->used)
            continue;
        /* A port of an adopted run has its doorbells with the guest and
         * its backend only (run.c). */
        if (e->gfd >= 0) {
            close(e->gfd);
            close(e->bfd);
            x->evt_fds -= 2;
        }
        memset(e, 0, sizeof(*e));
    }
}

/* The reply to @req: 0 or -errno in rep->rc, the port when it is 0. */
static void guest_answer(struct xvmd *x, struct xvmd_dom *dom,
                         const struct xvmd_guest_req *req, ssize_t n,
                         struct xvmd_guest_rep *rep)
{
    static bool logged_full;
    int rc;

    if (n != (ssize_t)sizeof(*req) || req->op != XVMD_GUEST_EVTCHN_ALLOC ||
        req->remote >= DOMID_FIRST_RESERVED) {
        rep->rc = -EINVAL;
        return;
    }
    rc = xvmd_evtchn_alloc(x, dom, (uint16_t)req->remote);
    if (rc == -ENFILE && !logged_full) {
        xvm_log_warn("domain %s (id %u): event channel refused: the global "
                     "quota (%u descriptors) is spent",
                     dom->cfg.name, dom->id, x->evt_fds);
    }
    logged_full = rc == -ENFILE;
    rep->rc = rc < 0 ? rc : 0;
    rep->port = rc > 0 ? (uint32_t)rc : 0;
}

/* One request from the guest on its channel (see xvmd.h). */
int xvmd_guest_serve(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_guest_req req;
    struct xvmd_guest_rep rep = {0};
    unsigned nfds = 0;
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
    guest_answer(x, dom, &req, n, &rep);
    if (rep.rc == 0) {
        fds[0] = dom->evt[rep.port].gfd;
        fds[1] = dom->evt[rep.port].bfd;
    }
    /* The channel is non-blocking: a full send buffer is a guest that
     * does not read, and xvmd waits for no guest. */
    n = xvm_fd_send(dom->ctl_fd, &rep, sizeof(rep), fds, rep.rc == 0 ? 2 : 0);
    if (n == -EAGAIN)
        return -EAGAIN;
    return rep.rc == 0 ? 1 : 0;
}
