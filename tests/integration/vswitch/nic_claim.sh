#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Two vswitchds never attach one host NIC: each claims the interfaces its
# links' devargs name (an flock in /run/lock/xvnet/ keyed by the network
# namespace and the ifindex, holding its pid).  In a namespace of the
# test's own, with a veth pair vA/vB in it:
#   - vswitchd A attaches vA from its boot configuration;
#   - vswitchd B with the same boot configuration stops at once, its log
#     naming the holder: "link phys0: vA is already attached by vswitchd
#     (pid A)"; started without it, B is refused vA over its socket with
#     the same words, and takes vB;
#   - A itself cannot attach vA twice under another DPDK device name;
#   - the same name in another namespace is another NIC: vswitchd C there
#     takes it;
#   - a deleted link gives the NIC up (B takes vA; A is then refused,
#     naming B), and so does a vswitchd killed with SIGKILL (A takes it
#     back);
#   - a clean stop removes its lock file; a SIGKILL leaves it, unlocked,
#     for the next claim to take over.
. "$(dirname "$0")/../../lib/switch.sh"
require flock

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
die() { echo "FAIL: $*"; exit 1; }

NSW="vsw${ID}nic"   # the switches' namespace
NSC="vsw${ID}nic2"  # another namespace, with a vA of its own
VA="vn${ID}a" VB="vn${ID}b"
declare -A PID=()

mine_down() {
    local n
    for n in "${!PID[@]}"; do
        [ -n "${PID[$n]}" ] && kill "${PID[$n]}" 2>/dev/null &&
            wait "${PID[$n]}" 2>/dev/null
    done
    # What a killed vswitchd left (free, but ours to remove).
    [ -n "${LOCKS:-}" ] && rm -f "$LOCKS"-if-*.lock
    ip netns del "$NSW" 2>/dev/null
    ip netns del "$NSC" 2>/dev/null
    rm -rf "/var/run/dpdk/vswit${ID}A" "/var/run/dpdk/vswit${ID}B" \
        "/var/run/dpdk/vswit${ID}C"
}
trap 'mine_down; cleanup' EXIT

for ns in "$NSW" "$NSC"; do
    ip netns add "$ns" || die "cannot make namespace $ns"
    ip -n "$ns" link add "$VA" type veth peer name "$VB" || die "veth in $ns"
    ip -n "$ns" link set "$VA" up && ip -n "$ns" link set "$VB" up
done
echo "link phys0 class=phys devargs=net_af_packet0,iface=$VA" >"$TMP/a.conf"
# The lock files of $NSW's interfaces start with this.
LOCKS="/run/lock/xvnet/net-$(stat -L -c %i "/run/netns/$NSW")"

# vsw NAME NS [vswitchd args]: start vswitchd NAME in namespace NS with its
# own socket, state directory and DPDK prefix; wait until it is ready or
# has stopped.  @return 0 when ready.
vsw() {
    local name=$1 ns=$2 i
    shift 2
    mkdir -p "$TMP/$name-state"
    : >"$TMP/$name.log"
    ip netns exec "$ns" "$VSWITCHD" -S "$TMP/$name-state" -s "$TMP/$name.sock" \
        -F "vswit${ID}$name" -m 128 "$@" >>"$TMP/$name.log" 2>&1 &
    PID[$name]=$!
    for i in $(seq 150); do
        grep -q "ready on" "$TMP/$name.log" && return 0
        kill -0 "${PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    wait "${PID[$name]}" 2>/dev/null
    PID[$name]=""
    return 1
}
vctl() { local name=$1; shift; "$VSWCTL" -s "$TMP/$name.sock" "$@"; }
# claim NAME LINK IFACE N: link-create a temporary phys link on IFACE (DPDK
# device net_af_packetN); prints vswctl's message, returns its status.
claim() {
    vctl "$1" link-create -t "$2" phys "net_af_packet$4,iface=$3" 2>&1
}
# refused WHO NAME LINK IFACE N HOLDER: the claim fails, naming HOLDER.
refused() {
    local who=$1 out rc
    shift
    out=$(claim "$@"); rc=$?
    local want="vswctl: link $2: $3 is already attached by vswitchd (pid $5)"
    if [ $rc = 1 ] && [ "$out" = "$want" ]; then ok "$who: $out"
    else fail "$who: exit $rc, '$out' (want 1, '$want')"; fi
    vctl "$1" link-show 2>/dev/null | grep -q "^$2 " &&
        fail "$who: $2 was made all the same"
}

vsw A "$NSW" -c "$TMP/a.conf" || die "A did not start: $(cat "$TMP/A.log")"
ok "A attached $VA (pid ${PID[A]})"
[ "$(cat "$LOCKS"-if-* 2>/dev/null)" = "${PID[A]}" ] &&
    ok "the lock file holds A's pid" ||
    fail "no lock file with A's pid: $(ls -l /run/lock/xvnet 2>&1)"

want="link phys0: $VA is already attached by vswitchd (pid ${PID[A]})"
if vsw B "$NSW" -c "$TMP/a.conf"; then
    fail "B started with $VA taken"
elif grep -q "vswitchd: error: $TMP/a.conf:1: $want$" "$TMP/B.log"; then
    ok "B stopped: $want"
else
    fail "B's log does not say '$want': $(grep -v EAL "$TMP/B.log")"
fi

vsw B "$NSW" || die "B did not start: $(cat "$TMP/B.log")"
refused "B over its socket" B phys0 "$VA" 0 "${PID[A]}"
out=$(claim B phys1 "$VB" 1) && ok "B takes $VB" || fail "B on $VB: $out"
refused "A twice (another device name)" A phys1 "$VA" 1 "${PID[A]}"

vsw C "$NSC" -c "$TMP/a.conf" && ok "C takes the $VA of another namespace" ||
    fail "C in $NSC: $(grep -v EAL "$TMP/C.log")"

# phys0 is of A's boot configuration: deleted until A restarts (-t)
vctl A link-delete -t phys0 || fail "A: delete phys0"
out=$(claim B phys0 "$VA" 2) && ok "A deleted phys0: B takes $VA" ||
    fail "B after A's delete: $out"
refused "A after B took it" A phys2 "$VA" 3 "${PID[B]}"

kill -9 "${PID[B]}"
wait "${PID[B]}" 2>/dev/null
PID[B]=""
out=$(claim A phys3 "$VA" 4) && ok "B killed -9: A takes $VA back" ||
    fail "A after B's death: $out"

# B's claim on vB died with it: its file is left, and free.
lockb="$LOCKS-if-$(ip -n "$NSW" -o link show "$VB" | cut -d: -f1).lock"
[ -f "$lockb" ] && flock -n "$lockb" true && ok "B's file for $VB is free" ||
    fail "$lockb: missing or still locked"
for n in A C; do
    kill "${PID[$n]}" && wait "${PID[$n]}" 2>/dev/null
    PID[$n]=""
done
locka="$LOCKS-if-$(ip -n "$NSW" -o link show "$VA" | cut -d: -f1).lock"
[ ! -e "$locka" ] && ok "A stopped: its lock file is gone" ||
    fail "left behind: $locka"

echo "$fails failure(s)"
[ $fails = 0 ]
