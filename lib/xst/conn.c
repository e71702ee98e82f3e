/* SPDX-License-Identifier: MIT */
/*
 * One client connection: framing of xs_wire messages on a non-blocking
 * stream socket, and an output queue that absorbs partial writes.
 *
 * Memory a client can pin is bounded: the input buffer is fixed; replies
 * are only produced while less than half of max_out_bytes is queued (past
 * that the connection's requests wait in the socket until its peer reads);
 * and a watch event that would overflow max_out_bytes closes the
 * connection instead of growing the queue.
 *
 * Except a privileged (dom0) connection's, for events a guest caused:
 * such an event is charged to that guest until dom0 reads it, and a guest
 * with max_guest_events charged waits (its requests stay in its socket),
 * so a guest that makes dom0's watches fire pays for it and dom0, the
 * backends' connection, is never dropped for a guest's flood.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "xst_pvt.h"
#include "xvm/log.h"

/* Queued messages handed to one sendmsg(). */
#define FLUSH_IOV 64

struct xst_conn *xst_conn_new(struct xst_server *srv, int fd, uint16_t domid)
{
    struct xst_conn *c = calloc(1, sizeof(*c));
    struct epoll_event ev = {.events = EPOLLIN};

    if (!c)
        return NULL;
    c->srv = srv;
    c->fd = fd;
    c->domid = domid;
    c->priv = domid == 0;
    c->passed_fd = -1;
    c->out_tail = &c->out_head;
    c->epoll = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;

        free(c);
        errno = e;
        return NULL;
    }
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    return c;
}

/* Free @o, which has left @c's queue, and uncharge its guest. */
static void out_drop(struct xst_conn *c, struct xst_out *o)
{
    if (o->cause != XST_NO_CAUSE) {
        c->srv->guest_events[o->cause]--;
        c->charged -= o->len;
    }
    free(o);
}

static void out_free(struct xst_conn *c)
{
    while (c->out_head) {
        struct xst_out *o = c->out_head;

        c->out_head = o->next;
        out_drop(c, o);
    }
    c->out_tail = &c->out_head;
    c->out_bytes = 0;
}

static void txns_free(struct xst_conn *c)
{
    while (c->txns) {
        struct xst_txn *tx = c->txns;

        c->txns = tx->next;
        xst_txn_free(tx);
    }
    c->ntxns = 0;
}

/*
 * Close the socket now; the structure lives until xst_server_reap() since
 * callers up the stack (watch firing, epoll event arrays) may still hold
 * it.  Its watches stop firing at once (dead connections are skipped).
 */
void xst_conn_kill(struct xst_conn *c, const char *why)
{
    if (c->dead)
        return;
    if (why) {
        xvm_log_warn("dropping connection of domain %u: %s", (unsigned)c->domid,
                     why);
        c->srv->st.conns_dropped++;
    }
    c->dead = true;
    epoll_ctl(c->srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    out_free(c);
}

void xst_conn_free(struct xst_conn *c)
{
    xst_conn_kill(c, NULL);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    xst_watch_clear(c);
    txns_free(c);
    if (c->passed_fd >= 0)
        close(c->passed_fd);
    free(c);
}

/* A guest whose changes queued max_guest_events unread for dom0. */
static bool held(const struct xst_conn *c)
{
    return !c->priv &&
           c->srv->guest_events[c->domid] >= c->srv->cfg.max_guest_events;
}

static bool throttled(const struct xst_conn *c)
{
    return c->out_bytes >= c->srv->cfg.max_out_bytes / 2 || held(c);
}

void xst_conn_update_epoll(struct xst_conn *c)
{
    uint32_t want = 0;
    struct epoll_event ev;

    if (c->dead)
        return;
    /* A guest that floods dom0's watches while dom0 is busy is held
     * again each time dom0 catches up: its lines are limited. */
    if (held(c) && !c->held) {
        xvm_log_limited(&c->log_limit, XVM_LOG_WARNING,
                        "domain %u: %u watch events its changes caused are "
                        "not read by dom0 yet: its requests wait",
                        (unsigned)c->domid, c->srv->guest_events[c->domid]);
        c->srv->st.guests_held++;
    }
    c->held = held(c);
    if (!throttled(c))
        want |= EPOLLIN;
    if (c->out_head)
        want |= EPOLLOUT;
    if (want == c->epoll)
        return;
    ev.events = want;
    ev.data.ptr = c;
    if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        xst_conn_kill(c, "epoll_ctl failed");
    else
        c->epoll = want;
}

int xst_conn_send(struct xst_conn *c, const struct xsd_sockmsg *hdr,
                  const void *p0, size_t l0, const void *p1, size_t l1,
                  bool is_event, int cause)
{
    struct xsd_sockmsg h = *hdr;
    size_t len = sizeof(h) + l0 + l1;
    bool charge = is_event && c->priv && cause > 0;
    struct xst_out *o;

    if (c->dead)
        return -EPIPE;
    if (l0 + l1 > XENSTORE_PAYLOAD_MAX)
        return -E2BIG; /* callers check; never put one on the wire */
    /* What guests are charged for does not count against the reader
     * (charged may exceed out_bytes while a charged event is half sent). */
    if (is_event && !charge &&
        (c->out_bytes > c->charged ? c->out_bytes - c->charged : 0) + len >
            c->srv->cfg.max_out_bytes) {
        xst_conn_kill(c, "watch events not being read");
        return -ENOBUFS;
    }
    o = malloc(sizeof(*o) + len);
    if (!o)
        return -ENOMEM;
    o->cause = XST_NO_CAUSE;
    if (charge) {
        o->cause = cause;
        c->srv->guest_events[cause]++;
        c->charged += len;
    }
    h.len = (uint32_t)(l0 + l1);
    memcpy(o->data, &h, sizeof(h));
    if (l0)
        memcpy(o->data + sizeof(h), p0, l0);
    if (l1)
        memcpy(o->data + sizeof(h) + l0, p1, l1);
    o->len = len;
    o->off = 0;
    o->next = NULL;
    *c->out_tail = o;
    c->out_tail = &o->next;
    c->out_bytes += len;
    return 0;
}

/* Drop @w sent bytes from the head of the queue. */
static void out_consume(struct xst_conn *c, size_t w)
{
    c->out_bytes -= w;
    while (w > 0) {
        struct xst_out *o = c->out_head;
        size_t left = o->len - o->off;

        if (w < left) {
            o->off += w;
            return;
        }
        w -= left;
        c->out_head = o->next;
        out_drop(c, o);
    }
    if (!c->out_head)
        c->out_tail = &c->out_head;
}

void xst_conn_flush(struct xst_conn *c)
{
    while (!c->dead && c->out_head) {
        struct iovec iov[FLUSH_IOV];
        struct msghdr mh = {.msg_iov = iov};
        const struct xst_out *o;
        size_t offered = 0;
        ssize_t w;

        for (o = c->out_head; o && mh.msg_iovlen < FLUSH_IOV; o = o->next) {
            iov[mh.msg_iovlen].iov_base = (char *)o->data + o->off;
            iov[mh.msg_iovlen++].iov_len = o->len - o->off;
            offered += o->len - o->off;
        }
        w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                xst_conn_kill(c, NULL); /* the peer went away */
            return;
        }
        out_consume(c, (size_t)w);
        if ((size_t)w < offered)
            return; /* the socket is full */
    }
}

/* Handle the complete messages at the start of the input buffer. */
static void conn_process(struct xst_conn *c)
{
    size_t off = 0;

    while (!c->dead && !throttled(c)) {
        struct xsd_sockmsg hdr;

        if (c->in_len - off < sizeof(hdr))
            break;
        memcpy(&hdr, c->in + off, sizeof(hdr));
        /* Xen kills such a connection too: there is no resynchronising
         * with a peer that lies about lengths. */
        if (hdr.len > XENSTORE_PAYLOAD_MAX) {
            xst_conn_kill(c, "payload longer than 4096 bytes");
            return;
        }
        if (c->in_len - off < sizeof(hdr) + hdr.len)
            break;
        memcpy(c->msg, c->in + off + sizeof(hdr), hdr.len);
        c->msg[hdr.len] = '\0';
        off += sizeof(hdr) + hdr.len;
        c->srv->st.requests++;
        xst_wire_handle(c, &hdr);
    }
    if (c->dead)
        return;
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

/*
 * Read into @c's buffer.  dom0 may pass a descriptor with a request (the
 * guest's end of a connection, with INTRODUCE); it is kept, the last one
 * only.  A guest's connection is read with recv(), which closes whatever
 * descriptors a guest sends.
 */
static ssize_t conn_recv(struct xst_conn *c)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } u;
    struct iovec iov = {c->in + c->in_len, sizeof(c->in) - c->in_len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *cm;
    ssize_t n;

    if (!c->priv)
        return recv(c->fd, iov.iov_base, iov.iov_len, MSG_DONTWAIT);
    n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0)
        return n;
    for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        size_t k, nfd;

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (k = 0; k < nfd; k++) {
            int fd;

            memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(fd));
            if (c->passed_fd >= 0)
                close(c->passed_fd);
            c->passed_fd = fd;
        }
    }
    return n;
}

void xst_conn_read(struct xst_conn *c)
{
    ssize_t n;

    if (c->dead)
        return;
    if (!throttled(c) && c->in_len < sizeof(c->in)) {
        n = conn_recv(c);
        if (n == 0) {
            xst_conn_kill(c, NULL);
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                xst_conn_kill(c, NULL);
            return;
        }
        c->in_len += (size_t)n;
    }
    conn_process(c);
}

void xst_conn_resume(struct xst_conn *c)
{
    if (!c->dead && !throttled(c) && c->in_len >= sizeof(struct xsd_sockmsg))
        conn_process(c);
}
