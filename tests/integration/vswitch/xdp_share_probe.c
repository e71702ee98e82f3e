/* SPDX-License-Identifier: MIT */
/*
 * The helper of xdp_share.sh, three tools in one:
 *
 *   xdp_share_probe switch IFACE PREFIX [NAME,TAP,MAC,VID ...]
 *       a switch of one link, IFACE shared with the host through
 *       vsw_port_xdp_share_open(), and one host-TAP VNIC per argument
 *       whose (MAC, VID) goes into the program's map.  Prints "mode ..."
 *       and "ready"; SIGUSR1 deletes every VNIC's entry ("deleted");
 *       SIGTERM prints the counters, closes everything and reports
 *       whether the program left the NIC and the kernel.  Exit 3 with
 *       "unavailable: <why>" when the NIC cannot be shared.
 *   xdp_share_probe send IFACE DST VID COUNT
 *       COUNT frames of EtherType 0x88b5 to DST (VID 0: untagged).
 *   xdp_share_probe count IFACE
 *       counts received 0x88b5 frames by (destination, VID) until SIGTERM,
 *       then prints "got DST VID N" lines; prints "listening" first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "vsw/pool.h"
#include "vsw/port.h"
#include "vsw/switch.h"
#include "vsw/xdp_share.h"

#define ETHERTYPE_TEST 0x88b5
#define VNICS_MAX 8

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile sig_atomic_t stop, del;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        del = 1;
    else
        stop = 1;
}

static void signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

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

static int raw_socket(const char *ifname, bool rx)
{
    struct sockaddr_ll sll = {.sll_family = AF_PACKET,
                              .sll_protocol = htons(ETH_P_ALL)};
    int one = 1, big = 4 << 20, fd;

    sll.sll_ifindex = (int)if_nametoindex(ifname);
    if (sll.sll_ifindex == 0) {
        fprintf(stderr, "no interface %s\n", ifname);
        return -1;
    }
    fd = socket(AF_PACKET, SOCK_RAW, rx ? htons(ETH_P_ALL) : 0);
    if (fd < 0 ||
        (rx && (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big,
                           sizeof(big)) < 0 ||
                setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                           sizeof(one)) < 0 ||
                setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one,
                           sizeof(one)) < 0)) ||
        bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        perror("packet socket");
        return -1;
    }
    return fd;
}

/* ---- send ---- */

static int cmd_send(int argc, char **argv)
{
    uint8_t frame[64], dst[6];
    struct ifreq ifr;
    int fd, vid, count, i, off = 12;

    if (argc != 4 || parse_mac(argv[1], dst) < 0) {
        fprintf(stderr, "usage: send IFACE DST VID COUNT\n");
        return 2;
    }
    vid = atoi(argv[2]);
    count = atoi(argv[3]);
    fd = raw_socket(argv[0], false);
    if (fd < 0)
        return 1;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[0]);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        perror("SIOCGIFHWADDR");
        return 1;
    }
    memset(frame, 0x5a, sizeof(frame));
    memcpy(frame, dst, 6);
    memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
    if (vid) {
        frame[off++] = 0x81;
        frame[off++] = 0x00;
        frame[off++] = (uint8_t)(vid >> 8);
        frame[off++] = (uint8_t)vid;
    }
    frame[off++] = ETHERTYPE_TEST >> 8;
    frame[off++] = ETHERTYPE_TEST & 0xff;
    for (i = 0; i < count; i++) {
        if (send(fd, frame, sizeof(frame), 0) < 0) {
            perror("send");
            return 1;
        }
        if (i % 16 == 15)
            usleep(1000);
    }
    close(fd);
    return 0;
}

/* ---- count ---- */

struct tally {
    uint8_t dst[6];
    uint16_t vid;
    unsigned n;
};

static int cmd_count(int argc, char **argv)
{
    struct tally t[64];
    unsigned nt = 0, i;
    int fd;

    if (argc != 1) {
        fprintf(stderr, "usage: count IFACE\n");
        return 2;
    }
    fd = raw_socket(argv[0], true);
    if (fd < 0)
        return 1;
    signals();
    printf("listening\n");
    fflush(stdout);
    while (!stop) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        } cm;
        uint8_t buf[2048];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = &cm, .msg_controllen = sizeof(cm)};
        struct cmsghdr *c;
        uint16_t vid = 0, type;
        ssize_t len;

        if (poll(&p, 1, 100) <= 0)
            continue;
        len = recvmsg(fd, &mh, MSG_DONTWAIT);
        if (len < 14)
            continue;
        for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            struct tpacket_auxdata *a = (void *)CMSG_DATA(c);

            if (c->cmsg_level == SOL_PACKET &&
                c->cmsg_type == PACKET_AUXDATA &&
                (a->tp_status & TP_STATUS_VLAN_VALID))
                vid = a->tp_vlan_tci & 0xfff;
        }
        type = (uint16_t)(buf[12] << 8 | buf[13]);
        if (type == 0x8100 && len >= 18) {
            vid = (uint16_t)((buf[14] << 8 | buf[15]) & 0xfff);
            type = (uint16_t)(buf[16] << 8 | buf[17]);
        }
        if (type != ETHERTYPE_TEST)
            continue;
        for (i = 0; i < nt; i++)
            if (memcmp(t[i].dst, buf, 6) == 0 && t[i].vid == vid)
                break;
        if (i == nt) {
            if (nt == 64)
                continue;
            memcpy(t[nt].dst, buf, 6);
            t[nt].vid = vid;
            t[nt++].n = 0;
        }
        t[i].n++;
    }
    for (i = 0; i < nt; i++)
        printf("got %02x:%02x:%02x:%02x:%02x:%02x %u %u\n", t[i].dst[0],
               t[i].dst[1], t[i].dst[2], t[i].dst[3], t[i].dst[4],
               t[i].dst[5], t[i].vid, t[i].n);
    return 0;
}

/* ---- switch ---- */

struct vnic_arg {
    char name[32], tap[32];
    uint8_t mac[6];
    uint16_t vid;
    struct vsw_vnic *v;
};

static int parse_vnic(const char *s, struct vnic_arg *a)
{
    char mac[32];
    unsigned vid;

    if (sscanf(s, "%31[^,],%31[^,],%31[^,],%u", a->name, a->tap, mac, &vid) !=
            4 ||
        parse_mac(mac, a->mac) < 0 || vid > 4094)
        return -1;
    a->vid = (uint16_t)vid;
    return 0;
}

static int eal(const char *prefix)
{
    static char pfx[128];
    char *av[] = {"xdp_share_probe", pfx, "--no-huge", "-m", "128",
                  "--no-pci", "-l", "0", "--log-level=lib.eal:warning",
                  NULL};

    snprintf(pfx, sizeof(pfx), "--file-prefix=%s", prefix);
    return rte_eal_init(9, av);
}

static void print_stats(const char *what, const char *name,
                        const struct vsw_stats *st)
{
    printf("%s %s ipackets %llu opackets %llu\n", what, name,
           (unsigned long long)st->ipackets,
           (unsigned long long)st->opackets);
}

static int cmd_switch(int argc, char **argv)
{
    struct vnic_arg va[VNICS_MAX];
    struct vsw_xdp_share_info info;
    struct vsw_xdp_share_stats xs;
    struct vsw_switch_params sp = {0};
    struct vsw_switch *sw;
    struct vsw_link *link;
    struct vsw_port *port;
    struct rte_mempool *pool;
    struct vsw_stats st;
    uint64_t hz, last;
    uint32_t id = 0;
    int nv = argc - 2, i, ifindex, pfd;

    if (argc < 2 || nv > VNICS_MAX) {
        fprintf(stderr, "usage: switch IFACE PREFIX [NAME,TAP,MAC,VID ...]\n");
        return 2;
    }
    for (i = 0; i < nv; i++)
        if (parse_vnic(argv[2 + i], &va[i]) < 0) {
            fprintf(stderr, "bad VNIC %s\n", argv[2 + i]);
            return 2;
        }
    ifindex = (int)if_nametoindex(argv[0]);
    if (eal(argv[1]) < 0) {
        fprintf(stderr, "EAL init failed\n");
        return 1;
    }
    pool = vsw_pool_create("probe_pool", 8191, 256, rte_socket_id());
    if (!pool) {
        fprintf(stderr, "no pool\n");
        return 1;
    }
    port = vsw_port_xdp_share_open(argv[0], pool, &info);
    if (!port) {
        printf("unavailable: %s (%s)\n", vsw_xdp_why_str(info.why),
               strerror(errno));
        return 3;
    }
    printf("mode %s prog %u rxvlan_off %d\n", vsw_xdp_mode_str(info.mode),
           info.prog_id, info.rxvlan_off);
    sp.pool = pool;
    sw = vsw_switch_create(&sp);
    link = sw ? vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, port) : NULL;
    if (!link) {
        perror("switch");
        return 1;
    }
    for (i = 0; i < nv; i++) {
        struct vsw_vnic_params p = {.name = va[i].name, .vid = va[i].vid};
        struct vsw_port *tap;
        int rc;

        memcpy(p.mac, va[i].mac, 6);
        va[i].v = vsw_vnic_create(link, &p);
        tap = vsw_port_tap_open(va[i].tap, va[i].mac, pool);
        if (!va[i].v || !tap || vsw_vnic_attach(va[i].v, tap) < 0) {
            perror("VNIC");
            return 1;
        }
        rc = vsw_xdp_share_add(port, va[i].mac, va[i].vid);
        if (rc < 0) {
            fprintf(stderr, "add: %s\n", strerror(-rc));
            return 1;
        }
    }
    signals();
    printf("ready\n");
    fflush(stdout);

    hz = rte_get_tsc_hz();
    last = rte_rdtsc();
    vsw_switch_thread_start(sw, 0);
    while (!stop) {
        if (del) {
            del = 0;
            for (i = 0; i < nv; i++)
                vsw_xdp_share_del(port, va[i].mac, va[i].vid);
            printf("deleted\n");
            fflush(stdout);
        }
        if (vsw_switch_poll(sw, 0)) {
            last = rte_rdtsc();
            continue;
        }
        if (rte_rdtsc() - last > hz / 5000)
            vsw_switch_sleep(sw, 0, 100000, 1000);
    }
    vsw_switch_thread_stop(sw, 0);

    if (vsw_xdp_share_stats_get(port, &xs) == 0)
        printf("xdp redirected %llu group %llu host %llu nosock %llu "
               "group_rx %llu group_lost %llu entries %u\n",
               (unsigned long long)xs.redirected,
               (unsigned long long)xs.group, (unsigned long long)xs.host,
               (unsigned long long)xs.nosock,
               (unsigned long long)xs.group_rx,
               (unsigned long long)xs.group_lost, xs.entries);
    vsw_link_stats_get(link, &st);
    print_stats("link", "phys0", &st);
    for (i = 0; i < nv; i++) {
        vsw_vnic_stats_get(va[i].v, &st);
        print_stats("vnic", va[i].name, &st);
    }
    vsw_switch_destroy(sw); /* the link's port too: detaches */
    printf("detached %s\n",
           bpf_xdp_query_id(ifindex, 0, &id) == 0 && id == 0 ? "yes" : "no");
    pfd = bpf_prog_get_fd_by_id(info.prog_id);
    printf("unloaded %s\n", pfd < 0 ? "yes" : "no");
    if (pfd >= 0)
        close(pfd);
    fflush(stdout);
    rte_mempool_free(pool);
    rte_eal_cleanup();
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "switch") == 0)
        return cmd_switch(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "send") == 0)
        return cmd_send(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "count") == 0)
        return cmd_count(argc - 2, argv + 2);
    fprintf(stderr, "usage: xdp_share_probe switch|send|count ...\n");
    return 2;
}
