#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `xvm create` and `xvm start` tell the truth about a guest's network: they
# succeed only once every vif is Connected on both ends, and otherwise exit
# 1 with the reason of each vif that failed and leave nothing behind: no
# domain record, VNIC, xenstore node, namespace or guest process.  Cases: a
# vif on a link that does not exist, a MAC already in use (create, and
# start of a defined domain), a redefinition that fails (the old record
# comes back), and no switch at all (the timeout).
. "$(dirname "$0")/../../lib/guests.sh" xenstore-list

# leaves_nothing NAME: no record, VNIC, xenstore home or process of a
# domain other than those in $live (ids), whose VNICs number $nlive.
leaves_nothing() {
    local what=$1 d
    xvm list --all | awk 'NR > 2 { print $2 }' | grep -qx "$what" &&
        fail "$what: still listed" || ok "$what: not in xvm list --all"
    [ -e "$T/state/domains/$what.cfg" ] && fail "$what: record left" ||
        ok "$what: no record in the state directory"
    for d in $(xenstore-list /local/domain 2>/dev/null); do
        [ "$d" = 0 ] || [[ " $live " == *" $d "* ]] ||
            fail "$what: /local/domain/$d left in xenstore"
    done
    for d in $(xenstore-list /local/domain/0/backend/vif 2>/dev/null); do
        [[ " $live " == *" $d "* ]] ||
            fail "$what: backend/vif/$d left in xenstore"
    done
    # The switch lets go of the VNIC once xvmd removed the backend nodes.
    wait_until 5 eval '[ "$("$DLADM" show-vnic -p -o link | grep -c "^xvm")" = "$nlive" ]' &&
        ok "$what: no VNIC left" ||
        fail "$what: VNICs: $("$DLADM" show-vnic -p -o link | tr '\n' ' ')"
    set -- $live
    expect "$what: guest processes" "$#" "$(pgrep -P "$XVMD_PID" | wc -l)"
    expect "$what: pinned namespaces" "$#" "$(find "$T/netns" -mindepth 1 | wc -l)"
}


switch_up

# A good guest: create returns with every vif already Connected.
guest_cfg good "link=stub0,mac=02:08:20:3b:00:01" "link=phys0,mac=02:08:20:3b:00:02"
out=$(xvm create "$T/good.cfg" 2>&1) && ok "create good: $out" ||
    die "create good: $out"
g=$(domid good)
live=$g nlive=2
st=$(xvm domiflist good | awk 'NR > 2 { print $NF }' | sort -u)
expect "good: both vifs connected when create returns" "connected" "$st"

# 1. A vif on a link that does not exist.
guest_cfg nolink "link=stub0,mac=02:08:20:3b:01:01" "link=nolink9,mac=02:08:20:3b:01:02"
out=$(xvm create "$T/nolink.cfg" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
expect "nolink: exit status" 1 "$rc"
echo "$out" | head -1 | grep -q "^xvm: domain nolink not created: a vif failed to connect$" &&
    ok "nolink: says it was not created" || fail "nolink: first line"
echo "$out" | grep -q "^  vif 1 on nolink9: .*link 'nolink9' does not exist" &&
    ok "nolink: vif 1's reason" || fail "nolink: no reason for vif 1"
leaves_nothing nolink

# 2. A MAC already in use (by the good guest).
guest_cfg dupmac "link=stub0,mac=02:08:20:3b:00:01"
out=$(xvm create "$T/dupmac.cfg" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
expect "dupmac: exit status" 1 "$rc"
echo "$out" | grep -q "^  vif 0 on stub0: .*02:08:20:3b:00:01\|^  vif 0 on stub0: .*in use" &&
    ok "dupmac: vif 0's reason names the MAC" || fail "dupmac: reason"
leaves_nothing dupmac

# 3. A redefinition that fails: the shut-off domain keeps its old record.
guest_cfg re "link=stub0,mac=02:08:20:3b:02:01"
xvm create "$T/re.cfg" >/dev/null || fail "create re"
xvm destroy re >/dev/null
guest_cfg re "link=nolink9,mac=02:08:20:3b:02:01"
xvm create "$T/re.cfg" >/dev/null 2>&1 && fail "re: bad redefinition accepted" ||
    ok "re: bad redefinition refused"
expect "re: still defined, shut off" "shut off" \
    "$(xvm dominfo re | sed -n 's/^State: *//p')"
expect "re: its old vif is back" "stub0" \
    "$(xvm domiflist re | awk 'NR == 3 { print $3 }')"
grep -q 'link=stub0' "$T/state/domains/re.cfg" &&
    ok "re: old record on disk" || fail "re: record: $(cat "$T/state/domains/re.cfg")"

# 4. Start of a defined domain whose MAC is now taken: it stays defined.
guest_cfg taken2 "link=stub0,mac=02:08:20:3b:03:01"
xvm create "$T/taken2.cfg" >/dev/null || fail "create taken2"
xvm destroy taken2 >/dev/null
guest_cfg holder "link=stub0,mac=02:08:20:3b:03:01"
xvm create "$T/holder.cfg" >/dev/null || fail "create holder"
live="$g $(domid holder)" nlive=3
out=$(xvm start taken2 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
expect "start taken2 with its MAC in use: exit status" 1 "$rc"
echo "$out" | head -1 | grep -q "^xvm: domain taken2 not started: a vif failed to connect$" &&
    ok "start: says it was not started" || fail "start: first line"
expect "taken2: still defined, shut off" "shut off" \
    "$(xvm dominfo taken2 | sed -n 's/^State: *//p')"
[ -e "$T/state/domains/taken2.cfg" ] && ok "taken2: record kept" ||
    fail "taken2: record gone"

# 5. No switch: the timeout names the vif with no backend.
kill "$VSWD_PID"; wait "$VSWD_PID" 2>/dev/null; VSWD_PID=
guest_cfg noswitch "link=stub0,mac=02:08:20:3b:04:01"
t0=$(date +%s)
out=$(xvm create --timeout 2 "$T/noswitch.cfg" 2>&1); rc=$?
t1=$(date +%s)
echo "$out" | sed 's/^/    /'
expect "noswitch: exit status" 1 "$rc"
echo "$out" | grep -q "did not connect in time (2 s)" &&
    echo "$out" | grep -q "^  vif 0 on stub0: no backend took it (is a vswitchd with -x $XENSTORED_PATH running?)$" &&
    ok "noswitch: timeout and reason" || fail "noswitch: message"
[ $((t1 - t0)) -le 5 ] && ok "noswitch: gave up after $((t1 - t0)) s" ||
    fail "noswitch: took $((t1 - t0)) s"
xvm list --all | awk 'NR > 2 { print $2 }' | grep -qx noswitch &&
    fail "noswitch: still listed" || ok "noswitch: not defined"

# Usage errors.
out=$(xvm create --timeout 0 "$T/good.cfg" 2>&1); rc=$?
expect "--timeout 0 refused" "1 xvm: create: --timeout 0: expected seconds (1-600)" "$rc $out"
out=$(xvm start --bogus good 2>&1); rc=$?
expect "unknown option refused" "1 xvm: start: unknown option '--bogus'" "$rc $out"
finish
