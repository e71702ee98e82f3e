# SPDX-License-Identifier: MIT
# The fixture of the tests that run vswitchd alone (sourced): the outside
# world of common.sh, whose veth end is vswitchd's "phys0"; "guests" are
# namespaces each given a host-TAP VNIC the switch made.  vswitchd runs
# with a private socket, state directory and DPDK prefix.  Everything is
# removed on exit, even on failure; fail() ends the test at once.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TMP=$(mktemp -d /tmp/vsw-it.XXXXXX)
# Every tool finds vswitchd in the runtime directory (xvm/rundir.h).
export XVNET_RUNDIR="$TMP/run"
mkdir -p "$XVNET_RUNDIR"
SOCK="$XVNET_RUNDIR/vswitchd.sock"
STATE="$TMP/state"
VSWD_PREFIX="vswit${ID}"
VSWD_PID=""
GUESTS=""

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "--- $*"; }

# A test or benchmark may set CLEANUP_HOOK to a function of its own that
# runs first (as in guests.sh).
cleanup() {
    local ns
    [ -n "${CLEANUP_HOOK:-}" ] && "$CLEANUP_HOOK"
    if [ -n "$VSWD_PID" ]; then
        kill "$VSWD_PID" 2>/dev/null
        wait "$VSWD_PID" 2>/dev/null
    fi
    for ns in $GUESTS; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    outside_down
    rm -rf "$TMP" "/var/run/dpdk/$VSWD_PREFIX"
    rm -f "$SOCK"
}
trap cleanup EXIT

require() {
    [ "$(id -u)" = 0 ] || skip "needs root (namespaces, TAP, af_packet)"
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    [ -x "${VSWITCHD:-}" ] || skip "VSWITCHD not set (run through meson test)"
    [ -x "${VSWCTL:-}" ] || skip "VSWCTL not set (run through meson test)"
    local t
    for t in ip ping "$@"; do
        command -v "$t" >/dev/null || skip "$t not installed"
    done
    ip netns add "vsw${ID}probe" 2>/dev/null || skip "cannot create netns"
    ip netns del "vsw${ID}probe"
}

ctl() { "$VSWCTL" -s "$SOCK" "$@"; }

# A counter of a link or VNIC: stat NAME FIELD.
stat_of() { ctl stat "$1" "$2"; }

outside_up() { outside_make || fail "cannot make the outside world"; }

# vswitchd with the config file $1 (may be empty), extra args after; in
# the namespace $VSWD_NETNS if set.
vswd_start() {
    local conf="$1"
    shift
    mkdir -p "$STATE"
    # Emptied here, not by the background job's redirection, which may
    # come after the first look for "ready on" of an earlier start.
    : >"$TMP/vswitchd.log"
    # $VSWD_NETNS: vswitchd runs in that namespace (the test's "host"),
    # so the host interfaces of its VNICs are made there (ip netns exec
    # execs in place: $! is vswitchd).
    ${VSWD_NETNS:+ip netns exec "$VSWD_NETNS"} \
    "$VSWITCHD" ${conf:+-c "$conf"} -S "$STATE" -s "$SOCK" \
        -F "$VSWD_PREFIX" -m 128 "$@" >>"$TMP/vswitchd.log" 2>&1 &
    VSWD_PID=$!
    local i
    for i in $(seq 100); do
        grep -q "ready on" "$TMP/vswitchd.log" && return 0
        kill -0 "$VSWD_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/vswitchd.log"
    fail "vswitchd did not start"
}

# phys_conf FILE [LINE...]: a configuration for vswitchd: link phys0 on
# the switch's end of the outside world's veth, then these lines.
phys_conf() {
    local f="$1"
    shift
    echo "link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW" >"$f"
    [ $# -eq 0 ] || printf '%s\n' "$@" >>"$f"
}

vswd_kill9() {
    kill -9 "$VSWD_PID"
    wait "$VSWD_PID" 2>/dev/null
    VSWD_PID=""
}

# guest_up NS TAP ADDR/PREFIX: a guest namespace owning the TAP.
guest_up() {
    local ns="$1" tap="$2" addr="$3" i
    ip netns list | grep -qw "$ns" || ip netns add "$ns"
    GUESTS="$GUESTS $ns"
    for i in $(seq 50); do
        ip link show "$tap" >/dev/null 2>&1 && break
        sleep 0.1
    done
    ip link set "$tap" netns "$ns" || fail "move $tap to $ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$tap" up
    ip -n "$ns" addr add "$addr" dev "$tap"
}

# ping_ok NS ADDR / ping_fails NS ADDR
ping_ok() {
    ip netns exec "$1" ping -c 3 -i 0.2 -W 2 -q "$2" >/dev/null ||
        fail "ping $2 from $1 failed"
}
ping_fails() {
    ! ip netns exec "$1" ping -c 2 -i 0.2 -W 1 -q "$2" >/dev/null ||
        fail "ping $2 from $1 succeeded but must not"
}

