#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `xvm pause` freezes every process of a domain, `xvm exec` ones too, and
# `xvm resume` thaws them; `xvm destroy` of a domain running `xvm exec
# sleep 1000` leaves nothing: no process (the sleep, its xvm, the init,
# xvm-procdom), no namespace (its user and network namespaces are gone
# with their TAP eth0), no mount, no cgroup; and the cgroups of an xvmd
# killed with its domains are removed by the next xvmd.
. "$(dirname "$0")/../../lib/guests.sh"

CG2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
start_xvmd
start_vswd
ctl link-create stub0 etherstub || die "link stub0"
d=$(create_guest sd "link=stub0,mac=02:08:20:39:00:01") || exit 1
wait_connected "$d" || exit 1
pd=$(xvm dominfo sd | sed -n 's/^PID: *//p')
init=$(cat "/proc/$pd/task/$pd/children")
init=${init% }
userns=$(readlink "/proc/$init/ns/user")
netns=$(readlink "/proc/$init/ns/net")
[ -n "$userns" ] && [ "$(readlink /proc/self/ns/user)" != "$userns" ] &&
    ok "the domain has its own user namespace" || fail "no user namespace"
xvm exec sd ip link show eth0 >/dev/null 2>&1 && ok "its TAP eth0 is there" ||
    fail "no eth0 in the domain"

# A ticking process: it writes the time to its /tmp every 0.1 s; we read
# the file through the init's root, from outside.
"$XVM" -s "$T/xvmd.sock" exec sd sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.1; done' &
ticker=$!
"$XVM" -s "$T/xvmd.sock" exec sd sleep 1000 &
sleeper=$!
wait_until 5 test -s "/proc/$init/root/tmp/tick" || fail "no tick"
tick() { cat "/proc/$init/root/tmp/tick" 2>/dev/null; }
sl_comm() { sl=$(cat "/proc/$sleeper/task/$sleeper/children" 2>/dev/null)
            sl=${sl% }; [ "$(cat "/proc/$sl/comm" 2>/dev/null)" = sleep ]; }
wait_until 5 sl_comm || fail "no sleep in sd"

if [ -n "$CG2" ]; then
    xvm pause sd >/dev/null || fail "pause"
    sleep 0.3
    t1=$(tick); sleep 0.5; t2=$(tick)
    expect "pause freezes exec'ed processes" "$t1" "$t2"
    xvm resume sd >/dev/null || fail "resume"
    sleep 0.5
    [ "$(tick)" != "$t2" ] && ok "resume thaws them" || fail "still frozen"
else
    echo "SKIP (part): no cgroup v2: pause stops only xvm-procdom here"
fi

xvm destroy sd >/dev/null || fail "destroy"
wait_until 5 sh -c "! kill -0 $sleeper 2>/dev/null && ! kill -0 $ticker 2>/dev/null" &&
    ok "the xvm exec clients ended" || fail "an xvm exec client survived"
wait "$sleeper" "$ticker" 2>/dev/null
for p in "$sl" "$init" "$pd"; do
    wait_until 5 test ! -e "/proc/$p" || fail "process $p survived destroy"
done
ok "no process of the domain left (sleep $sl, init $init, xvm-procdom $pd)"
left=0
for f in /proc/[0-9]*/ns/user /proc/[0-9]*/ns/net; do
    n=$(readlink "$f" 2>/dev/null) || continue
    [ "$n" = "$userns" ] || [ "$n" = "$netns" ] && left=$((left + 1))
done
expect "no process in its user or network namespace (nor its TAP)" 0 "$left"
[ ! -e "$T/netns/xvm-sd" ] && ! grep -q "xvm-sd" /proc/self/mountinfo &&
    ok "no namespace pin or mount left" || fail "namespace pin left"
if [ -n "$CG2" ]; then
    [ -z "$(find "$CG2/xvnet" -name sd 2>/dev/null)" ] &&
        ok "no cgroup left" || fail "the domain's cgroup is left"
    # An xvmd killed with its domains leaves their cgroups; the next removes
    # them when it starts its first domain.
    printf 'name = "sk"\ntype = "process"\n' >"$T/sk.cfg"
    xvm create "$T/sk.cfg" >/dev/null || fail "create sk"
    # the level of this state directory's domains
    lvl=$(dirname "$(find "$CG2/xvnet" -maxdepth 2 -name sk -print -quit)")
    skpid=$(xvm dominfo sk | sed -n 's/^PID: *//p')
    kill -9 "$XVMD_PID"; wait "$XVMD_PID" 2>/dev/null; XVMD_PID=
    [ -d "$lvl/sk" ] && ok "a killed xvmd leaves its cgroups" ||
        fail "no cgroup of the killed xvmd"
    # Another xvmd on the host, with a state directory of its own, starts
    # a domain: it must leave the orphans of this one alone (they wait
    # for the next xvmd of their own state directory).
    mkdir -p "$T/o/netns"
    XVNET_RUNDIR=$T/o "$XVMD" -d "$T/o/state" -n "$T/o/netns" \
        -p "$PROCDOM" -x "$T/o/xenstored.sock" 2>>"$T/xvmd-o.log" &
    opid=$!
    wait_until 5 sh -c "grep -q 'xvmd: listening on' '$T/xvmd-o.log'" ||
        fail "the other xvmd did not start"
    printf 'name = "other"\ntype = "process"\n' >"$T/other.cfg"
    XVNET_RUNDIR=$T/o "$XVM" create "$T/other.cfg" >/dev/null ||
        fail "create a domain with the other xvmd"
    [ -d "$lvl/sk" ] && kill -0 "$skpid" 2>/dev/null &&
        ok "another xvmd's first domain leaves a dead xvmd's domains alone" ||
        fail "another xvmd swept sk (cgroup or process $skpid gone)"
    XVNET_RUNDIR=$T/o "$XVM" destroy other >/dev/null
    kill "$opid"; wait "$opid" 2>/dev/null
    [ -s "$T/o/xenstored.pid" ] && kill "$(cat "$T/o/xenstored.pid")" 2>/dev/null
    start_xvmd
    wait_until 5 xvm list >/dev/null 2>&1 || fail "xvmd did not restart"
    printf 'name = "sk2"\ntype = "process"\n' >"$T/sk2.cfg"
    xvm create "$T/sk2.cfg" >/dev/null || fail "create sk2"
    # sk runs on, taken over by the next xvmd: its cgroup stays where it
    # is until it is destroyed, and the dead xvmd's level goes with it.
    [ -d "$lvl/sk" ] &&
        ok "the next xvmd keeps the cgroup of the domain it took over" ||
        fail "sk's cgroup is gone"
    [ -d "$lvl/sk2" ] && ok "and starts its own in the same level" ||
        fail "sk2 is not in $lvl"
    xvm destroy sk >/dev/null || fail "destroy sk"
    xvm destroy sk2 >/dev/null || fail "destroy sk2"
    [ ! -e "$lvl" ] && ok "destroying them removes the level" ||
        fail "$lvl left"
fi
finish
