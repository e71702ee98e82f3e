/* SPDX-License-Identifier: MIT */
/*
 * Watches and domains over xs_wire, the listening socket, partial I/O,
 * and the direct dom0 API xvmd uses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xst_test.h"

/* The next event must be (@path, @token). */
static bool event_is(struct tc *t, const char *path, const char *token)
{
    struct tc_event *ev = malloc(sizeof(*ev));
    bool ok = ev && tc_event(t, ev) == 0 && strcmp(ev->path, path) == 0 &&
              strcmp(ev->token, token) == 0;

    if (!ok && ev)
        fprintf(stderr, "  expected event %s %s\n", path, token);
    free(ev);
    return ok;
}

static void test_watch_basics(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc w, d0;

    open_conn(&w, s, 0);
    open_conn(&d0, s, 0);
    /* Fires once at once, even for a missing node. */
    CHECK_EQ(tc_watch(&w, "/w", "tok"), 0);
    CHECK(event_is(&w, "/w", "tok"));
    CHECK_EQ(tc_drain_events(&w), 0);
    CHECK_EQ(tc_write(&d0, 0, "/w", "1"), 0);
    CHECK(event_is(&w, "/w", "tok"));
    /* Children fire the parent's watch with their own path. */
    CHECK_EQ(tc_write(&d0, 0, "/w/child/deep", "x"), 0);
    CHECK(event_is(&w, "/w/child/deep", "tok"));
    CHECK_EQ(tc_drain_events(&w), 0);
    /* A sibling sharing the prefix is not a child. */
    CHECK_EQ(tc_write(&d0, 0, "/wx", "1"), 0);
    CHECK_EQ(tc_drain_events(&w), 0);
    /* Removal: the watch on the removed node, and the one below it. */
    CHECK_EQ(tc_watch(&w, "/w/child/deep", "t2"), 0);
    CHECK(event_is(&w, "/w/child/deep", "t2"));
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/w", NULL, NULL), 0);
    CHECK_EQ(tc_drain_events(&w), 2);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/w", NULL, NULL), 0);
    CHECK_EQ(tc_drain_events(&w), 0); /* nothing was there */
    CHECK_EQ(tc_unwatch(&w, "/w/child/deep", "t2"), 0);
    /* Two tokens, two events; then one unwatched. */
    CHECK_EQ(tc_watch(&w, "/w", "tokB"), 0);
    CHECK(event_is(&w, "/w", "tokB"));
    CHECK_EQ(tc_watch(&w, "/w", "tokB"), -EEXIST);
    CHECK_EQ(tc_write(&d0, 0, "/w", "2"), 0);
    CHECK_EQ(tc_drain_events(&w), 2);
    CHECK_EQ(tc_unwatch(&w, "/w", "tokB"), 0);
    CHECK_EQ(tc_unwatch(&w, "/w", "tokB"), -ENOENT);
    CHECK_EQ(tc_write(&d0, 0, "/w", "3"), 0);
    CHECK(event_is(&w, "/w", "tok"));
    CHECK_EQ(tc_drain_events(&w), 0);
    /* Permissions changes fire; a no-op MKDIR does not. */
    CHECK_EQ(tc_set_perms(&d0, 0, "/w", "n0 r3"), 0);
    CHECK(event_is(&w, "/w", "tok"));
    CHECK_EQ(tc_str(&d0, XS_MKDIR, 0, "/w", NULL, NULL), 0);
    CHECK_EQ(tc_drain_events(&w), 0);
    /* A watch on the root sees everything. */
    CHECK_EQ(tc_watch(&w, "/", "root"), 0);
    CHECK(event_is(&w, "/", "root"));
    CHECK_EQ(tc_write(&d0, 0, "/elsewhere", "1"), 0);
    CHECK(event_is(&w, "/elsewhere", "root"));
    tc_close(&d0);
    tc_close(&w);
    xst_server_destroy(s);
}

static void test_watch_transactions(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc w, d0;
    long tx;

    open_conn(&w, s, 0);
    open_conn(&d0, s, 0);
    CHECK_EQ(tc_watch(&w, "/w", "tok"), 0);
    CHECK_EQ(tc_drain_events(&w), 1);
    tx = tc_tx_start(&d0);
    CHECK_EQ(tc_write(&d0, (uint32_t)tx, "/w/a", "1"), 0);
    CHECK_EQ(tc_drain_events(&w), 0);
    CHECK_EQ(tc_tx_end(&d0, (uint32_t)tx, true), 0);
    CHECK(event_is(&w, "/w/a", "tok"));
    CHECK_EQ(tc_drain_events(&w), 0);
    tx = tc_tx_start(&d0);
    CHECK_EQ(tc_write(&d0, (uint32_t)tx, "/w/b", "1"), 0);
    CHECK_EQ(tc_tx_end(&d0, (uint32_t)tx, false), 0);
    CHECK_EQ(tc_drain_events(&w), 0);
    /* A failed commit fires nothing either. */
    tx = tc_tx_start(&d0);
    CHECK_EQ(tc_write(&d0, (uint32_t)tx, "/w/a", "2"), 0);
    CHECK_EQ(xst_write(s, "/w/a", "3", 1), 0);
    CHECK(event_is(&w, "/w/a", "tok"));
    CHECK_EQ(tc_tx_end(&d0, (uint32_t)tx, true), -EAGAIN);
    CHECK_EQ(tc_drain_events(&w), 0);
    /* A removal inside a transaction fires the watches below it. */
    CHECK_EQ(tc_watch(&w, "/w/a", "below"), 0);
    CHECK_EQ(tc_drain_events(&w), 1);
    tx = tc_tx_start(&d0);
    CHECK_EQ(tc_str(&d0, XS_RM, (uint32_t)tx, "/w", NULL, NULL), 0);
    CHECK_EQ(tc_tx_end(&d0, (uint32_t)tx, true), 0);
    CHECK_EQ(tc_drain_events(&w), 2);
    tc_close(&d0);
    tc_close(&w);
    xst_server_destroy(s);
}

static void test_watch_guest(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc g5, d0;
    long tx;

    open_conn(&g5, s, 5);
    open_conn(&d0, s, 0);
    make_home(s, 5);
    make_home(s, 6);
    /* Relative watches report relative paths. */
    CHECK_EQ(tc_watch(&g5, "device", "dev"), 0);
    CHECK(event_is(&g5, "device", "dev"));
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/device/vif/0/state", "1"), 0);
    CHECK(event_is(&g5, "device/vif/0/state", "dev"));
    CHECK_EQ(tc_unwatch(&g5, "/local/domain/5/device", "dev"), 0);
    /* Nothing about nodes the guest may not read. */
    CHECK_EQ(tc_watch(&g5, "/local/domain/6", "other"), 0);
    CHECK_EQ(tc_drain_events(&g5), 1);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/6/secret", "s"), 0);
    CHECK_EQ(tc_drain_events(&g5), 0);
    CHECK_EQ(tc_set_perms(&d0, 0, "/local/domain/6/secret", "n6 r5"), 0);
    CHECK(event_is(&g5, "/local/domain/6/secret", "other"));
    /* Domain comings and goings are for dom0 only. */
    CHECK_EQ(tc_watch(&g5, "@releaseDomain", "rel"), 0);
    CHECK(event_is(&g5, "@releaseDomain", "rel"));
    CHECK_EQ(xst_domain_introduce(s, 6), 0);
    CHECK_EQ(xst_domain_release(s, 6), 0);
    CHECK_EQ(tc_drain_events(&g5), 0);
    /* RESET_WATCHES drops watches and transactions. */
    tx = tc_tx_start(&g5);
    CHECK(tx > 0);
    CHECK_EQ(tc_watch(&g5, "data", "d"), 0);
    CHECK_EQ(tc_drain_events(&g5), 1);
    CHECK_EQ(tc_str(&g5, XS_RESET_WATCHES, 0, "", NULL, NULL), 0);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/data", "1"), 0);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/6/secret", "2"), 0);
    CHECK_EQ(tc_drain_events(&g5), 0);
    CHECK_EQ(tc_tx_end(&g5, (uint32_t)tx, true), -ENOENT);
    tc_close(&d0);
    tc_close(&g5);
    xst_server_destroy(s);
}

static void test_domains(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st;
    struct tc d0, g7, g8;
    struct tc_msg m;

    open_conn(&d0, s, 0);
    open_conn(&g7, s, 7);
    open_conn(&g8, s, 8);
    CHECK_EQ(tc_watch(&d0, "@introduceDomain", "in"), 0);
    CHECK_EQ(tc_watch(&d0, "@releaseDomain", "out"), 0);
    CHECK_EQ(tc_drain_events(&d0), 2);
    CHECK_EQ(tc_watch(&d0, "@bogus", "x"), -EINVAL);
    CHECK_EQ(xst_domain_introduce(s, 7), 0);
    CHECK(event_is(&d0, "@introduceDomain", "in"));
    CHECK_EQ(xst_domain_introduce(s, 7), -EEXIST);
    CHECK_EQ(xst_domain_introduce(s, 0), -EINVAL);
    CHECK_EQ(xst_domain_introduce(s, DOMID_FIRST_RESERVED), -EINVAL);
    CHECK_EQ(tc_str(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL, &m), 0);
    CHECK(strcmp(m.body, "T") == 0);
    CHECK_EQ(tc_watch(&g7, "/local/domain/7", "w"), 0);
    xst_server_stats(s, &st);
    CHECK_EQ(st.watches, 3);
    CHECK_EQ(st.conns, 3);
    /* Release closes the domain's connections and forgets its watches. */
    CHECK_EQ(xst_domain_release(s, 7), 0);
    CHECK(event_is(&d0, "@releaseDomain", "out"));
    CHECK_EQ(tc_drain_events(&g7), 1); /* only the one from before */
    CHECK_EQ(tc_recv(&g7, &m), -EPIPE);
    xst_server_stats(s, &st);
    CHECK_EQ(st.watches, 2);
    CHECK_EQ(st.conns, 2);
    CHECK_EQ(st.conns_dropped, 0); /* released, not misbehaving */
    CHECK_EQ(xst_domain_release(s, 7), -ENOENT);
    /* The same over the wire. */
    CHECK_EQ(xst_domain_introduce(s, 8), 0);
    CHECK_EQ(tc_drain_events(&d0), 1);
    CHECK_EQ(tc_str(&d0, XS_RELEASE, 0, "8", NULL, NULL), 0);
    CHECK(event_is(&d0, "@releaseDomain", "out"));
    CHECK_EQ(tc_recv(&g8, &m), -EPIPE);
    CHECK_EQ(tc_str(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "8", NULL, &m), 0);
    CHECK(strcmp(m.body, "F") == 0);
    CHECK_EQ(tc_str(&d0, XS_RELEASE, 0, "8", NULL, NULL), -ENOENT);
    /* Xen's INTRODUCE names rings, which do not exist here (mfn and port
     * must be 0), and must carry the domain's connection: refused. */
    CHECK_EQ(tc_call(&d0, XS_INTRODUCE, 0, "9\0001\0002\0", 6, NULL), -EINVAL);
    CHECK_EQ(tc_call(&d0, XS_INTRODUCE, 0, "9\0000\0000\0", 6, NULL), -EINVAL);
    tc_close(&g8);
    tc_close(&g7);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_listen_socket(void)
{
    char dir[] = "/tmp/xst-test-XXXXXX", path[128], buf[BUF];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct xst_server *s, *s2;
    struct stat sb;
    struct tc c;
    int fd;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/sock", dir);
    s = xst_server_create(path, NULL);
    CHECK(s != NULL);
    if (!s)
        goto out;
    CHECK_EQ(stat(path, &sb), 0);
    CHECK(S_ISSOCK(sb.st_mode));
    CHECK_EQ(sb.st_mode & 0777, 0600);
    CHECK_EQ(tc_connect(&c, s, path), 0);
    /* Socket clients are dom0. */
    CHECK_EQ(tc_write(&c, 0, "/via/socket", "yes"), 0);
    CHECK_EQ(tc_read(&c, 0, "/", buf, sizeof(buf)), 0);
    CHECK_EQ(tc_read(&c, 0, "/via/socket", buf, sizeof(buf)), 3);
    tc_close(&c);
    /* A live daemon's socket is not taken over. */
    s2 = xst_server_create(path, NULL);
    CHECK(s2 == NULL && errno == EADDRINUSE);
    xst_server_destroy(s);
    CHECK(stat(path, &sb) < 0 && errno == ENOENT);
    /* A stale one (its daemon died) is. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memcpy(sa.sun_path, path, strlen(path) + 1); /* short: /tmp/... */
    CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    s = xst_server_create(path, NULL);
    CHECK(s != NULL);
    xst_server_destroy(s);
    /* Something that is not a socket is left alone. */
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    s = xst_server_create(path, NULL);
    CHECK(s == NULL && errno == EADDRINUSE);
    CHECK_EQ(stat(path, &sb), 0);
    CHECK(S_ISREG(sb.st_mode));
    unlink(path);
out:
    rmdir(dir);
}

/* Requests split across writes, and several in one write. */
static void test_partial_io(void)
{
    static const char req[] = "/p\0value";
    struct xst_server *s = srv_new(NULL);
    struct xsd_sockmsg h = {.type = XS_WRITE, .req_id = 77, .len = 8};
    char msg[sizeof(h) + 8], two[2 * sizeof(h) + 6], buf[BUF];
    struct tc_msg m;
    struct tc c;
    size_t i;

    open_conn(&c, s, 0);
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), req, 8);
    for (i = 0; i < sizeof(msg); i++) {
        CHECK_EQ(tc_send_raw(&c, msg + i, 1), 0);
        if (i + 1 < sizeof(msg))
            CHECK_EQ(tc_recv(&c, &m), -ETIMEDOUT);
    }
    CHECK_EQ(tc_recv(&c, &m), 0);
    CHECK_EQ(m.hdr.type, XS_WRITE);
    CHECK_EQ(m.hdr.req_id, 77);
    CHECK(strcmp(m.body, "OK") == 0);
    h.type = XS_READ;
    h.len = 3;
    for (i = 0; i < 2; i++) {
        h.req_id = 200 + (uint32_t)i;
        memcpy(two + i * (sizeof(h) + 3), &h, sizeof(h));
        memcpy(two + i * (sizeof(h) + 3) + sizeof(h), "/p", 3);
    }
    CHECK_EQ(tc_send_raw(&c, two, sizeof(two)), 0);
    for (i = 0; i < 2; i++) {
        CHECK_EQ(tc_recv(&c, &m), 0);
        CHECK_EQ(m.hdr.req_id, 200 + i);
        CHECK(strcmp(m.body, "value") == 0);
    }
    CHECK_EQ(tc_read(&c, 0, "/p", buf, sizeof(buf)), 5);
    tc_close(&c);
    xst_server_destroy(s);
}

static void test_direct_api(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xst_perm p[2] = {{.domid = 3, .perm = XST_PERM_NONE},
                            {.domid = 4, .perm = XST_PERM_READ}};
    struct xst_perm *got = NULL;
    unsigned n = 0;
    char *v = NULL, big[5000];
    size_t len = 0;
    struct tc w;

    open_conn(&w, s, 0);
    CHECK_EQ(tc_watch(&w, "/backend", "b"), 0);
    CHECK_EQ(tc_drain_events(&w), 1);
    CHECK_EQ(xst_write(s, "/backend/vif/3/0/state", "2", 1), 0);
    CHECK(event_is(&w, "/backend/vif/3/0/state", "b"));
    CHECK_EQ(xst_read(s, "/backend/vif/3/0/state", &v, &len), 0);
    CHECK(v && len == 1 && strcmp(v, "2") == 0);
    free(v);
    CHECK_EQ(xst_read(s, "/backend/none", &v, &len), -ENOENT);
    CHECK_EQ(xst_read(s, "relative", &v, &len), -EINVAL);
    CHECK_EQ(xst_write(s, "/bad//path", "", 0), -EINVAL);
    memset(big, 'b', sizeof(big));
    CHECK_EQ(xst_write(s, "/big", big, sizeof(big)), -E2BIG);
    CHECK_EQ(xst_mkdir(s, "/backend/vif/3/1"), 0);
    CHECK_EQ(xst_directory(s, "/backend/vif/3", &v, &len), 0);
    CHECK(len == 4 && memcmp(v, "0\0001\0", 4) == 0);
    free(v);
    CHECK_EQ(xst_set_perms(s, "/backend/vif/3", p, 2), 0);
    CHECK_EQ(xst_get_perms(s, "/backend/vif/3", &got, &n), 0);
    CHECK(n == 2 && got && got[0].domid == 3 && got[1].domid == 4 &&
          got[1].perm == XST_PERM_READ);
    free(got);
    CHECK_EQ(xst_set_perms(s, "/backend/vif/3", p, 0), -EINVAL);
    p[0].perm = 9;
    CHECK_EQ(xst_set_perms(s, "/backend/vif/3", p, 1), -EINVAL);
    CHECK_EQ(xst_rm(s, "/backend/vif/3"), 0);
    CHECK_EQ(xst_read(s, "/backend/vif/3/0/state", &v, &len), -ENOENT);
    CHECK_EQ(xst_rm(s, "/backend/vif/3"), 0);
    CHECK_EQ(xst_rm(s, "/nothing/here"), -ENOENT);
    CHECK_EQ(xst_server_add_conn(s, 5, DOMID_FIRST_RESERVED), -EINVAL);
    CHECK_EQ(xst_server_add_conn(s, -1, 3), -EBADF);
    tc_close(&w);
    xst_server_destroy(s);
    xst_server_destroy(NULL);
}

int main(void)
{
    RUN(test_watch_basics);
    RUN(test_watch_transactions);
    RUN(test_watch_guest);
    RUN(test_domains);
    RUN(test_listen_socket);
    RUN(test_partial_io);
    RUN(test_direct_api);
    return check_summary();
}
