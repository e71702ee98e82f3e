/* SPDX-License-Identifier: MIT */
/*
 * The xenstore client (xvm/xs.h): every operation against a real libxst
 * server, watch events that arrive while a request waits for its reply,
 * errno mapping, strict number parsing, and replies a fake server breaks
 * on purpose (scripted into a socketpair before the request is made).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "check.h"
#include "xsd.h"
#include "xs/xs.h"

static struct xsd *xsd;

static char *rd(struct xvm_xs *xs, const char *path)
{
    char *v = NULL;

    return xvm_xs_read(xs, XVM_XS_NO_TX, path, &v, NULL) == 0 ? v : NULL;
}

static bool rd_is(struct xvm_xs *xs, const char *path, const char *want)
{
    char *v = rd(xs, path);
    bool ok = v && strcmp(v, want) == 0;

    free(v);
    return ok;
}

static void test_read_write_rm(void)
{
    struct xvm_xs *xs = xvm_xs_open(xsd_path(xsd));
    static const char bin[] = {'a', 0, 'b', (char)0xff};
    char *v = NULL;
    size_t len = 0;

    CHECK(xs != NULL);
    if (!xs)
        return;
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t1/a/b", "hello"), 0);
    CHECK(rd_is(xs, "/t1/a/b", "hello"));
    CHECK(rd_is(xs, "/t1/a", "")); /* parents made by WRITE */
    CHECK_EQ(xvm_xs_write(xs, 0, "/t1/bin", bin, sizeof(bin)), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t1/bin", &v, &len), 0);
    CHECK_EQ(len, sizeof(bin));
    CHECK(v && memcmp(v, bin, sizeof(bin)) == 0 && v[len] == '\0');
    free(v);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t1/missing", &v, &len), -ENOENT);
    CHECK_EQ(xvm_xs_mkdir(xs, 0, "/t1/dir"), 0);
    CHECK_EQ(xvm_xs_mkdir(xs, 0, "/t1/dir"), 0);
    CHECK(rd_is(xs, "/t1/dir", ""));
    CHECK_EQ(xvm_xs_rm(xs, 0, "/t1/a"), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t1/a/b", &v, NULL), -ENOENT);
    CHECK_EQ(xvm_xs_rm(xs, 0, "/t1/nothere/x"), -ENOENT);
    CHECK_EQ(xvm_xs_write_str(xs, 0, "no//good", "x"), -EINVAL);
    xvm_xs_close(xs);
}

static void test_directory_perms_domain_path(void)
{
    struct xvm_xs *xs = xvm_xs_open(xsd_path(xsd));
    struct xvm_xs_perm set[2] = {{7, XVM_XS_PERM_NONE},
                                 {0, XVM_XS_PERM_READ}},
                       *got = NULL;
    char **names = NULL, *p = NULL;
    unsigned n = 0;

    CHECK(xs != NULL);
    if (!xs)
        return;
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t2/x", "1"), 0);
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t2/yy", "2"), 0);
    CHECK_EQ(xvm_xs_directory(xs, 0, "/t2", &names, &n), 0);
    CHECK_EQ(n, 2);
    if (names && n == 2)
        CHECK((strcmp(names[0], "x") == 0 && strcmp(names[1], "yy") == 0) ||
              (strcmp(names[0], "yy") == 0 && strcmp(names[1], "x") == 0));
    free(names);
    CHECK_EQ(xvm_xs_directory(xs, 0, "/t2/x", &names, &n), 0);
    CHECK_EQ(n, 0);
    free(names);
    CHECK_EQ(xvm_xs_directory(xs, 0, "/t2/none", &names, &n), -ENOENT);

    CHECK_EQ(xvm_xs_set_perms(xs, 0, "/t2/x", set, 2), 0);
    CHECK_EQ(xvm_xs_get_perms(xs, 0, "/t2/x", &got, &n), 0);
    CHECK_EQ(n, 2);
    if (got && n == 2) {
        CHECK_EQ(got[0].domid, 7);
        CHECK_EQ(got[0].perm, XVM_XS_PERM_NONE);
        CHECK_EQ(got[1].domid, 0);
        CHECK_EQ(got[1].perm, XVM_XS_PERM_READ);
    }
    free(got);
    CHECK_EQ(xvm_xs_set_perms(xs, 0, "/t2/x", set, 0), -EINVAL);

    CHECK_EQ(xvm_xs_get_domain_path(xs, 7, &p), 0);
    CHECK(p && strcmp(p, "/local/domain/7") == 0);
    free(p);
    xvm_xs_close(xs);
}

/* A guest's connection: relative paths, and permission denials. */
static void test_domain_connection(void)
{
    struct xvm_xs *d0 = xvm_xs_open(xsd_path(xsd));
    struct xvm_xs *g = xsd_connect(xsd, 9);
    char *v = NULL;

    CHECK(d0 && g);
    if (!d0 || !g)
        goto out;
    CHECK_EQ(xsd_make_home(d0, 9), 0);
    CHECK_EQ(xvm_xs_write_str(g, 0, "data/x", "rel"), 0);
    CHECK(rd_is(d0, "/local/domain/9/data/x", "rel"));
    CHECK_EQ(xvm_xs_write_str(d0, 0, "/t3/secret", "s"), 0);
    CHECK_EQ(xvm_xs_read(g, 0, "/t3/secret", &v, NULL), -EACCES);
    CHECK_EQ(xvm_xs_write_str(g, 0, "/t3/secret", "x"), -EACCES);
    CHECK(rd_is(d0, "/t3/secret", "s"));
out:
    xvm_xs_close(g);
    xvm_xs_close(d0);
}

/*
 * INTRODUCE with a descriptor, as xvmd makes a domain's connection: only
 * dom0, only with a stream socket, once per domain; the connection is
 * the domain's; RELEASE closes it.
 */
static void test_introduce_with_connection(void)
{
    struct xvm_xs *d0 = xvm_xs_open(xsd_path(xsd)), *g = NULL, *g2 = NULL;
    int sv[2] = {-1, -1}, dg[2] = {-1, -1}, sp[2] = {-1, -1};
    char *v = NULL;

    CHECK(d0 != NULL);
    if (!d0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
        socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
        goto out;
    CHECK_EQ(xvm_xs_introduce(d0, 21, -1), -EINVAL);  /* no connection */
    CHECK_EQ(xvm_xs_introduce(d0, 21, dg[0]), -EINVAL); /* not a stream */
    CHECK_EQ(xvm_xs_introduce(d0, 0, sv[1]), -EINVAL); /* dom0 itself */
    CHECK_EQ(xvm_xs_introduce(d0, 21, sv[1]), 0);
    close(sv[1]);
    g = xvm_xs_adopt(sv[0]);
    CHECK(g != NULL);
    if (!g)
        goto out;
    sv[0] = -1;
    CHECK_EQ(xvm_xs_introduce(d0, 21, sp[1]), -EEXIST);
    CHECK_EQ(xsd_make_home(d0, 21), 0);
    CHECK_EQ(xvm_xs_write_str(g, 0, "data/x", "mine"), 0);
    CHECK(rd_is(d0, "/local/domain/21/data/x", "mine"));
    CHECK_EQ(xvm_xs_write_str(g, 0, "/local/domain/0/x", "y"), -EACCES);
    /* A guest may not introduce anyone, with or without a descriptor. */
    CHECK_EQ(xvm_xs_introduce(g, 22, sp[1]), -EACCES);
    CHECK_EQ(xvm_xs_release(g, 21), -EACCES);
    /* Release: the domain's connection is closed. */
    CHECK_EQ(xvm_xs_release(d0, 21), 0);
    CHECK(xvm_xs_read(g, 0, "data/x", &v, NULL) < 0);
    free(v);
    CHECK_EQ(xvm_xs_release(d0, 21), -ENOENT);
    /* Introduced again, with a new connection. */
    CHECK_EQ(xvm_xs_introduce(d0, 21, sp[1]), 0);
    close(sp[1]);
    sp[1] = -1;
    g2 = xvm_xs_adopt(sp[0]);
    if (g2) {
        sp[0] = -1;
        CHECK(rd_is(g2, "data/x", "mine"));
    }
    CHECK_EQ(xvm_xs_release(d0, 21), 0);
out:
    for (int i = 0; i < 2; i++) {
        if (sv[i] >= 0)
            close(sv[i]);
        if (dg[i] >= 0)
            close(dg[i]);
        if (sp[i] >= 0)
            close(sp[i]);
    }
    xvm_xs_close(g2);
    xvm_xs_close(g);
    xvm_xs_close(d0);
}

static void test_transactions(void)
{
    struct xvm_xs *a = xvm_xs_open(xsd_path(xsd));
    struct xvm_xs *b = xvm_xs_open(xsd_path(xsd));
    uint32_t t = 0, t2 = 0;
    char *v = NULL;

    CHECK(a && b);
    if (!a || !b)
        goto out;
    CHECK_EQ(xvm_xs_transaction_start(a, &t), 0);
    CHECK(t != XVM_XS_NO_TX);
    CHECK_EQ(xvm_xs_write_str(a, t, "/t4/k", "in-tx"), 0);
    CHECK_EQ(xvm_xs_read(b, 0, "/t4/k", &v, NULL), -ENOENT);
    CHECK_EQ(xvm_xs_transaction_end(a, t, true), 0);
    CHECK(rd_is(b, "/t4/k", "in-tx"));

    /* A conflicting write in between: the commit says EAGAIN. */
    CHECK_EQ(xvm_xs_transaction_start(a, &t), 0);
    CHECK_EQ(xvm_xs_read(a, t, "/t4/k", &v, NULL), 0);
    free(v);
    CHECK_EQ(xvm_xs_write_str(b, 0, "/t4/k", "other"), 0);
    CHECK_EQ(xvm_xs_write_str(a, t, "/t4/k", "mine"), 0);
    CHECK_EQ(xvm_xs_transaction_end(a, t, true), -EAGAIN);
    CHECK(rd_is(b, "/t4/k", "other"));

    /* Abort throws the writes away. */
    CHECK_EQ(xvm_xs_transaction_start(a, &t2), 0);
    CHECK_EQ(xvm_xs_write_str(a, t2, "/t4/k", "dropped"), 0);
    CHECK_EQ(xvm_xs_transaction_end(a, t2, false), 0);
    CHECK(rd_is(b, "/t4/k", "other"));
    CHECK_EQ(xvm_xs_transaction_end(a, t2, true), -ENOENT);
out:
    xvm_xs_close(a);
    xvm_xs_close(b);
}

static void test_parse_uint(void)
{
    static const struct {
        const char *s;
        uint64_t max;
        int r;
        uint64_t v;
    } c[] = {
        {"0", 10, 0, 0},           {"12", 100, 0, 12},
        {"4294967295", UINT32_MAX, 0, UINT32_MAX},
        {"4294967296", UINT32_MAX, -ERANGE, 0},
        {"99999999999", UINT32_MAX, -ERANGE, 0},
        {"18446744073709551616", UINT64_MAX, -ERANGE, 0},
        {"12abc", 100, -EINVAL, 0}, {"-1", 100, -EINVAL, 0},
        {"+1", 100, -EINVAL, 0},    {" 1", 100, -EINVAL, 0},
        {"1 ", 100, -EINVAL, 0},    {"", 100, -EINVAL, 0},
        {"01", 100, -EINVAL, 0},    {"0x10", 100, -EINVAL, 0},
        {"101", 100, -ERANGE, 0},
    };
    unsigned i;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        uint64_t v = 12345;
        int r = xvm_xs_parse_uint(c[i].s, strlen(c[i].s), c[i].max, &v);

        if (r != c[i].r || (r == 0 && v != c[i].v))
            fprintf(stderr, "parse_uint(\"%s\") = %d\n", c[i].s, r);
        CHECK_EQ(r, c[i].r);
        if (r == 0)
            CHECK_EQ(v, c[i].v);
    }
    CHECK_EQ(xvm_xs_parse_uint("1\0002", 3, 100, &(uint64_t){0}), -EINVAL);
}

static int next_event(struct xvm_xs *xs, const char *path, const char *tok)
{
    struct xvm_xs_event *ev = NULL;
    int r = xvm_xs_event_next(xs, &ev);

    if (r == 1) {
        if (strcmp(ev->path, path) != 0 || strcmp(ev->token, tok) != 0) {
            fprintf(stderr, "event %s %s, want %s %s\n", ev->path, ev->token,
                    path, tok);
            r = -1;
        }
        free(ev);
    }
    return r;
}

static void test_watch_interleaved(void)
{
    struct xvm_xs *xs = xvm_xs_open(xsd_path(xsd));
    struct xvm_xs *other = xvm_xs_open(xsd_path(xsd));
    struct pollfd pfd;
    char *v = NULL;

    CHECK(xs && other);
    if (!xs || !other)
        goto out;
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t5/w", "0"), 0);
    CHECK_EQ(xvm_xs_watch(xs, "/t5/w", "tok"), 0);
    /* The first firing came with or before the WATCH reply... */
    CHECK_EQ(xvm_xs_read(xs, 0, "/t5/w", &v, NULL), 0);
    free(v);
    CHECK(xvm_xs_event_pending(xs));
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 0);
    /* ...and events for our own writes arrive while we wait for the
     * replies: they are queued, in order, the child's one too. */
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t5/w/c1", "1"), 0);
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t5/w", "2"), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t5/w", &v, NULL), 0);
    free(v);
    CHECK(xvm_xs_event_pending(xs));
    CHECK_EQ(next_event(xs, "/t5/w/c1", "tok"), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 0);
    /* Identical events still queued collapse into one. */
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t5/w", "3"), 0);
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t5/w", "4"), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t5/w", &v, NULL), 0);
    free(v);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 0);
    /* Another client's change wakes the fd. */
    CHECK_EQ(xvm_xs_write_str(other, 0, "/t5/w", "5"), 0);
    pfd = (struct pollfd){.fd = xvm_xs_fd(xs), .events = POLLIN};
    CHECK_EQ(poll(&pfd, 1, 5000), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 1);
    /* Removal fires too. */
    CHECK_EQ(xvm_xs_rm(other, 0, "/t5/w"), 0);
    CHECK_EQ(poll(&pfd, 1, 5000), 1);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 1);
    /* After unwatch: silence. */
    CHECK_EQ(xvm_xs_unwatch(xs, "/t5/w", "tok"), 0);
    CHECK_EQ(xvm_xs_unwatch(xs, "/t5/w", "tok"), -ENOENT);
    CHECK_EQ(xvm_xs_write_str(other, 0, "/t5/w", "6"), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t5/w", &v, NULL), 0);
    free(v);
    CHECK_EQ(next_event(xs, "/t5/w", "tok"), 0);
    CHECK_EQ(xvm_xs_events_dropped(xs), 0);
out:
    xvm_xs_close(xs);
    xvm_xs_close(other);
}

/*
 * More events than the client queues arrive while it waits for a reply:
 * nothing is dropped silently, the queue becomes one event per watch with
 * the watched path (re-read everything), and later events follow it.
 */
static void test_event_overflow(void)
{
    struct xvm_xs *xs = xvm_xs_open(xsd_path(xsd));
    struct xvm_xs *other = xvm_xs_open(xsd_path(xsd));
    char *v = NULL, p[64];
    unsigned i;

    CHECK(xs && other);
    if (!xs || !other)
        goto out;
    CHECK_EQ(xvm_xs_watch(xs, "/t6", "a"), 0);
    CHECK_EQ(xvm_xs_watch(xs, "/t7", "b"), 0);
    CHECK_EQ(xvm_xs_watch(xs, "/t7", "b"), -EEXIST);
    CHECK_EQ(xvm_xs_write_str(xs, 0, "/t6", ""), 0);
    CHECK_EQ(xvm_xs_unwatch(xs, "/t7", "b"), 0);
    CHECK_EQ(xvm_xs_watch(xs, "/t8", "c"), 0);
    for (i = 0; i < XVM_XS_EVENTS_MAX + 100; i++) {
        snprintf(p, sizeof(p), "/t6/n%u", i);
        CHECK_EQ(xvm_xs_write_str(other, 0, p, "x"), 0);
    }
    CHECK_EQ(xvm_xs_write_str(other, 0, "/t6", "last"), 0);
    CHECK_EQ(xvm_xs_read(xs, 0, "/t6", &v, NULL), 0);
    free(v);
    CHECK(xvm_xs_events_dropped(xs) > 0);
    /* The watches set, newest first, then what came after the overflow. */
    CHECK_EQ(next_event(xs, "/t8", "c"), 1);
    CHECK_EQ(next_event(xs, "/t6", "a"), 1);
    for (i = 0; i < XVM_XS_EVENTS_MAX; i++) {
        struct xvm_xs_event *ev = NULL;

        if (xvm_xs_event_next(xs, &ev) != 1)
            break;
        free(ev);
    }
    CHECK(i > 0 && i < 200);
out:
    xvm_xs_close(xs);
    xvm_xs_close(other);
}

/* ---- a fake server: replies scripted into a socketpair ---- */

struct fake {
    struct xvm_xs *xs;
    int peer;
};

static bool fake_open(struct fake *f)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return false;
    f->xs = xvm_xs_adopt(sv[0]);
    f->peer = sv[1];
    return f->xs != NULL;
}

static void fake_close(struct fake *f)
{
    xvm_xs_close(f->xs);
    close(f->peer);
}

/* Queue one message; @hdr_len overrides the length field when not 0. */
static void fake_msg(struct fake *f, uint32_t type, uint32_t req_id,
                     const void *body, uint32_t len, uint32_t hdr_len)
{
    struct xsd_sockmsg h = {.type = type,
                            .req_id = req_id,
                            .len = hdr_len ? hdr_len : len};
    char buf[sizeof(h) + 256];

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), body, len);
    CHECK_EQ(write(f->peer, buf, sizeof(h) + len), (ssize_t)(sizeof(h) + len));
}

static void test_malformed_replies(void)
{
    struct fake f;
    char *v = NULL;
    char **names = NULL;
    unsigned n = 0;
    uint32_t t = 0;
    struct xvm_xs_perm *perms = NULL;

    /* Requests get ids 1, 2, ... on a fresh handle. */
    CHECK(fake_open(&f));
    fake_msg(&f, XS_READ, 99, "x", 1, 0);
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), -EPROTO);
    /* Once broken, always broken (the stream can't be trusted). */
    CHECK_EQ(xvm_xs_write_str(f.xs, 0, "/a", "1"), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_WRITE, 1, "OK", 3, 0); /* wrong type for READ */
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_READ, 1, "x", 1, XENSTORE_PAYLOAD_MAX + 1);
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_WRITE, 1, "OK", 2, 0); /* no NUL */
    CHECK_EQ(xvm_xs_write_str(f.xs, 0, "/a", "1"), -EPROTO);
    fake_close(&f);

    /* Errors by name; a good error leaves the stream usable. */
    CHECK(fake_open(&f));
    fake_msg(&f, XS_ERROR, 1, "ENOENT", 7, 0);
    fake_msg(&f, XS_ERROR, 2, "EWHAT", 6, 0);
    fake_msg(&f, XS_ERROR, 3, "EAGAIN", 7, 0);
    fake_msg(&f, XS_READ, 4, "val", 3, 0);
    fake_msg(&f, XS_ERROR, 5, "EACCES", 6, 0); /* no NUL */
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), -ENOENT);
    CHECK_EQ(xvm_xs_write_str(f.xs, 0, "/a", "1"), -EIO);
    CHECK_EQ(xvm_xs_transaction_end(f.xs, 7, true), -EAGAIN);
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), 0);
    CHECK(v && strcmp(v, "val") == 0);
    free(v);
    CHECK_EQ(xvm_xs_rm(f.xs, 0, "/a"), -EPROTO);
    fake_close(&f);

    /* An event ahead of the reply is queued; a broken one is fatal. */
    CHECK(fake_open(&f));
    fake_msg(&f, XS_WATCH_EVENT, 0, "/p\0tk", 6, 0);
    fake_msg(&f, XS_WRITE, 1, "OK", 3, 0);
    fake_msg(&f, XS_WATCH_EVENT, 0, "/p\0tk", 5, 0);
    CHECK_EQ(xvm_xs_write_str(f.xs, 0, "/a", "1"), 0);
    CHECK_EQ(next_event(f.xs, "/p", "tk"), 1);
    CHECK_EQ(next_event(f.xs, "/p", "tk"), -EPROTO);
    fake_close(&f);

    /* An event for an empty path (found by fuzz_xs). */
    CHECK(fake_open(&f));
    fake_msg(&f, XS_WATCH_EVENT, 0, "\0tk", 4, 0);
    CHECK_EQ(next_event(f.xs, "/p", "tk"), -EPROTO);
    fake_close(&f);

    /* A reply nobody asked for. */
    CHECK(fake_open(&f));
    fake_msg(&f, XS_READ, 1, "x", 1, 0);
    CHECK_EQ(next_event(f.xs, "/p", "tk"), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_DIRECTORY, 1, "a\0b", 3, 0);
    CHECK_EQ(xvm_xs_directory(f.xs, 0, "/a", &names, &n), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_TRANSACTION_START, 1, "12x", 4, 0);
    CHECK_EQ(xvm_xs_transaction_start(f.xs, &t), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_TRANSACTION_START, 1, "0", 2, 0);
    CHECK_EQ(xvm_xs_transaction_start(f.xs, &t), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_GET_PERMS, 1, "b0\0x5", 6, 0);
    CHECK_EQ(xvm_xs_get_perms(f.xs, 0, "/a", &perms, &n), -EPROTO);
    fake_close(&f);

    CHECK(fake_open(&f));
    fake_msg(&f, XS_GET_DOMAIN_PATH, 1, "/local/domain/3", 15, 0);
    CHECK_EQ(xvm_xs_get_domain_path(f.xs, 3, &v), -EPROTO);
    fake_close(&f);

    /* The server goes away mid-request. */
    CHECK(fake_open(&f));
    shutdown(f.peer, SHUT_WR);
    CHECK_EQ(xvm_xs_read(f.xs, 0, "/a", &v, NULL), -EPIPE);
    CHECK_EQ(next_event(f.xs, "/p", "tk"), -EPIPE);
    fake_close(&f);
}

/* What the client puts on the wire is what xs_wire says. */
static void test_request_format(void)
{
    struct fake f;
    struct xsd_sockmsg h;
    char body[64];

    CHECK(fake_open(&f));
    fake_msg(&f, XS_WATCH, 1, "OK", 3, 0);
    CHECK_EQ(xvm_xs_watch(f.xs, "/p", "tk"), 0);
    CHECK_EQ(read(f.peer, &h, sizeof(h)), (ssize_t)sizeof(h));
    CHECK_EQ(h.type, XS_WATCH);
    CHECK_EQ(h.req_id, 1);
    CHECK_EQ(h.tx_id, 0);
    CHECK_EQ(h.len, 6);
    CHECK_EQ(read(f.peer, body, h.len), 6);
    CHECK(memcmp(body, "/p\0tk\0", 6) == 0);
    fake_close(&f);
}

int main(void)
{
    xsd = xsd_start();
    if (!xsd)
        return 1;
    RUN(test_read_write_rm);
    RUN(test_directory_perms_domain_path);
    RUN(test_domain_connection);
    RUN(test_introduce_with_connection);
    RUN(test_transactions);
    RUN(test_parse_uint);
    RUN(test_watch_interleaved);
    RUN(test_event_overflow);
    RUN(test_malformed_replies);
    RUN(test_request_format);
    xsd_stop(xsd);
    return check_summary();
}
