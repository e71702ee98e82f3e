/* SPDX-License-Identifier: MIT */
/*
 * xvm/mem.h - domain memory.
 *
 * A domain's memory is a memfd holding a whole number of 4 KiB frames.  A
 * guest frame number (GFN) is simply the index of a frame in that file.  The
 * domain itself maps the file; the control domain hands the fd to the one
 * backend that serves the domain's devices, which maps it too.  Every access
 * by GFN goes through xvm_mem_frame(), which can never return a pointer
 * outside the mapping, whatever the GFN.
 *
 * Thread safety: an xvm_mem is immutable after creation; any thread may call
 * the accessors concurrently.  Create/destroy are not concurrent with use.
 */
#ifndef XVM_MEM_H
#define XVM_MEM_H

#include "xvm/export.h"

#include <stdint.h>

#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest domain this build accepts: 16 GiB of 4 KiB frames. */
#define XVM_MEM_MAX_FRAMES (1u << 22)

struct xvm_mem;

/**
 * Create the memory of a new domain: a sealed-size memfd of @nr_frames
 * zeroed 4 KiB frames, mapped shared in this process.
 *
 * @param name       memfd name (visible in /proc/<pid>/fd), not NULL
 * @param nr_frames  1 .. XVM_MEM_MAX_FRAMES
 * @return the memory, or NULL with errno set (EINVAL, ENOMEM, or the errno
 *         of memfd_create/ftruncate/mmap).
 */
XVN_EXPORT
struct xvm_mem *xvm_mem_create(const char *name, uint32_t nr_frames);

/**
 * Map the memory of an existing domain from its memfd, e.g. one received from
 * the control domain over a Unix socket.  The size is taken from the file and
 * must be a whole, non-zero number of frames no larger than
 * XVM_MEM_MAX_FRAMES.  The fd is duplicated; the caller keeps its own.
 *
 * @return the memory, or NULL with errno set (EBADF, EINVAL, ENOMEM, ...).
 */
XVN_EXPORT
struct xvm_mem *xvm_mem_open(int fd);

/**
 * Take one more reference on @mem, so two owners (the vif bus and a switch
 * port, say) share one mapping.  Any thread.  Accepts NULL.
 * @return @mem.
 */
XVN_EXPORT
struct xvm_mem *xvm_mem_ref(struct xvm_mem *mem);

/** Drop a reference; the last one unmaps and closes.  Accepts NULL. */
XVN_EXPORT
void xvm_mem_destroy(struct xvm_mem *mem);

/** The memfd behind @mem (owned by @mem: do not close it). */
XVN_EXPORT
int xvm_mem_fd(const struct xvm_mem *mem);

/** Number of frames in @mem. */
XVN_EXPORT
uint32_t xvm_mem_nr_frames(const struct xvm_mem *mem);

/** Base of the mapping (frame 0). */
XVN_EXPORT
void *xvm_mem_base(const struct xvm_mem *mem);

/**
 * Pointer to frame @gfn, or NULL if @gfn is not a frame of @mem.  The check is
 * done on the full 64-bit value, so no truncation can bring an out-of-range
 * GFN back into range.
 */
static inline void *xvm_mem_frame_at(void *base, uint32_t nr_frames,
                                     uint64_t gfn)
{
    if (gfn >= nr_frames)
        return NULL;
    return (char *)base + ((size_t)gfn << XVM_PAGE_SHIFT);
}

/** As xvm_mem_frame_at() for @mem. */
XVN_EXPORT
void *xvm_mem_frame(const struct xvm_mem *mem, uint64_t gfn);

/**
 * GFN of the frame that holds @ptr, or -1 if @ptr is not inside @mem.  Used by
 * a domain to name its own pages in grants.
 */
XVN_EXPORT
int64_t xvm_mem_gfn_of(const struct xvm_mem *mem, const void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* XVM_MEM_H */
