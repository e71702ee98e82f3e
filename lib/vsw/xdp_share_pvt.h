/* SPDX-License-Identifier: MIT */
/*
 * What the shared-NIC XDP program (xdp_share.bpf.c) and its loader
 * (xdp_share.c) agree on: the map names and the layout of their keys and
 * values.  Included by both, so it uses only fixed-size types.
 */
#ifndef VSW_XDP_SHARE_PVT_H
#define VSW_XDP_SHARE_PVT_H

/*
 * The AF_XDP sockets, keyed by rx queue index.  DPDK's net_af_xdp, given
 * our object with xdp_prog=, looks this map up by this name and puts the
 * socket of each of its queues at key start_queue + i.
 */
#define XSH_XSKS_MAP "xsks_map"
/* The VNICs of the link: struct xsh_key -> struct xsh_val. */
#define XSH_VNICS_MAP "xsh_vnics"
/* Per-CPU counters: index enum xsh_stat -> __u64. */
#define XSH_STATS_MAP "xsh_stats"
/* The program's function name, as the kernel reports it. */
#define XSH_PROG_NAME "xsh_prog"

#define XSH_VNICS_MAX 4096
#define XSH_QUEUES_MAX 64

/* A VNIC's destination: MAC and VID (0: untagged). 8 bytes, no padding. */
struct xsh_key {
    unsigned char mac[6];
    unsigned short vid; /* host order */
};

struct xsh_val {
    unsigned int flags; /* a VNIC's: none yet; the owner entry's: below */
};

/*
 * The owner entry: the key (00:00:00:00:00:00, XSH_OWNER_VID), which no
 * frame has (a frame's VID is 12 bits), holds what the NIC was before the
 * switch took it, so that a later switch can put it back when this one
 * died without giving the NIC back (vsw_xdp_share_clear_stale()).
 */
#define XSH_OWNER_VID 0xffff
#define XSH_OWNER_WAS_PROMISC 1u /* promiscuous before */
#define XSH_OWNER_RXVLAN_OFF 2u  /* rx-vlan offload was on, the switch took it off */

enum xsh_stat {
    XSH_STAT_REDIRECT,  /* to the switch's AF_XDP socket */
    XSH_STAT_GROUP,     /* broadcast/multicast: to the host */
    XSH_STAT_HOST,      /* unicast to no VNIC: to the host */
    XSH_STAT_NOSOCK,    /* for a VNIC, but no socket on that queue: host */
    XSH_STAT_MAX,
};

#endif /* VSW_XDP_SHARE_PVT_H */
