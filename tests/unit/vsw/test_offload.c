/* SPDX-License-Identifier: MIT */
/*
 * Large segments and checksums toward ports that cannot take netif's
 * offload metadata (gso.c), and strict priority at a congested wire
 * (prio.c).  White-box: the offload and egress counters are read from the
 * switch's internals.
 */
#define _GNU_SOURCE
#define ALLOW_EXPERIMENTAL_API
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "check.h"
#include "switch_pvt.h"
#include "vsw/switch.h"
#include "vsw_test.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t MAC_X[6] = {0x02, 0, 0, 0, 0, 0x99}; /* outside */

/* phys0 with wire cap port; a (VID 10), b (no VID), c (VID 10). */
struct rig {
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct cap_port *wire, *pa, *pb, *pc;
    struct vsw_vnic *a, *b, *c;
};

static struct vsw_vnic *vnic_add(struct vsw_link *l, const char *name,
                                 const uint8_t mac[6], uint16_t vid,
                                 enum lp_priority prio,
                                 struct cap_port **port)
{
    struct vsw_vnic_params p = {.name = name, .vid = vid, .priority = prio};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(l, &p);
    *port = cap_new(name);
    if (v)
        vsw_vnic_attach(v, &(*port)->port);
    return v;
}

static void rig_up(struct rig *r)
{
    struct vsw_switch_params sp = {.pool = test_pool};

    memset(r, 0, sizeof(*r));
    r->sw = vsw_switch_create(&sp);
    r->wire = cap_new("wire0");
    r->l = vsw_link_create(r->sw, "phys0", VSW_CLASS_PHYS, &r->wire->port);
    r->a = vnic_add(r->l, "a0", MAC_A, 10, LP_PRIO_HIGH, &r->pa);
    r->b = vnic_add(r->l, "b0", MAC_B, 0, LP_PRIO_HIGH, &r->pb);
    r->c = vnic_add(r->l, "c0", MAC_C, 10, LP_PRIO_HIGH, &r->pc);
}

static void send_from(struct rig *r, struct vsw_vnic *v, struct rte_mbuf *m)
{
    vsw_vnic_input(v, &m, 1, rte_rdtsc());
    vsw_switch_flush(r->sw, rte_rdtsc());
}

/*
 * A TCP (or UDP) frame dst <- src over IPv4 or IPv6 with @pay payload
 * bytes (byte i = i & 0xff), split over mbufs of at most @segmax bytes,
 * checksum blank as netif hands it (the pseudo-header sum is NOT there:
 * the switch must not rely on it).
 */
static struct rte_mbuf *l4_frame(const uint8_t dst[6], const uint8_t src[6],
                                 int ipv, uint8_t proto, uint32_t pay,
                                 uint16_t segmax)
{
    uint16_t l3 = ipv == 4 ? 20 : 40, l4 = proto == IPPROTO_TCP ? 20 : 8;
    uint32_t hl = 14u + l3 + l4, len = hl + pay, off = 0;
    uint8_t *buf = calloc(1, len), *p;
    struct rte_mbuf *head = NULL, *tail = NULL;

    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    p = buf + 14;
    if (ipv == 4) {
        struct rte_ipv4_hdr *ip = (void *)p;

        buf[12] = 0x08;
        ip->version_ihl = 0x45;
        ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
        ip->time_to_live = 64;
        ip->next_proto_id = proto;
        ip->src_addr = rte_cpu_to_be_32(0x0a000a01);
        ip->dst_addr = rte_cpu_to_be_32(0x0a000afe);
        ip->packet_id = rte_cpu_to_be_16(100);
    } else {
        struct rte_ipv6_hdr *ip6 = (void *)p;

        buf[12] = 0x86;
        buf[13] = 0xdd;
        ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
        ip6->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + pay));
        ip6->proto = proto;
        ip6->hop_limits = 64;
        ip6->src_addr[0] = 0xfd;
        ip6->src_addr[15] = 1;
        ip6->dst_addr[0] = 0xfd;
        ip6->dst_addr[15] = 2;
    }
    p += l3;
    if (proto == IPPROTO_TCP) {
        struct rte_tcp_hdr *th = (void *)p;

        th->src_port = rte_cpu_to_be_16(5001);
        th->dst_port = rte_cpu_to_be_16(5201);
        th->sent_seq = rte_cpu_to_be_32(1000000);
        th->data_off = 5 << 4;
        th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG;
        th->rx_win = rte_cpu_to_be_16(512);
        th->cksum = 0xdead; /* garbage: must be overwritten */
    } else {
        struct rte_udp_hdr *uh = (void *)p;

        uh->src_port = rte_cpu_to_be_16(5001);
        uh->dst_port = rte_cpu_to_be_16(5201);
        uh->dgram_len = rte_cpu_to_be_16((uint16_t)(l4 + pay));
        uh->dgram_cksum = 0xdead;
    }
    for (off = 0; off < pay; off++)
        buf[hl + off] = (uint8_t)off;
    for (off = 0; off < len;) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
        uint16_t n = (uint16_t)RTE_MIN((uint32_t)segmax, len - off);

        memcpy(rte_pktmbuf_append(m, n), buf + off, n);
        if (!head) {
            head = m;
        } else {
            tail->next = m;
            head->nb_segs++;
            head->pkt_len += n;
        }
        tail = m;
        off += n;
    }
    free(buf);
    head->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
    return head;
}

static void make_large(struct rte_mbuf *m, int ipv, uint16_t mss)
{
    m->ol_flags |= RTE_MBUF_F_RX_LRO;
    m->tso_segsz = mss;
    m->packet_type = RTE_PTYPE_L4_TCP |
                     (ipv == 4 ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV6);
}

/* A segment as the wire got it, checked: tag, lengths, checksums, data. */
static void check_seg(struct rte_mbuf *s, int ipv, int vid, uint32_t seq0,
                      uint32_t payoff, uint32_t paylen, bool last)
{
    uint8_t flat[2048];
    const uint8_t *p = rte_pktmbuf_read(s, 0, s->pkt_len, flat);
    uint16_t l2 = vid >= 0 ? 18 : 14, l3 = ipv == 4 ? 20 : 40;
    const struct rte_tcp_hdr *th = (const void *)(p + l2 + l3);
    uint32_t i;

    CHECK(s->pkt_len <= sizeof(flat));
    CHECK_EQ(frame_vid(s), vid);
    CHECK_EQ(s->pkt_len, l2 + l3 + 20 + paylen);
    if (ipv == 4) {
        const struct rte_ipv4_hdr *ip = (const void *)(p + l2);

        CHECK_EQ(rte_be_to_cpu_16(ip->total_length), l3 + 20 + paylen);
        CHECK_EQ(rte_ipv4_cksum(ip), 0); /* sums to 0xffff: valid */
        CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, th), 0);
    } else {
        const struct rte_ipv6_hdr *ip6 = (const void *)(p + l2);

        CHECK_EQ(rte_be_to_cpu_16(ip6->payload_len), 20 + paylen);
        CHECK_EQ(rte_ipv6_udptcp_cksum_verify(ip6, th), 0);
    }
    CHECK_EQ(rte_be_to_cpu_32(th->sent_seq), seq0 + payoff);
    CHECK_EQ((th->tcp_flags & RTE_TCP_FIN_FLAG) != 0, last);
    for (i = 0; i < paylen; i++)
        if (p[l2 + l3 + 20 + i] != (uint8_t)(payoff + i))
            break;
    CHECK_EQ(i, paylen);
    CHECK(!(s->ol_flags & (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_TX_TCP_SEG)));
}

static void test_gso_tcp4_to_wire_tagged(void)
{
    struct rig r;
    unsigned i;

    rig_up(&r);
    /* 3 full segments and a short one, headers and payload over three
     * mbufs (as netback's chains). */
    struct rte_mbuf *m = l4_frame(MAC_X, MAC_A, 4, IPPROTO_TCP, 3500, 1500);
    make_large(m, 4, 1000);
    send_from(&r, r.a, m);
    CHECK_EQ(r.wire->ngot, 4);
    for (i = 0; i < r.wire->ngot && i < 4; i++)
        check_seg(r.wire->got[i], 4, 10, 1000000, i * 1000,
                  i < 3 ? 1000 : 500, i == 3);
    CHECK_EQ(r.l->ep.ofl.gso_frames, 1);
    CHECK_EQ(r.l->ep.ofl.gso_segs, 4);
    CHECK_EQ(r.l->ep.ofl.csum_sw, 4);
    /* The same frame to another VNIC (a vif takes metadata as is). */
    r.pc->port.flags |= VSW_PORT_F_OFFLOAD_META;
    m = l4_frame(MAC_C, MAC_A, 4, IPPROTO_TCP, 3500, 1500);
    make_large(m, 4, 1000);
    send_from(&r, r.a, m);
    CHECK_EQ(r.pc->ngot, 1);
    CHECK_EQ(r.pc->got[0]->pkt_len, 14 + 40 + 3500);
    CHECK(r.pc->got[0]->ol_flags & RTE_MBUF_F_RX_LRO);
    CHECK_EQ(r.pc->got[0]->tso_segsz, 1000);
    vsw_switch_destroy(r.sw);
    /* Every mbuf came back: segments held no stray references. */
    CHECK_EQ(rte_mempool_in_use_count(test_pool), 0);
}

static void test_gso_tcp6_to_wire(void)
{
    struct rig r;
    unsigned i;

    rig_up(&r);
    struct rte_mbuf *m = l4_frame(MAC_X, MAC_B, 6, IPPROTO_TCP, 2500, 1024);
    make_large(m, 6, 1000);
    send_from(&r, r.b, m);
    CHECK_EQ(r.wire->ngot, 3);
    for (i = 0; i < r.wire->ngot && i < 3; i++)
        check_seg(r.wire->got[i], 6, -1, 1000000, i * 1000,
                  i < 2 ? 1000 : 500, i == 2);
    CHECK_EQ(r.l->ep.ofl.gso_segs, 3);
    vsw_switch_destroy(r.sw);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), 0);
}

/* A blank UDP checksum to a host TAP-like VNIC (no metadata): filled. */
static void test_csum_to_plain_vnic(void)
{
    uint8_t flat[2048];
    struct rig r;

    rig_up(&r);
    struct rte_mbuf *m = l4_frame(MAC_C, MAC_A, 4, IPPROTO_UDP, 1000, 2048);
    send_from(&r, r.a, m);
    CHECK_EQ(r.pc->ngot, 1);
    if (r.pc->ngot == 1) {
        const uint8_t *p = rte_pktmbuf_read(r.pc->got[0], 0,
                                            r.pc->got[0]->pkt_len, flat);
        const struct rte_ipv4_hdr *ip = (const void *)(p + 14);

        CHECK_EQ(frame_vid(r.pc->got[0]), -1);
        CHECK_EQ(rte_ipv4_cksum(ip), 0);
        CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, p + 34), 0);
        CHECK_EQ(r.pc->got[0]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, 0);
    }
    CHECK_EQ(r.c->ep.ofl.csum_sw, 1);
    vsw_switch_destroy(r.sw);
}

/* A port that does checksums and TSO gets the large frame, flagged. */
static void test_hw_tso_port(void)
{
    struct rig r;

    rig_up(&r);
    r.wire->port.tx_offloads =
        RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
        RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    struct rte_mbuf *m = l4_frame(MAC_X, MAC_A, 4, IPPROTO_TCP, 3000, 2048);
    make_large(m, 4, 1000);
    send_from(&r, r.a, m);
    CHECK_EQ(r.wire->ngot, 1);
    if (r.wire->ngot == 1) {
        struct rte_mbuf *s = r.wire->got[0];
        const struct rte_ipv4_hdr *ip =
            rte_pktmbuf_mtod_offset(s, const void *, 18);
        const struct rte_tcp_hdr *th =
            rte_pktmbuf_mtod_offset(s, const void *, 38);

        CHECK_EQ(frame_vid(s), 10);
        CHECK(s->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
        CHECK(s->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
        CHECK_EQ(s->l2_len, 18);
        CHECK_EQ(s->l3_len, 20);
        CHECK_EQ(s->l4_len, 20);
        CHECK_EQ(s->tso_segsz, 1000);
        CHECK_EQ(th->cksum, rte_ipv4_phdr_cksum(ip, s->ol_flags));
    }
    CHECK_EQ(r.l->ep.ofl.tso_hw, 1);
    CHECK_EQ(r.l->ep.ofl.gso_frames, 0);
    vsw_switch_destroy(r.sw);
}

/* Offload metadata a guest made up: dropped and counted, never cut. */
static void test_bad_metadata(void)
{
    struct vsw_stats st;
    struct rig r;

    rig_up(&r);
    struct rte_mbuf *m = l4_frame(MAC_X, MAC_A, 4, IPPROTO_UDP, 3000, 2048);
    make_large(m, 4, 1000); /* GSO on UDP */
    send_from(&r, r.a, m);
    m = l4_frame(MAC_X, MAC_A, 4, IPPROTO_TCP, 3000, 2048);
    make_large(m, 4, 10); /* an MSS that would make 300 segments */
    send_from(&r, r.a, m);
    m = l4_frame(MAC_X, MAC_A, 4, IPPROTO_TCP, 3000, 2048);
    make_large(m, 4, 1000);
    rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->total_length = 9;
    send_from(&r, r.a, m);
    CHECK_EQ(r.wire->ngot, 0);
    CHECK_EQ(r.l->ep.ofl.bad, 3);
    vsw_link_stats_get(r.l, &st);
    CHECK_EQ(st.drops[VSW_DROP_VIF_ERROR], 3);
    vsw_switch_destroy(r.sw);
}

/*
 * Strict priority: a VNIC "hi" (high) and a VNIC "lo" (low) both send to
 * the wire more than it takes.  Each tick the port accepts PORT_PER_TICK
 * frames; hi offers HI_PER_TICK < PORT_PER_TICK, lo offers the rest.
 * @return the frames of hi the wire got, and its worst delay in ticks
 * once the port pushed back.
 */
#define TICKS 400
#define PORT_PER_TICK 16
#define HI_PER_TICK 8
#define LO_PER_TICK 24

struct prio_result {
    unsigned hi_got, lo_got, hi_late_max;
    uint64_t hi_dropped, lo_dropped;
};

static struct prio_result prio_run(enum lp_priority hi_prio)
{
    struct vsw_switch_params sp = {.pool = test_pool};
    struct vsw_switch *sw = vsw_switch_create(&sp);
    struct cap_port *wire = cap_new("wire0"), *ph, *pl;
    struct vsw_link *l = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS,
                                         &wire->port);
    struct vsw_vnic *hi = vnic_add(l, "hi0", MAC_A, 0, hi_prio, &ph);
    struct vsw_vnic *lo = vnic_add(l, "lo0", MAC_B, 0, LP_PRIO_LOW, &pl);
    struct prio_result res = {0};
    unsigned t, i;

    for (t = 0; t < TICKS; t++) {
        struct rte_mbuf *h[HI_PER_TICK], *o[LO_PER_TICK];

        /* Low first in the burst: without priority it would go first. */
        for (i = 0; i < LO_PER_TICK; i++)
            o[i] = frame(MAC_X, MAC_B, false, 0, 1000, (uint8_t)t);
        for (i = 0; i < HI_PER_TICK; i++)
            h[i] = frame(MAC_X, MAC_A, false, 0, 1000, (uint8_t)t);
        wire->tx_room = PORT_PER_TICK;
        vsw_vnic_input(lo, o, LO_PER_TICK, rte_rdtsc());
        vsw_vnic_input(hi, h, HI_PER_TICK, rte_rdtsc());
        vsw_switch_flush(sw, rte_rdtsc());
        for (i = 0; i < wire->ngot; i++) {
            const uint8_t *p = rte_pktmbuf_mtod(wire->got[i], uint8_t *);
            unsigned late = (uint8_t)(t - p[20]);

            if (p[11] == MAC_A[5]) {
                res.hi_got++;
                /* The first burst goes out in arrival order: the switch
                 * learns of congestion when the port pushes back. */
                if (t >= 2 && late > res.hi_late_max)
                    res.hi_late_max = late;
            } else {
                res.lo_got++;
            }
        }
        cap_clear(wire);
    }
    res.hi_dropped = l->ep.egst.dropped[hi_prio];
    res.lo_dropped = l->ep.egst.dropped[LP_PRIO_LOW];
    vsw_switch_destroy(sw);
    return res;
}

static void test_strict_priority(void)
{
    struct prio_result p = prio_run(LP_PRIO_HIGH);
    struct prio_result same = prio_run(LP_PRIO_LOW);

    printf("    priority high vs low, port %u/tick, offered %u hi + %u lo:\n"
           "      hi got %u/%u (max delay %u ticks), lo got %u, "
           "lo dropped %llu\n",
           PORT_PER_TICK, HI_PER_TICK, LO_PER_TICK, p.hi_got,
           TICKS * HI_PER_TICK, p.hi_late_max, p.lo_got,
           (unsigned long long)p.lo_dropped);
    printf("    both low: hi got %u/%u (max delay %u ticks), class "
           "dropped %llu\n",
           same.hi_got, TICKS * HI_PER_TICK, same.hi_late_max,
           (unsigned long long)same.lo_dropped);
    /* High priority: everything, at once; low takes what is left. */
    CHECK_EQ(p.hi_got, TICKS * HI_PER_TICK);
    CHECK_EQ(p.hi_late_max, 0);
    CHECK_EQ(p.hi_dropped, 0);
    CHECK(p.lo_got >= (TICKS - 1) * (PORT_PER_TICK - HI_PER_TICK));
    CHECK(p.lo_dropped > 0);
    /* The same load with equal priority: hi is delayed and loses. */
    CHECK(same.hi_got < TICKS * HI_PER_TICK);
    CHECK(same.hi_late_max > 0);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), 0);
}

/* A congested wire's queue drains with no new traffic, and a link
 * destroyed with frames queued lets go of them. */
static void test_egress_drain_and_destroy(void)
{
    struct rig r;
    struct rte_mbuf *m[20];
    unsigned i;

    rig_up(&r);
    for (i = 0; i < 20; i++)
        m[i] = frame(MAC_X, MAC_B, false, 0, 200, 1);
    r.wire->tx_room = 5;
    vsw_vnic_input(r.b, m, 20, rte_rdtsc());
    vsw_switch_flush(r.sw, rte_rdtsc());
    CHECK_EQ(r.wire->ngot, 5);
    r.wire->tx_room = 10;
    vsw_switch_flush(r.sw, rte_rdtsc()); /* nothing new: retried */
    CHECK_EQ(r.wire->ngot, 15);
    for (i = 0; i < 20; i++)
        m[i] = frame(MAC_X, MAC_B, false, 0, 200, 2);
    r.wire->tx_room = 0;
    vsw_vnic_input(r.b, m, 20, rte_rdtsc());
    vsw_switch_flush(r.sw, rte_rdtsc());
    CHECK_EQ(r.l->ep.egq != NULL, 1);
    vsw_vnic_destroy(r.a);
    vsw_vnic_destroy(r.b);
    vsw_vnic_destroy(r.c);
    CHECK_EQ(vsw_link_destroy(r.l), 0);
    vsw_switch_destroy(r.sw);
    CHECK_EQ(rte_mempool_in_use_count(test_pool), 0);
}

/* ---- coalescing toward a TAP (gro.c) ---- */

/* A TCP/IPv4 segment from the wire to b: @pay bytes from @seq (byte i of
 * the stream = i & 0xff), @flags, sums valid unless @bad. */
static struct rte_mbuf *wire_seg(uint16_t sport, uint32_t seq, uint32_t pay,
                                 uint8_t flags, bool bad)
{
    struct rte_mbuf *m = l4_frame(MAC_B, MAC_X, 4, IPPROTO_TCP, pay, 4096);
    struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, 14);
    struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, void *, 34);
    uint8_t *d = rte_pktmbuf_mtod_offset(m, uint8_t *, 54);
    uint32_t i;

    for (i = 0; i < pay; i++)
        d[i] = (uint8_t)(seq + i);
    th->src_port = rte_cpu_to_be_16(sport);
    th->sent_seq = rte_cpu_to_be_32(seq);
    th->recv_ack = rte_cpu_to_be_32(77);
    th->tcp_flags = flags;
    th->cksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    th->cksum = rte_ipv4_udptcp_cksum(ip, th);
    if (bad)
        th->cksum ^= 0x5a5a;
    m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
    return m;
}

/* Stream bytes @seq.. in @m's payload after @hl bytes of headers. */
static bool stream_ok(struct rte_mbuf *m, uint32_t hl, uint32_t seq)
{
    uint32_t i;

    for (i = hl; i < m->pkt_len; i++) {
        const uint8_t *b = rte_pktmbuf_mtod_offset(m, const uint8_t *, 0);
        struct rte_mbuf *s = m;
        uint32_t off = i;

        while (off >= s->data_len) {
            off -= s->data_len;
            s = s->next;
        }
        b = rte_pktmbuf_mtod_offset(s, const uint8_t *, off);
        if (*b != (uint8_t)(seq + i - hl))
            return false;
    }
    return true;
}

static void wire_burst(struct rig *r, struct rte_mbuf **m, uint16_t n)
{
    vsw_link_input(r->l, m, n, rte_rdtsc());
    vsw_switch_flush(r->sw, rte_rdtsc());
}

static void test_gro_to_tap(void)
{
    const uint8_t A = RTE_TCP_ACK_FLAG, P = RTE_TCP_PSH_FLAG;
    struct rte_mbuf *m[12];
    struct vsw_stats st;
    struct rig r;
    unsigned i;

    rig_up(&r);
    r.pb->port.flags = VSW_PORT_F_OFFLOAD_META | VSW_PORT_F_GRO;
    /* Five segments of one flow, the last with PSH: one large segment. */
    for (i = 0; i < 5; i++)
        m[i] = wire_seg(5001, 1000 + i * 1000, 1000, i == 4 ? A | P : A,
                        false);
    wire_burst(&r, m, 5);
    CHECK_EQ(r.pb->ngot, 1);
    if (r.pb->ngot == 1) {
        struct rte_mbuf *g = r.pb->got[0];
        const struct rte_ipv4_hdr *ip =
            rte_pktmbuf_mtod_offset(g, const void *, 14);
        const struct rte_tcp_hdr *th =
            rte_pktmbuf_mtod_offset(g, const void *, 34);

        CHECK_EQ(g->pkt_len, 54 + 5000);
        CHECK_EQ(g->nb_segs, 5);
        CHECK(g->ol_flags & RTE_MBUF_F_RX_LRO);
        CHECK_EQ(g->tso_segsz, 1000);
        CHECK_EQ(rte_be_to_cpu_16(ip->total_length), 40 + 5000);
        CHECK_EQ(rte_ipv4_cksum(ip), 0);
        CHECK_EQ(th->tcp_flags, A | P);
        CHECK_EQ(rte_be_to_cpu_32(th->sent_seq), 1000);
        CHECK(stream_ok(g, 54, 1000));
    }
    CHECK_EQ(r.b->ep.ofl.gro_frames, 1);
    CHECK_EQ(r.b->ep.ofl.gro_segs, 4);
    /* The VNIC counts the frames as they came. */
    vsw_vnic_stats_get(r.b, &st);
    CHECK_EQ(st.ipackets, 5);
    CHECK_EQ(st.rbytes, 5 * (54 + 1000));
    cap_clear(r.pb);

    /* Two flows interleaved, a bad checksum, a gap, a SYN, a short one:
     *   0 f1 s0   1 f2 s0   2 f1 s1   3 f1 s2 bad   4 f2 s1   5 f2 s3 (gap)
     *   6 f1 SYN  7 f3 s0 short(500)  8 f3 s500
     * f1 = 0+2, then 3 alone (bad), f2 = 1+4, 5 alone, 6 alone, f3 = 7
     * (a short first segment sets its MSS, so 8 (500) joins). */
    m[0] = wire_seg(1, 0, 1000, A, false);
    m[1] = wire_seg(2, 0, 1000, A, false);
    m[2] = wire_seg(1, 1000, 1000, A, false);
    m[3] = wire_seg(1, 2000, 1000, A, true);
    m[4] = wire_seg(2, 1000, 1000, A, false);
    m[5] = wire_seg(2, 3000, 1000, A, false);
    m[6] = wire_seg(1, 2000, 1000, A | RTE_TCP_SYN_FLAG, false);
    m[7] = wire_seg(3, 0, 500, A, false);
    m[8] = wire_seg(3, 500, 500, A, false);
    wire_burst(&r, m, 9);
    CHECK_EQ(r.pb->ngot, 6);
    if (r.pb->ngot == 6) {
        static const uint32_t len[6] = {2000, 2000, 1000, 1000, 1000, 1000};
        static const uint16_t port[6] = {1, 2, 1, 2, 1, 3};

        for (i = 0; i < 6; i++) {
            struct rte_mbuf *g = r.pb->got[i];
            const struct rte_tcp_hdr *th =
                rte_pktmbuf_mtod_offset(g, const void *, 34);

            CHECK_EQ(g->pkt_len - 54, len[i]);
            CHECK_EQ(rte_be_to_cpu_16(th->src_port), port[i]);
            CHECK_EQ((g->ol_flags & RTE_MBUF_F_RX_LRO) != 0, g->nb_segs > 1);
        }
        CHECK(stream_ok(r.pb->got[0], 54, 0));
        CHECK(stream_ok(r.pb->got[1], 54, 0));
        CHECK(stream_ok(r.pb->got[5], 54, 0));
    }
    vsw_vnic_stats_get(r.b, &st);
    CHECK_EQ(st.ipackets, 5 + 9);
    cap_clear(r.pb);

    /* A port without the flag gets the segments as they came. */
    r.pb->port.flags = VSW_PORT_F_OFFLOAD_META;
    for (i = 0; i < 3; i++)
        m[i] = wire_seg(5001, i * 1000, 1000, A, false);
    wire_burst(&r, m, 3);
    CHECK_EQ(r.pb->ngot, 3);
    vsw_switch_destroy(r.sw);
}

int main(void)
{
    if (test_eal_init() < 0) {
        fprintf(stderr, "cannot initialise DPDK's EAL\n");
        return 1;
    }
    RUN(test_gso_tcp4_to_wire_tagged);
    RUN(test_gso_tcp6_to_wire);
    RUN(test_csum_to_plain_vnic);
    RUN(test_hw_tso_port);
    RUN(test_bad_metadata);
    RUN(test_gro_to_tap);
    RUN(test_strict_priority);
    RUN(test_egress_drain_and_destroy);
    test_eal_done();
    return check_summary();
}
