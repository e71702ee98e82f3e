#!/bin/bash
# An etherstub capture sees every VNIC on it: -D in each frame once as a
# VNIC sends it into the stub, -D out as the stub delivers it, both = 2x.
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump

EXTRA_CONF="link stub${ID} class=etherstub
vnic s${ID}0 link=stub${ID} attach=tap
vnic s${ID}1 link=stub${ID} attach=tap"
rig_up
S0="s${ID}0"; S1="s${ID}1"; GS0="vsw${ID}s0"; GS1="vsw${ID}s1"
guest_up "$GS0" "$S0" 10.1.0.1/24
guest_up "$GS1" "$S1" 10.1.0.2/24
ping_ok "$GS0" 10.1.0.2
snoop_start in -d "stub${ID}" -D in -o "$TMP/in.pcap" icmp
snoop_start out -d "stub${ID}" -D out -o "$TMP/out.pcap" icmp
snoop_start both -d "stub${ID}" -o "$TMP/both.pcap" icmp
snoop_start s1 -d "$S1" -o "$TMP/s1.pcap" icmp
ip netns exec "$GS0" ping -c 4 -i 0.1 -q 10.1.0.2 >/dev/null || fail ping
ip netns exec "$G1" ping -c 2 -i 0.1 -q 10.0.0.254 >/dev/null  # not on it
sleep 0.3
for n in in out both s1; do snoop_stop "$n"; done
for f in in:8 out:8 both:16 s1:8; do
    got=$(pcount "$TMP/${f%%:*}.pcap")
    echo "${f%%:*}: $got"
    [ "$got" = "${f#*:}" ] || fail "${f%%:*}: $got frames, expected ${f#*:}"
done
[ "$(pcount "$TMP/in.pcap" src 10.1.0.1)" = 4 ] &&
[ "$(pcount "$TMP/in.pcap" src 10.1.0.2)" = 4 ] || fail "both VNICs' frames"
[ "$(pcount "$TMP/both.pcap" host 10.0.0.1)" = 0 ] || fail "phys0 traffic"
echo PASS
