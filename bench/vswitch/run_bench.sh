#!/bin/bash
# SPDX-License-Identifier: MIT
# Fast-path throughput on one core, net_ring ports, 64 and 1500 B frames:
# vsw-bench (wire -> VNIC -> wire, VLAN strip/insert, maxbw and
# mac-nospoof active) next to dpdk-testpmd on net_ring ports in the same
# run: io forwarding (the ceiling: moves mbuf pointers, touches no packet)
# and macswap (reads and writes each Ethernet header).
#   VSW_BENCH=path/to/vsw-bench run_bench.sh [seconds] [cpu]
set -u
SECS=${1:-5}
CPU=${2:-1}
BENCH=${VSW_BENCH:-$(dirname "$0")/../../build/bench/vsw-bench}
[ -x "$BENCH" ] || { echo "vsw-bench not found (set VSW_BENCH)"; exit 77; }
command -v dpdk-testpmd >/dev/null ||
    { echo "dpdk-testpmd not installed (Debian package dpdk-dev)"; exit 77; }
MAIN=0
[ "$CPU" = 0 ] && MAIN=1
OUT=$(mktemp)
trap 'rm -rf "$OUT" "/var/run/dpdk/vswtp$$"' EXIT

# testpmd MODE SIZE: mean over the last periods of the summed Rx-pps.
testpmd() {
    timeout -s INT $((SECS + 3)) dpdk-testpmd -l "$MAIN,$CPU" --no-huge \
        -m 512 --no-pci --no-shconf --file-prefix "vswtp$$" \
        --vdev=net_ring0 --vdev=net_ring1 --log-level=error -- \
        --forward-mode="$1" --tx-first --stats-period=1 --nb-cores=1 \
        --total-num-mbufs=8192 --txpkts="$2" >"$OUT" 2>&1
    awk '/Rx-pps:/ { v[n++] = $2 }
         END { if (n < 6) { print "?"; exit }
               # ports alternate; skip the first two periods (warm-up)
               for (i = 4; i + 1 < n; i += 2) { s += v[i] + v[i + 1]; k++ }
               printf "%.2f", s / k / 1e6 }' "$OUT"
}

printf "%-6s %14s %14s %14s\n" size "vsw Mpps" "testpmd io" "testpmd macswap"
for size in 64 1500; do
    vsw=$("$BENCH" -s "$size" -t "$SECS" -l "$CPU" |
          awk '{ for (i = 2; i <= NF; i++) if ($i == "Mpps") print $(i - 1) }')
    io=$(testpmd io "$size")
    ms=$(testpmd macswap "$size")
    printf "%-6s %14s %14s %14s\n" "$size" "$vsw" "$io" "$ms"
done
