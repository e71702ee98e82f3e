#!/bin/bash
# SPDX-License-Identifier: MIT
# maxbw accuracy, both ways, TCP and UDP, on a guest's vif and on a host
# VNIC.  A guest's transmit is limited by netback's credit, its receive by
# the switch's token bucket toward the VNIC; a host VNIC's transmit by the
# switch stalling its TAP, its receive by the same token bucket.  Two
# process domains (ma limited, mb) and two namespaces each holding a host
# VNIC (h1 limited, h2), all on stub0.  iperf3 from and (-R) to the
# limited end; UDP offered at twice the limit (UDP_OVER).  The rate is the VNIC's own
# counters (obytes for transmit, rbytes for receive: frames as they cross
# the switch, headers included) over SECONDS after two of warm-up;
# below 10 Mbit/s over three times as long (a host's TCP crosses the
# switch in segments of up to 64 KiB: 0.4 s each at 1.2 Mbit/s).
# For receive, what the other end put into the switch in the same time is
# recorded as offered_mbps: where it falls short of the limit the sender,
# not maxbw, set the rate.  One iperf3 run per point, measured over
# BENCH_ROUNDS (lib.sh) consecutive windows: the rounds of the CSV.
# Writes a CSV:
#   kind,proto,direction,maxbw_mbps,round,measured_mbps,error_pct,offered_mbps
# usage: bench/vif_maxbw.sh BUILD_DIR [SECONDS] [CSV]
#        (RATES="1.2M ...", KINDS="vif host", PROTOS="tcp udp",
#        UDP_OVER=2: UDP offered at this many times the limit)
build=$(cd "${1:-build}" && pwd)
secs=${2:-3}
[ "$secs" -ge 3 ] 2>/dev/null || secs=3
here=$(cd "$(dirname "$0")" && pwd)
csv=${3:-$here/results/vif_maxbw.csv}
export XVMD=$build/app/xvmd/xvmd XVM=$build/app/xvm/xvm
export PROCDOM=$build/app/xvm-procdom/xvm-procdom
export VSWITCHD=$build/app/vswitchd/vswitchd VSWCTL=$build/app/vswctl/vswctl
export DLADM=$build/app/dladm/dladm
. "$here/../tests/lib/guests.sh" iperf3 python3
. "$here/lib.sh"

H1="hm${ID}1" H2="hm${ID}2" # host VNICs, each in a namespace of its name
cli=
hosts_down() { # the iperf3s first: they would outlive their namespaces
    [ -n "$cli" ] && kill "$cli" 2>/dev/null && wait "$cli" 2>/dev/null
    [ -s "$T/iperf-h2.pid" ] && kill "$(cat "$T/iperf-h2.pid")" 2>/dev/null
    iperf_stop mb
    ip netns del "$H1" 2>/dev/null
    ip netns del "$H2" 2>/dev/null
}
CLEANUP_HOOK=hosts_down

switch_up
a=$(create_guest ma "link=stub0,mac=02:08:20:3d:00:01") || exit 1
b=$(create_guest mb "link=stub0,mac=02:08:20:3d:00:02") || exit 1
guest_ip ma 10.91.0.1/24
guest_ip mb 10.91.0.2/24
n=3
for h in "$H1" "$H2"; do
    "$DLADM" create-vnic -t -l stub0 -m "2:8:20:3d:0:$n" "$h" ||
        die "create-vnic $h"
    ip netns add "$h" && ip link set "$h" netns "$h" &&
        ip -n "$h" addr add "10.91.0.$n/24" dev "$h" &&
        ip -n "$h" link set "$h" up && ip -n "$h" link set lo up ||
        die "namespace $h"
    n=$((n + 1))
done
ip netns exec "$H1" ping -c 1 -W 2 10.91.0.4 >/dev/null || die "$H1 -> $H2"
ping_ok ma 10.91.0.2 || die "ma -> mb"

# listening KIND: an iperf3 server listens at the other end of KIND.
listening() {
    if [ "$1" = vif ]; then xvm exec mb ss -Hltn 'sport = :5201'
    else ip netns exec "$H2" ss -Hltn 'sport = :5201'; fi 2>/dev/null | grep -q .
}
not_listening() { ! listening "$1"; }

# server KIND: a new iperf3 server for one test at the other end of KIND,
# once the last one is gone (a client stopped mid-test can leave a lasting
# server unready for the next one), listening when this returns.
server() {
    if [ "$1" = vif ]; then
        iperf_stop mb
    else
        [ -s "$T/iperf-h2.pid" ] && kill "$(cat "$T/iperf-h2.pid")" 2>/dev/null
        rm -f "$T/iperf-h2.pid"
    fi
    wait_until 5 not_listening "$1" || die "the last iperf3 server of $1 stays"
    if [ "$1" = vif ]; then
        xvm exec mb iperf3 -s -1 -D -I /tmp/iperf.pid >/dev/null 2>&1
    else
        ip netns exec "$H2" iperf3 -s -1 -D -B 10.91.0.4 -I "$T/iperf-h2.pid" \
            >/dev/null 2>&1
    fi
    wait_until 5 listening "$1" || die "no iperf3 server for $1"
}

# client KIND ARG...: iperf3 from the limited end of KIND
# (run in the background: it execs, so that $! is the client's own pid)
client() {
    if [ "$1" = vif ]; then exec "$XVM" exec ma iperf3 -c 10.91.0.2 "${@:2}"
    else exec ip netns exec "$H1" iperf3 -c 10.91.0.4 "${@:2}"; fi
}
ctr() { ctl stat "$1" "$2"; }
now() { date +%s.%N; }

# drained VNIC: its transmit counter stood still for 300 ms.
drained() {
    local b0
    b0=$(ctr "$1" obytes)
    sleep 0.3
    [ "$(ctr "$1" obytes)" = "$b0" ]
}

# measure KIND PROTO DIRECTION MBPS SECONDS: one iperf3 run, its rounds
# consecutive windows of SECONDS each (a window's end is the next one's
# start), after two seconds of warm-up (TCP past its slow start and the
# losses at its end).  The loop only reads counters; the figures are
# worked out after the run, and a run that ended before the last reading
# fails the point; the client is stopped after the last reading.
measure() {
    local vnic=$H1 peer=$H2 c=obytes flag= udp= r got err off
    local -a ps bs ts
    [ "$1" = vif ] && { vnic=xvm${a}_0; peer=xvm${b}_0; }
    [ "$3" = receive ] && { c=rbytes; flag=-R; }
    [ "$2" = udp ] && udp="-u -b $(python3 -c "print(int($4 * ${UDP_OVER:-2} * 1e6))") -l 1400"
    # a second a round for the readings, three for warm-up and the end
    server "$1"
    client "$1" -t $((($5 + 1) * BENCH_ROUNDS + 3)) $flag $udp >"$T/o.txt" 2>&1 &
    cli=$!
    sleep 2
    for r in $(seq 0 "$BENCH_ROUNDS"); do
        [ "$r" = 0 ] || { bench_load vif_maxbw "$r" "$4-$1-$2-$3"; sleep "$5"; }
        ps[r]=$(ctr "$peer" obytes) bs[r]=$(ctr "$vnic" "$c") ts[r]=$(now)
    done
    kill -0 "$cli" 2>/dev/null ||
        { cat "$T/o.txt"; die "iperf3 $*: ended before the last reading"; }
    # Its end is not measured: stopped now (iperf3 tells its server so).
    kill -TERM "$cli"
    wait "$cli"
    cli=
    # What the limited end still had queued (a UDP sender's qdisc holds
    # seconds of it at 1.2 Mbit/s) drains before the next point, whose
    # connection would wait behind it.
    [ "$3" = transmit ] && wait_until 20 drained "$vnic"
    grep -q "iperf3: interrupt - the client has terminated" "$T/o.txt" ||
        { cat "$T/o.txt"; die "iperf3 $*"; }
    for r in $(seq "$BENCH_ROUNDS"); do
        # the rate the VNIC counted, its error, and (receive) the offered
        read -r got err off < <(python3 -c "
dt = ${ts[r]} - ${ts[r-1]}
got = round((${bs[r]} - ${bs[r-1]}) * 8 / dt / 1e6, 4)
off = round((${ps[r]} - ${ps[r-1]}) * 8 / dt / 1e6, 4)
print(got, round((got - $4) / $4 * 100, 1), off if '$3' == 'receive' else '')")
        echo "  maxbw $4 Mbit/s, $1 $2 $3 window $r: $got Mbit/s ($err %)" \
            "${off:+offered $off Mbit/s}"
        echo "$1,$2,$3,$4,$r,$got,$err,$off" >>"$csv"
    done
}

echo "kind,proto,direction,maxbw_mbps,round,measured_mbps,error_pct,offered_mbps" >"$csv"
for bw in ${RATES:-1.2M 13M 100M 1G}; do
    want=$(python3 -c "s='$bw'; m={'K':1e-3,'M':1,'G':1e3}; print(float(s[:-1])*m[s[-1]])")
    win=$secs
    python3 -c "exit(0 if $want < 10 else 1)" && win=$((secs * 3))
    for kind in ${KINDS:-vif host}; do
        vnic=$H1
        [ "$kind" = vif ] && vnic=xvm${a}_0
        "$DLADM" set-linkprop -t -p maxbw="$bw" "$vnic" || exit 1
        for proto in ${PROTOS:-tcp udp}; do
            for dir in transmit receive; do
                measure "$kind" "$proto" "$dir" "$want" "$win"
            done
        done
    done
done
finish
