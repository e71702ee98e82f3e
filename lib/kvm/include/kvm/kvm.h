/* SPDX-License-Identifier: MIT */
/*
 * kvm/kvm.h - the monitor core of KVM domains: the host's KVM, a VM whose
 * RAM is a domain's memfd, its vCPUs in 64-bit long mode, their run loops
 * and the hypercalls of kvm/abi.h.
 *
 *   struct xkvm_vm *vm = xkvm_vm_create(memfd, n);   RAM = the memfd
 *   xkvm_elf_load(xkvm_vm_ram(vm), ..., &img);       kvm/elf.h
 *   xkvm_vm_boot(vm, &img);                          page tables, vCPU state
 *   xkvm_vm_run(vm, &ops, arg, &stop);               until it stops
 *   xkvm_vm_destroy(vm);
 *
 * A VM has 1 to XKVM_CPUS_MAX vCPUs.  It is set up and run by one thread;
 * xkvm_vm_run() runs vCPU 0 on it and each other vCPU on a thread of its
 * own, which it makes and joins (so a confined caller must allow thread
 * creation: xvm_sandbox_thread_calls()).  xkvm_vm_kick() may be called
 * from any thread (async-signal-safe).  Functions returning int give 0 or
 * a negative errno; constructors NULL with errno set.
 */
#ifndef KVM_KVM_H
#define KVM_KVM_H

#include "xvm/export.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which KVM the host has (from /sys/module). */
enum xkvm_host {
    XKVM_HOST_NONE,  /* no KVM module loaded */
    XKVM_HOST_INTEL, /* kvm_intel: VMX */
    XKVM_HOST_AMD,   /* kvm_amd: SVM */
    XKVM_HOST_PVM,   /* kvm_pvm: guests at CPL 3, no exceptions or interrupts */
    XKVM_HOST_OTHER, /* kvm without any of the three */
};

/** The host's KVM kind.  Reads /sys/module only; any thread. */
XVN_EXPORT
enum xkvm_host xkvm_host_kind(void);

/** The module's name ("kvm_intel", ...), or "none"/"unknown". */
XVN_EXPORT
const char *xkvm_host_name(enum xkvm_host host);

/**
 * Whether guests of @host can be delivered interrupts and exceptions:
 * 1 on VMX and SVM hosts, 0 on kvm_pvm (this host gives a guest no PVM
 * supervisor mode to register an event entry from: docs/kvm.md), none, or
 * an unknown KVM.
 */
XVN_EXPORT
int xkvm_host_interrupts(enum xkvm_host host);

/**
 * The privilege level guests start at on @host (kvm/abi.h): 3 on kvm_pvm,
 * which runs a CPL 3 guest on the CPU but emulates a CPL 0 one instruction
 * by instruction; 0 elsewhere.
 */
XVN_EXPORT
int xkvm_host_cpl(enum xkvm_host host);

/**
 * The most vCPUs a guest may have here: XKVM_CPUS_MAX, or fewer if the
 * host has fewer CPUs online (a vCPU is a host thread that runs the guest
 * on a CPU; more of them than CPUs only take turns).  Any thread.
 */
XVN_EXPORT
unsigned xkvm_host_cpus_max(void);

/**
 * The exit status of a monitor program built on this library (xvm-kvm),
 * which says how its guest ended; xvmd reads it.
 */
enum xkvm_exit_status {
    XKVM_EXIT_POWEROFF = 0,
    XKVM_EXIT_FAILED = 1, /**< the monitor itself failed (usage, image, KVM) */
    XKVM_EXIT_CRASH = 2,
    XKVM_EXIT_REBOOT = 3,
    XKVM_EXIT_SIGNAL = 4, /**< stopped by SIGTERM or SIGINT */
};

struct xkvm_vm;

/**
 * Open /dev/kvm and create a VM with @vcpus vCPUs (1 to XKVM_CPUS_MAX; the
 * caller keeps to xkvm_host_cpus_max()) whose RAM, at guest-physical 0, is
 * the whole of @memfd: a domain's memory (xvm/mem.h: sealed against
 * shrinking, a whole number of 4 KiB frames) of at least XKVM_RAM_MIN and
 * at most XKVM_PD_MAX GiB.  The fd is duplicated; the caller keeps its own.
 * With more than one vCPU it installs a handler that does nothing for
 * XKVM_KICK_SIGNAL (without SA_RESTART: the signal only ends a KVM_RUN).
 *
 * @return the VM, or NULL with errno set: ENOENT or EACCES (no usable
 *         /dev/kvm), EINVAL (memory of the wrong size or unsealed, or
 *         @vcpus out of range), ENOSYS (KVM API version not 12), or the
 *         errno of an ioctl.
 */
XVN_EXPORT
struct xkvm_vm *xkvm_vm_create(int memfd, unsigned vcpus);

/** The signal that makes a vCPU thread leave KVM_RUN when the VM is
 *  kicked or stopped by another vCPU. */
#define XKVM_KICK_SIGNAL SIGUSR1

/** Close the vCPUs and the VM, unmap RAM.  Accepts NULL. */
XVN_EXPORT
void xkvm_vm_destroy(struct xkvm_vm *vm);

/**
 * Start the guest at @cpl, 0 or 3, rather than at xkvm_host_cpl() of this
 * host (the default).  Call before xkvm_vm_boot().
 * @return 0, or -EINVAL for another @cpl.
 */
XVN_EXPORT
int xkvm_vm_set_cpl(struct xkvm_vm *vm, int cpl);

/** The monitor's mapping of guest RAM (guest-physical 0). */
XVN_EXPORT
void *xkvm_vm_ram(const struct xkvm_vm *vm);

/** How many vCPUs @vm has. */
XVN_EXPORT
unsigned xkvm_vm_vcpus(const struct xkvm_vm *vm);

/**
 * The descriptor of vCPU @i (0 .. xkvm_vm_vcpus() - 1), or -1: once a VM
 * is booted, xkvm_vm_run() makes its ioctls (xkvm_run_ioctls()) on these
 * alone, so a confined monitor may allow those on these descriptors and
 * nothing else.
 */
XVN_EXPORT
int xkvm_vm_vcpu_fd(const struct xkvm_vm *vm, unsigned i);

/** The ioctls xkvm_vm_run() makes, all on the vCPUs' descriptors:
 *  KVM_RUN, KVM_GET_REGS, KVM_SET_REGS (their numbers, <linux/kvm.h>). */
#define XKVM_RUN_IOCTLS_MAX 3
/** Fill @req with the requests of the run loop; @return their count. */
XVN_EXPORT
unsigned xkvm_run_ioctls(unsigned long req[XKVM_RUN_IOCTLS_MAX]);

/**
 * The VM's descriptor.  After confinement the monitor issues one ioctl on
 * it, KVM_IOEVENTFD (xkvm_vm_doorbell_ioctl()), when a port's doorbell is
 * registered or removed (the guest allocates or closes a port, kvm/pv.h),
 * and at xkvm_vm_destroy().
 */
XVN_EXPORT
int xkvm_vm_fd(const struct xkvm_vm *vm);

/** The one ioctl on the VM's descriptor after boot: KVM_IOEVENTFD. */
XVN_EXPORT
unsigned long xkvm_vm_doorbell_ioctl(void);

/**
 * Doorbells through KVM_IOEVENTFD (@on, the default) or always by exits
 * to the monitor (0: to test that path, or to count exits).  Takes effect
 * for the interface the VM is given next (xkvm_vm_set_pv()).
 */
XVN_EXPORT
void xkvm_vm_set_ioeventfd(struct xkvm_vm *vm, int on);

/** What reached the monitor so far (a debug count). */
struct xkvm_exit_counts {
    uint64_t exits;     /* every return from KVM_RUN */
    uint64_t hcalls;    /* hypercalls */
    uint64_t sends;     /* of which XKVM_HC_EVTCHN_SEND */
    uint64_t doorbells; /* doorbell writes served by the monitor */
};

/** Fill @c with @vm's counts. */
XVN_EXPORT
void xkvm_vm_exit_counts(const struct xkvm_vm *vm,
                         struct xkvm_exit_counts *c);

/** Size of guest RAM in bytes. */
XVN_EXPORT
uint64_t xkvm_vm_ram_size(const struct xkvm_vm *vm);

/** Where the loaded kernel starts: its entry and the end of its image. */
struct xkvm_boot {
    uint64_t entry;      /* RIP at start */
    uint64_t ap_entry;   /* the other vCPUs' RIP; 0: it has none */
    uint64_t kernel_end; /* for xkvm_start_info.kernel_end */
    uint32_t needs;      /* XKVM_NEEDS_* of its note (kvm/abi.h) */
};

/**
 * Why a kernel that needs @needs (XKVM_NEEDS_*) cannot run on @host, in
 * words ("it takes interrupts, which ..."), or NULL if it can.
 */
XVN_EXPORT
const char *xkvm_needs_refusal(uint32_t needs, enum xkvm_host host);

/**
 * Set the guest up to start as kvm/abi.h says (at CPL 0 if @boot->needs
 * XKVM_NEEDS_SUPERVISOR, unless xkvm_vm_set_cpl() chose): GDT, start info and page
 * tables in the first MiB (which the kernel must not occupy: the ELF loader
 * refuses it), then each vCPU's CPUID (the host's supported set), control
 * registers, segments and general registers (kvm/abi.h: vCPU 0 at
 * @boot->entry, the others at @boot->ap_entry).  Call once,
 * after loading.
 *
 * @return 0, -EINVAL if @boot->entry (or with more than one vCPU,
 *         @boot->ap_entry) is not in [XKVM_KERNEL_MIN, RAM), -ENOEXEC if
 *         the VM has more than one vCPU and the kernel no AP entry, or the
 *         negative errno of an ioctl.
 */
XVN_EXPORT
int xkvm_vm_boot(struct xkvm_vm *vm, const struct xkvm_boot *boot);

/** Why xkvm_vm_run() returned. */
enum xkvm_stop_reason {
    XKVM_STOP_POWEROFF, /* the shutdown hypercall, poweroff */
    XKVM_STOP_REBOOT,   /* the shutdown hypercall, reboot */
    XKVM_STOP_CRASH,    /* the guest said so, misbehaved or faulted */
    XKVM_STOP_KICKED,   /* xkvm_vm_kick() or a signal: call run again to go on */
    XKVM_STOP_ERROR,    /* the monitor failed (an ioctl); the guest is stuck */
};

/** Name of a stop reason: "poweroff", "reboot", "crash", ... */
XVN_EXPORT
const char *xkvm_stop_name(enum xkvm_stop_reason reason);

/** The outcome of xkvm_vm_run(). */
struct xkvm_stop {
    enum xkvm_stop_reason reason;
    /** For CRASH and ERROR, what happened in words, e.g. "console write:
     * 16 bytes at 0xffff00000000 lie outside guest RAM (16 MiB)". */
    char why[192];
};

/** What the guest's devices do; for now, only its console. */
struct xkvm_dev_ops {
    /**
     * Output of the console hypercall: @len (1..XKVM_CONSOLE_MAX) bytes the
     * monitor copied out of guest RAM.  Runs on the calling vCPU's thread,
     * under the VM's lock (one write at a time), with that vCPU stopped;
     * errors are the callee's to handle (the guest is told the full count).
     */
    void (*console_write)(void *arg, const void *buf, size_t len);
};

/**
 * Run the guest until it stops: serve its hypercalls, and stop it as
 * crashed for anything else that reaches the monitor (port I/O other than a
 * hypercall, MMIO, HLT, a triple fault, an emulation failure).  vCPU 0 runs
 * on the calling thread, every other on a thread made here; the first stop
 * of any vCPU (its shutdown, its crash) stops all of them (each is kicked
 * out of KVM_RUN) and is the one reported; the threads are joined before
 * it returns.  A guest that was crashed or powered off stays stopped:
 * running it again gives the same reason.  After XKVM_STOP_KICKED each
 * vCPU resumes where it was.  A thread that cannot be made stops the
 * guest as XKVM_STOP_ERROR.
 *
 * @return 0 with @stop filled in (also for a crash: the monitor is fine).
 */
XVN_EXPORT
int xkvm_vm_run(struct xkvm_vm *vm, const struct xkvm_dev_ops *ops,
                void *arg, struct xkvm_stop *stop);

/**
 * Make the current or next xkvm_vm_run() return XKVM_STOP_KICKED at once,
 * every vCPU stopped.  Async-signal-safe: call it from a signal handler
 * whose signal (installed without SA_RESTART) interrupts the run; it
 * sends XKVM_KICK_SIGNAL to the threads of the other vCPUs.
 */
XVN_EXPORT
void xkvm_vm_kick(struct xkvm_vm *vm);

/* The probe: which guest actions reach the monitor as exits. */

/** The guest actions the probe tries, each in a fresh tiny VM at the
 *  host's privilege level (xkvm_host_cpl()) unless it says otherwise. */
enum xkvm_probe_kind {
    XKVM_PROBE_PIO,   /* out and in: KVM_EXIT_IO */
    XKVM_PROBE_MMIO,  /* a load from a page with no memslot: KVM_EXIT_MMIO */
    XKVM_PROBE_HLT,   /* hlt: KVM_EXIT_HLT */
    XKVM_PROBE_DEBUG, /* a KVM_SET_GUEST_DEBUG breakpoint: KVM_EXIT_DEBUG */
    XKVM_PROBE_LOOP_CPL0, /* a timed loop between two outs, at CPL 0 */
    XKVM_PROBE_LOOP_CPL3, /* the same at CPL 3 */
    XKVM_PROBE_COUNT,
};

/** One probe's result. */
struct xkvm_probe {
    const char *action;   /* "out/in port 0x88", ... */
    const char *expected; /* the exit it should give, "KVM_EXIT_IO" */
    int works;            /* 1: the expected exit, with the right details */
    int exit_reason;      /* the exit that came (KVM_EXIT_*), -1: none */
    int err;              /* a negative errno if the run itself failed */
    int cpl;              /* the privilege level the guest ran at */
    char detail[96];      /* what came, in words */
};

/**
 * Run the probe's tiny guest @kind and say what reached the monitor.  Each
 * guest ends in a ud2 so that it always exits somehow.  The caller bounds
 * the time (a signal without SA_RESTART makes KVM_RUN return EINTR, which
 * is reported in @res->err).
 *
 * @return 0 (the result is in @res), or a negative errno if no VM could be
 *         made at all.
 */
XVN_EXPORT
int xkvm_probe_run(enum xkvm_probe_kind kind, struct xkvm_probe *res);

/** Name of a KVM_EXIT_* value ("IO", "MMIO", "HLT", ...). */
XVN_EXPORT
const char *xkvm_exit_name(int exit_reason);

#ifdef __cplusplus
}
#endif

#endif /* KVM_KVM_H */
