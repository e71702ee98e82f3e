/* SPDX-License-Identifier: MIT */
/*
 * minios: the kernel's main.  It checks what the monitor handed it and
 * says hello.  Without xenstore (a monitor run with no domain around it)
 * it powers off.  With it, it reads its role from its domain's keys,
 * connects vif 0 through libxnf and serves the network until
 * control/shutdown says "poweroff":
 *   minios/ip       its IPv4 address (a.b.c.d); without it, no network
 *   minios/role     "echo" (default: ARP, ICMP echo, UDP echo and sink)
 *                   or "gen": also send minios/count UDP datagrams of
 *                   minios/size bytes to minios/peer, port minios/port
 */
#include "console.h"
#include "evtchn.h"
#include "hcall.h"
#include "mm.h"
#include "net.h"
#include "netfront.h"
#include "xs.h"

#define EIO 5
/* Idle waits are this long, so control/shutdown is read that often. */
#define IDLE_NS 50000000ull
#define BUSY_ROUNDS 4096u

void minios_main(const struct xkvm_start_info *si);

static struct netfront nf;
static struct net net;
static uint8_t rxbuf[NETIF_MAX_FRAME];

static void stats(void)
{
    kprintf("minios: arp %lu icmp %lu udp-echo %lu sink %lu/%lu bytes "
            "gen %lu dropped %lu\n", net.arp_replies, net.icmp_replies,
            net.udp_echoes, net.sink_packets, net.sink_bytes, net.gen_sent,
            net.rx_dropped);
}

static bool shutdown_asked(void)
{
    char v[16];

    return xs_read("control/shutdown", v, sizeof(v)) > 0 &&
           strcmp(v, "poweroff") == 0;
}

static int config(void)
{
    char v[32];
    uint64_t x;

    if (xs_read("minios/ip", v, sizeof(v)) <= 0 || net_ip_parse(v, &net.ip))
        return -1;
    if (xs_read("minios/role", v, sizeof(v)) > 0 && strcmp(v, "gen") == 0) {
        if (xs_read("minios/peer", v, sizeof(v)) <= 0 ||
            net_ip_parse(v, &net.peer_ip) ||
            xs_read_uint("minios/port", 65535, &x) < 0)
            return -1;
        net.peer_port = (uint16_t)x;
        net.gen_left = xs_read_uint("minios/count", 1ull << 40, &x) ? 1000 : x;
        net.gen_size = xs_read_uint("minios/size", 1472, &x) ? 18
                                                             : (uint32_t)x;
        if (net.gen_size < 8)
            net.gen_size = 8;
    }
    return 0;
}

/* Take what came, answer it; @return true if there was any. */
static bool rx_round(void)
{
    bool any = false;

    for (unsigned k = 0; k < 256; k++) {
        int len = xnf_recv(nf.dev, rxbuf, sizeof(rxbuf), NULL);

        if (len == 0)
            break;
        any = true;
        if (len > 0)
            net_input(&net, rxbuf, (uint32_t)len);
        else if (len == -EIO)
            break;
    }
    return any;
}

static __attribute__((noreturn)) void serve(void)
{
    unsigned rounds = 0;
    bool gen_done = false;

    for (;;) {
        bool busy;

        evtchn_take(nf.port);
        xnf_poll(nf.dev);
        busy = rx_round();
        xnf_flush(nf.dev);
        if (net.gen_left || !net.peer_known)
            busy |= net.peer_ip && net_generate(&net);
        if (net.peer_ip && !net.gen_left && !gen_done) {
            gen_done = true;
            kprintf("minios: generator sent %lu\n", net.gen_sent);
        }
        if (xnf_broken(nf.dev)) {
            console_puts("minios: the backend broke the protocol\n");
            stats();
            hc_shutdown(XKVM_SHUTDOWN_CRASH);
        }
        if (busy && ++rounds < BUSY_ROUNDS)
            continue;
        rounds = 0;
        if (shutdown_asked()) {
            stats();
            console_puts("minios: poweroff\n");
            hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
        }
        if (!busy && !xnf_final_check(nf.dev))
            evtchn_block(IDLE_NS);
    }
}

void minios_main(const struct xkvm_start_info *si)
{
    if (si->magic != XKVM_START_MAGIC || si->version != XKVM_START_VERSION) {
        console_puts("minios: not started by an xvnet monitor\n");
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    }
    console_puts("minios: hello\n");
    mm_init(si->kernel_end, si->ram_bytes);
    if (pv_init() < 0) {
        console_puts("minios: the monitor refused the grant table\n");
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    }
    if (xs_init() < 0) /* no domain around us: nothing more to do */
        hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
    if (config() < 0) {
        console_puts("minios: no network configured (minios/ip)\n");
        hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
    }
    if (netfront_start(&nf, 0) < 0)
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    net.nf = &nf;
    kprintf("minios: eth0 up, mac %x:%x:%x:%x:%x:%x, ip %u.%u.%u.%u\n",
            nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4], nf.mac[5],
            net.ip >> 24, net.ip >> 16 & 255, net.ip >> 8 & 255,
            net.ip & 255);
    serve();
}
