#!/bin/bash
# SPDX-License-Identifier: MIT
# A host NIC's link is shared with the host through XDP and AF_XDP by
# default.  The "NIC" is the host end of the test's veth; it keeps its
# address and pings the other end (in the test's outside namespace) with
# no loss while dladm VNICs over it (host TAPs moved into guest
# namespaces) carry traffic to that same peer:
#   - ip link shows our XDP program on the NIC while VNICs exist, none
#     after the last is deleted; show-phys says ATTACH xdp, then --;
#   - tcpdump in the peer's namespace sees the host's and the VNICs'
#     pings; broadcast reaches the host and both VNICs;
#   - the switch's map follows the VNICs: frames to a VNIC's (MAC, VID)
#     do not reach the host, and reach it again once the VNIC's MAC or
#     VLAN changed (modify-vnic) or the VNIC is gone;
#   - with another XDP program on the NIC the link falls back to
#     af_packet, leaves that program alone, says why in show-phys (ATTACH
#     af_packet, REASON) and logs it once, and still carries traffic;
#   - nicmode=dedicated is refused here (a veth is no PCI device; no
#     hugepages), saying what lacks, with nothing changed; a bad value,
#     and nicmode on an etherstub or a VNIC, are refused too.
. "$(dirname "$0")/lib.sh"
dl_require tcpdump iperf3 ethtool
[ -x "${XDP_SHARE_PROBE:-}" ] || skip "XDP_SHARE_PROBE not set (run through meson test)"

NIC=$VETH_SW
NET="10.$((100 + ID % 100)).$((ID / 100 % 250))"
G1="vsw${ID}g1" G2="vsw${ID}g2"
VA="a${ID}0" VB="b${ID}0"
MAC_A=2:8:20:0:a:1 MAC_B=2:8:20:0:b:2
MAC_T=2:8:20:0:c:3 MAC_T2=2:8:20:0:c:4
N=20

has_xdp() { ip link show "$NIC" | grep -q "prog/xdp"; }
attach_is() { [ "$(dl show-phys -p -o attach "$NIC")" = "$1" ]; }
send() { ip netns exec "$NS_OUT" "$XDP_SHARE_PROBE" send "$VETH_OUT" "$@" >/dev/null ||
             fail "send $*"; }
# host_gets DST VID: N frames sent from the peer to (DST, VID) reach the
# host's stack on the NIC (0: none does).
host_gets() {
    local want="$3" out="$TMP/count.$RANDOM" pid
    "$XDP_SHARE_PROBE" count "$NIC" >"$out" 2>&1 &
    pid=$!
    wait_until 5 grep -q listening "$out" || fail "the counter did not start"
    send "$1" "$2" $N
    sleep 0.5
    kill "$pid"
    wait "$pid" 2>/dev/null
    local mac
    mac=$(printf '%02x:%02x:%02x:%02x:%02x:%02x' $(echo "$1" | tr ':' ' ' |
        sed 's/\([0-9a-f]*\)/0x\1/g'))
    if [ "$want" = 0 ]; then
        ! grep -q "^got $mac $2 " "$out" ||
            fail "the host got frames to $1 VID $2: $(grep got "$out" | tr '\n' ';')"
    else
        grep -qx "got $mac $2 $want" "$out" ||
            fail "the host should get $want frames to $1 VID $2: $(grep got "$out" | tr '\n' ';')"
    fi
}
# pcap_count FILE FILTER: frames of FILE matching FILTER.
pcap_count() { tcpdump -nr "$1" "$2" 2>/dev/null | wc -l; }

outside_up
ip addr add "$NET.1/24" dev "$NIC" || fail "address on $NIC"
ip -n "$NS_OUT" addr add "$NET.2/24" dev "$VETH_OUT"
vswd_start ""
wait_until 2 sh -c "'$DLADM' show-phys -p -o link '$NIC' >/dev/null 2>&1" ||
    fail "show-phys does not list $NIC"
attach_is -- || fail "attached before any VNIC: $(dl show-phys -p -o attach "$NIC")"
has_xdp && fail "an XDP program before any VNIC"
ping -c 2 -i 0.2 -W 2 -q "$NET.2" >/dev/null || fail "host to $NET.2"

note "the peer captures; the host pings it throughout"
ip netns exec "$NS_OUT" tcpdump -n -U -i "$VETH_OUT" -w "$TMP/peer.pcap" \
    icmp 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
wait_until 5 grep -q "listening" "$TMP/tcpdump.err" ||
    fail "tcpdump did not start: $(cat "$TMP/tcpdump.err")"
ping -i 0.1 -c 150 -W 1 -q "$NET.2" >"$TMP/hostping.txt" 2>&1 &
HOSTPING=$!

note "VNICs over the NIC: dladm's, and two host TAPs in guest namespaces"
dl create-vnic -t -l "$NIC" -m "$MAC_T" -v 10 vnic1 || fail "create-vnic"
wait_until 2 has_xdp || fail "no XDP program on $NIC with a VNIC"
ip link show "$NIC" | grep -q "name xsh_prog" || fail "the program is not ours"
attach_is xdp || fail "ATTACH: $(dl show-phys -p -o attach,reason "$NIC")"
[ "$(dl show-phys -p -o reason "$NIC")" = "--" ] ||
    fail "REASON: $(dl show-phys -p -o reason "$NIC")"
grep -q "link $NIC: NIC $NIC shared with the host through XDP" \
    "$TMP/vswitchd.log" || fail "the XDP attachment is not logged"
dl show-phys "$NIC"
# XDP sharing takes an MTU of 1500: dladm refuses more, the host is warned.
out=$(dl set-linkprop -p mtu=9000 "$NIC" 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "dladm: warning: cannot set link property 'mtu' on '$NIC': the link is shared through XDP, which takes an mtu of at most 1500 (set it with no VNIC over the link)" ] ||
    fail "mtu=9000 over XDP: status $rc: $out"
[ "$(cat "/sys/class/net/$NIC/mtu")" = 1500 ] || fail "the refused mtu was set"
ip link set dev "$NIC" mtu 1600
wait_until 2 grep -q "NIC $NIC: mtu 1600 is above the 1500 XDP sharing takes" \
    "$TMP/vswitchd.log" || fail "no warning when the host raises the mtu"
ip link set dev "$NIC" mtu 1500
ctl vnic-create "$VA" "$NIC" attach=tap mac="$MAC_A" || fail "$VA"
ctl vnic-create "$VB" "$NIC" attach=tap mac="$MAC_B" || fail "$VB"
guest_up "$G1" "$VA" "$NET.3/24"
guest_up "$G2" "$VB" "$NET.4/24"

note "VNICs and the host reach the same peer"
for g in "$G1" "$G2"; do
    ip netns exec "$g" ping -i 0.05 -c 40 -W 1 -q "$NET.2" \
        >"$TMP/ping.$g" 2>&1 || { cat "$TMP/ping.$g"; fail "$g to $NET.2"; }
    grep -q " 0% packet loss" "$TMP/ping.$g" || fail "$g lost pings"
done
ping_ok "$NS_OUT" "$NET.3"
ping_ok "$NS_OUT" "$NET.4"

note "TCP both ways between a host VNIC and the peer (large segments out), three connections out"
# A real wire carries whole checksums; a veth's peer leaves them to an
# offload AF_XDP does not carry: the outside end computes its own.
ip netns exec "$NS_OUT" ethtool -K "$VETH_OUT" tx off >/dev/null ||
    fail "ethtool -K $VETH_OUT tx off"
ip netns exec "$NS_OUT" iperf3 -s -D -B "$NET.2" -I "$TMP/iperf.pid" \
    >/dev/null 2>&1 || fail "iperf3 server"
wait_until 3 test -s "$TMP/iperf.pid" || fail "iperf3 server"
# Several connections out, so that the switch's frames come from all over
# its packet pool (net_af_xdp sends them from where they lie).
for dir in "" "" "" -R; do
    timeout 20 ip netns exec "$G1" iperf3 -c "$NET.2" -n 32M $dir \
        >"$TMP/tcp.out" 2>&1 && grep -q "receiver" "$TMP/tcp.out" &&
        echo "TCP ${dir:-out}: $(grep receiver "$TMP/tcp.out" | awk '{ print $7, $8 }')" ||
        fail "TCP ${dir:-out} between $VA and the peer: $(tail -2 "$TMP/tcp.out")"
done
kill "$(cat "$TMP/iperf.pid")" 2>/dev/null

note "broadcast reaches the host and both VNICs"
ip netns exec "$NS_OUT" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
for w in "$G1:$VA" "$G2:$VB"; do
    ip netns exec "${w%%:*}" tcpdump -n -U -i "${w#*:}" -w "$TMP/b.${w%%:*}.pcap" \
        "ether broadcast and icmp" 2>"$TMP/b.${w%%:*}.err" &
    eval "BC_${w%%:*}=\$!"
done
tcpdump -n -U -i "$NIC" -w "$TMP/b.host.pcap" "ether broadcast and icmp" \
    2>"$TMP/b.host.err" &
BC_HOST=$!
for f in "$TMP/b.$G1.err" "$TMP/b.$G2.err" "$TMP/b.host.err"; do
    wait_until 5 grep -q listening "$f" || fail "tcpdump: $(cat "$f")"
done
ip netns exec "$NS_OUT" ping -b -c 5 -i 0.2 -W 1 "$NET.255" >/dev/null 2>&1
# Each capture writes every frame as it reads it (-U): give a busy
# machine up to 5 s to get them all read before stopping the captures.
for i in $(seq 50); do
    all=1
    for w in "$G1" "$G2" host; do
        [ "$(pcap_count "$TMP/b.$w.pcap" icmp)" -ge 5 ] || all=
    done
    [ -n "$all" ] && break
    sleep 0.1
done
for p in "$(eval echo \$BC_$G1)" "$(eval echo \$BC_$G2)" "$BC_HOST"; do
    kill "$p"
    wait "$p" 2>/dev/null
done
for w in "$G1" "$G2" host; do
    n=$(pcap_count "$TMP/b.$w.pcap" "icmp")
    echo "broadcast pings seen by $w: $n"
    [ "$n" -ge 5 ] || fail "$w saw $n of 5 broadcast pings"
done

note "the switch's map follows the VNICs"
host_gets "$MAC_T" 10 0
host_gets "$MAC_A" 0 0
dl modify-vnic -t -v 20 vnic1 || fail "modify-vnic -v"
host_gets "$MAC_T" 10 $N
host_gets "$MAC_T" 20 0
dl modify-vnic -t -m "$MAC_T2" vnic1 || fail "modify-vnic -m"
host_gets "$MAC_T" 20 $N
host_gets "$MAC_T2" 20 0
dl delete-vnic -t vnic1 || fail "delete-vnic"
host_gets "$MAC_T2" 20 $N
has_xdp || fail "the program went while VNICs remain"

wait "$HOSTPING"
tail -2 "$TMP/hostping.txt"
grep -q " 0% packet loss" "$TMP/hostping.txt" ||
    fail "the host's own ping over $NIC lost packets"
kill "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
host=$(pcap_count "$TMP/peer.pcap" "icmp[icmptype] = icmp-echo and src host $NET.1")
g1=$(pcap_count "$TMP/peer.pcap" "icmp[icmptype] = icmp-echo and src host $NET.3")
g2=$(pcap_count "$TMP/peer.pcap" "icmp[icmptype] = icmp-echo and src host $NET.4")
echo "the peer saw echo requests: host $host, $VA's guest $g1, $VB's guest $g2"
[ "$host" -ge 100 ] && [ "$g1" -ge 40 ] && [ "$g2" -ge 40 ] ||
    fail "the peer's capture lacks host or VNIC traffic"

note "the last VNIC gone, the program goes"
ctl vnic-delete "$VA" && ctl vnic-delete "$VB" || fail "vnic-delete"
wait_until 2 sh -c "! ip link show '$NIC' | grep -q prog/xdp" ||
    fail "an XDP program is left on $NIC"
attach_is -- || fail "ATTACH after release: $(dl show-phys -p -o attach "$NIC")"
ip -d link show "$NIC" | grep -q "promiscuity 0" || fail "$NIC left promiscuous"
ping -c 2 -i 0.2 -W 2 -q "$NET.2" >/dev/null || fail "host to $NET.2 after"

note "another XDP program on the NIC: af_packet, and why"
if [ -z "${XDP_PASS_OBJ:-}" ] || [ ! -f "$XDP_PASS_OBJ" ]; then
    echo "SKIPPED: no XDP object (built without clang)"
else
    ip link set dev "$NIC" xdp obj "$XDP_PASS_OBJ" sec xdp ||
        fail "cannot attach the other program"
    other=$(ip link show "$NIC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
    [ -n "$other" ] || fail "no id for the other program"
    for round in 1 2; do
        dl create-vnic -t -l "$NIC" -m "$MAC_T" vnic1 || fail "create-vnic ($round)"
        attach_is af_packet ||
            fail "ATTACH: $(dl show-phys -p -o attach,reason "$NIC")"
        reason=$(dl show-phys -p -o reason "$NIC")
        [ "$reason" = "another XDP program is attached to the interface (id $other)" ] ||
            fail "REASON: '$reason'"
        [ "$(ip link show "$NIC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')" = "$other" ] ||
            fail "the other program was replaced"
        [ "$round" = 2 ] && break
        ctl vnic-create "$VA" "$NIC" attach=tap mac="$MAC_A" || fail "$VA"
        guest_up "$G1" "$VA" "$NET.3/24"
        ping_ok "$G1" "$NET.2"
        ping_ok "$NS_OUT" "$NET.3"
        ctl vnic-delete "$VA" || fail "vnic-delete"
        dl delete-vnic vnic1 || fail "delete-vnic"
        attach_is -- || fail "not released"
    done
    dl show-phys -o link,attach,reason "$NIC"
    n=$(grep -c "link $NIC: NIC $NIC cannot be shared through XDP (another XDP program" \
        "$TMP/vswitchd.log")
    [ "$n" = 1 ] || fail "the fallback is logged $n times, not once"
    dl delete-vnic vnic1 || fail "delete-vnic"
    [ "$(ip link show "$NIC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')" = "$other" ] ||
        fail "the other program did not stay"
    ip link set dev "$NIC" xdp off
fi
note "nicmode=dedicated is refused here, and only a NIC's link has it"
[ "$(dl show-linkprop -c -o value,default,possible -p nicmode "$NIC")" = \
    "shared:shared:shared,dedicated" ] ||
    fail "show-linkprop nicmode: $(dl show-linkprop -c -o value,default,possible -p nicmode "$NIC")"
before=$(cat "$STATE/datalink.conf" 2>/dev/null)
out=$(dl set-linkprop -p nicmode=dedicated "$NIC" 2>&1)
rc=$?
echo "$out"
[ $rc = 1 ] || fail "dedicated accepted (rc $rc)"
echo "$out" | grep -q "^dladm: warning: cannot set link property 'nicmode' on '$NIC': $NIC is not a PCI device" ||
    fail "the refusal does not say the NIC is not a PCI device: $out"
if [ "$(cat /sys/kernel/mm/hugepages/*/nr_hugepages 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')" = 0 ]; then
    echo "$out" | grep -q "no hugepages are reserved" ||
        fail "the refusal does not name the missing hugepages: $out"
fi
[ "$(dl show-linkprop -c -o value -p nicmode "$NIC")" = shared ] ||
    fail "nicmode changed"
[ "$(cat "$STATE/datalink.conf" 2>/dev/null)" = "$before" ] ||
    fail "the state file changed"
out=$(dl set-linkprop -p nicmode=fast "$NIC" 2>&1)
[ $? = 1 ] && [ "$out" = "dladm: warning: link property 'nicmode' must be one of: shared,dedicated" ] ||
    fail "a bad value: '$out'"
dl set-linkprop -p nicmode=shared "$NIC" || fail "nicmode=shared refused"
dl reset-linkprop -p nicmode "$NIC" || fail "reset-linkprop -p nicmode"
dl create-etherstub -t stub0 || fail "create-etherstub"
dl create-vnic -t -l stub0 vnic3 || fail "create-vnic over stub0"
for l in stub0 vnic3; do
    out=$(dl set-linkprop -p nicmode=dedicated "$l" 2>&1)
    [ $? = 1 ] && [ "$out" = "dladm: warning: cannot set link property 'nicmode' on '$l': not a host NIC's own link" ] ||
        fail "nicmode on $l: '$out'"
    [ "$(dl show-linkprop -c -o perm,value -p nicmode "$l")" = "r-:" ] ||
        fail "show-linkprop nicmode $l: $(dl show-linkprop -c -o perm,value -p nicmode "$l")"
done
dl delete-vnic vnic3 && dl delete-etherstub stub0 || fail "cleanup"
echo PASS
