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
# has 2000 UDP datagrams echoed.  domiflist and dominfo show the vif as a
# process domain's.  Three runs end three ways, each leaving nothing
# behind (nodes, VNIC, monitor): `xvm shutdown`; the guest's own poweroff
# (control/shutdown, minios prints what it answered); `xvm destroy`.
# Bad xenstore entries are refused with their words and leave nothing.
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
    pgrep -f -- "--domain kn --id $id " >/dev/null && left="$left monitor"
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

start_xvmd
outside_up
start_vswd
links_up
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

# UDP echo: N datagrams to port 7, one at a time, each answered in kind.
N=${KVM_NET_ECHOES:-2000}
got=$(ip netns exec "$NS_OUT" python3 - "$GIP" "$N" <<'PY'
import socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
ok = 0
for i in range(n):
    msg = b"%08d" % i + bytes(i % 200)
    s.sendto(msg, (ip, 7))
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        continue
    if data == msg and src == (ip, 7):
        ok += 1
print(ok)
PY
)
[ "$got" = "$N" ] && ok "$N UDP echoes, none lost" ||
    fail "UDP echo: $got of $N came back"

xvm shutdown kn >/dev/null || fail "xvm shutdown kn"
wait_until 10 sh -c "[ \"\$('$XVM' dominfo kn | sed -n 's/^State: *//p')\" = 'shut off' ]" &&
    ok "xvm shutdown: shut off" || fail "after shutdown: '$(state_of kn)'"
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

# --- run 3: start, destroy --------------------------------------------------
xvm start kn >/dev/null 2>&1 || fail "xvm start kn (3)"
g=$(domid kn)
connected "$g"
xvm destroy kn >/dev/null || fail "xvm destroy kn"
expect "destroy: shut off" "shut off" "$(state_of kn)"
gone "$g" "after xvm destroy"
finish
