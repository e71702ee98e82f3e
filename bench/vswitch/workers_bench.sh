#!/bin/bash
# SPDX-License-Identifier: MIT
# The switch core on two workers against one, net_ring ports, 64 and
# 1500 B frames: vsw-bench with one worker (one lap, CPU 1), with two (a
# lap per worker, each worker owning its lap's ports: CPUs 0 and 1), and
# with two where every pass crosses from one worker to the other through
# the handoff ring (-X).  BENCH_ROUNDS rounds (lib.sh), each: per size
# the three setups in turn, interleaved.  Every frame must still be going
# round at the end, none dropped.
# Writes $BENCH_OUT/vswitch_workers.csv:  round,setup,size,mpps
#   VSW_BENCH=path/to/vsw-bench workers_bench.sh [seconds]
set -u
SECS=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
BENCH=${VSW_BENCH:-$(dirname "$0")/../../build/bench/vsw-bench}
[ -x "$BENCH" ] || { echo "vsw-bench not found (set VSW_BENCH)"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "two workers need two CPUs ($(nproc) here)"; exit 77; }

csv=$BENCH_OUT/vswitch_workers.csv
mkdir -p "$BENCH_OUT"
echo "round,setup,size,mpps" >"$csv"
failed=0
# one SETUP SIZE ARGS...: a run, checked, into the CSV
one() {
    setup=$1 size=$2
    shift 2
    out=$("$BENCH" -s "$size" -t "$SECS" "$@" 2>&1)
    mpps=$(echo "$out" | head -1 | vsw_mpps)
    if [ -z "$mpps" ] || echo "$out" | grep -q 'in flight, expected' ||
       ! echo "$out" | head -1 | grep -q 'drops 0$'; then
        echo "  round $r $setup $size B: FAILED"
        echo "$out" | sed 's/^/    /'
        failed=$((failed + 1))
        return
    fi
    echo "$r,$setup,$size,$mpps" >>"$csv"
    printf "  round %s %-18s %5s B: %s Mpps\n" "$r" "$setup" "$size" "$mpps"
}
for r in $(seq "$BENCH_ROUNDS"); do
    for size in 64 1500; do
        bench_load vswitch_workers "$r" "$size"
        one "1 worker" "$size" -l 1
        one "2 workers" "$size" -l 0,1 -w 2
        one "2 workers crossing" "$size" -l 0,1 -w 2 -X
    done
done
[ "$failed" = 0 ] || { echo "$failed runs failed"; exit 1; }
# Medians, and two workers against one.
awk -F, 'NR > 1 { k = $2 "@" $3; v[k] = v[k] " " $4; sz[$3] = 1 }
    function med(s,   a, n, i, j, t) {
        n = split(s, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
            if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { for (s in sz) {
        one = med(v["1 worker@" s]); two = med(v["2 workers@" s])
        x = med(v["2 workers crossing@" s])
        printf "  %s B medians: 1 worker %.2f, 2 workers %.2f (%.2fx), crossing %.2f (%.2fx) Mpps\n",
            s, one, two, one ? two / one : 0, x, one ? x / one : 0 } }' "$csv"
