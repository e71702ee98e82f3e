#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Read-only access for xvmd's group (xvmd -G), as vswitchd has it: the
# socket is root:GROUP, mode 0660; a uid that is not root but has GROUP
# sees with `xvm list`, `dominfo` and `domiflist` what root sees, while
# every command that would change something, or hand out a domain's
# console, exits 1 with "xvm: permission denied (needs root)" and changes
# nothing.  A uid outside the group cannot connect.  The group and the
# uid are numbers no entry of this machine uses.
. "$(dirname "$0")/hostile_lib.sh"
command -v setpriv >/dev/null || skip "setpriv not installed"
setpriv --help 2>&1 | grep -q -- '--groups' || skip "this setpriv has no --groups"

GID=$(free_id 47100)
OTHER=$(free_id $((GID + 1)))
RUID=$(free_id $((OTHER + 1)))
# The uid must walk to the socket: the test's directory is root's 0700.
chmod 0711 "$T"
d=$(dirname "$T")
while [ "$d" != / ]; do
    [ $(( $(stat -c %a "$d" | sed 's/^/0/') & 1 )) = 1 ] ||
        skip "$d is not searchable by others"
    d=$(dirname "$d")
done
member() { setpriv --reuid="$RUID" --regid="$OTHER" --groups="$GID" "$@"; }
stranger() { setpriv --reuid="$RUID" --regid="$OTHER" --groups="$OTHER" "$@"; }

start_xvmd "" -G "$GID"
guest_create ro1 || fail "create ro1"
[ "$(stat -c '%a %g' "$T/xvmd.sock")" = "660 $GID" ] &&
    ok "the socket is root:$GID 0660" ||
    fail "socket: $(stat -c '%a %U:%g' "$T/xvmd.sock")"
for q in "list" "list --all" "dominfo ro1" "domiflist ro1" "domid ro1"; do
    want=$(xvm $q 2>&1) got=$(member "$XVM" -s "$T/xvmd.sock" $q 2>&1)
    [ "$got" = "$want" ] && ok "a member reads: xvm $q" ||
        fail "xvm $q as a member: '$got', root: '$want'"
done
for c in "pause ro1" "shutdown ro1" "destroy ro1" "undefine ro1" \
         "autostart ro1" "console ro1" "start ro1"; do
    out=$(member "$XVM" -s "$T/xvmd.sock" $c 2>&1 </dev/null); rc=$?
    [ $rc = 1 ] && [ "$out" = "xvm: permission denied (needs root)" ] &&
        ok "a member cannot: xvm $c" || fail "xvm $c as a member: $rc '$out'"
done
out=$(member "$XVM" -s "$T/xvmd.sock" create "$T/ro1.cfg" 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "xvm: permission denied (needs root)" ] &&
    ok "a member cannot: xvm create" || fail "create as a member: $rc '$out'"
[ "$(state_of ro1)" = running ] && ok "ro1 still running, unchanged" ||
    fail "ro1 is '$(state_of ro1)'"
out=$(stranger "$XVM" -s "$T/xvmd.sock" list 2>&1); rc=$?
[ $rc = 1 ] && ok "a uid outside the group cannot connect: $out" ||
    fail "a stranger got in: $rc '$out'"
finish
