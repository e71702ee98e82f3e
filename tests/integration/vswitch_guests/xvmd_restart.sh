#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvmd stops and starts again while vswitchd runs, each time with two
# guests pinging.  The xenstored is its own daemon (xvmd starts it and it
# outlives xvmd), so vswitchd keeps its xenstore connection: after SIGKILL
# the restarted xvmd removes the domains that died with the old one from
# the store, and after SIGTERM xvmd destroys its domains first; either way
# their VNICs are deleted and their memory unmapped, and guests created
# afterwards get their network without restarting vswitchd.  Then the
# xenstored itself goes: vswitchd logs the loss, keeps answering dladm,
# reconnects by itself to the one the next xvmd starts and
# resynchronises.
. "$(dirname "$0")/../../lib/guests.sh"

mapped() { grep -q "memfd:xvm-mem-$1 " "/proc/$VSWD_PID/maps"; }
logged() { grep -c "$1" "$T/vswitchd.log"; }
more_logged() { [ "$(logged "$1")" -gt "$2" ]; }
vnic_listed() { "$DLADM" show-vnic -p -o link | grep -qx "$1"; }

# pair_up ROUND NAME1 NAME2: two guests on stub0 pinging each other.
pair_up() {
    local r=$1 x y
    x=$(create_guest "$2" "link=stub0,mac=02:08:20:35:0$r:01") || exit 1
    y=$(create_guest "$3" "link=stub0,mac=02:08:20:35:0$r:02") || exit 1
    for d in $x $y; do
        wait_until 15 both_connected "$d" && ok "dom $d Connected" ||
            fail "dom $d: frontend '$(fe_state "$d")' backend '$(be_state "$d")'"
    done
    guest_ip "$2" "10.81.$r.1/24"
    guest_ip "$3" "10.81.$r.2/24"
    wait_until 10 ping_ok "$2" "10.81.$r.2" && ok "$2 pings $3" ||
        fail "$2 -> $3"
    ids="$x $y"
}

start_xvmd
outside_up
start_vswd
links_up
pair_up 1 ra rb
old="ra rb" old_ids=$ids
# after_restart ROUND: the old domains' VNICs and memory are gone, and a
# new pair of guests works.
after_restart() {
    local r=$1 d g n1=s${1}a n2=s${1}b
    for d in $old_ids; do
        wait_until 5 eval "! vnic_listed xvm${d}_0" &&
            ok "round $r: xvm${d}_0 gone (dladm show-vnic)" ||
            fail "round $r: xvm${d}_0 still there"
    done
    for g in $old; do
        wait_until 5 eval "! mapped $g" &&
            ok "round $r: $g's memory unmapped" ||
            fail "round $r: $g's memory still mapped"
    done
    pair_up $((r + 1)) "$n1" "$n2"
    for d in $ids; do
        vnic_listed "xvm${d}_0" && ok "round $r: new VNIC xvm${d}_0" ||
            fail "round $r: no VNIC xvm${d}_0"
    done
    old="$n1 $n2" old_ids=$ids
}

dladm_answers() {
    "$DLADM" show-link -p -o link >"$T/links.txt" 2>&1 &&
        grep -qx stub0 "$T/links.txt" &&
        ok "round $1: dladm answered while xvmd was down" ||
        fail "round $1: dladm show-link: $(cat "$T/links.txt")"
}

round=1
for sig in KILL TERM; do
    for g in $old; do mapped "$g" || fail "round $round: $g not mapped"; done
    lost=$(logged "xenstore connection lost")
    kill -"$sig" "$XVMD_PID"
    wait "$XVMD_PID" 2>/dev/null
    XVMD_PID=
    sleep 1
    kill -0 "$VSWD_PID" && ok "round $round: vswitchd still running" ||
        die "round $round: vswitchd died"
    dladm_answers $round
    [ "$(logged "xenstore connection lost")" = "$lost" ] &&
        ok "round $round (SIG$sig): vswitchd kept its xenstore connection" ||
        fail "round $round: vswitchd lost its xenstore connection"
    swept=$(grep -c "of an earlier run from xenstore" "$T/xvmd.log")
    start_xvmd
    if [ "$sig" = KILL ]; then
        [ "$(grep -c "removed 2 domain(s) of an earlier run from xenstore" \
              "$T/xvmd.log")" -gt 0 ] &&
            ok "round $round: the new xvmd removed the 2 dead domains" ||
            fail "round $round: no sweep logged: $(tail -5 "$T/xvmd.log")"
    else
        [ "$(grep -c "of an earlier run from xenstore" "$T/xvmd.log")" = \
            "$swept" ] && ok "round $round: nothing left to remove" ||
            fail "round $round: SIGTERM left domains in xenstore"
    fi
    after_restart $round
    round=$((round + 1))
done

# The xenstored goes (xvmd stops with it: no domain works without it).
for g in $old; do mapped "$g" || fail "round $round: $g not mapped"; done
lost=$(logged "xenstore connection lost") resyncs=$(logged "xenstore resynchronised")
xenstored_stop "$T"
wait_until 10 more_logged "xenstore connection lost" "$lost" &&
    ok "round $round (xenstored ended): vswitchd logs the loss" ||
    fail "round $round: no loss logged"
wait_until 10 eval '! kill -0 $XVMD_PID 2>/dev/null' &&
    ok "round $round: xvmd stopped without its xenstored" ||
    fail "round $round: xvmd still running"
wait "$XVMD_PID" 2>/dev/null
XVMD_PID=
grep -q "the xenstored closed its connection" "$T/xvmd.log" ||
    fail "round $round: xvmd did not say why it stopped"
sleep 2 # a few reconnection attempts
kill -0 "$VSWD_PID" && ok "round $round: vswitchd still running" ||
    die "round $round: vswitchd died"
dladm_answers $round
grep -q "xenstore: reconnecting to" "$T/vswitchd.log" &&
    ok "round $round: reconnection attempts logged" ||
    fail "round $round: no reconnection attempt logged"
start_xvmd
wait_until 10 more_logged "xenstore resynchronised" "$resyncs" &&
    ok "round $round: reconnected and resynchronised:" \
        "$(grep "xenstore resynchronised" "$T/vswitchd.log" | tail -1 |
           sed 's/.*resynchronised: //')" ||
    fail "round $round: no resync logged"
grep -q "xenstore: reconnected to" "$T/vswitchd.log" ||
    fail "round $round: no reconnection logged"
after_restart $round
finish
