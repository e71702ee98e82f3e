#!/bin/bash
# xvnet demo: what works today, narrated.  Runs by itself in about a minute
# and leaves nothing behind.  Usage: scripts/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
T=$(mktemp -d /tmp/xvnet-demo.XXXXXX)
XVMD_PID=

cleanup() {
    if [ -n "$XVMD_PID" ]; then
        kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID" 2>/dev/null
    fi
    umount -l "$T/netns" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

say "xvnet demo"
cat <<'TXT'
A guest (frontend, libxnf) and dom0's backend (libnetback) speak the Xen
netif protocol.  Here they run as two processes that share nothing but the
guest's memory (a memfd) and two eventfds (event channels), handed over a
Unix socket.  The guest grants its ring pages and packet buffers in a Xen v1
grant table; the backend validates every request and grant before copying.
TXT

say "1. Exchange 200,000 frames of 60-9000 bytes each way, checksummed"
run "$build/tests/integration/netif/test_netif_xproc" 200000 1

say "2. Throughput: frontend -> backend -> frontend, one core per side"
run "$build/bench/netif_bench" -s 64,1500,9000 -t 1

say "3. Hostile frontends: each protocol violation disables only that vif"
echo "Each line is a frontend breaking the protocol one way; the backend"
echo "disables that vif with the reason counted, and carries on:"
"$build/tests/unit/netback/test_nb_fatal" 2>/dev/null |
    sed -n 's/^ok   test_fatal_/  ok: /p' | grep -v ': names$' | tr '_' '-'

say "4. Domains: xvmd and the xvm command"
mkdir -p "$T/netns"
"$build/hypervisor/xvmd/xvmd" -s "$T/xvmd.sock" -x "$T/xs.sock" -d "$T/state" -n "$T/netns" \
    -p "$build/frontend-drivers/procdom/xvm-procdom" -t 3 2>"$T/xvmd.log" &
XVMD_PID=$!
for _ in $(seq 50); do grep -q "listening on" "$T/xvmd.log" && break; sleep 0.1; done
xvm() { "$build/hypervisor/xvm/xvm" -s "$T/xvmd.sock" "$@"; }
cat >"$T/web1.cfg" <<'CFG'
name = "web1"
type = "process"
memory = 64
vcpus = 1
vif = [ "link=phys0,vlan=10,maxbw=100M,mac=auto" ]
CFG
printf 'name = "bad"\nvif = [ "link=phys0,vlan=5000" ]\n' >"$T/bad.cfg"
printf '\033[2m$ xvm create web1.cfg\033[0m\n'; xvm create "$T/web1.cfg"
printf '\033[2m$ xvm list\033[0m\n'; xvm list
printf '\033[2m$ xvm dominfo web1\033[0m\n'; xvm dominfo web1
printf '\033[2m$ xvm exec web1 ip -br link   # its own network namespace\033[0m\n'
xvm exec web1 ip -br link
printf '\033[2m$ xvm pause web1; xvm list\033[0m\n'; xvm pause web1; xvm list
xvm resume web1
printf '\033[2m$ xvm create bad.cfg          # refused, nothing created\033[0m\n'
xvm create "$T/bad.cfg" 2>&1 | sed "s|$T/||" || true
printf '\033[2m$ xvm destroy web1; xvm list\033[0m\n'; xvm destroy web1
xvm list

say "Done.  Coming next: vswitchd VNICs, dladm, guests on VNICs (README.md)."
