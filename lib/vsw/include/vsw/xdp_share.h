/* SPDX-License-Identifier: MIT */
/*
 * vsw/xdp_share.h - a host NIC shared between the host's own stack and the
 * switch, with XDP and AF_XDP.
 *
 * The NIC keeps its addresses and the host's traffic; the switch gets the
 * frames of the link's VNICs without the host's stack seeing them:
 *
 *  - an XDP program of ours (xdp_share.bpf.c, carried inside the library)
 *    looks every received frame up by (destination MAC, VID; 0 when
 *    untagged) in a hash map of the link's VNICs.  A hit is redirected to
 *    the AF_XDP socket of DPDK's net_af_xdp port on that rx queue; a miss
 *    passes to the host's stack.
 *  - Broadcast and multicast pass to the host's stack too (XDP cannot
 *    clone a frame), and the switch takes its copy from an AF_PACKET
 *    socket on the NIC whose filter keeps only frames with the group bit,
 *    received ones only (not what the host sends).  The 802.1Q tag the
 *    kernel moved into metadata goes back on the mbuf as a stripped tag.
 *  - What the switch sends goes out through the AF_XDP socket.
 *
 * The program is attached by DPDK 22.11's net_af_xdp itself: its only way
 * to use a program of our own is the devarg xdp_prog=<object file> (the
 * socket of queue i goes into the object's map "xsks_map" at key i), and
 * it attaches that object with plain netlink and XDP_FLAGS_UPDATE_IF_NOEXIST
 * and detaches whatever program is on the NIC when it closes.  So the
 * NIC's XDP hook must be free (no libxdp dispatcher, no other program:
 * VSW_XDP_BUSY), and nothing can share it with us while we hold it.  The
 * kernel picks the mode: native when the driver has XDP, else generic.
 *
 * Limits: one rx queue (the switch reads queue 0; a NIC with more is
 * refused, VSW_XDP_MULTIQUEUE: `ethtool -L <nic> combined 1`); frames up
 * to the AF_XDP frame size (MTU 1500, no jumbo frames); the host and the
 * VNICs do not reach each other over the NIC (the host's transmit never
 * comes back in, and the switch's goes out on the wire only).  VLAN tags
 * must be in the frame when XDP sees it: open turns the NIC's rx-vlan
 * offload off where it can (and back on at close).
 *
 * Threads: everything here runs on the control thread; the port's rx and
 * tx on the fast path, as every port's.
 */
#ifndef VSW_XDP_SHARE_H
#define VSW_XDP_SHARE_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "vsw/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The largest MTU a NIC shared through XDP takes (the AF_XDP frame). */
#define VSW_XDP_MTU_MAX 1500

/** Why a NIC cannot be shared (the caller then uses af_packet). */
enum vsw_xdp_why {
    VSW_XDP_OK = 0,
    VSW_XDP_NOT_BUILT,  /**< built without clang: no XDP program */
    VSW_XDP_NO_IFACE,   /**< no such interface */
    VSW_XDP_NO_AF_XDP,  /**< the kernel has no AF_XDP sockets */
    VSW_XDP_BUSY,       /**< another XDP program is on the NIC */
    VSW_XDP_MULTIQUEUE, /**< the NIC has more than one rx queue */
    VSW_XDP_ATTACH,     /**< net_af_xdp could not attach or open (the
                             driver refused XDP, MTU too large, no
                             permission: DPDK's log says) */
    VSW_XDP_NO_MAP,     /**< the program runs but its maps are missing */
    VSW_XDP_SOCKET,     /**< the AF_PACKET socket for broadcast failed */
    VSW_XDP_POOL,       /**< the packet pool is not packed in one area,
                             as the UMEM must be (vsw/pool.h) */
};

/** Where the program runs. */
enum vsw_xdp_mode {
    VSW_XDP_MODE_NONE = 0,
    VSW_XDP_MODE_NATIVE,  /**< in the driver */
    VSW_XDP_MODE_GENERIC, /**< on the skb (SKB mode) */
};

/** What vsw_port_xdp_share_open() found. */
struct vsw_xdp_share_info {
    enum vsw_xdp_why why;
    enum vsw_xdp_mode mode;
    uint32_t prog_id;   /**< ours; with VSW_XDP_BUSY the other one's */
    uint32_t rx_queues; /**< the NIC's rx queues */
    bool rxvlan_off;    /**< open turned the NIC's rx-vlan offload off */
};

/** One line for a log, e.g. "another XDP program is attached". */
XVN_EXPORT
const char *vsw_xdp_why_str(enum vsw_xdp_why why);
/** "native", "generic" or "none". */
XVN_EXPORT
const char *vsw_xdp_mode_str(enum vsw_xdp_mode mode);

/**
 * Share the host interface @ifname: attach the program (through a
 * net_af_xdp ethdev on rx queue 0, buffers from @pool), open the
 * broadcast socket, and return the link's wire port, with no VNIC in the
 * map yet.  Destroying the port (vsw_port_destroy(), or vsw_link_destroy()
 * of the link that took it) closes the socket, detaches and unloads the
 * program, and gives the NIC back its promiscuity and rx-vlan setting.
 * Needs CAP_NET_ADMIN, CAP_BPF/CAP_SYS_ADMIN and CAP_NET_RAW.
 * @info (may be NULL) is filled in either way.
 * @return the port, or NULL with errno and info->why (ENOTSUP not built,
 *         ENODEV, EAFNOSUPPORT, EBUSY, EOPNOTSUPP more than one queue,
 *         or net_af_xdp's / the socket's errno).
 */
XVN_EXPORT
struct vsw_port *vsw_port_xdp_share_open(const char *ifname,
                                         struct rte_mempool *pool,
                                         struct vsw_xdp_share_info *info);

/**
 * Take off the NIC @ifname our program (XSH_PROG_NAME with our three maps,
 * by name and type) that a switch left there when it died without
 * closing (SIGKILL): vsw_port_xdp_share_open() refuses any program on
 * the NIC, its own kind too (VSW_XDP_BUSY).  Only for a caller that holds
 * the NIC alone (vswmgr's per-NIC claim): nothing here tells a live
 * switch's program from a dead one's.  Any other program is left alone.
 * The NIC's promiscuity and rx-vlan offload go back to what they were
 * before the dead switch took it (its program's map keeps them).
 * Then waits (as close does) until the kernel has let go of the queue.
 * @return 1 with its id in @prog_id (may be NULL) when one was taken off,
 *         0 when the NIC has no program or another one, or -errno.
 */
XVN_EXPORT
int vsw_xdp_share_clear_stale(const char *ifname, uint32_t *prog_id);

/** Whether @port was made by vsw_port_xdp_share_open(). */
XVN_EXPORT
bool vsw_port_is_xdp_share(const struct vsw_port *port);

/**
 * Frames to @mac on VLAN @vid (LP_VID_NONE: untagged) go to the switch
 * from now on.  Add it once the VNIC exists in the switch.
 * @return 0, -EINVAL (not a shared port, group or zero MAC, bad VID),
 *         -ENOSPC (the map is full) or the kernel's -errno.  Adding an
 *         entry that is there already is 0.
 */
XVN_EXPORT
int vsw_xdp_share_add(struct vsw_port *port, const uint8_t mac[6],
                      uint16_t vid);

/**
 * Frames to @mac on @vid go to the host's stack again.
 * @return 0, -EINVAL, -ENOENT (no such entry) or the kernel's -errno.
 */
XVN_EXPORT
int vsw_xdp_share_del(struct vsw_port *port, const uint8_t mac[6],
                      uint16_t vid);

/** What the program and the broadcast socket did, since open. */
struct vsw_xdp_share_stats {
    uint64_t redirected;  /**< to the switch through AF_XDP */
    uint64_t group;       /**< broadcast/multicast passed to the host */
    uint64_t host;        /**< unicast to no VNIC, passed to the host */
    uint64_t nosock;      /**< for a VNIC but on a queue without socket */
    uint64_t group_rx;    /**< broadcast/multicast the switch got */
    uint64_t group_lost;  /**< ... the socket lost (ring full, too big,
                               no mbuf) */
    uint32_t entries;     /**< VNIC entries in the map */
};

/** @return 0 or -EINVAL (not a shared port) or the kernel's -errno. */
XVN_EXPORT
int vsw_xdp_share_stats_get(const struct vsw_port *port,
                            struct vsw_xdp_share_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* VSW_XDP_SHARE_H */
