#!/bin/bash
# SPDX-License-Identifier: MIT
# Where the machine's CPU goes while one TCP stream runs between two
# process domains through vswitchd, and between the bridge's namespaces
# (the peer): a system-wide perf profile of a window in the middle of each
# iperf3 run, cut into parts by bench/cpu_split.py (idle, the sockets, the
# pumps, vswitchd, and the copies each makes).  It tells what a change can
# win: vswitchd's copies are the most that mapping guests' grants instead
# of copying them could take off the machine.
# Writes a CSV:  round,setup,part,pct,gbps
# usage: bench/procdom_cpu.sh BUILD_DIR [SECONDS] [CSV]
secs=${2:-4}
[ "$secs" -ge 3 ] || secs=3
csv=${3:-$(cd "$(dirname "$0")" && pwd)/results/procdom_cpu.csv}
BENCH_OUT=${BENCH_OUT:-$(dirname "$csv")}
. "$(dirname "$0")/procdom_lib.sh" "${1:-build}" iperf3 perf python3
. "$here/lib.sh"

run() { # SETUP CLIENT SERVER ADDR ROUND
    iperf_serve "$1" "$3" "$4"
    inside "$1" "$2" iperf3 -c "$4" -t "$secs" -P 1 -J >"$T/c.json" &
    local client=$!
    # the window: the middle of the run, away from slow start and the end
    sleep 1
    perf record -a -F 499 -o "$T/perf.data" -- sleep $((secs - 2)) \
        >/dev/null 2>"$T/perf.err" ||
        { echo "perf record failed: $(tail -2 "$T/perf.err")" >&2; return 1; }
    wait "$client" ||
        { echo "iperf3 $1 failed" >&2; tail -5 "$T/c.json" >&2; return 1; }
    iperf_unserve "$1" "$3"
    local gbps
    gbps=$(python3 "$here/iperf_sum.py" "$T/c.json" | cut -d, -f1) || return 1
    python3 "$here/cpu_split.py" "$T/perf.data" >"$T/split.csv" || return 1
    sed "s/^/$5,$1,/; s/\$/,$gbps/" "$T/split.csv" | tee -a "$csv"
    rm -f "$T/perf.data" "$T/perf.data.old"
}

mkdir -p "$(dirname "$csv")"
echo "round,setup,part,pct,gbps" >"$csv"
for round in $(seq "$BENCH_ROUNDS"); do
    echo "-- round $round of $BENCH_ROUNDS"
    bench_load procdom_cpu "$round" 1
    run procdom pa pb 10.99.0.2 "$round" || exit 1
    run bridge-veth "${BR}c" "${BR}d" 10.99.1.2 "$round" || exit 1
done
