/* SPDX-License-Identifier: MIT */
/*
 * libxnf against the real libnetback, in one process: one domain memory
 * holds the frontend's grant table and pages, a frontend and a backend
 * event-channel table are bound to each other, and frames of every size
 * class go front->back (checked byte for byte in tx_deliver) and
 * back->front (checked after xnf_recv), with checksum and GSO metadata,
 * over enough traffic to wrap both rings many times.  Ends with a clean
 * shutdown: no grant left behind once the vif is gone.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netback/netback.h"
#include "xnf/xnf.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define DOM_FRONT 5
#define DOM_BACK 0
#define GT_GFN 1u
#define GT_FRAMES 2u
#define PAGE_GFN0 8u
#define FRAMES (PAGE_GFN0 + XNF_PAGES_NEEDED + 8u)
#define GREF_BASE 8u
#define EXPECT_MAX 1024u

struct expect {
    uint32_t len;
    uint32_t seed;
    uint16_t flags; /* NETIF_OFF_* */
    uint16_t gso_size;
    uint8_t gso_type;
};

struct lb {
    struct xvm_mem *mem;
    struct xvm_evtchn *fe_ec, *be_ec;
    int fe_port, be_port;
    void *devmem;
    struct xnf_dev *dev;
    struct nb_vif *vif;
    /* Frames sent and not yet delivered, in order. */
    struct expect q[EXPECT_MAX];
    unsigned q_head, q_tail;
    unsigned delivered, mismatches, bufs_out;
};

static uint8_t pattern(uint32_t seed, uint32_t i)
{
    return (uint8_t)(seed * 131u + i * 13u + (i >> 8));
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
    uint32_t i;

    for (i = 0; i < len; i++)
        p[i] = pattern(seed, i);
}

static bool matches(const uint8_t *p, uint32_t len, uint32_t seed)
{
    uint32_t i;

    for (i = 0; i < len; i++)
        if (p[i] != pattern(seed, i))
            return false;
    return true;
}

static void fe_notify(void *arg)
{
    struct lb *lb = arg;

    CHECK_EQ(xvm_evtchn_send(lb->fe_ec, (evtchn_port_t)lb->fe_port), 0);
}

/* --- the backend owner's side ------------------------------------------- */

/* One malloc'd block per frame, handed out as up to three segments so the
 * backend's scatter path is used too. */
static unsigned tx_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                           unsigned max, void **cookie)
{
    struct lb *lb = arg;
    uint8_t *buf = malloc(len);
    unsigned n = (len >= 3000 && max >= 3) ? 3 : 1;
    uint32_t a = len / 3, b = len / 2;

    if (!buf)
        return 0;
    lb->bufs_out++;
    *cookie = buf;
    if (n == 1) {
        segs[0] = (struct nb_seg){buf, len};
        return 1;
    }
    segs[0] = (struct nb_seg){buf, a};
    segs[1] = (struct nb_seg){buf + a, b - a};
    segs[2] = (struct nb_seg){buf + b, len - b};
    return 3;
}

static void tx_buf_put(void *arg, void *cookie)
{
    struct lb *lb = arg;

    lb->bufs_out--;
    free(cookie);
}

static uint16_t off_to_nb(uint16_t xnf_flags)
{
    return (
        uint16_t)(((xnf_flags & NETIF_OFF_CSUM_BLANK) ? NETIF_OFF_CSUM_BLANK : 0) |
                  ((xnf_flags & NETIF_OFF_DATA_VALIDATED) ? NETIF_OFF_DATA_VALIDATED
                                                        : 0) |
                  ((xnf_flags & NETIF_OFF_GSO) ? NETIF_OFF_GSO : 0));
}

static void tx_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct lb *lb = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        const struct nb_tx_pkt *p = &pkts[i];
        const struct expect *e;
        bool ok;

        if (lb->q_head == lb->q_tail) {
            lb->mismatches++;
            tx_buf_put(lb, p->cookie);
            continue;
        }
        e = &lb->q[lb->q_head++ % EXPECT_MAX];
        ok = p->len == e->len && matches(p->cookie, p->len, e->seed) &&
             p->off.flags == off_to_nb(e->flags);
        if (ok && (e->flags & NETIF_OFF_GSO))
            ok = p->off.gso_size == e->gso_size &&
                 p->off.gso_type == e->gso_type;
        if (!ok) {
            fprintf(stderr, "tx frame seed %u len %u: got len %u flags %x\n",
                    e->seed, e->len, p->len, p->off.flags);
            lb->mismatches++;
        }
        lb->delivered++;
        tx_buf_put(lb, p->cookie);
    }
}

static const struct nb_io_ops lb_ops = {
    .tx_buf_get = tx_buf_get,
    .tx_buf_put = tx_buf_put,
    .tx_deliver = tx_deliver,
};

/* --- setup ---------------------------------------------------------------- */

#define FE_ALL (NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6)
#define BE_ALL                                                                 \
    (NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6)

/* Connect a frontend offering @want to a backend offering @be. */
static bool lb_setup_ops(struct lb *lb, const struct nb_io_ops *ops,
                         void *ops_arg, uint32_t want, uint32_t be);

static bool lb_setup(struct lb *lb)
{
    return lb_setup_ops(lb, &lb_ops, lb, FE_ALL, BE_ALL);
}

static bool lb_setup_ops(struct lb *lb, const struct nb_io_ops *ops,
                         void *ops_arg, uint32_t want, uint32_t be)
{
    struct xnf_page pages[XNF_PAGES_NEEDED];
    struct xnf_config cfg;
    struct nb_vif_params p;
    unsigned i;

    memset(lb, 0, sizeof(*lb));
    lb->mem = xvm_mem_create("xnf-loopback", FRAMES);
    lb->fe_ec = xvm_evtchn_open(DOM_FRONT);
    lb->be_ec = xvm_evtchn_open(DOM_BACK);
    lb->devmem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    CHECK(lb->mem && lb->fe_ec && lb->be_ec && lb->devmem);
    if (!lb->mem || !lb->fe_ec || !lb->be_ec || !lb->devmem)
        return false;

    /* Event channel: the frontend offers a port, the backend binds. */
    lb->fe_port = xvm_evtchn_alloc_unbound(lb->fe_ec, DOM_BACK);
    CHECK(lb->fe_port > 0);
    lb->be_port = xvm_evtchn_bind_interdomain(
        lb->be_ec, DOM_FRONT, (evtchn_port_t)lb->fe_port,
        xvm_evtchn_fd(lb->fe_ec, (evtchn_port_t)lb->fe_port));
    CHECK(lb->be_port > 0);
    CHECK_EQ(xvm_evtchn_connect(
                 lb->fe_ec, (evtchn_port_t)lb->fe_port, DOM_BACK,
                 xvm_evtchn_fd(lb->be_ec, (evtchn_port_t)lb->be_port)),
             0);
    xvm_evtchn_consume(lb->be_ec, (evtchn_port_t)lb->be_port);

    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        /* Pages in a scrambled frame order, as a real guest would have. */
        uint32_t gfn = PAGE_GFN0 + (i * 5u) % XNF_PAGES_NEEDED;

        pages[i].gfn = gfn;
        pages[i].va = xvm_mem_frame(lb->mem, gfn);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = xvm_mem_frame(lb->mem, GT_GFN);
    cfg.gnttab_entries = GT_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    cfg.gref_base = GREF_BASE;
    cfg.pages = pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = DOM_BACK;
    cfg.notify = fe_notify;
    cfg.notify_arg = lb;
    cfg.want = want;
    lb->dev = xnf_init(lb->devmem, &cfg);
    CHECK(lb->dev != NULL);
    if (!lb->dev)
        return false;

    memset(&p, 0, sizeof(p));
    p.name = "vif5.0";
    p.frontend_domid = DOM_FRONT;
    p.backend_domid = DOM_BACK;
    p.mem = lb->mem;
    p.gnttab_gfn = GT_GFN;
    p.gnttab_frames = GT_FRAMES;
    p.tx_ring_ref = xnf_tx_ring_ref(lb->dev);
    p.rx_ring_ref = xnf_rx_ring_ref(lb->dev);
    p.evtchn = lb->be_ec;
    p.tx_port = p.rx_port = (evtchn_port_t)lb->be_port;
    p.features = xnf_fe_features(lb->dev);
    p.ops = ops;
    p.ops_arg = ops_arg ? ops_arg : lb;
    lb->vif = nb_vif_create(&p);
    CHECK(lb->vif != NULL);
    if (!lb->vif)
        return false;

    CHECK_EQ(xnf_connect(lb->dev, be), 0);
    /* Connecting posted the RX buffers and rang the backend. */
    CHECK(xvm_evtchn_consume(lb->be_ec, (evtchn_port_t)lb->be_port) > 0);
    CHECK_EQ(nb_vif_rx_slots(lb->vif), 256);
    return true;
}

static void lb_teardown(struct lb *lb)
{
    if (lb->dev && lb->vif) {
        /* The backend still maps both rings: they cannot be revoked. */
        CHECK_EQ(xnf_shutdown(lb->dev), 2);
    }
    nb_vif_destroy(lb->vif);
    if (lb->dev)
        CHECK_EQ(xnf_shutdown(lb->dev), 0);
    CHECK_EQ(lb->bufs_out, 0);
    xvm_evtchn_destroy(lb->fe_ec);
    xvm_evtchn_destroy(lb->be_ec);
    xvm_mem_destroy(lb->mem);
    free(lb->devmem);
}

static void lb_check_healthy(struct lb *lb)
{
    CHECK(!xnf_broken(lb->dev));
    CHECK_EQ(nb_vif_disabled(lb->vif), NB_FATAL_NONE);
    CHECK_EQ(lb->mismatches, 0);
}

/* --- front -> back -------------------------------------------------------- */

/* Let the backend take everything queued and hand responses back. */
static void lb_pump_tx(struct lb *lb)
{
    unsigned guard = 0;

    xnf_flush(lb->dev);
    while (lb->q_head != lb->q_tail && guard++ < 10000) {
        if (nb_vif_tx_poll(lb->vif, NB_BURST_MAX) == 0 &&
            nb_vif_disabled(lb->vif) != NB_FATAL_NONE)
            break;
        xnf_poll(lb->dev);
    }
    xnf_poll(lb->dev);
    CHECK(lb->q_head == lb->q_tail);
}

static void lb_send(struct lb *lb, const uint8_t *frame, uint32_t len,
                    uint32_t seed, const struct netif_offload *off)
{
    struct expect *e;
    int rc;

    if (lb->q_tail - lb->q_head == EXPECT_MAX)
        lb_pump_tx(lb);
    rc = xnf_send(lb->dev, frame, len, off);
    if (rc == -EAGAIN) {
        lb_pump_tx(lb);
        rc = xnf_send(lb->dev, frame, len, off);
    }
    CHECK_EQ(rc, 0);
    if (rc != 0)
        return;
    e = &lb->q[lb->q_tail++ % EXPECT_MAX];
    e->len = len;
    e->seed = seed;
    e->flags = off ? off->flags : 0;
    e->gso_size = off ? off->gso_size : 0;
    e->gso_type = off ? off->gso_type : 0;
}

static const uint32_t sizes[] = {14, 60, 1514, 4096, 4097, 9000, 65535};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint32_t random_size(unsigned *rs)
{
    unsigned r = (unsigned)rand_r(rs);

    switch (r % 10) {
    case 0:
        return 14 + r / 10 % (65535 - 14 + 1);
    case 1:
    case 2:
        return 14 + r / 10 % (9000 - 14 + 1);
    default:
        return 14 + r / 10 % (1514 - 14 + 1);
    }
}

static void test_front_to_back(void)
{
    static uint8_t frame[NETIF_MAX_FRAME];
    struct netif_offload csum = {.flags =
                                   NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED};
    struct netif_offload gso = {.flags = NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK,
                              .gso_size = 1448,
                              .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};
    struct nb_vif_stats st;
    struct lb lb;
    unsigned i, rs = 12345, sent = 0;
    uint64_t bytes = 0;

    if (!lb_setup(&lb))
        goto out;
    for (i = 0; i < NSIZES; i++) {
        fill(frame, sizes[i], sent);
        lb_send(&lb, frame, sizes[i], sent++, NULL);
        bytes += sizes[i];
    }
    lb_pump_tx(&lb);
    CHECK_EQ(lb.delivered, NSIZES);
    /* Offload metadata, alone and with GSO (TCPv4 and TCPv6). */
    fill(frame, 1514, sent);
    lb_send(&lb, frame, 1514, sent++, &csum);
    fill(frame, 30000, sent);
    lb_send(&lb, frame, 30000, sent++, &gso);
    gso.gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
    gso.gso_size = 1200;
    fill(frame, 65535, sent);
    lb_send(&lb, frame, 65535, sent++, &gso);
    bytes += 1514 + 30000 + 65535;
    lb_pump_tx(&lb);
    /* Thousands of frames: both indices wrap the ring many times. */
    for (i = 0; i < 4000; i++) {
        uint32_t len = (i & 1) ? 60 : random_size(&rs);

        fill(frame, len, sent);
        lb_send(&lb, frame, len, sent++, (i % 7 == 0) ? &csum : NULL);
        bytes += len;
    }
    lb_pump_tx(&lb);
    CHECK_EQ(lb.delivered, sent);
    nb_vif_stats_get(lb.vif, &st);
    CHECK_EQ(st.tx_packets, sent);
    CHECK_EQ(st.tx_bytes, bytes);
    CHECK_EQ(xnf_tx_slots_free(lb.dev), 256);
    {
        struct xnf_stats xs;

        xnf_stats_get(lb.dev, &xs);
        CHECK_EQ(xs.tx_packets, sent);
        CHECK_EQ(xs.tx_errors, 0);
    }
    lb_check_healthy(&lb);
out:
    lb_teardown(&lb);
}

/* --- back -> front -------------------------------------------------------- */

struct rx_src {
    uint8_t *data;
    struct nb_seg segs[4];
    struct nb_rx_pkt pkt;
    uint32_t seed;
};

static void rx_src_make(struct rx_src *s, uint32_t len, uint32_t seed,
                        uint16_t flags, uint16_t gso_size, uint8_t gso_type)
{
    s->data = malloc(len);
    fill(s->data, len, seed);
    s->seed = seed;
    /* Uneven segments, as an mbuf chain would have. */
    if (len >= 100) {
        s->segs[0] = (struct nb_seg){s->data, 37};
        s->segs[1] = (struct nb_seg){s->data + 37, len / 2 - 37};
        s->segs[2] = (struct nb_seg){s->data + len / 2, len - len / 2};
        s->pkt.nseg = 3;
    } else {
        s->segs[0] = (struct nb_seg){s->data, len};
        s->pkt.nseg = 1;
    }
    s->pkt.segs = s->segs;
    s->pkt.len = len;
    s->pkt.off.flags = flags;
    s->pkt.off.gso_size = gso_size;
    s->pkt.off.gso_type = gso_type;
}

static uint16_t off_from_nb(uint16_t nb)
{
    return (
        uint16_t)(((nb & NETIF_OFF_CSUM_BLANK) ? NETIF_OFF_CSUM_BLANK : 0) |
                  ((nb & NETIF_OFF_DATA_VALIDATED) ? NETIF_OFF_DATA_VALIDATED : 0) |
                  ((nb & NETIF_OFF_GSO) ? NETIF_OFF_GSO : 0));
}

/* A backend may mark a partial-checksum packet data_validated as well (as
 * Linux netback does): its payload is as good as the sender's. */
static bool rx_flags_ok(uint16_t got, uint16_t nb_sent)
{
    uint16_t want = off_from_nb(nb_sent);

    if (got == want)
        return true;
    return (want & NETIF_OFF_CSUM_BLANK) &&
           got == (want | NETIF_OFF_DATA_VALIDATED);
}

/* Push @n packets through the backend into the frontend and check each. */
static unsigned lb_rx_batch(struct lb *lb, struct rx_src *src, unsigned n)
{
    static uint8_t buf[NETIF_MAX_FRAME];
    unsigned done = 0, got = 0, guard = 0;
    struct netif_offload off;
    int len;

    while (got < n && guard++ < 100000) {
        struct nb_rx_pkt pk[NB_BURST_MAX];
        unsigned k, m = n - done < NB_BURST_MAX ? n - done : NB_BURST_MAX;

        for (k = 0; k < m; k++)
            pk[k] = src[done + k].pkt;
        done += m ? nb_vif_rx_burst(lb->vif, pk, m) : 0;
        while ((len = xnf_recv(lb->dev, buf, sizeof(buf), &off)) > 0) {
            const struct rx_src *s = &src[got++];
            bool ok = (uint32_t)len == s->pkt.len &&
                      matches(buf, (uint32_t)len, s->seed) &&
                      rx_flags_ok(off.flags, s->pkt.off.flags);

            if (ok && (off.flags & NETIF_OFF_GSO))
                ok = off.gso_size == s->pkt.off.gso_size &&
                     off.gso_type == s->pkt.off.gso_type;
            if (!ok) {
                fprintf(stderr, "rx seed %u len %u: got %d flags %x\n", s->seed,
                        s->pkt.len, len, off.flags);
                lb->mismatches++;
            }
            if (got == n)
                break;
        }
        CHECK(len >= 0);
        if (len < 0)
            break;
        xnf_poll(lb->dev); /* repost every buffer */
    }
    return got;
}

static void test_back_to_front(void)
{
    enum { N = 3000 };
    static struct rx_src src[N];
    struct nb_vif_stats st;
    struct xnf_stats xs;
    struct lb lb;
    unsigned i, n = 0, rs = 777;
    uint64_t bytes = 0;

    if (!lb_setup(&lb))
        goto out;
    for (i = 0; i < NSIZES; i++, n++)
        rx_src_make(&src[n], sizes[i], n, 0, 0, 0);
    rx_src_make(&src[n], 1514, n, NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED, 0,
                0);
    n++;
    rx_src_make(&src[n], 1514, n, NETIF_OFF_DATA_VALIDATED, 0, 0);
    n++;
    rx_src_make(&src[n], 30000, n, NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK, 1448,
                NETIF_GSO_TCPV4);
    n++;
    rx_src_make(&src[n], 65535, n, NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK, 1220,
                NETIF_GSO_TCPV6);
    n++;
    while (n < N) {
        uint32_t len = (n & 1) ? 60 : random_size(&rs);

        rx_src_make(&src[n], len, n, (n % 5 == 0) ? NETIF_OFF_DATA_VALIDATED : 0,
                    0, 0);
        n++;
    }
    for (i = 0; i < N; i++)
        bytes += src[i].pkt.len;

    CHECK_EQ(lb_rx_batch(&lb, src, N), N);
    nb_vif_stats_get(lb.vif, &st);
    xnf_stats_get(lb.dev, &xs);
    CHECK_EQ(st.rx_packets, N);
    CHECK_EQ(xs.rx_packets, N);
    CHECK_EQ(xs.rx_bytes, bytes);
    CHECK_EQ(xs.rx_errors, 0);
    CHECK_EQ(st.rx_dropped_offload, 0);
    lb_check_healthy(&lb);
    /* Quiet now: nothing to do, the events are armed. */
    CHECK(!xnf_final_check(lb.dev));
out:
    for (i = 0; i < N; i++)
        free(src[i].data);
    lb_teardown(&lb);
}

/* Both directions interleaved, in small steps, with events checked. */
static void test_both_ways_events(void)
{
    static uint8_t frame[2048];
    static struct rx_src src[512];
    struct lb lb;
    unsigned i, sent = 0;
    int64_t ev;

    if (!lb_setup(&lb))
        goto out;
    for (i = 0; i < 512; i++)
        rx_src_make(&src[i], 60 + i, 100000 + i, 0, 0, 0);
    for (i = 0; i < 512; i += 8) {
        unsigned k;

        for (k = 0; k < 8; k++) {
            fill(frame, 64 + k, sent);
            lb_send(&lb, frame, 64 + k, sent++, NULL);
        }
        xvm_evtchn_consume(lb.fe_ec, (evtchn_port_t)lb.fe_port);
        CHECK(!xnf_final_check(lb.dev)); /* also publishes */
        /* The backend was idle with its event armed: it was told. */
        ev = xvm_evtchn_consume(lb.be_ec, (evtchn_port_t)lb.be_port);
        CHECK(ev > 0);
        CHECK(nb_vif_tx_poll(lb.vif, NB_BURST_MAX) == 8);
        CHECK(!nb_vif_tx_final_check(lb.vif));
        /* TX responses arrived after xnf_final_check armed the event. */
        ev = xvm_evtchn_consume(lb.fe_ec, (evtchn_port_t)lb.fe_port);
        CHECK(ev > 0);
        CHECK_EQ(lb_rx_batch(&lb, &src[i], 8), 8);
    }
    xnf_poll(lb.dev);
    CHECK_EQ(lb.delivered, sent);
    lb_check_healthy(&lb);
out:
    for (i = 0; i < 512; i++)
        free(src[i].data);
    lb_teardown(&lb);
}

/* Neither side offers scatter-gather or GSO: one page per frame. */
static void test_no_sg(void)
{
    static uint8_t frame[9000];
    struct rx_src src[3];
    struct nb_rx_pkt pk[3];
    struct nb_vif_stats st;
    struct lb lb;
    unsigned i;

    memset(src, 0, sizeof(src));
    if (!lb_setup_ops(&lb, &lb_ops, NULL, 0, NETIF_F_RX_COPY))
        goto out;
    CHECK_EQ(xnf_fe_features(lb.dev), NETIF_F_RX_COPY | NETIF_F_RX_NOTIFY);
    fill(frame, 4096, 1);
    lb_send(&lb, frame, 4096, 1, NULL);
    CHECK_EQ(xnf_send(lb.dev, frame, 4097, NULL), -EMSGSIZE);
    lb_pump_tx(&lb);
    CHECK_EQ(lb.delivered, 1);
    /* A 9000-byte frame cannot reach this guest: the backend drops it,
     * the ones around it arrive. */
    rx_src_make(&src[0], 1514, 10, 0, 0, 0);
    rx_src_make(&src[1], 9000, 11, 0, 0, 0);
    rx_src_make(&src[2], 4096, 12, 0, 0, 0);
    for (i = 0; i < 3; i++)
        pk[i] = src[i].pkt;
    CHECK_EQ(nb_vif_rx_burst(lb.vif, pk, 3), 3);
    CHECK_EQ(xnf_recv(lb.dev, frame, sizeof(frame), NULL), 1514);
    CHECK(matches(frame, 1514, 10));
    CHECK_EQ(xnf_recv(lb.dev, frame, sizeof(frame), NULL), 4096);
    CHECK(matches(frame, 4096, 12));
    CHECK_EQ(xnf_recv(lb.dev, frame, sizeof(frame), NULL), 0);
    nb_vif_stats_get(lb.vif, &st);
    CHECK_EQ(st.rx_dropped_offload, 1);
    {
        struct xnf_stats xs;

        xnf_stats_get(lb.dev, &xs);
        CHECK_EQ(xs.rx_packets, 2);
        CHECK_EQ(xs.rx_errors, 0);
    }
    lb_check_healthy(&lb);
out:
    for (i = 0; i < 3; i++)
        free(src[i].data);
    lb_teardown(&lb);
}

/* --- two threads, sleeping on events -------------------------------------- */

/*
 * The backend runs on its own thread and echoes every frame back; both
 * sides sleep on their event channel whenever idle, after a final check.
 * A lost wakeup shows up as a poll() timeout.
 */
#define ECHO_Q 1024u
#define ECHO_FRAMES 20000u
#define ECHO_WINDOW 100u
#define WAKE_TIMEOUT_MS 5000

struct echo {
    struct lb *lb;
    int stop;
    void *buf[ECHO_Q];
    uint32_t len[ECHO_Q];
    unsigned head, tail;
    unsigned timeouts, sleeps;
};

static unsigned echo_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                             unsigned max, void **cookie)
{
    void *buf = malloc(len);

    (void)arg;
    (void)max;
    if (!buf)
        return 0;
    segs[0] = (struct nb_seg){buf, len};
    *cookie = buf;
    return 1;
}

static void echo_buf_put(void *arg, void *cookie)
{
    (void)arg;
    free(cookie);
}

static void echo_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct echo *e = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        if (e->tail - e->head == ECHO_Q) { /* cannot happen: window */
            free(pkts[i].cookie);
            continue;
        }
        e->buf[e->tail % ECHO_Q] = pkts[i].cookie;
        e->len[e->tail % ECHO_Q] = pkts[i].len;
        e->tail++;
    }
}

static const struct nb_io_ops echo_ops = {
    .tx_buf_get = echo_buf_get,
    .tx_buf_put = echo_buf_put,
    .tx_deliver = echo_deliver,
};

/* Echo what is queued; @return packets taken, *@full if the guest ran
 * out of buffers (the backend then has its event armed). */
static unsigned echo_rx(struct echo *e, bool *full)
{
    struct nb_rx_pkt pk[NB_BURST_MAX];
    struct nb_seg sg[NB_BURST_MAX];
    unsigned m = 0, k, done = 0;

    *full = false;
    while (e->head != e->tail) {
        for (m = 0; m < NB_BURST_MAX && e->head + m != e->tail; m++) {
            unsigned q = (e->head + m) % ECHO_Q;

            sg[m] = (struct nb_seg){e->buf[q], e->len[q]};
            pk[m] =
                (struct nb_rx_pkt){.segs = &sg[m], .nseg = 1, .len = e->len[q]};
        }
        k = nb_vif_rx_burst(e->lb->vif, pk, m);
        for (unsigned j = 0; j < k; j++)
            free(e->buf[(e->head + j) % ECHO_Q]);
        e->head += k;
        done += k;
        if (k < m) {
            *full = true;
            break;
        }
    }
    return done;
}

static void *echo_main(void *arg)
{
    struct echo *e = arg;
    struct lb *lb = e->lb;
    evtchn_port_t port = (evtchn_port_t)lb->be_port;
    struct pollfd pfd = {.fd = xvm_evtchn_fd(lb->be_ec, port),
                         .events = POLLIN};
    bool full;

    while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
        unsigned work = nb_vif_tx_poll(lb->vif, NB_BURST_MAX);

        work += echo_rx(e, &full);
        if (work || nb_vif_disabled(lb->vif) != NB_FATAL_NONE)
            continue;
        if (nb_vif_tx_final_check(lb->vif))
            continue;
        e->sleeps++;
        if (poll(&pfd, 1, WAKE_TIMEOUT_MS) == 0 &&
            !__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE))
            e->timeouts++;
        xvm_evtchn_consume(lb->be_ec, port);
    }
    while (e->head != e->tail)
        free(e->buf[e->head++ % ECHO_Q]);
    return NULL;
}

static uint32_t echo_len(uint32_t seq)
{
    return (seq % 16 == 5) ? 9000 : 60 + (seq * 37u) % 1455u;
}

/* Drive the frontend until every frame is back; @return frames received. */
static uint32_t echo_front(struct lb *lb, unsigned *timeouts, unsigned *bad)
{
    static uint8_t frame[9000], buf[NETIF_MAX_FRAME];
    evtchn_port_t port = (evtchn_port_t)lb->fe_port;
    struct pollfd pfd = {.fd = xvm_evtchn_fd(lb->fe_ec, port),
                         .events = POLLIN};
    uint32_t sent = 0, got = 0;
    int n = 0;

    while (got < ECHO_FRAMES && *timeouts == 0) {
        unsigned work = 0;

        while (sent < ECHO_FRAMES && sent - got < ECHO_WINDOW) {
            uint32_t len = echo_len(sent);

            fill(frame, len, sent);
            n = xnf_send(lb->dev, frame, len, NULL);
            if (n == -EAGAIN)
                break;
            if (n < 0)
                return got;
            sent++;
            work++;
        }
        xnf_flush(lb->dev);
        work += xnf_poll(lb->dev);
        while ((n = xnf_recv(lb->dev, buf, sizeof(buf), NULL)) > 0) {
            if ((uint32_t)n != echo_len(got) || !matches(buf, (uint32_t)n, got))
                (*bad)++;
            got++;
            work++;
        }
        if (n < 0)
            return got;
        if (work || xnf_final_check(lb->dev))
            continue;
        if (poll(&pfd, 1, WAKE_TIMEOUT_MS) == 0)
            (*timeouts)++;
        xvm_evtchn_consume(lb->fe_ec, port);
    }
    return got;
}

static void test_threads_sleeping(void)
{
    static struct echo e;
    struct lb lb;
    pthread_t th;
    unsigned timeouts = 0, bad = 0;
    uint32_t got;

    memset(&e, 0, sizeof(e));
    e.lb = &lb;
    if (!lb_setup_ops(&lb, &echo_ops, &e, FE_ALL, BE_ALL))
        goto out;
    CHECK_EQ(pthread_create(&th, NULL, echo_main, &e), 0);
    got = echo_front(&lb, &timeouts, &bad);
    __atomic_store_n(&e.stop, 1, __ATOMIC_RELEASE);
    xvm_evtchn_send(lb.fe_ec, (evtchn_port_t)lb.fe_port); /* wake it */
    pthread_join(th, NULL);
    CHECK_EQ(got, ECHO_FRAMES);
    CHECK_EQ(bad, 0);
    CHECK_EQ(timeouts, 0);
    CHECK_EQ(e.timeouts, 0);
    CHECK(!xnf_broken(lb.dev));
    CHECK_EQ(nb_vif_disabled(lb.vif), NB_FATAL_NONE);
    printf("  (backend slept %u times)\n", e.sleeps);
out:
    lb_teardown(&lb);
}

int main(void)
{
    nb_set_log(NULL);
    RUN(test_front_to_back);
    RUN(test_back_to_front);
    RUN(test_both_ways_events);
    RUN(test_no_sg);
    RUN(test_threads_sleeping);
    return check_summary();
}
