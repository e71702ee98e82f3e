/* SPDX-License-Identifier: MIT */
/*
 * xvm/gnttab.h - grant tables with Xen's v1 entry layout.
 *
 * A domain's grant table is an array of grant_entry_v1_t (Xen's struct,
 * 8 bytes: flags, domid, frame) living in frames of the granting domain's
 * own memory.  The two halves:
 *
 *  - Granting side (a frontend, possibly a freestanding guest kernel):
 *    xvm_gnttab_grant() and xvm_gnttab_end() below are static inline, use
 *    only compiler atomics and follow Xen's rules: write domid and frame,
 *    write barrier, then flags; revoke by compare-and-swap of flags to 0 that
 *    fails while the peer has GTF_reading or GTF_writing set.
 *
 *  - Using side (a backend in the control domain): struct xvm_gnttab is the
 *    backend's view of one foreign domain's table.  It plays the role of the
 *    Xen hypervisor: every copy or map reads the entry once as a whole
 *    (one 64-bit load), validates that private copy, and claims the entry by a
 *    64-bit compare-and-swap that sets GTF_reading/GTF_writing, so the entry
 *    the checks passed on is exactly the one in force during the access and
 *    the granter cannot end access in the middle of it.  The view counts
 *    its claims on each entry (Xen's pin counts): the bits stay set until
 *    the last holder releases.
 *
 * Status codes are Xen's GNTST_* values.
 */
#ifndef XVM_GNTTAB_H
#define XVM_GNTTAB_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where a domain's grant table lives in its own memory: XVM_GNTTAB_FRAMES
 * frames from frame XVM_GNTTAB_GFN.  xvmd tells
 * backends (XVMD_CMD_DOMMEM); the guest knows it from here.
 */
/** First frame of a domain's grant table. */
#define XVM_GNTTAB_GFN 1u
/** Frames of a domain's grant table. */
#define XVM_GNTTAB_FRAMES 4u

/* ------------------------------------------------------------------------ */
/* Granting side: freestanding, inline.                                     */

/**
 * Grant @domid access to frame @gfn through entry @ref of @table.
 * The entry must currently be unused (flags == 0).
 *
 * @return 0, -EINVAL if @ref >= @nr_entries or @ref is reserved (< 8),
 *         -EBUSY if the entry is in use.
 * Thread: the owner of @ref.
 */
static inline int xvm_gnttab_grant(grant_entry_v1_t *table, uint32_t nr_entries,
                                   grant_ref_t ref, domid_t domid,
                                   uint32_t gfn, bool readonly)
{
    grant_entry_v1_t *e;

    if (ref >= nr_entries || ref < XVM_GNTTAB_FIRST_FREE_REF)
        return -22; /* EINVAL */
    e = &table[ref];
    if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) != 0)
        return -16; /* EBUSY */
    e->domid = domid;
    e->frame = gfn;
    xen_wmb();
    __atomic_store_n(&e->flags,
                     (uint16_t)(GTF_permit_access |
                                (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
    return 0;
}

/**
 * End access through entry @ref: atomically set its flags to 0 unless the
 * peer is reading or writing it right now.
 *
 * @return 0 when access has ended; -EBUSY while the peer still holds the
 *         grant (GTF_reading or GTF_writing set), in which case the entry is
 *         unchanged and the page must not be reused; -EINVAL for a bad ref.
 * Thread: the owner of @ref.
 */
static inline int xvm_gnttab_end(grant_entry_v1_t *table, uint32_t nr_entries,
                                 grant_ref_t ref)
{
    uint16_t flags;

    if (ref >= nr_entries || ref < XVM_GNTTAB_FIRST_FREE_REF)
        return -22; /* EINVAL */
    flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -16; /* EBUSY */
    } while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false,
                                          __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Using side: the backend's view of a foreign domain's grant table.        */

struct xvm_mem;
struct xvm_gnttab;

/** Direction of one grant copy. */
enum xvm_gcopy_dir {
    XVM_GCOPY_FROM_GUEST = 0, /**< granted frame -> local buffer */
    XVM_GCOPY_TO_GUEST = 1,   /**< local buffer -> granted frame */
};

/**
 * One grant-copy operation between a granted frame of the foreign domain and
 * a buffer in this process.  (Xen's gnttab_copy_t names the local side by
 * frame number; a user-space backend names it by pointer, so xvnet uses its
 * own op and keeps Xen's validation rules and GNTST_* results.)
 */
struct xvm_gcopy {
    void *local;      /**< buffer in this process, @len bytes */
    grant_ref_t ref;  /**< grant reference in the foreign table */
    uint16_t offset;  /**< offset in the granted frame */
    uint16_t len;     /**< bytes; offset + len must be <= 4096 */
    uint8_t dir;      /**< enum xvm_gcopy_dir */
    int16_t status;   /**< out: GNTST_okay or a GNTST_* error */
};

/**
 * Open the backend's view of a foreign domain's grant table.
 *
 * @param mem        the foreign domain's memory, already mapped
 * @param gt_gfn     first frame of the grant table in @mem
 * @param gt_frames  number of grant-table frames (1 .. 64)
 * @param granter    domain id of the foreign domain (for messages)
 * @param self       this (backend) domain's id: entries must name it
 * @return the view, or NULL with errno (EINVAL if the frames are not all
 *         inside @mem, ENOMEM).
 * The view does not own @mem; @mem must outlive it.
 */
XVN_EXPORT
struct xvm_gnttab *xvm_gnttab_open(struct xvm_mem *mem, uint64_t gt_gfn,
                                   uint32_t gt_frames, domid_t granter,
                                   domid_t self);

/** Close the view.  Accepts NULL.  Does not release live mappings. */
XVN_EXPORT
void xvm_gnttab_close(struct xvm_gnttab *gt);

/** Number of entries in the table. */
XVN_EXPORT
uint32_t xvm_gnttab_nr_entries(const struct xvm_gnttab *gt);

/**
 * Perform a batch of grant copies.  Each op is validated independently from
 * a single read of its entry: ref < nr_entries (GNTST_bad_gntref), type
 * GTF_permit_access and entry domid == self (GNTST_permission_denied),
 * read-only grants only as a source (GNTST_permission_denied), frame inside
 * the domain (GNTST_bad_page), offset + len <= 4096 (GNTST_bad_copy_arg).
 * A zero-length op touches nothing and succeeds.  Invalid ops do not stop
 * the batch.
 *
 * @return the number of ops whose status is not GNTST_okay.
 * Thread: any; concurrent batches on the same view are safe.
 */
XVN_EXPORT
unsigned xvm_gnttab_copy(struct xvm_gnttab *gt, struct xvm_gcopy *ops,
                         unsigned n);

/**
 * Map the frame granted by @ref into this process (for shared rings).
 * Validates the entry as xvm_gnttab_copy() does and, while mapped, holds
 * GTF_reading (and GTF_writing when @writable) so the granter cannot end
 * access.  The same ref may be mapped more than once; each map needs its
 * own xvm_gnttab_unmap().
 *
 * @param[out] page  pointer to the 4 KiB frame
 * @return GNTST_okay or a negative GNTST_* code (GNTST_general_error when
 *         the entry already has 65535 claims).
 */
XVN_EXPORT
int16_t xvm_gnttab_map(struct xvm_gnttab *gt, grant_ref_t ref, bool writable,
                       void **page);

/**
 * Undo one xvm_gnttab_map() of @ref with the same @writable.  Claims are
 * counted per entry: GTF_writing is dropped when the last writable claim
 * goes, GTF_reading when the last claim of any kind goes (copies in flight
 * count too), so the granter cannot end access while any mapping is live.
 * @return GNTST_okay; GNTST_bad_gntref for a ref out of range;
 *         GNTST_bad_handle if @ref holds no such mapping (nothing changes).
 */
XVN_EXPORT
int16_t xvm_gnttab_unmap(struct xvm_gnttab *gt, grant_ref_t ref,
                         bool writable);

/** Xen-style text for a GNTST_* code ("bad gntref", ...); never NULL. */
XVN_EXPORT
const char *xvm_gntst_str(int16_t status);

#ifdef __cplusplus
}
#endif

#endif /* XVM_GNTTAB_H */
