#!/bin/bash
# SPDX-License-Identifier: MIT
# Guests that misbehave (misbehave.c) are stopped as crashed (exit 2) with a
# message saying what they did, after their console worked; the monitor
# itself is fine (it reports, exits, never dies of a signal).  hlt and a
# port the TSS keeps closed (kvm/abi.h) are an exception at CPL 3, the
# level kvm_pvm guests run at: each is tried at both levels.  The reboot
# and short-block guests cover the calls minios does not make; a guest
# spinning in KVM_RUN and one blocked in a hypercall end at SIGTERM.
# With two vCPUs: a misdeed of either crashes the guest, named by vCPU,
# and SIGTERM ends a guest whose vCPU 1 spins.
. "$(dirname "$0")/kvm_lib.sh"
need_kvm

crashes=(
    "console_outside:console write: 16 bytes at 0xfffff8 lie outside guest RAM (16 MiB)"
    "console_wraps:console write: 16 bytes at 0xfffffffffffffffc lie outside guest RAM"
    "console_too_long:console write: 4097 bytes (at most 4096)"
    "unknown_hcall:unknown hypercall 99"
    "bad_shutdown:shutdown: unknown reason 7"
    "reports_crash:the guest reported a crash"
    "other_port:port I/O: out of 4 bytes at port 0x80, where there is no device"
    "hcall_in:hypercall port: in of 4 bytes"
    "hcall_byte:hypercall port: out of 1 bytes"
    "mmio:MMIO read of 4 bytes at 0x3ff00000"
    "triple_fault:triple fault"
    "block_forever:block: waits forever"
    "gnttab_on_boot:grant table: frames 0x12 +1 are not guest RAM the guest may use"
    "shared_outside:shared page: frame 0x1000 is not guest RAM the guest may use (16 MiB)"
    "evtchn_not_held:event channel send: port 2 is not one the guest holds"
)
# name:cpl:what the monitor says
by_cpl=(
    "hlt:0:hlt with nothing to wake it"
    "hlt:3:triple fault: an exception the guest cannot take"
    "high_port:0:port I/O: out of 4 bytes at port 0x4000, where there is no device"
    "high_port:3:triple fault: an exception the guest cannot take"
)
for c in "${by_cpl[@]}"; do
    IFS=: read -r name cpl why <<<"$c"
    run_guest "$GUESTS/$name.elf" --cpl "$cpl"
    expect "$name at CPL $cpl" 2 "guest crashed: $why"
    grep -q 'still running' "$TMP/out" && fail "$name: went on after it"
done

# Doorbells (kvm/abi.h): the same words with the kernel's ioeventfds and
# through the monitor's exit (--no-ioeventfd).  doorbell_closed rang port
# 2 once, closed it and rang it again: the second must reach the monitor,
# so closing a port removed its ioeventfd.
doorbell_crashes=(
    "doorbell_not_held:event channel doorbell: port 2 is not one the guest holds"
    "doorbell_word:doorbell port 0x1002: out of 4 bytes (x1); a doorbell is one 1-byte out"
    "doorbell_in:doorbell port 0x1002: in of 1 bytes (x1); a doorbell is one 1-byte out"
    "doorbell_closed:event channel doorbell: port 2 is not one the guest holds"
)
for c in "${crashes[@]}" "${doorbell_crashes[@]}"; do
    name=${c%%:*}
    for opt in "" --no-ioeventfd; do
        case $name in doorbell*) ;; *) [ -z "$opt" ] || continue ;; esac
        run_guest "$GUESTS/$name.elf" $opt
        expect "$name $opt" 2 "guest crashed: ${c#*:}"
        [ "$(head -1 "$TMP/out")" = "misbehave: $name" ] ||
            fail "$name: console before the misdeed: '$(cat "$TMP/out")'"
        grep -q 'still running' "$TMP/out" && fail "$name: went on after it"
    done
done

# A loopback channel 1 <-> 2: 1000 doorbells on 2, then 1000 send
# hypercalls, each followed by a look (block 0) that must find port 1
# pending.  With ioeventfds no doorbell reaches the monitor (nor a
# refusal in the log); without, each does, with the same result.
# doorbell_closed: its first doorbell was the kernel's, the second the
# monitor's.
for opt in "" --no-ioeventfd; do
    run_guest "$GUESTS/doorbell.elf" --stats $opt
    expect "doorbell $opt" 0 'guest stopped: poweroff'
    grep -q '^misbehave: doorbell seen 1000 send seen 1000$' "$TMP/out" ||
        fail "doorbell $opt: not every ring seen: $(cat "$TMP/out")"
    want=0; [ -n "$opt" ] && want=1000
    grep -q "(sends 1000), doorbells $want\$" "$TMP/err" ||
        fail "doorbell $opt: expected $want doorbell exits: $(cat "$TMP/err")"
    grep -q 'KVM_IOEVENTFD refused' "$TMP/err" &&
        fail "doorbell $opt: this host refused KVM_IOEVENTFD: $(cat "$TMP/err")"
    echo "ok   doorbell $opt: $(tail -1 "$TMP/err")"
done
run_guest "$GUESTS/doorbell_closed.elf" --stats
grep -q ', doorbells 1$' "$TMP/err" ||
    fail "doorbell_closed: the kernel did not take the first: $(cat "$TMP/err")"

run_guest "$GUESTS/reboot.elf"
expect reboot 3 'guest stopped: reboot'
run_guest "$GUESTS/block_short.elf"
expect block_short 0 'guest stopped: poweroff'
grep -q '^misbehave: woke$' "$TMP/out" || fail "block_short did not wake"

for name in spin block_long; do
    "$XVM_KVM" --kernel "$GUESTS/$name.elf" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_until 10 grep -q "^misbehave: $name" "$TMP/out" ||
        fail "$name: no console line"
    sleep 0.2
    kill -TERM "$pid"
    RC=0
    wait "$pid" || RC=$?
    expect "$name, SIGTERM" 4 'guest destroyed (Terminated)'
done

# Two vCPUs (where the host has two CPUs): a misdeed of vCPU 1 crashes
# the whole guest, named; vCPU 0's misdeeds crash it with vCPU 1 asleep;
# SIGTERM ends a guest whose vCPU 1 spins on the CPU (kicked out of
# KVM_RUN by the monitor's signal) and one whose vCPUs both block.
if [ "$(nproc)" -lt 2 ]; then
    echo "skip: two vCPUs: this host has $(nproc) CPU"
    finish
    exit 0
fi
run_guest "$GUESTS/ap_hcall.elf" --vcpus 2
expect "ap_hcall, 2 vCPUs" 2 'guest crashed: vCPU 1: unknown hypercall 99$'
grep -q 'still running' "$TMP/out" && fail "ap_hcall: $(cat "$TMP/out")"
run_guest "$GUESTS/ap_block_forever.elf" --vcpus 2
expect "ap_block_forever, 2 vCPUs" 2 \
    'guest crashed: vCPU 1: block: waits forever, and nothing can wake it'
run_guest "$GUESTS/unknown_hcall.elf" --vcpus 2
expect "unknown_hcall, 2 vCPUs" 2 'guest crashed: vCPU 0: unknown hypercall 99$'
run_guest "$GUESTS/triple_fault.elf" --vcpus 2
expect "triple_fault, 2 vCPUs" 2 'guest crashed: vCPU 0: triple fault'
run_guest "$GUESTS/block_short.elf" --vcpus 2
expect "block_short, 2 vCPUs" 0 'guest stopped: poweroff'
for name in ap_spin block_long; do
    "$XVM_KVM" --kernel "$GUESTS/$name.elf" --vcpus 2 >"$TMP/out" \
        2>"$TMP/err" &
    pid=$!
    wait_until 10 grep -q "^misbehave: $name" "$TMP/out" ||
        fail "$name, 2 vCPUs: no console line"
    [ $name = ap_spin ] && { wait_until 10 grep -q "cpu 1 spins" "$TMP/out" ||
        fail "ap_spin: vCPU 1 did not say it spins"; }
    sleep 0.2
    kill -TERM "$pid"
    RC=0
    wait "$pid" || RC=$?
    expect "$name, 2 vCPUs, SIGTERM" 4 'guest destroyed (Terminated)'
done
finish
