/* SPDX-License-Identifier: MIT */
/*
 * The claim an ethdev port lays on the host interfaces its devargs name
 * (iface=, rx_iface=, tx_iface=, rx_iface_in=), so that two vswitchds, or
 * two links of one, never take the same NIC without a word.
 *
 * A claim is an flock(2) on HOSTIF_LOCK_DIR/net-<netns inode>-if-<ifindex>
 * (the interface as the kernel knows it, whatever its name), which holds
 * the owner's pid.  It lasts as long as the descriptor: released when the
 * port is destroyed, or by the kernel when the process dies, however it
 * dies.  flock belongs to the open file, so a second claim from the same
 * process is refused too.
 *
 * Threads: the control thread (ports are opened and destroyed there).
 */
#ifndef VSW_HOSTIF_PVT_H
#define VSW_HOSTIF_PVT_H

#include <net/if.h>

#include "vsw/port.h"

#define HOSTIF_LOCK_DIR "/run/lock/xvnet"
/* Interfaces one devargs string may name (pcap has rx and tx ones). */
#define HOSTIF_MAX 4

struct hostif_claim {
    int fd;        /* the locked file; -1: no claim */
    char path[96]; /* removed on release */
};

/**
 * The host interface names in @devargs, each once, into @names.
 * @return how many (at most HOSTIF_MAX; values too long to be an
 *         interface name, a vhost socket path say, are left out).
 */
unsigned hostif_devargs(const char *devargs, char names[][IF_NAMESIZE]);

/**
 * Claim the interface @ifname of the calling thread's network namespace.
 * @return 0 with @c holding the claim; -ENODEV when there is no such
 *         interface (nothing to claim; @c holds none); -EBUSY when another
 *         open file holds it, with @e (may be NULL) saying who; or -errno
 *         when the lock directory or file cannot be used (-EPERM: the
 *         directory is not ours, or others may write it), @e saying why.
 */
int hostif_claim(const char *ifname, struct hostif_claim *c,
                 struct vsw_port_err *e);

/** Give up the claim @c (none: nothing happens) and remove its file. */
void hostif_release(struct hostif_claim *c);

#endif
