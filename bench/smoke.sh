#!/bin/bash
# SPDX-License-Identifier: MIT
# `make bench` end to end, short: bench/run.sh with one round of 1 s per
# point on the quicker scenarios (BENCH_SMOKE_SCENARIOS), into a temporary
# directory (never bench/results), then checks that report.md has every
# section, a table with figures for each scenario that ran, the placement
# and the load, and that the plots exist and are not empty; first, that a
# scenario name run.sh does not have is refused before anything runs.
# usage: bench/smoke.sh BUILD_DIR
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
scen=${BENCH_SMOKE_SCENARIOS:-netif vif vswitch vswitch_workers procdom procdom_cpu procdom_latency}
/usr/bin/python3 -c "import matplotlib" 2>/dev/null ||
    { echo "SKIP: no matplotlib for /usr/bin/python3 (python3-matplotlib)"; exit 77; }
out=$(mktemp -d /tmp/xvnet-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A scenario run.sh does not have is refused before anything is made.
msg=$(BENCH_OUT=$out/typo BENCH_SCENARIOS="netif netiff" "$here/run.sh" \
      "$build" 1 2>&1)
rc=$?
[ "$rc" = 1 ] && [[ "$msg" == "bench/run.sh: unknown scenario 'netiff' "* ]] &&
    [ ! -e "$out/typo" ] ||
    bad "BENCH_SCENARIOS=netiff: exit $rc, '$msg'"
BENCH_OUT=$out BENCH_ROUNDS=1 BENCH_SIZES="64 1500" BENCH_SCENARIOS=$scen \
    "$here/run.sh" "$build" 1 || bad "run.sh exited with $?"
md=$out/report.md
[ -s "$md" ] || { bad "no report.md"; exit 1; }
for h in "## Machine" "## Placement" "## Load average" "## Scenarios" \
         "## Plots" "## Figures" \
         $(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$here')
import report; print(' '.join('###@' + s[0] for s in report.SCENARIOS))"); do
    grep -q "^${h//@/ }" "$md" || bad "report.md has no '${h//@/ }'"
done
grep -Eq '^\| start \| [0-9.]+ \|' "$md" || bad "no placement figure"
grep -q "^- CPUs: $(nproc), " "$md" || bad "no machine line"
for s in $scen; do
    st=$(awk -F, -v s="$s" '$1 == s { print $2 }' "$out/status.csv")
    case $st in
    done)
        # the scenario's section has a table row with a figure
        sed -n "/^### $s\$/,/^### /p" "$md" | grep -Eq '^\| .*\| [0-9.]+( \(|  *\|)' ||
            bad "$s: no figure in its table"
        grep -q "^$s," "$out/load.csv" || bad "$s: no load recorded"
        [ -s "$out/$s.png" ] || bad "$s: no $s.png" ;;
    skipped) echo "note: $s skipped:" \
        "$(awk -F, -v s="$s" '$1 == s { print $4 }' "$out/status.csv")" ;;
    *) bad "$s: ${st:-no status}" ;;
    esac
done
for p in latency scale; do
    case " $scen " in *" procdom"*) [ -s "$out/$p.png" ] || bad "no $p.png" ;; esac
done
[ $fails -eq 0 ] || { cat "$md"; exit 1; }
echo "bench smoke: report.md and plots written ($(ls "$out"/*.png | wc -l) PNGs)"
