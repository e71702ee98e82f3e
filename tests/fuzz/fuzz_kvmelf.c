/* SPDX-License-Identifier: MIT */
/*
 * fuzz_kvmelf.c - libFuzzer harness for the loader of KVM guest kernels
 * (libkvm's elf.c).  The input is an image file, any bytes.  Besides not
 * crashing, the harness checks what the loader promises and aborts on a
 * breach:
 *  - a refused image leaves guest RAM untouched, and names a program
 *    header only within the table;
 *  - an accepted one has its entry and its end inside RAM above 1 MiB,
 *    and the first MiB (the monitor's boot structures) is untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/elf.h"
#include "fuzz_harness.h"

#define RAM_SIZE (2u << 20)
#define FILL 0xa5

static int untouched(const uint8_t *ram)
{
    for (size_t i = 0; i < RAM_SIZE; i++)
        if (ram[i] != FILL)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *ram;
    struct xkvm_boot boot;
    struct xkvm_elf_error err;
    enum xkvm_elf_status st;

    if (!ram && !(ram = malloc(RAM_SIZE)))
        abort();
    memset(ram, FILL, RAM_SIZE);
    memset(&boot, 0, sizeof(boot));
    st = xkvm_elf_load(ram, RAM_SIZE, data, size, &boot, &err);
    if (st != XKVM_ELF_OK) {
        if (!untouched(ram) || err.phdr >= (int)XKVM_ELF_PHDRS_MAX ||
            err.phdr < -1 || !xkvm_elf_strerror(st))
            abort();
        return 0;
    }
    if (boot.entry < XKVM_KERNEL_MIN || boot.entry >= RAM_SIZE ||
        boot.kernel_end <= XKVM_KERNEL_MIN || boot.kernel_end > RAM_SIZE)
        abort();
    for (size_t i = 0; i < XKVM_KERNEL_MIN; i++)
        if (ram[i] != FILL)
            abort();
    return 0;
}
