/* SPDX-License-Identifier: MIT */
/*
 * The entry of minios's other vCPUs (kvm/abi.h, "More vCPUs"), and the
 * xvnet note that names it, without which the monitor runs the kernel
 * with one vCPU only.  The monitor starts vCPU N (N >= 1) here with RSI
 * = N and RDI the start info; it moves to its own stack and calls
 * minios_ap_main(start_info, N), which does not return; if it did, the
 * kernel reports a crash.
 */
#include "kvm/abi.h"

#define AP_STACK_BYTES 16384

    .section .note.xvnet, "a"
    .balign 4
    .long 6                     /* n_namesz: "xvnet\0" */
    .long 8                     /* n_descsz */
    .long XKVM_NOTE_AP_ENTRY
    .asciz "xvnet"
    .balign 4
    .quad ap_start

    .section .text
    .globl ap_start
ap_start:
    test %rsi, %rsi             /* vCPU 0 never enters here */
    jz 2f
    cmp $XKVM_CPUS_MAX, %rsi
    jae 2f
    mov %rsi, %rax
    shl $14, %rax               /* N * AP_STACK_BYTES: the top of slot N-1 */
    lea ap_stacks(%rip), %rsp
    add %rax, %rsp
    call minios_ap_main
2:  mov $XKVM_SHUTDOWN_CRASH, %edi
    mov $XKVM_HC_SHUTDOWN, %eax
    outl %eax, $XKVM_HC_PORT
1:  jmp 1b

    .section .bss
    .balign 16
ap_stacks:
    .skip AP_STACK_BYTES * (XKVM_CPUS_MAX - 1)
