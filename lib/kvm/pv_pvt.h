/* SPDX-License-Identifier: MIT */
/* libkvm's paravirtual interface inside: shared by pv.c and pv_xs.c. */
#ifndef KVM_PV_PVT_H
#define KVM_PV_PVT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "kvm/pv.h"
#include "xvm/evtchn.h"

struct xkvm_pv {
    /* Taken by each call of a vCPU (xkvm_pv_call, xkvm_pv_doorbell, the
     * looks of xkvm_pv_block), never across a wait. */
    pthread_mutex_t lock;
    uint8_t *ram;
    uint64_t ram_size;
    domid_t self;
    const struct xkvm_evtchn_broker *broker;
    void *broker_arg;
    struct xvm_evtchn *ec;
    uint64_t ports;              /* bit p: the guest holds port p */
    uint64_t gt_gfn;
    uint32_t gt_frames;          /* 0: no grant table yet */
    struct shared_info *si;      /* in guest RAM, or NULL */
    /* Doorbells in the kernel (KVM_IOEVENTFD): who registers them, which
     * ports have one, on which eventfd (the peer's, to remove it). */
    const struct xkvm_pv_doorbell_ops *db_ops;
    void *db_arg;
    uint64_t db_armed;
    int db_fd[XKVM_EVTCHN_PORTS];
    bool db_refused;             /* the kernel said no once: exits only */
    /* The xenstore relay.  The monitor keeps its own copy of the indices
     * it produces (rsp_prod) or consumes (req_cons) and only writes them
     * to the ring: what the guest writes there is never read back. */
    int xs_fd;                   /* the domain's connection, or -1 */
    struct xenstore_domain_interface *xs; /* in guest RAM, or NULL */
    XENSTORE_RING_IDX req_cons;
    XENSTORE_RING_IDX rsp_prod;
    bool xs_out_blocked;         /* requests wait for the socket */
};

/* Is [gfn, gfn + n) inside RAM and clear of the monitor's boot
 * structures?  Overflow-safe. */
bool xkvm_pv_frames_ok(const struct xkvm_pv *pv, uint64_t gfn, uint64_t n);

/* XKVM_HC_XS_SETUP.  0 (ret set) or -EINVAL with @why. */
int xkvm_pv_xs_setup(struct xkvm_pv *pv, uint64_t gfn, uint64_t *ret,
                     char *why, size_t cap);

/* Move what can move both ways without waiting.  @return 1 if bytes were
 * put in the guest's rsp ring, 0 if not, -EINVAL (the guest's indices
 * broke the ring; @why says how). */
int xkvm_pv_xs_relay(struct xkvm_pv *pv, char *why, size_t cap);

/* The events to poll the connection for now: 0 if none. */
short xkvm_pv_xs_events(const struct xkvm_pv *pv);

#endif /* KVM_PV_PVT_H */
