#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vswitchd's DPDK telemetry commands under /xvnet/, read with the stock
# client (dpdk-telemetry.py): the links, the VNICs, and a guest VNIC's
# properties and counters, drops by reason included (frames from a guest
# that changed its MAC while its VNIC has mac-nospoof).
. "$(dirname "$0")/../../lib/guests.sh" dpdk-telemetry.py python3

switch_up
MAC=02:08:20:37:00:01
g=$(create_guest tg "link=phys0,vlan=10,mac=$MAC,priority=low") || exit 1
wait_connected "$g" || exit 1
V="xvm${g}_0"
"$DLADM" set-linkprop -t -p protection=mac-nospoof "$V" || fail "protection"
guest_ip tg 10.0.10.1/24
# Honest frames (ARP requests toward nobody), then spoofed ones.
xvm exec tg ping -c 3 -i 0.2 -W 1 10.0.10.254 >/dev/null 2>&1
out=$(ctl stat "$V" opackets)
xvm exec tg ip link set eth0 address 02:de:ad:be:ef:01
xvm exec tg ip neigh flush dev eth0
xvm exec tg ping -c 3 -i 0.2 -W 1 10.0.10.254 >/dev/null 2>&1
# The kernel would go on probing for the neighbour: stop it, so that the
# counters hold still while they are compared.
xvm exec tg ip neigh flush dev eth0
sleep 0.3

expect "/xvnet/links" "2 ['phys0', 'stub0']" \
    "$(tel /xvnet/links "v['count'], sorted(v['links'])")"
expect "/xvnet/vnics" "1 ['$V']" "$(tel /xvnet/vnics "v['count'], v['vnics']")"
expect "/xvnet/vnic,$V properties" "phys0 2:8:20:37:0:1 10 low vif" \
    "$(tel "/xvnet/vnic,$V" "v['link'], v['mac'], v['vid'], v['priority'], v['port']")"
expect "/xvnet/vnic,$V opackets: the honest frames" "$out" \
    "$(tel "/xvnet/vnic,$V" "v['opackets']")"
spoof=$(ctl stat "$V" spoof)
[ "${spoof:-0}" -ge 1 ] && ok "the spoofed frames were dropped: $spoof" ||
    fail "no spoof drops counted"
expect "/xvnet/vnic,$V drop_spoof agrees with the VNIC's counters" "$spoof" \
    "$(tel "/xvnet/vnic,$V" "v['drop_spoof']")"
expect "/xvnet/vnic,$V no other drops" 0 \
    "$(tel "/xvnet/vnic,$V" "v['drop_policer'] + v['drop_nobuf']")"
expect "/xvnet/link,phys0" "phys ethdev True" \
    "$(tel /xvnet/link,phys0 "v['class'], v['port'], v['opackets'] >= $out")"
expect "an unknown VNIC gets no answer" None "$(tel /xvnet/vnic,nosuch0 v)"
finish
