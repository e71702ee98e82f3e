/* SPDX-License-Identifier: MIT */
/*
 * The store's node copies, white box (built with libxst's sources): a
 * node's list of children is shared with its copies, so the work of a
 * write that does not add or remove a child, or of a transaction that
 * only touches the node, does not grow with the number of its children.
 * Checked without timing: the list is the same buffer before and after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xst_client.h"
#include "xst_pvt.h"

#define PARENT "/local/domain/7"

static const struct xst_node *node(struct xst_server *s, const char *path)
{
    return xst_store_get(&s->store, path);
}

static void test_child_list_shared(void)
{
    struct xst_server *s = xst_server_create(NULL, NULL);
    const char *list;
    char path[64];
    size_t clen;
    struct tc d0;
    long tx;
    int i;

    CHECK(s != NULL);
    CHECK_EQ(tc_open(&d0, s, 0), 0);
    for (i = 0; i < 3000; i++) {
        snprintf(path, sizeof(path), PARENT "/sibling-%04d", i);
        CHECK_EQ(xst_write(s, path, "v", 1), 0);
    }
    list = node(s, PARENT)->children;
    clen = node(s, PARENT)->clen;
    CHECK_EQ(clen, 3000 * 13);
    /* the node's own value: a new node, the same list */
    CHECK_EQ(tc_write(&d0, 0, PARENT, "value"), 0);
    CHECK(node(s, PARENT)->children == list);
    CHECK_EQ(node(s, PARENT)->clen, clen);
    /* its permissions: the same */
    CHECK_EQ(tc_set_perms(&d0, 0, PARENT, "n0 r7"), 0);
    CHECK(node(s, PARENT)->children == list);
    /* a transaction writing it and a sibling */
    tx = tc_tx_start(&d0);
    CHECK(tx > 0);
    CHECK_EQ(tc_write(&d0, (uint32_t)tx, PARENT, "again"), 0);
    CHECK_EQ(tc_write(&d0, (uint32_t)tx, PARENT "/sibling-0001", "w"), 0);
    CHECK_EQ(tc_tx_end(&d0, (uint32_t)tx, true), 0);
    CHECK(node(s, PARENT)->children == list);
    /* adding a child makes a new list, removing one another */
    CHECK_EQ(tc_write(&d0, 0, PARENT "/new", "v"), 0);
    CHECK(node(s, PARENT)->children != list);
    CHECK_EQ(node(s, PARENT)->clen, clen + 4);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, PARENT "/sibling-0000", NULL, NULL), 0);
    CHECK_EQ(node(s, PARENT)->clen, clen + 4 - 13);
    CHECK(memcmp(node(s, PARENT)->children, "sibling-0001", 13) == 0);
    /* removing them all leaves no list */
    CHECK_EQ(tc_str(&d0, XS_RM, 0, PARENT, NULL, NULL), 0);
    CHECK_EQ(xst_write(s, PARENT "/one", "v", 1), 0);
    CHECK_EQ(tc_str(&d0, XS_RM, 0, PARENT "/one", NULL, NULL), 0);
    CHECK(node(s, PARENT)->children == NULL);
    CHECK_EQ(node(s, PARENT)->clen, 0);
    tc_close(&d0);
    xst_server_destroy(s);
}

int main(void)
{
    RUN(test_child_list_shared);
    return check_summary();
}
