/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the "kvm" domain kind.  The guest is a child running the monitor
 * xvm-kvm (app/xvm-kvm, docs/kvm.md) as `xvm-kvm --domain NAME --id ID
 * --kernel FILE --vcpus N`: it gets its descriptors and does the start
 * handshake as every kind's guest program (guest.c), loads the kernel into the
 * domain's memory, makes the VM over that memfd, confines itself and
 * answers "ok"; a kernel it refuses, or a host without a usable
 * /dev/kvm, is its "err", which fails the create with its words.
 *
 * The guest's console writes go to the monitor's stdout, the domain's pty
 * (console.c: `xvm console`, the log), and so do the monitor's own words
 * (its stderr): "xvm-kvm: domain NAME: guest crashed: <why>".  Pause and
 * resume stop and continue the monitor (SIGSTOP, SIGCONT: its vCPUs with it).  `xvm
 * shutdown` first writes control/shutdown = "poweroff" in the guest's
 * xenstore home, as Xen toolstacks do (minios reads it and powers off);
 * a guest that has not gone within the grace period (xvmd -t) gets the
 * fallback, SIGTERM, which the monitor turns into a kick that stops the
 * vCPU, and is killed XVMD_SHUTDOWN_STOP_MS later if even that does not
 * end it; destroy is SIGKILL.
 * The monitor runs in the domain's cgroup (cgroup.c), in guest/, whose
 * memory.max is the domain's memory and KVM_CG_SLACK_MIB for the
 * monitor's own (the guest's RAM is charged to it as the guest touches
 * it); its cgroup namespace is rooted there (xvm_sandbox_confine()).
 * The monitor's exit status is how the guest ended: 0 poweroff, 3 reboot,
 * anything else (2 crash, 4 stopped by a signal, 1 the monitor failed, a
 * signal such as SIGSYS from its seccomp filter) a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm/kvm.h"
#include "xvm/daemon.h"
#include "xvmd.h"

/* What the monitor may use beyond the guest's RAM: its heap, page tables,
 * KVM's accounted structures. */
#define KVM_CG_SLACK_MIB 64

/* In the child: become the monitor, in guest/ of the domain's cgroup. */
static void kvm_exec(const struct xvmd *x, const struct xvmd_dom *dom, int cg)
{
    char id[16], vcpus[16];
    const char *argv[] = {"xvm-kvm", "--domain", dom->cfg.name, "--id", id,
                          "--kernel", dom->cfg.kernel, "--vcpus", vcpus,
                          NULL};

    /* Its stderr is the console too: the monitor holds no file of dom0's
     * (xvmd's log), and how the guest ended is told where its output is. */
    if (dup2(1, 2) < 0)
        _exit(127);
    if (cg >= 0 && xvm_file_put(cg, "guest/cgroup.procs", "0") < 0)
        _exit(127);
    snprintf(id, sizeof(id), "%u", dom->id);
    snprintf(vcpus, sizeof(vcpus), "%u", dom->cfg.vcpus);
    xvmd_guest_exec(x->kvm_path, argv);
}

static void kvm_release(struct xvmd *x, struct xvmd_dom *dom)
{
    xvmd_guest_release(x, dom);
    xvmd_cg_remove(dom);
    xvmd_console_close(x, dom);
}

static int kvm_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                     size_t errlen)
{
    int rc;

    if (access(x->kvm_path, X_OK) < 0) {
        rc = -errno;
        snprintf(err, errlen, "domain %s: no KVM monitor: %s: %s (xvmd -k)",
                 dom->cfg.name, x->kvm_path, strerror(errno));
        return rc;
    }
    rc = xvmd_guest_start(x, dom,
                          (uint64_t)(dom->cfg.memory_mib + KVM_CG_SLACK_MIB)
                              << 20,
                          kvm_exec, NULL, err, errlen);
    if (rc < 0)
        return rc;
    return xvmd_guest_chan_ready(x, dom, err, errlen);
}

static int kvm_pause(struct xvmd_dom *dom)
{
    return xvmd_guest_signal(dom, SIGSTOP);
}

static int kvm_resume(struct xvmd_dom *dom)
{
    return xvmd_guest_signal(dom, SIGCONT);
}

static int kvm_enter_open(struct xvmd_dom *dom, int fd[2])
{
    (void)dom;
    (void)fd;
    return -EOPNOTSUPP; /* the monitor's namespaces are empty */
}

static int kvm_adopt(struct xvmd *x, struct xvmd_dom *dom,
                     const struct xvmd_run *r, bool *paused, char *err,
                     size_t errlen)
{
    char state = 0;
    int rc = xvmd_guest_adopt(x, dom, r, err, errlen);

    if (rc < 0)
        return rc;
    xvmd_cg_adopt(dom, r->cg);
    *paused = xvmd_pid_stat(r->pid, &state, NULL) == 0 && state == 'T';
    return 0;
}

static void kvm_run_info(const struct xvmd_dom *dom, struct xvmd_run *r)
{
    r->init = 0;
    r->init_start = 0;
    snprintf(r->cg, sizeof(r->cg), "%s", dom->cg_fd >= 0 ? dom->cg_path : "");
}

static const char *kvm_program(const struct xvmd *x)
{
    return x->kvm_path;
}

static enum xvmd_exit kvm_exited(int st)
{
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return XVMD_EXIT_POWEROFF;
    if (WIFEXITED(st) && WEXITSTATUS(st) == XKVM_EXIT_REBOOT)
        return XVMD_EXIT_REBOOT;
    return XVMD_EXIT_CRASH;
}

static const char *kvm_hypervisor(int *irq)
{
    enum xkvm_host host = xkvm_host_kind();

    *irq = xkvm_host_interrupts(host);
    return xkvm_host_name(host);
}

const struct xvmd_kind_ops xvmd_kind_kvm = {
    .os_type = "kvm",
    .start = kvm_start,
    .pause = kvm_pause,
    .resume = kvm_resume,
    .shutdown = xvmd_guest_shutdown,
    .xs_shutdown = 1,
    .kill = xvmd_guest_kill,
    .release = kvm_release,
    .enter_open = kvm_enter_open,
    .adopt = kvm_adopt,
    .run_info = kvm_run_info,
    .program = kvm_program,
    .exited = kvm_exited,
    .hypervisor = kvm_hypervisor,
};
