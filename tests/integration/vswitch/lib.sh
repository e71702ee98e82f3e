# SPDX-License-Identifier: MIT
# Shared by the vswitch integration tests (sourced, not run).
#
# The topology every test builds from:
#   - namespace $NS_OUT, the outside world, holds one end of a veth pair
#     ($VETH_OUT); the other end ($VETH_SW) stays in the root namespace and
#     is vswitchd's physical link "phys0" through net_af_packet;
#   - guests are namespaces $NS_G<n>, each given a host-TAP VNIC that the
#     switch created in the root namespace.
# Everything is named with a per-run id and removed on exit, even on
# failure.  A test that cannot run here prints why and exits 77.

set -u

ID=$(( $$ % 90000 + 10000 ))
NS_OUT="vsw${ID}out"
VETH_SW="vw${ID}s"
VETH_OUT="vw${ID}o"
TMP=$(mktemp -d /tmp/vsw-it.XXXXXX)
SOCK="/run/xvnet/vswitchd-test-${ID}.sock"
STATE="$TMP/state"
VSWD_PID=""
GUESTS=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "--- $*"; }

cleanup() {
    local ns p
    # vsw-guest runs in the root namespace (only its TAP is in a guest's).
    for p in ${GUEST_PIDS:-}; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ -n "$VSWD_PID" ]; then
        kill "$VSWD_PID" 2>/dev/null
        wait "$VSWD_PID" 2>/dev/null
    fi
    for ns in $GUESTS $NS_OUT; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    ip link del "$VETH_SW" 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/vswit${ID}"
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

# The outside world and the veth to it; IPv6 off so that no stray
# router or neighbour solicitations show up in the counters.
outside_up() {
    ip netns add "$NS_OUT" || fail "netns $NS_OUT"
    ip link add "$VETH_SW" type veth peer name "$VETH_OUT" || fail "veth"
    ip link set "$VETH_OUT" netns "$NS_OUT"
    sysctl -qw "net.ipv6.conf.$VETH_SW.disable_ipv6=1"
    ip link set "$VETH_SW" up
    ip netns exec "$NS_OUT" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$NS_OUT" link set lo up
    ip -n "$NS_OUT" link set "$VETH_OUT" up
}

# vswitchd with the config file $1 (may be empty), extra args after.
vswd_start() {
    local conf="$1"
    shift
    mkdir -p "$STATE"
    # Emptied here, not by the background job's redirection, which may
    # come after the first look for "ready on" of an earlier start.
    : >"$TMP/vswitchd.log"
    "$VSWITCHD" ${conf:+-c "$conf"} -S "$STATE" -s "$SOCK" \
        -F "vswit${ID}" -m 128 "$@" >>"$TMP/vswitchd.log" 2>&1 &
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

# The outside end plays a host on VLAN $1 (no 802.1Q in this kernel: tc
# BPF pops that tag on ingress and pushes it on egress).
outside_vlan_host() {
    local vid="$1" addr="$2"
    [ -n "${VLAN_BPF_IN:-}" ] && [ -f "$VLAN_BPF_IN" ] ||
        skip "VLAN BPF objects not built (needs clang)"
    [ "$vid" = 10 ] || fail "the BPF objects are built for VLAN 10"
    ip netns exec "$NS_OUT" tc qdisc add dev "$VETH_OUT" clsact ||
        skip "no clsact qdisc"
    ip netns exec "$NS_OUT" tc filter add dev "$VETH_OUT" ingress bpf da \
        obj "$VLAN_BPF_IN" sec tc || skip "cannot load tc BPF"
    ip netns exec "$NS_OUT" tc filter add dev "$VETH_OUT" egress bpf da \
        obj "$VLAN_BPF_EG" sec tc || skip "cannot load tc BPF"
    ip -n "$NS_OUT" addr add "$addr" dev "$VETH_OUT"
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

# vif_guest NAME VNIC DOMID MODE ARGS...: vsw-guest in the background,
# attached to VNIC; its pid in $GPID, output in $TMP/NAME.log.
vif_guest() {
    local name="$1" vnic="$2" domid="$3" i
    shift 3
    [ -x "${VSW_GUEST:-}" ] || skip "VSW_GUEST not set (run through meson test)"
    "$VSW_GUEST" -s "$SOCK" -v "$vnic" -d "$domid" "$@" \
        >"$TMP/$name.log" 2>&1 &
    GPID=$!
    GUEST_PIDS="${GUEST_PIDS:-} $GPID"
    for i in $(seq 50); do
        grep -q "attached" "$TMP/$name.log" && return 0
        kill -0 "$GPID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/$name.log"
    fail "guest $name did not attach"
}
