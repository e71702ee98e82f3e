#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Two process domains whose vifs name the etherstub stub0: vswitchd finds
# their backend directories in xenstore, makes the temporary VNICs
# xvm<id>_0 (dladm shows the domain), serves the netif handshake and
# switches between them: they ping each other, and iperf3 TCP runs between
# them (the figure is reported).  `xvm destroy` removes each VNIC.
. "$(dirname "$0")/../../lib/guests.sh" iperf3

switch_up
a=$(create_guest ga "link=stub0,mac=02:08:20:33:00:01") || exit 1
b=$(create_guest gb "link=stub0,mac=02:08:20:33:00:02") || exit 1
c=$(create_guest gc "link=stub0,mac=02:08:20:33:00:03,vlan=5,maxbw=100M,priority=low") || exit 1
wait_connected "$a" "$b" "$c"

# The VNICs: temporary, on stub0, with the vif's MAC and properties
# (the defaults of a vif, dladm's: no VLAN, no maxbw, priority high).
expect "xvm${a}_0: link MAC VID maxbw priority attach temporary" \
    "stub0 2:8:20:33:0:1 0 -- high vif yes" \
    "$(ctl vnic-show "xvm${a}_0" | awk '{ print $2, $3, $5, $6, $7, $9, $11 }')"
expect "xvm${c}_0: vlan 5, maxbw 100M (from the rate key), priority low" \
    "2:8:20:33:0:3 5 100M low" \
    "$(ctl vnic-show "xvm${c}_0" | awk '{ print $3, $5, $6, $7 }')"
expect "dladm show-linkprop: a vif without priority is high, as create-vnic" \
    "high:high low:high" \
    "$("$DLADM" show-linkprop -c -o value,default -p priority "xvm${a}_0") $("$DLADM" show-linkprop -c -o value,default -p priority "xvm${c}_0")"
expect "dladm show-vnic: the vif's MAC and VID" \
    "2\\:8\\:20\\:33\\:0\\:1:0 2\\:8\\:20\\:33\\:0\\:3:5" \
    "$("$DLADM" show-vnic -p -o macaddress,vid "xvm${a}_0") $("$DLADM" show-vnic -p -o macaddress,vid "xvm${c}_0")"
expect "dladm show-vnic: the domain of each xvm VNIC" \
    "xvm${a}_0:stub0:ga xvm${b}_0:stub0:gb xvm${c}_0:stub0:gc" \
    "$("$DLADM" show-vnic -p -o link,over,domain | sort | tr '\n' ' ' | sed 's/ $//')"

guest_ip ga 10.79.0.1/24
guest_ip gb 10.79.0.2/24
ping_ok ga 10.79.0.2 && ok "ga pings gb" || fail "ga -> gb"
ping_ok gb 10.79.0.1 && ok "gb pings ga" || fail "gb -> ga"
[ "$(ctl stat "xvm${a}_0" opackets)" -ge 3 ] &&
    [ "$(ctl stat "xvm${b}_0" ipackets)" -ge 3 ] &&
    ok "the VNICs count the frames" || fail "VNIC counters"
# After the pings the domains' pumps stop polling (their short spin) and
# sleep: an idle domain costs no CPU.
sleep 0.5
for g in ga gb; do
    pid=$(xvm dominfo "$g" | sed -n 's/^PID: *//p')
    pct=$(cpu_pct "$pid" 2)
    [ -n "$pct" ] && [ "$pct" -le 3 ] && ok "idle $g: ${pct}% CPU" ||
        fail "idle $g (pid $pid) uses ${pct:-?}% CPU"
done

# iperf3 TCP both ways (no maxbw on either VNIC).
for dir in "gb ga 10.79.0.1" "ga gb 10.79.0.2"; do
    set -- $dir
    iperf_serve "$2" -1
    if xvm exec "$1" timeout 20 iperf3 -c "$3" -t 3 -J >"$T/iperf.json" 2>&1; then
        bps=$(sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' \
            "$T/iperf.json" | tail -1)
        ok "iperf3 TCP $1 -> $2 through vswitchd: $(awk -v b="$bps" \
            'BEGIN { printf "%.0f Mbit/s", b / 1e6 }')"
    else fail "iperf3 $1 -> $2"; tail -5 "$T/iperf.json"; fi
    iperf_stop "$2"
done

# The domain goes, its VNIC goes with it; the other stays.
xvm destroy ga >/dev/null || fail "destroy ga"
wait_until 10 vnic_gone "xvm${a}_0" && ok "xvm destroy ga removes xvm${a}_0" ||
    fail "xvm${a}_0 still there"
vnic_exists "xvm${b}_0" && ok "xvm${b}_0 stays" || fail "xvm${b}_0 gone"
xvm destroy gb >/dev/null || fail "destroy gb"
wait_until 10 vnic_gone "xvm${b}_0" && ok "xvm destroy gb removes xvm${b}_0" ||
    fail "xvm${b}_0 still there"
xvm destroy gc >/dev/null || fail "destroy gc"
wait_until 10 vnic_gone "xvm${c}_0" && ok "xvm destroy gc removes xvm${c}_0" ||
    fail "xvm${c}_0 still there"
for p in /local/domain/0/backend/vif/$a /local/domain/0/backend/vif/$b \
         /local/domain/0/backend/vif/$c; do
    xenstore-exists "$p" 2>/dev/null && fail "$p left" || ok "$p removed"
done
expect "links untouched" "phys0 stub0" \
    "$(own_links)"
finish
