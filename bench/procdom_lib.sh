# Sourced by the process-domain benchmarks (procdom_iperf.sh,
# procdom_latency.sh): two process domains pa (10.99.0.1) and pb
# (10.99.0.2) on the etherstub stub0 through vswitchd, and the peer: two
# network namespaces ${BR}c (10.99.1.1) and ${BR}d (10.99.1.2) joined by a
# Linux bridge in ${BR}br with veth pairs.  Both have exchanged a first
# ping.  With PD_QUEUES2=1, two more domains qa (10.99.0.3) and qb
# (10.99.0.4) whose vifs have queues=2.  inside SETUP NAME COMMAND... runs
# COMMAND in domain NAME (SETUP procdom*) or in namespace NAME.
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

# Bridged namespaces c (10.99.1.1) and d (10.99.1.2), bridge in br.
bridge_up "$BR" 10.99.1 || die "bridge and veths in $BR*"
# First contact (ARP) before measuring.
ping_ok pa 10.99.0.2 || die "pa cannot ping pb"
ip netns exec "${BR}c" ping -c 2 -i 0.2 -W 2 10.99.1.2 >/dev/null

inside() { case $1 in procdom*) xvm exec "$2" "${@:3}" ;; *) ip netns exec "$2" "${@:3}" ;; esac; }

