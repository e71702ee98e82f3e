# Sourced by the process-domain benchmarks (procdom_iperf.sh,
# procdom_latency.sh): two process domains pa (10.99.0.1) and pb
# (10.99.0.2) on the etherstub stub0 through vswitchd, and the peer: two
# network namespaces ${BR}c (10.99.1.1) and ${BR}d (10.99.1.2) joined by a
# Linux bridge in ${BR}br with veth pairs.  Both have exchanged a first
# ping.  With PD_QUEUES2=1, two more domains qa (10.99.0.3) and qb
# (10.99.0.4) whose vifs have queues=2.  With PD_NEAR=1, two more
# domains na (10.99.0.5) and nb (10.99.0.6) whose pumps run on the CPU of
# vswitchd's worker (the vifs' cpus=, xvm.cfg(5)): setup procdom-near.
# inside SETUP NAME COMMAND... runs
# COMMAND in domain NAME (SETUP procdom*) or in namespace NAME;
# iperf_serve SETUP NAME ADDR starts a one-shot iperf3 server there and
# waits until it listens, iperf_unserve SETUP NAME ends it if it is left.
# Everything goes on exit (guests.sh).
# usage: . procdom_lib.sh BUILD_DIR [TOOL...]   (TOOLs: needed, else skip)
build=$(cd "${1:-build}" 2>/dev/null && pwd)
[ -x "$build/app/xvmd/xvmd" ] || {
    echo "$(basename "$0"): '${1:-build}' is not a built meson build" \
         "directory (usage: $(basename "$0") BUILD_DIR ...)" >&2
    exit 1
}
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export XVMD=$build/app/xvmd/xvmd XVM=$build/app/xvm/xvm
export PROCDOM=$build/app/xvm-procdom/xvm-procdom
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/guests.sh" "$@"

. "$here/../tests/lib/bridge.sh"
BR="xvpb${ID}"
CLEANUP_HOOK=bridge_down

switch_up
create_guest pa "link=stub0,mac=02:00:00:99:00:01" >/dev/null || exit 1
create_guest pb "link=stub0,mac=02:00:00:99:00:02" >/dev/null || exit 1
pds="pa pb"
if [ "${PD_QUEUES2:-0}" = 1 ]; then
    create_guest qa "link=stub0,mac=02:00:00:99:00:03,queues=2" >/dev/null ||
        exit 1
    create_guest qb "link=stub0,mac=02:00:00:99:00:04,queues=2" >/dev/null ||
        exit 1
    pds="$pds qa qb"
fi
if [ "${PD_NEAR:-0}" = 1 ]; then
    # The worker's CPU, from vswitchd's ready line ("... on CPU 1").
    near=$(sed -n 's/.*fast-path worker(s) on CPUs\{0,1\} \([0-9]*\).*/\1/p' \
        "$T/vswitchd.log" | tail -1)
    [ -n "$near" ] || die "no worker CPU in vswitchd's log"
    create_guest na "link=stub0,mac=02:00:00:99:00:05,cpus=$near" >/dev/null ||
        exit 1
    create_guest nb "link=stub0,mac=02:00:00:99:00:06,cpus=$near" >/dev/null ||
        exit 1
    pds="$pds na nb"
fi
for g in $pds; do
    wait_until 15 both_connected "$(domid $g)" || die "$g not Connected"
done
guest_ip pa 10.99.0.1/24
guest_ip pb 10.99.0.2/24
if [ "${PD_QUEUES2:-0}" = 1 ]; then
    guest_ip qa 10.99.0.3/24
    guest_ip qb 10.99.0.4/24
    ping_ok qa 10.99.0.4 || die "qa cannot ping qb"
fi
if [ "${PD_NEAR:-0}" = 1 ]; then
    guest_ip na 10.99.0.5/24
    guest_ip nb 10.99.0.6/24
    ping_ok na 10.99.0.6 || die "na cannot ping nb"
fi

# Bridged namespaces c (10.99.1.1) and d (10.99.1.2), bridge in br.
bridge_up "$BR" 10.99.1 || die "bridge and veths in $BR*"
# First contact (ARP) before measuring.
ping_ok pa 10.99.0.2 || die "pa cannot ping pb"
ip netns exec "${BR}c" ping -c 2 -i 0.2 -W 2 10.99.1.2 >/dev/null

inside() { case $1 in procdom*) xvm exec "$2" "${@:3}" ;; *) ip netns exec "$2" "${@:3}" ;; esac; }

# a domain's sandbox has its own /tmp; a bare namespace shares ours
iperf_pidf() { case $1 in procdom*) echo /tmp/iperf.pid ;; *) echo "$T/iperf.pid" ;; esac; }
iperf_serve() {
    inside "$1" "$2" iperf3 -s -1 -D -B "$3" -I "$(iperf_pidf "$1")" \
        >/dev/null 2>&1
    # listening, not just its pid file written (that comes first)
    wait_until 3 inside "$1" "$2" sh -c "ss -Hltn 'sport = :5201' | grep -q ." ||
        echo "iperf3 server in $1 $2 not listening" >&2
}
iperf_unserve() {
    inside "$1" "$2" sh -c '[ -s "$0" ] && kill "$(cat "$0")"; rm -f "$0"' \
        "$(iperf_pidf "$1")" 2>/dev/null
}
