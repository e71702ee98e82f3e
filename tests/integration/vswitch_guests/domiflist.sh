#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvm domiflist: a domain's vifs as virsh lists them (interface, type,
# source, model, MAC) plus VLAN, maxbw and the backend's state from
# xenstore, matching what the switch has (dladm show-vnic); a vif on a
# link that does not exist shows the backend's error, not "connected".
. "$(dirname "$0")/../../lib/guests.sh"

switch_up
printf 'name = "gl"\nmemory = 32\nvif = [ "link=stub0,vlan=5,maxbw=100M,mac=02:08:20:3a:00:01",\n  "link=nolink9,mac=02:08:20:3a:00:02" ]\n' >"$T/gl.cfg"
xvm create --no-wait "$T/gl.cfg" >/dev/null || die "create gl"
g=$(domid gl)
wait_until 15 eval '[ "$(fe_state "$g")" = 4 ] && [ "$(be_state "$g")" = 4 ]' &&
    ok "vif 0 Connected" || fail "vif 0 not Connected"
wait_until 15 xenstore-exists "/local/domain/0/error/backend/vif/$g/1/error" &&
    ok "vif 1 has a backend error" || fail "no error node for vif 1"
grep -Eq '^[0-9T:.-]+Z xvm-procdom\[gl\]: vif 0: connected' "$T/xvmd.log" &&
    ok "xvm-procdom's log lines carry the time and the domain" ||
    fail "xvm-procdom's lines: $(grep -m2 xvm-procdom "$T/xvmd.log")"
xvm domiflist gl >"$T/if.txt" || fail "domiflist"
cat "$T/if.txt"
expect "header" "Interface Type Source Model MAC VLAN Maxbw State" \
    "$(head -1 "$T/if.txt" | tr -s ' ')"
expect "vif 0" "xvm${g}_0 vnic stub0 netif 2:8:20:3a:0:1 5 100M connected" \
    "$(sed -n 3p "$T/if.txt" | tr -s ' ' | sed 's/ $//')"
line=$(sed -n 4p "$T/if.txt" | tr -s ' ')
[[ "$line" =~ ^xvm${g}_1\ vnic\ nolink9\ netif\ 2:8:20:3a:0:2\ --\ --\ [a-z-]+:\ .*link\ \'nolink9\'\ does\ not\ exist$ ]] &&
    ok "vif 1 shows its error: $line" || fail "vif 1: '$line'"
expect "the switch has the same VNIC" "xvm${g}_0:stub0:5:2\\:8\\:20\\:3a\\:0\\:1" \
    "$("$DLADM" show-vnic -p -o link,over,vid,macaddress "xvm${g}_0")"
expect "dominfo lists the vifs" "Vifs: vif 0 on stub0, connected (VNIC xvm${g}_0)" \
    "$(xvm dominfo gl | grep -A1 '^Vifs:' | head -1 | tr -s ' ')"
# dominfo says which of the record's limits this host does not enforce,
# as xvmd's log warned when the domain started (none: no Limits line)
lim=$(xvm dominfo gl | sed -n 's/^Limits: *//p')
nocpu=$(grep -c "domain gl: cgroup v2 has no cpu controller" "$T/xvmd.log")
nomem=$(grep -c "domain gl: cgroup v2 has no memory controller" "$T/xvmd.log")
grep -Eq "domain gl: (no cgroup v2|cannot make cgroup)" "$T/xvmd.log" &&
    nocpu=cg nomem=cg
case "$nocpu$nomem" in
00) want= ;;
cgcg) want="CPU(s) and max memory not enforced (the domain has no cgroup v2 here: see xvmd's log)" ;;
10) want="CPU(s) not enforced (this host's cgroup v2 has no cpu controller)" ;;
01) want="max memory not enforced (this host's cgroup v2 has no memory controller)" ;;
*) want="CPU(s) and max memory not enforced (this host's cgroup v2 has no cpu or memory controller)" ;;
esac
expect "dominfo's Limits line (log: cpu $nocpu, memory $nomem)" "$want" "$lim"
# Columns stay aligned with values longer than their headers.
ctl link-create stublongname12 etherstub || fail "long etherstub"
printf 'name = "gw"\nmemory = 32\nvif = [ "link=stublongname12,mac=02:08:20:3a:00:09" ]\n' >"$T/gw.cfg"
xvm create "$T/gw.cfg" >/dev/null || fail "create gw"
xvm domiflist gw >"$T/gw.txt"
cat "$T/gw.txt"
hdr=$(head -1 "$T/gw.txt") row=$(sed -n 3p "$T/gw.txt")
[[ "$row" == *2:8:20:3a:0:9* ]] || fail "gw: no row with its MAC"
pre=${hdr%%MAC*} rpre=${row%%2:8:20:3a:0:9*}
expect "long source: the MAC column still lines up" "${#pre}" "${#rpre}"
pre=${hdr%%State*} rpre=${row%%connected*}
expect "long source: the State column still lines up" "${#pre}" "${#rpre}"
xvm destroy gw >/dev/null
xvm destroy gl >/dev/null
# the run's nodes go with it, the backends' error nodes too (an id used
# again must not show an old run's error)
xenstore-exists "/local/domain/0/error/backend/vif/$g" &&
    fail "gl's error nodes left in the store" || ok "gl's error nodes removed"
xvm domiflist gl >"$T/off.txt" || fail "domiflist of a shut-off domain"
expect "shut off: no interface name or state" "- vnic stub0 netif 2:8:20:3a:0:1 5 100M -" \
    "$(sed -n 3p "$T/off.txt" | tr -s ' ' | sed 's/ $//')"
finish
