#!/bin/bash
# SPDX-License-Identifier: MIT
# Fast-path throughput on one core, net_ring ports, 64 and 1500 B frames:
# vsw-bench (wire -> VNIC -> wire, VLAN strip/insert, maxbw and
# mac-nospoof active) next to dpdk-testpmd on net_ring ports in the same
# run: macswap (reads and writes each Ethernet header; io forwarding, which
# moves mbuf pointers and touches no packet, is no ceiling and not run); and Open
# vSwitch-DPDK doing the same work as vsw-bench (ovs_dpdk.sh), or the
# reason it cannot run here.  BENCH_ROUNDS rounds (lib.sh), each: per
# size vsw-bench, testpmd macswap; then OVS at both sizes.
# Writes $BENCH_OUT/vswitch.csv:  round,setup,size,mpps
#   VSW_BENCH=path/to/vsw-bench run_bench.sh [seconds] [cpu]
set -u
SECS=${1:-5}
CPU=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
BENCH=${VSW_BENCH:-$(dirname "$0")/../../build/bench/vsw-bench}
[ -x "$BENCH" ] || { echo "vsw-bench not found (set VSW_BENCH)"; exit 77; }
command -v dpdk-testpmd >/dev/null ||
    { echo "dpdk-testpmd not installed (Debian package dpdk-dev)"; exit 77; }
MAIN=0
[ "$CPU" = 0 ] && MAIN=1
OUT=$(mktemp)
trap 'rm -rf "$OUT" "/var/run/dpdk/vswtp$$"' EXIT

# testpmd MODE SIZE: mean over the last periods of the summed Rx-pps
# (3 s at least: the first two periods are skipped).
testpmd() {
    timeout -s INT $((SECS < 3 ? 6 : SECS + 3)) dpdk-testpmd \
        -l "$MAIN,$CPU" --no-huge -m 512 --no-pci --no-shconf \
        --file-prefix "vswtp$$" \
        --vdev=net_ring0 --vdev=net_ring1 --log-level=error -- \
        --forward-mode="$1" --tx-first --stats-period=1 --nb-cores=1 \
        --total-num-mbufs=8192 --txpkts="$2" >"$OUT" 2>&1
    awk '/Rx-pps:/ { v[n++] = $2 }
         END { if (n < 6) { print "?"; exit }
               # ports alternate; skip the first two periods (warm-up)
               for (i = 4; i + 1 < n; i += 2) { s += v[i] + v[i + 1]; k++ }
               printf "%.2f", s / k / 1e6 }' "$OUT"
}

csv=$BENCH_OUT/vswitch.csv
mkdir -p "$BENCH_OUT"
echo "round,setup,size,mpps" >"$csv"
row() { echo "$1,$2,$3,$4" >>"$csv"; printf "  round %s %-16s %5s B: %s Mpps\n" "$@"; }
ovs_why=
for r in $(seq "$BENCH_ROUNDS"); do
    for size in 64 1500; do
        bench_load vswitch "$r" "$size"
        row "$r" vsw-bench "$size" "$("$BENCH" -s "$size" -t "$SECS" \
            -l "$CPU" | vsw_mpps)"
        row "$r" testpmd-macswap "$size" "$(testpmd macswap "$size")"
    done
    [ -n "$ovs_why" ] && continue
    bench_load vswitch "$r" ovs
    "$here/ovs_dpdk.sh" "$SECS" "$CPU" 64 1500 >"$OUT" 2>&1
    case $? in
    0) while read -r size mpps; do row "$r" ovs-dpdk "$size" "$mpps"; done <"$OUT" ;;
    *) ovs_why=$(tail -1 "$OUT"); cat "$OUT" ;;
    esac
done
# A peer that could not run says why, in the log and beside the CSV.
rm -f "$BENCH_OUT/vswitch_ovs_skipped.txt"
[ -z "$ovs_why" ] || echo "$ovs_why" >"$BENCH_OUT/vswitch_ovs_skipped.txt"
