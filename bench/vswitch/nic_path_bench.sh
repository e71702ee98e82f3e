#!/bin/bash
# SPDX-License-Identifier: MIT
# The NIC path through vswitchd: frames from the wire to a VNIC over a
# host NIC's link, with the link attached both ways on the same veth "NIC"
# (XDP + AF_XDP, the default; and af_packet, forced by giving the veth two
# rx queues, which XDP sharing refuses), 64 and 1500 B, next to the host's
# own stack on that NIC (a UDP socket, xdp_rx_bench recv udp).
#
# vswitchd runs in a host namespace of the benchmark's that holds the
# veth's NIC end (it follows only that namespace's NICs), its fast path
# on core 1; the VNIC is a host TAP moved into a guest namespace (no
# address: the guest drops what it gets after the IP layer).  A sender in
# an outside namespace (xdp_rx_bench send: AF_PACKET, sendmmsg, qdisc
# bypass) blasts UDP frames to the VNIC's MAC for SECONDS on core 0.
# Rates come from vswitchd's counters: the link's ipackets (what the
# switch took from the NIC) and the VNIC's (what it wrote to the TAP).
# On a veth the kernel's receive half (XDP and the AF_XDP copy, or the
# tap copy for af_packet) runs in the sender's softirq on core 0.
#   VSWITCHD=... VSWCTL=... XDP_RX_BENCH=... nic_path_bench.sh [secs] [csv]
# KEEP_LOG=FILE keeps vswitchd's log of every run (the attachment lines).
set -u
SECS=${1:-3}
CSV=${2:-}
B=$(dirname "$0")/../../build
VSWITCHD=${VSWITCHD:-$B/app/vswitchd/vswitchd}
VSWCTL=${VSWCTL:-$B/app/vswctl/vswctl}
BENCH=${XDP_RX_BENCH:-$B/bench/xdp_rx_bench}
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, XDP, TAP)"; exit 77; }
for x in "$VSWITCHD" "$VSWCTL" "$BENCH"; do
    [ -x "$x" ] || { echo "$x not found (set VSWITCHD, VSWCTL, XDP_RX_BENCH)"; exit 77; }
done
for t in taskset ethtool ip; do
    command -v "$t" >/dev/null || { echo "$t not installed"; exit 77; }
done
[ -c /dev/net/tun ] || { echo "no /dev/net/tun"; exit 77; }

ID=$(( $$ % 90000 + 10000 ))
NS_HOST="npb${ID}h"
NS_OUT="npb${ID}o"
NS_G="npb${ID}g"
NIC="np${ID}n"
PEER="np${ID}p"
TAP="np${ID}t"
VNIC="v${ID}"
VNIC_MAC=02:08:20:00:aa:01
TMP=$(mktemp -d /tmp/nic-path-bench.XXXXXX)
SOCK="$TMP/vswitchd.sock"
NCPU=$(nproc)
FP_CPU=$((NCPU > 1 ? 1 : 0))
VSWD_PID=""
RX_PID=""

cleanup() {
    local p
    for p in $RX_PID $VSWD_PID; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    for ns in "$NS_G" "$NS_HOST" "$NS_OUT"; do
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "${KEEP_LOG:-}" ] && cat "$TMP/vswitchd.all" "$TMP/vswitchd.log" >"$KEEP_LOG" 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/npb${ID}"
}
trap cleanup EXIT

for ns in "$NS_HOST" "$NS_OUT" "$NS_G"; do
    ip netns add "$ns" || { echo "cannot create netns"; exit 77; }
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$NIC" netns "$NS_HOST" numrxqueues 2 numtxqueues 2 type veth \
    peer name "$PEER" netns "$NS_OUT" numrxqueues 2 numtxqueues 2
ip -n "$NS_HOST" link set "$NIC" up
ip -n "$NS_OUT" link set "$PEER" up
ip -n "$NS_HOST" addr add 10.66.0.1/24 dev "$NIC"
ip -n "$NS_OUT" addr add 10.66.0.2/24 dev "$PEER"
NIC_MAC=$(ip -n "$NS_HOST" -br link show "$NIC" | awk '{print $3}')
ip -n "$NS_OUT" neigh add 10.66.0.1 lladdr "$NIC_MAC" dev "$PEER"

ctl() { ip netns exec "$NS_HOST" "$VSWCTL" -s "$SOCK" "$@"; }
stat() { ctl stat "$1" "$2" 2>/dev/null || echo 0; }
send() { # DST SIZE: prints the sender's Mpps
    ip netns exec "$NS_OUT" taskset -c 0 "$BENCH" send "$PEER" "$1" "$2" \
        "$SECS" | awk '/^tx/ {print $4}'
}
rate() { awk -v a="$1" -v b="$2" -v s="$SECS" 'BEGIN { printf "%.3f", (b - a) / s / 1e6 }'; }

# vswitchd_run MODE: vswitchd with VNIC $VNIC over $NIC attached as MODE.
vswitchd_run() {
    local rxq i
    [ "$1" = xdp ] && rxq=1 || rxq=2
    # Both ends: a veth takes XDP only with as many rx queues as its
    # peer has tx queues.
    ip netns exec "$NS_HOST" ethtool -L "$NIC" rx $rxq tx $rxq &&
        ip netns exec "$NS_OUT" ethtool -L "$PEER" rx $rxq tx $rxq ||
        { echo "cannot set $NIC's queues"; exit 77; }
    [ -s "$TMP/vswitchd.log" ] && cat "$TMP/vswitchd.log" >>"$TMP/vswitchd.all"
    : >"$TMP/vswitchd.log"
    ip netns exec "$NS_HOST" "$VSWITCHD" -S "$TMP/state" -s "$SOCK" \
        -F "npb${ID}" -m 256 -l "$FP_CPU" -G none >>"$TMP/vswitchd.log" 2>&1 &
    VSWD_PID=$!
    for i in $(seq 100); do
        grep -q "ready on" "$TMP/vswitchd.log" && break
        sleep 0.1
    done
    ctl vnic-create "$VNIC" "$NIC" attach=tap tap="$TAP" mac="$VNIC_MAC" ||
        { cat "$TMP/vswitchd.log"; echo "cannot create the VNIC"; exit 1; }
    ip -n "$NS_HOST" link set "$TAP" netns "$NS_G"
    ip -n "$NS_G" link set "$TAP" up
    ATTACHED=$(ctl link-show "$NIC" | awk '{print $5}')
}
vswitchd_stop() {
    kill "$VSWD_PID"
    wait "$VSWD_PID" 2>/dev/null
    VSWD_PID=""
    rm -rf "$TMP/state"
}

[ -n "$CSV" ] && echo "path,size,sent_mpps,link_rx_mpps,delivered_mpps" >"$CSV"
printf "%-22s %5s %10s %12s %15s\n" path size "sent Mpps" "link rx Mpps" \
    "delivered Mpps"
row() {
    printf "%-22s %5s %10s %12s %15s\n" "$1" "$2" "$3" "$4" "$5"
    [ -n "$CSV" ] && echo "$1,$2,$3,$4,$5" >>"$CSV"
}

for mode in xdp af_packet; do
    vswitchd_run "$mode"
    case "$ATTACHED" in
    net_af_xdp_*) got=xdp ;;
    net_af_packet_*) got=af_packet ;;
    *) got="?($ATTACHED)" ;;
    esac
    [ "$got" = "$mode" ] || echo "note: asked for $mode, vswitchd attached $got"
    for size in 64 1500; do
        l0=$(stat "$NIC" ipackets)
        v0=$(stat "$VNIC" ipackets)
        tx=$(send "$VNIC_MAC" "$size")
        sleep 0.3
        l1=$(stat "$NIC" ipackets)
        v1=$(stat "$VNIC" ipackets)
        row "vswitchd $got" "$size" "${tx:-?}" "$(rate "$l0" "$l1")" \
            "$(rate "$v0" "$v1")"
    done
    vswitchd_stop
done

# The host's own stack on the same NIC (one rx queue), to a UDP socket.
ip netns exec "$NS_HOST" ethtool -L "$NIC" rx 1 tx 1
ip netns exec "$NS_OUT" ethtool -L "$PEER" rx 1 tx 1
for size in 64 1500; do
    ip netns exec "$NS_HOST" taskset -c "$FP_CPU" "$BENCH" recv udp "$NIC" \
        "npb${ID}" "$FP_CPU" >"$TMP/rx" 2>"$TMP/rx.err" &
    RX_PID=$!
    for i in $(seq 100); do
        grep -qE "^(ready|unavailable)" "$TMP/rx" && break
        sleep 0.1
    done
    tx=$(send "$NIC_MAC" "$size")
    sleep 0.3
    kill "$RX_PID"
    wait "$RX_PID" 2>/dev/null
    RX_PID=""
    rx=$(awk '/^rx/ {print $4}' "$TMP/rx")
    row "host UDP socket" "$size" "${tx:-?}" "-" "${rx:-?}"
done
exit 0
