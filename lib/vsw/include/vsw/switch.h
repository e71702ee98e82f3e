/* SPDX-License-Identifier: MIT */
/*
 * vsw/switch.h - the switch core: links, etherstubs and VNICs, and the fast
 * path that moves frames between their ports.
 *
 * Objects:
 *  - a link is a physical link (its wire is a struct vsw_port, usually an
 *    ethdev) or an etherstub (no wire: its VNICs only talk to each other);
 *  - a VNIC sits on one link with a MAC address (unique on that link), a VID
 *    (LP_VID_NONE or 1..4094), maxbw, priority and protection, and is
 *    attached to a port (a TAP, later a netback vif) or to nothing.  VNICs
 *    are switch objects, not ethdevs: there may be thousands.
 *
 * Forwarding, per link: a frame from the wire is parsed for an 802.1Q tag
 * and looked up by (destination MAC, VID); a hit goes to that VNIC with the
 * tag stripped; broadcast and multicast go to every VNIC of the link with
 * that VID; anything else is dropped and counted.  A frame a VNIC's client
 * sends is checked (mac-nospoof, maxbw), then looked up by (destination,
 * the VNIC's VID): another VNIC gets it as is, otherwise it goes to the
 * wire with the VNIC's tag inserted (an etherstub drops it).  Flooded
 * frames are shared between VNICs by reference count, never edited once
 * shared; the wire gets its own tagged copy when it needs one.
 *
 * Threads.  Two roles:
 *  - the control thread (one at a time): everything that creates, changes
 *    or destroys objects, and the *_stats_get() and lookup functions;
 *  - the fast path: one or more workers (vsw_switch_params.workers), each
 *    run by one thread: vsw_switch_thread_start(), vsw_switch_poll(),
 *    vsw_switch_sleep() with that worker's index.
 * Each endpoint (a link's wire, a VNIC, a queue of a VNIC's multi-queue
 * port) is owned by one worker, chosen when it is made (the worker owning
 * fewest; a VNIC's queues the workers after its own, vsw_vnic_queues();
 * vsw_link_set_worker() and vsw_vnic_set_worker() move them): only that
 * worker reads its port, sends to it, runs its token buckets and queues
 * and writes its counters.  A frame
 * switched by one worker toward an endpoint another owns goes through a
 * ring from the one to the other (single producer, single consumer), and
 * the owner sends it; a full ring drops it (vsw_switch_worker_stats()).
 * The fast path takes no lock on a frame's way (two exceptions: a capture
 * fed by several workers, and the transmit credit a multi-queue vif's
 * queues share while it has a maxbw, each taken once a burst): the lookup tables (rte_hash, lock-free
 * readers) and flood lists are published by the control thread and old
 * versions are freed after an RCU QSBR grace period, which each worker
 * marks at the end of each vsw_switch_poll().  So creating or deleting a
 * VNIC never stalls traffic on the others.  Counters are written by the
 * owner only and read without locks (they may be a burst stale).
 */
#ifndef VSW_SWITCH_H
#define VSW_SWITCH_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vswctl/defs.h"
#include "vsw/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest burst the switch reads from one port at a time. */
#define VSW_BURST 32
/** Most fast-path workers a switch may have. */
#define VSW_WORKERS_MAX 16

struct vsw_switch;
struct vsw_link;
struct vsw_vnic;

struct vsw_switch_params {
    /** Where copies come from (a flooded frame's tagged wire copy). */
    struct rte_mempool *pool;
    /** Capacity of each link's (MAC, VID) table; 0 means 4096. */
    uint32_t vnics_per_link;
    /** Fast-path workers, 1..VSW_WORKERS_MAX; 0 means 1. */
    unsigned workers;
};

/**
 * A switch with no links.
 * @return the switch, or NULL with errno (EINVAL, ENOMEM, or EMFILE when
 *         no epoll/eventfd could be made).
 */
XVN_EXPORT
struct vsw_switch *vsw_switch_create(const struct vsw_switch_params *p);

/**
 * Destroy every VNIC and link (and their ports), then the switch.  The
 * fast-path thread must have stopped.  Accepts NULL.
 */
XVN_EXPORT
void vsw_switch_destroy(struct vsw_switch *sw);

/** The pool given at creation. */
XVN_EXPORT
struct rte_mempool *vsw_switch_pool(const struct vsw_switch *sw);

/** How many fast-path workers @sw has. */
XVN_EXPORT
unsigned vsw_switch_workers(const struct vsw_switch *sw);

/** What passed between one worker and the others. */
struct vsw_worker_stats {
    uint32_t endpoints;     /**< endpoints (wires, VNICs) it owns */
    uint64_t handed;        /**< frames it handed to other workers */
    uint64_t handoff_drops; /**< of those, dropped: the ring was full */
    /** Frames it dropped because the endpoint they were for was being
     *  destroyed or moved to another worker (switched toward it, handed
     *  to it, or queued for its maxbw). */
    uint64_t gone_drops;
    /** Unicast frames it classified from its cache of verdicts, and
     *  those it looked up in a link's table instead (vsw_classify()). */
    uint64_t cache_hits, cache_misses;
};

/**
 * Copy worker @worker's figures.  Any thread (counters may be stale).
 * @return 0 or -EINVAL (no such worker).
 */
XVN_EXPORT
int vsw_switch_worker_stats(const struct vsw_switch *sw, unsigned worker,
                            struct vsw_worker_stats *st);

/**
 * Move the wire of @l, or @v (every queue of its port, now and later), to
 * worker @worker, workers running or not.
 * The old owner lets go first (as of a VNIC being destroyed: a few grace
 * periods); frames toward it meanwhile are dropped and counted: in the
 * workers' gone_drops (vsw_switch_worker_stats()), or, once its port is
 * unplugged, as its vif-error or the sender's unknown-destination drops.
 * Control thread.
 * @return 0, -EINVAL (no such worker) or the -errno of plugging its port
 *         into the new owner (it is then attached to nothing).
 */
XVN_EXPORT
int vsw_link_set_worker(struct vsw_link *l, unsigned worker);
XVN_EXPORT
int vsw_vnic_set_worker(struct vsw_vnic *v, unsigned worker);
/** The worker that owns @l's wire, @v. */
XVN_EXPORT
unsigned vsw_link_worker(const struct vsw_link *l);
XVN_EXPORT
unsigned vsw_vnic_worker(const struct vsw_vnic *v);
/**
 * The queues of @v's port (1 when it has one, or none).  A port with
 * several (a multi-queue vif) has each queue owned by a worker: queue 0
 * by @v's, queue i by the i-th worker after it, round, so that the
 * queues spread over the workers; all by one once vsw_vnic_set_worker()
 * pinned @v.  Each queue's worker reads what the client sends on it and
 * sends it the frames of the flows that hash to it.  Control thread.
 */
XVN_EXPORT
unsigned vsw_vnic_queues(const struct vsw_vnic *v);
/** Let @v's queues spread again after vsw_vnic_set_worker() (its
 *  queue 0 stays where it is).  Control thread.  @return 0 or a move's
 *  -errno. */
XVN_EXPORT
int vsw_vnic_unpin(struct vsw_vnic *v);
/** The worker of @v's queue @q.  @return it, or -EINVAL (no such
 *  queue).  Control thread. */
XVN_EXPORT
int vsw_vnic_queue_worker(const struct vsw_vnic *v, unsigned q);

/**
 * A link named @name.  @cls is VSW_CLASS_PHYS with @port its wire (the
 * switch takes the port over and destroys it with the link; NULL: no wire
 * yet, see vsw_link_set_port()), or VSW_CLASS_ETHERSTUB with @port NULL.
 * A physical link may also bear a host interface's name
 * (lp_ifname_check()): a host NIC is a datalink under its own name.
 * @return the link, or NULL with errno (EINVAL bad name/class/port, EEXIST
 *         the name is taken by a link or VNIC, ENOMEM, ENOSPC).
 *         On failure the caller still owns @port.
 */
XVN_EXPORT
struct vsw_link *vsw_link_create(struct vsw_switch *sw, const char *name,
                                 enum vsw_class cls, struct vsw_port *port);

/**
 * Destroy a link that has no VNICs, and its port.  Accepts NULL.
 * @return 0, or -EBUSY if VNICs are still on it.
 */
XVN_EXPORT
int vsw_link_destroy(struct vsw_link *l);

/**
 * Give a physical link a new wire (NULL: none; frames toward the wire
 * are then dropped, its VNICs still reach each other).  The switch takes
 * @port over; the old port is destroyed once the fast path no longer
 * uses it.
 * A port with vsw_port_ops.ucast_add is first told of every VNIC of the
 * link; if it refuses one, nothing changes (the old wire stays).
 * @return 0, -EINVAL (an etherstub) or -errno (epoll refused the port's
 *         fd, ENOMEM; or the port's ucast_add): the link then has no
 *         wire (the old one, for ucast_add) and the caller still owns
 *         @port.
 */
XVN_EXPORT
int vsw_link_set_port(struct vsw_link *l, struct vsw_port *port);

/** The link named @name, or NULL. */
XVN_EXPORT
struct vsw_link *vsw_link_find(const struct vsw_switch *sw, const char *name);
/** Links in creation order: the first with @prev NULL; NULL at the end. */
XVN_EXPORT
struct vsw_link *vsw_link_next(const struct vsw_switch *sw,
                               const struct vsw_link *prev);
XVN_EXPORT
const char *vsw_link_name(const struct vsw_link *l);
XVN_EXPORT
enum vsw_class vsw_link_class(const struct vsw_link *l);
XVN_EXPORT
uint32_t vsw_link_nvnics(const struct vsw_link *l);
/** The link's wire port (NULL for an etherstub). */
XVN_EXPORT
struct vsw_port *vsw_link_port(const struct vsw_link *l);
/** Copy the link's counters (frames from and to its wire). */
XVN_EXPORT
void vsw_link_stats_get(const struct vsw_link *l, struct vsw_stats *st);

/** A VNIC's MTU: payload bytes after the Ethernet (and 802.1Q) header. */
#define VSW_MTU_DEFAULT 1500
#define VSW_MTU_MIN 68
#define VSW_MTU_MAX 9000

/** Properties of a VNIC. */
struct vsw_vnic_params {
    const char *name;  /**< copied; unique among links and VNICs */
    uint8_t mac[6];    /**< unicast, not zero, unique on the link */
    uint16_t vid;      /**< LP_VID_NONE or 1..LP_VID_MAX */
    uint64_t maxbw;    /**< bits/s each way, 0 or >= LP_MAXBW_MIN */
    enum lp_priority priority;
    uint32_t protection; /**< enum lp_protection bits */
    uint16_t mtu;      /**< VSW_MTU_MIN..VSW_MTU_MAX; 0 = VSW_MTU_DEFAULT */
};

/**
 * A VNIC on @l, attached to nothing.  A wire that sorts by destination
 * (vsw_port_ops.ucast_add) is told of its (MAC, VID); destroy tells it
 * the VNIC went.
 * @return the VNIC, or NULL with errno (EINVAL bad property, EEXIST name
 *         taken, EADDRINUSE MAC already on the link, ENOSPC table full
 *         (the switch's or the wire's), ENOMEM, or the wire's errno).
 */
XVN_EXPORT
struct vsw_vnic *vsw_vnic_create(struct vsw_link *l,
                                 const struct vsw_vnic_params *p);

/** Destroy a VNIC and its port, after the fast path let go.  NULL ok. */
XVN_EXPORT
void vsw_vnic_destroy(struct vsw_vnic *v);

/**
 * Attach @v to @port (NULL: to nothing).  The switch takes @port over; the
 * previous port is destroyed once the fast path no longer uses it.
 * @return 0, or -errno (ENOMEM, or epoll refused the port's fd): @v is
 *         then attached to nothing and the caller still owns @port.
 */
XVN_EXPORT
int vsw_vnic_attach(struct vsw_vnic *v, struct vsw_port *port);

/**
 * Take @v's port back without destroying it, once the fast path no longer
 * uses it: @v is attached to nothing.  The port can be attached to another
 * VNIC (a VNIC re-made with a new VID or link keeps its guest's vif).
 * @return the port, or NULL if @v had none.
 */
XVN_EXPORT
struct vsw_port *vsw_vnic_detach(struct vsw_vnic *v);

/** Change maxbw (bits/s, 0 = none).  @return 0 or -EINVAL. */
XVN_EXPORT
int vsw_vnic_set_maxbw(struct vsw_vnic *v, uint64_t bps);
/** Change the protection bits.  @return 0 or -EINVAL. */
XVN_EXPORT
int vsw_vnic_set_protection(struct vsw_vnic *v, uint32_t bits);
/** Change the priority.  @return 0 or -EINVAL. */
XVN_EXPORT
int vsw_vnic_set_priority(struct vsw_vnic *v, enum lp_priority prio);
/**
 * Replace the allowed-ips list (used by ip-nospoof: a frame's source IPv4
 * or IPv6 address, and an ARP sender address, must be inside one of the
 * prefixes).  @n 0 clears the list (ip-nospoof then lets no IP through).
 * @return 0, -EINVAL (n > LP_IPS_MAX, bad family or plen), or
 *         -ENOMEM.
 */
XVN_EXPORT
int vsw_vnic_set_allowed_ips(struct vsw_vnic *v, const struct lp_ipnet *ips,
                             unsigned n);
/**
 * Copy at most @max prefixes of the allowed-ips list into @ips.
 * @return how many the list holds (may be more than @max).
 */
XVN_EXPORT
unsigned vsw_vnic_allowed_ips_get(const struct vsw_vnic *v,
                                  struct lp_ipnet *ips, unsigned max);
/**
 * Change the MTU: frames the VNIC's client sends with more payload are
 * dropped and counted (oerrors).  0 means VSW_MTU_DEFAULT.
 * @return 0 or -EINVAL (outside VSW_MTU_MIN..VSW_MTU_MAX).
 */
XVN_EXPORT
int vsw_vnic_set_mtu(struct vsw_vnic *v, uint16_t mtu);
/**
 * Rename a link or a VNIC.
 * @return 0, -EINVAL (bad name) or -EEXIST (taken by a link or VNIC;
 *         renaming to its own name is 0).
 */
XVN_EXPORT
int vsw_link_rename(struct vsw_link *l, const char *name);
XVN_EXPORT
int vsw_vnic_rename(struct vsw_vnic *v, const char *name);

/** The VNIC named @name on any link, or NULL. */
XVN_EXPORT
struct vsw_vnic *vsw_vnic_find(const struct vsw_switch *sw, const char *name);
/** VNICs of @l in creation order: the first with @prev NULL. */
XVN_EXPORT
struct vsw_vnic *vsw_vnic_next(const struct vsw_link *l,
                               const struct vsw_vnic *prev);
/** Current properties; params->name points into the VNIC. */
XVN_EXPORT
void vsw_vnic_params_get(const struct vsw_vnic *v, struct vsw_vnic_params *p);
XVN_EXPORT
struct vsw_link *vsw_vnic_link(const struct vsw_vnic *v);
XVN_EXPORT
struct vsw_port *vsw_vnic_port(const struct vsw_vnic *v);
XVN_EXPORT
void vsw_vnic_stats_get(const struct vsw_vnic *v, struct vsw_stats *st);

/**
 * Serve @sw through DPDK telemetry (the process's telemetry socket,
 * /var/run/dpdk/<prefix>/dpdk_telemetry.v2; dpdk-telemetry.py reads it):
 *   /xvnet/links          {"count", "links": [names]}
 *   /xvnet/vnics[,link]   {"count", "vnics": [names, the first 512]}
 *   /xvnet/link,<name>    class, port kind, the worker owning its wire,
 *                         counters (drop_<reason>), offload work
 *                         (gso_frames, gso_segs, csum_sw, ...) and egress
 *                         by priority (egress_high_queued: sent after
 *                         waiting, egress_low_dropped, ...)
 *   /xvnet/vnic,<name>    properties, its worker, counters, offload work
 *                         toward it
 *   /xvnet/worker,<n>     the workers' number, what worker n owns and
 *                         hands on (vsw_switch_worker_stats())
 * The commands are registered on the first call; @sw NULL detaches the
 * switch (the commands then fail) and must come before
 * vsw_switch_destroy().  One switch per process.  Control thread.
 * @return 0, or the -errno of rte_telemetry_register_cmd().
 */
XVN_EXPORT
int vsw_telemetry_attach(struct vsw_switch *sw);

/* ---- fast path ---- */

/**
 * Make the calling thread worker @worker of @sw (it reports RCU quiescent
 * states from now on).  A thread is at most one worker of a switch.
 * @return 0, -EINVAL (no such worker) or -EBUSY (it has a thread).
 */
XVN_EXPORT
int vsw_switch_thread_start(struct vsw_switch *sw, unsigned worker);
/** The calling thread stops being worker @worker. */
XVN_EXPORT
void vsw_switch_thread_stop(struct vsw_switch *sw, unsigned worker);

/**
 * One iteration of worker @worker: switch the frames other workers
 * handed it, read every port it owns that has work (polled ports,
 * readable TAPs, VNICs whose maxbw credit came back), switch the frames,
 * send everything or hand it to its owner, then report a quiescent state.
 * Reads the TSC once.  @return the number of frames read and taken.
 */
XVN_EXPORT
unsigned vsw_switch_poll(struct vsw_switch *sw, unsigned worker);

/**
 * Worker @worker sleeps until one of its ports has work, another worker
 * hands it frames, vsw_switch_wake() is called, a stalled VNIC gets
 * credit, or @max_us microseconds pass.  While asleep the thread is
 * RCU-offline, so the control thread does not wait for it.  Ports that
 * cannot wake the thread (no rx interrupt) bound the sleep to
 * @nowake_us.
 * @return 0, or -EINTR if a signal interrupted the sleep.
 */
XVN_EXPORT
int vsw_switch_sleep(struct vsw_switch *sw, unsigned worker, unsigned max_us,
                     unsigned nowake_us);

/** Wake every worker from vsw_switch_sleep().  Any thread. */
XVN_EXPORT
void vsw_switch_wake(struct vsw_switch *sw);

/**
 * Frames received from @l's wire, switched by the worker that owns it
 * (the caller is that worker's thread, or no worker has one).  The
 * switch owns all @n frames after the call (delivered, buffered for
 * output or dropped).  @now is the TSC.
 */
XVN_EXPORT
void vsw_link_input(struct vsw_link *l, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now);

/**
 * Frames @v's client sent, switched by the worker that owns @v.  The
 * switch owns all @n frames after the call.
 */
XVN_EXPORT
void vsw_vnic_input(struct vsw_vnic *v, struct rte_mbuf **pkts, uint16_t n,
                    uint64_t now);

/**
 * How many frames @v's client may send now under maxbw (0 when its credit
 * is spent, @max when it has no limit).  Frames beyond it are policed.
 */
XVN_EXPORT
uint16_t vsw_vnic_tx_budget(struct vsw_vnic *v, uint16_t max, uint64_t now);

/**
 * End of a burst, for every worker (the caller is the only thread of the
 * fast path: no worker has a thread, or the switch has one worker and
 * the caller is it): send every frame buffered by the *_input() calls or
 * handed between workers, and the frames queued for maxbw whose credit
 * has come back by @now (TSC).
 */
XVN_EXPORT
void vsw_switch_flush(struct vsw_switch *sw, uint64_t now);

#ifdef __cplusplus
}
#endif

#endif /* VSW_SWITCH_H */
