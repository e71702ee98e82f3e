/* SPDX-License-Identifier: MIT */
/*
 * libxnftap header translation: virtio_net_hdr <-> netif offload flags,
 * the frame parser behind it, and the software checksum fallback, checked
 * against frames built here and a byte-wise reference checksum.  Every
 * truncation of a frame is fed to the parser (under ASan in make test).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "check.h"
#include "xnftap/xnftap.h"

#define ALL_BE                                                              \
    (NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4 | NETIF_F_GSO_TCPV6 |     \
     NETIF_F_IPV6_CSUM)

static uint8_t frame[8192];

/* Big-endian one's-complement sum, byte by byte: the reference. */
static uint32_t ref_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
    uint32_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Pseudo-header sum of the L4 part starting at @l4 (IPv4 at 14 or IPv6 at
 * @l3). */
static uint32_t ref_pseudo(const uint8_t *p, uint32_t len, uint32_t l3,
                           uint32_t l4, int v6, uint8_t proto)
{
    uint32_t sum = v6 ? ref_sum(p + l3 + 8, 32, 0) : ref_sum(p + l3 + 12, 8, 0);

    return sum + proto + (len - l4);
}

/* True if the L4 checksum of the frame is right. */
static int ref_valid(const uint8_t *p, uint32_t len, uint32_t l3, uint32_t l4,
                     int v6, uint8_t proto)
{
    return ref_fold(ref_sum(p + l4, len - l4,
                            ref_pseudo(p, len, l3, l4, v6, proto))) == 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Ethernet (+ @vlan tag) + IPv4/IPv6 (+ a hop-by-hop header for v6) +
 * TCP/UDP + @pay bytes.  The L4 checksum field holds the pseudo-header sum,
 * as a partial checksum from the kernel does.  Returns the length. */
static uint32_t build(int v6, int vlan, uint8_t proto, uint32_t pay)
{
    uint32_t l3 = 14, l4, hl = proto == IPPROTO_TCP ? 20 : 8, len, i;
    uint8_t *p = frame;

    memset(frame, 0, sizeof(frame));
    memcpy(p, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
    if (vlan) {
        put16(p + 12, 0x8100);
        put16(p + 14, 10);
        l3 = 18;
    }
    put16(p + l3 - 2, v6 ? 0x86dd : 0x0800);
    if (v6) {
        p[l3] = 0x60;
        p[l3 + 6] = IPPROTO_HOPOPTS;
        p[l3 + 7] = 64;
        for (i = 0; i < 32; i++)
            p[l3 + 8 + i] = (uint8_t)(0xfd + i);
        p[l3 + 40] = proto; /* hop-by-hop: next header, length 0 (8 B) */
        l4 = l3 + 48;
    } else {
        p[l3] = 0x45;
        p[l3 + 8] = 64;
        p[l3 + 9] = proto;
        memcpy(p + l3 + 12, "\x0a\x63\x00\x01\x0a\x63\x00\x02", 8);
        l4 = l3 + 20;
    }
    len = l4 + hl + pay;
    if (!v6)
        put16(p + l3 + 2, (uint16_t)(len - l3));
    put16(p + l4, 40000);
    put16(p + l4 + 2, 5201);
    if (proto == IPPROTO_TCP)
        p[l4 + 12] = 0x50;
    else
        put16(p + l4 + 4, (uint16_t)(len - l4));
    for (i = l4 + hl; i < len; i++)
        p[i] = (uint8_t)(i * 7 + 3);
    put16(p + l4 + (proto == IPPROTO_TCP ? 16 : 6),
          ref_fold(ref_pseudo(p, len, l3, l4, v6, proto)));
    return len;
}

static void test_parse(void)
{
    struct xnftap_l4 o;
    uint32_t len, n;

    len = build(0, 0, IPPROTO_TCP, 100);
    CHECK_EQ(xnftap_parse(frame, len, &o), 0);
    CHECK_EQ(o.l3, 4);
    CHECK_EQ(o.l3_off, 14);
    CHECK_EQ(o.l4_off, 34);
    CHECK_EQ(o.proto, IPPROTO_TCP);
    CHECK_EQ(o.l4_hlen, 20);
    CHECK_EQ(o.csum_off, 16);
    /* Every cut inside the headers is refused. */
    for (n = 0; n < 54; n++)
        CHECK(xnftap_parse(frame, n, &o) < 0);

    len = build(1, 1, IPPROTO_UDP, 33);
    CHECK_EQ(xnftap_parse(frame, len, &o), 0);
    CHECK_EQ(o.l3, 6);
    CHECK_EQ(o.l3_off, 18);
    CHECK_EQ(o.l4_off, 18 + 48);
    CHECK_EQ(o.proto, IPPROTO_UDP);
    CHECK_EQ(o.csum_off, 6);
    for (n = 0; n < 18 + 48 + 8; n++)
        CHECK(xnftap_parse(frame, n, &o) < 0);
}

static void test_parse_refuses(void)
{
    struct xnftap_l4 o;
    uint32_t len;

    len = build(0, 0, IPPROTO_TCP, 10);
    frame[14 + 6] = 0x20; /* more fragments */
    CHECK_EQ(xnftap_parse(frame, len, &o), -EPROTONOSUPPORT);
    len = build(0, 0, IPPROTO_TCP, 10);
    frame[14] = 0x44; /* IHL 16 bytes */
    CHECK_EQ(xnftap_parse(frame, len, &o), -EINVAL);
    len = build(0, 0, IPPROTO_TCP, 10);
    frame[14] = 0x4f; /* IHL 60 bytes: runs past the TCP header */
    CHECK_EQ(xnftap_parse(frame, 14 + 59, &o), -EINVAL);
    len = build(0, 0, IPPROTO_TCP, 10);
    frame[34 + 12] = 0xf0; /* TCP header of 60 bytes, frame too short */
    CHECK_EQ(xnftap_parse(frame, len, &o), -EINVAL);
    len = build(1, 0, IPPROTO_TCP, 10);
    frame[14 + 40 + 1] = 200; /* hop-by-hop header longer than the frame */
    CHECK_EQ(xnftap_parse(frame, len, &o), -EINVAL);
    len = build(0, 0, IPPROTO_ICMP, 10);
    CHECK_EQ(xnftap_parse(frame, len, &o), -EPROTONOSUPPORT);
    put16(frame + 12, 0x0806); /* ARP */
    CHECK_EQ(xnftap_parse(frame, len, &o), -EPROTONOSUPPORT);
    /* Three VLAN tags: more than we look through. */
    put16(frame + 12, 0x8100);
    put16(frame + 16, 0x8100);
    put16(frame + 20, 0x8100);
    CHECK_EQ(xnftap_parse(frame, len, &o), -EINVAL);
}

static struct virtio_net_hdr csum_hdr(uint16_t start, uint16_t off)
{
    struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM};

    h.csum_start = start;
    h.csum_offset = off;
    return h;
}

static void test_tx_csum(void)
{
    struct virtio_net_hdr h;
    struct netif_offload off;
    uint32_t len;

    /* The partial checksum netif can express is handed over untouched. */
    len = build(0, 0, IPPROTO_TCP, 300);
    h = csum_hdr(34, 16);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), 0);
    CHECK_EQ(off.flags, NETIF_OFF_CSUM_BLANK);
    CHECK(!ref_valid(frame, len, 14, 34, 0, IPPROTO_TCP));

    /* IPv6 to a backend without feature-ipv6-csum-offload: finished here. */
    len = build(1, 0, IPPROTO_TCP, 301);
    h = csum_hdr(14 + 48, 16);
    /* Only its head in one piece (the rest in other TX pages): the caller
     * must gather it first, and nothing was written. */
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, 100, len,
                                   ALL_BE & ~NETIF_F_IPV6_CSUM, &off),
             -EAGAIN);
    CHECK(!ref_valid(frame, len, 14, 14 + 48, 1, IPPROTO_TCP));
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE & ~NETIF_F_IPV6_CSUM,
                                   &off),
             XNFTAP_CSUM_DONE);
    CHECK_EQ(off.flags, 0);
    CHECK(ref_valid(frame, len, 14, 14 + 48, 1, IPPROTO_TCP));

    /* UDP behind a VLAN tag: found, handed over. */
    len = build(0, 1, IPPROTO_UDP, 77);
    h = csum_hdr(18 + 20, 6);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), 0);
    CHECK_EQ(off.flags, NETIF_OFF_CSUM_BLANK);
    /* A start the receiver could not find (ICMP is not parsed) is
     * finished in software. */
    len = build(0, 0, IPPROTO_ICMP, 40);
    put16(frame + 34 + 2, 0); /* ICMP: no pseudo-header to seed with */
    h = csum_hdr(34, 2);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off),
             XNFTAP_CSUM_DONE);
    CHECK_EQ(ref_fold(ref_sum(frame + 34, len - 34, 0)), 0xffff);

    /* Offsets out of the frame are refused, never followed. */
    h = csum_hdr((uint16_t)(len - 1), 0);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = csum_hdr(34, (uint16_t)(len - 34 - 1));
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = csum_hdr(0xffff, 0xffff);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = csum_hdr(2, 0);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = (struct virtio_net_hdr){.flags = 0x80};
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = (struct virtio_net_hdr){.flags = VIRTIO_NET_HDR_F_DATA_VALID};
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), 0);
    CHECK_EQ(off.flags, NETIF_OFF_DATA_VALIDATED);
}

static struct virtio_net_hdr gso_hdr(uint8_t type, uint16_t start)
{
    struct virtio_net_hdr h = csum_hdr(start, 16);

    h.gso_type = type;
    h.gso_size = 1448;
    h.hdr_len = (uint16_t)(start + 20);
    return h;
}

static void test_tx_gso(void)
{
    struct virtio_net_hdr h;
    struct netif_offload off;
    uint32_t len;

    len = build(0, 0, IPPROTO_TCP, 1900);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 34);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), 0);
    CHECK_EQ(off.flags, NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO);
    CHECK_EQ(off.gso_size, 1448);
    CHECK_EQ(off.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE & ~NETIF_F_GSO_TCPV4,
                                   &off),
             -EOPNOTSUPP);
    h.flags = 0;
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 34);
    h.gso_size = 0;
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 34);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV6, 34);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP, 34);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 30);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 34);
    h.hdr_len = (uint16_t)(len + 1);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), -EINVAL);

    len = build(1, 1, IPPROTO_TCP, 1900);
    h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV6, 18 + 48);
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE, &off), 0);
    CHECK_EQ(off.gso_type, XEN_NETIF_GSO_TYPE_TCPV6);
    /* An IPv6 large segment is a partial checksum: needs ipv6-csum too. */
    CHECK_EQ(xnftap_hdr_to_offload(&h, frame, len, len, ALL_BE & ~NETIF_F_IPV6_CSUM,
                                   &off),
             -EOPNOTSUPP);
}

static void test_rx(void)
{
    struct netif_offload off = {.flags = NETIF_OFF_CSUM_BLANK};
    struct virtio_net_hdr h;
    uint32_t len;

    len = build(0, 0, IPPROTO_UDP, 50);
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), 0);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK_EQ(h.csum_start, 34);
    CHECK_EQ(h.csum_offset, 6);
    CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);

    len = build(1, 1, IPPROTO_TCP, 3000);
    off = (struct netif_offload){.flags = NETIF_OFF_CSUM_BLANK | NETIF_OFF_GSO,
                               .gso_size = 1428,
                               .gso_type = XEN_NETIF_GSO_TYPE_TCPV6};
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), 0);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
    CHECK_EQ(h.gso_size, 1428);
    CHECK_EQ(h.csum_start, 18 + 48);
    CHECK_EQ(h.csum_offset, 16);
    CHECK_EQ(h.hdr_len, 18 + 48 + 20);
    off.gso_type = XEN_NETIF_GSO_TYPE_TCPV4; /* type against the frame */
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), -EINVAL);

    /* Large segment without csum_blank: the pseudo-header sum is put back
     * so that finishing the checksum gives the right one. */
    len = build(0, 0, IPPROTO_TCP, 2000);
    put16(frame + 34 + 16, 0x1234);
    off = (struct netif_offload){.flags = NETIF_OFF_GSO | NETIF_OFF_DATA_VALIDATED,
                               .gso_size = 1448,
                               .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), 0);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    {
        uint16_t c = (uint16_t)~ref_fold(ref_sum(frame + 34, len - 34, 0));

        put16(frame + 34 + 16, c);
        CHECK(ref_valid(frame, len, 14, 34, 0, IPPROTO_TCP));
    }

    len = build(0, 0, IPPROTO_ICMP, 20);
    off = (struct netif_offload){.flags = NETIF_OFF_CSUM_BLANK};
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), -EINVAL);
    off = (struct netif_offload){.flags = NETIF_OFF_DATA_VALIDATED};
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, len, len, &h), 0);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
    off = (struct netif_offload){0};
    CHECK_EQ(xnftap_offload_to_hdr(&off, frame, 14, 14, &h), 0);
    CHECK_EQ(h.flags, 0);
}

int main(void)
{
    RUN(test_parse);
    RUN(test_parse_refuses);
    RUN(test_tx_csum);
    RUN(test_tx_gso);
    RUN(test_rx);
    return check_summary();
}
