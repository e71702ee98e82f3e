#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The domain lifecycle end to end, with a real xvmd and real process
# domains: create from a file, list, dominfo, exec in the domain's fresh
# network namespace, pause/resume, shutdown, destroy, a guest killed from
# outside shows as crashed, a bad config creates nothing and names
# file:line:key, the UUID survives an xvmd restart, and nothing is left
# behind (namespace, guest process, memory memfd, fds).
#
# usage: test_xvm_lifecycle.sh XVMD XVM XVM-PROCDOM TEST-XVMD-PROTO
. "$(dirname "$0")/../../lib/common.sh"

XVMD=$1 XVM_BIN=$2 PROCDOM=$3 PROTO_TEST=$4
if [ "$(id -u)" != 0 ]; then
    skip "needs root (network namespaces, mounts)"
fi
if ! unshare --net true 2>/dev/null; then
    skip "cannot create network namespaces here"
fi

T=$(mktemp -d /tmp/xvm-lifecycle.XXXXXX)
SOCK=$T/xvmd.sock STATE=$T/state NETNS=$T/netns
XVMD_PID=
fails=0

cleanup() {
    [ -n "$XVMD_PID" ] && xvm_destroy_all "$XVM_BIN" -s "$SOCK"
    [ -n "$XVMD_PID" ] && kill "$XVMD_PID" 2>/dev/null && wait "$XVMD_PID"
    xenstored_stop "$T"
    umount -l "$NETNS" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
xvm() { "$XVM_BIN" -s "$SOCK" "$@"; }
field() { xvm dominfo "$1" | sed -n "s/^$2: *//p"; }
state_of() { xvm list --all | awk -v n="$1" '$2 == n { $1 = $2 = ""; sub(/^ +/, ""); print }'; }
wait_state() { # wait_state DOM STATE: up to 5 s
    local i
    for i in $(seq 50); do
        [ "$(state_of "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    echo "  $1 is '$(state_of "$1")', wanted '$2'"; return 1
}
gone() { [ ! -e "/proc/$1" ]; }          # exited and reaped
# exited: an adopted guest is not xvmd's child, and whoever inherited it
# may not have reaped it yet
dead() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
nfds() { ls "/proc/$XVMD_PID/fd" | wc -l; }
has_mem() { grep -q "memfd:xvm-mem-$2" "/proc/$1/maps"; }
CG2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
# stopped PID: the domain of guest PID is frozen (cgroup v2), or PID is T
stopped() {
    local cg
    if [ -n "$CG2" ]; then
        cg=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
        grep -qx "frozen 1" "$CG2${cg%/front}/cgroup.events"
    else
        [ "$(awk '{print $3}' "/proc/$1/stat")" = T ]
    fi
}
not() { ! "$@"; }

start_xvmd() {
    local starts
    starts=$(grep -c "xvmd: listening on" "$T/xvmd.log" 2>/dev/null || true)
    starts=${starts:-0}
    # No -p: xvmd finds xvm-procdom ($PROCDOM) beside it, and keeps that
    # path when it then starts a xenstored beside it too.
    "$XVMD" -s "$SOCK" -x "$T/xs.sock" -d "$STATE" -n "$NETNS" -t 3 \
        2>>"$T/xvmd.log" &
    XVMD_PID=$!
    # Ready once this start logs "listening on" (both sockets listening).
    for _ in $(seq 50); do
        [ "$(grep -c "xvmd: listening on" "$T/xvmd.log")" -gt "$starts" ] && return 0
        sleep 0.1
    done
    echo "xvmd did not start:"; cat "$T/xvmd.log"; exit 1
}

cat >"$T/web1.cfg" <<'EOF'
# a process domain
name = "web1"
type = "process"
memory = 64
vcpus = 2
vif = [ "link=phys0,vlan=10,maxbw=100M,mac=auto" ]
EOF
cat >"$T/bad.cfg" <<'EOF'
name = "bad1"
memory = 64
vif = [ "link=phys0",
        "link=phys0,vlan=5000" ]
EOF
printf 'name = "bad2"\ncolour = "blue"\n' >"$T/bad2.cfg"

# --- without a daemon -------------------------------------------------
out=$(xvm list 2>&1); rc=$?
check "no xvmd: clear message, status 1" \
    [ $rc = 1 -a "$out" = "xvm: xvmd is not running (no answer on $SOCK)" ]
check "help" sh -c "\"$XVM_BIN\" help | grep -q '^  exec  *DOM CMD'"
out=$("$XVM_BIN" frobnicate 2>&1); rc=$?
check "unknown command: status 1" \
    [ $rc = 1 -a "$out" = "xvm: unknown command 'frobnicate' (try 'xvm help')" ]
# usage WANT ARGS...: xvm ARGS says "xvm: usage: WANT", status 1, and
# asks no xvmd (there is none yet: that would say so instead).
usage() {
    local want=$1 out rc
    shift
    out=$("$XVM_BIN" -s "$SOCK" "$@" 2>&1); rc=$?
    check "xvm $*: usage" [ $rc = 1 -a "$out" = "xvm: usage: $want" ]
}
usage "xvm start [--no-wait | --timeout SECS] DOM" start --timeout
usage "xvm start [--no-wait | --timeout SECS] DOM" start --timeout 5
usage "xvm create [--no-wait | --timeout SECS] FILE" create --no-wait
out=$("$XVM_BIN" -s "$SOCK" create --no-wait --timeout 5 x.cfg 2>&1); rc=$?
check "create --no-wait --timeout: refused" \
    [ $rc = 1 -a "$out" = "xvm: create: --no-wait and --timeout: one of the two, once" ]
usage "xvm list [--all]" list extra
usage "xvm nodeinfo" nodeinfo extra

start_xvmd
fds0=$(nfds)

# --- create, list, dominfo --------------------------------------------
out=$(xvm create --no-wait "$T/web1.cfg"); rc=$?
check "create" [ $rc = 0 -a "$out" = "Domain 'web1' created from $T/web1.cfg" ]
check "list shows dom0 and web1 running" [ "$(xvm list | sed 1,2d)" = \
" 0    Domain-0   running
 1    web1       running" ]
check "list header" [ "$(xvm list | head -1)" = " Id   Name       State" ]
UUID=$(field web1 UUID)
PID=$(field web1 PID)
check "dominfo: UUID is a v4 UUID" \
    grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$UUID"
check "dominfo: id, type, state, vcpus, memory" [ \
    "$(field web1 Id)/$(field web1 'OS Type')/$(field web1 State)/$(field web1 'CPU(s)')/$(field web1 'Max memory')" \
    = "1/process/running/2/65536 KiB" ]
check "DOM by id and by UUID" [ "$(field 1 Name)/$(field "$UUID" Name)" = "web1/web1" ]
check "dominfo Domain-0" [ "$(field 0 Name)/$(field Domain-0 Id)" = "Domain-0/0" ]
check "guest process runs xvm-procdom" grep -q xvm-procdom "/proc/$PID/cmdline"
check "xvmd owns the domain memory memfd" has_mem "$XVMD_PID" web1
check "the guest received the memfd" has_mem "$PID" web1
check "namespace pinned at $NETNS/xvm-web1" [ -e "$NETNS/xvm-web1" ]
out=$(xvm create --no-wait "$T/web1.cfg" 2>&1); rc=$?
check "second create of web1 refused" \
    [ $rc = 1 -a "$out" = "xvm: domain web1 already exists (id 1, running)" ]

# --- a second domain: memory goes to its own guest only ------------------
sed 's/"web1"/"web2"/' "$T/web1.cfg" >"$T/web2.cfg"
xvm create --no-wait "$T/web2.cfg" >/dev/null
PID2=$(field web2 PID)
check "second domain gets id 2" [ "$(field web2 Id)" = 2 ]
check "web2's guest maps its own memory" has_mem "$PID2" web2
check "web2's guest has no access to web1's memory" \
    sh -c "! grep -q memfd:xvm-mem-web1 /proc/$PID2/maps &&
           ! ls -l /proc/$PID2/fd | grep -q xvm-mem-web1"
check "web1's guest has no access to web2's memory" \
    sh -c "! grep -q memfd:xvm-mem-web2 /proc/$PID/maps &&
           ! ls -l /proc/$PID/fd | grep -q xvm-mem-web2"
check "two domains, two namespaces" [ \
    "$(readlink /proc/$PID/ns/net)" != "$(readlink /proc/$PID2/ns/net)" ]
xvm destroy web2 >/dev/null && xvm undefine web2 >/dev/null
check "web2 gone" [ -z "$(xvm list --all | grep web2)" ]
check "web2's guest reaped" gone "$PID2"

# --- exec: a fresh namespace with only lo ------------------------------
out=$(xvm exec web1 ip -o link show | awk -F': ' '{print $2}')
check "exec web1 ip link shows only lo" [ "$out" = lo ]
check "exec runs in another netns than ours" [ \
    "$(xvm exec web1 readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ]
check "exec sees the namespace's own /sys" [ \
    "$(xvm exec web1 ls /sys/class/net)" = lo ]
out=$(xvm exec web1 /nonexistent 2>&1); rc=$?
check "exec of a missing command: status 127" \
    [ $rc = 127 -a "$out" = "xvm: /nonexistent: No such file or directory" ]

# A SIGTERM or SIGHUP to xvm exec goes to the command: xvm exits as it
# did, and nothing of it stays in the domain (so timeout(1) or a kill of a
# background xvm exec stops the command, as with ip netns exec).
sleeping() { xvm exec web1 sh -c 'cat /proc/[0-9]*/comm' 2>/dev/null | grep -qx sleep; }
for sig in TERM HUP; do
    "$XVM_BIN" -s "$SOCK" exec web1 sleep 30 &
    ex=$!
    check "SIG$sig: sleep runs in web1" wait_until 5 sleeping
    kill -"$sig" "$ex"
    wait "$ex"; rc=$?
    check "SIG$sig to xvm exec sleep 30: it exits as sleep did ($rc)" \
        [ "$rc" = $((128 + $(kill -l "$sig"))) ]
    check "SIG$sig: no sleep left in web1" wait_until 2 not sleeping
done
check "nothing sleeps in web1 before timeout(1)" not sleeping
out=$(timeout 1 "$XVM_BIN" -s "$SOCK" exec web1 sleep 30; echo "rc=$?")
check "timeout 1 xvm exec web1 sleep 30: ends at 1 s ($out)" [ "$out" = "rc=124" ]
check "and leaves no sleep in web1" wait_until 2 not sleeping

# --- pause, resume -----------------------------------------------------
xvm pause web1 >/dev/null
check "paused" wait_state web1 paused
check "paused guest is stopped (frozen, or T without cgroup v2)" \
    wait_until 2 stopped "$PID"
out=$(xvm pause web1 2>&1); rc=$?
check "pause twice refused" \
    [ $rc = 1 -a "$out" = "xvm: cannot pause domain web1: it is paused" ]
# entering joins the frozen cgroup: refused at once, not a hang
out=$(timeout 10 "$XVM_BIN" -s "$SOCK" exec web1 true 2>&1); rc=$?
check "exec into a paused domain refused" \
    [ $rc = 1 -a "$out" = "xvm: cannot enter domain web1: it is paused (xvm resume web1)" ]
xvm resume 1 >/dev/null
check "resumed" wait_state web1 running
check "resumed guest is not stopped" wait_until 2 not stopped "$PID"

# --- refused operations --------------------------------------------------
out=$(xvm destroy Domain-0 2>&1); rc=$?
check "destroy Domain-0 refused" \
    [ $rc = 1 -a "$out" = "xvm: cannot destroy Domain-0: it is the control domain" ]
out=$(xvm dominfo nosuch 2>&1); rc=$?
check "unknown domain" [ $rc = 1 -a "$out" = "xvm: domain 'nosuch' not found" ]

# --- a bad config creates nothing ---------------------------------------
before=$(xvm list --all); recs=$(ls "$STATE/domains")
out=$(xvm create --no-wait "$T/bad.cfg" 2>&1); rc=$?
check "bad vlan: file:line:key message" [ $rc = 1 -a \
    "$out" = "xvm: $T/bad.cfg:4: vif: vlan 5000 out of range (1-4094)" ]
out=$(xvm create --no-wait "$T/bad2.cfg" 2>&1); rc=$?
check "unknown key: file:line:key message" [ $rc = 1 -a \
    "$out" = "xvm: $T/bad2.cfg:2: colour: unknown key" ]
out=$(xvm create --no-wait "$T/missing.cfg" 2>&1); rc=$?
check "missing file" [ $rc = 1 -a \
    "$out" = "xvm: $T/missing.cfg: No such file or directory" ]
check "list unchanged after bad creates" [ "$(xvm list --all)" = "$before" ]
check "no record written" [ "$(ls "$STATE/domains")" = "$recs" ]
check "no namespace made" [ "$(ls "$NETNS")" = xvm-web1 ]

# --- malformed requests, and the daemon checks configs itself ------------
check "control protocol refuses malformed requests" "$PROTO_TEST" "$SOCK"
check "list unchanged after raw requests" [ "$(xvm list --all)" = "$before" ]

# --- shutdown ------------------------------------------------------------
out=$(xvm shutdown web1)
check "shutdown message" [ "$out" = "Domain 'web1' is being shutdown" ]
check "shut off after shutdown" wait_state web1 "shut off"
check "not in plain list" [ -z "$(xvm list | grep web1)" ]
check "guest exited and reaped" gone "$PID"
check "namespace gone" [ ! -e "$NETNS/xvm-web1" ]
check "memory released" sh -c "! grep -q memfd:xvm-mem-web1 /proc/$XVMD_PID/maps"
check "no fd leaked by a run" [ "$(nfds)" = "$fds0" ]

# --- killed from outside: crashed ---------------------------------------
xvm create --no-wait "$T/web1.cfg" >/dev/null
check "new run, new id" [ "$(field web1 Id)" = 3 ]
check "same UUID for the new run" [ "$(field web1 UUID)" = "$UUID" ]
PID=$(field web1 PID)
kill -KILL "$PID"
check "SIGKILLed guest shows as crashed" wait_state web1 crashed
check "crashed domain keeps its id in list" \
    [ "$(xvm list | awk '$2 == "web1" {print $1}')" = 3 ]
check "crashed guest reaped" gone "$PID"
check "crashed guest's namespace removed" [ ! -e "$NETNS/xvm-web1" ]
out=$(xvm exec web1 true 2>&1); rc=$?
check "exec in a crashed domain refused" \
    [ $rc = 1 -a "$out" = "xvm: domain web1 is crashed" ]
out=$(xvm destroy web1)
check "destroy crashed" [ "$out" = "Domain 'web1' destroyed" ]
check "shut off after destroy" wait_state web1 "shut off"

# --- destroy a running (and a paused) domain: nothing left ---------------
xvm create --no-wait "$T/web1.cfg" >/dev/null
PID=$(field web1 PID)
xvm pause web1 >/dev/null
xvm destroy web1 >/dev/null
check "destroyed paused domain is shut off" wait_state web1 "shut off"
check "destroyed guest reaped" gone "$PID"
check "namespace gone after destroy" [ -z "$(ls "$NETNS")" ]
check "memory released after destroy" \
    sh -c "! grep -q memfd:xvm-mem-web1 /proc/$XVMD_PID/maps"
check "no fd leaked after destroy" [ "$(nfds)" = "$fds0" ]

# --- a domain outlives xvmd; the UUID is kept across a restart ----------
xvm create --no-wait "$T/web1.cfg" >/dev/null
PID=$(field web1 PID)
ID=$(field web1 Id)
kill -TERM "$XVMD_PID"; wait "$XVMD_PID"; XVMD_PID=
check "xvmd exit leaves its domains running" kill -0 "$PID"
check "xvmd exit leaves their namespaces" [ -n "$(ls "$NETNS")" ]
check "xvmd exit removes its socket" [ ! -e "$SOCK" ]
check "a run record for web1" [ -f "$STATE/running/web1" ]
start_xvmd
check "after restart: web1 taken over, running" wait_state web1 running
check "after restart: same id" [ "$(field web1 Id)" = "$ID" ]
check "after restart: same guest" [ "$(field web1 PID)" = "$PID" ]
check "after restart: same UUID" [ "$(field web1 UUID)" = "$UUID" ]
check "after restart: the guest's memory mapped again" has_mem "$XVMD_PID" web1
xvm pause web1 >/dev/null
check "an adopted domain pauses" wait_state web1 paused
kill -KILL "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null; XVMD_PID=
start_xvmd
check "after kill -9: taken over, still paused" wait_state web1 paused
xvm resume web1 >/dev/null
check "and resumes" wait_state web1 running
xvm destroy web1 >/dev/null
check "an adopted domain is destroyed" dead "$PID"
check "its namespace goes" [ -z "$(ls "$NETNS")" ]
check "its run record goes" [ ! -e "$STATE/running/web1" ]
xvm create --no-wait "$T/web1.cfg" >/dev/null
check "after restart: ids start again at 1" [ "$(field web1 Id)" = 1 ]
check "after restart: UUID kept by create" [ "$(field web1 UUID)" = "$UUID" ]
PID=$(field web1 PID)
xvm destroy web1 >/dev/null

# --- a UUID from the config, and undefine --------------------------------
printf 'name = "db1"\nuuid = "%s"\n' "$UUID" >"$T/db1.cfg"
out=$(xvm create --no-wait "$T/db1.cfg" 2>&1); rc=$?
check "a UUID taken by another domain refused" \
    [ $rc = 1 -a "$out" = "xvm: UUID $UUID belongs to domain web1" ]
out=$(xvm undefine web1)
check "undefine" [ "$out" = "Domain 'web1' has been undefined" ]
check "undefined: record gone" [ ! -e "$STATE/domains/web1.cfg" ]
xvm create --no-wait "$T/db1.cfg" >/dev/null
check "config UUID used" [ "$(field db1 UUID)" = "$UUID" ]
xvm destroy db1 >/dev/null
check "everything reaped" gone "$PID"
check "nothing left in the netns dir" [ -z "$(ls "$NETNS")" ]

# --- list: running domains by id, then shut-off ones by name (virsh) ----
printf 'name = "zz9"\n' >"$T/zz9.cfg"
printf 'name = "aa9"\n' >"$T/aa9.cfg"
xvm define "$T/zz9.cfg" >/dev/null && xvm define "$T/aa9.cfg" >/dev/null
xvm start --no-wait zz9 >/dev/null
check "list --all: running by id, then shut off by name" [ \
    "$(xvm list --all | sed 1,2d | awk '{ printf "%s ", $2 }')" = \
    "Domain-0 zz9 aa9 db1 " ]
xvm destroy zz9 >/dev/null
xvm undefine zz9 >/dev/null && xvm undefine aa9 >/dev/null

# a new domain's name may not read as an id or a UUID (xvm takes those)
printf 'name = "2"\n' >"$T/num.cfg"
out=$(xvm define "$T/num.cfg" 2>&1); rc=$?
check "a name of digits refused" [ $rc = 1 -a "$out" = \
    "xvm: domain name '2' reads as a domain id or a UUID, which xvm takes too: choose another name" ]
printf 'name = "vn1"\nvif = [ "link=stub0,vifname=xvm5_0" ]\n' >"$T/vn1.cfg"
out=$(xvm define "$T/vn1.cfg" 2>&1); rc=$?
check "a vifname of a guest's form refused" [ $rc = 1 -a "$out" = \
    "xvm: vif 0: vifname xvm5_0: xvm<domid>_<n> is the name of a guest domain's VNIC, which vswitchd makes for the domain's vif" ]
check "nothing left of it" sh -c "! $XVM_BIN -s $SOCK list --all | awk '{ print \$2 }' | grep -qx 2"

kill -TERM "$XVMD_PID"; wait "$XVMD_PID"; XVMD_PID=
check "xvmd log clean (no sanitizer report, no refused transition)" \
    sh -c "! grep -Eq 'Sanitizer|runtime error|refused transition' '$T/xvmd.log'"

if [ $fails != 0 ]; then
    echo "--- xvmd log"; cat "$T/xvmd.log"
    echo "$fails check(s) failed"; exit 1
fi
echo "all checks passed"
