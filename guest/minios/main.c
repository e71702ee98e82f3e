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
 *
 * Built with -DMINIOS_SCRIBBLE (minios-scribble.elf, for the tests) it is
 * a hostile frontend: once it has answered three pings it fills its TX
 * ring with garbage, publishes a request producer far more than a ring
 * ahead and notifies the backend, then goes on as before.  The backend
 * must disable that vif and nothing else.
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
/* control/shutdown is read through the monitor's xenstore relay, a round
 * trip through xvmd's xenstored: at most once per this many TSC cycles
 * (tens of milliseconds at any clock rate), not after every packet. */
#define SHUTDOWN_CHECK_CYCLES (1ull << 27)

void minios_main(const struct xkvm_start_info *si);

static struct netfront nf;
static struct net net;
static uint8_t rxbuf[NETIF_MAX_FRAME];

static void stats(void)
{
    kprintf("minios: arp %lu icmp %lu udp-echo %lu sink %lu/%lu bytes "
            "gen %lu dropped %lu doorbells %lu\n", net.arp_replies,
            net.icmp_replies, net.udp_echoes, net.sink_packets,
            net.sink_bytes, net.gen_sent, net.rx_dropped,
            (unsigned long)evtchn_sends());
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* What control/shutdown asks: 0 nothing, else a shutdown reason + 1. */
static int shutdown_asked(void)
{
    static uint64_t last;
    uint64_t now = rdtsc();
    char v[16];

    if (last && now - last < SHUTDOWN_CHECK_CYCLES)
        return 0;
    last = now;
    if (xs_read("control/shutdown", v, sizeof(v)) <= 0)
        return 0;
    if (strcmp(v, "poweroff") == 0)
        return 1 + XKVM_SHUTDOWN_POWEROFF;
    if (strcmp(v, "reboot") == 0)
        return 1 + XKVM_SHUTDOWN_REBOOT;
    return 0;
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

#ifdef MINIOS_SCRIBBLE
#include "netif/netif.h"

static void scribble(void)
{
    grant_entry_v1_t *gt = gnttab_table();
    struct netif_tx_sring *s = (struct netif_tx_sring *)(uintptr_t)(
        (uint64_t)gt[xnf_tx_ring_ref(nf.dev)].frame << 12);
    uint8_t *p = (uint8_t *)s->ring;
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (unsigned i = 0; i < sizeof(s->ring); i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = (uint8_t)x;
    }
    __atomic_store_n(&s->req_prod, s->rsp_prod + 3u * NETIF_RING_SIZE,
                     __ATOMIC_RELEASE);
    evtchn_send(nf.port);
    console_puts("minios: scribbled over the TX ring\n");
}
#endif

static __attribute__((noreturn)) void serve(void)
{
    unsigned rounds = 0;
    bool gen_done = false;

    for (;;) {
        bool busy;

        evtchn_take(nf.port);
#ifdef MINIOS_SCRIBBLE
        static bool scribbled;

        if (!scribbled && net.icmp_replies >= 3) {
            scribbled = true;
            scribble();
            continue; /* nothing of libxnf's may touch the ring again */
        }
        if (scribbled) { /* the rings are no longer used at all */
            int how = shutdown_asked();

            if (how)
                hc_shutdown((uint64_t)(how - 1));
            evtchn_block(IDLE_NS);
            continue;
        }
#endif
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
        int how = shutdown_asked();

        if (how) {
            stats();
            if (how == 1 + XKVM_SHUTDOWN_REBOOT) {
                xs_write("control/shutdown", "");
                console_puts("minios: reboot\n");
            } else {
                console_puts("minios: poweroff\n");
            }
            hc_shutdown((uint64_t)(how - 1));
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
    kprintf("minios: hello (cpl %u)\n", si->cpl);
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
