/* SPDX-License-Identifier: MIT */
/*
 * The claim a physical link lays on the host interfaces its devargs name
 * (iface=, rx_iface=, tx_iface=, rx_iface_in=), so that two vswitchds, or
 * two links of one, never take the same NIC without a word.
 *
 * A claim is an flock(2) on HOSTIF_LOCK_DIR/net-<netns inode>-if-<ifindex>
 * (the interface as the kernel knows it, whatever its name), which holds
 * the owner's pid.  It lasts as long as the descriptor: released when the
 * link is destroyed, or by the kernel when the process dies, however it
 * dies.  flock belongs to the open file, so a second claim from the same
 * process is refused too.
 *
 * Threads: the control thread (links are made and destroyed there).
 */
#ifndef VSWMGR_HOSTIF_PVT_H
#define VSWMGR_HOSTIF_PVT_H

#include <net/if.h>
#include <stddef.h>

#define HOSTIF_LOCK_DIR "/run/lock/xvnet"
/* Interfaces one devargs string may name (pcap has rx and tx ones). */
#define HOSTIF_MAX 4

struct hostif_claim {
    int fd;        /* the locked file; -1: no claim */
    char path[96]; /* removed on release */
};

/* A link's claims: the interfaces its devargs name, each claimed or not. */
struct hostif_claims {
    char names[HOSTIF_MAX][IF_NAMESIZE];
    struct hostif_claim c[HOSTIF_MAX];
    unsigned n;
};

/**
 * Fill @cl with the host interface names in @devargs, each once (at most
 * HOSTIF_MAX; values too long to be an interface name, a vhost socket
 * path say, are left out), none claimed yet.
 */
void hostif_claims_init(struct hostif_claims *cl, const char *devargs);

/**
 * Claim those interfaces of @cl that exist in the calling thread's
 * network namespace and are not claimed yet (call again after the device
 * is made: a driver may make its interface, net_tap).
 * @return 0, or -errno with the reason in @why (@whylen bytes): -EBUSY,
 *         "eth1 is already attached by vswitchd (pid 42)"; -EPERM, the
 *         lock directory is not root's alone; or what open or flock said.
 */
int hostif_claims_take(struct hostif_claims *cl, char *why, size_t whylen);

/** Give up every claim of @cl and remove their files. */
void hostif_claims_release(struct hostif_claims *cl);

#endif
