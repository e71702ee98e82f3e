#!/bin/bash
# SPDX-License-Identifier: MIT
# Where a frame waits between two process domains: the static probes on
# its path (xvm/probe.h: the guests' pumps and vswitchd's vifs and sleeps)
# traced with bpftrace while one domain pings the other every 20 ms (the
# switch and the pumps go idle between pings), then each frame followed
# from stage to stage by its key (bench/fptrace.py), the wake-ups placed
# where they happened.
# Writes a CSV of hops: round,hop,count,p50_us,p90_us,mean_us
# and the raw trace next to it (CSV's name + .trace).
# usage: bench/fptrace.sh BUILD_DIR [PINGS] [CSV]
pings=${2:-250}
csv=${3:-$(cd "$(dirname "$0")" && pwd)/results/fptrace.csv}
# the load averages (lib.sh) go next to the CSV unless run.sh says where
BENCH_OUT=${BENCH_OUT:-$(dirname "$csv")}
. "$(dirname "$0")/procdom_lib.sh" "${1:-build}" bpftrace python3
. "$here/lib.sh"
raw=${csv%.csv}.trace

# One bpftrace attaches to every probe of both programs; a probe's
# semaphore is set in every process of the program (uprobe reference
# counters), so the domains' pumps are traced inside their sandboxes.
# probes PROGRAM ARGS NAME...: a line "NAME NSECS TID KEY ARG" per firing;
# ARGS: "arg0, arg1" for a frame's probes (key, length), "0, arg0" for
# the others (one number).
probes() {
    local p=$1 a=$2 n
    shift 2
    for n in "$@"; do
        printf 'usdt:%s:xvnet:%s { printf("%%s %%llu %%d %%llx %%llu\\n", "%s", nsecs, tid, %s); }\n' \
            "$p" "$n" "$n" "$a"
    done
}
{
    probes "$VSWITCHD" "arg0, arg1" vif_from_guest vif_to_guest
    probes "$VSWITCHD" "0, arg0" vsw_wake
    probes "$PROCDOM" "arg0, arg1" pump_tap_read pump_rx pump_tap_write
    probes "$PROCDOM" "0, arg0" pump_tx_push pump_wake
} >"$T/fptrace.bt"

mkdir -p "$(dirname "$csv")"
echo "round,hop,count,p50_us,p90_us,mean_us" >"$csv"
: >"$raw"
for round in $(seq "$BENCH_ROUNDS"); do
    echo "-- round $round of $BENCH_ROUNDS: $pings pings, traced"
    bench_load fptrace "$round" ping
    bpftrace "$T/fptrace.bt" >"$T/trace.txt" 2>"$T/bpftrace.err" &
    bt=$!
    wait_until 30 grep -q "^Attaching" "$T/trace.txt" ||
        die "bpftrace did not attach: $(tail -3 "$T/bpftrace.err")"
    sleep 0.5
    inside procdom pa ping -c "$pings" -i 0.02 -W 1 10.99.0.2 >"$T/ping.txt" 2>&1
    kill -INT "$bt"
    wait "$bt"
    grep -v "^Attaching" "$T/trace.txt" | sed "s/^/$round /" >>"$raw"
    python3 "$here/fptrace.py" --round "$round" --ping "$T/ping.txt" \
        "$T/trace.txt" | tee -a "$csv"
done
