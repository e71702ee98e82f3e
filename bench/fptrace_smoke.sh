#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/fptrace.sh, short: 40 traced pings between two process domains.
# Every ping must be followed through all the probes both ways (a probe
# that no longer fires, or a key that changes on the way, loses frames),
# and the traced part of a round trip must lie inside ping's own.
# usage: bench/fptrace_smoke.sh BUILD_DIR
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d /tmp/xvnet-fptrace-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
BENCH_OUT=$out BENCH_ROUNDS=1 "$here/fptrace.sh" "$build" 40 "$out/fp.csv"
rc=$?
[ $rc = 0 ] || exit $rc
python3 - "$out/fp.csv" <<'PY'
import csv, sys
rows = {r["hop"]: r for r in csv.DictReader(open(sys.argv[1]))}
bad = 0
def need(hop, least):
    global bad
    n = int(rows[hop]["count"]) if hop in rows else 0
    if n < least:
        print(f"FAIL: '{hop}': {n} frames, want at least {least}")
        bad += 1
    return n
need("ping's round trip", 38)
for side in ("request", "reply"):
    need(f"{side}: total TAP read -> TAP written", 30)
    need(f"{side}: pump TAP read -> TX ring pushed", 30)
    need(f"{side}: vswitchd read -> on the other RX ring", 30)
both = "both: TAP read -> the reply written to the first TAP"
if need(both, 30):
    traced, rtt = float(rows[both]["p50_us"]), float(rows["ping's round trip"]["p50_us"])
    if not 0 < traced < rtt:
        print(f"FAIL: traced {traced} us of ping's {rtt} us round trip")
        bad += 1
    else:
        print(f"ok: traced {traced} us of ping's {rtt} us (medians)")
sys.exit(1 if bad else 0)
PY
