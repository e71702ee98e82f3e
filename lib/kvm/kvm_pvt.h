/* SPDX-License-Identifier: MIT */
/* libkvm's inside: the VM object, shared by vm.c, boot.c, run.c, probe.c. */
#ifndef KVM_PVT_H
#define KVM_PVT_H

#include <linux/kvm.h>
#include <pthread.h>
#include <sys/types.h>

#include "kvm/kvm.h"
#include "kvm/pv.h"
#include "xvm/mem.h"

/* One vCPU.  Its thread alone touches its descriptor and run page while
 * the VM runs; a kick from any thread only sets immediate_exit, writes
 * kick_fd and signals tid. */
struct xkvm_vcpu {
    struct xkvm_vm *vm;
    unsigned id;
    int fd;
    struct kvm_run *run; /* its shared page(s) */
    int kick_fd;         /* eventfd: a kick wakes its block */
    pid_t tid;           /* the thread running it, 0 when none */
    pthread_t thread;    /* vCPUs 1.. while xkvm_vm_run() runs */
};

struct xkvm_vm {
    int kvm_fd;
    int vm_fd;
    unsigned nr_cpus;
    struct xkvm_vcpu cpu[XKVM_CPUS_MAX];
    size_t run_size;
    struct xvm_mem *mem; /* guest RAM, guest-physical 0 */
    void *ram;
    uint64_t ram_size;
    pid_t pid;           /* for tgkill of the vCPU threads */
    /* Taken by every hypercall that touches what the vCPUs share (the
     * paravirtual interface, the console, the final stop), never across
     * a wait. */
    pthread_mutex_t lock;
    int kicked;               /* xkvm_vm_kick(): runs return KICKED */
    const struct xkvm_dev_ops *ops; /* of the current xkvm_vm_run() */
    void *ops_arg;
    struct xkvm_pv *pv;  /* serves calls 4..11 and blocks (kvm/pv.h) */
    struct xkvm_pv *pv_own; /* the default: no xenstore, no broker */
    int ioeventfd_off;        /* doorbells always exit (xkvm_vm_set_ioeventfd) */
    int cpl;                  /* the guest starts at CPL 0 or 3 */
    int cpl_set;              /* chosen by xkvm_vm_set_cpl() */
    struct xkvm_exit_counts counts;
    int stopped;              /* powered off, rebooted, crashed or failed */
    struct xkvm_stop final;   /* why, once stopped: the first stop's */
};

/* Give @pv the VM's doorbell registration (KVM_IOEVENTFD), or take it
 * back (@on 0) before the VM's descriptor goes. */
void xkvm_vm_doorbells_attach(struct xkvm_vm *vm, struct xkvm_pv *pv, int on);

/* One KVM_RUN of @c: 0 (see c->run->exit_reason) or a negative errno. */
int xkvm_cpu_enter(struct xkvm_vcpu *c);

/* Make every vCPU leave KVM_RUN (immediate_exit, its kick eventfd, and
 * XKVM_KICK_SIGNAL to its thread).  Async-signal-safe. */
void xkvm_vm_kick_cpus(struct xkvm_vm *vm);

#endif /* KVM_PVT_H */
