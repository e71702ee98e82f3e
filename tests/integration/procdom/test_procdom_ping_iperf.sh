#!/bin/sh
# Two process domains ping each other and run iperf3 TCP through a
# libnetback backend, and large segments really cross netif.
#
# Each guest is a network namespace whose eth0 is a TAP device fed by
# libxnf (procdom_guest); procdom_switch serves both vifs with libnetback and
# switches by destination MAC.  Checks: 0% loss over 20 pings each way (and
# IPv6), iperf3 TCP above a floor that a path without GSO cannot reach, GSO
# counters on the sending guest, the switch and the receiving guest, no
# drops or protocol errors anywhere, and eth0 gone when its guest stops.
#
# usage: test_procdom_ping_iperf.sh PROCDOM_SWITCH PROCDOM_GUEST
set -eu
switch=$1
guest=$2
floor_gbps=${PROCDOM_FLOOR_GBPS:-1}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP devices)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for c in ip ping iperf3 python3; do
    command -v $c >/dev/null || skip "$c not installed"
done

tmp=$(mktemp -d /tmp/procdom.XXXXXX)
ns1=xvpd$$a
ns2=xvpd$$b
pids=""
cleanup() {
    rc=$?
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    ip netns del "$ns1" 2>/dev/null || true
    ip netns del "$ns2" 2>/dev/null || true
    if [ $rc -ne 0 ]; then
        for f in "$tmp"/*.out "$tmp"/*.err; do
            [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
        done
    fi
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Value of KEY in the first line of FILE matching PATTERN.
val() {
    grep -m1 -- "$2" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

ip netns add "$ns1"
ip netns add "$ns2"
"$switch" -s "$tmp/sw.sock" >"$tmp/sw.out" 2>"$tmp/sw.err" &
swpid=$!
pids="$swpid"
"$guest" -s "$tmp/sw.sock" -n "$ns1" -m 02:00:00:99:00:01 -d 1 \
    >"$tmp/g1.out" 2>"$tmp/g1.err" &
g1=$!
"$guest" -s "$tmp/sw.sock" -n "$ns2" -m 02:00:00:99:00:02 -d 2 \
    >"$tmp/g2.out" 2>"$tmp/g2.err" &
g2=$!
pids="$g1 $g2 $swpid"

for i in $(seq 50); do
    grep -q '^ready' "$tmp/g1.out" && grep -q '^ready' "$tmp/g2.out" && break
    kill -0 "$g1" "$g2" 2>/dev/null || fail "a guest exited during setup"
    sleep 0.1
done
grep -q '^ready' "$tmp/g1.out" || fail "guest 1 not ready after 5 s"
grep -q '^ready' "$tmp/g2.out" || fail "guest 2 not ready after 5 s"
echo "guest 1: $(cat "$tmp/g1.out")"

n=1
for ns in "$ns1" "$ns2"; do
    link=$(ip -n "$ns" -o link show eth0) || fail "no eth0 in $ns"
    echo "$link" | grep -q "link/ether 02:00:00:99:00:0$n" ||
        fail "eth0 in $ns lacks its MAC: $link"
    echo "$link" | grep -q "mtu 1500" || fail "eth0 in $ns: MTU: $link"
    echo "$link" | grep -q "state UP\|,UP" || fail "eth0 in $ns not up"
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.99.0.$n/24" dev eth0
    ip -n "$ns" addr add "fd99::$n/64" dev eth0 nodad
    n=$((n + 1))
done

ping_ok() { # NS ADDR COUNT
    out=$(ip netns exec "$1" ping -c "$3" -i 0.05 -W 2 "$2" 2>&1) || true
    echo "$out" | tail -n 2 | head -n 1
    echo "$out" | grep -q " 0% packet loss" ||
        fail "ping $2 from $1 lost packets"
}
ping_ok "$ns1" 10.99.0.2 20
ping_ok "$ns2" 10.99.0.1 20
ping_ok "$ns1" fd99::2 5

iperf() { # NS_SERVER ADDR SECONDS OUT [client options]
    srv_ns=$1 addr=$2 secs=$3 out=$4
    shift 4
    ip netns exec "$srv_ns" iperf3 -s -1 -B "$addr" >"$tmp/srv.out" 2>&1 &
    srv=$!
    pids="$pids $srv"
    for i in $(seq 50); do
        ip netns exec "$srv_ns" ss -ltn 2>/dev/null | grep -q ":5201 " && break
        sleep 0.1
    done
    ip netns exec "$ns1" iperf3 -c "$addr" -t "$secs" -J "$@" >"$out" ||
        fail "iperf3 to $addr failed: $(tail -n 5 "$out")"
    wait "$srv" || true
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' "$out"
}
gbps=$(iperf "$ns2" 10.99.0.2 3 "$tmp/tcp4.json")
echo "iperf3 TCP/IPv4, 1 stream, 3 s: $gbps Gbit/s"
python3 -c "import sys; sys.exit(0 if $gbps >= $floor_gbps else 1)" ||
    fail "TCP throughput $gbps Gbit/s is below the $floor_gbps Gbit/s floor"
gbps6=$(iperf "$ns2" fd99::2 1 "$tmp/tcp6.json")
echo "iperf3 TCP/IPv6, 1 stream, 1 s: $gbps6 Gbit/s (checksums in software)"
python3 -c "import sys; sys.exit(0 if $gbps6 > 0.05 else 1)" ||
    fail "TCP over IPv6 barely moved: $gbps6 Gbit/s"

# Stop the guests: eth0 must go with them.
kill -TERM "$g1" "$g2"
wait "$g1" || fail "guest 1 exited with an error"
wait "$g2" || fail "guest 2 exited with an error"
for ns in "$ns1" "$ns2"; do
    ip -n "$ns" link show eth0 >/dev/null 2>&1 && fail "eth0 left in $ns"
done
kill -TERM "$swpid"
wait "$swpid" || fail "switch exited with an error"
pids=""

g1s=$(grep '^xnftap' "$tmp/g1.out") || fail "no counters from guest 1"
g2s=$(grep '^xnftap' "$tmp/g2.out") || fail "no counters from guest 2"
echo "guest 1: $g1s"
echo "guest 2: $g2s"
cat "$tmp/sw.out"

check_pos() { # FILE PATTERN KEY WHAT
    v=$(val "$1" "$2" "$3")
    [ -n "$v" ] && [ "$v" -gt 0 ] || fail "$4: $3=$v, want > 0"
}
check_zero() { # FILE PATTERN KEY WHAT
    v=$(val "$1" "$2" "$3")
    [ "$v" = 0 ] || fail "$4: $3=$v, want 0"
}
check_pos "$tmp/g1.out" '^xnftap' tx_gso "guest 1 sent no large segments"
check_pos "$tmp/g2.out" '^xnftap' rx_gso "guest 2 received no large segments"
check_pos "$tmp/g1.out" '^xnftap' tx_csum_sw \
    "guest 1 finished no IPv6 checksum itself"
check_pos "$tmp/sw.out" 'mac=02:00:00:99:00:01' tx_gso \
    "the switch saw no large segment from guest 1"
check_pos "$tmp/sw.out" 'mac=02:00:00:99:00:02' rx_gso \
    "the switch gave guest 2 no large segment"
max=$(val "$tmp/sw.out" 'mac=02:00:00:99:00:01' tx_max_len)
[ "$max" -gt 9000 ] || fail "largest frame over netif was $max bytes"
echo "largest frame over netif: $max bytes"
for g in g1 g2; do
    for k in tx_bad_hdr tx_send_err rx_bad_offload rx_too_big rx_write_err \
             xnf_tx_errors xnf_rx_errors; do
        check_zero "$tmp/$g.out" '^xnftap' $k "$g"
    done
done
for m in 01 02; do
    check_zero "$tmp/sw.out" "mac=02:00:00:99:00:$m" nb_rx_dropped "vif $m"
    check_zero "$tmp/sw.out" "mac=02:00:00:99:00:$m" drop_unknown "vif $m"
    grep "mac=02:00:00:99:00:$m" "$tmp/sw.out" | grep -q "disabled=none" ||
        fail "vif $m was disabled"
done
echo PASS
