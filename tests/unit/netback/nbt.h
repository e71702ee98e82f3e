/* SPDX-License-Identifier: MIT */
/*
 * nbt.h - a hostile frontend for libnetback's unit tests.
 *
 * struct nbt is one guest domain and the vif serving it, in one process:
 * domain memory, a grant table, TX and RX rings in granted pages, data
 * pages, an event channel pair and an owner (io_ops) that records every
 * packet.  The frontend side writes raw requests and indices, so a test
 * can put anything on the rings, legal or not.
 *
 * Memory layout (frames): 1-2 grant table, 3 TX ring, 4 RX ring,
 * 16..271 TX data pages, 272..527 RX pages.  The data of the TX request
 * at ring index i lives in TX page (i & 255), the RX request at index i
 * posts RX page (i & 255), so pages never clash while requests are
 * outstanding.
 */
#ifndef NBT_H
#define NBT_H

#include <stdbool.h>
#include <stdint.h>

#include "netback/netback.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define NBT_DOM_GUEST 5
#define NBT_DOM_BACK 0
#define NBT_GT_GFN 1u
#define NBT_GT_FRAMES 2u
#define NBT_TX_RING_GFN 3u
#define NBT_RX_RING_GFN 4u
#define NBT_TX_RING_REF 8u
#define NBT_RX_RING_REF 9u
#define NBT_TX_GFN0 16u
#define NBT_RX_GFN0 (NBT_TX_GFN0 + 256u)
#define NBT_FRAMES (NBT_RX_GFN0 + 256u)
#define NBT_TX_REF0 16u /* TX page k is granted read-only as ref 16 + k */
#define NBT_RX_REF0 (NBT_TX_REF0 + 256u)
#define NBT_BAD_REF 1000u /* inside the table, never granted */
#define NBT_MAX_PKTS 1024u
#define NBT_RING NETIF_RING_SIZE /* both rings: 256 slots */

/* A packet the owner received from the vif. */
struct nbt_rec {
    uint8_t *data;
    uint32_t len;
    struct netif_offload off;
};

struct nbt;

/* The owner's side (io_ops) and what it saw. */
struct nbt_owner {
    uint32_t seg_size; /* cut buffers into segments this big; 0: one */
    unsigned allow;    /* tx_buf_get succeeds this many more times */
    bool short_segs;   /* hand out segments that do not cover len */
    void (*hook)(struct nbt *t); /* run inside tx_buf_get */
    unsigned gets, puts, delivered, deliver_calls;
    struct nbt_rec rec[NBT_MAX_PKTS];
    unsigned nrec;
};

struct nbt {
    struct xvm_mem *mem;
    grant_entry_v1_t *gt;
    uint32_t gt_entries;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    struct xvm_evtchn *fe_ec, *be_ec;
    evtchn_port_t fe_port, be_port;
    struct nb_vif_params params;
    struct nb_vif *vif;
    struct nbt_owner own;
    char name[32];
};

/* Build the domain with rings starting at index @start (no vif yet). */
int nbt_domain(struct nbt *t, uint32_t start);
/* Create the vif; returns it (NULL with errno on failure). */
struct nb_vif *nbt_connect(struct nbt *t, uint32_t features);
/* nbt_domain(t, 0) + nbt_connect(); 0 or -1. */
int nbt_setup(struct nbt *t, uint32_t features);
void nbt_teardown(struct nbt *t);
/* Forget recorded packets (frees their buffers). */
void nbt_owner_reset(struct nbt_owner *o);

/* Pattern byte @pos of packet @seed. */
static inline uint8_t nbt_pat(uint32_t seed, uint32_t pos)
{
    return (uint8_t)(seed * 131u + pos * 7u + (pos >> 8) * 13u);
}

/* The id the frontend puts in the request at ring index @idx. */
static inline uint16_t nbt_id(uint32_t idx)
{
    return (uint16_t)(idx * 7u + 0x100u);
}

/* TX data page for ring index @idx, and its grant ref. */
uint8_t *nbt_tx_page(struct nbt *t, uint32_t idx);
static inline grant_ref_t nbt_tx_ref(uint32_t idx)
{
    return NBT_TX_REF0 + (idx & 255u);
}
uint8_t *nbt_rx_page(struct nbt *t, uint32_t idx);

/* Write one raw TX request at req_prod_pvt (not pushed); returns its index.
 * The id is nbt_id(index). */
uint32_t nbt_tx_raw(struct nbt *t, grant_ref_t gref, uint16_t offset,
                    uint16_t flags, uint16_t size);
/* Write one raw extra record (id bytes = nbt_id(index)). */
uint32_t nbt_tx_extra(struct nbt *t, const netif_extra_info_t *ex);
netif_extra_info_t nbt_gso(uint16_t size, uint8_t type, uint8_t more);
netif_extra_info_t nbt_mcast(uint8_t type, const uint8_t addr[6], uint8_t more);

/*
 * Queue a well-formed packet: fragment k has frag[k] bytes of
 * nbt_pat(seed, ...) at @offset of its page; the first request carries
 * the total and @flags; @ex (n_ex records, MORE flags as given) follow it.
 * Returns the index of the first request.  Not pushed.
 */
uint32_t nbt_tx_pkt(struct nbt *t, const uint16_t *frag, unsigned nfrag,
                    uint16_t offset, uint16_t flags,
                    const netif_extra_info_t *ex, unsigned n_ex, uint32_t seed);
/* One-fragment packet of @len bytes. */
uint32_t nbt_tx_simple(struct nbt *t, uint16_t len, uint32_t seed);
void nbt_tx_push(struct nbt *t);
/* Push with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: would it notify? */
bool nbt_tx_push_notify(struct nbt *t);
netif_tx_response_t nbt_tx_rsp(struct nbt *t, uint32_t idx);
uint32_t nbt_tx_rsp_prod(struct nbt *t);

/* Post @n RX buffers and push; returns the index of the first. */
uint32_t nbt_rx_post(struct nbt *t, unsigned n);
netif_rx_response_t nbt_rx_rsp(struct nbt *t, uint32_t idx);
uint32_t nbt_rx_rsp_prod(struct nbt *t);

/* Events the frontend received since the last call. */
int64_t nbt_events(struct nbt *t);

/* Does owner record @i hold @len bytes of pattern @seed? */
bool nbt_rec_is(const struct nbt *t, unsigned i, uint32_t len, uint32_t seed);
/* Does RX page of ring index @idx hold pattern @seed bytes [from, from+n)? */
bool nbt_rx_page_is(struct nbt *t, uint32_t idx, uint32_t seed, uint32_t from,
                    uint32_t n);

/* Every buffer handed out came back or was delivered. */
static inline bool nbt_balanced(const struct nbt *t)
{
    return t->own.gets == t->own.puts + t->own.delivered;
}

/* Log lines netback wrote (nbt_log_capture() installs the hook). */
void nbt_log_capture(void);
extern unsigned nbt_log_count;
extern char nbt_log_last[256];

#endif
