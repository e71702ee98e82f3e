/* SPDX-License-Identifier: MIT */
/* The raw xs_wire test client; see xst_client.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xst_client.h"

#define PUMP_MAX 100000

static int tc_init(struct tc *t, struct xst_server *srv, int fd)
{
    memset(t, 0, sizeof(*t));
    t->srv = srv;
    t->fd = fd;
    t->ev = calloc(TC_EVENTS, sizeof(*t->ev));
    return t->ev ? 0 : -ENOMEM;
}

int tc_open(struct tc *t, struct xst_server *srv, uint16_t domid)
{
    int sv[2], r;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) <
        0)
        return -errno;
    r = xst_server_add_conn(srv, sv[0], domid);
    if (r < 0) {
        close(sv[0]);
        close(sv[1]);
        return r;
    }
    return tc_init(t, srv, sv[1]);
}

int tc_connect(struct tc *t, struct xst_server *srv, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int r = -errno;

        close(fd);
        return r;
    }
    return tc_init(t, srv, fd);
}

void tc_close(struct tc *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    free(t->ev);
    t->ev = NULL;
    if (t->srv)
        tc_pump(t);
}

int tc_pump(struct tc *t)
{
    int total = 0, n, i;

    if (!t->srv)
        return 0;
    for (i = 0; i < PUMP_MAX; i++) {
        n = xst_server_dispatch(t->srv, 0);
        if (n <= 0)
            break;
        total += n;
    }
    return total;
}

/* Wait for the server to make progress: pump it, or poll a real one. */
static int tc_wait(struct tc *t, short events)
{
    struct pollfd pfd = {.fd = t->fd, .events = events};

    if (t->srv)
        return tc_pump(t) > 0 ? 0 : -ETIMEDOUT;
    return poll(&pfd, 1, 2000) > 0 ? 0 : -ETIMEDOUT;
}

int tc_send_raw(struct tc *t, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(t->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN)
            return -errno;
        if (tc_wait(t, POLLOUT) < 0)
            return -ETIMEDOUT;
    }
    if (t->srv)
        tc_pump(t);
    return 0;
}

int tc_send(struct tc *t, uint32_t type, uint32_t tx, uint32_t req_id,
            const void *payload, size_t len)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx, .len = (uint32_t)len};
    char *buf = malloc(sizeof(h) + len);
    int r;

    if (!buf)
        return -ENOMEM;
    memcpy(buf, &h, sizeof(h));
    if (len)
        memcpy(buf + sizeof(h), payload, len);
    r = tc_send_raw(t, buf, sizeof(h) + len);
    free(buf);
    return r;
}

/* Take one whole message from the receive buffer, if there is one. */
static bool tc_take(struct tc *t, struct tc_msg *m)
{
    struct xsd_sockmsg h;

    if (t->len < sizeof(h))
        return false;
    memcpy(&h, t->buf, sizeof(h));
    if (h.len > XENSTORE_PAYLOAD_MAX) {
        fprintf(stderr, "tc: server sent a %u-byte payload\n", h.len);
        abort();
    }
    if (t->len < sizeof(h) + h.len)
        return false;
    m->hdr = h;
    memcpy(m->body, t->buf + sizeof(h), h.len);
    m->body[h.len] = '\0';
    t->len -= sizeof(h) + h.len;
    memmove(t->buf, t->buf + sizeof(h) + h.len, t->len);
    return true;
}

int tc_recv(struct tc *t, struct tc_msg *m)
{
    for (;;) {
        ssize_t n;

        if (tc_take(t, m))
            return 0;
        if (t->eof)
            return -EPIPE;
        n = recv(t->fd, t->buf + t->len, sizeof(t->buf) - t->len, MSG_DONTWAIT);
        if (n > 0) {
            t->len += (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            t->eof = true;
            continue;
        }
        if (tc_wait(t, POLLIN) < 0) {
            /* A last look: the pump may have written before going idle. */
            n = recv(t->fd, t->buf + t->len, sizeof(t->buf) - t->len,
                     MSG_DONTWAIT);
            if (n > 0)
                t->len += (size_t)n;
            else if (n == 0)
                t->eof = true;
            else
                return -ETIMEDOUT;
        }
    }
}

int tc_errno(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(xsd_errors[i].errstring, name) == 0)
            return xsd_errors[i].errnum;
    return 0;
}

static void tc_keep_event(struct tc *t, const struct tc_msg *m)
{
    struct tc_event *e;
    size_t pl = strlen(m->body);

    if (t->nev == TC_EVENTS) {
        t->ev_dropped++;
        return;
    }
    e = &t->ev[t->nev++];
    snprintf(e->path, sizeof(e->path), "%s", m->body);
    snprintf(e->token, sizeof(e->token), "%s",
             pl < m->hdr.len ? m->body + pl + 1 : "");
}

int tc_call(struct tc *t, uint32_t type, uint32_t tx, const void *payload,
            size_t len, struct tc_msg *reply)
{
    static uint32_t req_id = 100;
    struct tc_msg *m = reply ? reply : malloc(sizeof(*m));
    int r;

    if (!m)
        return -ENOMEM;
    r = tc_send(t, type, tx, ++req_id, payload, len);
    while (r == 0) {
        r = tc_recv(t, m);
        if (r < 0)
            break;
        if (m->hdr.type == XS_WATCH_EVENT) {
            tc_keep_event(t, m);
            continue;
        }
        if (m->hdr.req_id != req_id || m->hdr.tx_id != tx)
            r = -EPROTO;
        else if (m->hdr.type == XS_ERROR)
            r = tc_errno(m->body) ? -tc_errno(m->body) : -EPROTO;
        else if (m->hdr.type != type)
            r = -EPROTO;
        break;
    }
    if (!reply)
        free(m);
    return r;
}

int tc_str(struct tc *t, uint32_t type, uint32_t tx, const char *a,
           const char *b, struct tc_msg *reply)
{
    size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;
    char *p = malloc(la + lb);
    int r;

    if (!p)
        return -ENOMEM;
    memcpy(p, a, la);
    if (b)
        memcpy(p + la, b, lb);
    r = tc_call(t, type, tx, p, la + lb, reply);
    free(p);
    return r;
}

int tc_read(struct tc *t, uint32_t tx, const char *path, char *out, size_t cap)
{
    struct tc_msg m;
    int r = tc_str(t, XS_READ, tx, path, NULL, &m);

    if (r < 0)
        return r;
    snprintf(out, cap, "%s", m.body);
    return (int)m.hdr.len;
}

int tc_write(struct tc *t, uint32_t tx, const char *path, const char *value)
{
    size_t pl = strlen(path) + 1, vl = strlen(value);
    char buf[XENSTORE_PAYLOAD_MAX + 64];

    if (pl + vl > sizeof(buf))
        return -E2BIG;
    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl);
    return tc_call(t, XS_WRITE, tx, buf, pl + vl, NULL);
}

int tc_set_perms(struct tc *t, uint32_t tx, const char *path, const char *perms)
{
    char buf[XENSTORE_PAYLOAD_MAX + 64];
    size_t len = (size_t)snprintf(buf, sizeof(buf), "%s %s", path, perms);
    size_t i;

    for (i = 0; i < len; i++)
        if (buf[i] == ' ')
            buf[i] = '\0';
    return tc_call(t, XS_SET_PERMS, tx, buf, len + 1, NULL);
}

/* A reply of NUL-terminated strings, joined with spaces. */
static void join(const struct tc_msg *m, char *out, size_t cap)
{
    size_t i, n = m->hdr.len < cap ? m->hdr.len : cap - 1;

    for (i = 0; i < n; i++)
        out[i] = m->body[i] ? m->body[i] : ' ';
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

int tc_get_perms(struct tc *t, uint32_t tx, const char *path, char *out,
                 size_t cap)
{
    struct tc_msg m;
    int r = tc_str(t, XS_GET_PERMS, tx, path, NULL, &m);

    if (r == 0)
        join(&m, out, cap);
    return r;
}

int tc_dir(struct tc *t, uint32_t tx, const char *path, char *out, size_t cap)
{
    struct tc_msg m;
    int r = tc_str(t, XS_DIRECTORY, tx, path, NULL, &m);

    if (r == 0)
        join(&m, out, cap);
    return r;
}

long tc_tx_start(struct tc *t)
{
    struct tc_msg m;
    int r = tc_str(t, XS_TRANSACTION_START, 0, "", NULL, &m);

    return r < 0 ? r : strtol(m.body, NULL, 10);
}

int tc_tx_end(struct tc *t, uint32_t tx, bool commit)
{
    return tc_str(t, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL, NULL);
}

int tc_watch(struct tc *t, const char *path, const char *token)
{
    return tc_str(t, XS_WATCH, 0, path, token, NULL);
}

int tc_unwatch(struct tc *t, const char *path, const char *token)
{
    return tc_str(t, XS_UNWATCH, 0, path, token, NULL);
}

int tc_event(struct tc *t, struct tc_event *ev)
{
    struct tc_msg *m;
    int r;

    if (t->nev) {
        *ev = t->ev[0];
        memmove(&t->ev[0], &t->ev[1], --t->nev * sizeof(t->ev[0]));
        return 0;
    }
    m = malloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    r = tc_recv(t, m);
    if (r == 0 && m->hdr.type != XS_WATCH_EVENT)
        r = -EPROTO;
    if (r == 0) {
        tc_keep_event(t, m);
        *ev = t->ev[--t->nev];
    }
    free(m);
    return r;
}

int tc_drain_events(struct tc *t)
{
    struct tc_event *ev = malloc(sizeof(*ev));
    int n = 0;

    if (!ev)
        return -ENOMEM;
    while (tc_event(t, ev) == 0)
        n++;
    free(ev);
    return n;
}
