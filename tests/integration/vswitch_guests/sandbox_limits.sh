#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `memory` and `vcpus` of a domain's config are cgroup v2 limits: the
# guest cgroup's memory.max is `memory` MiB and the domain cgroup's cpu.max
# is vcpus * 100 ms per 100 ms.  Needs cgroup v2 with the memory and cpu
# controllers (else exit 77 saying so).
. "$(dirname "$0")/../../lib/guests.sh"

CG2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[ -n "$CG2" ] || skip "no cgroup v2 mounted: memory and vcpus are not enforced"
for c in memory cpu; do
    grep -qw "$c" "$CG2/cgroup.controllers" ||
        skip "cgroup v2 at $CG2 offers no $c controller (bound to cgroup v1" \
             "on this machine): memory and vcpus are not enforced here"
done

start_xvmd
printf 'name = "sl"\ntype = "process"\nmemory = 48\nvcpus = 2\n' >"$T/sl.cfg"
xvm create "$T/sl.cfg" >/dev/null || die "create sl"
pd=$(xvm dominfo sl | sed -n 's/^PID: *//p')
cg=$(sed -n 's/^0:://p' "/proc/$pd/cgroup")
dom=$CG2${cg%/front}
expect "xvm-procdom runs in the domain's front cgroup" front "${cg##*/}"
expect "memory.max of the guest is memory MiB" $((48 << 20)) \
    "$(cat "$dom/guest/memory.max")"
expect "cpu.max of the domain is vcpus x 100 ms per 100 ms" "200000 100000" \
    "$(cat "$dom/cpu.max")"
in_cg=$(xvm exec sl cat /proc/self/cgroup)
expect "exec runs at the root of its own cgroup namespace" "0::/" "$in_cg"
xvm destroy sl >/dev/null
wait_until 5 test ! -d "$dom" && ok "destroy removes the cgroup" ||
    fail "$dom still there"
finish
