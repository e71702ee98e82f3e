#!/bin/bash
# SPDX-License-Identifier: MIT
# maxbw holds within +-5% at two rates, both ways, for TCP (iperf3): guest
# transmit is slowed by credit (the switch stops reading the TAP), guest
# receive goes through a token bucket with a bounded queue.  The rate is
# measured from the VNIC's own byte counters over the steady part of the
# run, 5 s of 7 (frame bytes, which is what maxbw limits).
. "$(dirname "$0")/../../lib/switch.sh"
require iperf3

outside_up
phys_conf "$TMP/conf" \
    "vnic a${ID}0 link=phys0 vid=10 attach=tap" \
    "vnic b${ID}0 link=phys0 vid=10 attach=tap"
vswd_start "$TMP/conf"
G1="vsw${ID}g1"
G2="vsw${ID}g2"
guest_up "$G1" "a${ID}0" 10.0.10.1/24
guest_up "$G2" "b${ID}0" 10.0.10.2/24
ping_ok "$G1" 10.0.10.2

now() { date +%s.%N; }

# measure RATE_BPS DIR COUNTER [iperf3 client flags]
measure() {
    local want="$1" dir="$2" ctr="$3"
    shift 3
    ip netns exec "$G2" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    local srv=$!
    sleep 0.3
    ip netns exec "$G1" iperf3 -c 10.0.10.2 -p 5201 -t 7 "$@" \
        >"$TMP/iperf.txt" 2>&1 &
    local cli=$!
    sleep 1.5
    local b0 t0 b1 t1
    b0=$(stat_of "a${ID}0" "$ctr"); t0=$(now)
    sleep 5
    b1=$(stat_of "a${ID}0" "$ctr"); t1=$(now)
    wait "$cli" || { cat "$TMP/iperf.txt"; fail "iperf3 failed"; }
    wait "$srv" 2>/dev/null
    local got pct
    got=$(awk -v b="$((b1 - b0))" -v t0="$t0" -v t1="$t1" \
          'BEGIN { printf "%d", b * 8 / (t1 - t0) }')
    pct=$(awk -v g="$got" -v w="$want" 'BEGIN { printf "%+.1f", (g - w) * 100 / w }')
    echo "maxbw $want $dir: measured $got bit/s ($pct%)," \
         "$(stat_of "a${ID}0" policer) dropped so far"
    awk -v p="$pct" 'BEGIN { exit !(p >= -5 && p <= 5) }' ||
        fail "maxbw $want $dir off by $pct%"
}

# MAXBW_RATES and MAXBW_FLAGS (e.g. "-u -b 2G") widen the run by hand
# for the benchmark figures; CI uses the defaults.
for rate in ${MAXBW_RATES:-20000000 5000000}; do
    ctl vnic-modify -t "a${ID}0" maxbw="$((rate / 1000))K" || fail "modify"
    measure "$rate" transmit obytes ${MAXBW_FLAGS:-}
    measure "$rate" receive rbytes -R ${MAXBW_FLAGS:-}
done
[ "$(stat_of "a${ID}0" policer)" -lt 1000 ] || fail "too many drops"
echo PASS
