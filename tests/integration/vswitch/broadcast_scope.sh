#!/bin/bash
# SPDX-License-Identifier: MIT
# A broadcast reaches exactly the VNICs of its VLAN: from the wire (VLAN
# 10) it reaches g1 and g2, not g3 on VLAN 20; from g1 it reaches g2 and
# the wire, not g3 and not g1 itself.
. "$(dirname "$0")/../../lib/switch.sh"
require tc tcpdump

outside_up
outside_vlan_host 10 10.0.10.254/24
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic b${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic c${ID}0 link=phys0 vid=20 attach=tap"
vswd_start "$TMP/conf"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "b${ID}0" 10.0.10.2/24
guest_up "vsw${ID}g3" "c${ID}0" 10.0.10.3/24

PIDS=""
capture() { # NS IF FILE
    ip netns exec "$1" tcpdump -n -l -i "$2" "icmp and ether broadcast" \
        >"$3" 2>/dev/null &
    PIDS="$PIDS $!"
}
capture "vsw${ID}g1" "a${ID}0" "$TMP/g1"
capture "vsw${ID}g2" "b${ID}0" "$TMP/g2"
capture "vsw${ID}g3" "c${ID}0" "$TMP/g3"
capture "$NS_OUT" "$VETH_OUT" "$TMP/out"
sleep 1

note "broadcast from the wire, VLAN 10"
ip netns exec "$NS_OUT" ping -b -c 3 -i 0.2 -W 1 10.0.10.255 >/dev/null 2>&1
note "broadcast from g1"
ip netns exec "vsw${ID}g1" ping -b -c 4 -i 0.2 -W 1 10.0.10.255 \
    >/dev/null 2>&1
sleep 0.5
kill $PIDS
wait $PIDS 2>/dev/null

from_out() { grep -c "10.0.10.254 > 10.0.10.255" "$1"; }
from_g1() { grep -c "10.0.10.1 > 10.0.10.255" "$1"; }
echo "g1: $(from_out "$TMP/g1") from outside, $(from_g1 "$TMP/g1") own"
echo "g2: $(from_out "$TMP/g2") from outside, $(from_g1 "$TMP/g2") from g1"
echo "g3: $(grep -c . "$TMP/g3") broadcasts"
echo "outside: $(from_g1 "$TMP/out") from g1"
[ "$(from_out "$TMP/g1")" = 3 ] || fail "g1 must see the wire's 3"
[ "$(from_out "$TMP/g2")" = 3 ] || fail "g2 must see the wire's 3"
[ "$(from_g1 "$TMP/g2")" = 4 ] || fail "g2 must see g1's 4"
[ "$(from_g1 "$TMP/out")" = 4 ] || fail "the wire must see g1's 4"
# g1's capture shows its own outgoing frames once (as sent), not twice.
[ "$(from_g1 "$TMP/g1")" = 4 ] || fail "g1 got its own broadcast back"
[ "$(grep -c . "$TMP/g3")" = 0 ] || fail "VLAN 20 saw a VLAN 10 broadcast"
[ "$(stat_of "c${ID}0" ipackets)" = 0 ] || fail "c0 received frames"
echo PASS
