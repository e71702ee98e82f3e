#!/bin/bash
# SPDX-License-Identifier: MIT
# Host VNICs: iperf3 TCP between two network namespaces that each hold one
# host VNIC (`dladm create-vnic` over one etherstub).  A host VNIC is a TAP
# that vswitchd opened with a vnet header, so a sender's TCP reaches the
# switch as segments of up to 64 KiB with checksum metadata: the kernel
# hands each to vswitchd through A's TAP (readv, a copy), the fast path
# switches it, and writes it into B's TAP (writev, a copy); the ACKs come
# back the same way.  The peer is what people would use: two namespaces on
# a Linux bridge over a veth pair each (tests/lib/bridge.sh), all in the
# kernel.  One stream and four (-P 4), both directions (A sends, then B
# sends), BENCH_ROUNDS runs (lib.sh), interleaved: ours, peer, ours,
# peer...  vswitchd is the fixture's (tests/lib/switch.sh: private socket,
# state and DPDK prefix under XVNET_RUNDIR); it sleeps when idle, so it
# does not spin while the bridge is measured.
# Also the path the issue of host NICs names: a host VNIC over a host NIC
# (the fixture's veth, shared through XDP as dladm makes it by default) to
# the namespace at the NIC's other end (directions vnic_to_out and
# out_to_vnic), next to the same bridge peer measured again back to back.
# Writes a CSV:  setup,streams,direction,round,seconds,gbps,retransmits
# (gbps: the rate iperf3's receiver saw); report.py plots it with the
# medians and the ratio ours/peer.
# Exits 77 with the reason when it cannot run here.
# usage: bench/host_vnic_tcp.sh BUILD_DIR [SECONDS] [CSV]
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) ||
    { echo "SKIP: no build directory ${1:-build}"; exit 77; }
secs=${2:-3}
[ "$secs" -ge 1 ] 2>/dev/null || { echo "SECONDS must be a whole number >= 1"; exit 2; }
csv=${3:-$here/results/host_vnic.csv}
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/switch.sh"
. "$here/../tests/lib/bridge.sh"
. "$here/lib.sh"
RUNS=$BENCH_ROUNDS
CLEANUP_HOOK=bridge_down
require iperf3 python3 timeout
[ -x "$DLADM" ] || skip "no dladm in $build"
/usr/bin/python3 -c "import matplotlib" 2>/dev/null ||
    skip "no matplotlib for /usr/bin/python3 (python3-matplotlib)"

dl() { "$DLADM" "$@"; } # vswitchd's socket: $XVNET_RUNDIR (switch.sh)

STUB="s${ID}0"
A="a${ID}0"
B="b${ID}0"
NS_A="vsw${ID}a"
NS_B="vsw${ID}b"
BR="vsw${ID}br"
NET=10.93.0   # ours: A is .1, B is .2
PNET=10.93.1  # the bridge's: c is .1, d is .2
ONET=10.93.2  # over the NIC: the VNIC C is .1, the outside end .2
C="c${ID}0"
NS_C="vsw${ID}c"

echo "host VNICs over an etherstub vs bridge+veth: iperf3 TCP, ${secs} s" \
    "per point, $RUNS runs, interleaved; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
vswd_start ""
dl create-etherstub -t "$STUB" || fail "create-etherstub $STUB"
dl create-vnic -t -l "$STUB" -m 2:8:20:93:0:1 "$A" || fail "create-vnic $A"
dl create-vnic -t -l "$STUB" -m 2:8:20:93:0:2 "$B" || fail "create-vnic $B"
guest_up "$NS_A" "$A" "$NET.1/24"
guest_up "$NS_B" "$B" "$NET.2/24"
bridge_up "$BR" "$PNET" || fail "the bridge peer in $BR*"
outside_up
ip -n "$NS_OUT" addr add "$ONET.2/24" dev "$VETH_OUT"
# A real wire carries whole checksums; a veth's peer leaves them to an
# offload that XDP and AF_XDP do not carry (the frame would reach the
# VNIC with a partial checksum): the outside end computes its own.
ip netns exec "$NS_OUT" ethtool -K "$VETH_OUT" tx off >/dev/null ||
    fail "ethtool -K $VETH_OUT tx off"
dl create-vnic -t -l "$VETH_SW" -m 2:8:20:93:0:3 "$C" || fail "create-vnic $C"
guest_up "$NS_C" "$C" "$ONET.1/24"
echo "  $C over $VETH_SW: attached through" \
    "$(dl show-phys -p -o attach "$VETH_SW")"
ip -d -n "$NS_A" link show "$A" | grep -q "tun type tap" ||
    fail "$A is not a TAP"

# An iperf3 server in every namespace for the whole run (one test at a
# time each); cleanup ends them with their namespaces.
for s in "$NS_A $NET.1" "$NS_B $NET.2" "${BR}c $PNET.1" "${BR}d $PNET.2" \
         "$NS_C $ONET.1" "$NS_OUT $ONET.2"; do
    set -- $s
    ip netns exec "$1" iperf3 -s -D -B "$2" -I "$TMP/iperf-$1.pid" \
        >/dev/null 2>&1 || fail "iperf3 server in $1"
    wait_until 3 test -s "$TMP/iperf-$1.pid" || fail "iperf3 server in $1"
done
# First contact (ARP) before measuring.
ping_ok "$NS_A" "$NET.2"
ping_ok "${BR}c" "$PNET.2"
ping_ok "$NS_C" "$ONET.2"

# tcp SETUP FROM-NS TO-ADDR STREAMS DIRECTION RUN: one measurement, a CSV
# row; prints the Gbit/s (or "failed").
tcp() {
    local r
    if timeout $((secs + 20)) ip netns exec "$2" iperf3 -c "$3" -t "$secs" \
        -P "$4" -J >"$TMP/c.json" 2>&1 &&
        r=$(python3 "$here/iperf_sum.py" "$TMP/c.json"); then
        echo "$1,$4,$5,$6,$secs,$r" >>"$csv"
        echo "${r%,*}"
    else
        echo "iperf3 $1 $5 -P $4 failed:" >&2
        tail -5 "$TMP/c.json" >&2
        echo failed
    fi
}

mkdir -p "$(dirname "$csv")"
echo "setup,streams,direction,round,seconds,gbps,retransmits" >"$csv"
failed=0
for run in $(seq $RUNS); do
    for streams in 1 4; do
        for dir in a_to_b b_to_a vnic_to_out out_to_vnic; do
            bench_load host_vnic "$run" "$streams-$dir"
            case $dir in
            a_to_b)
                ours=$(tcp host-vnic "$NS_A" "$NET.2" $streams $dir $run)
                peer=$(tcp bridge-veth "${BR}c" "$PNET.2" $streams $dir $run) ;;
            b_to_a)
                ours=$(tcp host-vnic "$NS_B" "$NET.1" $streams $dir $run)
                peer=$(tcp bridge-veth "${BR}d" "$PNET.1" $streams $dir $run) ;;
            vnic_to_out)
                ours=$(tcp host-vnic "$NS_C" "$ONET.2" $streams $dir $run)
                peer=$(tcp bridge-veth "${BR}c" "$PNET.2" $streams $dir $run) ;;
            out_to_vnic)
                ours=$(tcp host-vnic "$NS_OUT" "$ONET.1" $streams $dir $run)
                peer=$(tcp bridge-veth "${BR}d" "$PNET.1" $streams $dir $run) ;;
            esac
            echo "  run $run/$RUNS, $streams stream(s), ${dir//_/ }:" \
                "host VNICs $ours Gbit/s, bridge+veth $peer Gbit/s"
            [ "$ours" = failed ] || [ "$peer" = failed ] && failed=$((failed + 1))
        done
    done
done
[ $failed -eq 0 ] || fail "$failed of $((RUNS * 8)) points had a failed iperf3"
exit 0
