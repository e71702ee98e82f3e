/* SPDX-License-Identifier: MIT */
/*
 * xenstore operations over xs_wire: read/write/mkdir/rm/directory, the
 * permission rules for guest connections, relative paths, and
 * transactions with commits, aborts and conflicts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xst_test.h"

static void test_read_write(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0;
    struct tc_msg m;
    char buf[BUF];

    open_conn(&d0, s, 0);
    CHECK_EQ(tc_write(&d0, 0, "/a/b/c", "v1"), 0);
    CHECK_EQ(tc_read(&d0, 0, "/a/b/c", buf, sizeof(buf)), 2);
    CHECK(strcmp(buf, "v1") == 0);
    /* WRITE created the parents, with empty values. */
    CHECK_EQ(tc_read(&d0, 0, "/a/b", buf, sizeof(buf)), 0);
    CHECK_EQ(tc_dir(&d0, 0, "/a", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "b") == 0);
    CHECK_EQ(tc_write(&d0, 0, "/a/b/c", "value two"), 0);
    CHECK_EQ(tc_read(&d0, 0, "/a/b/c", buf, sizeof(buf)), 9);
    CHECK(strcmp(buf, "value two") == 0);
    CHECK_EQ(tc_read(&d0, 0, "/a/x", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_dir(&d0, 0, "/a/x", buf, sizeof(buf)), -ENOENT);
    /* Values are bytes: an embedded NUL survives, nothing is appended. */
    CHECK_EQ(tc_call(&d0, XS_WRITE, 0, "/bin\0a\0b", 8, NULL), 0);
    CHECK_EQ(tc_str(&d0, XS_READ, 0, "/bin", NULL, &m), 0);
    CHECK_EQ(m.hdr.len, 3);
    CHECK(memcmp(m.body, "a\0b", 3) == 0);
    CHECK_EQ(tc_write(&d0, 0, "/empty", ""), 0);
    CHECK_EQ(tc_read(&d0, 0, "/empty", buf, sizeof(buf)), 0);
    /* A reply of nearly a full payload. */
    memset(buf, 'z', 4000);
    buf[4000] = '\0';
    CHECK_EQ(tc_write(&d0, 0, "/big", buf), 0);
    CHECK_EQ(tc_str(&d0, XS_READ, 0, "/big", NULL, &m), 0);
    CHECK_EQ(m.hdr.len, 4000);
    CHECK(memcmp(m.body, buf, 4000) == 0);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_directory_part(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0;
    struct tc_msg m;
    char path[128], buf[BUF], off[16], gen[32] = "";
    char *all = calloc(1, 16384), *names0;
    size_t total = 0, gl, nl;
    unsigned i, names = 0, rounds = 0;
    int r;

    open_conn(&d0, s, 0);
    CHECK_EQ(xst_mkdir(s, "/big"), 0);
    CHECK_EQ(xst_directory(s, "/big", &names0, &nl), 0);
    CHECK_EQ(nl, 0);
    free(names0);
    for (i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/big/child-name-%08u", i);
        CHECK_EQ(xst_write(s, path, "", 0), 0);
    }
    /* 300 names of 20 bytes do not fit one reply. */
    CHECK_EQ(tc_dir(&d0, 0, "/big", buf, sizeof(buf)), -E2BIG);
    do {
        snprintf(off, sizeof(off), "%zu", total);
        r = tc_str(&d0, XS_DIRECTORY_PART, 0, "/big", off, &m);
        CHECK_EQ(r, 0);
        if (r)
            break;
        gl = strlen(m.body) + 1;
        if (rounds++ == 0 && gl < sizeof(gen))
            memcpy(gen, m.body, gl);
        CHECK(strcmp(gen, m.body) == 0);
        CHECK(m.hdr.len <= XENSTORE_PAYLOAD_MAX);
        memcpy(all + total, m.body + gl, m.hdr.len - gl);
        total += m.hdr.len - gl;
    } while ((total < 2 || all[total - 2] != '\0') && rounds < 10);
    CHECK(rounds >= 2 && rounds < 10);
    for (i = 0; i + 1 < total; i += (unsigned)strlen(all + i) + 1) {
        snprintf(path, sizeof(path), "child-name-%08u", names);
        CHECK(strcmp(all + i, path) == 0);
        names++;
    }
    CHECK_EQ(names, 300);
    CHECK_EQ(tc_str(&d0, XS_DIRECTORY_PART, 0, "/big", "3", NULL), -EINVAL);
    CHECK_EQ(tc_str(&d0, XS_DIRECTORY_PART, 0, "/big", "99999", NULL), -EINVAL);
    CHECK_EQ(tc_str(&d0, XS_DIRECTORY_PART, 0, "/big", "x", NULL), -EINVAL);
    CHECK_EQ(tc_str(&d0, XS_DIRECTORY_PART, 0, "/big", "-1", NULL), -EINVAL);
    free(all);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_mkdir(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0;
    char buf[BUF];

    open_conn(&d0, s, 0);
    CHECK_EQ(tc_str(&d0, XS_MKDIR, 0, "/m/n", NULL, NULL), 0);
    CHECK_EQ(tc_read(&d0, 0, "/m/n", buf, sizeof(buf)), 0);
    CHECK_EQ(tc_write(&d0, 0, "/m/n", "x"), 0);
    /* An existing node keeps its value. */
    CHECK_EQ(tc_str(&d0, XS_MKDIR, 0, "/m/n", NULL, NULL), 0);
    CHECK_EQ(tc_read(&d0, 0, "/m/n", buf, sizeof(buf)), 1);
    CHECK(strcmp(buf, "x") == 0);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_rm(void)
{
    struct xst_server *s = srv_new(NULL);
    struct xst_stats st0, st;
    struct tc d0;
    char buf[BUF];

    open_conn(&d0, s, 0);
    xst_server_stats(s, &st0);
    CHECK_EQ(tc_write(&d0, 0, "/r/a/b", "1"), 0);
    CHECK_EQ(tc_write(&d0, 0, "/r/a/c", "2"), 0);
    CHECK_EQ(tc_write(&d0, 0, "/r/d", "3"), 0);
    xst_server_stats(s, &st);
    CHECK_EQ(st.nodes, st0.nodes + 5);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/r/a", NULL, NULL), 0);
    CHECK_EQ(tc_read(&d0, 0, "/r/a/b", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_read(&d0, 0, "/r/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_dir(&d0, 0, "/r", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "d") == 0);
    /* Gone already, parent present: fine.  Parent missing: ENOENT. */
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/r/a", NULL, NULL), 0);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/r/zz/yy", NULL, NULL), -ENOENT);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/", NULL, NULL), -EINVAL);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, "/r", NULL, NULL), 0);
    xst_server_stats(s, &st);
    CHECK_EQ(st.nodes, st0.nodes);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_perms_inherit(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0, g5;
    char buf[BUF];

    open_conn(&d0, s, 0);
    open_conn(&g5, s, 5);
    make_home(s, 5);
    CHECK_EQ(tc_get_perms(&d0, 0, "/", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "n0") == 0);
    CHECK_EQ(tc_write(&d0, 0, "/p", ""), 0);
    CHECK_EQ(tc_set_perms(&d0, 0, "/p", "n0 r5"), 0);
    CHECK_EQ(tc_get_perms(&d0, 0, "/p", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "n0 r5") == 0);
    CHECK_EQ(tc_write(&d0, 0, "/p/q/r", "x"), 0);
    CHECK_EQ(tc_get_perms(&d0, 0, "/p/q/r", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "n0 r5") == 0);
    /* What a guest creates is its own, other entries inherited. */
    CHECK_EQ(tc_write(&d0, 0, "/shared", ""), 0);
    CHECK_EQ(tc_set_perms(&d0, 0, "/shared", "n0 w5"), 0);
    CHECK_EQ(tc_write(&g5, 0, "/shared/g", "mine"), 0);
    CHECK_EQ(tc_get_perms(&d0, 0, "/shared/g", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "n5 w5") == 0);
    CHECK_EQ(tc_write(&g5, 0, "/local/domain/5/x/y", "1"), 0);
    CHECK_EQ(tc_get_perms(&g5, 0, "/local/domain/5/x/y", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "n5") == 0);
    /* dom0 writing into a guest's home creates nodes the guest owns. */
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/5/from0", "1"), 0);
    CHECK_EQ(tc_get_perms(&d0, 0, "/local/domain/5/from0", buf, sizeof(buf)),
             0);
    CHECK(strcmp(buf, "n5") == 0);
    tc_close(&g5);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_guest_denials(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0, g5, g6;
    char buf[BUF];

    open_conn(&d0, s, 0);
    open_conn(&g5, s, 5);
    open_conn(&g6, s, 6);
    make_home(s, 5);
    make_home(s, 6);
    CHECK_EQ(tc_write(&d0, 0, "/local/domain/6/secret", "s"), 0);
    CHECK_EQ(tc_read(&g6, 0, "/local/domain/6/secret", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_read(&g5, 0, "/local/domain/6/secret", buf, sizeof(buf)),
             -EACCES);
    CHECK_EQ(tc_write(&g5, 0, "/local/domain/6/secret", "x"), -EACCES);
    CHECK_EQ(tc_write(&g5, 0, "/local/domain/6/new", "x"), -EACCES);
    CHECK_EQ(tc_str(&g5, XS_MKDIR, 0, "/local/domain/6/d", NULL, NULL),
             -EACCES);
    CHECK_EQ(tc_str(&g5, XS_RM, 0, "/local/domain/6/secret", NULL, NULL),
             -EACCES);
    CHECK_EQ(tc_read(&d0, 0, "/local/domain/6/secret", buf, sizeof(buf)), 1);
    CHECK(strcmp(buf, "s") == 0);
    /* A missing node under an unreadable parent does not say ENOENT. */
    CHECK_EQ(tc_read(&g5, 0, "/local/domain/6/nothing", buf, sizeof(buf)),
             -EACCES);
    CHECK_EQ(tc_read(&g5, 0, "/local/domain/5/nothing", buf, sizeof(buf)),
             -ENOENT);
    CHECK_EQ(tc_read(&g5, 0, "/", buf, sizeof(buf)), -EACCES);
    CHECK_EQ(tc_dir(&g5, 0, "/local/domain", buf, sizeof(buf)), -EACCES);
    CHECK_EQ(tc_get_perms(&g5, 0, "/local/domain/6/secret", buf, sizeof(buf)),
             -EACCES);
    CHECK_EQ(tc_set_perms(&g5, 0, "/local/domain/6/secret", "b5"), -EACCES);
    /* Owners may share but not give away. */
    CHECK_EQ(tc_write(&g5, 0, "/local/domain/5/mine", "m"), 0);
    CHECK_EQ(tc_set_perms(&g5, 0, "/local/domain/5/mine", "n6"), -EPERM);
    CHECK_EQ(tc_set_perms(&g5, 0, "/local/domain/5/mine", "n5 r6"), 0);
    CHECK_EQ(tc_read(&g6, 0, "/local/domain/5/mine", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_write(&g6, 0, "/local/domain/5/mine", "x"), -EACCES);
    /* Read-only and write-only grants. */
    CHECK_EQ(tc_write(&d0, 0, "/pub", "p"), 0);
    CHECK_EQ(tc_set_perms(&d0, 0, "/pub", "n0 r5"), 0);
    CHECK_EQ(tc_read(&g5, 0, "/pub", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_read(&g6, 0, "/pub", buf, sizeof(buf)), -EACCES);
    CHECK_EQ(tc_write(&g5, 0, "/pub", "x"), -EACCES);
    CHECK_EQ(tc_write(&d0, 0, "/drop", ""), 0);
    CHECK_EQ(tc_set_perms(&d0, 0, "/drop", "n0 w5"), 0);
    CHECK_EQ(tc_write(&g5, 0, "/drop", "in"), 0);
    CHECK_EQ(tc_read(&g5, 0, "/drop", buf, sizeof(buf)), -EACCES);
    /* The "everyone else" entry. */
    CHECK_EQ(tc_set_perms(&d0, 0, "/pub", "r0"), 0);
    CHECK_EQ(tc_read(&g6, 0, "/pub", buf, sizeof(buf)), 1);
    /* dom0-only requests. */
    CHECK_EQ(tc_str(&g5, XS_RELEASE, 0, "6", NULL, NULL), -EACCES);
    CHECK_EQ(tc_str(&g5, XS_IS_DOMAIN_INTRODUCED, 0, "6", NULL, NULL), -EACCES);
    CHECK_EQ(tc_call(&g5, XS_INTRODUCE, 0, "6\0001\0002\0", 6, NULL), -EACCES);
    CHECK_EQ(tc_call(&g5, XS_SET_TARGET, 0, "5\0000\0", 4, NULL), -EACCES);
    /* Nothing the guest said made it dom0. */
    CHECK_EQ(tc_read(&g5, 0, "/local/domain/6/secret", buf, sizeof(buf)),
             -EACCES);
    tc_close(&g6);
    tc_close(&g5);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_relative_paths(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc d0, g5;
    struct tc_msg m;
    char buf[BUF];

    open_conn(&d0, s, 0);
    open_conn(&g5, s, 5);
    make_home(s, 5);
    CHECK_EQ(tc_write(&g5, 0, "device/vif/0/state", "1"), 0);
    CHECK_EQ(
        tc_read(&d0, 0, "/local/domain/5/device/vif/0/state", buf, sizeof(buf)),
        1);
    CHECK_EQ(tc_read(&g5, 0, "device/vif/0/state", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_dir(&g5, 0, "device/vif", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "0") == 0);
    CHECK_EQ(tc_write(&d0, 0, "name", "dom0"), 0);
    CHECK_EQ(tc_read(&d0, 0, "/local/domain/0/name", buf, sizeof(buf)), 4);
    CHECK_EQ(tc_str(&g5, XS_GET_DOMAIN_PATH, 0, "5", NULL, &m), 0);
    CHECK(strcmp(m.body, "/local/domain/5") == 0);
    CHECK_EQ(m.hdr.len, strlen("/local/domain/5") + 1);
    CHECK_EQ(tc_str(&g5, XS_GET_DOMAIN_PATH, 0, "abc", NULL, NULL), -EINVAL);
    CHECK_EQ(tc_str(&g5, XS_GET_DOMAIN_PATH, 0, "70000", NULL, NULL), -EINVAL);
    tc_close(&g5);
    tc_close(&d0);
    xst_server_destroy(s);
}

static void test_transaction_commit_abort(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc a, b;
    char buf[BUF];
    long tx, tx2;

    open_conn(&a, s, 0);
    open_conn(&b, s, 0);
    CHECK_EQ(tc_write(&a, 0, "/t/old", "o"), 0);
    tx = tc_tx_start(&a);
    CHECK(tx > 0);
    CHECK_EQ(tc_write(&a, (uint32_t)tx, "/t/a", "1"), 0);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/a", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_dir(&a, (uint32_t)tx, "/t", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "old a") == 0);
    CHECK_EQ(tc_read(&b, 0, "/t/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_read(&a, 0, "/t/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_str(&a, XS_RM, (uint32_t)tx, "/t/old", NULL, NULL), 0);
    CHECK_EQ(tc_read(&b, 0, "/t/old", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), 0);
    CHECK_EQ(tc_read(&b, 0, "/t/a", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_read(&b, 0, "/t/old", buf, sizeof(buf)), -ENOENT);
    /* The id is gone with the transaction. */
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), -ENOENT);

    tx = tc_tx_start(&a);
    tx2 = tc_tx_start(&a);
    CHECK(tx > 0 && tx2 > 0 && tx != tx2);
    CHECK_EQ(tc_write(&a, (uint32_t)tx, "/t/b", "2"), 0);
    CHECK_EQ(tc_write(&a, (uint32_t)tx2, "/t/c", "3"), 0);
    CHECK_EQ(tc_str(&a, XS_TRANSACTION_END, (uint32_t)tx, "X", NULL, NULL),
             -EINVAL);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, false), 0);
    CHECK_EQ(tc_read(&b, 0, "/t/b", buf, sizeof(buf)), -ENOENT);
    /* Independent transactions: aborting one leaves the other. */
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx2, true), 0);
    CHECK_EQ(tc_read(&b, 0, "/t/c", buf, sizeof(buf)), 1);
    /* Nested starts are refused; unknown ids are ENOENT. */
    CHECK_EQ(tc_str(&a, XS_TRANSACTION_START, 12345, "", NULL, NULL), -ENOENT);
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_str(&a, XS_TRANSACTION_START, (uint32_t)tx, "", NULL, NULL),
             -EBUSY);
    CHECK_EQ(tc_read(&a, 987654, "/t/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_tx_end(&a, 0, true), -ENOENT);
    /* Another connection cannot use this one's transaction. */
    CHECK_EQ(tc_read(&b, (uint32_t)tx, "/t/a", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, false), 0);
    tc_close(&b);
    tc_close(&a);
    xst_server_destroy(s);
}

static void test_transaction_conflicts(void)
{
    struct xst_server *s = srv_new(NULL);
    struct tc a, b;
    char buf[BUF];
    long tx;

    open_conn(&a, s, 0);
    open_conn(&b, s, 0);
    CHECK_EQ(tc_write(&a, 0, "/t/a", "0"), 0);
    CHECK_EQ(tc_write(&a, 0, "/u/y", "0"), 0);
    /* Read, then someone else writes it: EAGAIN, nothing applied. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/a", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_write(&b, 0, "/t/a", "2"), 0);
    CHECK_EQ(tc_write(&a, (uint32_t)tx, "/t/c", "x"), 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), -EAGAIN);
    CHECK_EQ(tc_read(&b, 0, "/t/c", buf, sizeof(buf)), -ENOENT);
    /* Both wrote: the later commit loses. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_write(&a, (uint32_t)tx, "/t/a", "3"), 0);
    CHECK_EQ(tc_write(&b, 0, "/t/a", "4"), 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), -EAGAIN);
    CHECK_EQ(tc_read(&b, 0, "/t/a", buf, sizeof(buf)), 1);
    CHECK(strcmp(buf, "4") == 0);
    /* A node read as missing and created meanwhile. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/new", buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(tc_write(&b, 0, "/t/new", "n"), 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), -EAGAIN);
    /* Removed meanwhile. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/new", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_str(&b, XS_RM, 0, "/t/new", NULL, NULL), 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), -EAGAIN);
    /* Changes elsewhere do not conflict. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/a", buf, sizeof(buf)), 1);
    CHECK_EQ(tc_write(&a, (uint32_t)tx, "/t/a", "5"), 0);
    CHECK_EQ(tc_write(&b, 0, "/u/y", "1"), 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), 0);
    CHECK_EQ(tc_read(&b, 0, "/t/a", buf, sizeof(buf)), 1);
    CHECK(strcmp(buf, "5") == 0);
    /* A conflicting plain write made before the read is no conflict. */
    tx = tc_tx_start(&a);
    CHECK_EQ(tc_write(&b, 0, "/t/a", "6"), 0);
    CHECK_EQ(tc_read(&a, (uint32_t)tx, "/t/a", buf, sizeof(buf)), 1);
    CHECK(strcmp(buf, "6") == 0);
    CHECK_EQ(tc_tx_end(&a, (uint32_t)tx, true), 0);
    /* Guests use transactions in their own home too. */
    tc_close(&b);
    open_conn(&b, s, 5);
    make_home(s, 5);
    tx = tc_tx_start(&b);
    CHECK(tx > 0);
    CHECK_EQ(tc_write(&b, (uint32_t)tx, "feature-sg", "1"), 0);
    CHECK_EQ(tc_write(&b, (uint32_t)tx, "state", "4"), 0);
    CHECK_EQ(tc_write(&b, (uint32_t)tx, "/local/domain/0/x", "1"), -EACCES);
    CHECK_EQ(tc_tx_end(&b, (uint32_t)tx, true), 0);
    CHECK_EQ(tc_read(&a, 0, "/local/domain/5/state", buf, sizeof(buf)), 1);
    tc_close(&b);
    tc_close(&a);
    xst_server_destroy(s);
}

int main(void)
{
    RUN(test_read_write);
    RUN(test_directory_part);
    RUN(test_mkdir);
    RUN(test_rm);
    RUN(test_perms_inherit);
    RUN(test_guest_denials);
    RUN(test_relative_paths);
    RUN(test_transaction_commit_abort);
    RUN(test_transaction_conflicts);
    return check_summary();
}
