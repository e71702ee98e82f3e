#!/bin/bash
# A VNIC capture never shows another VNIC's frames; bad input gets a clear
# "snoop: ..." and exit 1; only root can capture; a reader that dies
# releases its capture; deleting the VNIC and stopping vswitchd end a
# capture cleanly (summary printed, exit 0).
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump setpriv
EXTRA_CONF="vnic d${ID}0 link=phys0 vid=20 attach=tap"
rig_up
VD="d${ID}0"; G4="vsw${ID}g4"
guest_up "$G4" "$VD" 10.0.20.4/24
ping_ok "$G1" 10.0.0.254

note "isolation"
snoop_start va -d "$VA" -o "$TMP/va.pcap"
ip netns exec "$G2" ping -c 3 -i 0.1 -q 10.0.0.254 >/dev/null
ip netns exec "$G4" ping -c 2 -i 0.5 -W 1 -q 10.0.20.254 >/dev/null
ip netns exec "$G1" ping -c 3 -i 0.1 -q 10.0.0.254 >/dev/null
sleep 0.3
snoop_stop va
MA=$(ip -n "$G1" -br link show "$VA" | awk '{print $3}')
tcpdump -e -n -r "$TMP/va.pcap" 2>/dev/null | tee "$TMP/va.txt" | head -4
[ "$(grep -c 'ICMP echo' "$TMP/va.txt")" = 6 ] || fail "a's own pings"
# Every frame is from a, to a, or a broadcast of a's (untagged) VLAN.
bad=$(grep -v -e "^[^ ]* $MA > " -e "> $MA," -e "> ff:ff:ff:ff:ff:ff," \
      "$TMP/va.txt" || true)
[ -z "$bad" ] || fail "frames of other VNICs on a's capture: $bad"
grep -q -e ": 10.0.0.2 > " -e "> 10.0.0.2: " "$TMP/va.txt" && fail "b's IP traffic on a's capture"
grep -q "10.0.20" "$TMP/va.txt" && fail "d's traffic on a's capture"

note "bad input"
expect_err() { # pattern, snoop args... (-S $SOCK unless they give one)
    local pat="$1" rc sock=(-S "$SOCK")
    shift
    [[ " $* " == *" -S "* ]] && sock=()
    "$SNOOP" "${sock[@]}" "$@" -c 1 >"$TMP/e.out" 2>"$TMP/e.err"
    rc=$?
    cat "$TMP/e.err"
    [ "$rc" = 1 ] || fail "snoop $* exited with $rc, not 1"
    grep -q "$pat" "$TMP/e.err" || fail "snoop $*: no '$pat'"
}
expect_err "^snoop: no link, VNIC or etherstub named nosuch0$" -d nosuch0
expect_err "^snoop: bad filter: .*syntax error" -d "$VA" udp port
expect_err "^snoop: bad filter: " -d "$VA" host nosuchhostname.invalid
expect_err "^snoop: -D: 'sideways' is not in, out or both$" -d "$VA" -D sideways
expect_err "^snoop: -c: " -d "$VA" -c 0
expect_err "^snoop: -d given twice$" -d "$VA" -d "$VB"
expect_err "^snoop: -d link is required$"
expect_err "^snoop: cannot reach vswitchd" -d "$VA" -S "$TMP/none.sock"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SNOOP" -S "$SOCK" -d "$VA" -c 1 >/dev/null 2>"$TMP/e.err"
rc=$?
cat "$TMP/e.err"
[ "$rc" = 1 ] && grep -q "only root can capture" "$TMP/e.err" ||
    fail "a non-root snoop was not refused clearly"
[ "$(ncaps)" = 0 ] || fail "a failed snoop left a capture"

note "a reader that dies releases its capture"
snoop_start k1 -d "$VA"
snoop_start k2 -d phys0
[ "$(ncaps)" = 2 ] || fail "two captures expected"
kill -9 "${SNOOP_PID[k1]}"
wait "${SNOOP_PID[k1]}" 2>/dev/null
for i in $(seq 30); do [ "$(ncaps)" = 1 ] && break; sleep 0.1; done
[ "$(ncaps)" = 1 ] || fail "the killed reader's capture is still there"
snoop_stop k2

note "the VNIC deleted"
snoop_start del -d "$VB" -o "$TMP/del.pcap"
ip netns exec "$G2" ping -c 2 -i 0.1 -q 10.0.0.254 >/dev/null
ctl vnic-delete -t "$VB" || fail "cannot delete $VB"
wait "${SNOOP_PID[del]}"
rc=$?
[ $rc = 1 ] || fail "snoop exited with $rc when the VNIC went (want 1)"
cat "$TMP/del.err"
grep -q "snoop: $VB went away (deleted" "$TMP/del.err" || fail "no note"
grep -qx "4 packets captured, 0 dropped" "$TMP/del.err" || fail "summary"
[ "$(pcount "$TMP/del.pcap")" = 4 ] || fail "the file lost frames"

note "vswitchd stops"
snoop_start stop -d "$VA"
kill -TERM "$VSWD_PID"
wait "$VSWD_PID"
VSWD_PID=""
for i in $(seq 50); do
    kill -0 "${SNOOP_PID[stop]}" 2>/dev/null || break
    sleep 0.1
done
wait "${SNOOP_PID[stop]}"
rc=$?
[ $rc = 1 ] || fail "snoop exited with $rc when vswitchd stopped (want 1)"
cat "$TMP/stop.err"
grep -q "snoop: vswitchd stopped: the capture ended" "$TMP/stop.err" ||
    fail "no note"
grep -q "packets captured, 0 dropped" "$TMP/stop.err" || fail "no summary"
echo PASS
