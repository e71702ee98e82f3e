#!/bin/sh
# Peer for the netif benchmarks: DPDK virtio-user <-> vhost-user, the
# user-space paravirtual path people would otherwise use.  Two dpdk-testpmd
# processes, one forwarding core each (virtio-user, the guest, on CPU 0;
# vhost-user, the host, on CPU 1, as netif_bench and vsw-bench -G), --no-huge.
#   loop (default): the virtio-user side injects 256 frames of SIZE bytes
#     (start tx_first) and both sides echo them back (io forwarding, loop
#     topology), so frames circulate guest -> host -> guest as in
#     netif_bench; the rate the virtio-user side receives.
#   tx: guest -> wire, as vsw-bench -G tx: the virtio-user side sends
#     (txonly), the vhost side forwards to a net_null port (the wire, which
#     frees what it is sent); the rate the virtio-user side sent.
#   rx: wire -> guest, as vsw-bench -G rx: the net_null port makes frames
#     of SIZE bytes, the vhost side forwards them to the guest, which
#     takes them (rxonly); the rate the virtio-user side received.
# Prints "size mpps" per size, measured over SECONDS after a 1 s warm-up.
# Usage: bench/peer_vhost.sh [-m loop|tx|rx] SECONDS SIZE...
set -eu
mode=loop
if [ "${1:-}" = -m ]; then
    mode=$2
    shift 2
fi
readings=1
case $mode in
loop) vh_fwd="--port-topology=loop"; vu_fwd="io"; vu_start="start tx_first"
      pps=Rx-pps ;;
tx) vh_fwd="--port-topology=paired"; vu_fwd="txonly"; vu_start="start"
    pps=Tx-pps; readings=2 ;;
rx) vh_fwd="--port-topology=paired"; vu_fwd="rxonly"; vu_start="start"
    pps=Rx-pps ;;
*) echo "peer_vhost.sh: unknown mode $mode" >&2; exit 1 ;;
esac
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
    wire=
    [ $mode = tx ] && wire="--vdev net_null0,size=$size,no-rx=1"
    [ $mode = rx ] && wire="--vdev net_null0,size=$size"
    timeout $((secs + 90)) dpdk-testpmd -l 0,1 --main-lcore 0 $common \
        --file-prefix xvb-vh$$ \
        --vdev "net_vhost0,iface=$tmp/vh.sock,queues=1" \
        $wire \
        -- --forward-mode=io $vh_fwd --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) --stats-period 1 \
        >"$tmp/vh.log" 2>&1 &
    vh=$!
    # its socket appears once its memory is set up: seconds on a busy VM
    for _ in $(seq 200); do [ -S "$tmp/vh.sock" ] && break; sleep 0.1; done
    # Frames flow once the vhost side has mapped the guest's memory, which
    # took up to 20 s on a busy VM: wait for a reading with frames moving
    # (two in a row for tx: a txonly side fills its ring once before
    # that), then measure.
    { sleep 1; echo "set txpkts $size"; echo "$vu_start";
      for _ in $(seq 60); do
          echo "show port stats 0"
          sleep 1
          grep -E "^ *$pps" "$tmp/vu.log" | tail -$readings |
              awk -v k=$readings '$2 > 0 { n++ } END { exit n < k }' && break
      done
      echo "show port stats 0"; sleep "$secs";
      echo "show port stats 0"; echo "stop"; echo "quit"; } |
    timeout $((secs + 75)) stdbuf -oL dpdk-testpmd -l 0,1 --main-lcore 1 $common \
        --file-prefix xvb-vu$$ \
        --vdev "net_virtio_user0,path=$tmp/vh.sock,queues=1" -- \
        -i --forward-mode=$vu_fwd --port-topology=loop --burst=256 --nb-cores=1 \
        --mbuf-size=$mbuf --total-num-mbufs=16384 \
        --max-pkt-len=$((size + 64)) >"$tmp/vu.log" 2>&1 || true
    kill "$vh" 2>/dev/null || true
    wait "$vh" 2>/dev/null || true
    vh=
    # The last "show port stats" reports the rate since the one before.
    mpps=$(grep -E "^ *$pps" "$tmp/vu.log" | awk '{ v = $2 }
        END { if (NR < 2) print "nan"; else printf "%.3f", v / 1e6 }')
    echo "$size $mpps"
done
