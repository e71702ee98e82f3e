# Sourced by the benchmark scripts (sh and bash): where the results go, how
# many rounds each scenario runs, and the load average recorded before
# each pair of measurements (ours, then the peer).
#   BENCH_OUT     the results directory (default bench/results, from the
#                 top of the tree); run.sh sets it for every script
#   BENCH_ROUNDS  rounds per scenario, ours and its peer interleaved
#                 (default 3)
BENCH_OUT=${BENCH_OUT:-bench/results}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_OUT BENCH_ROUNDS

# bench_load SCENARIO ROUND POINT: append the load averages (1, 5 and 15
# minutes) to $BENCH_OUT/load.csv before the pair SCENARIO/POINT of ROUND.
bench_load() {
    mkdir -p "$BENCH_OUT"
    [ -s "$BENCH_OUT/load.csv" ] ||
        echo "scenario,round,point,load1,load5,load15" >"$BENCH_OUT/load.csv"
    echo "$1,$2,$3,$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" \
        >>"$BENCH_OUT/load.csv"
}

# vsw_mpps: vsw-bench's Mpps from its report line on stdin.
vsw_mpps() {
    awk '{ for (i = 2; i <= NF; i++) if ($i == "Mpps") { print $(i - 1); exit } }'
}
