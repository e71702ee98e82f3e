/* SPDX-License-Identifier: MIT */
/*
 * xvm-procdom - the "kernel" of a "process" domain.
 *
 *   xvm-procdom [-n NETNS_DIR] -i ID [-c] [--] NAME [INIT [ARG...]]
 *
 * Started by xvmd with the channel on fd 3 and, with -c, the directory of
 * the domain's guest cgroup on fd 4; fds 5, 6 and 7 are copies of xvmd's
 * end of the channel, of the console's pty master and of the domain's
 * memory, which it keeps, untouched, for the next xvmd to take back if
 * this one goes (so the channel never closes under it and the domain
 * outlives xvmd); stdin and stdout are the domain's
 * console (a terminal) or /dev/null, stderr xvmd's log.  What it says
 * about the domain goes to both (procdom_log.h).  First it starts the
 * domain's sandbox
 * and its init (procdom_guest.c), before it holds anything of the domain,
 * then receives the domain's memory memfd and xenstore connection from
 * xvmd, enters the sandbox's network namespace (only that one: it stays
 * in the host's user, PID and mount namespaces, out of the guest's
 * reach), pins it at NETNS_DIR/xvm-NAME (default /run/netns) the way `ip
 * netns add` does, and reports "ok" with a pidfd of the init (before any
 * xenstore traffic: xvmd serves xenstore only once the start is over).
 * Then it runs the domain's netif frontends, one per device/vif/<N>, each
 * with a TAP eth<N> in that namespace (procdom_net.c), until SIGTERM or
 * SIGINT, or until the init dies; it
 * closes them, and unpins the namespace on the way out, which ends the
 * init and with it every process of the domain.  Once the vifs have
 * connected (their eth<N> exist; see pd_net_run()), the sandbox's init
 * starts the domain's init command INIT, if given, with the console as
 * its controlling terminal and stdio.  What runs "inside the domain" is
 * that command and whatever `xvm exec` starts in the sandbox.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "domcfg/domcfg.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "xvm/sandbox.h"
#include "procdom_guest.h"
#include "procdom_log.h"
#include "procdom_net.h"
#include "xvm/version.h"

#define CHAN 3
#define GUEST_CG 4 /* with -c */

static void report(const char *msg)
{
    if (send(CHAN, msg, strlen(msg), MSG_NOSIGNAL) < 0)
        pd_log("cannot report to xvmd: %s", strerror(errno));
}

/* Report errno @err with a message "<@arg>: <what>: <strerror>". */
static int fail(int err, const char *arg, const char *what)
{
    char msg[PATH_MAX + 128];
    int n = snprintf(msg, sizeof(msg), "err %d ", err);

    snprintf(msg + n, sizeof(msg) - (size_t)n, "%s: %s: %s", arg, what,
             strerror(err));
    pd_log("%s", msg + n);
    report(msg);
    return 1;
}

/*
 * Make @dir a shared mount point, as iproute2 does for /run/netns, so a
 * namespace pinned in it is seen by mount namespaces made later (those of
 * `ip netns exec`, for one).
 */
static int netns_dir_prepare(const char *dir)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -errno;
    if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0)
        return 0;
    if (errno != EINVAL)
        return -errno;
    if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
        return -errno;
    if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
        return -errno;
    return 0;
}

/* Enter the network namespace of @guest and bind it at @path. */
static int netns_pin(const char *dir, const char *path, pid_t guest)
{
    char ns[64];
    int fd, rc;

    rc = netns_dir_prepare(dir);
    if (rc < 0)
        return fail(-rc, dir, "cannot prepare the namespace directory");
    snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)guest);
    fd = open(ns, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errno, ns, "cannot open the guest's namespace");
    if (setns(fd, CLONE_NEWNET) < 0) {
        rc = errno;
        close(fd);
        return fail(rc, ns, "setns");
    }
    close(fd);
    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0)
        return fail(errno, path, "cannot create the namespace file");
    close(fd);
    if (mount(ns, path, "none", MS_BIND, NULL) < 0) {
        rc = errno;
        unlink(path);
        return fail(rc, path, "cannot pin the namespace");
    }
    return 0;
}

static void netns_unpin(const char *path)
{
    umount2(path, MNT_DETACH);
    unlink(path);
}

/*
 * What xvmd sends at start: the domain's memory (mapped here) and the
 * domain's xenstore connection (*@xs_fd), bound to its id by xvmd.
 */
static struct xvm_mem *mem_receive(int *xs_fd)
{
    char buf[16];
    int fds[2] = {-1, -1};
    unsigned nfds = 0;
    struct xvm_mem *mem;
    ssize_t n = xvm_fd_recv(CHAN, buf, sizeof(buf), fds, 2, &nfds);

    if (n != 3 || memcmp(buf, "mem", 3) != 0 || nfds != 2) {
        while (nfds)
            close(fds[--nfds]);
        errno = EPROTO;
        return NULL;
    }
    mem = xvm_mem_open(fds[0]);
    close(fds[0]);
    if (!mem) {
        close(fds[1]);
        return NULL;
    }
    *xs_fd = fds[1];
    return mem;
}

/* Report "ok" with a pidfd of the init for `xvm exec`. */
static int report_ok(pid_t guest)
{
    int fd = (int)syscall(SYS_pidfd_open, guest, 0);

    if (fd < 0)
        return fail(errno, "init", "pidfd_open");
    if (xvm_fd_send(CHAN, "ok", 2, &fd, 1) < 0)
        pd_log("cannot report to xvmd: %s", strerror(errno));
    close(fd);
    return 0;
}

/* pd_net_run()'s ready: the vifs are there, the init command may start. */
static void init_go(void *arg)
{
    int link = *(int *)arg;

    if (send(link, "r", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
        pd_log("cannot start the init command: %s", strerror(errno));
}

/* Our stdin and stdout were the console's: now only the sandbox's init
 * (and our own description, procdom_log.c) hold it. */
static void stdio_drop(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return;
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    close(fd);
}

/* Start the sandbox, take the memory, pin the namespace, serve the vifs. */
static int run(const char *dir, const char *name, uint32_t id, int cgfd,
               char *const *init)
{
    struct xvm_mem *mem = NULL;
    int rc = 1, sig, xs_fd = -1, link = -1;
    char path[PATH_MAX];
    pid_t guest;

    if ((size_t)snprintf(path, sizeof(path), "%s/xvm-%s", dir, name) >=
        sizeof(path))
        return fail(ENAMETOOLONG, dir, "namespace path");
    /* SIGPIPE ignored: a backend's socket may go at any time; SIGCHLD:
     * the init died (blocked before it exists, so it is not lost). */
    sig = xvm_signalfd_open(SIGCHLD);
    if (sig < 0)
        return fail(-sig, name, "signalfd");
    guest = pd_guest_start(name, id, cgfd, init, &link);
    if (cgfd >= 0)
        close(cgfd);
    stdio_drop();
    if (guest < 0) {
        fail((int)-guest, name, "cannot start the sandbox");
        goto close_sig;
    }
    mem = mem_receive(&xs_fd);
    if (!mem) {
        fail(errno, name, "no memory from xvmd");
        goto close_link;
    }
    if (netns_pin(dir, path, guest) == 0) {
        if (report_ok(guest) == 0 &&
            pd_net_run(mem, xs_fd, CHAN, sig, init ? init_go : NULL,
                       &link) >= 0)
            rc = 0;
        netns_unpin(path);
    } else {
        close(xs_fd);
    }
    xvm_mem_destroy(mem);
close_link:
    close(link); /* the init ends, and the domain's processes with it */
    if (guest > 0)
        kill(guest, SIGKILL);
close_sig:
    close(sig);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xvm-procdom [-n NETNS_DIR] -i ID [-c] [--] NAME "
               "[INIT [ARG...]]\n"
               "The kernel side of a process domain: xvmd runs it (see "
               "xvmd(8)), with its channel on fd 3.\n");
}

int main(int argc, char **argv)
{
    const char *dir = "/run/netns";
    unsigned long id = ~0UL;
    int opt, cgfd = -1;
    char *end;

    if (xvm_version_opt(argc, argv, "xvm-procdom"))
        return 0;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    while ((opt = getopt(argc, argv, "n:i:ch")) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 0;
        } else if (opt == 'n')
            dir = optarg;
        else if (opt == 'i')
            id = strtoul(optarg, &end, 10);
        else if (opt == 'c')
            cgfd = GUEST_CG;
        else
            goto usage;
    }
    pd_log_init();
    if (optind >= argc || id > XVM_SANDBOX_ID_MAX)
        goto usage;
    if (!xvm_domcfg_name_ok(argv[optind])) {
        fprintf(stderr, "xvm-procdom: bad domain name '%s'\n", argv[optind]);
        return 1;
    }
    pd_log_name(argv[optind]);
    if (fcntl(CHAN, F_GETFD) < 0 || (cgfd >= 0 && fcntl(cgfd, F_GETFD) < 0)) {
        fprintf(stderr, "xvm-procdom: run by xvmd only (no channel on fd "
                        "3, or no cgroup on fd 4)\n");
        return 1;
    }
    /* What it keeps for the next xvmd stays out of every program it
     * runs. */
    for (int fd = 5; fd <= 7; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    return run(dir, argv[optind], (uint32_t)id, cgfd,
               optind + 1 < argc ? argv + optind + 1 : NULL);

usage:
    usage(stderr);
    return 1;
}
