#!/bin/bash
# SPDX-License-Identifier: MIT
# A VNIC with VID 10 reaches a host on VLAN 10 in the outside world; on
# the wire its frames carry the 802.1Q tag (tcpdump -e there shows
# "vlan 10"), and a VNIC on VLAN 20 cannot reach that host.
. "$(dirname "$0")/../../lib/switch.sh"
require tc tcpdump

outside_up
outside_vlan_host 10 10.0.10.254/24
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic c${ID}0 link=phys0 vid=20 attach=tap"
vswd_start "$TMP/conf"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "c${ID}0" 10.0.10.2/24

ip netns exec "$NS_OUT" tcpdump -e -n -l -i "$VETH_OUT" icmp \
    >"$TMP/wire.txt" 2>/dev/null &
TD=$!
sleep 1
ping_ok "vsw${ID}g1" 10.0.10.254
sleep 0.5
kill "$TD"; wait "$TD" 2>/dev/null
cat "$TMP/wire.txt"
req=$(grep -c "vlan 10, .*10.0.10.1 > 10.0.10.254: ICMP echo request" \
      "$TMP/wire.txt")
rep=$(grep -c "vlan 10, .*10.0.10.254 > 10.0.10.1: ICMP echo reply" \
      "$TMP/wire.txt")
[ "$req" -ge 3 ] && [ "$rep" -ge 3 ] ||
    fail "expected tagged requests and replies on the wire ($req, $rep)"
grep -v "vlan 10" "$TMP/wire.txt" | grep -q ICMP &&
    fail "untagged ICMP on the wire"
[ "$(stat_of phys0 opackets)" -ge 3 ] || fail "link opackets"

note "VLAN 20 does not reach the VLAN 10 host"
ping_fails "vsw${ID}g2" 10.0.10.254
echo PASS
