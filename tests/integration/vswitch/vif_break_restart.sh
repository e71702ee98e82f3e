#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest that breaks the netif protocol gets its vif disabled and counted
# (drops "vif-error"); another guest's vif on the same VLAN keeps working.
# Then vswitchd is killed with -9 while a guest is attached, restarted
# (its persistent VNIC comes back) and the guest re-attaches: traffic
# flows again.  (Reconnection through xenbus comes with xvmd; here the
# test re-attaches by hand.)
. "$(dirname "$0")/lib.sh"
require tc

outside_up
outside_vlan_host 10 10.0.10.254/24
cat >"$TMP/conf" <<CONF
link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW
CONF
vswd_start "$TMP/conf"
ctl vnic-create -t "b${ID}0" phys0 vid=10 mac=02:08:20:0b:00:01 ||
    fail "create bad VNIC"
ctl vnic-create "h${ID}0" phys0 vid=10 mac=02:08:20:0b:00:02 ||
    fail "create good VNIC"
G1="vsw${ID}g1"
ip netns add "$G1"
GUESTS="$GUESTS $G1"

guest_tap_up() {
    vif_guest good "h${ID}0" 9 tap "$G1" eth0 02:08:20:0b:00:02
    GOOD=$GPID
    for i in $(seq 50); do
        ip -n "$G1" link show eth0 >/dev/null 2>&1 && break
        sleep 0.1
    done
    ip netns exec "$G1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$G1" link set lo up
    ip -n "$G1" addr add 10.0.10.1/24 dev eth0 || fail "guest eth0"
}
guest_tap_up
ping_ok "$G1" 10.0.10.254

note "a hostile guest breaks the protocol"
vif_guest bad "b${ID}0" 8 break
wait "$GPID" || { cat "$TMP/bad.log"; fail "breaker"; }
sleep 0.3
grep -q "disabled\|tx-prod" "$TMP/vswitchd.log" ||
    { cat "$TMP/vswitchd.log"; fail "netback did not disable the vif"; }
[ "$(stat_of "b${ID}0" vif-error)" -ge 1 ] || fail "vif-error not counted"
ping_ok "$G1" 10.0.10.254
kill -0 "$VSWD_PID" || fail "vswitchd died"

note "kill -9 while a guest is attached, restart, re-attach"
ip netns exec "$G1" ping -i 0.1 -W 1 10.0.10.254 >"$TMP/ping.txt" 2>&1 &
PING=$!
sleep 0.5
vswd_kill9
kill "$GOOD"; wait "$GOOD" 2>/dev/null
vswd_start "$TMP/conf"
ctl vnic-show "h${ID}0" >/dev/null || fail "persistent VNIC not restored"
ctl vnic-show "b${ID}0" >/dev/null 2>&1 && fail "temporary VNIC restored"
guest_tap_up
sleep 1.5
kill "$PING"; wait "$PING" 2>/dev/null
ping_ok "$G1" 10.0.10.254
echo PASS
