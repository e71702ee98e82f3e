#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvmd (and the xenstored inside it) stops and starts again while
# vswitchd runs: vswitchd logs the loss, keeps answering dladm while xvmd
# is down, reconnects by itself and resynchronises: the VNICs of the
# domains that died with xvmd are deleted and their memory unmapped, and
# guests created afterwards get their network without restarting
# vswitchd.  Once with SIGKILL (xenstore vanishes with the backend
# directories in it) and once with SIGTERM (xvmd destroys its domains
# first), each time with two guests pinging.
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
round=1
for sig in KILL TERM; do
    for g in $old; do mapped "$g" || fail "round $round: $g not mapped"; done
    lost=$(logged "xenstore connection lost") resyncs=$(logged "xenstore resynchronised")
    kill -"$sig" "$XVMD_PID"
    wait "$XVMD_PID" 2>/dev/null
    XVMD_PID=
    wait_until 10 more_logged "xenstore connection lost" "$lost" &&
        ok "round $round (SIG$sig): vswitchd logs the loss" ||
        fail "round $round: no loss logged"
    sleep 2 # a few reconnection attempts
    kill -0 "$VSWD_PID" && ok "round $round: vswitchd still running" ||
        die "round $round: vswitchd died"
    "$DLADM" show-link -p -o link >"$T/links.txt" 2>&1 &&
        grep -qx stub0 "$T/links.txt" &&
        ok "round $round: dladm answered while xvmd was down" ||
        fail "round $round: dladm show-link: $(cat "$T/links.txt")"
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
    for d in $old_ids; do
        wait_until 5 eval "! vnic_listed xvm${d}_0" &&
            ok "round $round: xvm${d}_0 gone (dladm show-vnic)" ||
            fail "round $round: xvm${d}_0 still there"
    done
    for g in $old; do
        wait_until 5 eval "! mapped $g" &&
            ok "round $round: $g's memory unmapped" ||
            fail "round $round: $g's memory still mapped"
    done
    n1=s${round}a n2=s${round}b
    pair_up $((round + 1)) "$n1" "$n2"
    for d in $ids; do
        vnic_listed "xvm${d}_0" && ok "round $round: new VNIC xvm${d}_0" ||
            fail "round $round: no VNIC xvm${d}_0"
    done
    old="$n1 $n2" old_ids=$ids
    round=$((round + 1))
done
finish
