#!/bin/bash
# iperf3 TCP between two process domains through vswitchd (TAP eth0 <->
# libxnf <-> netif <-> vswitchd on the etherstub stub0 <-> netif <-> libxnf
# <-> TAP eth0), one stream and four, next to the same between two network
# namespaces joined by a Linux bridge with veth pairs, interleaved in the
# same run.  The domains are real: xvmd, `xvm create`, xvm-procdom, and
# vswitchd finding their vifs through xenstore (tests/lib/guests.sh).
# Writes a CSV:  setup,streams,seconds,gbps,retransmits
# usage: bench/procdom_iperf.sh BUILD_DIR [SECONDS] [CSV]
build=$(cd "${1:-build}" && pwd)
secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
csv=${3:-$here/results/procdom.csv}
export XVMD=$build/app/xvmd/xvmd XVM=$build/app/xvm/xvm
export PROCDOM=$build/app/xvm-procdom/xvm-procdom
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/guests.sh" iperf3 python3
. "$here/../tests/lib/bridge.sh"

BR="xvpb${ID}"
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
bridge_up "$BR" 10.99.1 || die "bridge and veths in $BR*"
# First contact (ARP) before measuring.
ping_ok pa 10.99.0.2 || die "pa cannot ping pb"
ip netns exec "${BR}c" ping -c 2 -i 0.2 -W 2 10.99.1.2 >/dev/null

# inside SETUP NAME COMMAND...: COMMAND inside the domain or namespace NAME.
inside() { if [ "$1" = procdom ]; then xvm exec "$2" "${@:3}"; else ip netns exec "$2" "${@:3}"; fi; }

run() { # SETUP CLIENT SERVER ADDR STREAMS
    # a domain's sandbox has its own /tmp; a bare namespace shares ours
    local pidf=/tmp/iperf.pid
    [ "$1" = procdom ] || pidf=$T/iperf.pid
    inside "$1" "$3" iperf3 -s -1 -D -B "$4" -I "$pidf" >/dev/null 2>&1
    wait_until 3 inside "$1" "$3" test -s "$pidf"
    inside "$1" "$2" iperf3 -c "$4" -t "$secs" -P "$5" -J >"$T/c.json" ||
        { echo "iperf3 $1 failed" >&2; tail -5 "$T/c.json" >&2; }
    inside "$1" "$3" sh -c '[ -s "$0" ] && kill "$(cat "$0")"; rm -f "$0"' \
        "$pidf" 2>/dev/null
    r=$(python3 "$here/iperf_sum.py" "$T/c.json") &&
        echo "$1,$5,$secs,$r" | tee -a "$csv"
}

mkdir -p "$(dirname "$csv")"
echo "setup,streams,seconds,gbps,retransmits" >"$csv"
for streams in 1 4; do
    run procdom pa pb 10.99.0.2 $streams
    run bridge-veth "${BR}c" "${BR}d" 10.99.1.2 $streams
done
