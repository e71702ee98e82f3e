#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvm-procdom is a netif guest: a domain created with vifs runs the xenbus
# frontend on its own xenstore connection, reaches Connected with the
# backend (both states read with the stock xenstore-read), and has eth<N>
# with the configured MAC in its namespace.  Created before any backend
# runs, it does not hold up `xvm create` and waits in Initialising.  A
# backend that stops (cleanly, or killed) and comes back gets the frontend
# back to Connected with eth0, its ifindex and its address untouched.  On
# shutdown the frontend goes Closing, then Closed, before the guest exits;
# nothing is left behind.
#
# usage: test_guest_vif_connect.sh XVMD XVM XVM-PROCDOM BACKEND
set -u
XVMD=$1 XVM=$2 PROCDOM=$3 BACKEND=$4
. "$(dirname "$0")/lib.sh"

start_xvmd
MAC=02:08:20:00:01:01
cfg=$(domain_cfg g1 $MAC)
t0=$(date +%s%N)
xvm create "$cfg" >/dev/null || { fail "create"; finish; exit 1; }
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $ms -lt 2000 ]; then ok "create with no backend running returns (${ms} ms)"
else fail "create took ${ms} ms"; fi
id=$(domid g1)
if wait_for 20 fe_is "$id" 1; then ok "frontend waits in Initialising"
else fail "frontend state '$(fe_state "$id")' with no backend"; fi

start_backend
if wait_for 50 both_connected "$id"; then ok "frontend and backend Connected"
else fail "states: frontend '$(fe_state "$id")' backend '$(be_state "$id")'"; fi
fe=/local/domain/$id/device/vif/0
expect "request-rx-copy" 1 "$(rd $fe/request-rx-copy)"
for k in tx-ring-ref rx-ring-ref event-channel; do
    case "$(rd $fe/$k)" in [0-9]*) ok "$k published" ;; *) fail "$k: '$(rd $fe/$k)'" ;; esac
done
link=$(xvm exec g1 ip -o link show eth0 2>&1)
case "$link" in
*"state UP"*"link/ether $MAC "*) ok "xvm exec g1 ip link: eth0 up with $MAC" ;;
*) fail "eth0: $link" ;;
esac
xvm exec g1 ip addr add 10.77.0.1/24 dev eth0 || fail "address on eth0"
ifindex=$(xvm exec g1 cat /sys/class/net/eth0/ifindex)
ref=$(rd $fe/tx-ring-ref)

same_eth0() { # same_eth0 WHEN
    expect "eth0 keeps its ifindex ($1)" "$ifindex" "$(xvm exec g1 cat /sys/class/net/eth0/ifindex 2>&1)"
    case "$(xvm exec g1 ip -4 -o addr show dev eth0)" in
    *10.77.0.1/24*) ok "eth0 keeps its address ($1)" ;;
    *) fail "eth0 lost its address ($1)" ;;
    esac
}

# A backend that stops cleanly writes Closed: the frontend lets go and
# waits for the next one.
stop_backend TERM
if wait_for 30 fe_is "$id" 1; then ok "backend gone: frontend back to Initialising"
else fail "backend gone: frontend state '$(fe_state "$id")'"; fi
same_eth0 "backend stopped"
start_backend
if wait_for 50 both_connected "$id"; then ok "reconnected to the new backend"
else fail "no reconnect: frontend '$(fe_state "$id")' backend '$(be_state "$id")'"; fi
same_eth0 "after reconnect"

# A backend killed outright leaves its state Connected; its successor
# sends the frontend through Closing and it comes back with new rings.
ref=$(rd $fe/tx-ring-ref)
stop_backend KILL
start_backend
# Both states still read 4 from before the kill until the new backend acts:
# wait for the new session (new rings) first, then for Connected.
ring_changed() { [ "$(rd $fe/tx-ring-ref)" != "$ref" ]; }
if wait_for 50 ring_changed && wait_for 50 both_connected "$id"; then
    ok "reconnected after the backend was killed (tx-ring-ref $ref -> $(rd $fe/tx-ring-ref))"
else fail "after kill: frontend '$(fe_state "$id")' backend '$(be_state "$id")' ref $(rd $fe/tx-ring-ref)"; fi
same_eth0 "after the backend was killed"
case "$(xvm exec g1 ip -o link show eth0)" in
*"state UP"*) ok "eth0 carrier back" ;; *) fail "eth0 not up again" ;; esac

# Two vifs: eth0 and eth1, each with its MAC.
cfg=$(domain_cfg g2 02:08:20:00:02:00 02:08:20:00:02:01)
xvm create "$cfg" >/dev/null || fail "create g2"
id2=$(domid g2)
if wait_for 50 both_connected "$id2" 0 && wait_for 50 both_connected "$id2" 1; then
    ok "g2: both vifs Connected"
else fail "g2: vif states $(fe_state "$id2" 0)/$(be_state "$id2" 0) $(fe_state "$id2" 1)/$(be_state "$id2" 1)"; fi
expect "g2 eth0 MAC" 02:08:20:00:02:00 "$(guest_mac g2 eth0)"
expect "g2 eth1 MAC" 02:08:20:00:02:01 "$(guest_mac g2 eth1)"

# Shutdown: SIGTERM to the guest, which closes its frontend first.
lines=$(wc -l <"$T/be.out")
xvm shutdown g1 >/dev/null || fail "shutdown"
if wait_for 50 sh -c "\"$XVM\" -s \"$SOCK\" list --all | grep -q 'g1 *shut off'"; then
    ok "g1 shut off"
else fail "g1 did not shut off"; fi
if in_test_backend; then
    seq=$(tail -n +$((lines + 1)) "$T/be.out" | sed -n "s/^fe $id\.0 state //p" | tr '\n' ' ')
    case "$seq" in
    "5 6 "*) ok "frontend closed cleanly: states $seq" ;;
    *) fail "frontend states on shutdown: '$seq'" ;;
    esac
fi
if grep -q 'disabled\|broken' "$T/be.err" 2>/dev/null; then
    fail "the backend saw a protocol error"; grep 'disabled\|broken' "$T/be.err"
else ok "no protocol error seen by the backend"; fi
check_gone g1 "$id"
xvm destroy g2 >/dev/null || fail "destroy g2"
check_gone g2 "$id2"
finish
