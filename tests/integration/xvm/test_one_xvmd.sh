#!/bin/bash
# SPDX-License-Identifier: MIT
#
# One xvmd per xenstored.  A second xvmd with its own state directory on
# the same xenstored would take the first one's running domains for stale
# ones and remove them from the store (their vifs with them).  It must
# refuse to start, leave the first one's domains alone, and say whose the
# store is, while the first xvmd runs and also while it is gone (killed,
# or stopped: its domains run on); the first one started again takes its
# store back; once no domain is left, another xvmd may have the store.
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

# second STATE: a second xvmd with state in STATE on the same xenstored,
# run in the foreground; its exit status, its log in $T/second.log.
second() {
    timeout 10 "$XVMD" -s "$T/xvmd2.sock" -x "$T/xs.sock" -d "$T/$1" \
        -n "$T/netns" -p "$HOSTILE" -t 1 >"$T/second.log" 2>&1 &
    SECOND=$!
    wait_until 5 sh -c "grep -q 'xvmd: listening on\|xvmd: error' '$T/second.log'"
    if grep -q "xvmd: listening on" "$T/second.log"; then
        kill "$SECOND"; wait "$SECOND" 2>/dev/null; return 0
    fi
    wait "$SECOND"
}

# The first xvmd killed: its domain runs on, and the store is still its.
kill -9 "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
second state2; rc=$?
[ $rc = 1 ] && grep -q "holds the domains of the xvmd with state in $T/state, which is not running" "$T/second.log" &&
    ok "with the first xvmd dead, another is still refused" ||
    fail "second after kill -9: exit $rc: $(cat "$T/second.log")"
[ "$(xenstore-read "/local/domain/$id/name" 2>&1)" = one1 ] &&
    ok "one1 still in the store" || fail "one1 swept"

# The same xvmd started again takes the claim and its domain over.
start_xvmd
grep -q "claiming the xenstore of an xvmd that is gone" "$T/xvmd.log" &&
    ok "the first xvmd, started again, takes its claim back" || fail "no takeover line"
[[ "$(xenstore-read /tool/xvmd 2>&1)" == "pid $XVMD_PID start "* ]] &&
    ok "the claim is the new xvmd's" || fail "claim: $(xenstore-read /tool/xvmd 2>&1)"
[ "$(state_of one1)" = running ] && ok "one1 was taken over" ||
    fail "one1: $(state_of one1)"

# Stopped cleanly with a domain running: the claim stays.
kill "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
[[ "$(xenstore-read /tool/xvmd 2>&1)" == "pid "* ]] &&
    ok "a stopped xvmd keeps its claim" || fail "claim gone after SIGTERM"
second state2 && fail "a second xvmd started over a stopped one's domain" ||
    ok "and another is refused"

# No domain left: another xvmd may have the store.
start_xvmd
xvm destroy one1 >/dev/null || fail "destroy one1"
kill "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
XVMD_PID=
second state2 && ok "with no domain left, another xvmd starts" ||
    fail "second with an empty store: $(cat "$T/second.log")"
finish
