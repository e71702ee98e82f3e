#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Guests outlive xvmd.  Two guests ping each other while xvmd is killed
# (SIGKILL) and while it is stopped (SIGTERM): they keep running and
# talking while it is away (vswitchd keeps its xenstore connection: the
# store is the xenstored's), and the next xvmd takes them over with the
# same ids and processes, their vifs still Connected; a vswitchd restart
# under them reconnects their vifs (new event channels from the new
# xvmd); it can then pause, resume and destroy them (a destroyed one's
# VNIC and memory go).  Then
# the xenstored itself goes: vswitchd logs the loss, keeps answering
# dladm, reconnects by itself to the one the next xvmd starts and
# resynchronises; a guest whose xenstore went with it is not taken over
# but destroyed, its VNIC deleted and its memory unmapped, and new guests
# work without restarting vswitchd.
. "$(dirname "$0")/../../lib/guests.sh"

mapped() { grep -q "memfd:xvm-mem-$1 " "/proc/$VSWD_PID/maps"; }
logged() { grep -c "$1" "$T/vswitchd.log"; }
more_logged() { [ "$(logged "$1")" -gt "$2" ]; }
vnic_listed() { "$DLADM" show-vnic -p -o link | grep -qx "$1"; }

# pair_up ROUND NAME1 NAME2: two guests on stub0 pinging each other.
pair_up() {
    local r=$1 x y
    x=$(create_guest "$2" "link=stub0,mac=02:08:20:35:0$r:01") || exit 1
    y=$(create_guest "$3" "link=stub0,mac=02:08:20:35:0$r:02") || exit 1
    wait_connected "$x" "$y"
    guest_ip "$2" "10.81.$r.1/24"
    guest_ip "$3" "10.81.$r.2/24"
    wait_until 10 ping_ok "$2" "10.81.$r.2" && ok "$2 pings $3" ||
        fail "$2 -> $3"
    ids="$x $y"
}

switch_up
pair_up 1 ra rb
# ping_direct FROM TO-IP: through the guest's pinned namespace, without
# xvmd (xvm exec needs it).
ping_direct() {
    nsenter --net="$T/netns/xvm-$1" ping -c 3 -i 0.2 -W 2 -q "$2" \
        >/dev/null 2>&1
}
pid_of() { xvm dominfo "$1" | sed -n 's/^PID: *//p'; }

dladm_answers() {
    "$DLADM" show-link -p -o link >"$T/links.txt" 2>&1 &&
        grep -qx stub0 "$T/links.txt" &&
        ok "$1: dladm answered while xvmd was down" ||
        fail "$1: dladm show-link: $(cat "$T/links.txt")"
}

ra_pid=$(pid_of ra) rb_pid=$(pid_of rb)
set -- $ids
ra_id=$1 rb_id=$2
# A ping that carries on through both restarts (ten a second).
nsenter --net="$T/netns/xvm-ra" ping -i 0.1 -W 1 10.81.1.2 >"$T/ping.txt" 2>&1 &
PING_PID=$!
stop_ping() { [ -n "${PING_PID:-}" ] && kill "$PING_PID" 2>/dev/null; }
CLEANUP_HOOK=stop_ping
sleep 1
# perms of a node as xenstore-ls -p shows them: "(n0,r<id>)"
perms_of() {
    XENSTORED_PATH=$XENSTORED_PATH xenstore-ls -p "$(dirname "$1")" 2>/dev/null |
        awk -v k="$(basename "$1")" '/^[^ ]/ && $1 == k { print $NF }'
}
for sig in KILL TERM; do
    lost=$(logged "xenstore connection lost")
    # as an older xvmd left it: ra's home the guest's own
    XENSTORED_PATH=$XENSTORED_PATH xenstore-chmod "/local/domain/$ra_id" "n$ra_id" ||
        fail "xenstore-chmod of ra's home"
    kill -"$sig" "$XVMD_PID"
    wait "$XVMD_PID" 2>/dev/null
    XVMD_PID=
    kill -0 "$ra_pid" && kill -0 "$rb_pid" &&
        ok "SIG$sig: both guests still run" || fail "SIG$sig: a guest died"
    ping_direct ra 10.81.1.2 && ok "SIG$sig: ra pings rb while xvmd is away" ||
        fail "SIG$sig: ra cannot reach rb while xvmd is away"
    dladm_answers "SIG$sig"
    # A persistent change of a guest's VNIC needs xvmd, which keeps the
    # domain's record: dladm says so and suggests -t, which works.
    V="xvm${ra_id}_0"
    DOMCFG="cannot change the domain's configuration (try -t): xvmd is not running (no answer on"
    for args in "set-linkprop -p maxbw=20M" "reset-linkprop -p maxbw" \
        "modify-vnic -v 7"; do
        out=$("$DLADM" $args "$V" 2>&1) && fail "SIG$sig: $args: no error"
        case "$out" in
        *": $DOMCFG "*) ok "SIG$sig: $args: '$out'" ;;
        *) fail "SIG$sig: $args without xvmd: '$out'" ;;
        esac
    done
    "$DLADM" set-linkprop -t -p maxbw=20M "$V" &&
        "$DLADM" reset-linkprop -t -p maxbw "$V" &&
        ok "SIG$sig: -t changes $V without xvmd" ||
        fail "SIG$sig: -t without xvmd"
    [ "$(logged "xenstore connection lost")" = "$lost" ] &&
        ok "SIG$sig: vswitchd kept its xenstore connection" ||
        fail "SIG$sig: vswitchd lost its xenstore connection"
    mv "$T/xvmd.log" "$T/xvmd-before-$sig.log" # each xvmd its own log
    start_xvmd
    wait_until 5 grep -q "took over 2 running domain(s)" "$T/xvmd.log" &&
        ok "SIG$sig: the new xvmd took both over" ||
        fail "SIG$sig: no take-over logged: $(tail -5 "$T/xvmd.log")"
    expect "SIG$sig: ra's home is dom0's again, the guest reads it" \
        "(n0,r$ra_id)" "$(perms_of "/local/domain/$ra_id")"
    expect "SIG$sig: its error/ stays the guest's" "(n$ra_id,r0)" \
        "$(perms_of "/local/domain/$ra_id/error")"
    [ "$(domid ra)" = "$ra_id" ] && [ "$(domid rb)" = "$rb_id" ] &&
        [ "$(pid_of ra)" = "$ra_pid" ] && [ "$(pid_of rb)" = "$rb_pid" ] &&
        ok "SIG$sig: same ids and guests" ||
        fail "SIG$sig: ids $(domid ra) $(domid rb), pids $(pid_of ra) $(pid_of rb)"
    both_connected "$ra_id" && both_connected "$rb_id" &&
        ok "SIG$sig: vifs still Connected" || fail "SIG$sig: a vif is not Connected"
    for d in $ra_id $rb_id; do
        vnic_listed "xvm${d}_0" || fail "SIG$sig: xvm${d}_0 is gone"
    done
    mapped ra && mapped rb || fail "SIG$sig: memory no longer mapped"
    ping_ok ra 10.81.1.2 && ok "SIG$sig: xvm exec ra ping rb" ||
        fail "SIG$sig: xvm exec ra ping rb"
done
sleep 1
kill -INT "$PING_PID"; wait "$PING_PID" 2>/dev/null; PING_PID=
summary=$(grep "packets transmitted" "$T/ping.txt")
sent=$(echo "$summary" | awk '{ print $1 }') got=$(echo "$summary" | awk '{ print $4 }')
[ -n "$sent" ] && [ "$sent" -ge 20 ] && [ $((sent - got)) -le 1 ] &&
    ok "the ping carried on through both restarts: $summary" ||
    fail "the ping did not carry on: ${summary:-$(tail -3 "$T/ping.txt")}"
# vswitchd restarts under the taken-over guests: their vifs connect again,
# with new event channels asked of the new xvmd over the channel it took
# back.
kill9_vswd
start_vswd
for d in $ra_id $rb_id; do
    wait_until 15 both_connected "$d" &&
        ok "after vswitchd's restart: dom $d Connected again" ||
        fail "after vswitchd's restart: dom $d: frontend '$(fe_state "$d")'" \
            "backend '$(be_state "$d")'"
done
wait_until 10 ping_ok ra 10.81.1.2 && ok "after vswitchd's restart: ra pings rb" ||
    fail "after vswitchd's restart: ra cannot reach rb"
xvm pause rb >/dev/null && xvm resume rb >/dev/null &&
    ok "an adopted domain pauses and resumes" || fail "pause/resume rb"
ping_ok ra 10.81.1.2 || fail "ra -> rb after resume"
xvm destroy ra >/dev/null || fail "destroy ra"
wait_until 5 eval "! vnic_listed xvm${ra_id}_0" &&
    ok "destroying an adopted domain removes its VNIC" ||
    fail "xvm${ra_id}_0 still there"
wait_until 5 eval '! mapped ra' && ok "and unmaps its memory" ||
    fail "ra's memory still mapped"
old=rb old_ids=$rb_id

# The xenstored goes (xvmd stops with it: no domain works without it).
lost=$(logged "xenstore connection lost") resyncs=$(logged "xenstore resynchronised")
xenstored_stop "$T"
wait_until 10 more_logged "xenstore connection lost" "$lost" &&
    ok "xenstored ended: vswitchd logs the loss" || fail "no loss logged"
wait_until 10 eval '! kill -0 $XVMD_PID 2>/dev/null' &&
    ok "xvmd stopped without its xenstored" || fail "xvmd still running"
wait "$XVMD_PID" 2>/dev/null
XVMD_PID=
grep -q "the xenstored closed its connection" "$T/xvmd.log" ||
    fail "xvmd did not say why it stopped"
sleep 2 # a few reconnection attempts
kill -0 "$VSWD_PID" && ok "vswitchd still running" || die "vswitchd died"
dladm_answers "xenstored ended"
grep -q "xenstore: reconnecting to" "$T/vswitchd.log" &&
    ok "reconnection attempts logged" || fail "no reconnection attempt logged"
start_xvmd
wait_until 5 grep -q "domain rb: not adopted: the xenstore it used is gone" \
    "$T/xvmd.log" &&
    ok "rb, whose xenstore is gone, is not taken over" ||
    fail "rb: $(grep rb "$T/xvmd.log" | tail -3)"
wait_until 5 eval '! kill -0 $rb_pid 2>/dev/null || grep -q "^State:.*Z" /proc/$rb_pid/status' &&
    ok "its guest is destroyed" || fail "rb's guest still runs"
wait_until 10 more_logged "xenstore resynchronised" "$resyncs" &&
    ok "vswitchd reconnected and resynchronised:" \
        "$(grep "xenstore resynchronised" "$T/vswitchd.log" | tail -1 |
           sed 's/.*resynchronised: //')" || fail "no resync logged"
grep -q "xenstore: reconnected to" "$T/vswitchd.log" ||
    fail "no reconnection logged"
wait_until 5 eval "! vnic_listed xvm${rb_id}_0" &&
    ok "xvm${rb_id}_0 gone (dladm show-vnic)" || fail "xvm${rb_id}_0 still there"
wait_until 5 eval '! mapped rb' && ok "rb's memory unmapped" ||
    fail "rb's memory still mapped"
pair_up 2 s1a s1b
for d in $ids; do
    vnic_listed "xvm${d}_0" && ok "new VNIC xvm${d}_0" ||
        fail "no VNIC xvm${d}_0"
done
finish
