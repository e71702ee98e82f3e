#!/bin/bash
# SPDX-License-Identifier: MIT
# The Open vSwitch-DPDK peer of vsw-bench: Debian's ovs-vswitchd-dpdk
# (package openvswitch-switch-dpdk) with its own ovsdb-server, database,
# run directory and DPDK prefix under a temporary directory; it touches
# no host interface.  One PMD thread on CPU, --no-huge, two net_ring ports
# (each loops what it sends back to itself), and the same work per pass as
# vsw-bench: frames from p0 carry VID 10 and are stripped on the way to
# p1, frames from p1 are tagged 10 on the way to p0, and both ports have
# an ingress policer that never limits (1 Tbit/s, as vsw-bench's maxbw).
# 256 frames are injected with packet-out and then circulate; the rate is
# the sum of both ports' received frames per second over SECONDS.
# Prints "SIZE MPPS" per size; exits 77 with the reason when it cannot
# run here.
#   ovs_dpdk.sh SECONDS CPU SIZE...
set -u
secs=$1
cpu=$2
shift 2
ovsd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
[ "$(id -u)" = 0 ] || { echo "SKIP: OVS-DPDK peer needs root"; exit 77; }
[ -x "$ovsd" ] || { echo "SKIP: no $ovsd (package openvswitch-switch-dpdk)"; exit 77; }
for t in ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
main=0
[ "$cpu" = 0 ] && main=1
T=$(mktemp -d /tmp/xvnet-ovs.XXXXXX)
export OVS_RUNDIR=$T OVS_LOGDIR=$T OVS_DBDIR=$T OVS_SYSCONFDIR=$T
db=unix:$T/db.sock
dbpid= swpid=
# Only the processes this script started, by PID.
cleanup() {
    for p in $swpid $dbpid; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    rm -rf "$T" "/var/run/dpdk/xvovs$$"
}
trap cleanup EXIT
fail() { # the log's end, then the reason on the last line
    tail -5 "$T/vswitchd.log" 2>/dev/null | sed 's/^/  /'
    echo "SKIP: OVS-DPDK does not run here: $*"
    exit 77
}
vsctl() { ovs-vsctl --db="$db" --timeout=20 "$@"; }

ovsdb-tool create "$T/conf.db" "$schema" || fail "ovsdb-tool create"
ovsdb-server "$T/conf.db" --remote=punix:"$T/db.sock" --pidfile="$T/db.pid" \
    --unixctl="$T/db.ctl" --log-file="$T/db.log" --no-chdir 2>/dev/null &
dbpid=$!
for _ in $(seq 50); do [ -S "$T/db.sock" ] && break; sleep 0.1; done
vsctl --no-wait init
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:dpdk-lcore-mask=$((1 << main)) \
    other_config:pmd-cpu-mask=$(printf '0x%x' $((1 << cpu))) \
    other_config:dpdk-extra="--no-huge --legacy-mem -m 1024 --no-pci \
--file-prefix xvovs$$ --log-level=*:error --vdev=net_ring0 --vdev=net_ring1"
"$ovsd" "$db" --pidfile="$T/sw.pid" --unixctl="$T/sw.ctl" \
    --log-file="$T/vswitchd.log" --no-chdir -vconsole:off 2>/dev/null &
swpid=$!
for _ in $(seq 100); do
    [ -S "$T/sw.ctl" ] && break
    kill -0 "$swpid" 2>/dev/null || fail "ovs-vswitchd-dpdk exited"
    sleep 0.1
done
vsctl add-br br0 -- set bridge br0 datapath_type=netdev || fail "add-br"
for p in 0 1; do
    vsctl add-port br0 p$p -- set Interface p$p type=dpdk \
        options:dpdk-devargs=net_ring$p options:n_rxq=2 ofport_request=$((p + 1)) \
        ingress_policing_rate=1000000000 ingress_policing_burst=1000000 ||
        fail "add-port p$p (net_ring$p)"
done
[ "$(vsctl get Interface p0 ofport)" = 1 ] || fail "p0: $(vsctl get Interface p0 error)"
ovs-ofctl del-flows "unix:$T/br0.mgmt" || fail "ovs-ofctl"
ovs-ofctl add-flow "unix:$T/br0.mgmt" "in_port=1,dl_vlan=10,actions=strip_vlan,output:2"
ovs-ofctl add-flow "unix:$T/br0.mgmt" "in_port=2,actions=mod_vlan_vid:10,output:1"

# rx: frames both ports received (OpenFlow counters: the database's
# statistics are refreshed only every 5 s)
rx() {
    ovs-ofctl dump-ports "unix:$T/br0.mgmt" |
        awk -F'[=,]' '/port +[12]: rx pkts/ { n += $2 } END { print n + 0 }'
}
for size in "$@"; do
    # untagged IPv4 frames from 02:..:02 to 02:..:01, zero padded
    frame=020000000001020000000002080045$(printf '%0*d' $(((size - 15) * 2)) 0)
    out=$(printf 'output:2,%.0s' $(seq 32))
    for _ in $(seq 8); do
        ovs-ofctl packet-out "unix:$T/br0.mgmt" \
            "in_port=controller packet=$frame actions=${out%,}" ||
            fail "packet-out"
    done
    sleep 1
    a=$(rx)
    t0=$(date +%s%N)
    sleep "$secs"
    b=$(rx)
    t1=$(date +%s%N)
    awk -v s="$size" -v n=$((b - a)) -v t=$((t1 - t0)) \
        'BEGIN { printf "%s %.2f\n", s, n / t * 1e3 }'
    # drain: the frames in flight leave with a flow that drops them
    ovs-ofctl add-flow "unix:$T/br0.mgmt" "priority=60000,actions=drop"
    sleep 0.5
    ovs-ofctl del-flows --strict "unix:$T/br0.mgmt" "priority=60000"
done
