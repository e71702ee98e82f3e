/* SPDX-License-Identifier: MIT */
/*
 * xvmd - the xvnet control daemon: domain table and lifecycle.
 *
 *   xvmd [-s SOCKET] [-x XS_SOCKET] [-d STATE_DIR] [-n NETNS_DIR]
 *        [-p PROCDOM] [-t SECS]
 *
 * It is a client of the xenstored on XS_SOCKET, and starts one there when
 * none listens (`xenstored -s XS_SOCKET -p <its directory>/xenstored.pid`,
 * found next to xvmd): the store and the guests' connections are the
 * xenstored's, so they outlive xvmd.  Each guest gets a connection bound
 * to its domain id (vif.c).
 * Runs in the foreground and logs to stderr (xvm/log.h).  SIGTERM or SIGINT
 * stop xvmd, not its domains: they run on, and the next xvmd takes them
 * over (run.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xs/xs.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"
#include "xvm/log.h"
#include "xvm/rundir.h"
#include "xvmd.h"
#include "xvm/version.h"

#define CLIENTS_MAX 64
/* Read-only clients (members of -G's group) may hold this many of the
 * slots: root always finds one free. */
#define RO_CLIENTS_MAX (CLIENTS_MAX - 16)

/* The control clients that may only read. */
static int ro_fds[RO_CLIENTS_MAX];
static int nro;

static bool ro_has(int fd)
{
    for (int i = 0; i < nro; i++)
        if (ro_fds[i] == fd)
            return true;
    return false;
}

static void ro_forget(int fd)
{
    for (int i = 0; i < nro; i++)
        if (ro_fds[i] == fd) {
            ro_fds[i] = ro_fds[--nro];
            return;
        }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xvmd [-s SOCKET] [-x XS_SOCKET] [-d STATE_DIR] "
               "[-n NETNS_DIR] [-p PROCDOM] [-k KVM] [-t SECONDS]\n"
               "            [-G GROUP]\n"
               "  -s  control socket (default %s)\n"
               "  -x  xenstored socket (default %s)\n"
               "  -d  state directory (default " XVMD_DEFAULT_STATE_DIR ")\n"
               "  -n  where process domains pin their network namespaces "
               "(default /run/netns)\n"
               "  -p  the xvm-procdom program (default: the one installed "
               "with xvmd)\n"
               "  -k  the xvm-kvm program, the monitor of kvm domains "
               "(default: the\n      one installed with xvmd)\n"
               "  -t  grace period of a shutdown before the kill (default "
               "10)\n"
               "  -G  group (name or number) whose members may read (xvm "
               "list,\n      dominfo, domiflist); 'none': root only "
               "(default %s if it exists)\n",
            xvm_run_path(XVM_SOCK_XVMD), xvm_run_path(XVM_SOCK_XENSTORED),
            XVM_READ_GROUP);
}

static int epoll_add(int ep, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void client_accept(struct xvmd *x, int ep, int lfd, int *nclients)
{
    struct xvm_peer_verdict v = {.gid = x->ro_gid};
    int fd = xvm_unix_accept(lfd, SOCK_NONBLOCK, xvm_peer_reader_check, &v);

    if (fd < 0)
        return;
    ro_forget(fd); /* a number a parked client that went had */
    if (*nclients >= CLIENTS_MAX || (v.ro && nro == RO_CLIENTS_MAX) ||
        epoll_add(ep, fd) < 0) {
        close(fd);
        return;
    }
    if (v.ro)
        ro_fds[nro++] = fd;
    (*nclients)++;
}

/* One request from @fd; returns 0 to keep the client, 1 when it waits
 * for an answer (parked: out of the epoll set), -1 to drop it. */
static int client_serve(struct xvmd *x, int fd)
{
    static char buf[XVMD_MSG_MAX];
    unsigned nfds = 0;
    ssize_t n = xvm_fd_recv(fd, buf, sizeof(buf), NULL, 0, &nfds);

    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n <= 0)
        return -1; /* gone, or sent fds / an oversized message */
    return xvmd_ctl_handle(x, fd, buf, (size_t)n, ro_has(fd));
}

static void guest_serve(struct xvmd *x, int ep, struct xvmd_dom *dom)
{
    int fd = dom->ctl_fd, rc = xvmd_guest_serve(x, dom);

    if (rc == 1)
        xvmd_run_save(x, dom); /* the next xvmd knows the ports in use */
    if (rc >= 0)
        return;
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    if (rc == -EAGAIN)
        xvmd_dom_crash(x, dom, "it does not read the replies on its guest "
                               "channel");
}

/* SIGCHLD: reap; SIGTERM/SIGINT/SIGHUP: returns 1 to stop. */
static int signals_handle(struct xvmd *x, int sfd)
{
    int sig, stop = 0;

    while ((sig = xvm_signalfd_next(sfd)) > 0) {
        if (sig == SIGCHLD)
            xvmd_dom_reap(x);
        else
            stop = 1;
    }
    return stop;
}

/* Take the watch events that have come (read or queued); 0 or -errno
 * when the connection is gone. */
static int xs_drain(struct xvmd *x)
{
    struct xvm_xs_event *ev;
    int r;

    while ((r = xvm_xs_event_next(x->xs, &ev)) > 0)
        free(ev);
    return r;
}

static int loop(struct xvmd *x, int lfd, int sfd)
{
    struct epoll_event evs[16];
    int ep = epoll_create1(EPOLL_CLOEXEC), nclients = 0, n, i, rc = 0;
    struct xvmd_dom *dom;

    x->ep = ep;
    if (ep < 0 || epoll_add(ep, lfd) < 0 || epoll_add(ep, sfd) < 0 ||
        epoll_add(ep, xvm_xs_fd(x->xs)) < 0)
        return -errno;
    /* Every change under /local/domain (the vifs' states, their error
     * nodes) wakes the loop, which is when the parked `xvm create`s look
     * at their vifs again (ctl.c). */
    rc = xvm_xs_watch(x->xs, "/local/domain", "xvmd");
    if (rc < 0) {
        xvm_log_err("xenstore watch: %s", strerror(-rc));
        return rc;
    }
    {
        unsigned adopted = xvmd_run_adopt_all(x), stale = xvmd_vif_sweep(x);

        if (adopted)
            xvm_log_info("took over %u running domain(s) of an earlier run",
                         adopted);
        if (stale)
            xvm_log_info("removed %u domain(s) of an earlier run from "
                         "xenstore", stale);
        /* Ready for clients once the running domains are its own again;
         * the autostarts come after. */
        xvm_daemon_ready("serving, %u running domain(s) taken over",
                         adopted);
        unsetenv("NOTIFY_SOCKET"); /* not for the programs it starts */
    }
    xvmd_dom_autostart_all(x); /* guest channels join the epoll set */
    for (;;) {
        int t, w;

        /* Events our own requests read along with their replies wait in
         * the client, not on the socket. */
        if (xs_drain(x) < 0) {
            xvm_log_err("the xenstored closed its connection; stopping");
            rc = -EPIPE;
            goto out;
        }
        t = xvmd_dom_timeouts(x);
        w = xvmd_ctl_waits(x);
        /* The waiters' reads may have taken in, with their replies, the
         * event of a change made after them: the socket no longer says
         * so; look again at once. */
        if (xvm_xs_event_pending(x->xs))
            w = 0;

        n = epoll_wait(ep, evs, 16, t < 0 || (w >= 0 && w < t) ? w : t);
        if (n < 0 && errno != EINTR)
            break;
        for (i = 0; i < n; i++) {
            int fd = evs[i].data.fd;

            if (fd == lfd) {
                client_accept(x, ep, lfd, &nclients);
            } else if (fd == xvm_xs_fd(x->xs)) {
                /* Watch events: this turn of the loop is the news (the
                 * parked `xvm create`s look at their vifs after it). */
                if (xs_drain(x) < 0) {
                    /* Without a store no domain works; a supervisor
                     * starts both again. */
                    xvm_log_err("the xenstored closed its connection; "
                                "stopping");
                    rc = -EPIPE;
                    goto out;
                }
            } else if ((dom = xvmd_dom_by_chan(x, fd))) {
                guest_serve(x, ep, dom);
            } else if ((dom = xvmd_dom_by_pidfd(x, fd))) {
                xvmd_dom_gone(x, dom);
            } else if (xvmd_console_event(x, fd, evs[i].events)) {
                continue; /* a console's pty, client or timer */
            } else if (fd == sfd) {
                if (signals_handle(x, sfd)) {
                    rc = 0;
                    goto out;
                }
            } else if ((rc = client_serve(x, fd)) != 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                if (rc < 0) {
                    ro_forget(fd);
                    close(fd);
                    nclients--;
                }
            }
        }
    }
    rc = 0;
out:
    xvmd_ctl_waits_cancel(x, NULL, "xvmd is stopping");
    x->ep = -1;
    close(ep); /* closes nothing else: clients die with the process */
    return rc;
}

/* @prog of our own build tree (app/<prog>/, seen from app/xvmd/), else
 * at @reldir from xvmd's directory as `make install` lays it out (wherever
 * that tree is), else @installed.  The path found is written to @p, the
 * caller's own PATH_MAX buffer: each program found keeps its path. */
static const char *sibling(const char *prog, const char *reldir,
                           const char *installed, char *p)
{
    char self[PATH_MAX], *dir;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n > 0) {
        self[n] = '\0';
        dir = dirname(self);
        snprintf(p, PATH_MAX, "%s/../%s/%s", dir, prog, prog);
        if (access(p, X_OK) == 0)
            return p;
        /* installed under another prefix (a DESTDIR, a relocated tree) */
        snprintf(p, PATH_MAX, "%s/%s/%s", dir, reldir, prog);
        if (access(p, X_OK) == 0)
            return p;
    }
    return installed;
}

/*
 * Connect to the xenstored on @path, starting one there if none listens.
 * It detaches once it listens, so it is not our child and outlives us.
 */
static struct xvm_xs *xs_connect(const char *path)
{
    struct xvm_xs *xs = xvm_xs_open(path);
    char pidfile[PATH_MAX], dir[PATH_MAX], found[PATH_MAX];
    const char *prog;
    int status;
    pid_t pid;

    if (xs || (errno != ENOENT && errno != ECONNREFUSED)) {
        if (!xs)
            xvm_log_err("xenstored on %s: %s", path, strerror(errno));
        return xs;
    }
    prog = sibling("xenstored", ".", XVMD_SBINDIR "/xenstored", found);
    snprintf(dir, sizeof(dir), "%s", path);
    snprintf(pidfile, sizeof(pidfile), "%s/xenstored.pid", dirname(dir));
    xvm_log_info("no xenstored on %s: starting %s", path, prog);
    pid = fork();
    if (pid < 0) {
        xvm_log_err("fork: %s", strerror(errno));
        return NULL;
    }
    if (pid == 0) {
        execl(prog, "xenstored", "-s", path, "-p", pidfile, (char *)NULL);
        fprintf(stderr, "xvmd: cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        xvm_log_err("%s did not start (see its messages above)", prog);
        return NULL;
    }
    xs = xvm_xs_open(path);
    if (!xs)
        xvm_log_err("xenstored on %s: %s", path, strerror(errno));
    return xs;
}

static int parse_args(struct xvmd *x, const char **sock, const char **xs,
                      const char **group, int argc, char **argv)
{
    char *end;
    long t;
    int opt;

    while ((opt = getopt(argc, argv, "s:x:d:n:p:k:t:G:h")) != -1) {
        switch (opt) {
        case 's': *sock = optarg; break;
        case 'x': *xs = optarg; break;
        case 'G': *group = optarg; break;
        case 'd': x->state_dir = optarg; break;
        case 'n': x->netns_dir = optarg; break;
        case 'p': x->procdom_path = optarg; break;
        case 'k': x->kvm_path = optarg; break;
        case 't':
            t = strtol(optarg, &end, 10);
            if (*end || t < 0 || t > 3600) {
                xvm_log_err("-t %s: expected seconds (0-3600)", optarg);
                return -1;
            }
            x->shutdown_ms = (unsigned)t * 1000;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct xvmd x = {.ep = -1,
                     .state_dir = XVMD_DEFAULT_STATE_DIR,
                     .netns_dir = "/run/netns",
                     .shutdown_ms = 10000};
    const char *sock = xvm_run_path(XVM_SOCK_XVMD),
               *xs = xvm_run_path(XVM_SOCK_XENSTORED),
               *group = NULL;
    char procdom[PATH_MAX], kvm[PATH_MAX];
    int lfd = -1, sfd, rc;

    if (xvm_version_opt(argc, argv, "xvmd"))
        return 0;

    xvm_log_open("xvmd", false);
    if (parse_args(&x, &sock, &xs, &group, argc, argv) < 0 ||
        xvm_group_resolve("xvmd", group, &x.ro_gid) < 0)
        return 1;
    x.xs_path = xs;
    if (!x.procdom_path)
        x.procdom_path = sibling("xvm-procdom", "../libexec",
                                 XVMD_LIBEXECDIR "/xvm-procdom", procdom);
    if (access(x.procdom_path, X_OK) < 0) {
        xvm_log_err("%s: %s (use -p)", x.procdom_path, strerror(errno));
        return 1;
    }
    /* Only kvm domains need it: without it, they alone cannot start. */
    if (!x.kvm_path)
        x.kvm_path = sibling("xvm-kvm", "../libexec",
                             XVMD_LIBEXECDIR "/xvm-kvm", kvm);
    if (access(x.kvm_path, X_OK) < 0)
        xvm_log_warn("%s: %s: kvm domains cannot start (use -k)",
                     x.kvm_path, strerror(errno));
    x.nofile = xvm_nofile_raise();
    if (x.nofile < 0) {
        xvm_log_err("RLIMIT_NOFILE: %s", strerror((int)-x.nofile));
        return 1;
    }
    if (xvmd_dom_init(&x) < 0)
        return 1;
    sfd = xvm_signalfd_open(SIGCHLD);
    if (sfd >= 0)
        x.xs = xs_connect(xs);
    if (x.xs && xvmd_claim(&x) < 0) {
        xvm_xs_close(x.xs);
        x.xs = NULL;
    }
    if (x.xs)
        lfd = xvm_unix_listen_group(sock, SOCK_SEQPACKET | SOCK_NONBLOCK,
                                    x.ro_gid == (gid_t)-1 ? 0600 : 0660,
                                    x.ro_gid);
    if (sfd < 0 || lfd < 0) {
        xvmd_dom_fini(&x);
        if (x.xs)
            xvm_xs_close(x.xs);
        return 1;
    }
    xvm_log_info("up to %ld descriptors, %d kept from event channels",
                 x.nofile, XVMD_FD_RESERVE);
    if (x.ro_gid != (gid_t)-1)
        xvm_log_info("members of group %s, gid %u, may read (xvm list, "
                     "dominfo, domiflist)", group ? group : XVM_READ_GROUP,
                     (unsigned)x.ro_gid);
    xvm_log_info("listening on %s, xenstored on %s, state in %s, "
                 "%u domain record(s)",
                 sock, xs, x.state_dir, xvmd_dom_count(&x));
    rc = loop(&x, lfd, sfd);
    xvmd_dom_fini(&x);
    xvm_xs_close(x.xs);
    unlink(sock);
    close(lfd);
    close(sfd);
    xvm_log_info("stopped");
    return rc < 0 ? 1 : 0;
}
