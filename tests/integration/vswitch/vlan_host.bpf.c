/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: makes a plain veth end behave as a host on one VLAN, for a
 * kernel without 802.1Q (no VLAN devices).  Built twice: the ingress
 * program pops tag VID, the egress one (-DEGRESS) pushes it.  Attached
 * with "tc filter ... bpf da obj <file> sec tc".  GPL because the VLAN
 * helpers are GPL-only.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int vlan_host(struct __sk_buff *skb)
{
#ifdef EGRESS
    bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VID);
#else
    if (skb->vlan_present && (skb->vlan_tci & 0xfff) == VID)
        bpf_skb_vlan_pop(skb);
#endif
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
