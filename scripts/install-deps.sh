#!/bin/sh
# Install the Debian 12 packages xvnet needs, only those that are missing.
# Run as root, or as a user with sudo.  Idempotent: quick when all is there.
# `install-deps.sh bench` adds what only `make bench` uses: the Open
# vSwitch-DPDK peer (not for every build: on a systemd host the package
# starts Open vSwitch's own service).
set -eu

PKGS="gcc clang libclang-rt-14-dev llvm binutils make meson ninja-build
pkg-config libxen-dev xenstore-utils libdpdk-dev dpdk dpdk-dev libpcap-dev
libnl-route-3-dev libmnl-dev libbpf-dev libxdp-dev libseccomp-dev iproute2
iputils-ping iperf3 sockperf tcpdump tshark python3 python3-matplotlib procps psmisc
ethtool systemtap-sdt-dev bpftrace linux-perf man-db"
[ "${1:-}" = bench ] && PKGS="$PKGS openvswitch-switch-dpdk"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
         grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "xvnet: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "xvnet: need root (or sudo) to install:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; the default (no) is fine.
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "xvnet: packages installed"
