# SPDX-License-Identifier: MIT
# The peer of the TCP benchmarks (sourced): what people would use instead
# of our switch, two network namespaces joined by a Linux bridge over a
# veth pair each.  The bridge does no work beyond the kernel's own.
#
#   bridge_up PREFIX NET: namespaces PREFIXc (eth0 NET.1/24) and PREFIXd
#     (eth0 NET.2/24), their veths' other ends on br0 in PREFIXbr;
#     @return non-zero if it cannot be made (bridge_down removes any part);
#   bridge_down: removes them, and any process left in them first.
BRIDGE_PREFIX=

bridge_up() {
    local p=$1 net=$2 ns n=1
    BRIDGE_PREFIX=$p
    for ns in c d br; do ip netns add "$p$ns" || return 1; done
    ip -n "${p}br" link add br0 type bridge || return 1
    ip -n "${p}br" link set br0 up
    for ns in c d; do
        ip -n "${p}br" link add "v$ns" type veth peer name eth0 \
            netns "$p$ns" || return 1
        ip -n "${p}br" link set "v$ns" master br0 up
        ip -n "$p$ns" link set eth0 up
        ip -n "$p$ns" link set lo up
        ip -n "$p$ns" addr add "$net.$n/24" dev eth0 || return 1
        n=$((n + 1))
    done
}

bridge_down() {
    local ns
    [ -n "$BRIDGE_PREFIX" ] || return 0
    for ns in c d br; do
        ip netns pids "$BRIDGE_PREFIX$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$BRIDGE_PREFIX$ns" 2>/dev/null
    done
    return 0
}
