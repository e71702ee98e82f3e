#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest's netif vif (libxnf process domain, TSO on its eth0) on a VNIC
# with VID 10 runs iperf3 TCP to a host on VLAN 10 in the outside world.
# The guest hands the switch 64 KiB segments with blank checksums; toward
# the wire (net_af_packet, no offloads) the switch must cut them (DPDK GSO)
# and fill in the checksums, then tag each segment.  Proves: throughput
# above 100 Mbit/s, segmentation counted (/xvnet/link telemetry), the
# segments tagged on the wire and no larger than the MTU.
. "$(dirname "$0")/lib.sh"
require tc tcpdump iperf3 dpdk-telemetry.py ethtool

outside_up
outside_vlan_host 10 10.0.10.254/24
# A veth hands af_packet its frames with checksums still partial (a NIC
# would not): the outside host computes its own.
ip netns exec "$NS_OUT" ethtool -K "$VETH_OUT" tx off >/dev/null ||
    fail "ethtool tx off"
cat >"$TMP/conf" <<CONF
link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW
CONF
vswd_start "$TMP/conf"
MAC=02:08:20:0a:00:01
ctl vnic-create -t "g${ID}0" phys0 vid=10 mac=$MAC || fail "create VNIC"
G1="vsw${ID}g1"
ip netns add "$G1"
GUESTS="$GUESTS $G1"
vif_guest g1 "g${ID}0" 5 tap "$G1" eth0 "$MAC"
for i in $(seq 50); do
    ip -n "$G1" link show eth0 >/dev/null 2>&1 && break
    sleep 0.1
done
ip netns exec "$G1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$G1" link set lo up
ip -n "$G1" addr add 10.0.10.1/24 dev eth0 || fail "guest eth0"
ip netns exec "$G1" ethtool -k eth0 | grep -q "tcp-segmentation-offload: on" ||
    fail "guest eth0 has no TSO: the test would not exercise GSO"
ping_ok "$G1" 10.0.10.254

# telemetry CMD: the JSON answer of vswitchd's telemetry socket.
telemetry() {
    echo "$1" | dpdk-telemetry.py -f "vswit${ID}" 2>/dev/null | tail -n 1
}
# tel_u64 CMD KEY
tel_u64() {
    telemetry "$1" | python3 -c "import json,sys
d = json.load(sys.stdin)
print(list(d.values())[0]['$2'])"
}
segs0=$(tel_u64 /xvnet/link,phys0 gso_segs) || fail "telemetry /xvnet/link"

ip netns exec "$NS_OUT" iperf3 -s -1 -B 10.0.10.254 >"$TMP/iperf-s.txt" 2>&1 &
SRV=$!
sleep 0.5
ip netns exec "$NS_OUT" tcpdump -e -n -l -c 200 -i "$VETH_OUT" \
    "tcp" >"$TMP/wire.txt" 2>/dev/null &
TD=$!
sleep 0.5
ip netns exec "$G1" timeout 15 iperf3 -c 10.0.10.254 -t 4 -J \
    >"$TMP/iperf.json" 2>"$TMP/iperf.err" ||
    { cat "$TMP/iperf.err" "$TMP/vswitchd.log"; telemetry /xvnet/link,phys0
      telemetry "/xvnet/vnic,g${ID}0"; head "$TMP/wire.txt"; fail "iperf3 failed"; }
wait "$SRV" 2>/dev/null
kill "$TD" 2>/dev/null; wait "$TD" 2>/dev/null
mbps=$(python3 -c "import json
d = json.load(open('$TMP/iperf.json'))
print(int(d['end']['sum_received']['bits_per_second'] / 1e6))")
frames=$(tel_u64 /xvnet/link,phys0 gso_frames)
segs=$(tel_u64 /xvnet/link,phys0 gso_segs)
bad=$(tel_u64 /xvnet/link,phys0 offload_bad)
echo "guest -> wire TCP: ${mbps} Mbit/s; GSO: $frames frames -> " \
     "$((segs - segs0)) segments; bad metadata: $bad"
[ "$mbps" -gt 100 ] || fail "throughput ${mbps} Mbit/s <= 100"
[ $((segs - segs0)) -gt 1000 ] || fail "no GSO segmentation counted"
[ "$segs" -gt "$frames" ] || fail "segments not more than frames"
[ "$bad" = 0 ] || fail "offload metadata refused"
grep -q "vlan 10, .*10.0.10.1\.[0-9]* > 10.0.10.254.5201" "$TMP/wire.txt" ||
    fail "no tagged data segments from the guest on the wire"
# No frame on the wire above 1518 bytes (1500 MTU + header + tag).
awk '{ for (i = 1; i < NF; i++) if ($i == "length") { n = $(i + 1) + 0;
       if (n > max) max = n; break } } END { print max + 0 }' \
    "$TMP/wire.txt" >"$TMP/max"
echo "largest frame on the wire: $(cat "$TMP/max")"
[ "$(cat "$TMP/max")" -le 1518 ] || fail "oversize frame on the wire"
echo PASS
