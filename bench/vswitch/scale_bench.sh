#!/bin/bash
# SPDX-License-Identifier: MIT
# Scale of the switch core: vsw-bench's per-frame cost with 1 VNIC, with
# 4096 on the link and 65,536 in the switch (traffic to one of them), and
# with the frames spread over 256 and 1024 VNICs of the link, each with a
# port of its own.  Rounds interleave the configurations; every run is kept.
#   VSW_BENCH=path/to/vsw-bench scale_bench.sh [seconds] [rounds] [cpu] [csv]
set -u
SECS=${1:-3}
ROUNDS=${2:-3}
CPU=${3:-1}
CSV=${4:-/dev/null}
BENCH=${VSW_BENCH:-$(dirname "$0")/../../build/bench/vsw-bench}
. "$(dirname "$0")/../lib.sh"
[ -x "$BENCH" ] || { echo "vsw-bench not found (set VSW_BENCH)"; exit 77; }
# vnics:hot
CONFIGS="1:1 4096:1 65536:1 4096:256 4096:1024 65536:1024"

echo "round,vnics,hot,mpps,cycles_per_frame" >"$CSV"
failed=0
for round in $(seq 1 "$ROUNDS"); do
    bench_load vswitch_scale "$round" all
    for c in $CONFIGS; do
        v=${c%:*} h=${c#*:}
        out=$("$BENCH" -s 64 -n 1024 -t "$SECS" -l "$CPU" -V "$v" -H "$h" 2>&1)
        line=$(echo "$out" | grep -m1 'Mpps per core')
        mpps=$(echo "$line" | vsw_mpps)
        cyc=$(echo "$line" | sed -n 's/.*(\([0-9]*\) cycles\/frame).*/\1/p')
        # Every frame must still be going round at the end, none dropped.
        if [ -z "$mpps" ] || [ -z "$cyc" ] || echo "$out" | grep -q 'in flight, expected' ||
           ! echo "$line" | grep -q 'drops 0$'; then
            echo "  round $round, $v VNICs, $h carrying traffic: FAILED"
            echo "$out" | sed 's/^/    /'
            failed=$((failed + 1))
            continue
        fi
        printf "  round %s: %5s VNICs, %4s carrying traffic: %6s Mpps, %4s cycles/frame\n" \
            "$round" "$v" "$h" "$mpps" "$cyc"
        echo "$round,$v,$h,$mpps,$cyc" >>"$CSV"
    done
done
# Medians, and each configuration's cost against one VNIC's in the same run.
[ "$failed" = 0 ] || { echo "$failed runs failed"; exit 1; }
[ "$CSV" = /dev/null ] && exit 0
awk -F, 'NR > 1 { k = $2 ":" $3; c[k] = c[k] " " $5; m[k] = m[k] " " $4; keys[k] = 1 }
    function med(s,   a, n, i, j, t) {
        n = split(s, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
            if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { base = med(c["1:1"])
          printf "%-8s %-6s %10s %14s %10s\n", "vnics", "hot", "Mpps", "cycles/frame", "vs 1 VNIC"
          n = split("1:1 4096:1 65536:1 4096:256 4096:1024 65536:1024", order, " ")
          for (i = 1; i <= n; i++) { k = order[i]; if (!(k in keys)) continue
              split(k, vh, ":")
              printf "%-8s %-6s %10.2f %14.0f %9.2fx\n", vh[1], vh[2], med(m[k]), med(c[k]), med(c[k]) / base } }' "$CSV"
