#!/bin/bash
# SPDX-License-Identifier: MIT
# dladm changes are persistent unless -t: after kill -9 and a restart of
# vswitchd every persistent VNIC, etherstub, rename and property is back
# exactly (show-vnic, show-link and show-linkprop print the same), and
# every -t object and -t property change is gone; -P showed beforehand
# what would come back.  delete -t of a persistent VNIC or etherstub
# removes only the running object: gone from show, still in show -P, back
# with its properties after a restart; a delete without -t then removes
# the record for good.  The objects of the boot configuration (-c) are
# that file's: a change or delete of one without -t is refused (vswitchd
# would not keep it), with -t it lasts until the restart.
. "$(dirname "$0")/lib.sh"
dl_require
dl_start "vnic bv0 link=phys0 mac=2:8:20:0:0:50 vid=50 maxbw=20M attach=none"

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
dl show-link -P -o link,class,bridge,over | ours >"$TMP/link.P"
dl show-linkprop -P -c -o "$props" | ours >"$TMP/prop.P"
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
dl show-link -o link,class,bridge,over | ours >"$TMP/link.after"
dl show-linkprop -c -o "$props" | ours >"$TMP/prop.after"
diff -u "$TMP/vnic.P" "$TMP/vnic.after" || fail "VNICs differ after restart"
diff -u "$TMP/link.P" "$TMP/link.after" || fail "links differ after restart"
diff -u "$TMP/prop.P" "$TMP/prop.after" ||
    fail "properties differ after restart"
dl show-vnic tvnic0 >/dev/null 2>&1 && fail "temporary VNIC came back"
dl show-link tstub0 >/dev/null 2>&1 && fail "temporary etherstub came back"
[ "$(dl show-vnic -p -o link,vid,macaddress vnic2)" = 'vnic2:30:2\:8\:20\:0\:0\:2' ] ||
    fail "rename or modify-vnic not persisted"

note "delete -t: the running object only"
dl create-etherstub stub1 || fail "stub1"
dl create-vnic -l phys0 -m 2:8:20:0:0:4 -v 40 \
    -p maxbw=50M,priority=medium,mtu=1300 vnic4 || fail "vnic4"
dl set-linkprop -p protection=mac-nospoof,restricted vnic4 || fail "prop4"
dl show-vnic -P >"$TMP/vnic.P2"
dl show-link -P -o link,class,bridge,over | ours >"$TMP/link.P2"
dl show-linkprop -c -o "$props" vnic4 >"$TMP/prop4"
dl show-vnic vnic4 -p -o link,over,vid,macaddress >"$TMP/vnic4"
dl delete-vnic -t vnic4 || fail "delete-vnic -t"
dl delete-etherstub -t stub1 || fail "delete-etherstub -t"
dl show-vnic vnic4 >/dev/null 2>&1 && fail "vnic4 still running"
dl show-vnic | grep -q vnic4 && fail "show-vnic lists vnic4"
dl show-etherstub stub1 >/dev/null 2>&1 && fail "stub1 still running"
dl show-etherstub | grep -q stub1 && fail "show-etherstub lists stub1"
dl show-link | grep -q -e stub1 -e vnic4 && fail "show-link lists them"
dl show-vnic -P
dl show-etherstub -P
diff -u "$TMP/vnic.P2" <(dl show-vnic -P) || fail "-P lost vnic4"
diff -u "$TMP/link.P2" <(dl show-link -P -o link,class,bridge,over | ours) || fail "-P lost stub1"
[ "$(dl show-vnic -P -p -o link,vid vnic4)" = vnic4:40 ] ||
    fail "show-vnic -P vnic4"
[ "$(dl show-etherstub -P stub1)" = "$(printf 'LINK\nstub1')" ] ||
    fail "show-etherstub -P stub1"
dl show-linkprop -P -c -o "$props" vnic4 | grep -q "^vnic4:maxbw:50$" ||
    fail "show-linkprop -P vnic4"
grep -q "^vnic vnic4 " "$STATE/datalink.conf" || fail "vnic4 not in state"
grep -q "^link stub1 " "$STATE/datalink.conf" || fail "stub1 not in state"

note "kill -9 and restart: vnic4 and stub1 are back"
vswd_kill9
vswd_start "$TMP/boot.conf"
dl show-vnic
diff -u "$TMP/vnic.P2" <(dl show-vnic) || fail "VNICs differ after restart"
diff -u "$TMP/link.P2" <(dl show-link -o link,class,bridge,over | ours) ||
    fail "links differ after restart"
diff -u "$TMP/vnic4" <(dl show-vnic vnic4 -p -o link,over,vid,macaddress) ||
    fail "vnic4 differs after restart"
diff -u "$TMP/prop4" <(dl show-linkprop -c -o "$props" vnic4) ||
    fail "vnic4's properties differ after restart"
dl show-etherstub stub1 >/dev/null || fail "stub1 not back"

note "delete is persistent too, also of an inactive record"
dl delete-vnic vnic2 || fail "delete"
dl delete-vnic -t vnic4 || fail "delete-vnic -t again"
dl delete-vnic vnic4 || fail "delete of the inactive vnic4"
dl delete-etherstub -t stub1 || fail "delete-etherstub -t again"
dl delete-etherstub stub1 || fail "delete of the inactive stub1"
dl show-vnic -P | grep -q vnic4 && fail "-P still lists vnic4"
dl show-link -P | grep -q stub1 && fail "-P still lists stub1"
dl create-vnic -t -l phys0 -m 2:8:20:0:0:4 vnic4 || fail "vnic4 name not free"
vswd_kill9
vswd_start "$TMP/boot.conf"
dl show-vnic vnic2 >/dev/null 2>&1 && fail "deleted VNIC came back"
dl show-vnic vnic4 >/dev/null 2>&1 && fail "deleted vnic4 came back"
dl show-link stub1 >/dev/null 2>&1 && fail "deleted stub1 came back"
dl show-etherstub stub0 >/dev/null || fail "stub0 lost"

note "the boot configuration's objects: changes only with -t"
BOOT="link is in vswitchd's boot configuration (-c): change it in that file, or use -t"
CPU=$(dl show-linkprop -c -o possible -p cpus phys0)
CPU=${CPU%%[-,]*}
boot_props() {
    dl show-linkprop -c -o link,property,value -p maxbw,priority,cpus bv0
    dl show-linkprop -c -o link,property,value -p cpus phys0
    dl show-vnic -p -o link,vid bv0
}
boot_before=$(boot_props)
dl_refused "dladm: warning: cannot set link property 'maxbw' on 'bv0': $BOOT" \
    set-linkprop -p maxbw=10M bv0
dl_refused "dladm: warning: cannot set link property 'cpus' on 'phys0': $BOOT" \
    set-linkprop -p "cpus=$CPU" phys0
dl_refused "dladm: warning: cannot reset link properties 'maxbw,priority,protection,allowed-ips,mtu,cpus' on 'bv0': $BOOT" \
    reset-linkprop bv0
dl_refused "dladm: warning: cannot reset link property 'cpus' on 'phys0': $BOOT" \
    reset-linkprop phys0
dl_refused "dladm: vnic modification failed: $BOOT" modify-vnic -v 51 bv0
dl_refused "dladm: vnic deletion failed: $BOOT" delete-vnic bv0
[ "$(boot_props)" = "$boot_before" ] || fail "a refused change changed bv0"
dl set-linkprop -t -p maxbw=10M,priority=low bv0 || fail "set -t bv0"
dl set-linkprop -t -p "cpus=$CPU" phys0 || fail "set -t cpus phys0"
dl modify-vnic -t -v 51 bv0 || fail "modify-vnic -t bv0"
[ "$(dl show-linkprop -c -o value -p maxbw bv0)" = 10 ] || fail "-t maxbw"
dl reset-linkprop -t -p priority bv0 || fail "reset-linkprop -t bv0"
dl delete-vnic -t bv0 || fail "delete-vnic -t bv0"
dl show-vnic bv0 >/dev/null 2>&1 && fail "bv0 still there after delete-vnic -t"
vswd_kill9
vswd_start "$TMP/boot.conf"
[ "$(boot_props)" = "$boot_before" ] ||
    fail "bv0 and phys0 are not the boot configuration's after a restart"
echo PASS
