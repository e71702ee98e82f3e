#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where the machine's CPU went during a profiled window: a system-wide
`perf report` (sorted by command and symbol, no call graphs) cut into the
parts of a TCP stream between two guests.  Prints CSV rows "part,pct", pct
of every sample (every CPU's time, idle included):

  idle            the CPUs halted (swapper)
  sockets         iperf3 at both ends: its TCP stack, syscalls, copies
  sockets copies  of which copying between user memory and the kernel
  pumps           the process domains' pump threads (named ethN-qM),
                  with the receiving guest's kernel path their TAP
                  writes run
  pumps copies    of which TAP reads and writes copying frames
  vswitchd        the switch with its netback
  vswitchd copies of which memcpy (grant copies and mbuf copies)
  vswitchd sched  of which the scheduler (yielding while it spins,
                  going to sleep)
  other           everything else

usage: cpu_split.py PERF_DATA"""
import re
import subprocess
import sys

COPY = re.compile(r"mem(cpy|move)|_copy_(from|to)_iter|copy_user|"
                  r"rep_movs|copy_page")
SCHED = re.compile(r"sched|finish_task_switch")


def part_of(comm):
    if comm == "swapper" or comm.startswith("swapper/"):
        return "idle"
    if comm == "iperf3":
        return "sockets"
    if re.fullmatch(r"eth\d+-q\d+", comm):
        return "pumps"
    if comm.startswith("vswitchd") or comm.startswith("vsw-"):
        return "vswitchd"
    return "other"


def main():
    out = subprocess.run(
        ["perf", "report", "-i", sys.argv[1], "--stdio", "--no-children",
         "--sort", "comm,sym", "-g", "none", "--percent-limit", "0",
         "-t", "\t"],
        capture_output=True, text=True, check=True).stdout
    pct = {p: 0.0 for p in ("idle", "sockets", "sockets copies", "pumps",
                            "pumps copies", "vswitchd", "vswitchd copies",
                            "vswitchd sched",
                            "other")}
    for line in out.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = [x.strip() for x in line.split("\t")]
        if len(f) < 3 or not f[0].endswith("%"):
            continue
        share = float(f[0].rstrip("%"))
        part = part_of(f[1])
        pct[part] += share
        if part in ("sockets", "pumps", "vswitchd") and COPY.search(f[2]):
            pct[part + " copies"] += share
        if part == "vswitchd" and SCHED.search(f[2]):
            pct["vswitchd sched"] += share
    for p, v in pct.items():
        print(f"{p},{v:.2f}")


if __name__ == "__main__":
    main()
