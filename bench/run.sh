#!/bin/sh
# Run the benchmarks, write bench/results/*.csv and plot them.
# Usage: bench/run.sh BUILD_DIR [SECONDS_PER_POINT]
set -eu
build=${1:-build}
secs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results"
mkdir -p "$out"
sizes="64 512 1500 9000"

echo "== netif: frontend -> backend -> frontend (xvnet, one core per side)"
"$build/bench/netif_bench" -s "$(echo $sizes | tr ' ' ,)" -t "$secs" \
    -o "$out/netif.csv"

echo "== peer: DPDK virtio-user <-> vhost-user (testpmd, one core per side)"
echo "size,mpps" >"$out/peer_vhost.csv"
"$here/peer_vhost.sh" "$secs" $sizes | while read -r size mpps; do
    echo "  $size bytes: $mpps Mpps"
    echo "$size,$mpps" >>"$out/peer_vhost.csv"
done

echo "== process domains: iperf3 TCP over netif vs bridge+veth (1 and 4 streams)"
if [ "$(id -u)" = 0 ]; then
    "$here/procdom_iperf.sh" "$build" "$secs" "$out/procdom.csv" ||
        echo "  procdom benchmark failed or skipped (status $?)"
else
    echo "  skipped: needs root (network namespaces, TAP devices)"
fi

echo "== process domains: latency (ping, sockperf TCP ping-pong) vs bridge+veth"
if [ "$(id -u)" = 0 ]; then
    "$here/procdom_latency.sh" "$build" "$secs" "$out/procdom_latency.csv" ||
        echo "  procdom latency benchmark failed or skipped (status $?)"
else
    echo "  skipped: needs root (network namespaces, TAP devices)"
fi

echo "== host VNICs: iperf3 TCP over an etherstub vs bridge+veth (1 and 4 streams, both ways)"
"$here/host_vnic_tcp.sh" "$build" "$secs" "$out/host_vnic.csv" ||
    echo "  host VNIC benchmark failed or skipped (status $?)"

echo "== maxbw on a guest's vif (transmit, netback's credit), iperf3 TCP"
if [ "$(id -u)" = 0 ]; then
    "$here/vif_maxbw.sh" "$build" "$secs" "$out/vif_maxbw.csv" ||
        echo "  vif maxbw benchmark failed or skipped (status $?)"
else
    echo "  skipped: needs root (network namespaces, TAP devices)"
fi

echo "== KVM guest (minios) vs process domain: UDP through vswitchd, boot time"
if [ "$(id -u)" = 0 ]; then
    "$here/kvm_udp.sh" "$build" "$secs" "$out/kvm_udp.csv" 3 ||
        echo "  kvm benchmark failed or skipped (status $?)"
else
    echo "  skipped: needs root (network namespaces, TAP devices)"
fi

echo "== vswitchd: the switch core and capture cost (meson benchmarks)"
meson test -C "$build" --benchmark --suite bench --print-errorlogs ||
    echo "  a vswitchd benchmark failed or skipped"

echo "== vswitchd: the switch core's scale (1, 4096 and 65,536 VNICs)"
VSW_BENCH="$build/bench/vsw-bench" "$here/vswitch/scale_bench.sh" "$secs" 3 1 \
    "$out/scale.csv" || echo "  scale benchmark failed (status $?)"

/usr/bin/python3 "$here/plot.py" "$out"
echo "results and plots in bench/results/"
