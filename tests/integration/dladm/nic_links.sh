#!/bin/bash
# SPDX-License-Identifier: MIT
# A host NIC is a datalink of its own name.  The NIC here is the host end
# of the test's veth (vswitchd sees every host NIC, eth0 too, but this
# test uses only its own): it is listed by show-phys and show-link as it
# appears; the switch attaches to it with the first VNIC over it and
# lets go with the last (link-show, the log); the host keeps its address
# on the NIC and pings the other end without a loss while VNICs over the
# NIC carry traffic; an unknown NIC is refused and nothing changes; the
# NIC gone, the link and its VNICs stay with state unknown and attach
# again when it is back; a persistent VNIC over it attaches again at the
# next start of vswitchd.
. "$(dirname "$0")/lib.sh"
dl_require

NIC=$VETH_SW
NET="10.$((100 + ID % 100)).$((ID / 100 % 250))"
G1="vsw${ID}g1" G2="vsw${ID}g2"
VA="a${ID}0" VB="b${ID}0"

# nic_field COLUMN: vswctl link-show's COLUMN of the NIC's link.
nic_field() { ctl link-show "$NIC" 2>/dev/null | awk -v c="$1" '{ print $c }'; }
attached() { [ "$(nic_field 7)" = attached ]; }
detached() { [ "$(nic_field 7)" = detached ]; }
listed() { dl show-phys -p -o link,device | grep -qx "$NIC:$NIC"; }
state_is() { [ "$(dl show-link -p -o state "$1" 2>/dev/null)" = "$2" ]; }

note "vswitchd first, then the NIC: it is listed as it appears"
vswd_start ""
listed && fail "$NIC listed before it exists"
outside_up
wait_until 2 listed || fail "show-phys does not list $NIC"
# A TAP is a program's interface, not a NIC (another vswitchd's VNICs
# are TAPs): never listed.
TAPX="t${ID}x"
ip tuntap add "$TAPX" mode tap || fail "tuntap $TAPX"
ip link set "$TAPX" up 2>/dev/null
sleep 0.5
dl show-phys -p -o link | grep -qx "$TAPX" && fail "the TAP $TAPX is listed"
ip tuntap del "$TAPX" mode tap
dl show-phys
dl show-phys "$NIC"
[ "$(dl show-link -p -o link,class,mtu,over "$NIC")" = "$NIC:phys:1500:--" ] ||
    fail "show-link $NIC: $(dl show-link -p -o link,class,mtu,over "$NIC")"
wait_until 2 state_is "$NIC" up || fail "$NIC is not up"
[ "$(nic_field 6)" = "nic=$NIC" ] || fail "link-show: not a NIC's link"
detached || fail "attached before any VNIC"
[ "$(dl show-link -P -p -o link,class "$NIC")" = "$NIC:phys" ] ||
    fail "show-link -P does not list $NIC"

note "the host keeps using the NIC"
ip addr add "$NET.1/24" dev "$NIC" || fail "address on $NIC"
ip -n "$NS_OUT" addr add "$NET.2/24" dev "$VETH_OUT"
ping -c 2 -i 0.2 -W 2 -q "$NET.2" >/dev/null || fail "host to $NET.2"
ping -i 0.1 -c 120 -W 1 -q "$NET.2" >"$TMP/hostping.txt" 2>&1 &
HOSTPING=$!

note "an unknown NIC is refused, nothing changes"
before=$(snapshot)
out=$(dl create-vnic -l nosuch0 v0 2>&1)
[ $? = 1 ] && [ "$out" = "dladm: invalid link name 'nosuch0'" ] ||
    fail "create-vnic over nosuch0: '$out'"
[ "$(snapshot)" = "$before" ] || fail "a refused create changed the VNICs"
detached || fail "a refused create attached"

note "the first VNIC attaches"
dl create-vnic -t -l "$NIC" -m 2:8:20:0:0:1 vnic1 || fail "create-vnic"
attached || fail "not attached after the first VNIC"
# Shared with the host through XDP, the default (nic_xdp.sh has more).
[ "$(nic_field 5)" = "net_af_xdp_$NIC,iface=$NIC" ] ||
    fail "attachment: $(nic_field 5)"
[ "$(dl show-phys -p -o attach "$NIC")" = xdp ] ||
    fail "show-phys ATTACH: $(dl show-phys -p -o attach,reason "$NIC")"
grep -q "link $NIC: attached to NIC $NIC" "$TMP/vswitchd.log" ||
    fail "the attachment is not logged"
[ "$(dl show-link -p -o link,class,state,over vnic1)" = "vnic1:vnic:up:$NIC" ] ||
    fail "show-link vnic1: $(dl show-link -p -o link,class,state,over vnic1)"
[ "$(dl show-vnic -p -o link,over vnic1)" = "vnic1:$NIC" ] || fail "show-vnic"

note "VNICs over the NIC carry traffic, the host's ping goes on"
ctl vnic-create "$VA" "$NIC" attach=tap || fail "$VA"
ctl vnic-create "$VB" "$NIC" attach=tap || fail "$VB"
[ "$(nic_field 3)" = 3 ] || fail "link-show: $(nic_field 3) VNICs, not 3"
guest_up "$G1" "$VA" "$NET.3/24"
guest_up "$G2" "$VB" "$NET.4/24"
ping_ok "$G1" "$NET.2"
ping_ok "$NS_OUT" "$NET.4"
ping_ok "$G1" "$NET.4"
ip netns exec "$G1" ping -i 0.05 -c 60 -q "$NET.2" >/dev/null 2>&1 ||
    fail "$G1 lost pings to the other end"
[ "$(stat_of "$NIC" ipackets)" -gt 0 ] || fail "nothing came in on $NIC"
wait "$HOSTPING"
cat "$TMP/hostping.txt"
grep -q " 0% packet loss" "$TMP/hostping.txt" ||
    fail "the host's own ping over $NIC lost packets"

note "the last VNIC lets go"
ctl vnic-delete "$VA" && ctl vnic-delete "$VB" || fail "vnic-delete"
attached || fail "released while vnic1 remains"
dl delete-vnic vnic1 || fail "delete-vnic"
wait_until 2 detached || fail "still attached after the last VNIC"
grep -q "link $NIC: no VNIC left, released NIC $NIC" "$TMP/vswitchd.log" ||
    fail "the release is not logged"
listed || fail "$NIC no longer listed"
ip link show "$NIC" | grep -q PROMISC && fail "$NIC left promiscuous"
ping -c 2 -i 0.2 -W 2 -q "$NET.2" >/dev/null || fail "host to $NET.2 after"

note "the NIC goes away under a VNIC, and comes back"
dl create-vnic -l "$NIC" -m 2:8:20:0:0:2 vnic2 || fail "vnic2"
attached || fail "vnic2 did not attach"
ip link del "$NIC"
wait_until 2 state_is vnic2 unknown || fail "vnic2: $(dl show-link -p -o state vnic2)"
state_is "$NIC" unknown || fail "$NIC: $(dl show-link -p -o state "$NIC")"
detached || fail "still attached to a NIC that is gone"
dl show-link
ip link add "$NIC" type veth peer name "$VETH_OUT" netns "$NS_OUT" ||
    fail "veth again"
sysctl -qw "net.ipv6.conf.$NIC.disable_ipv6=1"
ip link set "$NIC" up
ip -n "$NS_OUT" link set "$VETH_OUT" up
ip -n "$NS_OUT" addr add "$NET.2/24" dev "$VETH_OUT"
wait_until 2 attached || fail "not attached again"
wait_until 2 state_is vnic2 up || fail "vnic2 not up again"
ctl vnic-create "$VA" "$NIC" attach=tap || fail "$VA again"
guest_up "$G1" "$VA" "$NET.3/24"
ping_ok "$G1" "$NET.2"
ctl vnic-delete "$VA" || fail "vnic-delete"

note "a persistent VNIC over the NIC attaches again at the next start"
grep -q "^vnic vnic2 link=$NIC " "$STATE/datalink.conf" ||
    fail "vnic2 not persisted"
grep -q "^link $NIC" "$STATE/datalink.conf" && fail "the NIC's link persisted"
kill "$VSWD_PID"
wait "$VSWD_PID"
VSWD_PID=""
ip link show "$NIC" | grep -q PROMISC && fail "$NIC left promiscuous at exit"
vswd_start ""
attached || fail "not attached after the restart"
[ "$(dl show-vnic -p -o link,over,macaddress vnic2)" = "vnic2:$NIC:2\:8\:20\:0\:0\:2" ] ||
    fail "vnic2 after the restart: $(dl show-vnic -p -o link,over,macaddress vnic2)"
dl delete-vnic vnic2 || fail "delete vnic2"
detached || fail "still attached"
echo PASS
