/* SPDX-License-Identifier: MIT */
/*
 * libkvm's ELF loader (kvm/elf.h) against good and hostile images built
 * here: every refusal leaves RAM untouched, a good image lands where its
 * headers say, and a quarter of a million random mutations of a good image
 * neither crash the loader (this test runs under ASan too) nor ever write
 * outside [1 MiB, RAM).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kvm/elf.h"

#define RAM_SIZE (4u << 20)
#define TEXT_GPA 0x100000u
#define DATA_GPA 0x102000u
#define IMG_SIZE 0x3000u

static unsigned char ram[RAM_SIZE];
static unsigned char img[IMG_SIZE];

/* A good image: text (R X, 0x100 bytes at file 0x1000) and data (R W,
 * 0x80 file bytes, 0x1000 in memory, at file 0x2000). */
static void img_make(void)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
    Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

    memset(img, 0, sizeof(img));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = TEXT_GPA + 0x10;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 3;
    ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
                          .p_offset = 0x1000, .p_vaddr = TEXT_GPA,
                          .p_paddr = TEXT_GPA, .p_filesz = 0x100,
                          .p_memsz = 0x100, .p_align = 0x1000 };
    ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
                          .p_offset = 0x2000, .p_vaddr = DATA_GPA,
                          .p_paddr = DATA_GPA, .p_filesz = 0x80,
                          .p_memsz = 0x1000, .p_align = 0x1000 };
    ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
    memset(img + 0x1000, 0xc3, 0x100);
    memset(img + 0x2000, 0xd7, 0x80);
}

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *phdr(int i)
{
    return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

static int ram_is(unsigned char v)
{
    for (size_t i = 0; i < sizeof(ram); i++)
        if (ram[i] != v)
            return 0;
    return 1;
}

/* Load the current image into RAM filled with 0xee; check the status, the
 * program header blamed and, for a refusal, that RAM is untouched. */
static void expect(enum xkvm_elf_status want, int want_phdr, size_t len)
{
    struct xkvm_elf_error err;
    struct xkvm_boot boot;
    enum xkvm_elf_status st;

    memset(ram, 0xee, sizeof(ram));
    st = xkvm_elf_load(ram, sizeof(ram), img, len, &boot, &err);
    CHECK_EQ(st, want);
    CHECK_EQ(err.phdr, want_phdr);
    if (st != XKVM_ELF_OK)
        CHECK(ram_is(0xee));
}

static void test_good(void)
{
    struct xkvm_boot boot;

    img_make();
    memset(ram, 0xee, sizeof(ram));
    CHECK_EQ(xkvm_elf_load(ram, sizeof(ram), img, sizeof(img), &boot, NULL),
             XKVM_ELF_OK);
    CHECK_EQ(boot.entry, TEXT_GPA + 0x10);
    CHECK_EQ(boot.kernel_end, DATA_GPA + 0x1000);
    CHECK(ram[TEXT_GPA] == 0xc3 && ram[TEXT_GPA + 0xff] == 0xc3);
    CHECK(ram[TEXT_GPA + 0x100] == 0xee);
    CHECK(ram[DATA_GPA] == 0xd7 && ram[DATA_GPA + 0x7f] == 0xd7);
    CHECK(ram[DATA_GPA + 0x80] == 0 && ram[DATA_GPA + 0xfff] == 0);
    CHECK(ram[DATA_GPA + 0x1000] == 0xee && ram[TEXT_GPA - 1] == 0xee);
    /* A segment may end exactly at the end of RAM. */
    phdr(1)->p_paddr = phdr(1)->p_vaddr = RAM_SIZE - 0x1000;
    expect(XKVM_ELF_OK, -1, sizeof(img));
}

static void test_header(void)
{
    img_make();
    expect(XKVM_ELF_TRUNCATED, -1, sizeof(Elf64_Ehdr) - 1);
    expect(XKVM_ELF_TRUNCATED, -1, 0);
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(Elf64_Ehdr) + 56);
    img[1] = 'X';
    expect(XKVM_ELF_NOT_ELF, -1, sizeof(img));
    img_make();
    img[EI_CLASS] = ELFCLASS32;
    expect(XKVM_ELF_NOT_X86_64, -1, sizeof(img));
    img_make();
    ehdr()->e_machine = EM_386;
    expect(XKVM_ELF_NOT_X86_64, -1, sizeof(img));
    img_make();
    ehdr()->e_type = ET_DYN;
    expect(XKVM_ELF_NOT_EXEC, -1, sizeof(img));
    img_make();
    ehdr()->e_phentsize = 32;
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(img));
    img_make();
    ehdr()->e_phnum = XKVM_ELF_PHDRS_MAX + 1;
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(img));
    img_make();
    ehdr()->e_phnum = 0;
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(img));
    img_make();
    ehdr()->e_phoff = ~0ull - 7;
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(img));
    img_make();
    ehdr()->e_phoff = IMG_SIZE - 56;
    expect(XKVM_ELF_BAD_PHDRS, -1, sizeof(img));
}

static void test_segments(void)
{
    img_make();
    phdr(0)->p_offset = IMG_SIZE - 0x80;
    expect(XKVM_ELF_SEG_FILE, 0, sizeof(img));
    img_make();
    phdr(1)->p_offset = ~0ull - 0x10;
    expect(XKVM_ELF_SEG_FILE, 1, sizeof(img));
    img_make();
    phdr(1)->p_memsz = 0x40; /* below its 0x80 file bytes */
    expect(XKVM_ELF_SEG_SIZE, 1, sizeof(img));
    img_make();
    phdr(0)->p_vaddr = 0xffffffff80100000ull;
    expect(XKVM_ELF_SEG_VADDR, 0, sizeof(img));
    img_make();
    phdr(1)->p_paddr = phdr(1)->p_vaddr = RAM_SIZE - 0x800;
    expect(XKVM_ELF_SEG_RAM, 1, sizeof(img));
    img_make();
    phdr(0)->p_paddr = phdr(0)->p_vaddr = 0x1000; /* the boot structures */
    expect(XKVM_ELF_SEG_RAM, 0, sizeof(img));
    img_make();
    phdr(1)->p_paddr = phdr(1)->p_vaddr = ~0ull - 0xfff;
    expect(XKVM_ELF_SEG_RAM, 1, sizeof(img));
    img_make();
    phdr(1)->p_memsz = ~0ull;
    expect(XKVM_ELF_SEG_RAM, 1, sizeof(img));
    img_make();
    phdr(1)->p_paddr = phdr(1)->p_vaddr = TEXT_GPA + 0xff;
    expect(XKVM_ELF_SEG_OVERLAP, 1, sizeof(img));
    img_make();
    phdr(2)->p_type = PT_INTERP;
    expect(XKVM_ELF_DYNAMIC, 2, sizeof(img));
    img_make();
    phdr(0)->p_type = phdr(1)->p_type = PT_GNU_STACK;
    expect(XKVM_ELF_NO_LOAD, -1, sizeof(img));
    /* Code read as notes does not parse. */
    img_make();
    phdr(0)->p_type = PT_NOTE;
    expect(XKVM_ELF_BAD_NOTE, 0, sizeof(img));
}

static void test_entry(void)
{
    img_make();
    ehdr()->e_entry = TEXT_GPA + 0x100; /* one past the text */
    expect(XKVM_ELF_ENTRY, -1, sizeof(img));
    ehdr()->e_entry = DATA_GPA; /* not executable */
    expect(XKVM_ELF_ENTRY, -1, sizeof(img));
    ehdr()->e_entry = 0;
    expect(XKVM_ELF_ENTRY, -1, sizeof(img));
    CHECK(strcmp(xkvm_elf_strerror(XKVM_ELF_ENTRY), "") != 0);
    CHECK(strcmp(xkvm_elf_strerror((enum xkvm_elf_status)999),
                 "unknown ELF status") == 0);
}

/* Random mutations of the headers: whatever the loader says, it writes
 * nothing below 1 MiB, and a good result has its entry inside RAM. */
static void test_mutations(void)
{
    static unsigned char copy[IMG_SIZE];
    unsigned seed = 1, bad = 0;

    img_make();
    memcpy(copy, img, sizeof(img));
    for (int round = 0; round < 250000; round++) {
        struct xkvm_boot boot;
        size_t len = sizeof(img);

        memcpy(img, copy, sizeof(img));
        for (int k = 1 + rand_r(&seed) % 4; k > 0; k--) {
            size_t at = (size_t)rand_r(&seed) % (sizeof(Elf64_Ehdr) + 3 * 56);

            img[at] = (unsigned char)rand_r(&seed);
        }
        if (rand_r(&seed) % 8 == 0)
            len = (size_t)rand_r(&seed) % sizeof(img);
        memset(ram, 0xee, XKVM_KERNEL_MIN);
        if (xkvm_elf_load(ram, sizeof(ram), img, len, &boot, NULL) ==
                XKVM_ELF_OK &&
            (boot.entry < XKVM_KERNEL_MIN || boot.entry >= sizeof(ram)))
            bad++;
        for (size_t i = 0; i < XKVM_KERNEL_MIN; i += 512)
            if (ram[i] != 0xee)
                bad++;
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    RUN(test_good);
    RUN(test_header);
    RUN(test_segments);
    RUN(test_entry);
    RUN(test_mutations);
    return check_summary();
}
