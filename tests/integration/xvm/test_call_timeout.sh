#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvm and dladm give up on a daemon that takes the connection and never
# answers: a clear message, exit 1, after about 10 s (not forever).
. "$(dirname "$0")/hostile_lib.sh"

[ -x "${DLADM:-}" ] || skip "DLADM not set (run through meson test)"
# The silent peer sits where both tools look: the runtime directory.
mkdir -p "$T/silent"
ln -s "$T/silent.sock" "$T/silent/vswitchd.sock"
"$HOSTILE" --silent "$T/silent.sock" & SILENT=$!
stop_silent() { kill "$SILENT" 2>/dev/null; wait "$SILENT" 2>/dev/null; }
CLEANUP_HOOK=stop_silent
wait_until 5 test -S "$T/silent.sock" || { fail "no silent socket"; exit 1; }

run() { # run NAME COMMAND...: output and status in $T/NAME.{out,rc}
    local name=$1 start=$SECONDS; shift
    timeout 30 "$@" >"$T/$name.out" 2>&1
    echo "$? $((SECONDS - start))" >"$T/$name.rc"
}
run xvm "$XVM" -s "$T/silent.sock" list &
XVNET_RUNDIR=$T/silent run dladm "$DLADM" show-link &
wait %2 %3
for c in xvm dladm; do
    read -r rc secs <"$T/$c.rc"
    if [ "$rc" = 1 ] && [ "$secs" -ge 9 ] && [ "$secs" -le 15 ]; then
        ok "$c gives up after ${secs}s with status 1"
    else
        fail "$c: status $rc after ${secs}s"
    fi
done
grep -qx "xvm: xvmd did not answer within 10 s" "$T/xvm.out" &&
    ok "xvm says why" || fail "xvm said: $(cat "$T/xvm.out")"
grep -q "^dladm: .*vswitchd did not answer within 10 s" "$T/dladm.out" &&
    ok "dladm says why" || fail "dladm said: $(cat "$T/dladm.out")"
finish
