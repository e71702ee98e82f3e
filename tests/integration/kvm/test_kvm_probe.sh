#!/bin/bash
# SPDX-License-Identifier: MIT
# xvm-kvm --probe names the host's KVM module and finds port I/O (the
# hypercall path) working; the table is printed for the log.
. "$(dirname "$0")/kvm_lib.sh"
need_kvm

"$XVM_KVM" --probe >"$TMP/out" 2>"$TMP/err" || fail "--probe: exit $?: $(cat "$TMP/err")"
cat "$TMP/out"
host=$(sed -n 's/^host KVM: //p' "$TMP/out")
[ -n "$host" ] && [ -d "/sys/module/$host" ] ||
    fail "host KVM '$host' is not a loaded module"
grep -q '^out/in port 0x88 .* IO  *yes' "$TMP/out" || fail "port I/O does not work"
grep -q '^hypercalls (port I/O): usable' "$TMP/out" || fail "no verdict"
[ "$(grep -c -E ' (yes|no) ' "$TMP/out")" -eq 4 ] || fail "not four probes"
finish
