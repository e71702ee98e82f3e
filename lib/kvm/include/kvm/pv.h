/* SPDX-License-Identifier: MIT */
/*
 * kvm/pv.h - the paravirtual interface of a KVM guest (kvm/abi.h, calls 3
 * to 11): its grant table's place, its shared page of event-channel bits,
 * its event channels, and the xenstore ring the monitor relays to the
 * domain's xenstore connection.
 *
 *   struct xkvm_pv *pv = xkvm_pv_create(ram, ram_size, &params);
 *   xkvm_vm_set_pv(vm, pv);         xkvm_vm_run() serves the calls through it
 *   ...
 *   xkvm_pv_destroy(pv);            after the last run
 *
 * The interface works on guest RAM alone (no vCPU), so it is also tested
 * without /dev/kvm.  Every value the guest passes is checked before use:
 * frames inside RAM and outside the monitor's boot structures, ports it
 * holds, ring indices that stay within the ring.  A value that breaks the
 * ABI makes xkvm_pv_call() fail with -EINVAL and say why: the caller stops
 * the guest as crashed.  What the guest asks of others and they refuse (no
 * port left, a peer gone) is an error return to the guest, not a crash.
 *
 * Event channels are the same brokered eventfds as a process domain's
 * (xvm/evtchn.h): the broker (xvmd, over the domain's guest channel)
 * makes both doorbells of a channel and the backend binds the other end
 * through xvmd, so a backend cannot tell a KVM guest from a process
 * domain.  The guest learns that a doorbell rang when it blocks or polls
 * (XKVM_HC_BLOCK): the monitor then reads the eventfd and sets the port's
 * pending bit in the shared page.
 *
 * Threads: xkvm_pv_call(), xkvm_pv_doorbell() and xkvm_pv_block() may be
 * called by every vCPU's thread at once: each takes the interface's lock
 * (a block takes it to look, never while it waits).  The rest (create,
 * destroy, the doorbell ops, the getters) belongs to the thread that sets
 * the VM up, while no vCPU runs.
 */
#ifndef KVM_PV_H
#define KVM_PV_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "kvm/abi.h"
#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Who makes the doorbells of a new channel: xvmd plays Xen here. */
struct xkvm_evtchn_broker {
    /**
     * EVTCHNOP_alloc_unbound toward @remote for the guest: a port number
     * in the guest's port space and two new eventfds, the port's own
     * doorbell (@own_fd, which the backend writes) and the peer's
     * (@peer_fd, which the guest's send writes); the callee hands both to
     * the caller.  @return 0 or a negative errno (returned to the guest).
     */
    int (*alloc_unbound)(void *arg, domid_t remote, uint32_t *port,
                         int *own_fd, int *peer_fd);
    /**
     * EVTCHNOP_close of @port, one alloc_unbound gave and the guest held
     * until now: the broker takes it back into the domain's budget.
     * Optional (NULL: the broker keeps the port until the domain ends).
     * Its result does not reach the guest: the port is closed for the
     * guest either way.  @return 0 or a negative errno.
     */
    int (*close)(void *arg, uint32_t port);
};

/** What the interface is given. */
struct xkvm_pv_params {
    domid_t self;  /**< the guest's domain id */
    /** The domain's xenstore connection (a connected stream socket to
     *  xenstored, as xvmd hands a guest), or -1: none.  Owned by the
     *  interface from xkvm_pv_create() on, even when it fails. */
    int xs_fd;
    /** The broker of event channels; NULL: the monitor makes the
     *  doorbells itself (xvm_evtchn_alloc_unbound: no backend can bind
     *  them; for tests and guests without backends). */
    const struct xkvm_evtchn_broker *broker;
    void *broker_arg;
};

struct xkvm_pv;

/**
 * The interface of a guest whose RAM the monitor maps at @ram (@ram_size
 * bytes, a whole number of pages).
 * @return it, or NULL with errno (EINVAL bad size, ENOMEM, or eventfd's).
 */
XVN_EXPORT
struct xkvm_pv *xkvm_pv_create(void *ram, uint64_t ram_size,
                               const struct xkvm_pv_params *params);

/** Close every port and the xenstore connection.  Accepts NULL. */
XVN_EXPORT
void xkvm_pv_destroy(struct xkvm_pv *pv);

/**
 * Serve hypercall @nr (XKVM_HC_GNTTAB_SETUP .. XKVM_HC_XS_NOTIFY) with the
 * guest's arguments @arg (RDI, RSI, RDX).  The result for RAX goes in
 * @ret.
 * @return 0; -ENOSYS if @nr is not one of these; -EINVAL if the guest broke
 *         the ABI (@why, @cap bytes, says how: stop it as crashed).
 */
XVN_EXPORT
int xkvm_pv_call(struct xkvm_pv *pv, uint32_t nr, const uint64_t arg[3],
                 uint64_t *ret, char *why, size_t cap);

/**
 * XKVM_HC_BLOCK: mark the ports whose doorbells rang, relay xenstore, and
 * unless something is there for the guest wait up to @ns nanoseconds
 * (XKVM_BLOCK_FOREVER: no limit) for a doorbell, xenstore or @kick_fd
 * (an eventfd, or -1), then look again.
 * @return 0 (something for the guest, or the time is up), 1 (@kick_fd or a
 *         signal ended the wait: let the caller look), or -EINVAL (the
 *         guest broke the ABI; @why says how).
 */
XVN_EXPORT
int xkvm_pv_block(struct xkvm_pv *pv, uint64_t ns, int kick_fd, char *why,
                  size_t cap);

/** Where the guest put its grant table: 0 and its frames, or -ENOENT
 *  before XKVM_HC_GNTTAB_SETUP. */
XVN_EXPORT
int xkvm_pv_gnttab(const struct xkvm_pv *pv, uint64_t *gfn, uint32_t *frames);

/** The doorbell eventfd of the guest's @port (which its backend writes),
 *  or -1; for tests and the monitor's own use. */
XVN_EXPORT
int xkvm_pv_port_fd(const struct xkvm_pv *pv, uint32_t port);

/**
 * A guest's doorbell (kvm/abi.h, XKVM_DOORBELL_BASE + @port) that reached
 * the monitor: what XKVM_HC_EVTCHN_SEND does, without a result.
 * @return 0 (sent, or dropped: no peer), or -EINVAL if the guest does not
 *         hold @port (@why says so: stop it as crashed).
 */
XVN_EXPORT
int xkvm_pv_doorbell(struct xkvm_pv *pv, uint32_t port, char *why,
                     size_t cap);

/**
 * Who registers doorbells in the kernel (the VM: KVM_IOEVENTFD).  @assign
 * makes a guest write of one byte to I/O port @pio signal @fd (@on 1) or
 * stops it (@on 0); @return 0 or a negative errno.
 */
struct xkvm_pv_doorbell_ops {
    int (*assign)(void *arg, uint16_t pio, int fd, int on);
};

/**
 * Register every held port's doorbell through @ops (NULL: none, and
 * remove those registered), from now on for each port that gets a peer,
 * and remove each as its port closes and at xkvm_pv_destroy().  A first
 * refusal is said once on stderr; from then on doorbells exit to the
 * monitor.  xkvm_vm_set_pv() gives the VM's; for tests.
 */
XVN_EXPORT
void xkvm_pv_set_doorbell_ops(struct xkvm_pv *pv,
                              const struct xkvm_pv_doorbell_ops *ops,
                              void *arg);

/** Ports whose doorbell is registered through the ops (bit p: port p). */
XVN_EXPORT
uint64_t xkvm_pv_doorbells(const struct xkvm_pv *pv);

struct xkvm_vm;

/** Serve @vm's calls 4..11 and its blocks through @pv.  Until then, or
 *  after NULL, a VM has its own interface with no xenstore connection
 *  and no broker (the guest learns it from XKVM_HC_XS_SETUP's -ENODEV).
 *  The caller keeps @pv and destroys it after the VM's last run. */
XVN_EXPORT
void xkvm_vm_set_pv(struct xkvm_vm *vm, struct xkvm_pv *pv);

#ifdef __cplusplus
}
#endif

#endif /* KVM_PV_H */
