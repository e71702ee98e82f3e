/* SPDX-License-Identifier: MIT */
/*
 * Per-VNIC checks on what a VNIC's client sends, beyond the MAC: the
 * allowed-ips prefixes (ip-nospoof), restricted ethertypes and the MTU.
 * The prefix helpers run on the control side; vsw_l3_check() on the fast
 * path.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "switch_pvt.h"

void vsw_prefix_normalize(const struct lp_ipnet *in,
                          struct lp_ipnet *out)
{
    unsigned alen = in->family == AF_INET ? 4 : 16, i;

    memset(out, 0, sizeof(*out));
    out->family = in->family;
    out->plen = in->plen;
    for (i = 0; i < alen; i++) {
        unsigned bits = in->plen > i * 8 ? in->plen - i * 8 : 0;

        if (bits >= 8)
            out->addr[i] = in->addr[i];
        else if (bits)
            out->addr[i] = in->addr[i] & (uint8_t)(0xff00 >> bits);
    }
}

static bool prefix_match(const struct lp_ipnet *p, const uint8_t *a)
{
    unsigned full = p->plen / 8, rest = p->plen % 8;

    if (memcmp(p->addr, a, full) != 0)
        return false;
    return !rest || ((a[full] ^ p->addr[full]) & (0xff00 >> rest)) == 0;
}

bool vsw_ipset_has(const struct vsw_ipset *s, uint8_t family,
                   const uint8_t *addr)
{
    uint32_t i;

    for (i = 0; s && i < s->n; i++)
        if (s->p[i].family == family && prefix_match(&s->p[i], addr))
            return true;
    return false;
}

/* IPv6 sources allowed without being listed: :: (DAD) and fe80::/10. */
static bool ip6_implicit(const uint8_t *a)
{
    static const uint8_t zero[16];

    return memcmp(a, zero, 16) == 0 || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* ip-nospoof for one frame of ethertype @et at L3 offset @off. */
static bool ip_allowed(const struct vsw_ipset *s, const struct rte_mbuf *m,
                       uint16_t et, uint32_t off)
{
    const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
    uint32_t room = m->data_len - off;
    static const uint8_t any4[4];

    switch (et) {
    case RTE_ETHER_TYPE_IPV4:
        /* Source at 12; 0.0.0.0 is a DHCP client's. */
        return room >= 20 && (memcmp(p + 12, any4, 4) == 0 ||
                              vsw_ipset_has(s, AF_INET, p + 12));
    case RTE_ETHER_TYPE_IPV6:
        return room >= 40 && (ip6_implicit(p + 8) ||
                              vsw_ipset_has(s, AF_INET6, p + 8));
    case RTE_ETHER_TYPE_ARP:
        /* Ethernet/IPv4 ARP: sender protocol address at 14 (0: a probe). */
        return room >= 28 && (memcmp(p + 14, any4, 4) == 0 ||
                              vsw_ipset_has(s, AF_INET, p + 14));
    default:
        return true; /* not IP: restricted decides */
    }
}

int vsw_l3_check(const struct vsw_vnic *v, const struct rte_mbuf *m,
                 uint32_t prot)
{
    const struct rte_ether_hdr *eh =
        rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
    uint16_t et = rte_be_to_cpu_16(eh->ether_type);
    uint16_t mtu = __atomic_load_n(&v->mtu, __ATOMIC_RELAXED);

    if (m->ol_flags & RTE_MBUF_F_RX_LRO) {
        if (m->tso_segsz > mtu)
            return VSW_L3_OVERSIZE;
    } else if (m->pkt_len - RTE_ETHER_HDR_LEN > mtu) {
        return VSW_L3_OVERSIZE;
    }
    if ((prot & LP_PROT_RESTRICTED) && et != RTE_ETHER_TYPE_IPV4 &&
        et != RTE_ETHER_TYPE_IPV6 && et != RTE_ETHER_TYPE_ARP)
        return VSW_L3_SPOOF;
    if ((prot & LP_PROT_IP_NOSPOOF) &&
        !ip_allowed(__atomic_load_n(&v->ips, __ATOMIC_ACQUIRE), m, et,
                    RTE_ETHER_HDR_LEN))
        return VSW_L3_SPOOF;
    return VSW_L3_OK;
}
