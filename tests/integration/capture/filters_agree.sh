#!/bin/bash
# Filters run in vswitchd agree with tcpdump reading the unfiltered file:
# five captures at once on phys0 (all, "vlan 10", "host 10.0.0.2",
# "udp port 5555", "icmp") over mixed traffic.  802.1Q tags are on the link
# capture and not on the VNIC capture of the VID 10 VNIC.
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump tshark python3

rig_up
ping_ok "$G1" 10.0.0.254
ping_ok "$G2" 10.0.0.254
snoop_start all -d phys0 -o "$TMP/all.pcap"
snoop_start vc -d "$VC" -o "$TMP/vc.pcap"
FILTERS=("vlan 10" "host 10.0.0.2" "udp port 5555" "icmp")
i=0
for f in "${FILTERS[@]}"; do
    snoop_start "f$i" -d phys0 -o "$TMP/f$i.pcap" $f
    i=$((i + 1))
done
# Mixed: echo from g1 and g2, UDP to two ports, and ARP requests tagged
# with VLAN 10 from g3 (nobody answers on VLAN 10 outside).
ip netns exec "$G1" ping -c 4 -i 0.1 -q 10.0.0.254 >/dev/null
ip netns exec "$G2" ping -c 3 -i 0.1 -q 10.0.0.254 >/dev/null
udp_send "$G1" 10.0.0.254 5555 25 >/dev/null
udp_send "$G2" 10.0.0.254 5555 15 >/dev/null
udp_send "$G2" 10.0.0.254 6666 10 >/dev/null
ip netns exec "$G3" ping -c 2 -i 0.5 -W 1 -q 10.0.10.254 >/dev/null
# No ARP retries after this: every capture must see the same traffic.
ip -n "$G3" neigh flush dev "$VC"
sleep 0.5
for n in all vc f0 f1 f2 f3; do kill -INT "${SNOOP_PID[$n]}"; done
for n in all vc f0 f1 f2 f3; do
    snoop_stop "$n"
    [ "$SNOOP_RC" = 0 ] || fail "snoop $n exited with $SNOOP_RC"
    reads_clean "$TMP/$n.pcap"
done
total=$(pcount "$TMP/all.pcap")
echo "unfiltered: $total frames"
i=0
for f in "${FILTERS[@]}"; do
    want=$(pcount "$TMP/all.pcap" $f)
    got=$(pcount "$TMP/f$i.pcap")
    echo "filter '$f': snoop $got, tcpdump on the unfiltered file $want"
    [ "$got" = "$want" ] || fail "filter '$f' disagrees"
    [ "$want" -gt 0 ] && [ "$want" -lt "$total" ] ||
        fail "filter '$f' does not discriminate ($want of $total)"
    i=$((i + 1))
done
[ "$(pcount "$TMP/all.pcap" udp port 5555)" = 40 ] || fail "UDP count"

note "tags: on the link, not on the VNIC"
tagged=$(tcpdump -e -n -r "$TMP/all.pcap" vlan 10 2>/dev/null | grep -c 'ARP.*10.0.10.254')
[ "$tagged" -ge 2 ] || fail "no tagged ARP from the VID 10 VNIC on the link"
[ "$(pcount "$TMP/vc.pcap")" -ge 2 ] || fail "nothing on the VNIC capture"
[ "$(pcount "$TMP/vc.pcap" vlan)" = 0 ] || fail "tagged frames on a VNIC"
tshark -r "$TMP/vc.pcap" -Y vlan 2>/dev/null | grep -q . &&
    fail "tshark sees a tag on the VNIC capture"
echo PASS
