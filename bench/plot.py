#!/usr/bin/env python3
"""Plot the CSVs in bench/results/ to PNGs next to them, print ratios."""
import csv
import os
import statistics
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
    fig, ax = plt.subplots(figsize=(11, 4.6))
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


def plot_latency(d):
    """procdom_latency.csv: medians over the rounds of mean and p99, per
    test and setup, with the ratio to the bridge printed."""
    path = os.path.join(d, "procdom_latency.csv")
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    tests = ["ping", "pingpong"]
    setups = [("procdom", "process domains over netif", "#4878a8"),
              ("bridge-veth", "Linux bridge + veth (same run)", "#a0a0a0")]

    def med(setup, test, col):
        v = sorted(float(r[col]) for r in rows
                   if r["setup"] == setup and r["test"] == test)
        return v[len(v) // 2] if v else 0.0

    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, col, what in zip(axes, ["mean_us", "p99_us"], ["mean", "p99"]):
        w = 0.38
        for k, (name, label, color) in enumerate(setups):
            ax.bar([i + (k - 0.5) * w for i in range(len(tests))],
                   [med(name, t, col) for t in tests], w, color=color,
                   label=label)
        ax.set_xticks(range(len(tests)))
        ax.set_xticklabels(["ping (every 20 ms)", "TCP ping-pong"])
        ax.set_ylabel(f"round trip, {what}, microseconds")
        ax.set_title(f"guest to guest latency: {what}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "procdom_latency.png"), dpi=110)
    print("test      stat  xvnet us  bridge us  ratio")
    for t in tests:
        for col in ["mean_us", "p99_us"]:
            a, b = med("procdom", t, col), med("bridge-veth", t, col)
            r = f"{a / b:.2f}" if b else "n/a"
            print(f"{t:9s} {col[:-3]:5s} {a:9.1f} {b:10.1f}  {r}")


def span(v):
    return f"({min(v):.2f}-{max(v):.2f})" if v else ""


def plot_host_vnic(path):
    """bench/host_vnic_tcp.sh: medians of the runs per streams, direction
    and setup, printed with the ratio ours/peer and plotted next to the
    CSV (the bars are medians, the whiskers the lowest and highest run)."""
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    if not rows:
        return
    setups = [("host-vnic", "host VNICs through vswitchd (a -> b: over an "
               "etherstub; vnic -> out: over a NIC, XDP)", "#4878a8"),
              ("bridge-veth", "Linux bridge + veth (same run)", "#a0a0a0")]
    order = ["a_to_b", "b_to_a", "vnic_to_out", "out_to_vnic"]
    cases = sorted({(int(r["streams"]), r["direction"]) for r in rows},
                   key=lambda c: (c[0], order.index(c[1])
                                  if c[1] in order else len(order)))
    runs, paired = {}, {}
    for r in rows:
        k = (int(r["streams"]), r["direction"], r["setup"])
        runs.setdefault(k, []).append(float(r["gbps"]))
        paired.setdefault(k, {})[r["run"]] = float(r["gbps"])
    # the runs where both were measured, in the same order for both
    for st, di in cases:
        ours = paired.get((st, di, "host-vnic"), {})
        peer = paired.get((st, di, "bridge-veth"), {})
        both = sorted(set(ours) & set(peer), key=int)
        paired[(st, di, "host-vnic")] = [ours[n] for n in both]
        paired[(st, di, "bridge-veth")] = [peer[n] for n in both]
    secs = sorted({r["seconds"] for r in rows})
    nruns = max(len(v) for v in runs.values())
    # ratio: of the medians; paired: the median of each run's own ratio
    # (ours and peer measured back to back), steadier on a busy machine.
    print("streams direction  host-vnic Gbit/s (range)   "
          "bridge-veth Gbit/s (range)   ratio  paired")
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    w = 0.38
    for k, (name, label, color) in enumerate(setups):
        med = [statistics.median(runs.get((st, di, name), [0.0]))
               for st, di in cases]
        lo = [m - min(runs.get((st, di, name), [0.0]))
              for m, (st, di) in zip(med, cases)]
        hi = [max(runs.get((st, di, name), [0.0])) - m
              for m, (st, di) in zip(med, cases)]
        ax.bar([i + (k - 0.5) * w for i in range(len(cases))], med, w,
               yerr=[lo, hi], capsize=3, color=color, label=label)
    for i, (st, di) in enumerate(cases):
        a = runs.get((st, di, "host-vnic"), [])
        b = runs.get((st, di, "bridge-veth"), [])
        ma = statistics.median(a) if a else 0.0
        mb = statistics.median(b) if b else 0.0
        r = f"{ma / mb:.2f}" if mb else "n/a"
        pairs = [x / y for x, y in zip(paired[(st, di, "host-vnic")],
                                       paired[(st, di, "bridge-veth")]) if y]
        pr = f"{statistics.median(pairs):.2f}" if pairs else "n/a"
        print(f"{st:7d} {di:9s} {ma:8.2f} {span(a):17s} "
              f"{mb:10.2f} {span(b):17s} {r:>6s} {pr:>7s}")
        ax.annotate(f"ours/peer {r}", (i, max(a + b, default=0.0)),
                    ha="center", va="bottom",
                    fontsize=8, xytext=(0, 8), textcoords="offset points")
    top = max((v for vs in runs.values() for v in vs), default=1.0)
    ax.set_ylim(0, top * 1.15)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([f"{st} stream{'s' if st > 1 else ''}\n"
                        f"{di.replace('_to_', ' -> ')}" for st, di in cases])
    ax.set_ylabel("iperf3 TCP, Gbit/s (median, min-max)")
    ax.set_title(f"namespace to namespace TCP, {'/'.join(secs)} s x "
                 f"{nruns} runs, interleaved (2-vCPU VM)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.splitext(path)[0] + ".png", dpi=110)


def plot_kvm_udp(d):
    """kvm_udp.csv (bench/kvm_udp.sh): medians of the runs, log scale."""
    path = os.path.join(d, "kvm_udp.csv")
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    cases = [("kvm", "tx", "minios generator -> sink", "#c47848"),
             ("kvm", "rx", "generator -> minios sink", "#e0a878"),
             ("process", "tx", "process domain generator -> sink",
              "#4878a8")]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    for ax, size, col, unit in ((axes[0], "64", "mpps", "Mpps"),
                                (axes[1], "1500", "gbps", "Gbit/s")):
        for i, (fe, di, label, color) in enumerate(cases):
            v = [float(r[col]) for r in rows
                 if (r["frontend"], r["direction"], r["size"]) ==
                 (fe, di, size)]
            if not v:
                continue
            m = statistics.median(v)
            ax.bar(i, m, 0.6, color=color, label=label)
            ax.annotate(f"{m:.4g}", (i, m), ha="center", va="bottom",
                        fontsize=8)
        ax.set_yscale("log")
        ax.set_xticks([])
        ax.set_title(f"{size}-byte packets, {unit} (median)", fontsize=10)
    axes[0].legend(fontsize=8)
    fig.suptitle("UDP through vswitchd: KVM guest (minios) vs process "
                 "domain, 2-vCPU VM", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.splitext(path)[0] + ".png", dpi=110)


# usage: plot.py [DIR]              every plot of DIR (bench/results)
#        plot.py --host-vnic CSV     that one, its PNG next to the CSV
if __name__ == "__main__":
    if sys.argv[1:2] == ["--host-vnic"]:
        plot_host_vnic(sys.argv[2])
        sys.exit(0)
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
    plot_netif(out)
    plot_procdom(out)
    plot_latency(out)
    plot_host_vnic(os.path.join(out, "host_vnic.csv"))
    plot_kvm_udp(out)
