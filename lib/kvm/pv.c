/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual interface of kvm/pv.h: the grant table's place, the
 * shared page, event channels and the block that waits for them.  Every
 * argument is checked before anything is done with it; a guest that
 * breaks the ABI gets -EINVAL and words for its crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm_pvt.h"
#include "pv_pvt.h"

_Static_assert(sizeof(struct shared_info) <= XKVM_PAGE_SIZE,
               "Xen's shared_info fits a page");
_Static_assert(XKVM_EVTCHN_PORTS <= sizeof(xen_ulong_t) * 8,
               "every port is in word 0 of the bitmaps");
_Static_assert(XKVM_BOOT_GPA % XKVM_PAGE_SIZE == 0 &&
                   XKVM_BOOT_END % XKVM_PAGE_SIZE == 0,
               "boot structures are whole frames");

static int refuse(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

bool xkvm_pv_frames_ok(const struct xkvm_pv *pv, uint64_t gfn, uint64_t n)
{
    uint64_t frames = pv->ram_size / XKVM_PAGE_SIZE;
    const uint64_t boot0 = XKVM_BOOT_GPA / XKVM_PAGE_SIZE;
    const uint64_t boot1 = XKVM_BOOT_END / XKVM_PAGE_SIZE;

    if (n == 0 || gfn >= frames || n > frames - gfn)
        return false;
    return gfn + n <= boot0 || gfn >= boot1;
}

struct xkvm_pv *xkvm_pv_create(void *ram, uint64_t ram_size,
                               const struct xkvm_pv_params *p)
{
    struct xkvm_pv *pv;
    int err;

    if (!ram || !p || ram_size < XKVM_RAM_MIN ||
        ram_size % XKVM_PAGE_SIZE != 0 || p->self >= DOMID_FIRST_RESERVED ||
        (p->broker && !p->broker->alloc_unbound)) {
        err = EINVAL;
        goto err_fd;
    }
    pv = calloc(1, sizeof(*pv));
    if (!pv) {
        err = ENOMEM;
        goto err_fd;
    }
    pv->ec = xvm_evtchn_open(p->self);
    if (!pv->ec) {
        err = errno;
        free(pv);
        goto err_fd;
    }
    pthread_mutex_init(&pv->lock, NULL);
    pv->ram = ram;
    pv->ram_size = ram_size;
    pv->self = p->self;
    pv->broker = p->broker;
    pv->broker_arg = p->broker_arg;
    pv->xs_fd = p->xs_fd;
    for (uint32_t i = 0; i < XKVM_EVTCHN_PORTS; i++)
        pv->db_fd[i] = -1;
    return pv;

err_fd:
    if (p && p->xs_fd >= 0)
        close(p->xs_fd);
    errno = err;
    return NULL;
}

/* Register @port's doorbell in the kernel if it has a peer and the
 * kernel takes doorbells; else its doorbell exits to the monitor. */
static void doorbell_arm(struct xkvm_pv *pv, uint32_t port)
{
    int fd, rc;

    if (!pv->db_ops || pv->db_refused || (pv->db_armed & (1ull << port)))
        return;
    fd = xvm_evtchn_peer_fd(pv->ec, port);
    if (fd < 0)
        return;
    rc = pv->db_ops->assign(pv->db_arg,
                            (uint16_t)XKVM_DOORBELL_PORT(port), fd, 1);
    if (rc < 0) {
        pv->db_refused = true;
        fprintf(stderr, "xvm-kvm: doorbells: KVM_IOEVENTFD refused (%s); "
                "every doorbell exits to the monitor\n", strerror(-rc));
        return;
    }
    pv->db_armed |= 1ull << port;
    pv->db_fd[port] = fd;
}

static void doorbell_disarm(struct xkvm_pv *pv, uint32_t port)
{
    if (!(pv->db_armed & (1ull << port)))
        return;
    pv->db_ops->assign(pv->db_arg, (uint16_t)XKVM_DOORBELL_PORT(port),
                       pv->db_fd[port], 0);
    pv->db_armed &= ~(1ull << port);
    pv->db_fd[port] = -1;
}

void xkvm_pv_set_doorbell_ops(struct xkvm_pv *pv,
                              const struct xkvm_pv_doorbell_ops *ops,
                              void *arg)
{
    for (uint32_t p = 1; p < XKVM_EVTCHN_PORTS; p++)
        doorbell_disarm(pv, p);
    pv->db_ops = ops && ops->assign ? ops : NULL;
    pv->db_arg = arg;
    pv->db_refused = false;
    for (uint32_t p = 1; p < XKVM_EVTCHN_PORTS; p++)
        if (pv->ports & (1ull << p))
            doorbell_arm(pv, p);
}

uint64_t xkvm_pv_doorbells(const struct xkvm_pv *pv)
{
    return pv->db_armed;
}

void xkvm_pv_destroy(struct xkvm_pv *pv)
{
    if (!pv)
        return;
    xkvm_pv_set_doorbell_ops(pv, NULL, NULL);
    xvm_evtchn_destroy(pv->ec);
    if (pv->xs_fd >= 0)
        close(pv->xs_fd);
    pthread_mutex_destroy(&pv->lock);
    free(pv);
}

void xkvm_vm_set_pv(struct xkvm_vm *vm, struct xkvm_pv *pv)
{
    if (vm->pv)
        xkvm_vm_doorbells_attach(vm, vm->pv, 0);
    vm->pv = pv ? pv : vm->pv_own;
    xkvm_vm_doorbells_attach(vm, vm->pv, 1);
}

int xkvm_pv_gnttab(const struct xkvm_pv *pv, uint64_t *gfn, uint32_t *frames)
{
    if (!pv->gt_frames)
        return -ENOENT;
    *gfn = pv->gt_gfn;
    *frames = pv->gt_frames;
    return 0;
}

static bool port_held(const struct xkvm_pv *pv, uint64_t port)
{
    return port > 0 && port < XKVM_EVTCHN_PORTS &&
           (pv->ports & (1ull << port));
}

int xkvm_pv_port_fd(const struct xkvm_pv *pv, uint32_t port)
{
    return port_held(pv, port) ? xvm_evtchn_fd(pv->ec, port) : -1;
}

static int gnttab_setup(struct xkvm_pv *pv, uint64_t gfn, uint64_t n,
                        char *why, size_t cap)
{
    if (pv->gt_frames)
        return refuse(why, cap, "grant table: set up already (frame "
                      "0x%" PRIx64 ")", pv->gt_gfn);
    if (n == 0 || n > XKVM_GNTTAB_FRAMES_MAX)
        return refuse(why, cap, "grant table: %" PRIu64 " frames (1 to %u)",
                      n, XKVM_GNTTAB_FRAMES_MAX);
    if (!xkvm_pv_frames_ok(pv, gfn, n))
        return refuse(why, cap, "grant table: frames 0x%" PRIx64 " +%"
                      PRIu64 " are not guest RAM the guest may use (%" PRIu64
                      " MiB, boot structures at 0x%x-0x%x)", gfn, n,
                      pv->ram_size >> 20, XKVM_BOOT_GPA, XKVM_BOOT_END - 1);
    pv->gt_gfn = gfn;
    pv->gt_frames = (uint32_t)n;
    return 0;
}

static int shared_info_set(struct xkvm_pv *pv, uint64_t gfn, char *why,
                           size_t cap)
{
    if (pv->si)
        return refuse(why, cap, "shared page: set already");
    if (!xkvm_pv_frames_ok(pv, gfn, 1))
        return refuse(why, cap, "shared page: frame 0x%" PRIx64 " is not "
                      "guest RAM the guest may use (%" PRIu64 " MiB)", gfn,
                      pv->ram_size >> 20);
    pv->si = (struct shared_info *)(pv->ram + gfn * XKVM_PAGE_SIZE);
    return 0;
}

/* Port @port's doorbell rang: pending, and if unmasked, the selector and
 * the upcall flag too (Xen's order).  The guest may scribble on the page
 * meanwhile; atomics keep the monitor's own bits from being lost. */
static void port_raise(struct xkvm_pv *pv, uint32_t port)
{
    struct shared_info *si = pv->si;
    xen_ulong_t bit = (xen_ulong_t)1 << port;

    __atomic_fetch_or(&si->evtchn_pending[0], bit, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&si->evtchn_mask[0], __ATOMIC_SEQ_CST) & bit)
        return;
    __atomic_fetch_or(&si->vcpu_info[0].evtchn_pending_sel, (xen_ulong_t)1,
                      __ATOMIC_SEQ_CST);
    __atomic_store_n(&si->vcpu_info[0].evtchn_upcall_pending, 1,
                     __ATOMIC_SEQ_CST);
}

/* Read every held port's doorbell; @return 1 if an unmasked held port is
 * pending afterwards. */
static int ports_look(struct xkvm_pv *pv)
{
    xen_ulong_t pending, mask;

    if (!pv->si)
        return 0;
    for (uint32_t p = 1; p < XKVM_EVTCHN_PORTS; p++)
        if ((pv->ports & (1ull << p)) && xvm_evtchn_consume(pv->ec, p) > 0)
            port_raise(pv, p);
    pending = __atomic_load_n(&pv->si->evtchn_pending[0], __ATOMIC_SEQ_CST);
    mask = __atomic_load_n(&pv->si->evtchn_mask[0], __ATOMIC_SEQ_CST);
    return (pending & ~mask & pv->ports) != 0;
}

static int evtchn_alloc(struct xkvm_pv *pv, uint64_t remote, uint64_t *ret,
                        char *why, size_t cap)
{
    int own = -1, peer = -1, rc;
    uint32_t port = 0;

    if (!pv->si)
        return refuse(why, cap, "event channel: no shared page yet");
    if (remote >= DOMID_FIRST_RESERVED)
        return refuse(why, cap, "event channel: remote domain %" PRIu64
                      " is not a domain", remote);
    if (!pv->broker) {
        rc = xvm_evtchn_alloc_unbound(pv->ec, (domid_t)remote);
        if (rc > 0 && (uint32_t)rc >= XKVM_EVTCHN_PORTS) {
            xvm_evtchn_close(pv->ec, (evtchn_port_t)rc);
            rc = -ENOSPC;
        }
        goto out;
    }
    rc = pv->broker->alloc_unbound(pv->broker_arg, (domid_t)remote, &port,
                                   &own, &peer);
    if (rc == 0) {
        /* The broker's number must fit the guest's port space and be
         * free in it, or the guest could not tell two ports apart. */
        if (port == 0 || port >= XKVM_EVTCHN_PORTS ||
            (pv->ports & (1ull << port)))
            rc = -ENOSPC;
        else
            rc = xvm_evtchn_adopt(pv->ec, port, (domid_t)remote, own, peer);
        close(own);
        close(peer);
        /* A port the guest did not get is the broker's again. */
        if (rc < 0 && port > 0 && port < XKVM_EVTCHN_PORTS &&
            !(pv->ports & (1ull << port)) && pv->broker->close)
            (void)pv->broker->close(pv->broker_arg, port);
    }
out:
    if (rc > 0) {
        pv->ports |= 1ull << rc;
        doorbell_arm(pv, (uint32_t)rc);
    }
    *ret = (uint64_t)(int64_t)rc;
    return 0;
}

/* EVTCHNOP_close of a held @port.  With a broker every port is one it
 * gave (a loopback needs none): it gets the port back, once, as the port
 * leaves pv->ports, so its budget does not leak with each close. */
static void evtchn_close(struct xkvm_pv *pv, uint32_t port)
{
    doorbell_disarm(pv, port);
    xvm_evtchn_close(pv->ec, port);
    pv->ports &= ~(1ull << port);
    if (pv->broker && pv->broker->close)
        (void)pv->broker->close(pv->broker_arg, port);
}

static int evtchn_port(struct xkvm_pv *pv, const char *op, uint64_t port,
                       char *why, size_t cap)
{
    if (!port_held(pv, port))
        return refuse(why, cap, "event channel %s: port %" PRIu64 " is not "
                      "one the guest holds", op, port);
    return 0;
}

/* A loopback channel: a new port bound to the guest's own unbound
 * @rport, each signalling the other.  @return the port or -errno. */
static int evtchn_loopback(struct xkvm_pv *pv, uint32_t rport)
{
    int rc;

    if (!port_held(pv, rport) || xvm_evtchn_peer_fd(pv->ec, rport) >= 0)
        return -EINVAL;
    rc = xvm_evtchn_bind_interdomain(pv->ec, pv->self, rport,
                                     xvm_evtchn_fd(pv->ec, rport));
    if (rc <= 0)
        return rc < 0 ? rc : -EIO;
    if ((uint32_t)rc >= XKVM_EVTCHN_PORTS) {
        xvm_evtchn_close(pv->ec, (evtchn_port_t)rc);
        return -ENOSPC;
    }
    if (xvm_evtchn_connect(pv->ec, rport, pv->self,
                           xvm_evtchn_fd(pv->ec, (evtchn_port_t)rc)) < 0) {
        xvm_evtchn_close(pv->ec, (evtchn_port_t)rc);
        return -EINVAL;
    }
    pv->ports |= 1ull << rc;
    doorbell_arm(pv, (uint32_t)rc);
    doorbell_arm(pv, rport);
    return rc;
}

static int evtchn_bind(struct xkvm_pv *pv, uint64_t remote, uint64_t rport,
                       uint64_t *ret, char *why, size_t cap)
{
    if (remote >= DOMID_FIRST_RESERVED)
        return refuse(why, cap, "event channel bind: remote domain %" PRIu64
                      " is not a domain", remote);
    if (rport == 0 || rport > UINT32_MAX)
        return refuse(why, cap, "event channel bind: remote port %" PRIu64,
                      rport);
    if (!pv->broker && remote == pv->self) {
        if (!pv->si)
            return refuse(why, cap, "event channel: no shared page yet");
        *ret = (uint64_t)(int64_t)evtchn_loopback(pv, (uint32_t)rport);
        return 0;
    }
    *ret = (uint64_t)(int64_t)-ENOSYS;
    return 0;
}

int xkvm_pv_doorbell(struct xkvm_pv *pv, uint32_t port, char *why,
                     size_t cap)
{
    int rc;

    pthread_mutex_lock(&pv->lock);
    rc = evtchn_port(pv, "doorbell", port, why, cap);
    if (rc == 0)
        (void)xvm_evtchn_send(pv->ec, port); /* -ENOTCONN: dropped */
    pthread_mutex_unlock(&pv->lock);
    return rc;
}

static int pv_call(struct xkvm_pv *pv, uint32_t nr, const uint64_t a[3],
                   uint64_t *ret, char *why, size_t cap)
{
    *ret = 0;
    switch (nr) {
    case XKVM_HC_GNTTAB_SETUP:
        return gnttab_setup(pv, a[0], a[1], why, cap);
    case XKVM_HC_SHARED_INFO:
        return shared_info_set(pv, a[0], why, cap);
    case XKVM_HC_EVTCHN_ALLOC_UNBOUND:
        return evtchn_alloc(pv, a[0], ret, why, cap);
    case XKVM_HC_EVTCHN_BIND:
        return evtchn_bind(pv, a[0], a[1], ret, why, cap);
    case XKVM_HC_EVTCHN_SEND:
        if (evtchn_port(pv, "send", a[0], why, cap) < 0)
            return -EINVAL;
        *ret = (uint64_t)(int64_t)xvm_evtchn_send(pv->ec, (uint32_t)a[0]);
        return 0;
    case XKVM_HC_EVTCHN_CLOSE:
        if (evtchn_port(pv, "close", a[0], why, cap) < 0)
            return -EINVAL;
        evtchn_close(pv, (uint32_t)a[0]);
        return 0;
    case XKVM_HC_XS_SETUP:
        return xkvm_pv_xs_setup(pv, a[0], ret, why, cap);
    case XKVM_HC_XS_NOTIFY:
        if (!pv->xs)
            return refuse(why, cap, "xenstore: notify before the ring was "
                          "set up");
        return xkvm_pv_xs_relay(pv, why, cap) < 0 ? -EINVAL : 0;
    }
    return -ENOSYS;
}

int xkvm_pv_call(struct xkvm_pv *pv, uint32_t nr, const uint64_t a[3],
                 uint64_t *ret, char *why, size_t cap)
{
    int rc;

    pthread_mutex_lock(&pv->lock);
    rc = pv_call(pv, nr, a, ret, why, cap);
    pthread_mutex_unlock(&pv->lock);
    return rc;
}

/* Doorbells and xenstore: 1 if something is there for the guest. */
static int look(struct xkvm_pv *pv, char *why, size_t cap)
{
    int xs;

    pthread_mutex_lock(&pv->lock);
    xs = xkvm_pv_xs_relay(pv, why, cap);
    if (xs >= 0)
        xs = ports_look(pv) || xs > 0;
    pthread_mutex_unlock(&pv->lock);
    return xs;
}

/* What a block waits on besides @kick_fd: the xenstore connection and
 * every held port's doorbell.  @return the count in @pfd. */
static unsigned wait_set(struct xkvm_pv *pv, struct pollfd *pfd, unsigned n)
{
    short xs_ev;

    pthread_mutex_lock(&pv->lock);
    xs_ev = xkvm_pv_xs_events(pv);
    if (xs_ev)
        pfd[n++] = (struct pollfd){ .fd = pv->xs_fd, .events = xs_ev };
    for (uint32_t p = 1; p < XKVM_EVTCHN_PORTS; p++)
        if (pv->ports & (1ull << p))
            pfd[n++] = (struct pollfd){ .fd = xvm_evtchn_fd(pv->ec, p),
                                        .events = POLLIN };
    pthread_mutex_unlock(&pv->lock);
    return n;
}

int xkvm_pv_block(struct xkvm_pv *pv, uint64_t ns, int kick_fd, char *why,
                  size_t cap)
{
    struct pollfd pfd[2 + XKVM_EVTCHN_PORTS];
    struct timespec ts, *tsp = NULL;
    unsigned n = 0;
    int rc = look(pv, why, cap);

    if (rc != 0 || ns == 0)
        return rc < 0 ? rc : 0;
    if (ns == XKVM_BLOCK_FOREVER &&
        !__atomic_load_n(&pv->ports, __ATOMIC_RELAXED) && !pv->xs)
        return refuse(why, cap, "block: waits forever, and nothing can wake "
                      "it (no event channel, no xenstore ring)");
    if (kick_fd >= 0)
        pfd[n++] = (struct pollfd){ .fd = kick_fd, .events = POLLIN };
    /* A descriptor closed by another vCPU meanwhile (its port closed)
     * only wakes this wait early (POLLNVAL), and the look after it
     * sees the port gone. */
    n = wait_set(pv, pfd, n);
    if (ns != XKVM_BLOCK_FOREVER) {
        ts.tv_sec = (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        tsp = &ts;
    }
    rc = ppoll(pfd, n, tsp, NULL);
    if ((rc < 0 && errno == EINTR) ||
        (rc > 0 && kick_fd >= 0 && pfd[0].revents))
        return 1;
    rc = look(pv, why, cap);
    return rc < 0 ? rc : 0;
}
