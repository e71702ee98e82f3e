#!/bin/bash
# SPDX-License-Identifier: MIT
# dladm changes are persistent unless -t: after kill -9 and a restart of
# vswitchd every persistent VNIC, etherstub, rename and property is back
# exactly (show-vnic, show-link and show-linkprop print the same), and
# every -t object and -t property change is gone; -P showed beforehand
# what would come back.
. "$(dirname "$0")/lib.sh"
dl_require
dl_start

dl create-etherstub stub0 || fail "stub0"
dl create-etherstub -t tstub0 || fail "tstub0"
dl create-vnic -l phys0 -m 2:8:20:0:0:1 -v 10 -p maxbw=100M vnic1 || fail 1
dl create-vnic -l stub0 -m 2:8:20:0:0:2 old2 || fail 2
dl create-vnic -t -l phys0 -m 2:8:20:0:0:3 tvnic0 || fail 3
dl create-vnic -t -l tstub0 tvnic1 || fail 4
dl set-linkprop -p priority=low,protection=mac-nospoof vnic1 || fail 5
dl set-linkprop -p allowed-ips=192.168.1.0/24,fe80::1,mtu=1400 vnic1 ||
    fail 6
dl set-linkprop -t -p maxbw=2M vnic1 || fail 7
dl rename-link old2 vnic2 || fail 8
dl modify-vnic -v 30 vnic2 || fail 9

props='link,property,value'
dl show-vnic -P >"$TMP/vnic.P"
dl show-link -P >"$TMP/link.P"
dl show-linkprop -P -c -o "$props" >"$TMP/prop.P"
cat "$TMP/vnic.P" "$TMP/prop.P"
grep -q tvnic "$TMP/vnic.P" && fail "-P shows a temporary VNIC"
grep -q tstub "$TMP/link.P" && fail "-P shows a temporary etherstub"
grep -q "^vnic1:maxbw:100$" "$TMP/prop.P" ||
    fail "-P shows the temporary maxbw"
[ "$(dl show-linkprop -c -o value -p maxbw vnic1)" = 2 ] ||
    fail "running maxbw is not the temporary 2M"

note "kill -9 and restart"
vswd_kill9
vswd_start "$TMP/boot.conf"
dl show-vnic
dl show-vnic >"$TMP/vnic.after"
dl show-link >"$TMP/link.after"
dl show-linkprop -c -o "$props" >"$TMP/prop.after"
diff -u "$TMP/vnic.P" "$TMP/vnic.after" || fail "VNICs differ after restart"
diff -u "$TMP/link.P" "$TMP/link.after" || fail "links differ after restart"
diff -u "$TMP/prop.P" "$TMP/prop.after" ||
    fail "properties differ after restart"
dl show-vnic tvnic0 >/dev/null 2>&1 && fail "temporary VNIC came back"
dl show-link tstub0 >/dev/null 2>&1 && fail "temporary etherstub came back"
[ "$(dl show-vnic -p -o link,vid,macaddress vnic2)" = 'vnic2:30:2\:8\:20\:0\:0\:2' ] ||
    fail "rename or modify-vnic not persisted"

note "delete is persistent too"
dl delete-vnic vnic2 || fail "delete"
vswd_kill9
vswd_start "$TMP/boot.conf"
dl show-vnic vnic2 >/dev/null 2>&1 && fail "deleted VNIC came back"
dl show-etherstub stub0 >/dev/null || fail "stub0 lost"
echo PASS
