# SPDX-License-Identifier: MIT
# The shared fixture of the tests and benchmarks that run real guests
# (sourced): vswitchd serving process-domain guests found through xenstore.
#
#   - xvmd with private sockets, state and namespace directories under $T;
#     guests are xvm-procdom process domains made with `xvm create` (and,
#     with XVM_KVM set, kvm domains run by that monitor);
#   - vswitchd started with -x (xvmd's xenstore) and -X (xvmd's socket)
#     and $VSWD_OPTS (e.g. "-w 2"),
#     its control socket, state directory and DPDK prefix private too;
#   - the links are persistent, made over the control socket: phys0, a
#     net_af_packet port on one end of a veth pair whose other end sits in
#     the namespace $NS_OUT (the outside world), and stub0, an etherstub.
# Everything is removed on exit, even on failure.  The environment comes
# from meson (see meson.build); a missing tool exits 77 with the reason.
# fail() counts and the test goes on; finish() reports.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for v in XVMD XVM PROCDOM VSWITCHD VSWCTL DLADM; do
    [ -x "${!v:-}" ] || { echo "SKIP: $v not set (run through meson test)"; exit 77; }
done
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network namespaces, TAP, af_packet)"; exit 77
fi
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for t in ip ping xenstore-read xenstore-exists "$@"; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

T=$(mktemp -d /tmp/xvm-vswg.XXXXXX)
PREFIX="vswg${ID}"
VSWD_PREFIX=$PREFIX
# Every program finds the sockets in the runtime directory (xvm/rundir.h);
# Debian's xenstore-* tools through their own variable.
export XVNET_RUNDIR=$T
export XENSTORED_PATH=$T/xenstored.sock
XVMD_PID= VSWD_PID=
fails=0

# A test or benchmark may set CLEANUP_HOOK to a function of its own that
# runs first.
cleanup() {
    [ -n "${CLEANUP_HOOK:-}" ] && "$CLEANUP_HOOK"
    [ -n "$VSWD_PID" ] && kill "$VSWD_PID" 2>/dev/null && wait "$VSWD_PID"
    # xvmd's stop leaves its domains running: they go first.
    [ -n "$XVMD_PID" ] && xvm_destroy_all "$XVM"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    xenstored_stop "$T"
    umount -l "$T/netns" 2>/dev/null
    outside_down
    if [ $fails -ne 0 ] || [ -n "${VSWG_KEEP_LOGS:-}" ]; then
        for f in "$T"/*.log; do echo "--- $f"; tail -40 "$f"; done
    fi
    rm -rf "$T" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { fail "$*"; exit 1; }
expect() { # expect DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
finish() { echo "$fails failure(s)"; [ $fails -eq 0 ]; }
xvm() { "$XVM" "$@"; }
ctl() { "$VSWCTL" "$@"; }
rd() { xenstore-read "$1" 2>/dev/null; }
domid() { xvm dominfo "$1" | sed -n 's/^Id: *//p'; }
fe_state() { rd "/local/domain/$1/device/vif/0/state"; }
be_state() { rd "/local/domain/0/backend/vif/$1/0/state"; }
both_connected() { [ "$(fe_state "$1")" = 4 ] && [ "$(be_state "$1")" = 4 ]; }

start_xvmd() {
    local before
    mkdir -p "$T/netns"
    # an xvmd started again: wait for its own line, not the last one's
    before=$(grep -c "xvmd: listening on" "$T/xvmd.log" 2>/dev/null)
    # XVM_KVM (the KVM tests): the monitor of kvm domains too.
    "$XVMD" -d "$T/state" ${XVM_KVM:+-k "$XVM_KVM"} \
        -n "$T/netns" -p "$PROCDOM" -t 3 2>>"$T/xvmd.log" &
    XVMD_PID=$!
    # Both sockets listen once it says so (a socket file alone may not).
    wait_until 5 sh -c "[ \$(grep -c 'xvmd: listening on' '$T/xvmd.log') \
        -gt ${before:-0} ]" || die "xvmd did not start"
}

outside_up() { outside_make || die "cannot make the outside world"; }

# vswitchd serving xvmd's vifs, with the options given; ready when it
# says so.
start_vswd() {
    local before
    mkdir -p "$T/vsw-state"
    : >"$T/vswitchd.out"
    before=$(grep -c "guest vifs from" "$T/vswitchd.log" 2>/dev/null)
    "$VSWITCHD" -S "$T/vsw-state" -F "$PREFIX" -m 128 -x "$XENSTORED_PATH" \
        ${VSWD_OPTS:-} "$@" >>"$T/vswitchd.out" 2>>"$T/vswitchd.log" &
    VSWD_PID=$!
    wait_until 15 grep -q "ready on" "$T/vswitchd.out" ||
        die "vswitchd did not start"
    [ "$(grep -c "guest vifs from $XENSTORED_PATH\$" "$T/vswitchd.log")" -gt \
        "${before:-0}" ] ||
        die "vswitchd's ready line does not name the xenstore it serves"
}

kill9_vswd() {
    kill -9 "$VSWD_PID"
    wait "$VSWD_PID" 2>/dev/null
    VSWD_PID=
}

# The persistent links every test uses (phys0 needs outside_up first).
links_up() {
    ctl link-create phys0 phys "net_af_packet0,iface=$VETH_SW" ||
        die "link phys0"
    ctl link-create stub0 etherstub || die "link stub0"
}

# switch_up [VSWITCHD-ARG...]: the usual opening: xvmd, the outside world,
# vswitchd (with these arguments) and the links.
switch_up() {
    start_xvmd
    outside_up
    start_vswd "$@"
    links_up
}

# guest_cfg NAME VIF-SPEC...: $T/NAME.cfg, a process domain with these vifs.
guest_cfg() {
    local n=$1 v s=
    shift
    for v in "$@"; do s="$s${s:+, }\"$v\""; done
    printf 'name = "%s"\ntype = "process"\nmemory = 16\nvif = [ %s ]\n' \
        "$n" "$s" >"$T/$n.cfg"
}

# create_guest NAME VIF-SPEC: a process domain with one vif; prints its id.
create_guest() {
    guest_cfg "$1" "$2"
    xvm create "$T/$1.cfg" >/dev/null || { fail "create $1"; return 1; }
    domid "$1"
}

# wait_connected DOMID...: each domain's vif 0 Connected at both ends (ok),
# else a failure naming both ends' states; false when one is not.
wait_connected() {
    local d r=0
    for d in "$@"; do
        wait_until 15 both_connected "$d" && ok "dom $d Connected" || {
            fail "dom $d: frontend '$(fe_state "$d")' backend '$(be_state "$d")'"
            r=1
        }
    done
    return $r
}

# guest_ip NAME ADDR/PREFIX: address its eth0, no IPv6 chatter.
guest_ip() {
    xvm exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    xvm exec "$1" ip addr add "$2" dev eth0 || fail "$1: address $2"
}

# iperf_serve DOM [ARG...]: an iperf3 server daemon in DOM, its pid file in
# the domain's own /tmp (the sandbox sees nothing of ours); ready when the
# file is written.  iperf_stop DOM ends it if it still runs.
iperf_serve() {
    xvm exec "$1" iperf3 -s -D -I /tmp/iperf.pid "${@:2}" >/dev/null 2>&1
    wait_until 3 xvm exec "$1" test -s /tmp/iperf.pid
}
iperf_stop() {
    xvm exec "$1" sh -c '[ -s /tmp/iperf.pid ] && kill "$(cat /tmp/iperf.pid)"
                         rm -f /tmp/iperf.pid' 2>/dev/null
}

ping_ok() { # FROM-DOMAIN TO-IP
    xvm exec "$1" ping -c 3 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1
}

# The links this test made, sorted, on one line: not the host's NICs,
# which vswitchd lists as links too ("nic=" in link-show's NIC column).
own_links() {
    ctl link-show | awk '$6 !~ /^nic=/ { print $1 }' | sort | tr '\n' ' ' |
        sed 's/ $//'
}

# vnic_field VNIC COLUMN: one column of `vswctl vnic-show VNIC` (1-based).
vnic_field() { ctl vnic-show "$1" 2>/dev/null | awk -v c="$2" 'NR == 1 { print $c }'; }
vnic_exists() { ctl vnic-show "$1" >/dev/null 2>&1; }
vnic_gone() { ! vnic_exists "$1"; }
