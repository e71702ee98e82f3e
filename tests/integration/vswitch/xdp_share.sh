#!/bin/bash
# SPDX-License-Identifier: MIT
# A NIC shared between the host's stack and the switch through XDP and
# AF_XDP (vsw/xdp_share.h), standalone in xdp_share_probe's one-link
# switch.  The "NIC" is a veth end in a host namespace that keeps its own
# address; its peer, in an outside namespace, is the wire.  VNIC a
# a0 (untagged) and VNIC b0 (VLAN 10) are host TAPs in guest namespaces.
#   - the host pings the outside with no loss while the program is on;
#   - the outside pings a's guest (ARP broadcast in, unicast through XDP);
#   - frames to a VNIC's (MAC, VID) reach its guest and not the host;
#     frames to other MACs, or to b's MAC untagged, reach the host only;
#   - broadcast reaches the host and the VNICs of its VLAN;
#   - deleting the entries gives the frames back to the host;
#   - a second open of the NIC, and a NIC with two rx queues, are refused
#     with the reason;
#   - after close no XDP program is left on the NIC or in the kernel, and
#     the NIC is no longer promiscuous.
. "$(dirname "$0")/../../lib/common.sh"

[ "$(id -u)" = 0 ] || skip "needs root (namespaces, XDP, AF_XDP)"
[ -x "${XDP_SHARE_PROBE:-}" ] || skip "XDP_SHARE_PROBE not set (run through meson test)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for t in ip ping; do
    command -v "$t" >/dev/null || skip "$t not installed"
done

NS_HOST="vsw${ID}h"
G1="vsw${ID}g1"
G2="vsw${ID}g2"
NIC="xs${ID}n"
PEER="xs${ID}p"
TAPA="xa${ID}"
TAPB="xb${ID}"
MAC_A=02:00:00:aa:00:01
MAC_B=02:00:00:bb:00:02
MAC_X=02:00:00:cc:00:03
BCAST=ff:ff:ff:ff:ff:ff
N=50
TMP=$(mktemp -d /tmp/xdp-share.XXXXXX)
PROBE_PID=""
PIDS=""

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "--- $*"; }

cleanup() {
    local p ns
    for p in $PIDS $PROBE_PID; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    for ns in "$G1" "$G2" "$NS_HOST" "$NS_OUT"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$TMP" "/var/run/dpdk/xsh${ID}" "/var/run/dpdk/xsh${ID}b" \
        "/var/run/dpdk/xsh${ID}c"
}
trap cleanup EXIT

ns_make() {
    ip netns add "$1" || fail "cannot create netns $1"
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

probe() { "$XDP_SHARE_PROBE" "$@"; }

# count NS IFACE NAME: a background counter of test frames; waits for it.
count_start() {
    ip netns exec "$1" "$XDP_SHARE_PROBE" count "$2" >"$TMP/$3" 2>&1 &
    PIDS="$PIDS $!"
    eval "CNT_$3=$!"
    wait_until 5 grep -q listening "$TMP/$3" || fail "counter $3 did not start"
}
count_stop() {
    local name pid
    sleep 0.5
    for name in "$@"; do
        eval "pid=\$CNT_$name"
        kill "$pid"
        wait "$pid" 2>/dev/null
    done
}
send() { ip netns exec "$NS_OUT" "$XDP_SHARE_PROBE" send "$PEER" "$@" ||
             fail "send $*"; }
got() {
    grep -qx "got $2 $3 $4" "$TMP/$1" ||
        fail "$1 should have $4 frames to $2 VID $3; it has: $(grep got "$TMP/$1" | tr '\n' ';')"
}
none() {
    ! grep -q "^got $2 $3 " "$TMP/$1" ||
        fail "$1 should have no frame to $2 VID $3; it has: $(grep got "$TMP/$1" | tr '\n' ';')"
}

ns_make "$NS_HOST"
ns_make "$NS_OUT"
ns_make "$G1"
ns_make "$G2"
ip link add "$NIC" netns "$NS_HOST" type veth peer name "$PEER" netns "$NS_OUT" ||
    fail "cannot make the veth pair"
ip -n "$NS_HOST" link set "$NIC" up
ip -n "$NS_OUT" link set "$PEER" up
ip -n "$NS_HOST" addr add 10.66.0.1/24 dev "$NIC"
ip -n "$NS_OUT" addr add 10.66.0.2/24 dev "$PEER"

note "share $NIC"
ip netns exec "$NS_HOST" "$XDP_SHARE_PROBE" switch "$NIC" "xsh${ID}" \
    "a0,$TAPA,$MAC_A,0" "b0,$TAPB,$MAC_B,10" >"$TMP/probe" 2>&1 &
PROBE_PID=$!
started() {
    grep -qE "^(ready|unavailable)" "$TMP/probe" || ! kill -0 "$PROBE_PID"
}
wait_until 20 started && grep -qE "^(ready|unavailable)" "$TMP/probe" ||
    { cat "$TMP/probe"; fail "the probe did not start"; }
if grep -q "^unavailable" "$TMP/probe"; then
    cat "$TMP/probe"
    grep -qE "built without|no AF_XDP" "$TMP/probe" &&
        skip "$(grep '^unavailable' "$TMP/probe")"
    fail "the NIC could not be shared"
fi
grep "^mode" "$TMP/probe"
echo "XDP mode: $(awk '/^mode/ {print $2}' "$TMP/probe")"
ip -n "$NS_HOST" link show "$NIC" | grep -q "prog/xdp" ||
    fail "no XDP program on $NIC"
ip -n "$NS_HOST" link show "$NIC" | grep -q "name xsh_prog" ||
    fail "the XDP program on $NIC is not ours"

note "a second user of the NIC, and a NIC of two queues, are refused"
out=$(ip netns exec "$NS_HOST" "$XDP_SHARE_PROBE" switch "$NIC" "xsh${ID}b" 2>&1)
[ $? = 3 ] && echo "$out" | grep -q "^unavailable: another XDP program" ||
    fail "a second open of $NIC: $out"
echo "$out" | grep "^unavailable"
ip link add "mq${ID}" netns "$NS_HOST" numrxqueues 2 type veth peer \
    name "mqp${ID}" netns "$NS_OUT" || fail "cannot make a two-queue veth"
ip -n "$NS_HOST" link set "mq${ID}" up
out=$(ip netns exec "$NS_HOST" "$XDP_SHARE_PROBE" switch "mq${ID}" "xsh${ID}c" 2>&1)
[ $? = 3 ] && echo "$out" | grep -q "^unavailable: .*more than one rx queue" ||
    fail "a two-queue NIC: $out"
echo "$out" | grep "^unavailable"
ip -n "$NS_HOST" link show "mq${ID}" | grep -q xdp &&
    fail "the refused NIC has an XDP program"

for g in "$G1:$TAPA" "$G2:$TAPB"; do
    ip -n "$NS_HOST" link set "${g#*:}" netns "${g%%:*}" ||
        fail "move ${g#*:}"
    ip -n "${g%%:*}" link set "${g#*:}" up
done
ip -n "$G1" addr add 10.66.0.3/24 dev "$TAPA"

note "the host pings the outside while the rest runs"
ip netns exec "$NS_HOST" ping -c 60 -i 0.05 -W 2 -q 10.66.0.2 \
    >"$TMP/hostping" 2>&1 &
HOSTPING=$!
PIDS="$PIDS $HOSTPING"

note "the outside pings VNIC a's guest"
ip netns exec "$NS_OUT" ping -c 3 -i 0.2 -W 2 -q 10.66.0.3 >/dev/null ||
    fail "ping from the outside to VNIC a's guest"

note "test frames from the outside"
count_start "$NS_HOST" "$NIC" host
count_start "$G1" "$TAPA" ga
count_start "$G2" "$TAPB" gb
send "$MAC_A" 0 $N
send "$MAC_B" 10 $N
send "$MAC_B" 0 $N
send "$MAC_X" 0 $N
send "$BCAST" 0 $N
send "$BCAST" 10 $N
count_stop host ga gb
got host "$MAC_B" 0 $N
got host "$MAC_X" 0 $N
got host "$BCAST" 0 $N
got host "$BCAST" 10 $N
none host "$MAC_A" 0
none host "$MAC_B" 10
got ga "$MAC_A" 0 $N
got ga "$BCAST" 0 $N
none ga "$MAC_B" 0
got gb "$MAC_B" 0 $N   # its tag stripped by the switch
got gb "$BCAST" 0 $N   # only the VLAN 10 broadcast, untagged
echo "host, VNIC a and VNIC b each got exactly their frames"

wait "$HOSTPING"
cat "$TMP/hostping" | tail -2
grep -q " 0% packet loss" "$TMP/hostping" || fail "the host's ping lost frames"

note "entries deleted: the frames go to the host"
kill -USR1 "$PROBE_PID"
wait_until 5 grep -q "^deleted" "$TMP/probe" || fail "no deletion"
count_start "$NS_HOST" "$NIC" host2
count_start "$G1" "$TAPA" ga2
send "$MAC_A" 0 $N
count_stop host2 ga2
got host2 "$MAC_A" 0 $N
none ga2 "$MAC_A" 0

note "close"
kill "$PROBE_PID"
wait "$PROBE_PID"
rc=$?
PROBE_PID=""
cat "$TMP/probe"
[ "$rc" = 0 ] || fail "the probe exited with $rc"
grep -qx "detached yes" "$TMP/probe" || fail "the program is still attached"
grep -qx "unloaded yes" "$TMP/probe" || fail "the program is still loaded"
! ip -n "$NS_HOST" link show "$NIC" | grep -q xdp ||
    fail "ip link still shows XDP on $NIC"
ip -n "$NS_HOST" -d link show "$NIC" | grep -q "promiscuity 0" ||
    fail "$NIC is still promiscuous"
ip netns exec "$NS_HOST" ping -c 3 -i 0.2 -W 2 -q 10.66.0.2 >/dev/null ||
    fail "the host cannot ping after close"
echo PASS
