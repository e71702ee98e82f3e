/* SPDX-License-Identifier: MIT */
/*
 * libxnf guest transmit: frames are copied into per-id TX pages and
 * described by requests on the TX ring; responses return the ids.
 *
 * A TX id names a TX page and stays busy until the backend answers it.
 * Ids are not tied to ring positions: a backend may answer out of order
 * (Linux netback answers when it frees a mapped page), so a ring slot can
 * be free while the page of the request that sat there is still in use.
 * Free ids live on a stack; a frame needs a free ring slot per request and
 * a free id per data request (extra records take a slot, no id).
 */
#include "xnf_pvt.h"

void xnf_tx_reset(struct xnf_dev *dev)
{
    unsigned i;

    /* Pop order hands out id 0 first: a light load keeps touching the
     * same few pages. */
    for (i = 0; i < XNF_TX_SLOTS; i++)
        dev->tx_free[i] = (uint16_t)(XNF_TX_SLOTS - 1u - i);
    dev->tx_nfree = XNF_TX_SLOTS;
}

static inline unsigned tx_ring_free(const struct xnf_dev *dev)
{
    return XNF_TX_SLOTS - (dev->tx.req_prod_pvt - dev->tx.rsp_cons);
}

unsigned xnf_tx_slots_free(const struct xnf_dev *dev)
{
    unsigned ring = tx_ring_free(dev);

    if (!dev->ready)
        return 0;
    return ring < dev->tx_nfree ? ring : dev->tx_nfree;
}

/*
 * Every response published since the last reap, each copied once and
 * checked: a response beyond what we published (which also catches the
 * producer moving backwards), an id out of range or not outstanding, or a
 * NULL status with no extra slot awaiting one, means the backend cannot be
 * trusted with our pages any more.
 */
unsigned xnf_tx_reap(struct xnf_dev *dev)
{
    RING_IDX cons = dev->tx.rsp_cons;
    RING_IDX prod = xnf_read_idx(&dev->tx.sring->rsp_prod);
    unsigned n = prod - cons;
    uint64_t errors = 0;

    if (XNF_UNLIKELY(n > dev->tx_pub - cons))
        goto bad;
    xen_rmb(); /* responses after the producer that announced them */
    for (; cons != prod; cons++) {
        struct netif_tx_response rsp;

        RING_COPY_RESPONSE(&dev->tx, cons, &rsp);
        if (rsp.status == NETIF_RSP_NULL) {
            /* The answer to an extra slot: it carries no id. */
            if (XNF_UNLIKELY(dev->tx_extras == 0))
                goto bad;
            dev->tx_extras--;
            continue;
        }
        if (XNF_UNLIKELY(rsp.id >= XNF_TX_SLOTS || !dev->tx_busy[rsp.id]))
            goto bad;
        dev->tx_busy[rsp.id] = 0;
        dev->tx_free[dev->tx_nfree++] = rsp.id;
        errors += rsp.status != NETIF_RSP_OKAY;
    }
    dev->tx.rsp_cons = cons;
    dev->st.tx_errors += errors;
    if (n)
        dev->tx_lent = 0; /* the free ids moved: lent pages are void */
    return n;

bad:
    dev->tx.rsp_cons = cons;
    dev->st.tx_errors += errors;
    xnf_set_broken(dev);
    return 0;
}

void xnf_flush(struct xnf_dev *dev)
{
    int notify;

    if (!dev->ready || dev->tx.req_prod_pvt == dev->tx_pub)
        return;
    /* The macro reads the old producer back from the shared page; a
     * backend that scribbles on it only changes whether it is notified. */
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->tx, notify);
    dev->tx_pub = dev->tx.req_prod_pvt;
    if (notify)
        xnf_kick(dev);
}

/* Request flags for @off; -EINVAL for what cannot go on the wire. */
static int tx_offload(const struct xnf_dev *dev, const struct netif_offload *off,
                      uint16_t *flags)
{
    const uint16_t known =
        NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED | NETIF_OFF_GSO;

    *flags = 0;
    if (off->flags & ~known)
        return -EINVAL;
    if (off->flags & NETIF_OFF_CSUM_BLANK)
        *flags |= NETTXF_csum_blank;
    if (off->flags & NETIF_OFF_DATA_VALIDATED)
        *flags |= NETTXF_data_validated;
    if (off->flags & NETIF_OFF_GSO) {
        if (off->gso_size == 0 || off->gso_type >= 8 ||
            !(dev->tx_gso & (1u << off->gso_type)))
            return -EINVAL;
        *flags |= NETTXF_extra_info;
    }
    return 0;
}

/* Copy @chunk bytes into a fresh id's page (unless @src is NULL: the
 * caller filled it, xnf_tx_pages) and describe them at @idx. */
static inline void tx_put(struct xnf_dev *dev, RING_IDX idx, const char *src,
                          uint32_t chunk, uint32_t size, uint16_t flags)
{
    uint16_t id = dev->tx_free[--dev->tx_nfree];
    struct netif_tx_request req = {
        .gref = xnf_tx_gref(dev, id),
        .offset = 0,
        .flags = flags,
        .id = id,
        .size = (uint16_t)size,
    };

    dev->tx_busy[id] = 1;
    if (src)
        memcpy(dev->tx_va[id], src, chunk);
    *RING_GET_REQUEST(&dev->tx, idx) = req;
}

static void tx_put_gso(struct xnf_dev *dev, RING_IDX idx,
                       const struct netif_offload *off)
{
    union netif_tx_sring_entry e;
    struct netif_extra_info ex;

    memset(&e, 0, sizeof(e));
    memset(&ex, 0, sizeof(ex));
    ex.type = XEN_NETIF_EXTRA_TYPE_GSO;
    ex.u.gso.size = off->gso_size;
    ex.u.gso.type = off->gso_type;
    memcpy(&e, &ex, sizeof(ex));
    dev->tx.sring->ring[idx & (XNF_TX_SLOTS - 1)] = e;
    dev->tx_extras++;
}

/* Out of slots or ids: publish what is queued (the backend may be idle
 * waiting for it) and take back what it has answered. */
static int tx_make_room(struct xnf_dev *dev, unsigned slots, unsigned ids)
{
    xnf_flush(dev);
    xnf_tx_reap(dev);
    if (!dev->ready)
        return -EIO;
    if (tx_ring_free(dev) < slots || dev->tx_nfree < ids)
        return -EAGAIN;
    return 0;
}

unsigned xnf_tx_pages(struct xnf_dev *dev, void **va, unsigned max)
{
    unsigned k;

    dev->tx_lent = 0;
    if (XNF_UNLIKELY(!dev->ready) || max == 0 ||
        max > NETIF_MAX_SLOTS_PER_PKT - 1u || (max > 1 && !dev->tx_sg))
        return 0;
    /* Room for the largest such frame with its GSO slot. */
    if (tx_ring_free(dev) < max + 1u || dev->tx_nfree < max) {
        if (tx_make_room(dev, max + 1u, max) < 0)
            return 0;
    }
    /* tx_put() pops the ids in this order. */
    for (k = 0; k < max; k++)
        va[k] = dev->tx_va[dev->tx_free[dev->tx_nfree - 1u - k]];
    dev->tx_lent = max;
    return max;
}

/* xnf_send() and xnf_send_inplace(): the frame at @frame, or (NULL) in the
 * pages xnf_tx_pages() lent. */
static int tx_send(struct xnf_dev *dev, const void *frame, uint32_t len,
                   const struct netif_offload *off)
{
    const char *src = frame;
    uint32_t chunk, left;
    unsigned nslots, need;
    uint16_t flags = 0;
    RING_IDX i;
    int rc;

    if (XNF_UNLIKELY(!dev->ready))
        return -EIO;
    if (XNF_UNLIKELY(len < NETIF_MIN_FRAME || len > NETIF_MAX_FRAME))
        return -EMSGSIZE;
    nslots = (len + XVM_PAGE_SIZE - 1) >> XVM_PAGE_SHIFT;
    if (nslots > 1 && !dev->tx_sg)
        return -EMSGSIZE;
    if (off && off->flags) {
        rc = tx_offload(dev, off, &flags);
        if (rc < 0)
            return rc;
    }
    need = nslots + ((flags & NETTXF_extra_info) ? 1u : 0u);
    if (!frame && nslots > dev->tx_lent)
        return -EINVAL; /* only the lent pages hold the frame */
    if (XNF_UNLIKELY(tx_ring_free(dev) < need || dev->tx_nfree < nslots)) {
        /* Never for lent pages (xnf_tx_pages made the room): a reap
         * would move the free ids away from what the caller filled. */
        if (!frame)
            return -EAGAIN;
        rc = tx_make_room(dev, need, nslots);
        if (rc < 0)
            return rc;
    }

    /* First request: the total length; extras right after it; then the
     * remaining pages, each with its own size. */
    i = dev->tx.req_prod_pvt;
    chunk = len < XVM_PAGE_SIZE ? len : XVM_PAGE_SIZE;
    tx_put(dev, i++, src, chunk, len,
           flags | (nslots > 1 ? NETTXF_more_data : 0));
    if (flags & NETTXF_extra_info)
        tx_put_gso(dev, i++, off);
    for (left = len - chunk; left; left -= chunk) {
        if (src)
            src += chunk;
        chunk = left < XVM_PAGE_SIZE ? left : XVM_PAGE_SIZE;
        tx_put(dev, i++, src, chunk, chunk,
               left > chunk ? NETTXF_more_data : 0);
    }
    dev->tx.req_prod_pvt = i;
    dev->st.tx_packets++;
    dev->st.tx_bytes += len;
    return 0;
}

int xnf_send(struct xnf_dev *dev, const void *frame, uint32_t len,
             const struct netif_offload *off)
{
    dev->tx_lent = 0;
    return tx_send(dev, frame, len, off);
}

int xnf_send_inplace(struct xnf_dev *dev, uint32_t len,
                     const struct netif_offload *off)
{
    int rc;

    if (dev->tx_lent == 0)
        return -EINVAL;
    rc = tx_send(dev, NULL, len, off);
    dev->tx_lent = 0;
    return rc;
}
