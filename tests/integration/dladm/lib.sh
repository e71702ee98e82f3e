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
    echo "link phys0 class=phys devargs=net_af_packet0,iface=$VETH_SW" \
        >"$TMP/boot.conf"
    [ -n "${1:-}" ] && printf '%s\n' "$@" >>"$TMP/boot.conf"
    vswd_start "$TMP/boot.conf"
}

# What must not change when a command fails.
snapshot() { dl show-vnic -p -o link,over,vid,macaddress; }
