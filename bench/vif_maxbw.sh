#!/bin/bash
# SPDX-License-Identifier: MIT
# maxbw accuracy on a guest's vif, both ways: transmit (netback's credit)
# and receive (the switch's token bucket toward the VNIC).  Two process
# domains on stub0, iperf3 TCP from and (-R) to the limited one,
# BENCH_ROUNDS runs (lib.sh) per rate and direction, the rate iperf3's
# receiver saw.  Writes a CSV:  direction,maxbw_mbps,round,received_mbps,error_pct
# usage: bench/vif_maxbw.sh BUILD_DIR [SECONDS] [CSV]   (RATES="1.2M ...")
build=$(cd "${1:-build}" && pwd)
secs=${2:-5}
# TCP at 1.2 Mbit/s needs a few seconds to measure: 5 at least.
[ "$secs" -ge 5 ] 2>/dev/null || secs=5
here=$(cd "$(dirname "$0")" && pwd)
csv=${3:-$here/results/vif_maxbw.csv}
export XVMD=$build/app/xvmd/xvmd XVM=$build/app/xvm/xvm
export PROCDOM=$build/app/xvm-procdom/xvm-procdom
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/guests.sh" iperf3 python3
. "$here/lib.sh"

start_xvmd
outside_up
start_vswd
links_up
a=$(create_guest ma "link=stub0,mac=02:08:20:3d:00:01") || exit 1
create_guest mb "link=stub0,mac=02:08:20:3d:00:02" >/dev/null || exit 1
guest_ip ma 10.91.0.1/24
guest_ip mb 10.91.0.2/24
iperf_serve mb
echo "direction,maxbw_mbps,round,received_mbps,error_pct" >"$csv"
for bw in ${RATES:-1.2M 13M 100M 1G}; do
    "$DLADM" set-linkprop -t -p maxbw="$bw" "xvm${a}_0" || exit 1
    want=$(python3 -c "s='$bw'; m={'K':1e-3,'M':1,'G':1e3}; print(float(s[:-1])*m[s[-1]])")
    for dir in transmit receive; do
        flag=
        [ "$dir" = receive ] && flag=-R
        for r in $(seq "$BENCH_ROUNDS"); do
            bench_load vif_maxbw "$r" "$bw-$dir"
            xvm exec ma iperf3 -c 10.91.0.2 -t "$secs" -O 1 $flag -J \
                >"$T/o.json" 2>&1
            got=$(python3 -c "import json; d=json.load(open('$T/o.json')); print(round(d['end']['sum_received']['bits_per_second']/1e6, 3))")
            err=$(python3 -c "print(round(($got - $want) / $want * 100, 1))")
            echo "  maxbw $bw $dir run $r: $got Mbit/s ($err %)"
            echo "$dir,$want,$r,$got,$err" >>"$csv"
        done
    done
done
iperf_stop mb
finish
