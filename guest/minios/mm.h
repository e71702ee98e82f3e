/* SPDX-License-Identifier: MIT */
/*
 * minios: memory.  RAM is identity-mapped, so a page's address is its
 * guest-physical address and its frame number is that over 4096.
 *
 * Fixed frames below the monitor's boot structures (kvm/abi.h):
 *   MM_GNTTAB_GFN .. +MM_GNTTAB_FRAMES  the grant table (where backends
 *                                       look for it: xvm/gnttab.h)
 *   MM_SHARED_GFN                       the shared page (Xen's shared_info)
 *   MM_XS_GFN                           the xenstore ring
 * Everything from the end of the kernel to the end of RAM is the page
 * allocator's.
 */
#ifndef MINIOS_MM_H
#define MINIOS_MM_H

#include <stdint.h>

#include "kvm/abi.h"
#include "xvm/gnttab.h"

#define MM_GNTTAB_GFN XVM_GNTTAB_GFN
#define MM_GNTTAB_FRAMES XVM_GNTTAB_FRAMES
#define MM_SHARED_GFN (MM_GNTTAB_GFN + MM_GNTTAB_FRAMES)
#define MM_XS_GFN (MM_SHARED_GFN + 1)

_Static_assert(MM_XS_GFN < XKVM_BOOT_GPA / XKVM_PAGE_SIZE,
               "the fixed frames lie below the boot structures");

/** Give the allocator [@start, @end) (rounded inwards to pages). */
void mm_init(uint64_t start, uint64_t end);

/** A zeroed 4 KiB page, or NULL when RAM is spent. */
void *page_alloc(void);

/** Give @p back. */
void page_free(void *p);

/** Pages left. */
uint64_t mm_free_pages(void);

/** The page at frame @gfn. */
static inline void *mm_frame(uint64_t gfn)
{
    return (void *)(uintptr_t)(gfn * XKVM_PAGE_SIZE);
}

/** The frame of the page at @p. */
static inline uint32_t mm_gfn(const void *p)
{
    return (uint32_t)((uintptr_t)p / XKVM_PAGE_SIZE);
}

#endif /* MINIOS_MM_H */
