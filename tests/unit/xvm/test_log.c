/* SPDX-License-Identifier: MIT */
/*
 * The daemons' log limit (xvm/log.h): a source gets XVM_LOG_LIMIT_BURST
 * lines, then one a second; the line after held-back ones counts them;
 * a line below the log level takes nothing.  Time passes by moving the
 * limit's clock back, so the test never sleeps.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "xvm/log.h"

/* As if @gaps seconds had passed for @lim. */
static void age(struct xvm_log_limit *lim, unsigned gaps)
{
    lim->at_ns -= gaps * XVM_LOG_LIMIT_GAP_NS;
}

static void test_take(void)
{
    struct xvm_log_limit lim = {0};
    unsigned held = 99, i, went = 0;

    for (i = 0; i < 1000; i++)
        went += xvm_log_limit_take(&lim, &held);
    CHECK_EQ(went, XVM_LOG_LIMIT_BURST);
    CHECK_EQ(held, 0);
    /* one second: one line, which learns of the 990 held back */
    age(&lim, 1);
    CHECK(xvm_log_limit_take(&lim, &held));
    CHECK_EQ(held, 1000 - XVM_LOG_LIMIT_BURST);
    CHECK(!xvm_log_limit_take(&lim, &held));
    /* three seconds: three lines */
    age(&lim, 3);
    for (went = 0, i = 0; i < 100; i++)
        went += xvm_log_limit_take(&lim, NULL);
    CHECK_EQ(went, 3);
    /* a long quiet: the whole burst again, never more */
    age(&lim, 1000);
    for (went = 0, i = 0; i < 100; i++)
        went += xvm_log_limit_take(&lim, &held);
    CHECK_EQ(went, XVM_LOG_LIMIT_BURST);
    /* two sources do not share their budget */
    {
        struct xvm_log_limit other = {0};

        CHECK(xvm_log_limit_take(&other, &held));
        CHECK_EQ(held, 0);
    }
}

/* What xvm_log_limited() writes for @n calls (stderr into a file). */
static char *written(struct xvm_log_limit *lim, unsigned n,
                     enum xvm_log_level level)
{
    static char buf[65536];
    int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600), saved = dup(2);
    ssize_t len;

    CHECK(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    for (unsigned i = 0; i < n; i++)
        xvm_log_limited(lim, level, "domain %u: bad key %u", 7u, i);
    dup2(saved, 2);
    close(saved);
    len = pread(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    buf[len > 0 ? len : 0] = '\0';
    return buf;
}

static unsigned lines(const char *s)
{
    unsigned n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_limited(void)
{
    struct xvm_log_limit lim = {0};
    char *out;

    xvm_log_open("test_log", false);
    xvm_log_set_level(XVM_LOG_INFO);
    out = written(&lim, 500, XVM_LOG_WARNING);
    CHECK_EQ(lines(out), XVM_LOG_LIMIT_BURST);
    CHECK(strstr(out, "test_log: warning: domain 7: bad key 0\n"));
    CHECK(strstr(out, "domain 7: bad key 9\n"));
    CHECK(!strstr(out, "suppressed"));
    age(&lim, 1);
    out = written(&lim, 500, XVM_LOG_WARNING);
    CHECK_EQ(lines(out), 1);
    CHECK(strstr(out, "domain 7: bad key 0 (490 earlier lines suppressed)\n"));
    /* below the level: nothing written, nothing taken, nothing counted */
    age(&lim, 1000);
    out = written(&lim, 500, XVM_LOG_DEBUG);
    CHECK_EQ(lines(out), 0);
    out = written(&lim, 500, XVM_LOG_WARNING);
    CHECK_EQ(lines(out), XVM_LOG_LIMIT_BURST);
    /* the 499 held back after the last line that went, not the debug
     * lines */
    CHECK(strstr(out, "bad key 0 (499 earlier lines suppressed)\n"));
    CHECK(strstr(out, "bad key 1\n"));
}

int main(void)
{
    RUN(test_take);
    RUN(test_limited);
    return check_summary();
}
