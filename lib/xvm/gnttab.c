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
 *
 * Several holders may claim one entry at once (a ring mapped twice, copies
 * while it is mapped), so the bits cannot simply be set by a claim and
 * cleared by a release: the second release would clear them under the first
 * holder.  Like Xen's active-grant pin counts, the view counts the claims of
 * each entry in private memory: the first claim sets a bit, the last release
 * clears it, and a release without a claim is refused.  The counts and the
 * bits change together under the view's lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define GT_MAX_FRAMES 64u

/* This backend's claims on one entry: all hold GTF_reading, writers also
 * GTF_writing. */
struct gt_pin {
    uint16_t readers;
    uint16_t writers;
};

struct xvm_gnttab {
    uint64_t *entries; /* the table, viewed as 64-bit words */
    uint32_t nr_entries;
    pthread_mutex_t lock; /* the pins, and the busy bits they stand for */
    struct gt_pin *pins;  /* nr_entries, private */
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
    gt->pins = calloc(gt->nr_entries, sizeof(*gt->pins));
    if (!gt->pins) {
        free(gt);
        return NULL;
    }
    pthread_mutex_init(&gt->lock, NULL);
    gt->granter = granter;
    gt->self = self;
    gt->mem_base = xvm_mem_base(mem);
    gt->mem_frames = nr;
    return gt;
}

void xvm_gnttab_close(struct xvm_gnttab *gt)
{
    if (!gt)
        return;
    pthread_mutex_destroy(&gt->lock);
    free(gt->pins);
    free(gt);
}

uint32_t xvm_gnttab_nr_entries(const struct xvm_gnttab *gt)
{
    return gt->nr_entries;
}

/*
 * Validate entry @ref for an access that reads (and, if @write, writes) the
 * frame, and claim it: count the claim and make sure the entry's flags show
 * it.  Every decision is made on one 64-bit snapshot of the entry; setting
 * the bits is a compare-and-swap against that same snapshot, so a granter
 * that changes the entry concurrently makes us re-read and re-validate,
 * never use a mix.  Called with the lock held.
 */
static int16_t gt_claim_locked(struct xvm_gnttab *gt, grant_ref_t ref,
                               bool write, void **frame)
{
    uint16_t busy = write ? (GTF_reading | GTF_writing) : GTF_reading;
    uint64_t *slot, old, new;
    uint16_t flags;
    void *page;

    if (ref >= gt->nr_entries)
        return GNTST_bad_gntref;
    if (gt->pins[ref].readers == UINT16_MAX)
        return GNTST_general_error; /* Xen refuses a pin overflow too */
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
    gt->pins[ref].readers++;
    if (write)
        gt->pins[ref].writers++;
    *frame = page;
    return GNTST_okay;
}

/*
 * Drop one claim; the bits go when the last claim needing them does.
 * Called with the lock held.
 */
static int16_t gt_release_locked(struct xvm_gnttab *gt, grant_ref_t ref,
                                 bool write)
{
    struct gt_pin *pin;
    uint16_t clear = 0;

    if (ref >= gt->nr_entries)
        return GNTST_bad_gntref;
    pin = &gt->pins[ref];
    if (write ? pin->writers == 0 : pin->readers == pin->writers)
        return GNTST_bad_handle; /* no such claim */
    pin->readers--;
    if (write)
        pin->writers--;
    if (pin->readers == 0)
        clear |= GTF_reading;
    if (pin->writers == 0)
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(&gt->entries[ref], ~(uint64_t)clear,
                           __ATOMIC_RELEASE);
    return GNTST_okay;
}

/* Ops of a batch claimed together, under one taking of the lock. */
#define GT_COPY_CHUNK 64u

/* Copy up to GT_COPY_CHUNK ops: claim all, copy, release all. */
static unsigned gt_copy_chunk(struct xvm_gnttab *gt, struct xvm_gcopy *ops,
                              unsigned n)
{
    void *page[GT_COPY_CHUNK];
    unsigned i, bad = 0;

    pthread_mutex_lock(&gt->lock);
    for (i = 0; i < n; i++) {
        struct xvm_gcopy *op = &ops[i];

        page[i] = NULL;
        if (op->dir > XVM_GCOPY_TO_GUEST ||
            (uint32_t)op->offset + op->len > XVM_PAGE_SIZE)
            op->status = GNTST_bad_copy_arg;
        else if (op->len == 0)
            op->status = GNTST_okay;
        else
            op->status = gt_claim_locked(gt, op->ref,
                                         op->dir == XVM_GCOPY_TO_GUEST,
                                         &page[i]);
        if (op->status != GNTST_okay)
            bad++;
    }
    pthread_mutex_unlock(&gt->lock);
    for (i = 0; i < n; i++) {
        const struct xvm_gcopy *op = &ops[i];

        if (!page[i])
            continue;
        if (op->dir == XVM_GCOPY_TO_GUEST)
            memcpy((char *)page[i] + op->offset, op->local, op->len);
        else
            memcpy(op->local, (char *)page[i] + op->offset, op->len);
    }
    pthread_mutex_lock(&gt->lock);
    for (i = 0; i < n; i++)
        if (page[i])
            gt_release_locked(gt, ops[i].ref,
                              ops[i].dir == XVM_GCOPY_TO_GUEST);
    pthread_mutex_unlock(&gt->lock);
    return bad;
}

unsigned xvm_gnttab_copy(struct xvm_gnttab *gt, struct xvm_gcopy *ops,
                         unsigned n)
{
    unsigned i, bad = 0;

    for (i = 0; i < n; i += GT_COPY_CHUNK)
        bad += gt_copy_chunk(gt, ops + i,
                             n - i < GT_COPY_CHUNK ? n - i : GT_COPY_CHUNK);
    return bad;
}

int16_t xvm_gnttab_map(struct xvm_gnttab *gt, grant_ref_t ref, bool writable,
                       void **page)
{
    int16_t st;

    pthread_mutex_lock(&gt->lock);
    st = gt_claim_locked(gt, ref, writable, page);
    pthread_mutex_unlock(&gt->lock);
    return st;
}

int16_t xvm_gnttab_unmap(struct xvm_gnttab *gt, grant_ref_t ref,
                         bool writable)
{
    int16_t st;

    pthread_mutex_lock(&gt->lock);
    st = gt_release_locked(gt, ref, writable);
    pthread_mutex_unlock(&gt->lock);
    return st;
}

const char *xvm_gntst_str(int16_t status)
{
    static const char *const names[] = GNTTABOP_error_msgs;
    int idx = -status;

    if (idx < 0 || (size_t)idx >= sizeof(names) / sizeof(names[0]))
        return "unknown grant status";
    return names[idx];
}
