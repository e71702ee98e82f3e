#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Read-only access for vswitchd's group (vswitchd -G): the socket is
# root:GROUP, mode 0660; a uid that is not root but has GROUP (as a
# supplementary group, or as its gid) sees with every dladm show-*
# exactly what root sees, while each command that would change something
# exits 1 with "...: permission denied (needs root)", changes nothing and
# is logged; snoop stays root's.  Members hold at most 24 of the 32
# connections, and one that leaves its replies unread is dropped while
# root is served.  A uid outside the group cannot reach the
# socket and is told who may.  Without -G the default group xvnet is used
# if it exists, else the socket stays root-only and the log says so; a
# group named with -G that does not exist stops vswitchd at once.
#
# The group and the uids are numbers no entry of this machine uses, so no
# system group or user is made.
. "$(dirname "$0")/lib.sh"
dl_require setpriv
[ -x "${SNOOP:-}" ] || skip "SNOOP not set (run through meson test)"
setpriv --help 2>&1 | grep -q -- '--groups' ||
    skip "this setpriv has no --groups"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

GID=$(free_id 47000)
OTHER=$(free_id $((GID + 1)))    # a gid outside the group
RUID=$(free_id $((OTHER + 1)))   # the uid that runs the clients

# The uid must be able to walk to the socket: every directory above it
# searchable by others (the group's access is the socket's own mode).
# The fixture's directories are root's (0700): let others walk through.
chmod 0711 "$TMP" "$XVNET_RUNDIR"
d=$(dirname "$SOCK")
while [ "$d" != / ]; do
    [ $(( $(stat -c %a "$d" | sed 's/^/0/') & 1 )) = 1 ] ||
        skip "$d is not searchable by others: uid $RUID could not reach $SOCK"
    d=$(dirname "$d")
done

member() { setpriv --reuid="$RUID" --regid="$OTHER" --groups="$GID" "$@"; }
by_gid() { setpriv --reuid="$RUID" --regid="$GID" --clear-groups "$@"; }
stranger() { setpriv --reuid="$RUID" --regid="$OTHER" --groups="$OTHER" "$@"; }
dl_as() { local who=$1; shift; "$who" "$DLADM" "$@"; } # $XVNET_RUNDIR

outside_up
phys_conf "$TMP/boot.conf"
vswd_start "$TMP/boot.conf" -G "$GID"
dl create-etherstub stub0 && dl create-vnic -l phys0 -m 2:8:20:0:0:1 vnic0 &&
    dl create-vnic -t -l stub0 -m 2:8:20:0:0:2 -v 5 vnic1 ||
    fail "setting up as root"

mode=$(stat -c '%a %U %g' "$SOCK")
[ "$mode" = "660 root $GID" ] && ok "the socket is root:$GID, mode 0660" ||
    fail "the socket is '$mode', not '660 root $GID'"

# A member sees what root sees.
for cmd in "show-link" "show-link -p -o link,class,over" "show-link -P" \
           "show-link -s" "show-vnic" "show-vnic -P" "show-vnic -s vnic0" \
           "show-phys" "show-phys phys0" "show-linkprop vnic0" \
           "show-linkprop -p maxbw,mtu vnic1" "show-etherstub"; do
    # shellcheck disable=SC2086
    want=$(dl $cmd 2>&1)
    # shellcheck disable=SC2086
    got=$(dl_as member $cmd 2>&1); rc=$?
    # Counters may move between the two looks; their columns are not
    # compared.
    case $cmd in *-s*) want=$(awk '{print $1}' <<<"$want")
                       got=$(awk '{print $1}' <<<"$got") ;; esac
    if [ $rc = 0 ] && [ "$got" = "$want" ] && [ -n "$got" ]; then
        ok "member: dladm $cmd"
    else
        fail "member: dladm $cmd: exit $rc, '$got' (root saw '$want')"
    fi
done
got=$(dl_as by_gid show-vnic -p -o link 2>&1); rc=$?
[ $rc = 0 ] && [ "$got" = "$(printf 'vnic0\nvnic1')" ] &&
    ok "the group as the primary gid: show-vnic" ||
    fail "primary gid: show-vnic: exit $rc, '$got'"

# A member changes nothing.
# The test's own objects only (ours): the host's NICs come and go.
state() {
    dl show-vnic -p -o link,over,vid,macaddress
    dl show-link -P -p -o link,class | ours
    dl show-linkprop -c -o link,property,value | ours
}
before=$(state)
# denied MESSAGE ARGS...: stderr is exactly MESSAGE, exit status 1.
denied() {
    DL_AS=member dl_refused "$@" && ok "member: dladm ${*:2}: $1"
}
NR="permission denied (needs root)"
denied "dladm: vnic creation over phys0 failed: $NR" \
    create-vnic -l phys0 vnic9
denied "dladm: vnic creation over stub0 failed: $NR" \
    create-vnic -t -l stub0 -m 2:8:20:0:0:9 vnic9
denied "dladm: vnic deletion failed: $NR" delete-vnic vnic0
denied "dladm: vnic deletion failed: $NR" delete-vnic -t vnic1
denied "dladm: vnic modification failed: $NR" modify-vnic -v 7 vnic1
denied "dladm: rename operation failed: $NR" rename-link vnic0 vnic8
denied "dladm: etherstub creation failed: $NR" create-etherstub stub9
denied "dladm: etherstub deletion failed: $NR" delete-etherstub -t stub0
denied "dladm: warning: cannot set link property 'maxbw' on 'vnic0': $NR" \
    set-linkprop -p maxbw=10M vnic0
denied "dladm: warning: cannot reset link property 'priority' on 'vnic1': $NR" \
    reset-linkprop -t -p priority vnic1
after=$(state)
[ "$after" = "$before" ] && ok "nothing changed" ||
    fail "the member changed something: '$before' -> '$after'"
grep -Eq "warning: refused VNIC_CREATE \(command [0-9]+\) of uid $RUID \(pid [0-9]+\)" \
    "$TMP/vswitchd.log" && ok "vswitchd logged the refusal" ||
    fail "no refusal in the log: $(tail -5 "$TMP/vswitchd.log")"

# Capture hands out the frames: root only.
out=$(member "$SNOOP" -S "$SOCK" -d vnic0 -c 1 2>&1 >/dev/null); rc=$?
[ $rc != 0 ] && [[ "$out" == *"(only root can capture)"* ]] &&
    ok "member: snoop refused: $out" || fail "member: snoop: exit $rc, '$out'"

# A member cannot crowd root out, nor stall vswitchd by not reading: 30
# connections leave it 24, and one that sends requests without reading
# the replies is dropped once a reply has waited 2 s (when they fill
# vswitchd's send buffer), while root is served.
# The system's python3: the uid may not reach one under root's home.
PY=/usr/bin/python3
if [ -x "$PY" ]; then
    cat >"$TMP/hog.py" <<'PY'
import select, socket, struct, sys, time
path, what = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s
# nlmsghdr: LINK_GET (0x12), NLM_F_REQUEST | NLM_F_DUMP
req = struct.pack("=IHHII", 16, 0x12, 0x301, 1, 0)
if what == "crowd":
    socks = [conn() for _ in range(30)]
    time.sleep(1)
    gone = [s for s in socks if select.select([s], [], [], 0)[0]
            and s.recv(65536) == b""]
    print(len(socks) - len(gone))
    sys.stdout.flush()
    sys.stdin.read()  # hold them until told
else:
    s = conn()
    s.setblocking(False)
    # Until the replies fill vswitchd's send buffer and it stops reading
    # (the sends then block), or it hangs up.
    sent, blocked = 0, 0
    while sent < 5000 and blocked < 100:
        try:
            s.send(req)
            sent += 1
        except BlockingIOError:
            blocked += 1
            time.sleep(0.05)
        except OSError:
            break
    s.setblocking(True)
    s.settimeout(10)
    n = 0
    try:
        while s.recv(65536):
            n += 1
        print("dropped after", n, "replies")
    except socket.timeout:
        print("not dropped:", n, "replies")
PY
    # The script goes by -c: $TMP is root's alone.
    coproc HOG { member "$PY" -c "$(cat "$TMP/hog.py")" "$SOCK" crowd 2>&1; }
    hog_out=${HOG[0]} hog_in=${HOG[1]} hog_pid=$HOG_PID
    held=
    read -r -t 10 held <&"$hog_out"
    [ "$held" = 24 ] && ok "a member holds at most 24 of 32 connections" ||
        fail "a member holds '$held' connections, not 24"
    out=$(timeout 5 "$DLADM" show-vnic -p -o link 2>&1) &&
        [ "$out" = "$(printf 'vnic0\nvnic1')" ] &&
        ok "root is served meanwhile" || fail "root meanwhile: '$out'"
    exec {hog_in}>&-
    wait "$hog_pid" 2>/dev/null
    member "$PY" -c "$(cat "$TMP/hog.py")" "$SOCK" stall >"$TMP/stall.out" 2>&1 &
    stall=$!
    sleep 0.5
    start=$SECONDS
    out=$(timeout 8 "$DLADM" show-link -p -o link \
          2>&1); rc=$?
    [ $rc = 0 ] && [ $((SECONDS - start)) -le 4 ] &&
        ok "root is served while a member stalls ($((SECONDS - start)) s)" ||
        fail "root while a member stalls: exit $rc after $((SECONDS - start)) s: $out"
    wait "$stall"
    grep -q "^dropped after" "$TMP/stall.out" &&
        ok "the member that does not read is dropped: $(cat "$TMP/stall.out")" ||
        fail "the staller: $(cat "$TMP/stall.out")"
    grep -q "dropped the read-only client of uid $RUID" "$TMP/vswitchd.log" &&
        ok "the drop is logged" || fail "the drop is not in the log"
else
    echo "note: no $PY: the connection cap and the stalled reader are not tried"
fi

# Someone outside the group does not get in, and is told who may.
out=$(dl_as stranger show-link 2>&1 >/dev/null); rc=$?
want="dladm: cannot reach vswitchd at $SOCK: permission denied (needs root, or group $GID to read)"
[ $rc = 1 ] && [ "$out" = "$want" ] && ok "stranger: show-link: $out" ||
    fail "stranger: show-link: exit $rc, '$out' (want '$want')"

# Without -G: the default group xvnet, if it exists.
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=""
vswd_start "$TMP/boot.conf"
if xgid=$(getent group xvnet | cut -d: -f3) && [ -n "$xgid" ]; then
    want="660 root $xgid"
else
    want="600 root 0"
    grep -q "group xvnet does not exist: the control socket is root-only" \
        "$TMP/vswitchd.log" && ok "no group xvnet: logged" ||
        fail "no group xvnet: not logged: $(cat "$TMP/vswitchd.log")"
fi
mode=$(stat -c '%a %U %g' "$SOCK")
[ "$mode" = "$want" ] && ok "without -G the socket is '$mode'" ||
    fail "without -G the socket is '$mode', not '$want'"
out=$(dl_as member show-link 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && [[ "$out" == *"permission denied (needs root"* ]] &&
    ok "without -G the member of $GID is out: $out" ||
    fail "without -G: member: exit $rc, '$out'"
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=""
vswd_start "$TMP/boot.conf" -G none
mode=$(stat -c '%a %U %g' "$SOCK")
[ "$mode" = "600 root 0" ] && ok "-G none: the socket is root's, 0600" ||
    fail "-G none: the socket is '$mode'"
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=""

# A group named with -G that does not exist: an error before anything.
bad="nosuchgroup$ID"
out=$(timeout 20 "$VSWITCHD" -G "$bad" -S "$STATE" -s "$TMP/x.sock" \
      -F "vswit${ID}" -m 128 2>&1); rc=$?
[ $rc = 1 ] && [ "$(head -1 <<<"$out")" = "vswitchd: -G: no group named '$bad'" ] &&
    [ ! -e "$TMP/x.sock" ] && ok "-G $bad: $out" ||
    fail "-G $bad: exit $rc, '$out'"

echo "$fails failure(s)"
[ $fails = 0 ]
