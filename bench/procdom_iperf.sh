#!/bin/bash
# iperf3 TCP between two process domains through vswitchd (TAP eth0 <->
# libxnf <-> netif <-> vswitchd on the etherstub stub0 <-> netif <-> libxnf
# <-> TAP eth0), one stream and four, next to the same between two network
# namespaces joined by a Linux bridge with veth pairs, interleaved in the
# same run, BENCH_ROUNDS rounds (lib.sh).  The domains are real: xvmd,
# `xvm create`, xvm-procdom, and vswitchd finding their vifs through
# xenstore (tests/lib/guests.sh).  A third setup, procdom-q2, is the same
# between two domains whose vifs have queues=2 (two netif queues, a
# multi-queue TAP, a pump thread per queue), and procdom-near between two
# domains whose pumps run on the CPU of vswitchd's worker (cpus=).
# Writes a CSV:  round,setup,streams,seconds,gbps,retransmits
# usage: bench/procdom_iperf.sh BUILD_DIR [SECONDS] [CSV]
secs=${2:-5}
csv=${3:-$(cd "$(dirname "$0")" && pwd)/results/procdom.csv}
PD_QUEUES2=1 PD_NEAR=1
. "$(dirname "$0")/procdom_lib.sh" "${1:-build}" iperf3 python3
. "$here/lib.sh"

run() { # SETUP CLIENT SERVER ADDR STREAMS ROUND
    iperf_serve "$1" "$3" "$4"
    inside "$1" "$2" iperf3 -c "$4" -t "$secs" -P "$5" -J >"$T/c.json" ||
        { echo "iperf3 $1 failed" >&2; tail -5 "$T/c.json" >&2; }
    iperf_unserve "$1" "$3"
    r=$(python3 "$here/iperf_sum.py" "$T/c.json") &&
        echo "$6,$1,$5,$secs,$r" | tee -a "$csv"
}

mkdir -p "$(dirname "$csv")"
echo "round,setup,streams,seconds,gbps,retransmits" >"$csv"
for round in $(seq "$BENCH_ROUNDS"); do
    for streams in 1 4; do
        bench_load procdom "$round" "$streams"
        run procdom pa pb 10.99.0.2 $streams "$round"
        run procdom-q2 qa qb 10.99.0.4 $streams "$round"
        run procdom-near na nb 10.99.0.6 $streams "$round"
        run bridge-veth "${BR}c" "${BR}d" 10.99.1.2 $streams "$round"
    done
done
