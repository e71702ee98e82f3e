/* SPDX-License-Identifier: MIT */
/*
 * Which queue of a multi-queue device a frame for the guest takes: one
 * flow, one queue, so the guest sees its packets in order.
 */
#include <string.h>

#include "netback_pvt.h"

#define ETH_HLEN 14u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define IPPROTO_TCP_ 6u
#define IPPROTO_UDP_ 17u

unsigned nb_queue_select(uint32_t hash, unsigned nqueues)
{
    /* The hash scaled to the range (Linux's reciprocal_scale): no
     * division on the data path, and every bit of the hash counts. */
    return nqueues <= 1 ? 0 : (unsigned)(((uint64_t)hash * nqueues) >> 32);
}

/* Order-independent mix of two words, so a flow's two directions agree. */
static uint32_t mix_pair(uint32_t h, uint32_t a, uint32_t b)
{
    return h ^ (a ^ b) ^ ((a + b) * 0x9e3779b1u);
}

static uint32_t word(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ports of a TCP or UDP header at @l4, if the frame holds them. */
static uint32_t ports_mix(uint32_t h, unsigned proto, const uint8_t *l4,
                          const uint8_t *end)
{
    if ((proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_) || end - l4 < 4)
        return h;
    return mix_pair(h ^ proto, be16(l4), be16(l4 + 2));
}

/* The final avalanche (murmur3's), so nb_queue_select's top bits vary. */
static uint32_t fmix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t nb_flow_hash(const void *frame, uint32_t len)
{
    const uint8_t *f = frame, *end = f + len, *l3 = f + ETH_HLEN;
    uint32_t h = 0;
    unsigned type, i;

    if (len < ETH_HLEN)
        return 0;
    type = be16(f + 12);
    if (type == ETHERTYPE_VLAN && len >= ETH_HLEN + 4) {
        type = be16(f + 16);
        l3 += 4;
    }
    if (type == ETHERTYPE_IPV4 && end - l3 >= 20) {
        unsigned ihl = (l3[0] & 0xfu) * 4u;
        bool frag = (be16(l3 + 6) & 0x3fffu) != 0;

        h = mix_pair(h, word(l3 + 12), word(l3 + 16));
        if (ihl >= 20 && ihl <= (unsigned)(end - l3) && !frag)
            h = ports_mix(h, l3[9], l3 + ihl, end);
        return fmix(h);
    }
    if (type == ETHERTYPE_IPV6 && end - l3 >= 40) {
        for (i = 0; i < 16; i += 4)
            h = mix_pair(h, word(l3 + 8 + i), word(l3 + 24 + i));
        return fmix(ports_mix(h, l3[6], l3 + 40, end));
    }
    h = mix_pair(h, word(f) ^ be16(f + 4), word(f + 6) ^ be16(f + 10));
    return fmix(h);
}
