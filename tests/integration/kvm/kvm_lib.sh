# SPDX-License-Identifier: MIT
# The fixture of the KVM tests (sourced): XVM_KVM, MINIOS and GUESTS from
# meson, the skip when /dev/kvm cannot be used, and one check helper.
set -u
. "$(dirname "$0")/../../lib/common.sh"

FAILS=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# Skip (77), saying why, unless this host can run KVM guests.
need_kvm() {
    local mods
    mods=$(cd /sys/module && echo $(ls -d kvm* 2>/dev/null))
    [ -e /dev/kvm ] ||
        skip "no /dev/kvm on this host (KVM modules loaded: ${mods:-none})"
    [ -r /dev/kvm ] && [ -w /dev/kvm ] ||
        skip "/dev/kvm is not readable and writable by uid $(id -u)"
}

# The privilege level xvm-kvm starts guests at here (kvm/abi.h): 3 where
# the host's KVM is kvm_pvm (xkvm_host_kind() looks in the same order).
host_cpl() {
    if [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] ||
        [ ! -d /sys/module/kvm_pvm ]; then
        echo 0
    else
        echo 3
    fi
}

# run_guest IMAGE [ARGS...]: runs xvm-kvm, leaving $TMP/out, $TMP/err, $RC.
run_guest() {
    local img=$1; shift
    RC=0
    timeout 30 "$XVM_KVM" --kernel "$img" "$@" >"$TMP/out" 2>"$TMP/err" ||
        RC=$?
}

# expect WHAT RC STDERR-PATTERN: the last run_guest exited RC and said it.
expect() {
    if [ "$RC" -ne "$2" ]; then
        fail "$1: exit $RC, expected $2; stderr: $(cat "$TMP/err")"
    elif ! grep -q -- "$3" "$TMP/err"; then
        fail "$1: stderr does not say '$3': $(cat "$TMP/err")"
    else
        echo "ok   $1: $(head -1 "$TMP/err")"
    fi
}

finish() {
    [ "$FAILS" -eq 0 ] || { echo "$FAILS failed"; exit 1; }
    echo "all passed"
}
