#!/bin/bash
# SPDX-License-Identifier: MIT
# A VNIC made with dladm create-vnic is a host interface of its name (a
# TAP with a vnet header), as illumos' ipadm create-ip plumbs a VNIC.
# vswitchd runs in a namespace of the test's, which plays the host, so all
# traffic stays in namespaces this test made:
#  - the interface is there, down, with the VNIC's MAC; brought up with an
#    address it pings a peer VNIC's namespace over an etherstub and the
#    outside world over phys0; TCP crosses as large segments (vnet
#    header), cut by the switch toward the wire;
#  - modify-vnic (MAC, VID, link) and set-linkprop keep the interface
#    (same ifindex) and its addresses; the interface takes the new MAC;
#  - its carrier follows its link: the NIC under phys0 loses its carrier,
#    the interface does too, and gets it back;
#  - delete-vnic removes the interface, delete-vnic -t too (the record
#    stays), a -t VNIC has one; after a restart the persistent VNICs have
#    their interfaces again (down, no address: those are the host's);
#  - a VNIC whose name a host interface has is refused, with that reason.
. "$(dirname "$0")/lib.sh"
dl_require iperf3 ethtool

HOST="vsw${ID}h"
PEER="vsw${ID}p"
H="h${ID}0"  # the host's VNIC on the etherstub
P="p${ID}0"  # the peer's, moved into $PEER
W="w${ID}0"  # the host's VNIC on phys0
GUESTS="$HOST $PEER"

hx() { ip netns exec "$HOST" "$@"; }
ifindex() { hx cat "/sys/class/net/$1/ifindex" 2>/dev/null; }
mac_of() { hx cat "/sys/class/net/$1/address" 2>/dev/null; }
carrier() { hx cat "/sys/class/net/$1/carrier" 2>/dev/null; }
has_addr() { ip -n "$HOST" -4 addr show dev "$1" | grep -q "inet $2/"; }
gone() { ! ip -n "$HOST" link show "$1" >/dev/null 2>&1; }
ping_from() { # NS ADDR
    ip netns exec "$1" ping -c 3 -i 0.2 -W 2 -q "$2" >/dev/null
}

# The host namespace owns the switch's end of the veth (phys0).
ip netns add "$HOST" || fail "cannot make $HOST"
ip netns add "$PEER" || fail "cannot make $PEER"
for ns in "$HOST" "$PEER"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
done
outside_up
ip link set "$VETH_SW" netns "$HOST" || fail "move $VETH_SW"
ip -n "$HOST" link set "$VETH_SW" up
ip -n "$NS_OUT" addr add 10.0.81.2/24 dev "$VETH_OUT"
# A veth hands af_packet its frames with checksums still partial (a NIC
# would not): the outside host computes its own.
ip netns exec "$NS_OUT" ethtool -K "$VETH_OUT" tx off >/dev/null ||
    fail "ethtool tx off"
phys_conf "$TMP/boot.conf"
VSWD_NETNS=$HOST vswd_start "$TMP/boot.conf"

note "create-vnic: an interface of the VNIC's name, down, with its MAC"
dl create-etherstub "s${ID}0" || fail "create-etherstub"
dl create-vnic -l "s${ID}0" -m 2:8:20:51:0:1 "$H" || fail "create $H"
dl create-vnic -l "s${ID}0" -m 2:8:20:51:0:2 "$P" || fail "create $P"
dl create-vnic -l phys0 -m 2:8:20:51:0:3 "$W" || fail "create $W"
ip -n "$HOST" link show "$H" || fail "no interface $H in the host"
ip -n "$HOST" link show "$H" | grep -q "state DOWN" || fail "$H is not down"
[ "$(mac_of "$H")" = 02:08:20:51:00:01 ] || fail "$H: MAC $(mac_of "$H")"
ip -d -n "$HOST" link show "$H" | grep -q "tun type tap" ||
    fail "$H is not a TAP"

note "the host pings a peer over the etherstub and the outside over phys0"
ip -n "$HOST" link set "$P" netns "$PEER" || fail "move $P"
ip -n "$PEER" link set "$P" up
ip -n "$PEER" addr add 10.0.80.2/24 dev "$P"
ip -n "$HOST" link set "$H" up
ip -n "$HOST" addr add 10.0.80.1/24 dev "$H"
ip -n "$HOST" link set "$W" up
ip -n "$HOST" addr add 10.0.81.1/24 dev "$W"
ping_from "$HOST" 10.0.80.2 || fail "ping over the etherstub"
ping_from "$HOST" 10.0.81.2 || fail "ping over phys0"
ping_from "$PEER" 10.0.80.1 || fail "ping from the peer"

note "TCP from the host crosses the switch as large segments"
o0=$(dl show-vnic -s -p -o opackets "$H")
b0=$(ctl stat "$H" obytes)
ip netns exec "$PEER" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
srv=$!
sleep 0.3
hx iperf3 -c 10.0.80.2 -p 5201 -n 20M >"$TMP/iperf.txt" 2>&1 ||
    { cat "$TMP/iperf.txt"; fail "iperf3"; }
wait "$srv" 2>/dev/null
o1=$(dl show-vnic -s -p -o opackets "$H")
b1=$(ctl stat "$H" obytes)
avg=$(( (b1 - b0) / (o1 - o0) ))
echo "20 MB in $((o1 - o0)) frames: $avg bytes each on average"
[ "$avg" -gt 3000 ] || fail "the host's TCP was segmented ($avg bytes/frame)"
# Toward the wire the switch cuts them (and fills in the checksums).
ip netns exec "$NS_OUT" iperf3 -s -1 -p 5202 >/dev/null 2>&1 &
srv=$!
sleep 0.3
hx iperf3 -c 10.0.81.2 -p 5202 -n 5M >"$TMP/iperf.txt" 2>&1 ||
    { cat "$TMP/iperf.txt"; fail "iperf3 over phys0"; }
wait "$srv" 2>/dev/null
retr=$(awk '/sender$/ { print $(NF-1) }' "$TMP/iperf.txt")
echo "5 MB to the outside world over phys0: $retr retransmissions"
[ "${retr:-0}" -lt 50 ] || fail "bad segments or checksums on the wire"

note "modify-vnic and set-linkprop keep the interface and its addresses"
idx=$(ifindex "$H")
keeps() { # WHAT
    [ "$(ifindex "$H")" = "$idx" ] || fail "$1: the interface was re-made"
    has_addr "$H" 10.0.80.1 || fail "$1: the address is gone"
    ok_n=$((ok_n + 1))
}
ok_n=0
dl modify-vnic -m 2:8:20:51:0:11 "$H" || fail "modify-vnic -m"
keeps "modify-vnic -m"
[ "$(mac_of "$H")" = 02:08:20:51:00:11 ] ||
    fail "the interface keeps the old MAC $(mac_of "$H")"
ip -n "$PEER" neigh flush dev "$P"
ping_from "$HOST" 10.0.80.2 || fail "ping after the new MAC"
dl modify-vnic -v 7 "$H" || fail "modify-vnic -v"
keeps "modify-vnic -v"
ip -n "$PEER" neigh flush dev "$P"
hx ping -c 2 -i 0.2 -W 1 -q 10.0.80.2 >/dev/null &&
    fail "ping across VLANs"
dl modify-vnic -v 0 "$H" || fail "modify-vnic -v 0"
keeps "modify-vnic -v 0"
dl modify-vnic -l phys0 "$H" || fail "modify-vnic -l phys0"
keeps "modify-vnic -l phys0"
dl modify-vnic -l "s${ID}0" "$H" || fail "modify-vnic -l back"
keeps "modify-vnic -l back"
dl set-linkprop -p maxbw=50M,priority=low "$H" || fail "set-linkprop"
keeps "set-linkprop"
dl set-linkprop -t -p protection=mac-nospoof "$H" || fail "set-linkprop -t"
keeps "set-linkprop -t"
dl reset-linkprop -p maxbw "$H" || fail "reset-linkprop"
keeps "reset-linkprop"
ip -n "$PEER" neigh flush dev "$P"
ping_from "$HOST" 10.0.80.2 || fail "ping after the changes"
echo "$ok_n changes: same interface, same address"

note "the carrier follows the link: phys0's NIC loses its carrier"
[ "$(carrier "$W")" = 1 ] || fail "$W: no carrier while phys0 is up"
[ "$(carrier "$H")" = 1 ] || fail "$H: no carrier on the etherstub"
ip -n "$NS_OUT" link set "$VETH_OUT" down
wait_until 3 eval '[ "$(carrier "$W")" = 0 ]' ||
    fail "$W keeps its carrier while phys0 is down"
[ "$(carrier "$H")" = 1 ] || fail "$H lost its carrier (etherstub)"
ip -n "$NS_OUT" link set "$VETH_OUT" up
wait_until 3 eval '[ "$(carrier "$W")" = 1 ]' ||
    fail "$W: the carrier did not come back"
has_addr "$W" 10.0.81.1 || fail "$W lost its address with the carrier"
wait_until 5 ping_from "$HOST" 10.0.81.2 || fail "ping over phys0 again"

note "-t VNICs, delete and delete -t"
dl create-vnic -t -l "s${ID}0" "t${ID}0" || fail "create -t"
ip -n "$HOST" link show "t${ID}0" >/dev/null || fail "no interface for -t"
dl delete-vnic -t "$W" || fail "delete -t"
gone "$W" || fail "$W: the interface stays after delete-vnic -t"
dl show-vnic -P -p -o link | grep -qx "$W" || fail "$W: the record is gone"

note "restart: persistent VNICs have their interfaces again"
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=""
gone "$H" || fail "$H stays while vswitchd is stopped"
VSWD_NETNS=$HOST vswd_start "$TMP/boot.conf"
wait_until 3 ip -n "$HOST" link show "$H" >/dev/null ||
    fail "$H: no interface after the restart"
ip -n "$HOST" link show "$W" >/dev/null || fail "$W: not back after -t"
gone "t${ID}0" || fail "the -t VNIC came back"
[ "$(mac_of "$H")" = 02:08:20:51:00:11 ] || fail "$H: MAC after restart"
has_addr "$H" 10.0.80.1 && fail "an address survived the restart"
ip -n "$HOST" link set "$H" up
ip -n "$HOST" addr add 10.0.80.1/24 dev "$H"
ip -n "$PEER" neigh flush dev "$P" 2>/dev/null
# The peer's TAP went with the old vswitchd: its VNIC's is new, moved again.
ip -n "$HOST" link set "$P" netns "$PEER" || fail "move $P again"
ip -n "$PEER" link set "$P" up
ip -n "$PEER" addr add 10.0.80.2/24 dev "$P"
ping_from "$HOST" 10.0.80.2 || fail "ping after the restart"

note "delete-vnic removes the interface"
dl delete-vnic "$H" || fail "delete-vnic"
gone "$H" || fail "$H: the interface stays after delete-vnic"
dl delete-vnic "$W" || fail "delete-vnic $W"
gone "$W" || fail "$W stays"

note "an interface of the name is there already: refused, nothing made"
X="x${ID}0"
hx ip tuntap add "$X" mode tun || fail "tuntap $X"
out=$(dl create-vnic -l "s${ID}0" "$X" 2>&1)
rc=$?
hx ip tuntap del "$X" mode tun
[ $rc = 1 ] && [ "$out" = "dladm: vnic creation over s${ID}0 failed: a host interface of that name exists" ] ||
    fail "create-vnic over an interface's name: exit $rc, '$out'"
dl show-vnic "$X" >/dev/null 2>&1 && fail "$X: made anyway"
dl show-vnic -P "$X" >/dev/null 2>&1 && fail "$X: recorded anyway"
echo PASS
