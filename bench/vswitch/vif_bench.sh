#!/bin/bash
# SPDX-License-Identifier: MIT
# Guest -> wire through netif with one backend core, next to DPDK
# virtio-user -> vhost-user in the same run.
#  - ours: vswitchd (fast path on CPU 1) with a net_null wire (no-rx),
#    one VNIC on VLAN 10 with a guest vif; vsw-guest (CPU 0) sends
#    frames of SIZE bytes as fast as its ring goes for SECONDS; the rate
#    is what reached the wire (link opackets over the run).
#  - peer: dpdk-testpmd txonly on virtio-user (forwarding on CPU 0) into
#    dpdk-testpmd rxonly on vhost-user (forwarding on CPU 1); the rate is
#    the vhost side's Rx-pps.
# Prints "size ours_mpps peer_mpps ratio" per size.  Root; --no-huge.
# Usage: VSWITCHD=... VSWCTL=... VSW_GUEST=... vif_bench.sh SECONDS SIZE...
set -u
secs=${1:-3}
shift || true
[ $# -gt 0 ] || set -- 64 1500
for t in "${VSWITCHD:-}" "${VSWCTL:-}" "${VSW_GUEST:-}"; do
    [ -x "$t" ] || { echo "SKIP: set VSWITCHD, VSWCTL, VSW_GUEST"; exit 77; }
done
command -v dpdk-testpmd >/dev/null || { echo "SKIP: no dpdk-testpmd"; exit 77; }
id=$$
tmp=$(mktemp -d /tmp/vifb.XXXXXX)
sock="$tmp/vsw.sock"
vpid=""
cleanup() {
    [ -n "$vpid" ] && kill "$vpid" 2>/dev/null && wait "$vpid" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"; rm -rf "/var/run/dpdk/vifb$id" "/var/run/dpdk/xvb-vh$id" \
        "/var/run/dpdk/xvb-vu$id"
}
trap cleanup EXIT
ctl() { "$VSWCTL" -s "$sock" "$@"; }
mac=02:08:20:0b:e0:01

ours() {
    local size=$1 o0 o1 t0 t1
    cat >"$tmp/conf" <<CONF
link phys0 class=phys devargs=net_null0,no-rx=1
vnic g0 link=phys0 vid=10 mac=$mac
CONF
    "$VSWITCHD" -c "$tmp/conf" -S "$tmp/state" -s "$sock" -F "vifb$id" \
        -m 256 -l 1 >"$tmp/vswd.log" 2>&1 &
    vpid=$!
    for _ in $(seq 100); do
        grep -q "ready on" "$tmp/vswd.log" && break
        sleep 0.1
    done
    "$VSW_GUEST" -s "$sock" -v g0 -d 3 -c 0 blast 1 "$size" "$mac" \
        02:00:00:00:00:99 >/dev/null 2>&1 # warm-up
    o0=$(ctl stat phys0 opackets); t0=$(date +%s.%N)
    "$VSW_GUEST" -s "$sock" -v g0 -d 3 -c 0 blast "$secs" "$size" "$mac" \
        02:00:00:00:00:99 >"$tmp/guest.log" 2>&1
    o1=$(ctl stat phys0 opackets); t1=$(date +%s.%N)
    kill "$vpid"; wait "$vpid" 2>/dev/null; vpid=""
    # The guest's run is $secs long; the stat reads bracket it closely.
    awk -v a="$o0" -v b="$o1" -v s="$secs" 'BEGIN {printf "%.3f", (b-a)/s/1e6}'
}

peer() {
    local size=$1 mbuf=$(( $1 + 256 < 2176 ? 2176 : $1 + 256 ))
    local common="--no-huge -m 1024 --no-pci --log-level=*:error"
    rm -f "$tmp/vh.sock"
    { sleep 6; echo "show port stats 0"; sleep "$secs";
      echo "show port stats 0"; echo "stop"; echo "quit"; } |
    timeout $((secs + 20)) dpdk-testpmd -l 0,1 --main-lcore 0 $common \
        --file-prefix "xvb-vh$id" \
        --vdev "net_vhost0,iface=$tmp/vh.sock,queues=1" -- \
        -i --forward-mode=rxonly --nb-cores=1 --auto-start \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) >"$tmp/vh.log" 2>&1 &
    local vh=$!
    for _ in $(seq 40); do [ -S "$tmp/vh.sock" ] && break; sleep 0.1; done
    sleep 0.5
    { sleep 1; echo "set txpkts $size"; echo "start";
      sleep $((secs + 3)); echo "stop"; echo "quit"; } |
    timeout $((secs + 15)) dpdk-testpmd -l 0,1 --main-lcore 1 $common \
        --file-prefix "xvb-vu$id" \
        --vdev "net_virtio_user0,path=$tmp/vh.sock,queues=1" -- \
        -i --forward-mode=txonly --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) >"$tmp/vu.log" 2>&1
    wait "$vh" 2>/dev/null
    grep -E '^ *Rx-pps' "$tmp/vh.log" | awk 'NR==2 {
        printf "%.3f", $2/1e6 } END { if (NR < 2) print "nan" }'
}

echo "# size ours_mpps peer_mpps ratio (guest->wire via netif, 1 core)"
for size in "$@"; do
    o=$(ours "$size")
    p=$(peer "$size")
    awk -v s="$size" -v o="$o" -v p="$p" 'BEGIN {
        printf "%s %s %s %s\n", s, o, p, (p > 0 ? sprintf("%.2f", o/p) : "nan") }'
done
