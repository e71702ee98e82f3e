/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the "process" domain kind.  The guest is a child running
 * xvm-procdom, the domain's "kernel": it holds the domain's memory, runs
 * its netif frontends, and starts the domain's sandbox (xvm/sandbox.h),
 * whose init is the first of the domain's own processes; it pins the
 * sandbox's network namespace at <netns_dir>/xvm-<name>.
 *
 * Each domain has a cgroup v2 subtree (when the host has cgroup v2):
 *   <cgroup2>/xvnet/xvmd-<xvmd pid>/<name>/          cpu.max (vcpus)
 *                                          front/    xvm-procdom
 *                                          guest/    memory.max (memory);
 *                                                    init, `xvm exec`
 * The guest's cgroup namespace is rooted at guest/.  Pause and resume
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
 * Start handshake over a SOCK_SEQPACKET pair (the child's end is its fd 3;
 * fd 4 is the guest cgroup's directory when -c is given; fds 5, 6 and 7
 * are copies of xvmd's end of the pair, of the console's pty master (if
 * any) and of the domain's memory, which xvm-procdom keeps and never
 * uses, so that none of them closes when xvmd goes: run.c):
 *   xvmd -> guest  "mem" with the memory memfd attached (SCM_RIGHTS)
 *   guest -> xvmd  "ok" with a pidfd of the sandbox's init attached, or
 *                  "err <errno> <message>"
 * The pair then stays open.  A later xvmd takes the guest over with
 * proc_adopt(): pidfd_open() of the guest, pidfd_getfd() of fds 5 to 7.
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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "xvm/sandbox.h"
#include "xvmd.h"

/* How long a new guest may take to report ready. */
#define PROC_READY_MS 5000
/* How long destroy waits for the killed processes to leave the cgroup. */
#define PROC_CG_EMPTY_MS 1000

static void proc_netns_path(const struct xvmd *x, const struct xvmd_dom *dom,
                            char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/xvm-%s", x->netns_dir, dom->cfg.name);
}

/* ---- the domain's cgroup ------------------------------------------------ */

/* Where cgroup v2 is mounted ("" if nowhere), from our mountinfo. */
static const char *cg2_mount(void)
{
    static char root[256];
    static int looked;
    char line[1024], mnt[256], *sep;
    FILE *f;

    if (looked)
        return root;
    looked = 1;
    f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return root;
    while (fgets(line, sizeof(line), f)) {
        sep = strstr(line, " - cgroup2 ");
        if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
            snprintf(root, sizeof(root), "%s", mnt);
            break;
        }
    }
    fclose(f);
    return root;
}

/* The cgroup of a new run; an adopted one keeps the path it was given
 * (dom->cg_path), under the xvmd that started it. */
static void proc_cg_path(const struct xvmd_dom *dom, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/xvnet/xvmd-%d/%s", cg2_mount(), (int)getpid(),
             dom->cfg.name);
}

/* Write @text to @file of the cgroup directory @dirfd. */
static int cg_write(int dirfd, const char *file, const char *text)
{
    size_t len = strlen(text);
    int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return -errno;
    if (write(fd, text, len) != (ssize_t)len)
        rc = -errno;
    close(fd);
    return rc;
}

/* Whether @dirfd's cgroup.controllers offers @ctl. */
static int cg_has(int dirfd, const char *ctl)
{
    char buf[512], *tok, *save = NULL;

    if (xvmd_read_small(dirfd, "cgroup.controllers", buf, sizeof(buf)) <= 0)
        return 0;
    for (tok = strtok_r(buf, " \n", &save); tok;
         tok = strtok_r(NULL, " \n", &save))
        if (strcmp(tok, ctl) == 0)
            return 1;
    return 0;
}

/* Kill what is in cgroup @name under @parent and remove it, depth first. */
static void cg_remove_tree(int parent, const char *name)
{
    struct dirent *e;
    int fd;
    DIR *d;

    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    cg_write(fd, "cgroup.kill", "1");
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((e = readdir(d)))
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
            cg_remove_tree(dirfd(d), e->d_name);
    closedir(d);
    for (int i = 0; i < 100; i++) { /* the killed leave at once, or nearly */
        if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno != EBUSY)
            return;
        usleep(2000);
    }
}

/* Whether @path is the cgroup of a domain of ours (adopted). */
static bool cg_ours(const struct xvmd *x, const char *path)
{
    const struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->cg_fd >= 0 && strcmp(dom->cg_path, path) == 0)
            return true;
    return false;
}

/* Remove the subtrees that xvmds which died (SIGKILL, a crash) left,
 * but for the domains taken over from them (their cgroups stay where
 * they are; the xvmd-<pid> level goes with the last of them). */
static void cg_sweep(const struct xvmd *x, const char *xvnet)
{
    struct dirent *e, *c;
    DIR *d = opendir(xvnet), *sub;
    char path[PATH_MAX];
    int pid, fd;

    if (!d)
        return;
    while ((e = readdir(d))) {
        if (e->d_type != DT_DIR || sscanf(e->d_name, "xvmd-%d", &pid) != 1 ||
            pid == (int)getpid() || xvmd_pid_runs(pid, "xvmd"))
            continue;
        fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        sub = fd >= 0 ? fdopendir(fd) : NULL;
        if (!sub) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        while ((c = readdir(sub))) {
            if (c->d_type != DT_DIR || c->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s/%s", xvnet, e->d_name,
                     c->d_name);
            if (cg_ours(x, path))
                continue;
            xvm_log_info("removing cgroup %s of a dead xvmd", path);
            cg_remove_tree(dirfd(sub), c->d_name);
        }
        closedir(sub);
        unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* if now empty */
    }
    closedir(d);
}

/* Make @path (one level) and pass memory and cpu down to its children. */
static int cg_level(const char *path)
{
    int fd;

    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -errno;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (cg_has(fd, "memory"))
        cg_write(fd, "cgroup.subtree_control", "+memory");
    if (cg_has(fd, "cpu"))
        cg_write(fd, "cgroup.subtree_control", "+cpu");
    return fd;
}

/* The domain's cgroup with its limits; dom->cg_fd, or -1 without v2. */
static int proc_cg_create(const struct xvmd *x, struct xvmd_dom *dom,
                          char *err, size_t errlen)
{
    char path[PATH_MAX], xvnet[300], val[64], *p, c;
    static int swept;
    int fd, guest, rc = 0;

    if (!cg2_mount()[0]) {
        xvm_log_warn("domain %s: no cgroup v2: memory and vcpus are not "
                     "enforced, destroy relies on the PID namespace",
                     dom->cfg.name);
        return 0;
    }
    proc_cg_path(dom, path, sizeof(path));
    if (!swept) {
        swept = 1;
        snprintf(xvnet, sizeof(xvnet), "%s/xvnet", cg2_mount());
        cg_sweep(x, xvnet);
    }
    /* each level below the mount: xvnet, xvmd-<pid>, <name> */
    for (p = path + strlen(cg2_mount()) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        c = *p;
        *p = '\0';
        fd = cg_level(path);
        *p = c;
        if (fd < 0 || c == '\0')
            break;
        close(fd);
    }
    if (fd < 0) { /* a read-only or foreign cgroup tree: run without */
        xvm_log_warn("domain %s: cannot make cgroup %s (%s): memory and "
                     "vcpus are not enforced", dom->cfg.name, path,
                     strerror(-fd));
        return 0;
    }
    dom->cg_fd = fd;
    snprintf(dom->cg_path, sizeof(dom->cg_path), "%s", path);
    if ((mkdirat(fd, "front", 0755) < 0 && errno != EEXIST) ||
        (mkdirat(fd, "guest", 0755) < 0 && errno != EEXIST)) {
        rc = -errno;
        snprintf(err, errlen, "domain %s: cgroup %s: %s", dom->cfg.name, path,
                 strerror(errno));
        return rc;
    }
    if (cg_has(fd, "cpu")) {
        snprintf(val, sizeof(val), "%u 100000", dom->cfg.vcpus * 100000u);
        rc = cg_write(fd, "cpu.max", val);
    } else {
        xvm_log_warn("domain %s: cgroup v2 has no cpu controller here: "
                     "vcpus is not enforced", dom->cfg.name);
    }
    guest = openat(fd, "guest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rc == 0 && guest >= 0 && cg_has(guest, "memory")) {
        snprintf(val, sizeof(val), "%llu",
                 (unsigned long long)dom->cfg.memory_mib << 20);
        rc = cg_write(guest, "memory.max", val);
    } else if (rc == 0) {
        xvm_log_warn("domain %s: cgroup v2 has no memory controller here: "
                     "memory is not enforced", dom->cfg.name);
    }
    if (guest >= 0)
        close(guest);
    if (rc < 0)
        snprintf(err, errlen, "domain %s: cgroup limits: %s", dom->cfg.name,
                 strerror(-rc));
    return rc;
}

/* Kill what is left in the domain's cgroup and remove it. */
static void proc_cg_remove(struct xvmd_dom *dom)
{
    char path[PATH_MAX];
    int i;

    if (dom->cg_fd < 0)
        return;
    cg_write(dom->cg_fd, "cgroup.kill", "1");
    cg_write(dom->cg_fd, "cgroup.freeze", "0");
    /* killed processes leave the cgroup when they are gone */
    for (i = 0; i < PROC_CG_EMPTY_MS; i += 5) {
        if ((unlinkat(dom->cg_fd, "guest", AT_REMOVEDIR) == 0 ||
             errno == ENOENT) &&
            (unlinkat(dom->cg_fd, "front", AT_REMOVEDIR) == 0 ||
             errno == ENOENT))
            break;
        usleep(5000);
    }
    close(dom->cg_fd);
    dom->cg_fd = -1;
    snprintf(path, sizeof(path), "%s", dom->cg_path);
    dom->cg_path[0] = '\0';
    if (rmdir(path) < 0 && errno != ENOENT)
        xvm_log_warn("domain %s: cannot remove cgroup %s: %s", dom->cfg.name,
                     path, strerror(errno));
    /* the xvmd-<pid> level goes with the last domain */
    *strrchr(path, '/') = '\0';
    rmdir(path);
}

/* ---- the guest program ---------------------------------------------------- */

/* In the child: a copy of @fd at 10 or above (close-on-exec), out of the
 * way of the fds it is about to set (0, 1, 3 to 7); -1 stays -1. */
static int fd_high(int fd)
{
    return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

/* In the child: join front/, become xvm-procdom with the console (or
 * /dev/null) on stdin and stdout, the channel on fd 3, the guest's cgroup
 * on fd 4, what it keeps for a later xvmd on fds 5 to 7 (xvmd's end
 * @keep, the pty master, the memory), the domain's name, then its init. */
__attribute__((noreturn)) static void proc_exec(const struct xvmd *x,
                                                const struct xvmd_dom *dom,
                                                int chan, int keep)
{
    const char *argv[10 + XVM_DOMCFG_INIT_ARGS_MAX];
    char msg[PATH_MAX + 64], id[16];
    int n, guest = -1, argc = 0, con, ch, cg, kp, ms, mem;
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0); /* no terminal signals meant for xvmd */
    con = xvmd_console_slave(dom);
    con = fd_high(con >= 0 ? con : open("/dev/null", O_RDWR | O_CLOEXEC));
    ch = fd_high(chan);
    cg = fd_high(dom->cg_fd);
    kp = fd_high(keep);
    ms = fd_high(xvmd_console_master(dom));
    mem = fd_high(xvm_mem_fd(dom->mem));
    if (con < 0 || ch < 0 || (dom->cg_fd >= 0 && cg < 0) || kp < 0 ||
        mem < 0 || dup2(con, 0) < 0 || dup2(con, 1) < 0 || dup2(ch, 3) < 0 ||
        dup2(kp, 5) < 0 || (ms >= 0 && dup2(ms, 6) < 0) || dup2(mem, 7) < 0)
        _exit(127);
    if (cg >= 0) {
        guest = openat(cg, "guest", O_RDONLY | O_DIRECTORY);
        if (cg_write(cg, "front/cgroup.procs", "0") < 0 || guest < 0 ||
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
    execv(x->procdom_path, (char *const *)argv);
    n = snprintf(msg, sizeof(msg), "err %d cannot run %s: %s", errno,
                 x->procdom_path, strerror(errno));
    if (write(3, msg, (size_t)n) < 0)
        _exit(127);
    _exit(127);
}

/* Wait for the guest's "ok" and its init's pidfd; on failure fill @err. */
static int proc_wait_ready(struct xvmd_dom *dom, char *err, size_t errlen)
{
    struct pollfd pfd = {.fd = dom->ctl_fd, .events = POLLIN};
    char buf[512];
    unsigned nfds = 0;
    int e, off = 0, fd = -1;
    ssize_t n;

    n = poll(&pfd, 1, PROC_READY_MS);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest not ready after %d ms",
                 dom->cfg.name, PROC_READY_MS);
        return -ETIMEDOUT;
    }
    n = xvm_fd_recv(dom->ctl_fd, buf, sizeof(buf) - 1, &fd, 1, &nfds);
    /* A guest that exits leaving our "mem" unread resets the channel;
     * what it said before is still there to read once that is told. */
    if (n == -ECONNRESET)
        n = xvm_fd_recv(dom->ctl_fd, buf, sizeof(buf) - 1, &fd, 1, &nfds);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest exited while starting",
                 dom->cfg.name);
        return -ECHILD;
    }
    buf[n] = '\0';
    if (strcmp(buf, "ok") == 0 && nfds == 1) {
        dom->guest_fd = fd;
        return 0;
    }
    if (nfds)
        close(fd);
    if (sscanf(buf, "err %d %n", &e, &off) == 1 && off > 0 && e > 0) {
        snprintf(err, errlen, "domain %s: %s", dom->cfg.name, buf + off);
        return -e;
    }
    snprintf(err, errlen, "domain %s: bad reply from the guest",
             dom->cfg.name);
    return -EPROTO;
}

static void proc_release(struct xvmd *x, struct xvmd_dom *dom);

static void proc_kill(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return;
    if (dom->cg_fd >= 0)
        cg_write(dom->cg_fd, "cgroup.kill", "1");
    if (dom->pidfd >= 0) {
        /* Adopted: not our child; its pidfd says when it is gone. */
        struct pollfd pfd = {.fd = dom->pidfd, .events = POLLIN};

        syscall(SYS_pidfd_send_signal, dom->pidfd, SIGKILL, NULL, 0);
        while (poll(&pfd, 1, PROC_CG_EMPTY_MS) < 0 && errno == EINTR)
            ;
        dom->pid = 0;
        return;
    }
    kill(dom->pid, SIGKILL);
    while (waitpid(dom->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    dom->pid = 0;
}

/* Undo a failed start: the guest, its channel, its cgroup, its console. */
static void proc_abort(struct xvmd *x, struct xvmd_dom *dom)
{
    proc_kill(dom);
    if (dom->ctl_fd >= 0)
        close(dom->ctl_fd);
    dom->ctl_fd = -1;
    proc_cg_remove(dom);
    xvmd_console_close(x, dom);
}

static int proc_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen)
{
    int sv[2], memfd = xvm_mem_fd(dom->mem), rc, fds[2];
    struct epoll_event ev;
    pid_t pid;

    if (dom->id > XVM_SANDBOX_ID_MAX) {
        snprintf(err, errlen, "domain %s: id %u has no uid range (max %u)",
                 dom->cfg.name, dom->id, XVM_SANDBOX_ID_MAX);
        return -ERANGE;
    }
    rc = proc_cg_create(x, dom, err, errlen);
    if (rc < 0) {
        proc_cg_remove(dom);
        return rc;
    }
    xvmd_console_open(x, dom); /* without one (logged), it runs on */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        proc_cg_remove(dom);
        xvmd_console_close(x, dom);
        return rc;
    }
    pid = fork();
    if (pid < 0) {
        rc = -errno;
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        proc_cg_remove(dom);
        xvmd_console_close(x, dom);
        return rc;
    }
    if (pid == 0)
        proc_exec(x, dom, sv[1], sv[0]);
    close(sv[1]);
    dom->pid = pid;
    dom->ctl_fd = sv[0];
    /* The guest's end of its xenstore connection (vif.c made it). */
    fds[0] = memfd;
    fds[1] = dom->xs_fd;
    /* If exec failed the send may fail too; the reply says why. */
    xvm_fd_send(dom->ctl_fd, "mem", 3, fds, 2);
    close(dom->xs_fd);
    dom->xs_fd = -1;
    rc = proc_wait_ready(dom, err, errlen);
    if (rc < 0) {
        proc_abort(x, dom);
        return rc;
    }
    dom->netns_pinned = 1;
    /* From now on the guest may ask for event channels, and its replies
     * never block xvmd: what it leaves unread is bounded by a small send
     * buffer, past which it is crashed (xvmd_guest_serve()). */
    if (fcntl(dom->ctl_fd, F_SETFL, O_NONBLOCK) < 0 ||
        setsockopt(dom->ctl_fd, SOL_SOCKET, SO_SNDBUF,
                   &(int){XVMD_GUEST_SNDBUF}, sizeof(int)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "domain %s: guest channel: %s", dom->cfg.name,
                 strerror(errno));
        proc_kill(dom);
        proc_release(x, dom);
        return rc;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = dom->ctl_fd;
    if (x->ep >= 0)
        epoll_ctl(x->ep, EPOLL_CTL_ADD, dom->ctl_fd, &ev);
    return 0;
}

static int proc_signal(struct xvmd_dom *dom, int sig)
{
    if (dom->pid <= 0)
        return -ESRCH;
    return kill(dom->pid, sig) < 0 ? -errno : 0;
}

static int proc_pause(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return -ESRCH;
    if (dom->cg_fd >= 0)
        return cg_write(dom->cg_fd, "cgroup.freeze", "1");
    return proc_signal(dom, SIGSTOP);
}

static int proc_resume(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return -ESRCH;
    if (dom->cg_fd >= 0)
        return cg_write(dom->cg_fd, "cgroup.freeze", "0");
    return proc_signal(dom, SIGCONT);
}

static int proc_shutdown(struct xvmd_dom *dom)
{
    int rc = proc_signal(dom, SIGTERM);

    if (rc == 0)
        proc_resume(dom); /* a paused guest must see it */
    return rc;
}

static void proc_release(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[PATH_MAX];

    if (dom->ctl_fd >= 0)
        close(dom->ctl_fd);
    dom->ctl_fd = -1;
    if (dom->pidfd >= 0) {
        if (x->ep >= 0)
            epoll_ctl(x->ep, EPOLL_CTL_DEL, dom->pidfd, NULL);
        close(dom->pidfd);
        dom->pidfd = -1;
    }
    if (dom->guest_fd >= 0)
        close(dom->guest_fd);
    dom->guest_fd = -1;
    proc_cg_remove(dom);
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

static bool is_seqpacket(int fd)
{
    int type = 0;
    socklen_t len = sizeof(type);

    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
           type == SOCK_SEQPACKET;
}

/* Whether @fd is the memfd xvmd made for @dom ("xvm-mem-<name>"). */
static bool is_dom_memfd(int fd, const struct xvmd_dom *dom)
{
    char link[64], want[128], got[128];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, got, sizeof(got) - 1);
    if (n <= 0)
        return false;
    got[n] = '\0';
    snprintf(want, sizeof(want), "/memfd:xvm-mem-%s (deleted)", dom->cfg.name);
    return strcmp(got, want) == 0;
}

/* A copy of the guest's fd @n (pidfd_getfd), or -errno. */
static int guest_fd_get(int pidfd, int n)
{
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0);

    return fd < 0 ? -errno : fd;
}

static int proc_adopt(struct xvmd *x, struct xvmd_dom *dom,
                      const struct xvmd_run *r, bool *paused, char *err,
                      size_t errlen)
{
    int pidfd, memfd = -1, master, rc;
    struct epoll_event ev = {.events = EPOLLIN};
    char state = 0, buf[8];

    pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
    /* The pid may have been reused between the check and the open. */
    if (pidfd < 0 || xvmd_pid_start(r->pid) != r->start) {
        snprintf(err, errlen, "cannot watch its guest (pid %d): %s",
                 (int)r->pid, pidfd < 0 ? strerror(errno) : "gone");
        if (pidfd >= 0)
            close(pidfd);
        return -ESRCH;
    }
    dom->ctl_fd = guest_fd_get(pidfd, 5);
    memfd = guest_fd_get(pidfd, 7);
    if (dom->ctl_fd < 0 || memfd < 0) {
        rc = dom->ctl_fd < 0 ? dom->ctl_fd : memfd;
        snprintf(err, errlen, "cannot take its channel and memory back "
                 "(pidfd_getfd: %s)", strerror(-rc));
        goto fail;
    }
    /* What the guest process kept is checked like anything of a guest:
     * the channel must be a seqpacket socket, the memory the domain's own
     * memfd. */
    if (!is_seqpacket(dom->ctl_fd) || !is_dom_memfd(memfd, dom)) {
        rc = -EINVAL;
        snprintf(err, errlen, "what its guest kept is not its channel and "
                 "memory");
        goto fail;
    }
    /* xvm_mem_open() wants the shrink seal xvmd's memfds have. */
    dom->mem = xvm_mem_open(memfd);
    close(memfd);
    memfd = -1;
    if (!dom->mem ||
        xvm_mem_nr_frames(dom->mem) != dom->cfg.memory_mib * 256u) {
        rc = -EINVAL;
        snprintf(err, errlen, "the memory its guest kept is not the domain's "
                 "(sealed, %u MiB)", dom->cfg.memory_mib);
        goto fail;
    }
    if (r->init > 0 && xvmd_pid_start(r->init) == r->init_start)
        dom->guest_fd = (int)syscall(SYS_pidfd_open, r->init, 0);
    if (r->cg[0]) {
        dom->cg_fd = open(r->cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dom->cg_fd >= 0)
            snprintf(dom->cg_path, sizeof(dom->cg_path), "%s", r->cg);
    }
    master = guest_fd_get(pidfd, 6);
    if (master >= 0 && xvmd_console_adopt(x, dom, master) < 0)
        xvm_log_warn("domain %s: its console is lost", dom->cfg.name);
    dom->pid = r->pid;
    dom->pidfd = pidfd;
    dom->netns_pinned = 1;
    /* Paused: its cgroup frozen, or (without one) the guest stopped. */
    if (dom->cg_fd >= 0)
        state = xvmd_read_small(dom->cg_fd, "cgroup.freeze", buf,
                                sizeof(buf)) > 0 && buf[0] == '1' ? 'T' : 0;
    else if (xvmd_pid_stat(r->pid, &state, NULL) < 0)
        state = 0;
    *paused = state == 'T';
    ev.data.fd = dom->ctl_fd;
    epoll_ctl(x->ep, EPOLL_CTL_ADD, dom->ctl_fd, &ev);
    ev.data.fd = pidfd;
    epoll_ctl(x->ep, EPOLL_CTL_ADD, pidfd, &ev);
    return 0;

fail:
    if (dom->ctl_fd >= 0)
        close(dom->ctl_fd);
    dom->ctl_fd = -1;
    if (memfd >= 0)
        close(memfd);
    xvm_mem_destroy(dom->mem);
    dom->mem = NULL;
    close(pidfd);
    return rc;
}

const struct xvmd_kind_ops xvmd_kind_process = {
    .os_type = "process",
    .start = proc_start,
    .pause = proc_pause,
    .resume = proc_resume,
    .shutdown = proc_shutdown,
    .kill = proc_kill,
    .release = proc_release,
    .enter_open = proc_enter_open,
    .adopt = proc_adopt,
    .run_info = proc_run_info,
};
