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
 * With more than one vCPU (start_info.cpus) the others enter at ap.S's
 * entry and wait in timed blocks until vCPU 0 has said hello; each says
 * `minios: cpu N up`, and vCPU 0 goes on once all have.  Then vCPU 1 runs
 * the generator (role "gen") while vCPU 0 answers ARP, ICMP and UDP; the
 * NIC is shared under one lock (nic_lock()), the rest of each vCPU's
 * work is its own.  Every other vCPU sleeps in timed blocks.
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
/* How long vCPU 0 waits for the others to come up, in 1 ms blocks. */
#define AP_WAIT_MS 5000u
#define MS_NS 1000000ull

void minios_main(const struct xkvm_start_info *si);
void minios_ap_main(const struct xkvm_start_info *si, uint64_t cpu);

static struct netfront nf;
static struct net net;
static uint8_t rxbuf[NETIF_MAX_FRAME];
static uint32_t ap_go;       /* vCPU 0 has said hello: the others may */
static uint32_t aps_up;      /* how many said they are up */
static uint32_t gen_on_ap;   /* vCPU 1 runs the generator */
static uint32_t nic_locked;  /* nic_lock() */

/* The NIC (libxnf's device, net.c's TX buffer) is one vCPU's at a time. */
static void nic_lock(void)
{
    while (__atomic_exchange_n(&nic_locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&nic_locked, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static void nic_unlock(void)
{
    __atomic_store_n(&nic_locked, 0, __ATOMIC_RELEASE);
}

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
        bool busy, broken, more;

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
        nic_lock();
        xnf_poll(nf.dev);
        busy = rx_round();
        xnf_flush(nf.dev);
        if (!gen_on_ap && (net.gen_left || !net.peer_known))
            busy |= net.peer_ip && net_generate(&net);
        broken = xnf_broken(nf.dev);
        nic_unlock();
        if (!gen_on_ap && net.peer_ip && !net.gen_left && !gen_done) {
            gen_done = true;
            kprintf("minios: generator sent %lu\n", net.gen_sent);
        }
        if (broken) {
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
        if (busy)
            continue;
        nic_lock();
        more = xnf_final_check(nf.dev);
        nic_unlock();
        if (!more)
            evtchn_block(IDLE_NS);
    }
}

/* vCPU 1's work with role "gen": the generator, the NIC shared with
 * vCPU 0 under nic_lock().  A burst that sent nothing (a full TX ring,
 * an ARP for the peer awaited) is followed by a short sleep. */
static void ap_generate(uint64_t cpu)
{
    for (;;) {
        uint64_t before = net.gen_sent;
        bool more;

        nic_lock();
        more = net_generate(&net);
        nic_unlock();
        if (!more)
            break;
        if (net.gen_sent == before)
            hc_block(50000);
    }
    kprintf("minios: cpu %lu: generator sent %lu\n", cpu, net.gen_sent);
}

void minios_ap_main(const struct xkvm_start_info *si, uint64_t cpu)
{
    (void)si;
    while (!__atomic_load_n(&ap_go, __ATOMIC_ACQUIRE))
        hc_block(MS_NS);
    kprintf("minios: cpu %lu up\n", cpu);
    __atomic_fetch_add(&aps_up, 1, __ATOMIC_RELEASE);
    for (;;) {
        if (cpu == 1 &&
            __atomic_load_n(&gen_on_ap, __ATOMIC_ACQUIRE) == 1) {
            ap_generate(cpu);
            __atomic_store_n(&gen_on_ap, 2, __ATOMIC_RELEASE); /* done */
        }
        hc_block(IDLE_NS);
    }
}

/* Let the other vCPUs say they are up, and wait until they all have. */
static void aps_wait(uint32_t cpus)
{
    __atomic_store_n(&ap_go, 1, __ATOMIC_RELEASE);
    for (unsigned ms = 0; __atomic_load_n(&aps_up, __ATOMIC_ACQUIRE) <
                          cpus - 1; ms++) {
        if (ms == AP_WAIT_MS) {
            kprintf("minios: %u of %u cpus up\n",
                    1 + __atomic_load_n(&aps_up, __ATOMIC_ACQUIRE), cpus);
            hc_shutdown(XKVM_SHUTDOWN_CRASH);
        }
        hc_block(MS_NS);
    }
}

void minios_main(const struct xkvm_start_info *si)
{
    if (si->magic != XKVM_START_MAGIC || si->version != XKVM_START_VERSION) {
        console_puts("minios: not started by an xvnet monitor\n");
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    }
    if (si->cpus < 1 || si->cpus > XKVM_CPUS_MAX) {
        console_puts("minios: a bad count of cpus\n");
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    }
    kprintf("minios: hello (cpl %u)\n", si->cpl);
    if (si->cpus > 1)
        aps_wait(si->cpus);
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
    /* The generator goes to vCPU 1 if there is one. */
    if (net.peer_ip && si->cpus > 1)
        __atomic_store_n(&gen_on_ap, 1, __ATOMIC_RELEASE);
    serve();
}
