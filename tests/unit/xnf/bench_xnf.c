/* SPDX-License-Identifier: MIT */
/*
 * libxnf packet rate: 64-byte frames front -> back -> front with one thread
 * per side, both busy-polling (events are requested only by final checks,
 * which a busy loop never makes).  Three ways:
 *
 *   reflect  - a minimal backend written here, touching the shared pages
 *              directly (no grant checks): the rate is bounded by libxnf.
 *   netback  - the real libnetback, echoing every frame the guest sends
 *              back into the guest's RX ring.
 *   inline   - the bare backend and the frontend taking turns on one
 *              thread: libxnf's cost per frame, whatever else the machine
 *              is doing.
 *
 * Usage: bench_xnf [inline|reflect|netback|both] [seconds]  (default: both
 * = all three, 1 s each).  Suite 'bench': not part of the unit tests.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netback/netback.h"
#include "xnf/xnf.h"
#include "xvm/evtchn.h"
#include "xvm/mem.h"

#define DOM_FRONT 5
#define DOM_BACK 0
#define GT_GFN 1u
#define GT_FRAMES 2u
#define PAGE_GFN0 8u
#define FRAMES (PAGE_GFN0 + XNF_PAGES_NEEDED)
#define GREF_BASE 8u
#define FRAME_LEN 64u

struct bench {
    struct xvm_mem *mem;
    struct xnf_page pages[XNF_PAGES_NEEDED];
    void *devmem;
    struct xnf_dev *dev;
    struct nb_vif *vif;
    struct xvm_evtchn *be_ec;
    volatile int stop;
    uint64_t echoed;
    /* netback echo: frames delivered by tx_deliver, not yet sent back. */
    uint8_t pend[NB_BURST_MAX][FRAME_LEN];
    unsigned npend;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void count_notify(void *arg)
{
    (void)arg;
}

/* --- reflect: a bare backend ---------------------------------------------- */

/* Where the bare backend is in both rings. */
struct reflect {
    RING_IDX tx_cons, rx_cons;
};

/* Echo every TX request that has an RX buffer to go to. */
static void reflect_step(struct bench *b, struct reflect *st)
{
    netif_tx_sring_t *txs = b->pages[XNF_PAGE_TX_RING].va;
    netif_rx_sring_t *rxs = b->pages[XNF_PAGE_RX_RING].va;
    RING_IDX tx_cons = st->tx_cons, rx_cons = st->rx_cons;
    RING_IDX tx_prod = __atomic_load_n(&txs->req_prod, __ATOMIC_ACQUIRE);
    RING_IDX rx_prod = __atomic_load_n(&rxs->req_prod, __ATOMIC_ACQUIRE);
    RING_IDX start = tx_cons;

    while (tx_cons != tx_prod && rx_cons != rx_prod) {
        netif_tx_request_t tq = txs->ring[tx_cons & 255].req;
        netif_rx_request_t rq = rxs->ring[rx_cons & 255].req;
        netif_rx_response_t *rr = &rxs->ring[rx_cons & 255].rsp;
        netif_tx_response_t *tr = &txs->ring[tx_cons & 255].rsp;
        uint16_t tid = tq.id;

        memcpy(b->pages[rq.gref - GREF_BASE].va,
               b->pages[tq.gref - GREF_BASE].va, tq.size);
        *rr = (netif_rx_response_t){
            .id = rq.id, .offset = 0, .flags = 0, .status = (int16_t)tq.size};
        *tr = (netif_tx_response_t){.id = tid, .status = NETIF_RSP_OKAY};
        tx_cons++;
        rx_cons++;
    }
    if (tx_cons != start) {
        __atomic_store_n(&rxs->rsp_prod, rx_cons, __ATOMIC_RELEASE);
        __atomic_store_n(&txs->rsp_prod, tx_cons, __ATOMIC_RELEASE);
        b->echoed += tx_cons - start;
    }
    st->tx_cons = tx_cons;
    st->rx_cons = rx_cons;
}

static void *reflect_main(void *arg)
{
    struct bench *b = arg;
    struct reflect st = {0, 0};

    while (!b->stop)
        reflect_step(b, &st);
    return NULL;
}

/*
 * Frontend and bare backend on one thread, taking turns: the cost of
 * libxnf per frame (both directions) without any cross-core traffic, so
 * it holds on a loaded machine too.
 */
static double run_inline(struct bench *b, double secs)
{
    uint8_t frame[FRAME_LEN], buf[2048];
    struct reflect st = {0, 0};
    uint64_t got = 0, t0, t1, deadline;
    unsigned k;
    int n;

    memset(frame, 0x42, sizeof(frame));
    t0 = now_ns();
    deadline = t0 + (uint64_t)(secs * 1e9);
    do {
        for (k = 0; k < 64; k++)
            if (xnf_send(b->dev, frame, FRAME_LEN, NULL) != 0)
                break;
        xnf_flush(b->dev);
        reflect_step(b, &st);
        xnf_poll(b->dev);
        while ((n = xnf_recv(b->dev, buf, sizeof(buf), NULL)) > 0)
            got++;
        if (n < 0)
            break;
    } while ((got & 0xFFFF) != 0 || now_ns() < deadline);
    t1 = now_ns();
    return (double)(t1 - t0) / (double)got;
}

/* --- netback echo ----------------------------------------------------------
 */

static unsigned tx_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                           unsigned max, void **cookie)
{
    struct bench *b = arg;

    (void)max;
    if (len > FRAME_LEN || b->npend == NB_BURST_MAX)
        return 0;
    segs[0] = (struct nb_seg){b->pend[b->npend], len};
    *cookie = b->pend[b->npend++];
    return 1;
}

static void tx_buf_put(void *arg, void *cookie)
{
    struct bench *b = arg;

    (void)cookie;
    b->npend--;
}

static void tx_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    (void)arg;
    (void)pkts;
    (void)n;
}

static const struct nb_io_ops echo_ops = {
    .tx_buf_get = tx_buf_get,
    .tx_buf_put = tx_buf_put,
    .tx_deliver = tx_deliver,
};

static void *netback_main(void *arg)
{
    struct bench *b = arg;
    struct nb_seg segs[NB_BURST_MAX];
    struct nb_rx_pkt pkts[NB_BURST_MAX];
    unsigned i, n, done;

    while (!b->stop) {
        n = nb_vif_tx_poll(b->vif, NB_BURST_MAX);
        for (i = 0; i < n; i++) {
            segs[i] = (struct nb_seg){b->pend[i], FRAME_LEN};
            pkts[i] = (struct nb_rx_pkt){
                .segs = &segs[i], .nseg = 1, .len = FRAME_LEN};
        }
        for (done = 0; done < n && !b->stop;)
            done += nb_vif_rx_burst(b->vif, pkts + done, n - done);
        b->npend = 0;
        b->echoed += n;
        xvm_evtchn_consume(b->be_ec, 1);
    }
    return NULL;
}

/* --- the frontend loop ---------------------------------------------------- */

static double run(struct bench *b, void *(*backend)(void *), double secs)
{
    uint8_t frame[FRAME_LEN], buf[2048];
    uint64_t sent = 0, got = 0, t0, t1, deadline;
    pthread_t th;
    int n;

    memset(frame, 0x42, sizeof(frame));
    b->stop = 0;
    pthread_create(&th, NULL, backend, b);
    t0 = now_ns();
    deadline = t0 + (uint64_t)(secs * 1e9);
    for (;;) {
        unsigned k;

        for (k = 0; k < 64 && sent - got < 192; k++, sent++)
            if (xnf_send(b->dev, frame, FRAME_LEN, NULL) != 0)
                break;
        xnf_flush(b->dev);
        xnf_poll(b->dev);
        while ((n = xnf_recv(b->dev, buf, sizeof(buf), NULL)) > 0)
            got++;
        if (n < 0 || xnf_broken(b->dev)) {
            fprintf(stderr, "frontend broken\n");
            break;
        }
        if ((got & 0xFFF) == 0 && now_ns() > deadline)
            break;
    }
    t1 = now_ns();
    b->stop = 1;
    pthread_join(th, NULL);
    return (double)got / ((double)(t1 - t0) / 1e3);
}

static int setup(struct bench *b, bool use_netback)
{
    struct xnf_config cfg;
    unsigned i;

    memset(b, 0, sizeof(*b));
    b->mem = xvm_mem_create("bench", FRAMES);
    b->devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    if (!b->mem || !b->devmem)
        return -1;
    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        b->pages[i].gfn = PAGE_GFN0 + i;
        b->pages[i].va = xvm_mem_frame(b->mem, PAGE_GFN0 + i);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = xvm_mem_frame(b->mem, GT_GFN);
    cfg.gnttab_entries = GT_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    cfg.gref_base = GREF_BASE;
    cfg.pages = b->pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = DOM_BACK;
    cfg.notify = count_notify;
    cfg.want = NETIF_F_SG;
    b->dev = xnf_init(b->devmem, &cfg);
    if (!b->dev)
        return -1;
    if (use_netback) {
        struct nb_vif_params p;
        int port;

        b->be_ec = xvm_evtchn_open(DOM_BACK);
        port = xvm_evtchn_alloc_unbound(b->be_ec, DOM_FRONT);
        memset(&p, 0, sizeof(p));
        p.name = "bench";
        p.frontend_domid = DOM_FRONT;
        p.backend_domid = DOM_BACK;
        p.mem = b->mem;
        p.gnttab_gfn = GT_GFN;
        p.gnttab_frames = GT_FRAMES;
        p.tx_ring_ref = xnf_tx_ring_ref(b->dev);
        p.rx_ring_ref = xnf_rx_ring_ref(b->dev);
        p.evtchn = b->be_ec;
        p.tx_port = p.rx_port = (evtchn_port_t)port;
        p.features = NETIF_F_SG | NETIF_F_RX_NOTIFY;
        p.ops = &echo_ops;
        p.ops_arg = b;
        b->vif = nb_vif_create(&p);
        if (!b->vif)
            return -1;
    }
    return xnf_connect(b->dev, NETIF_F_RX_COPY | NETIF_F_SG);
}

static void teardown(struct bench *b)
{
    nb_vif_destroy(b->vif);
    if (b->dev)
        xnf_shutdown(b->dev);
    xvm_evtchn_destroy(b->be_ec);
    xvm_mem_destroy(b->mem);
    free(b->devmem);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "both";
    double secs = argc > 2 ? atof(argv[2]) : 1.0;
    static struct bench b;
    int rc = 0;

    nb_set_log(NULL);
    if (strcmp(which, "both") == 0 || strcmp(which, "inline") == 0) {
        if (setup(&b, false) == 0)
            printf("inline: %.1f ns per frame (send + receive, one thread,"
                   " bare backend)\n",
                   run_inline(&b, secs));
        else
            rc = 1;
        teardown(&b);
    }
    if (strcmp(which, "both") == 0 || strcmp(which, "reflect") == 0) {
        if (setup(&b, false) == 0)
            printf("reflect: %.2f Mpps (64-byte frames, round trip)\n",
                   run(&b, reflect_main, secs));
        else
            rc = 1;
        teardown(&b);
    }
    if (strcmp(which, "both") == 0 || strcmp(which, "netback") == 0) {
        if (setup(&b, true) == 0)
            printf("netback: %.2f Mpps (64-byte frames, round trip)\n",
                   run(&b, netback_main, secs));
        else
            rc = 1;
        teardown(&b);
    }
    return rc;
}
