#!/bin/bash
# SPDX-License-Identifier: MIT
#
# An operator's KVM guest with a NIC, through the real xvmd and vswitchd
# (tests/lib/guests.sh): `xvm create` of a minios kvm domain with a vif on
# phys0 and its address in the config's xenstore list.  xvmd writes the
# vif's frontend and backend nodes as for a process domain, vswitchd's
# netback connects to minios's libxnf frontend (event channels brokered
# by xvmd over the monitor's guest channel, the xenstore ring relayed by
# the monitor), and the outside namespace, behind phys0, pings minios and
# has 100,000 UDP datagrams echoed, none lost (udp_echo.py, 32 in flight);
# vswitchd killed and started again takes minios's vif over, unnoticed.
# domiflist and dominfo show the vif as a process domain's.  Three runs
# end three ways, each leaving nothing behind (nodes, VNIC, monitor): `xvm
# shutdown` (xvmd writes control/shutdown, minios powers off); the
# guest's own poweroff (control/shutdown written by hand, minios prints
# what it answered); `xvm destroy`, after xvmd was killed under it and
# the next xvmd adopted it, its vif still answering pings.  Between them,
# on VLAN 20 of the etherstub: a process domain pings and UDP-echoes a
# second minios, one on VLAN 21 cannot; minios-scribble, which garbles its
# TX ring, gets its vif disabled by vswitchd while everything else goes
# on.  Bad xenstore entries are refused with their words and leave
# nothing.
MINIOS_DIR=$(dirname "$0")
. "$MINIOS_DIR/../../lib/common.sh"

mods=$(cd /sys/module && echo $(ls -d kvm* 2>/dev/null))
[ -e /dev/kvm ] ||
    skip "no /dev/kvm on this host (KVM modules loaded: ${mods:-none})"
[ -r /dev/kvm ] && [ -w /dev/kvm ] ||
    skip "/dev/kvm is not readable and writable by uid $(id -u)"
[ -x "${XVM_KVM:-}" ] && [ -f "${MINIOS:-}" ] ||
    skip "XVM_KVM or MINIOS not set (run through meson test)"
. "$MINIOS_DIR/../../lib/guests.sh" python3 xenstore-write

GIP=10.82.$((ID % 200)).2
OIP=10.82.$((ID % 200)).1
MAC=02:08:20:44:00:02
log_of() { tr -d '\r' <"$T/state/console/$1.log" 2>/dev/null; }
state_of() { xvm dominfo "$1" | sed -n 's/^State: *//p'; }

# leftovers ID: what is left of the run of domain ID (empty: nothing).
leftovers() {
    local id=$1 left=
    xenstore-exists "/local/domain/$id" && left="$left home"
    xenstore-exists "/local/domain/0/backend/vif/$id" && left="$left backend"
    vnic_exists "xvm${id}_0" && left="$left VNIC"
    # This run's monitors only: another test run may have a domain of the
    # same id (its kernels lie in another build tree).
    pgrep -f -- "--domain [a-z-]+ --id $id --kernel $(dirname "$MINIOS")/" \
        >/dev/null && left="$left monitor"
    echo "$left"
}

# gone ID WHAT: every trace of the run of domain ID is gone (the monitor
# may still be exiting when the domain shows shut off: allow it 5 s).
gone() {
    local id=$1 what=$2 left i
    for i in $(seq 50); do
        left=$(leftovers "$id")
        [ -z "$left" ] && break
        sleep 0.1
    done
    [ -z "$left" ] && ok "$what: nothing left (nodes, VNIC, monitor)" ||
        fail "$what: left:$left"
}

# connected ID: the vif is Connected on both ends and minios says so.
connected() {
    wait_until 15 both_connected "$1" &&
        ok "vif 0 Connected on both ends (domain $1)" ||
        fail "vif 0: frontend '$(fe_state "$1")', backend '$(be_state "$1")'"
    wait_until 10 sh -c "tr -d '\r' <'$T/state/console/kn.log' |
        grep -q 'minios: eth0 up'" &&
        ok "minios: $(log_of kn | grep 'eth0 up' | tail -1)" ||
        fail "minios did not bring eth0 up: $(log_of kn | tail -3)"
}

pings() {
    if ip netns exec "$NS_OUT" ping -c 5 -i 0.2 -W 2 -q "$GIP" \
        >"$T/ping" 2>&1; then
        ok "the outside pings minios: $(grep -o '[0-9]* received' "$T/ping")"
    else
        fail "ping $GIP: $(tail -2 "$T/ping")"
    fi
}

switch_up
ip -n "$NS_OUT" addr add "$OIP/24" dev "$VETH_OUT"

# --- bad xenstore entries: refused, nothing left ---------------------------
bad=(
    '"/local/domain/0/x=1":the path is relative'
    '"device/vif/0/mac=1":under a directory xvmd or the devices own'
    '"minios/../name=x":'"'..' path component"
    '"minios/ip":expected "PATH=VALUE"'
)
for b in "${bad[@]}"; do
    entry=${b%%:*} words=${b#*:}
    printf 'name = "bad"\ntype = "kvm"\nmemory = 16\nkernel = "%s"\nxenstore = [ %s ]\n' \
        "$MINIOS" "$entry" >"$T/bad.cfg"
    out=$(xvm create "$T/bad.cfg" 2>&1); rc=$?
    if [ $rc = 1 ] && [[ "$out" == xvm:* ]] && [[ "$out" == *"$words"* ]] &&
        ! xvm dominfo bad >/dev/null 2>&1 &&
        [ ! -e "$T/state/domains/bad.cfg" ]; then
        ok "refused: $entry: $out"
    else
        fail "$entry: exit $rc, '$out'"
    fi
done

# --- run 1: create, vif, domiflist, ping, UDP echo, xvm shutdown -----------
cat >"$T/kn.cfg" <<CFG
name     = "kn"
type     = "kvm"
memory   = 16
kernel   = "$MINIOS"
xenstore = [ "minios/ip=$GIP" ]
vif      = [ "link=phys0,mac=$MAC" ]
CFG
xvm create "$T/kn.cfg" >"$T/create.out" 2>&1 ||
    die "xvm create kn: $(cat "$T/create.out")"
g=$(domid kn)
ok "created kn, domain $g, $(state_of kn)"
expect "its xenstore entry" "$GIP" "$(rd "/local/domain/$g/minios/ip")"
connected "$g"
xvm domiflist kn >"$T/if.txt" || fail "domiflist"
cat "$T/if.txt"
expect "domiflist header" "Interface Type Source Model MAC VLAN Maxbw State" \
    "$(head -1 "$T/if.txt" | tr -s ' ')"
expect "domiflist vif 0" "xvm${g}_0 vnic phys0 netif 2:8:20:44:0:2 -- -- connected" \
    "$(sed -n 3p "$T/if.txt" | tr -s ' ' | sed 's/ $//')"
expect "dominfo lists the vif" "Vifs: vif 0 on phys0, connected (VNIC xvm${g}_0)" \
    "$(xvm dominfo kn | grep -A1 '^Vifs:' | head -1 | tr -s ' ')"
vnic_exists "xvm${g}_0" && ok "the switch has VNIC xvm${g}_0" ||
    fail "no VNIC xvm${g}_0"
pings

# UDP echo: N numbered datagrams to port 7, 32 in flight at most, every
# one answered in kind, none lost.
N=${KVM_NET_ECHOES:-100000}
if out=$(ip netns exec "$NS_OUT" python3 "$ECHO_CLIENT" "$GIP" "$N" 32); then
    ok "$N UDP echoes, none lost: $out"
else
    fail "UDP echo: $out"
fi

# vswitchd killed and started again: the new backend takes over minios's
# rings and event channels (the guest does nothing): the same ring, both
# ends Connected, and it answers again.
ref=$(rd "/local/domain/$g/device/vif/0/tx-ring-ref")
before=$(grep -c "vif$g\.0: connected" "$T/vswitchd.log")
kill9_vswd
start_vswd
if wait_until 15 sh -c "[ \$(grep -c 'vif$g\.0: connected' '$T/vswitchd.log') -gt $before ]"; then
    ok "vswitchd restarted: vif $g.0 taken over"
else
    fail "vswitchd restarted: vif $g.0 not connected again"
fi
expect "minios keeps its ring, both Connected" "$ref 4 4" \
    "$(rd "/local/domain/$g/device/vif/0/tx-ring-ref") $(fe_state "$g") $(be_state "$g")"
pings
if out=$(ip netns exec "$NS_OUT" python3 "$ECHO_CLIENT" "$GIP" 2000 32); then
    ok "after the restart, 2000 UDP echoes: $out"
else
    fail "UDP echo after the restart: $out"
fi

xvm shutdown kn >/dev/null || fail "xvm shutdown kn"
wait_until 10 sh -c "[ \"\$('$XVM' dominfo kn | sed -n 's/^State: *//p')\" = 'shut off' ]" &&
    ok "xvm shutdown: shut off" || fail "after shutdown: '$(state_of kn)'"
# gracefully: xvmd wrote control/shutdown, minios answered with a poweroff
grep -q "domain kn: asked to poweroff (control/shutdown)" "$T/xvmd.log" &&
    [ "$(log_of kn | tail -3 | head -1)" = "minios: poweroff" ] &&
    [ "$(grep -c "domain kn: guest exited with status 0" "$T/xvmd.log")" = 1 ] &&
    ! grep -q "domain kn: did not shut down" "$T/xvmd.log" &&
    ok "xvm shutdown: asked through control/shutdown, minios powered off" ||
    fail "xvm shutdown was not graceful: $(log_of kn | tail -2 | tr '\n' '|')"
# Every notification toward netback was a doorbell the kernel took
# (KVM_IOEVENTFD): minios rang thousands, none reached the monitor, as
# an exit for a doorbell or a send hypercall.
rung=$(log_of kn | grep "minios: arp" | tail -1 |
       sed -n 's/.* doorbells \([0-9]*\)$/\1/p')
mon=$(log_of kn | tail -1)
case $mon in
*"(sends 0), doorbells 0") [ "${rung:-0}" -ge 1000 ] ;;
*) false ;;
esac && ok "doorbells: minios rang $rung, the monitor saw none: ${mon#*: }" ||
    fail "doorbells: minios rang '${rung:-}', the monitor: '$mon'"
gone "$g" "after xvm shutdown"

# --- run 2: start again; the guest powers itself off ------------------------
xvm start kn >/dev/null 2>&1 || fail "xvm start kn"
g=$(domid kn)
connected "$g"
pings
xenstore-write "/local/domain/$g/control/shutdown" poweroff
wait_until 10 sh -c "[ \"\$('$XVM' dominfo kn | sed -n 's/^State: *//p')\" = 'shut off' ]" &&
    ok "control/shutdown: minios powered off, shut off" ||
    fail "after control/shutdown: '$(state_of kn)'"
stats=$(log_of kn | grep "minios: arp" | tail -1)
icmp=$(echo "$stats" | sed -n 's/.* icmp \([0-9]*\) .*/\1/p')
[ "${icmp:-0}" -ge 5 ] && ok "minios counted them: $stats" ||
    fail "minios's counts: '$stats'"
grep -q "domain kn: guest exited with status 0" "$T/xvmd.log" &&
    ok "xvmd saw a poweroff" || fail "no poweroff in xvmd's log"
gone "$g" "after the guest's poweroff"

# --- a process domain and minios on one VLAN of an etherstub -------------
# kv (minios) and pd (a process domain) on stub0 VLAN 20, po on VLAN 21:
# pd pings kv and has it echo, po cannot reach it.  kv has two vCPUs
# (where the host has two CPUs): its vCPU 1 runs the generator, 20,000
# datagrams to pd's port 9 (pd counts them as NoPorts), while its vCPU 0
# answers pd's pings and echoes.  Then ks, minios built
# to scribble over its TX ring once it has answered three pings, joins
# VLAN 20: vswitchd disables its vif, and only its.
S=10.83.$((ID % 200))
KV_VCPUS=$(( $(nproc) >= 2 ? 2 : 1 ))
GEN=20000
cat >"$T/kv.cfg" <<CFG
name     = "kv"
type     = "kvm"
memory   = 16
vcpus    = $KV_VCPUS
kernel   = "$MINIOS"
xenstore = [ "minios/ip=$S.2", "minios/role=gen", "minios/peer=$S.1",
             "minios/port=9", "minios/count=$GEN" ]
vif      = [ "link=stub0,vlan=20,mac=02:08:20:44:00:12" ]
CFG
xvm create "$T/kv.cfg" >/dev/null 2>&1 || fail "xvm create kv"
kv=$(domid kv)
pd=$(create_guest pd "link=stub0,vlan=20,mac=02:08:20:44:00:21")
po=$(create_guest po "link=stub0,vlan=21,mac=02:08:20:44:00:22")
for d in "$kv" "$pd" "$po"; do
    wait_until 15 both_connected "$d" || fail "vif of domain $d not Connected"
done
guest_ip pd "$S.1/24"
guest_ip po "$S.3/24"
wait_until 10 sh -c "tr -d '\r' <'$T/state/console/kv.log' |
    grep -q 'minios: eth0 up'" || fail "kv: no eth0: $(log_of kv | tail -2)"
ping_ok pd "$S.2" && ok "process domain pd pings minios kv on VLAN 20" ||
    fail "pd cannot ping kv"
ping_ok po "$S.2" && fail "po, on VLAN 21, reaches kv on VLAN 20" ||
    ok "po on VLAN 21 does not reach kv"
if out=$(xvm exec pd python3 - "$S.2" 2000 16 <"$ECHO_CLIENT" 2>&1); then
    ok "pd: 2000 UDP echoes from kv: $out"
else
    fail "pd -> kv UDP echo: $out"
fi
# kv's generator: on vCPU 1 with two, sent in full, and pd got them
gen_line="minios: generator sent $GEN"
[ "$KV_VCPUS" = 2 ] && gen_line="minios: cpu 1: generator sent $GEN"
wait_until 20 sh -c "tr -d '\r' <'$T/state/console/kv.log' |
    grep -qx '$gen_line'" && ok "kv ($KV_VCPUS vCPUs): $gen_line" ||
    fail "kv's generator: $(log_of kv | tail -3)"
[ "$KV_VCPUS" = 2 ] && { log_of kv | grep -qx "minios: cpu 1 up" ||
    fail "kv: no 'cpu 1 up': $(log_of kv | head -3)"; }
noports=$(xvm exec pd awk '/^Udp:/ { n++; if (n == 2) print $3 }' /proc/net/snmp)
[ "${noports:-0}" -ge 1000 ] &&
    ok "pd received $noports of kv's $GEN datagrams (port 9: no listener; a burst overflows its queues)" ||
    fail "pd received ${noports:-0} of kv's $GEN datagrams"

cat >"$T/ks.cfg" <<CFG
name     = "ks"
type     = "kvm"
memory   = 16
kernel   = "$MINIOS_SCRIBBLE"
xenstore = [ "minios/ip=$S.4" ]
vif      = [ "link=stub0,vlan=20,mac=02:08:20:44:00:14" ]
CFG
xvm create "$T/ks.cfg" >/dev/null 2>&1 || fail "xvm create ks"
ks=$(domid ks)
wait_until 15 both_connected "$ks" || fail "ks: vif not Connected"
V="xvm${ks}_0"
# its three answers are still honest; then the TX ring is garbage
ping_ok pd "$S.4" && ok "pd pings ks before it turns" || fail "pd cannot ping ks"
wait_until 5 sh -c "tr -d '\r' <'$T/state/console/ks.log' |
    grep -q 'minios: scribbled'" && ok "ks scribbled over its TX ring" ||
    fail "ks did not scribble: $(log_of ks | tail -2)"
wait_until 5 grep -q "vif$ks.0: disabled (tx-prod-overflow)" "$T/vswitchd.log" &&
    ok "vswitchd: $(grep -o "vif$ks.0: disabled.*" "$T/vswitchd.log" | head -1)" ||
    fail "vif $ks.0 not disabled: $(grep "vif$ks.0" "$T/vswitchd.log" | tail -2)"
expect "one line for it, the only vif disabled" "1 1" \
    "$(grep -c "vif$ks.0: disabled" "$T/vswitchd.log") $(grep -c ": disabled (" "$T/vswitchd.log")"
ping_ok pd "$S.4" && fail "ks still answers through a disabled vif" ||
    ok "ks no longer answers"
drops=$(ctl stat "$V" vif-error 2>/dev/null)
[ "${drops:-0}" -ge 1 ] && ok "frames to ks dropped as vif-error: $drops" ||
    fail "no vif-error drops on $V: '$drops'"
# only that vif: vswitchd, the host and the others go on
kill -0 "$VSWD_PID" && ok "vswitchd still runs" || fail "vswitchd died"
expect "ks itself is not crashed" running "$(state_of ks)"
ping_ok pd "$S.2" && ok "pd still pings kv" || fail "pd lost kv"
if out=$(xvm exec pd python3 - "$S.2" 2000 16 <"$ECHO_CLIENT" 2>&1); then
    ok "pd: 2000 more UDP echoes from kv: $out"
else
    fail "pd -> kv UDP echo after ks: $out"
fi
# kv answers `xvm shutdown` on its vCPU 0 (control/shutdown), which
# stops its vCPU 1 too: status 0, its counts on the console
kvpid=$(xvm dominfo kv | awk '$1 == "PID:" { print $2 }')
xvm shutdown kv >/dev/null || fail "shutdown kv"
wait_until 10 sh -c "! kill -0 $kvpid 2>/dev/null" &&
    [ "$(state_of kv)" = "shut off" ] &&
    log_of kv | grep -q "^minios: poweroff" &&
    grep -q "domain kv: guest exited with status 0" "$T/xvmd.log" &&
    ok "kv ($KV_VCPUS vCPUs): xvm shutdown answered by the guest, status 0" ||
    fail "kv shutdown: '$(state_of kv)': $(log_of kv | tail -2)"
for d in ks pd po; do xvm destroy "$d" >/dev/null || fail "destroy $d"; done
gone "$ks" "ks destroyed"

# --- run 3: start; xvmd restarts under it; destroy -------------------------
# The guest with its vif outlives xvmd (SIGKILL): it answers pings while
# xvmd is away; the next xvmd adopts it with its monitor, vif and VNIC,
# and the destroy of the adopted guest leaves nothing.
xvm start kn >/dev/null 2>&1 || fail "xvm start kn (3)"
g=$(domid kn)
connected "$g"
mpid=$(xvm dominfo kn | sed -n 's/^PID: *//p')
kill -KILL "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null
XVMD_PID=
kill -0 "$mpid" 2>/dev/null && ok "xvmd killed: the monitor runs on" ||
    fail "the monitor died with xvmd"
pings
start_xvmd
[ "$(state_of kn)" = running ] && [ "$(domid kn)" = "$g" ] &&
    [ "$(xvm dominfo kn | sed -n 's/^PID: *//p')" = "$mpid" ] &&
    grep -q "domain kn (id $g): adopted, running" "$T/xvmd.log" &&
    ok "xvmd restarted: kn adopted, domain $g, monitor $mpid" ||
    fail "kn not adopted: '$(state_of kn)': $(log_of kn | tail -3)"
expect "the adopted vif" "Vifs: vif 0 on phys0, connected (VNIC xvm${g}_0)" \
    "$(xvm dominfo kn | grep -A1 '^Vifs:' | head -1 | tr -s ' ')"
both_connected "$g" && ok "vif 0 still Connected on both ends" ||
    fail "vif 0: frontend '$(fe_state "$g")', backend '$(be_state "$g")'"
pings
xvm destroy kn >/dev/null || fail "xvm destroy kn"
expect "destroy: shut off" "shut off" "$(state_of kn)"
gone "$g" "after xvm destroy"
finish
