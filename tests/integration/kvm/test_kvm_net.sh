#!/bin/bash
# SPDX-License-Identifier: MIT
#
# minios on the network.  A real xenstored and vswitchd; kvm_dom0 plays
# xvmd's part for the KVM domain (its nodes with vif 0 on link phys0 and
# minios/ip, its xenstore connection, its memory for the backend, the
# event-channel broker) and runs xvm-kvm.  minios connects its libxnf
# frontend to vswitchd's netback through xenstore and the brokered event
# channels; the outside namespace, behind phys0, pings it and has UDP
# datagrams echoed; control/shutdown powers it off, and it counts what it
# answered.
. "$(dirname "$0")/kvm_lib.sh"

need_kvm
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, af_packet)"
for t in ip ping python3 xenstore-write; do
    command -v "$t" >/dev/null || skip "$t not installed"
done

export XVNET_RUNDIR=$TMP XENSTORED_PATH=$TMP/xenstored.sock
PREFIX="kvmnet${ID}"
DOM=$((ID % 30000 + 100))
XS_PID= VSWD_PID= DOM0_PID=
GIP=10.81.$((ID % 200)).2
OIP=10.81.$((ID % 200)).1

cleanup() {
    [ -n "$DOM0_PID" ] && kill "$DOM0_PID" 2>/dev/null && wait "$DOM0_PID"
    [ -n "$VSWD_PID" ] && kill "$VSWD_PID" 2>/dev/null && wait "$VSWD_PID"
    [ -n "$XS_PID" ] && kill "$XS_PID" 2>/dev/null && wait "$XS_PID"
    outside_down
    if [ "$FAILS" -ne 0 ]; then
        for f in "$TMP"/*.log "$TMP"/console; do
            [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }
        done
    fi
    rm -rf "$TMP" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
ctl() { "$VSWCTL" "$@"; }

"$XENSTORED" -s "$XENSTORED_PATH" -f 2>"$TMP/xenstored.log" &
XS_PID=$!
wait_until 5 test -S "$XENSTORED_PATH" || { fail "xenstored"; exit 1; }
outside_make || { fail "cannot make the outside world"; exit 1; }
mkdir -p "$TMP/vsw-state"
"$VSWITCHD" -S "$TMP/vsw-state" -F "$PREFIX" -m 128 -x "$XENSTORED_PATH" \
    >"$TMP/vswitchd.out" 2>"$TMP/vswitchd.log" &
VSWD_PID=$!
wait_until 15 grep -q "ready on" "$TMP/vswitchd.out" ||
    { fail "vswitchd did not start"; exit 1; }
ctl link-create phys0 phys "net_af_packet0,iface=$VETH_SW" >/dev/null ||
    { fail "link phys0"; exit 1; }

"$KVM_DOM0" "$XVM_KVM" "$MINIOS" "$DOM" phys0 02:08:20:44:00:02 \
    "minios/ip=$GIP" >"$TMP/console" 2>"$TMP/dom0.log" &
: >>"$TMP/console"
DOM0_PID=$!
if wait_until 20 grep -q "minios: eth0 up" "$TMP/console"; then
    echo "ok   minios connected its vif: $(grep 'eth0 up' "$TMP/console")"
else
    fail "minios did not connect: $(tail -3 "$TMP/console"; tail -3 "$TMP/dom0.log")"
    exit 1
fi
be=$(xenstore-read "/local/domain/0/backend/vif/$DOM/0/state" 2>/dev/null)
[ "$be" = 4 ] && echo "ok   the backend is Connected" ||
    fail "backend state '$be'"

ip -n "$NS_OUT" addr add "$OIP/24" dev "$VETH_OUT"
if ip netns exec "$NS_OUT" ping -c 5 -i 0.2 -W 2 -q "$GIP" >"$TMP/ping" 2>&1; then
    echo "ok   the outside pings minios: $(grep -o '[0-9]* received' "$TMP/ping")"
else
    fail "ping $GIP: $(tail -2 "$TMP/ping")"
fi

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
[ "$got" = "$N" ] && echo "ok   $N UDP echoes, none lost" ||
    fail "UDP echo: $got of $N came back"

xenstore-write "/local/domain/$DOM/control/shutdown" poweroff
rc=0
wait_until 10 sh -c "! kill -0 $DOM0_PID 2>/dev/null" || fail "no poweroff"
wait "$DOM0_PID" || rc=$?
DOM0_PID=
[ "$rc" = 0 ] && echo "ok   minios powered off" ||
    fail "the monitor exited $rc: $(tail -2 "$TMP/dom0.log")"
stats=$(grep "minios: arp" "$TMP/console")
icmp=$(echo "$stats" | sed -n 's/.* icmp \([0-9]*\) .*/\1/p')
echo_n=$(echo "$stats" | sed -n 's/.* udp-echo \([0-9]*\) .*/\1/p')
[ "${icmp:-0}" -ge 5 ] && [ "${echo_n:-0}" -ge "$N" ] &&
    echo "ok   minios counted them: $stats" || fail "minios's counts: '$stats'"
gone=$(xenstore-read "/local/domain/0/backend/vif/$DOM/0/state" 2>/dev/null)
[ -z "$gone" ] && echo "ok   the domain's nodes are gone" ||
    fail "backend state still '$gone'"

echo "$FAILS failure(s)"
[ "$FAILS" -eq 0 ]
