/* SPDX-License-Identifier: MIT */
/*
 * xnf_fixture.h - a libxnf device over plain memory, and a backend scripted
 * by the test: it reads the device's requests straight from the ring pages
 * and writes whatever responses the test wants, good or hostile.
 */
#ifndef XVNET_TESTS_XNF_FIXTURE_H
#define XVNET_TESTS_XNF_FIXTURE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xnf/xnf.h"

#define GT_ENTRIES 1024u
#define GREF_BASE 16u
#define BACK_DOM 0
#define NPAGES XNF_PAGES_NEEDED

struct fx {
    char *mem; /* NPAGES page-aligned pages */
    grant_entry_v1_t *gt;
    struct xnf_page pages[NPAGES];
    struct xnf_config cfg;
    void *devmem;
    struct xnf_dev *dev;
    unsigned notifies;
    netif_tx_sring_t *txs;
    netif_rx_sring_t *rxs;
    RING_IDX tx_rsp; /* the scripted backend's response producers */
    RING_IDX rx_rsp;
};

static inline void count_notify(void *arg)
{
    ((struct fx *)arg)->notifies++;
}

/* Pages and a grant table, no device yet. */
static inline void fx_prepare(struct fx *f)
{
    unsigned i;

    memset(f, 0, sizeof(*f));
    f->mem = aligned_alloc(4096, (size_t)NPAGES * 4096);
    f->gt = calloc(GT_ENTRIES, sizeof(*f->gt));
    f->devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    memset(f->mem, 0xA5, (size_t)NPAGES * 4096); /* "stale" data */
    for (i = 0; i < NPAGES; i++) {
        f->pages[i].va = f->mem + (size_t)i * 4096;
        /* Frame numbers in no particular order. */
        f->pages[i].gfn = 100u + (i * 7u) % NPAGES;
    }
    f->cfg.gnttab = f->gt;
    f->cfg.gnttab_entries = GT_ENTRIES;
    f->cfg.gref_base = GREF_BASE;
    f->cfg.pages = f->pages;
    f->cfg.nr_pages = NPAGES;
    f->cfg.backend_domid = BACK_DOM;
    f->cfg.notify = count_notify;
    f->cfg.notify_arg = f;
    f->cfg.want = NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6;
    f->txs = f->pages[XNF_PAGE_TX_RING].va;
    f->rxs = f->pages[XNF_PAGE_RX_RING].va;
}

static inline void fx_setup(struct fx *f, uint32_t be_features)
{
    fx_prepare(f);
    f->dev = xnf_init(f->devmem, &f->cfg);
    CHECK(f->dev != NULL);
    if (f->dev && be_features)
        CHECK_EQ(xnf_connect(f->dev, be_features), 0);
}

static inline void fx_free(struct fx *f)
{
    free(f->mem);
    free(f->gt);
    free(f->devmem);
}

static inline unsigned granted_count(const struct fx *f)
{
    unsigned i, n = 0;

    for (i = 0; i < GT_ENTRIES; i++)
        n += f->gt[i].flags != 0;
    return n;
}

/* Shut the device down; every grant must be gone afterwards. */
static inline void fx_teardown(struct fx *f)
{
    if (f->dev) {
        CHECK_EQ(xnf_shutdown(f->dev), 0);
        CHECK_EQ(granted_count(f), 0);
    }
    fx_free(f);
}

#define BE_ALL (NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4)

/* --- scripted backend helpers ------------------------------------------ */

static inline netif_tx_request_t be_tx_req(const struct fx *f, RING_IDX idx)
{
    return f->txs->ring[idx & 255].req;
}

static inline void be_tx_rsp(struct fx *f, uint16_t id, int16_t status)
{
    netif_tx_response_t *r = &f->txs->ring[f->tx_rsp++ & 255].rsp;

    r->id = id;
    r->status = status;
}

static inline void be_tx_publish(struct fx *f)
{
    __atomic_store_n(&f->txs->rsp_prod, f->tx_rsp, __ATOMIC_RELEASE);
}

static inline void *rx_page(const struct fx *f, RING_IDX idx)
{
    return f->pages[XNF_PAGE_RX_BUF(idx & 255)].va;
}

/* A data response in the next RX slot, @len bytes of @fill at @offset. */
static inline void be_rx_data(struct fx *f, uint16_t offset, uint16_t flags,
                              int16_t status, int fill)
{
    RING_IDX idx = f->rx_rsp++;
    netif_rx_response_t *r = &f->rxs->ring[idx & 255].rsp;

    if (status > 0 && offset + status <= 4096)
        memset((char *)rx_page(f, idx) + offset, fill, (size_t)status);
    r->id = (uint16_t)(idx & 255);
    r->offset = offset;
    r->flags = flags;
    r->status = status;
}

static inline void be_rx_extra(struct fx *f, uint8_t type, uint8_t eflags,
                               uint16_t gso_size, uint8_t gso_type)
{
    struct netif_extra_info ex;

    memset(&ex, 0, sizeof(ex));
    ex.type = type;
    ex.flags = eflags;
    ex.u.gso.size = gso_size;
    ex.u.gso.type = gso_type;
    memcpy(&f->rxs->ring[f->rx_rsp++ & 255], &ex, sizeof(ex));
}

static inline void be_rx_publish(struct fx *f)
{
    __atomic_store_n(&f->rxs->rsp_prod, f->rx_rsp, __ATOMIC_RELEASE);
}

static inline struct xnf_stats stats(const struct fx *f)
{
    struct xnf_stats st;

    xnf_stats_get(f->dev, &st);
    return st;
}

static inline bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Send one frame, flush, and return its id. */
static inline uint16_t send_one(struct fx *f)
{
    uint8_t frame[60] = {0};

    CHECK_EQ(xnf_send(f->dev, frame, 60, NULL), 0);
    xnf_flush(f->dev);
    return be_tx_req(f, f->txs->req_prod - 1).id;
}

#endif
