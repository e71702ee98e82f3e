#!/bin/bash
# xvnet demo, narrated.  Runs by itself in about two minutes and leaves
# nothing behind: every daemon, namespace, veth and file it makes is
# removed on exit.  Usage: scripts/demo.sh [BUILD_DIR | INSTALL_PREFIX]
# (an installed tree: PREFIX/sbin and PREFIX/libexec, as `make install`
# lays it out, e.g. under a DESTDIR).
set -eu
B=$(cd "${1:-build}" && pwd)
if [ -x "$B/sbin/xvmd" ]; then
    XVMD=$B/sbin/xvmd XVM_BIN=$B/sbin/xvm VSWITCHD=$B/sbin/vswitchd
    DLADM=$B/sbin/dladm SNOOP=$B/sbin/snoop
else
    XVMD=$B/app/xvmd/xvmd
    XVM_BIN=$B/app/xvm/xvm
    VSWITCHD=$B/app/vswitchd/vswitchd
    DLADM=$B/app/dladm/dladm
    SNOOP=$B/app/snoop/snoop
fi

ID=$(($$ % 9000 + 1000))
T=$(mktemp -d /tmp/xvnet-demo.XXXXXX)
NS_OUT=xvdemo${ID}o VETH_SW=xvd${ID}s VETH_OUT=xvd${ID}o PREFIX=xvdemo$ID
# The demo's own runtime directory: every program finds the sockets there.
export XVNET_RUNDIR=$T XENSTORED_PATH=$T/xenstored.sock
XVMD_PID= VSWD_PID=

cleanup() {
    set +e
    # Domains outlive xvmd: the demo's go first.
    if [ -n "$XVMD_PID" ]; then
        for d in $("$XVM_BIN" list 2>/dev/null | awk 'NR > 2 { print $2 }'); do
            "$XVM_BIN" destroy "$d" >/dev/null 2>&1
        done
    fi
    [ -n "$VSWD_PID" ] && kill "$VSWD_PID" 2>/dev/null && wait "$VSWD_PID"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    # The xenstored xvmd started (it outlives xvmd), by its pid file.
    XSD_PID=$(cat "$T/xenstored.pid" 2>/dev/null) &&
        [ "$(cat "/proc/$XSD_PID/comm" 2>/dev/null)" = xenstored ] &&
        kill "$XSD_PID" 2>/dev/null
    umount -l "$T/netns" 2>/dev/null
    ip netns del "$NS_OUT" 2>/dev/null
    ip link del "$VETH_SW" 2>/dev/null
    rm -rf "$T" "/var/run/dpdk/$PREFIX"
    return 0
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; }
xvm() { "$XVM_BIN" "$@"; }
dladm() { "$DLADM" "$@"; }
wait_until() { # SECONDS COMMAND...
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ $SECONDS -ge "$end" ] && return 1
        sleep 0.1
    done
}
connected() { # DOMID: both ends of vif 0 in XenbusState Connected (4)
    [ "$(xenstore-read "/local/domain/$1/device/vif/0/state" 2>/dev/null)" = 4 ] &&
    [ "$(xenstore-read "/local/domain/0/backend/vif/$1/0/state" 2>/dev/null)" = 4 ]
}
mbits() { sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' "$1" |
          tail -1 | awk '{ printf "%.1f", $1 / 1e6 }'; }

say "xvnet demo"
cat <<'TXT'
Guests get paravirtual NICs that speak the Xen netif protocol; in dom0 a
DPDK switch (vswitchd) carves links into VNICs with a MAC, a VLAN, a
bandwidth limit and a priority; dladm manages them and snoop captures.
TXT

if [ -x "$B/tests/integration/netif/test_netif_xproc" ]; then
say "1. The netif protocol between two processes"
echo "A frontend (libxnf) and a backend (libnetback) share only the guest's"
echo "memory (a memfd) and two eventfds; 100,000 checksummed frames each way:"
"$B/tests/integration/netif/test_netif_xproc" 100000 1 | sed -n '1,3p;$p'
echo "Throughput, frontend -> backend -> frontend, one core per side:"
"$B/bench/netif_bench" -s 64,1500 -t 1 | tail -n 3

say "2. Hostile frontends: each protocol violation disables only that vif"
"$B/tests/unit/netback/test_nb_fatal" 2>/dev/null |
    sed -n 's/^ok   test_fatal_/  disabled and counted: /p' | grep -v ': names$' |
    tr '_' '-'
else
say "1-2. (The protocol and hostile-frontend parts run from a build tree.)"
fi

say "3. dom0: xvmd (domains, xenstore) and vswitchd (the switch)"
mkdir -p "$T/netns" "$T/vsw-state"
# No -p: xvmd finds xvm-procdom (and the xenstored it starts) beside it,
# in a build tree as in an installed one.
"$XVMD" -d "$T/state" -n "$T/netns" -t 3 2>"$T/xvmd.log" &
XVMD_PID=$!
wait_until 5 grep -q "listening on" "$T/xvmd.log"
# The "physical" link: one end of a veth pair, the other end in a namespace
# standing for the outside world.  DPDK runs without hugepages.
ip netns add "$NS_OUT"
ip link add "$VETH_SW" type veth peer name "$VETH_OUT"
ip link set "$VETH_OUT" netns "$NS_OUT"
ip -n "$NS_OUT" link set "$VETH_OUT" up
ip link set "$VETH_SW" up
"$VSWITCHD" -S "$T/vsw-state" -F "$PREFIX" -m 128 -x "$XENSTORED_PATH" \
    >"$T/vswitchd.out" \
    2>"$T/vswitchd.log" &
VSWD_PID=$!
wait_until 15 grep -q "ready on" "$T/vswitchd.out"
echo "(every host NIC is a datalink under its own name; the veth stands for one)"
show "dladm show-phys $VETH_SW"; dladm show-phys "$VETH_SW"
show "dladm create-etherstub stub0"; dladm create-etherstub stub0
show "dladm show-link"; dladm show-link

say "4. Two guest domains on stub0; web2's vif has maxbw=20M"
printf 'name = "web1"\nmemory = 16\nvif = [ "link=stub0,mac=02:08:20:00:00:01" ]\n' \
    >"$T/web1.cfg"
printf 'name = "web2"\nmemory = 16\nvif = [ "link=stub0,mac=02:08:20:00:00:02,maxbw=20M" ]\n' \
    >"$T/web2.cfg"
show "cat web2.cfg"; cat "$T/web2.cfg"
show "xvm create web1.cfg; xvm create web2.cfg"
xvm create "$T/web1.cfg"
xvm create "$T/web2.cfg"
id1=$(xvm dominfo web1 | sed -n 's/^Id: *//p')
id2=$(xvm dominfo web2 | sed -n 's/^Id: *//p')
wait_until 15 connected "$id1" && wait_until 15 connected "$id2"
echo "(both vifs went through the xenbus handshake to Connected)"
show "xvm list"; xvm list
show "dladm show-vnic"; dladm show-vnic
show "dladm show-linkprop -p maxbw xvm${id2}_0"
dladm show-linkprop -p maxbw "xvm${id2}_0"

say "5. Ping between the guests (their eth0 is a TAP fed by netif)"
for d in "web1 10.99.0.1" "web2 10.99.0.2"; do
    set -- $d
    xvm exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    xvm exec "$1" ip addr add "$2/24" dev eth0
done
show "xvm exec web1 ping -c 3 10.99.0.2"
xvm exec web1 ping -c 3 -i 0.3 10.99.0.2 | tail -n 2

say "6. A capture on web2's VNIC while web1 pings it"
show "snoop -d xvm${id2}_0 -c 4 icmp"
"$SNOOP" -d "xvm${id2}_0" -c 4 icmp &
spid=$!
sleep 0.5
xvm exec web1 ping -c 2 -i 0.3 10.99.0.2 >/dev/null
wait "$spid" || true

say "7. maxbw holding: iperf3 TCP from web2 (20M) and from web1 (no limit)"
# (the pid files are in each domain's own /tmp: the sandbox sees none of ours)
xvm exec web1 iperf3 -s -D -I /tmp/iperf.pid >/dev/null 2>&1
xvm exec web2 iperf3 -s -D -I /tmp/iperf.pid >/dev/null 2>&1
sleep 0.5
xvm exec web2 iperf3 -c 10.99.0.1 -t 3 -J >"$T/a.json" 2>&1 || true
echo "  web2 -> web1 (maxbw 20M): $(mbits "$T/a.json") Mbit/s"
xvm exec web1 iperf3 -c 10.99.0.2 -t 3 -J >"$T/b.json" 2>&1 || true
echo "  web1 -> web2 (into web2's VNIC, also limited to 20M): $(mbits "$T/b.json") Mbit/s"
show "dladm set-linkprop -t -p maxbw=50M xvm${id2}_0"
dladm set-linkprop -t -p maxbw=50M "xvm${id2}_0"
xvm exec web2 iperf3 -c 10.99.0.1 -t 3 -J >"$T/c.json" 2>&1 || true
echo "  web2 -> web1 (maxbw now 50M): $(mbits "$T/c.json") Mbit/s"
for d in web1 web2; do
    xvm exec "$d" sh -c '[ -s /tmp/iperf.pid ] && kill "$(cat /tmp/iperf.pid)"'
done
show "dladm show-vnic -s"; dladm show-vnic -s

say "8. A bad config creates nothing; destroy removes the VNICs"
printf 'name = "bad"\nvif = [ "link=stub0,vlan=5000" ]\n' >"$T/bad.cfg"
show "xvm create bad.cfg"
xvm create "$T/bad.cfg" 2>&1 | sed "s|$T/||" || true
show "xvm destroy web1; xvm destroy web2"
xvm destroy web1
xvm destroy web2
wait_until 10 sh -c "! \"$DLADM\" show-vnic -p -o link | grep -q xvm"
show "xvm list; dladm show-vnic"; xvm list; dladm show-vnic || true

say "Done: everything is cleaned up."
