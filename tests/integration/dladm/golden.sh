#!/bin/bash
# SPDX-License-Identifier: MIT
# Every dladm subcommand, in human and parsable form, prints exactly the
# checked-in expected/golden.out (MACs fixed with -m; the veth's name,
# which changes per run, is written VETH; the host's other NICs, listed
# as links too, are left out).
. "$(dirname "$0")/lib.sh"
dl_require
dl_start
# phys0's MTU is its NIC's: room for vnic2's 9000.
ip link set "$VETH_SW" mtu 9000
wait_until 5 sh -c "'$DLADM' show-link -p -o mtu phys0 |
    grep -qx 9000" || fail "phys0 does not follow its NIC's MTU"

run() { echo "\$ dladm $*"; dl "$@" 2>&1; echo "[rc=$?]"; }
{
    run create-vnic -l phys0 -m 2:8:20:0:0:1 -v 10 -p maxbw=100M vnic1
    run create-vnic -l phys0 -m 2:8:20:a:b:c -p priority=low,mtu=9000 vnic2
    run create-etherstub stub0
    run create-vnic -t -l stub0 -m 0:16:3e:0:0:5 tvnic5
    run show-vnic
    run show-vnic -p -o link,over,speed,macaddress,macaddrtype,vid,domain
    run show-vnic -p -o macaddress vnic1
    run show-vnic -l stub0
    run show-vnic -P
    run show-vnic -o link,vid vnic1
    run show-etherstub
    run show-etherstub stub0
    run show-link
    run show-link -p -o link,class,mtu,state,over
    run show-link -P
    run show-link vnic2
    run show-phys phys0
    run show-phys -p -o link,media,state,speed,duplex phys0
    run show-phys -P phys0
    run set-linkprop -p maxbw=1.5M,protection=mac-nospoof,ip-nospoof vnic2
    run set-linkprop -p allowed-ips=10.0.0.0/24,10.9.9.9 vnic2
    run set-linkprop -t -p priority=medium vnic1
    run show-linkprop vnic2
    run show-linkprop -c -o link,property,perm,value,default,possible vnic1
    run show-linkprop -p mtu,maxbw phys0
    run show-linkprop -P -p priority vnic1
    run show-linkprop -c -o value -p allowed-ips vnic2
    run reset-linkprop -p maxbw vnic2
    run show-linkprop -p maxbw,priority vnic2
    run reset-linkprop vnic2
    run show-linkprop -c -o property,value vnic2
    run modify-vnic -v 20 -m 2:8:20:0:0:2 vnic1
    run modify-vnic -l stub0 vnic2
    run show-vnic
    run rename-link vnic2 vnic3
    run rename-link stub0 stub7
    run show-vnic
    run show-vnic -s
    run show-vnic -s -p -o link,ipackets,opackets,spoof vnic1
    run show-link -s -p -o link,ipackets,oerrors,policer tvnic5
    run delete-vnic tvnic5
    run delete-vnic vnic3
    run delete-etherstub stub7
    run show-etherstub
    run show-vnic
    run create-etherstub stub1
    run delete-vnic -t vnic1
    run delete-etherstub -t stub1
    run show-vnic
    run show-vnic -P
    run show-vnic -P -p -o link,vid,macaddress vnic1
    run show-etherstub
    run show-etherstub -P
    run show-link -P -p -o link,class
    run delete-vnic -t vnic1
    run delete-vnic vnic1
    run delete-etherstub stub1
    run show-vnic -P
} >"$TMP/out" 2>&1
sed -i "s/$VETH_SW/VETH/g" "$TMP/out"
# cpus' POSSIBLE is the CPUs of vswitchd's workers, which vary with the
# machine: written WORKERS.
W=$(dl show-linkprop -c -o possible -p cpus phys0)
[ -n "$W" ] || fail "no workers' CPUs in cpus' POSSIBLE"
sed -i -E "/(^| |:)cpus[ :]/ s/([ :])$W\$/\1WORKERS/" "$TMP/out"
# The host's own NICs, which vswitchd lists as phys links too, vary from
# machine to machine and run to run.
awk '{ split($0, f, /[ :]+/) }
     f[2] == "phys" && f[1] != "phys0" { next } { print }' "$TMP/out" \
    >"$TMP/out.own" && mv "$TMP/out.own" "$TMP/out"
if ! diff -u "$EXPECTED/golden.out" "$TMP/out"; then
    cp "$TMP/out" "/tmp/dladm-golden.out"
    fail "output differs from expected/golden.out (see /tmp/dladm-golden.out)"
fi
echo PASS
