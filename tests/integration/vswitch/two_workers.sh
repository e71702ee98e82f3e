#!/bin/bash
# SPDX-License-Identifier: MIT
# vswitchd -w 2 -l 0,1: two fast-path workers pinned to CPUs 0 and 1.
# The link's wire and the two VNICs are spread over them (telemetry says
# which owns what), so that frames between the VNICs, and between a VNIC
# and the outside world, are handed from one worker to the other: pings
# pass both ways, broadcasts (ARP) reach across, every worker has handed
# frames on and lost none, and most frames were classified from the
# workers' caches.  The cpus property moves a VNIC to the worker
# of that CPU under traffic, is kept across a restart, a CPU with no
# worker is refused, and with -l 1,0 it is still the worker on that CPU.  A VNIC deleted while the other floods it frames
# leaves the switch working; two idle workers sleep.
. "$(dirname "$0")/../../lib/switch.sh"
require dpdk-telemetry.py python3
[ -x "${DLADM:-}" ] || skip "DLADM not set (run through meson test)"
[ "$(nproc)" -ge 2 ] || skip "two workers need two CPUs"

outside_up
outside_vlan_host 10 10.0.10.254/24
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic b${ID}0 link=phys0 vid=10 attach=tap"
vswd_start "$TMP/conf" -w 2 -l 0,1
grep -q "2 fast-path worker(s) on CPUs 0,1, no guest vifs (no -x)$" "$TMP/vswitchd.log" ||
    fail "vswitchd does not say it runs two workers on CPUs 0 and 1"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "b${ID}0" 10.0.10.2/24

note "placement"
[ "$(tel /xvnet/worker,0 "v['workers']")" = 2 ] || fail "/xvnet/worker,0"
wa=$(tel "/xvnet/vnic,a${ID}0" "v['worker']")
wb=$(tel "/xvnet/vnic,b${ID}0" "v['worker']")
wl=$(tel /xvnet/link,phys0 "v['worker']")
echo "phys0 on worker $wl, a on $wa, b on $wb"
[ -n "$wa" ] && [ -n "$wb" ] && [ "$wa" != "$wb" ] ||
    fail "the two VNICs are not on different workers ($wa, $wb)"
[ "$(tel /xvnet/worker,2 v)" = None ] || fail "a third worker answers"

note "between the VNICs, across workers (ARP broadcasts too)"
ping_ok "vsw${ID}g1" 10.0.10.2
ping_ok "vsw${ID}g2" 10.0.10.1
[ "$(stat_of "b${ID}0" ipackets)" -ge 6 ] || fail "b ipackets"
[ "$(stat_of "a${ID}0" ipackets)" -ge 6 ] || fail "a ipackets"

note "to the outside world through the wire"
ping_ok "vsw${ID}g1" 10.0.10.254
ping_ok "vsw${ID}g2" 10.0.10.254
for w in 0 1; do
    read -r handed lost < <(tel "/xvnet/worker,$w" \
        "v['handed'], v['handoff_drops']")
    echo "worker $w: $handed frames handed on, $lost lost"
    [ "${handed:-0}" -gt 0 ] || fail "worker $w handed no frame on"
    [ "$lost" = 0 ] || fail "worker $w lost $lost frames"
done
[ "$(stat_of "a${ID}0" unknown-dest)" = 0 ] || fail "unexpected drops on a"
# The pings' frames were classified: most from a worker's cache.
hits=0 misses=0
for w in 0 1; do
    read -r h m < <(tel "/xvnet/worker,$w" "v['cache_hits'], v['cache_misses']")
    hits=$((hits + ${h:-0})) misses=$((misses + ${m:-0}))
done
echo "lookups: $hits from the workers' caches, $misses from the tables"
[ "$misses" -gt 0 ] && [ "$hits" -gt "$misses" ] ||
    fail "cache hits $hits, misses $misses"

note "cpus: a to the worker of b's CPU ($wb), under traffic"
ip netns exec "vsw${ID}g1" ping -i 0.05 -q 10.0.10.2 >/dev/null 2>&1 &
PING=$!
ctl vnic-modify -t "a${ID}0" "cpus=$wb" || fail "vnic-modify cpus=$wb"
[ "$(tel "/xvnet/vnic,a${ID}0" "v['worker']")" = "$wb" ] ||
    fail "a did not move to worker $wb"
ctl vnic-modify -t "a${ID}0" cpus=7 2>"$TMP/err" && fail "cpus=7 accepted"
grep -q "no fast-path worker is pinned to CPU 7" "$TMP/err" ||
    fail "cpus=7: $(cat "$TMP/err")"
kill "$PING"; wait "$PING" 2>/dev/null
ping_ok "vsw${ID}g1" 10.0.10.2
ping_ok "vsw${ID}g1" 10.0.10.254

note "cpus of the link: its wire to the worker of a's CPU ($wa) and back"
dla() { "$DLADM" "$@"; }
dla set-linkprop -t -p "cpus=$wa" phys0 || fail "set-linkprop cpus phys0"
[ "$(tel /xvnet/link,phys0 "v['worker']")" = "$wa" ] ||
    fail "phys0's wire is not on worker $wa"
[ "$(dla show-linkprop -c -o value -p cpus phys0)" = "$wa" ] ||
    fail "show-linkprop cpus phys0"
# POSSIBLE: the workers' CPUs as ranges ("0-1", or "0,2" apart)
lo=$((wa < wb ? wa : wb)) hi=$((wa < wb ? wb : wa))
want="$lo,$hi"
[ $((hi - lo)) = 1 ] && want="$lo-$hi"
[ "$(dla show-linkprop -c -o possible -p cpus phys0)" = "$want" ] ||
    fail "cpus POSSIBLE: '$(dla show-linkprop -c -o possible -p cpus phys0)', want '$want'"
ping_ok "vsw${ID}g1" 10.0.10.254
dla reset-linkprop -t -p cpus phys0 || fail "reset-linkprop cpus phys0"
[ -z "$(dla show-linkprop -c -o value -p cpus phys0)" ] ||
    fail "cpus of phys0 not reset"
ping_ok "vsw${ID}g2" 10.0.10.254

note "cpus kept in the state file and across a restart"
ctl vnic-create "c${ID}0" phys0 vid=10 attach=none "cpus=$wa" ||
    fail "vnic-create cpus=$wa"
[ "$(tel "/xvnet/vnic,c${ID}0" "v['worker']")" = "$wa" ] ||
    fail "c is not on worker $wa"
grep -q "^vnic c${ID}0 .* cpus=$wa" "$STATE/datalink.conf" ||
    fail "cpus not in the state file: $(cat "$STATE/datalink.conf")"
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null
vswd_start "$TMP/conf" -w 2 -l 0,1
[ "$(tel "/xvnet/vnic,c${ID}0" "v['worker']")" = "$wa" ] ||
    fail "c is not on worker $wa after a restart"
guest_up "vsw${ID}g1" "a${ID}0" 10.0.10.1/24
guest_up "vsw${ID}g2" "b${ID}0" 10.0.10.2/24

note "a VNIC deleted while frames for it cross between the workers"
ip netns exec "vsw${ID}g1" ping -f -w 3 -q 10.0.10.2 >/dev/null 2>&1 &
FLOOD=$!
sleep 1
ctl vnic-delete -t "b${ID}0" || fail "vnic-delete"
wait "$FLOOD"
kill -0 "$VSWD_PID" || fail "vswitchd died"
ping_ok "vsw${ID}g1" 10.0.10.254

note "-l 1,0: cpus names a CPU, not a place in -l's list"
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null
vswd_start "$TMP/conf" -w 2 -l 1,0
# worker 0 is the main thread (its tid the pid), worker 1 the other lcore
main_cpu=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$VSWD_PID/status")
for c in 0 1; do
    ctl vnic-modify -t "c${ID}0" "cpus=$c" || fail "vnic-modify cpus=$c"
    w=$(tel "/xvnet/vnic,c${ID}0" "v['worker']")
    want=1
    [ "$c" = "$main_cpu" ] && want=0
    [ "$w" = "$want" ] ||
        fail "cpus=$c: on worker $w, want $want (worker 0 runs on CPU $main_cpu)"
done

note "idle CPU with two workers"
sleep 0.5
pct=$(cpu_pct "$VSWD_PID" 3)
echo "idle vswitchd CPU: ${pct}%"
[ "$pct" -le 10 ] || fail "idle vswitchd uses ${pct}% CPU"
echo PASS
