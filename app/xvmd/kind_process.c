/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the "process" domain kind.  The guest is a child running
 * xvm-procdom, which pins a fresh network namespace at
 * <netns_dir>/xvm-<name> and holds the domain's memory.  Pause and resume
 * are SIGSTOP and SIGCONT, shutdown is SIGTERM, destroy is SIGKILL.
 *
 * Start handshake over a SOCK_SEQPACKET pair (the child's end is its fd 3):
 *   xvmd -> guest  "mem" with the memory memfd attached (SCM_RIGHTS)
 *   guest -> xvmd  "ok", or "err <errno> <message>"
 * The pair then stays open: the guest exits when xvmd goes away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "xst/xenstore.h"
#include "xvmd.h"

/* How long a new guest may take to report ready. */
#define PROC_READY_MS 5000

static void proc_netns_path(const struct xvmd *x, const struct xvmd_dom *dom,
                            char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/xvm-%s", x->netns_dir, dom->cfg.name);
}

/* In the child: become xvm-procdom with the channel on fd 3. */
__attribute__((noreturn)) static void proc_exec(const struct xvmd *x,
                                                const struct xvmd_dom *dom,
                                                int chan)
{
    char msg[PATH_MAX + 64];
    sigset_t none;
    int n;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0); /* no terminal signals meant for xvmd */
    if (dup2(chan, 3) < 0)
        _exit(127);
    execl(x->procdom_path, "xvm-procdom", "-n", x->netns_dir, dom->cfg.name,
          (char *)NULL);
    n = snprintf(msg, sizeof(msg), "err %d cannot run %s: %s", errno,
                 x->procdom_path, strerror(errno));
    if (write(3, msg, (size_t)n) < 0)
        _exit(127);
    _exit(127);
}

/* Wait for the guest's "ok"; on failure fill @err. */
static int proc_wait_ready(struct xvmd_dom *dom, char *err, size_t errlen)
{
    struct pollfd pfd = {.fd = dom->ctl_fd, .events = POLLIN};
    char buf[512];
    ssize_t n;
    int e, off = 0;

    n = poll(&pfd, 1, PROC_READY_MS);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest not ready after %d ms",
                 dom->cfg.name, PROC_READY_MS);
        return -ETIMEDOUT;
    }
    n = recv(dom->ctl_fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest exited while starting",
                 dom->cfg.name);
        return -ECHILD;
    }
    buf[n] = '\0';
    if (strcmp(buf, "ok") == 0)
        return 0;
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
    kill(dom->pid, SIGKILL);
    while (waitpid(dom->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    dom->pid = 0;
}

static int proc_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen)
{
    int sv[2], memfd = xvm_mem_fd(dom->mem), rc, xs[2] = {-1, -1}, fds[2];
    struct epoll_event ev;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return rc;
    }
    pid = fork();
    if (pid < 0) {
        rc = -errno;
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    if (pid == 0)
        proc_exec(x, dom, sv[1]);
    close(sv[1]);
    dom->pid = pid;
    dom->ctl_fd = sv[0];
    /* The guest's xenstore connection, bound to its domain id. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, xs) < 0 ||
        xst_server_add_conn(x->xs, xs[0], (uint16_t)dom->id) < 0) {
        rc = -errno;
        snprintf(err, errlen, "xenstore connection: %s", strerror(errno));
        if (xs[0] >= 0) {
            close(xs[0]);
            close(xs[1]);
        }
        proc_kill(dom);
        close(dom->ctl_fd);
        dom->ctl_fd = -1;
        return rc ? rc : -EIO;
    }
    fds[0] = memfd;
    fds[1] = xs[1];
    /* If exec failed the send may fail too; the reply says why. */
    xvm_fd_send(dom->ctl_fd, "mem", 3, fds, 2);
    close(xs[1]);
    rc = proc_wait_ready(dom, err, errlen);
    if (rc < 0) {
        proc_kill(dom);
        close(dom->ctl_fd);
        dom->ctl_fd = -1;
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
    return proc_signal(dom, SIGSTOP);
}

static int proc_resume(struct xvmd_dom *dom)
{
    return proc_signal(dom, SIGCONT);
}

static int proc_shutdown(struct xvmd_dom *dom)
{
    int rc = proc_signal(dom, SIGTERM);

    if (rc == 0)
        proc_signal(dom, SIGCONT); /* a paused guest must see it */
    return rc;
}

static void proc_release(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[PATH_MAX];

    if (dom->ctl_fd >= 0)
        close(dom->ctl_fd);
    dom->ctl_fd = -1;
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

static int proc_netns_open(struct xvmd_dom *dom)
{
    char path[64];
    int fd;

    if (dom->pid <= 0)
        return -ESRCH;
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)dom->pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

const struct xvmd_kind_ops xvmd_kind_process = {
    .os_type = "process",
    .start = proc_start,
    .pause = proc_pause,
    .resume = proc_resume,
    .shutdown = proc_shutdown,
    .kill = proc_kill,
    .release = proc_release,
    .netns_open = proc_netns_open,
};
