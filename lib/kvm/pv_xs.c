/* SPDX-License-Identifier: MIT */
/*
 * The xenstore ring of a KVM guest, relayed to its domain's xenstore
 * connection.  The monitor moves bytes and does not read them: xenstored
 * checks every message of a domain's connection, as it does for any
 * guest.  What the monitor checks is the ring itself: the producer index
 * the guest publishes may be at most a ring ahead of the monitor's
 * consumer, and the consumer index it publishes may not pass the
 * monitor's producer.  Each is read once; the monitor's own indices live
 * in its memory and are only written to the ring.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pv_pvt.h"

_Static_assert(sizeof(struct xenstore_domain_interface) <= XKVM_PAGE_SIZE,
               "the xenstore ring fits a page");

int xkvm_pv_xs_setup(struct xkvm_pv *pv, uint64_t gfn, uint64_t *ret,
                     char *why, size_t cap)
{
    struct xenstore_domain_interface *xs;

    if (pv->xs) {
        snprintf(why, cap, "xenstore: ring set up already");
        return -EINVAL;
    }
    if (!xkvm_pv_frames_ok(pv, gfn, 1)) {
        snprintf(why, cap, "xenstore: frame 0x%" PRIx64 " is not guest RAM "
                 "the guest may use (%" PRIu64 " MiB)", gfn,
                 pv->ram_size >> 20);
        return -EINVAL;
    }
    if (pv->xs_fd < 0) {
        *ret = (uint64_t)(int64_t)-ENODEV;
        return 0;
    }
    xs = (struct xenstore_domain_interface *)(pv->ram + gfn * XKVM_PAGE_SIZE);
    pv->req_cons = 0;
    pv->rsp_prod = 0;
    __atomic_store_n(&xs->req_cons, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&xs->rsp_prod, 0, __ATOMIC_RELEASE);
    xs->server_features = 0;
    xs->connection = XENSTORE_CONNECTED;
    pv->xs = xs;
    *ret = 0;
    return 0;
}

/* The connection failed or closed: stop relaying, and tell the guest the
 * way Xen's ring can (its error field). */
static void xs_lost(struct xkvm_pv *pv)
{
    close(pv->xs_fd);
    pv->xs_fd = -1;
    pv->xs->error = XENSTORE_ERROR_COMM;
}

/* Guest requests to the connection. */
static int xs_out(struct xkvm_pv *pv, char *why, size_t cap)
{
    struct xenstore_domain_interface *xs = pv->xs;
    XENSTORE_RING_IDX prod = __atomic_load_n(&xs->req_prod, __ATOMIC_ACQUIRE);
    uint32_t avail = prod - pv->req_cons;
    char buf[XENSTORE_RING_SIZE];

    if (avail > XENSTORE_RING_SIZE) {
        snprintf(why, cap, "xenstore ring: req_prod %u is %u bytes ahead "
                 "of req_cons %u (a ring holds %u)", prod, avail,
                 pv->req_cons, XENSTORE_RING_SIZE);
        return -EINVAL;
    }
    pv->xs_out_blocked = false;
    while (avail > 0 && pv->xs_fd >= 0) {
        uint32_t off = MASK_XENSTORE_IDX(pv->req_cons);
        uint32_t chunk = XENSTORE_RING_SIZE - off;
        ssize_t n;

        if (chunk > avail)
            chunk = avail;
        memcpy(buf, xs->req + off, chunk);
        n = send(pv->xs_fd, buf, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pv->xs_out_blocked = true;
            break;
        }
        if (n <= 0) {
            xs_lost(pv);
            break;
        }
        pv->req_cons += (uint32_t)n;
        avail -= (uint32_t)n;
    }
    __atomic_store_n(&xs->req_cons, pv->req_cons, __ATOMIC_RELEASE);
    return 0;
}

/* Room in the guest's rsp ring, or -EINVAL if its consumer is impossible. */
static int64_t xs_room(struct xkvm_pv *pv, char *why, size_t cap)
{
    XENSTORE_RING_IDX cons =
        __atomic_load_n(&pv->xs->rsp_cons, __ATOMIC_ACQUIRE);
    uint32_t used = pv->rsp_prod - cons;

    if (used > XENSTORE_RING_SIZE) {
        snprintf(why, cap, "xenstore ring: rsp_cons %u is past rsp_prod %u",
                 cons, pv->rsp_prod);
        return -EINVAL;
    }
    return XENSTORE_RING_SIZE - used;
}

/* Connection bytes into the guest's rsp ring: 1 if any, 0, or -EINVAL. */
static int xs_in(struct xkvm_pv *pv, char *why, size_t cap)
{
    struct xenstore_domain_interface *xs = pv->xs;
    int64_t room = xs_room(pv, why, cap);
    char buf[XENSTORE_RING_SIZE];
    int added = 0;

    if (room < 0)
        return -EINVAL;
    while (room > 0 && pv->xs_fd >= 0) {
        uint32_t off = MASK_XENSTORE_IDX(pv->rsp_prod);
        uint32_t chunk = XENSTORE_RING_SIZE - off;
        ssize_t n;

        if (chunk > room)
            chunk = (uint32_t)room;
        n = recv(pv->xs_fd, buf, chunk, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            xs_lost(pv);
            break;
        }
        memcpy(xs->rsp + off, buf, (size_t)n);
        pv->rsp_prod += (uint32_t)n;
        room -= n;
        added = 1;
        __atomic_store_n(&xs->rsp_prod, pv->rsp_prod, __ATOMIC_RELEASE);
    }
    return added;
}

int xkvm_pv_xs_relay(struct xkvm_pv *pv, char *why, size_t cap)
{
    if (!pv->xs)
        return 0;
    if (xs_out(pv, why, cap) < 0)
        return -EINVAL;
    return xs_in(pv, why, cap);
}

short xkvm_pv_xs_events(const struct xkvm_pv *pv)
{
    XENSTORE_RING_IDX cons;
    short ev = 0;

    if (!pv->xs || pv->xs_fd < 0)
        return 0;
    cons = __atomic_load_n(&pv->xs->rsp_cons, __ATOMIC_ACQUIRE);
    if ((uint32_t)(pv->rsp_prod - cons) < XENSTORE_RING_SIZE)
        ev |= POLLIN;
    if (pv->xs_out_blocked)
        ev |= POLLOUT;
    return ev;
}
