/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xst.c - libFuzzer harness for libxst's xs_wire server.
 *
 * The input is what hostile clients write: three connections (guest 5,
 * guest 7, dom0) get raw bytes through socketpairs, in pieces the input
 * chooses, so headers, payloads, paths, transaction ids and watch tokens
 * are all the fuzzer's, several messages may share one write and one
 * message may span several.  Between writes the harness can reopen a
 * guest's connection, introduce or release domain 5, change the tree as
 * dom0 through the direct API, and stop reading a guest's replies (so
 * throttling and the unread-events limit are reached).  The server's send
 * buffers are small, so its output queues fill.
 *
 * Checked after every write, aborting on a breach:
 *  - every message the server sends is at most XENSTORE_PAYLOAD_MAX bytes;
 *  - a WATCH_EVENT is exactly "path NUL token NUL" with a non-empty path;
 *  - every other message answers the oldest unanswered request of that
 *    connection: same req_id and tx_id, same type or ERROR, and an ERROR
 *    carries a NUL-terminated errno name that Xen knows.
 * At the end: every complete request of a connection still open has been
 * answered; after closing every connection no watch, transaction or queued
 * byte is left; walking the tree as dom0 finds exactly the node count the
 * server reports, each node with a permission list and a value that fits
 * a reply; and unless dom0 wrote, /secret (dom0's, closed to guests) has
 * its value and permissions still.
 *
 * Input:
 *   u8 setup  bit 0: small quotas; bit 1: no home for domain 5;
 *             bit 2: introduce domains 5 and 7
 *   records, until the input ends:
 *     u8 op   bits 0-1: 0 guest 5, 1 guest 7, 2 dom0: u16 len (LE) and
 *             len bytes to write on that connection;
 *             3: control, bits 2-4: 0 reopen guest 5, 1 reopen guest 7,
 *             2 release domain 5, 3 introduce domain 5, 4 toggle reading
 *             guest 5's replies, 5 xst_write (u8 path, u8 len, bytes),
 *             6 xst_rm (u8 path), 7 xst_set_perms on domain 5's home
 *             (u8: 2 bits for 5, 2 bits for 7)
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

#include "xst/xenstore.h"
#include "xvm/log.h"

#define FUZZ_NAME "fuzz_xst"
#include "fuzz_harness.h"

#define NCONN 3
#define HDR sizeof(struct xsd_sockmsg)
#define QMAX 8192u /* requests awaiting an answer, per connection */
#define STUCK 4    /* rounds without progress before a write gives up */

static const uint16_t conn_dom[NCONN] = {5, 7, 0};

static const char *const dom0_paths[8] = {
    "/local/domain/5/a",
    "/local/domain/5",
    "/local/domain/7",
    "/local/domain/5/device/vif/0/state",
    "/secret",
    "/local/domain/7/data/x",
    "/vm",
    "/local",
};

struct expect {
    uint32_t type, req_id, tx_id;
};

/* One client end: what was written (framed, to know what must be
 * answered) and what came back (framed, to check it). */
struct conn {
    int fd;       /* -1: closed */
    bool eof;     /* the server closed it */
    bool lost;    /* an oversized header went out: answers may stop */
    bool no_read; /* leave replies unread */
    uint8_t whdr[HDR];
    size_t whlen;   /* header bytes written of the current message */
    uint32_t wskip; /* payload bytes still to write of it */
    struct expect q[QMAX];
    unsigned qh, qn;
    uint8_t rbuf[HDR + XENSTORE_PAYLOAD_MAX];
    size_t rlen;
};

struct run {
    struct xst_server *srv;
    struct conn c[NCONN];
    bool dom0_wrote; /* dom0 may have changed /secret */
};

/* ------------------------------------------------------------------------ */
/* Connections.                                                             */

static void conn_open(struct run *r, unsigned i)
{
    struct conn *c = &r->c[i];
    int sv[2], small = 4096;

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) <
        0)
        abort();
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    if (xst_server_add_conn(r->srv, sv[0], conn_dom[i]) < 0)
        abort();
    c->fd = sv[1];
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Frame what went out, queueing an expected answer per header. */
static void track_sent(struct conn *c, const uint8_t *p, size_t n)
{
    while (n && !c->lost) {
        if (c->wskip) {
            size_t k = n < c->wskip ? n : c->wskip;

            c->wskip -= (uint32_t)k;
            p += k;
            n -= k;
            continue;
        }
        c->whdr[c->whlen++] = *p++;
        n--;
        if (c->whlen == HDR) {
            struct xsd_sockmsg h;

            memcpy(&h, c->whdr, HDR);
            c->whlen = 0;
            if (h.len > XENSTORE_PAYLOAD_MAX) {
                c->lost = true; /* the server drops such a connection */
                break;
            }
            INV(c->qn < QMAX);
            c->q[(c->qh + c->qn++) % QMAX] =
                (struct expect){h.type, h.req_id, h.tx_id};
            c->wskip = h.len;
        }
    }
}

static bool known_error(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(xsd_errors[i].errstring, name) == 0)
            return true;
    return false;
}

static void check_msg(struct conn *c, const struct xsd_sockmsg *h,
                      const char *body)
{
    const struct expect *e;

    if (h->type == XS_WATCH_EVENT) {
        size_t pl = strnlen(body, h->len);

        INV(pl > 0 && pl < h->len);
        INV(pl + 1 + strnlen(body + pl + 1, h->len - pl - 1) + 1 == h->len);
        return;
    }
    INV(c->qn > 0); /* no answer without a question */
    e = &c->q[c->qh];
    INV(h->req_id == e->req_id && h->tx_id == e->tx_id);
    INV(h->type == e->type || h->type == XS_ERROR);
    if (h->type == XS_ERROR) {
        INV(h->len > 0 && body[h->len - 1] == '\0');
        INV(strlen(body) + 1 == h->len && known_error(body));
    }
    c->qh = (c->qh + 1) % QMAX;
    c->qn--;
}

/* Read and check what the server sent.  @return bytes read. */
static size_t conn_drain(struct conn *c)
{
    size_t got = 0;

    while (c->fd >= 0 && !c->eof && !c->no_read) {
        struct xsd_sockmsg h;
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
                         MSG_DONTWAIT);

        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            c->eof = true;
            c->qn = 0;
            break;
        }
        if (n < 0)
            break;
        got += (size_t)n;
        c->rlen += (size_t)n;
        while (c->rlen >= HDR) {
            char body[XENSTORE_PAYLOAD_MAX + 1];

            memcpy(&h, c->rbuf, HDR);
            INV(h.len <= XENSTORE_PAYLOAD_MAX);
            if (c->rlen < HDR + h.len)
                break;
            memcpy(body, c->rbuf + HDR, h.len);
            body[h.len] = '\0';
            c->rlen -= HDR + h.len;
            memmove(c->rbuf, c->rbuf + HDR + h.len, c->rlen);
            check_msg(c, &h, body);
        }
    }
    return got;
}

/* Run the server and read its answers until neither has more to do. */
static void settle(struct run *r)
{
    for (;;) {
        size_t got = 0;
        int work = 0, n;
        unsigned i;

        while ((n = xst_server_dispatch(r->srv, 0)) > 0)
            work += n;
        for (i = 0; i < NCONN; i++)
            got += conn_drain(&r->c[i]);
        if (!work && !got)
            return;
    }
}

static void conn_write(struct run *r, unsigned i, const uint8_t *p, size_t n)
{
    struct conn *c = &r->c[i];
    unsigned stuck = 0;

    r->dom0_wrote |= conn_dom[i] == 0;

    while (n && c->fd >= 0 && !c->eof) {
        ssize_t w = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (w > 0) {
            track_sent(c, p, (size_t)w);
            p += w;
            n -= (size_t)w;
            stuck = 0;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            c->eof = true;
            c->qn = 0;
        } else if (++stuck > STUCK) {
            break; /* the server stopped reading (throttled): drop the rest */
        }
        settle(r);
    }
}

/* ------------------------------------------------------------------------ */
/* Setup and the final checks.                                              */

static void make_home(struct xst_server *srv, uint16_t dom)
{
    struct xst_perm p = {.domid = dom, .perm = XST_PERM_NONE};
    char path[32];

    snprintf(path, sizeof(path), "/local/domain/%u", (unsigned)dom);
    INV(xst_mkdir(srv, path) == 0);
    INV(xst_set_perms(srv, path, &p, 1) == 0);
}

static void control(struct run *r, unsigned op, struct input *in)
{
    struct xst_perm perms[2] = {{5, 0}, {7, 0}};
    uint8_t b, len, val[255];
    unsigned k;
    int rc;

    switch (op) {
    case 0:
    case 1:
        conn_close(&r->c[op]);
        settle(r);
        conn_open(r, op);
        break;
    case 2:
        rc = xst_domain_release(r->srv, 5);
        INV(rc == 0 || rc == -ENOENT);
        break;
    case 3:
        rc = xst_domain_introduce(r->srv, 5);
        INV(rc == 0 || rc == -EEXIST);
        break;
    case 4:
        r->c[0].no_read = !r->c[0].no_read;
        break;
    case 5:
        b = in_u8(in);
        r->dom0_wrote |= (b & 7) == 4;
        len = in_u8(in);
        for (k = 0; k < len; k++)
            val[k] = in_u8(in);
        rc = xst_write(r->srv, dom0_paths[b & 7], val, len);
        INV(rc == 0 || rc == -ENOENT || rc == -EINVAL);
        break;
    case 6:
        b = in_u8(in);
        r->dom0_wrote |= (b & 7) == 4;
        rc = xst_rm(r->srv, dom0_paths[b & 7]);
        INV(rc == 0 || rc == -ENOENT);
        break;
    case 7:
        b = in_u8(in);
        perms[0].perm = b & 3;
        perms[1].perm = (b >> 2) & 3;
        rc = xst_set_perms(r->srv, "/local/domain/5", perms, 2);
        INV(rc == 0 || rc == -ENOENT);
        break;
    default:
        break;
    }
    settle(r);
}

/* Walk the tree below @path as dom0.  @return nodes seen. */
static unsigned walk(struct xst_server *srv, char *path, size_t plen)
{
    struct xst_perm *perms;
    char *names, *value;
    size_t len, vlen, off;
    unsigned np, count = 1;

    INV(xst_read(srv, path, &value, &vlen) == 0);
    INV(vlen <= XENSTORE_PAYLOAD_MAX && value[vlen] == '\0');
    free(value);
    INV(xst_get_perms(srv, path, &perms, &np) == 0);
    INV(np >= 1 && np <= XST_PERMS_MAX);
    free(perms);
    INV(xst_directory(srv, path, &names, &len) == 0);
    INV(len == 0 || names[len - 1] == '\0');
    for (off = 0; off < len; off += strlen(names + off) + 1) {
        size_t nl = strlen(names + off), cl = plen + (plen > 1) + nl;

        INV(nl > 0 && cl <= XENSTORE_ABS_PATH_MAX);
        if (plen > 1)
            path[plen] = '/';
        memcpy(path + cl - nl, names + off, nl + 1);
        count += walk(srv, path, cl);
        path[plen] = '\0';
    }
    free(names);
    return count;
}

static void final_checks(struct run *r)
{
    char path[XENSTORE_ABS_PATH_MAX + 1] = "/";
    struct xst_stats st;
    unsigned i;

    /* Read everything; every complete request must have its answer. */
    for (i = 0; i < NCONN; i++)
        r->c[i].no_read = false;
    settle(r);
    for (i = 0; i < NCONN; i++) {
        const struct conn *c = &r->c[i];
        bool partial = c->wskip != 0; /* a header without its payload */

        if (c->fd >= 0 && !c->eof && !c->lost)
            INV(c->qn == (partial ? 1u : 0u) && c->rlen == 0);
    }
    for (i = 0; i < NCONN; i++)
        conn_close(&r->c[i]);
    settle(r);
    xst_server_stats(r->srv, &st);
    INV(st.conns == 0 && st.watches == 0 && st.transactions == 0);
    INV(st.out_queued == 0);
    INV(walk(r->srv, path, 1) == st.nodes);
    if (!r->dom0_wrote) { /* no guest may change a node of dom0's */
        struct xst_perm *perms;
        unsigned np;
        char *v;
        size_t len;

        INV(xst_read(r->srv, "/secret", &v, &len) == 0);
        INV(len == 6 && memcmp(v, "s3cret", 6) == 0);
        free(v);
        INV(xst_get_perms(r->srv, "/secret", &perms, &np) == 0);
        INV(np == 1 && perms[0].domid == 0 && perms[0].perm == XST_PERM_NONE);
        free(perms);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run r;
    struct xst_config cfg = {0};
    struct input in = {data, size};
    uint8_t setup = in_u8(&in);
    unsigned i;

    if (setup & 1)
        cfg = (struct xst_config){.max_watches = 4,
                                  .max_transactions = 2,
                                  .max_nodes = 24,
                                  .max_value = 64,
                                  .max_tx_nodes = 8,
                                  .max_tx_bytes = 4096,
                                  .max_out_bytes = 1}; /* raised to its minimum */
    memset(&r, 0, sizeof(r));
    xvm_log_set_level(XVM_LOG_ERR); /* the server's notices are noise here */
    r.srv = xst_server_create(NULL, &cfg);
    if (!r.srv)
        abort();
    if (!(setup & 2))
        make_home(r.srv, 5);
    make_home(r.srv, 7);
    INV(xst_write(r.srv, "/secret", "s3cret", 6) == 0);
    if (setup & 4) {
        INV(xst_domain_introduce(r.srv, 5) == 0);
        INV(xst_domain_introduce(r.srv, 7) == 0);
    }
    for (i = 0; i < NCONN; i++)
        conn_open(&r, i);
    settle(&r);
    while (in.n) {
        uint8_t op = in_u8(&in);

        if ((op & 3) == 3) {
            control(&r, (op >> 2) & 7, &in);
        } else {
            size_t len = in_u8(&in);

            len |= (size_t)in_u8(&in) << 8;
            if (len > in.n)
                len = in.n;
            conn_write(&r, op & 3, in.p, len);
            in.p += len;
            in.n -= len;
        }
    }
    final_checks(&r);
    xst_server_destroy(r.srv);
    return 0;
}
