#!/bin/bash
# SPDX-License-Identifier: MIT
# VNICs on an etherstub talk only to each other: they reach one another,
# but not a VNIC on the physical link in the same subnet, nor the wire.
. "$(dirname "$0")/../../lib/switch.sh"
require tcpdump

outside_up
ip -n "$NS_OUT" addr add 10.0.0.254/24 dev "$VETH_OUT"
phys_conf "$TMP/conf" \
    "link stub0 class=etherstub" \
    "vnic s${ID}1 link=stub0 attach=tap" \
    "vnic s${ID}2 link=stub0 attach=tap" \
    "vnic p${ID}1 link=phys0 attach=tap"
vswd_start "$TMP/conf"
guest_up "vsw${ID}g1" "s${ID}1" 10.0.0.1/24
guest_up "vsw${ID}g2" "s${ID}2" 10.0.0.2/24
guest_up "vsw${ID}g3" "p${ID}1" 10.0.0.3/24

mac1=$(ctl vnic-show "s${ID}1" | awk '{print $3}')
mac2=$(ctl vnic-show "s${ID}2" | awk '{print $3}')
ip netns exec "$NS_OUT" tcpdump -e -n -l -i "$VETH_OUT" \
    "ether src $mac1 or ether src $mac2" >"$TMP/wire.txt" 2>/dev/null &
TD=$!
sleep 1
ping_ok "vsw${ID}g1" 10.0.0.2
ping_ok "vsw${ID}g3" 10.0.0.254 # the physical side works
ping_fails "vsw${ID}g1" 10.0.0.3
ping_fails "vsw${ID}g1" 10.0.0.254
ping_fails "$NS_OUT" 10.0.0.1
kill "$TD"
wait "$TD" 2>/dev/null
grep -q . "$TMP/wire.txt" && { cat "$TMP/wire.txt"; fail "stub traffic on the wire"; }
[ "$(ctl link-show stub0 | awk '{print $2, $3}')" = "etherstub 2" ] ||
    fail "link-show stub0"
# The stub's unknown unicast and broadcasts went nowhere else.
[ "$(stat_of "p${ID}1" ipackets)" -gt 0 ] || fail "p1 got nothing at all?"
echo PASS
