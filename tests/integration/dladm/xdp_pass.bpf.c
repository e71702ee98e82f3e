/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: an XDP program that passes everything, to be "another
 * program" on a NIC (ip link set dev X xdp obj <file> sec xdp), which
 * vswitchd must leave alone and fall back to af_packet for.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int other_prog(struct xdp_md *ctx)
{
    (void)ctx;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
