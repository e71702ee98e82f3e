#!/bin/bash
# SPDX-License-Identifier: MIT
# minios boots in long mode, says hello on the console (stdout, nothing
# else there) with the privilege level it runs at (3 on kvm_pvm, else 0;
# kvm/abi.h) and powers off (exit 0), with the smallest RAM and a larger
# one; and at the other level with --cpl; a kernel whose note says it
# needs CPL 0 starts there.
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
# A kernel whose xvnet note says it needs CPL 0 starts there on any host
# (on kvm_pvm, emulated); --cpl still decides.
python3 "$MKELF" "$MINIOS" "$TMP/img" --good || fail "hostile_elf.py --good"
run_guest "$TMP/img/needs_supervisor.elf"
expect "a kernel that needs CPL 0" 0 'guest stopped: poweroff'
[ "$(cat "$TMP/out")" = "minios: hello (cpl 0)" ] ||
    fail "needs CPL 0: console is '$(cat "$TMP/out")'"
run_guest "$TMP/img/needs_supervisor.elf" --cpl 3
[ "$(cat "$TMP/out")" = "minios: hello (cpl 3)" ] ||
    fail "needs CPL 0, --cpl 3: console is '$(cat "$TMP/out")'"
finish
