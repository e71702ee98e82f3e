#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest's vif over a host NIC: "link=<the veth's host end>", with no
# link configured at all.  vswitchd makes xvm<id>_0 over the NIC's own
# link and attaches to the NIC for it; the guest pings the outside world
# while the host, which keeps its address on the NIC, pings it too
# without a loss; the guest gone, the NIC is released.
. "$(dirname "$0")/../../lib/guests.sh"

NIC=$VETH_SW
NET="10.$((100 + ID % 100)).$((ID / 100 % 250))"
attach_col() { ctl link-show "$NIC" 2>/dev/null | awk '{ print $7 }'; }
detached() { [ "$(attach_col)" = detached ]; }

start_xvmd
outside_up
start_vswd
ip addr add "$NET.1/24" dev "$NIC" || die "address on $NIC"
ip -n "$NS_OUT" addr add "$NET.2/24" dev "$VETH_OUT"
wait_until 5 detached && ok "$NIC is a link, not attached" ||
    fail "$NIC: $(ctl link-show "$NIC" 2>&1)"
g=$(create_guest gn "link=$NIC,mac=02:08:20:33:11:01") || exit 1
wait_connected "$g"
expect "dladm: xvm${g}_0 over $NIC" "xvm${g}_0:$NIC:gn" \
    "$("$DLADM" show-vnic -p -o link,over,domain "xvm${g}_0")"
expect "attached with the guest's VNIC" attached "$(attach_col)"
guest_ip gn "$NET.3/24"

ping -i 0.1 -c 50 -W 1 -q "$NET.2" >"$T/hostping.txt" 2>&1 &
HOSTPING=$!
wait_until 10 ping_ok gn "$NET.2" && ok "the guest pings the outside" ||
    fail "gn -> $NET.2"
ip netns exec "$NS_OUT" ping -c 3 -i 0.2 -W 2 -q "$NET.3" >/dev/null &&
    ok "the outside pings the guest" || fail "$NET.2 -> gn"
xvm exec gn ping -c 20 -i 0.1 -q "$NET.2" >/dev/null 2>&1 &&
    ok "20 more from the guest" || fail "the guest lost pings"
wait "$HOSTPING"
grep -q " 0% packet loss" "$T/hostping.txt" &&
    ok "the host's ping over $NIC lost nothing meanwhile" ||
    fail "the host's ping: $(grep loss "$T/hostping.txt")"

xvm destroy gn >/dev/null || fail "destroy gn"
wait_until 10 vnic_gone "xvm${g}_0" && ok "xvm destroy removes xvm${g}_0" ||
    fail "xvm${g}_0 still there"
wait_until 5 detached && ok "the NIC is released with the guest's VNIC" ||
    fail "still attached: $(ctl link-show "$NIC")"
finish
