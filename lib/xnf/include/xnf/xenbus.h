/* SPDX-License-Identifier: MIT */
/*
 * xnf/xenbus.h - the frontend half of the netif xenbus handshake, for
 * hosted frontends (process domains).  Not part of the freestanding core:
 * it talks to xenstore through libxs (xs/xs.h, xs/xenbus.h).
 *
 * struct xnf_xenbus drives one device at /local/domain/<D>/device/vif/<N>
 * (where the toolstack wrote backend, backend-id, state, handle, mac, mtu)
 * as docs/netif.md section 5 describes, following the backend's
 * XenbusState through a watch.  The device itself (struct xnf_dev, its
 * event channel) belongs to the owner, who makes and unmakes it through
 * struct xnf_xenbus_ops.  Frontend states:
 *
 *   create:        -> Initialising; wait for the backend's InitWait
 *   backend InitWait: read its features, the queues it takes and whether
 *                  it takes split event channels, ops->setup (a fresh
 *                  device per queue), write the queue count, each
 *                  queue's ring refs and event channel(s) (flat for one
 *                  queue, under queue-N/ otherwise), our features and
 *                  state=Connected in one transaction (retried on
 *                  EAGAIN), in Linux netfront's order, then ops->connect
 *                  (the owner calls xnf_connect on each)
 *   backend Closing/Closed/gone while we are Connected
 *                  -> Closed (ops->disconnect), then Initialising again
 *                  to wait for a backend (a restarted one re-probes and
 *                  comes back to InitWait: we reconnect, new ring refs)
 *   xnf_xenbus_close(): Closing, then Closed once the backend follows;
 *                  it stays Closed until xnf_xenbus_open()
 *   fatal error:   "<errno> <message>" in error/device/vif/<N>/error
 *                  under our home, then Closing
 *
 * A frontend that goes round the loop XNF_XENBUS_RETRIES times without the
 * backend reaching Connected stays Closed (a backend that refuses us is
 * not hammered).  Values the backend wrote are parsed strictly.
 *
 * Link state: the backend's carrier key (NETIF_KEY_CARRIER, docs/netif.md
 * section 5) is watched too, whatever the state.  Each change is read
 * once and must be "1" (up) or "0" (down); a missing key is up (a backend
 * that never writes it); any other value, or one we may not read, is
 * ignored, the last good one standing, and logged once per device.  The
 * owner hears of every change through ops->carrier and may ask at any
 * time (xnf_xenbus_carrier(): at connect, to give a new TAP the right
 * carrier).
 *
 * Threads: the thread that owns the xenstore connection; callbacks run on
 * it, inside xnf_xenbus_create/_event/_open/_close/_destroy.
 */
#ifndef XNF_XENBUS_H
#define XNF_XENBUS_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/xenbus.h>

#include "xnf/xnf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reconnects tried in a row without reaching Connected. */
#define XNF_XENBUS_RETRIES 3u

struct xvm_xs;
struct xvm_xs_event;

/** What the toolstack and the backend said, for ops->setup. */
struct xnf_xenbus_info {
    domid_t backend_id;   /**< backend-id: where grants go */
    uint32_t handle;      /**< handle */
    uint8_t mac[6];       /**< mac */
    uint32_t mtu;         /**< mtu (1500 when absent) */
    uint32_t be_features; /**< NETIF_F_* the backend offers */
    /** Queues to set up: what the owner asked for, bounded by the
     *  backend's multi-queue-max-queues (1 when absent). */
    unsigned num_queues;
    /** The backend offers feature-split-event-channels: set up two
     *  channels per queue (evtchn_rx). */
    bool split_evtchn;
};

/** What ops->setup reports about the device of one queue. */
struct xnf_xenbus_rings {
    grant_ref_t tx_ring_ref; /**< xnf_tx_ring_ref() */
    grant_ref_t rx_ring_ref; /**< xnf_rx_ring_ref() */
    evtchn_port_t evtchn;    /**< our unbound port for the backend (TX) */
    evtchn_port_t evtchn_rx; /**< a second one for RX, or 0: one only */
    uint32_t fe_features;    /**< xnf_fe_features(): NETIF_F_* */
};

/** The owner's side.  Every member is required but carrier. */
struct xnf_xenbus_ops {
    /**
     * Make a fresh device per queue for a new connection (xnf_init, one
     * or, with @info->split_evtchn, two event channels for
     * @info->backend_id) and fill @rings[0..@info->num_queues); queue 0's
     * fe_features are the ones written.  After it succeeds, disconnect()
     * is called exactly once before the next setup().
     * @return 0 or -errno (a fatal xenbus error).
     */
    int (*setup)(void *owner, const struct xnf_xenbus_info *info,
                 struct xnf_xenbus_rings *rings);
    /**
     * Our keys and state=Connected are written: call
     * xnf_connect(dev, @be_features).
     * @return 0 or -errno (a fatal xenbus error).
     */
    int (*connect)(void *owner, uint32_t be_features);
    /** The connection is over: xnf_shutdown() and drop the device. */
    void (*disconnect)(void *owner);
    /** The backend says its link's carrier is now @up (it was !@up);
     *  optional. */
    void (*carrier)(void *owner, bool up);
};

struct xnf_xenbus;

/**
 * Start the device at @frontend_path (absolute) over @xs (the domain's
 * xenstore connection, kept open by the caller): read the toolstack's
 * keys, write state Initialising, watch the backend's state.  @queues
 * (1..NETIF_QUEUES_MAX) is the most queues the owner sets up; each
 * connection takes as many of them as the backend offers.
 * @return the device, or NULL with errno (EINVAL: bad path, toolstack
 *         keys or @queues; ENOMEM; or a xenstore errno).
 */
XVN_EXPORT
struct xnf_xenbus *xnf_xenbus_create(struct xvm_xs *xs,
                                     const char *frontend_path,
                                     unsigned queues,
                                     const struct xnf_xenbus_ops *ops,
                                     void *owner);

/**
 * Hand a watch event from xvm_xs_event_next() to the device.
 * @return 1 if it was this device's (and was handled), 0 if not, or -errno
 *         when xenstore itself failed.
 */
XVN_EXPORT
int xnf_xenbus_event(struct xnf_xenbus *xf,
                     const struct xvm_xs_event *ev);

/** Our current XenbusState. */
XVN_EXPORT
enum xenbus_state xnf_xenbus_state(const struct xnf_xenbus *xf);

/** The link's carrier as the backend last said it: true until it says
 *  "0", and when it removes the key. */
XVN_EXPORT
bool xnf_xenbus_carrier(const struct xnf_xenbus *xf);

/** The toolstack keys read at create (be_features: the last read). */
XVN_EXPORT
const struct xnf_xenbus_info *
xnf_xenbus_info(const struct xnf_xenbus *xf);

/**
 * Take the device down on purpose (ifdown): Closing (ops->disconnect),
 * then Closed when the backend follows; no reconnecting until
 * xnf_xenbus_open().
 * @return 0 or -errno from xenstore.
 */
XVN_EXPORT
int xnf_xenbus_close(struct xnf_xenbus *xf);

/**
 * Bring a closed device back: Initialising, and connect as soon as the
 * backend is in InitWait.  Does nothing unless closed or closing.
 * @return 0 or -errno from xenstore.
 */
XVN_EXPORT
int xnf_xenbus_open(struct xnf_xenbus *xf);

/**
 * Remove the device: ops->disconnect if needed, write Closed (best
 * effort), unwatch, free.  Accepts NULL.
 */
XVN_EXPORT
void xnf_xenbus_destroy(struct xnf_xenbus *xf);

#ifdef __cplusplus
}
#endif

#endif /* XNF_XENBUS_H */
