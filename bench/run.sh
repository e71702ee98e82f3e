#!/bin/sh
# Run every benchmark scenario with its peer interleaved (ours, peer, ours,
# peer...) for BENCH_ROUNDS rounds, then write the report.  Into BENCH_OUT
# (default bench/results): a CSV per scenario with every round, its log
# (NAME.log), machine.txt, placement.csv (the cache-line round trip
# between CPU 0 and 1, at the start and the end), load.csv (the load
# average before each pair), status.csv (how each scenario ended and why),
# then report.py writes report.md and the PNGs.
# Usage: bench/run.sh BUILD_DIR [SECONDS_PER_POINT]
#   BENCH_OUT=DIR            where the results go
#   BENCH_ROUNDS=N           rounds per scenario (default 3)
#   BENCH_SCENARIOS="a b"    only these scenarios (default: all of $all)
#   BENCH_SIZES="64 1500"    frame sizes of the netif loop and of vif
#                            (default 64 1500 9000)
set -u
build=$(cd "${1:-build}" && pwd)
secs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
all="netif vif vswitch vswitch_scale vswitch_workers procdom procdom_cpu procdom_latency fptrace host_vnic vif_maxbw kvm_udp capture xdp_rx nic_path"
for s in ${BENCH_SCENARIOS:-}; do # a misspelt one would run nothing
    case " $all " in *" $s "*) ;; *)
        echo "bench/run.sh: unknown scenario '$s' in BENCH_SCENARIOS" \
             "(one of: $all)" >&2
        exit 1 ;;
    esac
done
BENCH_OUT=${BENCH_OUT:-$here/results}
mkdir -p "$BENCH_OUT"
BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
. "$here/lib.sh"
out=$BENCH_OUT
sizes=${BENCH_SIZES:-64 1500 9000}
# vif's busy-polled points in 2 s each: make bench within its 30 minutes
vif_secs=$((secs < 2 ? secs : 2))
export VSW_BENCH="$build/bench/vsw-bench" XDP_RX_BENCH="$build/bench/xdp_rx_bench"
export VSWITCHD="$build/app/vswitchd/vswitchd" VSWCTL="$build/app/vswctl/vswctl"
start=$(date +%s)
rm -f "$out/load.csv" "$out/placement.csv"
echo "scenario,status,seconds,why" >"$out/status.csv"

want() { case " ${BENCH_SCENARIOS:-$all} " in *" $1 "*) return 0 ;; esac; return 1; }

# step NAME TITLE COMMAND...: run scenario NAME if wanted, its output shown
# as it comes and kept in NAME.log; status.csv gets how it ended (done,
# skipped with the script's reason, failed) and how long it took.
step() {
    name=$1
    want "$name" || return 0
    echo "== $name: $2 ($(($(date +%s) - start)) s into the run)"
    shift 2
    rm -f "$out/$name.csv" # no figures of an earlier run under this one's
    t0=$(date +%s)
    { "$@" 2>&1; echo "rc=$?"; } | tee "$out/$name.log" | grep -v '^rc=[0-9]*$'
    rc=$(sed -n 's/^rc=\([0-9]*\)$/\1/p' "$out/$name.log" | tail -1)
    sed -i '/^rc=[0-9]*$/d' "$out/$name.log"
    case $rc in 0) st=done ;; 77) st=skipped ;; *) st="failed ($rc)" ;; esac
    why=
    [ "$rc" = 0 ] || why=$(grep -v '^ ' "$out/$name.log" | tail -1 | tr ',' ';')
    echo "$name,$st,$(($(date +%s) - t0)),$why" >>"$out/status.csv"
    echo "   $name: $st in $(($(date +%s) - t0)) s${why:+: $why}"
}

placement() { # WHEN: the cache-line round trip between CPU 0 and CPU 1
    p=$("$build/bench/placement" -a 0 -b 1) || return 0
    echo "  $p (load $(cut -d' ' -f1-3 /proc/loadavg))"
    [ -s "$out/placement.csv" ] ||
        echo "when,cpu_a,cpu_b,ns_round_trip,ns_min,ns_max" >"$out/placement.csv"
    # "placement: CPU 0 <-> CPU 1: 52.1 ns per round trip (..., 50.2-61.0)"
    echo "$p" | tr -s ' :(),<>-' ' ' |
        awk -v w="$1" '{ print w "," $3 "," $5 "," $6 "," $(NF-1) "," $NF }' \
        >>"$out/placement.csv"
}

# netif loop (ours) and DPDK virtio-user <-> vhost-user (the peer), each
# round: ours at every size, then the peer at every size.
netif() {
    echo "round,setup,size,mpps,gbps,cycles_per_pkt" >"$out/netif.csv"
    for r in $(seq "$BENCH_ROUNDS"); do
        bench_load netif "$r" all
        "$build/bench/netif_bench" -s "$(echo $sizes | tr ' ' ,)" \
            -t "$secs" -o "$out/netif.tmp" || return 1
        sed "1d; s/^/$r,netif,/" "$out/netif.tmp" >>"$out/netif.csv"
        "$here/peer_vhost.sh" "$secs" $sizes | while read -r size mpps; do
            echo "  round $r, virtio-user <-> vhost-user, $size bytes: $mpps Mpps"
            gbps=$(awk -v m="$mpps" -v s="$size" \
                'BEGIN { printf "%.3f", m * s * 8 / 1e3 }')
            echo "$r,virtio-vhost,$size,$mpps,$gbps," >>"$out/netif.csv"
        done
    done
    rm -f "$out/netif.tmp"
}

# A guest's vif to the wire and back through the switch (vsw-bench -G),
# and the peer's virtio-user -> vhost-user -> net_null and back, each round
# and direction: ours at every size, then the peer at every size.
vif() {
    echo "round,setup,direction,size,mpps,gbps" >"$out/vif.csv"
    for r in $(seq "$BENCH_ROUNDS"); do
        bench_load vif "$r" all
        for dir in tx rx; do
            for size in $sizes; do
                line=$("$VSW_BENCH" -G $dir -s "$size" -t "$vif_secs" -l 1 -g 0 |
                       grep "^vsw-bench guest") || return 1
                echo "  round $r, guest $dir, $line"
                echo "$line" | awk -v r="$r" -v d="$dir" -v s="$size" '{
                    for (i = 1; i <= NF; i++) {
                        if ($(i + 1) == "Mpps") m = $i
                        if ($(i + 1) == "Gbit/s;") g = $i
                    }
                    print r ",netif," d "," s "," m "," g }' >>"$out/vif.csv"
            done
            "$here/peer_vhost.sh" -m $dir "$vif_secs" $sizes |
            while read -r size mpps; do
                echo "  round $r, virtio-user <-> vhost-user $dir, $size bytes: $mpps Mpps"
                gbps=$(awk -v m="$mpps" -v s="$size" \
                    'BEGIN { printf "%.3f", m * s * 8 / 1e3 }')
                echo "$r,virtio-vhost,$dir,$size,$mpps,$gbps" >>"$out/vif.csv"
            done
        done
    done
}

# A script with a CSV argument and no rounds of its own, run once a round;
# the round goes first in each row.  rounds NAME COMMAND...
rounds() {
    name=$1
    shift
    for r in $(seq "$BENCH_ROUNDS"); do
        bench_load "$name" "$r" all
        echo "  round $r of $BENCH_ROUNDS"
        "$@" "$out/$name.tmp" || return $?
        if [ "$r" = 1 ]; then
            sed -n '1s/^/round,/p' "$out/$name.tmp" >"$out/$name.csv"
        fi
        sed "1d; s/^/$r,/" "$out/$name.tmp" >>"$out/$name.csv"
    done
    rm -f "$out/$name.tmp"
}

netns_before=$(ip netns list 2>/dev/null | wc -l)
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "kernel=$(uname -r)"
    echo "seconds=$secs"
    echo "rounds=$BENCH_ROUNDS"
} >"$out/machine.txt"
echo "== $BENCH_ROUNDS rounds, $secs s per point, into $out; $(nproc) CPUs," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== placement of the two CPUs (cache-line round trip)"
placement start

step netif "netif loop vs DPDK virtio-user <-> vhost-user (one core per side)" netif
step vif "a guest to the wire and back through the switch vs DPDK virtio-user <-> vhost-user" vif
step vswitch "switch core vs testpmd and Open vSwitch-DPDK (net_ring, one core)" \
    "$here/vswitch/run_bench.sh" "$secs"
step vswitch_scale "switch core with 1, 4096 and 65,536 VNICs (cost vs one VNIC)" \
    "$here/vswitch/scale_bench.sh" "$secs" "$BENCH_ROUNDS" 1 \
    "$out/vswitch_scale.csv"
step vswitch_workers "switch core on two workers vs one (net_ring, a lap per worker; every pass crossing)" \
    "$here/vswitch/workers_bench.sh" "$secs"
step procdom "process domains: iperf3 TCP vs bridge+veth (1 and 4 streams)" \
    "$here/procdom_iperf.sh" "$build" "$secs" "$out/procdom.csv"
step procdom_cpu "process domains: where the CPUs' time goes in one TCP stream vs bridge+veth (perf)" \
    "$here/procdom_cpu.sh" "$build" $((secs + 1)) "$out/procdom_cpu.csv"
step procdom_latency "process domains: ping and TCP ping-pong vs bridge+veth" \
    "$here/procdom_latency.sh" "$build" "$secs" "$out/procdom_latency.csv"
step fptrace "process domains: where a ping waits (probes, bpftrace)" \
    "$here/fptrace.sh" "$build" $((secs * 50)) "$out/fptrace.csv"
step host_vnic "host VNICs: iperf3 TCP vs bridge+veth" \
    "$here/host_vnic_tcp.sh" "$build" "$secs" "$out/host_vnic.csv"
step vif_maxbw "maxbw on a guest's vif and a host VNIC, TCP and UDP (accuracy)" \
    "$here/vif_maxbw.sh" "$build" "$secs" "$out/vif_maxbw.csv"
step kvm_udp "KVM guest (minios) vs process domain: UDP, boot time" \
    "$here/kvm_udp.sh" "$build" "$secs" "$out/kvm_udp.csv" "$BENCH_ROUNDS"
step capture "capture cost on the switch core (vs no capture)" \
    rounds capture "$here/vswitch/cap_bench.sh" "$secs" 1 0
step xdp_rx "receive rate on a shared NIC: AF_XDP vs af_packet vs UDP socket" \
    rounds xdp_rx "$here/vswitch/xdp_rx_bench.sh" "$secs"
step nic_path "wire -> VNIC through vswitchd: XDP vs af_packet vs UDP socket" \
    rounds nic_path "$here/vswitch/nic_path_bench.sh" "$secs"

echo "== placement again"
placement end
left=$(($(ip netns list 2>/dev/null | wc -l) - netns_before))
[ "$left" -le 0 ] || echo "!! $left more network namespaces than at the start" \
    "(other jobs on the machine, or left behind)"
echo "== report ($(($(date +%s) - start)) s into the run)"
/usr/bin/python3 "$here/report.py" "$out" || exit 1
echo "== done in $(($(date +%s) - start)) s: $out/report.md"
