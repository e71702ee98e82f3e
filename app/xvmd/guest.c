/* SPDX-License-Identifier: MIT */
/*
 * xvmd: what the guest programs of the domain kinds share (xvmd.h).
 *
 * xvm-procdom (the process kind) and xvm-kvm (the kvm kind) are started
 * the same way: the domain's console on stdin and stdout, a
 * SOCK_SEQPACKET channel on fd 3, and copies of xvmd's end of it, of the
 * console's pty master and of the domain's memory on fds 5, 6 and 7,
 * which the program keeps and never uses, so that none of them closes
 * when xvmd goes (run.c).  The start handshake on the channel:
 *   xvmd -> guest  "mem" with the memory memfd and the guest's end of its
 *                  xenstore connection attached (SCM_RIGHTS)
 *   guest -> xvmd  "ok" (the process kind attaches a pidfd of its
 *                  sandbox's init), or "err <errno> <message>"
 * The channel then stays open.  A later xvmd takes the guest over with
 * xvmd_guest_adopt(): pidfd_open() of it, pidfd_getfd() of fds 5 to 7.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define GUEST_READY_MS 5000
/* How long a kill waits for an adopted guest to go. */
#define GUEST_GONE_MS 1000

/* A copy of @fd at 10 or above (close-on-exec), out of the way of the fds
 * a child is about to set; -1 stays -1. */
static int fd_high(int fd)
{
    return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

/* In the child, before exec: signals back to default, a process group of
 * its own, the console's slave (or /dev/null) on stdin and stdout, @chan
 * on fd 3, and the copies kept for a later xvmd on fds 5 to 7 (@keep,
 * xvmd's end of the channel; the pty master; the memory).  0 or -1. */
static int guest_fds(const struct xvmd_dom *dom, int chan, int keep)
{
    int con, ch, kp, ms, mem;
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0); /* no terminal signals meant for xvmd */
    con = xvmd_console_slave(dom);
    con = fd_high(con >= 0 ? con : open("/dev/null", O_RDWR | O_CLOEXEC));
    ch = fd_high(chan);
    kp = fd_high(keep);
    ms = fd_high(xvmd_console_master(dom));
    mem = fd_high(xvm_mem_fd(dom->mem));
    if (con < 0 || ch < 0 || kp < 0 || mem < 0 || dup2(con, 0) < 0 ||
        dup2(con, 1) < 0 || dup2(ch, 3) < 0 || dup2(kp, 5) < 0 ||
        (ms >= 0 && dup2(ms, 6) < 0) || dup2(mem, 7) < 0)
        return -1;
    return 0;
}

/* Wait for the guest's "ok" (and a descriptor if @fd); fill @err. */
static int guest_wait_ready(struct xvmd_dom *dom, int *fd, char *err,
                            size_t errlen)
{
    struct pollfd pfd = {.fd = dom->ctl_fd, .events = POLLIN};
    char buf[PATH_MAX + 256];
    unsigned nfds = 0;
    int e, off = 0, got = -1;
    ssize_t n;

    n = poll(&pfd, 1, GUEST_READY_MS);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest not ready after %d ms",
                 dom->cfg.name, GUEST_READY_MS);
        return -ETIMEDOUT;
    }
    n = xvm_fd_recv(dom->ctl_fd, buf, sizeof(buf) - 1, &got, 1, &nfds);
    /* A guest that exits leaving our "mem" unread resets the channel;
     * what it said before is still there to read once that is told. */
    if (n == -ECONNRESET)
        n = xvm_fd_recv(dom->ctl_fd, buf, sizeof(buf) - 1, &got, 1, &nfds);
    if (n <= 0) {
        snprintf(err, errlen, "domain %s: guest exited while starting",
                 dom->cfg.name);
        return -ECHILD;
    }
    buf[n] = '\0';
    if (strcmp(buf, "ok") == 0 && nfds == (fd ? 1u : 0u)) {
        if (fd)
            *fd = got;
        return 0;
    }
    if (nfds)
        close(got);
    if (sscanf(buf, "err %d %n", &e, &off) == 1 && off > 0 && e > 0) {
        snprintf(err, errlen, "domain %s: %s", dom->cfg.name, buf + off);
        return -e;
    }
    snprintf(err, errlen, "domain %s: bad reply from the guest",
             dom->cfg.name);
    return -EPROTO;
}

void xvmd_guest_exec(const char *path, const char *const *argv)
{
    char msg[PATH_MAX + 64];
    int n;

    execv(path, (char *const *)argv);
    n = snprintf(msg, sizeof(msg), "err %d cannot run %s: %s", errno, path,
                 strerror(errno));
    if (write(3, msg, (size_t)n) < 0)
        _exit(127);
    _exit(127);
}

/* In the child: its descriptors, then the kind's program. */
__attribute__((noreturn)) static void guest_child(const struct xvmd *x,
                                                  const struct xvmd_dom *dom,
                                                  xvmd_guest_exec_fn *exec,
                                                  int chan, int keep)
{
    int cg = fd_high(dom->cg_fd);

    if ((dom->cg_fd >= 0 && cg < 0) || guest_fds(dom, chan, keep) < 0)
        _exit(127);
    exec(x, dom, cg);
    _exit(127);
}

/* Send the guest its "mem" (the memory and its xenstore connection, which
 * is then closed here) and wait for its "ok". */
static int guest_handshake(struct xvmd_dom *dom, int *fd, char *err,
                           size_t errlen)
{
    int fds[2] = {xvm_mem_fd(dom->mem), dom->xs_fd};

    /* If exec failed the send may fail too; the reply says why. */
    xvm_fd_send(dom->ctl_fd, "mem", 3, fds, 2);
    close(dom->xs_fd);
    dom->xs_fd = -1;
    return guest_wait_ready(dom, fd, err, errlen);
}

int xvmd_guest_start(struct xvmd *x, struct xvmd_dom *dom,
                     uint64_t guest_max, xvmd_guest_exec_fn *exec, int *fd,
                     char *err, size_t errlen)
{
    int sv[2], rc;
    pid_t pid;

    if (dom->id > XVM_SANDBOX_ID_MAX) {
        snprintf(err, errlen, "domain %s: id %u has no uid range (max %u)",
                 dom->cfg.name, dom->id, XVM_SANDBOX_ID_MAX);
        return -ERANGE;
    }
    rc = xvmd_cg_create(x, dom, guest_max, err, errlen);
    if (rc < 0) {
        xvmd_cg_remove(dom);
        return rc;
    }
    xvmd_console_open(x, dom); /* without one (logged), it runs on */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        goto release;
    }
    pid = fork();
    if (pid < 0) {
        rc = -errno;
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        goto release;
    }
    if (pid == 0)
        guest_child(x, dom, exec, sv[1], sv[0]);
    close(sv[1]);
    dom->pid = pid;
    dom->ctl_fd = sv[0];
    rc = guest_handshake(dom, fd, err, errlen);
    if (rc == 0)
        return 0;
    dom->ops->kill(dom);
release:
    dom->ops->release(x, dom);
    return rc;
}

int xvmd_guest_chan_ready(struct xvmd *x, struct xvmd_dom *dom, char *err,
                          size_t errlen)
{
    struct epoll_event ev;
    int rc;

    /* From now on the guest may ask for event channels, and its replies
     * never block xvmd: what it leaves unread is bounded by a small send
     * buffer, past which it is crashed (xvmd_guest_serve()). */
    if (fcntl(dom->ctl_fd, F_SETFL, O_NONBLOCK) < 0 ||
        setsockopt(dom->ctl_fd, SOL_SOCKET, SO_SNDBUF,
                   &(int){XVMD_GUEST_SNDBUF}, sizeof(int)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "domain %s: guest channel: %s", dom->cfg.name,
                 strerror(errno));
        dom->ops->kill(dom);
        dom->ops->release(x, dom);
        return rc;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = dom->ctl_fd;
    if (x->ep >= 0)
        epoll_ctl(x->ep, EPOLL_CTL_ADD, dom->ctl_fd, &ev);
    return 0;
}

int xvmd_guest_signal(struct xvmd_dom *dom, int sig)
{
    if (dom->pid <= 0)
        return -ESRCH;
    return kill(dom->pid, sig) < 0 ? -errno : 0;
}

int xvmd_guest_shutdown(struct xvmd_dom *dom)
{
    int rc = xvmd_guest_signal(dom, SIGTERM);

    if (rc == 0)
        dom->ops->resume(dom); /* a paused guest must see it */
    return rc;
}

void xvmd_guest_kill(struct xvmd_dom *dom)
{
    if (dom->pid <= 0)
        return;
    if (dom->pidfd >= 0) {
        /* Adopted: not our child; its pidfd says when it is gone. */
        struct pollfd pfd = {.fd = dom->pidfd, .events = POLLIN};

        syscall(SYS_pidfd_send_signal, dom->pidfd, SIGKILL, NULL, 0);
        while (poll(&pfd, 1, GUEST_GONE_MS) < 0 && errno == EINTR)
            ;
        dom->pid = 0;
        return;
    }
    kill(dom->pid, SIGKILL);
    while (waitpid(dom->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    dom->pid = 0;
}

void xvmd_guest_release(struct xvmd *x, struct xvmd_dom *dom)
{
    if (dom->ctl_fd >= 0)
        close(dom->ctl_fd);
    dom->ctl_fd = -1;
    if (dom->pidfd >= 0) {
        if (x->ep >= 0)
            epoll_ctl(x->ep, EPOLL_CTL_DEL, dom->pidfd, NULL);
        close(dom->pidfd);
        dom->pidfd = -1;
    }
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

int xvmd_guest_adopt(struct xvmd *x, struct xvmd_dom *dom,
                     const struct xvmd_run *r, char *err, size_t errlen)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int pidfd, memfd = -1, master, rc;

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
    master = guest_fd_get(pidfd, 6);
    if (master >= 0 && xvmd_console_adopt(x, dom, master) < 0)
        xvm_log_warn("domain %s: its console is lost", dom->cfg.name);
    dom->pid = r->pid;
    dom->pidfd = pidfd;
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
