/* SPDX-License-Identifier: MIT */
/*
 * Receive coalescing toward ports that pay per frame (a host TAP with a
 * vnet header: a system call and a trip through the host's stack; a
 * guest's vif that takes large segments: a ring slot, a response and the
 * guest's own per-frame work): the TCP segments of one flow in a burst
 * become one large segment (RTE_MBUF_F_RX_LRO, the MSS in tso_segsz), as
 * Linux's GRO does for a NIC.  The segments are chained, not copied.
 *
 * A segment joins the flow's head only when the result is what the
 * sender's stack would have made as one large segment: same Ethernet and
 * IP addresses, ports, IP header fields but length and ID (IPv4 without
 * options), TCP ack, window and options byte for byte, the next sequence
 * number, ACK and at most PSH set, a payload of the head's MSS (the last
 * may be shorter; after a short one the flow takes no more), and a TCP
 * checksum that verifies (unless the port that read it said so already):
 * the merged frame goes on with a partial checksum, which the receiving
 * stack does not verify again.  Anything else goes as it came.
 */
#define _GNU_SOURCE
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API /* rte_ipv{4,6}_udptcp_cksum_mbuf_verify */
#endif
#include <netinet/in.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "switch_pvt.h"

/* Flows open at once in one burst. */
#define GRO_FLOWS 8
/* Segments one merged frame may hold (a TAP write takes 64 iovecs). */
#define GRO_SEGS_MAX 44
#define GRO_LEN_MAX 65535u
#define TCP_ACK 0x10
#define TCP_PSH 0x08

struct gro_flow {
    struct rte_mbuf *head, *last;
    struct vsw_hdrs h;
    uint32_t next_seq; /* host order */
    uint16_t mss;
    uint16_t out; /* the head's place in the output */
    bool closed;  /* a short segment ended it */
};

static inline struct rte_tcp_hdr *tcp_of(struct rte_mbuf *m,
                                         const struct vsw_hdrs *h)
{
    return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, h->l2 + h->l3);
}

/* A plain TCP segment with data this file may take: @return its payload
 * length, 0 if it may not be merged. */
static uint32_t candidate(struct rte_mbuf *m, struct vsw_hdrs *h)
{
    const struct rte_tcp_hdr *th;
    uint32_t hl;

    if (m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) ||
        rte_mbuf_refcnt_read(m) != 1 || (m->ol_flags & RTE_MBUF_F_RX_LRO))
        return 0;
    if (vsw_hdrs_parse(m, h) < 0 || h->proto != IPPROTO_TCP)
        return 0;
    if (h->ipv == 4 && h->l3 != sizeof(struct rte_ipv4_hdr))
        return 0;
    th = tcp_of(m, h);
    if ((th->tcp_flags & ~TCP_PSH) != TCP_ACK)
        return 0;
    hl = (uint32_t)h->l2 + h->l3 + h->l4;
    if (m->pkt_len <= hl)
        return 0;
    /* What the IP header says must be the frame (no Ethernet padding). */
    if (h->ipv == 4) {
        const struct rte_ipv4_hdr *ip =
            rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, h->l2);

        if (rte_be_to_cpu_16(ip->total_length) != m->pkt_len - h->l2)
            return 0;
    } else {
        const struct rte_ipv6_hdr *ip =
            rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, h->l2);

        if (rte_be_to_cpu_16(ip->payload_len) != m->pkt_len - h->l2 - h->l3)
            return 0;
    }
    return m->pkt_len - hl;
}

static bool csum_ok(struct rte_mbuf *m, const struct vsw_hdrs *h)
{
    uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
    const void *l3 = rte_pktmbuf_mtod_offset(m, const void *, h->l2);

    if (ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
        return true;
    if (ck != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN)
        return false; /* bad, or blank (a partial checksum: left alone) */
    return (h->ipv == 4
                ? rte_ipv4_udptcp_cksum_mbuf_verify(m, l3, h->l2 + h->l3)
                : rte_ipv6_udptcp_cksum_mbuf_verify(m, l3, h->l2 + h->l3)) == 0;
}

/* Whether @m (headers @h) is @f's next segment. */
static bool same_flow(const struct gro_flow *f, struct rte_mbuf *m,
                      const struct vsw_hdrs *h)
{
    const uint8_t *a = rte_pktmbuf_mtod(f->head, const uint8_t *);
    const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
    const struct rte_tcp_hdr *ta = tcp_of(f->head, &f->h);
    const struct rte_tcp_hdr *tb = tcp_of(m, h);

    if (h->l2 != f->h.l2 || h->l3 != f->h.l3 || h->l4 != f->h.l4 ||
        h->ipv != f->h.ipv || memcmp(a, b, h->l2) != 0)
        return false;
    if (h->ipv == 4) {
        const struct rte_ipv4_hdr *x = (const void *)(a + h->l2);
        const struct rte_ipv4_hdr *y = (const void *)(b + h->l2);

        if (x->src_addr != y->src_addr || x->dst_addr != y->dst_addr ||
            x->type_of_service != y->type_of_service ||
            x->time_to_live != y->time_to_live ||
            x->fragment_offset != y->fragment_offset)
            return false;
    } else {
        const struct rte_ipv6_hdr *x = (const void *)(a + h->l2);
        const struct rte_ipv6_hdr *y = (const void *)(b + h->l2);

        if (memcmp(x->src_addr, y->src_addr, 32) != 0 ||
            x->vtc_flow != y->vtc_flow || x->hop_limits != y->hop_limits)
            return false;
    }
    /* Ports, ack, window and the options: all but seq, flags and sum. */
    return ta->src_port == tb->src_port && ta->dst_port == tb->dst_port &&
           ta->recv_ack == tb->recv_ack && ta->rx_win == tb->rx_win &&
           ta->data_off == tb->data_off &&
           memcmp(ta + 1, tb + 1, h->l4 - sizeof(*ta)) == 0;
}

/* Give the merged head its headers' lengths, sums and metadata. */
static void finish(struct gro_flow *f)
{
    struct rte_mbuf *m = f->head;
    uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, f->h.l2);

    if (m->nb_segs == 1)
        return;
    if (f->h.ipv == 4) {
        struct rte_ipv4_hdr *ip = (void *)l3;

        ip->total_length = rte_cpu_to_be_16((uint16_t)(m->pkt_len - f->h.l2));
        ip->hdr_checksum = 0;
        ip->hdr_checksum = rte_ipv4_cksum(ip);
    } else {
        struct rte_ipv6_hdr *ip = (void *)l3;

        ip->payload_len =
            rte_cpu_to_be_16((uint16_t)(m->pkt_len - f->h.l2 - f->h.l3));
    }
    /* The TAP writes the pseudo header's sum in and says NEEDS_CSUM. */
    m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) |
                  RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_LRO;
    m->tso_segsz = f->mss;
    m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L4_TCP |
                     (f->h.ipv == 4 ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV6);
}

/* Chain @m's payload behind @f; @len its payload. */
static void append(struct gro_flow *f, struct rte_mbuf *m, uint32_t len)
{
    struct rte_tcp_hdr *th = tcp_of(m, &f->h);

    tcp_of(f->head, &f->h)->tcp_flags |= th->tcp_flags & TCP_PSH;
    rte_pktmbuf_adj(m, (uint16_t)(f->h.l2 + f->h.l3 + f->h.l4));
    f->last->next = m;
    f->last = m;
    f->head->nb_segs++;
    f->head->pkt_len += m->pkt_len;
    m->pkt_len = m->data_len;
    f->next_seq += len;
    if (len < f->mss)
        f->closed = true;
}

uint16_t vsw_gro_burst(struct vsw_ep *ep, struct rte_mbuf **pkts, uint16_t n,
                       uint16_t *cnt, uint32_t *len_of)
{
    struct gro_flow fl[GRO_FLOWS];
    unsigned nf = 0, i, j;
    uint16_t out = 0;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        struct vsw_hdrs h;
        uint32_t len = candidate(m, &h);
        struct gro_flow *f = NULL;

        if (len == 0) {
            cnt[out] = cnt[i];
            len_of[out] = len_of[i];
            pkts[out++] = m;
            continue;
        }
        for (j = 0; j < nf; j++)
            if (same_flow(&fl[j], m, &h)) {
                f = &fl[j];
                break;
            }
        if (f && !f->closed && len <= f->mss &&
            rte_be_to_cpu_32(tcp_of(m, &h)->sent_seq) == f->next_seq &&
            f->head->nb_segs < GRO_SEGS_MAX &&
            f->head->pkt_len + len <= GRO_LEN_MAX + f->h.l2 &&
            !(tcp_of(f->head, &f->h)->tcp_flags & TCP_PSH) && csum_ok(m, &h)) {
            append(f, m, len);
            cnt[f->out] += cnt[i];
            len_of[f->out] += len_of[i];
            ep->ofl.gro_segs++;
            continue;
        }
        cnt[out] = cnt[i];
        len_of[out] = len_of[i];
        pkts[out++] = m;
        if (f) /* out of order, or a new start: the flow ends here */
            f->closed = true;
        if (f || nf == GRO_FLOWS || !csum_ok(m, &h))
            continue;
        f = &fl[nf++];
        *f = (struct gro_flow){
            .head = m,
            .last = m,
            .h = h,
            .out = out - 1,
            .next_seq = rte_be_to_cpu_32(tcp_of(m, &h)->sent_seq) + len,
            .mss = (uint16_t)len};
    }
    for (j = 0; j < nf; j++) {
        if (fl[j].head->nb_segs > 1)
            ep->ofl.gro_frames++;
        finish(&fl[j]);
    }
    return out;
}
