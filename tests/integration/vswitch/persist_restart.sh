#!/bin/bash
# SPDX-License-Identifier: MIT
# The control socket creates links and VNICs; persistent ones go to the
# state file (atomically), temporary ones do not; bad requests fail with
# dladm's messages and change nothing.  After kill -9 and a restart every
# persistent object is back with its MAC and properties, and a ping that
# ran across the restart resumes once the guests have their TAPs again.
. "$(dirname "$0")/../../lib/switch.sh"
require

outside_up
vswd_start ""
ctl link-create phys0 phys "net_af_packet0,iface=$VETH_SW" || fail "phys0"
ctl link-create -t stub0 etherstub || fail "stub0"
ctl vnic-create "a${ID}0" phys0 vid=10 maxbw=50M attach=tap || fail "a0"
ctl vnic-create "b${ID}0" phys0 vid=10 attach=tap || fail "b0"
ctl vnic-create -t "t${ID}0" phys0 vid=10 || fail "t0"

# expect_error MESSAGE COMMAND...: exit status 1 and the message.
expect_error() {
    local msg="$1" out
    shift
    out=$(ctl "$@" 2>&1) && fail "'$*' succeeded"
    echo "$out"
    echo "$out" | grep -qF "$msg" || fail "'$*': expected '$msg'"
}
note "bad requests"
expect_error "object already exists" vnic-create "a${ID}0" phys0
expect_error "does not exist" vnic-create "x${ID}0" nolink0
expect_error "invalid VLAN identifier '4095'" vnic-create "x${ID}0" phys0 vid=4095
expect_error "invalid link name" vnic-create "9x" phys0
expect_error "can't create persistent object on top of temporary object" \
    vnic-create "x${ID}0" stub0
expect_error "link busy: VNICs run over 'phys0' (a${ID}0, b${ID}0" link-delete phys0
expect_error "cannot open DPDK port" link-create phys1 phys net_bogus0
ctl vnic-show "x${ID}0" >/dev/null 2>&1 && fail "a failed create left x0"
ctl link-show phys1 >/dev/null 2>&1 && fail "a failed create left phys1"
ctl vnic-create -t "x${ID}0" stub0 || fail "temporary over temporary"

note "the state file"
cat "$STATE/datalink.conf"
grep -q "^link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW$" \
    "$STATE/datalink.conf" || fail "phys0 not persisted"
grep -q "^vnic a${ID}0 link=phys0 .* vid=10 maxbw=50M " "$STATE/datalink.conf" ||
    fail "a0 not persisted"
grep -q "^vnic b${ID}0 " "$STATE/datalink.conf" || fail "b0 not persisted"
grep -qE "stub0|t${ID}0|x${ID}0" "$STATE/datalink.conf" &&
    fail "a temporary object was persisted"
[ -e "$STATE/.datalink.conf.tmp" ] && fail "temporary file left behind"
mac_a=$(ctl vnic-show "a${ID}0" | awk '{print $3}')
mac_b=$(ctl vnic-show "b${ID}0" | awk '{print $3}')

G1="vsw${ID}g1"
G2="vsw${ID}g2"
guest_up "$G1" "a${ID}0" 10.0.10.1/24
guest_up "$G2" "b${ID}0" 10.0.10.2/24
ping_ok "$G1" 10.0.10.2
ip netns exec "$G1" ping -i 0.2 -w 25 10.0.10.2 >"$TMP/ping.txt" 2>&1 &
PING=$!
sleep 1

note "kill -9 and restart"
vswd_kill9
before=$(grep -c "bytes from" "$TMP/ping.txt")
sleep 1
vswd_start ""
ctl vnic-show
[ "$(ctl vnic-show "a${ID}0" | awk '{print $3, $5, $6}')" = "$mac_a 10 50M" ] ||
    fail "a0 not restored as it was"
[ "$(ctl vnic-show "b${ID}0" | awk '{print $3}')" = "$mac_b" ] ||
    fail "b0 restored with another MAC"
ctl vnic-show "t${ID}0" >/dev/null 2>&1 && fail "temporary VNIC came back"
ctl link-show stub0 >/dev/null 2>&1 && fail "temporary link came back"
[ "$(stat_of "a${ID}0" opackets)" -lt 20 ] || fail "counters not reset"
guest_up "$G1" "a${ID}0" 10.0.10.1/24
guest_up "$G2" "b${ID}0" 10.0.10.2/24
sleep 2
after=$(grep -c "bytes from" "$TMP/ping.txt")
kill "$PING" 2>/dev/null
echo "ping replies: $before before the restart, $after in all"
[ "$after" -ge $((before + 5)) ] || fail "the ping did not resume"

note "delete persists too"
ctl vnic-delete "b${ID}0" || fail "delete"
grep -q "b${ID}0" "$STATE/datalink.conf" && fail "deleted VNIC still persisted"
echo PASS
