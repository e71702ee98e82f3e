#!/bin/bash
# snoop -o - | tcpdump -r - shows frames while the capture runs, and
# snoop -c N -o - ends the pipe after N frames.
. "$(dirname "$0")/lib.sh"
require_snoop tcpdump

rig_up
ping_ok "$G1" 10.0.0.254
mkfifo "$TMP/pipe"
tcpdump -n -l -r - <"$TMP/pipe" >"$TMP/live.txt" 2>/dev/null &
TD=$!
"$SNOOP" -S "$SOCK" -d "$VA" -o - icmp 2>"$TMP/live.err" >"$TMP/pipe" &
SP=$!
for i in $(seq 50); do [ "$(ncaps)" = 1 ] && break; sleep 0.1; done
ip netns exec "$G1" ping -c 3 -i 0.2 -q 10.0.0.254 >/dev/null
for i in $(seq 50); do
    [ "$(grep -c ICMP "$TMP/live.txt")" -ge 6 ] && break
    sleep 0.1
done
cat "$TMP/live.txt"
[ "$(grep -c 'ICMP echo request' "$TMP/live.txt")" = 3 ] &&
[ "$(grep -c 'ICMP echo reply' "$TMP/live.txt")" = 3 ] ||
    fail "tcpdump did not get the frames while snoop was running"
[ "$(ncaps)" = 1 ] || fail "snoop is not running any more"
kill -INT "$SP"
wait "$SP" || fail "snoop exited with $?"
wait "$TD"
cat "$TMP/live.err"
grep -qx "6 packets captured, 0 dropped" "$TMP/live.err" || fail "summary"

note "-c 4 ends the pipe"
( "$SNOOP" -S "$SOCK" -d "$VA" -c 4 -o - icmp 2>"$TMP/c4.err" |
    tcpdump -n -r - >"$TMP/c4.txt" 2>/dev/null ) &
PIPE=$!
for i in $(seq 50); do [ "$(ncaps)" = 1 ] && break; sleep 0.1; done
ip netns exec "$G1" ping -c 3 -i 0.2 -q 10.0.0.254 >/dev/null
for i in $(seq 50); do kill -0 "$PIPE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PIPE" 2>/dev/null && fail "snoop -c 4 did not end"
wait "$PIPE"
[ "$(wc -l <"$TMP/c4.txt")" = 4 ] || fail "tcpdump read $(wc -l <"$TMP/c4.txt") frames, not 4"
echo PASS
