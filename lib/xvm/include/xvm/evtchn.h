/* SPDX-License-Identifier: MIT */
/*
 * xvm/evtchn.h - interdomain event channels on eventfds.
 *
 * Each domain (process) keeps a table of ports.  Every port owns one eventfd,
 * its doorbell: the peer signals the port by writing that eventfd, and the
 * owner waits on it with poll/epoll (xvm_evtchn_fd) and clears it with
 * xvm_evtchn_consume().  A bound port also holds a duplicate of the peer
 * port's eventfd, which xvm_evtchn_send() writes.
 *
 * Binding follows Xen: one side calls alloc_unbound naming the remote
 * domain and publishes the port number; the other side calls
 * bind_interdomain with that port and receives a new local port that is
 * left pending.  Across processes the eventfds travel over a Unix socket
 * (xvm/fdpass.h); xvm_evtchn_export() gives the fd to pass and
 * xvm_evtchn_connect() completes the unbound side with the peer's fd.
 * Closing one end returns the other to unbound as soon as it notices
 * (xvm_evtchn_send() then fails with -ENOTCONN when the peer fd is gone).
 *
 * Thread safety: a table is used by one thread at a time, except that
 * xvm_evtchn_send() and xvm_evtchn_consume() on a bound port may be called
 * from any thread while no other thread changes that port.
 */
#ifndef XVM_EVTCHN_H
#define XVM_EVTCHN_H

#include "xvm/export.h"

#include <stdint.h>

#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ports per table; port 0 is never used, as in Xen. */
#define XVM_EVTCHN_MAX_PORTS 1024u

struct xvm_evtchn;

/** Create an empty port table for domain @self.  NULL with errno on error. */
XVN_EXPORT
struct xvm_evtchn *xvm_evtchn_open(domid_t self);

/** Close every port and free the table.  Accepts NULL. */
XVN_EXPORT
void xvm_evtchn_destroy(struct xvm_evtchn *ec);

/**
 * EVTCHNOP_alloc_unbound: a new port that @remote may bind to.
 * @return the port (> 0) or -errno (-ENOSPC when the table is full, or the
 *         errno of eventfd()).
 */
XVN_EXPORT
int xvm_evtchn_alloc_unbound(struct xvm_evtchn *ec, domid_t remote);

/**
 * EVTCHNOP_bind_interdomain: bind a new local port to port @remote_port of
 * domain @remote, whose doorbell eventfd is @remote_fd (duplicated; the
 * caller keeps its own).  The new port starts pending, as in Xen.
 * @return the local port (> 0) or -errno (-EBADF for a bad fd).
 */
XVN_EXPORT
int xvm_evtchn_bind_interdomain(struct xvm_evtchn *ec, domid_t remote,
                                evtchn_port_t remote_port, int remote_fd);

/**
 * Complete an unbound @port with the doorbell fd of the peer that bound to it
 * (duplicated).  @return 0 or -errno (-EINVAL bad port, -EISCONN if bound).
 */
XVN_EXPORT
int xvm_evtchn_connect(struct xvm_evtchn *ec, evtchn_port_t port,
                       domid_t remote, int remote_fd);

/**
 * The peer of bound @port closed its end: @port goes back to unbound
 * toward the same remote (as in Xen), for the peer's successor to bind and
 * xvm_evtchn_connect() again.  For whoever plays the hypervisor over two
 * port tables in one process (the protocol tests): xvmd's brokered
 * channels keep their doorbells.  @return 0 or -EINVAL (not a bound port).
 */
XVN_EXPORT
int xvm_evtchn_unbind(struct xvm_evtchn *ec, evtchn_port_t port);

/**
 * Bind a port to doorbells made by a broker (xvmd plays the hypervisor and
 * creates both eventfds of a channel): @fd becomes this port's doorbell,
 * @peer_fd the peer's.  Both are duplicated; the caller keeps its own.
 * When @port is 0 the lowest free port is used, otherwise exactly @port
 * (the number the broker assigned in this domain's port space).
 * @return the port (> 0) or -errno (-EBUSY port taken, -EINVAL bad port,
 *         -EBADF bad fd, -ENOSPC table full).
 */
XVN_EXPORT
int xvm_evtchn_adopt(struct xvm_evtchn *ec, evtchn_port_t port,
                     domid_t remote, int fd, int peer_fd);

/** EVTCHNOP_close.  @return 0 or -EINVAL for a port not in use. */
XVN_EXPORT
int xvm_evtchn_close(struct xvm_evtchn *ec, evtchn_port_t port);

/**
 * EVTCHNOP_send: make the peer port pending.
 * @return 0, -EINVAL for a bad port, -ENOTCONN if the port is unbound.
 */
XVN_EXPORT
int xvm_evtchn_send(struct xvm_evtchn *ec, evtchn_port_t port);

/** The doorbell eventfd of local @port (to poll on or to export), or -1. */
XVN_EXPORT
int xvm_evtchn_fd(const struct xvm_evtchn *ec, evtchn_port_t port);

/** The peer's doorbell eventfd that xvm_evtchn_send() on bound @port
 *  writes (to hand to a writer that signals it directly, such as a KVM
 *  ioeventfd), or -1 if @port is not bound. */
XVN_EXPORT
int xvm_evtchn_peer_fd(const struct xvm_evtchn *ec, evtchn_port_t port);

/**
 * Clear the pending state of @port (non-blocking read of its eventfd).
 * @return the number of notifications since the last consume (0 if none), or
 *         -EINVAL for a bad port.
 */
XVN_EXPORT
int64_t xvm_evtchn_consume(struct xvm_evtchn *ec, evtchn_port_t port);

#ifdef __cplusplus
}
#endif

#endif /* XVM_EVTCHN_H */
