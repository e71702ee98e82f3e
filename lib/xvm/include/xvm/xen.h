/* SPDX-License-Identifier: MIT */
/*
 * xvm/xen.h - the one place xvnet pulls in Xen's public ABI headers.
 *
 * Xen's io/ring.h expects the includer to provide the memory barriers
 * xen_mb(), xen_rmb() and xen_wmb().  They are defined here with compiler
 * builtins only, so this header (and everything built on it) works in a
 * hosted process and in a freestanding guest kernel alike.
 *
 * Never redefine a Xen struct: include this header and use Xen's own
 * definitions from Debian's libxen-dev.
 */
#ifndef XVM_XEN_H
#define XVM_XEN_H

#include <stddef.h>
#include <stdint.h>

/* The interface version of Debian's libxen-dev 4.17 headers; without it
 * Xen's headers fall back to the legacy interface (and to barrier macros
 * that do not exist outside Xen). */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#ifndef xen_mb
/** Full barrier: orders all earlier loads and stores before later ones. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/** Read barrier: orders earlier loads before later loads. */
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/** Write barrier: orders earlier stores before later stores. */
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

/** Size of a guest frame; xvnet domains use 4 KiB frames only. */
#define XVM_PAGE_SIZE 4096u
/** log2(XVM_PAGE_SIZE). */
#define XVM_PAGE_SHIFT 12u

/** Grant entries (v1, 8 bytes each) per grant-table frame. */
#define XVM_GNTTAB_ENTRIES_PER_FRAME \
    (XVM_PAGE_SIZE / sizeof(grant_entry_v1_t))

/** First grant reference a frontend may hand out; 0-7 are reserved. */
#define XVM_GNTTAB_FIRST_FREE_REF 8u

#endif /* XVM_XEN_H */
