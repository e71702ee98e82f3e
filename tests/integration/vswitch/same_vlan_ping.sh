#!/bin/bash
# SPDX-License-Identifier: MIT
# Two host-TAP VNICs on VLAN 10 of the same link reach each other, the
# switch counts the frames on both, and an idle switch uses little CPU.
. "$(dirname "$0")/../../lib/switch.sh"
require

outside_up
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic b${ID}0 link=phys0 vid=10 attach=tap"
vswd_start "$TMP/conf"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "b${ID}0" 10.0.10.2/24

note "ping between the two VNICs"
ping_ok "vsw${ID}g1" 10.0.10.2
ping_ok "vsw${ID}g2" 10.0.10.1
in_a=$(stat_of "a${ID}0" ipackets)
out_a=$(stat_of "a${ID}0" opackets)
in_b=$(stat_of "b${ID}0" ipackets)
[ "$in_a" -ge 6 ] && [ "$out_a" -ge 6 ] && [ "$in_b" -ge 6 ] ||
    fail "VNIC counters too low: a in=$in_a out=$out_a, b in=$in_b"
[ "$(stat_of "a${ID}0" unknown-dest)" = 0 ] || fail "unexpected drops"

note "idle CPU"
sleep 0.5
pct=$(cpu_pct "$VSWD_PID" 3)
echo "idle vswitchd CPU: ${pct}%"
[ "$pct" -le 10 ] || fail "idle vswitchd uses ${pct}% CPU"

note "and it answers at once after idling"
ping_ok "vsw${ID}g1" 10.0.10.2
echo PASS
