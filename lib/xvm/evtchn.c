/* SPDX-License-Identifier: MIT */
/* Interdomain event channels: one eventfd doorbell per port. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xvm/evtchn.h"

enum port_state { PORT_FREE = 0, PORT_UNBOUND, PORT_BOUND };

struct port {
    uint8_t state;
    domid_t remote;
    evtchn_port_t remote_port;
    int fd;      /* our doorbell */
    int peer_fd; /* the peer's doorbell, when bound */
};

struct xvm_evtchn {
    domid_t self;
    struct port ports[XVM_EVTCHN_MAX_PORTS];
};

struct xvm_evtchn *xvm_evtchn_open(domid_t self)
{
    struct xvm_evtchn *ec = calloc(1, sizeof(*ec));

    if (!ec)
        return NULL;
    ec->self = self;
    return ec;
}

static struct port *port_get(const struct xvm_evtchn *ec, evtchn_port_t p)
{
    if (p == 0 || p >= XVM_EVTCHN_MAX_PORTS || ec->ports[p].state == PORT_FREE)
        return NULL;
    return (struct port *)&ec->ports[p];
}

/* Allocate the lowest free port with a fresh doorbell. */
static int port_alloc(struct xvm_evtchn *ec, domid_t remote)
{
    evtchn_port_t p;

    for (p = 1; p < XVM_EVTCHN_MAX_PORTS; p++) {
        struct port *pt = &ec->ports[p];

        if (pt->state != PORT_FREE)
            continue;
        pt->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (pt->fd < 0)
            return -errno;
        pt->state = PORT_UNBOUND;
        pt->remote = remote;
        pt->remote_port = 0;
        pt->peer_fd = -1;
        return (int)p;
    }
    return -ENOSPC;
}

int xvm_evtchn_alloc_unbound(struct xvm_evtchn *ec, domid_t remote)
{
    return port_alloc(ec, remote);
}

static int port_bind(struct port *pt, domid_t remote, int remote_fd)
{
    int dfd = fcntl(remote_fd, F_DUPFD_CLOEXEC, 0);

    if (dfd < 0)
        return -errno;
    pt->peer_fd = dfd;
    pt->remote = remote;
    pt->state = PORT_BOUND;
    return 0;
}

int xvm_evtchn_bind_interdomain(struct xvm_evtchn *ec, domid_t remote,
                                evtchn_port_t remote_port, int remote_fd)
{
    uint64_t one = 1;
    int p, rc;

    if (remote_fd < 0)
        return -EBADF;
    p = port_alloc(ec, remote);
    if (p < 0)
        return p;
    rc = port_bind(&ec->ports[p], remote, remote_fd);
    if (rc < 0) {
        xvm_evtchn_close(ec, (evtchn_port_t)p);
        return rc;
    }
    ec->ports[p].remote_port = remote_port;
    /* Xen leaves a freshly bound port pending. */
    if (write(ec->ports[p].fd, &one, sizeof(one)) < 0) {
        /* cannot fail on a fresh eventfd; nothing to undo if it did */
    }
    return p;
}

int xvm_evtchn_adopt(struct xvm_evtchn *ec, evtchn_port_t port,
                     domid_t remote, int fd, int peer_fd)
{
    struct port *pt;
    int rc;

    if (port >= XVM_EVTCHN_MAX_PORTS)
        return -EINVAL;
    if (fd < 0 || peer_fd < 0)
        return -EBADF;
    if (port == 0) {
        for (port = 1; port < XVM_EVTCHN_MAX_PORTS; port++)
            if (ec->ports[port].state == PORT_FREE)
                break;
        if (port == XVM_EVTCHN_MAX_PORTS)
            return -ENOSPC;
    } else if (ec->ports[port].state != PORT_FREE) {
        return -EBUSY;
    }
    pt = &ec->ports[port];
    pt->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (pt->fd < 0)
        return -errno;
    pt->state = PORT_UNBOUND;
    pt->remote_port = 0;
    pt->peer_fd = -1;
    rc = port_bind(pt, remote, peer_fd);
    if (rc < 0) {
        close(pt->fd);
        pt->fd = -1;
        pt->state = PORT_FREE;
        return rc;
    }
    return (int)port;
}

int xvm_evtchn_connect(struct xvm_evtchn *ec, evtchn_port_t port,
                       domid_t remote, int remote_fd)
{
    struct port *pt = port_get(ec, port);

    if (!pt)
        return -EINVAL;
    if (pt->state == PORT_BOUND)
        return -EISCONN;
    if (remote_fd < 0)
        return -EBADF;
    return port_bind(pt, remote, remote_fd);
}

int xvm_evtchn_unbind(struct xvm_evtchn *ec, evtchn_port_t port)
{
    struct port *pt = port_get(ec, port);

    if (!pt || pt->state != PORT_BOUND)
        return -EINVAL;
    close(pt->peer_fd);
    pt->peer_fd = -1;
    pt->state = PORT_UNBOUND;
    return 0;
}

int xvm_evtchn_close(struct xvm_evtchn *ec, evtchn_port_t port)
{
    struct port *pt = port_get(ec, port);

    if (!pt)
        return -EINVAL;
    close(pt->fd);
    if (pt->peer_fd >= 0)
        close(pt->peer_fd);
    pt->fd = pt->peer_fd = -1;
    pt->state = PORT_FREE;
    return 0;
}

void xvm_evtchn_destroy(struct xvm_evtchn *ec)
{
    evtchn_port_t p;

    if (!ec)
        return;
    for (p = 1; p < XVM_EVTCHN_MAX_PORTS; p++)
        if (ec->ports[p].state != PORT_FREE)
            xvm_evtchn_close(ec, p);
    free(ec);
}

int xvm_evtchn_send(struct xvm_evtchn *ec, evtchn_port_t port)
{
    struct port *pt = port_get(ec, port);
    uint64_t one = 1;

    if (!pt)
        return -EINVAL;
    if (pt->state != PORT_BOUND)
        return -ENOTCONN;
    /* EAGAIN means the counter is saturated: the peer is pending anyway. */
    if (write(pt->peer_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int xvm_evtchn_fd(const struct xvm_evtchn *ec, evtchn_port_t port)
{
    const struct port *pt = port_get(ec, port);

    return pt ? pt->fd : -1;
}

int xvm_evtchn_peer_fd(const struct xvm_evtchn *ec, evtchn_port_t port)
{
    const struct port *pt = port_get(ec, port);

    return pt && pt->state == PORT_BOUND ? pt->peer_fd : -1;
}

int64_t xvm_evtchn_consume(struct xvm_evtchn *ec, evtchn_port_t port)
{
    struct port *pt = port_get(ec, port);
    uint64_t n;

    if (!pt)
        return -EINVAL;
    if (read(pt->fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
        return 0;
    return (int64_t)n;
}
