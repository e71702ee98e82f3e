/* SPDX-License-Identifier: MIT */
/*
 * netif_bench - frontend -> backend -> frontend throughput over netif.
 *
 * Two processes, one core each: the frontend (libxnf) keeps its TX ring full
 * of fixed-size frames and counts what comes back on its RX ring; the backend
 * (libnetback) takes each burst the guest transmitted (grant copy out of the
 * guest) and hands it straight back (grant copy into the guest's RX
 * buffers).  Both sides busy-poll.  Reported: frames per second through the
 * whole loop, Gbit/s of frame data, and backend TSC cycles per frame (each
 * frame costs the backend one TX and one RX pass).
 *
 * The frontend touches no frame data, as a netfront driver hands the stack's
 * pages to the ring and the ring's pages to the stack, and as the peer's
 * virtio-user side forwards without reading: frames are queued in the TX
 * pages libxnf lends (xnf_tx_pages) and received frames released unread.
 * With -c it goes through libxnf's copying calls instead (xnf_send,
 * xnf_recv): two more copies of every frame, on the frontend's core.
 *
 * usage: netif_bench [-c] [-s size[,size...]] [-t seconds] [-o results.csv]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "netif_pair.h"

#define MAX_SIZES 16
#define POOL 512u
#define SEG 2048u

struct back_ctx {
    unsigned char *pool[POOL];
    unsigned free_list[POOL], nfree;
    struct nb_rx_pkt out[POOL];
    struct nb_seg segs[POOL][32];
    unsigned cookie[POOL];
    unsigned nout;
    uint32_t bufsz;
};

static unsigned bb_get(void *arg, uint32_t len, struct nb_seg *segs,
                       unsigned max, void **cookie)
{
    struct back_ctx *c = arg;
    unsigned i, n = 0;
    uint32_t off = 0;

    if (!c->nfree || len > c->bufsz)
        return 0;
    i = c->free_list[--c->nfree];
    for (; off < len && n < max; n++) {
        segs[n].base = c->pool[i] + off;
        segs[n].len = len - off < SEG ? len - off : SEG;
        off += segs[n].len;
    }
    *cookie = (void *)(uintptr_t)i;
    return n;
}

static void bb_put(void *arg, void *cookie)
{
    struct back_ctx *c = arg;

    c->free_list[c->nfree++] = (unsigned)(uintptr_t)cookie;
}

/* Queue each delivered frame to go straight back to the guest. */
static void bb_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct back_ctx *c = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        unsigned b = (unsigned)(uintptr_t)pkts[i].cookie, k = c->nout++;
        uint32_t off = 0, s = 0;

        while (off < pkts[i].len) {
            c->segs[k][s].base = c->pool[b] + off;
            c->segs[k][s].len = pkts[i].len - off < SEG ? pkts[i].len - off
                                                        : SEG;
            off += c->segs[k][s++].len;
        }
        c->out[k] = (struct nb_rx_pkt){.segs = c->segs[k], .nseg = (uint16_t)s,
                                       .len = pkts[i].len, .off = pkts[i].off};
        c->cookie[k] = b;
    }
}

static const struct nb_io_ops bb_ops = {
    .tx_buf_get = bb_get, .tx_buf_put = bb_put, .tx_deliver = bb_deliver};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

/* Echo until told to stop; report cycles and frames over the socket. */
static int backend_main(int sock, uint32_t size)
{
    static struct back_ctx c;
    struct np_back b;
    uint64_t frames = 0, t0, t1;
    unsigned i;

    c.bufsz = size;
    for (i = 0; i < POOL; i++) {
        c.pool[i] = aligned_alloc(64, (size + 63) & ~63u);
        c.free_list[c.nfree++] = i;
    }
    if (np_back_setup(&b, sock, "bench-vif", &bb_ops, &c) < 0)
        return 1;
    signal(SIGTERM, on_term);
    t0 = __rdtsc();
    while (!stop) {
        unsigned k, sent = 0;

        nb_vif_tx_poll(b.vif, NB_BURST_MAX);
        while (sent < c.nout) {
            k = nb_vif_rx_burst(b.vif, c.out + sent, c.nout - sent);
            if (!k)
                break;
            sent += k;
        }
        for (i = 0; i < sent; i++)
            c.free_list[c.nfree++] = c.cookie[i];
        if (sent < c.nout) { /* guest RX ring full: keep the rest */
            memmove(c.out, c.out + sent, (c.nout - sent) * sizeof(c.out[0]));
            memmove(c.cookie, c.cookie + sent,
                    (c.nout - sent) * sizeof(c.cookie[0]));
            for (i = 0; i < c.nout - sent; i++)
                c.out[i].segs = c.segs[i];
            memmove(c.segs, c.segs + sent, (c.nout - sent) * sizeof(c.segs[0]));
        }
        c.nout -= sent;
        frames += sent;
    }
    t1 = __rdtsc();
    {
        uint64_t r[2] = {t1 - t0, frames};
        if (write(sock, r, sizeof(r)) != sizeof(r))
            return 1;
    }
    return 0;
}

struct run {
    uint32_t size;
    double mpps, gbps, cycles;
};

static double tsc_hz(void)
{
    struct timespec a, b;
    uint64_t t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &a);
    t0 = __rdtsc();
    usleep(200000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    t1 = __rdtsc();
    return (double)(t1 - t0) /
           ((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int run_one(uint32_t size, double secs, double hz, bool inplace,
                   struct run *out)
{
    unsigned npages = (size + 4095) / 4096;
    static unsigned char buf[65536];
    struct np_front f;
    uint64_t rx = 0, rx_start = 0, r[2] = {0, 0};
    double t_start = 0, t_end, t0;
    int sv[2], st, broken;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        np_pin_cpu(1);
        _exit(backend_main(sv[1], size));
    }
    close(sv[1]);
    np_pin_cpu(0);
    if (np_front_setup(&f, sv[0], 1, NETIF_F_SG | NETIF_F_RX_NOTIFY) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    memset(buf, 0xab, size);
    t0 = now();
    t_end = t0 + 0.3 + secs; /* 0.3 s warm-up */
    for (unsigned iter = 1;; iter++) {
        double t;

        xnf_poll(f.xnf);
        if (inplace) {
            void *va[NETIF_MAX_SLOTS_PER_PKT];
            struct xnf_frag fr[NETIF_MAX_SLOTS_PER_PKT];
            unsigned nf;

            while (xnf_tx_pages(f.xnf, va, npages) == npages &&
                   xnf_send_inplace(f.xnf, size, NULL) == 0)
                ;
            xnf_flush(f.xnf);
            while (xnf_recv_frags(f.xnf, fr, &nf, NULL) > 0) {
                xnf_recv_release(f.xnf);
                rx++;
            }
        } else {
            while (xnf_send(f.xnf, buf, size, NULL) == 0)
                ;
            xnf_flush(f.xnf);
            while (xnf_recv(f.xnf, buf, sizeof(buf), NULL) > 0)
                rx++;
        }
        if (iter & 0xff)
            continue; /* read the clock every 256 rounds only */
        t = now();
        if (!t_start && t > t0 + 0.3) {
            t_start = t;
            rx_start = rx;
        }
        if (t >= t_end || xnf_broken(f.xnf))
            break;
    }
    t_end = now();
    broken = xnf_broken(f.xnf);
    kill(pid, SIGTERM);
    if (read(sv[0], r, sizeof(r)) != sizeof(r))
        r[1] = 0;
    waitpid(pid, &st, 0);
    np_front_teardown(&f);
    close(sv[0]);
    out->size = size;
    out->mpps = (double)(rx - rx_start) / (t_end - t_start) / 1e6;
    out->gbps = out->mpps * 1e6 * size * 8 / 1e9;
    out->cycles = r[1] ? (double)r[0] / (double)r[1] : 0;
    (void)hz;
    return broken || !r[1] ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint32_t sizes[MAX_SIZES] = {64, 512, 1500, 9000};
    unsigned nsizes = 4, i;
    double secs = 3, hz;
    const char *csv = NULL;
    FILE *fp = NULL;
    int opt, fails = 0;
    bool inplace = true;

    while ((opt = getopt(argc, argv, "cs:t:o:")) != -1) {
        if (opt == 's') {
            char *p = optarg;
            for (nsizes = 0; *p && nsizes < MAX_SIZES; nsizes++) {
                sizes[nsizes] = (uint32_t)strtoul(p, &p, 10);
                if (sizes[nsizes] < 14 || sizes[nsizes] > 65535) {
                    fprintf(stderr, "netif_bench: bad size\n");
                    return 1;
                }
                if (*p == ',')
                    p++;
            }
        } else if (opt == 't') {
            secs = strtod(optarg, NULL);
        } else if (opt == 'c') {
            inplace = false;
        } else if (opt == 'o') {
            csv = optarg;
        } else {
            fprintf(stderr, "usage: netif_bench [-c] [-s sizes] [-t secs] "
                            "[-o csv]\n");
            return 1;
        }
    }
    hz = tsc_hz();
    printf("netif front->back->front, one core per side, frontend %s, "
           "%.2f GHz TSC, %.1f s per size\n",
           inplace ? "in place" : "copying", hz / 1e9, secs);
    printf("%8s %10s %10s %16s\n", "bytes", "Mpps", "Gbit/s",
           "backend cyc/pkt");
    if (csv) {
        fp = fopen(csv, "w");
        if (fp)
            fprintf(fp, "size,mpps,gbps,cycles_per_pkt\n");
    }
    for (i = 0; i < nsizes; i++) {
        struct run r;

        if (run_one(sizes[i], secs, hz, inplace, &r) < 0) {
            fprintf(stderr, "netif_bench: run at %u bytes failed\n",
                    sizes[i]);
            fails++;
            continue;
        }
        printf("%8u %10.3f %10.2f %16.0f\n", r.size, r.mpps, r.gbps,
               r.cycles);
        fflush(stdout);
        if (fp)
            fprintf(fp, "%u,%.4f,%.3f,%.1f\n", r.size, r.mpps, r.gbps,
                    r.cycles);
    }
    if (fp)
        fclose(fp);
    return fails ? 1 : 0;
}
