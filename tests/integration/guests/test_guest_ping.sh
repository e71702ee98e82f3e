#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Two process domains, each a real netif guest (xvm-procdom: xenbus
# frontend, libxnf, TAP eth0), served by a switching backend: they ping
# each other both ways and run a short iperf3 TCP test over netif.
# Destroying them leaves nothing behind (guest processes, namespaces,
# xenstore nodes) and the backend lets go of both vifs.
#
# usage: test_guest_ping.sh XVMD XVM XVM-PROCDOM BACKEND
set -u
XVMD=$1 XVM=$2 PROCDOM=$3 BACKEND=$4
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 missing"; exit 77; }
. "$(dirname "$0")/lib.sh"

start_xvmd
start_backend
xvm create "$(domain_cfg pa 02:08:20:00:0a:01)" >/dev/null || fail "create pa"
xvm create "$(domain_cfg pb 02:08:20:00:0b:01)" >/dev/null || fail "create pb"
ida=$(domid pa) idb=$(domid pb)
if wait_for 50 both_connected "$ida" && wait_for 50 both_connected "$idb"; then
    ok "both guests Connected"
else fail "states: pa $(fe_state "$ida")/$(be_state "$ida") pb $(fe_state "$idb")/$(be_state "$idb")"; fi
xvm exec pa ip addr add 10.78.0.1/24 dev eth0 || fail "pa address"
xvm exec pb ip addr add 10.78.0.2/24 dev eth0 || fail "pb address"

if xvm exec pa ping -c 3 -i 0.2 -W 2 10.78.0.2 >"$T/ping1" 2>&1; then
    ok "pa pings pb: $(grep -o '[0-9]* received' "$T/ping1")"
else fail "pa -> pb"; cat "$T/ping1"; fi
if xvm exec pb ping -c 3 -i 0.2 -W 2 10.78.0.1 >"$T/ping2" 2>&1; then
    ok "pb pings pa: $(grep -o '[0-9]* received' "$T/ping2")"
else fail "pb -> pa"; cat "$T/ping2"; fi

xvm exec pb iperf3 -s -1 -D -I "$T/iperf.pid" >/dev/null 2>&1
wait_for 30 test -s "$T/iperf.pid"
if xvm exec pa timeout 20 iperf3 -c 10.78.0.2 -t 2 -J >"$T/iperf.json" 2>&1; then
    bps=$(sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' "$T/iperf.json" | tail -1)
    ok "iperf3 TCP pa -> pb: $(awk -v b="$bps" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }')"
else fail "iperf3"; tail -5 "$T/iperf.json"; fi
[ -s "$T/iperf.pid" ] && kill "$(cat "$T/iperf.pid")" 2>/dev/null

xvm destroy pa >/dev/null || fail "destroy pa"
xvm destroy pb >/dev/null || fail "destroy pb"
check_gone pa "$ida"
check_gone pb "$idb"
if in_test_backend; then
    if wait_for 30 sh -c "grep -q '^disconnected $ida.0' '$T/be.out' && grep -q '^disconnected $idb.0' '$T/be.out'"; then
        ok "the backend let go of both vifs"
    else fail "backend still holds a vif"; fi
fi
finish
