#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest's vif over a host NIC follows the NIC's carrier, as the host's
# own VNICs do: vswitchd writes the backend's carrier key, the guest's
# frontend (xvm-procdom) sets its eth<n>'s carrier from it.
#  - eth0 over the NIC (the veth's host end): NO-CARRIER within a second
#    of the other end going down, and of the NIC itself set down; the
#    carrier back within a second of either coming back;
#  - eth1 over an etherstub keeps its carrier throughout;
#  - a guest that comes while the NIC has no carrier is without one as
#    soon as its vif is connected.
. "$(dirname "$0")/../../lib/guests.sh" nsenter

NIC=$VETH_SW
# eth_flags DOMAIN IF: "no-carrier" or "carrier", as `ip link show` in the
# guest's namespace says (NO-CARRIER among the flags of an interface up).
eth_flags() {
    local out
    out=$(nsenter --net="$T/netns/xvm-$1" ip -o link show dev "$2" 2>&1) ||
        { echo "missing"; return; }
    case $out in
        *NO-CARRIER*) echo no-carrier ;;
        *"<"*UP*) echo carrier ;;
        *) echo down ;;
    esac
}
be_carrier() { rd "/local/domain/0/backend/vif/$1/$2/carrier"; }

# both DOMAIN: eth0's and eth1's state on one line.
both() { echo "$(eth_flags "$1" eth0) $(eth_flags "$1" eth1)"; }

start_xvmd
outside_up
start_vswd
ctl link-create stub0 etherstub || die "link stub0"
guest_cfg gc "link=$NIC,mac=02:08:20:34:11:01" "link=stub0,mac=02:08:20:34:11:02"
xvm create "$T/gc.cfg" >/dev/null || die "create gc"
g=$(domid gc)
wait_connected "$g"
wait_until 5 eval '[ "$(both gc)" = "carrier carrier" ]' &&
    ok "eth0 over $NIC and eth1 over stub0 have a carrier" ||
    fail "at first: eth0, eth1: $(both gc)"
expect "the backend's carrier key of vif $g.0" 1 "$(be_carrier "$g" 0)"
expect "the backend's carrier key of vif $g.1" 1 "$(be_carrier "$g" 1)"

ip -n "$NS_OUT" link set "$VETH_OUT" down
within_1s "the other end down: eth0 NO-CARRIER, eth1 keeps its carrier" \
    "no-carrier carrier" both gc
expect "the backend's carrier key" 0 "$(be_carrier "$g" 0)"
ip -n "$NS_OUT" link set "$VETH_OUT" up
within_1s "the other end up again: eth0's carrier is back" \
    "carrier carrier" both gc
ip link set "$NIC" down
within_1s "$NIC set down: eth0 NO-CARRIER" "no-carrier carrier" both gc
ip link set "$NIC" up
within_1s "$NIC set up again: eth0's carrier is back" "carrier carrier" both gc

# A guest that comes while the NIC has no carrier.
ip -n "$NS_OUT" link set "$VETH_OUT" down
within_1s "the other end down again" "no-carrier carrier" both gc
h=$(create_guest gd "link=$NIC,mac=02:08:20:34:11:03") || exit 1
wait_connected "$h"
# Its frontend connects (eth0 made, with a carrier) before the backend
# plugs the vif in and writes the key: "0" follows within milliseconds.
within_1s "a guest come meanwhile is without a carrier once connected" \
    no-carrier eth_flags gd eth0
ip -n "$NS_OUT" link set "$VETH_OUT" up
within_1s "and gets it with the NIC" carrier eth_flags gd eth0
within_1s "as the first guest does" "carrier carrier" both gc

xvm destroy gd >/dev/null || fail "destroy gd"
xvm destroy gc >/dev/null || fail "destroy gc"
finish
