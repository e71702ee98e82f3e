/* SPDX-License-Identifier: MIT */
/* xvm-kvm: the guest's paravirtual interface for a domain (kvm_pv.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "kvm_pv.h"
#include "xvmdctl/client.h"

/* alloc_unbound through xvmd, exactly as a process domain asks: xvmd
 * makes both doorbells and the backend binds through xvmd. */
static int chan_alloc_unbound(void *arg, domid_t remote, uint32_t *port,
                              int *own_fd, int *peer_fd)
{
    int chan = (int)(intptr_t)arg;

    return xvmd_guest_evtchn_alloc(chan, remote, port, own_fd, peer_fd);
}

/* The guest's close gives the port back to xvmd's budget of the domain. */
static int chan_close(void *arg, uint32_t port)
{
    return xvmd_guest_evtchn_close((int)(intptr_t)arg, port);
}

static const struct xkvm_evtchn_broker chan_broker = {
    .alloc_unbound = chan_alloc_unbound,
    .close = chan_close,
};

struct xkvm_pv *kvm_pv_attach(struct xkvm_vm *vm, const struct kvm_pv_opts *o)
{
    struct xkvm_pv_params p = {
        .self = (domid_t)o->domid,
        .xs_fd = o->xs_fd,
        .broker = o->chan_fd >= 0 ? &chan_broker : NULL,
        .broker_arg = (void *)(intptr_t)o->chan_fd,
    };
    struct xkvm_pv *pv;

    if (o->domid >= DOMID_FIRST_RESERVED) {
        if (o->xs_fd >= 0)
            close(o->xs_fd);
        errno = EINVAL;
        return NULL;
    }
    pv = xkvm_pv_create(xkvm_vm_ram(vm), xkvm_vm_ram_size(vm), &p);
    if (pv)
        xkvm_vm_set_pv(vm, pv);
    return pv;
}
