/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xnf.c - libFuzzer harness for libxnf's receive path.
 *
 * The input is a hostile backend: it picks the features it offers, then
 * writes RX responses (data and extra slots, any id, offset, flags and
 * status), TX responses (for requests the device made, or any id) and
 * raw bytes anywhere in both shared ring pages, and publishes response
 * producers that may run ahead, lag or go backwards.  In between, the
 * device is driven through libxnf's public API only: xnf_recv with
 * buffers of every size (allocated to exactly that size, so a write past
 * the end is caught by ASan), xnf_send, xnf_poll, xnf_flush and
 * xnf_final_check.  After every call the harness checks, and aborts on a
 * breach:
 *  - xnf_recv returns 0, -EMSGSIZE, -EIO or a length no larger than the
 *    buffer; offload flags are NETIF_OFF_* only, and GSO metadata names a
 *    type the device offered with a non-zero size;
 *  - the counters move by what was returned (one packet, its bytes);
 *  - a broken device stays broken and every call on it fails with -EIO;
 *  - free TX slots never exceed the ring;
 *  - at the end xnf_shutdown() revokes every grant (this backend never
 *    holds one) and leaves the whole grant table empty.
 *
 * Input (little-endian; reading past the end yields zeros):
 *   u8  want         NETIF_F_* the device offers (xnf_config.want)
 *   u16 be           NETIF_F_* the backend offers (xnf_connect)
 *   then up to MAX_OPS ops: u8 op (bits 0-3), and its arguments:
 *     0 RX data:    u16 offset, u8 flags, u16 status (signed), u8 fill,
 *                   u8 id: 0 the slot's own id, else a u16 id follows
 *     1 RX extra:   u8 type, u8 flags, u16 gso size, u8 gso type
 *     2 RX publish: s8 delta added to the producer written
 *     3 TX rsp:     u8 sel (0: the id of the request in that slot, else a
 *                   u16 id follows), u16 status (signed)
 *     4 TX publish: s8 delta
 *     5 recv:       u16 buffer size (0: 65536), u8 with offload (bit 0)
 *     6 send:       u16 len, u8 offload flags, u16 gso size, u8 gso type
 *     7 poll   8 final check   9 flush
 *     10 poke:      u16 where (bit 12: RX page), u8 byte
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xnf/xnf.h"

#define FUZZ_NAME "fuzz_xnf"
#include "fuzz_harness.h"

#define GT_ENTRIES 1024u
#define GREF_BASE 16u
#define NPAGES XNF_PAGES_NEEDED
#define MAX_OPS 256

/* The memory a device lives in; allocated once, reset for every input. */
struct env {
    char *mem;
    grant_entry_v1_t *gt;
    void *devmem;
    struct xnf_page pages[NPAGES];
};

/* The backend's view of one run. */
struct run {
    struct env *e;
    struct xnf_dev *dev;
    netif_tx_sring_t *txs;
    netif_rx_sring_t *rxs;
    RING_IDX tx_rsp, rx_rsp; /* the backend's private producers */
    uint32_t fe;             /* xnf_fe_features() */
    bool broken;
};

static struct env *env_get(void)
{
    static struct env e;
    unsigned i;

    if (e.mem)
        return &e;
    e.mem = aligned_alloc(4096, (size_t)NPAGES * 4096);
    e.gt = calloc(GT_ENTRIES, sizeof(*e.gt));
    e.devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    if (!e.mem || !e.gt || !e.devmem)
        return NULL;
    for (i = 0; i < NPAGES; i++) {
        e.pages[i].va = e.mem + (size_t)i * 4096;
        e.pages[i].gfn = 100u + (i * 7u) % NPAGES;
    }
    return &e;
}

static void no_notify(void *arg)
{
    (void)arg;
}

static void rx_data(struct run *r, struct input *in)
{
    uint16_t offset = in_u16(in);
    uint8_t flags = in_u8(in);
    int16_t status = (int16_t)in_u16(in);
    uint8_t fill = in_u8(in);
    RING_IDX idx = r->rx_rsp++;
    netif_rx_response_t rsp;

    rsp.id = (uint16_t)(idx & (XNF_RX_SLOTS - 1));
    if (in_u8(in))
        rsp.id = in_u16(in);
    rsp.offset = offset;
    rsp.flags = flags;
    rsp.status = status;
    if (status > 0 && (uint32_t)offset + (uint32_t)status <= 4096)
        memset((char *)r->e->pages[XNF_PAGE_RX_BUF(idx & 255)].va + offset,
               fill, (size_t)status);
    memcpy(&r->rxs->ring[idx & (XNF_RX_SLOTS - 1)].rsp, &rsp, sizeof(rsp));
}

static void rx_extra(struct run *r, struct input *in)
{
    struct netif_extra_info ex;

    memset(&ex, 0, sizeof(ex));
    ex.type = in_u8(in);
    ex.flags = in_u8(in);
    ex.u.gso.size = in_u16(in);
    ex.u.gso.type = in_u8(in);
    memcpy(&r->rxs->ring[r->rx_rsp++ & (XNF_RX_SLOTS - 1)], &ex, sizeof(ex));
}

static void tx_rsp(struct run *r, struct input *in)
{
    RING_IDX idx = r->tx_rsp++;
    netif_tx_response_t rsp;

    rsp.id = r->txs->ring[idx & (XNF_TX_SLOTS - 1)].req.id;
    if (in_u8(in))
        rsp.id = in_u16(in);
    rsp.status = (int16_t)in_u16(in);
    memcpy(&r->txs->ring[idx & (XNF_TX_SLOTS - 1)].rsp, &rsp, sizeof(rsp));
}

static void check_broken(struct run *r)
{
    bool now = xnf_broken(r->dev);

    INV(now || !r->broken); /* sticky */
    r->broken = now;
}

static void do_recv(struct run *r, struct input *in)
{
    uint32_t cap = in_u16(in);
    bool want_off = in_u8(in) & 1;
    struct netif_offload off;
    struct xnf_stats before, after;
    uint8_t *buf;
    int n;

    cap = cap ? cap : 65536;
    buf = malloc(cap);
    if (!buf)
        abort();
    xnf_stats_get(r->dev, &before);
    memset(&off, 0xEE, sizeof(off));
    n = xnf_recv(r->dev, buf, cap, want_off ? &off : NULL);
    xnf_stats_get(r->dev, &after);
    free(buf);
    INV(n == 0 || n == -EMSGSIZE || n == -EIO || (n > 0 && (uint32_t)n <= cap));
    INV(!r->broken || n == -EIO);
    INV(after.rx_packets == before.rx_packets + (n > 0));
    INV(after.rx_bytes == before.rx_bytes + (n > 0 ? (uint64_t)n : 0));
    INV(after.rx_errors >= before.rx_errors);
    if (n > 0 && want_off) {
        INV(!(off.flags & ~(NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED |
                            NETIF_OFF_GSO)));
        if (off.flags & NETIF_OFF_GSO) {
            INV(off.gso_size > 0);
            INV((off.gso_type == NETIF_GSO_TCPV4 &&
                 (r->fe & NETIF_F_GSO_TCPV4)) ||
                (off.gso_type == NETIF_GSO_TCPV6 &&
                 (r->fe & NETIF_F_GSO_TCPV6)));
        }
    }
}

static void do_send(struct run *r, struct input *in)
{
    static uint8_t frame[NETIF_MAX_FRAME + 1];
    struct netif_offload off;
    uint32_t len = in_u16(in);
    int rc;

    off.flags = in_u8(in) & 7;
    off.gso_size = in_u16(in);
    off.gso_type = in_u8(in);
    memset(frame, 0x5A, len);
    rc = xnf_send(r->dev, frame, len, &off);
    INV(rc == 0 || rc == -EAGAIN || rc == -EMSGSIZE || rc == -EINVAL ||
        rc == -EIO);
    INV(!r->broken || rc == -EIO);
}

static void poke(struct run *r, struct input *in)
{
    uint16_t where = in_u16(in);
    uint8_t v = in_u8(in);
    uint8_t *page = (where & 0x1000) ? (uint8_t *)r->rxs : (uint8_t *)r->txs;

    page[where & 0xfff] = v;
}

static void one_op(struct run *r, struct input *in)
{
    switch (in_u8(in) & 15) {
    case 0:
        rx_data(r, in);
        break;
    case 1:
        rx_extra(r, in);
        break;
    case 2:
        __atomic_store_n(&r->rxs->rsp_prod,
                         r->rx_rsp + (RING_IDX)(int8_t)in_u8(in),
                         __ATOMIC_RELEASE);
        break;
    case 3:
        tx_rsp(r, in);
        break;
    case 4:
        __atomic_store_n(&r->txs->rsp_prod,
                         r->tx_rsp + (RING_IDX)(int8_t)in_u8(in),
                         __ATOMIC_RELEASE);
        break;
    case 5:
        do_recv(r, in);
        break;
    case 6:
        do_send(r, in);
        break;
    case 7:
        INV(xnf_poll(r->dev) <= XNF_TX_SLOTS);
        break;
    case 8:
        INV(!xnf_final_check(r->dev) || !r->broken);
        break;
    case 9:
        xnf_flush(r->dev);
        break;
    case 10:
        poke(r, in);
        break;
    default:
        break;
    }
    check_broken(r);
    INV(xnf_tx_slots_free(r->dev) <= XNF_TX_SLOTS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    struct xnf_config cfg;
    struct run r;
    unsigned i;
    int ops;

    memset(&r, 0, sizeof(r));
    r.e = env_get();
    if (!r.e)
        abort();
    memset(r.e->gt, 0, GT_ENTRIES * sizeof(*r.e->gt));
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = r.e->gt;
    cfg.gnttab_entries = GT_ENTRIES;
    cfg.gref_base = GREF_BASE;
    cfg.pages = r.e->pages;
    cfg.nr_pages = NPAGES;
    cfg.backend_domid = 0;
    cfg.notify = no_notify;
    cfg.want = in_u8(&in);
    r.dev = xnf_init(r.e->devmem, &cfg);
    INV(r.dev != NULL);
    r.fe = xnf_fe_features(r.dev);
    r.txs = r.e->pages[XNF_PAGE_TX_RING].va;
    r.rxs = r.e->pages[XNF_PAGE_RX_RING].va;
    /* Attach where the rings start, as a backend does. */
    r.tx_rsp = r.txs->rsp_prod;
    r.rx_rsp = r.rxs->rsp_prod;
    {
        uint32_t be = in_u16(&in);
        int rc = xnf_connect(r.dev, be);

        INV(rc == ((be & NETIF_F_RX_COPY) ? 0 : -ENOTSUP));
        INV(rc < 0 || (xnf_be_features(r.dev) & ~be) == 0);
    }
    for (ops = 0; ops < MAX_OPS && in.n; ops++)
        one_op(&r, &in);
    INV(xnf_shutdown(r.dev) == 0);
    for (i = 0; i < GT_ENTRIES; i++)
        INV(r.e->gt[i].flags == 0);
    INV(xnf_recv(r.dev, NULL, 0, NULL) == -EIO);
    return 0;
}
