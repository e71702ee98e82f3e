#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A netbackd killed with SIGKILL leaves its backends Connected; a new one
# finds the backend directories, takes each guest back through Closing and
# the xenbus handshake (new rings, new event channels, the domain's memory
# fetched again), and traffic resumes.  Twice in a row.
#
# usage: netbackd_kill9_restart.sh XVMD XVM XVM-NETBACKD NBD_GUEST
. "$(dirname "$0")/lib.sh"

start_xvmd
start_nbd
a=$(create_dom ga 02:00:00:77:00:01) || exit 1
b=$(create_dom gb 02:00:00:77:00:02) || exit 1
for d in $a $b; do
    wait_until 10 both_connected $d && ok "dom $d Connected" || fail "dom $d not Connected"
done
ping_ok ga 10.77.0.$b && ok "ping before the kill" || fail "ping before the kill"

for round in 1 2; do
    old=$NBD_PID
    kill -9 "$NBD_PID"; wait "$NBD_PID" 2>/dev/null; NBD_PID=
    expect "round $round: backend left Connected by the killed netbackd" 4 \
        "$(rd /local/domain/0/backend/vif/$a/0/state)"
    ping_ok ga 10.77.0.$b && fail "round $round: ping with no backend" ||
        ok "round $round: no traffic while netbackd is down"
    start_nbd
    [ "$NBD_PID" != "$old" ] || fail "same pid"
    for d in $a $b; do
        if wait_until 15 nbd_state_is $d 4 && wait_until 5 both_connected $d; then
            ok "round $round: dom $d Connected again"
        else
            fail "round $round: dom $d not back (be $(rd /local/domain/0/backend/vif/$d/0/state), fe $(rd /local/domain/$d/device/vif/0/state))"
        fi
    done
    if wait_until 10 ping_ok ga 10.77.0.$b; then ok "round $round: ping ga -> gb resumes"
    else fail "round $round: ping ga -> gb"; fi
    ping_ok gb 10.77.0.$a && ok "round $round: ping gb -> ga" || fail "round $round: ping gb -> ga"
done
mbps=$(iperf_mbps ga gb 10.77.0.$b 2)
[ "$mbps" -gt 500 ] && ok "iperf3 after the restarts ($mbps Mbit/s)" || fail "iperf3 after restarts: $mbps Mbit/s"
stats_fresh || fail "no fresh stats"
[ "$(stat $a tx_pkts)" -gt 0 ] && [ "$(stat $b rx_pkts)" -gt 0 ] &&
    ok "the new netbackd counts the traffic" || fail "counters of the new netbackd"
expect "frontend error node" "" "$(rd /local/domain/$a/error/device/vif/0/error)"
finish
