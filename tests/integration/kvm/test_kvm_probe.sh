#!/bin/bash
# SPDX-License-Identifier: MIT
# xvm-kvm --probe names the host's KVM module and finds port I/O (the
# hypercall path) working; the table is printed for the log.  On kvm_pvm,
# where guests start at CPL 3 because the host runs them natively there
# and emulates them at CPL 0, the CPL 3 loop is far faster than the CPL 0
# one (about 4,600 times here).
. "$(dirname "$0")/kvm_lib.sh"
need_kvm

"$XVM_KVM" --probe >"$TMP/out" 2>"$TMP/err" || fail "--probe: exit $?: $(cat "$TMP/err")"
cat "$TMP/out"
host=$(sed -n 's/^host KVM: //p' "$TMP/out")
[ -n "$host" ] && [ -d "/sys/module/$host" ] ||
    fail "host KVM '$host' is not a loaded module"
grep -q '^out/in port 0x88 .* IO  *yes' "$TMP/out" || fail "port I/O does not work"
grep -q '^hypercalls (port I/O): usable' "$TMP/out" || fail "no verdict"
[ "$(grep -c -E ' (yes|no) ' "$TMP/out")" -eq 6 ] || fail "not six probes"
grep -q "^guests start at CPL $(host_cpl) here" "$TMP/out" ||
    fail "not the CPL kvm_lib.sh expects ($(host_cpl))"
# loop_seconds CPL: the time of the timed loop at CPL
loop_seconds() {
    sed -n "s/^loop of .* $1  *IO  *IO  *yes  *\([0-9.]*\) s,.*/\1/p" \
        "$TMP/out"
}
t0=$(loop_seconds 0) t3=$(loop_seconds 3)
[ -n "$t0" ] && [ -n "$t3" ] || fail "a timed loop did not run: '$t0' '$t3'"
if [ "$host" = kvm_pvm ] && [ -n "$t0" ] && [ -n "$t3" ]; then
    awk -v a="$t3" -v b="$t0" 'BEGIN { exit !(a * 20 < b) }' ||
        fail "kvm_pvm: CPL 3 ($t3 s) is not far faster than CPL 0 ($t0 s)"
fi
finish
