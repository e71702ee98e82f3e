/* SPDX-License-Identifier: MIT */
/*
 * Large segments and partial checksums toward ports that cannot take them
 * as metadata (the wire, a host TAP without a vnet header).
 *
 * A guest's vif hands the switch frames as netif describes them: with the
 * L4 checksum blank (RTE_MBUF_F_RX_L4_CKSUM_NONE) and, for TCP, possibly
 * one large segment (RTE_MBUF_F_RX_LRO, MSS in tso_segsz).  Between VNICs
 * whose ports say VSW_PORT_F_OFFLOAD_META they travel as they are.  Toward
 * any other port this file makes them complete:
 *  - TCP/IPv4 is cut with DPDK's GSO library; TCP/IPv6 (which the 22.11
 *    library lacks) by gso6_segment() below, in the same way: each
 *    segment is a fresh header mbuf plus indirect mbufs on the payload,
 *    so the payload is never copied and the original is never edited;
 *  - checksums (IPv4 header, TCP/UDP) are filled in, or left to the port
 *    when its tx_offloads say it does them (TSO too);
 *  - the VNIC's VLAN tag is inserted after segmentation, into each
 *    segment's private header mbuf.
 * Everything a guest controls (lengths, MSS, header fields) is checked
 * before it is used; a frame that does not parse is dropped and counted
 * (ofl.bad).
 */
#define _GNU_SOURCE
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API /* rte_ipv{4,6}_udptcp_cksum_mbuf */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "switch_pvt.h"

#define VLAN_HLEN 4
/* Smallest MSS taken (Linux's TCP_MIN_MSS): bounds the segment count. */
#define GSO_MSS_MIN 88
/* Most segments one frame may become: 64 KiB / GSO_MSS_MIN. */
#define GSO_SEGS_MAX 768
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/*
 * Parse Ethernet (an 802.1Q tag allowed), IPv4 without fragments or IPv6
 * without extension headers, then TCP or UDP; all headers must lie in the
 * first segment.  @return 0 or -EINVAL.
 */
int vsw_hdrs_parse(const struct rte_mbuf *m, struct vsw_hdrs *h)
{
    const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
    uint32_t room = m->data_len, l4off;
    uint16_t et;

    if (room < RTE_ETHER_HDR_LEN)
        return -EINVAL;
    h->l2 = RTE_ETHER_HDR_LEN;
    et = (uint16_t)(p[12] << 8 | p[13]);
    if (et == RTE_ETHER_TYPE_VLAN) {
        if (room < RTE_ETHER_HDR_LEN + VLAN_HLEN)
            return -EINVAL;
        h->l2 += VLAN_HLEN;
        et = (uint16_t)(p[16] << 8 | p[17]);
    }
    if (et == RTE_ETHER_TYPE_IPV4) {
        const struct rte_ipv4_hdr *ip = (const void *)(p + h->l2);

        if (room < h->l2 + sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
            (ip->version_ihl & 0xf) < 5 ||
            (rte_be_to_cpu_16(ip->fragment_offset) &
             (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
            return -EINVAL;
        h->ipv = 4;
        h->l3 = (uint16_t)((ip->version_ihl & 0xf) * 4);
        h->proto = ip->next_proto_id;
        if (rte_be_to_cpu_16(ip->total_length) != m->pkt_len - h->l2)
            return -EINVAL;
    } else if (et == RTE_ETHER_TYPE_IPV6) {
        const struct rte_ipv6_hdr *ip6 = (const void *)(p + h->l2);

        if (room < h->l2 + sizeof(*ip6) ||
            rte_be_to_cpu_16(ip6->payload_len) !=
                m->pkt_len - h->l2 - sizeof(*ip6))
            return -EINVAL;
        h->ipv = 6;
        h->l3 = sizeof(*ip6);
        h->proto = ip6->proto;
    } else {
        return -EINVAL;
    }
    l4off = (uint32_t)h->l2 + h->l3;
    if (h->proto == IPPROTO_TCP) {
        const struct rte_tcp_hdr *th = (const void *)(p + l4off);

        if (room < l4off + sizeof(*th) || (th->data_off >> 4) < 5)
            return -EINVAL;
        h->l4 = (uint16_t)((th->data_off >> 4) * 4);
    } else if (h->proto == IPPROTO_UDP) {
        h->l4 = sizeof(struct rte_udp_hdr);
    } else {
        return -EINVAL;
    }
    return room < l4off + h->l4 ? -EINVAL : 0;
}

/* ---- TCP/IPv6 segmentation (not in DPDK 22.11's GSO library) ---- */

/* Chain indirect mbufs onto @hdr covering [off, off + len) of @pkt. */
static int payload_attach(struct rte_mbuf *hdr, struct rte_mbuf *pkt,
                          uint32_t off, uint32_t len, struct rte_mempool *mp)
{
    struct rte_mbuf *seg = pkt, *tail = hdr;
    uint32_t base = 0;

    while (seg && base + seg->data_len <= off) {
        base += seg->data_len;
        seg = seg->next;
    }
    while (len) {
        uint32_t from, take;
        struct rte_mbuf *ind;

        if (!seg)
            return -EINVAL;
        from = off - base;
        take = RTE_MIN(len, (uint32_t)seg->data_len - from);
        ind = rte_pktmbuf_alloc(mp);
        if (!ind)
            return -ENOMEM;
        rte_pktmbuf_attach(ind, seg);
        ind->data_off = (uint16_t)(seg->data_off + from);
        ind->data_len = (uint16_t)take;
        ind->pkt_len = take;
        tail->next = ind;
        tail = ind;
        hdr->nb_segs++;
        hdr->pkt_len += take;
        off += take;
        len -= take;
        base += seg->data_len;
        seg = seg->next;
    }
    return 0;
}

static int gso6_segment(struct rte_mbuf *pkt, const struct vsw_hdrs *h,
                        uint16_t mss, struct rte_mempool *mp,
                        struct rte_mbuf **out, unsigned max)
{
    uint32_t hl = (uint32_t)h->l2 + h->l3 + h->l4;
    uint32_t pay = pkt->pkt_len - hl, off = hl, seq;
    const struct rte_tcp_hdr *th0 =
        rte_pktmbuf_mtod_offset(pkt, const void *, h->l2 + h->l3);
    unsigned n = (pay + mss - 1) / mss, i;

    if (n > max)
        return -EINVAL;
    seq = rte_be_to_cpu_32(th0->sent_seq);
    for (i = 0; i < n; i++) {
        uint32_t len = RTE_MIN((uint32_t)mss, pkt->pkt_len - off);
        struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
        struct rte_ipv6_hdr *ip6;
        struct rte_tcp_hdr *th;
        char *p;

        if (!s || !(p = rte_pktmbuf_append(s, (uint16_t)hl)) ||
            payload_attach(s, pkt, off, len, mp) < 0) {
            rte_pktmbuf_free(s);
            while (i)
                rte_pktmbuf_free(out[--i]);
            return -ENOMEM;
        }
        memcpy(p, rte_pktmbuf_mtod(pkt, const void *), hl);
        ip6 = (struct rte_ipv6_hdr *)(p + h->l2);
        th = (struct rte_tcp_hdr *)(p + h->l2 + h->l3);
        ip6->payload_len = rte_cpu_to_be_16((uint16_t)(h->l4 + len));
        th->sent_seq = rte_cpu_to_be_32(seq + (off - hl));
        if (i + 1 < n)
            th->tcp_flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
        if (i > 0)
            th->tcp_flags &= (uint8_t)~TCP_CWR;
        out[i] = s;
        off += len;
    }
    return (int)n;
}

/* ---- checksums ---- */

/*
 * Fill in @m's checksums, or have the port do it when @txo allows
 * (tso: the port also segments, MSS in tso_segsz).  Headers are private.
 */
static void csum_fill(struct vsw_ep *ep, struct rte_mbuf *m,
                      const struct vsw_hdrs *h, uint64_t txo, bool tso)
{
    char *p = rte_pktmbuf_mtod(m, char *);
    void *l3 = p + h->l2, *l4 = p + h->l2 + h->l3;
    /* Both checksum fields as raw bytes (the headers are packed). */
    char *ckp = (char *)l4 + (h->proto == IPPROTO_TCP
                                  ? offsetof(struct rte_tcp_hdr, cksum)
                                  : offsetof(struct rte_udp_hdr, dgram_cksum));
    uint16_t ck = 0;
    uint64_t l4f = h->proto == IPPROTO_TCP ? RTE_ETH_TX_OFFLOAD_TCP_CKSUM
                                           : RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
    bool hw = tso || ((txo & l4f) &&
                      (h->ipv == 6 || (txo & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)));

    m->ol_flags &= ~(RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_LRO);
    if (h->ipv == 4) {
        struct rte_ipv4_hdr *ip = l3;

        ip->hdr_checksum = 0;
        if (!hw)
            ip->hdr_checksum = rte_ipv4_cksum(ip);
    }
    memcpy(ckp, &ck, 2);
    if (!hw) {
        ck = h->ipv == 4 ? rte_ipv4_udptcp_cksum_mbuf(m, l3, h->l2 + h->l3)
                         : rte_ipv6_udptcp_cksum_mbuf(m, l3, h->l2 + h->l3);
        memcpy(ckp, &ck, 2);
        ep->ofl.csum_sw++;
        return;
    }
    m->l2_len = h->l2;
    m->l3_len = h->l3;
    m->l4_len = h->l4;
    m->ol_flags |= (h->ipv == 4 ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM
                                : RTE_MBUF_F_TX_IPV6) |
                   (h->proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM
                                            : RTE_MBUF_F_TX_UDP_CKSUM) |
                   (tso ? RTE_MBUF_F_TX_TCP_SEG : 0);
    ck = h->ipv == 4 ? rte_ipv4_phdr_cksum(l3, m->ol_flags)
                     : rte_ipv6_phdr_cksum(l3, m->ol_flags);
    memcpy(ckp, &ck, 2);
    if (tso)
        ep->ofl.tso_hw++;
    else
        ep->ofl.csum_hw++;
}

/* Insert the tag; a port doing checksums must know the longer L2. */
static int tag_put(struct rte_mbuf *m, uint16_t vid)
{
    if (vid == LP_VID_NONE)
        return 0;
    if (vsw_tag_insert(m, vid) < 0)
        return -ENOMEM;
    if (m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK |
                       RTE_MBUF_F_TX_TCP_SEG))
        m->l2_len += VLAN_HLEN;
    return 0;
}

static void seg_out(struct vsw_worker *w, struct vsw_ep *ep,
                    struct rte_mbuf *s, const struct vsw_hdrs *h, uint64_t txo,
                    uint16_t vid, uint8_t tc)
{
    s->hash.sched.traffic_class = tc;
    csum_fill(ep, s, h, txo, false);
    if (tag_put(s, vid) < 0) {
        vsw_drop(ep->stats, VSW_DROP_NOBUF);
        rte_pktmbuf_free(s);
        return;
    }
    vsw_ep_put(w, ep, s);
}

/* Cut @m (a large TCP segment) in software.  Consumes @m. */
static void gso_sw(struct vsw_worker *w, struct vsw_ep *ep,
                   struct rte_mbuf *m, const struct vsw_hdrs *h, uint64_t txo,
                   uint16_t vid)
{
    struct rte_mbuf *segs[GSO_SEGS_MAX];
    struct rte_mempool *pool = w->sw->pool;
    uint8_t tc = m->hash.sched.traffic_class;
    int n, i;

    if (h->ipv == 4) {
        struct rte_gso_ctx ctx = {
            .direct_pool = pool,
            .indirect_pool = pool,
            .gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
            .gso_size = (uint16_t)(h->l2 + h->l3 + h->l4 + m->tso_segsz),
        };

        m->l2_len = h->l2;
        m->l3_len = h->l3;
        m->l4_len = h->l4;
        m->ol_flags &= ~(RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_LRO);
        m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4;
        n = rte_gso_segment(m, &ctx, segs, GSO_SEGS_MAX);
    } else {
        n = gso6_segment(m, h, m->tso_segsz, pool, segs, GSO_SEGS_MAX);
    }
    if (n <= 0) {
        /* 0: the library would not cut it (no payload after all). */
        if (n == 0)
            ep->ofl.bad++;
        vsw_drop(ep->stats, n == 0 ? VSW_DROP_VIF_ERROR : VSW_DROP_NOBUF);
        rte_pktmbuf_free(m);
        return;
    }
    ep->ofl.gso_frames++;
    ep->ofl.gso_segs += (uint64_t)n;
    rte_pktmbuf_free(m); /* the segments hold their own references */
    for (i = 0; i < n; i++) {
        segs[i]->ol_flags &= ~(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4);
        seg_out(w, ep, segs[i], h, txo, vid, tc);
    }
}

void vsw_ofl_put(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m,
                 uint16_t vid)
{
    struct vsw_port *port = __atomic_load_n(&ep->port, __ATOMIC_ACQUIRE);
    uint64_t txo = port ? port->tx_offloads : 0;
    bool blank = (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
                 RTE_MBUF_F_RX_L4_CKSUM_NONE;
    bool large = (m->ol_flags & RTE_MBUF_F_RX_LRO) != 0;
    struct vsw_hdrs h;

    if (!port || (port->flags & VSW_PORT_F_OFFLOAD_META) ||
        (!blank && !large))
        goto out; /* nothing to do, or the port takes the metadata */
    if (vsw_hdrs_parse(m, &h) < 0 ||
        (large && (h.proto != IPPROTO_TCP || m->tso_segsz < GSO_MSS_MIN))) {
        ep->ofl.bad++;
        vsw_drop(ep->stats, VSW_DROP_VIF_ERROR);
        rte_pktmbuf_free(m);
        return;
    }
    if (large && m->pkt_len > (uint32_t)h.l2 + h.l3 + h.l4 + m->tso_segsz) {
        if ((txo & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
            (txo & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) && RTE_MBUF_DIRECT(m) &&
            rte_mbuf_refcnt_read(m) == 1) {
            csum_fill(ep, m, &h, txo, true);
            goto out;
        }
        gso_sw(w, ep, m, &h, txo, vid);
        return;
    }
    /* One frame: its checksum is edited in place, so it must be ours. */
    if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) > 1) {
        struct rte_mbuf *c = rte_pktmbuf_copy(m, w->sw->pool, 0, UINT32_MAX);

        rte_pktmbuf_free(m);
        if (!c) {
            vsw_drop(ep->stats, VSW_DROP_NOBUF);
            return;
        }
        m = c;
    }
    m->tso_segsz = 0;
    csum_fill(ep, m, &h, txo, false);
out:
    if (tag_put(m, vid) < 0) {
        vsw_drop(ep->stats, VSW_DROP_NOBUF);
        rte_pktmbuf_free(m);
        return;
    }
    vsw_ep_put(w, ep, m);
}
