#!/bin/sh
# Run the benchmarks, write bench/results/*.csv and plot them.
# Usage: bench/run.sh BUILD_DIR [SECONDS_PER_POINT]
set -eu
build=${1:-build}
secs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/results"
echo "== netif: frontend -> backend -> frontend"
"$build/bench/netif_bench" -s 64,512,1500,9000 -t "$secs" \
    -o "$here/results/netif.csv"
/usr/bin/python3 "$here/plot.py" "$here/results"
echo "results and plots in bench/results/"
