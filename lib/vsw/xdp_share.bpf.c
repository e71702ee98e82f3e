/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The XDP program of a NIC shared between the host's stack and the switch
 * (xdp_share.c loads it; built with clang -target bpf into the library).
 *
 * A frame whose destination MAC and VID (0 when untagged, else its 802.1Q
 * VID) is one of the link's VNICs goes to the switch's AF_XDP socket on
 * the queue it arrived on; everything else passes to the host's stack.
 * Broadcast and multicast pass too: XDP cannot clone, so the switch gets
 * its copy from the host's side (an AF_PACKET socket that only takes
 * frames with the group bit, see xdp_share.c).
 *
 * The tag must be in the frame: a tag a NIC strips into its descriptor
 * (rx-vlan offload) is not seen here, nor one a veth peer leaves in skb
 * metadata (tx-vlan offload on the peer).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_share_pvt.h"

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, XSH_QUEUES_MAX);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XSH_VNICS_MAX + 1); /* and the owner entry */
    __type(key, struct xsh_key);
    __type(value, struct xsh_val);
} xsh_vnics SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, XSH_STAT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} xsh_stats SEC(".maps");

struct vlan_hdr {
    __be16 tci;
    __be16 proto;
};

static __always_inline int count(__u32 what, int action)
{
    __u64 *c = bpf_map_lookup_elem(&xsh_stats, &what);

    if (c)
        *c += 1;
    return action;
}

SEC("xdp")
int xsh_prog(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct xsh_key key = {};
    __u32 q = ctx->rx_queue_index;

    if ((void *)(eth + 1) > end)
        return XDP_PASS;
    if (eth->h_dest[0] & 1)
        return count(XSH_STAT_GROUP, XDP_PASS);
    if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
        struct vlan_hdr *vh = (void *)(eth + 1);

        if ((void *)(vh + 1) > end)
            return XDP_PASS;
        key.vid = bpf_ntohs(vh->tci) & 0xfff;
    }
    __builtin_memcpy(key.mac, eth->h_dest, 6);
    if (!bpf_map_lookup_elem(&xsh_vnics, &key))
        return count(XSH_STAT_HOST, XDP_PASS);
    if (!bpf_map_lookup_elem(&xsks_map, &q))
        return count(XSH_STAT_NOSOCK, XDP_PASS);
    count(XSH_STAT_REDIRECT, 0);
    return bpf_redirect_map(&xsks_map, q, XDP_PASS);
}

char _license[] SEC("license") = "Dual MIT/GPL";
