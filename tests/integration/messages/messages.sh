#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What the tools say when they are used wrongly: each message names the
# tool (not the path it was run by), says what is wrong, and the exit
# status is 1 (or 0 for -h); vswitchd refuses bad -m/-l values and a DPDK
# file prefix another vswitchd holds before starting anything, and -q or
# -X without -x.
. "$(dirname "$0")/../../lib/switch.sh"
require

for v in XVM SNOOP DLADM XVMD XENSTORED; do
    [ -x "${!v:-}" ] || skip "$v not set (run through meson test)"
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# says WANT-RC WANT-MESSAGE(regex, one line of stderr) COMMAND...
says() {
    local rc want="$2" out
    shift; shift
    out=$("$@" 2>&1 >/dev/null | head -1); "$@" >/dev/null 2>&1; rc=$?
    if [ "$rc" = "$WANT_RC" ] && [[ "$out" =~ $want ]]; then ok "$*: $out"
    else fail "$*: exit $rc (want $WANT_RC), '$out' (want /$want/)"; fi
}

WANT_RC=0
for t in "$XVM" "$XVMD" "$XENSTORED" "$VSWITCHD" "$VSWCTL" "$DLADM" "$SNOOP" \
         "$PROCDOM" "$XVM_KVM"; do
    "$t" -h >/dev/null 2>&1 && ok "$(basename "$t") -h exits 0" ||
        fail "$(basename "$t") -h exits $?"
    out=$("$t" --help 2>&1 >/dev/null)
    rc=$?
    [ $rc = 0 ] && [ -z "$out" ] && ok "$(basename "$t") --help exits 0" ||
        fail "$(basename "$t") --help exits $rc: '$out'"
done
"$DLADM" show-vnic --help | grep -q '^usage: show-vnic ' &&
    ok "dladm show-vnic --help: its usage" ||
    fail "dladm show-vnic --help"
WANT_RC=1
says 1 "^xenstored: invalid option -- 'Z'$" "$XENSTORED" -Z
says 1 "^vswctl: invalid option -- 'Z'$" "$VSWCTL" -Z
says 1 "^xvm: $TMP: Is a directory$" "$XVM" create "$TMP"
out=$("$XVM" -Z 2>&1 | head -1)
[[ "$out" =~ ^xvm:\ invalid\ option ]] && ok "getopt names xvm: $out" ||
    fail "getopt message: '$out'"
says 1 "^vswitchd: -m: 'abc' is not a number of MB$" "$VSWITCHD" -m abc
says 1 "^vswitchd: -m: at least [0-9]+ MB" "$VSWITCHD" -m 64
says 1 "^vswitchd: -l: CPU 9999 does not exist" "$VSWITCHD" -l 9999
says 1 "^vswitchd: -l: CPU 0 given twice$" "$VSWITCHD" -l 0,0
says 1 "^vswitchd: -l: '0-1' is not a list of CPU numbers" "$VSWITCHD" -l 0-1
says 1 "^vswitchd: -w: '0' is not a number of workers from 1 to [0-9]+ \(the CPUs it may use\)$" \
    "$VSWITCHD" -w 0
says 1 "^vswitchd: -w: '9999' is not a number of workers" "$VSWITCHD" -w 9999
says 1 "^vswitchd: -w 2 needs as many CPUs in -l \(1 given\)$" \
    "$VSWITCHD" -w 2 -l 0
says 1 "^vswitchd: -q: '9' is not a number of queues \(1-8\)$" "$VSWITCHD" -q 9
# (a vswitchd that took them would start: timeout ends it, and the test
# fails with 124)
says 1 "^vswitchd: -q goes with -x \(guest vifs\)$" timeout 5 "$VSWITCHD" \
    -S "$TMP/none" -s "$TMP/q.sock" -F "msgq$ID" -m 128 -q 2
says 1 "^vswitchd: -X goes with -x \(guest vifs\)$" timeout 5 "$VSWITCHD" \
    -S "$TMP/none" -s "$TMP/q.sock" -F "msgq$ID" -m 128 -X "$TMP/x.sock"
says 1 "^vswitchd: unexpected argument 'extra' \(EAL options go after --\)$" \
    "$VSWITCHD" -S "$TMP/none" -F "msgx$ID" -m 128 extra
says 1 "^snoop: cannot reach vswitchd at $TMP/none.sock: vswitchd is not running$" \
    "$SNOOP" -S "$TMP/none.sock" -d x0
says 1 "^vswctl: cannot reach vswitchd at $TMP/none.sock: vswitchd is not running$" \
    "$VSWCTL" -s "$TMP/none.sock" link-show

outside_up
phys_conf "$TMP/conf" \
    "link stub0 class=etherstub" \
    "vnic v${ID}0 link=stub0"
vswd_start "$TMP/conf"
out=$("$VSWITCHD" -F "vswit${ID}" -S "$TMP/s2" -s "$TMP/s2.sock" -m 128 2>&1 |
      grep -m1 'in use')
[[ "$out" =~ "DPDK file prefix 'vswit${ID}' is in use by process $VSWD_PID" ]] &&
    ok "a second vswitchd on the same prefix: $out" ||
    fail "second vswitchd: '$out'"
says 1 "^dladm: -r may only be given with -m random$" \
    "$DLADM" create-vnic -t -l stub0 -m auto -r 2:1 w${ID}0
says 1 "^dladm: 'v${ID}0' is not an etherstub$" "$DLADM" show-etherstub "v${ID}0"
says 1 "^dladm: invalid link property 'foo'$" "$DLADM" show-linkprop -p foo "v${ID}0"
out=$("$SNOOP" -S "$SOCK" -d "v${ID}0" -o /nonexistent/x.pcap 2>&1 | head -1)
[ "$(grep -o /nonexistent/x.pcap <<<"$out" | wc -l)" = 1 ] &&
    ok "snoop names the bad output file once: $out" ||
    fail "snoop -o: '$out'"
echo "$fails failure(s)"
[ $fails = 0 ]
