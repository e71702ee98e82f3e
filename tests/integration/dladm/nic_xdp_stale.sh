#!/bin/bash
# SPDX-License-Identifier: MIT
# A vswitchd killed with SIGKILL leaves its XDP program on the NIC (no
# close ran).  The next vswitchd, holding the NIC (its per-NIC claim),
# recognises the program as its own kind (name xsh_prog and our three
# maps) and takes it off before sharing the NIC through XDP again; any
# other program stays and the link falls back to af_packet, as before.
# vswitchd runs in a host namespace of the test's own with a veth end as
# its NIC; the peer, in the outside namespace, is the wire:
#   - a persistent VNIC over the NIC, XDP, traffic from a host-TAP VNIC's
#     guest; kill -9: the program (xsh_prog) stays on the NIC;
#   - a new vswitchd makes the VNIC again: show-phys ATTACH xdp with no
#     REASON, a new program id, the old one taken off (logged), traffic
#     both ways through a new host-TAP VNIC; the killed one left the NIC
#     promiscuous, and after the last VNIC the NIC is as it was before
#     the first vswitchd took it (not promiscuous; rx-vlan offload as
#     before, where ethtool can tell);
#   - another program on the NIC (the objects need clang): one of another
#     name, and one named xsh_prog without our maps, are left alone,
#     ATTACH af_packet with the reason naming them.
. "$(dirname "$0")/lib.sh"
dl_require

NSH="vsw${ID}sh" G1="vsw${ID}g1"
NIC="xk${ID}a"
NET="10.$((100 + ID % 100)).$((ID / 100 % 250))"
VA="a${ID}0" VB="b${ID}0"

hook() { ip netns del "$NSH" 2>/dev/null; }
CLEANUP_HOOK=hook

outside_up
ip netns add "$NSH" || fail "cannot make namespace $NSH"
ip -n "$NSH" link set lo up
ip link add "$NIC" netns "$NSH" type veth peer name "${NIC}p" netns "$NS_OUT" ||
    fail "veth $NIC"
ip netns exec "$NSH" sysctl -qw "net.ipv6.conf.$NIC.disable_ipv6=1"
ip -n "$NSH" link set "$NIC" up
ip -n "$NS_OUT" link set "${NIC}p" up
ip -n "$NS_OUT" addr add "$NET.2/24" dev "${NIC}p"

prog_id() { ip -n "$NSH" link show "$NIC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
phys() { dl show-phys -p -o attach,reason "$NIC"; }
listed() { dl show-phys -p -o link "$NIC" >/dev/null 2>&1; }
# tap_guest TAP: a host-TAP VNIC over the NIC, its TAP into the guest
# namespace with $NET.3; the guest pings the peer and the peer it.
tap_guest() {
    ctl vnic-create -t "$1" "$NIC" attach=tap || fail "vnic-create $1"
    ip netns list | grep -qw "$G1" || { ip netns add "$G1"; GUESTS="$GUESTS $G1"; }
    wait_until 5 ip -n "$NSH" link show "$1" >/dev/null 2>&1 || fail "no TAP $1"
    ip -n "$NSH" link set "$1" netns "$G1" || fail "move $1"
    ip netns exec "$G1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$G1" link set lo up
    ip -n "$G1" link set "$1" up
    ip -n "$G1" addr flush dev "$1"
    ip -n "$G1" addr add "$NET.3/24" dev "$1"
    ping_ok "$G1" "$NET.2"
    ping_ok "$NS_OUT" "$NET.3"
}
start() {
    VSWD_NETNS=$NSH vswd_start ""
    wait_until 3 listed || fail "show-phys does not list $NIC"
}

promisc() { ip -n "$NSH" link show "$NIC" | grep -q PROMISC; }
rxvlan() { ip netns exec "$NSH" ethtool -k "$NIC" 2>/dev/null |
    sed -n 's/^rx-vlan-offload: \([a-z]*\).*/\1/p'; }
promisc && fail "$NIC is promiscuous before any vswitchd"
rxvlan0=$(rxvlan)

note "vswitchd shares $NIC through XDP, then is killed with SIGKILL"
start
dl create-vnic -l "$NIC" vnic1 || fail "create-vnic"
[ "$(phys)" = "xdp:--" ] || fail "ATTACH:REASON $(phys)"
tap_guest "$VA"
old=$(prog_id)
[ -n "$old" ] || fail "no program on $NIC"
vswd_kill9
promisc || fail "the killed vswitchd did not leave $NIC promiscuous (the premise)"
ip -n "$NSH" link show "$NIC" | grep -q "prog/xdp id $old name xsh_prog" ||
    fail "the killed vswitchd's program is not left on $NIC: $(ip -n "$NSH" link show "$NIC")"
ip netns del "$G1"
GUESTS=""

note "a new vswitchd takes the left program off and shares $NIC again"
start
wait_until 3 sh -c "[ \"\$('$DLADM' show-phys -p -o attach '$NIC')\" = xdp ]" ||
    fail "after the restart ATTACH:REASON $(phys)"
[ "$(phys)" = "xdp:--" ] || fail "ATTACH:REASON $(phys)"
new=$(prog_id)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "program $new on $NIC, was $old"
ip -n "$NSH" link show "$NIC" | grep -q "name xsh_prog" || fail "not ours"
grep -q "link $NIC: took off NIC $NIC the XDP program a vswitchd that is gone left (program $old)" \
    "$TMP/vswitchd.log" || fail "the taking off is not logged"
tap_guest "$VB"
echo "ok   program $old taken off, $NIC shared again (program $new), traffic passes"
ctl vnic-delete "$VB" || fail "vnic-delete $VB"
dl delete-vnic vnic1 || fail "delete-vnic"
[ -z "$(prog_id)" ] || fail "a program is left after the last VNIC"
promisc && fail "$NIC stays promiscuous after the last VNIC (the killed vswitchd's doing)"
[ "$(rxvlan)" = "$rxvlan0" ] ||
    fail "rx-vlan offload of $NIC: '$(rxvlan)', was '$rxvlan0'"
echo "ok   $NIC given back as it was: not promiscuous, rx-vlan offload '${rxvlan0:-unknown}'"

note "another program on $NIC stays"
if [ -z "${XDP_PASS_OBJ:-}" ] || [ ! -f "$XDP_PASS_OBJ" ] ||
   [ -z "${XDP_FAKE_OBJ:-}" ] || [ ! -f "$XDP_FAKE_OBJ" ]; then
    echo "SKIPPED: no XDP objects (built without clang)"
else
    for obj in "$XDP_PASS_OBJ" "$XDP_FAKE_OBJ"; do
        ip -n "$NSH" link set dev "$NIC" xdp obj "$obj" sec xdp ||
            fail "cannot attach $obj"
        other=$(prog_id)
        name=$(ip -n "$NSH" link show "$NIC" | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p')
        dl create-vnic -t -l "$NIC" vnic2 || fail "create-vnic over $name"
        [ "$(phys)" = "af_packet:another XDP program is attached to the interface (id $other)" ] ||
            fail "with $name (id $other) on $NIC: ATTACH:REASON $(phys)"
        [ "$(prog_id)" = "$other" ] || fail "$name (id $other) was taken off"
        dl delete-vnic -t vnic2 || fail "delete-vnic vnic2"
        [ "$(prog_id)" = "$other" ] || fail "$name (id $other) did not stay"
        echo "ok   $name (id $other, $(basename "$obj")) left alone: af_packet"
        ip -n "$NSH" link set dev "$NIC" xdp off
    done
fi
echo PASS
