#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest given an existing VNIC (vif "vnic=NAME", as a zone's physical=):
#  - the VNIC, made with dladm (a host interface of its name), keeps its
#    MAC, VLAN, maxbw, priority and protection; the guest's eth0 has its
#    MAC and reaches a peer guest on that VLAN;
#  - its host interface is gone while the domain runs and back when the
#    domain is destroyed (the VNIC then the host's again: deletable); a
#    restart of vswitchd (kill -9) lends it again;
#  - while lent it is busy (no delete or rename); a second domain asking
#    for it, or for a VNIC that does not exist, is refused at create with
#    the reason of its vif, and leaves nothing behind;
#  - xl's spellings (bridge, rate, vifname) make the same VNIC as ours, of
#    the vifname's name, whose persistent changes reach the domain's
#    record; bad values are refused with the file and line.
. "$(dirname "$0")/../../lib/guests.sh"

B="b${ID}0"   # the VNIC lent to the guest
X="x${ID}0"   # the vifname of an xl-spelled vif
host_if() { ip link show "$1" >/dev/null 2>&1; }
vnic_line() { "$DLADM" show-vnic -p -o link,over,macaddress,vid "$1"; }
prop() { "$DLADM" show-linkprop -c -o value -p "$2" "$1"; }

switch_up

"$DLADM" create-vnic -l stub0 -m 2:8:20:5b:0:1 -v 12 \
    -p maxbw=20M,priority=low,protection=mac-nospoof "$B" ||
    die "dladm create-vnic $B"
host_if "$B" && ok "$B: a host interface" || die "$B: no host interface"
before=$(vnic_line "$B")
echo "    $before"

# A peer on the same etherstub and VLAN.
p=$(create_guest peer "link=stub0,vlan=12,mac=02:08:20:5b:00:02") || exit 1
guest_ip peer 10.0.12.2/24

note() { echo "--- $*"; }
note "a guest borrows $B"
guest_cfg borrow "vnic=$B"
out=$(xvm create "$T/borrow.cfg" 2>&1) && ok "create borrow: $out" ||
    die "create borrow: $out"
g=$(domid borrow)
wait_until 5 both_connected "$g" && ok "borrow: vif connected" ||
    fail "borrow: not connected"
host_if "$B" && fail "$B: the host keeps its interface" ||
    ok "$B: the host's interface is gone"
expect "$B: MAC, link and VLAN kept" "$before" "$(vnic_line "$B")"
expect "$B: maxbw kept" 20 "$(prop "$B" maxbw)"
expect "$B: priority kept" low "$(prop "$B" priority)"
expect "$B: protection kept" mac-nospoof "$(prop "$B" protection)"
expect "the guest has the VNIC's MAC" "02:08:20:5b:00:01" \
    "$(xvm exec borrow cat /sys/class/net/eth0/address)"
guest_ip borrow 10.0.12.1/24
ping_ok borrow 10.0.12.2 && ok "borrow pings its peer on VLAN 12" ||
    fail "borrow -> peer"
xvm domiflist borrow | sed 's/^/    /'
expect "domiflist names the VNIC" "$B $B" \
    "$(xvm domiflist borrow | awk 'NR == 3 { print $1, $3 }')"
# its VLAN and maxbw are the VNIC's, which vswitchd has (not the record's)
expect "domiflist shows the VNIC's VLAN and maxbw" "12 20M" \
    "$(xvm domiflist borrow | awk 'NR == 3 { print $6, $7 }')"
"$DLADM" delete-vnic "$B" 2>/dev/null && fail "a lent VNIC was deleted" ||
    ok "a lent VNIC cannot be deleted"
"$DLADM" rename-link "$B" "r${ID}0" 2>/dev/null &&
    fail "a lent VNIC was renamed" || ok "a lent VNIC cannot be renamed"

note "a second domain asks for the same VNIC; another for none"
guest_cfg thief "vnic=$B"
out=$(xvm create "$T/thief.cfg" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
expect "thief: exit status" 1 "$rc"
echo "$out" | grep -q "^  vif 0 on $B: VNIC '$B' is in use by domain borrow ($g)$" &&
    ok "thief: the reason names the domain" || fail "thief: reason"
xvm list --all | awk 'NR > 2 { print $2 }' | grep -qx thief &&
    fail "thief: still defined" || ok "thief: not defined"
guest_cfg ghost "vnic=nosuch9"
out=$(xvm create "$T/ghost.cfg" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
expect "ghost: exit status" 1 "$rc"
echo "$out" | grep -q "^  vif 0 on nosuch9: no such VNIC 'nosuch9'$" &&
    ok "ghost: no such VNIC" || fail "ghost: reason"
host_if "$B" && fail "$B came back to the host meanwhile" ||
    ok "$B: still the guest's"
ping_ok borrow 10.0.12.2 && ok "borrow still pings" || fail "borrow lost"

note "vswitchd restarts (kill -9): the VNIC is lent again"
kill9_vswd
start_vswd
wait_until 10 both_connected "$g" && ok "borrow: connected again" ||
    fail "borrow: not connected after the restart"
host_if "$B" && fail "$B: a host interface after the restart" ||
    ok "$B: still no host interface"
wait_until 5 ping_ok borrow 10.0.12.2 && ok "borrow pings after the restart" ||
    fail "borrow -> peer after the restart"

note "the domain goes: the VNIC comes back to the host"
xvm destroy borrow >/dev/null || fail "destroy borrow"
wait_until 5 host_if "$B" && ok "$B: the host's interface is back" ||
    fail "$B: no host interface after destroy"
expect "$B: properties kept" "$before" "$(vnic_line "$B")"
expect "$B: maxbw still" 20 "$(prop "$B" maxbw)"
out=$(xvm start borrow 2>&1) && ok "start borrow again" ||
    fail "start borrow: $out"
host_if "$B" && fail "$B: still the host's after start" ||
    ok "$B: lent again"
xvm destroy borrow >/dev/null
wait_until 5 host_if "$B" || fail "$B: not back after the second destroy"

note "xl's spellings: bridge, rate, vifname"
guest_cfg xl "bridge=stub0,mac=00:16:3e:5b:00:03,rate=10Mb/s,vifname=$X"
out=$(xvm create "$T/xl.cfg" 2>&1) && ok "create xl: $out" ||
    die "create xl: $out"
expect "vifname: the VNIC's name" "$X:stub0:0\\:16\\:3e\\:5b\\:0\\:3:0" \
    "$(vnic_line "$X")"
expect "rate=10Mb/s is maxbw 10M" 10 "$(prop "$X" maxbw)"
"$DLADM" show-vnic -p -o link "$B" >/dev/null || fail "$B is gone"
expect "no xvm<id>_<n> VNIC for it" "" \
    "$("$DLADM" show-vnic -p -o link | grep "^xvm$(domid xl)_")"
"$DLADM" set-linkprop -p maxbw=30M "$X" || fail "set-linkprop on $X"
grep -q "maxbw=30M" "$T/state/domains/xl.cfg" &&
    grep -q "vifname=$X" "$T/state/domains/xl.cfg" &&
    ok "the domain's record keeps the change of its named VNIC" ||
    fail "record: $(cat "$T/state/domains/xl.cfg")"
xvm destroy xl >/dev/null
wait_until 5 vnic_gone "$X" && ok "$X goes with the domain" ||
    fail "$X stays"

note "bad values: the file and the line"
printf 'name = "bad"\nmemory = 16\n\nvif = [ "bridge=stub0,rate=1Mb/s" ]\n' \
    >"$T/bad.cfg"
out=$(xvm create "$T/bad.cfg" 2>&1); rc=$?
echo "    $out"
expect "bad rate: exit status" 1 "$rc"
echo "$out" | grep -qF "$T/bad.cfg:4: vif: rate \"1Mb/s\": below 1200K" &&
    ok "bad rate: file:line and the reason" || fail "bad rate: message"
printf 'name = "bad"\nvif = [ "vnic=%s,maxbw=10M" ]\n' "$B" >"$T/bad.cfg"
out=$(xvm create "$T/bad.cfg" 2>&1); rc=$?
echo "    $out"
echo "$out" | grep -qF "$T/bad.cfg:2: vif: vnic=$B comes alone" && [ $rc = 1 ] &&
    ok "vnic with properties refused" || fail "vnic with properties: $rc"
printf 'name = "bad"\nvif = [ "link=stub0,vifname=%s", "link=stub0,vifname=%s" ]\n' \
    "$X" "$X" >"$T/bad.cfg"
out=$(xvm create "$T/bad.cfg" 2>&1); rc=$?
echo "    $out"
echo "$out" | grep -qF "$T/bad.cfg:2: vif: vifname=$X: vif 0 names that VNIC already" &&
    [ $rc = 1 ] && ok "a vifname twice refused" || fail "vifname twice: $rc"
xvm list --all | awk 'NR > 2 { print $2 }' | grep -qx bad &&
    fail "bad: defined" || ok "bad: nothing defined"

"$DLADM" delete-vnic "$B" && ok "$B is the host's again: deleted" ||
    fail "delete $B"
host_if "$B" && fail "$B: interface left" || ok "$B: interface gone"
finish
