/* SPDX-License-Identifier: MIT */
/*
 * xvm-netbackd - the dom0 backend that serves process domains' vifs until
 * vswitchd does: every vif under /local/domain/0/backend/vif is driven
 * through the netif xenbus handshake (libnetback's nb_xenbus) and plugged
 * into one MAC switch (nbd_switch.h).
 *
 *   xvm-netbackd [-x XS_SOCKET] [-s XVMD_SOCKET] [-S STATS_FILE] [-f]
 *
 * One thread, one epoll loop over the xenstore connection, a signalfd and
 * every vif's event channel.  While traffic flows the loop busy-polls the
 * vifs (looking at events every 16 busy passes); when a pass finds nothing
 * it arms every vif's events (nb_vif_tx_final_check) and sleeps.
 *
 * SIGUSR1 rewrites the counters file; SIGTERM/SIGINT stop cleanly (every
 * backend goes Closed, so frontends wait for the next netbackd).  A
 * netbackd killed outright leaves its backends Connected; the next one
 * takes them back through Closing (see nbd_vifmgr.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "netbackd.h"
#include "xvm/daemon.h"
#include "xvm/log.h"
#include "xvmdctl/proto.h"

/* Pool buffers (64 KiB each) shared by every vif. */
#define NBD_POOL_BUFS 512u
/* Busy passes between looks at the event sources. */
#define NBD_BUSY_PASSES 16u

void nbd_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xvm_logv(XVM_LOG_INFO, fmt, ap);
    va_end(ap);
}

static void nb_log_line(const char *line)
{
    xvm_log_warn("netback: %s", line);
}

/* Drain every waiting xenstore event.  @return 0 or -errno (the
 * connection is gone: we cannot serve anything then). */
static int xs_events(struct nbd *d)
{
    struct xvm_xs_event *ev;
    int rc;

    while ((rc = xvm_xs_event_next(d->xs, &ev)) == 1) {
        rc = nbd_vifmgr_event(d->vm, ev);
        free(ev);
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* @return 1 to stop, 0 to go on. */
static int signal_event(struct nbd *d, int sfd)
{
    int sig = xvm_signalfd_next(sfd);

    if (sig <= 0)
        return 0;
    if (sig == SIGUSR1) {
        d->stats_dirty = true;
        return 0;
    }
    nbd_log("signal %d: stopping", sig);
    return 1;
}

/* @return 1 to stop, 0 to go on, -errno on a fatal error. */
static int events(struct nbd *d, int sfd, const struct epoll_event *ev,
                  int n)
{
    int i, rc = 0;

    for (i = 0; i < n; i++) {
        uint32_t kind = (uint32_t)(ev[i].data.u64 >> 32);

        if (kind == NBD_EV_SIGNAL && signal_event(d, sfd))
            return 1;
        if (kind == NBD_EV_EVTCHN)
            xvm_evtchn_consume(d->ec, (evtchn_port_t)ev[i].data.u64);
    }
    /* Events may wait in the client's queue without the fd being
     * readable: drain on every wake-up. */
    rc = xs_events(d);
    if (rc == 0 && d->stats_dirty)
        nbd_stats_write(d);
    return rc;
}

static int run(struct nbd *d, int sfd)
{
    struct epoll_event ev[32];
    unsigned busy = 0;
    int n, timeout, rc;

    for (;;) {
        unsigned work = nbd_switch_poll(d->sw);

        if (work && ++busy % NBD_BUSY_PASSES)
            continue;
        timeout = work ? 0 : nbd_switch_sleep_ms(d->sw);
        /* Before sleeping, drain: events the client already read (with
         * a reply, say) do not make its fd readable. */
        if (timeout != 0) {
            rc = xs_events(d);
            if (rc < 0)
                return rc;
        }
        if (xvm_xs_event_pending(d->xs) || d->stats_dirty)
            timeout = 0;
        n = epoll_wait(d->ep, ev, 32, timeout);
        if (n < 0 && errno != EINTR)
            return -errno;
        rc = events(d, sfd, ev, n < 0 ? 0 : n);
        if (rc)
            return rc < 0 ? rc : 0;
    }
}

static int setup(struct nbd *d, int sfd)
{
    struct epoll_event ev = {.events = EPOLLIN};

    d->xs = xvm_xs_open(d->xs_sock);
    if (!d->xs) {
        nbd_log("xenstore at %s: %s", d->xs_sock, strerror(errno));
        return -errno;
    }
    d->ec = xvm_evtchn_open(0);
    d->sw = nbd_switch_create(NBD_POOL_BUFS, &nbd_switch_hooks, d);
    d->ep = epoll_create1(EPOLL_CLOEXEC);
    if (!d->ec || !d->sw || d->ep < 0)
        return -ENOMEM;
    ev.data.u64 = NBD_EV(NBD_EV_XS, 0);
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, xvm_xs_fd(d->xs), &ev) < 0)
        return -errno;
    ev.data.u64 = NBD_EV(NBD_EV_SIGNAL, 0);
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, sfd, &ev) < 0)
        return -errno;
    return nbd_devs_start(d);
}

static void teardown(struct nbd *d)
{
    if (d->xs)
        nbd_devs_stop(d);
    nbd_switch_destroy(d->sw);
    xvm_evtchn_destroy(d->ec);
    xvm_xs_close(d->xs);
    if (d->ep >= 0)
        close(d->ep);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xvm-netbackd [-x XS_SOCKET] [-s XVMD_SOCKET] "
            "[-S STATS_FILE] [-f]\n"
            "  -x  dom0 xenstore (default " XVMD_DEFAULT_XS_SOCKET ")\n"
            "  -s  xvmd control socket (default " XVMD_DEFAULT_SOCKET ")\n"
            "  -S  counters file, rewritten on SIGUSR1 (default "
            NBD_DEFAULT_STATS ")\n"
            "  -f  stay in the foreground, log to stderr\n");
}

static int opts_parse(int argc, char **argv, struct nbd *d, bool *fg)
{
    int opt;

    while ((opt = getopt(argc, argv, "x:s:S:fh")) != -1) {
        switch (opt) {
        case 'x':
            d->xs_sock = optarg;
            break;
        case 's':
            d->xvmd_sock = optarg;
            break;
        case 'S':
            d->stats_path = optarg;
            break;
        case 'f':
            *fg = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
    static struct nbd d = {
        .xs_sock = XVMD_DEFAULT_XS_SOCKET,
        .xvmd_sock = XVMD_DEFAULT_SOCKET,
        .stats_path = NBD_DEFAULT_STATS,
        .ep = -1,
    };
    bool fg = false;
    int sfd, rc;

    if (opts_parse(argc, argv, &d, &fg) < 0) {
        usage(stderr);
        return 1;
    }
    if (!fg && daemon(0, 0) < 0) {
        perror("xvm-netbackd: daemon");
        return 1;
    }
    xvm_log_open("xvm-netbackd", !fg);
    nb_set_log(nb_log_line);
    sfd = xvm_signalfd_open(SIGUSR1);
    if (sfd < 0) {
        nbd_log("signalfd: %s", strerror(-sfd));
        return 1;
    }
    rc = setup(&d, sfd);
    if (rc == 0) {
        nbd_log("serving the vifs under " NBD_BE_ROOT " (xenstore %s)",
                d.xs_sock);
        rc = run(&d, sfd);
    }
    if (rc < 0)
        nbd_log("stopping: %s", strerror(-rc));
    teardown(&d);
    nbd_stats_write(&d);
    close(sfd);
    return rc < 0 ? 1 : 0;
}
