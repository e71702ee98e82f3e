# SPDX-License-Identifier: MIT
# Shared by the guests tests: a private xvmd (sockets, state and namespace
# directories under $T), a backend serving its vifs, helpers.  Source it
# with XVMD XVM PROCDOM BACKEND set; BACKEND is xvm-netbackd or the in-test
# guest_backend.

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network namespaces, TAP devices)"; exit 77
fi
if ! unshare --net true 2>/dev/null; then
    echo "SKIP: cannot create network namespaces here"; exit 77
fi
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
command -v xenstore-read >/dev/null ||
    { echo "SKIP: xenstore-read missing (xenstore-utils)"; exit 77; }

T=$(mktemp -d /tmp/xvm-guests.XXXXXX)
SOCK=$T/xvmd.sock
export XENSTORED_PATH=$T/xs.sock
XVMD_PID= BE_PID=
fails=0

cleanup() {
    [ -n "$BE_PID" ] && kill "$BE_PID" 2>/dev/null && wait "$BE_PID"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    umount -l "$T/netns" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # expect DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
xvm() { "$XVM" -s "$SOCK" "$@"; }
domid() { xvm dominfo "$1" | sed -n 's/^Id: *//p'; }
rd() { xenstore-read "$1" 2>/dev/null; }
fe_state() { rd "/local/domain/$1/device/vif/${2:-0}/state"; }
be_state() { rd "/local/domain/0/backend/vif/$1/${2:-0}/state"; }
wait_for() { # wait_for TENTHS COMMAND...: until COMMAND succeeds
    local n=$1 i; shift
    for i in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
    return 1
}
both_connected() { [ "$(fe_state "$1" "${2:-0}")" = 4 ] && [ "$(be_state "$1" "${2:-0}")" = 4 ]; }
fe_is() { [ "$(fe_state "$1")" = "$2" ]; }
guest_mac() { xvm exec "$1" cat "/sys/class/net/${2:-eth0}/address" 2>/dev/null; }

start_xvmd() {
    mkdir -p "$T/netns"
    "$XVMD" -s "$SOCK" -x "$XENSTORED_PATH" -d "$T/state" -n "$T/netns" \
        -p "$PROCDOM" -t 3 2>>"$T/xvmd.log" &
    XVMD_PID=$!
    wait_for 50 grep -q "listening on" "$T/xvmd.log" || { echo "xvmd did not start"; cat "$T/xvmd.log"; exit 1; }
}

# Ready when it says so: "up" on stdout (guest_backend), "serving the
# vifs" in its log (xvm-netbackd).
start_backend() {
    : >"$T/be.out"
    case "$(basename "$BACKEND")" in
    xvm-netbackd) # -f: in the foreground, logging to stderr
        "$BACKEND" -f -x "$XENSTORED_PATH" -s "$SOCK" -S "$T/netbackd.stats" \
            >>"$T/be.out" 2>>"$T/be.err" &
        BE_PID=$!
        wait_for 50 grep -q 'serving the vifs' "$T/be.err" ||
            { echo "xvm-netbackd did not start"; cat "$T/be.err"; exit 1; } ;;
    *)
        "$BACKEND" -s "$SOCK" -x "$XENSTORED_PATH" >>"$T/be.out" 2>>"$T/be.err" &
        BE_PID=$!
        wait_for 50 grep -q '^up' "$T/be.out" || { echo "backend did not start"; cat "$T/be.err"; exit 1; } ;;
    esac
}

stop_backend() { # stop_backend [SIGNAL]
    kill "-${1:-TERM}" "$BE_PID"
    wait "$BE_PID" 2>/dev/null
    BE_PID=
}

in_test_backend() { [ "$(basename "$BACKEND")" != xvm-netbackd ]; }

domain_cfg() { # domain_cfg NAME MAC...: one vif per MAC
    local name=$1 v= m; shift
    for m in "$@"; do v="$v${v:+, }\"link=stub0,mac=$m\""; done
    printf 'name = "%s"\ntype = "process"\nmemory = 16\nvif = [ %s ]\n' \
        "$name" "$v" >"$T/$name.cfg"
    echo "$T/$name.cfg"
}

# Nothing of domain NAME (id ID) left: guest process, namespace, nodes.
check_gone() { # check_gone NAME ID
    if pgrep -f "xvm-procdom -n $T/netns $1\$" >/dev/null; then
        fail "$1: guest process left"
    else ok "$1: guest process gone"; fi
    if [ -e "$T/netns/xvm-$1" ]; then fail "$1: namespace left"
    else ok "$1: namespace unpinned"; fi
    for p in /local/domain/$2 /local/domain/0/backend/vif/$2; do
        if xenstore-exists "$p" 2>/dev/null; then fail "$1: $p left"
        else ok "$1: $p removed"; fi
    done
}

finish() {
    if [ $fails -ne 0 ]; then
        echo "--- xvmd.log"; cat "$T/xvmd.log"
        echo "--- backend"; cat "$T/be.out" "$T/be.err" 2>/dev/null
    fi
    echo "$fails failure(s)"
    [ $fails -eq 0 ]
}
