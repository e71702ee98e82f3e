#!/bin/bash
# SPDX-License-Identifier: MIT
# vswitchd's DPDK telemetry commands under /xvnet/, read with the stock
# client (dpdk-telemetry.py): the links, the VNICs, and a VNIC's
# properties and counters, drops by reason included (spoofed frames from
# a guest's vif with mac-nospoof on).
. "$(dirname "$0")/lib.sh"
require dpdk-telemetry.py python3

outside_up
cat >"$TMP/conf" <<CONF
link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW
CONF
vswd_start "$TMP/conf"
MAC=02:08:20:0a:00:07
ctl vnic-create -t "t${ID}0" phys0 vid=10 mac=$MAC priority=low \
    protection=mac-nospoof || fail "create VNIC"
ctl vnic-create -t "t${ID}1" phys0 || fail "create VNIC"
vif_guest g1 "t${ID}0" 5 send 20 100 02:de:ad:be:ef:01 ff:ff:ff:ff:ff:ff
wait "$GPID" || { cat "$TMP/g1.log"; fail "sender"; }
vif_guest g2 "t${ID}0" 6 send 7 100 "$MAC" ff:ff:ff:ff:ff:ff
wait "$GPID" || { cat "$TMP/g2.log"; fail "sender"; }

# q CMD PYTHON-EXPR: evaluate EXPR on the answer's value (v).
q() {
    echo "$1" | dpdk-telemetry.py -f "vswit${ID}" 2>/dev/null | tail -n 1 |
        python3 -c "import json,sys
d = json.load(sys.stdin)
v = d['$1'.split(',')[0]]
print($2)"
}
[ "$(q /xvnet/links "v['count'], v['links']")" = "1 ['phys0']" ] ||
    fail "/xvnet/links: $(q /xvnet/links v)"
[ "$(q /xvnet/vnics "v['count'], sorted(v['vnics'])")" = \
  "2 ['t${ID}0', 't${ID}1']" ] || fail "/xvnet/vnics: $(q /xvnet/vnics v)"
v="/xvnet/vnic,t${ID}0"
echo "$v: $(q "$v" v)"
[ "$(q "$v" "v['link'], v['mac'], v['vid'], v['priority'], v['port']")" = \
  "phys0 2:8:20:a:0:7 10 low vif" ] || fail "$v properties"
[ "$(q "$v" "v['drop_spoof']")" = 20 ] || fail "$v drop_spoof"
[ "$(q "$v" "v['opackets']")" = 7 ] || fail "$v opackets"
[ "$(q "$v" "v['drop_policer'] + v['drop_nobuf']")" = 0 ] ||
    fail "$v other drops"
[ "$(q /xvnet/link,phys0 "v['class'], v['port'], v['opackets'] >= 7")" = \
  "phys ethdev True" ] || fail "/xvnet/link,phys0: $(q /xvnet/link,phys0 v)"
[ "$(q /xvnet/vnic,nosuch0 v)" = None ] || fail "unknown VNIC answered"
echo PASS
