/* SPDX-License-Identifier: MIT */
/*
 * xnf/xnf.h - libxnf: the frontend half of the Xen netif protocol.
 *
 * The core is freestanding: it uses only xnf/shim.h (memcpy, memset and
 * errno values), Xen's public headers and the inline granting helpers of
 * xvm/gnttab.h, and never allocates.  The platform gives it everything else
 * through struct xnf_config: the domain's grant table, the pages it may use
 * (ring pages and packet buffers, with their frame numbers) and a function
 * that notifies the backend's event channel.  So the same code runs in a
 * process domain (frontend-drivers/tap) and in a guest kernel.
 *
 * Buffer model: the device grants every page it is given once, at
 * xnf_init(), to the backend domain (ring pages and RX pages writable, TX
 * pages read-only) and revokes them at xnf_shutdown().  Each TX id owns
 * one TX page (ids are not ring positions: a backend may answer out of
 * order); each RX ring slot owns one RX page, posted with id = slot.
 * xnf_send() copies a frame into TX pages (up to 16 with feature-sg);
 * received frames are copied out by xnf_recv().
 *
 * Every response is read once from the shared ring into private memory,
 * then checked, then used.  Defensive checks (as Linux netfront, a little
 * stricter): a response producer ahead of the requests published (which
 * covers "more than a ring ahead") or behind where it was, a TX response
 * whose id is out of range or not outstanding, or a NULL status with no
 * extra slot awaiting one, marks the device broken; an RX packet with a
 * negative status, offset + status > 4096, more than 18 data slots, an id
 * other than its slot's, a bad extra (type 0 or >= MAX, repeated, more
 * than four, GSO with size 0 or a type we did not offer) or a length of 0
 * is dropped and counted in rx_errors.
 *
 * Threads: one thread per device, or the caller serialises.
 */
#ifndef XNF_XNF_H
#define XNF_XNF_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netif/netif.h"
#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Slots in the TX ring and TX buffer pages (one page per TX id). */
#define XNF_TX_SLOTS NETIF_RING_SIZE
/** Slots in the RX ring and RX buffer pages (one page per RX slot). */
#define XNF_RX_SLOTS NETIF_RING_SIZE
/** Pages a device needs: 2 ring pages + one per TX slot + one per RX slot. */
#define XNF_PAGES_NEEDED (2u + XNF_TX_SLOTS + XNF_RX_SLOTS)
/** Grant references a device uses, consecutive from xnf_config.gref_base. */
#define XNF_GREFS_NEEDED XNF_PAGES_NEEDED
/*
 * What each entry of xnf_config.pages is for.  Page i is granted through
 * reference gref_base + i, so the same indices name the grant refs.
 */
#define XNF_PAGE_TX_RING 0u             /**< TX shared ring */
#define XNF_PAGE_RX_RING 1u             /**< RX shared ring */
#define XNF_PAGE_TX_BUF(id) (2u + (id)) /**< data page of TX id */
#define XNF_PAGE_RX_BUF(slot) (2u + XNF_TX_SLOTS + (slot)) /**< RX slot */

/** A page of the frontend domain's memory. */
struct xnf_page {
    void *va;     /**< where this code can touch it */
    uint32_t gfn; /**< its frame number, as granted */
};

/**
 * What xnf_init() needs.  Read during xnf_init() only (the page array is
 * copied), so it may live on the caller's stack.
 */
struct xnf_config {
    grant_entry_v1_t *gnttab; /**< this domain's grant table */
    uint32_t gnttab_entries;  /**< entries in it */
    grant_ref_t gref_base;    /**< first of XNF_GREFS_NEEDED refs (>= 8) */
    /**
     * At least XNF_PAGES_NEEDED distinct 4 KiB-aligned pages, used as the
     * XNF_PAGE_* indices say; their frame numbers may be in any order.
     */
    const struct xnf_page *pages;
    uint32_t nr_pages;
    domid_t backend_domid; /**< domain the grants are for */
    /**
     * Send an event to the backend (the device's event channel).  Called
     * from xnf_connect/xnf_send/xnf_flush/xnf_poll/xnf_recv/xnf_final_check
     * on the caller's thread, only when the ring's event index asks.
     */
    void (*notify)(void *arg);
    void *notify_arg;
    /**
     * With split event channels, send an event on the RX channel: called
     * instead of notify for RX buffers posted (xnf_connect, xnf_recv,
     * xnf_poll), with notify_arg.  NULL: one channel, notify for both.
     */
    void (*notify_rx)(void *arg);
    /** Frontend features to offer (NETIF_F_*); xnf_fe_features() tells. */
    uint32_t want;
};

/** Counters of one device.  "tx" is what the guest sends. */
struct xnf_stats {
    uint64_t tx_packets, tx_bytes, tx_errors; /**< errors: status != OKAY */
    uint64_t rx_packets, rx_bytes;
    uint64_t rx_errors; /**< dropped: bad status/offset/slots/extras */
    uint64_t notify;    /**< events sent to the backend */
};

struct xnf_dev;

/** Bytes of memory a device needs (for xnf_init's @mem); 8-byte aligned. */
XVN_EXPORT
size_t xnf_dev_size(void);

/**
 * Initialise a device in caller-provided memory: zero every page (no stale
 * data reaches the backend), initialise both shared rings as the frontend
 * must, grant the ring pages and RX pages writable and the TX pages
 * read-only to the backend domain.
 * @return the device (== @mem), or NULL with nothing granted if @mem is NULL
 *         or not 8-byte aligned, or @cfg is unusable: NULL table, pages or
 *         notify; too few pages; a page NULL or not 4 KiB-aligned; gref_base
 *         < 8; refs beyond the table; a ref already in use; a reserved
 *         backend domid.  (No errno: the core is freestanding.)
 */
XVN_EXPORT
struct xnf_dev *xnf_init(void *mem, const struct xnf_config *cfg);

/** Grant refs of the shared rings, for xenstore tx-ring-ref/rx-ring-ref. */
XVN_EXPORT
grant_ref_t xnf_tx_ring_ref(const struct xnf_dev *dev);
XVN_EXPORT
grant_ref_t xnf_rx_ring_ref(const struct xnf_dev *dev);

/**
 * NETIF_F_* features this device writes to xenstore (want & supported).
 * GSO is only offered together with SG (a GSO packet spans several slots);
 * NETIF_F_RX_COPY and NETIF_F_RX_NOTIFY are always set.
 */
XVN_EXPORT
uint32_t xnf_fe_features(const struct xnf_dev *dev);

/**
 * Connect after reading the backend's features (NETIF_F_* bits): fixes the
 * negotiated features (TX GSO needs the backend's feature-sg as well as its
 * feature-gso-*), posts every RX buffer, notifies the backend.
 * @return 0, -ENOTSUP if the backend lacks feature-rx-copy, -EINVAL if
 *         already connected or shut down.
 */
XVN_EXPORT
int xnf_connect(struct xnf_dev *dev, uint32_t be_features);

/**
 * Queue one frame for transmission (copied into TX pages; the frame's memory
 * may be reused at once).  Requests are pushed lazily: call xnf_flush()
 * after a burst.  When the ring looks full, xnf_send() itself flushes and
 * reaps TX responses before giving up.
 * A frame takes ceil(@len / 4096) slots, plus one when @off asks for GSO
 * (NETIF_OFF_GSO with gso_size > 0 and a gso_type the backend offered).
 * @return 0; -EAGAIN if the ring lacks free slots (retry after xnf_poll());
 *         -EMSGSIZE if @len < 14 or > NETIF_MAX_FRAME or the frame needs more
 *         than one slot without NETIF_F_SG; -EINVAL for bad offload metadata;
 *         -EIO if the device is broken or not connected.
 */
XVN_EXPORT
int xnf_send(struct xnf_dev *dev, const void *frame, uint32_t len,
             const struct netif_offload *off);

/**
 * For a caller that writes a frame straight into TX pages (a read(2) of a
 * TAP device into them) instead of having xnf_send() copy it: the pages
 * the next frame of up to @max pages (at most NETIF_MAX_SLOTS_PER_PKT - 1,
 * and 1 without NETIF_F_SG) would go to, in order, 4096 bytes each, into
 * @va.  Flushes and reaps first if room is short, as xnf_send() does.
 * Only the filling may come between this and xnf_send_inplace().
 * @return @max, or 0 if there is no room for such a frame now (or the
 *         device is broken or not connected, or @max is out of range).
 */
XVN_EXPORT
unsigned xnf_tx_pages(struct xnf_dev *dev, void **va, unsigned max);

/**
 * Queue the frame of @len bytes the caller put in the pages xnf_tx_pages()
 * gave, as xnf_send() would have (the same slots, ids and checks; no copy).
 * @return as xnf_send(); -EINVAL if @len needs more pages than were given
 *         or no pages were given.
 */
XVN_EXPORT
int xnf_send_inplace(struct xnf_dev *dev, uint32_t len,
                     const struct netif_offload *off);

/** Publish queued TX requests and notify the backend if it wants it. */
XVN_EXPORT
void xnf_flush(struct xnf_dev *dev);

/**
 * Reap TX responses (freeing slots) and repost every consumed RX buffer.
 * @return the number of TX responses reaped (0 if broken).
 */
XVN_EXPORT
unsigned xnf_poll(struct xnf_dev *dev);

/**
 * Take the next received frame, copying it into @buf (@cap bytes), and its
 * offload metadata into @off (may be NULL).  Malformed packets are dropped
 * and counted in rx_errors on the way.  Consumed buffers are reposted in
 * batches; xnf_poll() and xnf_final_check() repost the rest.
 * @return its length (> 0); 0 if no complete frame is waiting; -EMSGSIZE if
 *         it did not fit (it is dropped, not counted in rx_errors); -EIO if
 *         the device is broken or not connected.
 */
XVN_EXPORT
int xnf_recv(struct xnf_dev *dev, void *buf, uint32_t cap,
             struct netif_offload *off);

/** A piece of a received frame, inside one of the device's RX pages. */
struct xnf_frag {
    void *base;
    uint32_t len;
};

/**
 * Take the next received frame without copying it: @frags (room for
 * NETIF_MAX_SLOTS_PER_PKT) are set to its pieces in the RX pages, in
 * order, and *@nfrag to their number.  The pages are the caller's (to
 * read, and to edit: the backend is done with them) until
 * xnf_recv_release(), which must come before the next call of any other
 * xnf function but xnf_stats_get() and xnf_broken().  Dropping and
 * counting as xnf_recv().
 * @return its length (> 0); 0 if no complete frame is waiting; -EIO if
 *         the device is broken or not connected.
 */
XVN_EXPORT
int xnf_recv_frags(struct xnf_dev *dev, struct xnf_frag *frags,
                   unsigned *nfrag, struct netif_offload *off);

/** Give back the pages of the frame xnf_recv_frags() took (for reposting). */
XVN_EXPORT
void xnf_recv_release(struct xnf_dev *dev);

/**
 * Before sleeping on the event channel: push queued TX requests, repost RX
 * buffers, arm rsp_event on both rings and re-check.  On RX, a packet whose
 * tail the backend has not published yet does not count as work (the
 * event fires when more arrives), so a backend cannot make us spin.
 * @return true if responses are already waiting (don't sleep); false when
 *         idle, broken or not connected.
 */
XVN_EXPORT
bool xnf_final_check(struct xnf_dev *dev);

/**
 * Free TX slots right now (after xnf_poll()): a frame of n pages fits if
 * this is >= n (n + 1 with GSO).
 */
XVN_EXPORT
unsigned xnf_tx_slots_free(const struct xnf_dev *dev);

/**
 * The backend's NETIF_F_* features as given to xnf_connect(), with the GSO
 * bits cleared unless NETIF_F_SG is set too (what xnf_send() will accept);
 * 0 before connecting.  Tells a platform which offloads it may hand on.
 */
XVN_EXPORT
uint32_t xnf_be_features(const struct xnf_dev *dev);

/** True once the backend was caught breaking the protocol. */
XVN_EXPORT
bool xnf_broken(const struct xnf_dev *dev);

/**
 * Disconnect: end access to every grant.  Pages whose grant the backend
 * still holds cannot be revoked (XSA-396): they are left granted and
 * counted, and must not be reused.  Calling it again retries only those.
 * Every other call on the device then fails with -EIO (or does nothing).
 * @return 0, or the number of grants that could not be revoked.
 */
XVN_EXPORT
int xnf_shutdown(struct xnf_dev *dev);

/** Copy the device's counters. */
XVN_EXPORT
void xnf_stats_get(const struct xnf_dev *dev, struct xnf_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* XNF_XNF_H */
