#!/bin/bash
# SPDX-License-Identifier: MIT
# Latency between two process domains through vswitchd, next to two
# network namespaces on a Linux bridge over veth pairs, interleaved in the
# same run, BENCH_ROUNDS rounds (lib.sh; the setups of procdom_lib.sh):
#   - ping: ICMP echo every 20 ms (the switch goes idle between them, as
#     it would with a quiet guest), round-trip mean, median and p99;
#   - sockperf ping-pong over TCP: requests back to back for SECONDS,
#     full round trips, mean, median and p99, and how many per second.
# Two setups of ours: procdom (pumps placed by the scheduler) and
# procdom-near (pumps on the CPU of vswitchd's worker, the vifs' cpus=).
# The targets: mean and p99 at most 1.5x the bridge's.
# Writes a CSV:  round,setup,test,count,mean_us,p50_us,p99_us,per_s
# and every ping's round trip to CSV's name + _ping.csv:  round,setup,us
# usage: bench/procdom_latency.sh BUILD_DIR [SECONDS] [CSV]
secs=${2:-5}
csv=${3:-$(cd "$(dirname "$0")" && pwd)/results/procdom_latency.csv}
PD_NEAR=1
. "$(dirname "$0")/procdom_lib.sh" "${1:-build}" sockperf python3
. "$here/lib.sh"
samples=${csv%.csv}_ping.csv

# stats FILE: count, mean, p50, p99 of the numbers (one per line) in FILE.
stats() {
    python3 - "$1" <<'PY'
import sys
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
if not v:
    print("0,0,0,0")
else:
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    print("%d,%.1f,%.1f,%.1f" % (len(v), sum(v) / len(v), pick(0.5), pick(0.99)))
PY
}

ping_run() { # SETUP CLIENT ADDR
    local n=$((secs * 50))
    inside "$1" "$2" ping -c "$n" -i 0.02 -W 1 "$3" 2>/dev/null |
        sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' |
        awk '{ printf "%.1f\n", $1 * 1000 }' >"$T/rtt.txt"
    sed "s/^/$round,$1,/" "$T/rtt.txt" >>"$samples"
    echo "$round,$1,ping,$(stats "$T/rtt.txt"),0" | tee -a "$csv"
}

pingpong_run() { # SETUP CLIENT SERVER ADDR
    local out
    inside "$1" "$3" timeout $((secs + 8)) sockperf server --tcp -i "$4" \
        -p 11111 >/dev/null 2>&1 &
    local srv=$!
    sleep 1
    out=$(inside "$1" "$2" sockperf ping-pong --tcp -i "$4" -p 11111 \
        -t "$secs" --full-rtt 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
    kill "$srv" 2>/dev/null
    wait "$srv" 2>/dev/null
    python3 - "$round,$1" "$secs" <<PY | tee -a "$csv"
import re, sys
out = """$out"""
def num(pat):
    m = re.search(pat, out)
    return float(m.group(1)) if m else 0.0
n = num(r"Total (\d+) observations")
print("%s,pingpong,%d,%.1f,%.1f,%.1f,%.0f" % (sys.argv[1], n,
      num(r"avg-rtt=\s*([0-9.]+)"), num(r"percentile 50\.000 =\s*([0-9.]+)"),
      num(r"percentile 99\.000 =\s*([0-9.]+)"), n / float(sys.argv[2])))
PY
}

mkdir -p "$(dirname "$csv")"
echo "round,setup,test,count,mean_us,p50_us,p99_us,per_s" >"$csv"
echo "round,setup,us" >"$samples"
for round in $(seq "$BENCH_ROUNDS"); do
    echo "-- round $round of $BENCH_ROUNDS"
    bench_load procdom_latency "$round" ping
    ping_run procdom pa 10.99.0.2
    ping_run procdom-near na 10.99.0.6
    ping_run bridge-veth "${BR}c" 10.99.1.2
    bench_load procdom_latency "$round" pingpong
    pingpong_run procdom pa pb 10.99.0.2
    pingpong_run procdom-near na nb 10.99.0.6
    pingpong_run bridge-veth "${BR}c" "${BR}d" 10.99.1.2
done
