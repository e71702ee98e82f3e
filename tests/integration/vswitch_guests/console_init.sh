#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A domain's init command and its console.  The init (`init =` in the
# config) runs in the sandbox as the domain's root once eth0 exists, with
# the console as its terminal: its marker lands in the console log
# (<state>/console/<name>.log, xvm-procdom's messages too), the address it
# gives eth0 is there, the domain runs on when it ends, and all of it
# comes back after `xvm destroy` + `xvm start`.  `xvm console` with stdin
# from a pipe drives a shell started as init and gets its output; a second
# attach is refused while one is attached; from a terminal (a pty here),
# Ctrl-] detaches.  Hostile: a domain that writes to its console without
# end leaves xvmd's memory flat and the log within its cap, and a client
# that does not read changes nothing; a link planted where a log goes is
# not followed.
. "$(dirname "$0")/../../lib/guests.sh"

LOG=$T/state/console
CAP=$((1024 * 1024))
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$XVMD_PID/status"; }
logged() { grep -c "$1" "$T/xvmd.log"; }
more_logged() { [ "$(logged "$1")" -gt "$2" ]; }
in_log() { grep -q "$2" "$LOG/$1.log" 2>/dev/null; }
count_in_log() { grep -c "$2" "$LOG/$1.log" 2>/dev/null || true; }
has_addr() { xvm exec "$1" ip -o addr show dev eth0 2>/dev/null | grep -q "inet $2 "; }

start_xvmd
start_vswd
ctl link-create stub0 etherstub || die "link stub0"

# --- the init command: marker, address, the domain's root --------------
cat >"$T/cweb.cfg" <<'EOF'
name = "cweb"
type = "process"
memory = 16
vif = [ "link=stub0,mac=02:08:20:3c:00:01" ]
init = "echo init-marker-$((40+2)) uid=$(id -u) host=$(uname -n) tty=$(tty); ip addr add 10.86.0.1/24 dev eth0 && ip link set eth0 up && echo addressed"
EOF
xvm create "$T/cweb.cfg" >/dev/null || die "create cweb"
wait_until 15 in_log cweb addressed && ok "the init ran (marker in the console log)" ||
    fail "no marker in $LOG/cweb.log: $(cat "$LOG/cweb.log" 2>/dev/null)"
in_log cweb "init-marker-42 uid=0 host=cweb tty=/dev/console" &&
    ok "run by /bin/sh as the domain's root, in its UTS namespace" ||
    fail "marker line: $(grep init-marker "$LOG/cweb.log")"
in_log cweb "xvm-procdom: vif 0: connected to domain 0 as eth0" &&
    ok "xvm-procdom's messages are on the console" ||
    fail "no xvm-procdom message in the log"
has_addr cweb 10.86.0.1/24 && ok "the init's address is on eth0" ||
    fail "eth0: $(xvm exec cweb ip -o addr show dev eth0)"
wait_until 5 in_log cweb "xvm-init: /bin/sh exited with status 0" &&
    ok "the init's end is on the console" || fail "no exit line"
expect "the domain runs on after its init ended" running \
    "$(xvm dominfo cweb | sed -n 's/^State: *//p')"
expect "log mode 0600, the directory 0700" "600 700" \
    "$(stat -c %a "$LOG/cweb.log") $(stat -c %a "$LOG")"
grep -q '^init = "echo init-marker' "$T/state/domains/cweb.cfg" &&
    ok "the record keeps the init" || fail "record: $(cat "$T/state/domains/cweb.cfg")"

xvm destroy cweb >/dev/null || fail "destroy cweb"
xvm start cweb >/dev/null || fail "start cweb"
wait_until 15 eval '[ "$(count_in_log cweb addressed)" = 2 ]' &&
    ok "after destroy and start: the init ran again, appended to the log" ||
    fail "second run: $(count_in_log cweb addressed) 'addressed' line(s)"
has_addr cweb 10.86.0.1/24 && ok "after destroy and start: the address is back" ||
    fail "eth0 after start: $(xvm exec cweb ip -o addr show dev eth0)"

# --- a shell as init, driven through xvm console ----------------------
cat >"$T/csh.cfg" <<'EOF'
name = "csh"
memory = 16
init = [ "/bin/sh", "-i" ]
EOF
xvm create "$T/csh.cfg" >/dev/null || die "create csh"
wait_until 5 eval '[ -s "$LOG/csh.log" ]' || fail "csh's shell printed nothing"
out=$(printf 'echo reply-$((6*7))\nsleep 0.5; echo late-$((2+3))\n' |
      timeout 20 "$XVM" -s "$T/xvmd.sock" console csh 2>"$T/console.err")
rc=$?
[ $rc = 0 ] && ok "xvm console with a pipe: ends by itself, status 0" ||
    fail "xvm console: status $rc"
grep -q reply-42 <<<"$out" && grep -q late-5 <<<"$out" &&
    ok "commands sent through the console ran; their output came back" ||
    fail "console output: $out"
expect "virsh's greeting on stderr" \
    "Connected to domain csh|Escape character is ^]" \
    "$(paste -sd'|' "$T/console.err")"
in_log csh reply-42 && ok "the session is in the log too" || fail "not in the log"

# stdin that never ends (nobody writes, we hold it open), stdout that is
# never read (a FIFO we hold open: it fills, then the client blocks)
mkfifo "$T/in" "$T/out"
exec 7<>"$T/in" 8<>"$T/out"
att=$(logged "domain csh: console client attached")
"$XVM" -s "$T/xvmd.sock" console csh <"$T/in" >/dev/null 2>&1 &
first=$!
wait_until 5 more_logged "domain csh: console client attached" "$att" ||
    fail "the first client did not attach"
out=$(xvm console csh </dev/null 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "xvm: the console of domain csh is in use by another client (one at a time)" ] &&
    ok "a second attach is refused: $out" || fail "second attach: status $rc, $out"
kill "$first"; wait "$first" 2>/dev/null
wait_until 5 more_logged "domain csh: console client detached" "$att" ||
    fail "the first client is not detached"
out=$(echo 'echo again-$((1+1))' | xvm console csh 2>/dev/null)
grep -q again-2 <<<"$out" && ok "once it left, another client attaches" ||
    fail "third attach: $out"
out=$(xvm console cnone </dev/null 2>&1)
expect "an unknown domain" "xvm: domain 'cnone' not found" "$out"

# From a terminal: raw mode, and Ctrl-] detaches.
if command -v python3 >/dev/null; then
    python3 - "$XVM" "$T/xvmd.sock" "$T/stty.out" >"$T/tty.out" 2>&1 <<'EOF'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:  # xvm console, then how it left the terminal
    os.execv('/bin/sh', ['sh', '-c', '"$0" -s "$1" console csh; st=$?; '
             'stty -a >"$2"; exit $st'] + sys.argv[1:4])
def read_until(word, secs):
    got, end = b'', time.time() + secs
    while word not in got and time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                got += os.read(fd, 4096)
            except OSError:
                break
    return got
got = read_until(b'Escape character', 5)
os.write(fd, b'echo tty-$((3*3))\r')
got += read_until(b'tty-9', 5)
os.write(fd, b'\x1d')
end, st = time.time() + 5, None
while time.time() < end and st is None:
    p, s = os.waitpid(pid, os.WNOHANG)
    st = s if p else None
    time.sleep(0.1)
print('output-ok' if b'tty-9' in got else 'no output: %r' % got)
print('detached status %s' % (os.waitstatus_to_exitcode(st) if st is not None else 'none'))
EOF
    grep -q output-ok "$T/tty.out" && ok "from a terminal: keys go to the domain, output comes back" ||
        fail "tty: $(cat "$T/tty.out"); log: $(tail -c 300 "$LOG/csh.log" | cat -A)"
    grep -q "detached status 0" "$T/tty.out" && ok "Ctrl-] detaches, status 0" ||
        fail "tty: $(cat "$T/tty.out")"
    grep -Eq '(^| )icanon ' "$T/stty.out" && grep -Eq '(^| )echo ' "$T/stty.out" &&
        ok "the terminal is restored (icanon, echo)" ||
        fail "terminal left as: $(cat "$T/stty.out")"
else
    echo "SKIP (part): no python3 to play a terminal"
fi

# --- hostile: a domain that floods its console ----------------------------
cat >"$T/cflood.cfg" <<'EOF'
name = "cflood"
memory = 16
init = "exec yes flood-flood-flood-flood-flood-flood-flood-flood"
EOF
rss0=$(rss)
xvm create "$T/cflood.cfg" >/dev/null || die "create cflood"
wait_until 20 eval '[ -e "$LOG/cflood.log.1" ]' &&
    ok "the flooded log was rotated to .log.1" || fail "no $LOG/cflood.log.1"
# a client that never reads, while the flood goes on
att=$(logged "domain cflood: console client attached")
"$XVM" -s "$T/xvmd.sock" console cflood <"$T/in" >"$T/out" 2>/dev/null &
stuck=$!
wait_until 5 more_logged "domain cflood: console client attached" "$att" ||
    fail "the stuck client did not attach"
sleep 2
slow=0
for i in 1 2 3; do
    s=${EPOCHREALTIME/./}
    xvm list >/dev/null || fail "xvm list during the flood"
    [ $((${EPOCHREALTIME/./} - s)) -gt 1000000 ] && slow=$((slow + 1))
    sleep 0.3
done
[ $slow = 0 ] && ok "xvmd answers at once during the flood and the stuck client" ||
    fail "$slow slow answers"
rss1=$(rss)
[ $((rss1 - rss0)) -lt 4096 ] &&
    ok "xvmd's memory stays flat (${rss0} -> ${rss1} KiB)" ||
    fail "xvmd grew from ${rss0} to ${rss1} KiB"
a=$(size "$LOG/cflood.log") b=$(size "$LOG/cflood.log.1")
[ "$a" -le $CAP ] && [ "$b" -le $CAP ] && [ "$b" -gt $((CAP / 2)) ] &&
    ok "the log stays within its cap ($a + $b bytes)" ||
    fail "log sizes $a and $b (cap $CAP)"
kill "$stuck"; wait "$stuck" 2>/dev/null
exec 7>&- 8>&-
xvm destroy cflood >/dev/null || fail "destroy cflood"
grep -q "domain cflood: console client detached; it missed [0-9]* bytes" \
    "$T/xvmd.log" && ok "what the stuck client missed is logged" ||
    fail "no 'missed' line for the stuck client"
a=$(size "$LOG/cflood.log") b=$(size "$LOG/cflood.log.1")
[ "$a" -le $CAP ] && [ "$b" -le $CAP ] && ok "still within the cap after destroy" ||
    fail "log sizes after destroy $a and $b"

# --- a link planted where a log goes ------------------------------------
ln -s "$T/target" "$LOG/clink.log"
printf 'name = "clink"\nmemory = 16\ninit = "echo hi"\n' >"$T/clink.cfg"
xvm create "$T/clink.cfg" >/dev/null && ok "the domain starts all the same" ||
    fail "create clink"
wait_until 5 grep -q "clink.log refused: a symbolic link" "$T/xvmd.log" &&
    ok "the link is refused, logged" || fail "no refusal logged"
sleep 0.5
[ ! -e "$T/target" ] && ok "nothing written through the link" ||
    fail "$T/target was written"
xvm destroy clink >/dev/null
for d in cweb csh; do xvm destroy "$d" >/dev/null || fail "destroy $d"; done
grep -Eq 'Sanitizer|runtime error' "$T/xvmd.log" && fail "sanitizer report" ||
    ok "xvmd log clean"
finish
