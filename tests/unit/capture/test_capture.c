/* SPDX-License-Identifier: MIT */
/*
 * Capture in the switch core, in-process: frames go in through
 * vsw_link_input() / vsw_vnic_input(), captures are opened with
 * vsw_cap_open() and read back through the client's ring reader, as snoop
 * reads them.  What each object sees, filters, snap length, drops when
 * the ring is full, objects going away, the wake-up protocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "check.h"
#include "vsw/capture.h"
#include "vsw/switch.h"
#include "vsw_test.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t MAC_X[6] = {0x02, 0, 0, 0, 0, 0x99};

/* phys0 (wire = cap port) with a0 (MAC_A, VID 10), b0 (MAC_B, VID 10);
 * etherstub stub0 with s0 (MAC_A) and s1 (MAC_B). */
struct rig {
    struct vsw_switch *sw;
    struct vsw_link *l, *stub;
    struct cap_port *wire;
    struct vsw_vnic *a, *b, *s0, *s1;
};

static struct vsw_vnic *vnic_add(struct vsw_link *l, const char *name,
                                 const uint8_t mac[6], uint16_t vid)
{
    struct vsw_vnic_params p = {.name = name, .vid = vid};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(l, &p);
    if (v)
        vsw_vnic_attach(v, &cap_new(name)->port);
    return v;
}

static void rig_up(struct rig *r)
{
    struct vsw_switch_params sp = {.pool = test_pool};

    memset(r, 0, sizeof(*r));
    r->sw = vsw_switch_create(&sp);
    r->wire = cap_new("wire0");
    r->l = vsw_link_create(r->sw, "phys0", VSW_CLASS_PHYS, &r->wire->port);
    r->stub = vsw_link_create(r->sw, "stub0", VSW_CLASS_ETHERSTUB, NULL);
    r->a = vnic_add(r->l, "a0", MAC_A, 10);
    r->b = vnic_add(r->l, "b0", MAC_B, 10);
    r->s0 = vnic_add(r->stub, "s0", MAC_A, 0);
    r->s1 = vnic_add(r->stub, "s1", MAC_B, 0);
    CHECK(r->sw && r->l && r->stub && r->a && r->b && r->s0 && r->s1);
}

static void wire_in(struct rig *r, struct rte_mbuf *m)
{
    vsw_link_input(r->l, &m, 1, rte_rdtsc());
    vsw_switch_flush(r->sw, rte_rdtsc());
}

static void vnic_in(struct rig *r, struct vsw_vnic *v, struct rte_mbuf *m)
{
    vsw_vnic_input(v, &m, 1, rte_rdtsc());
    vsw_switch_flush(r->sw, rte_rdtsc());
}

/* A capture and its reader, the way snoop gets them (dup'd fds). */
struct tap {
    struct vsw_cap *c;
    struct vsw_cap_reader r;
};

static int tap_open(struct tap *t, struct rig *r, const char *name,
                    uint32_t dir, uint32_t snaplen, uint32_t ring,
                    const char *filter, char *err, size_t errlen)
{
    struct vsw_cap_params p = {.name = name, .dir = dir, .snaplen = snaplen,
                               .ring_bytes = ring, .filter = filter};

    memset(t, 0, sizeof(*t));
    t->c = vsw_cap_open(r->sw, &p, err, errlen);
    if (!t->c)
        return -errno;
    return vsw_cap_reader_init(&t->r, -1, dup(vsw_cap_memfd(t->c)),
                               dup(vsw_cap_eventfd(t->c)));
}

static void tap_close(struct tap *t)
{
    vsw_cap_close(t->c);
    vsw_cap_reader_fini(&t->r);
}

/* Records read so far: their direction and first bytes. */
struct got {
    unsigned n, in, out;
    uint16_t dir[64];
    uint32_t caplen[64], origlen[64];
    uint8_t head[64][40];
    uint64_t ts[64];
};

static void drain(struct tap *t, struct got *g)
{
    const struct vsw_cap_rec *rec;
    int err;

    memset(g, 0, sizeof(*g));
    while ((rec = vsw_cap_reader_next(&t->r, &err)) != NULL) {
        if (g->n < 64) {
            g->dir[g->n] = rec->dir;
            g->caplen[g->n] = rec->caplen;
            g->origlen[g->n] = rec->origlen;
            g->ts[g->n] = rec->ts_ns;
            memcpy(g->head[g->n], rec->data,
                   rec->caplen < 40 ? rec->caplen : 40);
        }
        g->n++;
        if (rec->dir == VSW_CAP_IN)
            g->in++;
        else
            g->out++;
    }
    CHECK_EQ(err, 0);
    vsw_cap_reader_done(&t->r);
}

static bool tagged(const uint8_t *h, uint16_t vid)
{
    return h[12] == 0x81 && h[13] == 0 && (((h[14] << 8) | h[15]) & 0xfff) == vid;
}

static void test_vnic_sees_its_frames_untagged(void)
{
    struct rig r;
    struct tap t;
    struct got g;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "a0", VSW_CAP_BOTH, 0, 0, NULL, NULL, 0), 0);
    wire_in(&r, frame(MAC_A, MAC_X, true, 10, 100, 1)); /* to a0 */
    wire_in(&r, frame(MAC_B, MAC_X, true, 10, 100, 2)); /* to b0: not seen */
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 80, 3)); /* a0 sends */
    vnic_in(&r, r.b, frame(MAC_X, MAC_B, false, 0, 80, 4)); /* b0 sends */
    vnic_in(&r, r.b, frame(MAC_A, MAC_B, false, 0, 70, 5)); /* b0 -> a0 */
    drain(&t, &g);
    CHECK_EQ(g.n, 3);
    CHECK_EQ(g.in, 2);
    CHECK_EQ(g.out, 1);
    CHECK_EQ(g.dir[0], VSW_CAP_IN);
    CHECK(!tagged(g.head[0], 10));
    CHECK_EQ(g.origlen[0], 96);   /* 100 tagged on the wire, 96 untagged */
    CHECK_EQ(g.dir[1], VSW_CAP_OUT);
    CHECK_EQ(g.origlen[1], 80);
    CHECK(memcmp(g.head[1] + 6, MAC_A, 6) == 0);
    CHECK_EQ(g.dir[2], VSW_CAP_IN);
    CHECK(memcmp(g.head[2] + 6, MAC_B, 6) == 0);
    CHECK(g.ts[0] <= g.ts[1] && g.ts[1] <= g.ts[2]);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

static void test_link_sees_wire_with_tags(void)
{
    struct rig r;
    struct tap t, tin;
    struct got g;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "phys0", VSW_CAP_BOTH, 0, 0, NULL, NULL, 0), 0);
    CHECK_EQ(tap_open(&tin, &r, "phys0", VSW_CAP_IN, 0, 0, NULL, NULL, 0), 0);
    wire_in(&r, frame(MAC_A, MAC_X, true, 10, 100, 1));
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 80, 2)); /* to the wire */
    vnic_in(&r, r.b, frame(MAC_A, MAC_B, false, 0, 80, 3)); /* internal */
    drain(&t, &g);
    CHECK_EQ(g.n, 2);
    CHECK_EQ(g.dir[0], VSW_CAP_IN);
    CHECK(tagged(g.head[0], 10));
    CHECK_EQ(g.origlen[0], 100);
    CHECK_EQ(g.dir[1], VSW_CAP_OUT);
    CHECK(tagged(g.head[1], 10));
    CHECK_EQ(g.origlen[1], 84);
    drain(&tin, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.in, 1);
    tap_close(&tin);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

static void test_link_restores_stripped_tag(void)
{
    struct rig r;
    struct tap t;
    struct got g;
    struct rte_mbuf *m;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "phys0", VSW_CAP_IN, 0, 0, NULL, NULL, 0), 0);
    m = frame(MAC_A, MAC_X, false, 0, 96, 1);
    m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
    m->vlan_tci = 10;
    wire_in(&r, m);
    drain(&t, &g);
    CHECK_EQ(g.n, 1);
    CHECK(tagged(g.head[0], 10));
    CHECK_EQ(g.origlen[0], 100);
    CHECK_EQ(g.head[0][16], 0x08); /* the ethertype follows the tag */
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

static void test_etherstub_sees_every_vnic(void)
{
    static const uint8_t MAC_D[6] = {0x02, 0, 0, 0, 0, 0x0d};
    struct rig r;
    struct tap t, tin;
    struct got g;
    struct vsw_vnic *s2;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "stub0", VSW_CAP_BOTH, 0, 0, NULL, NULL, 0), 0);
    CHECK_EQ(tap_open(&tin, &r, "stub0", VSW_CAP_IN, 0, 0, NULL, NULL, 0), 0);
    vnic_in(&r, r.s0, frame(MAC_B, MAC_A, false, 0, 80, 1)); /* s0 -> s1 */
    vnic_in(&r, r.s1, frame(MAC_A, MAC_B, false, 0, 80, 2)); /* s1 -> s0 */
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 80, 3));  /* phys0 */
    drain(&t, &g);
    CHECK_EQ(g.n, 4);
    CHECK_EQ(g.in, 2);
    CHECK_EQ(g.out, 2);
    drain(&tin, &g);
    CHECK_EQ(g.n, 2);
    /* A VNIC made later on the stub is seen too. */
    s2 = vnic_add(r.stub, "s2", MAC_D, 0);
    vnic_in(&r, s2, frame(MAC_A, MAC_D, false, 0, 80, 4));
    drain(&tin, &g);
    CHECK_EQ(g.n, 1);
    CHECK(memcmp(g.head[0] + 6, MAC_D, 6) == 0);
    /* A VNIC leaving does not end the stub's capture. */
    vsw_vnic_destroy(s2);
    CHECK_EQ(vsw_cap_reader_end(&tin.r), VSW_CAP_END_NONE);
    vnic_in(&r, r.s1, frame(MAC_A, MAC_B, false, 0, 80, 5));
    drain(&tin, &g);
    CHECK_EQ(g.n, 1);
    tap_close(&tin);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

static void test_filters(void)
{
    struct rig r;
    struct tap t10, tsrc, tnone;
    struct got g;
    char err[256];

    rig_up(&r);
    CHECK_EQ(tap_open(&t10, &r, "phys0", VSW_CAP_BOTH, 0, 0, "vlan 10", err,
                      sizeof(err)), 0);
    CHECK_EQ(tap_open(&tsrc, &r, "a0", VSW_CAP_BOTH, 0, 0,
                      "ether src 02:00:00:00:00:99", err, sizeof(err)), 0);
    CHECK_EQ(tap_open(&tnone, &r, "phys0", VSW_CAP_BOTH, 0, 0, "udp port 9",
                      err, sizeof(err)), 0);
    printf("  filter JIT: %s\n", vsw_cap_jitted(t10.c) ? "yes" : "no");
    wire_in(&r, frame(MAC_A, MAC_X, true, 10, 100, 1));
    wire_in(&r, frame(MAC_A, MAC_X, true, 20, 100, 1)); /* no VNIC there */
    wire_in(&r, frame(MAC_A, MAC_C, true, 10, 100, 1));
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 80, 2));
    drain(&t10, &g);
    CHECK_EQ(g.n, 3); /* two in, one out, not the VLAN 20 one */
    drain(&tsrc, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.dir[0], VSW_CAP_IN);
    drain(&tnone, &g);
    CHECK_EQ(g.n, 0);
    tap_close(&t10);
    tap_close(&tsrc);
    tap_close(&tnone);
    vsw_switch_destroy(r.sw);
}

/* An untagged IPv4 frame @src -> @dst, protocol @proto (UDP: to @port;
 * ICMP: type @port), 60 bytes. */
static struct rte_mbuf *ip_frame(const uint8_t dst[6], const uint8_t src[6],
                                 uint8_t proto, uint16_t port)
{
    struct rte_mbuf *m = frame(dst, src, false, 0, 60, 0);
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

    p[14] = 0x45;             /* IPv4, 20-byte header */
    p[17] = 46;               /* total length */
    p[22] = 64;
    p[23] = proto;
    p[26] = 10, p[29] = 1;    /* 10.0.0.1 -> 10.0.0.2 */
    p[30] = 10, p[33] = 2;
    if (proto == 17) {
        p[36] = (uint8_t)(port >> 8);
        p[37] = (uint8_t)port;
    } else {
        p[34] = (uint8_t)port;
    }
    return m;
}

/* Filters that look past the IP header (indirect loads: see ind_fix()). */
static void test_transport_filters(void)
{
    struct rig r;
    struct tap tu, ti, th;
    struct got g;

    rig_up(&r);
    CHECK_EQ(tap_open(&tu, &r, "a0", VSW_CAP_OUT, 0, 0, "udp port 5555",
                      NULL, 0), 0);
    CHECK_EQ(tap_open(&ti, &r, "a0", VSW_CAP_OUT, 0, 0,
                      "icmp[icmptype] = icmp-echo", NULL, 0), 0);
    CHECK_EQ(tap_open(&th, &r, "a0", VSW_CAP_OUT, 0, 0, "host 10.0.0.2",
                      NULL, 0), 0);
    vnic_in(&r, r.a, ip_frame(MAC_X, MAC_A, 17, 5555));
    vnic_in(&r, r.a, ip_frame(MAC_X, MAC_A, 17, 5556));
    vnic_in(&r, r.a, ip_frame(MAC_X, MAC_A, 1, 8));
    vnic_in(&r, r.a, ip_frame(MAC_X, MAC_A, 1, 0));
    drain(&tu, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.head[0][23], 17);
    drain(&ti, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.head[0][23], 1);
    drain(&th, &g);
    CHECK_EQ(g.n, 4);
    tap_close(&tu);
    tap_close(&ti);
    tap_close(&th);
    vsw_switch_destroy(r.sw);
}

static void test_bad_requests(void)
{
    struct vsw_cap_params p = {.name = "phys0", .dir = VSW_CAP_BOTH,
                               .filter = "udp port"};
    struct rig r;
    char err[256] = "";

    rig_up(&r);
    CHECK(vsw_cap_open(r.sw, &p, err, sizeof(err)) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(strstr(err, "bad filter: ") == err);
    printf("  %s\n", err);
    p.filter = NULL;
    p.name = "nosuch0";
    CHECK(vsw_cap_open(r.sw, &p, err, sizeof(err)) == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK(strstr(err, "nosuch0") != NULL);
    p.name = "a0";
    p.dir = 0;
    CHECK(vsw_cap_open(r.sw, &p, err, sizeof(err)) == NULL);
    CHECK_EQ(errno, EINVAL);
    vsw_switch_destroy(r.sw);
}

static void test_snaplen(void)
{
    struct rig r;
    struct tap t;
    struct got g;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "a0", VSW_CAP_IN, 64, 0, NULL, NULL, 0), 0);
    wire_in(&r, frame(MAC_A, MAC_X, true, 10, 1500, 1));
    drain(&t, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.caplen[0], 64);
    CHECK_EQ(g.origlen[0], 1496);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

/* A full ring drops and counts; records wrap around the end intact. */
static void test_full_ring_drops_and_wraps(void)
{
    struct rig r;
    struct tap t;
    struct got g;
    unsigned i, seen = 0;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "a0", VSW_CAP_OUT, 0, VSW_CAP_RING_MIN, NULL,
                      NULL, 0), 0);
    for (i = 0; i < 100; i++)
        vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 1000, (uint8_t)i));
    drain(&t, &g);
    CHECK(g.n > 0 && g.n < 100);
    CHECK_EQ(g.n + vsw_cap_reader_drops(&t.r), 100);
    seen = g.n;
    /* Read as it comes: every frame fits, past the end of the ring. */
    for (i = 0; i < 100; i++) {
        vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 700, (uint8_t)i));
        drain(&t, &g);
        CHECK_EQ(g.n, 1);
        CHECK_EQ(g.caplen[0], 700);
        CHECK_EQ(g.head[0][14], (uint8_t)i);
    }
    CHECK_EQ(seen + vsw_cap_reader_drops(&t.r), 100);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

/* A reader writing nonsense into the ring's header cannot make the switch
 * write out of bounds: it only looks full. */
static void test_bogus_tail(void)
{
    struct rig r;
    struct tap t;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "a0", VSW_CAP_OUT, 0, VSW_CAP_RING_MIN, NULL,
                      NULL, 0), 0);
    t.r.shm->tail = 0x7fffffffffffull;
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 100, 1));
    CHECK_EQ(vsw_cap_reader_drops(&t.r), 1);
    CHECK_EQ(t.r.shm->head, 0);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

static void test_object_gone_ends_capture(void)
{
    struct rig r;
    struct tap tv, tl;
    struct got g;

    rig_up(&r);
    CHECK_EQ(tap_open(&tv, &r, "b0", VSW_CAP_BOTH, 0, 0, NULL, NULL, 0), 0);
    CHECK_EQ(tap_open(&tl, &r, "stub0", VSW_CAP_BOTH, 0, 0, NULL, NULL, 0), 0);
    vnic_in(&r, r.b, frame(MAC_X, MAC_B, false, 0, 80, 1));
    vsw_vnic_destroy(r.b);
    CHECK_EQ(vsw_cap_reader_wait(&tv.r, 0), 1); /* the frame first */
    drain(&tv, &g);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(vsw_cap_reader_wait(&tv.r, 0), -EPIPE);
    CHECK_EQ(vsw_cap_reader_end(&tv.r), VSW_CAP_END_GONE);
    vsw_vnic_destroy(r.s0);
    vsw_vnic_destroy(r.s1);
    CHECK_EQ(vsw_link_destroy(r.stub), 0);
    CHECK_EQ(vsw_cap_reader_wait(&tl.r, 0), -EPIPE);
    CHECK_EQ(vsw_cap_reader_end(&tl.r), VSW_CAP_END_GONE);
    tap_close(&tv); /* closing after the object went is fine */
    tap_close(&tl);
    vsw_switch_destroy(r.sw);
}

struct waiter {
    struct tap *t;
    int rc;
};

static void *wait_main(void *arg)
{
    struct waiter *w = arg;

    w->rc = vsw_cap_reader_wait(&w->t->r, 5000);
    return NULL;
}

/* A sleeping reader is woken by the switch through the eventfd. */
static void test_wakeup(void)
{
    struct waiter w = {.rc = -1};
    struct rig r;
    struct tap t;
    pthread_t tid;
    unsigned i;

    rig_up(&r);
    CHECK_EQ(tap_open(&t, &r, "a0", VSW_CAP_OUT, 0, 0, NULL, NULL, 0), 0);
    CHECK_EQ(vsw_cap_reader_wait(&t.r, 0), 0);
    w.t = &t;
    pthread_create(&tid, NULL, wait_main, &w);
    for (i = 0; i < 200 && !__atomic_load_n(&t.r.shm->waiting,
                                            __ATOMIC_ACQUIRE); i++)
        usleep(5000);
    CHECK_EQ(t.r.shm->waiting, 1);
    vnic_in(&r, r.a, frame(MAC_X, MAC_A, false, 0, 80, 1));
    pthread_join(tid, NULL);
    CHECK_EQ(w.rc, 1);
    CHECK_EQ(t.r.shm->waiting, 0);
    tap_close(&t);
    vsw_switch_destroy(r.sw);
}

int main(void)
{
    if (test_eal_init() < 0) {
        fprintf(stderr, "cannot initialise DPDK's EAL\n");
        return 1;
    }
    RUN(test_vnic_sees_its_frames_untagged);
    RUN(test_link_sees_wire_with_tags);
    RUN(test_link_restores_stripped_tag);
    RUN(test_etherstub_sees_every_vnic);
    RUN(test_filters);
    RUN(test_transport_filters);
    RUN(test_bad_requests);
    RUN(test_snaplen);
    RUN(test_full_ring_drops_and_wraps);
    RUN(test_bogus_tail);
    RUN(test_object_gone_ends_capture);
    RUN(test_wakeup);
    test_eal_done();
    return check_summary();
}
