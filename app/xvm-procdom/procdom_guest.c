/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's init (procdom_guest.h).  It is the domain's PID 1: the
 * parent of orphans, and the process whose end takes every other process
 * of the domain down with it.  It holds nothing of xvm-procdom: it is
 * cloned before the domain's memory is mapped and closes every fd but its
 * link (and the console); being a fork whose credentials changed, it is
 * not dumpable, so root in the domain cannot ptrace it either.  The
 * domain's init command is its child, run when xvm-procdom says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xvm/sandbox.h"
#include "procdom_guest.h"

#define INIT_STACK (256 * 1024)

struct guest_arg {
    const char *name;
    char *const *init; /* the init command, NULL if none */
    int link;          /* our end of the link to xvm-procdom */
};

/* A line on the console (fd 1 here) if it has room now: the init never
 * waits on the console. */
static void say(int console, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(int console, const char *fmt, ...)
{
    struct pollfd p = {.fd = 1, .events = POLLOUT};
    char msg[256];
    va_list ap;
    int n;

    if (!console || poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
        return;
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n > 0 && write(1, msg, (size_t)n < sizeof(msg) ? (size_t)n
                                                       : sizeof(msg) - 1) < 0)
        return;
}

/* The domain's init command, in a session of its own whose controlling
 * terminal is the console. */
static pid_t cmd_start(char *const *argv, int console)
{
    static char *const envp[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root", "TERM=linux", NULL};
    sigset_t none;
    pid_t pid = fork();
    int sig;

    if (pid != 0)
        return pid;
    /* what xvm-procdom and we set aside: ignored and blocked signals */
    for (sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    if (console)
        ioctl(0, TIOCSCTTY, 0); /* without it, the command runs on */
    umask(022);
    if (chdir("/") < 0)
        _exit(126);
    execve(argv[0], argv, envp);
    dprintf(2, "xvm-init: %s: %s\n", argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

/* Reap children until @link closes (xvm-procdom is gone); run @init when
 * xvm-procdom says "r". */
__attribute__((noreturn)) static void init_loop(int link, char *const *init,
                                                int console)
{
    struct pollfd p[2] = {{.fd = link, .events = POLLIN}, {.events = POLLIN}};
    struct signalfd_siginfo si;
    pid_t cmd = 0, pid;
    int st, started = 0;
    sigset_t set;
    ssize_t n;
    char c;

    sigfillset(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    p[1].fd = signalfd(-1, &set, SFD_CLOEXEC);
    for (;;) {
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
            if (pid != cmd)
                continue;
            cmd = 0;
            if (WIFEXITED(st))
                say(console, "xvm-init: %s exited with status %d\n",
                    init[0], WEXITSTATUS(st));
            else
                say(console, "xvm-init: %s killed by signal %d\n",
                    init[0], WTERMSIG(st));
        }
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            _exit(1);
        if (p[1].revents && read(p[1].fd, &si, sizeof(si)) < 0)
            _exit(1);
        if (!p[0].revents)
            continue;
        n = recv(link, &c, 1, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            _exit(0);
        if (c == 'r' && init && !started) {
            started = 1;
            cmd = cmd_start(init, console);
            if (cmd < 0) {
                say(console, "xvm-init: cannot start %s: %s\n", init[0],
                    strerror(errno));
                cmd = 0;
            }
        }
    }
}

static int init_main(void *data)
{
    const struct guest_arg *a = data;
    int rc, fd, console;
    char go;

    /* nothing of xvm-procdom's: keep stdio (until set up) and the link */
    close_range(3, (unsigned)a->link - 1, 0);
    close_range((unsigned)a->link + 1, ~0U, 0);
    prctl(PR_SET_NAME, "xvm-init");
    if (recv(a->link, &go, 1, 0) != 1)
        _exit(1);
    rc = unshare(CLONE_NEWCGROUP) < 0 ? -errno : 0;
    if (rc == 0)
        rc = xvm_sandbox_rootfs(a->name);
    if (rc == 0)
        rc = xvm_sandbox_lock();
    if (rc == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        rc = -errno;
    if (send(a->link, &rc, sizeof(rc), 0) != (ssize_t)sizeof(rc) || rc < 0)
        _exit(1);
    /* stdio: the console, if stdin is one, else /dev/null */
    console = isatty(0);
    if (console) {
        if (dup2(0, 1) < 0 || dup2(0, 2) < 0)
            _exit(1);
    } else {
        fd = open("/dev/null", O_RDWR);
        if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(1);
        if (fd > 2)
            close(fd);
    }
    init_loop(a->link, a->init, console);
}

static int guest_join(pid_t pid, int cgfd)
{
    char text[16];
    int fd, rc = 0, n;

    if (cgfd < 0)
        return 0;
    fd = openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = snprintf(text, sizeof(text), "%d", (int)pid);
    if (write(fd, text, (size_t)n) != n)
        rc = -errno;
    close(fd);
    return rc;
}

pid_t pd_guest_start(const char *name, uint32_t id, int cgfd,
                     char *const *init, int *link)
{
    struct guest_arg a = {.name = name, .init = init};
    char *stack;
    int sv[2], rc, res = -EPROTO;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    a.link = sv[1];
    stack = malloc(INIT_STACK);
    if (!stack) {
        rc = -ENOMEM;
        goto close_pair;
    }
    pid = clone(init_main, stack + INIT_STACK,
                (XVM_SANDBOX_NS & ~CLONE_NEWCGROUP) | SIGCHLD, &a);
    rc = pid < 0 ? -errno : 0;
    free(stack); /* the child has its own copy */
    if (rc < 0)
        goto close_pair;
    close(sv[1]);
    rc = xvm_sandbox_map(pid, id);
    if (rc == 0)
        rc = guest_join(pid, cgfd);
    if (rc == 0 && send(sv[0], "g", 1, 0) != 1)
        rc = -errno;
    if (rc == 0 && recv(sv[0], &res, sizeof(res), 0) != (ssize_t)sizeof(res))
        rc = -EPROTO;
    if (rc == 0)
        rc = res;
    if (rc < 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close(sv[0]);
        return rc;
    }
    *link = sv[0];
    return pid;

close_pair:
    close(sv[0]);
    close(sv[1]);
    return rc;
}
