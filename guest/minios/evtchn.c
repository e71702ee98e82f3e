/* SPDX-License-Identifier: MIT */
/* minios: the grant table and event channels (see evtchn.h). */
#include "console.h"
#include "evtchn.h"
#include "hcall.h"
#include "mm.h"

static struct shared_info *shared;
static uint64_t sends;

int pv_init(void)
{
    int64_t rc;

    memset(mm_frame(MM_GNTTAB_GFN), 0, MM_GNTTAB_FRAMES * XKVM_PAGE_SIZE);
    memset(mm_frame(MM_SHARED_GFN), 0, XKVM_PAGE_SIZE);
    rc = hc_gnttab_setup(MM_GNTTAB_GFN, MM_GNTTAB_FRAMES);
    if (rc == 0)
        rc = hc_shared_info(MM_SHARED_GFN);
    if (rc == 0)
        shared = mm_frame(MM_SHARED_GFN);
    return (int)rc;
}

grant_entry_v1_t *gnttab_table(void)
{
    return mm_frame(MM_GNTTAB_GFN);
}

uint32_t gnttab_entries(void)
{
    return MM_GNTTAB_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
}

int evtchn_alloc_unbound(domid_t remote)
{
    return (int)hc_evtchn_alloc_unbound(remote);
}

void evtchn_send(uint32_t port)
{
    sends++;
    hc_doorbell(port);
}

uint64_t evtchn_sends(void)
{
    return sends;
}

bool evtchn_take(uint32_t port)
{
    xen_ulong_t bit = (xen_ulong_t)1 << port;

    return __atomic_fetch_and(&shared->evtchn_pending[0], ~bit,
                              __ATOMIC_SEQ_CST) & bit;
}

void evtchn_block(uint64_t ns)
{
    /* The upcall flags mean nothing without interrupts: clear them so
     * that they do not pile up. */
    shared->vcpu_info[0].evtchn_upcall_pending = 0;
    shared->vcpu_info[0].evtchn_pending_sel = 0;
    hc_block(ns);
}
