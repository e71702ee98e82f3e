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
 * Scale (-V vnics [-H hot]): the switch holds @vnics VNICs, 4096 a link:
 * link A holds up to 4096 of them and the rest sit on etherstubs.  The
 * frames in flight are spread over @hot VNICs of link A (a1 and the next
 * ones, each attached to a port of its own that hands what it gets to
 * b1's client), so each pass looks a destination up among thousands and
 * touches that many VNICs' counters and buckets; the other VNICs fill the
 * tables.  -V 1 -H 1 is the default run.
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

#include "vsw/capture.h"
#include "vsw/switch.h"

#define RING_SIZE 4096
#define MAXBW_ON 1000000000000ull
#define VNICS_PER_LINK 4096 /* the switch's default table */
#define VNICS_MAX (16 * VNICS_PER_LINK)

static const uint8_t M1[6] = {0x02, 0x08, 0x20, 0, 0, 0x01};
static const uint8_t M2[6] = {0x02, 0x08, 0x20, 0, 0, 0x02};

struct args {
    unsigned size, inflight, seconds;
    unsigned vnics, hot; /* -V, -H */
    const char *cpu;
    const char *cap;    /* -C: capture filter, "all" for none */
    int reader_cpu;
};

static int args_parse(int argc, char **argv, struct args *a)
{
    int c;

    *a = (struct args){.size = 64, .inflight = 256, .seconds = 5, .cpu = "1",
                       .vnics = 1, .hot = 1};
    while ((c = getopt(argc, argv, "s:n:t:l:C:r:V:H:")) != -1) {
        switch (c) {
        case 's': a->size = (unsigned)atoi(optarg); break;
        case 'n': a->inflight = (unsigned)atoi(optarg); break;
        case 't': a->seconds = (unsigned)atoi(optarg); break;
        case 'l': a->cpu = optarg; break;
        case 'C': a->cap = optarg; break;
        case 'r': a->reader_cpu = atoi(optarg); break;
        case 'V': a->vnics = (unsigned)atoi(optarg); break;
        case 'H': a->hot = (unsigned)atoi(optarg); break;
        default: return -1;
        }
    }
    if (a->size < 60 || a->size > 1514 || a->inflight < 1 ||
        a->inflight >= RING_SIZE || a->seconds < 1 || a->vnics < 1 ||
        a->vnics > VNICS_MAX || a->hot < 1 || a->hot > a->vnics ||
        a->hot > VNICS_PER_LINK)
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
    return rte_ring_create(name, RING_SIZE, rte_socket_id(),
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

static void report(const struct args *a, struct vsw_vnic *a1,
                   struct vsw_vnic *b1, uint64_t frames, uint64_t cycles)
{
    double secs = (double)cycles / (double)rte_get_tsc_hz();
    struct vsw_stats sa, sb;
    uint64_t drops = 0;
    int i;

    vsw_vnic_stats_get(a1, &sa);
    vsw_vnic_stats_get(b1, &sb);
    for (i = 0; i < VSW_DROP__MAX; i++)
        drops += sa.drops[i] + sb.drops[i];
    printf("vsw-bench size=%u inflight=%u vnics=%u hot=%u: %.2f Mpps per "
           "core (%.0f cycles/frame), %.2f Gbit/s; drops %llu\n",
           a->size, a->inflight, a->vnics, a->hot,
           (double)frames / secs / 1e6,
           (double)cycles / (double)frames,
           (double)frames * a->size * 8 / secs / 1e9,
           (unsigned long long)drops);
    /* The same count seen from the VNICs (warm-up included). */
    printf("  a1 received %llu, b1 sent %llu, TSC %.2f GHz\n",
           (unsigned long long)sa.ipackets, (unsigned long long)sb.opackets,
           (double)rte_get_tsc_hz() / 1e9);
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

static int bench(const struct args *a, struct rte_mempool *pool)
{
    struct cap_run cr = {0};
    struct vsw_switch_params sp = {.pool = pool};
    struct vsw_switch *sw = vsw_switch_create(&sp);
    struct rte_ring *ra = ring("ra"), *rab = ring("rab");
    struct rte_ring *s1 = ring("s1"), *s2 = ring("s2"), *e1 = ring("e1");
    struct rte_ring *e2 = ring("e2");
    struct vsw_link *la, *lb;
    struct vsw_vnic *a1, *b1;
    uint64_t t0, t1, frames = 0;

    if (!sw || !ra || !rab || !s1 || !s2 || !e1 || !e2)
        return -ENOMEM;
    la = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS,
                         ring_port("net_bench_a", ra, s1, pool));
    lb = vsw_link_create(sw, "phys1", VSW_CLASS_PHYS,
                         ring_port("net_bench_b", e1, ra, pool));
    if (!la || !lb)
        return -EINVAL;
    a1 = vnic(la, "a1", M1, 0, ring_port("net_bench_va", e2, rab, pool));
    b1 = vnic(lb, "b1", M2, LP_PROT_MAC_NOSPOOF,
              ring_port("net_bench_vb", rab, s2, pool));
    if (!a1 || !b1 || fill(ra, pool, a->inflight, a->size, a->hot) < 0)
        return -EINVAL;
    if (a->vnics > 1) {
        int rc = scale_vnics(sw, la, a, rab);

        if (rc < 0)
            return rc;
    }
    if (a->cap && cap_start(&cr, sw, a) < 0)
        return -EINVAL;
    vsw_switch_thread_start(sw, 0);
    t0 = rte_rdtsc();
    while (rte_rdtsc() - t0 < rte_get_tsc_hz() / 2) /* warm up */
        vsw_switch_poll(sw, 0);
    t0 = rte_rdtsc();
    do {
        unsigned i;

        for (i = 0; i < 1024; i++)
            frames += vsw_switch_poll(sw, 0);
        t1 = rte_rdtsc();
    } while (t1 - t0 < a->seconds * rte_get_tsc_hz());
    vsw_switch_thread_stop(sw, 0);
    report(a, a1, b1, frames, t1 - t0);
    if (a->cap)
        cap_stop(&cr, a);
    /* Every frame is still going round: nothing lost, nothing leaked. */
    if (rte_ring_count(ra) + rte_ring_count(rab) != a->inflight)
        fprintf(stderr, "vsw-bench: %u frames in flight, expected %u\n",
                rte_ring_count(ra) + rte_ring_count(rab), a->inflight);
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
                        "[-t seconds] [-l cpu]\n"
                        "                 [-C all|filter [-r cpu]] "
                        "[-V vnics (1..%u) [-H hot (1..%u)]]\n",
                VNICS_MAX, VNICS_PER_LINK);
        return 2;
    }
    if (eal_up(a.cpu) < 0) {
        fprintf(stderr, "vsw-bench: cannot start DPDK\n");
        return 1;
    }
    pool = rte_pktmbuf_pool_create("bench_pool", 8191, 256, 0,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
    rc = pool ? bench(&a, pool) : -ENOMEM;
    if (rc < 0)
        fprintf(stderr, "vsw-bench: setup failed: %s\n", strerror(-rc));
    snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
    rte_eal_cleanup();
    /* --no-shconf still leaves an empty runtime directory behind. */
    rmdir(rundir);
    return rc < 0 ? 1 : 0;
}
