/* SPDX-License-Identifier: MIT */
/* libkvm's inside: the VM object, shared by vm.c, boot.c, run.c, probe.c. */
#ifndef KVM_PVT_H
#define KVM_PVT_H

#include <linux/kvm.h>

#include "kvm/kvm.h"
#include "kvm/pv.h"
#include "xvm/mem.h"

struct xkvm_vm {
    int kvm_fd;
    int vm_fd;
    int cpu_fd;
    struct kvm_run *run; /* the vCPU's shared page(s) */
    size_t run_size;
    struct xvm_mem *mem; /* guest RAM, guest-physical 0 */
    void *ram;
    uint64_t ram_size;
    int kick_fd;         /* eventfd: xkvm_vm_kick() wakes a block */
    struct xkvm_pv *pv;  /* serves calls 4..11 and blocks (kvm/pv.h) */
    struct xkvm_pv *pv_own; /* the default: no xenstore, no broker */
    int ioeventfd_off;        /* doorbells always exit (xkvm_vm_set_ioeventfd) */
    int cpl;                  /* the guest starts at CPL 0 or 3 */
    int cpl_set;              /* chosen by xkvm_vm_set_cpl() */
    struct xkvm_exit_counts counts;
    int stopped;              /* powered off, rebooted, crashed or failed */
    struct xkvm_stop final;   /* why, once stopped */
};

/* Give @pv the VM's doorbell registration (KVM_IOEVENTFD), or take it
 * back (@on 0) before the VM's descriptor goes. */
void xkvm_vm_doorbells_attach(struct xkvm_vm *vm, struct xkvm_pv *pv, int on);

/* One KVM_RUN: 0 (see vm->run->exit_reason) or a negative errno. */
int xkvm_cpu_enter(struct xkvm_vm *vm);

#endif /* KVM_PVT_H */
