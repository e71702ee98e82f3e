/* SPDX-License-Identifier: MIT */
/*
 * kvm/elf.h - the loader of a KVM guest's kernel: a static ELF64 x86-64
 * executable, linked at its physical addresses (kvm/abi.h's identity map).
 *
 * The image is hostile until proven otherwise.  Every header field is
 * checked against the file's size and against guest RAM before a byte is
 * copied, with overflow-safe arithmetic, so a bad image changes nothing in
 * RAM and is refused with a status that says what is wrong.  Any thread;
 * no state.
 */
#ifndef KVM_ELF_H
#define KVM_ELF_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "kvm/kvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most program headers an image may have. */
#define XKVM_ELF_PHDRS_MAX 16u

/** What xkvm_elf_load() found wrong (0: nothing). */
enum xkvm_elf_status {
    XKVM_ELF_OK = 0,
    XKVM_ELF_TRUNCATED,    /* shorter than its ELF header */
    XKVM_ELF_NOT_ELF,      /* no ELF magic */
    XKVM_ELF_NOT_X86_64,   /* not ELF64, little-endian, version 1, x86-64 */
    XKVM_ELF_NOT_EXEC,     /* not ET_EXEC (a PIE or a relocatable object) */
    XKVM_ELF_BAD_PHDRS,    /* program header table: size, count or place */
    XKVM_ELF_DYNAMIC,      /* PT_INTERP or PT_DYNAMIC: not a static kernel */
    XKVM_ELF_SEG_FILE,     /* a segment's bytes lie beyond the file's end */
    XKVM_ELF_SEG_SIZE,     /* a segment's file size exceeds its memory size */
    XKVM_ELF_SEG_VADDR,    /* virtual address differs from physical */
    XKVM_ELF_SEG_RAM,      /* a segment lies outside [1 MiB, end of RAM) */
    XKVM_ELF_SEG_OVERLAP,  /* two segments share guest memory */
    XKVM_ELF_NO_LOAD,      /* no PT_LOAD segment with bytes */
    XKVM_ELF_ENTRY,        /* entry or AP entry not in an executable segment */
    XKVM_ELF_BAD_NOTE,     /* a PT_NOTE segment that does not parse */
};

/** The reason in words, e.g. "a segment lies outside guest RAM". */
XVN_EXPORT
const char *xkvm_elf_strerror(enum xkvm_elf_status status);

/** Where a refused image went wrong, beyond its status. */
struct xkvm_elf_error {
    int phdr; /* the program header at fault, or -1 */
};

/**
 * Check the ELF image @img (@len bytes) and, if it is good, copy its PT_LOAD
 * segments into @ram (guest RAM of @ram_size bytes, guest-physical 0) and
 * zero their tails (memsz beyond filesz).
 *
 * @param boot  filled with the entry, the end of the highest segment and
 *              what the kernel's xvnet notes say: what it needs
 *              and where its other vCPUs start (kvm/abi.h)
 * @param err   may be NULL; for a refusal, the program header at fault
 * @return XKVM_ELF_OK, or the first problem found (RAM is untouched).
 */
XVN_EXPORT
enum xkvm_elf_status xkvm_elf_load(void *ram, uint64_t ram_size,
                                   const void *img, size_t len,
                                   struct xkvm_boot *boot,
                                   struct xkvm_elf_error *err);

#ifdef __cplusplus
}
#endif

#endif /* KVM_ELF_H */
