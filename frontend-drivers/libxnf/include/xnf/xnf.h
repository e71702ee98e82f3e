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
 * pages read-only) and revokes them at xnf_shutdown().  Each TX ring slot
 * owns one TX page; each RX ring slot owns one RX page.  xnf_send() copies a
 * frame into TX pages (up to 18 slots with feature-sg); received frames
 * are copied out by xnf_recv().
 *
 * Defensive checks (as Linux netfront): a response producer more than a
 * ring ahead, a TX response with an id that is not outstanding, or an RX
 * producer going backwards marks the device broken; an RX packet with a
 * negative status, offset + status > 4096, too many slots or a bad extra is
 * dropped and counted.
 *
 * Threads: one thread per device, or the caller serialises.
 */
#ifndef XNF_XNF_H
#define XNF_XNF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Pages a device needs: 2 ring pages + one per TX slot + one per RX slot. */
#define XNF_PAGES_NEEDED (2u + 256u + 256u)
/** Grant references a device uses, consecutive from xnf_config.gref_base. */
#define XNF_GREFS_NEEDED XNF_PAGES_NEEDED
/** Largest frame xnf_send() accepts (with feature-sg). */
#define XNF_MAX_FRAME 65535u

/** A page of the frontend domain's memory. */
struct xnf_page {
    void *va;     /**< where this code can touch it */
    uint32_t gfn; /**< its frame number, as granted */
};

/** Backend features read from xenstore (backend keys). */
enum xnf_be_feature {
    XNF_BE_RX_COPY = 1u << 0,   /**< feature-rx-copy (required) */
    XNF_BE_SG = 1u << 1,        /**< feature-sg */
    XNF_BE_GSO_TCPV4 = 1u << 2, /**< feature-gso-tcpv4 */
    XNF_BE_GSO_TCPV6 = 1u << 3, /**< feature-gso-tcpv6 */
    XNF_BE_IPV6_CSUM = 1u << 4, /**< feature-ipv6-csum-offload */
    XNF_BE_MCAST_CTRL = 1u << 5 /**< feature-multicast-control */
};

/** Offload metadata for a frame, either direction. */
struct xnf_offload {
    uint16_t flags;    /**< XNF_OFF_* */
    uint16_t gso_size; /**< MSS, when XNF_OFF_GSO */
    uint8_t gso_type;  /**< XEN_NETIF_GSO_TYPE_*, when XNF_OFF_GSO */
};
#define XNF_OFF_CSUM_BLANK 0x1u     /**< L4 checksum not yet computed */
#define XNF_OFF_DATA_VALIDATED 0x2u /**< checksum known good */
#define XNF_OFF_GSO 0x4u            /**< a large segment: gso_* valid */

struct xnf_config {
    grant_entry_v1_t *gnttab;   /**< this domain's grant table */
    uint32_t gnttab_entries;    /**< entries in it */
    grant_ref_t gref_base;      /**< first of XNF_GREFS_NEEDED refs (>= 8) */
    const struct xnf_page *pages; /**< XNF_PAGES_NEEDED pages, any order */
    uint32_t nr_pages;
    domid_t backend_domid;      /**< domain the grants are for */
    /** Send an event to the backend (the device's event channel). */
    void (*notify)(void *arg);
    void *notify_arg;
    /** Frontend features to offer (XNF_FE_*); xnf_fe_features() tells. */
    uint32_t want;
};
#define XNF_FE_SG 0x1u        /**< accept multi-slot RX (feature-sg) */
#define XNF_FE_GSO_TCPV4 0x2u /**< accept TCPv4 GSO on RX */
#define XNF_FE_GSO_TCPV6 0x4u /**< accept TCPv6 GSO on RX */
#define XNF_FE_RX_NOTIFY 0x8u /**< feature-rx-notify (always offered) */

/** Counters of one device.  "tx" is what the guest sends. */
struct xnf_stats {
    uint64_t tx_packets, tx_bytes, tx_errors; /**< errors: status != OKAY */
    uint64_t rx_packets, rx_bytes;
    uint64_t rx_errors;  /**< dropped: bad status/offset/slots/extras */
    uint64_t notify;     /**< events sent to the backend */
};

struct xnf_dev;

/** Bytes of memory a device needs (for xnf_init's @mem); 8-byte aligned. */
size_t xnf_dev_size(void);

/**
 * Initialise a device in caller-provided memory: zero the shared rings as
 * the frontend must, grant every page to the backend.
 * @return the device (== @mem), or NULL if @cfg is unusable (too few pages
 *         or refs, refs out of the table, a ref already in use, NULL notify).
 */
struct xnf_dev *xnf_init(void *mem, const struct xnf_config *cfg);

/** Grant refs of the shared rings, for xenstore tx-ring-ref/rx-ring-ref. */
grant_ref_t xnf_tx_ring_ref(const struct xnf_dev *dev);
grant_ref_t xnf_rx_ring_ref(const struct xnf_dev *dev);

/** XNF_FE_* features this device writes to xenstore (want & supported). */
uint32_t xnf_fe_features(const struct xnf_dev *dev);

/**
 * Connect after reading the backend's features (XNF_BE_* bits): fixes the
 * negotiated features, posts every RX buffer, notifies the backend.
 * @return 0, -ENOTSUP if the backend lacks feature-rx-copy, -EINVAL if
 *         already connected.
 */
int xnf_connect(struct xnf_dev *dev, uint32_t be_features);

/**
 * Queue one frame for transmission (copied into TX pages; the frame's memory
 * may be reused at once).  Responses are reaped and requests pushed lazily:
 * call xnf_flush() after a burst.
 * @return 0; -EAGAIN if the ring lacks free slots (reap with xnf_poll());
 *         -EMSGSIZE if @len < 14 or > XNF_MAX_FRAME or the frame needs more
 *         than one slot without XNF_BE_SG; -EINVAL for bad offload metadata;
 *         -EIO if the device is broken or not connected.
 */
int xnf_send(struct xnf_dev *dev, const void *frame, uint32_t len,
             const struct xnf_offload *off);

/** Publish queued TX requests and notify the backend if it wants it. */
void xnf_flush(struct xnf_dev *dev);

/**
 * Reap TX responses (freeing slots) and repost consumed RX buffers.
 * @return the number of TX responses reaped.
 */
unsigned xnf_poll(struct xnf_dev *dev);

/**
 * Take the next received frame, copying it into @buf (@cap bytes).
 * @return its length (> 0); 0 if nothing is waiting; -EMSGSIZE if it did not
 *         fit (it is dropped); -EIO if the device is broken.
 * @off may be NULL.
 */
int xnf_recv(struct xnf_dev *dev, void *buf, uint32_t cap,
             struct xnf_offload *off);

/**
 * Before sleeping on the event channel: arm rsp_event on both rings and
 * re-check.  @return true if responses are already waiting (don't sleep).
 */
bool xnf_final_check(struct xnf_dev *dev);

/** Free TX slots right now (after xnf_poll()). */
unsigned xnf_tx_slots_free(const struct xnf_dev *dev);

/** True once the backend was caught breaking the protocol. */
bool xnf_broken(const struct xnf_dev *dev);

/**
 * Disconnect: end access to every grant.  Pages whose grant the backend
 * still holds cannot be revoked (XSA-396): they are left granted and
 * counted, and must not be reused.
 * @return 0, or the number of grants that could not be revoked.
 */
int xnf_shutdown(struct xnf_dev *dev);

/** Copy the device's counters. */
void xnf_stats_get(const struct xnf_dev *dev, struct xnf_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* XNF_XNF_H */
