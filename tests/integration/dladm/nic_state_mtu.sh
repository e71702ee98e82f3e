#!/bin/bash
# SPDX-License-Identifier: MIT
# A host NIC's link follows the NIC.  Carrier lost at the other end of
# the veth, and the NIC set down by the host, reach STATE in show-link
# (the NIC's link and every VNIC over it) and show-phys within a second,
# and so does their return; an etherstub and its VNICs are always up.
# The MTU is the NIC's (show-link, show-linkprop) and set-linkprop -p mtu
# sets it on the NIC; a VNIC's MTU may not exceed its link's (dladm and
# vswitchd both refuse, with a message, changing nothing), and the NIC's
# may not be set below a VNIC's.
. "$(dirname "$0")/lib.sh"
dl_require

NIC=$VETH_SW
listed() { dl show-phys -p -o link "$NIC" >/dev/null 2>&1; }
outside_up
vswd_start ""
wait_until 2 listed || fail "$NIC not listed"
dl create-vnic -t -l "$NIC" -m 2:8:20:0:0:1 vnic1 || fail "vnic1"
dl create-vnic -t -l "$NIC" -m 2:8:20:0:0:2 -v 7 vnic2 || fail "vnic2"
dl create-etherstub -t stub1 || fail "stub1"
dl create-vnic -t -l stub1 vnic3 || fail "vnic3"

# The states of the NIC's link and its VNICs, as show-link has them.
states() {
    dl show-link -p -o link,state | grep -E "^($NIC|vnic[123]|stub1):" |
        tr '\n' ' ' | sed 's/ $//'
}
phys_state() { dl show-phys -p -o state "$NIC"; }
UP="stub1:up $NIC:up vnic1:up vnic2:up vnic3:up"
DOWN="stub1:up $NIC:down vnic1:down vnic2:down vnic3:up"

note "state"
within_1s "up at first" "$UP" states
ip -n "$NS_OUT" link set "$VETH_OUT" down
within_1s "the other end down: no carrier" "$DOWN" states
within_1s "show-phys" down phys_state
ip -n "$NS_OUT" link set "$VETH_OUT" up
within_1s "the other end up again" "$UP" states
within_1s "show-phys" up phys_state
ip link set "$NIC" down
within_1s "the NIC set down" "$DOWN" states
ip link set "$NIC" up
within_1s "the NIC set up again" "$UP" states

note "the MTU is the NIC's"
[ "$(dl show-linkprop -c -o perm,value,default,possible -p mtu "$NIC")" = \
    "rw:1500:1500:68-9000" ] || fail "show-linkprop mtu $NIC"
[ "$(dl show-linkprop -c -o perm,value -p mtu stub1)" = "r-:9000" ] ||
    fail "show-linkprop mtu stub1"
before=$(snapshot)
props=$(dl show-linkprop -c -o link,property,value | ours)
# bad MESSAGE ARGS...: stderr is exactly MESSAGE, exit status 1, nothing
# changed.
bad() {
    dl_refused "$@"
    shift
    [ "$(snapshot)" = "$before" ] || fail "dladm $*: changed the VNICs"
    [ "$(dl show-linkprop -c -o link,property,value | ours)" = "$props" ] ||
        fail "dladm $*: changed a property"
}
bad "dladm: vnic creation over $NIC failed: mtu 9000 is larger than the mtu of $NIC (1500)" \
    create-vnic -l "$NIC" -p mtu=9000 vnic4
bad "dladm: warning: cannot set link property 'mtu' on 'vnic1': mtu 1501 is larger than the mtu of $NIC (1500)" \
    set-linkprop -p mtu=1501 vnic1
bad "dladm: warning: cannot set link property 'mtu' on 'stub1': read-only property" \
    set-linkprop -p mtu=1500 stub1
bad "dladm: warning: link property 'mtu' must be one of: 68-9000" \
    set-linkprop -p mtu=9001 "$NIC"
bad "dladm: warning: cannot set link property 'maxbw' on '$NIC': read-only property" \
    set-linkprop -p maxbw=10M "$NIC"

if [ "$(dl show-phys -p -o attach "$NIC")" = xdp ]; then
    # Shared through XDP (the default): dladm refuses more than 1500; the
    # host may still raise it, and the link follows.
    bad "dladm: warning: cannot set link property 'mtu' on '$NIC': the link is shared through XDP, which takes an mtu of at most 1500 (set it with no VNIC over the link)" \
        set-linkprop -p mtu=9000 "$NIC"
    ip link set "$NIC" mtu 9000
    within_1s "the host raises it: show-link MTU" 9000 dl show-link -p -o mtu "$NIC"
else
    dl set-linkprop -p mtu=9000 "$NIC" || fail "set-linkprop mtu=9000 $NIC"
fi
ip link show "$NIC" | grep -q " mtu 9000 " || fail "the NIC's MTU did not change"
[ "$(dl show-link -p -o mtu "$NIC")" = 9000 ] || fail "show-link MTU"
dl set-linkprop -t -p mtu=9000 vnic1 || fail "vnic1 mtu 9000"
[ "$(dl show-link -p -o mtu vnic1)" = 9000 ] || fail "show-link vnic1 MTU"
before=$(snapshot)
props=$(dl show-linkprop -c -o link,property,value | ours)
bad "dladm: warning: cannot set link property 'mtu' on '$NIC': VNIC vnic1 over it has mtu 9000" \
    set-linkprop -p mtu=1500 "$NIC"
ip link show "$NIC" | grep -q " mtu 9000 " || fail "the NIC's MTU changed"

note "the host changes the MTU: the link follows; vswitchd checks too"
ip link set "$NIC" mtu 1400
within_1s "show-link MTU" 1400 dl show-link -p -o mtu "$NIC"
out=$(ctl vnic-create "x${ID}0" "$NIC" mtu=1500 2>&1) &&
    fail "vswitchd made a VNIC with an MTU above its link's"
[ "$out" = "vswctl: mtu 1500 is larger than the mtu of '$NIC' (1400)" ] ||
    fail "vswitchd said '$out'"
ctl vnic-show "x${ID}0" >/dev/null 2>&1 && fail "a refused VNIC is there"
dl reset-linkprop -t -p mtu vnic1 || fail "reset vnic1's mtu"
dl reset-linkprop -p mtu "$NIC" || fail "reset-linkprop mtu $NIC"
ip link show "$NIC" | grep -q " mtu 1500 " || fail "the NIC's MTU is not 1500"
within_1s "show-linkprop" 1500 dl show-linkprop -c -o value -p mtu "$NIC"

note "a VNIC without an mtu follows its link's (illumos' default)"
[ "$(dl show-link -p -o mtu vnic1)" = 1500 ] || fail "vnic1 MTU at 1500"
[ "$(dl show-link -p -o mtu vnic3)" = 9000 ] ||
    fail "vnic3 does not have stub1's MTU"
dl set-linkprop -p mtu=1000 "$NIC" || fail "set-linkprop mtu=1000 $NIC"
[ "$(dl show-link -p -o mtu vnic1)" = 1000 ] ||
    fail "vnic1 shows $(dl show-link -p -o mtu vnic1) over a 1000 link"
[ "$(dl show-linkprop -c -o value,default -p mtu vnic1)" = 1000:1000 ] ||
    fail "show-linkprop mtu vnic1: $(dl show-linkprop -c -o value,default \
        -p mtu vnic1)"
dl create-vnic -t -l "$NIC" vnic4 || fail "vnic4 over the 1000 link"
[ "$(dl show-link -p -o mtu vnic4)" = 1000 ] || fail "vnic4's MTU"
before=$(snapshot)
props=$(dl show-linkprop -c -o link,property,value | ours)
bad "dladm: vnic creation over $NIC failed: mtu 1500 is larger than the mtu of $NIC (1000)" \
    create-vnic -t -l "$NIC" -p mtu=1500 vnic5
dl set-linkprop -t -p mtu=900 vnic4 || fail "vnic4 mtu=900"
before=$(snapshot)
props=$(dl show-linkprop -c -o link,property,value | ours)
bad "dladm: warning: cannot set link property 'mtu' on '$NIC': VNIC vnic4 over it has mtu 900" \
    set-linkprop -p mtu=800 "$NIC"
dl delete-vnic -t vnic4 || fail "delete vnic4"
ip link set "$NIC" mtu 1400
within_1s "the host raises it: vnic1 follows" 1400 dl show-link -p -o mtu vnic1
dl reset-linkprop -p mtu "$NIC" || fail "reset-linkprop mtu $NIC"
[ "$(dl show-link -p -o mtu vnic1)" = 1500 ] || fail "vnic1 back at 1500"

note "cpus: POSSIBLE lists the CPUs of vswitchd's workers"
W=$(dl show-linkprop -c -o possible -p cpus "$NIC")
echo "    workers' CPUs: '$W'"
echo "$W" | grep -Eqx '[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*' ||
    fail "show-linkprop -p cpus $NIC: POSSIBLE '$W'"
[ "$(dl show-linkprop -c -o possible -p cpus vnic1)" = "$W" ] ||
    fail "a VNIC's cpus POSSIBLE is not the workers' CPUs"
[ "$(dl show-linkprop -c -o perm,possible -p cpus stub1)" = "r-:" ] ||
    fail "an etherstub has a cpus POSSIBLE"
[ "$(dl show-linkprop -o possible -p cpus stub1 | tail -1)" = "--" ] ||
    fail "an etherstub's cpus POSSIBLE is not --"
CPU=${W%%[-,]*}
dl set-linkprop -t -p "cpus=$CPU" vnic1 || fail "cpus=$CPU, as listed"

note "reset-linkprop without -p: every property of the NIC's link"
state_cpus() { cat "$STATE/datalink.conf" 2>/dev/null | grep -c "cpus="; }
dl set-linkprop -p "cpus=$CPU" "$NIC" || fail "set cpus=$CPU on $NIC"
[ "$(state_cpus)" -ge 1 ] || fail "the NIC's cpus is not in the state file"
ip link set "$NIC" mtu 1400
within_1s "the host lowers the MTU" 1400 dl show-link -p -o mtu "$NIC"
dl reset-linkprop -t -p mtu vnic1 || fail "reset vnic1's mtu"
dl reset-linkprop -t "$NIC" || fail "reset-linkprop -t $NIC"
[ "$(dl show-linkprop -c -o property,value -p cpus,mtu,nicmode "$NIC" |
    tr '\n' ' ')" = "cpus: mtu:1500 nicmode:shared " ] ||
    fail "reset-linkprop -t $NIC left: $(dl show-linkprop -c \
        -o property,value -p cpus,mtu,nicmode "$NIC" | tr '\n' ' ')"
[ "$(state_cpus)" -ge 1 ] || fail "reset -t removed the persistent cpus"
dl set-linkprop -t -p "cpus=$CPU" "$NIC" || fail "set cpus again"
ip link set "$NIC" mtu 1400
within_1s "the host lowers the MTU" 1400 dl show-link -p -o mtu "$NIC"
dl reset-linkprop "$NIC" || fail "reset-linkprop $NIC"
[ "$(dl show-linkprop -c -o value -p cpus "$NIC")" = "" ] ||
    fail "reset-linkprop $NIC: cpus still set"
ip link show "$NIC" | grep -q " mtu 1500 " || fail "reset: the NIC's MTU"
[ "$(state_cpus)" = 0 ] || fail "reset-linkprop $NIC: cpus still persistent"
dl reset-linkprop stub1 || fail "reset-linkprop of an etherstub"
echo PASS
