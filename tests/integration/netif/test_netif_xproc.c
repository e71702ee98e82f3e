/* SPDX-License-Identifier: MIT */
/*
 * Cross-process netif: a libxnf frontend and a libnetback backend in two
 * processes that share only the frontend's memfd and two eventfds exchange
 * N frames (default 1,000,000) of random sizes 60-9000 bytes in each
 * direction at once.  Every frame carries its sequence number and a
 * checksum; each side checks that frames arrive complete, uncorrupted and in
 * order, and the counters of both libraries must agree with what was sent.
 * Both sides sleep on their event channel when idle, so the notification
 * logic (event indices, final checks) is exercised too: a lost wake-up shows
 * up as a stall and fails the test.
 *
 * usage: test_netif_xproc [frames] [seed]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netif_pair.h"

#define LEN_LO 60u
#define LEN_HI 9000u
#define SEG_SIZE 2048u  /* backend buffers come in mbuf-sized pieces */
#define POOL 64u
#define STALL_MS 5000

struct result {
    uint64_t rx_ok, rx_bad, rx_order;
    uint64_t tx_sent;
    uint64_t lib_tx_packets, lib_rx_packets, lib_errors;
    int32_t status;
};

static uint64_t n_frames = 1000000;
static uint64_t seed = 42;

/* ---------------------------------------------------------------- backend */

struct back_ctx {
    unsigned char pool[POOL][LEN_HI + 64];
    unsigned char used[POOL];
    uint64_t next_rx; /* next sequence expected from the guest */
    struct result res;
};

static unsigned back_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                             unsigned max, void **cookie)
{
    struct back_ctx *c = arg;
    unsigned i, n = 0;
    uint32_t off = 0;

    if (len > LEN_HI)
        return 0; /* never expected: counted as a failure by the checker */
    for (i = 0; i < POOL && c->used[i]; i++)
        ;
    if (i == POOL)
        return 0;
    while (off < len && n < max) {
        segs[n].base = c->pool[i] + off;
        segs[n].len = len - off < SEG_SIZE ? len - off : SEG_SIZE;
        off += segs[n].len;
        n++;
    }
    if (off < len)
        return 0;
    c->used[i] = 1;
    *cookie = (void *)(uintptr_t)i;
    return n;
}

static void back_buf_put(void *arg, void *cookie)
{
    struct back_ctx *c = arg;

    c->used[(uintptr_t)cookie] = 0;
}

static void back_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct back_ctx *c = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        unsigned slot = (unsigned)(uintptr_t)pkts[i].cookie;
        uint64_t seq;

        if (np_frame_check(c->pool[slot], pkts[i].len, &seq) < 0)
            c->res.rx_bad++;
        else if (seq != c->next_rx ||
                 pkts[i].len != np_frame_len(seed, seq, LEN_LO, LEN_HI))
            c->res.rx_order++;
        else
            c->res.rx_ok++;
        c->next_rx++;
        c->used[slot] = 0;
    }
}

static const struct nb_io_ops back_ops = {
    .tx_buf_get = back_buf_get,
    .tx_buf_put = back_buf_put,
    .tx_deliver = back_deliver,
};

/* Frames the backend is sending: a window of pre-built frames. */
struct back_tx {
    unsigned char buf[32][LEN_HI];
    struct nb_seg seg[32];
    struct nb_rx_pkt pkt[32];
    unsigned head, count; /* ring of built, unsent frames */
    uint64_t next_seq;
};

static void back_tx_fill(struct back_tx *t, uint64_t rseed)
{
    while (t->count < 32 && t->next_seq < n_frames) {
        unsigned i = (t->head + t->count) % 32;
        uint32_t len = np_frame_len(rseed, t->next_seq, LEN_LO, LEN_HI);

        np_frame_fill(t->buf[i], len, t->next_seq);
        t->seg[i] = (struct nb_seg){.base = t->buf[i], .len = len};
        t->pkt[i] = (struct nb_rx_pkt){.segs = &t->seg[i], .nseg = 1,
                                       .len = len};
        t->next_seq++;
        t->count++;
    }
}

/* Hand the guest as many built frames as it has room for, in order. */
static unsigned back_tx_push(struct np_back *b, struct back_tx *t)
{
    unsigned done = 0;

    while (t->count) {
        unsigned run = 32 - t->head < t->count ? 32 - t->head : t->count;
        unsigned k = nb_vif_rx_burst(b->vif, &t->pkt[t->head], run);

        t->head = (t->head + k) % 32;
        t->count -= k;
        done += k;
        if (k < run)
            break;
    }
    return done;
}

static int backend_main(int sock)
{
    static struct back_ctx ctx;
    static struct back_tx tx;
    struct nb_vif_stats st;
    struct np_back b;
    uint64_t sent = 0;
    int rc, idle_ms = 0;

    rc = np_back_setup(&b, sock, "xproc-vif", &back_ops, &ctx);
    if (rc < 0) {
        fprintf(stderr, "backend: setup: %s\n", strerror(-rc));
        return 1;
    }
    while (ctx.next_rx < n_frames || sent < n_frames) {
        unsigned got, put;

        got = nb_vif_tx_poll(b.vif, NB_BURST_MAX);
        back_tx_fill(&tx, seed ^ 0x5555);
        put = back_tx_push(&b, &tx);
        sent += put;
        if (nb_vif_disabled(b.vif))
            break;
        if (got || put) {
            idle_ms = 0;
            continue;
        }
        if (nb_vif_tx_final_check(b.vif) ||
            (tx.count && nb_vif_rx_slots(b.vif)))
            continue;
        if (np_wait(b.ec, b.port, 100) == 0 && (idle_ms += 100) > STALL_MS) {
            fprintf(stderr, "backend: stalled (rx %" PRIu64 "/%" PRIu64
                    ", tx %" PRIu64 ")\n", ctx.next_rx, n_frames, sent);
            break;
        }
    }
    nb_vif_stats_get(b.vif, &st);
    ctx.res.tx_sent = sent;
    ctx.res.lib_tx_packets = st.tx_packets;
    ctx.res.lib_rx_packets = st.rx_packets;
    ctx.res.lib_errors = st.rx_dropped_offload;
    for (unsigned r = 1; r < NB_FATAL__MAX; r++)
        ctx.res.lib_errors += st.fatal[r];
    ctx.res.status = (int32_t)nb_vif_disabled(b.vif);
    /* Keep serving until the frontend has its last responses. */
    nb_vif_tx_poll(b.vif, NB_BURST_MAX);
    if (write(sock, &ctx.res, sizeof(ctx.res)) != (ssize_t)sizeof(ctx.res))
        return 1;
    /* Wait for the frontend to finish before unmapping its rings. */
    {
        char x;
        if (read(sock, &x, 1) < 0)
            return 1;
    }
    np_back_teardown(&b);
    return 0;
}

/* --------------------------------------------------------------- frontend */

static int frontend_run(struct np_front *f, struct result *res)
{
    static unsigned char buf[LEN_HI + 64];
    static unsigned char rbuf[65536];
    uint64_t next_tx = 0, next_rx = 0, last_report = 0;
    int idle_ms = 0;

    while (next_rx < n_frames || next_tx < n_frames ||
           xnf_tx_slots_free(f->xnf) < NETIF_RING_SIZE) {
        int progress = 0, len;

        if (xnf_poll(f->xnf))
            progress = 1;
        while (next_tx < n_frames) {
            uint32_t l = np_frame_len(seed, next_tx, LEN_LO, LEN_HI);

            np_frame_fill(buf, l, next_tx);
            if (xnf_send(f->xnf, buf, l, NULL) < 0)
                break;
            next_tx++;
            progress = 1;
        }
        xnf_flush(f->xnf);
        while ((len = xnf_recv(f->xnf, rbuf, sizeof(rbuf), NULL)) > 0) {
            uint64_t seq;

            if (np_frame_check(rbuf, (uint32_t)len, &seq) < 0)
                res->rx_bad++;
            else if (seq != next_rx ||
                     (uint32_t)len !=
                         np_frame_len(seed ^ 0x5555, seq, LEN_LO, LEN_HI))
                res->rx_order++;
            else
                res->rx_ok++;
            next_rx++;
            progress = 1;
        }
        if (len < 0 || xnf_broken(f->xnf)) {
            fprintf(stderr, "frontend: device broken (%d)\n", len);
            return -1;
        }
        if (next_rx - last_report >= n_frames / 10 && n_frames >= 100000) {
            last_report = next_rx;
            fprintf(stderr, "  %3" PRIu64 "%% (%" PRIu64 " frames each way)\n",
                    next_rx * 100 / n_frames, next_rx);
        }
        if (progress) {
            idle_ms = 0;
            continue;
        }
        if (xnf_final_check(f->xnf))
            continue;
        if (np_wait(f->ec, f->port, 100) == 0 && (idle_ms += 100) > STALL_MS) {
            fprintf(stderr, "frontend: stalled (tx %" PRIu64 ", rx %" PRIu64
                    ")\n", next_tx, next_rx);
            return -1;
        }
    }
    res->tx_sent = next_tx;
    return 0;
}

static int check(const char *what, uint64_t got, uint64_t want)
{
    printf("  %-40s %12" PRIu64 " %s\n", what, got,
           got == want ? "ok" : "MISMATCH");
    if (got != want)
        fprintf(stderr, "FAIL: %s: got %" PRIu64 ", want %" PRIu64 "\n", what,
                got, want);
    return got == want ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct result fr = {0}, br = {0};
    struct xnf_stats xs;
    struct np_front f;
    struct timespec t0, t1;
    int sv[2], st = 0, fails = 0, rc;
    double secs;
    pid_t pid;

    if (argc > 1)
        n_frames = strtoull(argv[1], NULL, 0);
    if (argc > 2)
        seed = strtoull(argv[2], NULL, 0);
    alarm(600); /* a hang is a failure, never a stuck CI */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(sv[0]);
        np_pin_cpu(1);
        _exit(backend_main(sv[1]));
    }
    close(sv[1]);
    np_pin_cpu(0);
    rc = np_front_setup(&f, sv[0], 1, NETIF_F_SG | NETIF_F_RX_NOTIFY);
    if (rc < 0) {
        fprintf(stderr, "frontend: setup: %s\n", strerror(-rc));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    printf("netif cross-process: %" PRIu64 " frames of %u-%u bytes each way\n",
           n_frames, LEN_LO, LEN_HI);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = frontend_run(&f, &fr);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (read(sv[0], &br, sizeof(br)) != (ssize_t)sizeof(br)) {
        fprintf(stderr, "FAIL: no result from the backend\n");
        fails++;
    }
    xnf_stats_get(f.xnf, &xs);
    if (write(sv[0], "x", 1) != 1)
        fails++;
    waitpid(pid, &st, 0);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  elapsed %.2f s, %.0f frames/s each way\n", secs,
           (double)n_frames / secs);
    fails += rc < 0;
    fails += check("guest->backend frames intact, in order", br.rx_ok,
                   n_frames);
    fails += check("guest->backend corrupt", br.rx_bad, 0);
    fails += check("guest->backend out of order / wrong size", br.rx_order, 0);
    fails += check("backend->guest frames intact, in order", fr.rx_ok,
                   n_frames);
    fails += check("backend->guest corrupt", fr.rx_bad, 0);
    fails += check("backend->guest out of order / wrong size", fr.rx_order, 0);
    fails += check("netback tx_packets", br.lib_tx_packets, n_frames);
    fails += check("netback rx_packets", br.lib_rx_packets, n_frames);
    fails += check("netback errors and drops", br.lib_errors, 0);
    fails += check("netback vif disabled reason", (uint64_t)br.status, 0);
    fails += check("xnf tx_packets", xs.tx_packets, n_frames);
    fails += check("xnf rx_packets", xs.rx_packets, n_frames);
    fails += check("xnf tx_errors + rx_errors", xs.tx_errors + xs.rx_errors, 0);
    fails += check("backend exit status", (uint64_t)st, 0);
    np_front_teardown(&f);
    close(sv[0]);
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
