/* SPDX-License-Identifier: MIT */
/* xvm-kvm --probe: the host's KVM and the exits its guests reach. */
#ifndef XVM_KVM_PROBE_H
#define XVM_KVM_PROBE_H

#include <stddef.h>

/* Print the table on stdout; 0 if hypercalls (port I/O) work, else 1. */
int kvm_probe_main(void);

/* Say on stderr why no VM could be made (xkvm_vm_create()'s errno). */
void kvm_vm_error(int err);

/* The same in @buf (@cap bytes), without the program's name. */
void kvm_vm_strerror(int err, char *buf, size_t cap);

#endif /* XVM_KVM_PROBE_H */
