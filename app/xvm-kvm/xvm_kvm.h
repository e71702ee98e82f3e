/* SPDX-License-Identifier: MIT */
/* xvm-kvm: what its two ways of running a guest share. */
#ifndef XVM_KVM_H
#define XVM_KVM_H

#include <stddef.h>

#include "kvm/kvm.h"
#include "xvm/mem.h"

/*
 * Read the kernel image @path (a regular file no larger than RAM) and load
 * it into @mem, for a guest of @vcpus vCPUs (more than one only if it has
 * an AP entry).  On failure @err (@cap bytes) says why, starting with the
 * path: "k.elf: refused: program header 1: two segments overlap".
 * @return 0, -EINVAL (refused) or the -errno of opening or reading it.
 */
int kvm_image_load(struct xvm_mem *mem, const char *path, unsigned vcpus,
                   struct xkvm_boot *boot, char *err, size_t cap);

/* --vcpus @arg: 1 to xkvm_host_cpus_max(); else said on stderr, -EINVAL. */
int kvm_vcpus_parse(const char *arg, unsigned *vcpus);

/* SIGTERM and SIGINT stop the guest (kick it), SIGPIPE is ignored.  Call
 * before kvm_guest_run(), and before a seccomp filter is loaded. */
void kvm_signals_setup(void);

/*
 * Run the guest until it stops, its console on stdout; say on stderr how
 * it ended, each line starting with @who.  @return the exit status:
 * an enum xkvm_exit_status (kvm/kvm.h).
 */
int kvm_guest_run(struct xkvm_vm *vm, const char *who);

/*
 * xvm-kvm --domain: run the guest of domain @name (id @id, @vcpus vCPUs)
 * for xvmd, with the start handshake on fd 3 (kvm_domain.c).  @return the
 * exit status.
 */
int kvm_domain_main(const char *name, unsigned id, const char *kernel,
                    unsigned vcpus);

#endif /* XVM_KVM_H */
