#!/bin/bash
# SPDX-License-Identifier: MIT
# Receive rate into user space on a veth "NIC" shared with the host, 64 and
# 1500 B frames: the shared port (XDP + AF_XDP, vsw/xdp_share.h) against
# DPDK net_af_packet on the same veth (what a link uses without sharing),
# with the host's own stack (a UDP socket) as a reference.  A sender in an
# outside namespace (AF_PACKET, sendmmsg, qdisc bypass) blasts for SECONDS
# on one core; the receiver runs on the other.  On a veth the kernel's
# receive half (XDP, the AF_XDP copy, or the stack up to the socket) runs
# in the sender's softirq, on the sender's core, so the figures are what
# one core can push through each path, not a NIC's.
#   XDP_RX_BENCH=path/to/xdp_rx_bench xdp_rx_bench.sh [seconds] [csv]
set -u
SECS=${1:-3}
CSV=${2:-}
BENCH=${XDP_RX_BENCH:-$(dirname "$0")/../../build/bench/xdp_rx_bench}
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, XDP)"; exit 77; }
[ -x "$BENCH" ] || { echo "xdp_rx_bench not found (set XDP_RX_BENCH)"; exit 77; }
command -v taskset >/dev/null || { echo "taskset not installed"; exit 77; }

ID=$(( $$ % 90000 + 10000 ))
NS_HOST="xrb${ID}h"
NS_OUT="xrb${ID}o"
NIC="xr${ID}n"
PEER="xr${ID}p"
TMP=$(mktemp -d /tmp/xdp-rx-bench.XXXXXX)
RX_PID=""
VNIC_MAC=02:00:00:aa:00:01
NCPU=$(nproc)
RX_CPU=$((NCPU > 1 ? 1 : 0))

cleanup() {
    if [ -n "$RX_PID" ]; then
        kill "$RX_PID" 2>/dev/null
        wait "$RX_PID" 2>/dev/null
    fi
    ip netns del "$NS_HOST" 2>/dev/null
    ip netns del "$NS_OUT" 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/xrb${ID}"
}
trap cleanup EXIT

for ns in "$NS_HOST" "$NS_OUT"; do
    ip netns add "$ns" || { echo "cannot create netns"; exit 77; }
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip link add "$NIC" netns "$NS_HOST" type veth peer name "$PEER" netns "$NS_OUT"
ip -n "$NS_HOST" link set "$NIC" up
ip -n "$NS_OUT" link set "$PEER" up
ip -n "$NS_HOST" addr add 10.66.0.1/24 dev "$NIC"
ip -n "$NS_OUT" addr add 10.66.0.2/24 dev "$PEER"
ip -n "$NS_OUT" neigh add 10.66.0.1 lladdr \
    "$(ip -n "$NS_HOST" -br link show "$NIC" | awk '{print $3}')" dev "$PEER"
NIC_MAC=$(ip -n "$NS_HOST" -br link show "$NIC" | awk '{print $3}')

# run MODE SIZE: prints "TX_MPPS RX_MPPS".
run() {
    local mode=$1 size=$2 dst=$VNIC_MAC tx rx i
    [ "$mode" = udp ] && dst=$NIC_MAC
    ip netns exec "$NS_HOST" taskset -c "$RX_CPU" "$BENCH" recv "$mode" \
        "$NIC" "xrb${ID}" "$RX_CPU" >"$TMP/rx" 2>"$TMP/rx.err" &
    RX_PID=$!
    for i in $(seq 100); do
        grep -qE "^(ready|unavailable)" "$TMP/rx" && break
        kill -0 "$RX_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q "^ready" "$TMP/rx"; then
        cat "$TMP/rx" "$TMP/rx.err" >&2
        echo "? ?"
        kill "$RX_PID" 2>/dev/null; wait "$RX_PID" 2>/dev/null; RX_PID=""
        return
    fi
    tx=$(ip netns exec "$NS_OUT" taskset -c 0 "$BENCH" send "$PEER" "$dst" \
         "$size" "$SECS" | awk '/^tx/ {print $4}')
    sleep 0.3
    kill "$RX_PID"
    wait "$RX_PID" 2>/dev/null
    RX_PID=""
    rx=$(awk '/^rx/ {print $4}' "$TMP/rx")
    echo "${tx:-?} ${rx:-?}"
}

[ -n "$CSV" ] && echo "mode,size,tx_mpps,rx_mpps" >"$CSV"
printf "%-9s %6s %10s %10s\n" path size "sent Mpps" "rx Mpps"
for size in 64 1500; do
    for mode in afxdp afpacket udp; do
        set -- $(run "$mode" "$size")
        printf "%-9s %6s %10s %10s\n" "$mode" "$size" "$1" "$2"
        [ -n "$CSV" ] && echo "$mode,$size,$1,$2" >>"$CSV"
    done
done
exit 0
