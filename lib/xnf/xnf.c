/* SPDX-License-Identifier: MIT */
/*
 * libxnf device lifetime: configuration checks, granting, connect,
 * shutdown, and the calls that touch both rings.
 */
#include "xnf_pvt.h"

size_t xnf_dev_size(void)
{
    return sizeof(struct xnf_dev);
}

static bool page_ok(const struct xnf_page *pg)
{
    return pg->va && ((uintptr_t)pg->va & (XVM_PAGE_SIZE - 1)) == 0;
}

/* Everything that can be checked before touching a single grant entry, so
 * a bad config leaves the table exactly as it was. */
static bool config_ok(const struct xnf_config *cfg)
{
    uint32_t i;

    if (!cfg || !cfg->gnttab || !cfg->pages || !cfg->notify)
        return false;
    if (cfg->nr_pages < XNF_PAGES_NEEDED)
        return false;
    if (cfg->backend_domid >= DOMID_FIRST_RESERVED)
        return false;
    if (cfg->gref_base < XVM_GNTTAB_FIRST_FREE_REF ||
        cfg->gref_base > cfg->gnttab_entries ||
        cfg->gnttab_entries - cfg->gref_base < XNF_GREFS_NEEDED)
        return false;
    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        if (!page_ok(&cfg->pages[i]))
            return false;
        if (__atomic_load_n(&cfg->gnttab[cfg->gref_base + i].flags,
                            __ATOMIC_ACQUIRE) != 0)
            return false;
    }
    return true;
}

/* End access on every grant still marked live; returns how many the
 * backend still holds. */
static int grants_end(struct xnf_dev *dev)
{
    int held = 0;
    uint32_t i;

    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        uint64_t bit = 1ull << (i & 63);

        if (!(dev->granted[i >> 6] & bit))
            continue;
        if (xvm_gnttab_end(dev->gnttab, dev->gnttab_entries,
                           dev->gref_base + i) == 0)
            dev->granted[i >> 6] &= ~bit;
        else
            held++;
    }
    return held;
}

static int grants_give(struct xnf_dev *dev, const struct xnf_page *pages)
{
    uint32_t i;
    int rc;

    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        /* Only TX data is read-only: rings and RX buffers are written
         * by the backend. */
        bool ro = i >= XNF_PAGE_TX_BUF(0) && i < XNF_PAGE_RX_BUF(0);

        rc = xvm_gnttab_grant(dev->gnttab, dev->gnttab_entries,
                              dev->gref_base + i, dev->backend_domid,
                              pages[i].gfn, ro);
        if (rc < 0)
            return rc;
        dev->granted[i >> 6] |= 1ull << (i & 63);
    }
    return 0;
}

struct xnf_dev *xnf_init(void *mem, const struct xnf_config *cfg)
{
    struct xnf_dev *dev = mem;
    const struct xnf_page *pg;
    uint32_t i;

    if (!dev || ((uintptr_t)mem & 7) || !config_ok(cfg))
        return NULL;
    memset(dev, 0, sizeof(*dev));
    dev->gnttab = cfg->gnttab;
    dev->gnttab_entries = cfg->gnttab_entries;
    dev->gref_base = cfg->gref_base;
    dev->backend_domid = cfg->backend_domid;
    dev->notify = cfg->notify;
    dev->notify_rx = cfg->notify_rx;
    dev->notify_arg = cfg->notify_arg;
    dev->fe_features = NETIF_F_RX_COPY | NETIF_F_RX_NOTIFY;
    if (cfg->want & NETIF_F_SG)
        dev->fe_features |=
            NETIF_F_SG | (cfg->want & (NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6));
    if (dev->fe_features & NETIF_F_GSO_TCPV4)
        dev->rx_gso |= 1u << XEN_NETIF_GSO_TYPE_TCPV4;
    if (dev->fe_features & NETIF_F_GSO_TCPV6)
        dev->rx_gso |= 1u << XEN_NETIF_GSO_TYPE_TCPV6;

    /* Whatever these pages held before must not reach the backend
     * (XSA-403): it can read all of them. */
    pg = cfg->pages;
    for (i = 0; i < XNF_PAGES_NEEDED; i++)
        memset(pg[i].va, 0, XVM_PAGE_SIZE);
    for (i = 0; i < XNF_TX_SLOTS; i++)
        dev->tx_va[i] = pg[XNF_PAGE_TX_BUF(i)].va;
    for (i = 0; i < XNF_RX_SLOTS; i++)
        dev->rx_va[i] = pg[XNF_PAGE_RX_BUF(i)].va;

    SHARED_RING_INIT((netif_tx_sring_t *)pg[XNF_PAGE_TX_RING].va);
    FRONT_RING_INIT(&dev->tx, (netif_tx_sring_t *)pg[XNF_PAGE_TX_RING].va,
                    XVM_PAGE_SIZE);
    SHARED_RING_INIT((netif_rx_sring_t *)pg[XNF_PAGE_RX_RING].va);
    FRONT_RING_INIT(&dev->rx, (netif_rx_sring_t *)pg[XNF_PAGE_RX_RING].va,
                    XVM_PAGE_SIZE);
    xnf_tx_reset(dev);

    /* Another user of the table may grab a ref between config_ok() and
     * here; undo what we granted rather than share its entry. */
    if (grants_give(dev, pg) < 0) {
        grants_end(dev);
        return NULL;
    }
    return dev;
}

grant_ref_t xnf_tx_ring_ref(const struct xnf_dev *dev)
{
    return dev->gref_base + XNF_PAGE_TX_RING;
}

grant_ref_t xnf_rx_ring_ref(const struct xnf_dev *dev)
{
    return dev->gref_base + XNF_PAGE_RX_RING;
}

uint32_t xnf_fe_features(const struct xnf_dev *dev)
{
    return dev->fe_features;
}

uint32_t xnf_be_features(const struct xnf_dev *dev)
{
    return dev->connected ? dev->be_features : 0;
}

int xnf_connect(struct xnf_dev *dev, uint32_t be_features)
{
    if (dev->connected || dev->shut)
        return -EINVAL;
    if (!(be_features & NETIF_F_RX_COPY))
        return -ENOTSUP;
    dev->tx_sg = (be_features & NETIF_F_SG) != 0;
    dev->tx_gso = 0;
    /* A GSO packet spans several slots: it needs feature-sg too. */
    if (dev->tx_sg && (be_features & NETIF_F_GSO_TCPV4))
        dev->tx_gso |= 1u << XEN_NETIF_GSO_TYPE_TCPV4;
    if (dev->tx_sg && (be_features & NETIF_F_GSO_TCPV6))
        dev->tx_gso |= 1u << XEN_NETIF_GSO_TYPE_TCPV6;
    dev->be_features = be_features;
    if (!dev->tx_sg)
        dev->be_features &= ~(uint32_t)(NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6);
    dev->connected = true;
    dev->ready = true;

    /* The backend may have attached before any buffer existed and be
     * waiting for one: tell it whatever its event index says. */
    xnf_rx_post(dev);
    RING_PUSH_REQUESTS(&dev->rx);
    dev->rx_pub = dev->rx.req_prod_pvt;
    xnf_kick_rx(dev);
    if (dev->notify_rx)
        xnf_kick(dev); /* and the TX channel, which may have work too */
    return 0;
}

unsigned xnf_poll(struct xnf_dev *dev)
{
    unsigned n;

    if (!dev->ready)
        return 0;
    n = xnf_tx_reap(dev);
    if (dev->ready)
        xnf_rx_refill(dev);
    return n;
}

bool xnf_final_check(struct xnf_dev *dev)
{
    int tx_work;

    if (!dev->ready)
        return false;
    xnf_flush(dev);
    xnf_rx_refill(dev);
    RING_FINAL_CHECK_FOR_RESPONSES(&dev->tx, tx_work);
    /* Evaluate both so both events are armed. */
    return xnf_rx_final_check(dev) | (tx_work != 0);
}

bool xnf_broken(const struct xnf_dev *dev)
{
    return dev->broken;
}

int xnf_shutdown(struct xnf_dev *dev)
{
    dev->ready = false;
    dev->connected = false;
    dev->shut = true;
    return grants_end(dev);
}

void xnf_stats_get(const struct xnf_dev *dev, struct xnf_stats *st)
{
    *st = dev->st;
}
