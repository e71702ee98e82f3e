#!/usr/bin/env python3
"""Write report.md and its PNGs from the CSVs bench/run.sh left in DIR.

usage: report.py [DIR]        (default bench/results)

Every figure is the median over the rounds, with the lowest and the highest
round; a ratio is ours over the peer's, of the medians, the peer measured
in the same rounds interleaved with ours.  Scenarios that did not run say
so, with the reason their script gave (status.csv).
"""
import csv
import os
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# name, title, key columns, setup column, values (column, unit), ours, peers
SCENARIOS = [
    ("netif", "netif loop: frontend -> backend -> frontend, one core per "
     "side, the frontend touching no frame data; peer DPDK virtio-user <-> "
     "vhost-user", ["size"], "setup", [("mpps", "Mpps"), ("gbps", "Gbit/s")],
     ["netif"], ["virtio-vhost"]),
    ("vif", "a guest to the wire (tx) and the wire to a guest (rx): libxnf "
     "frontend -> netif -> vif port -> switch -> wire port, one core per "
     "side; peer DPDK virtio-user -> vhost-user -> net_null (testpmd "
     "txonly / rxonly and io)", ["direction", "size"], "setup",
     [("mpps", "Mpps"), ("gbps", "Gbit/s")], ["netif"], ["virtio-vhost"]),
    ("vswitch", "switch core, wire -> VNIC -> wire on net_ring ports, one "
     "core (VLAN, maxbw, mac-nospoof); peers testpmd macswap and Open "
     "vSwitch-DPDK (VLAN, policer)", ["size"], "setup", [("mpps", "Mpps")],
     ["vsw-bench"], ["testpmd-macswap", "ovs-dpdk"]),
    ("vswitch_scale", "switch core as vswitch above, 64 B, with 1, 4096 "
     "and 65,536 VNICs in the switch (4096 a link; the rest on etherstubs) "
     "and the frames spread over 1, 256 or 1024 of the link's VNICs; the "
     "reference is one VNIC in the same rounds", ["vnics", "hot"], None,
     [("mpps", "Mpps"), ("cycles_per_frame", "cycles/frame")], [], []),
    ("vswitch_workers", "switch core as vswitch above on two fast-path "
     "workers: a lap per worker, each owning its lap's ports; and one lap "
     "whose every pass crosses between the workers through the handoff "
     "ring; the reference is one worker in the same rounds", ["size"],
     "setup", [("mpps", "Mpps")], ["2 workers", "2 workers crossing"],
     ["1 worker"]),
    ("procdom", "process domains through vswitchd, iperf3 TCP, vifs with "
     "one queue (procdom), with queues=2 (procdom-q2), and with the pumps "
     "on the CPU of vswitchd's worker (procdom-near, cpus=); peer two "
     "namespaces on a Linux bridge + veth", ["streams"], "setup",
     [("gbps", "Gbit/s")], ["procdom", "procdom-q2", "procdom-near"],
     ["bridge-veth"]),
    ("procdom_cpu", "where both CPUs' time goes during one iperf3 TCP "
     "stream, between two process domains through vswitchd (procdom) and "
     "between the bridge's namespaces (bridge-veth): a system-wide perf "
     "profile of the middle of each run, in % of all samples (idle "
     "included); the copies are part of the line above them, the pumps "
     "include the receiving guest's kernel path their TAP writes run",
     ["part"], "setup", [("pct", "% of both CPUs")],
     ["procdom", "bridge-veth"], []),
    ("procdom_latency", "process domains through vswitchd, round trips "
     "(ping every 20 ms, sockperf TCP ping-pong), pumps placed by the "
     "scheduler (procdom) and on the CPU of vswitchd's worker "
     "(procdom-near, cpus=); peer bridge + veth",
     ["test"], "setup", [("mean_us", "mean us"), ("p99_us", "p99 us"),
                         ("per_s", "per s")], ["procdom", "procdom-near"],
     ["bridge-veth"]),
    ("fptrace", "where a ping between two process domains waits, hop by "
     "hop (probes traced with bpftrace, one ping every 20 ms; no peer: "
     "the hops add up to the round trip)", ["hop"], None,
     [("p50_us", "median us"), ("p90_us", "p90 us"), ("count", "frames")],
     [], []),
    ("host_vnic", "host VNICs through vswitchd, iperf3 TCP (a/b over an "
     "etherstub; vnic/out over a NIC through XDP); peer bridge + veth",
     ["streams", "direction"], "setup", [("gbps", "Gbit/s")],
     ["host-vnic"], ["bridge-veth"]),
    ("vif_maxbw", "maxbw on a guest's vif and a host VNIC, iperf3 TCP "
     "and UDP, the VNIC's counters (no peer: the rate against the limit; "
     "offered: what reached the switch for a receiving VNIC)",
     ["kind", "proto", "direction", "maxbw_mbps"], None,
     [("error_pct", "error %", True), ("measured_mbps", "Mbit/s"),
      ("offered_mbps", "offered Mbit/s")], [], []),
    ("kvm_udp", "UDP through vswitchd: KVM guest (minios) vs process "
     "domain", ["size"], "frontend direction",
     [("mpps", "Mpps"), ("gbps", "Gbit/s")], ["kvm tx", "kvm rx"],
     ["process tx"]),
    ("capture", "switch core with a snoop capture on a VNIC; peer the "
     "same without capture", ["size"], "capture", [("mpps", "Mpps")],
     ["match-none", "match-all"], ["none"]),
    ("xdp_rx", "receive rate on a veth NIC shared with the host: AF_XDP; "
     "peers net_af_packet, the host's UDP socket", ["size"], "mode",
     [("rx_mpps", "Mpps")], ["afxdp"], ["afpacket", "udp"]),
    ("nic_path", "wire -> VNIC through vswitchd over a host NIC; peer the "
     "host's UDP socket on that NIC", ["size"], "path",
     [("delivered_mpps", "Mpps")], ["vswitchd xdp", "vswitchd af_packet"],
     ["host UDP socket"]),
]
OURS, OURS2, PEER = "#4878a8", "#c47848", "#a0a0a0"
COLORS = [OURS, OURS2, PEER, "#6aa56a", "#8c6bb1"]


def rows_of(d, name):
    path = os.path.join(d, name + ".csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def setup_of(row, col):
    return " ".join(row.get(c, "") for c in col.split()) if col else ""


def gather(rows, keys, setup, col):
    """{(key tuple, setup): [value of each round]}, keys in CSV order."""
    out = {}
    for r in rows:
        v = num(r.get(col))
        if v is not None:
            k = (tuple(r[c] for c in keys), setup_of(r, setup))
            out.setdefault(k, []).append(v)
    return out


def fmt(v):
    if not v:
        return "-"
    m = statistics.median(v)
    g = (lambda x: f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}")
    return f"{g(m)} ({g(min(v))}-{g(max(v))})" if len(v) > 1 else g(m)


def ratio(a, b):
    if not a or not b or not statistics.median(b):
        return "-"
    return f"{statistics.median(a) / statistics.median(b):.3g}"


def table(rows, keys, setup, values, ours, peers):
    setups = ours + peers or [""]
    head = keys + ["figure"] + [s or "value" for s in setups] + \
        [f"{o} / {p}" for o in ours for p in peers]
    lines = ["| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for col, unit, *zero in values:
        g = gather(rows, keys, setup, col)
        for k in dict.fromkeys(k for k, _ in g):
            # A figure this test does not give (all zero), unless zero is
            # a result (an error of 0.0 %: the third item of the value).
            if not any(any(g.get((k, s), [])) or (zero and g.get((k, s)))
                       for s in setups):
                continue
            cells = list(k) + [unit] + [fmt(g.get((k, s))) for s in setups]
            cells += [ratio(g.get((k, o)), g.get((k, p)))
                      for o in ours for p in peers]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def bars(d, name, rows, keys, setup, values, ours, peers):
    """NAME.png: the first figure's medians, min-max whiskers, per key."""
    col, unit = values[0][:2]
    g = gather(rows, keys, setup, col)
    ks = list(dict.fromkeys(k for k, _ in g))
    setups = [s for s in (ours + peers or [""]) if any((k, s) in g
                                                       for k in ks)]
    if not ks or not setups:
        return None
    fig, ax = plt.subplots(figsize=(min(11, 3 + 0.45 * len(ks) *
                                        len(setups)), 4))
    w = 0.8 / len(setups)
    for i, s in enumerate(setups):
        v = [g.get((k, s), [0.0]) for k in ks]
        m = [statistics.median(x) for x in v]
        ax.bar([j + (i - (len(setups) - 1) / 2) * w for j in range(len(ks))],
               m, w, yerr=[[a - min(x) for a, x in zip(m, v)],
                           [max(x) - a for a, x in zip(m, v)]], capsize=3,
               label=s or col, color=COLORS[i % len(COLORS)])
    ax.set_xticks(range(len(ks)))
    ax.set_xticklabels([" ".join(k) for k in ks], fontsize=8)
    ax.set_xlabel(" / ".join(keys))
    ax.set_ylabel(f"{unit} (median, min-max)")
    ax.set_title(name, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, name + ".png"), dpi=100)
    plt.close(fig)
    return name + ".png"


def plot_latency(d):
    """latency.png: the distribution of every ping's round trip (CDF) and
    the TCP ping-pong percentiles, ours against the bridge."""
    ping = rows_of(d, "procdom_latency_ping")
    pp = [r for r in rows_of(d, "procdom_latency") if r["test"] == "pingpong"]
    if not ping and not pp:
        return None
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for s, color in (("procdom", OURS), ("procdom-near", OURS2),
                     ("bridge-veth", PEER)):
        v = sorted(x for x in (num(r["us"]) for r in ping if r["setup"] == s)
                   if x is not None)
        if v:
            a.plot(v, [(i + 1) / len(v) for i in range(len(v))], color=color,
                   label=f"{s} ({len(v)} pings)")
        q = [[num(r[c]) or 0 for r in pp if r["setup"] == s]
             for c in ("p50_us", "mean_us", "p99_us")]
        if any(q):
            b.plot(["p50", "mean", "p99"], [statistics.median(x or [0])
                                            for x in q], "o-", color=color,
                   label=s)
    a.set_xscale("log")
    a.set_xlabel("ping round trip, us (every 20 ms)")
    a.set_ylabel("fraction of pings at most this")
    b.set_ylabel("TCP ping-pong round trip, us (median of rounds)")
    for ax in (a, b):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle("guest to guest latency, process domains vs bridge + veth",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "latency.png"), dpi=100)
    plt.close(fig)
    return "latency.png"


def plot_scale(d):
    """scale.png: TCP Gbit/s against the number of streams."""
    lines = []
    for name, setups, filt in (
            ("procdom", ("procdom", "procdom-q2", "procdom-near",
                         "bridge-veth"),
             lambda r: True),
            ("host_vnic", ("host-vnic", "bridge-veth"),
             lambda r: r["direction"] == "a_to_b")):
        rows = [r for r in rows_of(d, name) if filt(r)]
        g = gather(rows, ["streams"], "setup", "gbps")
        for s in setups:
            pts = sorted((int(k[0]), statistics.median(v))
                         for (k, ss), v in g.items() if ss == s)
            if pts:
                lines.append((f"{name}: {s}", pts, s != "bridge-veth"))
    if not lines:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, pts, ours in lines:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-" if ours
                else "s--", label=label)
    ax.set_xlabel("TCP streams")
    ax.set_ylabel("Gbit/s (median of rounds)")
    ax.set_title("scale: throughput against streams", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "scale.png"), dpi=100)
    plt.close(fig)
    return "scale.png"


def placement_mode(ns):
    """A rough reading of a cache-line round trip between two vCPUs."""
    if ns < 80:
        return "two hyperthreads of one core"
    if ns < 300:
        return "two cores sharing a cache (one socket)"
    if ns < 2000:
        return "far apart (other socket, or a slow interconnect)"
    return "time-shared: one vCPU waited for a physical CPU"


def kv(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def head(d):
    m = kv(os.path.join(d, "machine.txt"))
    out = ["# Benchmark report", "",
           f"Written by `bench/report.py` from the CSVs of `bench/run.sh` "
           f"in this directory. Every figure is the median of the rounds, "
           f"then the lowest and highest round in brackets; a ratio is ours "
           f"over the peer's medians, the peer measured in the same rounds, "
           f"interleaved with ours (ours, peer, ours, peer...). Every round "
           f"is in the CSVs, every run's output in NAME.log.", "",
           "## Machine", "",
           f"- date: {m.get('date', '?')}",
           f"- CPUs: {m.get('nproc', '?')}, {m.get('cpu', '?')}",
           f"- kernel: {m.get('kernel', '?')}",
           f"- {m.get('seconds', '?')} s per point, "
           f"{m.get('rounds', '?')} rounds", "",
           "## Placement of CPU 0 and CPU 1", "",
           "Two threads pinned to CPU 0 and CPU 1 pass a cache line back "
           "and forth (`bench/placement`), at the start and at the end of "
           "the run.", "",
           "| when | ns per round trip | passes min-max | reading |",
           "| --- | --- | --- | --- |"]
    for r in rows_of(d, "placement"):
        ns = num(r["ns_round_trip"]) or 0
        out.append(f"| {r['when']} | {ns:.1f} | {r['ns_min']}-"
                   f"{r['ns_max']} | {placement_mode(ns)} |")
    out += ["", "## Load average before each pair", "",
            "`cat /proc/loadavg` before each pair (ours then the peer) "
            "or, where the script has one setup, each round (`load.csv`).",
            "", "| scenario | pairs | 1 min | 5 min | 15 min |",
            "| --- | --- | --- | --- | --- |"]
    load = {}
    for r in rows_of(d, "load"):
        load.setdefault(r["scenario"], []).append(r)
    for s, rs in load.items():
        out.append(f"| {s} | {len(rs)} | " + " | ".join(
            fmt([num(r[c]) for r in rs]) for c in ("load1", "load5",
                                                   "load15")) + " |")
    out += ["", "## Scenarios", "", "| scenario | status | seconds | why |",
            "| --- | --- | --- | --- |"]
    for r in rows_of(d, "status"):
        out.append(f"| {r['scenario']} | {r['status']} | {r['seconds']} | "
                   f"{r.get('why') or ''} |")
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
    status = {r["scenario"]: r for r in rows_of(d, "status")}
    out = head(d)
    pngs = {}
    body = []
    for name, title, keys, setup, values, ours, peers in SCENARIOS:
        body += ["", f"### {name}", "", title + ".", ""]
        rows = rows_of(d, name)
        st = status.get(name)
        if not rows or (st and st["status"] != "done"):
            why = (f"{st['status']}: {st.get('why') or 'see ' + name + '.log'}"
                   if st else "not run in this run")
            body += [f"No figures: {why}."]
            if not rows:
                continue
        body += table(rows, keys, setup, values, ours, peers)
        skipped = os.path.join(d, name + "_ovs_skipped.txt")
        if os.path.exists(skipped):
            body += ["", "Open vSwitch-DPDK did not run: " +
                     open(skipped).read().strip()]
        if name == "vswitch_scale":
            g = gather(rows, keys, setup, "cycles_per_frame")
            base = g.get((("1", "1"), ""))
            if base:
                b = statistics.median(base)
                body += ["", "Cost per frame against one VNIC (medians): " +
                         ", ".join(f"{k[0]} VNICs, {k[1]} carrying traffic "
                                   f"{statistics.median(v) / b:.2f}x"
                                   for (k, _), v in g.items()
                                   if k != ("1", "1")) + "."]
        if name == "procdom_cpu":
            g = gather(rows, ["part"], "setup", "gbps")
            pct = gather(rows, ["part"], "setup", "pct")
            rate = {s: statistics.median(v) for (k, s), v in g.items()
                    if k == ("idle",)}
            cp = pct.get((("vswitchd copies",), "procdom"))
            if rate and cp:
                body += ["", "Gbit/s in the profiled runs (medians): " +
                         ", ".join(f"{s} {v:.3g}" for s, v in rate.items()) +
                         f". vswitchd's copies (out of one guest, into the "
                         f"other) take {statistics.median(cp):.3g} % of the "
                         f"machine: mapping the sending guest's grants "
                         f"instead of copying them would take off at most "
                         f"half of that."]
        if name == "kvm_udp":
            boot = [num(r["ms"]) for r in rows_of(d, "kvm_udp_boot")]
            body += ["", f"Boot of minios to its first console line: "
                     f"{fmt([b for b in boot if b is not None])} ms."]
        png = bars(d, name, rows, keys, setup, values, ours, peers)
        if png:
            pngs[name] = png
            body += ["", f"![{name}]({png})"]
        body += ["", f"Every round: [{name}.csv]({name}.csv)."]
    extra = {"latency": plot_latency(d), "scale": plot_scale(d)}
    out += ["", "## Plots", "",
            "- throughput by frame size: " + ", ".join(
                f"[{n}]({pngs[n]})" for n in ("netif", "vswitch")
                if n in pngs),
            "- latency distribution: " + (f"[latency]({extra['latency']})"
                                          if extra["latency"] else "-"),
            "- scale (streams): " + (f"[scale]({extra['scale']})"
                                     if extra["scale"] else "-"),
            "- scale (VNICs in the switch): " + (
                f"[vswitch_scale]({pngs['vswitch_scale']})"
                if "vswitch_scale" in pngs else "-"),
            ""]
    out += [f"![{n}]({p})" for n, p in extra.items() if p]
    out += ["", "## Figures"] + body
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"report: {os.path.join(d, 'report.md')}, "
          f"{len(pngs) + sum(1 for p in extra.values() if p)} plots")


if __name__ == "__main__":
    main()
