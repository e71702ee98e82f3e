/* SPDX-License-Identifier: MIT */
/* The xenstore client: xs_wire over a Unix stream socket. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "xvm/fdpass.h"
#include "xs/xs.h"

#define HDR_LEN sizeof(struct xsd_sockmsg)
#define PERMS_MAX 256u

struct xvm_xs {
    int fd;
    uint32_t req_id;
    /* 0 while usable; else the -errno that broke the stream, returned by
     * every later call (a bad reply leaves us unsure where messages
     * begin). */
    int dead;
    /* Bytes received and not yet taken: always room for one whole
     * message, so a message never has to be read in two buffers. */
    unsigned char rbuf[HDR_LEN + XENSTORE_PAYLOAD_MAX];
    size_t rlen;
    /* Watch events received while waiting for replies, oldest first. */
    struct xvm_xs_event *evq[XVM_XS_EVENTS_MAX];
    unsigned evq_head, evq_len;
    uint64_t ev_dropped;
    /* The watches set, as events: what an overflow queues instead. */
    struct xs_watch_rec *watches;
    unsigned nwatches;
};

struct xs_watch_rec {
    struct xs_watch_rec *next;
    struct xvm_xs_event *ev; /* its path and token */
};

/* One received message; body is NUL-terminated one byte past len. */
struct xs_msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

static struct xvm_xs *xs_new(int fd)
{
    struct xvm_xs *xs = calloc(1, sizeof(*xs));

    if (!xs)
        return NULL;
    xs->fd = fd;
    xs->req_id = 1;
    return xs;
}

struct xvm_xs *xvm_xs_open(const char *sock_path)
{
    struct xvm_xs *xs;
    int fd, err;

    fd = xvm_unix_connect(sock_path, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        errno = -fd;
        return NULL;
    }
    xs = xs_new(fd);
    if (!xs) {
        err = errno;
        close(fd);
        errno = err;
    }
    return xs;
}

struct xvm_xs *xvm_xs_adopt(int fd)
{
    struct xvm_xs *xs;
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0)
        return NULL;
    xs = xs_new(fd);
    if (!xs)
        return NULL;
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int err = errno;

        free(xs);
        errno = err;
        return NULL;
    }
    return xs;
}

/* Free the queued events; @return how many there were. */
static unsigned events_clear(struct xvm_xs *xs)
{
    unsigned n = xs->evq_len;

    while (xs->evq_len) {
        free(xs->evq[xs->evq_head]);
        xs->evq_head = (xs->evq_head + 1) % XVM_XS_EVENTS_MAX;
        xs->evq_len--;
    }
    xs->evq_head = 0;
    return n;
}

static struct xvm_xs_event *event_new(const char *path, const char *token)
{
    size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
    struct xvm_xs_event *ev = malloc(sizeof(*ev) + pl + tl);
    char *p;

    if (!ev)
        return NULL;
    p = (char *)(ev + 1);
    memcpy(p, path, pl);
    memcpy(p + pl, token, tl);
    ev->path = p;
    ev->token = p + pl;
    return ev;
}

void xvm_xs_close(struct xvm_xs *xs)
{
    if (!xs)
        return;
    events_clear(xs);
    while (xs->watches) {
        struct xs_watch_rec *w = xs->watches;

        xs->watches = w->next;
        free(w->ev);
        free(w);
    }
    close(xs->fd);
    free(xs);
}

int xvm_xs_fd(const struct xvm_xs *xs)
{
    return xs->fd;
}

static int xs_break(struct xvm_xs *xs, int err)
{
    if (!xs->dead)
        xs->dead = err;
    return xs->dead;
}

static int xs_wait(struct xvm_xs *xs, short events)
{
    struct pollfd pfd = {.fd = xs->fd, .events = events};

    if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
        return xs_break(xs, -errno);
    return 0;
}

/* Send one request; @fd >= 0 goes with its first byte (SCM_RIGHTS). */
static int xs_send(struct xvm_xs *xs, const struct xsd_sockmsg *h,
                   const struct iovec *args, unsigned nargs, int fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    struct iovec iov[8];
    struct msghdr msg = {.msg_iov = iov};
    size_t left = HDR_LEN + h->len;
    unsigned i;

    if (fd >= 0) {
        struct cmsghdr *cm;

        memset(&u, 0, sizeof(u));
        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof(u.buf);
        cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
    }

    iov[0].iov_base = (void *)h;
    iov[0].iov_len = HDR_LEN;
    for (i = 0; i < nargs; i++)
        iov[i + 1] = args[i];
    msg.msg_iovlen = nargs + 1;
    while (left) {
        ssize_t n = sendmsg(xs->fd, &msg, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                int r = xs_wait(xs, POLLOUT);

                if (r < 0)
                    return r;
                continue;
            }
            return xs_break(xs, errno == EPIPE ? -EPIPE : -errno);
        }
        left -= (size_t)n;
        msg.msg_control = NULL; /* the descriptor went with the first byte */
        msg.msg_controllen = 0;
        /* Skip what went out; a short write is rare but legal. */
        while (msg.msg_iovlen && (size_t)n >= msg.msg_iov->iov_len) {
            n -= (ssize_t)msg.msg_iov->iov_len;
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (msg.msg_iovlen) {
            msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + n;
            msg.msg_iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

/*
 * Take one whole message out of rbuf.
 * @return 1 taken, 0 need more bytes, -EPROTO for an oversized length.
 */
static int xs_take(struct xvm_xs *xs, struct xs_msg *m)
{
    size_t total;

    if (xs->rlen < HDR_LEN)
        return 0;
    memcpy(&m->hdr, xs->rbuf, HDR_LEN);
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
        return xs_break(xs, -EPROTO);
    total = HDR_LEN + m->hdr.len;
    if (xs->rlen < total)
        return 0;
    memcpy(m->body, xs->rbuf + HDR_LEN, m->hdr.len);
    m->body[m->hdr.len] = '\0';
    xs->rlen -= total;
    memmove(xs->rbuf, xs->rbuf + total, xs->rlen);
    return 1;
}

/* Read what the socket has.  @return 1 got bytes, 0 would block, -errno. */
static int xs_fill(struct xvm_xs *xs)
{
    ssize_t n;

    do
        n = recv(xs->fd, xs->rbuf + xs->rlen, sizeof(xs->rbuf) - xs->rlen,
                 MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        xs->rlen += (size_t)n;
        return 1;
    }
    if (n < 0 && errno == EAGAIN)
        return 0;
    return xs_break(xs, n == 0 ? -EPIPE : -errno);
}

/* A WATCH_EVENT payload must be exactly "path\0token\0", and no path is
 * empty. */
static struct xvm_xs_event *event_parse(const struct xs_msg *m)
{
    size_t plen, tlen, len = m->hdr.len;

    if (len == 0 || m->body[len - 1] != '\0')
        return NULL;
    plen = strlen(m->body) + 1;
    if (plen == 1 || plen >= len)
        return NULL;
    tlen = strlen(m->body + plen) + 1;
    if (plen + tlen != len)
        return NULL;
    return event_new(m->body, m->body + plen);
}

static bool event_same(const struct xvm_xs_event *a,
                       const struct xvm_xs_event *b)
{
    return strcmp(a->path, b->path) == 0 && strcmp(a->token, b->token) == 0;
}

/*
 * The queue is full: what it holds, and the event that did not fit, are
 * replaced by one event per watch with the watched path itself, as when
 * the watch was set.  Its owner re-reads everything below it, which
 * covers every change the dropped events told of: nothing is lost
 * silently, the user resynchronises.
 */
static int events_overflow(struct xvm_xs *xs)
{
    const struct xs_watch_rec *w;

    xs->ev_dropped += events_clear(xs) + 1;
    for (w = xs->watches; w; w = w->next) {
        struct xvm_xs_event *ev = event_new(w->ev->path, w->ev->token);

        if (!ev)
            return xs_break(xs, -ENOMEM);
        xs->evq[xs->evq_len++] = ev;
    }
    return 0;
}

static int event_queue(struct xvm_xs *xs, const struct xs_msg *m)
{
    struct xvm_xs_event *ev = event_parse(m);
    unsigned i;

    if (!ev)
        return xs_break(xs, -EPROTO);
    for (i = 0; i < xs->evq_len; i++)
        if (event_same(xs->evq[(xs->evq_head + i) % XVM_XS_EVENTS_MAX], ev)) {
            free(ev);
            return 0;
        }
    if (xs->evq_len == XVM_XS_EVENTS_MAX) {
        free(ev);
        return events_overflow(xs);
    }
    xs->evq[(xs->evq_head + xs->evq_len) % XVM_XS_EVENTS_MAX] = ev;
    xs->evq_len++;
    return 0;
}

/* Errors come as an errno name; map it back. */
static int error_decode(struct xvm_xs *xs, const struct xs_msg *m)
{
    size_t i;

    if (m->hdr.len == 0 || m->body[m->hdr.len - 1] != '\0' ||
        strlen(m->body) + 1 != m->hdr.len)
        return xs_break(xs, -EPROTO);
    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(xsd_errors[i].errstring, m->body) == 0)
            return -xsd_errors[i].errnum;
    return -EIO;
}

/*
 * Send one request and wait for its reply, queueing watch events that
 * come first.  Each of @args is sent as is (callers include the NULs).
 * @return 0 with @rep holding a reply of @type, or -errno.
 */
static int xs_talk_fd(struct xvm_xs *xs, uint32_t type, uint32_t tx,
                      const struct iovec *args, unsigned nargs, int fd,
                      struct xs_msg *rep)
{
    struct xsd_sockmsg h = {.type = type, .tx_id = tx};
    size_t len = 0;
    unsigned i;
    int r;

    if (xs->dead)
        return xs->dead;
    for (i = 0; i < nargs; i++)
        len += args[i].iov_len;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    h.len = (uint32_t)len;
    h.req_id = xs->req_id++;
    r = xs_send(xs, &h, args, nargs, fd);
    for (; r >= 0;) {
        r = xs_take(xs, rep);
        if (r == 0) {
            r = xs_fill(xs);
            if (r == 0)
                r = xs_wait(xs, POLLIN);
            continue;
        }
        if (r < 0)
            break;
        if (rep->hdr.type == XS_WATCH_EVENT) {
            r = event_queue(xs, rep);
            continue;
        }
        if (rep->hdr.req_id != h.req_id ||
            (rep->hdr.type != type && rep->hdr.type != XS_ERROR))
            return xs_break(xs, -EPROTO);
        if (rep->hdr.type == XS_ERROR)
            return error_decode(xs, rep);
        return 0;
    }
    return r;
}

static int xs_talk(struct xvm_xs *xs, uint32_t type, uint32_t tx,
                   const struct iovec *args, unsigned nargs,
                   struct xs_msg *rep)
{
    return xs_talk_fd(xs, type, tx, args, nargs, -1, rep);
}

/* A request whose only argument is @path (with its NUL). */
static int xs_path_op(struct xvm_xs *xs, uint32_t type, uint32_t tx,
                      const char *path, struct xs_msg *rep)
{
    struct iovec a = {(void *)path, strlen(path) + 1};

    return xs_talk(xs, type, tx, &a, 1, rep);
}

/* Replies to WRITE, MKDIR, RM, ... must be "OK" with its NUL. */
static int expect_ok(struct xvm_xs *xs, int r, const struct xs_msg *rep)
{
    if (r < 0)
        return r;
    if (rep->hdr.len != 3 || memcmp(rep->body, "OK", 3) != 0)
        return xs_break(xs, -EPROTO);
    return 0;
}

/* A reply that must be one NUL-terminated string. */
static int expect_string(struct xvm_xs *xs, const struct xs_msg *rep)
{
    if (rep->hdr.len == 0 || strlen(rep->body) + 1 != rep->hdr.len)
        return xs_break(xs, -EPROTO);
    return 0;
}

int xvm_xs_read(struct xvm_xs *xs, uint32_t tx, const char *path,
                char **value, size_t *len)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    int r;

    if (!rep)
        return -ENOMEM;
    r = xs_path_op(xs, XS_READ, tx, path, rep);
    if (r == 0) {
        *value = malloc(rep->hdr.len + 1);
        if (*value) {
            memcpy(*value, rep->body, rep->hdr.len + 1);
            if (len)
                *len = rep->hdr.len;
        } else
            r = -ENOMEM;
    }
    free(rep);
    return r;
}

int xvm_xs_parse_uint(const char *s, size_t len, uint64_t max,
                      uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
        return -EINVAL;
    for (i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9)
            return -EINVAL;
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    if (v > max)
        return -ERANGE;
    *out = v;
    return 0;
}

int xvm_xs_read_uint(struct xvm_xs *xs, uint32_t tx, const char *path,
                     uint64_t max, uint64_t *out)
{
    char *v;
    size_t len;
    int r = xvm_xs_read(xs, tx, path, &v, &len);

    if (r < 0)
        return r;
    r = xvm_xs_parse_uint(v, len, max, out);
    free(v);
    return r;
}

static int xs_simple(struct xvm_xs *xs, uint32_t type, uint32_t tx,
                     const struct iovec *args, unsigned nargs)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    int r;

    if (!rep)
        return -ENOMEM;
    r = expect_ok(xs, xs_talk(xs, type, tx, args, nargs, rep), rep);
    free(rep);
    return r;
}

int xvm_xs_write(struct xvm_xs *xs, uint32_t tx, const char *path,
                 const void *value, size_t len)
{
    struct iovec a[2] = {{(void *)path, strlen(path) + 1},
                         {(void *)value, len}};

    return xs_simple(xs, XS_WRITE, tx, a, 2);
}

int xvm_xs_write_str(struct xvm_xs *xs, uint32_t tx, const char *path,
                     const char *value)
{
    return xvm_xs_write(xs, tx, path, value, strlen(value));
}

int xvm_xs_mkdir(struct xvm_xs *xs, uint32_t tx, const char *path)
{
    struct iovec a = {(void *)path, strlen(path) + 1};

    return xs_simple(xs, XS_MKDIR, tx, &a, 1);
}

int xvm_xs_rm(struct xvm_xs *xs, uint32_t tx, const char *path)
{
    struct iovec a = {(void *)path, strlen(path) + 1};

    return xs_simple(xs, XS_RM, tx, &a, 1);
}

/* Split a list of NUL-terminated strings into one pointer+string block. */
static int strings_split(const char *body, size_t len, char ***names,
                         unsigned *n)
{
    unsigned cnt = 0, i;
    size_t off;
    char **v, *s;

    for (off = 0; off < len; off++)
        cnt += body[off] == '\0';
    v = malloc(sizeof(*v) * cnt + len + 1);
    if (!v)
        return -ENOMEM;
    s = (char *)(v + cnt);
    memcpy(s, body, len);
    for (i = 0, off = 0; i < cnt; i++) {
        v[i] = s + off;
        off += strlen(s + off) + 1;
    }
    *names = v;
    *n = cnt;
    return 0;
}

int xvm_xs_directory(struct xvm_xs *xs, uint32_t tx, const char *path,
                     char ***names, unsigned *n)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    int r;

    if (!rep)
        return -ENOMEM;
    r = xs_path_op(xs, XS_DIRECTORY, tx, path, rep);
    if (r == 0 && rep->hdr.len && rep->body[rep->hdr.len - 1] != '\0')
        r = xs_break(xs, -EPROTO);
    if (r == 0)
        r = strings_split(rep->body, rep->hdr.len, names, n);
    free(rep);
    return r;
}

static int perm_parse(const char *s, struct xvm_xs_perm *p)
{
    static const char letters[] = "rwbn";
    static const uint8_t bits[] = {XVM_XS_PERM_READ, XVM_XS_PERM_WRITE,
                                   XVM_XS_PERM_BOTH, XVM_XS_PERM_NONE};
    const char *l = s[0] ? strchr(letters, s[0]) : NULL;
    uint64_t id;

    if (!l || xvm_xs_parse_uint(s + 1, strlen(s + 1), 0xffff, &id) < 0)
        return -EPROTO;
    p->perm = bits[l - letters];
    p->domid = (uint16_t)id;
    return 0;
}

int xvm_xs_get_perms(struct xvm_xs *xs, uint32_t tx, const char *path,
                     struct xvm_xs_perm **perms, unsigned *n)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    char **v = NULL;
    unsigned cnt = 0, i;
    int r;

    if (!rep)
        return -ENOMEM;
    r = xs_path_op(xs, XS_GET_PERMS, tx, path, rep);
    if (r == 0 && (rep->hdr.len == 0 || rep->body[rep->hdr.len - 1] != '\0'))
        r = xs_break(xs, -EPROTO);
    if (r == 0)
        r = strings_split(rep->body, rep->hdr.len, &v, &cnt);
    if (r == 0) {
        *perms = calloc(cnt, sizeof(**perms));
        r = *perms ? 0 : -ENOMEM;
    }
    for (i = 0; r == 0 && i < cnt; i++)
        r = perm_parse(v[i], &(*perms)[i]);
    if (r == 0)
        *n = cnt;
    else if (v) {
        free(*perms);
        if (r == -EPROTO)
            xs_break(xs, r);
    }
    free(v);
    free(rep);
    return r;
}

int xvm_xs_set_perms(struct xvm_xs *xs, uint32_t tx, const char *path,
                     const struct xvm_xs_perm *perms, unsigned n)
{
    static const char letter[4] = {'n', 'r', 'w', 'b'};
    char buf[PERMS_MAX * 8];
    struct iovec a[2] = {{(void *)path, strlen(path) + 1}, {buf, 0}};
    size_t off = 0;
    unsigned i;

    if (n == 0 || n > PERMS_MAX)
        return -EINVAL;
    for (i = 0; i < n; i++) {
        if (perms[i].perm > XVM_XS_PERM_BOTH)
            return -EINVAL;
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%c%u",
                                letter[perms[i].perm], perms[i].domid) +
               1;
    }
    a[1].iov_len = off;
    return xs_simple(xs, XS_SET_PERMS, tx, a, 2);
}

int xvm_xs_transaction_start(struct xvm_xs *xs, uint32_t *tx)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    struct iovec a = {"", 1};
    uint64_t id;
    int r;

    if (!rep)
        return -ENOMEM;
    r = xs_talk(xs, XS_TRANSACTION_START, XVM_XS_NO_TX, &a, 1, rep);
    if (r == 0)
        r = expect_string(xs, rep);
    if (r == 0 &&
        (xvm_xs_parse_uint(rep->body, rep->hdr.len - 1, UINT32_MAX, &id) <
             0 ||
         id == XVM_XS_NO_TX))
        r = xs_break(xs, -EPROTO);
    if (r == 0)
        *tx = (uint32_t)id;
    free(rep);
    return r;
}

int xvm_xs_transaction_end(struct xvm_xs *xs, uint32_t tx, bool commit)
{
    struct iovec a = {commit ? "T" : "F", 2};

    return xs_simple(xs, XS_TRANSACTION_END, tx, &a, 1);
}

int xvm_xs_introduce(struct xvm_xs *xs, unsigned domid, int fd)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    char buf[16];
    struct iovec a[2];
    int r;

    if (!rep)
        return -ENOMEM;
    a[0].iov_base = buf;
    a[0].iov_len = (size_t)snprintf(buf, sizeof(buf), "%u", domid) + 1;
    a[1].iov_base = "0\0000";
    a[1].iov_len = 4;
    r = expect_ok(xs, xs_talk_fd(xs, XS_INTRODUCE, XVM_XS_NO_TX, a, 2, fd,
                                 rep),
                  rep);
    free(rep);
    return r;
}

int xvm_xs_release(struct xvm_xs *xs, unsigned domid)
{
    char buf[16];
    struct iovec a = {buf, 0};

    a.iov_len = (size_t)snprintf(buf, sizeof(buf), "%u", domid) + 1;
    return xs_simple(xs, XS_RELEASE, XVM_XS_NO_TX, &a, 1);
}

int xvm_xs_get_domain_path(struct xvm_xs *xs, unsigned domid, char **path)
{
    struct xs_msg *rep = malloc(sizeof(*rep));
    char id[16];
    int r;

    if (!rep)
        return -ENOMEM;
    snprintf(id, sizeof(id), "%u", domid);
    r = xs_path_op(xs, XS_GET_DOMAIN_PATH, XVM_XS_NO_TX, id, rep);
    if (r == 0)
        r = expect_string(xs, rep);
    if (r == 0) {
        *path = strdup(rep->body);
        r = *path ? 0 : -ENOMEM;
    }
    free(rep);
    return r;
}

static int watch_op(struct xvm_xs *xs, uint32_t type, const char *path,
                    const char *token)
{
    struct iovec a[2] = {{(void *)path, strlen(path) + 1},
                         {(void *)token, strlen(token) + 1}};

    return xs_simple(xs, type, XVM_XS_NO_TX, a, 2);
}

static struct xs_watch_rec **watch_find(struct xvm_xs *xs, const char *path,
                                        const char *token)
{
    struct xs_watch_rec **pw;

    for (pw = &xs->watches; *pw; pw = &(*pw)->next)
        if (strcmp((*pw)->ev->path, path) == 0 &&
            strcmp((*pw)->ev->token, token) == 0)
            return pw;
    return NULL;
}

int xvm_xs_watch(struct xvm_xs *xs, const char *path, const char *token)
{
    struct xs_watch_rec *w;
    int r;

    if (xs->nwatches >= XVM_XS_WATCHES_MAX && !watch_find(xs, path, token))
        return -E2BIG;
    w = calloc(1, sizeof(*w));
    if (!w || !(w->ev = event_new(path, token))) {
        free(w);
        return -ENOMEM;
    }
    r = watch_op(xs, XS_WATCH, path, token);
    if (r < 0 || watch_find(xs, path, token)) {
        free(w->ev);
        free(w);
        return r;
    }
    w->next = xs->watches;
    xs->watches = w;
    xs->nwatches++;
    return 0;
}

int xvm_xs_unwatch(struct xvm_xs *xs, const char *path, const char *token)
{
    struct xs_watch_rec **pw, *w;
    int r = watch_op(xs, XS_UNWATCH, path, token);

    if (r == 0 && (pw = watch_find(xs, path, token))) {
        w = *pw;
        *pw = w->next;
        free(w->ev);
        free(w);
        xs->nwatches--;
    }
    return r;
}

int xvm_xs_event_next(struct xvm_xs *xs, struct xvm_xs_event **ev)
{
    struct xs_msg *m;
    int r = 0;

    if (xs->evq_len == 0 && !xs->dead) {
        m = malloc(sizeof(*m));
        if (!m)
            return -ENOMEM;
        /* Pull in what is readable; with no request outstanding anything
         * but an event is a reply nobody asked for. */
        while (r >= 0 && xs->evq_len == 0) {
            r = xs_take(xs, m);
            if (r == 0) {
                r = xs_fill(xs);
                if (r == 0)
                    break;
            } else if (r > 0) {
                r = m->hdr.type == XS_WATCH_EVENT ? event_queue(xs, m)
                                                  : xs_break(xs, -EPROTO);
            }
        }
        free(m);
    }
    if (xs->evq_len) {
        *ev = xs->evq[xs->evq_head];
        xs->evq_head = (xs->evq_head + 1) % XVM_XS_EVENTS_MAX;
        xs->evq_len--;
        return 1;
    }
    return xs->dead ? xs->dead : 0;
}

bool xvm_xs_event_pending(const struct xvm_xs *xs)
{
    struct xsd_sockmsg h;

    if (xs->evq_len != 0)
        return true;
    /* A whole message a reply's read brought in behind it: the socket
     * will not say so again. */
    if (xs->rlen < HDR_LEN)
        return false;
    memcpy(&h, xs->rbuf, HDR_LEN);
    return xs->rlen >= HDR_LEN + (size_t)h.len;
}

uint64_t xvm_xs_events_dropped(const struct xvm_xs *xs)
{
    return xs->ev_dropped;
}
