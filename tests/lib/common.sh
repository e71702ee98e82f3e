# SPDX-License-Identifier: MIT
# The base of every integration fixture (sourced through switch.sh or
# guests.sh, not on its own): a per-run id, the outside world, waiting.
#
#   - $ID names everything a run makes (namespaces, veths, DPDK prefixes),
#     so runs never collide and cleanup removes exactly what it made;
#   - the outside world is a namespace $NS_OUT holding one end ($VETH_OUT)
#     of a veth pair whose other end ($VETH_SW) stays in the root namespace
#     as vswitchd's physical link (net_af_packet);
#   - a test that cannot run here says why and exits 77 (skip).
set -u

ID=$(( $$ % 90000 + 10000 ))
NS_OUT="vsw${ID}out"
VETH_SW="vw${ID}s"
VETH_OUT="vw${ID}o"

skip() { echo "SKIP: $*"; exit 77; }

# wait_until SECONDS COMMAND...: until COMMAND succeeds, every 0.1 s.
wait_until() {
    local end=$((SECONDS + $1)); shift
    while :; do
        "$@" && return 0
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

# within_1s WHAT WANT COMMAND...: COMMAND prints WANT within one second
# (said with the time it took), else fail (the fixture's) and return 1.
within_1s() {
    local what=$1 want=$2 t0 ms got
    shift 2
    t0=$(date +%s%N)
    while :; do
        got=$("$@")
        ms=$((($(date +%s%N) - t0) / 1000000))
        if [ "$got" = "$want" ]; then
            echo "ok   $what ($ms ms)"
            return 0
        fi
        if [ "$ms" -ge 1000 ]; then
            fail "$what: '$got' after $ms ms, not '$want'"
            return 1
        fi
        sleep 0.02
    done
}

# free_id N: the first id from N up that is neither a group nor a user
# here (for tests that need a uid or gid no entry uses).
free_id() {
    local i=$1
    while getent group "$i" >/dev/null || getent passwd "$i" >/dev/null; do
        i=$((i + 1))
    done
    echo "$i"
}

# confinement_of PID UID: check from outside that process PID is confined
# as a domain's processes are (a process domain's sandbox, a KVM
# domain's monitor): uid and gid UID (real, effective, saved, fs), no
# supplementary group, no_new_privs, a seccomp filter, mount and network
# namespaces that are not ours, and a root that is not ours.  Prints
# what it saw; @return 1 if any of it is not so.
confinement_of() {
    local pid=$1 uid=$2 st=/proc/$1/status bad= ns
    [ "$(awk '$1 == "Uid:" || $1 == "Gid:" { printf "%s %s %s %s ", $2, $3, $4, $5 }' "$st")" = \
      "$uid $uid $uid $uid $uid $uid $uid $uid " ] || bad="$bad uid/gid"
    [ "$(awk '$1 == "Groups:" { print NF }' "$st")" = 1 ] || bad="$bad groups"
    [ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "$st")" = 1 ] || bad="$bad no_new_privs"
    [ "$(awk '$1 == "Seccomp:" { print $2 }' "$st")" = 2 ] || bad="$bad seccomp"
    for ns in mnt net; do
        [ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ] ||
            bad="$bad ${ns}-namespace"
    done
    # readlink of a root in another mount namespace may say "/" too: the
    # inode tells them apart
    [ "$(stat -Lc %d:%i "/proc/$pid/root/")" != "$(stat -c %d:%i /)" ] ||
        bad="$bad root"
    echo "uid $uid, no groups, no_new_privs, seccomp, own mnt and net" \
         "namespaces, own root${bad:+; NOT:$bad}"
    [ -z "$bad" ]
}

# xvm_destroy_all XVM [ARGS...]: destroy every active domain of the xvmd
# that `XVM ARGS list` reaches (xvmd's own stop leaves them running).
xvm_destroy_all() {
    local n
    for n in $("$@" list 2>/dev/null | awk 'NR > 2 { print $2 }'); do
        "$@" destroy "$n" >/dev/null 2>&1
    done
}

# xenstored_stop DIR: end the xenstored that an xvmd of this run started
# beside its socket in DIR (xvmd leaves it running: the store outlives
# it), by the pid in DIR/xenstored.pid, once it is sure that pid is one.
xenstored_stop() {
    local pid
    pid=$(cat "$1/xenstored.pid" 2>/dev/null) || return 0
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = xenstored ] || return 0
    pid_stop "$pid"
}

# pid_stop PID: end a process this test started, SIGKILL if it has not
# gone within 5 s, and reap it if it is our child.
pid_stop() {
    kill "$1" 2>/dev/null || return 0
    wait_until 5 sh -c "! kill -0 $1 2>/dev/null" || kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# The outside world and the veth to it; IPv6 off so that no stray router
# or neighbour solicitations show up in the counters.  @return non-zero if
# it cannot be made.
outside_make() {
    ip netns add "$NS_OUT" || return 1
    ip link add "$VETH_SW" type veth peer name "$VETH_OUT" || return 1
    ip link set "$VETH_OUT" netns "$NS_OUT"
    sysctl -qw "net.ipv6.conf.$VETH_SW.disable_ipv6=1"
    ip link set "$VETH_SW" up
    ip netns exec "$NS_OUT" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$NS_OUT" link set lo up
    ip -n "$NS_OUT" link set "$VETH_OUT" up
}

# Remove the outside world (any process left in it first).
outside_down() {
    ip netns pids "$NS_OUT" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$NS_OUT" 2>/dev/null
    ip link del "$VETH_SW" 2>/dev/null
}

# outside_vlan_host VID ADDR/PREFIX: the outside end plays a host on VLAN
# VID (no 802.1Q in this kernel: tc BPF pops the tag on ingress and pushes
# it on egress; the objects come from tests/integration/vswitch and are
# built for VID 10).
outside_vlan_host() {
    [ -n "${VLAN_BPF_IN:-}" ] && [ -f "$VLAN_BPF_IN" ] &&
        [ -f "${VLAN_BPF_EG:-}" ] ||
        skip "VLAN BPF objects not built (needs clang)"
    [ "$1" = 10 ] || { echo "FAIL: the BPF objects are built for VLAN 10"; exit 1; }
    ip netns exec "$NS_OUT" tc qdisc add dev "$VETH_OUT" clsact ||
        skip "no clsact qdisc"
    ip netns exec "$NS_OUT" tc filter add dev "$VETH_OUT" ingress bpf da \
        obj "$VLAN_BPF_IN" sec tc || skip "cannot load tc BPF"
    ip netns exec "$NS_OUT" tc filter add dev "$VETH_OUT" egress bpf da \
        obj "$VLAN_BPF_EG" sec tc || skip "cannot load tc BPF"
    ip -n "$NS_OUT" addr add "$2" dev "$VETH_OUT"
}

# tel CMD PYTHON-EXPR: EXPR on the value (v) of vswitchd's answer to the
# DPDK telemetry command CMD, read with the stock client; vswitchd's file
# prefix is $VSWD_PREFIX (switch.sh, guests.sh).
tel() {
    echo "$1" | dpdk-telemetry.py -f "$VSWD_PREFIX" 2>/dev/null | tail -n 1 |
        python3 -c "import json,sys
v = json.load(sys.stdin)['$1'.split(',')[0]]
print($2)"
}

# cpu_pct PID SECONDS: the CPU the process PID (all its threads) used over
# the next SECONDS, in percent of one CPU.
cpu_pct() {
    local t0 t1
    t0=$(awk '{print $14 + $15}' "/proc/$1/stat") || return 1
    sleep "$2"
    t1=$(awk '{print $14 + $15}' "/proc/$1/stat") || return 1
    echo $(( (t1 - t0) * 100 / ($2 * $(getconf CLK_TCK)) ))
}
