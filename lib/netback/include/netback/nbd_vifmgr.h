/* SPDX-License-Identifier: MIT */
/*
 * nbd_vifmgr.h - the xenstore half of a dom0 vif backend (the vif bus),
 * used by vswitchd.
 *
 * A watch on NBD_BE_ROOT finds every backend directory <domid>/<n> the
 * toolstack (xvmd) writes; each becomes a struct nbd_vifdev with its own
 * nb_xenbus state machine.  When the frontend connects, the manager reads
 * the toolstack's rate key, maps the domain's memory (fetched from xvmd
 * once per domain and shared by its vifs), binds the frontend's event
 * channel(s) through xvmd, and hands all of it to the owner, who creates
 * the nb_vif and switches it.  Disconnect undoes it; the domain's memory
 * is unmapped when its last vif goes.  A directory that disappears (the
 * domain was destroyed) takes its device with it.
 *
 * A restarted backend finds the directories of running guests at its
 * first scan; nb_xenbus sends a frontend it finds Connected through
 * Closing, and the frontend comes back with fresh rings.
 *
 * The manager owns its xenstore connection and recovers by itself.  When
 * the connection fails (the toolstack restarted or dropped it) the
 * devices stay as they are (connected vifs keep forwarding) and
 * nbd_vifmgr_run() reconnects with a growing backoff (100 ms doubling up
 * to 2 s; nbd_vifmgr_timeout() says when to call it), watches again and
 * resynchronises: a device whose directory is gone is reaped (its
 * domain's memory unmapped when it was the last one), a device whose
 * xenbus state and frontend rings are still as it left them is taken
 * over to the new connection and keeps running, any other is probed
 * again (the frontend reconnects as after a backend restart), and new
 * directories are served.  Watch events the client dropped
 * (xvm_xs_events_dropped()) cause the same resync on the live connection.
 * Each step is logged.
 *
 * What stays with the owner: what a connected vif is plugged into (a MAC
 * switch, a VNIC), its event-channel table and its polling.
 *
 * Threads: one thread; every callback runs from inside nbd_vifmgr_run()
 * or _destroy().
 */
#ifndef NBD_VIFMGR_H
#define NBD_VIFMGR_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include "netback/netback.h"
#include "xvm/mem.h"
#include "xs/xs.h"

/** Where toolstacks put the backend directories of dom0's vifs. */
#define NBD_BE_ROOT "/local/domain/0/backend/vif"

struct nbd_vifmgr;

/** One guest domain whose memory is mapped; shared by its connected vifs.
 *  Read-only for the owner. */
struct nbd_dom {
    struct nbd_dom *next;
    uint32_t domid;
    unsigned refs;      /**< connected vifs */
    struct xvm_mem *mem;
    uint64_t gt_gfn;    /**< first grant-table frame */
    uint32_t gt_frames; /**< grant-table frames */
};

/** One backend directory NBD_BE_ROOT/<domid>/<n>.  Read-only for the
 *  owner, but for @priv. */
struct nbd_vifdev {
    struct nbd_vifdev *next;
    struct nbd_vifmgr *mgr;
    uint32_t domid, n;
    char path[96];
    char name[32];      /**< vif<domid>.<n>, for logs */
    bool seen;          /**< found by the current scan */
    bool added;         /**< ops->add was called */
    int probe_err;      /**< why nb_xenbus_create failed (0: it did not) */
    struct nb_xenbus *xb;
    struct nbd_dom *dom;             /**< while connected */
    uint64_t rate_bytes, rate_usecs; /**< the rate key; 0,0: unlimited */
    void *priv;                      /**< the owner's */
};

/** One event channel of the frontend, bound through xvmd. */
struct nbd_evtchn_fds {
    uint32_t remote; /**< the frontend's port */
    int own_fd;      /**< dom0's doorbell (the guest rings it) */
    int peer_fd;     /**< the guest's doorbell */
};

/** What ops->connect gets.  The fds are closed after the call: the owner
 *  keeps duplicates (xvm_evtchn_adopt() makes one). */
struct nbd_vifconn {
    const struct nb_xenbus_frontend *fe;
    struct nbd_dom *dom;
    /** Per queue (fe->num_queues of them): the TX (or only) channel, and
     *  the RX one, whose fds are -1 unless fe->queue[q].split_evtchn. */
    struct nbd_evtchn_fds tx[NETIF_QUEUES_MAX];
    struct nbd_evtchn_fds rx[NETIF_QUEUES_MAX];
};

/** The owner's callbacks.  connect and disconnect are required. */
struct nbd_vifmgr_ops {
    /** The device's xenbus machine started (its toolstack keys are all
     *  there); optional.  Before any connect. */
    void (*add)(void *arg, struct nbd_vifdev *dev);
    /** The device goes: @gone, its directory was removed (the domain was
     *  destroyed); else the manager is being destroyed.  After disconnect;
     *  optional; only for a device add was called for. */
    void (*remove)(void *arg, struct nbd_vifdev *dev, bool gone);
    /** The frontend is Connected: plug a vif in.  @return 0, or -errno
     *  (nb_xenbus writes the error node and goes Closing). */
    int (*connect)(void *arg, struct nbd_vifdev *dev,
                   const struct nbd_vifconn *c);
    /** Unplug it; once per successful connect. */
    void (*disconnect)(void *arg, struct nbd_vifdev *dev);
    /** A device appeared, changed state or went; optional. */
    void (*changed)(void *arg);
};

/** printf-like logger for one line without its newline. */
typedef void nbd_log_fn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

struct nbd_vifmgr_params {
    const char *xs_sock;       /**< dom0's xenstore socket (kept) */
    const char *xvmd_sock;     /**< xvmd's control socket */
    const struct nbd_vifmgr_ops *ops;
    void *arg;                 /**< for the ops */
    nbd_log_fn *log;           /**< required */
    /** The most queues a guest's vif may have (nb_xenbus_create()'s
     *  max_queues; 0: its default). */
    unsigned max_queues;
};

/**
 * Connect to xenstore and watch NBD_BE_ROOT.  Devices appear at the first
 * nbd_vifmgr_run() (the watch fires at once).  A xenstore not listening
 * yet (ENOENT, ECONNREFUSED) is waited for as after a loss.
 * @return the manager, or NULL with errno (EINVAL, ENOMEM, xenstore's).
 */
XVN_EXPORT
struct nbd_vifmgr *nbd_vifmgr_create(const struct nbd_vifmgr_params *p);

/**
 * Serve what is pending: call it once at start, whenever nbd_vifmgr_fd()
 * is readable, and when nbd_vifmgr_timeout() has passed.  Handles watch
 * events, notices a lost connection, reconnects and resynchronises.
 */
XVN_EXPORT
void nbd_vifmgr_run(struct nbd_vifmgr *vm);

/** The fd to poll for POLLIN, or -1 while the connection is lost.  It
 *  may change after each nbd_vifmgr_run(). */
XVN_EXPORT
int nbd_vifmgr_fd(const struct nbd_vifmgr *vm);

/** Milliseconds until nbd_vifmgr_run() should try to reconnect (0: now),
 *  or -1 while connected (no timeout). */
XVN_EXPORT
int nbd_vifmgr_timeout(const struct nbd_vifmgr *vm);

/** The xenstore connection for the owner's own reads, or NULL while it
 *  is lost.  Valid until the next nbd_vifmgr_run(). */
XVN_EXPORT
struct xvm_xs *nbd_vifmgr_xs(const struct nbd_vifmgr *vm);

/** Let every device go (each backend writes Closed, so frontends wait for
 *  the next backend), unwatch, free.  Accepts NULL. */
XVN_EXPORT
void nbd_vifmgr_destroy(struct nbd_vifmgr *vm);

/** The devices and mapped domains, for walking (newest first). */
XVN_EXPORT
struct nbd_vifdev *nbd_vifmgr_devs(const struct nbd_vifmgr *vm);
XVN_EXPORT
struct nbd_dom *nbd_vifmgr_doms(const struct nbd_vifmgr *vm);

/**
 * Read the toolstack's key @key of @dev ("bridge", "vlan", ...).
 * @return 0 with *@val (NUL-terminated, free() it), or -errno (-ENOENT).
 */
XVN_EXPORT
int nbd_vifdev_read(const struct nbd_vifdev *dev, const char *key,
                    char **val);

/** Parse the rate key ("bytes,usecs") into dev->rate_*; absent means
 *  unlimited.  @return 0 or -errno (-EINVAL: malformed). */
XVN_EXPORT
int nbd_vifdev_read_rate(struct nbd_vifdev *dev);

#endif /* NBD_VIFMGR_H */
