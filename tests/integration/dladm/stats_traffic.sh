#!/bin/bash
# SPDX-License-Identifier: MIT
# Statistics count exactly the traffic a test sends: N pings between two
# guests on TAP VNICs (static neighbours: no ARP; IPv6 off) add exactly N
# to each side's ipackets and opackets in show-vnic -s and show-link -s,
# and show-vnic -s -i repeats with deltas.  Spoofed frames show up under
# the SPOOF drop reason.
. "$(dirname "$0")/lib.sh"
dl_require
A="a${ID}0"
B="b${ID}0"
dl_start "vnic $A link=phys0 mac=02:08:20:00:00:0a vid=10 attach=tap" \
         "vnic $B link=phys0 mac=02:08:20:00:00:0b vid=10 attach=tap"
G1="vsw${ID}g1"
G2="vsw${ID}g2"
guest_up "$G1" "$A" 10.0.10.1/24
guest_up "$G2" "$B" 10.0.10.2/24
ip -n "$G1" neigh replace 10.0.10.2 lladdr 02:08:20:00:00:0b dev "$A"
ip -n "$G2" neigh replace 10.0.10.1 lladdr 02:08:20:00:00:0a dev "$B"
sleep 0.5

# counters NAME: "ipackets opackets" from dladm (one line, parsable).
counters() { dl show-vnic -s -p -o ipackets,opackets "$1" | tr ':' ' '; }
read -r ai0 ao0 <<<"$(counters "$A")"
read -r bi0 bo0 <<<"$(counters "$B")"
N=7
ip netns exec "$G1" ping -c $N -i 0.2 -W 2 -q 10.0.10.2 >/dev/null ||
    fail "ping failed"
sleep 0.3
read -r ai1 ao1 <<<"$(counters "$A")"
read -r bi1 bo1 <<<"$(counters "$B")"
echo "A: in +$((ai1 - ai0)) out +$((ao1 - ao0));" \
     "B: in +$((bi1 - bi0)) out +$((bo1 - bo0))"
[ $((ao1 - ao0)) = $N ] && [ $((bi1 - bi0)) = $N ] &&
    [ $((bo1 - bo0)) = $N ] && [ $((ai1 - ai0)) = $N ] ||
    fail "counters do not match $N pings"
[ "$(dl show-link -s -p -o ipackets "$B")" = "$bi1" ] ||
    fail "show-link -s disagrees with show-vnic -s"
dl show-vnic -s
dl show-link -s

note "-i: the second report is the change (nothing)"
timeout 2.5 "$DLADM" show-vnic -s -i 1 \
    -p -o link,opackets "$A" >"$TMP/i.out"
cat "$TMP/i.out"
[ "$(sed -n 1p "$TMP/i.out")" = "$A:$ao1" ] || fail "first report"
[ "$(sed -n 2p "$TMP/i.out")" = "$A:0" ] || fail "second report not a delta"

note "mac-nospoof drops are counted under SPOOF"
dl set-linkprop -t -p protection=mac-nospoof "$A" || fail "protection"
ip -n "$G1" link set "$A" address 02:08:20:00:00:ee
bi2=$(dl show-vnic -s -p -o ipackets "$B")
ip netns exec "$G1" ping -c 3 -i 0.2 -W 1 -q 10.0.10.2 >/dev/null &&
    fail "a spoofed ping got through"
spoof=$(dl show-vnic -s -p -o spoof "$A")
echo "spoof drops: $spoof"
[ "$spoof" -ge 1 ] || fail "spoofed frames not counted"
[ "$(dl show-vnic -s -p -o ipackets "$B")" = "$bi2" ] ||
    fail "a spoofed frame reached $B"

note "-i: vswitchd going away ends the reports with why"
"$DLADM" show-vnic -s -i 1 -p -o link,opackets "$A" >/dev/null 2>"$TMP/gone.err" &
DLI=$!
sleep 1.5
kill -9 "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=""
for i in $(seq 50); do kill -0 "$DLI" 2>/dev/null || break; sleep 0.1; done
kill "$DLI" 2>/dev/null && fail "dladm -i went on without vswitchd"
wait "$DLI"
rc=$?
cat "$TMP/gone.err"
[ $rc = 1 ] || fail "dladm -i exit $rc"
grep -q "vswitchd closed the connection (did it stop?)" "$TMP/gone.err" ||
    fail "no reason naming vswitchd"
echo PASS
