#!/bin/bash
# SPDX-License-Identifier: MIT
# VNICs on different VLANs of one link cannot reach each other, even with
# addresses in one subnet: not one frame of g1's crosses to g2.
. "$(dirname "$0")/../../lib/switch.sh"
require

outside_up
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic c${ID}0 link=phys0 vid=20 attach=tap" \
    "vnic d${ID}0 link=phys0 vid=20 attach=tap"
vswd_start "$TMP/conf"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.0.1/24
guest_up "vsw${ID}g2" "c${ID}0" 10.0.0.2/24
guest_up "vsw${ID}g3" "d${ID}0" 10.0.0.3/24

ping_fails "vsw${ID}g1" 10.0.0.2
ping_fails "vsw${ID}g2" 10.0.0.1
# The same VLAN works, so the failures above are the VLAN's doing.
ping_ok "vsw${ID}g2" 10.0.0.3
# g1's ARP requests left on the wire tagged 10, never to VLAN 20, and
# VLAN 20's broadcasts never reached g1.
[ "$(stat_of "a${ID}0" opackets)" -ge 2 ] || fail "g1 sent nothing?"
[ "$(stat_of "a${ID}0" ipackets)" = 0 ] ||
    fail "a VLAN 10 VNIC received frames from VLAN 20"
echo PASS
