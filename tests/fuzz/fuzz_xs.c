/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xs.c - libFuzzer harness for libxs, the xenstore client.
 *
 * The input is a hostile or broken xenstored: a list of client calls, each
 * with the messages "the server" sends for it (replies, errors, watch
 * events, or raw bytes that need not frame at all).  The harness writes
 * every message into its end of a socketpair and shuts it, so the client
 * never waits for more than is there, then makes the calls in order on an
 * adopted handle, reading back the requests the client sent after each.
 * Reply req_ids are filled in as the client will expect them unless the
 * input asks for a wrong one.
 *
 * Checked, aborting on a breach:
 *  - a call returns 0 or a negative errno (xvm_xs_event_next: 1 too), and
 *    an errno from the wire is one Xen names, or -EIO;
 *  - once a call fails with -EPROTO or -EPIPE, every later request fails
 *    with the same code and sends nothing;
 *  - what a call hands out is well-formed: a value NUL-terminated at its
 *    length, directory names inside their block, 1 to 256 permissions
 *    with valid bits, a transaction id other than 0, events with a path
 *    and token;
 *  - each request call sends exactly one message, of its type, with the
 *    next req_id and a payload of at most XENSTORE_PAYLOAD_MAX bytes.
 *
 * Input, records until it ends:
 *   u8 op     bits 0-3: the call (see do_call), bits 4-7: an argument
 *   u8 nmsg   messages sent for it, each:
 *     u8 kind bits 0-4: type, bit 5: raw (the payload is written as is,
 *             header and all), bit 6: wrong req_id, bit 7: the call's own
 *             type instead of bits 0-4
 *     u16 len (LE), len bytes of payload
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xs/xs.h"

#define FUZZ_NAME "fuzz_xs"
#include "fuzz_harness.h"

#define HDR sizeof(struct xsd_sockmsg)
#define STREAM_MAX 49152 /* fits the socket buffer in one go */
#define CALLS_MAX 256

enum {
    OP_READ,
    OP_READ_UINT,
    OP_WRITE,
    OP_MKDIR,
    OP_RM,
    OP_DIRECTORY,
    OP_GET_PERMS,
    OP_SET_PERMS,
    OP_TX_START,
    OP_TX_END,
    OP_DOMAIN_PATH,
    OP_WATCH,
    OP_UNWATCH,
    OP_EVENTS,
    OP_PARSE_UINT,
    OP_WRITE_STR,
};

/* The xs_wire type each call sends; -1: it sends nothing. */
static const int op_type[16] = {
    [OP_READ] = XS_READ,
    [OP_READ_UINT] = XS_READ,
    [OP_WRITE] = XS_WRITE,
    [OP_MKDIR] = XS_MKDIR,
    [OP_RM] = XS_RM,
    [OP_DIRECTORY] = XS_DIRECTORY,
    [OP_GET_PERMS] = XS_GET_PERMS,
    [OP_SET_PERMS] = XS_SET_PERMS,
    [OP_TX_START] = XS_TRANSACTION_START,
    [OP_TX_END] = XS_TRANSACTION_END,
    [OP_DOMAIN_PATH] = XS_GET_DOMAIN_PATH,
    [OP_WATCH] = XS_WATCH,
    [OP_UNWATCH] = XS_UNWATCH,
    [OP_EVENTS] = -1,
    [OP_PARSE_UINT] = -1,
    [OP_WRITE_STR] = XS_WRITE,
};

static const char *const paths[16] = {
    "device/vif/0/state",
    "/local/domain/3/name",
    "backend",
    "",
    "a",
    "/",
    "data/x",
    "/local/domain/0/backend/vif/3/0/feature-sg",
    "b/c",
    "@releaseDomain",
    "/vm",
    "control/shutdown",
    "d",
    "e/f/g",
    "x",
    "y",
};

struct call {
    uint8_t op, arg;
    const uint8_t *parse; /* OP_PARSE_UINT: the bytes */
    size_t plen;
};

struct stream {
    uint8_t buf[STREAM_MAX];
    size_t len;
};

static void put(struct stream *s, const void *p, size_t n)
{
    if (n > STREAM_MAX - s->len)
        n = STREAM_MAX - s->len;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

/* The messages of one call into @s.  @req_id: what the call will use. */
static void put_msgs(struct stream *s, struct input *in, int type,
                     uint32_t req_id)
{
    unsigned nmsg = in_u8(in), i;

    for (i = 0; i < nmsg; i++) {
        uint8_t kind = in_u8(in);
        size_t len = in_u8(in);
        struct xsd_sockmsg h = {.type = kind & 0x1f};

        len |= (size_t)in_u8(in) << 8;
        if (len > in->n)
            len = in->n;
        if (kind & 0x80)
            h.type = type < 0 ? XS_WATCH_EVENT : (uint32_t)type;
        h.req_id = h.type == XS_WATCH_EVENT ? 0 : req_id;
        if (kind & 0x40)
            h.req_id ^= 1 + (uint32_t)(kind & 0x1f);
        h.len = (uint32_t)len;
        if (!(kind & 0x20))
            put(s, &h, HDR);
        put(s, in->p, len);
        in->p += len;
        in->n -= len;
    }
}

/* ------------------------------------------------------------------------ */
/* Checks.                                                                  */

static bool wire_errno(int r)
{
    size_t i;

    if (r == -EIO)
        return true;
    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (r == -xsd_errors[i].errnum)
            return true;
    return false;
}

/* What a request call may return: Xen's errnos, the stream breaking, or
 * a local refusal. */
static void check_rc(int r)
{
    INV(r <= 0);
    INV(r == 0 || wire_errno(r) || r == -EPROTO || r == -EPIPE ||
        r == -ENOMEM || r == -EINVAL || r == -ERANGE || r == -E2BIG);
}

/* Read the requests the client sent; @return how many. */
static unsigned take_requests(int fd, int type, uint32_t *next_req)
{
    static uint8_t buf[8 * (HDR + XENSTORE_PAYLOAD_MAX)];
    static size_t len;
    unsigned n = 0;
    ssize_t got;

    while ((got = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT)) > 0)
        len += (size_t)got;
    while (len >= HDR) {
        struct xsd_sockmsg h;

        memcpy(&h, buf, HDR);
        INV(h.len <= XENSTORE_PAYLOAD_MAX);
        INV(len >= HDR + h.len); /* the client writes whole messages */
        INV((int)h.type == type && h.req_id == (*next_req)++);
        if (h.type != XS_WRITE)
            INV(h.len > 0 && buf[HDR + h.len - 1] == '\0');
        len -= HDR + h.len;
        memmove(buf, buf + HDR + h.len, len);
        n++;
    }
    return n;
}

static void check_event(const struct xvm_xs_event *ev)
{
    INV(ev->path && ev->token && ev->path[0] != '\0');
    INV(ev->token == ev->path + strlen(ev->path) + 1);
    (void)strlen(ev->token);
}

/* ------------------------------------------------------------------------ */
/* The calls.                                                               */

static int do_read(struct xvm_xs *xs, const struct call *c)
{
    char *v;
    size_t len;
    int r =
        xvm_xs_read(xs, c->arg & 1 ? 7 : XVM_XS_NO_TX, paths[c->arg], &v, &len);

    if (r == 0) {
        INV(len <= XENSTORE_PAYLOAD_MAX && v[len] == '\0');
        free(v);
    }
    return r;
}

static int do_directory(struct xvm_xs *xs, const struct call *c)
{
    char **names;
    unsigned n, i;
    int r = xvm_xs_directory(xs, XVM_XS_NO_TX, paths[c->arg], &names, &n);

    if (r == 0) {
        const char *block = (const char *)(names + n), *end = block;

        for (i = 0; i < n; i++) {
            INV(names[i] == end);
            end += strlen(names[i]) + 1;
        }
        INV((size_t)(end - block) <= XENSTORE_PAYLOAD_MAX);
        free(names);
    }
    return r;
}

static int do_get_perms(struct xvm_xs *xs, const struct call *c)
{
    struct xvm_xs_perm *p;
    unsigned n, i;
    int r = xvm_xs_get_perms(xs, XVM_XS_NO_TX, paths[c->arg], &p, &n);

    if (r == 0) {
        INV(n >= 1 && n <= XENSTORE_PAYLOAD_MAX / 3);
        for (i = 0; i < n; i++)
            INV(p[i].perm <= XVM_XS_PERM_BOTH);
        free(p);
    }
    return r;
}

static int do_set_perms(struct xvm_xs *xs, const struct call *c)
{
    struct xvm_xs_perm p[4];
    unsigned i, n = 1 + (c->arg & 3);

    for (i = 0; i < n; i++)
        p[i] = (struct xvm_xs_perm){.domid = (uint16_t)(i * 7 + c->arg),
                                    .perm = (uint8_t)((c->arg + i) & 3)};
    return xvm_xs_set_perms(xs, XVM_XS_NO_TX, paths[c->arg >> 2], p, n);
}

static int do_misc(struct xvm_xs *xs, const struct call *c, uint32_t *tx)
{
    char *s;
    uint64_t v;
    int r;

    switch (c->op) {
    case OP_READ_UINT:
        r = xvm_xs_read_uint(xs, XVM_XS_NO_TX, paths[c->arg],
                             c->arg & 1 ? UINT64_MAX : 4096, &v);
        INV(r < 0 || (c->arg & 1) || v <= 4096);
        return r;
    case OP_TX_START:
        r = xvm_xs_transaction_start(xs, tx);
        INV(r < 0 || *tx != XVM_XS_NO_TX);
        return r;
    case OP_TX_END:
        return xvm_xs_transaction_end(xs, *tx, c->arg & 1);
    case OP_DOMAIN_PATH:
        r = xvm_xs_get_domain_path(xs, c->arg * 4099u, &s);
        if (r == 0) {
            INV(strlen(s) < XENSTORE_PAYLOAD_MAX);
            free(s);
        }
        return r;
    case OP_PARSE_UINT:
        r = xvm_xs_parse_uint((const char *)c->parse, c->plen,
                              c->arg ? (1ull << (4 * c->arg)) - 1 : 0, &v);
        INV(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) { /* the digits are exactly the value's decimal form */
            char dec[24];

            INV(snprintf(dec, sizeof(dec), "%llu", (unsigned long long)v) ==
                (int)c->plen);
            INV(memcmp(dec, c->parse, c->plen) == 0);
        }
        return r;
    default:
        return 0;
    }
}

static int do_call(struct xvm_xs *xs, const struct call *c, uint32_t *tx)
{
    static const char value[] = "4096\0with a NUL";
    struct xvm_xs_event *ev;
    unsigned i;
    int r;

    switch (c->op) {
    case OP_READ:
        return do_read(xs, c);
    case OP_WRITE:
        return xvm_xs_write(xs, XVM_XS_NO_TX, paths[c->arg], value,
                            c->arg + 1u);
    case OP_WRITE_STR:
        return xvm_xs_write_str(xs, *tx, paths[c->arg], value);
    case OP_MKDIR:
        return xvm_xs_mkdir(xs, *tx, paths[c->arg]);
    case OP_RM:
        return xvm_xs_rm(xs, XVM_XS_NO_TX, paths[c->arg]);
    case OP_DIRECTORY:
        return do_directory(xs, c);
    case OP_GET_PERMS:
        return do_get_perms(xs, c);
    case OP_SET_PERMS:
        return do_set_perms(xs, c);
    case OP_WATCH:
        return xvm_xs_watch(xs, paths[c->arg], paths[15 - c->arg]);
    case OP_UNWATCH:
        return xvm_xs_unwatch(xs, paths[c->arg], paths[15 - c->arg]);
    case OP_EVENTS:
        /* Up to arg*80 events: enough to overflow the client's queue. */
        for (i = 0, r = 1; r == 1 && i <= c->arg * 80u; i++) {
            uint64_t dropped = xvm_xs_events_dropped(xs);
            bool pending = xvm_xs_event_pending(xs);

            r = xvm_xs_event_next(xs, &ev);
            INV(r == 1 || r == 0 || r == -EPROTO || r == -EPIPE ||
                r == -ENOMEM);
            INV(r == 1 || !pending);
            INV(xvm_xs_events_dropped(xs) == dropped);
            if (r == 1) {
                check_event(ev);
                free(ev);
            }
        }
        return r < 0 ? r : 0;
    default:
        return do_misc(xs, c, tx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct stream s;
    static struct call calls[CALLS_MAX];
    struct input in = {data, size};
    unsigned ncalls = 0, i;
    uint32_t req = 1, next_req = 1, tx = XVM_XS_NO_TX;
    int sv[2], dead = 0;
    struct xvm_xs *xs;
    ssize_t w;

    /* The calls, and the server's side of the stream. */
    s.len = 0;
    while (in.n && ncalls < CALLS_MAX) {
        struct call *c = &calls[ncalls++];
        uint8_t op = in_u8(&in);

        c->op = op & 15;
        c->arg = op >> 4;
        if (c->op == OP_PARSE_UINT) {
            c->plen = in_u8(&in) % 24;
            if (c->plen > in.n)
                c->plen = in.n;
            c->parse = in.p;
            in.p += c->plen;
            in.n -= c->plen;
        }
        put_msgs(&s, &in, op_type[c->op], req);
        if (op_type[c->op] >= 0)
            req++;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    w = s.len ? send(sv[1], s.buf, s.len, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
    INV(w == (ssize_t)s.len);
    shutdown(sv[1], SHUT_WR);
    xs = xvm_xs_adopt(sv[0]);
    if (!xs)
        abort();
    INV(xvm_xs_fd(xs) == sv[0]);
    for (i = 0; i < ncalls; i++) {
        const struct call *c = &calls[i];
        int type = op_type[c->op], r = do_call(xs, c, &tx);
        unsigned sent = take_requests(sv[1], type, &next_req);

        if (c->op == OP_EVENTS) {
            INV(r <= 0 && sent == 0);
            INV(!dead || r == dead || r == 0); /* 0: queued ones first */
            if (r == -EPROTO || r == -EPIPE)
                dead = r;
            continue;
        }
        if (type < 0)
            continue;
        check_rc(r);
        if (dead) {
            INV(r == dead && sent == 0);
            continue;
        }
        INV(sent == 1);
        if (r == -EPROTO || r == -EPIPE)
            dead = r;
    }
    xvm_xs_close(xs);
    close(sv[1]);
    return 0;
}
