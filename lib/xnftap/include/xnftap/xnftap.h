/* SPDX-License-Identifier: MIT */
/*
 * xnftap/xnftap.h - libxnftap: the data plane of a process domain.
 *
 * A process domain is a network namespace whose eth0 is a TAP device; the
 * other side of that TAP device is a libxnf netif frontend, so whatever the
 * guest's Linux stack sends leaves over the netif rings and whatever the
 * backend delivers is written into the guest's stack.  Real tools (ping,
 * iperf3, tcpdump) run inside the namespace unchanged.
 *
 * The TAP device carries a struct virtio_net_hdr in front of every frame
 * (IFF_VNET_HDR), which is how Linux hands over partial checksums and large
 * TCP segments.  The pump translates that header to and from the netif
 * offload flags (struct netif_offload):
 *
 *   TAP -> netif: NEEDS_CSUM -> NETIF_OFF_CSUM_BLANK, GSO_TCPV4/6 + gso_size
 *                 -> NETIF_OFF_GSO, DATA_VALID -> NETIF_OFF_DATA_VALIDATED.
 *   netif -> TAP: NETIF_OFF_CSUM_BLANK -> NEEDS_CSUM with csum_start and
 *                 csum_offset found from the IPv4/IPv6 and TCP/UDP headers
 *                 (netif carries no offsets), NETIF_OFF_DATA_VALIDATED ->
 *                 DATA_VALID, NETIF_OFF_GSO -> gso_type, gso_size, hdr_len.
 *
 * netif cannot say where a checksum starts, so a partial checksum is only
 * handed over when csum_start/csum_offset are the ones a receiver will find
 * by parsing; any other partial checksum is finished in software first.
 * Headers from either side are checked (lengths, offsets, types) before
 * anything is trusted; what cannot be expressed is dropped and counted.
 *
 * Threads: one thread per struct xnftap, which also owns the xnf device's
 * data path while xnftap_run() runs.
 */
#ifndef XNFTAP_XNFTAP_H
#define XNFTAP_XNFTAP_H

#include "xvm/export.h"

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>

#include "xnf/xnf.h"
#include "xvm/evtchn.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the library's exported functions (hidden visibility build). */
#define XVN_EXPORT __attribute__((visibility("default")))

/** Bytes of virtio_net_hdr in front of every TAP frame (TUNSETVNETHDRSZ). */
#define XNFTAP_VNET_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr))

/** Default device name in the guest namespace. */
#define XNFTAP_IFNAME_DEFAULT "eth0"

/** What xnftap_create() needs.  Read during the call only. */
struct xnftap_config {
    /**
     * Network namespace to create the device in: an open fd of
     * /run/netns/NAME or /proc/PID/ns/net; -1 for the caller's own.
     */
    int netns_fd;
    const char *ifname; /**< name there; NULL for "eth0" */
    uint8_t mac[6];     /**< the VNIC's MAC, given to the device */
    uint32_t mtu;       /**< 68..65535 - 14; 0 for 1500 */
    /**
     * A connected xnf device (xnf_connect() done).  Its offloads decide the
     * TAP offloads: TUN_F_CSUM always, TUN_F_TSO4 with NETIF_F_GSO_TCPV4,
     * TUN_F_TSO6 with NETIF_F_GSO_TCPV6 and NETIF_F_IPV6_CSUM (an IPv6
     * large segment is a partial checksum, as Linux netfront requires).
     */
    struct xnf_dev *xnf;
    struct xvm_evtchn *ec; /**< the device's event channel table */
    evtchn_port_t port;    /**< and the port the backend notifies */
    evtchn_port_t port_rx; /**< the RX channel's port when split; 0: none */
    /**
     * Be one queue of a multi-queue TAP device (IFF_MULTI_QUEUE): one
     * struct xnftap, xnf device and pump thread per netif queue, all on
     * the same @ifname; the kernel spreads the guest's flows over them.
     * The device must be opened multi-queue every time (xvm/tap.h).
     */
    bool multi_queue;
};

/** Counters.  "tx" is what the guest sends (TAP -> netif). */
struct xnftap_stats {
    uint64_t tx_frames, tx_bytes; /**< handed to xnf_send() */
    uint64_t tx_gso;              /**< of which large segments */
    uint64_t tx_csum_blank;       /**< partial checksums handed over */
    uint64_t tx_csum_sw;          /**< partial checksums finished here */
    uint64_t tx_bad_hdr;          /**< dropped: bad or unusable vnet hdr */
    uint64_t tx_send_err;         /**< dropped: xnf_send() refused */
    uint64_t tx_ring_full;        /**< times TAP reads paused: ring full */
    uint64_t rx_frames, rx_bytes; /**< written to the TAP device */
    uint64_t rx_gso;              /**< of which large segments */
    uint64_t rx_csum_blank;       /**< written with NEEDS_CSUM */
    uint64_t rx_bad_offload;      /**< dropped: offload not expressible */
    uint64_t rx_write_err;        /**< dropped: TAP write failed */
    uint64_t wakeups;             /**< sleeps on epoll that ended */
};

struct xnftap;

/**
 * Create the TAP device (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) in the given
 * namespace, set its vnet header size and offloads, and give it its MAC
 * and MTU and bring it up through libnl-route-3.  The calling thread
 * enters the namespace for the duration of the call and returns to its own.
 * The device disappears when xnftap_destroy() closes it (or the process
 * dies).
 * @return the handle, or NULL with errno: EINVAL bad config (xnf not
 *         connected, bad MTU or name), EEXIST the name is taken, EPERM,
 *         ENOMEM, or the errno of open/ioctl/setns/netlink.
 * Thread: any; the handle then belongs to one thread.
 */
XVN_EXPORT
struct xnftap *xnftap_create(const struct xnftap_config *cfg);

/** Close the TAP device and free the handle.  Accepts NULL.  The xnf
 * device is the caller's and stays as it is. */
XVN_EXPORT
void xnftap_destroy(struct xnftap *t);

/** The device's ifindex in its namespace. */
XVN_EXPORT
int xnftap_ifindex(const struct xnftap *t);

/**
 * Set the device's carrier (TUNSETCARRIER): off, the guest's stack sees
 * NO-CARRIER and the link down; on, it is back.  A device starts with its
 * carrier on.  The backend says which (xnf/xenbus.h, ops->carrier).
 * @return 0 or -errno.
 * Thread: any, also while another runs xnftap_run(): it only issues an
 * ioctl on the device's fd.
 */
XVN_EXPORT
int xnftap_set_carrier(struct xnftap *t, bool up);

/** TUN_F_* offloads enabled on the device. */
XVN_EXPORT
unsigned xnftap_offloads(const struct xnftap *t);

/**
 * Pump frames both ways until @stop_fd becomes readable (e.g. a signalfd
 * for SIGTERM), sleeping in epoll on the TAP fd and the event channel when
 * idle (after xnf_final_check()).  TAP -> netif goes in batches with one
 * xnf_flush() per batch; when the TX ring is full, TAP reads stop until
 * xnf_poll() frees slots (the frame in hand is kept, the kernel queues the
 * rest), so nothing is dropped for lack of slots.
 * @return 0 when stopped; -EIO if the xnf device broke; -errno of a TAP
 *         read that failed other than with EAGAIN, or of epoll.
 */
XVN_EXPORT
int xnftap_run(struct xnftap *t, int stop_fd);

/** Copy the counters. */
XVN_EXPORT
void xnftap_stats_get(const struct xnftap *t,
                      struct xnftap_stats *st);

/* ------------------------------------------------------------------------
 * Header translation, usable on its own (and by the tests).
 */

/** Where a frame's headers are, as xnftap_parse() finds them. */
struct xnftap_l4 {
    uint16_t l3_off;   /**< IP header offset (after up to two VLAN tags) */
    uint16_t l4_off;   /**< TCP/UDP header offset: the csum_start */
    uint8_t l3;        /**< 4 or 6 */
    uint8_t proto;     /**< IPPROTO_TCP or IPPROTO_UDP */
    uint8_t l4_hlen;   /**< TCP header with options, or 8 for UDP */
    uint8_t csum_off;  /**< checksum field within L4: 16 TCP, 6 UDP */
};

/**
 * Find the L3 and L4 headers of an Ethernet frame: up to two 802.1Q/802.1ad
 * tags, IPv4 (not a fragment) or IPv6 (skipping up to 8 hop-by-hop, routing
 * or destination-options headers), then TCP or UDP, each wholly inside
 * @len.
 * @return 0; -EINVAL if a header is truncated or malformed;
 *         -EPROTONOSUPPORT for other protocols (or an IPv6 fragment).
 */
XVN_EXPORT
int xnftap_parse(const void *frame, uint32_t len,
                 struct xnftap_l4 *l4);

/** xnftap_hdr_to_offload() returns this when it finished a checksum. */
#define XNFTAP_CSUM_DONE 1

/**
 * TAP -> netif: check @h against the frame and turn it into @off.
 * @be_features are the xnf device's (xnf_be_features()): a large segment
 * of a type it cannot take, or an IPv6 partial checksum without
 * NETIF_F_IPV6_CSUM, cannot be handed over.  A partial checksum netif cannot
 * express is computed into @frame here.  The frame is @len bytes, of which
 * the first @hlen lie at @frame (the rest elsewhere, in TX pages); its
 * headers are looked for in those only.
 * @return 0; XNFTAP_CSUM_DONE if the checksum was finished in @frame;
 *         -EAGAIN if that checksum needs the whole frame at @frame (hlen <
 *         len): call again with the frame in one piece;
 *         -EINVAL for a header that contradicts the frame (offsets out of
 *         bounds, GSO without NEEDS_CSUM or with size 0, GSO type not
 *         matching the IP version or not TCP, ECN or unknown flags/types);
 *         -EOPNOTSUPP for a large segment the backend cannot take.
 */
XVN_EXPORT
int xnftap_hdr_to_offload(const struct virtio_net_hdr *h,
                          void *frame, uint32_t hlen, uint32_t len,
                          uint32_t be_features,
                          struct netif_offload *off);

/**
 * netif -> TAP: build @h for a received frame of @len bytes from @off;
 * @frame holds its first @hlen bytes (the frame may lie in pieces: its
 * headers must be in the first).  A large segment that arrived without
 * NETIF_OFF_CSUM_BLANK gets its TCP pseudo-header checksum rewritten in
 * @frame (as Linux netback does for such frontends) so the kernel can
 * finish each segment.
 * @return 0; -EINVAL if @off asks for a checksum or segmentation on a
 *         frame whose headers cannot be found within @hlen or do not
 *         match.
 */
XVN_EXPORT
int xnftap_offload_to_hdr(const struct netif_offload *off,
                          void *frame, uint32_t hlen, uint32_t len,
                          struct virtio_net_hdr *h);

#ifdef __cplusplus
}
#endif

#endif /* XNFTAP_XNFTAP_H */
