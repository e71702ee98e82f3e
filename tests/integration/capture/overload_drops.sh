#!/bin/bash
# Drop accounting under overload: a tiny ring (-B 8 KiB) whose reader is
# stopped while a guest floods; captured + dropped == sent, snoop's summary
# says so, the file holds exactly the captured frames, and the switch
# forwarded every datagram regardless.
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump python3

rig_up
ping_ok "$G1" 10.0.0.254
N=5000
ip netns exec "$NS_OUT" tcpdump -n -i "$VETH_OUT" -w "$TMP/wire.pcap" \
    udp port 7777 2>/dev/null &
TD=$!
snoop_start ov -d "$VA" -D out -B 8 -o "$TMP/ov.pcap" udp port 7777
snoop_start big -d "$VA" -D out -q udp port 7777
kill -STOP "${SNOOP_PID[ov]}"
drop0=$(ip -n "$G1" -s -j link show "$VA" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')
sent=$(udp_send "$G1" 10.0.0.254 7777 "$N")
drop1=$(ip -n "$G1" -s -j link show "$VA" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')
sent=$((sent - (drop1 - drop0)))  # what reached the switch
sleep 0.5
kill -CONT "${SNOOP_PID[ov]}"
sleep 0.5
snoop_stop ov
snoop_stop big
kill -INT "$TD"; wait "$TD"
cat "$TMP/ov.err" "$TMP/big.err"
c=$(captured ov); d=$(dropped ov)
echo "sent $sent, captured $c, dropped $d (tap drops $((drop1 - drop0)))"
[ "$d" -gt 0 ] || fail "no drops with an 8 KiB ring"
[ $((c + d)) = "$sent" ] || fail "captured + dropped != sent"
[ "$(pcount "$TMP/ov.pcap")" = "$c" ] || fail "the file does not hold $c frames"
[ "$(captured big)" = "$sent" ] && [ "$(dropped big)" = 0 ] ||
    fail "the 4 MiB ring should hold all $sent"
w=$(pcount "$TMP/wire.pcap")
echo "on the wire: $w"
[ "$w" = "$sent" ] || fail "the switch lost frames while the capture dropped"
echo PASS
