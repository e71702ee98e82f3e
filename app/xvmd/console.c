/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the console of a process domain (see xvmd.h).
 *
 * Each run of a domain gets a pty.  Its slave is the stdin and stdout of
 * xvm-procdom, which prints the domain's messages there and hands it to
 * the sandbox's init, whose init command runs with it as controlling
 * terminal and stdio.  xvmd keeps the master in its loop, and a copy of
 * the slave, so that the master never reads EIO (or polls as hung up)
 * when the domain's last holder closes it.  What the domain writes is
 * appended to <state_dir>/console/<name>.log, renamed to <name>.log.1
 * when the next write would take it past XVMD_CONSOLE_LOG_MAX, and sent
 * to the attached client if there is one.
 *
 * A client (`xvm console`) gets one end of a socketpair; one at a time.
 * Nothing here blocks, and nothing grows with what a guest or a client
 * does:
 *  - domain -> client: one read of at most CON_CHUNK bytes per event,
 *    sent without waiting; what does not fit in the client's socket
 *    buffer (CON_CLIENT_SNDBUF) is dropped, counted and logged at detach;
 *  - a domain that writes more than CON_RATE_BYTES within CON_RATE_MS is
 *    not read again until that window is over (its writes block, in the
 *    domain), so a flood costs xvmd a bounded share of its time;
 *  - client -> domain: at most CON_IN_MAX bytes are held; while they wait
 *    for room in the pty the client is not read (the client waits);
 *  - a client that half-closes (the end of its input) keeps getting the
 *    domain's output until it has been quiet for CON_QUIET_MS, or for
 *    CON_LINGER_MS at most, then its socket is closed: it sees the end.
 * One timerfd, there while a console is and ticking every CON_TICK_MS
 * only while a console is throttled or a client lingers, ends those waits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvmd.h"

#define CON_CHUNK 16384
#define CON_IN_MAX 4096
#define CON_CLIENT_SNDBUF 65536
#define CON_RATE_MS 100
#define CON_RATE_BYTES (256 * 1024)
#define CON_QUIET_MS 1000
#define CON_LINGER_MS 10000
#define CON_TICK_MS 50
/* What is read from the master once the domain is gone, at most. */
#define CON_DRAIN_MAX (64 * 1024)

struct xvmd_console {
    int master;
    int slave;  /* xvmd's copy; the guest's go to xvm-procdom */
    int client; /* our end of the attached client's socketpair, or -1 */
    int log;    /* <name>.log, or -1 */
    uint64_t log_size;
    bool log_off; /* the log could not be opened or written: not again */
    bool dead;    /* the master failed: no longer read */
    char in[CON_IN_MAX]; /* client -> domain, not yet written */
    size_t in_off, in_len;
    bool client_eof; /* the client half-closed: it lingers */
    uint64_t eof_ms, last_out_ms;
    uint64_t win_start_ms, win_bytes; /* the rate window */
    bool throttled;
    uint64_t dropped; /* bytes the client did not take */
    uint32_t ev_master, ev_client; /* epoll interest now */
};

/* The tick of throttled and lingering consoles; one per xvmd, there
 * while a console is (con_count of them). */
static int con_timer = -1;
static bool con_timer_on;
static unsigned con_count;

static void ep_add(struct xvmd *x, int fd, uint32_t events)
{
    struct epoll_event ev;

    if (x->ep < 0)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(x->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        xvm_log_warn("console: epoll: %s", strerror(errno));
}

static void ep_mod(struct xvmd *x, int fd, uint32_t *cur, uint32_t want)
{
    struct epoll_event ev;

    if (x->ep < 0 || *cur == want)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.fd = fd;
    if (epoll_ctl(x->ep, EPOLL_CTL_MOD, fd, &ev) == 0)
        *cur = want;
}

static void ep_del(struct xvmd *x, int fd)
{
    if (x->ep >= 0 && fd >= 0)
        epoll_ctl(x->ep, EPOLL_CTL_DEL, fd, NULL);
}

/* Arm the tick while some console needs it, disarm it otherwise. */
static void timer_update(struct xvmd *x)
{
    struct itimerspec its;
    struct xvmd_dom *dom;
    bool need = false;

    for (dom = x->doms; dom && !need; dom = dom->next)
        need = dom->con && (dom->con->throttled ||
                            (dom->con->client >= 0 && dom->con->client_eof));
    if (con_timer < 0 || need == con_timer_on)
        return;
    memset(&its, 0, sizeof(its));
    if (need) {
        its.it_value.tv_nsec = CON_TICK_MS * 1000000L;
        its.it_interval = its.it_value;
    }
    if (timerfd_settime(con_timer, 0, &its, NULL) == 0)
        con_timer_on = need;
}

/* Epoll interest of @con's fds from its state. */
static void con_update(struct xvmd *x, struct xvmd_console *con)
{
    uint32_t m = 0, c = 0;

    if (!con->dead) {
        if (!con->throttled)
            m |= EPOLLIN;
        if (con->in_len)
            m |= EPOLLOUT;
    }
    ep_mod(x, con->master, &con->ev_master, m);
    if (con->client >= 0) {
        if (!con->client_eof && !con->in_len)
            c = EPOLLIN;
        ep_mod(x, con->client, &con->ev_client, c);
    }
}

/* ---- the log ---------------------------------------------------------- */

static int log_path(const struct xvmd *x, const struct xvmd_dom *dom,
                    const char *suffix, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/console/%s.log%s", x->state_dir,
                     dom->cfg.name, suffix);

    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int xvmd_console_log_path(const struct xvmd *x, const struct xvmd_dom *dom,
                          char *buf, size_t cap)
{
    return log_path(x, dom, "", buf, cap);
}

void xvmd_console_log_remove(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[PATH_MAX];

    if (log_path(x, dom, "", path, sizeof(path)) == 0)
        unlink(path);
    if (log_path(x, dom, ".1", path, sizeof(path)) == 0)
        unlink(path);
}

static void log_open(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_console *con = dom->con;
    char dir[PATH_MAX], path[PATH_MAX];
    off_t size = 0;
    int fd;

    snprintf(dir, sizeof(dir), "%s/console", x->state_dir);
    if (log_path(x, dom, "", path, sizeof(path)) < 0 ||
        xvm_state_dir(dir, 0700) < 0) {
        fd = -ENAMETOOLONG;
    } else {
        fd = xvm_file_append_open(path, 0600, &size);
    }
    if (fd < 0) {
        xvm_log_warn("domain %s: no console log: %s", dom->cfg.name,
                     strerror(-fd));
        con->log_off = true;
        return;
    }
    con->log = fd;
    con->log_size = (uint64_t)size;
}

/* <name>.log becomes <name>.log.1 (replacing it), and a new one begins. */
static void log_rotate(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_console *con = dom->con;
    char path[PATH_MAX], old[PATH_MAX];

    close(con->log);
    con->log = -1;
    if (log_path(x, dom, "", path, sizeof(path)) == 0 &&
        log_path(x, dom, ".1", old, sizeof(old)) == 0 &&
        rename(path, old) < 0 && errno != ENOENT)
        xvm_log_warn("domain %s: console log: rename %s: %s", dom->cfg.name,
                     path, strerror(errno));
    log_open(x, dom);
}

static void log_append(struct xvmd *x, struct xvmd_dom *dom, const char *buf,
                       size_t len)
{
    struct xvmd_console *con = dom->con;
    size_t off = 0;
    ssize_t w;

    if (con->log < 0 && !con->log_off)
        log_open(x, dom);
    if (con->log >= 0 && con->log_size + len > XVMD_CONSOLE_LOG_MAX)
        log_rotate(x, dom);
    if (con->log < 0)
        return;
    while (off < len) {
        w = write(con->log, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            xvm_log_warn("domain %s: console log: %s; no more logging this "
                         "run",
                         dom->cfg.name, w < 0 ? strerror(errno) : "no room");
            close(con->log);
            con->log = -1;
            con->log_off = true;
            return;
        }
        off += (size_t)w;
    }
    con->log_size += len;
}

/* ---- the client --------------------------------------------------------- */

static void client_detach(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_console *con = dom->con;

    if (con->client < 0)
        return;
    ep_del(x, con->client);
    close(con->client);
    con->client = -1;
    con->ev_client = 0;
    con->client_eof = false;
    con->in_len = con->in_off = 0;
    if (con->dropped)
        xvm_log_info("domain %s: console client detached; it missed %llu "
                     "bytes it did not read in time",
                     dom->cfg.name, (unsigned long long)con->dropped);
    else
        xvm_log_info("domain %s: console client detached", dom->cfg.name);
    con->dropped = 0;
}

/* Write what the client sent into the pty, as far as there is room. */
static void input_flush(struct xvmd_console *con)
{
    ssize_t w;

    while (con->in_len) {
        w = write(con->master, con->in + con->in_off, con->in_len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return;
        if (w <= 0) { /* the pty is broken: what the client sent is lost */
            con->in_len = 0;
            break;
        }
        con->in_off += (size_t)w;
        con->in_len -= (size_t)w;
    }
    con->in_off = 0;
}

static void client_read(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_console *con = dom->con;
    ssize_t n;

    if (con->in_len || con->client_eof) /* not asked for: not now */
        return;
    n = recv(con->client, con->in, sizeof(con->in), MSG_DONTWAIT);
    if (n > 0) {
        con->in_off = 0;
        con->in_len = (size_t)n;
        input_flush(con);
    } else if (n == 0) {
        con->client_eof = true;
        con->eof_ms = xvmd_now_ms();
    } else if (errno != EAGAIN && errno != EINTR) {
        client_detach(x, dom);
    }
}

/* ---- the domain's output ------------------------------------------------ */

/* Log @len bytes of output and pass them to the client, never waiting. */
static void output(struct xvmd *x, struct xvmd_dom *dom, const char *buf,
                   size_t len)
{
    struct xvmd_console *con = dom->con;
    ssize_t w;

    log_append(x, dom, buf, len);
    if (con->client < 0)
        return;
    w = send(con->client, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR))
        w = 0;
    if (w < 0)
        client_detach(x, dom); /* gone */
    else
        con->dropped += len - (size_t)w;
}

static void master_read(struct xvmd *x, struct xvmd_dom *dom)
{
    static char buf[CON_CHUNK];
    struct xvmd_console *con = dom->con;
    uint64_t now = xvmd_now_ms();
    ssize_t n = read(con->master, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        xvm_log_warn("domain %s: console: %s; no longer read", dom->cfg.name,
                     n < 0 ? strerror(errno) : "end of file");
        con->dead = true;
        return;
    }
    con->last_out_ms = now;
    output(x, dom, buf, (size_t)n);
    if (now - con->win_start_ms >= CON_RATE_MS) {
        con->win_start_ms = now;
        con->win_bytes = 0;
    }
    con->win_bytes += (uint64_t)n;
    if (con->win_bytes >= CON_RATE_BYTES)
        con->throttled = true;
}

/* The tick: end throttles whose window is over, and lingers. */
static void tick(struct xvmd *x)
{
    uint64_t now = xvmd_now_ms(), ticks, since;
    struct xvmd_dom *dom;
    struct xvmd_console *con;

    if (read(con_timer, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
        xvm_log_warn("console: timer: %s", strerror(errno));
    for (dom = x->doms; dom; dom = dom->next) {
        con = dom->con;
        if (!con)
            continue;
        if (con->throttled && now - con->win_start_ms >= CON_RATE_MS) {
            con->throttled = false;
            con->win_start_ms = now;
            con->win_bytes = 0;
        }
        if (con->client >= 0 && con->client_eof) {
            since = con->last_out_ms > con->eof_ms ? con->last_out_ms
                                                   : con->eof_ms;
            if ((!con->in_len && now - since >= CON_QUIET_MS) ||
                now - con->eof_ms >= CON_LINGER_MS)
                client_detach(x, dom);
        }
        con_update(x, con);
    }
    timer_update(x);
}

/* ---- the interface ------------------------------------------------------ */

/* The pty's slave, opened from the master (no path: nothing to race). */
static int slave_open(int master)
{
    char name[64];
    int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (fd >= 0 || errno != EINVAL)
        return fd < 0 ? -errno : fd;
    if (ptsname_r(master, name, sizeof(name)) != 0)
        return -errno;
    fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Make @dom's console around @master (a pty master, or -errno: none);
 * @fresh: a new pty, whose window size is set. */
static int console_make(struct xvmd *x, struct xvmd_dom *dom, int master,
                        bool fresh)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    struct xvmd_console *con;
    int rc;

    if (dom->con)
        return 0;
    con = calloc(1, sizeof(*con));
    if (!con) {
        if (master >= 0)
            close(master);
        return -ENOMEM;
    }
    con->client = con->log = con->slave = -1;
    con->master = master;
    rc = con->master < 0 ? con->master : 0;
    if (rc == 0 && fresh && unlockpt(con->master) < 0)
        rc = -errno;
    if (rc == 0) {
        con->slave = slave_open(con->master);
        rc = con->slave < 0 ? con->slave : 0;
    }
    if (rc == 0 && fresh && ioctl(con->master, TIOCSWINSZ, &ws) < 0)
        rc = -errno;
    if (rc == 0 && con_timer < 0) {
        con_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
                                                        TFD_CLOEXEC);
        if (con_timer < 0)
            rc = -errno;
        else
            ep_add(x, con_timer, EPOLLIN);
    }
    if (rc < 0) {
        xvm_log_warn("domain %s: no console: %s", dom->cfg.name,
                     strerror(-rc));
        if (con->master >= 0)
            close(con->master);
        if (con->slave >= 0)
            close(con->slave);
        free(con);
        return rc;
    }
    dom->con = con;
    con_count++;
    con->ev_master = EPOLLIN;
    ep_add(x, con->master, EPOLLIN);
    log_open(x, dom);
    return 0;
}

int xvmd_console_open(struct xvmd *x, struct xvmd_dom *dom)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    return console_make(x, dom, master < 0 ? -errno : master, true);
}

int xvmd_console_adopt(struct xvmd *x, struct xvmd_dom *dom, int master)
{
    int fl = fcntl(master, F_GETFL);

    if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0) {
        close(master);
        return -EBADF;
    }
    return console_make(x, dom, master, false);
}

int xvmd_console_master(const struct xvmd_dom *dom)
{
    return dom->con ? dom->con->master : -1;
}

int xvmd_console_slave(const struct xvmd_dom *dom)
{
    return dom->con ? dom->con->slave : -1;
}

void xvmd_console_close(struct xvmd *x, struct xvmd_dom *dom)
{
    static char buf[CON_CHUNK];
    struct xvmd_console *con = dom->con;
    size_t drained = 0;
    ssize_t n;

    if (!con)
        return;
    /* the domain's last words, if it is gone (nothing more comes) */
    while (!con->dead && drained < CON_DRAIN_MAX &&
           (n = read(con->master, buf, sizeof(buf))) > 0) {
        output(x, dom, buf, (size_t)n);
        drained += (size_t)n;
    }
    client_detach(x, dom);
    ep_del(x, con->master);
    close(con->master);
    close(con->slave);
    if (con->log >= 0)
        close(con->log);
    free(con);
    dom->con = NULL;
    /* Not x->doms: xvmd_dom_fini() frees the table as it goes.  A tick
     * left armed finds nothing to do and disarms itself. */
    if (--con_count == 0 && con_timer >= 0) { /* none held idle */
        ep_del(x, con_timer);
        close(con_timer);
        con_timer = -1;
        con_timer_on = false;
    }
}

int xvmd_console_attach(struct xvmd *x, struct xvmd_dom *dom, int *fd,
                        char *err, size_t errlen)
{
    struct xvmd_console *con = dom->con;
    int sv[2], rc;

    if (!con) {
        snprintf(err, errlen, "domain %s has no console", dom->cfg.name);
        return -ENODEV;
    }
    if (con->client >= 0) {
        snprintf(err, errlen, "the console of domain %s is in use by "
                 "another client (one at a time)", dom->cfg.name);
        return -EBUSY;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        snprintf(err, errlen, "console of %s: socketpair: %s", dom->cfg.name,
                 strerror(errno));
        return rc;
    }
    if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 ||
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){CON_CLIENT_SNDBUF},
                   sizeof(int)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "console of %s: %s", dom->cfg.name,
                 strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    con->client = sv[0];
    con->ev_client = EPOLLIN;
    ep_add(x, con->client, EPOLLIN);
    *fd = sv[1];
    xvm_log_info("domain %s: console client attached", dom->cfg.name);
    return 0;
}

int xvmd_console_event(struct xvmd *x, int fd, uint32_t events)
{
    struct xvmd_console *con;
    struct xvmd_dom *dom;

    if (fd < 0)
        return 0;
    if (fd == con_timer) {
        tick(x);
        return 1;
    }
    for (dom = x->doms; dom; dom = dom->next) {
        con = dom->con;
        if (!con)
            continue;
        if (fd == con->master) {
            if (events & EPOLLOUT)
                input_flush(con);
            if (events & EPOLLIN)
                master_read(x, dom);
            if (!con->dead && (events & (EPOLLHUP | EPOLLERR)) &&
                !(events & EPOLLIN)) {
                /* cannot be while we hold the slave */
                xvm_log_warn("domain %s: console hung up", dom->cfg.name);
                con->dead = true;
            }
            if (con->dead) /* never spin on a hangup */
                ep_del(x, con->master);
            else
                con_update(x, con);
            timer_update(x);
            return 1;
        }
        if (fd == con->client) {
            if (events & EPOLLIN)
                client_read(x, dom);
            if (con->client >= 0 && (events & (EPOLLHUP | EPOLLERR)))
                client_detach(x, dom); /* closed, not just half-closed */
            con_update(x, con);
            timer_update(x);
            return 1;
        }
    }
    return 0;
}
