#!/bin/bash
# SPDX-License-Identifier: MIT
#
# dladm on a running guest's VNIC, the way an administrator would:
#  - deleting or renaming it, renaming its link or deleting its etherstub
#    is refused ("link busy", exit 1) and changes nothing;
#  - MACADDRTYPE says how the MAC was chosen, DOMAIN names the domain, and
#    the switch's record says the VNIC is attached to a vif;
#  - maxbw, priority, mtu and the VLAN change live (-t): the vif stays
#    Connected and a ping running in the guest carries on, over the new
#    VLAN once both VNICs moved;
#  - a new MAC is refused with the reason.
. "$(dirname "$0")/../../lib/guests.sh"

switch_up
a=$(create_guest ga "link=stub0,vlan=10,mac=auto") || exit 1
b=$(create_guest gb "link=stub0,vlan=10,mac=02:08:20:38:00:02") || exit 1
wait_connected "$a" "$b" || exit 1
A="xvm${a}_0" B="xvm${b}_0"
guest_ip ga 10.82.0.1/24
guest_ip gb 10.82.0.2/24
ping_ok ga 10.82.0.2 && ok "ga pings gb" || fail "ga -> gb"

# refused: exit 1, the illumos words, nothing changed
refused() { # DESCRIPTION WANT-MESSAGE DLADM-ARGS...
    local what="$1" want="$2" out rc
    shift 2
    out=$("$DLADM" "$@" 2>&1); rc=$?
    if [ $rc = 1 ] && [ "$out" = "$want" ]; then ok "$what: '$out'"
    else fail "$what: exit $rc, '$out' (want '$want')"; fi
}
BUSY="link busy: '$A' is domain ga's ($a) vif"
refused "delete-vnic of a running guest's VNIC" \
    "dladm: vnic deletion failed: $BUSY" delete-vnic "$A"
refused "delete-vnic -t of it" \
    "dladm: vnic deletion failed: $BUSY" delete-vnic -t "$A"
refused "rename-link of it" \
    "dladm: rename operation failed: $BUSY" rename-link "$A" vn9
refused "rename-link of its etherstub" \
    "dladm: rename operation failed: $BUSY" rename-link stub0 stub9
refused "delete-etherstub of its etherstub" \
    "dladm: etherstub deletion failed: link busy: VNICs run over 'stub0' ($A, $B)" \
    delete-etherstub stub0
vnic_exists "$A" && ok "$A still there" || fail "$A gone"
ping_ok ga 10.82.0.2 && ok "ga still pings gb" || fail "ga -> gb after refusals"

expect "MACADDRTYPE of mac=auto and of a fixed MAC" "auto fixed" \
    "$("$DLADM" show-vnic -p -o macaddrtype "$A") $("$DLADM" show-vnic -p -o macaddrtype "$B")"
expect "DOMAIN names the domains" "ga gb" \
    "$("$DLADM" show-vnic -p -o domain "$A") $("$DLADM" show-vnic -p -o domain "$B")"
expect "the switch's record: attached to a vif" "vif vif" \
    "$(vnic_field "$A" 9) $(vnic_field "$B" 9)"

# Live changes under a running ping.
xvm exec ga ping -i 0.1 -c 80 -W 1 10.82.0.2 >"$T/ping.txt" 2>&1 &
PING=$!
sleep 1
"$DLADM" set-linkprop -t -p maxbw=50M "$A" || fail "set maxbw"
"$DLADM" set-linkprop -t -p priority=low "$A" || fail "set priority"
"$DLADM" set-linkprop -t -p mtu=1400 "$A" || fail "set mtu"
sleep 1
"$DLADM" modify-vnic -t -v 11 "$A" || fail "modify-vnic -v 11 $A"
"$DLADM" modify-vnic -t -v 11 "$B" || fail "modify-vnic -v 11 $B"
sleep 2
expect "VID 11 on both" "11 11" \
    "$("$DLADM" show-vnic -p -o vid "$A") $("$DLADM" show-vnic -p -o vid "$B")"
expect "$A keeps its properties" "50 low 1400" \
    "$("$DLADM" show-linkprop -c -o value -p maxbw "$A") $("$DLADM" show-linkprop -c -o value -p priority "$A") $("$DLADM" show-linkprop -c -o value -p mtu "$A")"
expect "both vifs still Connected" "4 4" "$(be_state "$a") $(be_state "$b")"
expect "still attached to the vifs" "vif vif" \
    "$(vnic_field "$A" 9) $(vnic_field "$B" 9)"
wait "$PING"
rcvd=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/ping.txt")
[ "${rcvd:-0}" -ge 70 ] && ok "the ping carried on across the changes: $rcvd/80" ||
    fail "ping across the changes: $(tail -2 "$T/ping.txt")"
ping_ok ga 10.82.0.2 && ok "ga pings gb over VLAN 11" || fail "ga -> gb on VLAN 11"

out=$("$DLADM" modify-vnic -t -m 02:08:20:38:00:09 "$A" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "MAC address of"; then
    ok "a new MAC is refused: '$out'"
else fail "modify-vnic -m: exit $rc, '$out'"; fi
finish
