/* SPDX-License-Identifier: MIT */
/*
 * vsw-guest: a process domain whose netif vif is attached to a vswitchd
 * VNIC over the control socket (VSW_CMD_VIF_ATTACH, vsw/vif.h).
 *
 *   vsw-guest -s SOCK -v VNIC -d DOMID [-c CPU] MODE ...
 *     tap NETNS IFNAME MAC   a TAP in /run/netns/NETNS pumped to the vif
 *                            (libxnftap) until SIGTERM
 *     send COUNT LEN SRC DST  send COUNT frames of LEN bytes (ethertype
 *                            0x0800, zero IPv4 header) from MAC SRC to DST
 *     blast SECS LEN SRC DST  as fast as the ring goes for SECS seconds;
 *                            prints "pps <n>"
 *     break                  attach, then push a TX req_prod far beyond
 *                            the ring (a protocol violation) and notify
 * Prints "attached" once connected.  Exit 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "netif_pair.h"
#include "vswctl/defs.h"
#include "vswctl/vif.h"
#include "xnftap/xnftap.h"

static int usage(void)
{
    fprintf(stderr, "usage: vsw-guest -s SOCK -v VNIC -d DOMID [-c CPU] "
                    "tap NETNS IFNAME MAC | send N LEN SRC DST | "
                    "blast SECS LEN SRC DST | break\n");
    return 2;
}

static int attach(struct np_front *f, const char *sock, const char *vnic,
                  domid_t domid, uint32_t want)
{
    struct vsw_vif_hello h;
    struct vsw_vif_welcome w;
    int rc, bfd;

    rc = np_front_build(f, domid, want);
    if (rc < 0) {
        fprintf(stderr, "vsw-guest: build: %s\n", strerror(-rc));
        return rc;
    }
    memset(&h, 0, sizeof(h));
    snprintf(h.vnic, sizeof(h.vnic), "%s", vnic);
    h.domid = domid;
    np_front_hello(f, &h.gt_gfn, &h.gt_frames);
    h.tx_ring_ref = xnf_tx_ring_ref(f->xnf);
    h.rx_ring_ref = xnf_rx_ring_ref(f->xnf);
    h.port = f->port;
    h.fe_features = xnf_fe_features(f->xnf);
    rc = vsw_client_vif_attach(sock, &h, xvm_mem_fd(f->mem),
                               xvm_evtchn_fd(f->ec, f->port), &w, &bfd);
    if (rc < 0) {
        fprintf(stderr, "vsw-guest: attach: %s\n", w.err);
        np_front_teardown(f);
        return rc;
    }
    rc = np_front_finish(f, w.port, bfd, w.be_features);
    close(bfd);
    if (rc < 0) {
        fprintf(stderr, "vsw-guest: connect: %s\n", strerror(-rc));
        np_front_teardown(f);
        return rc;
    }
    printf("attached\n");
    fflush(stdout);
    return 0;
}

static int run_tap(struct np_front *f, char **av)
{
    struct xnftap_config cfg;
    struct xnftap *t;
    char path[256];
    sigset_t ss;
    int sfd, rc;

    memset(&cfg, 0, sizeof(cfg));
    snprintf(path, sizeof(path), "/run/netns/%s", av[0]);
    cfg.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (cfg.netns_fd < 0 || lp_mac_parse(av[2], cfg.mac) < 0) {
        fprintf(stderr, "vsw-guest: bad netns or MAC\n");
        return 1;
    }
    cfg.ifname = av[1];
    cfg.xnf = f->xnf;
    cfg.ec = f->ec;
    cfg.port = f->port;
    t = xnftap_create(&cfg);
    close(cfg.netns_fd);
    if (!t) {
        perror("vsw-guest: xnftap_create");
        return 1;
    }
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    sfd = signalfd(-1, &ss, SFD_CLOEXEC);
    printf("tap up\n");
    fflush(stdout);
    rc = xnftap_run(t, sfd);
    if (rc < 0)
        fprintf(stderr, "vsw-guest: pump: %s\n", strerror(-rc));
    xnftap_destroy(t);
    close(sfd);
    return rc < 0 ? 1 : 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Send frames until @count are out or @secs pass (0: no limit). */
static int run_send(struct np_front *f, uint64_t count, double secs,
                    uint32_t len, const char *src, const char *dst)
{
    unsigned char fr[XNF_MAX_FRAME];
    uint64_t sent = 0;
    double t0 = now_s(), t = t0;
    unsigned k = 0;

    memset(fr, 0, sizeof(fr));
    if (len < 60 || len > 9014 || lp_mac_parse(dst, fr) < 0 ||
        lp_mac_parse(src, fr + 6) < 0)
        return usage();
    fr[12] = 0x08;
    fr[14] = 0x45;
    while ((count == 0 || sent < count) && (secs == 0 || t - t0 < secs)) {
        int rc = xnf_send(f->xnf, fr, len, NULL);

        if (rc == -EAGAIN) {
            xnf_flush(f->xnf);
            xnf_poll(f->xnf);
            while (xnf_recv(f->xnf, fr + 64, 64, NULL) != 0)
                ; /* drop whatever comes back */
            continue;
        }
        if (rc < 0) {
            fprintf(stderr, "vsw-guest: send: %s\n", strerror(-rc));
            return 1;
        }
        sent++;
        if (++k == 32) {
            k = 0;
            xnf_flush(f->xnf);
            if (secs)
                t = now_s();
        }
    }
    xnf_flush(f->xnf);
    t = now_s();
    printf("sent %llu pps %.0f\n", (unsigned long long)sent,
           sent / (t - t0 > 0 ? t - t0 : 1));
    /* Let the backend take the last requests before we go. */
    usleep(200000);
    xnf_poll(f->xnf);
    return 0;
}

static int run_break(struct np_front *f)
{
    volatile uint32_t *req_prod = np_front_tx_sring(f);

    /* netif_tx_sring starts with req_prod: a ring and more ahead. */
    *req_prod += 100000;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    xvm_evtchn_send(f->ec, f->port);
    usleep(300000);
    printf("broken\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *vnic = NULL;
    struct np_front f;
    int c, domid = 0, rc;

    while ((c = getopt(argc, argv, "s:v:d:c:")) != -1) {
        switch (c) {
        case 's': sock = optarg; break;
        case 'v': vnic = optarg; break;
        case 'd': domid = atoi(optarg); break;
        case 'c': np_pin_cpu(atoi(optarg)); break;
        default: return usage();
        }
    }
    argc -= optind;
    argv += optind;
    if (!vnic || domid <= 0 || domid >= 0x7ff0 || argc < 1)
        return usage();
    if (attach(&f, sock, vnic, (domid_t)domid,
               XNF_FE_SG | XNF_FE_GSO_TCPV4 | XNF_FE_GSO_TCPV6 |
                   XNF_FE_RX_NOTIFY) < 0)
        return 1;
    if (strcmp(argv[0], "tap") == 0 && argc == 4)
        rc = run_tap(&f, argv + 1);
    else if (strcmp(argv[0], "send") == 0 && argc == 5)
        rc = run_send(&f, strtoull(argv[1], NULL, 0), 0,
                      (uint32_t)atoi(argv[2]), argv[3], argv[4]);
    else if (strcmp(argv[0], "blast") == 0 && argc == 5)
        rc = run_send(&f, 0, atof(argv[1]), (uint32_t)atoi(argv[2]),
                      argv[3], argv[4]);
    else if (strcmp(argv[0], "break") == 0)
        rc = run_break(&f);
    else
        rc = usage();
    np_front_teardown(&f);
    return rc;
}
