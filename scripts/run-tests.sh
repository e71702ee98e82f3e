#!/bin/sh
# Run every test suite: the release build (unit, integration, fuzz replay)
# and the clang ASan+UBSan build (unit, fuzz replay), then print one summary
# line 'N passed, N failed'.  Usage: run-tests.sh BUILD ASAN_BUILD
set -u
build=${1:-build}
asan=${2:-build-asan}

echo "== tests: $build (unit, integration, fuzz replay)"
meson test -C "$build" --suite unit --suite integration --suite fuzz \
    --print-errorlogs --num-processes 2
echo "== tests: $asan (ASan+UBSan: unit, fuzz replay)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
meson test -C "$asan" --suite unit --suite fuzz --print-errorlogs \
    --num-processes 2 --timeout-multiplier 4
echo "== summary"
exec python3 "$(dirname "$0")/test-summary.py" "release=$build" "asan=$asan"
