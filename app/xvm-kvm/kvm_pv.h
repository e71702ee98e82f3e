/* SPDX-License-Identifier: MIT */
/*
 * xvm-kvm: the guest's paravirtual interface (kvm/pv.h) for a domain: its
 * xenstore connection, and xvmd's guest channel as the broker of its
 * event channels (the protocol xvm-procdom speaks, xvmdctl/proto.h).
 */
#ifndef XVM_KVM_PV_H
#define XVM_KVM_PV_H

#include "kvm/kvm.h"
#include "kvm/pv.h"

/** What the domain gives the monitor. */
struct kvm_pv_opts {
    unsigned domid; /* the guest's domain id */
    int xs_fd;      /* its xenstore connection (given to the interface), or -1 */
    int chan_fd;    /* xvmd's guest channel (SOCK_SEQPACKET), or -1: the
                     * monitor makes doorbells no backend can bind */
};

/**
 * Make @vm's interface from @o and give it to the VM.  @return it (the
 * caller destroys it after the last run), or NULL with errno; @o->xs_fd is
 * the interface's either way.
 */
struct xkvm_pv *kvm_pv_attach(struct xkvm_vm *vm, const struct kvm_pv_opts *o);

#endif /* XVM_KVM_PV_H */
