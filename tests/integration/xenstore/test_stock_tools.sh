#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real xenstored binary, driven by Debian's stock xenstore-* tools
# (xenstore-utils, pointed at our socket with XENSTORED_PATH): outputs and
# exit codes as a toolstack would see them, then a clean SIGTERM shutdown,
# the detaching mode, and refusals at start-up.
#
# usage: test_stock_tools.sh path/to/xenstored
. "$(dirname "$0")/../../lib/common.sh"

XS=${1:?usage: $0 path/to/xenstored}
for t in xenstore-read xenstore-write xenstore-ls xenstore-rm \
         xenstore-exists xenstore-list xenstore-chmod xenstore-watch; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "SKIP: $t not found (install Debian's xenstore-utils)"
        exit 77
    fi
done

TMP=$(mktemp -d /tmp/xst-tools-XXXXXX)
SOCK=$TMP/run/sock
PID=
PID2=
fails=0

cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    [ -n "$PID2" ] && kill "$PID2" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# expect_out NAME EXPECTED COMMAND...: exit 0 and exactly EXPECTED on stdout
expect_out() {
    name=$1 want=$2
    shift 2
    got=$("$@" 2>"$TMP/err")
    rc=$?
    if [ $rc -ne 0 ] || [ "$got" != "$want" ]; then
        fail "$name: rc $rc, got [$got], want [$want]: $(cat "$TMP/err")"
    else
        echo "ok   $name"
    fi
}

# expect_rc NAME RC COMMAND...
expect_rc() {
    name=$1 want=$2
    shift 2
    "$@" >"$TMP/out" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        fail "$name: rc $rc, want $want: $(cat "$TMP/out")"
    else
        echo "ok   $name"
    fi
}

wait_for_socket() {
    i=0
    while [ ! -S "$1" ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ -S "$1" ]
}

"$XS" -s "$SOCK" -f 2>"$TMP/log" &
PID=$!
if ! wait_for_socket "$SOCK"; then
    echo "FAIL: xenstored did not create $SOCK: $(cat "$TMP/log")"
    exit 1
fi
export XENSTORED_PATH="$SOCK"

expect_out "socket is 0600" 600 stat -c %a "$SOCK"
expect_out "socket dir is 0755" 755 stat -c %a "$TMP/run"

expect_rc "write creates parents" 0 \
    xenstore-write /vm/web1/name web1 /vm/web1/memory 512
expect_out "read" web1 xenstore-read /vm/web1/name
expect_out "read two" "web1
512" xenstore-read /vm/web1/name /vm/web1/memory
expect_out "parent is empty" "" xenstore-read /vm/web1
expect_rc "read missing exits 1" 1 xenstore-read /vm/web1/nothing
expect_rc "exists" 0 xenstore-exists /vm/web1/name
expect_rc "exists missing exits 1" 1 xenstore-exists /vm/web1/nothing
expect_out "list" "name
memory" xenstore-list /vm/web1
expect_out "ls" 'name = "web1"
memory = "512"' xenstore-ls /vm/web1
expect_out "ls nested" 'web1 = ""
 name = "web1"
 memory = "512"' xenstore-ls /vm
expect_rc "write odd value" 0 xenstore-write /vm/odd 'a b=c "d" /e'
expect_out "read odd value" 'a b=c "d" /e' xenstore-read /vm/odd
expect_rc "relative write is dom0's home" 0 xenstore-write name Domain-0
expect_out "relative read" Domain-0 xenstore-read /local/domain/0/name

expect_rc "chmod" 0 xenstore-chmod /vm/web1 n0 r5
if xenstore-ls -p /vm 2>&1 | grep -q '(n0,r5)'; then
    echo "ok   ls -p shows perms"
else
    fail "ls -p: $(xenstore-ls -p /vm 2>&1)"
fi
expect_rc "chmod missing node fails" 1 xenstore-chmod /vm/none n0

expect_rc "rm" 0 xenstore-rm /vm/web1/memory
expect_rc "rm'd node is gone" 1 xenstore-exists /vm/web1/memory
expect_rc "rm subtree" 0 xenstore-rm /vm/web1
expect_rc "subtree is gone" 1 xenstore-read /vm/web1/name
expect_rc "rm with missing parent fails" 1 xenstore-rm /vm/nope/deeper
expect_rc "bad path" 1 xenstore-write /vm//x 1

# A directory longer than one reply makes the library use DIRECTORY_PART.
args=
i=0
while [ $i -lt 300 ]; do
    args="$args /many/child-number-$i x"
    i=$((i + 1))
done
# shellcheck disable=SC2086
expect_rc "300 writes in one transaction" 0 xenstore-write $args
expect_out "list past 4096 bytes" 300 sh -c 'xenstore-list /many | wc -l'

# A watch fires once when set, then for the change.
timeout 5 xenstore-watch -n 2 /w >"$TMP/watch" 2>&1 &
WPID=$!
sleep 0.3
xenstore-write /w/x 1
wait $WPID
rc=$?
if [ $rc -ne 0 ] || [ "$(cat "$TMP/watch")" != "/w
/w/x" ]; then
    fail "watch: rc $rc: $(cat "$TMP/watch")"
else
    echo "ok   watch"
fi

expect_rc "second daemon on a live socket fails" 1 "$XS" -s "$SOCK" -f
expect_rc "unknown option" 1 "$XS" -x
expect_rc "socket dir cannot be made" 1 "$XS" -s "$TMP/no/such/sock" -f

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
[ -e "$SOCK" ] && fail "socket left behind after SIGTERM"
grep -q "exiting" "$TMP/log" || fail "no exit message: $(cat "$TMP/log")"
echo "ok   SIGTERM"

# Without -f it detaches once listening: usable as soon as it returns.
SOCK2=$TMP/run2/sock
expect_rc "detaching start" 0 "$XS" -s "$SOCK2"
PID2=$(pgrep -x -f "$XS -s $SOCK2")
[ -n "$PID2" ] || fail "detached daemon not found"
XENSTORED_PATH=$SOCK2 expect_out "detached daemon serves" "" \
    xenstore-read /local
if [ -n "$PID2" ]; then
    kill -INT "$PID2"
    i=0
    while kill -0 "$PID2" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    kill -0 "$PID2" 2>/dev/null && fail "detached daemon ignored SIGINT"
    PID2=
    [ -e "$SOCK2" ] && fail "socket left behind after SIGINT"
fi

if [ $fails -ne 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "all passed"
