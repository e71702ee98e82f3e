/* SPDX-License-Identifier: MIT */
/* A hostile frontend for libnetback's unit tests: see nbt.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbt.h"

unsigned nbt_log_count;
char nbt_log_last[256];

static void log_hook(const char *line)
{
    nbt_log_count++;
    snprintf(nbt_log_last, sizeof(nbt_log_last), "%s", line);
}

void nbt_log_capture(void)
{
    nb_set_log(log_hook);
}

/* ------------------------------------------------------------------------ */
/* The owner: malloc'd buffers cut into seg_size segments.                  */

struct nbt_buf {
    uint8_t *data;
    uint32_t len;
};

static unsigned own_get(void *arg, uint32_t len, struct nb_seg *segs,
                        unsigned max, void **cookie)
{
    struct nbt *t = arg;
    struct nbt_owner *o = &t->own;
    struct nbt_buf *b;
    uint32_t off = 0, seg = o->seg_size ? o->seg_size : len;
    unsigned n = 0;

    if (o->hook)
        o->hook(t);
    if (o->allow == 0)
        return 0;
    o->allow--;
    b = malloc(sizeof(*b));
    b->data = malloc(len);
    b->len = len;
    memset(b->data, 0xEE, len);
    while (off < len && n < max) {
        segs[n].base = b->data + off;
        segs[n].len = len - off < seg ? len - off : seg;
        off += segs[n++].len;
    }
    if (o->short_segs)
        segs[n - 1].len--;
    o->gets++;
    *cookie = b;
    return n;
}

static void own_put(void *arg, void *cookie)
{
    struct nbt *t = arg;
    struct nbt_buf *b = cookie;

    t->own.puts++;
    free(b->data);
    free(b);
}

static void own_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct nbt *t = arg;
    struct nbt_owner *o = &t->own;
    unsigned i;

    o->deliver_calls++;
    for (i = 0; i < n; i++) {
        struct nbt_buf *b = pkts[i].cookie;

        o->delivered++;
        if (o->nrec < NBT_MAX_PKTS) {
            o->rec[o->nrec].data = b->data;
            o->rec[o->nrec].len = pkts[i].len;
            o->rec[o->nrec].off = pkts[i].off;
            o->nrec++;
        } else {
            free(b->data);
        }
        free(b);
    }
}

static const struct nb_io_ops own_ops = {
    .tx_buf_get = own_get,
    .tx_buf_put = own_put,
    .tx_deliver = own_deliver,
};

void nbt_owner_reset(struct nbt_owner *o)
{
    unsigned i;

    for (i = 0; i < o->nrec; i++)
        free(o->rec[i].data);
    o->nrec = 0;
}

/* ------------------------------------------------------------------------ */
/* The domain.                                                              */

static void ring_init(void *page, uint32_t start)
{
    struct netif_tx_sring *s = page;

    memset(page, 0, XVM_PAGE_SIZE);
    s->req_prod = s->rsp_prod = start;
    s->req_event = s->rsp_event = start + 1;
}

int nbt_domain(struct nbt *t, uint32_t start)
{
    static unsigned serial;
    unsigned k;
    int p;

    memset(t, 0, sizeof(*t));
    t->mem = xvm_mem_create("nbt", NBT_FRAMES);
    if (!t->mem)
        return -1;
    t->gt = xvm_mem_frame(t->mem, NBT_GT_GFN);
    t->gt_entries = NBT_GT_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    if (xvm_gnttab_grant(t->gt, t->gt_entries, NBT_TX_RING_REF, NBT_DOM_BACK,
                         NBT_TX_RING_GFN, false) ||
        xvm_gnttab_grant(t->gt, t->gt_entries, NBT_RX_RING_REF, NBT_DOM_BACK,
                         NBT_RX_RING_GFN, false))
        return -1;
    for (k = 0; k < 256; k++) {
        if (xvm_gnttab_grant(t->gt, t->gt_entries, NBT_TX_REF0 + k,
                             NBT_DOM_BACK, NBT_TX_GFN0 + k, true) ||
            xvm_gnttab_grant(t->gt, t->gt_entries, NBT_RX_REF0 + k,
                             NBT_DOM_BACK, NBT_RX_GFN0 + k, false))
            return -1;
    }
    ring_init(xvm_mem_frame(t->mem, NBT_TX_RING_GFN), start);
    ring_init(xvm_mem_frame(t->mem, NBT_RX_RING_GFN), start);
    t->tx.sring = xvm_mem_frame(t->mem, NBT_TX_RING_GFN);
    t->tx.nr_ents = NETIF_RING_SIZE;
    t->tx.req_prod_pvt = t->tx.rsp_cons = start;
    t->rx.sring = xvm_mem_frame(t->mem, NBT_RX_RING_GFN);
    t->rx.nr_ents = NETIF_RING_SIZE;
    t->rx.req_prod_pvt = t->rx.rsp_cons = start;

    t->fe_ec = xvm_evtchn_open(NBT_DOM_GUEST);
    t->be_ec = xvm_evtchn_open(NBT_DOM_BACK);
    if (!t->fe_ec || !t->be_ec)
        return -1;
    p = xvm_evtchn_alloc_unbound(t->fe_ec, NBT_DOM_BACK);
    if (p <= 0)
        return -1;
    t->fe_port = (evtchn_port_t)p;
    p = xvm_evtchn_bind_interdomain(t->be_ec, NBT_DOM_GUEST, t->fe_port,
                                    xvm_evtchn_fd(t->fe_ec, t->fe_port));
    if (p <= 0)
        return -1;
    t->be_port = (evtchn_port_t)p;
    if (xvm_evtchn_connect(t->fe_ec, t->fe_port, NBT_DOM_BACK,
                           xvm_evtchn_fd(t->be_ec, t->be_port)))
        return -1;
    xvm_evtchn_consume(t->be_ec, t->be_port); /* bind leaves it pending */

    snprintf(t->name, sizeof(t->name), "vif%u.0", ++serial);
    t->own.allow = ~0u;
    t->params = (struct nb_vif_params){
        .name = t->name,
        .frontend_domid = NBT_DOM_GUEST,
        .backend_domid = NBT_DOM_BACK,
        .mem = t->mem,
        .gnttab_gfn = NBT_GT_GFN,
        .gnttab_frames = NBT_GT_FRAMES,
        .tx_ring_ref = NBT_TX_RING_REF,
        .rx_ring_ref = NBT_RX_RING_REF,
        .evtchn = t->be_ec,
        .tx_port = t->be_port,
        .rx_port = t->be_port,
        .ops = &own_ops,
        .ops_arg = t,
    };
    return 0;
}

struct nb_vif *nbt_connect(struct nbt *t, uint32_t features)
{
    t->params.features = features;
    t->vif = nb_vif_create(&t->params);
    return t->vif;
}

int nbt_setup(struct nbt *t, uint32_t features)
{
    if (nbt_domain(t, 0) < 0 || !nbt_connect(t, features))
        return -1;
    return 0;
}

void nbt_teardown(struct nbt *t)
{
    nb_vif_destroy(t->vif);
    nbt_owner_reset(&t->own);
    xvm_evtchn_destroy(t->fe_ec);
    xvm_evtchn_destroy(t->be_ec);
    xvm_mem_destroy(t->mem);
    t->vif = NULL;
}

/* ------------------------------------------------------------------------ */
/* Frontend writers.                                                        */

uint8_t *nbt_tx_page(struct nbt *t, uint32_t idx)
{
    return xvm_mem_frame(t->mem, NBT_TX_GFN0 + (idx & 255u));
}

uint8_t *nbt_rx_page(struct nbt *t, uint32_t idx)
{
    return xvm_mem_frame(t->mem, NBT_RX_GFN0 + (idx & 255u));
}

uint32_t nbt_tx_raw(struct nbt *t, grant_ref_t gref, uint16_t offset,
                    uint16_t flags, uint16_t size)
{
    uint32_t idx = t->tx.req_prod_pvt++;
    netif_tx_request_t *r = RING_GET_REQUEST(&t->tx, idx);

    r->gref = gref;
    r->offset = offset;
    r->flags = flags;
    r->id = nbt_id(idx);
    r->size = size;
    return idx;
}

uint32_t nbt_tx_extra(struct nbt *t, const netif_extra_info_t *ex)
{
    uint32_t idx = t->tx.req_prod_pvt++;
    netif_tx_request_t *r = RING_GET_REQUEST(&t->tx, idx);

    memcpy(r, ex, sizeof(*ex));
    r->id = nbt_id(idx);
    return idx;
}

netif_extra_info_t nbt_gso(uint16_t size, uint8_t type, uint8_t more)
{
    netif_extra_info_t ex;

    memset(&ex, 0, sizeof(ex));
    ex.type = XEN_NETIF_EXTRA_TYPE_GSO;
    ex.flags = more ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
    ex.u.gso.size = size;
    ex.u.gso.type = type;
    return ex;
}

netif_extra_info_t nbt_mcast(uint8_t type, const uint8_t addr[6], uint8_t more)
{
    netif_extra_info_t ex;

    memset(&ex, 0, sizeof(ex));
    ex.type = type;
    ex.flags = more ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
    memcpy(ex.u.mcast.addr, addr, 6);
    return ex;
}

uint32_t nbt_tx_pkt(struct nbt *t, const uint16_t *frag, unsigned nfrag,
                    uint16_t offset, uint16_t flags,
                    const netif_extra_info_t *ex, unsigned n_ex, uint32_t seed)
{
    uint32_t total = 0, pos = 0, first = t->tx.req_prod_pvt, idx, b;
    unsigned k;

    for (k = 0; k < nfrag; k++)
        total += frag[k];
    for (k = 0; k < nfrag; k++) {
        uint16_t f = k + 1 < nfrag ? NETTXF_more_data : 0;

        if (k == 0) {
            f |= flags | (n_ex ? NETTXF_extra_info : 0);
            idx = nbt_tx_raw(t, 0, offset, f, (uint16_t)total);
            first = idx;
            for (b = 0; b < n_ex; b++)
                nbt_tx_extra(t, &ex[b]);
        } else {
            idx = nbt_tx_raw(t, 0, offset, f, frag[k]);
        }
        RING_GET_REQUEST(&t->tx, idx)->gref = nbt_tx_ref(idx);
        for (b = 0; b < frag[k]; b++)
            nbt_tx_page(t, idx)[offset + b] = nbt_pat(seed, pos + b);
        pos += frag[k];
    }
    return first;
}

uint32_t nbt_tx_simple(struct nbt *t, uint16_t len, uint32_t seed)
{
    return nbt_tx_pkt(t, &len, 1, 0, 0, NULL, 0, seed);
}

void nbt_tx_push(struct nbt *t)
{
    RING_PUSH_REQUESTS(&t->tx);
}

bool nbt_tx_push_notify(struct nbt *t)
{
    bool notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&t->tx, notify);
    return notify;
}

netif_tx_response_t nbt_tx_rsp(struct nbt *t, uint32_t idx)
{
    return *RING_GET_RESPONSE(&t->tx, idx);
}

uint32_t nbt_tx_rsp_prod(struct nbt *t)
{
    return __atomic_load_n(&t->tx.sring->rsp_prod, __ATOMIC_ACQUIRE);
}

uint32_t nbt_rx_post(struct nbt *t, unsigned n)
{
    uint32_t first = t->rx.req_prod_pvt;
    unsigned k;

    for (k = 0; k < n; k++) {
        uint32_t idx = t->rx.req_prod_pvt++;
        netif_rx_request_t *r = RING_GET_REQUEST(&t->rx, idx);

        r->id = nbt_id(idx);
        r->gref = NBT_RX_REF0 + (idx & 255u);
        memset(nbt_rx_page(t, idx), 0, XVM_PAGE_SIZE);
    }
    RING_PUSH_REQUESTS(&t->rx);
    return first;
}

netif_rx_response_t nbt_rx_rsp(struct nbt *t, uint32_t idx)
{
    return *RING_GET_RESPONSE(&t->rx, idx);
}

uint32_t nbt_rx_rsp_prod(struct nbt *t)
{
    return __atomic_load_n(&t->rx.sring->rsp_prod, __ATOMIC_ACQUIRE);
}

int64_t nbt_events(struct nbt *t)
{
    return xvm_evtchn_consume(t->fe_ec, t->fe_port);
}

bool nbt_rec_is(const struct nbt *t, unsigned i, uint32_t len, uint32_t seed)
{
    uint32_t k;

    if (i >= t->own.nrec || t->own.rec[i].len != len)
        return false;
    for (k = 0; k < len; k++)
        if (t->own.rec[i].data[k] != nbt_pat(seed, k))
            return false;
    return true;
}

bool nbt_rx_page_is(struct nbt *t, uint32_t idx, uint32_t seed, uint32_t from,
                    uint32_t n)
{
    const uint8_t *p = nbt_rx_page(t, idx);
    uint32_t k;

    for (k = 0; k < n; k++)
        if (p[k] != nbt_pat(seed, from + k))
            return false;
    return true;
}
