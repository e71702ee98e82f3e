#!/usr/bin/env python3
"""Plot the CSVs in bench/results/ to PNGs next to them, print ratios."""
import csv
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    if not os.path.exists(path):
        return {}
    return {int(r["size"]): r for r in csv.DictReader(open(path))}


def plot_netif(d):
    ours = read(os.path.join(d, "netif.csv"))
    peer = read(os.path.join(d, "peer_vhost.csv"))
    if not ours:
        return
    sizes = sorted(ours)
    x = range(len(sizes))
    mpps = [float(ours[s]["mpps"]) for s in sizes]
    pmpps = [float(peer[s]["mpps"]) if s in peer else 0.0 for s in sizes]
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    w = 0.38
    ax.bar([i - w / 2 for i in x], mpps, w, color="#4878a8",
           label="xvnet netif (libxnf <-> libnetback)")
    ax.bar([i + w / 2 for i in x], pmpps, w, color="#a0a0a0",
           label="DPDK virtio-user <-> vhost-user (same run)")
    ax.axhline(1.24, color="#c44", ls="--",
               label="Xen kernel netback, grant copy (published)")
    for i, s in enumerate(sizes):
        g = float(ours[s]["gbps"])
        ax.annotate(f"{g:.0f} Gb/s", (i - w / 2, mpps[i]), ha="center",
                    va="bottom", fontsize=7)
    ax.set_xticks(list(x))
    ax.set_xticklabels([str(s) for s in sizes])
    ax.set_xlabel("frame size (bytes)")
    ax.set_ylabel("Mpps, guest -> backend -> guest")
    ax.set_title("netif loop, one core per side (2-vCPU VM)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "netif.png"), dpi=110)
    print("size  xvnet Mpps  vhost Mpps  ratio")
    for s, a, b in zip(sizes, mpps, pmpps):
        r = f"{a / b:.2f}" if b else "n/a"
        print(f"{s:5d} {a:10.3f} {b:11.3f}  {r}")


def plot_procdom(d):
    path = os.path.join(d, "procdom.csv")
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    streams = sorted({r["streams"] for r in rows}, key=int)
    setups = [("procdom", "process domains over netif", "#4878a8"),
              ("bridge-veth", "Linux bridge + veth (same run)", "#a0a0a0")]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    w = 0.38
    for k, (name, label, color) in enumerate(setups):
        vals = [next((float(r["gbps"]) for r in rows
                      if r["setup"] == name and r["streams"] == st), 0.0)
                for st in streams]
        ax.bar([i + (k - 0.5) * w for i in range(len(streams))], vals, w,
               color=color, label=label)
    ax.axhline(10, color="#c44", ls="--", label="target, 1 stream")
    ax.set_xticks(range(len(streams)))
    ax.set_xticklabels([f"{st} stream(s)" for st in streams])
    ax.set_ylabel("iperf3 TCP, Gbit/s")
    ax.set_title("guest to guest TCP, 2-vCPU VM")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "procdom.png"), dpi=110)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
    plot_netif(out)
    plot_procdom(out)
