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
 * doorbells the other way round.  Each port binds once; the guest can
 * signal before the bind (the backend finds its port pending, as in Xen).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/xen.h"
#include "xvmd.h"

int xvmd_evtchn_alloc(struct xvmd_dom *dom, uint16_t remote)
{
    unsigned p;

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
    if (e->bound)
        return -EISCONN;
    e->bound = 1;
    return 0;
}

void xvmd_evtchn_release(struct xvmd_dom *dom)
{
    unsigned p;

    for (p = 1; p < XVMD_EVTCHN_PORTS; p++) {
        struct xvmd_evtchn *e = &dom->evt[p];

        if (!e->used)
            continue;
        close(e->gfd);
        close(e->bfd);
        memset(e, 0, sizeof(*e));
    }
}

/*
 * One request from the guest on its channel.  @return 0 to keep serving,
 * -1 when the guest closed the channel (its exit is reported by SIGCHLD).
 */
int xvmd_guest_serve(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_guest_req req;
    struct xvmd_guest_rep rep = {0};
    unsigned nfds = 0;
    ssize_t n;
    int fds[2];

    (void)x;
    n = xvm_fd_recv(dom->ctl_fd, &req, sizeof(req), NULL, 0, &nfds);
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n <= 0)
        return -1;
    if (n != (ssize_t)sizeof(req) || req.op != XVMD_GUEST_EVTCHN_ALLOC ||
        req.remote >= DOMID_FIRST_RESERVED) {
        rep.rc = -EINVAL;
    } else {
        rep.rc = xvmd_evtchn_alloc(dom, (uint16_t)req.remote);
        if (rep.rc > 0) {
            rep.port = (uint32_t)rep.rc;
            rep.rc = 0;
        }
    }
    if (rep.rc == 0) {
        fds[0] = dom->evt[rep.port].gfd;
        fds[1] = dom->evt[rep.port].bfd;
    }
    xvm_fd_send(dom->ctl_fd, &rep, sizeof(rep), fds, rep.rc == 0 ? 2 : 0);
    return 0;
}
