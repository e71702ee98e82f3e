/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/check.h - the tiny test harness every C test uses.
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_EQ(a, b); }
 *   int main(void) { RUN(test_something); return check_summary(); }
 *
 * A failed CHECK prints file:line and the expression and marks the current
 * test failed; the test goes on so one run shows every failure.  main()
 * returns non-zero if anything failed, which is what meson test looks at.
 */
#ifndef XVNET_TESTS_CHECK_H
#define XVNET_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_failed_total;
static int check_failed_here;
static int check_tests_run;

#define CHECK(expr)                                                          \
    do {                                                                     \
        if (!(expr)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #expr);                                                  \
            check_failed_here++;                                             \
        }                                                                    \
    } while (0)

#define CHECK_EQ(a, b)                                                       \
    do {                                                                     \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);      \
        if (check_a_ != check_b_) {                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);         \
            check_failed_here++;                                             \
        }                                                                    \
    } while (0)

#define RUN(fn)                                                              \
    do {                                                                     \
        check_failed_here = 0;                                               \
        check_tests_run++;                                                   \
        fn();                                                                \
        printf("%s %s\n", check_failed_here ? "FAIL" : "ok  ", #fn);        \
        fflush(stdout);                                                      \
        if (check_failed_here)                                               \
            check_failed_total++;                                            \
    } while (0)

static inline int check_summary(void)
{
    printf("%d tests, %d failed\n", check_tests_run, check_failed_total);
    return check_failed_total ? 1 : 0;
}

#endif
