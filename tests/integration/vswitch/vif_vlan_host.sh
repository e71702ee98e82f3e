#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest's netif vif (a libxnf process domain attached with VIF_ATTACH,
# its TAP in a guest namespace) on a VNIC with VID 10 pings a host on
# VLAN 10 in the outside world, tagged on the wire.  Then, with
# mac-nospoof, frames it sends from another MAC are dropped and counted.
. "$(dirname "$0")/lib.sh"
require tc tcpdump

outside_up
outside_vlan_host 10 10.0.10.254/24
cat >"$TMP/conf" <<CONF
link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW
CONF
vswd_start "$TMP/conf"
MAC=02:08:20:0a:00:01
ctl vnic-create -t "g${ID}0" phys0 vid=10 mac=$MAC \
    protection=mac-nospoof || fail "create VNIC"
G1="vsw${ID}g1"
ip netns add "$G1"
GUESTS="$GUESTS $G1"
vif_guest g1 "g${ID}0" 5 tap "$G1" eth0 "$MAC"
TAPG=$GPID
for i in $(seq 50); do
    ip -n "$G1" link show eth0 >/dev/null 2>&1 && break
    sleep 0.1
done
ip netns exec "$G1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$G1" link set lo up
ip -n "$G1" addr add 10.0.10.1/24 dev eth0 || fail "guest eth0"

ip netns exec "$NS_OUT" tcpdump -e -n -l -i "$VETH_OUT" icmp \
    >"$TMP/wire.txt" 2>/dev/null &
TD=$!
sleep 1
ping_ok "$G1" 10.0.10.254
sleep 0.5
kill "$TD"; wait "$TD" 2>/dev/null
grep -q "vlan 10, .*10.0.10.1 > 10.0.10.254: ICMP echo request" \
    "$TMP/wire.txt" || fail "no tagged request from the guest on the wire"
[ "$(stat_of "g${ID}0" opackets)" -ge 3 ] || fail "VNIC opackets"
[ "$(stat_of "g${ID}0" ipackets)" -ge 3 ] || fail "VNIC ipackets"

note "spoofed source MAC from a second vif is dropped and counted"
kill "$TAPG"; wait "$TAPG" 2>/dev/null
spoof0=$(stat_of "g${ID}0" spoof)
vif_guest g2 "g${ID}0" 6 send 20 100 02:de:ad:be:ef:01 ff:ff:ff:ff:ff:ff
wait "$GPID" || { cat "$TMP/g2.log"; fail "sender"; }
spoof=$(stat_of "g${ID}0" spoof)
echo "spoof drops: $spoof0 -> $spoof"
[ $((spoof - spoof0)) -eq 20 ] || fail "expected 20 spoof drops"
out0=$(stat_of "g${ID}0" opackets)
vif_guest g3 "g${ID}0" 7 send 20 100 "$MAC" ff:ff:ff:ff:ff:ff
wait "$GPID" || fail "sender"
[ $(( $(stat_of "g${ID}0" opackets) - out0 )) -eq 20 ] ||
    fail "honest frames not all sent"
[ "$(stat_of "g${ID}0" spoof)" = "$spoof" ] || fail "honest frames counted"
echo PASS
