#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Destroying a domain removes its backend directory; xvm-netbackd then
# destroys the vif, unmaps the domain's memory (gone from its
# /proc/PID/maps), leaves no node behind, and keeps serving the others.
# A new domain afterwards connects and talks to the survivor.
#
# usage: netbackd_destroy_unmaps.sh XVMD XVM XVM-NETBACKD NBD_GUEST
. "$(dirname "$0")/lib.sh"

mapped() { grep -q "memfd:xvm-mem-$1 " "/proc/$NBD_PID/maps"; }
no_vif() { ! grep -q "^vif $1/" "$STATS" && ! grep -q "^dom $1 " "$STATS"; }

start_xvmd
start_nbd
a=$(create_dom ga 02:00:00:77:00:01) || exit 1
b=$(create_dom gb 02:00:00:77:00:02) || exit 1
for d in $a $b; do
    wait_until 10 both_connected $d && ok "dom $d Connected" || fail "dom $d not Connected"
done
ping_ok ga 10.77.0.$b && ok "ping ga -> gb" || fail "ping ga -> gb"
mapped ga && mapped gb && ok "both domains' memory mapped in netbackd" ||
    fail "memory not mapped: $(grep -c memfd:xvm-mem "/proc/$NBD_PID/maps")"

xvm destroy ga >/dev/null || fail "destroy ga"
wait_until 10 no_vif $a && ok "vif $a/0 and domain $a gone from netbackd" ||
    { fail "vif $a/0 still there"; cat "$STATS"; }
wait_until 5 eval '! mapped ga' && ok "ga's memory unmapped" || fail "ga's memory still mapped"
mapped gb && ok "gb's memory still mapped" || fail "gb's memory unmapped"
for p in /local/domain/0/backend/vif/$a /local/domain/0/error/backend/vif/$a /local/domain/$a; do
    if xenstore-exists "$p" 2>/dev/null; then fail "$p left behind"
    else ok "$p removed"; fi
done
kill -0 "$NBD_PID" && ok "netbackd still running" || fail "netbackd died"
expect "gb still Connected" 4 "$(rd /local/domain/0/backend/vif/$b/0/state)"

c=$(create_dom gc 02:00:00:77:00:03) || exit 1
wait_until 10 both_connected $c && ok "new domain $c Connected" || fail "dom $c not Connected"
ping_ok gc 10.77.0.$b && ok "ping gc -> gb" || fail "ping gc -> gb"
xvm destroy gb >/dev/null; xvm destroy gc >/dev/null
wait_until 10 eval '! mapped gb && ! mapped gc' && ok "all memory unmapped after destroying all" ||
    fail "memory left mapped: $(grep memfd:xvm-mem "/proc/$NBD_PID/maps")"
wait_until 5 eval 'grep -q "devices=0 domains=0" "$STATS"' && ok "no device left" || fail "devices left: $(head -1 "$STATS")"
if xenstore-exists /local/domain/0/backend/vif/$b 2>/dev/null; then fail "backend/vif/$b left"; else ok "no backend node left"; fi
finish
