/* SPDX-License-Identifier: MIT */
/*
 * xvmd's event-channel broker: a guest asks on its channel for an unbound
 * port toward dom0 and gets two doorbells; dom0 binds that port once and
 * gets the same two the other way round; signals cross both ways; bad
 * requests, foreign binders and double binds are refused; a run's end
 * closes everything; a guest's close gives the port back to the domain's
 * and the global budget, once only; the refusals a guest causes in a loop
 * are logged a bounded number of times.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "xvm/evtchn.h"
#include "xvm/fdpass.h"
#include "xvmd.h"

static int last_served; /* what the last guest_alloc()'s serve returned */

static int guest_alloc(struct xvmd *x, struct xvmd_dom *dom, int gsock,
                       uint32_t remote, struct xvmd_guest_rep *rep, int *fds)
{
    struct xvmd_guest_req req = {.op = XVMD_GUEST_EVTCHN_ALLOC,
                                 .remote = remote};
    unsigned n = 0;

    int rc;

    if (send(gsock, &req, sizeof(req), 0) != sizeof(req))
        return -1;
    /* 1: a port the run record lacks was handed out (the caller then
     * saves the record) */
    rc = xvmd_guest_serve(x, dom);
    CHECK(rc == 0 || rc == 1);
    last_served = rc;
    if (xvm_fd_recv(gsock, rep, sizeof(*rep), fds, 2, &n) !=
        (ssize_t)sizeof(*rep))
        return -1;
    return (int)n;
}

static void test_alloc_bind_signal(void)
{
    static struct xvmd_dom dom;
    struct xvmd x = {.ep = -1, .nofile = 100000};
    struct xvmd_guest_rep rep;
    struct xvm_evtchn *g = xvm_evtchn_open(5), *b = xvm_evtchn_open(0);
    int sv[2], fds[2], gp, bp;

    memset(&dom, 0, sizeof(dom));
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    dom.ctl_fd = sv[0];
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
    CHECK_EQ(rep.rc, 0);
    CHECK_EQ(rep.port, 1);
    gp = xvm_evtchn_adopt(g, rep.port, 0, fds[0], fds[1]);
    CHECK_EQ(gp, 1);
    close(fds[0]);
    close(fds[1]);
    /* the guest may signal before the bind: dom0 finds it pending */
    CHECK_EQ(xvm_evtchn_send(g, gp), 0);
    /* only the named remote; it may bind again (a restarted backend) */
    CHECK_EQ(xvmd_evtchn_bind(&dom, rep.port, 7), -EACCES);
    CHECK_EQ(xvmd_evtchn_bind(&dom, 0, 0), -EINVAL);
    CHECK_EQ(xvmd_evtchn_bind(&dom, 2, 0), -EINVAL);
    CHECK_EQ(xvmd_evtchn_bind(&dom, XVMD_EVTCHN_PORTS, 0), -EINVAL);
    CHECK_EQ(xvmd_evtchn_bind(&dom, rep.port, 0), 0);
    CHECK_EQ(xvmd_evtchn_bind(&dom, rep.port, 7), -EACCES);
    CHECK_EQ(xvmd_evtchn_bind(&dom, rep.port, 0), 0);
    {
        /* A port of an adopted run: its doorbells are not xvmd's. */
        struct xvmd_evtchn saved = dom.evt[rep.port];

        dom.evt[rep.port].gfd = dom.evt[rep.port].bfd = -1;
        CHECK_EQ(xvmd_evtchn_bind(&dom, rep.port, 0), -EISCONN);
        dom.evt[rep.port] = saved;
    }
    bp = xvm_evtchn_adopt(b, 0, 5, dom.evt[rep.port].bfd,
                          dom.evt[rep.port].gfd);
    CHECK(bp > 0);
    CHECK_EQ(xvm_evtchn_consume(b, bp), 1);
    CHECK_EQ(xvm_evtchn_send(b, bp), 0);
    CHECK_EQ(xvm_evtchn_consume(g, gp), 1);
    /* a second port gets the next number */
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
    CHECK_EQ(rep.port, 2);
    close(fds[0]);
    close(fds[1]);
    xvmd_evtchn_release(&x, &dom);
    CHECK_EQ(dom.evt[1].used, 0);
    CHECK_EQ(xvmd_evtchn_bind(&dom, 1, 0), -EINVAL);
    xvm_evtchn_destroy(g);
    xvm_evtchn_destroy(b);
    close(sv[0]);
    close(sv[1]);
}

static void test_bad_requests(void)
{
    static struct xvmd_dom dom;
    struct xvmd x = {.ep = -1, .nofile = 100000};
    struct xvmd_guest_rep rep;
    struct xvmd_guest_req req = {.op = 99};
    int sv[2], fds[2];
    unsigned n = 9;

    memset(&dom, 0, sizeof(dom));
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    dom.ctl_fd = sv[0];
    /* unknown op */
    CHECK(send(sv[1], &req, sizeof(req), 0) == sizeof(req));
    CHECK_EQ(xvmd_guest_serve(&x, &dom), 0);
    CHECK_EQ(xvm_fd_recv(sv[1], &rep, sizeof(rep), fds, 2, &n), sizeof(rep));
    CHECK_EQ(rep.rc, -EINVAL);
    CHECK_EQ(n, 0);
    /* a short message */
    CHECK(send(sv[1], "x", 1, 0) == 1);
    CHECK_EQ(xvmd_guest_serve(&x, &dom), 0);
    CHECK_EQ(xvm_fd_recv(sv[1], &rep, sizeof(rep), fds, 2, &n), sizeof(rep));
    CHECK_EQ(rep.rc, -EINVAL);
    /* a reserved remote domain id */
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], DOMID_FIRST_RESERVED, &rep, fds), 0);
    CHECK_EQ(rep.rc, -EINVAL);
    /* the table fills up, then refuses */
    for (unsigned i = 1; i < XVMD_EVTCHN_PORTS; i++) {
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
        close(fds[0]);
        close(fds[1]);
    }
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 0);
    CHECK_EQ(rep.rc, -ENOSPC);
    /* the guest hanging up ends the service */
    close(sv[1]);
    CHECK_EQ(xvmd_guest_serve(&x, &dom), -EPIPE);
    xvmd_evtchn_release(&x, &dom);
    close(sv[0]);
}

/* Past the descriptors kept for dom0 every channel is refused, however few
 * the domain has; a release gives them back. */
static void test_global_quota(void)
{
    static struct xvmd_dom dom;
    struct xvmd x = {.ep = -1, .nofile = XVMD_FD_RESERVE + 10};
    int i;

    memset(&dom, 0, sizeof(dom));
    for (i = 1; i <= 5; i++)
        CHECK_EQ(xvmd_evtchn_alloc(&x, &dom, 0), i);
    CHECK_EQ(x.evt_fds, 10);
    CHECK_EQ(xvmd_evtchn_alloc(&x, &dom, 0), -ENFILE);
    xvmd_evtchn_release(&x, &dom);
    CHECK_EQ(x.evt_fds, 0);
    CHECK_EQ(xvmd_evtchn_alloc(&x, &dom, 0), 1);
    xvmd_evtchn_release(&x, &dom);
}

/* EVTCHN_CLOSE on the guest channel: @return the reply's rc; @served
 * what xvmd_guest_serve() returned. */
static int guest_close(struct xvmd *x, struct xvmd_dom *dom, int gsock,
                       uint32_t port, int *served)
{
    struct xvmd_guest_req req = {.op = XVMD_GUEST_EVTCHN_CLOSE,
                                 .remote = port};
    struct xvmd_guest_rep rep = {.rc = 1};
    unsigned n = 9;
    int fds[2];

    CHECK(send(gsock, &req, sizeof(req), 0) == sizeof(req));
    *served = xvmd_guest_serve(x, dom);
    CHECK_EQ(xvm_fd_recv(gsock, &rep, sizeof(rep), fds, 2, &n), sizeof(rep));
    CHECK_EQ(n, 0);
    return rep.rc;
}

/* A guest that allocates and closes, many times more than the domain's
 * (and here the global) quota, still gets a port: each close gave one
 * back.  A close of a port not in use, or a second close, gives nothing
 * back. */
static void test_close_gives_back(void)
{
    static struct xvmd_dom dom;
    /* room for 5 channels in all, fewer than the domain's 63 */
    struct xvmd x = {.ep = -1, .nofile = XVMD_FD_RESERVE + 10};
    struct xvmd_guest_rep rep;
    int sv[2], fds[2], served;
    unsigned i, held;

    memset(&dom, 0, sizeof(dom));
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    dom.ctl_fd = sv[0];
    for (i = 0; i < 4 * XVMD_EVTCHN_PORTS; i++) {
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
        CHECK_EQ(rep.rc, 0);
        CHECK_EQ(rep.port, 1);
        close(fds[0]);
        close(fds[1]);
        /* the run record is written once for port 1 (as the caller's
         * xvmd_run_save() would note), not at each alloc or close */
        CHECK_EQ(last_served, i == 0);
        dom.ports_saved |= 1ull << rep.port;
        CHECK_EQ(guest_close(&x, &dom, sv[1], rep.port, &served), 0);
        CHECK_EQ(served, 0);
        CHECK_EQ(x.evt_fds, 0);
    }
    /* fill the global quota: 5 ports */
    for (held = 0; held < 5; held++) {
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
        close(fds[0]);
        close(fds[1]);
    }
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 0);
    CHECK_EQ(rep.rc, -ENFILE);
    /* closes that do not hold a port give nothing back */
    CHECK_EQ(guest_close(&x, &dom, sv[1], 0, &served), -EINVAL);
    CHECK_EQ(served, 0);
    CHECK_EQ(guest_close(&x, &dom, sv[1], 6, &served), -EINVAL);
    CHECK_EQ(guest_close(&x, &dom, sv[1], XVMD_EVTCHN_PORTS, &served),
             -EINVAL);
    CHECK_EQ(guest_close(&x, &dom, sv[1], UINT32_MAX, &served), -EINVAL);
    CHECK_EQ(x.evt_fds, 10);
    /* one close, twice: one port back, not two */
    CHECK_EQ(guest_close(&x, &dom, sv[1], 3, &served), 0);
    CHECK_EQ(guest_close(&x, &dom, sv[1], 3, &served), -EINVAL);
    CHECK_EQ(served, 0);
    CHECK_EQ(x.evt_fds, 8);
    CHECK_EQ(xvmd_evtchn_bind(&dom, 3, 0), -EINVAL); /* gone for dom0 too */
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
    CHECK_EQ(rep.port, 3);
    close(fds[0]);
    close(fds[1]);
    CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 0);
    CHECK_EQ(rep.rc, -ENFILE);
    /* a port of an adopted run: xvmd holds no doorbells of it, so its
     * close frees the port but gives back no descriptors */
    dom.evt[9] = (struct xvmd_evtchn){.gfd = -1, .bfd = -1, .used = 1,
                                      .bound = 1};
    CHECK_EQ(guest_close(&x, &dom, sv[1], 9, &served), 0);
    CHECK_EQ(dom.evt[9].used, 0);
    CHECK_EQ(x.evt_fds, 10);
    xvmd_evtchn_release(&x, &dom);
    CHECK_EQ(x.evt_fds, 0);
    CHECK_EQ(dom.ports_saved, 0);
    close(sv[0]);
    close(sv[1]);
}

/* A guest at the global quota that closes a port and asks twice, in a
 * loop, is refused each time; the refusals it makes xvmd log are bounded
 * (xvm_log_limited(): a burst, then one a second). */
static void test_refusals_log_bounded(void)
{
    static struct xvmd_dom dom;
    struct xvmd x = {.ep = -1, .nofile = XVMD_FD_RESERVE + 10};
    struct xvmd_guest_rep rep;
    int sv[2], fds[2], served, log, saved = dup(2);
    unsigned i, refused = 0, logged = 0;
    char buf[65536], *p;
    ssize_t len;

    memset(&dom, 0, sizeof(dom));
    snprintf(dom.cfg.name, sizeof(dom.cfg.name), "hog");
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    dom.ctl_fd = sv[0];
    log = open("/tmp", O_TMPFILE | O_RDWR, 0600);
    CHECK(log >= 0 && saved >= 0);
    dup2(log, 2);
    for (i = 0; i < 5; i++) {
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
        close(fds[0]);
        close(fds[1]);
    }
    for (i = 0; i < 200; i++) {
        CHECK_EQ(guest_close(&x, &dom, sv[1], 1, &served), 0);
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 2);
        close(fds[0]);
        close(fds[1]);
        CHECK_EQ(guest_alloc(&x, &dom, sv[1], 0, &rep, fds), 0);
        refused += rep.rc == -ENFILE;
    }
    dup2(saved, 2);
    close(saved);
    len = pread(log, buf, sizeof(buf) - 1, 0);
    close(log);
    buf[len > 0 ? len : 0] = '\0';
    for (p = buf; (p = strstr(p, "event channel refused")); p++)
        logged++;
    CHECK_EQ(refused, 200);
    CHECK(logged >= 1);
    CHECK(logged <= XVM_LOG_LIMIT_BURST + 1);
    xvmd_evtchn_release(&x, &dom);
    close(sv[0]);
    close(sv[1]);
}

/* A guest that sends requests and never reads the replies: xvmd's send
 * does not block, it reports -EAGAIN once the small buffer is full. */
static void test_guest_not_reading(void)
{
    static struct xvmd_dom dom;
    struct xvmd x = {.ep = -1, .nofile = 100000};
    struct xvmd_guest_req req = {.op = 99};
    int sv[2], i, rc = 0;

    memset(&dom, 0, sizeof(dom));
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF,
                     &(int){XVMD_GUEST_SNDBUF}, sizeof(int)) == 0);
    dom.ctl_fd = sv[0];
    for (i = 0; i < 100000 && rc == 0; i++) {
        CHECK(send(sv[1], &req, sizeof(req), 0) == sizeof(req));
        rc = xvmd_guest_serve(&x, &dom);
    }
    CHECK_EQ(rc, -EAGAIN);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    RUN(test_alloc_bind_signal);
    RUN(test_bad_requests);
    RUN(test_global_quota);
    RUN(test_close_gives_back);
    RUN(test_refusals_log_bounded);
    RUN(test_guest_not_reading);
    return check_summary();
}
