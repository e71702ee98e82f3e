/* SPDX-License-Identifier: MIT */
/*
 * vsw-bench: fast-path throughput, wire -> VNIC -> wire, on net_ring
 * ports, one core.  Not a test: it prints figures.
 *
 * Frames circulate, the way dpdk-testpmd's io mode with --tx-first keeps
 * a fixed set of packets moving, so no generator shares the core:
 *
 *   ring A --> [link A wire] -- (M1, VID 10): strip --> VNIC a1 --> ring AB
 *   ring AB --> [VNIC b1's client] -- nospoof, lookup miss: tag 10 -->
 *       [link B wire] --> ring A
 *
 * a1 (MAC M1) is on link A, b1 (MAC M2) on link B, both VID 10, both with
 * an active maxbw (1 Tbit/s: the token buckets run but never limit), b1
 * with mac-nospoof.  Each lap is two switch passes; a "frame" below is one
 * pass: a port read, a classification, a port write.
 *
 *   vsw-bench [-s frame-size] [-n frames-in-flight] [-t seconds] [-l cpu]
 *             [-C all|pcap-filter [-r reader-cpu]]
 *
 * -C attaches a capture (vsw/capture.h) to a1, both directions, with that
 * filter ("all": none, every frame is copied), read by a thread on
 * reader-cpu (default 0) the way snoop reads it.
 *
 * Workers (-w N [-X], with -l naming a CPU per worker, e.g. -l 0,1): the
 * switch has N fast-path workers, each on its own CPU.  Without -X there
 * are N laps like the one above (on links and VNICs of their own, -n
 * frames each), lap k's ports all owned by worker k: the ports spread
 * over the workers, as a NIC's queues would be.  With -X (N = 2) there is
 * one lap and every pass crosses (link A and b1 on worker 0, a1 and link
 * B on worker 1): each frame is read by one worker and handed through a
 * ring to the other, which sends it.  Mpps counts the passes of every
 * lap together, from the counters of each link A (frames read) and b1
 * (frames sent); cycles/frame are per worker.
 *
 * Scale (-V vnics [-H hot]): the switch holds @vnics VNICs, 4096 a link:
 * link A holds up to 4096 of them and the rest sit on etherstubs.  The
 * frames in flight are spread over @hot VNICs of link A (a1 and the next
 * ones, each attached to a port of its own that hands what it gets to
 * b1's client), so each pass looks a destination up among thousands and
 * touches that many VNICs' counters and buckets; the other VNICs fill the
 * tables.  -V 1 -H 1 is the default run.
 *
 * A guest (-G tx|rx): a frontend (libxnf) on its own thread and CPU (-g,
 * default 0) whose vif is attached in process to VNIC g1 (MAC M1, no VLAN,
 * no maxbw, MTU 9000) of link A, as vswitchd attaches a guest's vif once the xenbus
 * handshake is done; link A's wire is a port that frees what it is sent
 * and, for rx, makes frames to M1 as fast as it is read (allocation and
 * an Ethernet header, as a NIC's receive would).  tx: the guest keeps its
 * TX ring full (frames queued in the pages libxnf lends, no payload
 * written, as a netfront hands over the stack's pages) and the rate is
 * what reached the wire; rx: the rate is what the guest took off its RX
 * ring (released unread).  Frame sizes up to 9000 B.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "gen_port.h"
#include "netif_pair.h"
#include "vsw/capture.h"
#include "vsw/switch.h"

#define BENCH_RING_SIZE 4096
#define MAXBW_ON 1000000000000ull
#define VNICS_PER_LINK 4096 /* the switch's default table */
#define VNICS_MAX (16 * VNICS_PER_LINK)
#define GUEST_FRAME_MAX 9000u
#define GUEST_DOMID 7

static const uint8_t M1[6] = {0x02, 0x08, 0x20, 0, 0, 0x01};
static const uint8_t M2[6] = {0x02, 0x08, 0x20, 0, 0, 0x02};

struct args {
    unsigned size, inflight, seconds;
    unsigned vnics, hot; /* -V, -H */
    unsigned workers;    /* -w */
    bool cross;          /* -X */
    int guest;           /* -G: 't' (guest -> wire), 'r' (wire -> guest) */
    int guest_cpu;       /* -g */
    const char *cpu;
    const char *cap;    /* -C: capture filter, "all" for none */
    int reader_cpu;
};

static int args_parse(int argc, char **argv, struct args *a)
{
    int c;

    *a = (struct args){.size = 64, .inflight = 256, .seconds = 5, .cpu = "1",
                       .vnics = 1, .hot = 1, .workers = 1};
    while ((c = getopt(argc, argv, "s:n:t:l:C:r:V:H:w:XG:g:")) != -1) {
        switch (c) {
        case 's': a->size = (unsigned)atoi(optarg); break;
        case 'n': a->inflight = (unsigned)atoi(optarg); break;
        case 't': a->seconds = (unsigned)atoi(optarg); break;
        case 'l': a->cpu = optarg; break;
        case 'C': a->cap = optarg; break;
        case 'r': a->reader_cpu = atoi(optarg); break;
        case 'V': a->vnics = (unsigned)atoi(optarg); break;
        case 'H': a->hot = (unsigned)atoi(optarg); break;
        case 'w': a->workers = (unsigned)atoi(optarg); break;
        case 'X': a->cross = true; break;
        case 'G':
            if (strcmp(optarg, "tx") && strcmp(optarg, "rx"))
                return -1;
            a->guest = optarg[0];
            break;
        case 'g': a->guest_cpu = atoi(optarg); break;
        default: return -1;
        }
    }
    if (a->workers > 1 && (a->vnics > 1 || a->cap))
        return -1; /* -V and -C measure one core */
    if (a->guest)
        return a->size < 60 || a->size > GUEST_FRAME_MAX ||
                       a->seconds < 1 || a->workers > 1 || a->vnics > 1 ||
                       a->cap
                   ? -1
                   : 0;
    if (a->size < 60 || a->size > 1514 || a->inflight < 1 ||
        a->inflight >= BENCH_RING_SIZE || a->seconds < 1 || a->vnics < 1 ||
        a->vnics > VNICS_MAX || a->hot < 1 || a->hot > a->vnics ||
        a->hot > VNICS_PER_LINK || a->workers < 1 ||
        a->workers > VSW_WORKERS_MAX || (a->cross && a->workers != 2))
        return -1;
    return 0;
}

static int eal_up(const char *cpu)
{
    static char prefix[48];
    char *argv[] = {"vsw-bench", "--no-huge", "-m", "256", "--no-pci",
                    "--no-shconf", prefix, "--no-telemetry", "-l",
                    (char *)cpu, "--log-level=error", NULL};

    snprintf(prefix, sizeof(prefix), "--file-prefix=vswbench%d", getpid());
    return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* An ethdev whose rx drains @rx and whose tx fills @tx. */
static struct vsw_port *ring_port(const char *name, struct rte_ring *rx,
                                  struct rte_ring *tx,
                                  struct rte_mempool *pool)
{
    int pid = rte_eth_from_rings(name, &rx, 1, &tx, 1, rte_socket_id());

    if (pid < 0)
        return NULL;
    return vsw_port_ethdev_attach((uint16_t)pid, pool);
}

static struct rte_ring *ring(const char *name)
{
    return rte_ring_create(name, BENCH_RING_SIZE, rte_socket_id(),
                           RING_F_SP_ENQ | RING_F_SC_DEQ);
}

/* The MAC of link A's VNIC @i: M1 for the first. */
static void vnic_mac(unsigned i, uint8_t mac[6])
{
    memcpy(mac, M1, 6);
    if (i > 0) {
        mac[3] = 1;
        mac[4] = (uint8_t)(i >> 8);
        mac[5] = (uint8_t)i;
    }
}

/* Frames as they enter link A: M2 -> the @hot VNICs' MACs in turn, VID
 * 10, @size bytes untagged. */
static int fill(struct rte_ring *r, struct rte_mempool *pool, unsigned n,
                unsigned size, unsigned hot)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
        uint8_t *p;

        if (!m)
            return -ENOMEM;
        p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(size + 4));
        memset(p, 0, size + 4);
        vnic_mac(i % hot, p);
        memcpy(p + 6, M2, 6);
        p[12] = 0x81;
        p[14] = 0;
        p[15] = 10;
        p[16] = 0x08;
        if (rte_ring_enqueue(r, m) != 0)
            return -ENOSPC;
    }
    return 0;
}

static struct vsw_vnic *vnic(struct vsw_link *l, const char *name,
                             const uint8_t mac[6], uint32_t prot,
                             struct vsw_port *port)
{
    struct vsw_vnic_params p = {.name = name, .vid = 10, .maxbw = MAXBW_ON,
                                .protection = prot};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(l, &p);
    if (v && vsw_vnic_attach(v, port) < 0)
        return NULL;
    return v;
}

/* Passes so far: frames link A's wire gave, frames b1's client sent. */
static uint64_t passes(struct vsw_link *la, struct vsw_vnic *b1)
{
    struct vsw_stats sl, sb;

    vsw_link_stats_get(la, &sl);
    vsw_vnic_stats_get(b1, &sb);
    return sl.ipackets + sb.opackets;
}

static void report(const struct args *a, struct vsw_switch *sw,
                   struct vsw_vnic *a1, struct vsw_vnic *b1, uint64_t frames,
                   uint64_t cycles)
{
    double secs = (double)cycles / (double)rte_get_tsc_hz();
    struct vsw_stats sa, sb;
    uint64_t drops = 0;
    int i;

    vsw_vnic_stats_get(a1, &sa);
    vsw_vnic_stats_get(b1, &sb);
    for (i = 0; i < VSW_DROP__MAX; i++)
        drops += sa.drops[i] + sb.drops[i];
    printf("vsw-bench size=%u inflight=%u vnics=%u hot=%u workers=%u%s: "
           "%.2f Mpps per %s (%.0f cycles/frame), %.2f Gbit/s; drops %llu\n",
           a->size, a->inflight, a->vnics, a->hot, a->workers,
           a->cross ? " crossing" : "", (double)frames / secs / 1e6,
           a->workers > 1 ? "switch" : "core",
           (double)cycles * a->workers / (double)frames,
           (double)frames * a->size * 8 / secs / 1e9,
           (unsigned long long)drops);
    /* The same count seen from the VNICs (warm-up included). */
    printf("  a1 received %llu, b1 sent %llu, TSC %.2f GHz\n",
           (unsigned long long)sa.ipackets, (unsigned long long)sb.opackets,
           (double)rte_get_tsc_hz() / 1e9);
    for (i = 0; a->workers > 1 && i < (int)a->workers; i++) {
        struct vsw_worker_stats ws;

        vsw_switch_worker_stats(sw, (unsigned)i, &ws);
        printf("  worker %d: %u endpoints, %llu frames handed on, %llu "
               "dropped (ring full)\n", i, ws.endpoints,
               (unsigned long long)ws.handed,
               (unsigned long long)ws.handoff_drops);
    }
}

/* ---- -V/-H: the VNICs of a scale run ---- */

/* A hot VNIC's port: what it is sent goes to b1's client, like a1's. */
struct fwd_port {
    struct vsw_port port;
    struct rte_ring *to;
};

static uint16_t fwd_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    (void)port, (void)pkts, (void)n;
    return 0; /* its fd never becomes readable */
}

static uint16_t fwd_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    struct fwd_port *f = (struct fwd_port *)port;
    unsigned k = rte_ring_enqueue_burst(f->to, (void **)pkts, n, NULL);

    if (k < n)
        *why = VSW_DROP_NOBUF;
    return (uint16_t)k;
}

static void fwd_destroy(struct vsw_port *port)
{
    close(port->rx_fd);
    free(port);
}

static const struct vsw_port_ops fwd_ops = {
    .kind = "bench", .rx = fwd_rx, .tx = fwd_tx, .destroy = fwd_destroy};

/* An fd port (read only when its fd is readable: never) sending to @to. */
static struct vsw_port *fwd_port(int idle_fd, struct rte_ring *to)
{
    struct fwd_port *f = calloc(1, sizeof(*f));

    if (!f)
        return NULL;
    f->port.ops = &fwd_ops;
    snprintf(f->port.name, sizeof(f->port.name), "bench");
    f->port.rx_fd = fcntl(idle_fd, F_DUPFD_CLOEXEC, 0);
    f->port.wake_fd = -1;
    f->to = to;
    if (f->port.rx_fd < 0) {
        free(f);
        return NULL;
    }
    return &f->port;
}

/*
 * VNICs 1..@a->vnics - 1 (a1 is made by the caller): on link @la up to its
 * table's size, the first @a->hot - 1 with a port toward @to; the rest on
 * etherstubs.
 */
static int scale_vnics(struct vsw_switch *sw, struct vsw_link *la,
                       const struct args *a, struct rte_ring *to)
{
    struct rlimit rl;
    struct vsw_link *l = la;
    char name[LP_NAMSIZ];
    int idle = eventfd(0, EFD_CLOEXEC);
    unsigned i;
    int rc = 0;

    if (idle < 0)
        return -errno;
    /* One descriptor a hot VNIC: room for them. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (i = 1; rc == 0 && i < a->vnics; i++) {
        struct vsw_port *port = NULL;
        uint8_t mac[6];

        if (i % VNICS_PER_LINK == 0) {
            snprintf(name, sizeof(name), "stub%u", i / VNICS_PER_LINK);
            l = vsw_link_create(sw, name, VSW_CLASS_ETHERSTUB, NULL);
            if (!l) {
                rc = -errno;
                break;
            }
        }
        if (i < a->hot && !(port = fwd_port(idle, to))) {
            rc = -errno;
            break;
        }
        vnic_mac(i % VNICS_PER_LINK, mac);
        snprintf(name, sizeof(name), "v%u", i);
        if (!vnic(l, name, mac, 0, port))
            rc = -errno ? -errno : -EINVAL;
    }
    close(idle);
    return rc;
}

/* ---- -C: a capture and its reader ---- */

struct cap_run {
    struct vsw_cap *c;
    struct vsw_cap_reader r;
    pthread_t tid;
    volatile int stop;
    uint64_t got;
};

static void *cap_reader(void *arg)
{
    struct cap_run *cr = arg;
    const struct vsw_cap_rec *rec;
    uint64_t sum = 0;
    int err;

    while (!cr->stop) {
        if (vsw_cap_reader_wait(&cr->r, 10) <= 0)
            continue;
        while ((rec = vsw_cap_reader_next(&cr->r, &err)) != NULL) {
            sum += rec->data[rec->caplen - 1]; /* touch what a writer would */
            cr->got++;
        }
        vsw_cap_reader_done(&cr->r);
    }
    return (void *)(uintptr_t)sum;
}

static int cap_start(struct cap_run *cr, struct vsw_switch *sw,
                     const struct args *a)
{
    struct vsw_cap_params p = {
        .name = "a1", .dir = VSW_CAP_BOTH,
        .filter = strcmp(a->cap, "all") == 0 ? NULL : a->cap};
    char err[256];
    cpu_set_t set;

    cr->c = vsw_cap_open(sw, &p, err, sizeof(err));
    if (!cr->c) {
        fprintf(stderr, "vsw-bench: capture: %s\n", err);
        return -EINVAL;
    }
    if (vsw_cap_reader_init(&cr->r, -1, dup(vsw_cap_memfd(cr->c)),
                            dup(vsw_cap_eventfd(cr->c))) < 0)
        return -EINVAL;
    pthread_create(&cr->tid, NULL, cap_reader, cr);
    CPU_ZERO(&set);
    CPU_SET(a->reader_cpu, &set);
    pthread_setaffinity_np(cr->tid, sizeof(set), &set);
    return 0;
}

static void cap_stop(struct cap_run *cr, const struct args *a)
{
    cr->stop = 1;
    pthread_join(cr->tid, NULL);
    printf("  capture '%s' (JIT %s): %llu frames read, %llu dropped\n",
           a->cap, vsw_cap_jitted(cr->c) ? "yes" : "no",
           (unsigned long long)cr->got,
           (unsigned long long)vsw_cap_reader_drops(&cr->r));
    vsw_cap_close(cr->c);
    vsw_cap_reader_fini(&cr->r);
}

/* ---- -w: the other workers ---- */

struct worker_run {
    struct vsw_switch *sw;
    unsigned id;
    volatile int *stop;
};

static int worker_loop(void *arg)
{
    struct worker_run *wr = arg;

    vsw_switch_thread_start(wr->sw, wr->id);
    while (!*wr->stop)
        vsw_switch_poll(wr->sw, wr->id);
    vsw_switch_thread_stop(wr->sw, wr->id);
    return 0;
}

/* One lap: its two links, two VNICs and the rings between them. */
struct lap {
    struct vsw_link *la, *lb;
    struct vsw_vnic *a1, *b1;
    struct rte_ring *ra, *rab;
};

/* Lap @k (names suffixed after the first), frames filled in. */
static int lap_make(const struct args *a, struct vsw_switch *sw,
                    struct rte_mempool *pool, unsigned k, struct lap *p)
{
    char n[8][RTE_RING_NAMESIZE];
    static const char *const base[8] = {"ra", "rab", "s1", "s2", "e1", "e2",
                                        "phys0", "phys1"};
    struct rte_ring *s1, *s2, *e1, *e2;
    char pa[32], pb[32], va[32], vb[32], a1[16], b1[16];
    unsigned i;

    for (i = 0; i < 8; i++)
        snprintf(n[i], sizeof(n[i]), k ? "%s_%u" : "%s", base[i], k);
    snprintf(pa, sizeof(pa), "net_bench_a%u", k);
    snprintf(pb, sizeof(pb), "net_bench_b%u", k);
    snprintf(va, sizeof(va), "net_bench_va%u", k);
    snprintf(vb, sizeof(vb), "net_bench_vb%u", k);
    snprintf(a1, sizeof(a1), k ? "a1_%u" : "a1", k);
    snprintf(b1, sizeof(b1), k ? "b1_%u" : "b1", k);
    p->ra = ring(n[0]);
    p->rab = ring(n[1]);
    s1 = ring(n[2]), s2 = ring(n[3]), e1 = ring(n[4]), e2 = ring(n[5]);
    if (!p->ra || !p->rab || !s1 || !s2 || !e1 || !e2)
        return -ENOMEM;
    p->la = vsw_link_create(sw, n[6], VSW_CLASS_PHYS,
                            ring_port(pa, p->ra, s1, pool));
    p->lb = vsw_link_create(sw, n[7], VSW_CLASS_PHYS,
                            ring_port(pb, e1, p->ra, pool));
    if (!p->la || !p->lb)
        return -EINVAL;
    p->a1 = vnic(p->la, a1, M1, 0, ring_port(va, e2, p->rab, pool));
    p->b1 = vnic(p->lb, b1, M2, LP_PROT_MAC_NOSPOOF,
                 ring_port(vb, p->rab, s2, pool));
    if (!p->a1 || !p->b1 || fill(p->ra, pool, a->inflight, a->size, a->hot) < 0)
        return -EINVAL;
    return 0;
}

/* Who owns what: lap k all on worker k; with -X, every pass crossing. */
static int place(const struct args *a, struct lap *laps)
{
    unsigned k, x = a->cross ? 1 : 0;

    for (k = 0; a->workers > 1 && k < (a->cross ? 1 : a->workers); k++) {
        struct lap *p = &laps[k];

        if (vsw_link_set_worker(p->la, k) < 0 ||
            vsw_vnic_set_worker(p->a1, k + x) < 0 ||
            vsw_vnic_set_worker(p->b1, k) < 0 ||
            vsw_link_set_worker(p->lb, k + x) < 0)
            return -EINVAL;
    }
    return 0;
}

/* Passes of every lap so far. */
static uint64_t passes_all(const struct lap *laps, unsigned n)
{
    uint64_t sum = 0;
    unsigned k;

    for (k = 0; k < n; k++)
        sum += passes(laps[k].la, laps[k].b1);
    return sum;
}

/* Start workers 1.. on the other lcores. */
static int workers_start(const struct args *a, struct vsw_switch *sw,
                         struct worker_run *wr, volatile int *stop)
{
    unsigned lc, i = 1;

    RTE_LCORE_FOREACH_WORKER(lc) {
        if (i >= a->workers)
            break;
        wr[i] = (struct worker_run){.sw = sw, .id = i, .stop = stop};
        if (rte_eal_remote_launch(worker_loop, &wr[i], lc) != 0)
            return -EBUSY;
        i++;
    }
    return i == a->workers ? 0 : -ENODEV;
}

/* Worker 0's run on this thread; @return the passes measured. */
static uint64_t run(const struct args *a, struct vsw_switch *sw,
                    const struct lap *laps, unsigned nlaps, uint64_t *cycles)
{
    uint64_t t0, t1, p0;

    vsw_switch_thread_start(sw, 0);
    t0 = rte_rdtsc();
    while (rte_rdtsc() - t0 < rte_get_tsc_hz() / 2) /* warm up */
        vsw_switch_poll(sw, 0);
    p0 = passes_all(laps, nlaps);
    t0 = rte_rdtsc();
    do {
        unsigned i;

        for (i = 0; i < 1024; i++)
            vsw_switch_poll(sw, 0);
        t1 = rte_rdtsc();
    } while (t1 - t0 < a->seconds * rte_get_tsc_hz());
    *cycles = t1 - t0;
    return passes_all(laps, nlaps) - p0;
}

/* ---- -G: a guest's vif and the wire ---- */

struct guest {
    struct np_front f;
    unsigned size;
    int cpu;
    bool tx;
    volatile int *stop;
    uint64_t rx;          /* frames taken off the RX ring */
};

/* The guest's loop: keep the TX ring full, or empty the RX ring. */
static void *guest_main(void *arg)
{
    struct guest *g = arg;
    struct xnf_dev *dev = g->f.xnf;
    unsigned np = (g->size + 4095) / 4096;
    void *va[NETIF_MAX_SLOTS_PER_PKT];
    struct xnf_frag fr[NETIF_MAX_SLOTS_PER_PKT];
    unsigned nf;

    np_pin_cpu(g->cpu);
    while (!*g->stop) {
        xnf_poll(dev);
        if (!g->tx) {
            while (xnf_recv_frags(dev, fr, &nf, NULL) > 0) {
                xnf_recv_release(dev);
                g->rx++;
            }
            continue;
        }
        while (xnf_tx_pages(dev, va, np) == np) {
            uint8_t *h = va[0];

            memcpy(h, M2, 6);
            memcpy(h + 6, M1, 6);
            h[12] = 0x08;
            h[13] = 0;
            if (xnf_send_inplace(dev, g->size, NULL) < 0)
                break;
        }
        xnf_flush(dev);
    }
    return NULL;
}

/* Frames through so far: at the wire (tx), or taken by the guest (rx). */
static uint64_t guest_frames(const struct guest *g, struct vsw_link *la)
{
    struct vsw_stats s;

    if (!g->tx)
        return __atomic_load_n(&g->rx, __ATOMIC_RELAXED);
    vsw_link_stats_get(la, &s);
    return s.opackets;
}

static int guest_bench(const struct args *a, struct rte_mempool *pool)
{
    struct vsw_switch_params sp = {.pool = pool, .workers = 1};
    struct vsw_switch *sw = vsw_switch_create(&sp);
    struct vsw_vnic_params vp = {.name = "g1"};
    struct guest g = {.size = a->size, .cpu = a->guest_cpu,
                      .tx = a->guest == 't'};
    volatile int stop = 0;
    struct gen_port *wire;
    struct vsw_link *la;
    struct vsw_vnic *v;
    struct vsw_stats s;
    uint64_t t0, t1, f0, frames, drops = 0;
    pthread_t th;
    int rc, i;

    if (!sw)
        return -ENOMEM;
    /* Link A's wire frees what it is sent and, for rx, makes frames. */
    wire = gen_port_new(pool, g.tx ? NULL : M1, M2, 0, (uint16_t)a->size, 0);
    la = wire ? vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, &wire->port)
              : NULL;
    if (wire && !la)
        vsw_port_destroy(&wire->port); /* still ours */
    memcpy(vp.mac, M1, 6);
    vp.mtu = VSW_MTU_MAX; /* jumbo frames pass (a guest's frame <= 9000) */
    v = la ? vsw_vnic_create(la, &vp) : NULL;
    if (!v)
        return -EINVAL;
    g.stop = &stop;
    rc = np_front_vif_attach(&g.f, GUEST_DOMID,
                             NETIF_F_SG | NETIF_F_RX_NOTIFY,
                             NETIF_F_RX_COPY | NETIF_F_SG, v, "g1", pool);
    if (rc < 0)
        return rc;
    rc = -pthread_create(&th, NULL, guest_main, &g);
    if (rc < 0)
        return rc;
    vsw_switch_thread_start(sw, 0);
    t0 = rte_rdtsc();
    while (rte_rdtsc() - t0 < rte_get_tsc_hz() / 2) /* warm up */
        vsw_switch_poll(sw, 0);
    f0 = guest_frames(&g, la);
    t0 = rte_rdtsc();
    do {
        for (i = 0; i < 1024; i++)
            vsw_switch_poll(sw, 0);
        t1 = rte_rdtsc();
    } while (t1 - t0 < a->seconds * rte_get_tsc_hz());
    frames = guest_frames(&g, la) - f0;
    stop = 1;
    pthread_join(th, NULL);
    vsw_switch_thread_stop(sw, 0);
    vsw_vnic_stats_get(v, &s);
    for (i = 0; i < VSW_DROP__MAX; i++)
        drops += s.drops[i];
    printf("vsw-bench guest %s size=%u: %.2f Mpps (%.0f cycles/frame), "
           "%.2f Gbit/s; g1 received %llu, sent %llu, drops %llu\n",
           g.tx ? "tx" : "rx", a->size,
           (double)frames / ((double)(t1 - t0) / rte_get_tsc_hz()) / 1e6,
           frames ? (double)(t1 - t0) / (double)frames : 0.0,
           (double)frames * a->size * 8 /
               ((double)(t1 - t0) / rte_get_tsc_hz()) / 1e9,
           (unsigned long long)s.ipackets, (unsigned long long)s.opackets,
           (unsigned long long)drops);
    vsw_switch_destroy(sw);
    np_front_teardown(&g.f);
    return frames ? 0 : -EIO;
}

static int bench(const struct args *a, struct rte_mempool *pool)
{
    struct worker_run wr[VSW_WORKERS_MAX];
    struct lap laps[VSW_WORKERS_MAX];
    volatile int stop = 0;
    struct cap_run cr = {0};
    struct vsw_switch_params sp = {.pool = pool, .workers = a->workers};
    struct vsw_switch *sw = vsw_switch_create(&sp);
    unsigned k, nlaps = a->cross ? 1 : a->workers, inring = 0;
    uint64_t frames, cycles;
    int rc;

    if (!sw)
        return -ENOMEM;
    for (k = 0; k < nlaps; k++)
        if ((rc = lap_make(a, sw, pool, k, &laps[k])) < 0)
            return rc;
    if (a->vnics > 1 && (rc = scale_vnics(sw, laps[0].la, a, laps[0].rab)) < 0)
        return rc;
    if (place(a, laps) < 0)
        return -EINVAL;
    if (a->cap && cap_start(&cr, sw, a) < 0)
        return -EINVAL;
    rc = workers_start(a, sw, wr, &stop);
    if (rc == 0)
        frames = run(a, sw, laps, nlaps, &cycles);
    stop = 1;
    rte_eal_mp_wait_lcore();
    vsw_switch_thread_stop(sw, 0);
    /* No worker runs: what waits between them goes to its port. */
    vsw_switch_flush(sw, rte_rdtsc());
    if (rc < 0) {
        fprintf(stderr, "vsw-bench: -w %u needs that many CPUs in -l\n",
                a->workers);
        return rc;
    }
    report(a, sw, laps[0].a1, laps[0].b1, frames, cycles);
    if (a->cap)
        cap_stop(&cr, a);
    /* Every frame is still going round: nothing lost, nothing leaked. */
    for (k = 0; k < nlaps; k++)
        inring += rte_ring_count(laps[k].ra) + rte_ring_count(laps[k].rab);
    if (inring != nlaps * a->inflight)
        fprintf(stderr, "vsw-bench: %u frames in flight, expected %u\n",
                inring, nlaps * a->inflight);
    vsw_switch_destroy(sw);
    return 0;
}

int main(int argc, char **argv)
{
    struct rte_mempool *pool;
    char rundir[PATH_MAX];
    struct args a;
    int rc;

    if (args_parse(argc, argv, &a) < 0) {
        fprintf(stderr, "usage: vsw-bench [-s 60..1514] [-n frames] "
                        "[-t seconds] [-l cpu[,cpu...]]\n"
                        "                 [-C all|filter [-r cpu]] "
                        "[-V vnics (1..%u) [-H hot (1..%u)]]\n"
                        "                 [-w workers [-X]] "
                        "[-G tx|rx [-g guest-cpu]]\n",
                VNICS_MAX, VNICS_PER_LINK);
        return 2;
    }
    if (eal_up(a.cpu) < 0) {
        fprintf(stderr, "vsw-bench: cannot start DPDK\n");
        return 1;
    }
    /* A guest's frames in one mbuf each, as a NIC with jumbo buffers. */
    pool = rte_pktmbuf_pool_create(
        "bench_pool", 8191, 256, 0,
        a.guest && a.size + RTE_PKTMBUF_HEADROOM > RTE_MBUF_DEFAULT_BUF_SIZE
            ? (uint16_t)(a.size + RTE_PKTMBUF_HEADROOM)
            : RTE_MBUF_DEFAULT_BUF_SIZE,
        rte_socket_id());
    rc = !pool ? -ENOMEM : a.guest ? guest_bench(&a, pool) : bench(&a, pool);
    if (rc < 0)
        fprintf(stderr, "vsw-bench: setup failed: %s\n", strerror(-rc));
    snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
    rte_eal_cleanup();
    /* --no-shconf still leaves an empty runtime directory behind. */
    rmdir(rundir);
    return rc < 0 ? 1 : 0;
}
