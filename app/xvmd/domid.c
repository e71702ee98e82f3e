/* SPDX-License-Identifier: MIT */
/*
 * Domain ids.  Xen's are 15 bits: from DOMID_FIRST_RESERVED (0x7FF0) up
 * they name special domains, and xenstore, the grant tables and the
 * backends carry them in 16 bits.  So ids are handed out from 1 to
 * XVMD_DOMID_LAST only, and reused: each time the lowest free id after the
 * one handed out last, wrapping, so a destroyed domain's id comes back as
 * late as possible (a tool or backend still holding it meets no new domain
 * under it soon after).
 */
#include <errno.h>
#include <string.h>

#include "xvm/xen.h"
#include "xvmd.h"

_Static_assert(XVMD_DOMID_LAST == DOMID_FIRST_RESERVED - 1,
               "domain ids stop below Xen's reserved ones");

static bool domid_used(const struct xvmd_domids *d, uint32_t id)
{
    return d->used[id / 64] & (1ull << (id % 64));
}

void xvmd_domid_init(struct xvmd_domids *d)
{
    memset(d, 0, sizeof(*d));
}

int xvmd_domid_alloc(struct xvmd_domids *d)
{
    uint32_t id = d->last, n;

    for (n = 0; n < XVMD_DOMID_LAST; n++) {
        id = id >= XVMD_DOMID_LAST ? 1 : id + 1;
        if (!domid_used(d, id)) {
            d->used[id / 64] |= 1ull << (id % 64);
            d->prev = d->last;
            d->last = id;
            return (int)id;
        }
    }
    return -ENOSPC;
}

void xvmd_domid_free(struct xvmd_domids *d, uint32_t id)
{
    if (id == 0 || id > XVMD_DOMID_LAST)
        return;
    d->used[id / 64] &= ~(1ull << (id % 64));
}

int xvmd_domid_take(struct xvmd_domids *d, uint32_t id)
{
    if (id == 0 || id > XVMD_DOMID_LAST)
        return -EINVAL;
    if (domid_used(d, id))
        return -EBUSY;
    d->used[id / 64] |= 1ull << (id % 64);
    return 0;
}

void xvmd_domid_cancel(struct xvmd_domids *d, uint32_t id)
{
    xvmd_domid_free(d, id);
    if (id == d->last)
        d->last = d->prev;
}
