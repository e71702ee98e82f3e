/* SPDX-License-Identifier: MIT */
/*
 * The boot state of kvm/abi.h: the first MiB's structures (GDT and TSS,
 * start info, identity page tables) and the vCPUs' registers in long mode,
 * at CPL 0 or CPL 3 (docs/kvm.md, "Running natively on kvm_pvm").
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_pvt.h"

#define TSS_GPA (XKVM_GDT_GPA + 0x80) /* beside the GDT, in its page */
#define TSS_IOMAP 0x68u                /* the I/O bitmap's offset */
#define TSS_IOMAP_FIELD 0x66u          /* where the TSS says that offset */
/* The bitmap (a clear bit opens a port) and the byte of ones after it. */
#define TSS_LIMIT (TSS_IOMAP + XKVM_IO_PORTS / 8)
#define SEL_TSS 0x18

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull /* user-accessible: the same tables serve CPL 3 */
#define PTE_PS 0x80ull /* a 2 MiB page in a PD entry */

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* GDT descriptors: flat 64-bit code and flat data, both accessed, at
 * DPL 0 and (DPL in bits 45-46) at DPL 3. */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull
#define GDT_DPL3 (3ull << 45)

_Static_assert(XKVM_BOOT_STACK(XKVM_CPUS_MAX) >= XKVM_BOOT_END,
               "every vCPU's boot stack lies above the boot structures");

static void *gpa(struct xkvm_vm *vm, uint64_t addr)
{
    return (char *)vm->ram + addr;
}

/* GDT with a 64-bit TSS descriptor (two slots).  The TSS matters only for
 * its I/O bitmap, which opens ports [0, XKVM_IO_PORTS) to CPL 3 (KVM's
 * emulator checks it on kvm_pvm); VMX wants a usable TR anyway.  Every
 * vCPU loads the same one: with no interrupt or privilege change nothing
 * writes to it, and no vCPU runs ltr, which would want it not busy. */
static void gdt_write(struct xkvm_vm *vm)
{
    uint64_t *gdt = gpa(vm, XKVM_GDT_GPA);
    uint8_t *tss = gpa(vm, TSS_GPA);
    uint64_t base = TSS_GPA;

    memset(gdt, 0, XKVM_PAGE_SIZE);
    gdt[XKVM_SEL_CODE / 8] = GDT_CODE64;
    gdt[XKVM_SEL_DATA / 8] = GDT_DATA;
    gdt[XKVM_SEL_USER_DATA / 8] = GDT_DATA | GDT_DPL3;
    gdt[XKVM_SEL_USER_CODE / 8] = GDT_CODE64 | GDT_DPL3;
    gdt[SEL_TSS / 8] = TSS_LIMIT | (base & 0xffffff) << 16 |
                       0x8bull << 40 | /* present, busy 64-bit TSS */
                       ((base >> 24) & 0xff) << 56;
    gdt[SEL_TSS / 8 + 1] = base >> 32;
    tss[TSS_IOMAP_FIELD] = TSS_IOMAP & 0xff;
    tss[TSS_IOMAP_FIELD + 1] = TSS_IOMAP >> 8;
    tss[TSS_LIMIT] = 0xff; /* the bitmap (zeroed above) ends in ones */
}

static unsigned map_gib(const struct xkvm_vm *vm)
{
    uint64_t gib = (vm->ram_size + (1ull << 30) - 1) >> 30;

    if (gib < (XKVM_MAP_MIN >> 30))
        gib = XKVM_MAP_MIN >> 30;
    return (unsigned)gib; /* <= XKVM_PD_MAX: xkvm_vm_create checked RAM */
}

static void page_tables_write(struct xkvm_vm *vm)
{
    uint64_t *pml4 = gpa(vm, XKVM_PML4_GPA);
    uint64_t *pdpt = gpa(vm, XKVM_PDPT_GPA);
    unsigned gib = map_gib(vm);

    memset(pml4, 0, XKVM_PAGE_SIZE);
    memset(pdpt, 0, XKVM_PAGE_SIZE);
    pml4[0] = XKVM_PDPT_GPA | PTE_P | PTE_RW | PTE_US;
    for (unsigned g = 0; g < gib; g++) {
        uint64_t pd_gpa = XKVM_PD_GPA + (uint64_t)g * XKVM_PAGE_SIZE;
        uint64_t *pd = gpa(vm, pd_gpa);

        pdpt[g] = pd_gpa | PTE_P | PTE_RW | PTE_US;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | PTE_P |
                    PTE_RW | PTE_US | PTE_PS;
    }
}

/* A flat segment of @sel's GDT descriptor; its DPL is @sel's RPL. */
static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->limit = 0xffffffff;
    s->type = type;
    s->present = 1;
    s->dpl = sel & 3;
    s->s = 1;
    s->g = 1;
    s->l = code ? 1 : 0;
    s->db = code ? 0 : 1;
}

static int sregs_set(struct xkvm_vm *vm, int fd)
{
    int user = vm->cpl == 3;
    struct kvm_sregs s;

    if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    seg(&s.cs, user ? XKVM_SEL_USER_CODE : XKVM_SEL_CODE, 0xb, 1);
    seg(&s.ds, user ? XKVM_SEL_USER_DATA : XKVM_SEL_DATA, 0x3, 0);
    s.es = s.fs = s.gs = s.ss = s.ds;
    memset(&s.tr, 0, sizeof(s.tr));
    s.tr.selector = SEL_TSS;
    s.tr.base = TSS_GPA;
    s.tr.limit = TSS_LIMIT;
    s.tr.type = 0xb;
    s.tr.present = 1;
    memset(&s.ldt, 0, sizeof(s.ldt));
    s.ldt.type = 0x2;
    s.ldt.unusable = 1;
    s.gdt.base = XKVM_GDT_GPA;
    s.gdt.limit = XKVM_SEL_USER_CODE | 7; /* its last descriptor */
    s.idt.base = 0; /* no IDT: an exception is a triple fault */
    s.idt.limit = 0;
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    s.cr3 = XKVM_PML4_GPA;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.efer = EFER_LME | EFER_LMA;
    memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
    return ioctl(fd, KVM_SET_SREGS, &s) < 0 ? -errno : 0;
}

/* vCPU @id at @rip, on its own boot stack, with its id in RSI. */
static int vcpu_start(struct xkvm_vm *vm, unsigned id, uint64_t rip)
{
    struct kvm_regs r;
    int rc = sregs_set(vm, vm->cpu[id].fd);

    if (rc < 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.rip = rip;
    r.rsp = XKVM_BOOT_STACK(id);
    r.rdi = XKVM_START_INFO_GPA;
    r.rsi = id;
    r.rflags = 0x2;
    return ioctl(vm->cpu[id].fd, KVM_SET_REGS, &r) < 0 ? -errno : 0;
}

int xkvm_vm_boot(struct xkvm_vm *vm, const struct xkvm_boot *boot)
{
    struct xkvm_start_info *si = gpa(vm, XKVM_START_INFO_GPA);
    int rc;

    if (boot->entry < XKVM_KERNEL_MIN || boot->entry >= vm->ram_size)
        return -EINVAL;
    if (vm->nr_cpus > 1 && !boot->ap_entry)
        return -ENOEXEC;
    if (vm->nr_cpus > 1 && (boot->ap_entry < XKVM_KERNEL_MIN ||
                            boot->ap_entry >= vm->ram_size))
        return -EINVAL;
    if ((boot->needs & XKVM_NEEDS_SUPERVISOR) && !vm->cpl_set)
        vm->cpl = 0;
    gdt_write(vm);
    page_tables_write(vm);
    memset(si, 0, XKVM_PAGE_SIZE);
    si->magic = XKVM_START_MAGIC;
    si->version = XKVM_START_VERSION;
    si->ram_bytes = vm->ram_size;
    si->kernel_end = boot->kernel_end;
    si->cpl = vm->cpl;
    si->cpus = vm->nr_cpus;
    for (unsigned i = 0; i < vm->nr_cpus; i++) {
        rc = vcpu_start(vm, i, i ? boot->ap_entry : boot->entry);
        if (rc < 0)
            return rc;
    }
    vm->stopped = 0;
    return 0;
}
