#!/bin/bash
# SPDX-License-Identifier: MIT
#
# One xvmd per xenstored.  A second xvmd with its own state directory on
# the same xenstored would take the first one's running domains for stale
# ones and remove them from the store (their vifs with them).  It must
# refuse to start, leave the first one's domains alone, and say whose the
# store is; once the first xvmd is gone (kill -9: its claim stays in the
# store), a new one takes the store over.
. "$(dirname "$0")/hostile_lib.sh"
command -v xenstore-read >/dev/null || skip "xenstore-read not installed"
export XENSTORED_PATH=$T/xs.sock

start_xvmd
guest_create one1 || fail "create one1"
id=$(xvm domid one1)
claim=$(xenstore-read /tool/xvmd 2>&1)
[[ "$claim" == "pid $XVMD_PID start "*" state $T/state" ]] &&
    ok "xvmd claims the store: $claim" || fail "claim: '$claim'"

out=$(timeout 10 "$XVMD" -s "$T/xvmd2.sock" -x "$T/xs.sock" -d "$T/state2" \
      -n "$T/netns" -p "$HOSTILE" -t 1 2>&1)
rc=$?
[ $rc = 1 ] && ok "a second xvmd exits 1" || fail "second xvmd: exit $rc"
echo "  $(echo "$out" | grep error | head -1)"
echo "$out" | grep -q "is another xvmd's (pid $XVMD_PID, state in $T/state)" &&
    ok "it names the xvmd that has the store" || fail "message: $out"
! echo "$out" | grep -q "removed .* of an earlier run" &&
    ok "it removed nothing" || fail "it swept: $out"
[ ! -e "$T/xvmd2.sock" ] && ok "it left no socket" || fail "xvmd2.sock left"
[ "$(xenstore-read "/local/domain/$id/name" 2>&1)" = one1 ] &&
    ok "the first xvmd's domain is still in the store" ||
    fail "/local/domain/$id is gone"
[ "$(xenstore-read /tool/xvmd 2>&1)" = "$claim" ] &&
    ok "the claim is still the first xvmd's" || fail "claim changed"
[ "$(state_of one1)" = running ] && ok "one1 runs" || fail "one1: $(state_of one1)"

# A claim whose xvmd died is taken over by the next xvmd.
kill -9 "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
start_xvmd
grep -q "claiming the xenstore of an xvmd that is gone" "$T/xvmd.log" &&
    ok "the next xvmd takes a dead xvmd's claim" || fail "no takeover line"
[[ "$(xenstore-read /tool/xvmd 2>&1)" == "pid $XVMD_PID start "* ]] &&
    ok "the claim is the new xvmd's" || fail "claim: $(xenstore-read /tool/xvmd 2>&1)"
[ "$(state_of one1)" = running ] && ok "one1 was taken over" ||
    fail "one1: $(state_of one1)"

# A clean stop drops the claim (the domain goes first: a stopped xvmd
# leaves its domains running).
xvm destroy one1 >/dev/null || fail "destroy one1"
kill "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
XVMD_PID=
xenstore-read /tool/xvmd >/dev/null 2>&1 && fail "claim left after SIGTERM" ||
    ok "a stopped xvmd drops its claim"
finish
