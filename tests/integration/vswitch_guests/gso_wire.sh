#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A process domain on "link=phys0,vlan=10" (TSO on its eth0) runs iperf3
# TCP to a host on VLAN 10 in the outside world.  The guest hands the
# switch 64 KiB segments with blank checksums; toward the wire
# (net_af_packet, no offloads) the switch must cut them (DPDK GSO), fill in
# the checksums, then tag each segment.  Proves: throughput above
# 100 Mbit/s, segmentation counted (/xvnet/link telemetry), the segments
# tagged on the wire and no larger than the MTU.
. "$(dirname "$0")/../../lib/guests.sh" tc tcpdump iperf3 dpdk-telemetry.py ethtool python3

start_xvmd
outside_up
outside_vlan_host 10 10.0.10.254/24
# A veth hands af_packet its frames with checksums still partial (a NIC
# would not): the outside host computes its own.
ip netns exec "$NS_OUT" ethtool -K "$VETH_OUT" tx off >/dev/null ||
    fail "ethtool tx off"
start_vswd
links_up
g=$(create_guest gg "link=phys0,vlan=10,mac=02:08:20:35:10:01") || exit 1
wait_connected "$g" || exit 1
guest_ip gg 10.0.10.1/24
xvm exec gg ethtool -k eth0 | grep -q "tcp-segmentation-offload: on" &&
    ok "the guest's eth0 has TSO" ||
    fail "guest eth0 has no TSO: the test would not exercise GSO"
ping_ok gg 10.0.10.254 && ok "the guest pings the VLAN 10 host" ||
    fail "gg -> 10.0.10.254"

segs0=$(tel /xvnet/link,phys0 "v['gso_segs']") || fail "telemetry /xvnet/link"

ip netns exec "$NS_OUT" iperf3 -s -1 -B 10.0.10.254 >"$T/iperf-s.txt" 2>&1 &
SRV=$!
wait_until 3 eval 'ip netns exec "$NS_OUT" ss -ltn | grep -q ":5201 "'
ip netns exec "$NS_OUT" tcpdump -e -n -l -c 200 -i "$VETH_OUT" tcp \
    >"$T/wire.txt" 2>/dev/null &
TD=$!
sleep 0.5
xvm exec gg timeout 15 iperf3 -c 10.0.10.254 -t 4 -J >"$T/iperf.json" \
    2>"$T/iperf.err" || fail "iperf3: $(tail -3 "$T/iperf.err")"
wait "$SRV" 2>/dev/null
kill "$TD" 2>/dev/null; wait "$TD" 2>/dev/null
mbps=$(python3 -c "import json
d = json.load(open('$T/iperf.json'))
print(int(d['end']['sum_received']['bits_per_second'] / 1e6))" 2>/dev/null)
frames=$(tel /xvnet/link,phys0 "v['gso_frames']")
segs=$(tel /xvnet/link,phys0 "v['gso_segs']")
bad=$(tel /xvnet/link,phys0 "v['offload_bad']")
echo "guest -> wire TCP: ${mbps:-?} Mbit/s; GSO: $frames frames ->" \
     "$((segs - segs0)) segments; bad metadata: $bad"
[ "${mbps:-0}" -gt 100 ] && ok "throughput above 100 Mbit/s" ||
    fail "throughput ${mbps:-?} Mbit/s"
[ $((segs - segs0)) -gt 1000 ] && [ "$segs" -gt "$frames" ] &&
    ok "the switch segmented large frames" || fail "no GSO segmentation counted"
expect "no offload metadata refused" 0 "$bad"
grep -q "vlan 10, .*10.0.10.1\.[0-9]* > 10.0.10.254.5201" "$T/wire.txt" &&
    ok "tagged data segments on the wire" ||
    fail "no tagged data segments from the guest on the wire"
max=$(awk '{ for (i = 1; i < NF; i++) if ($i == "length") { n = $(i + 1) + 0;
       if (n > max) max = n; break } } END { print max + 0 }' "$T/wire.txt")
[ "$max" -le 1518 ] && ok "largest frame on the wire: $max bytes" ||
    fail "oversize frame on the wire: $max"
finish
