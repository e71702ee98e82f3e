#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A persistent dladm change of a guest's VNIC (no -t) goes into the
# domain's record: after `xvm destroy` and `xvm start` the new VNIC has it,
# and so does the record (an xl-style config xvmd keeps); a -t change does
# not survive.  A value the domain's config cannot hold is refused with
# exit 1 and changes nothing.  A mac=auto address is kept across starts; a
# mac=random one is drawn again.
. "$(dirname "$0")/../../lib/guests.sh"

switch_up
g=$(create_guest gp "link=stub0,vlan=10,mac=02:08:20:39:00:01") || exit 1
wait_connected "$g" || exit 1
V="xvm${g}_0"
"$DLADM" set-linkprop -p maxbw=60M "$V" && ok "persistent maxbw" || fail "set maxbw"
"$DLADM" set-linkprop -p priority=low "$V" && ok "persistent priority" ||
    fail "set priority"
"$DLADM" set-linkprop -p protection=mac-nospoof,ip-nospoof \
    -p allowed-ips=10.83.0.1 "$V" && ok "persistent protection, allowed-ips" ||
    fail "set protection"
"$DLADM" modify-vnic -v 12 "$V" && ok "persistent VID" || fail "modify-vnic -v"
"$DLADM" set-linkprop -t -p mtu=1400 "$V" && ok "temporary mtu" || fail "set -t mtu"
REC="$T/state/domains/gp.cfg"
grep -q 'vlan=12' "$REC" && grep -q 'maxbw=60M' "$REC" &&
    grep -q 'priority=low' "$REC" && grep -q 'allowed-ips=10.83.0.1' "$REC" &&
    grep -q 'protection=mac-nospoof ip-nospoof' "$REC" &&
    ! grep -q 'mtu=' "$REC" && ok "the domain's record has them" ||
    fail "record: $(grep vif "$REC")"
expect "the vif is still Connected" 4 "$(be_state "$g")"

xvm destroy gp >/dev/null || fail "destroy"
wait_until 10 vnic_gone "$V" || fail "$V not gone"
xvm start gp >/dev/null && ok "xvm start gp" || fail "xvm start gp"
g2=$(domid gp)
V2="xvm${g2}_0"
wait_until 15 both_connected "$g2" && ok "dom $g2 Connected again" ||
    fail "dom $g2 not Connected"
# The temporary mtu is gone: the VNIC has its link's, stub0's 9000.
expect "after the restart: VID, maxbw, priority, mtu" "12 60 low 9000" \
    "$("$DLADM" show-vnic -p -o vid "$V2") $("$DLADM" show-linkprop -c -o value -p maxbw "$V2") $("$DLADM" show-linkprop -c -o value -p priority "$V2") $("$DLADM" show-linkprop -c -o value -p mtu "$V2")"
expect "after the restart: protection and allowed-ips" \
    "mac-nospoof,ip-nospoof 10.83.0.1" \
    "$("$DLADM" show-linkprop -c -o value -p protection "$V2") $("$DLADM" show-linkprop -c -o value -p allowed-ips "$V2")"

before=$(grep vif "$REC")
out=$("$DLADM" set-linkprop -p maxbw=0.5M "$V2" 2>&1); rc=$?
[ $rc = 1 ] && ok "a bad value is refused: $out" || fail "maxbw=0.5M: exit $rc, $out"
expect "the record is unchanged" "$before" "$(grep vif "$REC")"

# A persistent mtu goes into the record; its reset takes it out again (the
# VNIC follows its link's), it does not pin 1500.
"$DLADM" set-linkprop -p mtu=1400 "$V2" || fail "set mtu"
grep -q 'mtu=1400' "$REC" && ok "a persistent mtu is in the record" ||
    fail "record: $(grep vif "$REC")"
"$DLADM" reset-linkprop -p mtu "$V2" || fail "reset mtu"
! grep -q 'mtu=' "$REC" && ok "its reset takes it out of the record" ||
    fail "record after reset: $(grep vif "$REC")"
expect "and the VNIC has its link's again" 9000 \
    "$("$DLADM" show-linkprop -c -o value -p mtu "$V2")"

printf 'name = "ga"\ntype = "process"\nmemory = 16\nvif = [ "%s", "%s" ]\n' \
    "link=stub0,mac=auto" "link=stub0,mac=random" >"$T/ga.cfg"
xvm create "$T/ga.cfg" >/dev/null || die "create ga"
ga=$(domid ga)
mac_of() { rd "/local/domain/0/backend/vif/$1/$2/mac"; }
auto1=$(mac_of "$ga" 0) rand1=$(mac_of "$ga" 1)
[ -n "$auto1" ] && [ -n "$rand1" ] && [ "$auto1" != "$rand1" ] &&
    ok "ga: auto $auto1, random $rand1" || fail "ga: MACs '$auto1' '$rand1'"
xvm destroy ga >/dev/null || fail "destroy ga"
xvm start ga >/dev/null || fail "xvm start ga"
ga2=$(domid ga)
expect "mac=auto is the same after xvm start" "$auto1" "$(mac_of "$ga2" 0)"
rand2=$(mac_of "$ga2" 1)
[ -n "$rand2" ] && [ "$rand2" != "$rand1" ] &&
    ok "mac=random is new after xvm start ($rand2)" ||
    fail "mac=random: '$rand1' then '$rand2'"
# dladm writes MACs unpadded, as illumos does; xenstore as Xen does.
IFS=: read -ra m <<<"$("$DLADM" show-vnic -p -o macaddress "xvm${ga2}_0")"
expect "dladm shows the auto MAC" "$auto1" \
    "$(printf '%02x:%02x:%02x:%02x:%02x:%02x' 0x${m[0]} 0x${m[1]} 0x${m[2]} \
        0x${m[3]} 0x${m[4]} 0x${m[5]} 2>/dev/null)"
finish
