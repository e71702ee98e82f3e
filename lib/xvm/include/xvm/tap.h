/* SPDX-License-Identifier: MIT */
/*
 * xvm/tap.h - the TAP devices xvnet's interfaces are made of.
 *
 * A process domain's eth<n> (libxnftap) and a host VNIC's interface
 * (vswitchd's tap port) are both TAPs that carry a virtio-net header in
 * front of every frame, so large TCP segments and partial checksums cross
 * them as the host's stack made them.  Both ends open them here, with the
 * same flags: a TAP opened with other flags refuses to attach to one made
 * with these.
 */
#ifndef XVM_TAP_H
#define XVM_TAP_H

#include <stdbool.h>

#include "xvm/export.h"

/** Flags of xvm_tap_open(). */
enum xvm_tap_flags {
    XVM_TAP_NONBLOCK = 1 << 0, /**< the fd is non-blocking */
    /** Fail with -EEXIST rather than attach to a TAP someone else made. */
    XVM_TAP_EXCL = 1 << 1,
    /** A queue of a multi-queue TAP (IFF_MULTI_QUEUE): each open of the
     *  same name is one more queue; every open must say so. */
    XVM_TAP_MULTI_QUEUE = 1 << 2,
};

/**
 * Open TAP @ifname in the calling thread's network namespace, creating it
 * if it does not exist, without packet information and with a virtio-net
 * header (its size still to be set: xvm_tap_vnet()).  @ifname must fit
 * IFNAMSIZ.  Returns the fd (close-on-exec) or -errno.
 */
XVN_EXPORT
int xvm_tap_open(const char *ifname, unsigned flags);

/**
 * Set the virtio-net header's size (10 or 12 bytes) and the offloads
 * (TUN_F_*) the kernel may hand over through TAP @fd.  Returns 0 or -errno.
 */
XVN_EXPORT
int xvm_tap_vnet(int fd, int hdr_len, unsigned long offloads);

/**
 * Set TAP @fd's carrier: off, the stack behind it sees the link down (and
 * stops sending) while the device stays.  Returns 0 or -errno.
 */
XVN_EXPORT
int xvm_tap_set_carrier(int fd, bool up);

/**
 * Keep TAP @fd's device when its last fd closes (@on), or let it go with
 * it.  Returns 0 or -errno.
 */
XVN_EXPORT
int xvm_tap_set_persist(int fd, bool on);

#endif /* XVM_TAP_H */
