# SPDX-License-Identifier: MIT
#
# Shared by the xvm-netbackd tests: xvmd (private sockets, state and netns
# directories under $T) running process domains whose guest is nbd_guest,
# a real netif frontend with a TAP eth0 at 10.77.0.<domid>/24, and
# xvm-netbackd serving their vifs.
#
# usage (by the tests): . lib.sh XVMD XVM XVM-NETBACKD NBD_GUEST
set -u
XVMD=$1 XVM_BIN=$2 NBD=$3 GUEST=$4
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network namespaces, TAP devices)"; exit 77
fi
for t in xenstore-read xenstore-exists ping iperf3; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }

T=$(mktemp -d /tmp/xvm-nbd.XXXXXX)
XVMD_PID= NBD_PID=
fails=0
cleanup() {
    [ -n "$NBD_PID" ] && kill "$NBD_PID" 2>/dev/null && wait "$NBD_PID"
    # xvmd destroys its domains when told to stop.
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    umount -l "$T/netns" 2>/dev/null
    if [ $fails -ne 0 ] || [ -n "${NBD_KEEP_LOGS:-}" ]; then
        for f in "$T"/*.log; do echo "--- $f"; tail -40 "$f"; done
    fi
    rm -rf "$T"
}
trap cleanup EXIT
export XENSTORED_PATH=$T/xs.sock
export NBD_GUEST_IPV4=10.77.0
STATS=$T/nbd.stats

ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # expect DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
finish() { echo "$fails failure(s)"; [ $fails -eq 0 ]; }
xvm() { "$XVM_BIN" -s "$T/xvmd.sock" "$@"; }
rd() { xenstore-read "$1" 2>/dev/null; }

start_xvmd() {
    local starts
    starts=$(grep -c "listening on" "$T/xvmd.log" 2>/dev/null || true)
    starts=${starts:-0}
    mkdir -p "$T/netns"
    "$XVMD" -s "$T/xvmd.sock" -x "$XENSTORED_PATH" -d "$T/state" \
        -n "$T/netns" -p "$GUEST" -t 2 2>>"$T/xvmd.log" &
    XVMD_PID=$!
    # Ready once it logs "listening on" (both sockets bound and listening).
    for _ in $(seq 50); do
        [ "$(grep -c "listening on" "$T/xvmd.log")" -gt "$starts" ] && return 0
        sleep 0.1
    done
    echo "FAIL: xvmd did not start"; fails=1; exit 1
}

start_nbd() {
    "$NBD" -f -x "$XENSTORED_PATH" -s "$T/xvmd.sock" -S "$STATS" \
        2>>"$T/nbd.log" &
    NBD_PID=$!
}

# create_dom NAME MAC [EXTRA-VIF-KEYS]: prints the domain id.
create_dom() {
    cat >"$T/$1.cfg" <<CFG
name = "$1"
memory = 16
vif = [ "link=stub0,mac=$2${3:+,$3}" ]
CFG
    xvm create "$T/$1.cfg" >/dev/null || { fail "create $1"; return 1; }
    xvm dominfo "$1" | sed -n 's/^Id: *//p'
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, polling every
# 0.1 s, for at most about SECONDS (COMMAND's own time included).
wait_until() {
    local end=$((SECONDS + $1)); shift
    while :; do
        "$@" && return 0
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

both_connected() { # DOMID
    [ "$(rd /local/domain/0/backend/vif/$1/0/state)" = 4 ] &&
        [ "$(rd /local/domain/$1/device/vif/0/state)" = 4 ]
}

# The stats file, fresh: SIGUSR1, then wait for a newer seq from NBD_PID.
stats_fresh() {
    local seq0
    seq0=$(sed -n "s/^netbackd pid=$NBD_PID seq=\([0-9]*\).*/\1/p" "$STATS" 2>/dev/null)
    kill -USR1 "$NBD_PID"
    wait_until 5 stats_newer "${seq0:-0}"
}
stats_newer() {
    local s
    s=$(sed -n "s/^netbackd pid=$NBD_PID seq=\([0-9]*\).*/\1/p" "$STATS" 2>/dev/null)
    [ -n "$s" ] && [ "$s" -gt "$1" ]
}
# stat DOMID KEY: a counter of vif DOMID/0 from the stats file.
stat() {
    sed -n "s/^vif $1\/0 .* $2=\([^ ]*\).*/\1/p" "$STATS"
}
# The vif's state as netbackd itself reports it (file written by NBD_PID).
nbd_state_is() { # DOMID STATE
    grep -q "^netbackd pid=$NBD_PID " "$STATS" 2>/dev/null &&
        grep -q "^vif $1/0 .* state=$2" "$STATS"
}

in_dom() { local d=$1; shift; xvm exec "$d" "$@"; }
ping_ok() { # FROM-DOM TO-IP
    in_dom "$1" ping -c 3 -i 0.2 -W 1 -q "$2" >/dev/null 2>&1
}
# iperf3 TCP from domain $1 to the iperf3 server in $2 (at $3), $4 seconds;
# prints the Mbit/s the server received (0 when the run failed).
iperf_mbps() {
    local r
    in_dom "$2" iperf3 -s -1 -D -I "$T/iperf-$2.pid" >/dev/null 2>&1
    sleep 0.3
    r=$(in_dom "$1" timeout $(($4 + 10)) iperf3 -c "$3" -t "$4" -f m 2>&1 |
        awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print int($i) }')
    [ -f "$T/iperf-$2.pid" ] && kill "$(cat "$T/iperf-$2.pid")" 2>/dev/null
    rm -f "$T/iperf-$2.pid"
    echo "${r:-0}"
}
