/* SPDX-License-Identifier: MIT */
/*
 * The probe: tiny guests, each trying one way of reaching the monitor, run
 * in a fresh VM of XKVM_RAM_MIN each, at the host's privilege level; and a
 * loop timed at CPL 0 and at CPL 3.  Every guest ends in ud2, so on any
 * host it exits somehow (a triple fault without an IDT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kvm_pvt.h"

#define PROBE_VAL 0x5a5au
#define PROBE_IN 0x1234u
#define MMIO_GPA 0x3ff00000u /* below 1 GiB: mapped, but no memslot */

/* mov $0x5a5a,%eax; out %eax,$0x88; in $0x88,%eax; out %eax,$0x88; ud2 */
static const uint8_t code_pio[] = {
    0xb8, 0x5a, 0x5a, 0x00, 0x00, 0xe7, XKVM_HC_PORT, 0xe5, XKVM_HC_PORT,
    0xe7, XKVM_HC_PORT, 0x0f, 0x0b,
};
/* mov 0x3ff00000,%eax; mov %eax,0x3ff00000; ud2 */
static const uint8_t code_mmio[] = {
    0x8b, 0x04, 0x25, 0x00, 0x00, 0xf0, 0x3f,
    0x89, 0x04, 0x25, 0x00, 0x00, 0xf0, 0x3f, 0x0f, 0x0b,
};
/* hlt; ud2 */
static const uint8_t code_hlt[] = { 0xf4, 0x0f, 0x0b };
/* nop; nop (the breakpoint); out %eax,$0x88; ud2 */
static const uint8_t code_debug[] = {
    0x90, 0x90, 0xe7, XKVM_HC_PORT, 0x0f, 0x0b,
};
#define DEBUG_BP_OFF 1
/* out; mov $LOOP_N,%rcx; 1: dec %rcx; jnz 1b; out; ud2 */
#define LOOP_N 1000000u
static const uint8_t code_loop[] = {
    0xe7, XKVM_HC_PORT, 0x48, 0xc7, 0xc1, LOOP_N & 0xff, LOOP_N >> 8 & 0xff,
    LOOP_N >> 16 & 0xff, LOOP_N >> 24, 0x48, 0xff, 0xc9, 0x75, 0xfb,
    0xe7, XKVM_HC_PORT, 0x0f, 0x0b,
};

static const struct {
    const char *action, *expected;
    const uint8_t *code;
    size_t len;
    int cpl; /* -1: the host's (xkvm_host_cpl()) */
} probes[XKVM_PROBE_COUNT] = {
    [XKVM_PROBE_PIO] = { "out/in port 0x88", "IO", code_pio,
                         sizeof(code_pio), -1 },
    [XKVM_PROBE_MMIO] = { "load/store, no memslot", "MMIO", code_mmio,
                          sizeof(code_mmio), -1 },
    [XKVM_PROBE_HLT] = { "hlt", "HLT", code_hlt, sizeof(code_hlt), -1 },
    [XKVM_PROBE_DEBUG] = { "hw breakpoint (GUEST_DEBUG)", "DEBUG",
                           code_debug, sizeof(code_debug), -1 },
    [XKVM_PROBE_LOOP_CPL0] = { "loop of 1,000,000 (dec, jnz)", "IO",
                               code_loop, sizeof(code_loop), 0 },
    [XKVM_PROBE_LOOP_CPL3] = { "loop of 1,000,000 (dec, jnz)", "IO",
                               code_loop, sizeof(code_loop), 3 },
};

/* Run once more; the exit in @res, 0 or the run's negative errno. */
static int step(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    int rc = xkvm_cpu_enter(&vm->cpu[0]);

    res->exit_reason = rc < 0 ? -1 : (int)vm->cpu[0].run->exit_reason;
    if (rc < 0)
        res->err = rc;
    return rc;
}

static void io_data(struct xkvm_vm *vm, void *v, size_t n, int write)
{
    char *data = (char *)vm->cpu[0].run + vm->cpu[0].run->io.data_offset;

    if (write)
        memcpy(data, v, n);
    else
        memcpy(v, data, n);
}

static int is_io(const struct kvm_run *run, uint8_t dir)
{
    return run->exit_reason == KVM_EXIT_IO && run->io.port == XKVM_HC_PORT &&
           run->io.size == 4 && run->io.direction == dir;
}

/* out, in (answered PROBE_IN), then the value echoed by a second out. */
static void probe_pio(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    uint32_t v = 0, in = PROBE_IN;

    if (step(vm, res) < 0 || !is_io(vm->cpu[0].run, KVM_EXIT_IO_OUT))
        return;
    io_data(vm, &v, sizeof(v), 0);
    if (v != PROBE_VAL || step(vm, res) < 0 ||
        !is_io(vm->cpu[0].run, KVM_EXIT_IO_IN))
        return;
    io_data(vm, &in, sizeof(in), 1);
    if (step(vm, res) < 0 || !is_io(vm->cpu[0].run, KVM_EXIT_IO_OUT))
        return;
    io_data(vm, &v, sizeof(v), 0);
    res->works = v == PROBE_IN;
    snprintf(res->detail, sizeof(res->detail), "out, in, out: the in "
             "returned %s", res->works ? "the monitor's value" : "garbage");
}

/* A read (answered), then the write of what it read. */
static void probe_mmio(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    const struct kvm_run *run = vm->cpu[0].run;
    uint32_t v = PROBE_IN;

    if (step(vm, res) < 0 || run->exit_reason != KVM_EXIT_MMIO ||
        run->mmio.is_write || run->mmio.phys_addr != MMIO_GPA)
        return;
    memcpy(vm->cpu[0].run->mmio.data, &v, sizeof(v));
    if (step(vm, res) < 0 || run->exit_reason != KVM_EXIT_MMIO ||
        !run->mmio.is_write)
        return;
    memcpy(&v, run->mmio.data, sizeof(v));
    res->works = v == PROBE_IN;
    snprintf(res->detail, sizeof(res->detail), "read, write at 0x%x: the "
             "read returned %s", MMIO_GPA,
             res->works ? "the monitor's value" : "garbage");
}

static void probe_hlt(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    if (step(vm, res) < 0 || vm->cpu[0].run->exit_reason != KVM_EXIT_HLT)
        return;
    res->works = 1;
    snprintf(res->detail, sizeof(res->detail), "hlt exits to the monitor");
}

/* The breakpoint; then a resume with RF set, which should reach the out
 * after it.  Where RF is not honoured (the breakpoint comes again), the
 * monitor moves RIP past the 1-byte instruction itself. */
static void probe_debug(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    uint64_t bp = XKVM_KERNEL_MIN + DEBUG_BP_OFF;
    struct kvm_guest_debug dbg = {
        .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
    };
    const char *resume = "RF";
    struct kvm_regs r;

    dbg.arch.debugreg[0] = bp;
    dbg.arch.debugreg[7] = 0x1; /* L0, execute, 1 byte */
    if (ioctl(vm->cpu[0].fd, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
        res->err = -errno;
        snprintf(res->detail, sizeof(res->detail), "KVM_SET_GUEST_DEBUG: %s",
                 strerror(errno));
        return;
    }
    if (step(vm, res) < 0 || vm->cpu[0].run->exit_reason != KVM_EXIT_DEBUG ||
        vm->cpu[0].run->debug.arch.pc != bp)
        return;
    res->works = 1;
    if (ioctl(vm->cpu[0].fd, KVM_GET_REGS, &r) < 0)
        return;
    r.rflags |= 0x10000; /* RF: do not break on this instruction again */
    if (ioctl(vm->cpu[0].fd, KVM_SET_REGS, &r) < 0 || step(vm, res) < 0)
        return;
    if (vm->cpu[0].run->exit_reason == KVM_EXIT_DEBUG) {
        resume = "RIP+1 (RF ignored)";
        if (ioctl(vm->cpu[0].fd, KVM_GET_REGS, &r) < 0)
            return;
        r.rip = bp + 1;
        if (ioctl(vm->cpu[0].fd, KVM_SET_REGS, &r) < 0 || step(vm, res) < 0)
            return;
    }
    res->exit_reason = KVM_EXIT_DEBUG;
    snprintf(res->detail, sizeof(res->detail), "breakpoint at 0x%llx; "
             "resumed with %s: %s", (unsigned long long)bp, resume,
             is_io(vm->cpu[0].run, KVM_EXIT_IO_OUT) ? "went on" : "stuck");
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The time from the out before the loop to the one after it: on kvm_pvm
 * a CPL 0 guest's instructions are emulated, a CPL 3 guest's are not. */
static void probe_loop(struct xkvm_vm *vm, struct xkvm_probe *res)
{
    double t0, t;

    if (step(vm, res) < 0 || !is_io(vm->cpu[0].run, KVM_EXIT_IO_OUT))
        return;
    t0 = seconds();
    if (step(vm, res) < 0 || !is_io(vm->cpu[0].run, KVM_EXIT_IO_OUT))
        return;
    t = seconds() - t0;
    res->works = 1;
    snprintf(res->detail, sizeof(res->detail), "%.6f s, %.2f ns per "
             "iteration", t, t * 1e9 / LOOP_N);
}

static void probe_guest(struct xkvm_vm *vm, enum xkvm_probe_kind kind,
                        struct xkvm_probe *res)
{
    struct xkvm_boot boot = { .entry = XKVM_KERNEL_MIN };
    int rc = 0;

    if (probes[kind].cpl >= 0)
        rc = xkvm_vm_set_cpl(vm, probes[kind].cpl);
    res->cpl = vm->cpl;
    if (rc < 0) {
        res->err = rc;
        return;
    }
    memcpy((char *)vm->ram + XKVM_KERNEL_MIN, probes[kind].code,
           probes[kind].len);
    boot.kernel_end = XKVM_KERNEL_MIN + probes[kind].len;
    rc = xkvm_vm_boot(vm, &boot);
    if (rc < 0) {
        res->err = rc;
        snprintf(res->detail, sizeof(res->detail), "boot: %s", strerror(-rc));
        return;
    }
    switch (kind) {
    case XKVM_PROBE_PIO: probe_pio(vm, res); break;
    case XKVM_PROBE_MMIO: probe_mmio(vm, res); break;
    case XKVM_PROBE_HLT: probe_hlt(vm, res); break;
    case XKVM_PROBE_DEBUG: probe_debug(vm, res); break;
    case XKVM_PROBE_LOOP_CPL0:
    case XKVM_PROBE_LOOP_CPL3: probe_loop(vm, res); break;
    case XKVM_PROBE_COUNT: break;
    }
    if (!res->works && !res->detail[0])
        snprintf(res->detail, sizeof(res->detail), "got %s%s%s",
                 xkvm_exit_name(res->exit_reason), res->err ? ": " : "",
                 res->err ? strerror(-res->err) : "");
}

int xkvm_probe_run(enum xkvm_probe_kind kind, struct xkvm_probe *res)
{
    struct xvm_mem *mem;
    struct xkvm_vm *vm;
    int rc;

    if ((unsigned)kind >= XKVM_PROBE_COUNT)
        return -EINVAL;
    memset(res, 0, sizeof(*res));
    res->action = probes[kind].action;
    res->expected = probes[kind].expected;
    res->exit_reason = -1;
    mem = xvm_mem_create("xkvm-probe", XKVM_RAM_MIN / XKVM_PAGE_SIZE);
    if (!mem)
        return -errno;
    vm = xkvm_vm_create(xvm_mem_fd(mem), 1);
    rc = vm ? 0 : -errno;
    xvm_mem_destroy(mem); /* the VM holds its own reference */
    if (!vm)
        return rc;
    probe_guest(vm, kind, res);
    xkvm_vm_destroy(vm);
    return 0;
}
