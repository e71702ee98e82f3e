#!/bin/sh
# Peer for the netif loop: DPDK virtio-user <-> vhost-user, the user-space
# paravirtual path people would otherwise use.  Two dpdk-testpmd processes,
# one forwarding core each (as netif_bench), --no-huge.  The virtio-user side
# injects 256 frames of SIZE bytes (start tx_first) and both sides echo them
# back (io forwarding, loop topology), so frames circulate guest -> host ->
# guest as in netif_bench.  Prints "size mpps" per size: the frame rate the
# virtio-user side receives, measured over SECONDS after a 1 s warm-up.
# Usage: bench/peer_vhost.sh SECONDS SIZE...
set -eu
secs=$1
shift
tmp=$(mktemp -d)
vh=
# Only the processes this script started, by PID.
cleanup() {
    [ -n "$vh" ] && kill "$vh" 2>/dev/null && wait "$vh" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
    rm -rf /var/run/dpdk/xvb-vh$$ /var/run/dpdk/xvb-vu$$
}
trap cleanup EXIT
common="--no-huge -m 1024 --no-pci --log-level=*:error"
for size in "$@"; do
    mbuf=$((size + 256))
    [ $mbuf -lt 2176 ] && mbuf=2176
    rm -f "$tmp/vh.sock"
    timeout $((secs + 20)) dpdk-testpmd -l 0,1 --main-lcore 0 $common \
        --file-prefix xvb-vh$$ \
        --vdev "net_vhost0,iface=$tmp/vh.sock,queues=1" -- \
        --forward-mode=io --port-topology=loop --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) --stats-period 1 \
        >"$tmp/vh.log" 2>&1 &
    vh=$!
    sleep 2
    { sleep 1; echo "set txpkts $size"; echo "start tx_first";
      sleep 1; echo "show port stats 0"; sleep "$secs";
      echo "show port stats 0"; echo "stop"; echo "quit"; } |
    timeout $((secs + 15)) dpdk-testpmd -l 0,1 --main-lcore 1 $common \
        --file-prefix xvb-vu$$ \
        --vdev "net_virtio_user0,path=$tmp/vh.sock,queues=1" -- \
        -i --forward-mode=io --port-topology=loop --burst=256 --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) >"$tmp/vu.log" 2>&1 || true
    kill "$vh" 2>/dev/null || true
    wait "$vh" 2>/dev/null || true
    vh=
    # The second "show port stats" reports the rate since the first.
    mpps=$(grep -E '^ *Rx-pps' "$tmp/vu.log" | awk 'NR==2 {
        printf "%.3f", $2/1e6 } END { if (NR < 2) print "nan" }')
    echo "$size $mpps"
done
