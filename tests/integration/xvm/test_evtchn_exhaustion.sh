#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Guests that ask for every event channel they can get must not exhaust
# xvmd: at the usual limit of 1024 descriptors, where eight guests once
# took them all, hog guests ask until refused; the global quota refuses
# them while descriptors remain for dom0: `xvm list` and xenstore still
# answer, a new domain is still created, control clients still connect.
. "$(dirname "$0")/hostile_lib.sh"

command -v xenstore-read >/dev/null || skip "xenstore-read not installed"
export XENSTORED_PATH=$T/xs.sock
start_xvmd 1024
N=8
for i in $(seq $N); do
    guest_create "hog$i" || fail "create hog$i"
done
wait_until 10 eval '[ "$(ls "$T"/hog* 2>/dev/null | grep -vc cfg)" -eq $N ]' ||
    fail "not every hog reported"
total=0 refused=0
for i in $(seq $N); do
    read -r ports err <"$T/hog$i" || continue
    total=$((total + ports))
    [ "$err" = 23 ] && refused=$((refused + 1))   # ENFILE: the global quota
done
echo "  $N hogs hold $total ports; $refused refused by the global quota"
[ $refused -ge 1 ] && ok "the global quota refuses hogs" ||
    fail "no hog was refused by the global quota"
[ $total -le $(( (1024 - 256) / 2 )) ] && ok "event channels stay in budget" ||
    fail "$total ports exceed the budget"
timed 2 xvm list || fail "xvm list answers within 2 s"
timed 2 xenstore-read /local/domain/1/name || fail "xenstore answers"
guest_create calm1 && [ "$(state_of calm1)" = running ] &&
    ok "a new domain is created" || fail "cannot create calm1"
# Many control clients at once: each is served or refused, none hangs.
pids=()
for i in $(seq 40); do "$XVM" -s "$T/xvmd.sock" list >/dev/null & pids+=($!); done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
[ $bad -eq 0 ] && ok "40 simultaneous clients are answered" ||
    fail "$bad of 40 simultaneous clients failed"
finish
