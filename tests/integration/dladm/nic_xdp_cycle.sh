#!/bin/bash
# SPDX-License-Identifier: MIT
# A NIC's link goes back to XDP each time it is attached again: the last
# VNIC over it deleted (the NIC given back), the next VNIC over it or
# over another NIC shares that NIC through XDP again, any number of
# times.  vswitchd runs in a host namespace of the test's own, where two
# veth ends are its NICs; their peers are in the outside namespace.
# Each round: create-vnic -t over the NIC, show-phys ATTACH xdp and our
# program on the NIC, a guest on a host-TAP VNIC pings the peer (first
# NIC), delete-vnic, ATTACH -- and no program left.  Eight rounds on the
# first NIC, one on the second (never used before), one on the first
# again: more than the packet pool would last if an attachment lost the
# mbufs of its AF_XDP fill ring.
. "$(dirname "$0")/lib.sh"
dl_require

NSH="vsw${ID}xh" G1="vsw${ID}g1"
NIC1="xc${ID}a" NIC2="xc${ID}b"
NET="10.$((100 + ID % 100)).$((ID / 100 % 250))"
VA="a${ID}0"
ROUNDS=8

hook() { ip netns del "$NSH" 2>/dev/null; }
CLEANUP_HOOK=hook

outside_up
ip netns add "$NSH" || fail "cannot make namespace $NSH"
ip -n "$NSH" link set lo up
for n in "$NIC1" "$NIC2"; do
    ip link add "$n" netns "$NSH" type veth peer name "${n}p" netns "$NS_OUT" ||
        fail "veth $n"
    ip netns exec "$NSH" sysctl -qw "net.ipv6.conf.$n.disable_ipv6=1"
    ip -n "$NSH" link set "$n" up
    ip -n "$NS_OUT" link set "${n}p" up
done
ip -n "$NS_OUT" addr add "$NET.2/24" dev "${NIC1}p"
VSWD_NETNS=$NSH vswd_start ""

has_xdp() { ip -n "$NSH" link show "$1" | grep -q "prog/xdp"; }
phys() { dl show-phys -p -o attach,reason "$1"; }
listed() { dl show-phys -p -o link "$1" >/dev/null 2>&1; }
wait_until 3 listed "$NIC1" && wait_until 3 listed "$NIC2" ||
    fail "show-phys does not list $NIC1 and $NIC2"

# round NIC N: one VNIC over NIC, XDP, traffic (NIC1 only), then none.
round() {
    local nic=$1 n=$2
    dl create-vnic -t -l "$nic" hv5 || fail "round $n: create-vnic over $nic"
    [ "$(phys "$nic")" = "xdp:--" ] ||
        fail "round $n: $nic: ATTACH:REASON $(phys "$nic")"
    ip -n "$NSH" link show "$nic" | grep -q "name xsh_prog" ||
        fail "round $n: our program is not on $nic"
    if [ "$nic" = "$NIC1" ]; then
        ctl vnic-create "$VA" "$nic" attach=tap || fail "round $n: $VA"
        VSWD_NETNS= guest_in "$VA"
        ip netns exec "$G1" ping -c 3 -i 0.2 -W 2 -q "$NET.2" >/dev/null ||
            fail "round $n: $VA's guest cannot ping the peer"
        ctl vnic-delete "$VA" || fail "round $n: vnic-delete $VA"
    fi
    dl delete-vnic -t hv5 || fail "round $n: delete-vnic"
    [ "$(phys "$nic")" = "--:--" ] ||
        fail "round $n: $nic after the last VNIC: $(phys "$nic")"
    wait_until 2 sh -c "! ip -n '$NSH' link show '$nic' | grep -q prog/xdp" ||
        fail "round $n: a program is left on $nic"
    echo "ok   round $n: $nic shared through XDP, then given back"
}
# guest_in TAP: the TAP (made in $NSH) into the guest namespace.
guest_in() {
    ip netns list | grep -qw "$G1" || { ip netns add "$G1"; GUESTS="$GUESTS $G1"; }
    wait_until 5 ip -n "$NSH" link show "$1" >/dev/null 2>&1 || fail "no TAP $1"
    ip -n "$NSH" link set "$1" netns "$G1" || fail "move $1"
    ip netns exec "$G1" sysctl -qw "net.ipv6.conf.all.disable_ipv6=1"
    ip -n "$G1" link set lo up
    ip -n "$G1" link set "$1" up
    ip -n "$G1" addr add "$NET.3/24" dev "$1"
}

for i in $(seq $ROUNDS); do
    round "$NIC1" "$i"
done
round "$NIC2" "$((ROUNDS + 1))"
round "$NIC1" "$((ROUNDS + 2))"
grep -q "Failed to create xsk socket" "$TMP/vswitchd.log" &&
    fail "the log has net_af_xdp failures: $(grep -i xsk "$TMP/vswitchd.log")"
echo PASS
