/* SPDX-License-Identifier: MIT */
/*
 * A switch with two fast-path workers: frames between endpoints that
 * different workers own go through the handoff ring and are sent by the
 * owner; floods reach every worker's VNICs; a VNIC destroyed while frames
 * for it wait in a ring lets go of them (every mbuf back in the pool); a
 * full ring drops and counts; an endpoint moves between workers while
 * they run.  Ports are "cap" ports (vsw_test.h), polled
 * by vsw_switch_poll() of their owner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "check.h"
#include "vsw/switch.h"
#include "vsw_test.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_A2[6] = {0x02, 0, 0, 0, 0, 0xa2};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_X[6] = {0x02, 0, 0, 0, 0, 0x99}; /* outside */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* phys0 (wire) and a (VID 10) on worker 0; a2 and b (VID 10) on 1. */
struct rig {
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct cap_port *wire, *pa, *pa2, *pb;
    struct vsw_vnic *a, *a2, *b;
};

static struct vsw_vnic *vnic_add(struct vsw_link *l, const char *name,
                                 const uint8_t mac[6], struct cap_port **port)
{
    struct vsw_vnic_params p = {.name = name, .vid = 10};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(l, &p);
    *port = cap_new(name);
    if (v)
        CHECK_EQ(vsw_vnic_attach(v, &(*port)->port), 0);
    return v;
}

static void rig_up(struct rig *r)
{
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};

    memset(r, 0, sizeof(*r));
    r->sw = vsw_switch_create(&sp);
    CHECK(r->sw != NULL);
    r->wire = cap_new("wire0");
    r->l = vsw_link_create(r->sw, "phys0", VSW_CLASS_PHYS, &r->wire->port);
    r->a = vnic_add(r->l, "a0", MAC_A, &r->pa);
    r->a2 = vnic_add(r->l, "a2", MAC_A2, &r->pa2);
    r->b = vnic_add(r->l, "b0", MAC_B, &r->pb);
    CHECK(r->l && r->a && r->a2 && r->b);
    CHECK_EQ(vsw_link_set_worker(r->l, 0), 0);
    CHECK_EQ(vsw_vnic_set_worker(r->a, 0), 0);
    CHECK_EQ(vsw_vnic_set_worker(r->a2, 1), 0);
    CHECK_EQ(vsw_vnic_set_worker(r->b, 1), 0);
    CHECK_EQ(vsw_vnic_worker(r->b), 1);
    CHECK_EQ(vsw_link_worker(r->l), 0);
}

/* An iteration of each worker, from this thread (no thread runs), and
 * worker 0 again for what worker 1 handed it. */
static unsigned poll_both(struct rig *r)
{
    return vsw_switch_poll(r->sw, 0) + vsw_switch_poll(r->sw, 1) +
           vsw_switch_poll(r->sw, 0);
}

static struct vsw_worker_stats wstats(struct vsw_switch *sw, unsigned w)
{
    struct vsw_worker_stats st = {0};

    CHECK_EQ(vsw_switch_worker_stats(sw, w, &st), 0);
    return st;
}

static void test_placement(void)
{
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};
    struct vsw_switch *sw = vsw_switch_create(&sp);
    struct cap_port *p1, *p2;
    struct vsw_link *l;
    struct vsw_vnic *v1, *v2;
    struct vsw_worker_stats st;

    CHECK(sw != NULL);
    CHECK_EQ(vsw_switch_workers(sw), 2);
    l = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, NULL);
    v1 = vnic_add(l, "v1", MAC_A, &p1);
    v2 = vnic_add(l, "v2", MAC_B, &p2);
    /* The least loaded worker each time: the wire, then the other. */
    CHECK_EQ(vsw_link_worker(l), 0);
    CHECK_EQ(vsw_vnic_worker(v1), 1);
    CHECK_EQ(vsw_vnic_worker(v2), 0);
    CHECK_EQ(vsw_vnic_set_worker(v2, 2), -EINVAL);
    CHECK_EQ(vsw_switch_worker_stats(sw, 2, &st), -EINVAL);
    CHECK_EQ(wstats(sw, 0).endpoints, 2);
    CHECK_EQ(wstats(sw, 1).endpoints, 1);
    /* A worker with a thread (this one). */
    CHECK_EQ(vsw_switch_thread_start(sw, 1), 0);
    CHECK_EQ(vsw_switch_thread_start(sw, 1), -EBUSY);
    CHECK_EQ(vsw_vnic_set_worker(v1, 0), 0);
    CHECK_EQ(vsw_vnic_worker(v1), 0);
    CHECK_EQ(wstats(sw, 0).endpoints, 3);
    CHECK(vsw_vnic_port(v1) == &p1->port);
    vsw_switch_thread_stop(sw, 1);
    vsw_switch_destroy(sw);
    sp.workers = VSW_WORKERS_MAX + 1;
    CHECK(vsw_switch_create(&sp) == NULL && errno == EINVAL);
}

/* Port to port across workers and back, and to and from the wire. */
static void test_cross_unicast(void)
{
    struct rig r;
    struct vsw_stats st;

    rig_up(&r);
    cap_queue(r.pa, frame(MAC_B, MAC_A, false, 0, 100, 0x11));
    CHECK_EQ(vsw_switch_poll(r.sw, 0), 1);
    /* Read and handed on by worker 0; b's owner has not run yet. */
    CHECK_EQ(r.pb->ngot, 0);
    CHECK_EQ(wstats(r.sw, 0).handed, 1);
    CHECK_EQ(vsw_switch_poll(r.sw, 1), 1);
    CHECK_EQ(r.pb->ngot, 1);
    if (r.pb->ngot == 1)
        CHECK_EQ(rte_pktmbuf_mtod(r.pb->got[0], uint8_t *)[20], 0x11);
    /* And back. */
    cap_queue(r.pb, frame(MAC_A, MAC_B, false, 0, 80, 0x22));
    poll_both(&r);
    CHECK_EQ(r.pa->ngot, 1);
    CHECK_EQ(wstats(r.sw, 1).handed, 1);
    /* b to the outside: worker 0 owns the wire and tags the frame. */
    cap_queue(r.pb, frame(MAC_X, MAC_B, false, 0, 100, 0x33));
    poll_both(&r);
    CHECK_EQ(r.wire->ngot, 1);
    if (r.wire->ngot == 1) {
        CHECK_EQ(frame_vid(r.wire->got[0]), 10);
        CHECK_EQ(r.wire->got[0]->pkt_len, 104);
    }
    /* The outside to b: untagged by worker 0, sent by worker 1. */
    cap_queue(r.wire, frame(MAC_B, MAC_X, true, 10, 100, 0x44));
    poll_both(&r);
    CHECK_EQ(r.pb->ngot, 2);
    if (r.pb->ngot == 2)
        CHECK_EQ(frame_vid(r.pb->got[1]), -1);
    /* Each endpoint's counters, by its owner. */
    vsw_vnic_stats_get(r.b, &st);
    CHECK_EQ(st.ipackets, 2);
    CHECK_EQ(st.opackets, 2);
    vsw_link_stats_get(r.l, &st);
    CHECK_EQ(st.opackets, 1);
    CHECK_EQ(st.obytes, 104);
    CHECK_EQ(st.ipackets, 1);
    CHECK_EQ(wstats(r.sw, 0).handoff_drops + wstats(r.sw, 1).handoff_drops,
             0);
    vsw_switch_destroy(r.sw);
}

/* Broadcasts reach every VNIC of the VLAN, whichever worker owns it. */
static void test_cross_flood(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool);
    struct rig r;

    rig_up(&r);
    cap_queue(r.pa, frame(BCAST, MAC_A, false, 0, 64, 0x55));
    poll_both(&r);
    CHECK_EQ(r.pa->ngot, 0); /* not back to itself */
    CHECK_EQ(r.pa2->ngot, 1);
    CHECK_EQ(r.pb->ngot, 1);
    CHECK_EQ(r.wire->ngot, 1);
    if (r.wire->ngot == 1)
        CHECK_EQ(frame_vid(r.wire->got[0]), 10);
    cap_queue(r.wire, frame(BCAST, MAC_X, true, 10, 64, 0x66));
    poll_both(&r);
    CHECK_EQ(r.pa->ngot, 1);
    CHECK_EQ(r.pa2->ngot, 2);
    CHECK_EQ(r.pb->ngot, 2);
    /* From worker 1's b: a on worker 0 and the wire on worker 0. */
    cap_queue(r.pb, frame(BCAST, MAC_B, false, 0, 64, 0x77));
    poll_both(&r);
    CHECK_EQ(r.pa->ngot, 2);
    CHECK_EQ(r.pa2->ngot, 3);
    CHECK_EQ(r.wire->ngot, 2);
    /* Shared by reference: each receiver's reference, nothing more. */
    cap_clear(r.pa), cap_clear(r.pa2), cap_clear(r.pb), cap_clear(r.wire);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
    vsw_switch_destroy(r.sw);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
}

/* Frames for b wait in worker 0's ring toward worker 1 when b goes. */
static void test_destroy_with_frames_in_ring(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool), i;
    struct rig r;

    rig_up(&r);
    for (i = 0; i < 40; i++)
        cap_queue(r.pa, frame(i % 2 ? MAC_B : BCAST, MAC_A, false, 0, 64, 0));
    while (vsw_switch_poll(r.sw, 0) > 0) {
        /* worker 0 alone: into the ring, nobody takes them */
    }
    CHECK_EQ(wstats(r.sw, 0).handed, 60); /* 20 to b, 20 each to b, a2 */
    CHECK_EQ(r.pb->ngot, 0);
    vsw_vnic_destroy(r.b);
    CHECK(vsw_vnic_find(r.sw, "b0") == NULL);
    /* a2's frames were sent, b's freed. */
    CHECK_EQ(r.pa2->ngot, 20);
    cap_clear(r.pa2), cap_clear(r.wire);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
    vsw_switch_destroy(r.sw);
}

/* A full ring: what does not fit is dropped and counted, not leaked. */
static void test_ring_full(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool), i, k;
    struct vsw_worker_stats st;
    struct rig r;

    rig_up(&r);
    for (i = 0; i < 40; i++) {
        for (k = 0; k < VSW_BURST; k++)
            cap_queue(r.pa, frame(MAC_B, MAC_A, false, 0, 64, 0));
        vsw_switch_poll(r.sw, 0);
    }
    st = wstats(r.sw, 0);
    CHECK(st.handoff_drops > 0);
    CHECK_EQ(st.handed + st.handoff_drops, 40 * VSW_BURST);
    while (vsw_switch_poll(r.sw, 1) > 0) {
    }
    CHECK_EQ(r.pb->ngot, st.handed);
    cap_clear(r.pb);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
    vsw_switch_destroy(r.sw);
}

/*
 * With threads: worker 1's thread is held, so frames for b sit in its
 * ring while the control thread (also worker 0 here) destroys b; the
 * destroy waits until worker 1 has taken them, then b goes.
 */
struct held {
    struct vsw_switch *sw;
    volatile bool hold, stop, started;
};

static void *worker1(void *arg)
{
    struct held *h = arg;

    vsw_switch_thread_start(h->sw, 1);
    h->started = true;
    while (!h->stop) {
        if (h->hold)
            vsw_switch_sleep(h->sw, 1, 200, 200); /* offline: no grace */
        else
            vsw_switch_poll(h->sw, 1);
    }
    vsw_switch_thread_stop(h->sw, 1);
    return NULL;
}

static void *release(void *arg)
{
    struct held *h = arg;

    usleep(100000);
    h->hold = false;
    return NULL;
}

static void test_destroy_waits_for_owner(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool), i;
    struct held h = {.hold = true};
    pthread_t t1, tr;
    struct rig r;

    rig_up(&r);
    h.sw = r.sw;
    CHECK_EQ(vsw_switch_thread_start(r.sw, 0), 0);
    pthread_create(&t1, NULL, worker1, &h);
    while (!h.started)
        sched_yield();
    for (i = 0; i < 20; i++)
        cap_queue(r.pa, frame(MAC_B, MAC_A, false, 0, 64, 0));
    while (vsw_switch_poll(r.sw, 0) > 0) {
    }
    CHECK_EQ(wstats(r.sw, 0).handed, 20);
    CHECK_EQ(r.pb->ngot, 0); /* held */
    pthread_create(&tr, NULL, release, &h);
    vsw_vnic_destroy(r.b); /* returns once worker 1 let go */
    CHECK(!h.hold);
    pthread_join(tr, NULL);
    h.stop = true;
    pthread_join(t1, NULL);
    vsw_switch_thread_stop(r.sw, 0);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
    vsw_switch_destroy(r.sw);
}

/* A wire that makes frames for b and broadcasts as fast as it is read. */
struct gen_port {
    struct vsw_port port;
    uint64_t made;
};

static uint16_t gen_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct gen_port *g = (struct gen_port *)port;
    uint16_t i;

    for (i = 0; i < n; i++) {
        pkts[i] = frame(g->made % 4 == 3 ? BCAST : MAC_B, MAC_X, true, 10, 64,
                        0);
        if (!pkts[i])
            break;
        g->made++;
    }
    return i;
}

static uint16_t gen_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    (void)port, (void)why;
    rte_pktmbuf_free_bulk(pkts, n);
    return n;
}

static void gen_destroy(struct vsw_port *port)
{
    free(port);
}

static const struct vsw_port_ops gen_ops = {
    .kind = "gen", .rx = gen_rx, .tx = gen_tx, .destroy = gen_destroy,
};

struct runner {
    struct vsw_switch *sw;
    unsigned id;
    volatile bool *stop;
    volatile bool started;
};

/*
 * EAL pinned the main thread to one CPU and threads inherit it: run
 * anywhere, or threads spinning in the mempool's ring wait for one
 * preempted on the same CPU.
 */
static void unpin(void)
{
    long i, n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t cpus;

    CPU_ZERO(&cpus);
    for (i = 0; i < n && i < CPU_SETSIZE; i++)
        CPU_SET(i, &cpus);
    pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
}

static void *run_worker(void *arg)
{
    struct runner *r = arg;

    unpin();
    vsw_switch_thread_start(r->sw, r->id);
    r->started = true;
    while (!*r->stop)
        vsw_switch_poll(r->sw, r->id);
    vsw_switch_thread_stop(r->sw, r->id);
    return NULL;
}

/* b moves between the workers while both run and the wire floods it. */
static void test_move_under_traffic(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool), i;
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};
    struct gen_port *gen = calloc(1, sizeof(*gen));
    volatile bool stop = false;
    struct runner rr[2];
    struct cap_port *pb, *pa;
    struct vsw_stats st;
    struct vsw_vnic *a, *b;
    struct vsw_link *l;
    struct vsw_switch *sw;
    uint64_t before;
    pthread_t t[2];

    sw = vsw_switch_create(&sp);
    gen->port.ops = &gen_ops;
    gen->port.rx_fd = gen->port.wake_fd = -1;
    l = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, &gen->port);
    a = vnic_add(l, "a0", MAC_A, &pa);
    b = vnic_add(l, "b0", MAC_B, &pb);
    CHECK(sw && l && a && b);
    pa->tx_room = pb->tx_room = 0; /* count deliveries as nobuf drops */
    unpin();
    for (i = 0; i < 2; i++) {
        rr[i] = (struct runner){.sw = sw, .id = i, .stop = &stop};
        pthread_create(&t[i], NULL, run_worker, &rr[i]);
    }
    /* Every worker has its thread before anything changes. */
    while (!rr[0].started || !rr[1].started)
        sched_yield();
    for (i = 0; i < 20; i++) {
        CHECK_EQ(vsw_vnic_set_worker(b, (i + 1) % 2), 0);
        CHECK_EQ(vsw_vnic_worker(b), (i + 1) % 2);
        vsw_vnic_stats_get(b, &st);
        before = st.drops[VSW_DROP_NOBUF];
        /* Frames reach b again on its new owner. */
        while (st.drops[VSW_DROP_NOBUF] < before + 100) {
            sched_yield();
            vsw_vnic_stats_get(b, &st);
        }
    }
    CHECK_EQ(vsw_link_set_worker(l, 1), 0);
    vsw_vnic_stats_get(a, &st);
    before = st.drops[VSW_DROP_NOBUF];
    while (st.drops[VSW_DROP_NOBUF] < before + 100) {
        sched_yield();
        vsw_vnic_stats_get(a, &st);
    }
    stop = true;
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(gen->made > 2000);
    vsw_link_stats_get(l, &st);
    CHECK_EQ(st.drops[VSW_DROP_UNKNOWN_DEST], 0);
    vsw_switch_destroy(sw);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
}

int main(void)
{
    if (test_eal_init() < 0) {
        fprintf(stderr, "EAL init failed\n");
        return 1;
    }
    RUN(test_placement);
    RUN(test_cross_unicast);
    RUN(test_cross_flood);
    RUN(test_destroy_with_frames_in_ring);
    RUN(test_ring_full);
    RUN(test_destroy_waits_for_owner);
    RUN(test_move_under_traffic);
    test_eal_done();
    return check_summary();
}
