/* SPDX-License-Identifier: MIT */
/*
 * The backend's view of a foreign grant table: the part of Xen's
 * grant_table.c that a user-space backend needs, copy and map.
 *
 * Safety of this process never depends on the granter playing fair: the
 * whole foreign memory is mapped here, every frame number is bounds-checked
 * by xvm_mem_frame_at(), and every copy goes to or from private memory.  The
 * GTF_reading/GTF_writing bits are set for the granter's benefit (so it can
 * tell when revoking is safe), exactly as Xen does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define GT_MAX_FRAMES 64u

struct xvm_gnttab {
    uint64_t *entries; /* the table, viewed as 64-bit words */
    uint32_t nr_entries;
    domid_t granter;
    domid_t self;
    void *mem_base;
    uint32_t mem_frames;
};

/* A v1 entry as one 64-bit word (little endian): flags in bits 0-15,
 * domid in 16-31, frame in 32-63.  Checked at build time below. */
_Static_assert(sizeof(grant_entry_v1_t) == 8, "grant_entry_v1_t is 8 bytes");
_Static_assert(offsetof(grant_entry_v1_t, domid) == 2, "domid at 2");
_Static_assert(offsetof(grant_entry_v1_t, frame) == 4, "frame at 4");
#define ENT_FLAGS(w) ((uint16_t)(w))
#define ENT_DOMID(w) ((domid_t)((w) >> 16))
#define ENT_FRAME(w) ((uint32_t)((w) >> 32))

struct xvm_gnttab *xvm_gnttab_open(struct xvm_mem *mem, uint64_t gt_gfn,
                                   uint32_t gt_frames, domid_t granter,
                                   domid_t self)
{
    struct xvm_gnttab *gt;
    uint32_t nr = xvm_mem_nr_frames(mem);

    if (gt_frames == 0 || gt_frames > GT_MAX_FRAMES || gt_gfn >= nr ||
        gt_frames > nr - gt_gfn) {
        errno = EINVAL;
        return NULL;
    }
    gt = calloc(1, sizeof(*gt));
    if (!gt)
        return NULL;
    gt->entries = xvm_mem_frame(mem, gt_gfn);
    gt->nr_entries = gt_frames * XVM_GNTTAB_ENTRIES_PER_FRAME;
    gt->granter = granter;
    gt->self = self;
    gt->mem_base = xvm_mem_base(mem);
    gt->mem_frames = nr;
    return gt;
}

void xvm_gnttab_close(struct xvm_gnttab *gt)
{
    free(gt);
}

uint32_t xvm_gnttab_nr_entries(const struct xvm_gnttab *gt)
{
    return gt->nr_entries;
}

/*
 * Validate entry @ref for an access that reads (and, if @write, writes) the
 * frame, and claim it by setting @busy in its flags.  Every decision is made
 * on one 64-bit snapshot of the entry; the claim is a compare-and-swap
 * against that same snapshot, so a granter that changes the entry
 * concurrently makes us re-read and re-validate, never use a mix.
 */
static int16_t gt_claim(struct xvm_gnttab *gt, grant_ref_t ref, bool write,
                        uint16_t busy, void **frame)
{
    uint64_t *slot, old, new;
    uint16_t flags;
    void *page;

    if (ref >= gt->nr_entries)
        return GNTST_bad_gntref;
    slot = &gt->entries[ref];
    old = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    for (;;) {
        flags = ENT_FLAGS(old);
        if ((flags & GTF_type_mask) != GTF_permit_access ||
            ENT_DOMID(old) != gt->self)
            return GNTST_permission_denied;
        if (write && (flags & GTF_readonly))
            return GNTST_permission_denied;
        page = xvm_mem_frame_at(gt->mem_base, gt->mem_frames, ENT_FRAME(old));
        if (!page)
            return GNTST_bad_page;
        new = old | busy;
        if (new == old ||
            __atomic_compare_exchange_n(slot, &old, new, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    *frame = page;
    return GNTST_okay;
}

static void gt_release(struct xvm_gnttab *gt, grant_ref_t ref, uint16_t busy)
{
    __atomic_fetch_and(&gt->entries[ref], ~(uint64_t)busy, __ATOMIC_RELEASE);
}

unsigned xvm_gnttab_copy(struct xvm_gnttab *gt, struct xvm_gcopy *ops,
                         unsigned n)
{
    unsigned i, bad = 0;

    for (i = 0; i < n; i++) {
        struct xvm_gcopy *op = &ops[i];
        bool to_guest = op->dir == XVM_GCOPY_TO_GUEST;
        uint16_t busy = to_guest ? (GTF_reading | GTF_writing) : GTF_reading;
        void *page;

        if (op->dir > XVM_GCOPY_TO_GUEST ||
            (uint32_t)op->offset + op->len > XVM_PAGE_SIZE) {
            op->status = GNTST_bad_copy_arg;
            bad++;
            continue;
        }
        if (op->len == 0) {
            op->status = GNTST_okay;
            continue;
        }
        op->status = gt_claim(gt, op->ref, to_guest, busy, &page);
        if (op->status != GNTST_okay) {
            bad++;
            continue;
        }
        if (to_guest)
            memcpy((char *)page + op->offset, op->local, op->len);
        else
            memcpy(op->local, (char *)page + op->offset, op->len);
        gt_release(gt, op->ref, busy);
    }
    return bad;
}

int16_t xvm_gnttab_map(struct xvm_gnttab *gt, grant_ref_t ref, bool writable,
                       void **page)
{
    uint16_t busy = writable ? (GTF_reading | GTF_writing) : GTF_reading;

    return gt_claim(gt, ref, writable, busy, page);
}

int16_t xvm_gnttab_unmap(struct xvm_gnttab *gt, grant_ref_t ref,
                         bool writable)
{
    if (ref >= gt->nr_entries)
        return GNTST_bad_gntref;
    gt_release(gt, ref,
               writable ? (GTF_reading | GTF_writing) : GTF_reading);
    return GNTST_okay;
}

const char *xvm_gntst_str(int16_t status)
{
    static const char *const names[] = GNTTABOP_error_msgs;
    int idx = -status;

    if (idx < 0 || (size_t)idx >= sizeof(names) / sizeof(names[0]))
        return "unknown grant status";
    return names[idx];
}
