#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest whose VNIC has mac-nospoof (the default protection of an xvm
# VNIC is none; the vif key protection= sets it) changes its eth0 MAC:
# what it sends is dropped and counted as spoof, its ping fails; with its
# own MAC back, the ping works again and the spoof count stops growing.
. "$(dirname "$0")/../../lib/guests.sh"

switch_up
a=$(create_guest sa "link=stub0,mac=02:08:20:36:00:01") || exit 1
b=$(create_guest sb "link=stub0,mac=02:08:20:36:00:02") || exit 1
wait_connected "$a" "$b" || exit 1
"$DLADM" set-linkprop -t -p protection=mac-nospoof "xvm${a}_0" ||
    fail "set protection on xvm${a}_0"
guest_ip sa 10.81.0.1/24
guest_ip sb 10.81.0.2/24
ping_ok sa 10.81.0.2 && ok "sa pings sb with its own MAC" || fail "sa -> sb"

spoof0=$(ctl stat "xvm${a}_0" spoof)
xvm exec sa ip link set eth0 address 02:de:ad:be:ef:01
xvm exec sa ip neigh flush dev eth0
if ping_ok sa 10.81.0.2; then fail "a spoofing guest still reaches sb"
else ok "a spoofing guest does not reach sb"; fi
spoof1=$(ctl stat "xvm${a}_0" spoof)
[ $((spoof1 - spoof0)) -ge 1 ] && ok "spoof drops counted: $((spoof1 - spoof0))" ||
    fail "no spoof drops counted ($spoof0 -> $spoof1)"

xvm exec sa ip link set eth0 address 02:08:20:36:00:01
ping_ok sa 10.81.0.2 && ok "with its own MAC back, sa reaches sb" ||
    fail "sa -> sb after restoring the MAC"
expect "no spoof drops for honest frames" "$spoof1" "$(ctl stat "xvm${a}_0" spoof)"
finish
