/* SPDX-License-Identifier: MIT */
/*
 * xnf_pvt.h - libxnf internals shared by xnf.c, xnf_tx.c and xnf_rx.c.
 *
 * Only xnf/shim.h, Xen's headers (through xvm/xen.h), the inline granting
 * helpers of xvm/gnttab.h and the compiler's freestanding headers may be
 * included here: this code also runs inside a guest kernel.
 */
#ifndef XNF_PVT_H
#define XNF_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xnf/shim.h"
#include "xvm/xen.h"
#include "xvm/gnttab.h"
#include "xnf/xnf.h"

_Static_assert(sizeof(union netif_rx_sring_entry) == 8, "RX slot is 8 bytes");
_Static_assert(sizeof(struct netif_extra_info) == 8, "extra is 8 bytes");
_Static_assert(sizeof(union netif_tx_sring_entry) >=
                   sizeof(struct netif_extra_info),
               "an extra fits a TX slot");

#define XNF_LIKELY(x) __builtin_expect(!!(x), 1)
#define XNF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* RX buffers are reposted once this many have been consumed (xnf_recv);
 * a power of two well under the ring so the backend never runs dry. */
#define XNF_RX_REFILL_BATCH 64u
/* Extra records accepted in front of one RX packet: one per type at most,
 * and Xen defines four types. */
#define XNF_RX_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1u)

/* What is left of a packet cut at a slot limit: extra records chained by
 * XEN_NETIF_EXTRA_FLAG_MORE, then data slots chained by NETRXF_more_data. */
#define XNF_SKIP_EXTRAS 0x1u
#define XNF_SKIP_DATA 0x2u

#define XNF_GRANT_WORDS ((XNF_PAGES_NEEDED + 63u) / 64u)

/* One 8-byte RX ring slot as read from shared memory: a response, or an
 * extra record when the previous slot announced one. */
union xnf_rx_slot {
    uint64_t raw;
    struct netif_rx_response rsp;
    struct netif_extra_info ex;
};

struct xnf_dev {
    /* --- TX, hot --- */
    struct netif_tx_front_ring tx; /* req_prod_pvt, rsp_cons, sring */
    RING_IDX tx_pub;               /* last req_prod we published */
    uint32_t tx_nfree;             /* ids on tx_free[] */
    uint32_t tx_lent;              /* pages xnf_tx_pages() gave out */
    uint32_t tx_extras;            /* extra slots still owed a NULL response */
    bool ready;     /* connected and not broken: data path allowed */
    bool tx_sg;     /* backend takes multi-slot TX (feature-sg) */
    uint8_t tx_gso; /* bit n: backend takes GSO type n */
    /* Per TX id: its data page, and 1 while it awaits its response. */
    char *tx_va[XNF_TX_SLOTS];
    uint8_t tx_busy[XNF_TX_SLOTS];
    /* Stack of free TX ids. */
    uint16_t tx_free[XNF_TX_SLOTS];

    /* --- RX, hot --- */
    struct netif_rx_front_ring rx; /* req_prod_pvt, rsp_cons, sring */
    RING_IDX rx_pub;               /* last req_prod we published */
    RING_IDX rx_seen;              /* rsp_prod as last read and validated */
    /* The producer must pass this for the next packet to be complete:
     * rsp_cons, unless a packet's tail is still unpublished. */
    RING_IDX rx_need;
    uint8_t rx_skip; /* XNF_SKIP_*: dropping an over-long chain */
    uint32_t rx_held; /* slots of the frame xnf_recv_frags() lent out */
    uint8_t rx_gso;  /* bit n: we accept GSO type n */
    /* Per RX slot: its buffer page. */
    char *rx_va[XNF_RX_SLOTS];

    /* --- control --- */
    grant_entry_v1_t *gnttab;
    uint32_t gnttab_entries;
    grant_ref_t gref_base;
    domid_t backend_domid;
    bool connected;
    bool broken;
    bool shut;
    uint32_t fe_features;
    uint32_t be_features; /* as xnf_be_features() reports */
    void (*notify)(void *arg);
    void (*notify_rx)(void *arg); /* the RX channel's; NULL: notify */
    void *notify_arg;
    uint64_t granted[XNF_GRANT_WORDS]; /* bit i: ref gref_base + i live */
    struct xnf_stats st;
};

/* Grant ref of TX id @id and RX slot @slot. */
static inline grant_ref_t xnf_tx_gref(const struct xnf_dev *dev, unsigned id)
{
    return dev->gref_base + XNF_PAGE_TX_BUF(id);
}

static inline grant_ref_t xnf_rx_gref(const struct xnf_dev *dev, unsigned slot)
{
    return dev->gref_base + XNF_PAGE_RX_BUF(slot);
}

static inline void xnf_kick(struct xnf_dev *dev)
{
    dev->notify(dev->notify_arg);
    dev->st.notify++;
}

/* The RX ring's kick: its own channel when split. */
static inline void xnf_kick_rx(struct xnf_dev *dev)
{
    if (!dev->notify_rx) {
        xnf_kick(dev);
        return;
    }
    dev->notify_rx(dev->notify_arg);
    dev->st.notify++;
}

/* The backend broke the protocol: stop touching the rings. */
static inline void xnf_set_broken(struct xnf_dev *dev)
{
    dev->broken = true;
    dev->ready = false;
}

/* A shared 32-bit index, read exactly once. */
static inline RING_IDX xnf_read_idx(const RING_IDX *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* xnf_tx.c */
unsigned xnf_tx_reap(struct xnf_dev *dev);
void xnf_tx_reset(struct xnf_dev *dev);

/* xnf_rx.c */
bool xnf_rx_post(struct xnf_dev *dev);
void xnf_rx_refill(struct xnf_dev *dev);
bool xnf_rx_final_check(struct xnf_dev *dev);

#endif /* XNF_PVT_H */
