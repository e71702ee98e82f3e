#!/bin/sh
# iperf3 TCP between two process domains (TAP eth0 <-> libxnf <-> netif <->
# libnetback switch <-> netif <-> libxnf <-> TAP eth0), one stream and four,
# next to the same between two network namespaces joined by a Linux bridge
# with veth pairs, measured in the same run.  Writes a CSV:
#   setup,streams,seconds,gbps,retransmits
# usage: bench/procdom_iperf.sh BUILD_DIR [SECONDS] [CSV]
set -eu
build=${1:-build}
secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
csv=${3:-$here/results/procdom.csv}
switch="$build/tests/integration/procdom/procdom_switch"
guest="$build/tests/integration/procdom/procdom_guest"

[ "$(id -u)" = 0 ] || { echo "procdom_iperf: needs root" >&2; exit 77; }
for c in ip iperf3 python3; do
    command -v $c >/dev/null || { echo "procdom_iperf: no $c" >&2; exit 77; }
done
[ -x "$switch" ] && [ -x "$guest" ] ||
    { echo "procdom_iperf: build $switch and $guest first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/procdom-bench.XXXXXX)
p=xvpb$$
pids=""
cleanup() {
    rc=$?
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
    for ns in a b c d br; do ip netns del "$p$ns" 2>/dev/null || true; done
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Process domains a (10.99.0.1) and b (10.99.0.2).
ip netns add "${p}a"
ip netns add "${p}b"
"$switch" -s "$tmp/sw.sock" >"$tmp/sw.out" 2>&1 &
pids="$!"
n=1
for ns in a b; do
    "$guest" -s "$tmp/sw.sock" -n "$p$ns" -m "02:00:00:99:00:0$n" -d $n \
        >"$tmp/g$n.out" 2>&1 &
    pids="$! $pids"
    n=$((n + 1))
done
# Bridged namespaces c (10.99.1.1) and d (10.99.1.2), bridge in br.
ip netns add "${p}c"
ip netns add "${p}d"
ip netns add "${p}br"
ip -n "${p}br" link add br0 type bridge
ip -n "${p}br" link set br0 up
n=1
for ns in c d; do
    ip -n "${p}br" link add "v$ns" type veth peer name eth0 netns "$p$ns"
    ip -n "${p}br" link set "v$ns" master br0 up
    ip -n "$p$ns" link set eth0 up
    ip -n "$p$ns" link set lo up
    ip -n "$p$ns" addr add "10.99.1.$n/24" dev eth0
    n=$((n + 1))
done

for i in $(seq 50); do
    [ "$(grep -l '^ready' "$tmp"/g*.out 2>/dev/null | wc -l)" = 2 ] && break
    sleep 0.1
done
[ "$(grep -l '^ready' "$tmp"/g*.out | wc -l)" = 2 ] ||
    { cat "$tmp"/*.out >&2; echo "procdom_iperf: no guests" >&2; exit 1; }
n=1
for ns in a b; do
    ip -n "$p$ns" link set lo up
    ip -n "$p$ns" addr add "10.99.0.$n/24" dev eth0
    n=$((n + 1))
done
# First contact (ARP) before measuring.
ip netns exec "${p}a" ping -c 2 -i 0.2 -W 2 10.99.0.2 >/dev/null
ip netns exec "${p}c" ping -c 2 -i 0.2 -W 2 10.99.1.2 >/dev/null

run() { # SETUP CLIENT_NS SERVER_NS ADDR STREAMS
    ip netns exec "$3" iperf3 -s -1 -B "$4" >/dev/null 2>&1 &
    srv=$!
    for i in $(seq 50); do
        ip netns exec "$3" ss -ltn | grep -q ":5201 " && break
        sleep 0.1
    done
    ip netns exec "$2" iperf3 -c "$4" -t "$secs" -P "$5" -J >"$tmp/c.json"
    wait "$srv" || true
    python3 - "$tmp/c.json" "$1" "$5" "$secs" <<'EOF' | tee -a "$csv"
import json, sys
d = json.load(open(sys.argv[1]))
e = d["end"]
print("%s,%s,%s,%.2f,%d" % (sys.argv[2], sys.argv[3], sys.argv[4],
      e["sum_received"]["bits_per_second"] / 1e9,
      e["sum_sent"].get("retransmits", 0)))
EOF
}

mkdir -p "$(dirname "$csv")"
echo "setup,streams,seconds,gbps,retransmits" >"$csv"
for streams in 1 4; do
    run procdom "${p}a" "${p}b" 10.99.0.2 $streams
    run bridge-veth "${p}c" "${p}d" 10.99.1.2 $streams
done
kill -TERM $pids
for pid in $pids; do wait "$pid" || true; done
pids=""
grep -h '^xnftap\|^port' "$tmp"/*.out | sed 's/^/  /'
