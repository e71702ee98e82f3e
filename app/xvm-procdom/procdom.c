/* SPDX-License-Identifier: MIT */
/*
 * xvm-procdom - the guest of a "process" domain.
 *
 *   xvm-procdom [-n NETNS_DIR] NAME      (started by xvmd, channel on fd 3)
 *
 * Receives the domain's memory memfd and xenstore connection from xvmd,
 * creates a network namespace and pins it at NETNS_DIR/xvm-NAME (default
 * /run/netns) the way `ip netns add` does, and reports "ok" (before any
 * xenstore traffic: xvmd serves xenstore only once the start is over).
 * Then it runs the domain's netif frontends, one per device/vif/<N>, each
 * with a TAP eth<N> in that namespace (procdom_net.c), until SIGTERM/SIGINT
 * or until xvmd closes the channel; it closes them, and unpins the
 * namespace on the way out.  What runs "inside the domain" is whatever
 * `xvm exec` starts in that namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domcfg/domcfg.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"
#include "xvm/mem.h"
#include "procdom_net.h"
#include "xvm/version.h"

#define CHAN 3

static void report(const char *msg)
{
    if (send(CHAN, msg, strlen(msg), MSG_NOSIGNAL) < 0)
        fprintf(stderr, "xvm-procdom: cannot report to xvmd: %s\n",
                strerror(errno));
}

/* Report errno @err with a message "<@arg>: <what>: <strerror>". */
static int fail(int err, const char *arg, const char *what)
{
    char msg[PATH_MAX + 128];
    int n = snprintf(msg, sizeof(msg), "err %d ", err);

    snprintf(msg + n, sizeof(msg) - (size_t)n, "%s: %s: %s", arg, what,
             strerror(err));
    fprintf(stderr, "xvm-procdom: %s\n", msg + n);
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

/* unshare(CLONE_NEWNET) and bind the new namespace at @path. */
static int netns_pin(const char *dir, const char *path)
{
    int fd, rc;

    rc = netns_dir_prepare(dir);
    if (rc < 0)
        return fail(-rc, dir, "cannot prepare the namespace directory");
    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0)
        return fail(errno, path, "cannot create the namespace file");
    close(fd);
    if (unshare(CLONE_NEWNET) < 0) {
        rc = errno;
        unlink(path);
        return fail(rc, path, "unshare(CLONE_NEWNET)");
    }
    if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) {
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

int main(int argc, char **argv)
{
    const char *dir = "/run/netns", *name;
    char path[PATH_MAX];
    struct xvm_mem *mem;
    int opt, rc, sig, xs_fd = -1;

    if (xvm_version_opt(argc, argv, "xvm-procdom"))
        return 0;

    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt != 'n')
            goto usage;
        dir = optarg;
    }
    if (optind != argc - 1)
        goto usage;
    name = argv[optind];
    if (!xvm_domcfg_name_ok(name)) {
        fprintf(stderr, "xvm-procdom: bad domain name '%s'\n", name);
        return 1;
    }
    if (fcntl(CHAN, F_GETFD) < 0) {
        fprintf(stderr, "xvm-procdom: run by xvmd only (no channel on fd "
                        "3)\n");
        return 1;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/xvm-%s", dir, name) >=
        sizeof(path))
        return fail(ENAMETOOLONG, dir, "namespace path");
    mem = mem_receive(&xs_fd);
    if (!mem)
        return fail(errno, name, "no memory from xvmd");
    /* SIGPIPE ignored: a backend's socket may go at any time. */
    sig = xvm_signalfd_open(0);
    if (sig < 0) {
        close(xs_fd);
        xvm_mem_destroy(mem);
        return fail(-sig, name, "signalfd");
    }
    rc = netns_pin(dir, path);
    if (rc) {
        close(sig);
        close(xs_fd);
        xvm_mem_destroy(mem);
        return rc;
    }
    report("ok");
    pd_net_run(mem, xs_fd, CHAN, sig);
    netns_unpin(path);
    close(sig);
    xvm_mem_destroy(mem);
    return 0;

usage:
    fprintf(stderr, "usage: xvm-procdom [-n NETNS_DIR] NAME\n");
    return 1;
}
