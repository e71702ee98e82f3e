/* SPDX-License-Identifier: MIT */
/* The ELF64 loader of guest kernels: validate everything, then copy. */
#include <elf.h>
#include <string.h>

#include "kvm/abi.h"
#include "kvm/elf.h"

static const char *const elf_words[] = {
    [XKVM_ELF_OK] = "a good image",
    [XKVM_ELF_TRUNCATED] = "the file is shorter than an ELF header",
    [XKVM_ELF_NOT_ELF] = "not an ELF file",
    [XKVM_ELF_NOT_X86_64] = "not a 64-bit little-endian x86-64 ELF",
    [XKVM_ELF_NOT_EXEC] = "not a static executable (ET_EXEC)",
    [XKVM_ELF_BAD_PHDRS] = "bad program header table (size, count or offset)",
    [XKVM_ELF_DYNAMIC] = "needs an interpreter or dynamic linking",
    [XKVM_ELF_SEG_FILE] = "a segment's bytes lie beyond the end of the file",
    [XKVM_ELF_SEG_SIZE] = "a segment's file size exceeds its memory size",
    [XKVM_ELF_SEG_VADDR] = ("a segment's virtual address is not its "
                            "physical address (the guest is identity-mapped)"),
    [XKVM_ELF_SEG_RAM] = "a segment lies outside guest RAM above 1 MiB",
    [XKVM_ELF_SEG_OVERLAP] = "two segments overlap",
    [XKVM_ELF_NO_LOAD] = "no loadable segment",
    [XKVM_ELF_ENTRY] = ("the entry point, or the other vCPUs' (its xvnet "
                        "note), is not inside an executable segment"),
    [XKVM_ELF_BAD_NOTE] = ("a note segment does not parse (sizes beyond "
                           "the segment or the file, or a bad xvnet note)"),
};

const char *xkvm_elf_strerror(enum xkvm_elf_status status)
{
    if ((unsigned)status >= sizeof(elf_words) / sizeof(elf_words[0]))
        return "unknown ELF status";
    return elf_words[status];
}

static enum xkvm_elf_status check_ehdr(const Elf64_Ehdr *eh, size_t len)
{
    uint64_t table;

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return XKVM_ELF_NOT_ELF;
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_ident[EI_VERSION] != EV_CURRENT ||
        eh->e_version != EV_CURRENT || eh->e_machine != EM_X86_64)
        return XKVM_ELF_NOT_X86_64;
    if (eh->e_type != ET_EXEC)
        return XKVM_ELF_NOT_EXEC;
    if (eh->e_ehsize != sizeof(Elf64_Ehdr) ||
        eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        eh->e_phnum > XKVM_ELF_PHDRS_MAX)
        return XKVM_ELF_BAD_PHDRS;
    /* e_phnum <= 16, so the table's size cannot overflow; its offset can
     * be anything. */
    table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > len || table > len - eh->e_phoff ||
        eh->e_phoff % 8 != 0)
        return XKVM_ELF_BAD_PHDRS;
    return XKVM_ELF_OK;
}

/* One PT_LOAD against the file and RAM. */
static enum xkvm_elf_status check_load(const Elf64_Phdr *ph, size_t len,
                                       uint64_t ram_size)
{
    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return XKVM_ELF_SEG_FILE;
    if (ph->p_filesz > ph->p_memsz)
        return XKVM_ELF_SEG_SIZE;
    if (ph->p_vaddr != ph->p_paddr)
        return XKVM_ELF_SEG_VADDR;
    if (ph->p_paddr < XKVM_KERNEL_MIN || ph->p_paddr > ram_size ||
        ph->p_memsz > ram_size - ph->p_paddr)
        return XKVM_ELF_SEG_RAM;
    return XKVM_ELF_OK;
}

/*
 * The notes of PT_NOTE @ph (checked to lie in the file here): each a
 * header, a name and a descriptor, both padded.  Ours have the name
 * XKVM_NOTE_NAME: type XKVM_NOTE_NEEDS has a 4-byte descriptor whose bits
 * go into @boot->needs, XKVM_NOTE_AP_ENTRY an 8-byte one, the other
 * vCPUs' entry (checked with the segments); any other note is skipped.
 */
static enum xkvm_elf_status check_notes(const Elf64_Phdr *ph, const void *img,
                                        size_t len, struct xkvm_boot *boot)
{
    static const char name[] = XKVM_NOTE_NAME;
    const unsigned char *p = (const unsigned char *)img + ph->p_offset;
    /* Names and descriptors are padded to the segment's alignment: 4,
     * or 8 in an 8-aligned note segment (GNU property notes). */
    const uint64_t pad = ph->p_align == 8 ? 7 : 3;
    uint64_t left;

    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return XKVM_ELF_BAD_NOTE;
    left = ph->p_filesz;
    while (left > 0) {
        Elf64_Nhdr nh;
        uint64_t nsz, dsz;

        if (left < sizeof(nh))
            return XKVM_ELF_BAD_NOTE;
        memcpy(&nh, p, sizeof(nh));
        nsz = ((uint64_t)nh.n_namesz + pad) & ~pad;
        dsz = ((uint64_t)nh.n_descsz + pad) & ~pad;
        if (nsz > left - sizeof(nh) || dsz > left - sizeof(nh) - nsz)
            return XKVM_ELF_BAD_NOTE;
        if (nh.n_namesz == sizeof(name) &&
            memcmp(p + sizeof(nh), name, sizeof(name)) == 0 &&
            nh.n_type == XKVM_NOTE_NEEDS) {
            uint32_t bits;

            if (nh.n_descsz != sizeof(bits))
                return XKVM_ELF_BAD_NOTE;
            memcpy(&bits, p + sizeof(nh) + nsz, sizeof(bits));
            boot->needs |= bits;
        }
        if (nh.n_namesz == sizeof(name) &&
            memcmp(p + sizeof(nh), name, sizeof(name)) == 0 &&
            nh.n_type == XKVM_NOTE_AP_ENTRY) {
            if (nh.n_descsz != sizeof(boot->ap_entry) || boot->ap_entry)
                return XKVM_ELF_BAD_NOTE;
            memcpy(&boot->ap_entry, p + sizeof(nh) + nsz,
                   sizeof(boot->ap_entry));
            if (!boot->ap_entry)
                return XKVM_ELF_BAD_NOTE;
        }
        p += sizeof(nh) + nsz + dsz;
        left -= sizeof(nh) + nsz + dsz;
    }
    return XKVM_ELF_OK;
}

static int overlaps(const Elf64_Phdr *a, const Elf64_Phdr *b)
{
    /* Both lie inside RAM (checked), so the ends do not overflow. */
    return a->p_paddr < b->p_paddr + b->p_memsz &&
           b->p_paddr < a->p_paddr + a->p_memsz;
}

static enum xkvm_elf_status check_phdrs(const Elf64_Phdr *ph, unsigned n,
                                        const void *img, size_t len,
                                        uint64_t ram_size,
                                        struct xkvm_boot *boot, int *bad)
{
    enum xkvm_elf_status st;
    uint64_t entry = boot->entry;
    int loads = 0, entry_ok = 0, ap_ok = 0;

    for (unsigned i = 0; i < n; i++) {
        *bad = (int)i;
        if (ph[i].p_type == PT_INTERP || ph[i].p_type == PT_DYNAMIC)
            return XKVM_ELF_DYNAMIC;
        if (ph[i].p_type == PT_NOTE) {
            st = check_notes(&ph[i], img, len, boot);
            if (st != XKVM_ELF_OK)
                return st;
            continue;
        }
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        st = check_load(&ph[i], len, ram_size);
        if (st != XKVM_ELF_OK)
            return st;
        for (unsigned j = 0; j < i; j++)
            if (ph[j].p_type == PT_LOAD && ph[j].p_memsz != 0 &&
                overlaps(&ph[i], &ph[j]))
                return XKVM_ELF_SEG_OVERLAP;
        loads++;
        if ((ph[i].p_flags & PF_X) && entry >= ph[i].p_paddr &&
            entry - ph[i].p_paddr < ph[i].p_memsz)
            entry_ok = 1;
    }
    /* The AP entry's note may come after the segments: look again. */
    for (unsigned i = 0; i < n && boot->ap_entry; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
            boot->ap_entry >= ph[i].p_paddr &&
            boot->ap_entry - ph[i].p_paddr < ph[i].p_memsz)
            ap_ok = 1;
    *bad = -1;
    if (!loads)
        return XKVM_ELF_NO_LOAD;
    return entry_ok && (ap_ok || !boot->ap_entry) ? XKVM_ELF_OK
                                                  : XKVM_ELF_ENTRY;
}

enum xkvm_elf_status xkvm_elf_load(void *ram, uint64_t ram_size,
                                   const void *img, size_t len,
                                   struct xkvm_boot *boot,
                                   struct xkvm_elf_error *err)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph[XKVM_ELF_PHDRS_MAX];
    enum xkvm_elf_status st;
    uint64_t end = 0;
    int bad = -1;

    if (err)
        err->phdr = -1;
    if (len < sizeof(eh))
        return XKVM_ELF_TRUNCATED;
    /* Copies, not pointers into the image: aligned, and read once. */
    memcpy(&eh, img, sizeof(eh));
    st = check_ehdr(&eh, len);
    if (st != XKVM_ELF_OK)
        return st;
    memcpy(ph, (const char *)img + eh.e_phoff, eh.e_phnum * sizeof(ph[0]));
    boot->entry = eh.e_entry;
    boot->ap_entry = 0;
    boot->needs = 0;
    st = check_phdrs(ph, eh.e_phnum, img, len, ram_size, boot, &bad);
    if (st != XKVM_ELF_OK) {
        if (err)
            err->phdr = bad;
        return st;
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        char *dst = (char *)ram + ph[i].p_paddr;

        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        memcpy(dst, (const char *)img + ph[i].p_offset, ph[i].p_filesz);
        memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
        if (ph[i].p_paddr + ph[i].p_memsz > end)
            end = ph[i].p_paddr + ph[i].p_memsz;
    }
    boot->kernel_end = end;
    return XKVM_ELF_OK;
}
