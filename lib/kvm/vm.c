/* SPDX-License-Identifier: MIT */
/* The host's KVM, and a VM with its vCPUs over a domain's memfd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_pvt.h"

static int module_loaded(const char *name)
{
    char path[64];

    snprintf(path, sizeof(path), "/sys/module/%s", name);
    return access(path, F_OK) == 0;
}

enum xkvm_host xkvm_host_kind(void)
{
    if (module_loaded("kvm_intel"))
        return XKVM_HOST_INTEL;
    if (module_loaded("kvm_amd"))
        return XKVM_HOST_AMD;
    if (module_loaded("kvm_pvm"))
        return XKVM_HOST_PVM;
    return module_loaded("kvm") ? XKVM_HOST_OTHER : XKVM_HOST_NONE;
}

const char *xkvm_host_name(enum xkvm_host host)
{
    switch (host) {
    case XKVM_HOST_NONE: return "none";
    case XKVM_HOST_INTEL: return "kvm_intel";
    case XKVM_HOST_AMD: return "kvm_amd";
    case XKVM_HOST_PVM: return "kvm_pvm";
    case XKVM_HOST_OTHER: break;
    }
    return "unknown";
}

int xkvm_host_interrupts(enum xkvm_host host)
{
    return host == XKVM_HOST_INTEL || host == XKVM_HOST_AMD;
}

int xkvm_host_cpl(enum xkvm_host host)
{
    return host == XKVM_HOST_PVM ? 3 : 0;
}

unsigned xkvm_host_cpus_max(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    return n < (long)XKVM_CPUS_MAX ? (unsigned)n : XKVM_CPUS_MAX;
}

int xkvm_vm_set_cpl(struct xkvm_vm *vm, int cpl)
{
    if (cpl != 0 && cpl != 3)
        return -EINVAL;
    vm->cpl = cpl;
    vm->cpl_set = 1;
    return 0;
}

const char *xkvm_needs_refusal(uint32_t needs, enum xkvm_host host)
{
    if (needs & ~XKVM_NEEDS__ALL)
        return "it needs something this monitor does not know of "
               "(unknown bits in its xvnet note)";
    if ((needs & XKVM_NEEDS_INTERRUPTS) && !xkvm_host_interrupts(host))
        return "it takes interrupts or exceptions, which this host's KVM "
               "cannot deliver to a guest";
    if (needs & XKVM_NEEDS_INTERRUPTS)
        return "it takes interrupts or exceptions, which this monitor does "
               "not deliver (it has no interrupt controller)";
    return NULL;
}

/* The host's supported CPUID, as every vCPU's. */
static int cpuid_set(struct xkvm_vm *vm)
{
    struct kvm_cpuid2 *c = NULL;
    unsigned nent = 64;
    int rc;

    for (;;) {
        free(c);
        c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
        if (!c)
            return -ENOMEM;
        c->nent = nent;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            break;
        rc = -errno;
        if (rc != -E2BIG || nent >= 1024) {
            free(c);
            return rc;
        }
        nent *= 2;
    }
    rc = 0;
    for (unsigned i = 0; i < vm->nr_cpus && rc == 0; i++)
        if (ioctl(vm->cpu[i].fd, KVM_SET_CPUID2, c) < 0)
            rc = -errno;
    free(c);
    return rc;
}

static int vm_open(struct xkvm_vm *vm)
{
    struct kvm_userspace_memory_region slot = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = vm->ram_size,
        .userspace_addr = (uintptr_t)vm->ram,
    };
    int n;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        return -errno;
    if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
        return -ENOSYS;
    do
        vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    while (vm->vm_fd < 0 && errno == EINTR);
    if (vm->vm_fd < 0)
        return -errno;
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        return -errno;
    n = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (n < (int)sizeof(struct kvm_run))
        return n < 0 ? -errno : -EINVAL;
    vm->run_size = (size_t)n;
    for (unsigned i = 0; i < vm->nr_cpus; i++) {
        struct xkvm_vcpu *c = &vm->cpu[i];

        c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
        if (c->fd < 0)
            return -errno;
        c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED, c->fd, 0);
        if (c->run == MAP_FAILED) {
            c->run = NULL;
            return -errno;
        }
        c->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->kick_fd < 0)
            return -errno;
    }
    return cpuid_set(vm);
}

/* XKVM_KICK_SIGNAL only has to end a KVM_RUN or a block's ppoll. */
static void on_kick(int sig)
{
    (void)sig;
}

struct xkvm_vm *xkvm_vm_create(int memfd, unsigned vcpus)
{
    struct sigaction sa = { .sa_handler = on_kick }; /* no SA_RESTART */
    struct xkvm_vm *vm;
    int rc;

    if (vcpus < 1 || vcpus > XKVM_CPUS_MAX) {
        errno = EINVAL;
        return NULL;
    }
    vm = calloc(1, sizeof(*vm));
    if (!vm)
        return NULL;
    vm->kvm_fd = vm->vm_fd = -1;
    vm->nr_cpus = vcpus;
    for (unsigned i = 0; i < XKVM_CPUS_MAX; i++)
        vm->cpu[i] = (struct xkvm_vcpu){ .vm = vm, .id = i, .fd = -1,
                                         .kick_fd = -1 };
    pthread_mutex_init(&vm->lock, NULL);
    vm->pid = getpid();
    vm->cpl = xkvm_host_cpl(xkvm_host_kind());
    if (vcpus > 1 && sigaction(XKVM_KICK_SIGNAL, &sa, NULL) < 0) {
        rc = -errno;
        goto err_vm;
    }
    vm->mem = xvm_mem_open(memfd);
    if (!vm->mem) {
        rc = -errno;
        goto err_vm;
    }
    vm->ram = xvm_mem_base(vm->mem);
    vm->ram_size = (uint64_t)xvm_mem_nr_frames(vm->mem) * XKVM_PAGE_SIZE;
    if (vm->ram_size < XKVM_RAM_MIN ||
        vm->ram_size > ((uint64_t)XKVM_PD_MAX << 30)) {
        rc = -EINVAL;
        goto err_vm;
    }
    rc = vm_open(vm);
    if (rc < 0)
        goto err_vm;
    /* Until the caller gives it a domain's, a guest gets an interface
     * with neither xenstore nor backends. */
    vm->pv_own = xkvm_pv_create(vm->ram, vm->ram_size,
        &(struct xkvm_pv_params){ .self = 0, .xs_fd = -1 });
    if (!vm->pv_own) {
        rc = -errno;
        goto err_vm;
    }
    xkvm_vm_set_pv(vm, NULL);
    return vm;

err_vm:
    xkvm_vm_destroy(vm);
    errno = -rc;
    return NULL;
}

/* KVM_IOEVENTFD: a 1-byte out to @pio signals @fd in the kernel. */
static int ioeventfd_assign(void *arg, uint16_t pio, int fd, int on)
{
    struct xkvm_vm *vm = arg;
    struct kvm_ioeventfd io = {
        .addr = pio,
        .len = 1,
        .fd = fd,
        .flags = KVM_IOEVENTFD_FLAG_PIO |
                 (on ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };

    return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static const struct xkvm_pv_doorbell_ops vm_doorbell_ops = {
    .assign = ioeventfd_assign,
};

void xkvm_vm_doorbells_attach(struct xkvm_vm *vm, struct xkvm_pv *pv, int on)
{
    if (!pv)
        return;
    if (on && !vm->ioeventfd_off && vm->vm_fd >= 0)
        xkvm_pv_set_doorbell_ops(pv, &vm_doorbell_ops, vm);
    else
        xkvm_pv_set_doorbell_ops(pv, NULL, NULL);
}

void xkvm_vm_set_ioeventfd(struct xkvm_vm *vm, int on)
{
    vm->ioeventfd_off = !on;
    xkvm_vm_doorbells_attach(vm, vm->pv, 1);
}

int xkvm_vm_fd(const struct xkvm_vm *vm)
{
    return vm->vm_fd;
}

unsigned long xkvm_vm_doorbell_ioctl(void)
{
    return KVM_IOEVENTFD;
}

void xkvm_vm_exit_counts(const struct xkvm_vm *vm,
                         struct xkvm_exit_counts *c)
{
    *c = vm->counts;
}

void xkvm_vm_destroy(struct xkvm_vm *vm)
{
    if (!vm)
        return;
    /* The interface may outlive the VM: its doorbells go with the VM's
     * descriptor, and it must not name that descriptor afterwards. */
    xkvm_vm_doorbells_attach(vm, vm->pv, 0);
    xkvm_vm_doorbells_attach(vm, vm->pv_own, 0);
    for (unsigned i = 0; i < vm->nr_cpus; i++) {
        struct xkvm_vcpu *c = &vm->cpu[i];

        if (c->run)
            munmap(c->run, vm->run_size);
        if (c->fd >= 0)
            close(c->fd);
        if (c->kick_fd >= 0)
            close(c->kick_fd);
    }
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    xkvm_pv_destroy(vm->pv_own);
    xvm_mem_destroy(vm->mem);
    pthread_mutex_destroy(&vm->lock);
    free(vm);
}

void *xkvm_vm_ram(const struct xkvm_vm *vm)
{
    return vm->ram;
}

uint64_t xkvm_vm_ram_size(const struct xkvm_vm *vm)
{
    return vm->ram_size;
}

unsigned xkvm_vm_vcpus(const struct xkvm_vm *vm)
{
    return vm->nr_cpus;
}

int xkvm_vm_vcpu_fd(const struct xkvm_vm *vm, unsigned i)
{
    return i < vm->nr_cpus ? vm->cpu[i].fd : -1;
}

unsigned xkvm_run_ioctls(unsigned long req[XKVM_RUN_IOCTLS_MAX])
{
    req[0] = KVM_RUN;
    req[1] = KVM_GET_REGS;
    req[2] = KVM_SET_REGS;
    return 3;
}

int xkvm_cpu_enter(struct xkvm_vcpu *c)
{
    return ioctl(c->fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

void xkvm_vm_kick_cpus(struct xkvm_vm *vm)
{
    const uint64_t one = 1;

    /* KVM_RUN returns EINTR at once while immediate_exit is set, a vCPU
     * inside it leaves at the signal, and a block's poll wakes on the
     * eventfd; run.c clears all three. */
    for (unsigned i = 0; i < vm->nr_cpus; i++) {
        struct xkvm_vcpu *c = &vm->cpu[i];
        pid_t tid = __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE);

        if (!c->run)
            continue;
        __atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (write(c->kick_fd, &one, sizeof(one)) < 0) {
            /* Full counter: a kick is pending already. */
        }
        if (tid && vm->nr_cpus > 1)
            syscall(SYS_tgkill, vm->pid, tid, XKVM_KICK_SIGNAL);
    }
}

void xkvm_vm_kick(struct xkvm_vm *vm)
{
    __atomic_store_n(&vm->kicked, 1, __ATOMIC_SEQ_CST);
    xkvm_vm_kick_cpus(vm);
}
