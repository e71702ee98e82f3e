#!/bin/bash
# SPDX-License-Identifier: MIT
# KVM guest (minios) vs process domain, UDP through vswitchd on the
# etherstub stub0: generator -> sink and the reverse, at 64-byte frames
# (Mpps) and 1500-byte IP packets (Gbit/s), interleaved, RUNS runs; and
# minios's boot time from `xvm create` to its first console line.
#   kvm-tx   minios role=gen (COUNT datagrams) -> python sink in domain pa
#   kvm-rx   python generator in domain pb -> minios's sink (port 9),
#            counted by minios ("sink N/B" on its poweroff line)
#   proc-tx  python generator in pb -> python sink in pa
# The process-domain side is one Python socket each way, so proc-tx and
# kvm-rx are bounded by it; kvm-tx by minios.  The domains pa and pb are
# procdom_lib.sh's; minios is 10.99.0.10.
# KVM_BENCH_VCPUS=N gives minios N vCPUs (its generator then runs on
# vCPU 1, docs/kvm.md), and names its rows kvm-Ncpu.
# usage: bench/kvm_udp.sh BUILD_DIR [SECONDS] [CSV] [RUNS]
build=$(cd "${1:-build}" && pwd)
secs=${2:-3}
csv=${3:-$(dirname "$0")/results/kvm_udp.csv}
runs=${4:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export XVM_KVM=$build/app/xvm-kvm/xvm-kvm
MINIOS=$build/guest/minios/minios.elf
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
[ -f "$MINIOS" ] || { echo "SKIP: no $MINIOS (build first)"; exit 77; }
. "$here/procdom_lib.sh" "$build" python3
. "$here/lib.sh"
TOOL=$here/udp_tool.py
COUNT64=${KVM_BENCH_COUNT64:-20000}
COUNT1500=${KVM_BENCH_COUNT1500:-4000}
VCPUS=${KVM_BENCH_VCPUS:-1}
KVM=kvm; [ "$VCPUS" = 1 ] || KVM=kvm-${VCPUS}cpu
N=10.99.0

log_of() { tr -d '\r' <"$T/state/console/$1.log" 2>/dev/null; }

# kvm_up NAME LINE...: a minios domain on stub0 with these xenstore keys,
# up once it says eth0 up.
kvm_up() {
    local n=$1 s= k; shift
    for k in "$@"; do s="$s, \"$k\""; done
    printf 'name = "%s"\ntype = "kvm"\nmemory = 16\nvcpus = %s\nkernel = "%s"\nxenstore = [ %s ]\nvif = [ "link=stub0,mac=02:00:00:98:00:10" ]\n' \
        "$n" "$VCPUS" "$MINIOS" "${s#, }" >"$T/$n.cfg"
    xvm create "$T/$n.cfg" >/dev/null || die "create $n"
    wait_until 30 sh -c "tr -d '\r' <'$T/state/console/$n.log' |
        grep -q 'minios: eth0 up'" || die "$n: $(log_of "$n" | tail -2)"
}
kvm_gone() { xvm destroy "$1" >/dev/null 2>&1; xvm undefine "$1" >/dev/null 2>&1; }

# rate SIZE PACKETS SECONDS: "mpps gbps" (Gbit/s of IP packets: SIZE is
# the frame, 14 bytes of Ethernet header not counted at 1500)
rate() {
    python3 -c "import sys
size, n, s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
ip = size - 14 if size > 64 else size
print('%.4f %.4f' % (n / s / 1e6, n * ip * 8 / s / 1e9) if s > 0 else '0 0')" "$@"
}

payload() { [ "$1" = 64 ] && echo 22 || echo 1472; }

mkdir -p "$(dirname "$csv")"
echo "round,frontend,direction,size,packets,seconds,mpps,gbps" >"$csv"
row() { echo "$1,$2,$3,$4,$5,$6,$7,$8" >>"$csv"; echo "  run $1 $2 $3 $4 B: $5 pkts in $6 s: $7 Mpps, $8 Gbit/s"; }

for r in $(seq "$runs"); do
    for size in 64 1500; do
        p=$(payload "$size")
        count=$([ "$size" = 64 ] && echo "$COUNT64" || echo "$COUNT1500")
        bench_load kvm_udp "$r" "$size"
        # kvm-tx: minios generates, pa sinks
        xvm exec pa python3 - sink 9 2 <"$TOOL" >"$T/sink.out" 2>&1 &
        sp=$!
        sleep 0.5
        kvm_up kg "minios/ip=$N.10" minios/role=gen "minios/peer=$N.1" \
            minios/port=9 "minios/count=$count" "minios/size=$p"
        wait "$sp"
        read -r _ pk _ _ _ sec <"$T/sink.out"
        row "$r" "$KVM" tx "$size" "$pk" "$sec" $(rate "$size" "$pk" "$sec")
        kvm_gone kg
        # proc-tx: pb generates, pa sinks
        xvm exec pa python3 - sink 9 2 <"$TOOL" >"$T/sink.out" 2>&1 &
        sp=$!
        sleep 0.5
        xvm exec pb python3 - gen "$N.1" 9 "$p" "$secs" <"$TOOL" >/dev/null
        wait "$sp"
        read -r _ pk _ _ _ sec <"$T/sink.out"
        row "$r" process tx "$size" "$pk" "$sec" $(rate "$size" "$pk" "$sec")
        # kvm-rx: pb generates, minios sinks (its poweroff line counts)
        kvm_up kr "minios/ip=$N.10"
        xvm exec pb python3 - gen "$N.10" 9 "$p" "$secs" <"$TOOL" >"$T/gen.out"
        read -r _ _ _ sec <"$T/gen.out"
        xvm shutdown kr >/dev/null
        wait_until 10 sh -c "log_of() { tr -d '\r' <'$T/state/console/kr.log'; }
            tr -d '\r' <'$T/state/console/kr.log' | grep -q 'minios: poweroff'" ||
            echo "  kr did not power off"
        pk=$(log_of kr | sed -n 's/.* sink \([0-9]*\)\/.*/\1/p' | tail -1)
        row "$r" "$KVM" rx "$size" "${pk:-0}" "$sec" $(rate "$size" "${pk:-0}" "$sec")
        kvm_gone kr
        rm -f "$T/state/console/kr.log" # the next kr's counts, not this one's
    done
done

# boot time: `xvm create` to the first console line, minios without a vif
bcsv=${csv%.csv}_boot.csv
echo "run,ms" >"$bcsv"
printf 'name = "kb"\ntype = "kvm"\nmemory = 16\nvcpus = %s\nkernel = "%s"\n' \
    "$VCPUS" "$MINIOS" >"$T/kb.cfg"
for r in $(seq 7); do
    t0=$(date +%s%N)
    xvm create "$T/kb.cfg" >/dev/null || die "create kb"
    while ! [ -s "$T/state/console/kb.log" ]; do
        [ $((($(date +%s%N) - t0) / 1000000)) -gt 10000 ] && break
        sleep 0.002
    done
    ms=$(( ($(date +%s%N) - t0) / 1000 ))
    ms=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
    echo "$r,$ms" >>"$bcsv"; echo "  boot $r: $ms ms"
    wait_until 5 sh -c "[ \"\$('$XVM' dominfo kb | sed -n 's/^State: *//p')\" = 'shut off' ]"
    xvm undefine kb >/dev/null 2>&1
    rm -f "$T/state/console/kb.log"
done
finish
