/* SPDX-License-Identifier: MIT */
/* The server: listening socket, epoll loop, connections, domains. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xst_pvt.h"
#include "xvm/daemon.h"
#include "xvm/log.h"

#define EVENTS_PER_DISPATCH 64
#define ACCEPTS_PER_DISPATCH 16

static void config_defaults(struct xst_config *c)
{
    if (!c->max_watches)
        c->max_watches = 128;
    if (!c->max_transactions)
        c->max_transactions = 10;
    if (!c->max_nodes)
        c->max_nodes = 1000;
    if (!c->max_value)
        c->max_value = 2048;
    if (!c->max_child_names)
        c->max_child_names = XENSTORE_PAYLOAD_MAX;
    if (!c->max_tx_nodes)
        c->max_tx_nodes = 1024;
    if (!c->max_tx_bytes)
        c->max_tx_bytes = 1024 * 1024;
    if (!c->max_out_bytes)
        c->max_out_bytes = 256 * 1024;
    if (!c->max_guest_events)
        c->max_guest_events = 256;
    /* Room for at least a few full messages, or throttling never lifts. */
    if (c->max_out_bytes < 4 * XST_MSG_MAX)
        c->max_out_bytes = 4 * XST_MSG_MAX;
}

/* The root, /local and /local/domain, dom0's and closed to guests. */
static int store_seed(struct xst_store *st)
{
    static const char *const paths[] = {"/", "/local", "/local/domain"};
    const size_t np = sizeof(paths) / sizeof(paths[0]);
    const struct xst_perm perm = {.domid = 0, .perm = XST_PERM_NONE};
    size_t i;

    for (i = 0; i < np; i++) {
        struct xst_node *n = xst_node_new(paths[i], &perm, 1);
        const char *child = i + 1 < np ? strrchr(paths[i + 1], '/') + 1 : NULL;

        if (!n || (child && xst_node_add_child(n, child, strlen(child)) < 0)) {
            xst_node_free(n);
            return -ENOMEM;
        }
        if (xst_store_put(st, n) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int server_listen(struct xst_server *srv, const char *path)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    int fd = xvm_unix_listen(path, SOCK_STREAM | SOCK_NONBLOCK, 0600);

    if (fd < 0)
        return fd;
    srv->sock_path = strdup(path);
    if (!srv->sock_path || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int r = srv->sock_path ? -errno : -ENOMEM;

        unlink(path);
        close(fd);
        free(srv->sock_path);
        srv->sock_path = NULL;
        return r;
    }
    srv->lfd = fd;
    return 0;
}

struct xst_server *xst_server_create(const char *sock_path,
                                     const struct xst_config *cfg)
{
    struct xst_server *srv = calloc(1, sizeof(*srv));
    int r;

    if (!srv)
        return NULL;
    srv->epfd = -1;
    srv->lfd = -1;
    if (cfg)
        srv->cfg = *cfg;
    config_defaults(&srv->cfg);
    srv->guest_events = calloc(DOMID_FIRST_RESERVED, sizeof(uint32_t));
    r = srv->guest_events ? xst_store_init(&srv->store) : -ENOMEM;
    if (r < 0) {
        free(srv->guest_events);
        free(srv);
        errno = -r;
        return NULL;
    }
    r = store_seed(&srv->store);
    if (r == 0) {
        srv->epfd = epoll_create1(EPOLL_CLOEXEC);
        r = srv->epfd < 0 ? -errno : 0;
    }
    if (r == 0 && sock_path)
        r = server_listen(srv, sock_path);
    if (r < 0) {
        xst_server_destroy(srv);
        errno = -r;
        return NULL;
    }
    return srv;
}

void xst_server_reap(struct xst_server *srv)
{
    struct xst_conn *c, *next;

    for (c = srv->conns; c; c = next) {
        next = c->next;
        if (c->dead)
            xst_conn_free(c);
    }
}

void xst_server_destroy(struct xst_server *srv)
{
    if (!srv)
        return;
    while (srv->conns)
        xst_conn_free(srv->conns);
    if (srv->lfd >= 0)
        close(srv->lfd);
    if (srv->sock_path)
        unlink(srv->sock_path);
    free(srv->sock_path);
    if (srv->epfd >= 0)
        close(srv->epfd);
    xst_store_fini(&srv->store);
    free(srv->guest_events);
    free(srv);
}

int xst_server_fd(const struct xst_server *srv)
{
    return srv->epfd;
}

/* Listening-socket clients are dom0, so they must be root or ourselves. */
static void server_accept(struct xst_server *srv)
{
    int i;

    for (i = 0; i < ACCEPTS_PER_DISPATCH; i++) {
        int fd = xvm_unix_accept(srv->lfd, SOCK_NONBLOCK, NULL, NULL);

        if (fd == -EPERM)
            continue;
        if (fd < 0) {
            /* EMFILE and ENFILE are logged by xvm_unix_accept(). */
            if (fd != -EAGAIN && fd != -EINTR && fd != -EMFILE &&
                fd != -ENFILE)
                xvm_log_warn("accept: %s", strerror(-fd));
            return;
        }
        if (!xst_conn_new(srv, fd, 0)) {
            xvm_log_err("no memory for a connection");
            close(fd);
        }
    }
}

/*
 * After a batch of work: send what is queued, go on with requests that
 * waited for their connection's queue to drain, set each connection's
 * epoll interest, and free closed connections.  The second pass catches
 * output the first pass produced for connections it had already visited.
 */
void xst_server_settle(struct xst_server *srv)
{
    struct xst_conn *c;

    for (c = srv->conns; c; c = c->next) {
        xst_conn_flush(c);
        xst_conn_resume(c);
    }
    for (c = srv->conns; c; c = c->next) {
        xst_conn_flush(c);
        xst_conn_update_epoll(c);
    }
    xst_server_reap(srv);
}

int xst_server_dispatch(struct xst_server *srv, int timeout_ms)
{
    struct epoll_event ev[EVENTS_PER_DISPATCH];
    int n, i;

    n = epoll_wait(srv->epfd, ev, EVENTS_PER_DISPATCH, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (i = 0; i < n; i++) {
        struct xst_conn *c = ev[i].data.ptr;

        if (!c) {
            server_accept(srv);
            continue;
        }
        if (c->dead)
            continue;
        if (ev[i].events & EPOLLOUT)
            xst_conn_flush(c);
        if (ev[i].events & EPOLLIN)
            xst_conn_read(c);
        else if (ev[i].events & (EPOLLHUP | EPOLLERR))
            xst_conn_kill(c, NULL);
    }
    xst_server_settle(srv);
    return n;
}

int xst_server_add_conn(struct xst_server *srv, int fd, uint16_t domid)
{
    int fl;

    if (domid >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (fd < 0 || (fl = fcntl(fd, F_GETFL)) < 0)
        return -EBADF;
    if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    if (!xst_conn_new(srv, fd, domid))
        return errno ? -errno : -ENOMEM;
    return 0;
}

void xst_server_stats(const struct xst_server *srv, struct xst_stats *st)
{
    const struct xst_conn *c;

    *st = srv->st;
    st->conns = st->watches = st->transactions = 0;
    st->out_queued = 0;
    st->nodes = (unsigned)srv->store.nodes.used;
    for (c = srv->conns; c; c = c->next) {
        if (c->dead)
            continue;
        st->conns++;
        st->watches += c->nwatches;
        st->transactions += c->ntxns;
        st->out_queued += c->out_bytes;
    }
}

uint32_t xst_txid_alloc(struct xst_server *srv, const struct xst_conn *c)
{
    for (;;) {
        uint32_t id = ++srv->next_txid;
        const struct xst_txn *tx;

        for (tx = c->txns; tx && tx->id != id; tx = tx->next)
            ;
        if (id && !tx)
            return id;
    }
}

bool xst_domain_is_introduced(const struct xst_server *srv, uint16_t domid)
{
    return domid < DOMID_FIRST_RESERVED &&
           (srv->introduced[domid / 8] & (1u << (domid % 8)));
}

int xst_domain_introduce(struct xst_server *srv, uint16_t domid)
{
    if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (xst_domain_is_introduced(srv, domid))
        return -EEXIST;
    srv->introduced[domid / 8] |= (uint8_t)(1u << (domid % 8));
    xst_watch_fire_special(srv, "@introduceDomain");
    xst_server_settle(srv);
    return 0;
}

int xst_domain_introduce_conn(struct xst_server *srv, uint16_t domid, int fd)
{
    int type = 0, fl;
    socklen_t tl = sizeof(type);

    if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (xst_domain_is_introduced(srv, domid))
        return -EEXIST;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
        type != SOCK_STREAM || (fl = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -EINVAL;
    if (!xst_conn_new(srv, fd, domid))
        return errno ? -errno : -ENOMEM;
    srv->introduced[domid / 8] |= (uint8_t)(1u << (domid % 8));
    xst_watch_fire_special(srv, "@introduceDomain");
    return 0;
}

/* RELEASE without the settle: also called while a request is handled. */
int xst_release(struct xst_server *srv, uint16_t domid)
{
    struct xst_conn *c;

    if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (!xst_domain_is_introduced(srv, domid))
        return -ENOENT;
    srv->introduced[domid / 8] &= (uint8_t) ~(1u << (domid % 8));
    for (c = srv->conns; c; c = c->next)
        if (c->domid == domid)
            xst_conn_kill(c, NULL);
    xst_watch_fire_special(srv, "@releaseDomain");
    return 0;
}

int xst_domain_release(struct xst_server *srv, uint16_t domid)
{
    int r = xst_release(srv, domid);

    xst_server_settle(srv);
    return r;
}
