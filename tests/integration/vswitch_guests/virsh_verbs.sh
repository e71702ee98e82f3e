#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The virsh verbs of xvm beyond create/destroy: define (a record, not
# started), domid/domname/domuuid, reboot (a new run from the record, its
# vif connected again), autostart (the domain starts when xvmd starts, and
# no longer once --disable'd; undefine forgets the mark) and nodeinfo.
. "$(dirname "$0")/../../lib/guests.sh"

restart_xvmd() { # as at a host's boot: the domains off, xvmd starts
    xvm_destroy_all "$XVM"
    kill "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null; XVMD_PID=
    start_xvmd
}
state() { xvm dominfo "$1" | sed -n 's/^State: *//p'; }

switch_up

printf 'name = "vd"\ntype = "process"\nmemory = 16\nvif = [ "link=stub0,mac=02:08:20:3c:00:01" ]\n' >"$T/vd.cfg"
out=$(xvm define "$T/vd.cfg") && expect "define" "Domain 'vd' defined from $T/vd.cfg" "$out" ||
    fail "define: $out"
expect "defined: shut off" "shut off" "$(state vd)"
xvm list | grep -qw vd && fail "a defined domain is listed as running" ||
    ok "not in xvm list"
xvm list --all | grep -q " vd .*shut off" && ok "in xvm list --all" ||
    fail "not in list --all"
expect "domid of a shut-off domain" "-" "$(xvm domid vd)"
uuid=$(xvm domuuid vd)
[[ "$uuid" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] &&
    ok "domuuid: $uuid" || fail "domuuid: '$uuid'"
expect "domname by UUID" "vd" "$(xvm domname "$uuid")"
grep -q "$uuid" "$T/state/domains/vd.cfg" && ok "the record keeps the UUID" ||
    fail "record without the UUID"
out=$(xvm define "$T/vd.cfg" 2>&1) && ok "define again (shut off: replaced)" ||
    fail "define again: $out"
expect "same UUID after a redefinition" "$uuid" "$(xvm domuuid vd)"

xvm start vd >/dev/null || die "start vd"
id1=$(xvm domid vd)
expect "domname by id" "vd" "$(xvm domname "$id1")"
expect "domuuid by id" "$uuid" "$(xvm domuuid "$id1")"
out=$(xvm define "$T/vd.cfg" 2>&1); rc=$?
expect "define of a running domain refused" "1 xvm: domain vd already exists (id $id1, running)" "$rc $out"

# reboot: shut down (the guest exits), then a new run.
out=$(xvm reboot vd) && expect "reboot" "Domain 'vd' is being rebooted" "$out" ||
    fail "reboot: $out"
wait_until 10 eval '[ "$(xvm domid vd)" != "$id1" ] && [ "$(state vd)" = running ]' &&
    ok "rebooted: new id $(xvm domid vd), running" ||
    fail "after reboot: id $(xvm domid vd), $(state vd)"
id2=$(xvm domid vd)
wait_until 10 both_connected "$id2" && ok "rebooted: vif Connected again" ||
    fail "rebooted: vif not connected"
xvm destroy vd >/dev/null
out=$(xvm reboot vd 2>&1); rc=$?
expect "reboot of a shut-off domain" "1 xvm: cannot reboot domain vd: it is shut off" "$rc $out"

# autostart
expect "dominfo: autostart off" "disable" "$(xvm dominfo vd | sed -n 's/^Autostart: *//p')"
out=$(xvm autostart vd) && expect "autostart" "Domain 'vd' marked as autostarted" "$out" ||
    fail "autostart: $out"
expect "dominfo: autostart on" "enable" "$(xvm dominfo vd | sed -n 's/^Autostart: *//p')"
restart_xvmd
wait_until 10 eval '[ "$(state vd)" = running ]' &&
    ok "xvmd restarted: vd started by itself" || fail "vd: $(state vd)"
grep -q "domain vd: autostarted" "$T/xvmd.log" && ok "autostart logged" ||
    fail "autostart not logged"
wait_until 10 both_connected "$(xvm domid vd)" && ok "autostarted vd: vif Connected" ||
    fail "autostarted vd: vif not connected"
out=$(xvm autostart --disable vd) &&
    expect "autostart --disable" "Domain 'vd' unmarked as autostarted" "$out" ||
    fail "autostart --disable: $out"
restart_xvmd
sleep 1
expect "not marked: stays shut off" "shut off" "$(state vd)"
out=$(xvm autostart bogus 2>&1); rc=$?
expect "autostart of an unknown domain" "1 xvm: domain 'bogus' not found" "$rc $out"
out=$(xvm autostart --disable 2>&1); rc=$?
expect "autostart --disable without a domain" "1 xvm: usage: xvm autostart [--disable] DOM" "$rc $out"
xvm autostart vd >/dev/null
xvm undefine vd >/dev/null || fail "undefine vd"
[ -e "$T/state/autostart/vd" ] && fail "undefine left the autostart mark" ||
    ok "undefine forgets the autostart mark"

# nodeinfo: this host
xvm nodeinfo >"$T/node.txt" || fail "nodeinfo"
cat "$T/node.txt"
expect "nodeinfo CPU(s)" "$(nproc --all)" "$(sed -n 's/^CPU(s): *//p' "$T/node.txt")"
expect "nodeinfo memory" "$(awk '/^MemTotal:/ { print $2 " KiB" }' /proc/meminfo)" \
    "$(sed -n 's/^Memory size: *//p' "$T/node.txt")"
finish
