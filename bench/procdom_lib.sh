# Sourced by the process-domain benchmarks (procdom_iperf.sh,
# procdom_latency.sh): two process domains pa (10.99.0.1) and pb
# (10.99.0.2) on the etherstub stub0 through vswitchd, and the peer: two
# network namespaces ${BR}c (10.99.1.1) and ${BR}d (10.99.1.2) joined by a
# Linux bridge in ${BR}br with veth pairs.  Both have exchanged a first
# ping.  inside SETUP NAME COMMAND... runs COMMAND in domain NAME (SETUP
# procdom) or in namespace NAME.  Everything goes on exit (guests.sh).
# usage: . procdom_lib.sh BUILD_DIR [TOOL...]   (TOOLs: needed, else skip)
build=$(cd "${1:-build}" && pwd)
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export XVMD=$build/app/xvmd/xvmd XVM=$build/app/xvm/xvm
export PROCDOM=$build/app/xvm-procdom/xvm-procdom
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/guests.sh" "$@"

BR="xvpb${ID}"
bridge_down() { for ns in c d br; do ip netns del "$BR$ns" 2>/dev/null; done; }
CLEANUP_HOOK=bridge_down

start_xvmd
outside_up
start_vswd
links_up
create_guest pa "link=stub0,mac=02:00:00:99:00:01" >/dev/null || exit 1
create_guest pb "link=stub0,mac=02:00:00:99:00:02" >/dev/null || exit 1
for g in pa pb; do
    wait_until 15 both_connected "$(domid $g)" || die "$g not Connected"
done
guest_ip pa 10.99.0.1/24
guest_ip pb 10.99.0.2/24

# Bridged namespaces c (10.99.1.1) and d (10.99.1.2), bridge in br.
for ns in c d br; do ip netns add "$BR$ns" || die "netns $BR$ns"; done
ip -n "${BR}br" link add br0 type bridge
ip -n "${BR}br" link set br0 up
n=1
for ns in c d; do
    ip -n "${BR}br" link add "v$ns" type veth peer name eth0 netns "$BR$ns"
    ip -n "${BR}br" link set "v$ns" master br0 up
    ip -n "$BR$ns" link set eth0 up
    ip -n "$BR$ns" link set lo up
    ip -n "$BR$ns" addr add "10.99.1.$n/24" dev eth0
    n=$((n + 1))
done
# First contact (ARP) before measuring.
ping_ok pa 10.99.0.2 || die "pa cannot ping pb"
ip netns exec "${BR}c" ping -c 2 -i 0.2 -W 2 10.99.1.2 >/dev/null

inside() { if [ "$1" = procdom ]; then xvm exec "$2" "${@:3}"; else ip netns exec "$2" "${@:3}"; fi; }

