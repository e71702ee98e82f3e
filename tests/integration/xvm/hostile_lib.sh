# SPDX-License-Identifier: MIT
# Sourced by the hostile-guest tests: xvmd with private sockets and state
# under $T, every guest run by hostile_guest (xvmd -p) instead of
# xvm-procdom; guest_create NAME makes a process domain without vifs.
# The environment (XVMD, XVM, HOSTILE) comes from meson.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"

for v in XVMD XVM HOSTILE; do
    [ -x "${!v:-}" ] || skip "$v not set (run through meson test)"
done
[ "$(id -u)" = 0 ] || skip "needs root (xvmd's sockets and state)"

T=$(mktemp -d /tmp/xvm-hostile.XXXXXX)
export HOSTILE_DIR=$T
XVMD_PID=
fails=0

cleanup() {
    [ -n "${CLEANUP_HOOK:-}" ] && "$CLEANUP_HOOK"
    [ -n "$XVMD_PID" ] && xvm_destroy_all "$XVM" -s "$T/xvmd.sock"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    xenstored_stop "$T"
    if [ $fails -ne 0 ]; then echo "--- xvmd.log"; tail -30 "$T/xvmd.log"; fi
    rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
finish() { echo "$fails failure(s)"; [ $fails -eq 0 ]; }
xvm() { "$XVM" -s "$T/xvmd.sock" "$@"; }
state_of() {
    xvm list --all | awk -v n="$1" '$2 == n { $1 = $2 = ""; sub(/^ +/, ""); print }'
}

# start_xvmd [NOFILE [OPTION...]]: xvmd, with at most NOFILE descriptors
# if given (not empty), and the OPTIONs.
start_xvmd() {
    local nofile=${1:-} before
    [ $# -gt 0 ] && shift
    mkdir -p "$T/netns"
    # an xvmd started again: wait for its own line, not the last one's
    before=$(grep -c "xvmd: listening on" "$T/xvmd.log" 2>/dev/null)
    (
        [ -n "$nofile" ] && ulimit -n "$nofile"
        exec "$XVMD" -s "$T/xvmd.sock" -x "$T/xs.sock" -d "$T/state" \
            -n "$T/netns" -p "$HOSTILE" -t 1 "$@"
    ) 2>>"$T/xvmd.log" &
    XVMD_PID=$!
    wait_until 5 sh -c "[ \$(grep -c 'xvmd: listening on' '$T/xvmd.log') \
        -gt ${before:-0} ]" || { fail "xvmd did not start"; exit 1; }
}

guest_create() {
    printf 'name = "%s"\ntype = "process"\nmemory = 16\nvcpus = 1\n' "$1" \
        >"$T/$1.cfg"
    xvm create "$T/$1.cfg" >/dev/null
}

# timed SECONDS COMMAND...: COMMAND's status, failing if it took longer.
timed() {
    local limit=$1 start=$EPOCHREALTIME rc el; shift
    "$@" >/dev/null; rc=$?
    el=$(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.3f", a - b }')
    if awk -v e="$el" -v l="$limit" 'BEGIN { exit !(e > l) }'; then
        echo "  '$*' took ${el}s (limit ${limit}s)"; return 1
    fi
    return $rc
}
