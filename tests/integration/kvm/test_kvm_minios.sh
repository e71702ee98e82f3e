#!/bin/bash
# SPDX-License-Identifier: MIT
# minios boots in long mode, says hello on the console (stdout, nothing
# else there) with the privilege level it runs at (3 on kvm_pvm, else 0;
# kvm/abi.h) and powers off (exit 0), with the smallest RAM and a larger
# one; and at the other level with --cpl.
. "$(dirname "$0")/kvm_lib.sh"
need_kvm

cpl=$(host_cpl)
for mib in 2 16 4200; do
    run_guest "$MINIOS" --memory $mib
    expect "minios, $mib MiB" 0 'guest stopped: poweroff'
    [ "$(cat "$TMP/out")" = "minios: hello (cpl $cpl)" ] ||
        fail "minios, $mib MiB: console is '$(cat "$TMP/out")'"
done
other=$((3 - cpl))
run_guest "$MINIOS" --cpl $other
expect "minios, --cpl $other" 0 'guest stopped: poweroff'
[ "$(cat "$TMP/out")" = "minios: hello (cpl $other)" ] ||
    fail "minios, --cpl $other: console is '$(cat "$TMP/out")'"
finish
