/* SPDX-License-Identifier: MIT */
/*
 * minios's entry.  The monitor starts it in long mode with RDI pointing at
 * struct xkvm_start_info (kvm/abi.h).  It moves to its own stack and calls
 * minios_main(start_info), which does not return; if it did, the kernel
 * reports a crash.
 */
#include "kvm/abi.h"

    .section .text.entry, "ax"
    .globl _start
_start:
    lea boot_stack_top(%rip), %rsp
    call minios_main
    mov $XKVM_SHUTDOWN_CRASH, %edi
    mov $XKVM_HC_SHUTDOWN, %eax
    outl %eax, $XKVM_HC_PORT
1:  jmp 1b

    .section .bss
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:
