#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A process domain whose vif is "link=phys0,vlan=10": vswitchd makes
# xvm<id>_0 on the physical link with VID 10, and the guest pings a host
# on VLAN 10 in the outside world; tcpdump -e there sees the 802.1Q tag.
. "$(dirname "$0")/../../lib/guests.sh" tc tcpdump

start_xvmd
outside_up
outside_vlan_host 10 10.0.10.254/24
start_vswd
links_up
g=$(create_guest gv "link=phys0,vlan=10,mac=02:08:20:33:10:01") || exit 1
wait_connected "$g"
expect "xvm${g}_0 over phys0 with VID 10" "phys0 10" \
    "$(ctl vnic-show "xvm${g}_0" | awk '{ print $2, $5 }')"
expect "dladm: VID and domain" "xvm${g}_0:phys0:10:gv" \
    "$("$DLADM" show-vnic -p -o link,over,vid,domain "xvm${g}_0")"
guest_ip gv 10.0.10.1/24

ip netns exec "$NS_OUT" tcpdump -e -n -l -i "$VETH_OUT" icmp \
    >"$T/wire.txt" 2>/dev/null &
TD=$!
sleep 1
ping_ok gv 10.0.10.254 && ok "the guest pings the VLAN 10 host outside" ||
    fail "gv -> 10.0.10.254"
sleep 0.5
kill "$TD"; wait "$TD" 2>/dev/null
grep -q "vlan 10, .*10.0.10.1 > 10.0.10.254: ICMP echo request" "$T/wire.txt" &&
    ok "tagged requests on the wire" || { fail "no tagged request"; cat "$T/wire.txt"; }
grep -q "vlan 10, .*10.0.10.254 > 10.0.10.1: ICMP echo reply" "$T/wire.txt" &&
    ok "tagged replies on the wire" || fail "no tagged reply"
xvm destroy gv >/dev/null || fail "destroy gv"
wait_until 10 vnic_gone "xvm${g}_0" && ok "xvm destroy removes xvm${g}_0" ||
    fail "xvm${g}_0 still there"
finish
