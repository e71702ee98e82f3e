#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest's home in the xenstore is dom0's, as libxl makes it: the guest
# reads it, but cannot remove it (a removal takes the whole subtree,
# dom0's name, domid and vm keys with it) nor change those keys; it
# writes only where a guest writes (error, data, control, device).  The
# hostile guest "xs1" tries each on its own xenstore connection.
. "$(dirname "$0")/hostile_lib.sh"

command -v xenstore-read >/dev/null || skip "xenstore-read not installed"
export XENSTORED_PATH=$T/xs.sock
start_xvmd
guest_create xs1 || fail "create xs1"
wait_until 10 test -s "$T/xs1" || fail "xs1 did not report"
got=$(cat "$T/xs1")
echo "  xs1: $got"
# EACCES (13) for what is dom0's, 0 for the guest's own directories
want="rm_home=13 rm_name=13 write_name=13 write_home=13 write_error=0 write_data=0 ack_shutdown=0"
[ "$got" = "$want" ] && ok "the guest writes only its own directories" ||
    fail "xs1 got '$got', want '$want'"
id=$(xvm domid xs1)
[ "$(xenstore-read "/local/domain/$id/name")" = xs1 ] &&
    ok "its name is still there for dom0" || fail "/local/domain/$id/name"
finish
