#!/bin/bash
# SPDX-License-Identifier: MIT
# minios boots in long mode, says hello on the console (stdout, nothing
# else there) with the privilege level it runs at (3 on kvm_pvm, else 0;
# kvm/abi.h) and powers off (exit 0), with the smallest RAM and a larger
# one; and at the other level with --cpl; a kernel whose note says it
# needs CPL 0 starts there.  With up to the host's CPUs as vCPUs each says
# it is up; bad counts and a kernel without an AP entry are refused.
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

# vCPUs: as many as the host has CPUs (at most 8), each other one saying
# it is up after vCPU 0's hello; more, or a number that is none, refused
# with words; a kernel that names no AP entry runs with one and no more.
ncpu=$(nproc)
max=$((ncpu < 8 ? ncpu : 8))
for n in $(seq 2 $max); do
    run_guest "$MINIOS" --vcpus $n
    expect "minios, $n vCPUs" 0 'guest stopped: poweroff'
    want="minios: hello (cpl $cpl)"
    for c in $(seq 1 $((n - 1))); do want+=$'\n'"minios: cpu $c up"; done
    [ "$(sort "$TMP/out")" = "$(sort <<<"$want")" ] &&
        [ "$(head -1 "$TMP/out")" = "minios: hello (cpl $cpl)" ] ||
        fail "minios, $n vCPUs: console is '$(cat "$TMP/out")'"
done
[ "$max" -ge 2 ] || echo "skip: more vCPUs: this host has one CPU"
for bad in 0 $((max + 1)) 9 -1 2x; do
    run_guest "$MINIOS" --vcpus "$bad"
    expect "--vcpus $bad" 1 "--vcpus $bad: 1 to $max here (at most 8"
done
run_guest "$TMP/img/no_ap_entry.elf"
expect "no AP entry, 1 vCPU" 0 'guest stopped: poweroff'
if [ "$max" -ge 2 ]; then
    run_guest "$TMP/img/no_ap_entry.elf" --vcpus 2
    expect "no AP entry, 2 vCPUs" 1 \
        'refused: 2 vCPUs, but it names no entry for vCPUs other than 0'
    [ -s "$TMP/out" ] && fail "no AP entry, 2 vCPUs: it ran: $(cat "$TMP/out")"
fi
finish
