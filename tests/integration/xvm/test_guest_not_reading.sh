#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A guest that never reads its guest-channel replies must not freeze xvmd:
# while it floods, `xvm list` and xenstore answer other clients within
# 2 s, and the guest ends up crashed with a log line naming it and why.
. "$(dirname "$0")/hostile_lib.sh"

command -v xenstore-read >/dev/null || skip "xenstore-read not installed"
export XENSTORED_PATH=$T/xs.sock
start_xvmd
guest_create calm1 || fail "create calm1"
guest_create mute1 || fail "create mute1"
for i in 1 2 3 4 5; do
    timed 2 xvm list || fail "xvm list $i answered within 2 s"
    timed 2 xenstore-read /local/domain/1/name ||
        fail "xenstore read $i answered within 2 s"
    sleep 0.2
done
ok "xvm list and xenstore answer while the guest floods"
if wait_until 5 eval '[ "$(state_of mute1)" = crashed ]'; then
    ok "the non-reading guest is crashed"
else
    fail "mute1 is '$(state_of mute1)', wanted crashed"
fi
if grep -q "domain mute1 (id [0-9]*): crashing it: it does not read" \
        "$T/xvmd.log"; then
    ok "the crash is logged with the domain and the reason"
else
    fail "no log line for the crash"
fi
[ "$(state_of calm1)" = running ] && ok "the other guest runs" ||
    fail "calm1 is '$(state_of calm1)'"
finish
