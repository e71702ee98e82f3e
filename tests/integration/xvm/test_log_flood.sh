#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What a guest does in a loop must not write the daemons' log in a loop.
# A guest writes its xenstore key as fast as it may, each write a watch
# event for dom0, while dom0 (xvmd, stopped and continued 40 times) is
# slow to read them: each time 256 are unread xenstored holds the guest's
# requests, and logs it.  Then the guest fills its quota.  The lines of
# one guest are bounded (xvm/log.h: 10, then one a second; the next line
# let through says how many were suppressed).
. "$(dirname "$0")/hostile_lib.sh"

start_xvmd
guest_create flood1 || fail "create flood1"
start=$EPOCHREALTIME
for i in $(seq 40); do
    kill -STOP "$XVMD_PID"; sleep 0.05; kill -CONT "$XVMD_PID"; sleep 0.02
done
touch "$T/flood1.stop"
wait_until 30 test -s "$T/flood1" || fail "flood1 did not report"
el=$(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%d", a - b + 1 }')
read -r writes keys err <"$T/flood1"
echo "  flood1: $writes writes, then $keys keys until errno $err, in ${el}s"
n=$(grep -c "domain [0-9]*: .*its requests wait" "$T/xvmd.log")
max=$((10 + el))
echo "  xenstored logged $n holds of it (at most $max: 10, then one a second)"
[ "$n" -ge 10 ] && ok "its holds are logged" ||
    fail "$n holds logged: the flood did not reach the limit"
[ "$n" -le $max ] && ok "its log lines are bounded" ||
    fail "$n log lines for one guest"
grep -q "its requests wait.*([0-9]* earlier lines suppressed)" \
    "$T/xvmd.log" && ok "a later line counts those suppressed" ||
    fail "no line says how many were suppressed"
[ "$(state_of flood1)" = running ] && ok "flood1 still runs" ||
    fail "flood1 is '$(state_of flood1)'"
timed 2 xvm list || fail "xvm list answers within 2 s"
finish
