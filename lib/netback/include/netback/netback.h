/* SPDX-License-Identifier: MIT */
/*
 * netback/netback.h - libnetback: the backend half of the Xen netif protocol.
 *
 * A struct nb_vif serves one queue of a netif device of one frontend domain;
 * a device with N queues is N vifs (one per queue's rings and event
 * channels) that share the device's rate credit (nb_vif_params.credit_of).
 * It maps the frontend's TX and RX shared rings through the frontend's grant
 * table (xvm/gnttab.h), takes packets the guest transmits and hands them to
 * its owner, and copies packets the owner delivers into buffers the guest
 * posted on its RX ring.  It knows nothing of DPDK or of the switch: buffers
 * come from, and packets go to, the owner through struct nb_io_ops.
 *
 * This is the code a hostile guest talks to.  Rules it follows:
 *  - every request is copied once from the shared ring into private memory
 *    (RING_COPY_REQUEST) and only the copy is validated and used; ring
 *    indices are read once per pass;
 *  - every grant access goes through xvm_gnttab_copy(), which validates the
 *    grant from a private copy of the entry and checks every status;
 *  - a frontend that breaks the protocol gets its vif disabled: the vif stops
 *    touching the rings, the reason is logged once and counted in
 *    nb_vif_stats.fatal[reason], and nb_vif_disabled() returns the reason.
 *    Other vifs and the process carry on.
 *
 * Threads: nb_vif_tx_*() (guest transmit) and nb_vif_rx_*() (guest receive)
 * keep separate state and may run on two different threads; each family is
 * single-threaded per vif.  nb_vif_stats_get() may be called from any thread
 * (counters are read without locks and may be slightly stale).
 * Create/destroy run on the control thread while the vif is not being
 * polled.  nb_vif_set_rate() runs on the vif's guest-transmit thread (or
 * while it is not polled); the bucket the queues of a device share is
 * taken under its lock, so their transmit may run on different threads.
 */
#ifndef NETBACK_NETBACK_H
#define NETBACK_NETBACK_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include "netif/netif.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"
#include "xvm/xen.h"

#include <xen/io/xenbus.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest burst one nb_vif_tx_poll() or nb_vif_rx_burst() handles. */
#define NB_BURST_MAX 64u
/** Multicast addresses kept per vif (as Linux). */
#define NB_MCAST_MAX 64u
/** Most segments io_ops->tx_buf_get() may fill for one packet. */
#define NB_TX_SEGS_MAX 32u

/** The features libnetback offers a frontend (NETIF_F_* bits). */
#define NB_FEATURES                                                         \
    (NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |                   \
     NETIF_F_IPV6_CSUM | NETIF_F_RX_COPY | NETIF_F_MCAST_CTRL)

/** A piece of a packet buffer in the owner's memory. */
struct nb_seg {
    void *base;
    uint32_t len;
};

/** A packet the guest transmitted, now in an owner buffer. */
struct nb_tx_pkt {
    void *cookie;          /**< what io_ops->tx_buf_get() returned */
    uint32_t len;          /**< frame length in bytes */
    /** Offload metadata from the request.  A GSO packet always has
     *  NETIF_OFF_CSUM_BLANK: xnf marks its LSO packets with the GSO
     *  record alone, and they are checksum-partial (as Linux netback
     *  takes them). */
    struct netif_offload off;
};

/** A packet for the guest to receive; the owner keeps the memory. */
struct nb_rx_pkt {
    const struct nb_seg *segs; /**< data, in order */
    uint16_t nseg;
    uint32_t len; /**< total bytes, == sum of segs[].len, 14..65535 */
    struct netif_offload off;
};

/**
 * The owner's side of the packet interface.  All callbacks run on the
 * thread that called nb_vif_tx_poll(); none may call back into the vif.
 */
struct nb_io_ops {
    /**
     * Give buffer space for a guest-transmitted frame of @len bytes
     * (NETIF_MIN_FRAME .. NETIF_MAX_FRAME).  Fill up to @max segments whose
     * lengths add up to at least @len and set *@cookie to a handle for it.
     * (@max is NB_TX_SEGS_MAX.  A buffer that breaks these rules is given
     * back with tx_buf_put() and counted as a tx_nobuf stall.)
     * @return the number of segments filled (> 0), or 0 if no buffer is
     *         free now: the vif then stops taking requests for this poll and
     *         counts a tx_nobuf stall (the guest is slowed, nothing is lost).
     */
    unsigned (*tx_buf_get)(void *arg, uint32_t len, struct nb_seg *segs,
                           unsigned max, void **cookie);
    /** Return a buffer from tx_buf_get() that will not be delivered. */
    void (*tx_buf_put)(void *arg, void *cookie);
    /**
     * A burst of guest-transmitted packets, each fully copied.  The owner
     * now owns every pkts[i].cookie.  @n >= 1.
     */
    void (*tx_deliver)(void *arg, struct nb_tx_pkt *pkts, unsigned n);
};

/** Why a vif was disabled.  Keep nb_fatal_str() in step. */
enum nb_fatal {
    NB_FATAL_NONE = 0,
    NB_FATAL_TX_PROD_OVERFLOW,     /**< req_prod - req_cons > ring size */
    NB_FATAL_TX_PROD_BACKWARDS,    /**< TX req_prod moved backwards */
    NB_FATAL_TX_CHAIN_OVERRUN,     /**< slot chain longer than posted reqs */
    NB_FATAL_TX_TOO_MANY_SLOTS,    /**< more than NETIF_MAX_SLOTS_PER_PKT */
    NB_FATAL_TX_SLOT_CROSSES_PAGE, /**< offset + size > 4096 */
    NB_FATAL_TX_BAD_GRANT,         /**< a grant copy failed (GNTST_*) */
    NB_FATAL_TX_BAD_LEN,           /**< total 0, < 14 or > 65535 */
    NB_FATAL_TX_FRAG_OVERRUN,      /**< fragment sizes exceed the total */
    NB_FATAL_TX_BAD_EXTRA,         /**< extra missing, type 0 or >= MAX */
    NB_FATAL_TX_BAD_GSO,           /**< GSO size 0 or unknown GSO type */
    NB_FATAL_RX_PROD_OVERFLOW,     /**< RX req_prod - rsp_prod > ring size */
    NB_FATAL_RX_PROD_BACKWARDS,    /**< RX req_prod moved backwards */
    NB_FATAL_RX_BAD_GRANT,         /**< copy into an RX buffer failed */
    NB_FATAL__MAX
};

/** Counters of one vif.  "tx" is guest transmit, "rx" guest receive. */
struct nb_vif_stats {
    uint64_t tx_packets, tx_bytes;  /**< taken from the guest */
    uint64_t rx_packets, rx_bytes;  /**< delivered to the guest */
    uint64_t tx_nobuf_stalls;       /**< polls stopped by tx_buf_get == 0 */
    uint64_t tx_credit_stalls;      /**< polls stopped by the rate limit */
    uint64_t rx_no_slots;           /**< rx_burst stopped: guest ring full */
    uint64_t rx_dropped_offload;    /**< GSO/SG the frontend can't take */
    uint64_t rx_dropped_bad;        /**< owner packets: bad len or segs */
    uint64_t mcast_ops;             /**< multicast add/del records handled */
    uint64_t notify_tx, notify_rx;  /**< event channel sends */
    uint64_t fatal[NB_FATAL__MAX];  /**< 1 at the reason that disabled it */
};

/** Everything needed to connect a vif; filled from xenstore by the owner. */
struct nb_vif_params {
    const char *name;          /**< for logs, e.g. "vif5.0"; copied */
    domid_t frontend_domid;    /**< the guest */
    domid_t backend_domid;     /**< this domain (usually 0) */
    struct xvm_mem *mem;       /**< the guest's memory, mapped here */
    uint64_t gnttab_gfn;       /**< first frame of the guest's grant table */
    uint32_t gnttab_frames;    /**< frames in the guest's grant table */
    grant_ref_t tx_ring_ref;   /**< frontend key tx-ring-ref */
    grant_ref_t rx_ring_ref;   /**< frontend key rx-ring-ref */
    struct xvm_evtchn *evtchn; /**< this domain's port table */
    evtchn_port_t tx_port;     /**< local port for TX events */
    evtchn_port_t rx_port;     /**< RX port; == tx_port if not split */
    uint32_t features;         /**< enum netif_feature bits negotiated */
    const struct nb_io_ops *ops;
    void *ops_arg;
    /**
     * Another queue of the same device (NULL: none): the vif then takes
     * its guest-transmit credit from that one's bucket, so the rate limit
     * holds for the device, not per queue.  The queues may be polled from
     * different threads (the shared bucket is then taken under a lock
     * while a limit is set); @credit_of must outlive this vif.
     */
    struct nb_vif *credit_of;
};

struct nb_vif;

/**
 * Connect a vif: open the guest's grant table, map both ring pages (which
 * must be granted writable to backend_domid), and attach at the rings'
 * current response producers.  A ring whose req_prod is more than a ring
 * ahead of rsp_prod is refused.
 * @return the vif, or NULL with errno (EINVAL for bad params or a ring that
 *         cannot be mapped, ENOMEM).
 */
XVN_EXPORT
struct nb_vif *nb_vif_create(const struct nb_vif_params *p);

/** Unmap the rings and free the vif.  Accepts NULL. */
XVN_EXPORT
void nb_vif_destroy(struct nb_vif *vif);

/**
 * Guest transmit: take up to @budget packets (capped at NB_BURST_MAX) from
 * the TX ring, copy each into owner buffers, answer every slot on the ring,
 * notify the frontend if it asked, and hand the burst to io_ops->tx_deliver.
 * @return the number of packets delivered (0 when idle, stalled or disabled).
 */
XVN_EXPORT
unsigned nb_vif_tx_poll(struct nb_vif *vif, unsigned budget);

/**
 * Before sleeping on the TX event channel: arm req_event and re-check.
 * The producer index is checked as nb_vif_tx_poll() checks it (a bad one
 * disables the vif).  While credit-stalled, sleep for
 * nb_vif_tx_credit_wait_ns() instead: requests are waiting then.
 * @return true if requests are waiting (do not sleep; poll again); false
 *         when idle or disabled.
 */
XVN_EXPORT
bool nb_vif_tx_final_check(struct nb_vif *vif);

/**
 * Guest receive: copy up to @n packets into buffers the guest posted, write
 * the responses and notify the frontend once if it asked.  Packets are taken
 * in order; the returned prefix pkts[0..ret) has been copied and the owner
 * may free it.  Packets the frontend cannot take (GSO it did not negotiate,
 * multi-slot without feature-sg) are dropped, counted and included in the
 * returned count.  When the guest's ring has too few buffers the call stops
 * and, with feature-rx-notify, arms req_event so the guest's next post
 * notifies us.  At most NB_BURST_MAX packets are taken per call.
 * Offload flags are passed through as they are, but for a GSO packet,
 * which always goes out checksum-partial (csum_blank and data_validated):
 * netfront counts one without csum_blank as a buggy peer's.  With
 * NETIF_F_NO_CSUM (or IPv6 without NETIF_F_IPV6_CSUM) the owner must
 * finish checksums itself.
 * Packets breaking the nb_rx_pkt rules (len outside 14..65535, segments
 * not adding up to len) are dropped, counted in rx_dropped_bad, consumed.
 * @return packets consumed from @pkts.
 */
XVN_EXPORT
unsigned nb_vif_rx_burst(struct nb_vif *vif,
                         const struct nb_rx_pkt *pkts, unsigned n);

/** RX slots the guest has posted and we have not used yet (0 if disabled). */
XVN_EXPORT
unsigned nb_vif_rx_slots(struct nb_vif *vif);

/**
 * The queue a frame for the guest goes to, among @nqueues (>= 1), as Linux
 * netback's select_queue: @hash (an RSS hash, or nb_flow_hash()) scaled to
 * the range, so one flow stays on one queue.  @return 0..nqueues-1.
 */
XVN_EXPORT
unsigned nb_queue_select(uint32_t hash, unsigned nqueues);

/**
 * A cheap hash of a frame's flow: the IPv4 or IPv6 addresses and, for TCP
 * and UDP, the ports (after one 802.1Q tag at most); the MAC addresses for
 * anything else.  Symmetric (both directions of a flow hash alike).
 * Reads at most the first @len bytes of @frame.
 */
XVN_EXPORT
uint32_t nb_flow_hash(const void *frame, uint32_t len);

/**
 * Limit guest transmit to @bytes per @usecs (the backend key rate=
 * "bytes,usecs"); @bytes == 0 means unlimited.  Credit is replenished as
 * Linux netback does; a packet larger than the remaining credit waits,
 * so the guest is slowed, never dropped.  The bucket is the one the vif
 * shares (nb_vif_params.credit_of): setting it on any queue sets it for
 * every queue of the device.
 * @return 0 or -EINVAL (@usecs == 0 with @bytes != 0).
 */
XVN_EXPORT
int nb_vif_set_rate(struct nb_vif *vif, uint64_t bytes,
                    uint64_t usecs);

/**
 * Nanoseconds until guest transmit may continue after a credit stall, or 0
 * when not stalled or when the wait is already over (for the owner's sleep
 * timeout).  Thread: the guest-transmit thread.
 */
XVN_EXPORT
uint64_t nb_vif_tx_credit_wait_ns(const struct nb_vif *vif);

/** NB_FATAL_NONE while healthy, else the reason the vif was disabled. */
XVN_EXPORT
enum nb_fatal nb_vif_disabled(const struct nb_vif *vif);

/** Copy the vif's counters into @st. */
XVN_EXPORT
void nb_vif_stats_get(const struct nb_vif *vif,
                      struct nb_vif_stats *st);

/**
 * The multicast addresses the frontend has registered (at most
 * NB_MCAST_MAX); copies up to @max into @macs and returns how many there are.
 * Thread: the guest-transmit thread, or any thread while it is not polling.
 */
XVN_EXPORT
unsigned nb_vif_mcast_list(const struct nb_vif *vif,
                           uint8_t (*macs)[6], unsigned max);

/** Short name of @reason ("tx-prod-overflow", ...); never NULL. */
XVN_EXPORT
const char *nb_fatal_str(enum nb_fatal reason);

/** The vif's name as given at creation. */
XVN_EXPORT
const char *nb_vif_name(const struct nb_vif *vif);

/**
 * Where log lines go (disable reasons and the like).  The default writes
 * "netback: <line>" to stderr.  Pass NULL to restore it.
 * Thread: call before creating vifs.
 */
XVN_EXPORT
void nb_set_log(void (*fn)(const char *line));


/*
 * ---------------------------------------------------------------------------
 * The xenbus handshake (netback/src/xenbus.c).
 *
 * struct nb_xenbus drives the backend side of one vif device through
 * xenstore, as docs/netif.md section 5 describes: it advertises the
 * backend features, follows the frontend's XenbusState through a watch,
 * reads (strictly: plain decimals, "0"/"1" booleans, range-checked) what
 * the frontend wrote, and hands it to the owner, who maps the rings and
 * binds the event channels of every queue (one struct nb_vif per queue).
 * Backend states:
 *
 *   probe: frontend fresh (Unknown/Initialising/Closed) -> InitWait
 *          frontend still attached to an earlier backend -> Closing
 *   InitWait   + frontend Connected    -> owner connect() -> Connected
 *   any        + frontend Closing      -> Closing (owner disconnect())
 *   any        + frontend Closed       -> Closed  (owner disconnect())
 *   Closing/Closed/Connected + frontend Initialising -> InitWait
 *   fatal error -> "error/<node>/error" = "<errno> <message>", Closing
 *
 * A frontend seen Connected at probe is not trusted to be ours (its
 * backend may have died mid-session), so it is sent through Closing and
 * must reinitialise; that is how a restarted backend gets its frontend
 * back.  The error node is written relative to the backend's domain home,
 * as Linux xenbus does: for /local/domain/0/backend/vif/5/0 it is
 * /local/domain/0/error/backend/vif/5/0/error.
 *
 * Threads: one control thread per xenstore connection; callbacks run on
 * it, from inside nb_xenbus_create/_event/_destroy.
 * ---------------------------------------------------------------------------
 */

struct xvm_xs;
struct xvm_xs_event;

/** The backend's offer when its creator names none: min(this, CPUs). */
#define NB_QUEUES_DEFAULT 4u

/** One queue's keys, flat for one queue or under queue-N/ otherwise. */
struct nb_xenbus_queue {
    grant_ref_t tx_ring_ref; /**< tx-ring-ref */
    grant_ref_t rx_ring_ref; /**< rx-ring-ref */
    evtchn_port_t tx_port;   /**< the frontend's port for TX events */
    evtchn_port_t rx_port;   /**< RX port; == tx_port unless split */
    bool split_evtchn;       /**< event-channel-tx/-rx were given */
};

/** What the frontend asked for, validated; handed to ops->connect. */
struct nb_xenbus_frontend {
    const char *backend_path;  /**< /local/domain/<B>/backend/vif/<D>/<N> */
    const char *frontend_path; /**< the backend's "frontend" key */
    domid_t frontend_domid;    /**< the backend's "frontend-id" key */
    uint32_t handle;           /**< the backend's "handle" key */
    uint8_t mac[6];            /**< the backend's "mac" key (toolstack) */
    /** multi-queue-num-queues (1 when missing), 1..the backend's offer */
    unsigned num_queues;
    /** queue[0..num_queues): every ring ref distinct */
    struct nb_xenbus_queue queue[NETIF_QUEUES_MAX];
    uint32_t features;         /**< enum netif_feature bits the frontend set */
};

/** The owner's side of the handshake.  Both members are required. */
struct nb_xenbus_ops {
    /**
     * The frontend is Connected: create the vif (map the rings, bind the
     * frontend's event channel).  @info and its strings live only during
     * the call.
     * @return 0 (the backend then writes Connected), or -errno (a fatal
     *         xenbus error: the error node is written, state Closing).
     */
    int (*connect)(void *owner, const struct nb_xenbus_frontend *info);
    /** Tear the vif down; called once for each successful connect(). */
    void (*disconnect)(void *owner);
};

struct nb_xenbus;

/**
 * From a failing connect(): the reason the error node gives the toolstack
 * and the frontend ("ERRNO REASON"), e.g. why the owner cannot plug the
 * vif in.  Accepts NULL.
 */
XVN_EXPORT
void nb_xenbus_why(struct nb_xenbus *xb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Probe the device at @backend_path (absolute) over @xs (a dom0 client
 * connection the caller keeps open while the device lives): read the
 * toolstack's frontend, frontend-id, handle and mac keys, write the
 * feature keys (with feature-split-event-channels=1 and
 * multi-queue-max-queues=@max_queues) in one transaction, watch the
 * frontend's state and switch to InitWait (or Closing, see above).
 * @max_queues bounds what a frontend can make the owner hold: a frontend
 * asking for more (or for 0) gets a fatal error.  0 means
 * min(NB_QUEUES_DEFAULT, online CPUs); more than NETIF_QUEUES_MAX is EINVAL.
 * @return the device, or NULL with errno (EINVAL: bad path, toolstack
 *         keys or @max_queues; ENOMEM; or a xenstore errno).
 */
XVN_EXPORT
struct nb_xenbus *nb_xenbus_create(struct xvm_xs *xs,
                                   const char *backend_path,
                                   unsigned max_queues,
                                   const struct nb_xenbus_ops *ops,
                                   void *owner);

/**
 * Hand a watch event from xvm_xs_event_next() to the device.  Events with
 * another token are not looked at.
 * @return 1 if the event was this device's (and was handled), 0 if not,
 *         or -errno when xenstore itself failed (the connection is gone).
 */
XVN_EXPORT
int nb_xenbus_event(struct nb_xenbus *xb,
                    const struct xvm_xs_event *ev);

/**
 * Catch up after watch events were lost, or take the device over to @xs,
 * a new connection to the same store after the old one failed (the old
 * one stays the caller's to close; the device no longer uses it).  The
 * device is kept as it is only if its state node still holds what it
 * last wrote and, while connected, the frontend still holds the rings,
 * event channel and features the owner connected to; then the frontend's
 * state is read again and acted upon as a watch event would.
 * @return 0; -ESTALE when the device cannot be kept (destroy it and
 *         probe again: the frontend reconnects as after a backend
 *         restart); or -errno when xenstore failed.
 */
XVN_EXPORT
int nb_xenbus_resume(struct nb_xenbus *xb, struct xvm_xs *xs);

/**
 * Tell the frontend the carrier of the link the vif is on: the backend
 * key NETIF_KEY_CARRIER, "1" or "0" (docs/netif.md section 5).  The owner
 * calls it from connect() and on every change while connected.  A write
 * that fails (xenstore lost) is made again by nb_xenbus_resume().
 * @return 0 or -errno from xenstore.
 */
XVN_EXPORT
int nb_xenbus_set_carrier(struct nb_xenbus *xb, bool up);

/** The backend's current XenbusState. */
XVN_EXPORT
enum xenbus_state nb_xenbus_state(const struct nb_xenbus *xb);

/**
 * Remove the device: disconnect the owner if connected, write Closed
 * (best effort) so the frontend lets go, unwatch, free.  Accepts NULL.
 */
XVN_EXPORT
void nb_xenbus_destroy(struct nb_xenbus *xb);

#ifdef __cplusplus
}
#endif

#endif /* NETBACK_NETBACK_H */
