#!/bin/bash
# SPDX-License-Identifier: MIT
# With protection=mac-nospoof, frames a guest sends from any MAC but its
# VNIC's are dropped and counted (drops "spoof"); without it they pass.
. "$(dirname "$0")/../../lib/switch.sh"
require

outside_up
phys_conf "$TMP/conf"
vswd_start "$TMP/conf"
ctl vnic-create -t "a${ID}0" phys0 vid=10 protection=mac-nospoof \
    attach=tap || fail "create a0"
ctl vnic-create -t "b${ID}0" phys0 vid=10 attach=tap || fail "create b0"
G1="vsw${ID}g1"
G2="vsw${ID}g2"
guest_up "$G1" "a${ID}0" 10.0.10.1/24
guest_up "$G2" "b${ID}0" 10.0.10.2/24
ctl vnic-show "a${ID}0" | grep -q " mac-nospoof " || fail "property"

ping_ok "$G1" 10.0.10.2
[ "$(stat_of "a${ID}0" spoof)" = 0 ] || fail "spoof drops on honest frames"
real=$(ip -n "$G1" -br link show "a${ID}0" | awk '{print $3}')

note "the guest takes another MAC"
ip -n "$G1" link set "a${ID}0" address 02:de:ad:be:ef:01
ip -n "$G1" neigh flush all
ip -n "$G2" neigh flush all
in_b=$(stat_of "b${ID}0" ipackets)
ping_fails "$G1" 10.0.10.2
spoof=$(stat_of "a${ID}0" spoof)
echo "spoof drops: $spoof"
[ "$spoof" -ge 2 ] || fail "spoofed frames not counted"
[ "$(stat_of "b${ID}0" ipackets)" = "$in_b" ] ||
    fail "a spoofed frame reached g2"

note "protection off: the same frames pass"
ctl vnic-modify -t "a${ID}0" protection=none || fail "modify"
ping_fails "$G1" 10.0.10.2 # the replies go to a MAC no VNIC has
[ "$(stat_of "a${ID}0" spoof)" = "$spoof" ] || fail "counted without check"
[ "$(stat_of "b${ID}0" ipackets)" -gt "$in_b" ] ||
    fail "frames did not pass with protection off"

note "back to its own MAC, protected again"
ctl vnic-modify -t "a${ID}0" protection=mac-nospoof || fail "modify"
ip -n "$G1" link set "a${ID}0" address "$real"
ip -n "$G1" neigh flush all
ip -n "$G2" neigh flush all
ping_ok "$G1" 10.0.10.2
echo PASS
