/* SPDX-License-Identifier: MIT */
/*
 * xvmd's domain ids: handed out from 1 to XVMD_DOMID_LAST (the last id
 * below Xen's reserved ones), each time the lowest free id after the last
 * one handed out, wrapping; an id freed is handed out again only when the
 * rotation comes back to it; a create that failed gives its id back as if
 * it had never been taken; with every id in use, ENOSPC.
 */
#include <errno.h>

#include "check.h"
#include "xvm/xen.h"
#include "xvmd.h"

static void test_domid_range(void)
{
    CHECK_EQ(XVMD_DOMID_LAST, 32751);
    CHECK(XVMD_DOMID_LAST < DOMID_FIRST_RESERVED);
}

static void test_domid_rotates(void)
{
    struct xvmd_domids d;
    int i;

    xvmd_domid_init(&d);
    CHECK_EQ(xvmd_domid_alloc(&d), 1);
    CHECK_EQ(xvmd_domid_alloc(&d), 2);
    CHECK_EQ(xvmd_domid_alloc(&d), 3);
    xvmd_domid_free(&d, 2);
    /* not reused at once: the rotation goes on */
    CHECK_EQ(xvmd_domid_alloc(&d), 4);
    for (i = 5; i <= (int)XVMD_DOMID_LAST; i++)
        CHECK_EQ(xvmd_domid_alloc(&d), i);
    /* wrapped: the lowest free id after the last one */
    CHECK_EQ(xvmd_domid_alloc(&d), 2);
    xvmd_domid_free(&d, 1);
    xvmd_domid_free(&d, XVMD_DOMID_LAST);
    CHECK_EQ(xvmd_domid_alloc(&d), XVMD_DOMID_LAST);
    CHECK_EQ(xvmd_domid_alloc(&d), 1);
}

static void test_domid_exhausted(void)
{
    struct xvmd_domids d;
    unsigned i;

    xvmd_domid_init(&d);
    for (i = 1; i <= XVMD_DOMID_LAST; i++)
        CHECK_EQ(xvmd_domid_alloc(&d), (int)i);
    CHECK_EQ(xvmd_domid_alloc(&d), -ENOSPC);
    CHECK_EQ(xvmd_domid_alloc(&d), -ENOSPC);
    xvmd_domid_free(&d, 12345);
    CHECK_EQ(xvmd_domid_alloc(&d), 12345);
    CHECK_EQ(xvmd_domid_alloc(&d), -ENOSPC);
    /* ids outside the range are not ours: freeing them changes nothing */
    xvmd_domid_free(&d, 0);
    xvmd_domid_free(&d, XVMD_DOMID_LAST + 1);
    xvmd_domid_free(&d, 65536);
    xvmd_domid_free(&d, XVMD_NO_ID);
    CHECK_EQ(xvmd_domid_alloc(&d), -ENOSPC);
}

static void test_domid_failed_create_gives_back(void)
{
    struct xvmd_domids d;
    int id;

    xvmd_domid_init(&d);
    CHECK_EQ(xvmd_domid_alloc(&d), 1);
    id = xvmd_domid_alloc(&d);
    CHECK_EQ(id, 2);
    xvmd_domid_cancel(&d, id);
    CHECK_EQ(xvmd_domid_alloc(&d), 2);
    CHECK_EQ(xvmd_domid_alloc(&d), 3);
    /* a failed create at the end of the range does not move the wrap */
    xvmd_domid_init(&d);
    d.last = XVMD_DOMID_LAST - 1;
    id = xvmd_domid_alloc(&d);
    CHECK_EQ(id, XVMD_DOMID_LAST);
    xvmd_domid_cancel(&d, id);
    CHECK_EQ(xvmd_domid_alloc(&d), XVMD_DOMID_LAST);
    CHECK_EQ(xvmd_domid_alloc(&d), 1);
}

int main(void)
{
    RUN(test_domid_range);
    RUN(test_domid_rotates);
    RUN(test_domid_exhausted);
    RUN(test_domid_failed_create_gives_back);
    return check_summary();
}
