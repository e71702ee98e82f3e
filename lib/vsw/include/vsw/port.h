/* SPDX-License-Identifier: MIT */
/*
 * vsw/port.h - the port provider interface: how frames get in and out of
 * the switch.  A port is the wire of a physical link (a DPDK ethdev) or
 * what a VNIC is attached to (a host TAP, later a guest's netback vif).
 * Each kind implements struct vsw_port_ops and embeds struct vsw_port at
 * the start of its own structure.
 *
 * Threads: rx, tx, sleep_arm and sleep_disarm run on the fast-path worker
 * that owns the port (a queue's port: that queue's owner), one at a time
 * per port.  Constructors and destroy run on the
 * control thread, and destroy only once the switch no longer references
 * the port (vsw_link_destroy / vsw_vnic_attach handle that).
 */
#ifndef VSW_PORT_H
#define VSW_PORT_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "netif/netif.h"
#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_port;

/** What a port kind provides.  Members marked optional may be NULL. */
struct vsw_port_ops {
    /** Short kind name for logs and reports: "ethdev", "tap", ... */
    const char *kind;
    /**
     * Receive up to @n frames into @pkts (each a complete frame, mbufs
     * from the port's pool).  @return how many were received.
     */
    uint16_t (*rx)(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n);
    /**
     * Send @n frames.  The port takes pkts[0..ret) and frees each once
     * sent; the caller drops the rest, counting them under *@why, which
     * the port sets whenever it returns less than @n (VSW_DROP_NOBUF for
     * "no room now", VSW_DROP_VIF_ERROR for a broken attachment).
     * Frames may be shared with other ports (refcnt > 1): the port must
     * not modify their data or headers.
     */
    uint16_t (*tx)(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n,
                   enum vsw_drop *why);
    /**
     * Optional.  Before the fast path sleeps: arrange for port->wake_fd
     * to become readable when frames arrive (enable rx interrupts).
     * @return 0, or -ENOTSUP if the port cannot wake the thread now (the
     *         sleep is then bounded, see vsw_switch_sleep()).
     */
    int (*sleep_arm)(struct vsw_port *port);
    /** Optional.  After the sleep: undo sleep_arm. */
    void (*sleep_disarm)(struct vsw_port *port);
    /**
     * Optional, fd ports of VNICs.  After rx: nanoseconds the fast path
     * should leave the port's fd alone (its client is out of transmit
     * credit, or its attachment broke); 0 to go on reading it whenever it
     * is readable.  *@lost is set to the frames the port lost to a broken
     * attachment since the last call (counted as vif-error drops).
     */
    uint64_t (*rx_holdoff)(struct vsw_port *port, uint32_t *lost);
    /**
     * Optional, with VSW_PORT_F_TX_RATE.  The VNIC's maxbw changed (bits/s,
     * 0 = none): limit what the client may send.  Control thread; the port
     * applies it on the fast path.
     */
    void (*set_maxbw)(struct vsw_port *port, uint64_t bps);
    /**
     * Optional, a link's wire that sorts what it receives by destination
     * (a NIC shared with the host, vsw/xdp_share.h): from now on frames
     * to @mac on VLAN @vid (LP_VID_NONE: untagged) belong to the switch.
     * The switch calls it for each VNIC of the link, when the VNIC is
     * made over a link with this wire and when the port becomes the wire
     * of a link with VNICs, and ucast_del when the VNIC goes.  As
     * illumos programs a NIC's unicast filter for each MAC client.
     * Control thread.  @return 0 or -errno.
     */
    int (*ucast_add)(struct vsw_port *port, const uint8_t mac[6],
                     uint16_t vid);
    /** Optional, with ucast_add: frames to (@mac, @vid) are not the
     *  switch's any more.  Control thread. */
    void (*ucast_del)(struct vsw_port *port, const uint8_t mac[6],
                      uint16_t vid);
    /**
     * Optional, ports with a host interface (a TAP).  Give the interface
     * the VNIC's new MAC address.  Control thread.  @return 0 or -errno.
     */
    int (*set_mac)(struct vsw_port *port, const uint8_t mac[6]);
    /**
     * Optional, ports with a host interface.  Carrier on (@up) or off:
     * the host sees the VNIC's link go down.  Control thread.
     * @return 0 or -errno.
     */
    int (*set_carrier)(struct vsw_port *port, bool up);
    /**
     * Optional, ports with several queues (vsw_port.nqueues > 1: a
     * multi-queue vif).  The port of queue @q, 1 <= @q < nqueues: it
     * serves that queue alone, both directions, as @port itself serves
     * queue 0, so that each queue can have an owner of its own (the
     * switch gives each an endpoint, and its worker reads and writes it
     * with no lock shared with the others').  It belongs to @port and
     * goes with it (its ops have no destroy).  Control thread.
     */
    struct vsw_port *(*queue)(struct vsw_port *port, unsigned q);
    /**
     * Optional, with queue: the queue a frame toward the client goes to
     * (its flow's), < nqueues.  Any thread.
     */
    unsigned (*queue_of)(const struct vsw_port *port,
                         const struct rte_mbuf *m);
    /** Release everything.  Called once, on the control thread.  NULL
     *  for a port that belongs to another (a queue's). */
    void (*destroy)(struct vsw_port *port);
};

/** The part of a port the switch sees. */
struct vsw_port {
    const struct vsw_port_ops *ops;
    char name[LP_NAMSIZ]; /**< for logs: the device or interface name */
    /**
     * How the fast path learns that rx has work:
     *  - rx_fd >= 0: the port is read only when this fd is readable
     *    (level-triggered; a TAP fd).  Thousands of such ports cost
     *    nothing while idle.
     *  - rx_fd < 0: the port is polled on every fast-path iteration
     *    (an ethdev), and wake_fd, if >= 0, is watched (edge-triggered)
     *    while the fast path sleeps, after sleep_arm.
     */
    int rx_fd;
    int wake_fd;
    uint32_t flags; /**< VSW_PORT_F_* */
    /**
     * RTE_ETH_TX_OFFLOAD_* the port's tx performs from mbuf tx flags
     * (IPV4_CKSUM, TCP_CKSUM, UDP_CKSUM, TCP_TSO, MULTI_SEGS; an ethdev
     * whose driver has them).  0: the switch hands it complete frames
     * (segmented, checksums filled in), unless VSW_PORT_F_OFFLOAD_META.
     */
    uint64_t tx_offloads;
    /** 0 or 1: one queue; more: queues 1.. are ports of their own
     *  (ops->queue). */
    uint16_t nqueues;
};

/**
 * The port slows its client's transmit to the VNIC's maxbw itself (by
 * credit, like Xen netback's rate): the switch then does not police what
 * it reads from the port.
 */
#define VSW_PORT_F_TX_RATE 0x1u
/**
 * The port takes frames with offload metadata as it is (a guest vif:
 * netif carries a blank checksum, RTE_MBUF_F_RX_L4_CKSUM_NONE, and large
 * TCP segments, RTE_MBUF_F_RX_LRO with the MSS in tso_segsz).  Other
 * ports get such frames segmented and checksummed by the switch (or by
 * the port, per tx_offloads), with any VLAN tag inserted afterwards.
 */
#define VSW_PORT_F_OFFLOAD_META 0x2u
/**
 * The port pays for every frame and takes large TCP segments (with
 * VSW_PORT_F_OFFLOAD_META): the switch coalesces the segments of a flow
 * in one burst into one before it sends them (a host TAP, a guest's vif
 * with GSO).
 */
#define VSW_PORT_F_GRO 0x4u

/** Release a port.  Accepts NULL.  Control thread, port not in use. */
XVN_EXPORT
void vsw_port_destroy(struct vsw_port *port);

/**
 * A DPDK ethdev from devargs ("net_af_packet0,iface=veth0", "net_tap0",
 * "net_null0", ...): probes the device, configures one rx and one tx queue
 * (rx buffers from @pool), turns promiscuous and all-multicast on (the
 * switch must see frames for every VNIC's MAC), asks for rx interrupts
 * where the driver has them, and starts it.  The device is removed again
 * by destroy.
 * @return the port, or NULL with errno (EINVAL bad devargs, EEXIST device
 *         already probed, ENOSPC no ethdev slot left, or the driver's).
 */
XVN_EXPORT
struct vsw_port *vsw_port_ethdev_open(const char *devargs,
                                      struct rte_mempool *pool);

/**
 * An ethdev that already exists (e.g. made by rte_eth_from_rings()),
 * configured and started as above.  destroy stops and closes it.
 * @return the port, or NULL with errno.
 */
XVN_EXPORT
struct vsw_port *vsw_port_ethdev_attach(uint16_t port_id,
                                        struct rte_mempool *pool);

/** Give @port's host interface @mac (set_mac).  @return 0, -EOPNOTSUPP
 *  (no host interface) or -errno.  Control thread. */
XVN_EXPORT
int vsw_port_set_mac(struct vsw_port *port, const uint8_t mac[6]);
/** Set the carrier of @port's host interface (set_carrier).  @return 0,
 *  -EOPNOTSUPP or -errno.  Control thread. */
XVN_EXPORT
int vsw_port_set_carrier(struct vsw_port *port, bool up);

/**
 * A host TAP interface named @ifname with MAC address @mac, left down:
 * bringing it up is the host's (`ip link set IF up`, as ipadm create-ip
 * plumbs an interface on illumos), as is any address.
 * The switch reads and writes the TAP fd itself (no ethdev), so there may
 * be thousands of these.  The TAP has a vnet header (IFF_VNET_HDR) and
 * offers the kernel checksum and TCP segmentation offload: the host's
 * large segments and partial checksums travel as mbuf metadata
 * (VSW_PORT_F_OFFLOAD_META), as a guest vif's do.  The interface
 * disappears when the port is destroyed.  It may be moved to another
 * network namespace meanwhile; set_mac and set_carrier work through the
 * fd wherever it is.
 * @return the port, or NULL with errno (EINVAL bad name or mbufs too
 *         small for a frame, EEXIST the interface exists, EPERM without
 *         CAP_NET_ADMIN).
 */
XVN_EXPORT
struct vsw_port *vsw_port_tap_open(const char *ifname, const uint8_t mac[6],
                                   struct rte_mempool *pool);

/** One queue of a guest's netif: its rings and event channels (the
 *  doorbells xvmd brokered, as the guest holds them; duplicated). */
struct vsw_vif_queue {
    uint32_t tx_ring_ref, rx_ring_ref;
    int own_fd;     /**< dom0's doorbell of the TX (or only) channel */
    int peer_fd;    /**< the guest's doorbell of that channel */
    int rx_own_fd;  /**< the RX channel's, when split; else -1 */
    int rx_peer_fd; /**< likewise */
};

/**
 * A guest's netif, as the xenbus handshake (libnetback's vif bus) found it:
 * the domain's memory, the grant table, and each queue's rings and event
 * channels.
 */
struct vsw_vif_params {
    const char *name;          /**< for logs, e.g. "vif5.0" */
    uint16_t domid;            /**< the guest */
    struct xvm_mem *mem;       /**< its memory (a reference is taken) */
    uint64_t gt_gfn;           /**< its grant table */
    uint32_t gt_frames;
    uint32_t features;         /**< NETIF_F_* bits the frontend offered */
    unsigned nqueues;          /**< 1..NETIF_QUEUES_MAX */
    struct vsw_vif_queue queue[NETIF_QUEUES_MAX];
};

/**
 * A guest vif: takes a reference on the guest's memory, adopts the event
 * channels, and connects a libnetback vif to each queue's rings.  The
 * port returned serves queue 0; with several queues, each other queue is
 * a port of its own (ops->queue, nqueues), with its own fd, so that the
 * switch can give each queue an owner, and ops->queue_of says which
 * queue a frame for the guest goes to (the one its flow hashes to,
 * nb_queue_select()).
 * Guest transmit is read into mbufs (chains for frames beyond one mbuf) when the event
 * channel's fd is readable; frames for the guest are copied into its RX
 * buffers, and what it has no buffers for waits in a bounded queue.
 * Netif checksum and GSO metadata travel on the mbufs (see port_vif.c).
 * The channel is left pending, as Xen leaves a new binding, so the switch
 * looks at the rings once.
 * @return the port, or NULL with errno (EINVAL bad params or rings,
 *         EBADF bad fds, ENOMEM).
 */
XVN_EXPORT
struct vsw_port *vsw_port_vif_open(const struct vsw_vif_params *p,
                                   struct rte_mempool *pool);
/* ---- the registry of port kinds ---- */

/** What opening a port takes; each kind reads its own members. */
struct vsw_port_args {
    const char *name;                 /**< tap: the interface's name */
    const uint8_t *mac;               /**< tap: its MAC address */
    const char *devargs;              /**< ethdev: DPDK devargs */
    const struct vsw_vif_params *vif; /**< vif: the guest's netif */
};

/**
 * A kind of port, as Open vSwitch's netdev classes: "ethdev" (a DPDK
 * port: links), "tap" (a host interface: dom0's VNICs) and "vif" (a
 * guest's netif) are built in; the datalink manager opens every port by
 * its kind through vsw_port_open().
 */
struct vsw_port_class {
    const char *kind;
    /** Open a port from @a with rx buffers from @pool.  @return the port,
     *  or NULL with errno. */
    struct vsw_port *(*open)(const struct vsw_port_args *a,
                             struct rte_mempool *pool);
};

/** Add a kind (start-up only, one thread).  @c must outlive the switch.
 *  @return 0, -EINVAL, -EEXIST (the kind exists) or -ENOSPC. */
XVN_EXPORT
int vsw_port_class_register(const struct vsw_port_class *c);
/** The kind named @kind, or NULL.  Any thread. */
XVN_EXPORT
const struct vsw_port_class *vsw_port_class_find(const char *kind);
/** Open a port of kind @kind.  @return the port, or NULL with errno
 *  (ENOENT: no such kind; else the kind's). */
XVN_EXPORT
struct vsw_port *vsw_port_open(const char *kind, const struct vsw_port_args *a,
                               struct rte_mempool *pool);

/** Whether @port is a vif. */
XVN_EXPORT
bool vsw_port_is_vif(const struct vsw_port *port);

/** A vif's queues (0 if @port is not a vif). */
XVN_EXPORT
unsigned vsw_port_vif_queues(const struct vsw_port *port);

struct nb_vif_stats;
/**
 * Queue @q's netback counters (what it took from the guest and gave it).
 * Any thread that keeps the port from being destroyed meanwhile.
 * @return 0, or -EINVAL (not a vif, no such queue).
 */
XVN_EXPORT
int vsw_port_vif_queue_stats(const struct vsw_port *port, unsigned q,
                             struct nb_vif_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* VSW_PORT_H */
