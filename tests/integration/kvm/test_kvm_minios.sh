#!/bin/bash
# SPDX-License-Identifier: MIT
# minios boots in long mode, says hello on the console (stdout, nothing
# else there) and powers off (exit 0), with the smallest RAM and a larger one.
. "$(dirname "$0")/kvm_lib.sh"
need_kvm

for mib in 2 16 4200; do
    run_guest "$MINIOS" --memory $mib
    expect "minios, $mib MiB" 0 'guest stopped: poweroff'
    [ "$(cat "$TMP/out")" = "minios: hello" ] ||
        fail "minios, $mib MiB: console is '$(cat "$TMP/out")'"
done
finish
