#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Destroying a domain: vswitchd destroys its vif, unmaps the domain's
# memory (gone from /proc/PID/maps), removes its VNIC and leaves no
# xenstore node behind, and keeps serving the other domain; a domain
# created afterwards connects and talks to the survivor (20 pings, IPv4
# and IPv6, no loss).
. "$(dirname "$0")/../../lib/guests.sh"

mapped() { grep -q "memfd:xvm-mem-$1 " "/proc/$VSWD_PID/maps"; }

switch_up
a=$(create_guest ga "link=stub0,mac=02:08:20:34:00:01") || exit 1
b=$(create_guest gb "link=stub0,mac=02:08:20:34:00:02") || exit 1
wait_connected "$a" "$b"
guest_ip ga 10.80.0.1/24
guest_ip gb 10.80.0.2/24
ping_ok ga 10.80.0.2 && ok "ga pings gb" || fail "ga -> gb"
mapped ga && mapped gb && ok "both domains' memory mapped in vswitchd" ||
    fail "memory not mapped: $(grep -c memfd:xvm-mem "/proc/$VSWD_PID/maps")"

xvm destroy ga >/dev/null || fail "destroy ga"
wait_until 10 vnic_gone "xvm${a}_0" && ok "xvm${a}_0 removed" ||
    fail "xvm${a}_0 still there"
wait_until 5 eval '! mapped ga' && ok "ga's memory unmapped" ||
    fail "ga's memory still mapped"
mapped gb && ok "gb's memory still mapped" || fail "gb's memory unmapped"
for p in /local/domain/0/backend/vif/$a /local/domain/0/error/backend/vif/$a \
         /local/domain/$a; do
    if xenstore-exists "$p" 2>/dev/null; then fail "$p left behind"
    else ok "$p removed"; fi
done
kill -0 "$VSWD_PID" && ok "vswitchd still running" || fail "vswitchd died"
expect "gb still Connected" 4 "$(be_state "$b")"

c=$(create_guest gc "link=stub0,mac=02:08:20:34:00:03") || exit 1
wait_until 15 both_connected "$c" && ok "new domain $c Connected" ||
    fail "dom $c not Connected"
guest_ip gc 10.80.0.3/24
if xvm exec gc ping -c 20 -i 0.05 -W 2 -q 10.80.0.2 >"$T/ping4.txt" 2>&1 &&
    grep -q " 0% packet loss" "$T/ping4.txt"; then ok "gc -> gb: 20 pings, no loss"
else fail "gc -> gb: $(tail -2 "$T/ping4.txt")"; fi
for g in gb gc; do
    xvm exec "$g" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
    xvm exec "$g" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
done
xvm exec gb ip addr add fd00:80::2/64 dev eth0 nodad
xvm exec gc ip addr add fd00:80::3/64 dev eth0 nodad
if xvm exec gc ping -6 -c 20 -i 0.05 -W 2 -q fd00:80::2 >"$T/ping6.txt" 2>&1 &&
    grep -q " 0% packet loss" "$T/ping6.txt"; then ok "gc -> gb over IPv6: no loss"
else fail "gc -> gb IPv6: $(tail -2 "$T/ping6.txt")"; fi

xvm destroy gb >/dev/null; xvm destroy gc >/dev/null
wait_until 10 eval '! mapped gb && ! mapped gc' &&
    ok "all memory unmapped after destroying all" ||
    fail "memory left mapped: $(grep memfd:xvm-mem "/proc/$VSWD_PID/maps")"
wait_until 10 eval '! xenstore-exists /local/domain/0/backend/vif/'"$b"' 2>/dev/null' &&
    ok "no backend node left" || fail "backend/vif/$b left"
finish
