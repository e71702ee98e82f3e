/* SPDX-License-Identifier: MIT */
/*
 * xvm-kvm --domain: the monitor of a KVM domain, run by xvmd as the
 * domain's guest process (its "kvm" kind).
 *
 * xvmd starts it with the domain's console (a pty slave) on stdin, stdout
 * and stderr (what it says of the guest lands in the console log), one
 * end of a SOCK_SEQPACKET pair on fd 3, and on fds 5, 6 and 7 copies of xvmd's end of that pair, of the
 * console's pty master and of the domain's memory: the monitor keeps them
 * and never uses them, so that a later xvmd can take the domain over
 * (pidfd_getfd), as it does with xvm-procdom.  The start handshake is
 * xvm-procdom's:
 *   xvmd -> monitor  "mem" with the domain's memfd attached, and the
 *                    guest's end of its xenstore connection
 *   monitor -> xvmd  "ok" once the guest is loaded, its VM made and the
 *                    monitor confined, or "err <errno> <message>"
 * The VM gets the domain's paravirtual interface (kvm_pv.h): its id, that
 * xenstore connection (the guest's xenstore ring is relayed to it), and
 * fd 3 as the broker of its event channels (an alloc_unbound goes to
 * xvmd as a process domain's does, XVMD_GUEST_EVTCHN_ALLOC), so that a
 * backend (vswitchd's netback) serves the guest's vifs as it serves a
 * process domain's: it finds them in xenstore, maps the domain's memory
 * from xvmd (DOMMEM) and binds the guest's ports through xvmd.
 * Then the guest runs; the exit status says how it ended (xvm_kvm.h),
 * which xvmd reads as the kind's report of the run, and so does the last
 * message on the channel (XVMD_GUEST_EXIT), for an xvmd that adopted the
 * domain and is not the monitor's parent.
 *
 * Confinement: once the VM exists the monitor needs no new descriptor, so
 * it confines itself with the sandbox of process domains' library
 * (xvm_sandbox_confine(): its own mount, network, IPC, UTS and cgroup
 * namespaces, an empty read-only root, the domain's uid
 * xvm_sandbox_uid(id), no_new_privs) and this seccomp allow-list: the
 * run loop's three ioctls on the vCPUs' descriptors only, KVM_IOEVENTFD
 * on the VM's descriptor only (a port's doorbell is registered when the guest
 * allocates the port, and removed when it closes it or the VM goes),
 * read and write (the console, the doorbells' eventfds), the block
 * hypercall's ppoll, signal return, exit, and what libc may call while
 * it prints or frees (mmap never with PROT_EXEC); for the paravirtual
 * interface, send (sendto) and recvmsg on the guest channel (fd 3: an
 * event channel's alloc_unbound and its two doorbells), fcntl only
 * F_DUPFD_CLOEXEC (the doorbells are kept as duplicates), and sendto and
 * recvfrom on the xenstore connection.  With more than one vCPU the
 * monitor is confined while it is still one thread (unshare wants that)
 * and makes the vCPUs' threads after, so the list also has what making
 * a thread takes (xvm_sandbox_thread_calls(): clone with exactly a
 * thread's flags, never a fork) and tgkill of its own threads with
 * XKVM_KICK_SIGNAL (a stop of one vCPU kicks the others).  Anything else
 * (open, socket, connect, execve, fork, another ioctl, a send on another
 * descriptor) kills the monitor, which xvmd reports as a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm/kvm.h"
#include "kvm_probe.h"
#include "kvm_pv.h"
#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "xvm/sandbox.h"
#include "xvm_kvm.h"
#include "xvmdctl/proto.h"

#define CHAN_FD 3
/* How long xvmd may take to send the memory. */
#define MEM_WAIT_MS 5000

/* Tell xvmd the start failed, and why; @return the exit status. */
static int fail(int err, const char *msg)
{
    char buf[PATH_MAX + 256];
    int n = snprintf(buf, sizeof(buf), "err %d %s", err > 0 ? err : EIO,
                     msg);

    if (n > 0 && write(CHAN_FD, buf, (size_t)n) < 0)
        fprintf(stderr, "xvm-kvm: %s\n", msg); /* xvmd is gone */
    return 1;
}

/* The domain's memory from xvmd's "mem"; NULL after fail(). */
static struct xvm_mem *mem_receive(int *xs_fd)
{
    struct pollfd pfd = { .fd = CHAN_FD, .events = POLLIN };
    int fds[2] = { -1, -1 };
    struct xvm_mem *mem;
    unsigned nfds = 0;
    char buf[16];
    ssize_t n;

    if (poll(&pfd, 1, MEM_WAIT_MS) <= 0) {
        fail(ETIMEDOUT, "no memory from xvmd");
        return NULL;
    }
    n = xvm_fd_recv(CHAN_FD, buf, sizeof(buf), fds, 2, &nfds);
    if (n != 3 || memcmp(buf, "mem", 3) != 0 || nfds < 1) {
        for (unsigned i = 0; i < nfds; i++)
            close(fds[i]);
        fail(EPROTO, "no memory from xvmd");
        return NULL;
    }
    mem = xvm_mem_open(fds[0]);
    close(fds[0]);
    *xs_fd = nfds > 1 ? fds[1] : -1;
    if (!mem)
        fail(errno, "the domain's memory cannot be mapped");
    return mem;
}

/* The sandbox of the monitor (xvm_sandbox_confine(): namespaces, an empty
 * root, the domain's uid) and its allow-list, with @vm's vCPUs and the
 * xenstore connection @xs_fd (or -1). */
static int confine(const char *name, unsigned id, const struct xkvm_vm *vm,
                   int xs_fd)
{
#define ANY(call) { call, 0, {{0}} }
#define ON(call, fd) { call, 1, { XVM_SANDBOX_EQ32(0, fd) } }
    struct xvm_sandbox_syscall allow[64] = {
        ANY("read"),         ANY("write"),        ANY("ppoll"),
        ANY("rt_sigreturn"), ANY("exit_group"),   ANY("exit"),
        ANY("restart_syscall"), ANY("clock_gettime"), ANY("close"),
        ANY("munmap"),       ANY("brk"),          ANY("futex"),
        /* libc's allocations: never an executable mapping */
        { "mmap", 1, { XVM_SANDBOX_CLEAR(2, PROT_EXEC) } },
        /* the doorbells' duplicates (lib/xvm/evtchn.c), nothing else */
        { "fcntl", 1, { XVM_SANDBOX_EQ32(1, F_DUPFD_CLOEXEC) } },
        ON("sendto", CHAN_FD), ON("recvmsg", CHAN_FD),
    };
    unsigned long req[XKVM_RUN_IOCTLS_MAX];
    unsigned n = 16, nreq = xkvm_run_ioctls(req);

    _Static_assert(16 + 2 + XKVM_CPUS_MAX * XKVM_RUN_IOCTLS_MAX +
                       XVM_SANDBOX_THREAD_CALLS + 2 <= 64,
                   "room for every entry");
    if (xs_fd >= 0) {
        allow[n++] = (struct xvm_sandbox_syscall)ON("sendto", xs_fd);
        allow[n++] = (struct xvm_sandbox_syscall)ON("recvfrom", xs_fd);
    }
    for (unsigned c = 0; c < xkvm_vm_vcpus(vm); c++)
        for (unsigned i = 0; i < nreq; i++)
            allow[n++] = (struct xvm_sandbox_syscall){ "ioctl", 2, {
                XVM_SANDBOX_EQ32(0, xkvm_vm_vcpu_fd(vm, c)),
                XVM_SANDBOX_EQ(1, req[i]) } };
    if (xkvm_vm_vcpus(vm) > 1) {
        n += xvm_sandbox_thread_calls(&allow[n]);
        allow[n++] = (struct xvm_sandbox_syscall){ "tgkill", 2, {
            XVM_SANDBOX_EQ32(0, getpid()),
            XVM_SANDBOX_EQ32(2, XKVM_KICK_SIGNAL) } };
    }
    /* Doorbells are registered as the guest allocates ports, after this. */
    allow[n++] = (struct xvm_sandbox_syscall){ "ioctl", 2, {
        XVM_SANDBOX_EQ32(0, xkvm_vm_fd(vm)),
        XVM_SANDBOX_EQ(1, xkvm_vm_doorbell_ioctl()) } };
#undef ANY
#undef ON
    return xvm_sandbox_confine(id, name, allow, n);
}

/* The last word to xvmd: how the run ended, for an xvmd that adopted us
 * and cannot read our exit status. */
static void say_end(int status)
{
    struct xvmd_guest_req req = {
        .op = XVMD_GUEST_EXIT,
        .remote = status == 0 ? XVMD_GUEST_END_POWEROFF
                  : status == XKVM_EXIT_REBOOT ? XVMD_GUEST_END_REBOOT
                                          : XVMD_GUEST_END_CRASH,
    };

    if (write(CHAN_FD, &req, sizeof(req)) < 0) {
        /* no xvmd on the other end, and none to come: nobody to tell */
    }
}

int kvm_domain_main(const char *name, unsigned id, const char *kernel,
                    unsigned vcpus)
{
    char msg[PATH_MAX + 192], who[128];
    struct kvm_pv_opts pvo = { .domid = id, .chan_fd = CHAN_FD };
    struct xkvm_exit_counts counts;
    struct xkvm_boot boot;
    struct xvm_mem *mem;
    struct xkvm_pv *pv;
    struct xkvm_vm *vm;
    int rc, xs_fd = -1;

    mem = mem_receive(&xs_fd);
    if (!mem) {
        if (xs_fd >= 0)
            close(xs_fd);
        return 1;
    }
    if (xvm_mem_nr_frames(mem) < XKVM_RAM_MIN / XKVM_PAGE_SIZE) {
        xvm_mem_destroy(mem);
        if (xs_fd >= 0)
            close(xs_fd);
        snprintf(msg, sizeof(msg), "kvm domains need at least %u MiB",
                 XKVM_RAM_MIN >> 20);
        return fail(EINVAL, msg);
    }
    rc = kvm_image_load(mem, kernel, vcpus, &boot, msg, sizeof(msg) - 8);
    if (rc < 0) {
        xvm_mem_destroy(mem);
        if (xs_fd >= 0)
            close(xs_fd);
        memmove(msg + 7, msg, strlen(msg) + 1);
        memcpy(msg, "kernel ", 7);
        return fail(-rc, msg);
    }
    vm = xkvm_vm_create(xvm_mem_fd(mem), vcpus);
    xvm_mem_destroy(mem); /* the VM keeps its own mapping */
    if (!vm) {
        rc = errno;
        if (xs_fd >= 0)
            close(xs_fd);
        kvm_vm_strerror(rc, msg, sizeof(msg));
        return fail(rc, msg);
    }
    rc = xkvm_vm_boot(vm, &boot);
    if (rc < 0) {
        snprintf(msg, sizeof(msg), "cannot set the vCPUs up: %s",
                 strerror(-rc));
        if (xs_fd >= 0)
            close(xs_fd);
        xkvm_vm_destroy(vm);
        return fail(-rc, msg);
    }
    pvo.xs_fd = xs_fd; /* the interface's from here on, even on failure */
    pv = kvm_pv_attach(vm, &pvo);
    if (!pv) {
        rc = errno;
        snprintf(msg, sizeof(msg), "the paravirtual interface: %s",
                 strerror(rc));
        xkvm_vm_destroy(vm);
        return fail(rc, msg);
    }
    kvm_signals_setup();
    rc = confine(name, id, vm, xs_fd);
    if (rc < 0) {
        snprintf(msg, sizeof(msg), "cannot confine the monitor: %s",
                 strerror(-rc));
        xkvm_vm_destroy(vm);
        xkvm_pv_destroy(pv);
        return fail(-rc, msg);
    }
    if (write(CHAN_FD, "ok", 2) != 2) {
        xkvm_vm_destroy(vm);
        xkvm_pv_destroy(pv);
        return 1; /* xvmd gave up on us */
    }
    snprintf(who, sizeof(who), "xvm-kvm: domain %s", name);
    rc = kvm_guest_run(vm, who);
    xkvm_vm_exit_counts(vm, &counts);
    fprintf(stderr, "%s: exits %" PRIu64 ": hypercalls %" PRIu64 " (sends %"
            PRIu64 "), doorbells %" PRIu64 "\n", who, counts.exits,
            counts.hcalls, counts.sends, counts.doorbells);
    xkvm_vm_destroy(vm);
    xkvm_pv_destroy(pv);
    say_end(rc);
    return rc;
}
