/* SPDX-License-Identifier: MIT */
/*
 * A switch with two fast-path workers: frames between endpoints that
 * different workers own go through the handoff ring and are sent by the
 * owner; floods reach every worker's VNICs; a VNIC destroyed while frames
 * for it wait in a ring lets go of them (every mbuf back in the pool); a
 * full ring drops and counts; an endpoint moves between workers while
 * they run, also one on an fd port that is always readable (read without
 * epoll, from its worker's active list), and is destroyed while they run;
 * the queues of a multi-queue port are endpoints of their own, one worker
 * each.
 * Ports are "cap" and "gen" ports (vsw_test.h, gen_port.h), read by
 * vsw_switch_poll() of their owner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "check.h"
#include "vsw/switch.h"
#include "vsw_rig.h"

/* The rig (vsw_rig.h), b0 on VID 10 too: phys0 (wire) and a on
 * worker 0; a2 and b on 1. */
static void rig_up(struct rig *r)
{
    rig_init(r, 2, 10);
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
    v1 = vnic_add(l, "v1", MAC_A, 10, &p1);
    v2 = vnic_add(l, "v2", MAC_B, 10, &p2);
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
    rig_down(&r);
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
    rig_down(&r);
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
    rig_down(&r);
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
    rig_down(&r);
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
    rig_down(&r);
}

/* Frames that reached @v's client or were dropped at @v. */
static uint64_t delivered(struct vsw_vnic *v)
{
    struct vsw_stats st;
    uint64_t n;
    int i;

    vsw_vnic_stats_get(v, &st);
    n = st.ipackets;
    for (i = 0; i < VSW_DROP__MAX; i++)
        n += st.drops[i];
    return n;
}

/* A thread for each of @sw's two workers, running until *@stop; returns
 * once every worker has its thread, before anything changes. */
static void workers_run(struct vsw_switch *sw, struct runner rr[2],
                        pthread_t t[2], volatile bool *stop)
{
    unsigned i;

    unpin();
    for (i = 0; i < 2; i++) {
        rr[i] = (struct runner){.sw = sw, .id = i, .stop = stop};
        pthread_create(&t[i], NULL, run_worker, &rr[i]);
    }
    while (!rr[0].started || !rr[1].started)
        sched_yield();
}

/* b moves between the workers while both run and the wire floods it;
 * what is lost meanwhile is counted. */
static void test_move_under_traffic(void)
{
    unsigned base = rte_mempool_in_use_count(test_pool), i;
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};
    /* To b, VID 10, every 4th to all. */
    struct gen_port *gen = gen_port_new(test_pool, MAC_B, MAC_X, 10, 64, 4);
    volatile bool stop = false;
    struct runner rr[2];
    struct cap_port *pb, *pa;
    struct vsw_stats st;
    struct vsw_vnic *a, *b;
    struct vsw_link *l;
    struct vsw_switch *sw;
    uint64_t before, gone;
    pthread_t t[2];

    sw = vsw_switch_create(&sp);
    l = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, &gen->port);
    a = vnic_add(l, "a0", MAC_A, 10, &pa);
    b = vnic_add(l, "b0", MAC_B, 10, &pb);
    CHECK(sw && l && a && b);
    pa->tx_room = pb->tx_room = 0; /* count deliveries as nobuf drops */
    workers_run(sw, rr, t, &stop);
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
    vsw_switch_flush(sw, rte_rdtsc()); /* what waits in rings and buffers */
    CHECK(gen->made_uni + gen->made_bcast > 2000);
    vsw_link_stats_get(l, &st);
    CHECK_EQ(st.drops[VSW_DROP_UNKNOWN_DEST], 0);
    /* Every frame is accounted for: b got each one, a each broadcast,
     * or a worker counted it dropped (a full ring, or b on the move). */
    gone = wstats(sw, 0).gone_drops + wstats(sw, 1).gone_drops;
    CHECK(gone > 0);
    CHECK_EQ(delivered(a) + delivered(b) + gone +
                 wstats(sw, 0).handoff_drops + wstats(sw, 1).handoff_drops,
             gen->made_uni + 2 * gen->made_bcast);
    vsw_switch_destroy(sw);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), base);
}

/* Frames @g made so far (written by the worker reading it). */
static uint64_t made(const struct gen_port *g)
{
    return __atomic_load_n(&g->made_uni, __ATOMIC_RELAXED);
}

/* A switch of two workers, phys0 on @wire, and a0 (MAC_A, VID 10) on
 * it, not attached. */
static struct vsw_vnic *two_workers_a(struct vsw_switch **sw,
                                      struct vsw_link **l,
                                      struct gen_port *wire)
{
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};
    struct vsw_vnic *a;

    *sw = vsw_switch_create(&sp);
    *l = *sw ? vsw_link_create(*sw, "phys0", VSW_CLASS_PHYS, &wire->port)
             : NULL;
    a = *l ? vnic_add(*l, "a0", MAC_A, 10, NULL) : NULL;
    CHECK(*sw && *l && a);
    return a;
}

/*
 * a's port is an fd port that always has frames (its eventfd is never
 * consumed), so its owner reads it from its active list, without epoll:
 * it moves between the running workers, is read by each new owner, and
 * is destroyed while both run (ASan reports a worker that kept it).
 */
static void test_move_active_fd_port(void)
{
    struct gen_port *wire = gen_port_new(test_pool, NULL, MAC_X, 0, 64, 0);
    struct gen_port *ga = gen_port_new(test_pool, MAC_X, MAC_A, 0, 64, 0);
    volatile bool stop = false;
    struct runner rr[2];
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct vsw_vnic *a;
    uint64_t one = 1, before;
    pthread_t t[2];
    unsigned i;
    int fd;

    a = two_workers_a(&sw, &l, wire);
    CHECK(ga != NULL);
    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
    ga->port.rx_fd = fd;
    CHECK_EQ(vsw_vnic_attach(a, &ga->port), 0);
    workers_run(sw, rr, t, &stop);
    for (i = 0; i < 20; i++) {
        CHECK_EQ(vsw_vnic_set_worker(a, (i + 1) % 2), 0);
        before = made(ga);
        while (made(ga) < before + 1000)
            sched_yield();
    }
    vsw_vnic_destroy(a); /* and its port */
    for (i = 0; i < 1000; i++)
        sched_yield();
    stop = true;
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    close(fd);
    CHECK_EQ(vsw_link_nvnics(l), 0);
    vsw_switch_destroy(sw);
}

/*
 * A port of two queues (as a multi-queue vif): each a gen port making
 * frames from a to the outside, always readable (an eventfd never
 * consumed); what each is sent is counted, and the last thread that read
 * and that sent each is kept.  One at a time (mq).
 */
struct mq_port {
    struct gen_port *q[2];
    struct vsw_port_ops ops[2];
    const struct vsw_port_ops *gen;
    int fd[2];
    pthread_t rx_tid[2], tx_tid[2];
    uint64_t sent[2];
};
static struct mq_port *mq;

static unsigned mq_index(const struct vsw_port *port)
{
    return port == &mq->q[1]->port;
}

static uint16_t mq_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                      uint16_t n)
{
    __atomic_store_n(&mq->rx_tid[mq_index(port)], pthread_self(),
                     __ATOMIC_RELAXED);
    return mq->gen->rx(port, pkts, n);
}

static uint16_t mq_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                      uint16_t n, enum vsw_drop *why)
{
    unsigned i = mq_index(port);

    __atomic_store_n(&mq->tx_tid[i], pthread_self(), __ATOMIC_RELAXED);
    __atomic_fetch_add(&mq->sent[i], n, __ATOMIC_RELAXED);
    return mq->gen->tx(port, pkts, n, why);
}

static struct vsw_port *mq_queue(struct vsw_port *port, unsigned q)
{
    (void)port;
    return q == 1 ? &mq->q[1]->port : NULL;
}

/* A frame's queue: a hash of its mbuf's address, the same for the
 * frame's whole life. */
static unsigned mq_queue_of(const struct vsw_port *port,
                            const struct rte_mbuf *m)
{
    (void)port;
    return (unsigned)(((uintptr_t)m * 0x9e3779b97f4a7c15ull) >> 63);
}

static void mq_destroy(struct vsw_port *port)
{
    (void)port;
    mq->gen->destroy(&mq->q[1]->port);
    mq->gen->destroy(&mq->q[0]->port);
    close(mq->fd[0]);
    close(mq->fd[1]);
    free(mq);
    mq = NULL;
}

static struct vsw_port *mq_new(void)
{
    uint64_t one = 1;
    unsigned i;

    mq = calloc(1, sizeof(*mq));
    CHECK(mq != NULL);
    for (i = 0; i < 2; i++) {
        mq->q[i] = gen_port_new(test_pool, MAC_X, MAC_A, 0, 64, 0);
        CHECK(mq->q[i] != NULL);
        mq->gen = mq->q[i]->port.ops;
        mq->ops[i] = *mq->gen;
        mq->ops[i].rx = mq_rx;
        mq->ops[i].tx = mq_tx;
        mq->fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        CHECK(write(mq->fd[i], &one, sizeof(one)) == sizeof(one));
        mq->q[i]->port.rx_fd = mq->fd[i];
        mq->q[i]->port.ops = &mq->ops[i];
    }
    mq->ops[0].queue = mq_queue;
    mq->ops[0].queue_of = mq_queue_of;
    mq->ops[0].destroy = mq_destroy;
    mq->ops[1].destroy = NULL;
    mq->q[0]->port.nqueues = 2;
    return &mq->q[0]->port;
}

/* Wait until each queue made and was sent @more frames more; false after
 * ten seconds. */
static bool mq_flowing(uint64_t more)
{
    uint64_t m0 = made(mq->q[0]), m1 = made(mq->q[1]);
    uint64_t s0 = __atomic_load_n(&mq->sent[0], __ATOMIC_RELAXED);
    uint64_t s1 = __atomic_load_n(&mq->sent[1], __ATOMIC_RELAXED);
    uint64_t end = rte_rdtsc() + 10 * rte_get_tsc_hz();

    while (made(mq->q[0]) < m0 + more || made(mq->q[1]) < m1 + more ||
           __atomic_load_n(&mq->sent[0], __ATOMIC_RELAXED) < s0 + more ||
           __atomic_load_n(&mq->sent[1], __ATOMIC_RELAXED) < s1 + more) {
        if (rte_rdtsc() > end)
            return false;
        sched_yield();
    }
    return true;
}

/* Whether queue @q was last read and sent to by the thread of worker
 * @w. */
static bool mq_on(unsigned q, pthread_t t[2], int w)
{
    return w >= 0 && w < 2 &&
           pthread_equal(__atomic_load_n(&mq->rx_tid[q], __ATOMIC_RELAXED),
                         t[w]) &&
           pthread_equal(__atomic_load_n(&mq->tx_tid[q], __ATOMIC_RELAXED),
                         t[w]);
}

/*
 * A VNIC on a port of two queues, with two workers running: queue 1 gets
 * an endpoint of its own on the other worker, which reads what the client
 * sends on it and sends it the frames of its flows; pinned, both queues
 * are one worker's; the port detached, attached again and the VNIC
 * destroyed while the workers run (ASan sees a queue endpoint used after
 * it went).
 */
static void test_queues_own_workers(void)
{
    struct gen_port *wire = gen_port_new(test_pool, MAC_A, MAC_X, 10, 64, 0);
    volatile bool stop = false;
    struct vsw_port *port = mq_new();
    struct runner rr[2];
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct vsw_vnic *a;
    struct vsw_stats st;
    pthread_t t[2];
    unsigned i;
    int w;

    a = two_workers_a(&sw, &l, wire);
    CHECK_EQ(vsw_vnic_queues(a), 1);
    CHECK_EQ(vsw_vnic_attach(a, port), 0);
    w = (int)vsw_vnic_worker(a);
    CHECK_EQ(vsw_vnic_queues(a), 2);
    CHECK_EQ(vsw_vnic_queue_worker(a, 0), w);
    CHECK_EQ(vsw_vnic_queue_worker(a, 1), 1 - w);
    CHECK_EQ(vsw_vnic_queue_worker(a, 2), -EINVAL);
    /* The wire is worker 0's. */
    CHECK_EQ(wstats(sw, 0).endpoints, 2);
    CHECK_EQ(wstats(sw, 1).endpoints, 1);
    workers_run(sw, rr, t, &stop);
    CHECK(mq_flowing(1000));
    CHECK(mq_on(0, t, w));
    CHECK(mq_on(1, t, 1 - w));
    /* Both queues' counters are the VNIC's (counted just after the
     * port's hooks: wait for them). */
    for (i = 0; i < 10000; i++) {
        vsw_vnic_stats_get(a, &st);
        if (st.opackets >= 2000 && st.ipackets >= 2000)
            break;
        sched_yield();
    }
    CHECK(st.opackets >= 2000 && st.ipackets >= 2000);
    /* Pinned to the other worker: both queues go with it. */
    CHECK_EQ(vsw_vnic_set_worker(a, (unsigned)(1 - w)), 0);
    CHECK_EQ(vsw_vnic_queue_worker(a, 0), 1 - w);
    CHECK_EQ(vsw_vnic_queue_worker(a, 1), 1 - w);
    CHECK(mq_flowing(1000));
    CHECK(mq_on(0, t, 1 - w));
    CHECK(mq_on(1, t, 1 - w));
    /* Unpinned, queue 1 spreads to the worker after queue 0's again. */
    CHECK_EQ(vsw_vnic_unpin(a), 0);
    CHECK_EQ(vsw_vnic_queue_worker(a, 0), 1 - w);
    CHECK_EQ(vsw_vnic_queue_worker(a, 1), w);
    CHECK(mq_flowing(1000));
    CHECK(mq_on(0, t, 1 - w));
    CHECK(mq_on(1, t, w));
    CHECK_EQ(vsw_vnic_set_worker(a, (unsigned)(1 - w)), 0);
    /* Detached and attached again under traffic. */
    CHECK(vsw_vnic_detach(a) == port);
    CHECK_EQ(vsw_vnic_queues(a), 1);
    for (i = 0; i < 1000; i++)
        sched_yield();
    CHECK_EQ(vsw_vnic_attach(a, port), 0);
    CHECK_EQ(vsw_vnic_queue_worker(a, 1), 1 - w);
    CHECK(mq_flowing(1000));
    vsw_vnic_destroy(a); /* and its port */
    CHECK(mq == NULL);
    for (i = 0; i < 1000; i++)
        sched_yield();
    stop = true;
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(vsw_link_nvnics(l), 0);
    vsw_switch_destroy(sw);
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
    RUN(test_move_active_fd_port);
    RUN(test_queues_own_workers);
    test_eal_done();
    return check_summary();
}
