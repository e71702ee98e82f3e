# SPDX-License-Identifier: MIT
# Shared by the dladm integration tests (sourced): the vswitch tests'
# topology (../vswitch/lib.sh: an outside-world namespace, a veth whose
# switch end is phys0, private state dir and socket, cleanup on exit),
# plus dladm pointed at that vswitchd.
. "$(dirname "$0")/../../lib/switch.sh"

EXPECTED="$(dirname "$0")/expected"

dl_require() {
    [ -x "${DLADM:-}" ] || skip "DLADM not set (run through meson test)"
    require "$@"
}

dl() { "$DLADM" "$@"; } # vswitchd's socket: $XVNET_RUNDIR (switch.sh)

# The boot configuration: phys0 on the veth.
dl_start() {
    outside_up
    phys_conf "$TMP/boot.conf" "$@"
    vswd_start "$TMP/boot.conf"
}

# What must not change when a command fails.
snapshot() { dl show-vnic -p -o link,over,vid,macaddress; }

# dl_refused MESSAGE ARGS...: `dladm ARGS` (DL_AS: as that user, through
# dl_as) exits 1 and says exactly MESSAGE on stderr; else a failure.
# @return 0 if so.
dl_refused() {
    local want="$1" out rc
    shift
    if [ -n "${DL_AS:-}" ]; then
        out=$(dl_as "$DL_AS" "$@" 2>&1 >/dev/null)
    else
        out=$(dl "$@" 2>&1 >/dev/null)
    fi
    rc=$?
    [ "$rc" = 1 ] && [ "$out" = "$want" ] && return 0
    fail "dladm $*: exit status $rc, said '$out' (want 1, '$want')"
    return 1
}

# vswitchd lists every host NIC as a phys link of its own name, and they
# come and go with whatever else runs on this machine: ours keeps only the
# lines (human or parsable) of the links these tests make, and headers.
OWN_LINKS='LINK|phys0|t?stub[0-9]+|t?vnic[0-9]+|old2|xvm[0-9]+_[0-9]+'
ours() { grep -E "^($OWN_LINKS)([ :]|\$)"; }
