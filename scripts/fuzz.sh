#!/bin/sh
# Run every libFuzzer harness for SECONDS each on a scratch copy of its
# corpus; new inputs that found coverage are reported, crashes fail.
# Usage: scripts/fuzz.sh ASAN_BUILD [SECONDS]
set -eu
build=${1:-build-asan}
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for harness in "$build"/tests/fuzz/fuzz_*; do
    [ -f "$harness" ] && [ -x "$harness" ] || continue
    case "$harness" in *_replay | *.p) continue ;; esac
    name=$(basename "$harness" | sed 's/^fuzz_//')
    mkdir -p "$work/$name"
    cp -r "$root/tests/fuzz/corpus/$name/." "$work/$name/" 2>/dev/null || true
    echo "== fuzzing $name for ${secs}s"
    if ! "$harness" -max_total_time="$secs" -rss_limit_mb=2048 \
            -artifact_prefix="$root/tests/fuzz/crash-$name-" \
            -print_final_stats=1 "$work/$name" 2>"$work/$name.log"; then
        status=1
        tail -n 40 "$work/$name.log"
        echo "FAIL: $name: crash saved under tests/fuzz/crash-$name-*"
    else
        grep -E 'stat::number_of_executed_units|stat::peak_rss_mb|cov:' \
            "$work/$name.log" | tail -n 4
        echo "ok: $name: no crash in ${secs}s"
    fi
done
exit $status
