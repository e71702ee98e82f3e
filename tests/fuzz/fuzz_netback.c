/* SPDX-License-Identifier: MIT */
/*
 * fuzz_netback.c - libFuzzer harness for libnetback.
 *
 * The input is a hostile frontend: it writes the guest's grant table, both
 * rings and their indices, picks the vif's features, then drives rounds of
 * nb_vif_tx_poll / nb_vif_rx_burst / final checks, changing producer
 * indices, ring slots, owner buffer supply and the rate limit in between.
 * After every call the harness checks invariants and aborts on a breach:
 *  - a disabled reason is < NB_FATAL__MAX and is the only fatal counted;
 *  - once disabled, calls return 0 and leave both ring pages untouched;
 *  - every tx_buf_get is matched by a tx_buf_put or a delivery, at once;
 *  - delivered frames are 14..65535 bytes and as long as their buffer;
 *  - response producers only move forward, by at most a ring per call;
 *  - TX statuses are OKAY/ERROR/NULL; RX statuses are GNTST codes or
 *    0..4096 bytes, and add up to the bytes counted;
 *  - counters agree with what was returned and delivered.
 *
 * Input (little-endian; reading past the end yields zeros):
 *   u8  features     enum netif_feature bits
 *   u32 start        index both rings start at
 *   u8  ring_mode    1: TX ring granted read-only, 2: RX ring not granted
 *   u8  grant[32]    data refs 8..39: bits 0-2 kind (0-5 valid, 6 other
 *                    domain, 7 ungranted or, with bit 7, no such frame),
 *                    bits 3-6 data frame, bit 7 read-only
 *   u8  ntx, 9 bytes each: a TX slot (see put_tx_slot)
 *   u8  nrx, 2 bytes each: an RX slot (id, ref selector)
 *   u8  tx_prod, rx_prod   producer = start + value; 255: a u32 follows
 *   then up to MAX_ROUNDS rounds: u8 op (bits 0-2) | arg (bits 3-7), ...
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netback/netback.h"
#include "xvm/evtchn.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define FUZZ_NAME "fuzz_netback"
#include "fuzz_harness.h"

#define DOM_GUEST 3
#define DOM_BACK 0
#define GT_GFN 1u
#define TX_GFN 2u
#define RX_GFN 3u
#define DATA_GFN 4u
#define NDATA 16u
#define FRAMES (DATA_GFN + NDATA)
#define DATA_REF 8u
#define NDATA_REF 32u
#define TX_RING_REF 40u
#define RX_RING_REF 41u
#define MAX_ROUNDS 48
#define MAGIC 0x6e627566u

/* ------------------------------------------------------------------------ */
/* The owner: malloc'd buffers with a header that catches misuse.           */

struct buf {
    uint32_t magic;
    uint32_t len;
    uint8_t data[];
};

struct owner {
    unsigned allow; /* buffers still to hand out; ~0u: unlimited */
    uint32_t seg;   /* segment size, 0: one segment */
    unsigned gets, puts, delivered, deliver_calls;
    uint64_t bytes; /* delivered in the current call */
};

static unsigned own_get(void *arg, uint32_t len, struct nb_seg *segs,
                        unsigned max, void **cookie)
{
    struct owner *o = arg;
    uint32_t off = 0, seg = o->seg ? o->seg : len;
    struct buf *b;
    unsigned n = 0;

    INV(len >= NETIF_MIN_FRAME && len <= NETIF_MAX_FRAME);
    INV(max >= 1);
    if (o->allow == 0)
        return 0;
    if (o->allow != ~0u)
        o->allow--;
    b = malloc(sizeof(*b) + len);
    if (!b)
        return 0;
    b->magic = MAGIC;
    b->len = len;
    while (off < len && n < max) {
        segs[n].base = b->data + off;
        segs[n].len = len - off < seg ? len - off : seg;
        off += segs[n++].len;
    }
    o->gets++;
    *cookie = b; /* may not cover len with tiny segments: must be put */
    return n;
}

static void own_put(void *arg, void *cookie)
{
    struct owner *o = arg;
    struct buf *b = cookie;

    INV(b && b->magic == MAGIC);
    b->magic = 0;
    free(b);
    o->puts++;
}

static void own_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct owner *o = arg;
    unsigned i;

    INV(n >= 1 && n <= NB_BURST_MAX);
    o->deliver_calls++;
    for (i = 0; i < n; i++) {
        struct buf *b = pkts[i].cookie;

        INV(b && b->magic == MAGIC);
        INV(pkts[i].len == b->len);
        INV(pkts[i].len >= NETIF_MIN_FRAME && pkts[i].len <= NETIF_MAX_FRAME);
        if (pkts[i].off.flags & NETIF_OFF_GSO)
            INV(pkts[i].off.gso_size && (pkts[i].off.gso_type == NETIF_GSO_TCPV4 ||
                                         pkts[i].off.gso_type == NETIF_GSO_TCPV6));
        o->bytes += pkts[i].len;
        b->magic = 0;
        free(b);
        o->delivered++;
    }
}

static const struct nb_io_ops own_ops = {
    .tx_buf_get = own_get,
    .tx_buf_put = own_put,
    .tx_deliver = own_deliver,
};

/* ------------------------------------------------------------------------ */
/* The domain, made once and reset per input.                               */

struct env {
    struct xvm_mem *mem;
    struct xvm_evtchn *fe, *be;
    evtchn_port_t fe_port, be_port;
};

static void log_quiet(const char *line)
{
    (void)line;
}

static struct env *env_get(void)
{
    static struct env e;
    static int ready;
    int fp, bp;

    if (ready)
        return ready > 0 ? &e : NULL;
    ready = -1;
    nb_set_log(log_quiet);
    e.mem = xvm_mem_create("fuzz", FRAMES);
    e.fe = xvm_evtchn_open(DOM_GUEST);
    e.be = xvm_evtchn_open(DOM_BACK);
    if (!e.mem || !e.fe || !e.be)
        return NULL;
    fp = xvm_evtchn_alloc_unbound(e.fe, DOM_BACK);
    if (fp <= 0)
        return NULL;
    bp = xvm_evtchn_bind_interdomain(e.be, DOM_GUEST, (evtchn_port_t)fp,
                                     xvm_evtchn_fd(e.fe, (evtchn_port_t)fp));
    if (bp <= 0 ||
        xvm_evtchn_connect(e.fe, (evtchn_port_t)fp, DOM_BACK,
                           xvm_evtchn_fd(e.be, (evtchn_port_t)bp)) != 0)
        return NULL;
    e.fe_port = (evtchn_port_t)fp;
    e.be_port = (evtchn_port_t)bp;
    ready = 1;
    return &e;
}

static void grant_raw(grant_entry_v1_t *gt, grant_ref_t ref, uint16_t flags,
                      domid_t dom, uint32_t frame)
{
    gt[ref].flags = flags;
    gt[ref].domid = dom;
    gt[ref].frame = frame;
}

static void put_grants(struct env *e, struct input *in)
{
    grant_entry_v1_t *gt = xvm_mem_frame(e->mem, GT_GFN);
    uint8_t mode = in_u8(in);
    unsigned i;

    memset(gt, 0, XVM_PAGE_SIZE);
    grant_raw(gt, TX_RING_REF,
              GTF_permit_access | (mode == 1 ? GTF_readonly : 0), DOM_BACK,
              TX_GFN);
    if (mode != 2)
        grant_raw(gt, RX_RING_REF, GTF_permit_access, DOM_BACK, RX_GFN);
    for (i = 0; i < NDATA_REF; i++) {
        uint8_t b = in_u8(in), kind = b & 7;
        uint32_t frame = DATA_GFN + ((b >> 3) & 15);
        uint16_t ro = (b & 0x80) ? GTF_readonly : 0;

        if (kind <= 5)
            grant_raw(gt, DATA_REF + i, GTF_permit_access | ro, DOM_BACK,
                      frame);
        else if (kind == 6)
            grant_raw(gt, DATA_REF + i, GTF_permit_access, 9, frame);
        else if (b & 0x80)
            grant_raw(gt, DATA_REF + i, GTF_permit_access, DOM_BACK, 5000);
    }
}

/*
 * A TX slot from 9 bytes.  Byte 0 picks the form: bit 7 set writes bytes
 * 1-8 raw (how extra records are made); otherwise bytes are gref selector,
 * offset, flags, size and id, with bits 4-6 of byte 0 widening the gref,
 * offset and size ranges.
 */
static void put_tx_slot(netif_tx_sring_t *s, unsigned slot, struct input *in)
{
    netif_tx_request_t *r = &s->ring[slot & 255].req;
    uint8_t kind = in_u8(in), b[8];
    unsigned i;

    for (i = 0; i < 8; i++)
        b[i] = in_u8(in);
    if (kind & 0x80) {
        memcpy(r, b, 8);
        r->id = kind;
        return;
    }
    r->gref = DATA_REF + b[0] % ((kind & 0x40) ? 40u : NDATA_REF);
    if (kind & 0x08)
        r->gref = (uint32_t)b[0] << 24 | b[1];
    r->offset = (uint16_t)(b[1] | b[2] << 8) & ((kind & 0x20) ? 0xffff : 0xfff);
    r->flags = b[3] & 0xf;
    r->size = (uint16_t)(b[4] | b[5] << 8) & ((kind & 0x10) ? 0xffff : 0xfff);
    r->id = (uint16_t)(b[6] | b[7] << 8);
}

/* An RX slot from 2 bytes.  @return true if it posts a ring page as a
 * buffer: the guest then overwrites its own ring with packet data. */
static bool put_rx_slot(netif_rx_sring_t *s, unsigned slot, struct input *in)
{
    netif_rx_request_t *r = &s->ring[slot & 255].req;

    r->id = in_u8(in);
    r->gref = DATA_REF + in_u8(in) % 40u;
    return r->gref == TX_RING_REF || r->gref == RX_RING_REF;
}

static uint32_t prod_from(struct input *in, uint32_t start)
{
    uint8_t v = in_u8(in);

    return v == 255 ? in_u32(in) : start + v;
}

/* ------------------------------------------------------------------------ */
/* Rounds and invariants.                                                   */

struct run {
    struct env *e;
    struct nb_vif *vif;
    struct owner own;
    netif_tx_sring_t *tx;
    netif_rx_sring_t *rx;
    uint8_t txs[XVM_PAGE_SIZE], rxs[XVM_PAGE_SIZE]; /* snapshots */
    struct nb_vif_stats st;
    RING_IDX tx_rsp, rx_rsp;
    bool dead;
    bool aliased; /* a ring page was posted as an RX buffer */
};

static uint8_t pkt_data[NETIF_MAX_FRAME + 1];

static void check_stats(struct run *r, struct nb_vif_stats *st)
{
    enum nb_fatal f = nb_vif_disabled(r->vif);
    unsigned i;

    INV((unsigned)f < NB_FATAL__MAX);
    nb_vif_stats_get(r->vif, st);
    for (i = 0; i < NB_FATAL__MAX; i++)
        INV(st->fatal[i] == (f != NB_FATAL_NONE && i == (unsigned)f));
    INV(r->own.gets == r->own.puts + r->own.delivered);
}

static void before(struct run *r)
{
    r->dead = nb_vif_disabled(r->vif) != NB_FATAL_NONE;
    if (r->dead) {
        memcpy(r->txs, r->tx, XVM_PAGE_SIZE);
        memcpy(r->rxs, r->rx, XVM_PAGE_SIZE);
    }
    r->own.bytes = 0;
    check_stats(r, &r->st);
}

static void after(struct run *r, unsigned ret)
{
    struct nb_vif_stats st;

    check_stats(r, &st);
    if (r->dead) {
        INV(ret == 0);
        INV(memcmp(r->txs, r->tx, XVM_PAGE_SIZE) == 0);
        INV(memcmp(r->rxs, r->rx, XVM_PAGE_SIZE) == 0);
        INV(memcmp(&st, &r->st, sizeof(st)) == 0);
    }
}

static void do_tx_poll(struct run *r, unsigned budget)
{
    unsigned n, calls = r->own.deliver_calls;
    struct nb_vif_stats st;
    RING_IDX rsp, i;

    before(r);
    n = nb_vif_tx_poll(r->vif, budget);
    after(r, n);
    INV(n <= budget && n <= NB_BURST_MAX);
    INV(r->own.deliver_calls == calls + (n > 0));
    if (r->dead)
        return;
    nb_vif_stats_get(r->vif, &st);
    INV(st.tx_packets - r->st.tx_packets == n);
    INV(st.tx_bytes - r->st.tx_bytes == r->own.bytes);
    if (r->aliased) /* the guest wrote packet data over its responses */
        return;
    rsp = r->tx->rsp_prod;
    INV(rsp - r->tx_rsp <= NETIF_RING_SIZE);
    for (i = r->tx_rsp; i != rsp; i++) {
        int16_t s = r->tx->ring[i & 255].rsp.status;

        INV(s == NETIF_RSP_OKAY || s == NETIF_RSP_ERROR || s == NETIF_RSP_NULL);
    }
    r->tx_rsp = rsp;
}

static void do_rx_burst(struct run *r, struct input *in, unsigned arg)
{
    struct nb_rx_pkt pkts[8];
    struct nb_seg segs[8][4];
    unsigned n = 1 + (arg & 7), i, k, got;
    uint64_t bytes = 0;
    RING_IDX rsp, j;

    for (i = 0; i < n; i++) {
        uint32_t len = in_u16(in), off = 0;
        uint8_t fl = in_u8(in), gsz = in_u8(in);
        unsigned ns = 1 + (fl >> 6);

        for (k = 0; k < ns; k++) {
            uint32_t l = k + 1 < ns ? len / ns : len - off;

            segs[i][k] = (struct nb_seg){.base = pkt_data + off, .len = l};
            off += l;
        }
        if (fl & 0x20)
            segs[i][0].len++; /* segments that do not add up */
        pkts[i] = (struct nb_rx_pkt){
            .segs = segs[i], .nseg = (uint16_t)ns, .len = len};
        pkts[i].off.flags = fl & 7;
        pkts[i].off.gso_type = (fl >> 3) & 3;
        pkts[i].off.gso_size = (uint16_t)(gsz * 64);
    }
    before(r);
    got = nb_vif_rx_burst(r->vif, pkts, n);
    after(r, got);
    INV(got <= n);
    if (r->dead || r->aliased)
        return;
    rsp = r->rx->rsp_prod;
    INV(rsp - r->rx_rsp <= NETIF_RING_SIZE);
    for (j = r->rx_rsp; j != rsp; j++) {
        int16_t s = r->rx->ring[j & 255].rsp.status;

        INV(s >= -13 && s <= (int16_t)XVM_PAGE_SIZE);
        if (s > 0)
            bytes += (uint64_t)s;
    }
    r->rx_rsp = rsp;
    if (nb_vif_disabled(r->vif) == NB_FATAL_NONE) {
        struct nb_vif_stats st;

        nb_vif_stats_get(r->vif, &st);
        INV(st.rx_bytes - r->st.rx_bytes == bytes);
    }
}

static void do_round(struct run *r, struct input *in)
{
    uint8_t o = in_u8(in), arg = o >> 3;
    unsigned k;

    switch (o & 7) {
    case 0:
        do_tx_poll(r, arg * 3u);
        break;
    case 1:
        do_rx_burst(r, in, arg);
        break;
    case 2:
        r->tx->req_prod += (uint32_t)(int32_t)(int8_t)in_u8(in);
        break;
    case 3:
        r->rx->req_prod += (uint32_t)(int32_t)(int8_t)in_u8(in);
        break;
    case 4:
        before(r);
        k = nb_vif_tx_final_check(r->vif);
        k += nb_vif_rx_slots(r->vif);
        INV(nb_vif_tx_credit_wait_ns(r->vif) <= 1000000000u);
        after(r, k);
        break;
    case 5:
        r->own.allow = arg == 31 ? ~0u : arg;
        r->own.seg = in_u8(in) * 64u;
        break;
    case 6:
        if (arg == 31)
            INV(nb_vif_set_rate(r->vif, 1, 0) < 0);
        else
            INV(nb_vif_set_rate(r->vif, arg * 1000u, 1000000u) == 0);
        break;
    default:
        k = in_u8(in);
        if (arg & 1)
            put_tx_slot(r->tx, k, in);
        else
            r->aliased |= put_rx_slot(r->rx, k, in);
        if (arg & 2)
            r->tx->rsp_event = r->tx->rsp_prod + in_u8(in);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run r;
    struct input in = {data, size};
    struct nb_vif_params p;
    uint32_t start;
    unsigned i, n;
    int rounds;

    memset(&r, 0, sizeof(r));
    r.e = env_get();
    if (!r.e)
        abort();
    r.tx = xvm_mem_frame(r.e->mem, TX_GFN);
    r.rx = xvm_mem_frame(r.e->mem, RX_GFN);
    memset(&p, 0, sizeof(p));
    p.features = in_u8(&in) & 0x7f;
    start = in_u32(&in);
    put_grants(r.e, &in);
    memset(r.tx, 0, XVM_PAGE_SIZE);
    memset(r.rx, 0, XVM_PAGE_SIZE);
    r.tx->rsp_prod = r.rx->rsp_prod = start;
    r.tx->rsp_event = r.rx->rsp_event = start + 1;
    r.tx->req_event = r.rx->req_event = start + 1;
    n = in_u8(&in);
    for (i = 0; i < n; i++)
        put_tx_slot(r.tx, start + i, &in);
    n = in_u8(&in);
    for (i = 0; i < n; i++)
        r.aliased |= put_rx_slot(r.rx, start + i, &in);
    r.tx->req_prod = prod_from(&in, start);
    r.rx->req_prod = prod_from(&in, start);
    r.tx_rsp = r.rx_rsp = start;

    p.name = "fuzz";
    p.frontend_domid = DOM_GUEST;
    p.backend_domid = DOM_BACK;
    p.mem = r.e->mem;
    p.gnttab_gfn = GT_GFN;
    p.gnttab_frames = 1;
    p.tx_ring_ref = TX_RING_REF;
    p.rx_ring_ref = RX_RING_REF;
    p.evtchn = r.e->be;
    p.tx_port = p.rx_port = r.e->be_port;
    p.ops = &own_ops;
    p.ops_arg = &r.own;
    r.own.allow = ~0u;
    r.vif = nb_vif_create(&p);
    if (!r.vif)
        return 0;
    for (rounds = 0; rounds < MAX_ROUNDS && in.n; rounds++)
        do_round(&r, &in);
    /* Drain: whatever is left must end cleanly too. */
    do_tx_poll(&r, NB_BURST_MAX);
    nb_vif_destroy(r.vif);
    INV(r.own.gets == r.own.puts + r.own.delivered);
    xvm_evtchn_consume(r.e->fe, r.e->fe_port);
    return 0;
}
