/* SPDX-License-Identifier: MIT */
/*
 * When the pump looks once more instead of sleeping (lib/xnftap/spin_pvt.h),
 * driven with made-up times: it looks for XNFTAP_SPIN_NS after its last
 * work, not longer; steady traffic cannot make it look more than a tenth
 * of the time; a quiet spell gives the whole spin back.
 */
#include <stdio.h>

#include "check.h"
#include "spin_pvt.h"

#define US 1000ull

static void test_spin_after_work(void)
{
    struct xnftap_spin sp = {.prev = 0, .last = 0,
                             .credit = XNFTAP_SPIN_NS};
    uint64_t t = 1000 * US;

    CHECK(!xnftap_spin_more(&sp, true, t)); /* work: no need to look */
    CHECK(xnftap_spin_more(&sp, false, t + 10 * US));
    CHECK(xnftap_spin_more(&sp, false, t + 200 * US));
    CHECK(!xnftap_spin_more(&sp, false, t + XNFTAP_SPIN_NS + 10 * US));
}

/* A frame every 250 us and a fruitless pass every 5 us between: the
 * share of time spent looking for nothing stays near a tenth. */
static void test_spin_share(void)
{
    struct xnftap_spin sp = {.prev = 0, .last = 0,
                             .credit = XNFTAP_SPIN_NS};
    uint64_t t = 0, looked = 0, end = 1000000 * US;

    while (t < end) {
        uint64_t next = t + 250 * US;

        xnftap_spin_more(&sp, true, t);
        while ((t += 5 * US) < next && xnftap_spin_more(&sp, false, t))
            looked += 5 * US;
        t = next; /* slept until the next frame */
    }
    printf("looked %.1f %% of the time\n", 100.0 * looked / end);
    CHECK(looked > end / 20);
    CHECK(looked <= end / XNFTAP_SPIN_SHARE + XNFTAP_SPIN_NS);
}

/* After a quiet second the whole spin is there again. */
static void test_spin_refills(void)
{
    struct xnftap_spin sp = {.prev = 0, .last = 0, .credit = -1000 * US};
    uint64_t t = 1000000 * US;

    CHECK(!xnftap_spin_more(&sp, true, t));
    CHECK_EQ(sp.credit, (int64_t)XNFTAP_SPIN_NS);
    CHECK(xnftap_spin_more(&sp, false, t + XNFTAP_SPIN_NS - 10 * US));
}

int main(void)
{
    RUN(test_spin_after_work);
    RUN(test_spin_share);
    RUN(test_spin_refills);
    return check_summary();
}
