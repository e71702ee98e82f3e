/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the "process" domain kind.  The guest is a child running
 * xvm-procdom, the domain's "kernel": it holds the domain's memory, runs
 * its netif frontends, and starts the domain's sandbox (xvm/sandbox.h),
 * whose init is the first of the domain's own processes; it pins the
 * sandbox's network namespace at <netns_dir>/xvm-<name>.
 *
 * The domain's cgroup (cgroup.c): xvm-procdom in front/, the sandbox in
 * guest/ with memory.max at the domain's memory.  The guest's cgroup
 * namespace is rooted at guest/.  Pause and resume
 * freeze and thaw the whole domain (cgroup.freeze; SIGSTOP and SIGCONT of
 * xvm-procdom without cgroup v2), shutdown is SIGTERM to xvm-procdom,
 * destroy is cgroup.kill (SIGKILL of xvm-procdom without it, which takes
 * the sandbox down with it).
 *
 * xvm-procdom's stdin and stdout are the slave of the domain's console
 * (console.c), or /dev/null without one; its stderr stays xvmd's.  The
 * domain's init command, if its config has one, follows the domain's
 * name on its command line.
 *
 * xvm-procdom gets its descriptors and does the start handshake as every
 * kind's guest program (guest.c), and fd 4, the guest cgroup's directory,
 * when -c is given; its "ok" carries a pidfd of the sandbox's init.  A
 * later xvmd takes the guest over with proc_adopt().
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "xvm/daemon.h"
#include "xvmd.h"

static void proc_netns_path(const struct xvmd *x, const struct xvmd_dom *dom,
                            char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/xvm-%s", x->netns_dir, dom->cfg.name);
}

/* ---- the guest program ---------------------------------------------------- */

/* In the child: join front/, become xvm-procdom with the guest's cgroup
 * on fd 4, the domain's name, then its init. */
static void proc_exec(const struct xvmd *x, const struct xvmd_dom *dom,
                      int cg)
{
    const char *argv[10 + XVM_DOMCFG_INIT_ARGS_MAX];
    char id[16];
    int guest = -1, argc = 0;

    if (cg >= 0) {
        guest = openat(cg, "guest", O_RDONLY | O_DIRECTORY);
        if (xvm_file_put(cg, "front/cgroup.procs", "0") < 0 || guest < 0 ||
            dup2(guest, 4) < 0)
            _exit(127);
    }
    snprintf(id, sizeof(id), "%u", dom->id);
    argv[argc++] = "xvm-procdom";
    argv[argc++] = "-n";
    argv[argc++] = x->netns_dir;
    argv[argc++] = "-i";
    argv[argc++] = id;
    if (guest >= 0)
        argv[argc++] = "-c";
    argv[argc++] = "--";
    argv[argc++] = dom->cfg.name;
    if (xvm_domcfg_init_argv(&dom->cfg, argv + argc,
                             (unsigned)(sizeof(argv) / sizeof(argv[0])) -
                                 (unsigned)argc) < 0)
        argv[argc] = NULL;
    xvmd_guest_exec(x->procdom_path, argv);
}

static void proc_kill(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return;
    if (dom->cg_fd >= 0)
        xvm_file_put(dom->cg_fd, "cgroup.kill", "1");
    xvmd_guest_kill(dom);
}

static int proc_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen)
{
    int rc = xvmd_guest_start(x, dom, (uint64_t)dom->cfg.memory_mib << 20,
                              proc_exec, &dom->guest_fd, err, errlen);

    if (rc < 0)
        return rc;
    dom->netns_pinned = 1;
    return xvmd_guest_chan_ready(x, dom, err, errlen);
}

static int proc_pause(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return -ESRCH;
    if (dom->cg_fd >= 0)
        return xvm_file_put(dom->cg_fd, "cgroup.freeze", "1");
    return xvmd_guest_signal(dom, SIGSTOP);
}

static int proc_resume(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return -ESRCH;
    if (dom->cg_fd >= 0)
        return xvm_file_put(dom->cg_fd, "cgroup.freeze", "0");
    return xvmd_guest_signal(dom, SIGCONT);
}

static void proc_release(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[PATH_MAX];

    xvmd_guest_release(x, dom);
    if (dom->guest_fd >= 0)
        close(dom->guest_fd);
    dom->guest_fd = -1;
    xvmd_cg_remove(dom);
    xvmd_console_close(x, dom);
    if (!dom->netns_pinned)
        return;
    /* The guest unpins on a clean exit; after a crash or kill it is ours. */
    proc_netns_path(x, dom, path, sizeof(path));
    if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        xvm_log_warn("domain %s: umount %s: %s", dom->cfg.name, path,
                     strerror(errno));
    if (unlink(path) < 0 && errno != ENOENT)
        xvm_log_warn("domain %s: unlink %s: %s", dom->cfg.name, path,
                     strerror(errno));
    dom->netns_pinned = 0;
}

static int proc_enter_open(struct xvmd_dom *dom, int fd[2])
{
    if (dom->pid <= 0 || dom->guest_fd < 0)
        return -ESRCH;
    fd[0] = fcntl(dom->guest_fd, F_DUPFD_CLOEXEC, 0);
    if (fd[0] < 0)
        return -errno;
    if (dom->cg_fd < 0)
        return 0;
    fd[1] = openat(dom->cg_fd, "guest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd[1] >= 0)
        return 0;
    close(fd[0]);
    fd[0] = -1;
    return -errno;
}

/* The pid of the process a pidfd refers to, from its fdinfo; -1. */
static pid_t pidfd_pid(int pidfd)
{
    char path[64], line[128];
    pid_t pid = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Pid: %d", &pid) == 1)
            break;
    fclose(f);
    return pid;
}

static void proc_run_info(const struct xvmd_dom *dom, struct xvmd_run *r)
{
    pid_t init = dom->guest_fd >= 0 ? pidfd_pid(dom->guest_fd) : -1;

    r->init = init > 0 ? init : 0;
    r->init_start = init > 0 ? xvmd_pid_start(init) : 0;
    snprintf(r->cg, sizeof(r->cg), "%s", dom->cg_fd >= 0 ? dom->cg_path : "");
}

static int proc_adopt(struct xvmd *x, struct xvmd_dom *dom,
                      const struct xvmd_run *r, bool *paused, char *err,
                      size_t errlen)
{
    char state = 0, buf[8];
    int rc = xvmd_guest_adopt(x, dom, r, err, errlen);

    if (rc < 0)
        return rc;
    if (r->init > 0 && xvmd_pid_start(r->init) == r->init_start)
        dom->guest_fd = (int)syscall(SYS_pidfd_open, r->init, 0);
    xvmd_cg_adopt(dom, r->cg);
    dom->netns_pinned = 1;
    /* Paused: its cgroup frozen, or (without one) the guest stopped. */
    if (dom->cg_fd >= 0)
        state = xvmd_read_small(dom->cg_fd, "cgroup.freeze", buf,
                                sizeof(buf)) > 0 && buf[0] == '1' ? 'T' : 0;
    else if (xvmd_pid_stat(r->pid, &state, NULL) < 0)
        state = 0;
    *paused = state == 'T';
    return 0;
}

static const char *proc_program(const struct xvmd *x)
{
    return x->procdom_path;
}

static enum xvmd_exit proc_exited(int st)
{
    /* xvm-procdom exits 0 when the domain's init ended it cleanly. */
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? XVMD_EXIT_POWEROFF
                                                 : XVMD_EXIT_CRASH;
}

static const char *proc_hypervisor(int *irq)
{
    *irq = 0;
    return NULL;
}

const struct xvmd_kind_ops xvmd_kind_process = {
    .os_type = "process",
    .start = proc_start,
    .pause = proc_pause,
    .resume = proc_resume,
    .shutdown = xvmd_guest_shutdown,
    .kill = proc_kill,
    .release = proc_release,
    .enter_open = proc_enter_open,
    .adopt = proc_adopt,
    .run_info = proc_run_info,
    .program = proc_program,
    .exited = proc_exited,
    .hypervisor = proc_hypervisor,
};
