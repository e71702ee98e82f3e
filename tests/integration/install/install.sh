#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make install` (meson install) into a DESTDIR: every program, the man
# pages, the systemd units and the default configuration land there; every
# installed program answers --version; the units pass systemd-analyze
# verify (with their paths pointed into the DESTDIR); the sysusers.d file
# names the group xvnet, which the install script creates when it is
# missing (tried under an overlay of /etc in a private mount namespace,
# so the host's groups are never touched) and not into a DESTDIR.
#
# usage: install.sh BUILD_DIR
. "$(dirname "$0")/../../lib/common.sh"

BUILD=$1
T=$(mktemp -d /tmp/xvnet-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

meson install -C "$BUILD" --destdir "$T/root" --no-rebuild --quiet \
    >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "meson install"; }
prefix=$(meson introspect "$BUILD" --buildoptions |
    python3 -c "import json,sys
print([o['value'] for o in json.load(sys.stdin) if o['name'] == 'prefix'][0])")
R="$T/root$prefix"
for p in sbin/xvmd sbin/xvm sbin/xenstored sbin/vswitchd sbin/vswctl \
         sbin/dladm sbin/snoop libexec/xvm-procdom libexec/xvm-kvm; do
    out=$("$R/$p" --version 2>&1); rc=$?
    if [ $rc = 0 ] && [[ "$out" =~ ^$(basename "$p")\ \(xvnet\)\ [0-9]+\.[0-9]+ ]]; then
        ok "$p --version: $out"
    else fail "$p --version: exit $rc, '$out'"; fi
done
for m in man8/dladm.8 man8/snoop.8 man8/xvm.8 man8/xvmd.8 man8/vswitchd.8 \
         man8/xvm-kvm.8 man8/vswctl.8 man8/xenstored.8 man5/xvm.cfg.5; do
    [ -f "$R/share/man/$m" ] && ok "man page $m" || fail "no man page $m"
    man -l "$R/share/man/$m" >/dev/null 2>"$T/man.err" && [ ! -s "$T/man.err" ] ||
        fail "$m does not render: $(head -2 "$T/man.err")"
done
# xvm-kvm's --help and its man page's synopsis name the same options
opts_help=$("$R/libexec/xvm-kvm" --help | grep -o -- '--[a-z-]*' | sort -u)
opts_man=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' \
    "$R/share/man/man8/xvm-kvm.8" | sed 's/\\f[BIR]//g' |
    grep -o -- '--[a-z-]*' | sort -u)
[ -n "$opts_help" ] && [ "$opts_help" = "$opts_man" ] &&
    ok "xvm-kvm --help and xvm-kvm(8) agree:" $opts_help ||
    fail "xvm-kvm --help: $(echo $opts_help); xvm-kvm(8): $(echo $opts_man)"
# The guest kernel for KVM domains, where xvm.cfg(5) says it is; it boots
# under the installed monitor where this host has KVM.
if [ -f "$R/share/xvnet/minios.elf" ]; then
    ok "guest kernel share/xvnet/minios.elf"
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        out=$(timeout 20 "$R/libexec/xvm-kvm" --kernel \
            "$R/share/xvnet/minios.elf" 2>&1)
        [[ "$out" == *"minios: hello"* ]] &&
            ok "installed minios boots under the installed xvm-kvm" ||
            fail "installed minios under xvm-kvm: $out"
    else
        echo "note: no usable /dev/kvm: the installed minios is not booted"
    fi
else fail "no $prefix/share/xvnet/minios.elf"; fi
for f in datalink.conf vswitchd.env xvmd.env; do
    [ -f "$R/etc/xvnet/$f" ] && ok "configuration $f" || fail "no $prefix/etc/xvnet/$f"
done
if grep -qx 'g xvnet - -' "$R/lib/sysusers.d/xvnet.conf" 2>/dev/null; then
    ok "sysusers.d/xvnet.conf names the group xvnet"
else fail "no group xvnet in $prefix/lib/sysusers.d/xvnet.conf"; fi
SRC=$(dirname "$0")/../../../dist/install-group.sh
if [ "$(id -u)" != 0 ] || ! command -v groupadd >/dev/null; then
    echo "note: not root or no groupadd: the creation of the group is not tried"
else
    mkdir -p "$T/etc-up" "$T/etc-work"
    out=$(unshare -m sh -c 'mount --make-rprivate / &&
        mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc ||
        exit 77
        getent group xvnet >/dev/null && groupdel xvnet
        DESTDIR=/x MESON_INSTALL_DESTDIR_PREFIX="$3" "$4" || exit 1
        getent group xvnet >/dev/null && { echo "made into a DESTDIR"; exit 1; }
        MESON_INSTALL_DESTDIR_PREFIX="$3" "$4" || exit 1
        getent group xvnet >/dev/null || { echo "not made"; exit 1; }
        MESON_INSTALL_DESTDIR_PREFIX="$3" "$4" || { echo "second run failed"; exit 1; }' \
        sh "$T/etc-up" "$T/etc-work" "$R" "$SRC" 2>&1)
    case $? in
    0) ok "install-group.sh makes the group xvnet once, not into a DESTDIR" ;;
    77) echo "note: no overlay over /etc here: the creation of the group is not tried" ;;
    *) fail "install-group.sh: $out" ;;
    esac
fi
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$T/units"
    for u in xenstored.service xvmd.service vswitchd.service; do
        [ -f "$R/lib/systemd/system/$u" ] || { fail "no unit $u"; continue; }
        sed "s|$prefix/|$R/|g" "$R/lib/systemd/system/$u" >"$T/units/$u"
    done
    if (cd "$T/units" && systemd-analyze verify --man=no ./xenstored.service \
            ./xvmd.service ./vswitchd.service) >"$T/verify.log" 2>&1 &&
            [ ! -s "$T/verify.log" ]; then
        ok "systemd-analyze verify: the three units"
    else fail "systemd-analyze verify: $(cat "$T/verify.log")"; fi
else
    echo "note: systemd-analyze not installed: the units are not verified"
fi
# Each daemon runs with no more than its unit's CapabilityBoundingSet:
# the installed xenstored, xvmd and vswitchd, each under setpriv with that
# bounding set, serve sockets of a group (nogroup: a chown), and a process
# domain with a vif on an etherstub comes up through them.
# caps UNIT: the unit's bounding set, as setpriv --bounding-set wants it.
caps() {
    local c
    c=$(sed -n 's/^CapabilityBoundingSet=//p' "$R/lib/systemd/system/$1" |
        tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_//p' | paste -sd, | sed 's/,/,+/g')
    echo "-all${c:+,+$c}"
}
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
        ! getent group nogroup >/dev/null || [ ! -c /dev/net/tun ]; then
    echo "note: not root, no setpriv, no group nogroup or no /dev/net/tun: the units' capabilities are not tried"
else
    D=$T/caps
    mkdir -p "$D/state"
    pids=
    confined() { # UNIT LOG PROGRAM ARG...: start PROGRAM under UNIT's set
        local unit=$1 log=$2; shift 2
        setpriv --bounding-set "$(caps "$unit")" "$@" >"$D/$log" 2>&1 &
        pids="$! $pids"
    }
    confined_down() {
        XVNET_RUNDIR=$D "$R/sbin/xvm" destroy capdom >/dev/null 2>&1
        for p in $pids; do pid_stop "$p"; done
        pids=
        xenstored_stop "$D" # one xvmd made, had the confined one died
    }
    trap 'confined_down; rm -rf "$T"' EXIT
    export XVNET_RUNDIR=$D
    confined xenstored.service xs.log "$R/sbin/xenstored" -f -s "$D/xenstored.sock"
    xs=$!
    wait_until 10 test -S "$D/xenstored.sock" ||
        fail "xenstored under its unit's capabilities: no socket: $(tail -3 "$D/xs.log")"
    confined xvmd.service xvmd.log "$R/sbin/xvmd" -s "$D/xvmd.sock" \
        -x "$D/xenstored.sock" -d "$D/state" -n "$D/netns" -G nogroup
    wait_until 10 test -S "$D/xvmd.sock" ||
        fail "xvmd under its unit's capabilities: no socket: $(tail -3 "$D/xvmd.log")"
    confined vswitchd.service vsw.log "$R/sbin/vswitchd" -S "$D/state" \
        -s "$D/vswitchd.sock" -x "$D/xenstored.sock" -X "$D/xvmd.sock" \
        -F "xvcaps$$" -G nogroup -m 128
    wait_until 30 test -S "$D/vswitchd.sock" ||
        fail "vswitchd under its unit's capabilities: no socket: $(tail -3 "$D/vsw.log")"
    for d in xvmd vswitchd; do
        g=$(stat -c %G "$D/$d.sock" 2>/dev/null)
        [ "$g" = nogroup ] && ok "$d under its unit's capabilities serves group nogroup" ||
            fail "$d under its unit's capabilities: socket group '$g': $(tail -3 "$D/$d.log")"
    done
    printf 'name = "capdom"\nmemory = 16\nvif = [ "link=capstub0" ]\n' >"$D/capdom.cfg"
    # xvm create returns once every vif is connected, or fails.
    if "$R/sbin/dladm" create-etherstub -t capstub0 &&
            "$R/sbin/xvm" create "$D/capdom.cfg" >"$D/create.log" 2>&1; then
        ok "a process domain's vif connects through the confined daemons"
    else
        fail "domain under the confined daemons: $(cat "$D/create.log"; tail -3 "$D/xvmd.log" "$D/vsw.log")"
    fi
    # The xenstored the domain used is the confined one, still running.
    kill -0 "$xs" 2>/dev/null && [ ! -e "$D/xenstored.pid" ] &&
        ok "xenstored under its unit's capabilities served them" ||
        fail "xenstored under its unit's capabilities is not the one serving: $(tail -3 "$D/xs.log")"
    confined_down
    trap 'rm -rf "$T"' EXIT
    unset XVNET_RUNDIR
fi
# The installed programs run the demo (xvmd finds its xenstored and
# xvm-procdom beside it in the installed tree).
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
    echo "note: the demo needs root and /dev/net/tun: not run from the install"
else
    "$(dirname "$0")/../../../scripts/demo.sh" "$R" >"$T/demo.log" 2>&1
    rc=$?
    if [ $rc = 0 ] && grep -q "Done: everything is cleaned up." "$T/demo.log" &&
        grep -q "every vif connected\|Domain 'web1' created" "$T/demo.log"; then
        ok "the installed programs run the demo"
    else
        fail "the demo with the installed programs: status $rc: $(tail -15 "$T/demo.log")"
    fi
fi
echo "$fails failure(s)"
[ $fails = 0 ]
