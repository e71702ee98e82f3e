#!/bin/bash
# SPDX-License-Identifier: MIT
# Guests that misbehave (misbehave.c) are stopped as crashed (exit 2) with a
# message saying what they did, after their console worked; the monitor
# itself is fine (it reports, exits, never dies of a signal).  The reboot
# and short-block guests cover the calls minios does not make; a guest
# spinning in KVM_RUN and one blocked in a hypercall end at SIGTERM.
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
    "hlt:hlt with nothing to wake it"
    "block_forever:block: waits forever"
    "gnttab_on_boot:grant table: frames 0x12 +1 are not guest RAM the guest may use"
    "shared_outside:shared page: frame 0x1000 is not guest RAM the guest may use (16 MiB)"
    "evtchn_not_held:event channel send: port 2 is not one the guest holds"
)
for c in "${crashes[@]}"; do
    name=${c%%:*}
    run_guest "$GUESTS/$name.elf"
    expect "$name" 2 "guest crashed: ${c#*:}"
    [ "$(head -1 "$TMP/out")" = "misbehave: $name" ] ||
        fail "$name: console before the misdeed: '$(cat "$TMP/out")'"
    grep -q 'still running' "$TMP/out" && fail "$name: went on after it"
done

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
finish
