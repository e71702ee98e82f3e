#!/usr/bin/env python3
"""Plot the CSVs in bench/results/ to PNGs next to them."""
import csv
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_netif(d):
    path = os.path.join(d, "netif.csv")
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    sizes = [r["size"] for r in rows]
    mpps = [float(r["mpps"]) for r in rows]
    gbps = [float(r["gbps"]) for r in rows]
    fig, ax1 = plt.subplots(figsize=(7, 4))
    ax1.bar(sizes, mpps, color="#4878a8", label="Mpps")
    ax1.axhline(1.24, color="#c44", ls="--",
                label="Xen kernel netback, grant copy (published, 1.24 Mpps)")
    ax1.set_xlabel("frame size (bytes)")
    ax1.set_ylabel("Mpps (front -> back -> front)")
    ax2 = ax1.twinx()
    ax2.plot(sizes, gbps, "o-", color="#e08020", label="Gbit/s")
    ax2.set_ylabel("Gbit/s")
    h1, l1 = ax1.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax1.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=8)
    ax1.set_title("xvnet netif loop, one core per side")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "netif.png"), dpi=110)


if __name__ == "__main__":
    plot_netif(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
