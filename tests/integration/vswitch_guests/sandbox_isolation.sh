#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What runs in a process domain (`xvm exec`) is sandboxed: root inside is
# an unprivileged uid outside (100000 + id*65536); it cannot read
# /etc/shadow or /etc/gshadow, reach xvmd's, xenstored's or vswitchd's
# sockets or state (all under $T here, and /run/xvnet), write a host
# path, see or signal a process outside its domain (xvm-procdom, another
# domain), or find any domain's memory memfd in its /proc; it runs with
# no_new_privs and a seccomp filter that refuses a new user namespace;
# its host name is the domain's.  Its own network still works (ping, ip)
# and the system's tools run.
. "$(dirname "$0")/../../lib/guests.sh" ps unshare tcpdump iperf3

start_xvmd
start_vswd
ctl link-create stub0 etherstub || die "link stub0"
a=$(create_guest sa "link=stub0,mac=02:08:20:38:00:01") || exit 1
b=$(create_guest sb "link=stub0,mac=02:08:20:38:00:02") || exit 1
wait_connected "$a" "$b" || exit 1
pd_a=$(xvm dominfo sa | sed -n 's/^PID: *//p')
pd_b=$(xvm dominfo sb | sed -n 's/^PID: *//p')
in_a() { xvm exec sa "$@" 2>/dev/null; }
refused() { # refused DESCRIPTION COMMAND...: COMMAND fails in sa
    if in_a "$@" >/dev/null; then fail "$1"; else ok "$1"; fi
}

# --- who root in the domain is ------------------------------------------
expect "id -u inside is 0" 0 "$(in_a id -u)"
"$XVM" -s "$T/xvmd.sock" exec sa sleep 30 &
x=$!
child_comm() { local c; c=$(cat "/proc/$x/task/$x/children" 2>/dev/null)
               cat "/proc/${c% }/comm" 2>/dev/null; }
wait_until 5 eval '[ "$(child_comm)" = sleep ]' || fail "no sleep in sa"
c=$(cat "/proc/$x/task/$x/children")
c=${c% }
why=$(confinement_of "$c" "$((100000 + a * 65536))") &&
    ok "seen from the host, confined: $why" || fail "not confined: $why"
kill "$c"; wait "$x" 2>/dev/null
expect "no_new_privs and a seccomp filter" "1 2" \
    "$(in_a awk '/^(NoNewPrivs|Seccomp):/ {printf "%s%s", s, $2; s=" "}' /proc/self/status)"
expect "host name is the domain's" sa "$(in_a uname -n)"

# --- files ---------------------------------------------------------------
refused "/etc/shadow not readable" cat /etc/shadow
refused "/etc/gshadow not readable" cat /etc/gshadow
refused "/etc/shadow not readable after an umount" \
    sh -c 'umount /etc/shadow; cat /etc/shadow'
refused "xvmd's and xenstored's sockets and state not reachable" \
    sh -c "ls '$T' || test -e '$T/xvmd.sock' || test -e '$XENSTORED_PATH'"
refused "/run/xvnet not reachable" test -e /run/xvnet
refused "/var/lib/xvnet not reachable" test -e /var/lib/xvnet
refused "cannot write /usr" touch "/usr/xvnet-probe-$ID"
refused "cannot write /etc" sh -c "echo x >/etc/xvnet-probe-$ID"
[ ! -e "/usr/xvnet-probe-$ID" ] && [ ! -e "/etc/xvnet-probe-$ID" ] &&
    ok "no host file written" || fail "a host file was written"
in_a sh -c 'echo x >/tmp/probe && cat /tmp/probe' | grep -qx x &&
    ok "its own /tmp is writable" || fail "/tmp not writable"

# --- processes -------------------------------------------------------------
expect "ps shows only the domain's processes" "xvm-init ps" \
    "$(in_a ps -e -o comm= | tr '\n' ' ' | sed 's/ $//')"
refused "xvm-procdom of its domain cannot be signalled" kill -0 "$pd_a"
refused "another domain's xvm-procdom has no /proc entry" ls "/proc/$pd_b/fd"
expect "no domain memory memfd in its /proc" 0 \
    "$(in_a sh -c 'ls -l /proc/[0-9]*/fd/ 2>/dev/null
                   cat /proc/[0-9]*/maps 2>/dev/null' | grep -c xvm-mem)"
refused "no new user namespace inside" unshare -U true
refused "no new mount inside" mount -t tmpfs xvnet-probe /mnt

# --- its network and the tools work -----------------------------------------
guest_ip sa 10.84.0.1/24
guest_ip sb 10.84.0.2/24
ping_ok sa 10.84.0.2 && ok "ping works inside (raw sockets in its netns)" ||
    fail "sa cannot ping sb"
in_a tcpdump --version >/dev/null && ok "tcpdump runs" || fail "tcpdump"
in_a iperf3 --version >/dev/null && ok "iperf3 runs" || fail "iperf3"
finish
