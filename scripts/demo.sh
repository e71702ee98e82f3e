#!/bin/sh
# xvnet demo: what works today, narrated.  Runs by itself in about a minute
# and leaves nothing behind.  Usage: scripts/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "xvnet demo: the Xen netif protocol between two processes"
cat <<'TXT'
A guest (frontend, libxnf) and dom0's backend (libnetback) run as two
processes.  They share nothing but the guest's memory (a memfd) and two
eventfds (event channels), handed over a Unix socket as xvmd will do.
The guest grants its ring pages and packet buffers in a Xen v1 grant table;
the backend validates every request and grant before copying.
TXT

say "1. Exchange 200,000 frames of 60-9000 bytes each way, checksummed"
"$build/tests/integration/netif/test_netif_xproc" 200000 1

say "2. Throughput: frontend -> backend -> frontend, one core per side"
"$build/bench/netif_bench" -s 64,1500,9000 -t 1

say "3. A hostile frontend: every protocol violation disables only its vif"
"$build/tests/unit/netback/test_netback" 2>&1 | grep -E '^(ok|FAIL)' |
    grep -E 'fatal|hostile|other_vif|xsa' | head -n 20 || true

say "Done.  Next: vswitchd, dladm and guests (see README.md)."
