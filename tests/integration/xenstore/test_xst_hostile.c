/* SPDX-License-Identifier: MIT */
/*
 * Hostile clients: malformed messages of every class, random garbage, and
 * each quota (watches, transactions, nodes, value size, transaction size,
 * unread events, unread replies).  After each abuse the server must still
 * serve another connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xst_test.h"

/* A fresh guest connection still gets served. */
static bool still_serves(struct xst_server *s)
{
    char buf[BUF];
    struct tc t;
    int r;

    open_conn(&t, s, 5);
    r = tc_write(&t, 0, "/local/domain/5/alive", "yes");
    if (r == 0)
        r = tc_read(&t, 0, "/local/domain/5/alive", buf, sizeof(buf));
    tc_close(&t);
    return r == 3;
}

static void test_oversize_closes(void)
{
    static const uint32_t lens[] = {XENSTORE_PAYLOAD_MAX + 1, 0x7fffffff,
                                    0xffffffff};
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st;
    struct tc_msg m;
    unsigned i;

    make_home(s, 5);
    for (i = 0; i < 3; i++) {
        struct xsd_sockmsg h = {.type = XS_WRITE, .len = lens[i]};
        struct tc t;

        open_conn(&t, s, 5);
        CHECK_EQ(tc_send_raw(&t, &h, sizeof(h)), 0);
        CHECK_EQ(tc_recv(&t, &m), -EPIPE);
        tc_close(&t);
        CHECK(still_serves(s));
    }
    xst_server_stats(s, &st);
    CHECK_EQ(st.conns_dropped, 3);
    CHECK_EQ(st.conns, 0);
    xst_server_destroy(s);
}

static void test_truncated_then_close(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xsd_sockmsg h = {.type = XS_READ, .len = 100};
    struct tc t;

    make_home(s, 5);
    open_conn(&t, s, 5);
    CHECK_EQ(tc_send_raw(&t, &h, 10), 0); /* half a header */
    tc_close(&t);
    open_conn(&t, s, 5);
    CHECK_EQ(tc_send_raw(&t, &h, sizeof(h)), 0);
    CHECK_EQ(tc_send_raw(&t, "/local/", 7), 0); /* part of the payload */
    tc_close(&t);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

struct bad {
    uint32_t type;
    const char *p;
    size_t len;
    int err;
};

static void test_malformed_payloads(void)
{
    static const struct bad bad[] = {
        {XS_READ, "/local/domain/5", 15, -EINVAL},    /* no NUL */
        {XS_READ, "", 0, -EINVAL},                    /* empty */
        {XS_READ, "a\0b", 4, -EINVAL},                /* two args */
        {XS_WRITE, "/local/domain/5/x", 17, -EINVAL}, /* no NUL at all */
        {XS_MKDIR, "x\0\0", 3, -EINVAL},
        {XS_RM, "\0", 1, -EINVAL},
        {XS_DIRECTORY, "device", 6, -EINVAL},
        {XS_GET_PERMS, "", 0, -EINVAL},
        {XS_WATCH, "/a\0", 3, -EINVAL}, /* no token */
        {XS_WATCH, "/a\0t", 4, -EINVAL},
        {XS_UNWATCH, "", 0, -EINVAL},
        {XS_TRANSACTION_START, "", 0, -EINVAL},
        {XS_SET_PERMS, "data\0", 5, -EINVAL}, /* no perms */
        {XS_SET_PERMS, "data\0x5\0", 8, -EINVAL},
        {XS_SET_PERMS, "data\0r\0", 7, -EINVAL},
        {XS_SET_PERMS, "data\0r-1\0", 9, -EINVAL},
        {XS_SET_PERMS, "data\0r70000\0", 12, -EINVAL},
        {XS_SET_PERMS, "data\0r5x\0", 9, -EINVAL},
        {XS_SET_PERMS, "data\0n5", 7, -EINVAL},
        {XS_GET_DOMAIN_PATH, "5", 1, -EINVAL},
        {XS_GET_DOMAIN_PATH, "\0", 1, -EINVAL},
        {XS_DIRECTORY_PART, "data\0", 5, -EINVAL},
        {XS_DIRECTORY_PART, "data\0001", 6, -EINVAL},
    };
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st;
    struct tc g;
    size_t i;

    make_home(s, 5);
    CHECK_EQ(xst_write(s, "/local/domain/5/data", "d", 1), 0);
    open_conn(&g, s, 5);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = tc_call(&g, bad[i].type, 0, bad[i].p, bad[i].len, NULL);

        if (r != bad[i].err)
            fprintf(stderr, "  case %zu: %d\n", i, r);
        CHECK_EQ(r, bad[i].err);
    }
    xst_server_stats(s, &st);
    CHECK_EQ(st.errors, sizeof(bad) / sizeof(bad[0]));
    CHECK_EQ(st.conns_dropped, 0);
    CHECK_EQ(tc_tx_start(&g) > 0, 1);
    tc_close(&g);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

static void test_bad_paths(void)
{
    static const char *const bad[] = {
        "//a",    "/a/",    "/a//b",
        "/a b",   "/a\xff", "/a/../b",
        "/a/./b", "@foo",   "@introduceDomain",
        "a/",     "/a\\b",  "~/x",
    };
    struct xst_server *s = srv_new(NULL);
    char *path = malloc(XENSTORE_ABS_PATH_MAX + 2), buf[BUF];
    struct tc d0, g;
    size_t i;

    make_home(s, 5);
    open_conn(&d0, s, 0);
    open_conn(&g, s, 5);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(tc_write(&d0, 0, bad[i], "x"), -EINVAL);
        CHECK_EQ(tc_read(&g, 0, bad[i], buf, sizeof(buf)), -EINVAL);
    }
    CHECK_EQ(tc_read(&g, 0, "", buf, sizeof(buf)), -EINVAL);
    /* Length limits: 3072 absolute, 2048 relative. */
    path[0] = '/';
    memset(path + 1, 'x', XENSTORE_ABS_PATH_MAX);
    path[XENSTORE_ABS_PATH_MAX] = '\0';
    CHECK_EQ(tc_write(&d0, 0, path, "ok"), 0);
    path[XENSTORE_ABS_PATH_MAX] = 'x';
    path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    CHECK_EQ(tc_write(&d0, 0, path, "no"), -EINVAL);
    memset(path, 'r', XENSTORE_REL_PATH_MAX);
    path[XENSTORE_REL_PATH_MAX] = '\0';
    CHECK_EQ(tc_write(&g, 0, path, "ok"), 0);
    path[XENSTORE_REL_PATH_MAX] = 'r';
    path[XENSTORE_REL_PATH_MAX + 1] = '\0';
    CHECK_EQ(tc_write(&g, 0, path, "no"), -EINVAL);
    free(path);
    tc_close(&g);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_unknown_types(void)
{
    static const uint32_t types[] = {XS_WATCH_EVENT, XS_ERROR,   20,
                                     XS_TYPE_COUNT,  24,         100,
                                     XS_INVALID,     0x80000000u};
    struct xst_server *s = srv_new(NULL);
    struct tc d0, g;
    size_t i;

    make_home(s, 5);
    open_conn(&d0, s, 0);
    open_conn(&g, s, 5);
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        CHECK_EQ(tc_call(&g, types[i], 0, "x", 2, NULL), -EINVAL);
        CHECK_EQ(tc_call(&d0, types[i], 0, "", 0, NULL), -EINVAL);
    }
    CHECK_EQ(tc_call(&d0, XS_CONTROL, 0, "check", 6, NULL), -ENOSYS);
    CHECK_EQ(tc_call(&d0, XS_RESUME, 0, "5", 2, NULL), -ENOSYS);
    CHECK_EQ(tc_call(&g, XS_CONTROL, 0, "check", 6, NULL), -EACCES);
    /* Bad transaction ids. */
    CHECK_EQ(tc_write(&g, 12345, "data", "x"), -ENOENT);
    CHECK_EQ(tc_write(&g, 0xffffffffu, "data", "x"), -ENOENT);
    CHECK_EQ(tc_tx_end(&g, 0, true), -ENOENT);
    tc_close(&g);
    tc_close(&d0);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Random requests built from bytes that mean something to the parser. */
static void garbage_round(struct tc *t, uint32_t *known_tx)
{
    static const char alphabet[] = "/ab@Td05-_\0\0\0 \xff";
    char p[600];
    uint32_t type = rnd(10) ? rnd(XS_TYPE_COUNT + 3) : (uint32_t)rnd(~0u);
    uint32_t tx = rnd(5) ? 0 : rnd(2) ? *known_tx : rnd(~0u);
    size_t len = rnd(8) ? rnd(40) : rnd(sizeof(p)), i;
    struct tc_msg *m = malloc(sizeof(*m));
    int r;

    for (i = 0; i < len; i++)
        p[i] = alphabet[rnd(sizeof(alphabet) - 1)];
    if (len && rnd(2))
        p[len - 1] = '\0';
    r = tc_call(t, type, tx, p, len, m);
    if (r == 0 && type == XS_TRANSACTION_START)
        *known_tx = (uint32_t)strtoul(m->body, NULL, 10);
    /* Every request gets its answer; nothing closes the connection. */
    if (r == -EPROTO || r == -EPIPE || r == -ETIMEDOUT)
        fprintf(stderr, "  type %u tx %u len %zu: %d\n", type, tx, len, r);
    CHECK(r != -EPROTO && r != -EPIPE && r != -ETIMEDOUT);
    tc_drain_events(t);
    free(m);
}

static void test_garbage(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st;
    uint32_t tx0 = 0, tx5 = 0;
    struct tc d0, g;
    int i;

    make_home(s, 5);
    CHECK_EQ(xst_write(s, "/a/b", "x", 1), 0);
    open_conn(&d0, s, 0);
    open_conn(&g, s, 5);
    for (i = 0; i < 3000; i++) {
        garbage_round(&g, &tx5);
        garbage_round(&d0, &tx0);
    }
    xst_server_stats(s, &st);
    CHECK_EQ(st.conns_dropped, 0);
    CHECK_EQ(st.conns, 2);
    tc_close(&g);
    tc_close(&d0);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

static void test_watch_quota(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st;
    char tok[32], big[XENSTORE_PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX];
    struct tc g, d0;
    int i;

    make_home(s, 5);
    open_conn(&g, s, 5);
    open_conn(&d0, s, 0);
    for (i = 0; i < 128; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        CHECK_EQ(tc_watch(&g, "data", tok), 0);
        tc_drain_events(&g);
    }
    CHECK_EQ(tc_watch(&g, "data", "one-more"), -E2BIG);
    xst_server_stats(s, &st);
    CHECK_EQ(st.watches, 128);
    CHECK_EQ(tc_unwatch(&g, "data", "t7"), 0);
    CHECK_EQ(tc_watch(&g, "data", "one-more"), 0);
    CHECK_EQ(tc_watch(&g, "data", "two-more"), -E2BIG);
    /* Tokens are bounded so that every event fits one payload. */
    memset(big, 't', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_EQ(tc_watch(&d0, "/x", big), -EINVAL);
    big[XENSTORE_PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX - 2] = '\0';
    CHECK_EQ(tc_watch(&d0, "/x", big), 0);
    tc_drain_events(&d0);
    /* dom0 is not held to it. */
    for (i = 0; i < 200; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        CHECK_EQ(tc_watch(&d0, "/x", tok), 0);
        tc_drain_events(&d0);
    }
    tc_close(&d0);
    tc_close(&g);
    xst_server_destroy(s);
}

static void test_transaction_quota(void)
{
    struct xst_server *s = srv_new(NULL);
    long tx[10], t;
    struct tc g;
    int i;

    make_home(s, 5);
    open_conn(&g, s, 5);
    for (i = 0; i < 10; i++) {
        tx[i] = tc_tx_start(&g);
        CHECK(tx[i] > 0);
    }
    CHECK_EQ(tc_tx_start(&g), -ENOSPC);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx[3], false), 0);
    t = tc_tx_start(&g);
    CHECK(t > 0);
    CHECK_EQ(tc_tx_start(&g), -ENOSPC);
    tc_close(&g);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

static void test_node_and_value_quota(void)
{
    struct xst_config cfg = {.max_nodes = 20, .max_value = 100};
    struct xst_server *s = srv_new(&cfg);
    char path[32], big[200];
    struct tc g, d0;
    long tx;
    int i, r = 0;

    make_home(s, 5); /* the home itself is the guest's first node */
    open_conn(&g, s, 5);
    open_conn(&d0, s, 0);
    for (i = 0; i < 40 && r == 0; i++) {
        snprintf(path, sizeof(path), "n%d", i);
        r = tc_write(&g, 0, path, "v");
    }
    CHECK_EQ(r, -ENOSPC);
    CHECK_EQ(i - 1, 19);
    /* A path needing several new nodes is refused as a whole. */
    CHECK_EQ(tc_str(&g, XS_RM, 0, "n0", NULL, NULL), 0);
    CHECK_EQ(tc_write(&g, 0, "deep/er", "v"), -ENOSPC);
    CHECK_EQ(tc_write(&g, 0, "fits", "v"), 0);
    /* Inside a transaction: refused at once, and the commit fails. */
    CHECK_EQ(tc_str(&g, XS_RM, 0, "n1", NULL, NULL), 0);
    CHECK_EQ(tc_str(&g, XS_MKDIR, 0, "d", NULL, NULL), 0); /* 20 again */
    tx = tc_tx_start(&g);
    CHECK_EQ(tc_write(&g, (uint32_t)tx, "d/x", "v"), -ENOSPC);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), -ENOSPC);
    /* Checked again at commit: here the domain grew elsewhere meanwhile,
     * which is no conflict for this transaction. */
    CHECK_EQ(tc_str(&g, XS_RM, 0, "n2", NULL, NULL), 0); /* 19 */
    tx = tc_tx_start(&g);
    CHECK_EQ(tc_write(&g, (uint32_t)tx, "d/x", "v"), 0);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/by-dom0", "v"), 0); /* 20 */
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), -ENOSPC);
    CHECK_EQ(tc_str(&g, XS_RM, 0, "by-dom0", NULL, NULL), 0); /* 19 */
    tx = tc_tx_start(&g);
    CHECK_EQ(tc_write(&g, (uint32_t)tx, "d/x", "v"), 0);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), 0);
    /* Values. */
    memset(big, 'v', sizeof(big));
    big[100] = '\0';
    CHECK_EQ(tc_write(&g, 0, "fits", big), 0);
    big[100] = 'v';
    big[101] = '\0';
    CHECK_EQ(tc_write(&g, 0, "fits", big), -E2BIG);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/fits", big), 0);
    tc_close(&d0);
    tc_close(&g);
    xst_server_destroy(s);
}

/*
 * Per-node size limits, at their defaults: a guest's value is at most 2048
 * bytes (as Xen's) and a node's list of children, as a guest grows it, at
 * most 4096 bytes of names (one DIRECTORY reply); beyond, E2BIG and nothing
 * changes.  dom0 is
 * not held to them.  A write copies at most one node's value or child
 * list, so the limit bounds a guest's work per write whatever the sibling
 * count: the list a guest can make is checked to stay within it.
 */
static void test_node_size_limits(void)
{
    struct xst_server *s = srv_new(NULL);
    char path[64], big[4000], list[BUF];
    struct tc g, d0;
    int i, r = 0, n;
    long tx;

    make_home(s, 5);
    open_conn(&g, s, 5);
    open_conn(&d0, s, 0);
    /* values */
    memset(big, 'v', sizeof(big));
    big[2048] = '\0';
    CHECK_EQ(tc_write(&g, 0, "value", big), 0);
    big[2048] = 'v';
    big[2049] = '\0';
    CHECK_EQ(tc_write(&g, 0, "value", big), -E2BIG);
    CHECK_EQ(tc_read(&g, 0, "value", list, sizeof(list)), 2048);
    big[3999] = '\0';
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/value", big), 0);
    /* children: "value" and "c0000".."c0680" fill 682 * 6 = 4092 bytes */
    for (i = 0; i < 1000 && r == 0; i++) {
        snprintf(path, sizeof(path), "c%04d", i);
        r = tc_write(&g, 0, path, "v");
    }
    CHECK_EQ(r, -E2BIG);
    CHECK_EQ(i - 1, 681);
    CHECK_EQ(tc_dir(&g, 0, "/local/domain/5", list, sizeof(list)), 0);
    n = (int)strlen(list) + 1;
    CHECK_EQ(n, 4092);
    /* every way of adding a child to the full node is refused */
    CHECK_EQ(tc_str(&g, XS_MKDIR, 0, "more", NULL, NULL), -E2BIG);
    CHECK_EQ(tc_write(&g, 0, "deep/er", "v"), -E2BIG);
    CHECK_EQ(tc_read(&g, 0, "deep", list, sizeof(list)), -ENOENT);
    tx = tc_tx_start(&g);
    CHECK_EQ(tc_write(&g, (uint32_t)tx, "more", "v"), -E2BIG);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), 0);
    CHECK_EQ(tc_dir(&g, 0, "/local/domain/5", list, sizeof(list)), 0);
    CHECK_EQ(strlen(list) + 1, n);
    /* below the full node, and in place, the guest goes on */
    CHECK_EQ(tc_write(&g, 0, "c0000/below", "v"), 0);
    CHECK_EQ(tc_write(&g, 0, "c0001", "new"), 0);
    /* a long name counts by its length */
    CHECK_EQ(tc_str(&g, XS_RM, 0, "c0002", NULL, NULL), 0);
    memset(path, 'n', 20);
    path[20] = '\0';
    CHECK_EQ(tc_write(&g, 0, path, "v"), -E2BIG);
    CHECK_EQ(tc_write(&g, 0, "c0002", "v"), 0);
    /* dom0 is exempt */
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/by-dom0", "v"), 0);
    CHECK_EQ(tc_str(&d0, XS_MKDIR, 0, "/local/domain/5/more", NULL, NULL),
             0);
    CHECK_EQ(tc_read(&d0, 0, "/local/domain/5/by-dom0", list, sizeof(list)),
             1);
    /* a guest writing an existing node under the grown list still can */
    CHECK_EQ(tc_write(&g, 0, "c0003", "w"), 0);
    /* room for still_serves()'s node */
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/local/domain/5/more", NULL, NULL), 0);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/local/domain/5/by-dom0", NULL, NULL),
             0);
    CHECK_EQ(tc_str(&g, XS_RM, 0, "c0004", NULL, NULL), 0);
    tc_close(&d0);
    tc_close(&g);
    CHECK(still_serves(s));
    xst_server_destroy(s);
}

static void test_transaction_size_quota(void)
{
    struct xst_config cfg = {.max_tx_nodes = 16};
    struct xst_server *s = srv_new(&cfg);
    char path[32], buf[BUF];
    struct tc g;
    long tx;
    int i, r = 0;

    make_home(s, 5);
    open_conn(&g, s, 5);
    tx = tc_tx_start(&g);
    for (i = 0; i < 40 && r != -ENOSPC; i++) {
        snprintf(path, sizeof(path), "r%d", i);
        r = tc_read(&g, (uint32_t)tx, path, buf, sizeof(buf));
    }
    CHECK_EQ(r, -ENOSPC);
    CHECK(i <= 16);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, false), 0);
    tc_close(&g);
    xst_server_destroy(s);

    /* Bytes too: a few big values fill a 16 KiB budget. */
    cfg.max_tx_nodes = 0;
    cfg.max_tx_bytes = 16 * 1024;
    s = srv_new(&cfg);
    make_home(s, 5);
    open_conn(&g, s, 5);
    memset(buf, 'v', 2000);
    buf[2000] = '\0';
    tx = tc_tx_start(&g);
    for (i = 0, r = 0; i < 40 && r == 0; i++) {
        snprintf(path, sizeof(path), "v%d", i);
        r = tc_write(&g, (uint32_t)tx, path, buf);
    }
    CHECK_EQ(r, -ENOSPC);
    CHECK(i > 3 && i <= 9);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), -ENOSPC);
    CHECK_EQ(tc_read(&g, 0, "v0", buf, sizeof(buf)), -ENOENT);
    /* Overwriting one node again and again stays within it. */
    tx = tc_tx_start(&g);
    memset(buf, 'v', 2000);
    for (i = 0, r = 0; i < 40 && r == 0; i++)
        r = tc_write(&g, (uint32_t)tx, "same", buf);
    CHECK_EQ(r, 0);
    CHECK_EQ(tc_tx_end(&g, (uint32_t)tx, true), 0);
    tc_close(&g);
    xst_server_destroy(s);
}

/* A guest that never reads its watch events is cut off, not buffered. */
static void test_unread_events(void)
{
    struct xst_config cfg = {.max_out_bytes = 64 * 1024};
    struct xst_server *s = srv_new(&cfg);
    struct xst_stats st;
    struct tc lazy, good;
    struct tc_msg m;
    char val[16], buf[BUF];
    int i, n = 0, r;
    size_t peak = 0;

    make_home(s, 5);
    make_home(s, 6);
    open_conn(&lazy, s, 5);
    open_conn(&good, s, 6);
    CHECK_EQ(tc_watch(&lazy, "/local/domain/5", "flood"), 0);
    CHECK_EQ(tc_watch(&good, "/local/domain/6", "ok"), 0);
    for (i = 0; i < 50000; i++) {
        snprintf(val, sizeof(val), "%d", i);
        CHECK_EQ(xst_write(s, "/local/domain/5/x", val, strlen(val)), 0);
        xst_server_stats(s, &st);
        if (st.out_queued > peak)
            peak = st.out_queued;
        if (st.conns_dropped)
            break;
    }
    CHECK(i < 50000);
    CHECK_EQ(st.conns_dropped, 1);
    CHECK(peak <= cfg.max_out_bytes);
    CHECK(peak > cfg.max_out_bytes / 2);
    while ((r = tc_recv(&lazy, &m)) == 0)
        n++;
    CHECK_EQ(r, -EPIPE);
    CHECK(n > 100); /* what the kernel held before the cut */
    CHECK(n < i);
    /* Others are unaffected. */
    CHECK_EQ(tc_drain_events(&good), 1);
    CHECK_EQ(xst_write(s, "/local/domain/6/y", "1", 1), 0);
    CHECK_EQ(tc_drain_events(&good), 1);
    CHECK_EQ(tc_read(&good, 0, "/local/domain/6/y", buf, sizeof(buf)), 1);
    tc_close(&good);
    tc_close(&lazy);
    xst_server_destroy(s);
}

/*
 * A client that pipelines requests without reading replies is slowed
 * down, not dropped: the server stops reading it while its queue is half
 * full, and every reply arrives once it reads.
 */
static void test_unread_replies(void)
{
    enum { N = 400 };
    struct xst_config cfg = {.max_out_bytes = 64 * 1024};
    struct xst_server *s = srv_new(&cfg);
    struct xsd_sockmsg h = {.type = XS_READ, .len = 4};
    char *reqs = malloc(N * (sizeof(h) + 4)), val[3001];
    size_t total = N * (sizeof(h) + 4), sent = 0, peak = 0;
    struct xst_stats st;
    struct tc_msg m;
    struct tc g;
    bool stuck = false;
    int got = 0, spins = 0;

    make_home(s, 5);
    memset(val, 'v', 3000);
    CHECK_EQ(xst_write(s, "/local/domain/5/big", val, 3000), 0);
    open_conn(&g, s, 5);
    for (int i = 0; i < N; i++) {
        h.req_id = (uint32_t)i + 1;
        memcpy(reqs + i * (sizeof(h) + 4), &h, sizeof(h));
        memcpy(reqs + i * (sizeof(h) + 4) + sizeof(h), "big", 4);
    }
    while (got < N && spins++ < 100000) {
        ssize_t n = 0;

        if (sent < total)
            n = send(g.fd, reqs + sent, total - sent, MSG_DONTWAIT);
        if (n > 0)
            sent += (size_t)n;
        if (tc_pump(&g) == 0 && n <= 0)
            stuck = true;
        xst_server_stats(s, &st);
        if (st.out_queued > peak)
            peak = st.out_queued;
        if (!stuck || tc_recv(&g, &m) != 0)
            continue;
        CHECK_EQ(m.hdr.req_id, got + 1);
        CHECK_EQ(m.hdr.len, 3000);
        got++;
    }
    CHECK_EQ(got, N);
    CHECK(peak >= cfg.max_out_bytes / 2);
    CHECK(peak <= cfg.max_out_bytes / 2 + sizeof(h) + XENSTORE_PAYLOAD_MAX);
    xst_server_stats(s, &st);
    CHECK_EQ(st.conns_dropped, 0);
    free(reqs);
    tc_close(&g);
    xst_server_destroy(s);
}

int main(void)
{
    RUN(test_oversize_closes);
    RUN(test_truncated_then_close);
    RUN(test_malformed_payloads);
    RUN(test_bad_paths);
    RUN(test_unknown_types);
    RUN(test_garbage);
    RUN(test_watch_quota);
    RUN(test_transaction_quota);
    RUN(test_node_and_value_quota);
    RUN(test_node_size_limits);
    RUN(test_transaction_size_quota);
    RUN(test_unread_events);
    RUN(test_unread_replies);
    return check_summary();
}
