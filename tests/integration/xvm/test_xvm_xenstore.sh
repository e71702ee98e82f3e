#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvmd's embedded xenstored, seen with Debian's stock xenstore tools: a
# domain created with a vif appears under /local/domain/<id> with the
# toolstack nodes of the netif handshake (netif.md section 5), with the
# permissions Xen gives them, and everything is gone after destroy.
#
# It also checks what a backend gets from xvmd for the domain (its memory)
# and what it is refused (xvmd_backend_check).
#
# usage: test_xvm_xenstore.sh XVMD XVM XVM-PROCDOM XVMD-BACKEND-CHECK
. "$(dirname "$0")/../../lib/common.sh"
XVMD=$1 XVM_BIN=$2 PROCDOM=$3 BACKEND_CHECK=$4
if [ "$(id -u)" != 0 ]; then
    skip "needs root (network namespaces)"
fi
for t in xenstore-read xenstore-ls xenstore-exists; do
    command -v $t >/dev/null || { skip "$t missing (xenstore-utils)"; }
done

T=$(mktemp -d /tmp/xvm-xs.XXXXXX)
XVMD_PID=
fails=0
cleanup() {
    [ -n "$XVMD_PID" ] && xvm_destroy_all "$XVM_BIN" -s "$T/xvmd.sock"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    xenstored_stop "$T"
    umount -l "$T/netns" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
export XENSTORED_PATH=$T/xs.sock
ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # expect DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
xvm() { "$XVM_BIN" -s "$T/xvmd.sock" "$@"; }
rd() { xenstore-read "$1" 2>&1; }

mkdir -p "$T/netns"
"$XVMD" -s "$T/xvmd.sock" -x "$XENSTORED_PATH" -d "$T/state" -n "$T/netns" \
    -p "$PROCDOM" -t 3 2>"$T/xvmd.log" &
XVMD_PID=$!
for _ in $(seq 50); do grep -q "xvmd: listening on" "$T/xvmd.log" && break; sleep 0.1; done
[ -S "$XENSTORED_PATH" ] || { echo "FAIL: no xenstored socket"; cat "$T/xvmd.log"; exit 1; }

cat >"$T/web1.cfg" <<'CFG'
name = "web1"
memory = 32
vif = [ "link=phys0,vlan=10,maxbw=100M,mac=02:08:20:aa:bb:cc",
        "link=stub0" ]
CFG
xvm create --no-wait "$T/web1.cfg" >/dev/null || { fail "create"; cat "$T/xvmd.log"; exit 1; }
id=$(xvm dominfo web1 | sed -n 's/^Id: *//p')
uuid=$(xvm dominfo web1 | sed -n 's/^UUID: *//p')
expect "domain id" 1 "$id"

fe=/local/domain/$id/device/vif/0
be=/local/domain/0/backend/vif/$id/0
expect "name" web1 "$(rd /local/domain/$id/name)"
expect "domid" "$id" "$(rd /local/domain/$id/domid)"
expect "vm path" "/vm/$uuid" "$(rd /local/domain/$id/vm)"
expect "vm uuid" "$uuid" "$(rd /vm/$uuid/uuid)"
expect "frontend backend" "$be" "$(rd $fe/backend)"
expect "frontend backend-id" 0 "$(rd $fe/backend-id)"
expect "frontend state Initialising" 1 "$(rd $fe/state)"
expect "frontend mac" 02:08:20:aa:bb:cc "$(rd $fe/mac)"
expect "frontend mtu" 1500 "$(rd $fe/mtu)"
expect "backend frontend" "$fe" "$(rd $be/frontend)"
expect "backend frontend-id" "$id" "$(rd $be/frontend-id)"
expect "backend online" 1 "$(rd $be/online)"
expect "backend state Initialising" 1 "$(rd $be/state)"
expect "backend mac" 02:08:20:aa:bb:cc "$(rd $be/mac)"
expect "backend bridge (the link)" phys0 "$(rd $be/bridge)"
expect "backend vlan" 10 "$(rd $be/vlan)"
expect "backend rate: 100 Mbit/s in 50 ms windows" 625000,50000 "$(rd $be/rate)"
expect "backend handle" 0 "$(rd $be/handle)"
expect "backend priority (default, as dladm)" high "$(rd $be/priority)"
expect "second vif handle" 1 "$(rd /local/domain/0/backend/vif/$id/1/handle)"
mac1=$(rd /local/domain/$id/device/vif/1/mac)
case "$mac1" in
02:08:20:??:??:??) ok "auto MAC has the random prefix ($mac1)" ;;
*) fail "auto MAC: $mac1" ;;
esac
if xenstore-exists /local/domain/0/backend/vif/$id/1/rate 2>/dev/null; then
    fail "no maxbw: no rate key"
else ok "no maxbw: no rate key"; fi
# Permissions: the guest owns its device directory, dom0 may read; the
# backend directory is dom0's and the guest may read it.
expect "guest home perms" "n$id,r0" "$(xenstore-ls -p /local/domain/$id 2>/dev/null | sed -n 's/^device = .*(\(.*\))$/\1/p')"
expect "domid key: dom0's, the guest may read" "n0,r$id" "$(xenstore-ls -p /local/domain/$id 2>/dev/null | sed -n 's/^domid = .*(\(.*\))$/\1/p')"
expect "frontend perms" "n$id,r0" "$(xenstore-ls -p "$fe" 2>/dev/null | sed -n 's/^backend = .*(\(.*\))$/\1/p')"
expect "backend perms" "n0,r$id" "$(xenstore-ls -p "$be" 2>/dev/null | sed -n 's/^frontend = .*(\(.*\))$/\1/p')"

if "$BACKEND_CHECK" "$T/xvmd.sock" "$id" 32; then
    ok "backend hand-offs (memory, refusals)"
else fail "backend hand-offs"; fi

xvm destroy web1 >/dev/null || fail "destroy"
for p in /local/domain/$id /local/domain/0/backend/vif/$id /vm/$uuid; do
    if xenstore-exists "$p" 2>/dev/null; then fail "$p left after destroy"
    else ok "$p removed after destroy"; fi
done
# Re-create: a new id, nodes back.
xvm create --no-wait "$T/web1.cfg" >/dev/null || fail "re-create"
id2=$(xvm dominfo web1 | sed -n 's/^Id: *//p')
expect "new id on re-create" 2 "$id2"
expect "nodes of the new run" web1 "$(rd /local/domain/$id2/name)"

echo "$fails failure(s)"
[ $fails -eq 0 ]
