/* SPDX-License-Identifier: MIT */
/*
 * vnet.c - virtio_net_hdr <-> netif offload translation.
 *
 * The two headers do not carry the same things: virtio_net_hdr says where
 * a partial checksum starts and where its field is, netif only says "blank"
 * and leaves the receiver to find the TCP/UDP header.  So every partial
 * checksum crossing here is checked against what a parser finds, and frames
 * are read with explicit bounds: the TAP side is the guest's kernel, the
 * netif side a backend, and neither is trusted with our memory.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "xnftap/xnftap.h"

#define ETH_HDR 14u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88a8u
#define MAX_TAGS 2u
#define MAX_IPV6_EXT 8u
#define TCP_CSUM_OFF 16u
#define UDP_CSUM_OFF 6u

static uint16_t rd16be(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Returns the L4 protocol and sets *l4 past the IPv4 header; -errno. */
static int parse_ipv4(const uint8_t *p, uint32_t off, uint32_t len,
                      uint32_t *l4)
{
    uint32_t ihl;

    if (off + 20 > len || (p[off] >> 4) != 4)
        return -EINVAL;
    ihl = (p[off] & 0xfu) * 4u;
    if (ihl < 20 || off + ihl > len)
        return -EINVAL;
    /* A fragment has no (or only part of an) L4 header to checksum. */
    if (rd16be(p + off + 6) & 0x3fffu)
        return -EPROTONOSUPPORT;
    *l4 = off + ihl;
    return p[off + 9];
}

static bool ipv6_ext(uint8_t nh)
{
    return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
           nh == IPPROTO_DSTOPTS;
}

static int parse_ipv6(const uint8_t *p, uint32_t off, uint32_t len,
                      uint32_t *l4)
{
    uint32_t at = off + 40, i;
    uint8_t nh;

    if (off + 40 > len || (p[off] >> 4) != 6)
        return -EINVAL;
    nh = p[off + 6];
    for (i = 0; i < MAX_IPV6_EXT && ipv6_ext(nh); i++) {
        if (at + 8 > len)
            return -EINVAL;
        nh = p[at];
        at += (p[at + 1] + 1u) * 8u;
    }
    if (at > len)
        return -EINVAL;
    *l4 = at;
    return nh; /* a fragment header or a 9th extension: not TCP/UDP */
}

int xnftap_parse(const void *frame, uint32_t len, struct xnftap_l4 *o)
{
    const uint8_t *p = frame;
    uint32_t off = ETH_HDR, l4 = 0, hl, tags = 0;
    uint16_t type;
    int proto;

    if (len < ETH_HDR)
        return -EINVAL;
    type = rd16be(p + 12);
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
        if (++tags > MAX_TAGS || off + 4 > len)
            return -EINVAL;
        type = rd16be(p + off + 2);
        off += 4;
    }
    if (type == ETHERTYPE_IPV4)
        proto = parse_ipv4(p, off, len, &l4);
    else if (type == ETHERTYPE_IPV6)
        proto = parse_ipv6(p, off, len, &l4);
    else
        return -EPROTONOSUPPORT;
    if (proto < 0)
        return proto;
    if (proto == IPPROTO_TCP) {
        if (l4 + 20 > len)
            return -EINVAL;
        hl = (p[l4 + 12] >> 4) * 4u;
        if (hl < 20 || l4 + hl > len)
            return -EINVAL;
        o->csum_off = TCP_CSUM_OFF;
    } else if (proto == IPPROTO_UDP) {
        hl = 8;
        if (l4 + hl > len)
            return -EINVAL;
        o->csum_off = UDP_CSUM_OFF;
    } else {
        return -EPROTONOSUPPORT;
    }
    o->l3_off = (uint16_t)off;
    o->l4_off = (uint16_t)l4;
    o->l3 = type == ETHERTYPE_IPV4 ? 4 : 6;
    o->proto = (uint8_t)proto;
    o->l4_hlen = (uint8_t)hl;
    return 0;
}

/* One's-complement sum of @len bytes, in native order (RFC 1071: the
 * folded result stored natively is right in network order too). */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
    uint32_t w32;
    uint16_t w16 = 0;

    for (; len >= 4; p += 4, len -= 4) {
        memcpy(&w32, p, 4);
        sum += w32;
    }
    if (len >= 2) {
        memcpy(&w16, p, 2);
        sum += w16;
        p += 2;
        len -= 2;
    }
    if (len) {
        w16 = 0;
        memcpy(&w16, p, 1); /* the odd byte is the high half of a word */
        sum += w16;
    }
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)sum;
}

/* Finish a partial checksum: the field already holds the pseudo-header
 * sum, so summing from csum_start to the end and complementing is all. */
static void csum_finish(uint8_t *p, uint32_t len, uint32_t start, uint32_t coff)
{
    uint16_t c = (uint16_t)~csum_fold(csum_add(0, p + start, len - start));

    if (c == 0 && coff == UDP_CSUM_OFF)
        c = 0xffff; /* 0 means "no checksum" to UDP */
    memcpy(p + start + coff, &c, 2);
}

/* Write the TCP pseudo-header sum (not complemented) into the checksum
 * field: what a CHECKSUM_PARTIAL large segment must carry. */
static void pseudo_rewrite(uint8_t *p, uint32_t len, const struct xnftap_l4 *l4)
{
    uint32_t l4len = len - l4->l4_off;
    uint64_t sum = 0;
    uint16_t c;

    if (l4->l3 == 4) {
        sum = csum_add(sum, p + l4->l3_off + 12, 8);
        sum += htons((uint16_t)l4len);
        sum += htons(l4->proto);
    } else {
        sum = csum_add(sum, p + l4->l3_off + 8, 32);
        sum += htonl(l4len);
        sum += htonl(l4->proto);
    }
    c = csum_fold(sum);
    memcpy(p + l4->l4_off + l4->csum_off, &c, 2);
}

static int gso_to_offload(const struct virtio_net_hdr *h, void *frame,
                          uint32_t hlen, uint32_t len, uint32_t be,
                          struct netif_offload *off)
{
    struct xnftap_l4 l4;
    uint32_t need;
    uint8_t l3, xtype;

    if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4) {
        l3 = 4;
        xtype = XEN_NETIF_GSO_TYPE_TCPV4;
        need = NETIF_F_GSO_TCPV4;
    } else if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6) {
        l3 = 6;
        xtype = XEN_NETIF_GSO_TYPE_TCPV6;
        need = NETIF_F_GSO_TCPV6 | NETIF_F_IPV6_CSUM;
    } else {
        return -EINVAL; /* ECN, UDP or unknown: never enabled */
    }
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->gso_size == 0 ||
        h->hdr_len > len)
        return -EINVAL;
    if (xnftap_parse(frame, hlen, &l4) < 0 || l4.l3 != l3 ||
        l4.proto != IPPROTO_TCP || h->csum_start != l4.l4_off ||
        h->csum_offset != TCP_CSUM_OFF)
        return -EINVAL;
    if ((be & need) != need)
        return -EOPNOTSUPP;
    off->flags = NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO;
    off->gso_size = h->gso_size;
    off->gso_type = xtype;
    return 0;
}

int xnftap_hdr_to_offload(const struct virtio_net_hdr *h, void *frame,
                          uint32_t hlen, uint32_t len, uint32_t be,
                          struct netif_offload *off)
{
    const uint8_t known =
        VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
    struct xnftap_l4 l4;
    uint32_t start, coff;

    memset(off, 0, sizeof(*off));
    if (hlen > len)
        hlen = len;
    if (len < ETH_HDR || (h->flags & ~known))
        return -EINVAL;
    if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
        return gso_to_offload(h, frame, hlen, len, be, off);
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
            off->flags = NETIF_OFF_DATA_VALIDATED;
        return 0;
    }
    start = h->csum_start;
    coff = h->csum_offset;
    if (start < ETH_HDR || start + coff + 2 > len)
        return -EINVAL;
    if (xnftap_parse(frame, hlen, &l4) == 0 && l4.l4_off == start &&
        l4.csum_off == coff && (l4.l3 == 4 || (be & NETIF_F_IPV6_CSUM))) {
        off->flags = NETIF_OFF_CSUM_BLANK;
        return 0;
    }
    if (hlen < len)
        return -EAGAIN;
    csum_finish(frame, len, start, coff);
    return XNFTAP_CSUM_DONE;
}

int xnftap_offload_to_hdr(const struct netif_offload *off, void *frame,
                          uint32_t hlen, uint32_t len, struct virtio_net_hdr *h)
{
    struct xnftap_l4 l4;

    memset(h, 0, sizeof(*h));
    if (off->flags & NETIF_OFF_GSO) {
        uint8_t l3 = off->gso_type == XEN_NETIF_GSO_TYPE_TCPV4   ? 4
                     : off->gso_type == XEN_NETIF_GSO_TYPE_TCPV6 ? 6
                                                                 : 0;

        if (!l3 || off->gso_size == 0 ||
            xnftap_parse(frame, hlen < len ? hlen : len, &l4) < 0 ||
            l4.l3 != l3 || l4.proto != IPPROTO_TCP)
            return -EINVAL;
        if (!(off->flags & NETIF_OFF_CSUM_BLANK))
            pseudo_rewrite(frame, len, &l4);
        h->gso_type =
            l3 == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
        h->gso_size = off->gso_size;
        h->hdr_len = (uint16_t)(l4.l4_off + l4.l4_hlen);
    } else if (off->flags & NETIF_OFF_CSUM_BLANK) {
        if (xnftap_parse(frame, hlen < len ? hlen : len, &l4) < 0)
            return -EINVAL;
    } else {
        if (off->flags & NETIF_OFF_DATA_VALIDATED)
            h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
        return 0;
    }
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = l4.l4_off;
    h->csum_offset = l4.csum_off;
    return 0;
}
