#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real vswitchd and xvmd refuse state they did not write, at once and
# with a clear message, and never hang on it:
#   - vswitchd whose datalink.conf is a link to /dev/zero, or a FIFO, or
#     whose state directory is mode 0777 or another uid's, exits non-zero
#     before it serves anything;
#   - xvmd skips a domain record that is a link to /dev/zero or a FIFO
#     (logged), keeps the good one, and starts; a state or domains
#     directory of mode 0777 stops it, and so does another xvmd running
#     on the same state directory.
# Every log line starts with an ISO 8601 timestamp and the daemon's name.
#
# usage: state_refusal.sh VSWITCHD XVMD XVM-PROCDOM
. "$(dirname "$0")/../../lib/common.sh"

VSWITCHD=$1 XVMD=$2 PROCDOM=$3
[ "$(id -u)" = 0 ] || skip "needs root (chown, DPDK)"

T=$(mktemp -d /tmp/xvnet-state.XXXXXX)
PREFIX="vswst$$"
XVMD_PID=
fails=0
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

cleanup() {
    if [ -n "$XVMD_PID" ]; then
        kill "$XVMD_PID" 2>/dev/null
        wait "$XVMD_PID" 2>/dev/null
    fi
    xenstored_stop "$T/x1"
    xenstored_stop "$T/x2"
    xenstored_stop "$T/x3"
    rm -rf "$T" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# vswd_refuses NAME STATE-DIR MESSAGE: vswitchd exits non-zero within
# 30 s, logs MESSAGE on a timestamped error line, and made no socket.
vswd_refuses() {
    local name=$1 state=$2 msg=$3 rc
    timeout -k 5 30 "$VSWITCHD" -S "$state" -s "$T/vsw.sock" -F "$PREFIX" \
        -m 128 >"$T/vsw.out" 2>"$T/vsw.err"
    rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "$name: vswitchd hung"
    elif [ $rc = 0 ]; then
        fail "$name: vswitchd started"
    elif ! grep -Eq "^$STAMP vswitchd: error: .*$msg" "$T/vsw.err"; then
        fail "$name: no '$msg' in: $(cat "$T/vsw.err")"
    elif [ -e "$T/vsw.sock" ]; then
        fail "$name: the control socket was made"
    else
        ok "$name (status $rc)"
    fi
}

mkdir -m 0755 "$T/vs1"
ln -s /dev/zero "$T/vs1/datalink.conf"
vswd_refuses "vswitchd: datalink.conf a link to /dev/zero" "$T/vs1" \
    "datalink.conf refused: a symbolic link"

mkdir -m 0755 "$T/vs2"
mkfifo "$T/vs2/datalink.conf"
vswd_refuses "vswitchd: datalink.conf a FIFO" "$T/vs2" \
    "datalink.conf refused: not a regular file"

mkdir "$T/vs3"
chmod 0777 "$T/vs3"
vswd_refuses "vswitchd: state directory mode 0777" "$T/vs3" \
    "vs3 refused: writable by group or others"

mkdir -m 0755 "$T/vs4"
chown 12345:12345 "$T/vs4"
vswd_refuses "vswitchd: state directory of another uid" "$T/vs4" \
    "vs4 refused: owned by uid 12345"

# xvmd: two planted records and a good one.
mkdir -p "$T/x1/domains" "$T/netns"
chmod 0700 "$T/x1" "$T/x1/domains"
ln -s /dev/zero "$T/x1/domains/zero.cfg"
mkfifo "$T/x1/domains/fifo.cfg"
printf '%s\n' 'name = "good1"' \
    'uuid = "3f0c1d9e-8a2b-4c5d-9e6f-0a1b2c3d4e5f"' 'type = "process"' \
    'memory = 64' 'vcpus = 1' 'vif = [ ]' >"$T/x1/domains/good1.cfg"
chmod 0600 "$T/x1/domains/good1.cfg"
"$XVMD" -s "$T/x1/xvmd.sock" -x "$T/x1/xs.sock" -d "$T/x1" -n "$T/netns" \
    -p "$PROCDOM" 2>"$T/x1.log" &
XVMD_PID=$!
for _ in $(seq 50); do
    grep -q "xvmd: listening on" "$T/x1.log" && break
    kill -0 "$XVMD_PID" 2>/dev/null || break
    sleep 0.1
done
if ! grep -Eq "^$STAMP xvmd: listening on .*, 1 domain record\(s\)$" \
        "$T/x1.log"; then
    fail "xvmd: did not start with the good record: $(cat "$T/x1.log")"
else
    ok "xvmd: started with the good record, timestamped lines"
fi
grep -Eq "^$STAMP xvmd: error: .*zero.cfg refused: a symbolic link" \
    "$T/x1.log" && ok "xvmd: a record linked to /dev/zero is refused" ||
    fail "xvmd: zero.cfg: $(cat "$T/x1.log")"
grep -Eq "^$STAMP xvmd: error: .*fifo.cfg refused: not a regular file" \
    "$T/x1.log" && ok "xvmd: a FIFO record is refused" ||
    fail "xvmd: fifo.cfg: $(cat "$T/x1.log")"
# A second xvmd on the same state directory (its own sockets) would take
# the first one's domains for orphans: refused while the first runs.
timeout -k 5 10 "$XVMD" -s "$T/x1/b.sock" -x "$T/x1/xs.sock" -d "$T/x1" \
    -n "$T/netns" -p "$PROCDOM" 2>"$T/x1b.log"
rc=$?
if [ $rc != 0 ] && [ $rc != 124 ] &&
    grep -Eq "^$STAMP xvmd: error: another xvmd runs on the state directory $T/x1$" \
        "$T/x1b.log" && [ ! -e "$T/x1/b.sock" ]; then
    ok "xvmd: a second xvmd on the same state directory is refused"
else
    fail "xvmd: second on $T/x1: status $rc: $(cat "$T/x1b.log")"
fi
kill "$XVMD_PID"
wait "$XVMD_PID"
XVMD_PID=

# refused DIR WHAT PATTERN: xvmd with state directory DIR exits at once,
# not 0, saying PATTERN.
refused() {
    local dir=$1 what=$2 pattern=$3 rc
    timeout -k 5 10 "$XVMD" -s "$dir/xvmd.sock" -x "$dir/xs.sock" -d "$dir" \
        -n "$T/netns" -p "$PROCDOM" 2>"$dir.log"
    rc=$?
    if [ $rc = 0 ] || [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "xvmd: $what: status $rc"
    elif ! grep -Eq "^$STAMP xvmd: error: $pattern" "$dir.log"; then
        fail "xvmd: $what: $(cat "$dir.log")"
    else
        ok "xvmd: $what is refused (status $rc)"
    fi
}

mkdir -p "$T/x2/domains"
chmod 0777 "$T/x2/domains"
refused "$T/x2" "domains directory 0777" \
    ".*domains refused: writable by group or others"
mkdir -p "$T/x3"
chmod 0777 "$T/x3"
refused "$T/x3" "state directory 0777" \
    "state directory $T/x3 refused: writable by group or others"

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
