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
common="--no-huge -m 512 --no-pci --log-level=*:error"
for size in "$@"; do
    mbuf=$((size + 256))
    [ $mbuf -lt 2176 ] && mbuf=2176
    rm -f "$tmp/vh.sock"
    timeout $((secs + 90)) dpdk-testpmd -l 0,1 --main-lcore 0 $common \
        --file-prefix xvb-vh$$ \
        --vdev "net_vhost0,iface=$tmp/vh.sock,queues=1" -- \
        --forward-mode=io --port-topology=loop --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) --stats-period 1 \
        >"$tmp/vh.log" 2>&1 &
    vh=$!
    # its socket appears once its memory is set up: seconds on a busy VM
    for _ in $(seq 200); do [ -S "$tmp/vh.sock" ] && break; sleep 0.1; done
    # Frames come back once the vhost side has mapped the guest's memory,
    # which took up to 20 s on a busy VM: wait for them, then measure.
    { sleep 1; echo "set txpkts $size"; echo "start tx_first";
      for _ in $(seq 60); do
          echo "show port stats 0"
          sleep 1
          grep -E '^ *Rx-pps' "$tmp/vu.log" | tail -1 |
              awk '{ exit !($2 > 0) }' && break
      done
      echo "show port stats 0"; sleep "$secs";
      echo "show port stats 0"; echo "stop"; echo "quit"; } |
    timeout $((secs + 75)) dpdk-testpmd -l 0,1 --main-lcore 1 $common \
        --file-prefix xvb-vu$$ \
        --vdev "net_virtio_user0,path=$tmp/vh.sock,queues=1" -- \
        -i --forward-mode=io --port-topology=loop --burst=256 --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) >"$tmp/vu.log" 2>&1 || true
    kill "$vh" 2>/dev/null || true
    wait "$vh" 2>/dev/null || true
    vh=
    # The last "show port stats" reports the rate since the one before.
    mpps=$(grep -E '^ *Rx-pps' "$tmp/vu.log" | awk '{ v = $2 }
        END { if (NR < 2) print "nan"; else printf "%.3f", v / 1e6 }')
    echo "$size $mpps"
done
