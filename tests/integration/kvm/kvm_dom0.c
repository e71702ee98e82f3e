/* SPDX-License-Identifier: MIT */
/*
 * kvm_dom0 - plays xvmd's part for one KVM domain, so that xvm-kvm runs a
 * guest with a real xenstored and a real vswitchd before xvmd runs KVM
 * domains itself.
 *
 *   kvm_dom0 XVM_KVM KERNEL DOMID LINK MAC [KEY=VALUE...]
 *
 * With XVNET_RUNDIR and XENSTORED_PATH set (tests/lib), it:
 *   - writes the domain's nodes as xvmd does (home, vif 0 on LINK with
 *     MAC, both directories owned as xvmd owns them) and each KEY=VALUE
 *     under the home, and introduces the domain with one end of a socket
 *     pair (the domain's xenstore connection);
 *   - makes the domain's memory (16 MiB) and a guest channel;
 *   - answers on xvmd's socket the two calls a backend makes (DOMMEM:
 *     the memfd and the grant table's place; EVTCHN_BIND), and on the
 *     guest channel the guest's alloc_unbound, making both doorbells of
 *     each channel as xvmd does;
 *   - runs XVM_KVM --kernel KERNEL --mem-fd --domid --xenstore-fd
 *     --evtchn-fd, its console on our stdout, until it exits; then
 *     removes the domain's nodes and exits with its status.
 * SIGTERM is passed on to the monitor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "xs/xs.h"
#include "xvm/fdpass.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"
#include "xvm/rundir.h"
#include "xvmdctl/proto.h"

#define PORTS 64

struct chan {
    int gfd, bfd; /* the guest's doorbell, the backend's */
    unsigned remote;
    int used, bound;
};

static struct chan chans[PORTS];
static unsigned domid;
static struct xvm_mem *mem;
static pid_t child;

static void on_term(int sig)
{
    (void)sig;
    if (child > 0)
        kill(child, SIGTERM);
}

static int put(struct xvm_xs *xs, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int put(struct xvm_xs *xs, const char *val, const char *fmt, ...)
{
    char path[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xvm_xs_write_str(xs, XVM_XS_NO_TX, path, val) < 0;
}

static int own(struct xvm_xs *xs, const char *path, unsigned owner,
               unsigned reader)
{
    struct xvm_xs_perm p[2] = { { (uint16_t)owner, XVM_XS_PERM_NONE },
                                { (uint16_t)reader, XVM_XS_PERM_READ } };

    return xvm_xs_set_perms(xs, XVM_XS_NO_TX, path, p, 2);
}

static int nodes_write(struct xvm_xs *xs, const char *link, const char *mac,
                       char **kv, int nkv)
{
    char home[64], fe[96], be[96], id[16];
    int rc = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    snprintf(fe, sizeof(fe), "%s/device/vif/0", home);
    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/0", domid);
    snprintf(id, sizeof(id), "%u", domid);
    if (xvm_xs_mkdir(xs, XVM_XS_NO_TX, home) < 0 || own(xs, home, domid, 0) ||
        xvm_xs_mkdir(xs, XVM_XS_NO_TX, be) < 0 || own(xs, be, 0, domid) ||
        xvm_xs_mkdir(xs, XVM_XS_NO_TX, fe) < 0 || own(xs, fe, domid, 0))
        return -1;
    rc |= put(xs, "kvmguest", "%s/name", home);
    rc |= put(xs, id, "%s/domid", home);
    for (int i = 0; i < nkv; i++) {
        char *eq = strchr(kv[i], '=');

        if (!eq)
            return -1;
        *eq = 0;
        rc |= put(xs, eq + 1, "%s/%s", home, kv[i]);
    }
    rc |= put(xs, fe, "%s/frontend", be);
    rc |= put(xs, id, "%s/frontend-id", be);
    rc |= put(xs, "1", "%s/online", be);
    rc |= put(xs, "1", "%s/state", be);
    rc |= put(xs, "vswitchd", "%s/script", be);
    rc |= put(xs, mac, "%s/mac", be);
    rc |= put(xs, "fixed", "%s/mac-type", be);
    rc |= put(xs, "0", "%s/handle", be);
    rc |= put(xs, "vif", "%s/type", be);
    rc |= put(xs, "connected", "%s/hotplug-status", be);
    rc |= put(xs, link, "%s/bridge", be);
    rc |= put(xs, "high", "%s/priority", be);
    rc |= put(xs, be, "%s/backend", fe);
    rc |= put(xs, "0", "%s/backend-id", fe);
    rc |= put(xs, "1", "%s/state", fe);
    rc |= put(xs, "0", "%s/handle", fe);
    rc |= put(xs, mac, "%s/mac", fe);
    rc |= put(xs, "1500", "%s/mtu", fe);
    return rc ? -1 : 0;
}

static void nodes_erase(struct xvm_xs *xs)
{
    char path[96];

    snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
    xvm_xs_rm(xs, XVM_XS_NO_TX, path);
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xvm_xs_rm(xs, XVM_XS_NO_TX, path);
    xvm_xs_release(xs, domid);
}

/* The guest's alloc_unbound on its channel. */
static void guest_serve(int gc)
{
    struct xvmd_guest_req req;
    struct xvmd_guest_rep rep = { .rc = -ENOSPC };
    unsigned nfds = 0, p;
    int fds[2];
    ssize_t n = xvm_fd_recv(gc, &req, sizeof(req), NULL, 0, &nfds);

    if (n <= 0)
        return;
    if (n != (ssize_t)sizeof(req) || req.op != XVMD_GUEST_EVTCHN_ALLOC) {
        rep.rc = -EINVAL;
        xvm_fd_send(gc, &rep, sizeof(rep), NULL, 0);
        return;
    }
    for (p = 1; p < PORTS && chans[p].used; p++)
        ;
    if (p < PORTS) {
        chans[p].gfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        chans[p].bfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        chans[p].remote = req.remote;
        chans[p].used = 1;
        rep.rc = 0;
        rep.port = p;
        fds[0] = chans[p].gfd;
        fds[1] = chans[p].bfd;
    }
    xvm_fd_send(gc, &rep, sizeof(rep), fds, rep.rc == 0 ? 2 : 0);
}

/* One call on xvmd's socket: DOMMEM or EVTCHN_BIND for our domain. */
static void ctl_serve(int conn)
{
    static char req[XVMD_MSG_MAX], rep[4096];
    const struct nlattr *tb[XVMD_A_MAX_ + 1];
    const struct nlmsghdr *nlh;
    struct nlmsghdr *r;
    unsigned nfds = 0, err = 0;
    int fds[2] = { -1, -1 }, nout = 0;
    ssize_t n = xvm_fd_recv(conn, req, sizeof(req), NULL, 0, &nfds);

    if (n <= 0)
        return;
    nlh = xvmd_msg_parse(req, (size_t)n, tb, XVMD_A_MAX_, xvmd_req_policy);
    r = mnl_nlmsg_put_header(rep);
    if (!nlh) {
        r->nlmsg_type = NLMSG_ERROR;
        err = EINVAL;
        goto out;
    }
    r->nlmsg_type = nlh->nlmsg_type;
    r->nlmsg_seq = nlh->nlmsg_seq;
    if (!tb[XVMD_A_DOM] || strtoul(mnl_attr_get_str(tb[XVMD_A_DOM]), NULL,
                                   10) != domid) {
        err = ENOENT;
    } else if (nlh->nlmsg_type == XVMD_CMD_DOMMEM) {
        mnl_attr_put_u64(r, XVMD_A_GT_GFN, XVM_GNTTAB_GFN);
        mnl_attr_put_u32(r, XVMD_A_GT_FRAMES, XVM_GNTTAB_FRAMES);
        fds[0] = xvm_mem_fd(mem);
        nout = 1;
    } else if (nlh->nlmsg_type == XVMD_CMD_EVTCHN_BIND && tb[XVMD_A_PORT]) {
        uint32_t p = mnl_attr_get_u32(tb[XVMD_A_PORT]);

        if (p == 0 || p >= PORTS || !chans[p].used || chans[p].bound ||
            chans[p].remote != 0) {
            err = EINVAL;
        } else {
            chans[p].bound = 1;
            fds[0] = chans[p].bfd;
            fds[1] = chans[p].gfd;
            nout = 2;
        }
    } else {
        err = EOPNOTSUPP;
    }
out:
    mnl_attr_put_u32(r, XVMD_A_ERRNO, err);
    xvm_fd_send(conn, rep, r->nlmsg_len, fds, err ? 0 : nout);
}

static int ctl_listen(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    const char *path = xvm_run_path(XVM_SOCK_XVMD);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(fd, 8) < 0) {
        perror("kvm_dom0: xvmd socket");
        return -1;
    }
    return fd;
}

static pid_t monitor_start(char **argv, int xs_fd, int gc)
{
    char a[4][16];
    pid_t pid;

    snprintf(a[0], sizeof(a[0]), "%d", xvm_mem_fd(mem));
    snprintf(a[1], sizeof(a[1]), "%u", domid);
    snprintf(a[2], sizeof(a[2]), "%d", xs_fd);
    snprintf(a[3], sizeof(a[3]), "%d", gc);
    pid = fork();
    if (pid == 0) {
        char *args[] = { argv[1], "--kernel", argv[2], "--mem-fd", a[0],
                         "--domid", a[1], "--xenstore-fd", a[2],
                         "--evtchn-fd", a[3], NULL };

        fcntl(xvm_mem_fd(mem), F_SETFD, 0);
        fcntl(xs_fd, F_SETFD, 0);
        fcntl(gc, F_SETFD, 0);
        execv(argv[1], args);
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = on_term };
    int sv[2], gc[2], lfd, status = 0;
    struct xvm_xs *xs;

    if (argc < 6) {
        fprintf(stderr, "usage: kvm_dom0 XVM_KVM KERNEL DOMID LINK MAC "
                "[KEY=VALUE...]\n");
        return 2;
    }
    domid = (unsigned)strtoul(argv[3], NULL, 10);
    xs = xvm_xs_open(getenv("XENSTORED_PATH"));
    mem = xvm_mem_create("kvm_dom0", (16u << 20) / XVM_PAGE_SIZE);
    if (!xs || !mem || nodes_write(xs, argv[4], argv[5], argv + 6,
                                   argc - 6) < 0) {
        fprintf(stderr, "kvm_dom0: cannot set domain %u up\n", domid);
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, gc) < 0 ||
        xvm_xs_introduce(xs, domid, sv[0]) < 0 || (lfd = ctl_listen()) < 0) {
        fprintf(stderr, "kvm_dom0: cannot introduce domain %u\n", domid);
        nodes_erase(xs);
        return 2;
    }
    close(sv[0]);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    child = monitor_start(argv, sv[1], gc[1]);
    close(sv[1]);
    close(gc[1]);
    for (;;) {
        struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
                                 { .fd = gc[0], .events = POLLIN } };

        if (waitpid(child, &status, WNOHANG) == child)
            break;
        if (poll(pfd, 2, 100) <= 0)
            continue;
        if (pfd[0].revents) {
            int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

            if (c >= 0) {
                ctl_serve(c);
                close(c);
            }
        }
        if (pfd[1].revents & POLLIN)
            guest_serve(gc[0]);
    }
    nodes_erase(xs);
    xvm_xs_close(xs);
    unlink(xvm_run_path(XVM_SOCK_XVMD));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
