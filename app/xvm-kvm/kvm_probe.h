/* SPDX-License-Identifier: MIT */
/* xvm-kvm --probe: the host's KVM and the exits its guests reach. */
#ifndef XVM_KVM_PROBE_H
#define XVM_KVM_PROBE_H

/* Print the table on stdout; 0 if hypercalls (port I/O) work, else 1. */
int kvm_probe_main(void);

/* Say on stderr why no VM could be made (xkvm_vm_create()'s errno). */
void kvm_vm_error(int err);

#endif /* XVM_KVM_PROBE_H */
