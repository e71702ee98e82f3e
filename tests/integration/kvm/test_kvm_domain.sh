#!/bin/bash
# SPDX-License-Identifier: MIT
# KVM domains run by xvmd (type = "kvm"): minios boots and its console
# reaches the log and `xvm console`; poweroff, crash, reboot and shutdown
# move the domain through the states `xvm list` shows; event channels a
# guest closes go back to xvmd's budget; dominfo names the
# host's KVM; the monitor runs confined; two vCPUs (minios's cpu 1, a
# thread each, dominfo, cpu.max, a crash of vCPU 1); a domain outlives an
# xvmd restart; bad configs are refused with clear words and leave
# nothing.
# Environment from meson: XVMD, XVM, HOSTILE (hostile_lib.sh), XVM_KVM,
# MINIOS, GUESTS (the misbehaving images).
. "$(dirname "$0")/../../lib/common.sh"

mods=$(cd /sys/module && echo $(ls -d kvm* 2>/dev/null))
[ -e /dev/kvm ] ||
    skip "no /dev/kvm on this host (KVM modules loaded: ${mods:-none})"
[ -r /dev/kvm ] && [ -w /dev/kvm ] ||
    skip "/dev/kvm is not readable and writable by uid $(id -u)"
for v in XVM_KVM MINIOS GUESTS; do
    [ -e "${!v:-}" ] || skip "$v not set (run through meson test)"
done

. "$(dirname "$0")/../xvm/hostile_lib.sh"

start_xvmd "" -k "$XVM_KVM"

# The host's KVM as xvm-kvm sees it; on kvm_pvm guests run at CPL 3.
host=unknown
for m in kvm_intel kvm_amd kvm_pvm; do
    [ -d "/sys/module/$m" ] && { host=$m; break; }
done
case $host in kvm_intel|kvm_amd) irq=yes ;; *) irq=no ;; esac
cpl=0; [ "$host" = kvm_pvm ] && cpl=3

# kvm_cfg NAME KERNEL [LINE...]: a kvm domain's config in $T/NAME.cfg.
kvm_cfg() {
    local name=$1 kernel=$2; shift 2
    { printf 'name = "%s"\ntype = "kvm"\nmemory = 16\nkernel = "%s"\n' \
          "$name" "$kernel"
      for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/$name.cfg"
}
# the console log without the pty's carriage returns
log_of() { tr -d '\r' <"$T/state/console/$1.log" 2>/dev/null; }
pid_of() { xvm dominfo "$1" | awk '$1 == "PID:" { print $2 }'; }

# --- minios: its banner in the console log, then it powers off ---------
kvm_cfg hello "$MINIOS"
out=$(xvm create "$T/hello.cfg" 2>&1)
[ "$out" = "Domain 'hello' created from $T/hello.cfg" ] && ok "create" ||
    fail "create: $out"
wait_until 5 sh -c "grep -q 'hello (id [0-9]*): running -> shut off' \
    '$T/xvmd.log'" && ok "minios powered off: running -> shut off" ||
    fail "minios did not power off"
[ "$(state_of hello)" = "shut off" ] && ok "list: hello shut off" ||
    fail "list: hello is '$(state_of hello)'"
# (it reads its home through the relayed xenstore ring: no minios/ip)
# and the monitor's count of what reached it, last
[ "$(log_of hello | head -3)" = "minios: hello (cpl $cpl)
minios: no network configured (minios/ip)
xvm-kvm: domain hello: guest stopped: poweroff" ] &&
    log_of hello | sed -n '4,$p' | grep -qxE "xvm-kvm: domain hello: \
exits [0-9]+: hypercalls [0-9]+ \(sends 0\), doorbells 0" &&
    [ "$(log_of hello | wc -l)" = 4 ] &&
    ok "console log: minios: hello, no network, the monitor's poweroff" ||
    fail "console log: '$(log_of hello)'"
grep -q "domain hello: guest exited with status 0" "$T/xvmd.log" &&
    ok "the monitor's poweroff reached xvmd" || fail "no poweroff in the log"
# started again from its record, it boots again
xvm start hello >/dev/null && wait_until 5 sh -c \
    "[ \$(grep -c '^minios: hello' '$T/state/console/hello.log') = 2 ]" &&
    ok "start: it boots again" || fail "start: $(log_of hello)"

# --- with a vif but no minios/ip it powers off first: create says so, and
# where the guest said why (nothing else is left of it)
kvm_cfg nonet "$MINIOS" 'vif = [ "link=stub0" ]'
out=$(xvm create "$T/nonet.cfg" 2>&1)
[ "$out" = "xvm: domain nonet not created: it stopped before its network \
came up (its console: $T/state/console/nonet.log)" ] &&
    log_of nonet | grep -q "^minios: no network configured (minios/ip)" &&
    ok "create of a guest that stops: its console named" ||
    fail "create nonet: '$out'"
[ -z "$(state_of nonet)" ] && ok "nonet is forgotten" ||
    fail "nonet is '$(state_of nonet)'"

# --- crashes ------------------------------------------------------------
for g in reports_crash triple_fault unknown_hcall; do
    kvm_cfg "c-$g" "$GUESTS/$g.elf"
    xvm create "$T/c-$g.cfg" >/dev/null || fail "create c-$g"
    if wait_until 5 sh -c "[ \"\$(\"$XVM\" -s '$T/xvmd.sock' list --all |
            awk '\$2 == \"c-$g\" { print \$3 }')\" = crashed ]"; then
        ok "$g: crashed"
    else
        fail "$g: '$(state_of "c-$g")', expected crashed"
    fi
    log_of "c-$g" | grep -q "^xvm-kvm: domain c-$g: guest crashed: ..." ||
        fail "$g: the monitor's reason is not in the console log"
    xvm destroy "c-$g" >/dev/null && [ "$(state_of "c-$g")" = "shut off" ] ||
        fail "$g: destroy: '$(state_of "c-$g")'"
done

# --- a live guest: dominfo, console, confinement, pause, shutdown --------
kvm_cfg tick "$GUESTS/tick.elf"
xvm create "$T/tick.cfg" >/dev/null || fail "create tick"
info=$(xvm dominfo tick)
echo "$info" | grep -q "^OS Type: *kvm$" &&
    echo "$info" | grep -q "^Hypervisor: *$host$" &&
    echo "$info" | grep -q "^Interrupts: *$irq" &&
    ok "dominfo: kvm on $host, interrupts $irq" ||
    fail "dominfo: $info"
out=$(timeout 2 "$XVM" -s "$T/xvmd.sock" console tick < <(sleep 5))
echo "$out" | grep -q "misbehave: tick" && ok "xvm console: the guest's lines" ||
    fail "xvm console: '$out'"
pid=$(pid_of tick)
id=$(xvm domid tick)
uid=$((100000 + id * 65536))
why=$(confinement_of "$pid" "$uid") && ok "monitor confined: $why" ||
    fail "monitor not confined: $why"
# its cgroup: the domain's guest/ (with cgroup v2), memory.max its memory
# and 64 MiB for the monitor (with a memory controller)
CG2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
if [ -z "$CG2" ]; then
    echo "(no cgroup v2 here: the monitor's cgroup is not checked)"
elif [[ $cg == /xvnet/state-*/tick/guest ]] && [ -d "$CG2$cg" ]; then
    ok "the monitor runs in the domain's cgroup $cg"
    if [ -f "$CG2$cg/memory.max" ]; then
        [ "$(cat "$CG2$cg/memory.max")" = $(((16 + 64) << 20)) ] &&
            ok "its memory.max: 16 MiB and 64 for the monitor" ||
            fail "its memory.max: $(cat "$CG2$cg/memory.max")"
    fi
else
    fail "the monitor's cgroup is '$cg'"
fi
# its root is empty: no path of dom0's resolves there
[ -z "$(ls -A "/proc/$pid/root/")" ] && ok "the monitor's root is empty" ||
    fail "the monitor's root holds: $(ls -A "/proc/$pid/root/")"
links=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "/proc/$pid/net/dev")
[ "$links" = lo ] && ok "the monitor's network namespace has only lo" ||
    fail "the monitor's network namespace has: $links"
# what it holds: its own domain's things only, no path of dom0's
held=$(for f in /proc/$pid/fd/*; do readlink "$f"; done | sort -u)
if echo "$held" | grep -qE "^/(etc|run|var|tmp|home|root|usr)|\.sock"; then
    fail "the monitor holds dom0's files: $held"
else
    ok "the monitor holds no file of dom0's:" $held
fi
xvm pause tick >/dev/null && [ "$(state_of tick)" = paused ] &&
    [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = T ] &&
    ok "pause: the monitor stopped" || fail "pause: '$(state_of tick)'"
n1=$(log_of tick | wc -l); sleep 0.5; n2=$(log_of tick | wc -l)
[ "$n1" = "$n2" ] && ok "paused: no console output" ||
    fail "paused, yet $n1 -> $n2 lines"
xvm resume tick >/dev/null && [ "$(state_of tick)" = running ] &&
    wait_until 3 sh -c "[ \$(wc -l < '$T/state/console/tick.log') -gt $n2 ]" &&
    ok "resume: it ticks again" || fail "resume"
xvm shutdown tick >/dev/null
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" &&
    [ "$(state_of tick)" = "shut off" ] && ok "shutdown: shut off" ||
    fail "shutdown: '$(state_of tick)'"
[ -z "$CG2" ] || [ ! -d "$CG2${cg%/guest}" ] &&
    ok "shutdown removes the domain's cgroup" ||
    fail "shutdown left $CG2${cg%/guest}"
# tick never reads control/shutdown: asked first, stopped after the grace
grep -q "domain tick: asked to poweroff (control/shutdown)" "$T/xvmd.log" &&
    grep -q "domain tick: did not shut down within 1000 ms of control/shutdown, stopping it" \
        "$T/xvmd.log" && ! grep -q "domain tick: no shutdown after" "$T/xvmd.log" &&
    ok "shutdown: control/shutdown ignored, stopped by the monitor after -t" ||
    fail "shutdown fallback: $(grep 'domain tick' "$T/xvmd.log" | tail -3)"

# --- two vCPUs: minios brings vCPU 1 up, a live guest's monitor has a
# thread per vCPU and stays confined, its cpu.max is two CPUs', destroy
# ends it; a misdeed of vCPU 1 crashes the domain -------------------------
if [ "$(nproc)" -lt 2 ]; then
    echo "(this host has one CPU: two vCPUs are not checked)"
else
    kvm_cfg smp "$MINIOS" "vcpus = 2"
    xvm create "$T/smp.cfg" >/dev/null || fail "create smp"
    wait_until 5 sh -c "grep -q 'smp (id [0-9]*): running -> shut off' \
        '$T/xvmd.log'" && [ "$(log_of smp | head -3)" = "minios: hello (cpl $cpl)
minios: cpu 1 up
minios: no network configured (minios/ip)" ] &&
        ok "minios, 2 vCPUs: hello, cpu 1 up, powered off" ||
        fail "minios, 2 vCPUs: '$(state_of smp)': $(log_of smp)"
    xvm destroy smp >/dev/null 2>&1
    kvm_cfg tick2cpu "$GUESTS/tick.elf" "vcpus = 2"
    xvm create "$T/tick2cpu.cfg" >/dev/null || fail "create tick2cpu"
    pid=$(pid_of tick2cpu)
    id=$(xvm domid tick2cpu)
    xvm dominfo tick2cpu | grep -q "^CPU(s): *2$" && ok "dominfo: CPU(s): 2" ||
        fail "dominfo: $(xvm dominfo tick2cpu)"
    # (KVM's own worker, kvm-nx-lpage-recovery, may be a task too)
    wait_until 3 sh -c "[ \$(grep -lx xvm-kvm /proc/$pid/task/*/comm |
        wc -l) = 2 ]" && ok "the monitor runs a thread per vCPU" ||
        fail "the monitor's threads: $(cat /proc/$pid/task/*/comm)"
    why=$(confinement_of "$pid" $((100000 + id * 65536))) &&
        ok "2 vCPUs: monitor confined: $why" ||
        fail "2 vCPUs: monitor not confined: $why"
    for t in $(grep -lx xvm-kvm /proc/$pid/task/*/comm); do
        [ "$(awk '$1 == "Seccomp:" { print $2 }' "${t%comm}status")" = 2 ] ||
            fail "thread $t has no seccomp filter"
    done
    cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
    if [ -n "$CG2" ] && [ -f "$CG2${cg%/guest}/cpu.max" ]; then
        [ "$(cat "$CG2${cg%/guest}/cpu.max")" = "200000 100000" ] &&
            ok "cpu.max: two CPUs" ||
            fail "cpu.max: $(cat "$CG2${cg%/guest}/cpu.max")"
    fi
    # pause stops both vCPUs, resume lets them go on (SIGSTOP and SIGCONT
    # are no kick: the vCPUs go round their loops)
    xvm pause tick2cpu >/dev/null && sleep 0.2
    n1=$(log_of tick2cpu | wc -l); sleep 0.5; n2=$(log_of tick2cpu | wc -l)
    [ "$(state_of tick2cpu)" = paused ] && [ "$n1" = "$n2" ] &&
        ok "2 vCPUs: pause: no console output" ||
        fail "2 vCPUs: pause: '$(state_of tick2cpu)', $n1 -> $n2 lines"
    xvm resume tick2cpu >/dev/null && wait_until 3 sh -c \
        "[ \$(wc -l < '$T/state/console/tick2cpu.log') -gt $n2 ]" &&
        [ "$(grep -lx xvm-kvm /proc/$pid/task/*/comm | wc -l)" = 2 ] &&
        ok "2 vCPUs: resume: it ticks again, both threads there" ||
        fail "2 vCPUs: resume"
    # it ignores control/shutdown: SIGTERM after the grace period kicks
    # both vCPUs (the confined monitor signals its other thread)
    xvm shutdown tick2cpu >/dev/null
    wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" &&
        [ "$(state_of tick2cpu)" = "shut off" ] &&
        log_of tick2cpu | grep -q "guest destroyed (Terminated)" &&
        ok "2 vCPUs: shutdown stops both, the monitor gone" ||
        fail "2 vCPUs: shutdown: '$(state_of tick2cpu)' $(log_of tick2cpu | tail -2)"
    xvm destroy tick2cpu >/dev/null 2>&1
    kvm_cfg aphcall "$GUESTS/ap_hcall.elf" "vcpus = 2"
    xvm create "$T/aphcall.cfg" >/dev/null || fail "create aphcall"
    wait_until 5 sh -c "[ \"\$(\"$XVM\" -s '$T/xvmd.sock' list --all |
            awk '\$2 == \"aphcall\" { print \$3 }')\" = crashed ]" &&
        log_of aphcall | grep -q "^xvm-kvm: domain aphcall: guest crashed: vCPU 1: unknown hypercall 99" &&
        ok "a misdeed of vCPU 1: crashed, named" ||
        fail "aphcall: '$(state_of aphcall)': $(log_of aphcall)"
    xvm destroy aphcall >/dev/null 2>&1
fi

# --- ports closed go back to xvmd: 200 allocated and closed, over the 63
# a domain may hold, and none refused ------------------------------------
kvm_cfg churn "$GUESTS/evtchn_churn.elf"
xvm create "$T/churn.cfg" >/dev/null || fail "create churn"
wait_until 10 sh -c "grep -q 'churn (id [0-9]*): running -> shut off' \
    '$T/xvmd.log'" || fail "churn did not power off"
log_of churn | grep -qx "misbehave: churn 200" &&
    ok "event channels: 200 allocated and closed, each given back to xvmd" ||
    fail "event channels: '$(log_of churn | grep churn)'"

# --- reboot: started again, and a reboot loop ends as crashed ------------
kvm_cfg reboot "$GUESTS/reboot.elf"
xvm create "$T/reboot.cfg" >/dev/null || fail "create reboot"
wait_until 10 sh -c "grep -q 'domain reboot: more than 10 reboots' \
    '$T/xvmd.log'" && [ "$(state_of reboot)" = crashed ] &&
    ok "reboot: restarted $(grep -c 'reboot (id [0-9]*): shut off -> running' \
        "$T/xvmd.log") times, then crashed as a loop" ||
    fail "reboot: '$(state_of reboot)'"
[ "$(grep -c "domain reboot: the guest asked for a reboot" "$T/xvmd.log")" \
    -ge 2 ] || fail "reboot: not restarted"
xvm destroy reboot >/dev/null

# --- xvmd restart: the domain is taken over --------------------------------
# (with two vCPUs where the host has two CPUs: the adopted monitor's
# threads run on)
kvm_cfg tick2 "$GUESTS/tick.elf" "vcpus = $(( $(nproc) >= 2 ? 2 : 1 ))"
xvm create "$T/tick2.cfg" >/dev/null || fail "create tick2"
kvm_cfg late "$GUESTS/late_off.elf"   # powers off 3 s after its start
xvm create "$T/late.cfg" >/dev/null || fail "create late"
pid=$(pid_of tick2)
kill "$XVMD_PID"; wait "$XVMD_PID"
kill -0 "$pid" 2>/dev/null && ok "xvmd stopped: the guest runs on" ||
    fail "the guest died with xvmd"
start_xvmd "" -k "$XVM_KVM"
[ "$(state_of tick2)" = running ] && [ "$(pid_of tick2)" = "$pid" ] &&
    grep -q "domain tick2 (id [0-9]*): adopted, running" "$T/xvmd.log" &&
    ok "xvmd restarted: tick2 adopted" || fail "not adopted: '$(state_of tick2)'"
# the adopted guest that powers off: told by the monitor, not crashed
wait_until 8 sh -c "grep -q 'domain late: guest (pid [0-9]*, adopted) exited$' \
    '$T/xvmd.log'" && [ "$(state_of late)" = "shut off" ] &&
    ok "an adopted guest powers off: shut off" ||
    fail "adopted poweroff: '$(state_of late)'; $(grep 'domain late' "$T/xvmd.log" | tail -2)"
n1=$(log_of tick2 | wc -l)
wait_until 3 sh -c "[ \$(wc -l < '$T/state/console/tick2.log') -gt $n1 ]" &&
    ok "its console is logged again" || fail "the console log stopped"
xvm destroy tick2 >/dev/null
wait_until 3 sh -c "! kill -0 $pid 2>/dev/null" &&
    [ "$(state_of tick2)" = "shut off" ] && ok "destroy after adoption" ||
    fail "destroy after adoption: '$(state_of tick2)'"

# --- bad configs: refused with clear words, nothing left behind -------------
# bad NAME EXPECTED-MESSAGE: `xvm create $T/NAME.cfg` fails so.
bad() {
    local out rc=0
    out=$(xvm create "$T/$1.cfg" 2>&1) || rc=$?
    if [ $rc -ne 1 ] || [ "$out" != "$2" ]; then
        fail "$1: exit $rc, '$out'"; return
    fi
    if xvm list --all | awk '{ print $2 }' | grep -qx "$1" ||
       [ -e "$T/state/domains/$1.cfg" ] || [ -e "$T/state/console/$1.log" ] ||
       [ -e "$T/state/running/$1" ]; then
        fail "$1: refused, but left something behind"; return
    fi
    ok "refused: $out"
}
printf 'name = "nokernel"\ntype = "kvm"\n' >"$T/nokernel.cfg"
bad nokernel "xvm: $T/nokernel.cfg:3: kernel: required key missing: a kvm domain boots the kernel it names"
kvm_cfg missing "$T/no-such-kernel.elf"
bad missing "xvm: domain missing: kernel $T/no-such-kernel.elf: No such file or directory"
kvm_cfg notelf /etc/passwd
bad notelf "xvm: domain notelf: kernel /etc/passwd: refused: not an ELF file"
kvm_cfg dir /tmp
bad dir "xvm: domain dir: kernel /tmp: refused: not a regular file"
max=$(( $(nproc) < 8 ? $(nproc) : 8 ))
kvm_cfg manycpus "$MINIOS" "vcpus = $((max + 1))"
bad manycpus "xvm: domain manycpus: vcpus = $((max + 1)): a kvm domain has at most $max here (8, and no more than this host's CPUs)"
kvm_cfg xsctl "$MINIOS" 'xenstore = [ "control/shutdown=poweroff" ]'
bad xsctl "xvm: $T/xsctl.cfg:5: xenstore: \"control/shutdown\": under a directory xvmd or the devices own"
printf 'name = "rel"\ntype = "kvm"\nkernel = "minios.elf"\n' >"$T/rel.cfg"
bad rel "xvm: $T/rel.cfg:3: kernel: \"minios.elf\": expected an absolute path"
printf 'name = "prock"\nkernel = "/x.elf"\n' >"$T/prock.cfg"
bad prock "xvm: $T/prock.cfg:2: kernel: only a kvm domain has a kernel (type = \"kvm\")"
printf 'name = "kinit"\ntype = "kvm"\nkernel = "%s"\ninit = "/bin/true"\n' \
    "$MINIOS" >"$T/kinit.cfg"
bad kinit "xvm: $T/kinit.cfg:4: init: only a process domain has an init command"
# an image the loader refuses, named by its program header
python3 - "$MINIOS" "$T/overlap.elf" <<'EOF'
import struct, sys
img = bytearray(open(sys.argv[1], 'rb').read())
phoff, = struct.unpack_from('<Q', img, 32)
phentsize, phnum = struct.unpack_from('<HH', img, 54)
loads = [phoff + i * phentsize for i in range(phnum)
         if struct.unpack_from('<I', img, phoff + i * phentsize)[0] == 1]
# the second PT_LOAD starts where the first does: they overlap
first, second = loads[0], loads[1]
for off in (16, 24):  # p_vaddr, p_paddr
    struct.pack_into('<Q', img, second + off,
                     struct.unpack_from('<Q', img, first + off)[0])
open(sys.argv[2], 'wb').write(img)
EOF
kvm_cfg overlap "$T/overlap.elf"
out=$(xvm create "$T/overlap.cfg" 2>&1)
echo "$out" | grep -qE "^xvm: domain overlap: kernel $T/overlap.elf: refused: program header [0-9]+: " &&
    [ ! -e "$T/state/domains/overlap.cfg" ] && ok "refused: $out" ||
    fail "overlap: '$out'"
[ -z "$(ls "$T/state/running" 2>/dev/null)" ] &&
    ok "no run record left" || fail "run records left: $(ls "$T/state/running")"

finish
