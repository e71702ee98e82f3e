/* SPDX-License-Identifier: MIT */
/*
 * The vCPU run loop and the hypercalls of kvm/abi.h.  Only a hypercall
 * keeps the guest running; anything else that reaches the monitor stops it
 * as crashed, with what happened in words.
 *
 * Each vCPU has its loop on its own thread (vCPU 0 on the caller's).  A
 * loop touches its own vCPU's descriptor and run page; what the vCPUs
 * share (the paravirtual interface, the console, the final stop) is
 * taken under vm->lock, which no wait holds: a block waits outside it,
 * so one vCPU's block never holds up another.  The first stop wins and
 * kicks every other vCPU out of KVM_RUN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kvm_pvt.h"

/* What a hypercall asks of the loop. */
enum hc_result {
    HC_RESUME,  /* go on with RAX set */
    HC_STOPPED, /* vm->final says why */
    HC_KICKED,  /* a signal cut a block short: RAX set, let the caller look */
};

const char *xkvm_stop_name(enum xkvm_stop_reason reason)
{
    switch (reason) {
    case XKVM_STOP_POWEROFF: return "poweroff";
    case XKVM_STOP_REBOOT: return "reboot";
    case XKVM_STOP_CRASH: return "crash";
    case XKVM_STOP_KICKED: return "kicked";
    case XKVM_STOP_ERROR: return "error";
    }
    return "unknown";
}

static void stop_as(struct xkvm_vcpu *c, enum xkvm_stop_reason reason,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The first stop of any vCPU (@c) is the VM's: it is recorded, with
 * the vCPU's number if there are more, and every vCPU is kicked out of
 * KVM_RUN; a later one (a vCPU that failed while it was being stopped)
 * is dropped. */
static void stop_as(struct xkvm_vcpu *c, enum xkvm_stop_reason reason,
                    const char *fmt, ...)
{
    struct xkvm_vm *vm = c->vm;
    char *why = vm->final.why;
    size_t cap = sizeof(vm->final.why);
    va_list ap;
    int n = 0;

    pthread_mutex_lock(&vm->lock);
    if (!vm->stopped) {
        vm->final.reason = reason;
        if (vm->nr_cpus > 1)
            n = snprintf(why, cap, "vCPU %u: ", c->id);
        va_start(ap, fmt);
        vsnprintf(why + n, cap - (size_t)n, fmt, ap);
        va_end(ap);
        __atomic_store_n(&vm->stopped, 1, __ATOMIC_SEQ_CST);
    }
    pthread_mutex_unlock(&vm->lock);
    if (vm->nr_cpus > 1)
        xkvm_vm_kick_cpus(vm);
}

static int vm_stopped(struct xkvm_vm *vm)
{
    return __atomic_load_n(&vm->stopped, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static enum hc_result hc_console(struct xkvm_vcpu *c,
                                 const struct kvm_regs *r, uint64_t *ret)
{
    struct xkvm_vm *vm = c->vm;
    uint64_t addr = r->rdi, len = r->rsi;
    char buf[XKVM_CONSOLE_MAX];

    if (len > XKVM_CONSOLE_MAX) {
        stop_as(c, XKVM_STOP_CRASH, "console write: %" PRIu64 " bytes "
                "(at most %u)", len, XKVM_CONSOLE_MAX);
        return HC_STOPPED;
    }
    if (addr > vm->ram_size || len > vm->ram_size - addr) {
        stop_as(c, XKVM_STOP_CRASH, "console write: %" PRIu64 " bytes at "
                "0x%" PRIx64 " lie outside guest RAM (%" PRIu64 " MiB)",
                len, addr, vm->ram_size >> 20);
        return HC_STOPPED;
    }
    /* A copy: what is written is what was checked, whatever the guest's
     * other vCPUs do to the page meanwhile. */
    memcpy(buf, (const char *)vm->ram + addr, len);
    pthread_mutex_lock(&vm->lock);
    if (len && vm->ops && vm->ops->console_write)
        vm->ops->console_write(vm->ops_arg, buf, len);
    pthread_mutex_unlock(&vm->lock);
    *ret = len;
    return HC_RESUME;
}

static enum hc_result hc_shutdown(struct xkvm_vcpu *c, uint64_t why)
{
    switch (why) {
    case XKVM_SHUTDOWN_POWEROFF:
        stop_as(c, XKVM_STOP_POWEROFF, "the guest powered off");
        break;
    case XKVM_SHUTDOWN_REBOOT:
        stop_as(c, XKVM_STOP_REBOOT, "the guest asked for a reboot");
        break;
    case XKVM_SHUTDOWN_CRASH:
        stop_as(c, XKVM_STOP_CRASH, "the guest reported a crash");
        break;
    default:
        stop_as(c, XKVM_STOP_CRASH, "shutdown: unknown reason %" PRIu64,
                why);
    }
    return HC_STOPPED;
}

/* The block of vCPU 0, which event channels are bound to: the
 * interface's wait (it takes its own lock to look, not to wait). */
static enum hc_result hc_block0(struct xkvm_vcpu *c, uint64_t ns)
{
    struct xkvm_vm *vm = c->vm;
    char why[sizeof(vm->final.why)];
    int n;

    n = xkvm_pv_block(vm->pv, ns, c->kick_fd, why, sizeof(why));
    if (n < 0) {
        stop_as(c, XKVM_STOP_CRASH, "%s", why);
        return HC_STOPPED;
    }
    return n ? HC_KICKED : HC_RESUME;
}

/* The block of any other vCPU: a sleep that a kick cuts short. */
static enum hc_result hc_block(struct xkvm_vcpu *c, uint64_t ns)
{
    struct pollfd pfd = { .fd = c->kick_fd, .events = POLLIN };
    struct timespec ts;
    int n;

    if (c->id == 0)
        return hc_block0(c, ns);
    if (ns == XKVM_BLOCK_FOREVER) {
        stop_as(c, XKVM_STOP_CRASH, "block: waits forever, and nothing "
                "can wake it (event channels wake vCPU 0)");
        return HC_STOPPED;
    }
    ts.tv_sec = (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    /* A kick (or any signal) ends the wait early: the guest sees an early
     * wake-up, the caller gets its turn. */
    n = ppoll(&pfd, 1, &ts, NULL);
    if (n > 0 || (n < 0 && errno == EINTR))
        return HC_KICKED;
    return HC_RESUME;
}

/* The calls of the paravirtual interface (kvm/pv.h). */
static enum hc_result pv_call(struct xkvm_vcpu *c, uint32_t nr,
                              const struct kvm_regs *r, uint64_t *ret)
{
    struct xkvm_vm *vm = c->vm;
    const uint64_t arg[3] = { r->rdi, r->rsi, r->rdx };
    char why[sizeof(vm->final.why)];
    int rc = xkvm_pv_call(vm->pv, nr, arg, ret, why, sizeof(why));

    if (rc == -ENOSYS)
        stop_as(c, XKVM_STOP_CRASH, "unknown hypercall %" PRIu32, nr);
    else if (rc < 0)
        stop_as(c, XKVM_STOP_CRASH, "%s", why);
    return rc < 0 ? HC_STOPPED : HC_RESUME;
}

/* A doorbell the kernel did not take (no ioeventfd for it, or a write
 * it does not match): one 1-byte out, to a port the guest holds. */
static enum hc_result doorbell_exit(struct xkvm_vcpu *c)
{
    struct xkvm_vm *vm = c->vm;
    const struct kvm_run *run = c->run;
    uint32_t port = run->io.port - XKVM_DOORBELL_BASE;
    char why[sizeof(vm->final.why)];

    if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
        run->io.count != 1) {
        stop_as(c, XKVM_STOP_CRASH, "doorbell port 0x%x: %s of %u bytes "
                "(x%u); a doorbell is one 1-byte out", run->io.port,
                run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
                run->io.size, run->io.count);
        return HC_STOPPED;
    }
    count(&vm->counts.doorbells);
    if (xkvm_pv_doorbell(vm->pv, port, why, sizeof(why)) < 0) {
        stop_as(c, XKVM_STOP_CRASH, "%s", why);
        return HC_STOPPED;
    }
    return HC_RESUME;
}

/* A port I/O exit: a hypercall, or a crash. */
static enum hc_result io_exit(struct xkvm_vcpu *c)
{
    struct xkvm_vm *vm = c->vm;
    const struct kvm_run *run = c->run;
    struct kvm_regs r;
    enum hc_result res;
    uint64_t ret = 0;
    uint32_t nr;

    if (run->io.port >= XKVM_DOORBELL_BASE &&
        run->io.port < XKVM_DOORBELL_BASE + XKVM_EVTCHN_PORTS)
        return doorbell_exit(c);
    if (run->io.port != XKVM_HC_PORT) {
        stop_as(c, XKVM_STOP_CRASH, "port I/O: %s of %u bytes at port "
                "0x%x, where there is no device",
                run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
                run->io.size, run->io.port);
        return HC_STOPPED;
    }
    if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
        run->io.count != 1) {
        stop_as(c, XKVM_STOP_CRASH, "hypercall port: %s of %u bytes "
                "(x%u); a hypercall is one 4-byte out",
                run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
                run->io.size, run->io.count);
        return HC_STOPPED;
    }
    memcpy(&nr, (const char *)run + run->io.data_offset, sizeof(nr));
    count(&vm->counts.hcalls);
    if (nr == XKVM_HC_EVTCHN_SEND)
        count(&vm->counts.sends);
    if (ioctl(c->fd, KVM_GET_REGS, &r) < 0) {
        stop_as(c, XKVM_STOP_ERROR, "KVM_GET_REGS: %s", strerror(errno));
        return HC_STOPPED;
    }
    switch (nr) {
    case XKVM_HC_CONSOLE_WRITE:
        res = hc_console(c, &r, &ret);
        break;
    case XKVM_HC_SHUTDOWN:
        return hc_shutdown(c, r.rdi);
    case XKVM_HC_BLOCK:
        res = hc_block(c, r.rdi);
        break;
    default:
        res = pv_call(c, nr, &r, &ret);
    }
    if (res == HC_STOPPED)
        return res;
    /* RIP stays as KVM left it: it completes the OUT on the next run. */
    r.rax = ret;
    if (ioctl(c->fd, KVM_SET_REGS, &r) < 0) {
        stop_as(c, XKVM_STOP_ERROR, "KVM_SET_REGS: %s", strerror(errno));
        return HC_STOPPED;
    }
    return res;
}

static uint64_t guest_rip(struct xkvm_vcpu *c)
{
    struct kvm_regs r;

    return ioctl(c->fd, KVM_GET_REGS, &r) < 0 ? 0 : r.rip;
}

/* Any exit but a hypercall: the guest is stopped as crashed. */
static void other_exit(struct xkvm_vcpu *c)
{
    const struct kvm_run *run = c->run;
    uint64_t rip = guest_rip(c);

    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        stop_as(c, XKVM_STOP_CRASH, "MMIO %s of %u bytes at 0x%llx, where "
                "there is no RAM or device (rip 0x%" PRIx64 ")",
                run->mmio.is_write ? "write" : "read", run->mmio.len,
                (unsigned long long)run->mmio.phys_addr, rip);
        break;
    case KVM_EXIT_HLT:
        stop_as(c, XKVM_STOP_CRASH, "hlt with nothing to wake it "
                "(rip 0x%" PRIx64 "); a guest stops with the shutdown "
                "hypercall", rip);
        break;
    case KVM_EXIT_SHUTDOWN:
        stop_as(c, XKVM_STOP_CRASH, "triple fault: an exception the guest "
                "cannot take (rip 0x%" PRIx64 ")", rip);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        stop_as(c, XKVM_STOP_CRASH, "KVM internal error %u, an instruction "
                "it could not emulate (rip 0x%" PRIx64 ")",
                run->internal.suberror, rip);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        stop_as(c, XKVM_STOP_CRASH, "entry failed, hardware reason 0x%llx",
                (unsigned long long)
                    run->fail_entry.hardware_entry_failure_reason);
        break;
    default:
        stop_as(c, XKVM_STOP_CRASH, "unexpected exit %s (%u) at rip 0x%"
                PRIx64, xkvm_exit_name((int)run->exit_reason),
                run->exit_reason, rip);
    }
}

/* One vCPU's loop until the VM stops or is kicked.  A signal that is no
 * kick (SIGSTOP and SIGCONT of a pause) only makes it go round. */
static void vcpu_loop(struct xkvm_vcpu *c)
{
    struct xkvm_vm *vm = c->vm;

    while (!vm_stopped(vm)) {
        int rc;

        if (__atomic_load_n(&vm->kicked, __ATOMIC_SEQ_CST))
            return;
        rc = xkvm_cpu_enter(c);
        count(&vm->counts.exits);
        if (rc == -EINTR || rc == -EAGAIN ||
            (rc == 0 && c->run->exit_reason == KVM_EXIT_INTR))
            continue;
        if (rc < 0) {
            stop_as(c, XKVM_STOP_ERROR, "KVM_RUN: %s", strerror(-rc));
            break;
        }
        if (c->run->exit_reason != KVM_EXIT_IO) {
            other_exit(c);
            break;
        }
        io_exit(c); /* HC_KICKED: the loop looks at the flags */
    }
}

static void *vcpu_thread(void *arg)
{
    struct xkvm_vcpu *c = arg;

    __atomic_store_n(&c->tid, gettid(), __ATOMIC_RELEASE);
    vcpu_loop(c);
    __atomic_store_n(&c->tid, 0, __ATOMIC_RELEASE);
    return NULL;
}

/* After a kick every vCPU can go on: clear what the kick left.  The flag
 * first: a kick that comes meanwhile sets it again, and the run loop,
 * which looks at it before each KVM_RUN, then stops as it should; the
 * other order could leave immediate_exit set without the flag, and the
 * next run would spin on EINTR. */
static void kicks_clear(struct xkvm_vm *vm)
{
    uint64_t n;

    __atomic_store_n(&vm->kicked, 0, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < vm->nr_cpus; i++) {
        __atomic_store_n(&vm->cpu[i].run->immediate_exit, 0,
                         __ATOMIC_SEQ_CST);
        if (read(vm->cpu[i].kick_fd, &n, sizeof(n)) < 0) {
            /* Nothing pending. */
        }
    }
}

/* Start the threads of vCPUs 1..; @return how many run. */
static unsigned aps_start(struct xkvm_vm *vm)
{
    pthread_attr_t attr;
    unsigned i;
    int rc = pthread_attr_init(&attr);

    if (rc == 0)
        rc = pthread_attr_setstacksize(&attr, 256u << 10);
    for (i = 1; rc == 0 && i < vm->nr_cpus; i++) {
        rc = pthread_create(&vm->cpu[i].thread, &attr, vcpu_thread,
                            &vm->cpu[i]);
        if (rc != 0)
            break;
    }
    pthread_attr_destroy(&attr);
    if (rc != 0)
        stop_as(&vm->cpu[i], XKVM_STOP_ERROR, "no thread: %s",
                strerror(rc));
    return rc == 0 ? vm->nr_cpus - 1 : i - 1;
}

int xkvm_vm_run(struct xkvm_vm *vm, const struct xkvm_dev_ops *ops,
                void *arg, struct xkvm_stop *stop)
{
    unsigned aps;

    memset(stop, 0, sizeof(*stop));
    vm->ops = ops;
    vm->ops_arg = arg;
    aps = 0;
    if (vm->nr_cpus > 1 && !vm_stopped(vm)) {
        __atomic_store_n(&vm->cpu[0].tid, gettid(), __ATOMIC_RELEASE);
        aps = aps_start(vm);
    }
    vcpu_loop(&vm->cpu[0]);
    __atomic_store_n(&vm->cpu[0].tid, 0, __ATOMIC_RELEASE);
    if (aps)
        xkvm_vm_kick_cpus(vm); /* vCPU 0 left: the others leave too */
    for (unsigned i = 1; i <= aps; i++)
        pthread_join(vm->cpu[i].thread, NULL);
    if (vm_stopped(vm)) {
        *stop = vm->final;
        return 0;
    }
    kicks_clear(vm);
    stop->reason = XKVM_STOP_KICKED;
    return 0;
}

const char *xkvm_exit_name(int exit_reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
        [KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
        [KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
        [KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW",
        [KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
        [KVM_EXIT_INTR] = "INTR", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
    };

    if (exit_reason < 0)
        return "none";
    if ((size_t)exit_reason >= sizeof(names) / sizeof(names[0]) ||
        !names[exit_reason])
        return "OTHER";
    return names[exit_reason];
}
