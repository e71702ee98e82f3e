#!/bin/bash
# SPDX-License-Identifier: MIT
#
# An xvmd that starts again takes over the domains an earlier one left
# running, but only what checks out: a guest that kept what it was given
# is taken over (running, same id and process); one that put a memfd of
# its own in place of the domain's memory is not: it is destroyed, with
# a log line saying why, and its run record goes.
. "$(dirname "$0")/hostile_lib.sh"

pid_of() { xvm dominfo "$1" | sed -n 's/^PID: *//p'; }
dead() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }

start_xvmd
guest_create calm1 || fail "create calm1"
guest_create swap1 || fail "create swap1"
calm=$(pid_of calm1) swap=$(pid_of swap1) id=$(xvm domid calm1)
[ -f "$T/state/running/calm1" ] && [ -f "$T/state/running/swap1" ] &&
    ok "both have a run record" || fail "run records missing"
kill -9 "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null; XVMD_PID=
kill -0 "$calm" && kill -0 "$swap" && ok "both guests outlive xvmd" ||
    fail "a guest died with xvmd"
start_xvmd
[ "$(state_of calm1)" = running ] && [ "$(pid_of calm1)" = "$calm" ] &&
    [ "$(xvm domid calm1)" = "$id" ] &&
    ok "calm1 taken over: running, same process and id" ||
    fail "calm1: '$(state_of calm1)', pid $(pid_of calm1), id $(xvm domid calm1)"
grep -q "domain swap1: not adopted: the memory its guest kept is not the domain's (sealed, 16 MiB); destroying its guest (pid $swap)" \
    "$T/xvmd.log" && ok "swap1 refused, with the reason" ||
    fail "no refusal logged: $(grep swap1 "$T/xvmd.log" | tail -3)"
wait_until 5 dead "$swap" && ok "swap1's guest destroyed" ||
    fail "swap1's guest still runs"
[ "$(state_of swap1)" = "shut off" ] && [ ! -e "$T/state/running/swap1" ] &&
    ok "swap1 shut off, its run record gone" ||
    fail "swap1: '$(state_of swap1)'"
xvm destroy calm1 >/dev/null && wait_until 5 dead "$calm" &&
    ok "the adopted calm1 is destroyed" || fail "destroy calm1"
finish
