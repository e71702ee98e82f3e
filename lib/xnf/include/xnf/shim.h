/* SPDX-License-Identifier: MIT */
/*
 * xnf/shim.h - the only libc surface libxnf's core uses.
 *
 * The core needs memcpy, memset and a handful of errno values, nothing else.
 * In a hosted build they come from <string.h> and <errno.h>.  Built with
 * -DXNF_FREESTANDING (a guest kernel, no libc headers) the errno values are
 * spelled out with their Linux numbers and memcpy/memset map to the
 * compiler builtins.  A freestanding compiler may still emit calls to
 * memcpy, memset or memmove for large copies; the guest kernel must
 * provide those three symbols and nothing else (checked by a unit test
 * that runs nm -u on libxnf_freestanding).
 */
#ifndef XNF_SHIM_H
#define XNF_SHIM_H

#include <stddef.h>

#ifdef XNF_FREESTANDING

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))

/* Linux errno values: callers compare against their own <errno.h>. */
#ifndef EIO
#define EIO 5
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef EMSGSIZE
#define EMSGSIZE 90
#endif
#ifndef ENOTSUP
#define ENOTSUP 95
#endif

#else /* hosted */

#include <errno.h>
#include <string.h>

#endif /* XNF_FREESTANDING */

#endif /* XNF_SHIM_H */
