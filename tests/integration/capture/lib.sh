# SPDX-License-Identifier: MIT
# Shared by the capture tests (sourced): the vswitch tests' topology
# (../vswitch/lib.sh) plus snoop helpers.
#
# The usual rig: phys0 on the veth, the outside host 10.0.0.254 (untagged);
# VNICs a (guest g1, 10.0.0.1), b (guest g2, 10.0.0.2) without a VID and
# c (guest g3, 10.0.10.3, VID 10: its frames are tagged on the wire).

. "$(dirname "$0")/../../lib/switch.sh"

require_snoop() {
    require "$@"
    [ -x "${SNOOP:-}" ] || skip "SNOOP not set (run through meson test)"
}

VA="a${ID}0"; VB="b${ID}0"; VC="c${ID}0"
G1="vsw${ID}g1"; G2="vsw${ID}g2"; G3="vsw${ID}g3"

rig_up() {
    outside_up
    ip -n "$NS_OUT" addr add 10.0.0.254/24 dev "$VETH_OUT"
    phys_conf "$TMP/conf" \
        "vnic $VA link=phys0 attach=tap" \
        "vnic $VB link=phys0 attach=tap" \
        "vnic $VC link=phys0 vid=10 attach=tap" \
        "${EXTRA_CONF:-}"
    vswd_start "$TMP/conf"
    guest_up "$G1" "$VA" 10.0.0.1/24
    guest_up "$G2" "$VB" 10.0.0.2/24
    guest_up "$G3" "$VC" 10.0.10.3/24
}

# Captures vswitchd holds now (each has one ring memfd).
ncaps() {
    ls -l "/proc/$VSWD_PID/fd" 2>/dev/null | grep -c 'memfd:vsw-capture'
}

# snoop_start NAME ARGS...: snoop in the background, stdout/stderr in
# $TMP/NAME.{out,err}; returns once vswitchd has the capture.
declare -A SNOOP_PID
snoop_start() {
    local name="$1" before i
    shift
    before=$(ncaps)
    "$SNOOP" -S "$SOCK" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SNOOP_PID[$name]=$!
    for i in $(seq 50); do
        [ "$(ncaps)" -gt "$before" ] &&
            grep -q "^snoop: capturing on" "$TMP/$name.err" && return 0
        kill -0 "${SNOOP_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/$name.err"
    fail "snoop $name did not start"
}

# snoop_stop NAME: SIGINT, wait (and for vswitchd to let go of the
# capture); its exit status in $SNOOP_RC.
snoop_stop() {
    local n i
    n=$(ncaps)
    kill -INT "${SNOOP_PID[$1]}" 2>/dev/null
    wait "${SNOOP_PID[$1]}"
    SNOOP_RC=$?
    for i in $(seq 50); do
        [ "$(ncaps)" -lt "$n" ] && break
        sleep 0.05
    done
}

# The "N packets captured, M dropped" of a stopped snoop.
captured() { sed -n 's/^\([0-9]*\) packets captured, .*/\1/p' "$TMP/$1.err"; }
dropped() { sed -n 's/.* packets captured, \([0-9]*\) dropped$/\1/p' "$TMP/$1.err"; }

# Frames in a pcap file, optionally matching a filter, per tcpdump.
pcount() {
    local f="$1"
    shift
    tcpdump -n -r "$f" "$@" 2>/dev/null | wc -l
}

# Read cleanly by tcpdump and tshark (no error, no warning).
reads_clean() {
    local f="$1" err
    err=$(tcpdump -n -r "$f" 2>&1 >/dev/null | grep -v '^reading from file')
    [ -z "$err" ] || fail "tcpdump -r $f: $err"
    err=$(tshark -r "$f" 2>&1 >/dev/null | grep -v 'Running as user "root"')
    [ -z "$err" ] || fail "tshark -r $f: $err"
}

# udp_send NS DST PORT COUNT: COUNT datagrams, as fast as the socket
# takes them; prints how many were sent.
udp_send() {
    ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, sys
dst, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for i in range(n):
    while True:
        try:
            s.sendto(b"x" * 64, (dst, port)); sent += 1; break
        except BlockingIOError:
            pass
        except OSError:
            break
print(sent)
PY
}
