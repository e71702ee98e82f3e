#!/bin/bash
# SPDX-License-Identifier: MIT
# Known traffic, exact counts: 5 pings from a guest are 5 frames out and 5
# in on its VNIC (and on the wire), 40 UDP datagrams are 40 frames on the
# link; -D selects one direction; -c stops at a count; the files are
# nanosecond pcap that tcpdump and tshark read cleanly; the summary line
# says what was captured.
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump tshark python3

rig_up
ping_ok "$G1" 10.0.0.254  # ARP settled before counting

# Echo only: the UDP below draws port-unreachables from the outside host.
ECHO="icmp[icmptype] = icmp-echo or icmp[icmptype] = icmp-echoreply"
snoop_start va -d "$VA" -o "$TMP/va.pcap" $ECHO
snoop_start vain -d "$VA" -D in -o "$TMP/vain.pcap" $ECHO
snoop_start link -d phys0 -o "$TMP/link.pcap" $ECHO or udp port 5555
snoop_start cnt -d "$VA" -c 3 -o "$TMP/cnt.pcap" $ECHO
ip netns exec "$G1" ping -c 5 -i 0.2 -W 2 -q 10.0.0.254 >/dev/null ||
    fail "ping"
sent=$(udp_send "$G1" 10.0.0.254 5555 40)
[ "$sent" = 40 ] || fail "sent $sent datagrams, not 40"
sleep 0.5

wait "${SNOOP_PID[cnt]}" || fail "snoop -c 3 exited with $?"
for n in va vain link; do
    snoop_stop "$n"
    [ "$SNOOP_RC" = 0 ] || fail "snoop $n exited with $SNOOP_RC"
    cat "$TMP/$n.err"
    reads_clean "$TMP/$n.pcap"
done
reads_clean "$TMP/cnt.pcap"

check() { # what got expected
    [ "$2" = "$3" ] || fail "$1: $2 frames, expected $3"
    echo "ok: $1 = $2"
}
check "VNIC echo requests" "$(pcount "$TMP/va.pcap" 'icmp[0] = 8')" 5
check "VNIC echo replies" "$(pcount "$TMP/va.pcap" 'icmp[0] = 0')" 5
check "VNIC -D in" "$(pcount "$TMP/vain.pcap")" 5
check "VNIC -D in replies" "$(pcount "$TMP/vain.pcap" 'icmp[0] = 0')" 5
check "link echo" "$(pcount "$TMP/link.pcap" icmp)" 10
check "link UDP" "$(pcount "$TMP/link.pcap" udp port 5555)" 40
check "snoop -c 3" "$(pcount "$TMP/cnt.pcap")" 3
check "summary va" "$(captured va)" 10
check "summary link" "$(captured link)" 50
check "drops va" "$(dropped va)" 0
grep -qx "3 packets captured, 0 dropped" "$TMP/cnt.err" || fail "cnt summary"

note "nanosecond timestamps, lengths"
tcpdump --nano -r "$TMP/va.pcap" 2>/dev/null | head -1 |
    grep -Eq '^[0-9:]+\.[0-9]{9} ' || fail "no nanosecond timestamps"
tshark -r "$TMP/link.pcap" -T fields -e frame.len -Y udp 2>/dev/null | sort -u |
    grep -qx 106 || fail "UDP frames are not 106 bytes"

note "text output"
snoop_start txt -d "$VA"
ip netns exec "$G1" ping -c 2 -i 0.2 -W 2 -q 10.0.0.254 >/dev/null
sleep 0.3
snoop_stop txt
cat "$TMP/txt.out"
grep -Eq '^[0-9:]{8}\.[0-9]{9} out 2:.* -> .* IPv4 10\.0\.0\.1 -> 10\.0\.0\.254 ICMP echo request id [0-9]+ seq 1 len 98$' \
    "$TMP/txt.out" || fail "text line for the request"
grep -Eq ' in .* IPv4 10\.0\.0\.254 -> 10\.0\.0\.1 ICMP echo reply' \
    "$TMP/txt.out" || fail "text line for the reply"
[ "$(ncaps)" = 0 ] || fail "captures left in vswitchd: $(ncaps)"
echo PASS
