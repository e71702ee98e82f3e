#!/bin/bash
# SPDX-License-Identifier: MIT
# 1000 VNICs created and deleted over the control socket while two guests
# ping each other every 10 ms on the same link and VLAN: not one ping is
# lost on the untouched VNICs.
. "$(dirname "$0")/../../lib/switch.sh"
require

outside_up
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic b${ID}0 link=phys0 vid=10 attach=tap"
vswd_start "$TMP/conf"
G1="vsw${ID}g1"
guest_up "$G1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "b${ID}0" 10.0.10.2/24
ping_ok "$G1" 10.0.10.2

ip netns exec "$G1" ping -i 0.01 -W 1 10.0.10.2 >"$TMP/ping.txt" 2>&1 &
PING=$!
start=$(date +%s)
for i in $(seq 1 1000); do
    # Same VLAN, so every create and delete also rewrites VLAN 10's
    # flood list that the pings' ARP traffic uses.
    ctl vnic-create -t "c${ID}x$i" phys0 vid=10 ||
        fail "create $i"
    [ $((i % 2)) = 0 ] && { ctl vnic-delete "c${ID}x$((i - 1))" || fail "delete"; }
done
[ "$(ctl link-show phys0 | awk '{print $3}')" = 502 ] || fail "count"
for i in $(seq 2 2 1000); do
    ctl vnic-delete "c${ID}x$i" || fail "delete $i"
done
echo "1000 VNICs created and deleted in $(( $(date +%s) - start )) s"
[ "$(ctl link-show phys0 | awk '{print $3}')" = 2 ] || fail "count after"
sleep 0.5
kill -INT "$PING"
wait "$PING"
tail -3 "$TMP/ping.txt"
sent=$(awk '/packets transmitted/ {print $1}' "$TMP/ping.txt")
got=$(awk '/packets transmitted/ {print $4}' "$TMP/ping.txt")
[ -n "$sent" ] && [ "$sent" -ge 100 ] || fail "ping did not run"
# SIGINT can land between a request and its reply: that one request
# is counted as lost without the switch having dropped anything.
[ $((sent - got)) -le 1 ] || fail "lost $((sent - got)) of $sent pings"
echo PASS
