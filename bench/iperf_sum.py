#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The figures of one iperf3 -J client run, as the benchmarks' CSVs hold
them: "GBPS,RETRANSMITS", the rate the receiver saw in Gbit/s and the
sender's TCP retransmits.  usage: iperf_sum.py FILE.json"""
import json
import sys

e = json.load(open(sys.argv[1]))["end"]
print("%.2f,%d" % (e["sum_received"]["bits_per_second"] / 1e9,
                   e["sum_sent"].get("retransmits", 0)))
