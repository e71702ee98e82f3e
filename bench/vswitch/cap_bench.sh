#!/bin/bash
# SPDX-License-Identifier: MIT
# Capture cost on the fast path: vsw-bench without a capture,
# then with a capture on VNIC a1 (both directions) whose filter matches
# nothing ("udp port 53": the whole eBPF program runs on every frame) and
# one that copies every frame, read by a thread on another CPU.  Prints
# Mpps, the ratio to the run without capture, and the capture's counts
# (read + dropped must equal the frames a1 received).  With a CSV, also
# writes  size,capture,mpps,ratio,read,dropped,received  to it.
#   VSW_BENCH=path/to/vsw-bench cap_bench.sh [seconds] [cpu] [reader-cpu] [csv]
set -u
SECS=${1:-5}
CPU=${2:-1}
RCPU=${3:-0}
CSV=${4:-/dev/null}
BENCH=${VSW_BENCH:-$(dirname "$0")/../../build/bench/vsw-bench}
[ -x "$BENCH" ] || { echo "vsw-bench not found (set VSW_BENCH)"; exit 77; }
. "$(dirname "$0")/../lib.sh"

run() { # size, capture args...
    local size="$1"
    shift
    "$BENCH" -s "$size" -t "$SECS" -l "$CPU" "$@"
}
mpps() { vsw_mpps <<<"$1"; }

printf "%-5s %-12s %8s %7s  %s\n" size capture Mpps ratio "capture counts"
echo "size,capture,mpps,ratio,read,dropped,received" >"$CSV"
for size in 64 1500; do
    out=$(run "$size")
    base=$(mpps "$out")
    printf "%-5s %-12s %8s %7s\n" "$size" none "$base" 1.000
    echo "$size,none,$base,1.000,,," >>"$CSV"
    for cap in "udp port 53" all; do
        out=$(run "$size" -C "$cap" -r "$RCPU")
        m=$(mpps "$out")
        recv=$(awk '/a1 received/ { print $3 }' <<<"$out" | tr -d ,)
        counts=$(sed -n "s/.*capture '.*' (\(JIT [a-z]*\)): \([0-9]*\) frames read, \([0-9]*\) dropped/\1, read \2 + dropped \3/p" <<<"$out")
        name=$([ "$cap" = all ] && echo match-all || echo match-none)
        ratio=$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", a / b }')
        printf "%-5s %-12s %8s %7s  %s (a1 received %s)\n" "$size" \
            "$name" "$m" "$ratio" "$counts" "$recv"
        echo "$size,$name,$m,$ratio,$(sed -n 's/.*read \([0-9]*\) + dropped \([0-9]*\)/\1,\2/p' <<<"$counts"),$recv" >>"$CSV"
    done
done
