/* SPDX-License-Identifier: MIT */
/*
 * nfc.h - the stage on which the conformance tests play a stock frontend
 * (Linux xen-netfront, illumos xnf) against libnetback as it runs in
 * dom0, in one process.
 *
 * What is real: the xenstore (a libxst server on a thread, xsd.h), the
 * backend's xenbus machine (nb_xenbus on a dom0 connection) and the vif
 * it connects (nb_vif, mapping the guest's memory and grant table), the
 * guest's connection bound to its domain id, the grant table in guest
 * memory, the event channels.  The test plays the toolstack (the vif's
 * directories, as libxl and xvmd write them), the hypervisor's part in
 * binding an event channel (the owner binds the port the frontend
 * published, as nbd_vifmgr does through xvmd), and the frontend, whose
 * dialogue each test spells out step by step (docs/netif.md section 9).
 *
 * The frontend's side here is only its kit: pages, grant refs, event
 * channels, ring set-up and the ring operations both stock drivers
 * perform the same way.  What differs between them (keys, order, flags,
 * states) is in the test files.
 */
#ifndef NFC_H
#define NFC_H

#include <stdbool.h>
#include <stdint.h>

#include "netback/netback.h"
#include "xs/xs.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define NFC_DOM 7
#define NFC_FE "/local/domain/7/device/vif/0"
#define NFC_BE "/local/domain/0/backend/vif/7/0"
#define NFC_MAC "00:16:3e:5a:6b:7c"
#define NFC_FRAMES 4096u /* 16 MiB of guest memory */
#define NFC_RING NETIF_RING_SIZE
#define NFC_PKTS_MAX 64u

/* A packet as one end saw it: data, length, offload metadata. */
struct nfc_pkt {
    uint8_t *data;
    uint32_t len;
    struct netif_offload off;
    uint16_t rx_flags; /* the first RX response's NETRXF_* (frontend) */
    unsigned slots;    /* RX data slots it took (frontend) */
    bool gso_extra;    /* an extra GSO record came with it (frontend) */
};

/* One queue of the frontend: its rings, channel(s) and buffers. */
struct nfc_queue {
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    uint32_t tx_ring_gfn, rx_ring_gfn;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t tx_port, rx_port; /* equal unless split */
    /* TX ids in flight: the grant and page of each (ref 0: free). */
    grant_ref_t tx_ref[NFC_RING];
    uint32_t tx_gfn[NFC_RING];
    bool tx_pending[NFC_RING];
    /* RX slot i (ring index & 255): the request id, grant and page. */
    uint16_t rx_id[NFC_RING];
    grant_ref_t rx_ref[NFC_RING];
    uint32_t rx_gfn[NFC_RING];
    bool broken; /* a check the stock driver makes failed */
    char why[160];
};

/* The backend's owner: what it was handed and what it saw. */
struct nfc_owner {
    int connects, disconnects;
    struct nb_xenbus_frontend info; /* the last connect's */
    /* Per queue (info.num_queues): dom0's ports and the vif. */
    evtchn_port_t be_tx_port[NETIF_QUEUES_MAX], be_rx_port[NETIF_QUEUES_MAX];
    struct nb_vif *vif[NETIF_QUEUES_MAX];
    unsigned nq;
    uint64_t tx_by_queue[NETIF_QUEUES_MAX]; /* packets each queue delivered */
    struct nfc_pkt rec[NFC_PKTS_MAX]; /* guest-transmitted packets */
    unsigned nrec;
};

struct nfc {
    struct xvm_xs *ts; /* the toolstack, dom0 */
    struct xvm_xs *bx; /* the backend's connection, dom0 */
    struct xvm_xs *fx; /* the guest's connection */
    struct nb_xenbus *be;
    unsigned max_queues; /* what the backend offers (0: its default) */
    struct nfc_owner own;
    /* the guest */
    struct xvm_mem *mem;
    grant_entry_v1_t *gt;
    uint32_t gt_entries;
    uint32_t next_gfn, free_gfn[NFC_FRAMES], nfree_gfn;
    grant_ref_t next_ref;
    struct xvm_evtchn *fe_ec; /* the guest's port table */
    struct xvm_evtchn *be_ec; /* dom0's */
    /* Watch events for the frontend's token, handed to the test. */
    char fe_token[32];
};

/* Start the xenstore; call once.  false: the test cannot run. */
bool nfc_init(void);
void nfc_fini(void);

/* The toolstack's directories (the frontend in Initialising), the guest's
 * memory and port tables.  The backend is not probed yet. */
bool nfc_open(struct nfc *w);
void nfc_close(struct nfc *w);

/* Probe the backend (nb_xenbus_create); destroy it. */
bool nfc_backend_start(struct nfc *w);
void nfc_backend_stop(struct nfc *w);
/* End the backend as SIGKILL would: nothing written to xenstore, its
 * mappings and doorbells dropped; a new connection for the next one. */
bool nfc_backend_kill(struct nfc *w);

/*
 * Hand every pending watch event to the backend and report whether the
 * frontend's watch (token w->fe_token) fired; runs the backend's data
 * path too (guest transmit).  Waits up to @ms for something to happen.
 * @return true if the frontend's watch fired.
 */
bool nfc_pump(struct nfc *w, int ms);

/* Pump until @cond (re-evaluated) holds or 5 s pass. */
#define NFC_UNTIL(w, cond)                                                     \
    ({                                                                         \
        int n_ = 250;                                                          \
        bool ok_;                                                              \
        while (!(ok_ = (cond)) && n_-- > 0)                                    \
            nfc_pump((w), 20);                                                 \
        ok_;                                                                   \
    })

/* xenstore helpers: dir/key of the frontend or the backend, seen by the
 * connection @xs.  rd() returns a malloc'd string or NULL. */
char *nfc_rd(struct xvm_xs *xs, const char *dir, const char *key);
int nfc_wr(struct xvm_xs *xs, uint32_t tx, const char *dir, const char *key,
           const char *val);
/* A backend feature as xenbus_read_unsigned() reads it: @dflt if absent
 * or not a number. */
unsigned nfc_rd_uint(struct xvm_xs *xs, const char *dir, const char *key,
                     unsigned dflt);
bool nfc_exists(struct xvm_xs *xs, const char *dir, const char *key);
/* A XenbusState node, Unknown if absent. */
enum xenbus_state nfc_state(struct xvm_xs *xs, const char *dir);
bool nfc_is(struct xvm_xs *xs, const char *dir, const char *key,
            const char *want);

/* ---- the guest's kit ---------------------------------------------------- */

uint32_t nfc_page_alloc(struct nfc *w);
void nfc_page_free(struct nfc *w, uint32_t gfn);
void *nfc_page(struct nfc *w, uint32_t gfn);
/* Grant @gfn to dom0; a fresh ref, or 0 when the table is full. */
grant_ref_t nfc_grant(struct nfc *w, uint32_t gfn, bool readonly);
/* End a grant: false if dom0 still holds it (the stock drivers then
 * declare the device broken). */
bool nfc_ungrant(struct nfc *w, grant_ref_t ref);
/* An unbound port toward dom0 (xenbus_alloc_evtchn). */
evtchn_port_t nfc_evtchn(struct nfc *w);
/* Notifications on a frontend port since the last look. */
int64_t nfc_events(struct nfc *w, evtchn_port_t port);

/* Allocate and grant the two ring pages, initialise them as the front
 * end (SHARED_RING_INIT, FRONT_RING_INIT), clear the buffer tables. */
bool nfc_rings_setup(struct nfc *w, struct nfc_queue *q);
/* Unbind the ports, revoke every grant (false if one is still held). */
bool nfc_rings_teardown(struct nfc *w, struct nfc_queue *q);

/* Post RX buffers: fresh pages granted writable, id = index & 255, until
 * the ring is full.  Not pushed.  @return how many. */
unsigned nfc_rx_post(struct nfc *w, struct nfc_queue *q);

/*
 * Queue one packet on the TX ring: @data cut into slots of at most
 * @slot_max bytes each placed at @first_off in its own page (the first
 * one) or offset 0 (the others), each page granted read-only; the first
 * request carries the total and @flags, @ex (if not NULL) follows it.
 * Not pushed.  @return the data slots used, 0 if out of ids.
 */
unsigned nfc_tx_queue(struct nfc *w, struct nfc_queue *q, const uint8_t *data,
                      uint32_t len, uint16_t first_off, uint32_t slot_max,
                      uint16_t flags, const netif_extra_info_t *ex);

/* Push requests; true if the peer asked to be notified (then notify). */
bool nfc_tx_push(struct nfc *w, struct nfc_queue *q);
bool nfc_rx_push(struct nfc *w, struct nfc_queue *q);

/*
 * Take TX responses as both drivers do: NULL ones are skipped, an id must
 * be one in flight, the grant must come back.  @ok counts OKAY
 * responses.  @return responses taken (q->broken on a bad one).
 */
unsigned nfc_tx_gc(struct nfc *w, struct nfc_queue *q, unsigned *ok);

/*
 * Take RX responses into packets, checking each the way the stock
 * drivers check them (status, offset + status within the page, the id
 * of the request in that slot, extras right after the first slot, at
 * most 18 data slots, GSO records).  Every buffer used is re-posted
 * (not pushed).  @return packets taken into @out (at most @max).
 */
unsigned nfc_rx_collect(struct nfc *w, struct nfc_queue *q, struct nfc_pkt *out,
                        unsigned max);

/* Guest receive: hand @n packets to queue @q's vif (nb_vif_rx_burst). */
unsigned nfc_be_rx(struct nfc *w, unsigned q, const struct nfc_pkt *pkts,
                   unsigned n);

/* A test frame: Ethernet/IPv4 (or IPv6)/TCP headers, then pattern bytes
 * of @seed.  malloc'd. */
uint8_t *nfc_frame(uint32_t len, bool ipv6, uint32_t seed);
void nfc_pkts_free(struct nfc_pkt *p, unsigned n);

#endif
