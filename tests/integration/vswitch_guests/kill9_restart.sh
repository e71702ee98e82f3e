#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vswitchd killed with SIGKILL and started again: the persistent links come
# back from its state directory, the temporary xvm VNICs are made again
# from xenstore, and the new backends take over the rings the guests'
# frontends, still Connected, publish: the guests notice nothing (the same
# ring references, states 4 throughout) and ping resumes.  Twice in a row.
. "$(dirname "$0")/../../lib/guests.sh"

switch_up
a=$(create_guest ka "link=stub0,mac=02:08:20:33:20:01") || exit 1
b=$(create_guest kb "link=stub0,mac=02:08:20:33:20:02,vlan=7") || exit 1
wait_connected "$a" "$b"
# VLAN 7 on one side only: they must not reach each other yet.
guest_ip ka 10.79.1.1/24
guest_ip kb 10.79.1.2/24
ping_ok ka 10.79.1.2 && fail "ping across VLANs" || ok "no ping across VLANs"
xvm destroy kb >/dev/null || fail "destroy kb"
wait_until 10 vnic_gone "xvm${b}_0" || fail "xvm${b}_0 still there"
b=$(create_guest kb "link=stub0,mac=02:08:20:33:20:02") || exit 1
wait_connected "$b"
guest_ip kb 10.79.1.2/24
wait_until 10 ping_ok ka 10.79.1.2 && ok "ping before the kill" ||
    fail "ping before the kill"

fe_ref() { rd "/local/domain/$1/device/vif/0/tx-ring-ref"; }
vif_connects() { grep -c "vif${1}\.0: connected" "$T/vswitchd.log"; }
for round in 1 2; do
    ra=$(fe_ref "$a") rb=$(fe_ref "$b")
    kill9_vswd
    expect "round $round: backends left Connected" "4 4" \
        "$(be_state "$a") $(be_state "$b")"
    ping_ok ka 10.79.1.2 && fail "round $round: ping with no switch" ||
        ok "round $round: no traffic while vswitchd is down"
    start_vswd
    expect "round $round: persistent links back" "phys0 stub0" \
        "$(own_links)"
    for pair in "$a $ra" "$b $rb"; do
        set -- $pair
        d=$1 r=$2
        if wait_until 15 test "$(vif_connects "$d")" -ge $((round + 1)); then
            ok "round $round: dom $d's vif taken over"
        else
            fail "round $round: dom $d's vif not connected again"
        fi
        expect "round $round: dom $d on its old rings, both Connected" \
            "$r 4 4" "$(fe_ref "$d") $(fe_state "$d") $(be_state "$d")"
        expect "round $round: VNIC xvm${d}_0 made again, temporary" "stub0 yes" \
            "$(ctl vnic-show "xvm${d}_0" | awk '{ print $2, $11 }')"
    done
    if wait_until 10 ping_ok ka 10.79.1.2; then ok "round $round: ping ka -> kb resumes"
    else fail "round $round: ping ka -> kb"; fi
    ping_ok kb 10.79.1.1 && ok "round $round: ping kb -> ka" || fail "round $round: ping kb -> ka"
done
grep -q '^xvm' "$T/vsw-state/datalink.conf" && fail "xvm VNICs persisted" ||
    ok "the xvm VNICs are not in the state file"
expect "frontend error node" "" "$(rd /local/domain/$a/error/device/vif/0/error)"
finish
