/* SPDX-License-Identifier: MIT */
/*
 * The set-up the xenstore tests share: an in-process server, a guest's or
 * dom0's connection to it, a guest's home.  Inline, so that the checks
 * count in the test that includes it (check.h).
 */
#ifndef XST_TEST_H
#define XST_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "xst_client.h"

/* Room for any value or reply the tests read. */
#define BUF 4200

/* A server with @cfg (NULL: the defaults); aborts if there is none. */
static inline struct xst_server *srv_new(const struct xst_config *cfg)
{
    struct xst_server *s = xst_server_create(NULL, cfg);

    if (!s)
        abort();
    return s;
}

/* A connection served as @domid (tc_open()); aborts if there is none. */
static inline void open_conn(struct tc *t, struct xst_server *s,
                             uint16_t domid)
{
    if (tc_open(t, s, domid) != 0)
        abort();
}

/* /local/domain/<id> as xvmd makes it: owned by the guest, closed to
 * others. */
static inline void make_home(struct xst_server *s, uint16_t domid)
{
    struct xst_perm perm = {.domid = domid, .perm = XST_PERM_NONE};
    char p[64];

    snprintf(p, sizeof(p), "/local/domain/%u", (unsigned)domid);
    CHECK_EQ(xst_mkdir(s, p), 0);
    CHECK_EQ(xst_set_perms(s, p, &perm, 1), 0);
}

#endif /* XST_TEST_H */
