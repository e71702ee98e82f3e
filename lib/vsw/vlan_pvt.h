/* SPDX-License-Identifier: MIT */
/*
 * 802.1Q on mbufs: the VID of a frame from the wire, and the tag taken out
 * or put in place.  Fast-path thread only.
 */
#ifndef VSW_VLAN_PVT_H
#define VSW_VLAN_PVT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define VSW_VLAN_HLEN 4

/*
 * The VID of a frame from the wire, or -1 if it is malformed.  *tagged
 * tells whether the tag is in the data (it is not when the driver
 * stripped it into mbuf metadata).  A priority tag gives VID 0.
 */
static inline int vsw_wire_vid(struct rte_mbuf *m, bool *tagged)
{
    const struct rte_ether_hdr *eh;
    const struct rte_vlan_hdr *vh;
    int vid;

    if (m->data_len < RTE_ETHER_HDR_LEN)
        return -1;
    eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
    if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
        m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
        *tagged = false;
        vid = m->vlan_tci & 0xfff;
        return vid == 0xfff ? -1 : vid;
    }
    *tagged = false;
    if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN))
        return 0;
    if (m->data_len < RTE_ETHER_HDR_LEN + VSW_VLAN_HLEN)
        return -1;
    vh = (const struct rte_vlan_hdr *)(eh + 1);
    vid = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
    if (vid == 0xfff)
        return -1;
    *tagged = true;
    return vid;
}

/*
 * Move the two MAC addresses (12 bytes) from @src to @dst, which overlap
 * by all but a tag's length: both loads before both stores, so the
 * compiler emits four moves instead of a call to memmove.
 */
static inline void vsw_macs_move(char *dst, const char *src)
{
    uint64_t a;
    uint32_t b;

    memcpy(&a, src, sizeof(a));
    memcpy(&b, src + sizeof(a), sizeof(b));
    memcpy(dst, &a, sizeof(a));
    memcpy(dst + sizeof(a), &b, sizeof(b));
}

/* Remove the tag from an mbuf nobody else holds. */
static inline void vsw_tag_strip(struct rte_mbuf *m)
{
    char *p = rte_pktmbuf_mtod(m, char *);

    vsw_macs_move(p + VSW_VLAN_HLEN, p);
    rte_pktmbuf_adj(m, VSW_VLAN_HLEN);
}

/* Insert a tag for @vid into an mbuf nobody else holds. */
static inline int vsw_tag_insert_inl(struct rte_mbuf *m, uint16_t vid)
{
    struct rte_vlan_hdr vh;
    char *p;

    if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) > 1)
        return -EINVAL;
    p = rte_pktmbuf_prepend(m, VSW_VLAN_HLEN);
    if (!p)
        return -ENOSPC;
    vsw_macs_move(p, p + VSW_VLAN_HLEN);
    vh.vlan_tci = rte_cpu_to_be_16(vid);
    vh.eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
    /* On the wire: ... src, 0x8100, TCI, original ethertype. */
    memcpy(p + 2 * RTE_ETHER_ADDR_LEN, &vh.eth_proto, 2);
    memcpy(p + 2 * RTE_ETHER_ADDR_LEN + 2, &vh.vlan_tci, 2);
    return 0;
}

#endif /* VSW_VLAN_PVT_H */
