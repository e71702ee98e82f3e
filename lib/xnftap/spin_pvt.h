/* SPDX-License-Identifier: MIT */
/*
 * spin_pvt.h - when the pump looks once more instead of sleeping (pump.c;
 * a header so that tests/unit/xnftap can drive it with made-up times).
 */
#ifndef XNFTAP_SPIN_PVT_H
#define XNFTAP_SPIN_PVT_H
#include <stdbool.h>
#include <stdint.h>

/* The pump's looking before it sleeps. */
struct xnftap_spin {
    uint64_t prev;   /* end of the previous pass, ns */
    uint64_t last;   /* end of the last pass that found work */
    int64_t credit;  /* ns of fruitless looking allowed now */
};

/* How long the loop goes on looking after its last work before sleeping
 * (measured: bench/README.md, "Process domains: latency"). */
#define XNFTAP_SPIN_NS 300000u
/* At most 1/XNFTAP_SPIN_SHARE of the time goes to fruitless looking: steady
 * traffic a frame every few hundred microseconds would otherwise keep the
 * pump from ever sleeping. */
#define XNFTAP_SPIN_SHARE 10u

/*
 * Whether to look once more rather than sleep, @work having been found
 * or not by the pass that ended at @now.  The spin credit earns 1/XNFTAP_SPIN_SHARE
 * of all time and pays for each fruitless pass; it holds XNFTAP_SPIN_NS at most.
 */
static inline bool xnftap_spin_more(struct xnftap_spin *sp, bool work,
                                    uint64_t now)
{
    uint64_t dt = now - sp->prev;

    sp->prev = now;
    sp->credit += (int64_t)(dt / XNFTAP_SPIN_SHARE);
    if (sp->credit > (int64_t)XNFTAP_SPIN_NS)
        sp->credit = XNFTAP_SPIN_NS;
    if (work) {
        sp->last = now;
        return false;
    }
    sp->credit -= (int64_t)dt;
    return now - sp->last < XNFTAP_SPIN_NS && sp->credit > 0;
}

#endif
