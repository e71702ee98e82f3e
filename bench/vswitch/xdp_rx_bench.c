/* SPDX-License-Identifier: MIT */
/*
 * Receive rate of a shared NIC (bench/vswitch/xdp_rx_bench.sh):
 *
 *   xdp_rx_bench send IFACE DST_MAC SIZE SECONDS
 *       IPv4/UDP frames of SIZE bytes (Ethernet header included, no FCS)
 *       to DST_MAC and 10.66.0.1:9, as fast as an AF_PACKET socket with
 *       qdisc bypass and sendmmsg goes; prints "tx FRAMES SECONDS MPPS".
 *   xdp_rx_bench recv MODE IFACE PREFIX CPU
 *       until SIGTERM, counts what reaches user space, then prints
 *       "rx FRAMES SECONDS MPPS" (seconds from the first frame to the
 *       last).  MODE:
 *         afxdp     the shared port (vsw_port_xdp_share_open) with an
 *                   entry for 02:00:00:aa:00:01, untagged;
 *         afpacket  DPDK net_af_packet on IFACE (what links use today);
 *         udp       the host's stack: a UDP socket on port 9.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "vsw/pool.h"
#include "vsw/port.h"
#include "vsw/xdp_share.h"

#ifndef PACKET_QDISC_BYPASS
#define PACKET_QDISC_BYPASS 20
#endif

#define BATCH 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint8_t VNIC_MAC[6] = {0x02, 0, 0, 0xaa, 0, 0x01};

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    int i;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5]) != 6)
        return -1;
    for (i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return 0;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    size_t i;

    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static int cmd_send(int argc, char **argv)
{
    struct sockaddr_ll sll = {.sll_family = AF_PACKET,
                              .sll_protocol = htons(ETH_P_IP)};
    struct mmsghdr mm[BATCH];
    struct iovec iov;
    uint8_t frame[1514], *ip, *udp;
    struct ifreq ifr;
    unsigned long long sent = 0;
    int fd, one = 1, size, i;
    double secs, t0, t;
    uint16_t c;

    if (argc != 4 || parse_mac(argv[1], frame) < 0) {
        fprintf(stderr, "usage: send IFACE DST_MAC SIZE SECONDS\n");
        return 2;
    }
    size = atoi(argv[2]);
    secs = atof(argv[3]);
    if (size < 60 || size > (int)sizeof(frame)) {
        fprintf(stderr, "SIZE: 60..%zu\n", sizeof(frame));
        return 2;
    }
    fd = socket(AF_PACKET, SOCK_RAW, 0);
    sll.sll_ifindex = (int)if_nametoindex(argv[0]);
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[0]);
    if (fd < 0 || !sll.sll_ifindex || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) <
            0 ||
        bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        perror("packet socket");
        return 1;
    }
    memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
    frame[12] = 0x08;
    frame[13] = 0x00;
    ip = frame + 14;
    memset(ip, 0, (size_t)size - 14);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((size - 14) >> 8);
    ip[3] = (uint8_t)(size - 14);
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    memcpy(ip + 12, (uint8_t[]){10, 66, 0, 2}, 4);
    memcpy(ip + 16, (uint8_t[]){10, 66, 0, 1}, 4);
    c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    udp = ip + 20;
    udp[0] = 0x30;
    udp[1] = 0x39; /* 12345 */
    udp[3] = 9;
    udp[4] = (uint8_t)((size - 34) >> 8);
    udp[5] = (uint8_t)(size - 34);
    iov.iov_base = frame;
    iov.iov_len = (size_t)size;
    memset(mm, 0, sizeof(mm));
    for (i = 0; i < BATCH; i++) {
        mm[i].msg_hdr.msg_iov = &iov;
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    t0 = t = now_s();
    while (t - t0 < secs) {
        int k = sendmmsg(fd, mm, BATCH, 0);

        if (k > 0)
            sent += (unsigned)k;
        else if (errno != ENOBUFS && errno != EAGAIN) {
            perror("sendmmsg");
            return 1;
        }
        if ((sent & 0x3ff) < BATCH)
            t = now_s();
    }
    t = now_s();
    printf("tx %llu %.3f %.3f\n", sent, t - t0, (double)sent / (t - t0) / 1e6);
    return 0;
}

static void report(unsigned long long n, double first, double last)
{
    double d = last > first ? last - first : 0;

    printf("rx %llu %.3f %.3f\n", n, d, d > 0 ? (double)n / d / 1e6 : 0.0);
}

static int recv_udp(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
    static uint8_t bufs[BATCH][2048];
    struct iovec iov[BATCH];
    struct mmsghdr mm[BATCH];
    unsigned long long n = 0;
    double first = 0, last = 0;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 32 << 20, i;

    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        perror("udp socket");
        return 1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    memset(mm, 0, sizeof(mm));
    for (i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = sizeof(bufs[i]);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (!stop) {
        int k = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);

        if (k <= 0) {
            struct pollfd p = {.fd = fd, .events = POLLIN};

            poll(&p, 1, 50);
            continue;
        }
        last = now_s();
        if (!n)
            first = last;
        n += (unsigned)k;
    }
    report(n, first, last);
    return 0;
}

static int cmd_recv(int argc, char **argv)
{
    static char pfx[128], lcore[16];
    char *av[] = {"xdp_rx_bench", pfx, "--no-huge", "-m", "256", "--no-pci",
                  "-l", lcore, "--log-level=error", NULL};
    struct vsw_xdp_share_info info;
    struct rte_mempool *pool;
    struct vsw_port *port;
    struct rte_mbuf *pkts[32];
    unsigned long long n = 0;
    double first = 0, last = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: recv afxdp|afpacket|udp IFACE PREFIX CPU\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (strcmp(argv[0], "udp") == 0)
        return recv_udp();
    snprintf(pfx, sizeof(pfx), "--file-prefix=%s", argv[2]);
    snprintf(lcore, sizeof(lcore), "%s", argv[3]);
    if (rte_eal_init(9, av) < 0) {
        fprintf(stderr, "EAL init failed\n");
        return 1;
    }
    pool = vsw_pool_create("bench_pool", 16383, 256, rte_socket_id());
    if (!pool)
        return 1;
    if (strcmp(argv[0], "afxdp") == 0) {
        port = vsw_port_xdp_share_open(argv[1], pool, &info);
        if (!port) {
            printf("unavailable: %s\n", vsw_xdp_why_str(info.why));
            return 3;
        }
        vsw_xdp_share_add(port, VNIC_MAC, 0);
        fprintf(stderr, "XDP mode %s\n", vsw_xdp_mode_str(info.mode));
    } else {
        char devargs[96];

        snprintf(devargs, sizeof(devargs), "net_af_packet_b,iface=%s",
                 argv[1]);
        port = vsw_port_ethdev_open(devargs, pool);
        if (!port) {
            perror("net_af_packet");
            return 1;
        }
    }
    printf("ready\n");
    fflush(stdout);
    while (!stop) {
        uint16_t k = port->ops->rx(port, pkts, 32);

        if (!k)
            continue;
        last = now_s();
        if (!n)
            first = last;
        n += k;
        rte_pktmbuf_free_bulk(pkts, k);
    }
    report(n, first, last);
    vsw_port_destroy(port);
    rte_mempool_free(pool);
    rte_eal_cleanup();
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "send") == 0)
        return cmd_send(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "recv") == 0)
        return cmd_recv(argc - 2, argv + 2);
    fprintf(stderr, "usage: xdp_rx_bench send|recv ...\n");
    return 2;
}
