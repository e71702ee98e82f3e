/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vswframes.c - libFuzzer harness for the switch's handling of the
 * frames guests and the wire hand it: the header parser, VLAN tagging
 * and untagging, cutting large segments and filling checksums toward a
 * port without offloads (gso.c), and coalescing toward a port that takes
 * large segments (gro.c).
 *
 * One switch lives for the whole run: link phys0 whose wire is a capture
 * port without offloads; VNIC a (VID 10) on a port that takes offload
 * metadata and coalesced segments (a host TAP's flags); VNIC b (no VID)
 * on a plain port.  Each input is a burst of frames, each entering from
 * the wire or from a, b, with any bytes and any offload metadata.  After
 * the burst the harness checks, and aborts on a breach:
 *  - every mbuf is back in the pool once the captured frames are freed
 *    (nothing leaked, nothing freed twice: the pool's count is exact);
 *  - every frame a port got is well formed: its segments add up to its
 *    length, no longer than a 64 KiB segment and its headers;
 *  - the plain ports got no offload metadata (no large segment, no blank
 *    checksum).
 *
 * Input (reading past the end yields zeros), up to MAX_FRAMES frames:
 *   u8  where     bits 0-1: 0 wire, 1 VNIC a, 2 VNIC b;
 *                 bits 2-3: destination 0 a, 1 b, 2 outside, 3 broadcast
 *                 (written over the frame's first 6 bytes); bit 4: the
 *                 frame's source MAC is its VNIC's; bit 5: LRO (large
 *                 segment); bit 6: checksum blank; bit 7: checksum good
 *   u16 mss
 *   u16 len       (at most MAX_LEN)
 *   len bytes     the frame, from byte 6 (the destination is set above)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "vsw/pool.h"
#include "vsw/switch.h"

#include "vsw_test.h"

#define FUZZ_NAME "fuzz_vswframes"
#include "fuzz_harness.h"

#define MAX_FRAMES 64
#define MAX_LEN 9018u
#define POOL_N 8191u

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_X[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct {
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct vsw_vnic *a, *b;
    struct cap_port *wire, *pa, *pb;
} rig;

struct in {
    const uint8_t *p;
    size_t n;
};

static uint8_t u8(struct in *in)
{
    uint8_t v = 0;

    if (in->n) {
        v = *in->p++;
        in->n--;
    }
    return v;
}

static uint16_t u16(struct in *in)
{
    uint16_t lo = u8(in);

    return (uint16_t)(lo | (u8(in) << 8));
}

static struct vsw_vnic *vnic(const char *name, const uint8_t mac[6],
                             uint16_t vid, struct cap_port *port)
{
    struct vsw_vnic_params p = {.name = name, .vid = vid};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(rig.l, &p);
    INV(v != NULL);
    INV(vsw_vnic_attach(v, &port->port) == 0);
    return v;
}

static void setup(void)
{
    char prefix[64];
    char *argv[] = {"fuzz", "--no-huge",         "-m",
                    "128",  "--no-pci",          "--no-shconf",
                    prefix, "--no-telemetry",    "-l",
                    "0",    "--log-level=error", NULL};
    struct vsw_switch_params sp;

    snprintf(prefix, sizeof(prefix), "--file-prefix=vswfz%d", (int)getpid());
    INV(rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) >= 0);
    test_pool = vsw_pool_create("fuzz_pool", POOL_N, 0, 0);
    INV(test_pool != NULL);
    memset(&sp, 0, sizeof(sp));
    sp.pool = test_pool;
    rig.sw = vsw_switch_create(&sp);
    INV(rig.sw != NULL);
    rig.wire = cap_new("wire0");
    rig.pa = cap_new("a0");
    rig.pb = cap_new("b0");
    rig.pa->port.flags = VSW_PORT_F_OFFLOAD_META | VSW_PORT_F_GRO;
    rig.l = vsw_link_create(rig.sw, "phys0", VSW_CLASS_PHYS, &rig.wire->port);
    INV(rig.l != NULL);
    rig.a = vnic("a0", MAC_A, 10, rig.pa);
    rig.b = vnic("b0", MAC_B, 0, rig.pb);
}

static struct rte_mbuf *make(struct in *in, uint8_t where)
{
    static const uint8_t *const dst[4] = {MAC_A, MAC_B, MAC_X, BCAST};
    uint16_t mss = u16(in), len = u16(in), i;
    struct rte_mbuf *m, *last;
    uint32_t left;

    if (len > MAX_LEN)
        len = MAX_LEN;
    if (len < 14)
        len = 14;
    m = rte_pktmbuf_alloc(test_pool);
    INV(m != NULL);
    /* Frames longer than one mbuf come as a chain, as a vif gives them. */
    last = m;
    for (left = len; left;) {
        uint16_t room = rte_pktmbuf_tailroom(last);
        uint16_t k = (uint16_t)(left < room ? left : room);
        uint8_t *p;

        if (k == 0) {
            struct rte_mbuf *s = rte_pktmbuf_alloc(test_pool);

            INV(s != NULL);
            last->next = s;
            last = s;
            m->nb_segs++;
            continue;
        }
        p = (uint8_t *)rte_pktmbuf_mtod(last, uint8_t *) + last->data_len;
        for (i = 0; i < k; i++)
            p[i] = u8(in);
        last->data_len = (uint16_t)(last->data_len + k);
        m->pkt_len += k;
        left -= k;
    }
    memcpy(rte_pktmbuf_mtod(m, uint8_t *), dst[(where >> 2) & 3], 6);
    if (where & 0x10)
        memcpy(rte_pktmbuf_mtod(m, uint8_t *) + 6,
               (where & 3) == 2 ? MAC_B : MAC_A, 6);
    if (where & 0x20) {
        m->ol_flags |= RTE_MBUF_F_RX_LRO;
        m->tso_segsz = mss;
        m->packet_type = RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP;
    }
    if (where & 0x40)
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
    else if (where & 0x80)
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
    return m;
}

static void check_got(struct cap_port *c, bool meta)
{
    unsigned i;

    for (i = 0; i < c->ngot; i++) {
        const struct rte_mbuf *m = c->got[i], *s;
        uint32_t sum = 0;
        uint16_t n = 0;

        for (s = m; s; s = s->next) {
            sum += s->data_len;
            n++;
        }
        INV(sum == m->pkt_len && n == m->nb_segs);
        INV(m->pkt_len <= 65535u + 18u + 4u);
        if (!meta) {
            INV(!(m->ol_flags & RTE_MBUF_F_RX_LRO) || m->tso_segsz == 0);
            INV((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
                RTE_MBUF_F_RX_L4_CKSUM_NONE);
        }
    }
    cap_clear(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rte_mbuf *burst[3][MAX_FRAMES];
    unsigned nb[3] = {0, 0, 0}, k;
    struct in in = {data, size};
    uint64_t now;

    if (!rig.sw)
        setup();
    for (k = 0; k < MAX_FRAMES && in.n; k++) {
        uint8_t where = u8(&in);
        unsigned from = (where & 3) % 3;

        burst[from][nb[from]++] = make(&in, where);
    }
    now = rte_rdtsc();
    if (nb[0])
        vsw_link_input(rig.l, burst[0], (uint16_t)nb[0], now);
    if (nb[1])
        vsw_vnic_input(rig.a, burst[1], (uint16_t)nb[1], now);
    if (nb[2])
        vsw_vnic_input(rig.b, burst[2], (uint16_t)nb[2], now);
    vsw_switch_flush(rig.sw, now);
    check_got(rig.wire, false);
    check_got(rig.pa, true);
    check_got(rig.pb, false);
    INV(rte_mempool_avail_count(test_pool) == POOL_N);
    return 0;
}
