#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Follow each frame of a ping exchange through the probes of
bench/fptrace.sh and say where it waited.

Input lines: NAME NSECS TID KEY ARG (bpftrace's output).  Frames are
grouped by key; a frame written to a TAP device by one pump and answered
by a frame that pump's TAP gave within 50 ms makes a request/reply pair.
Each hop is the time between two stages; a hop across a sleep is split at
the wake-up of the thread that took the frame (the time the notification
took to wake it, then the time to the frame).  Prints CSV rows
round,hop,count,p50_us,p90_us,mean_us.
"""
import argparse
import bisect
import collections
import re
import statistics

# A frame read from the TAP a request was written to within this answers
# it (a ping is answered in tens of microseconds; pings are 20 ms apart).
REPLY_WITHIN_NS = 5_000_000


def load(path):
    frames = collections.defaultdict(list)
    wakes = collections.defaultdict(list)  # tid -> [ns] of wake-ups
    pushes = collections.defaultdict(list)  # tid -> [ns] of TX pushes
    for line in open(path):
        f = line.split()
        if len(f) != 5:
            continue
        name, ns, tid, key = f[0], int(f[1]), int(f[2]), f[3]
        if name in ("vsw_wake", "pump_wake"):
            wakes[tid].append(ns)
        elif name == "pump_tx_push":
            pushes[tid].append(ns)
        else:
            frames[key].append((ns, name, tid))
    for v in frames.values():
        v.sort()
    for d in (wakes, pushes):
        for v in d.values():
            v.sort()
    return frames, wakes, pushes


def first_after(times, t):
    i = bisect.bisect_left(times, t)
    return times[i] if i < len(times) else None


def wake_between(wakes, tid, t0, t1):
    """The last wake-up of @tid in (t0, t1], or None."""
    v = wakes.get(tid, [])
    i = bisect.bisect_right(v, t1)
    return v[i - 1] if i and v[i - 1] > t0 else None


def stage(frame, name):
    for ns, n, tid in frame:
        if n == name:
            return ns, tid
    return None, None


def hops(frame, wakes, pushes, side, out):
    """Add the hops of one frame (request or reply) to @out."""
    rd, rtid = stage(frame, "pump_tap_read")
    fg, vtid = stage(frame, "vif_from_guest")
    tg, _ = stage(frame, "vif_to_guest")
    rx, ptid = stage(frame, "pump_rx")
    wr, _ = stage(frame, "pump_tap_write")
    if None in (rd, fg, tg, rx, wr):
        return False
    push = first_after(pushes.get(rtid, []), rd)
    if push is None or push > fg:
        return False
    out[f"{side}: pump TAP read -> TX ring pushed"].append(push - rd)
    w = wake_between(wakes, vtid, push, fg)
    if w is None:
        out[f"{side}: pushed -> vswitchd reads it (awake)"].append(fg - push)
    else:
        out[f"{side}: pushed -> vswitchd wakes"].append(w - push)
        out[f"{side}: vswitchd woke -> reads it"].append(fg - w)
    out[f"{side}: vswitchd read -> on the other RX ring"].append(tg - fg)
    w = wake_between(wakes, ptid, tg, rx)
    if w is None:
        out[f"{side}: RX ring -> pump takes it (awake)"].append(rx - tg)
    else:
        out[f"{side}: RX ring -> pump wakes"].append(w - tg)
        out[f"{side}: pump woke -> takes it"].append(rx - w)
    out[f"{side}: pump RX ring -> TAP written"].append(wr - rx)
    out[f"{side}: total TAP read -> TAP written"].append(wr - rd)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--round", default="1")
    ap.add_argument("--ping", help="ping's output, for its round trips")
    a = ap.parse_args()
    frames, wakes, pushes = load(a.trace)
    # reads by pump thread, to pair a request with its reply
    reads = collections.defaultdict(list)
    for key, fr in frames.items():
        ns, tid = stage(fr, "pump_tap_read")
        if ns is not None:
            reads[tid].append((ns, key))
    for v in reads.values():
        v.sort()
    out = collections.defaultdict(list)
    replies = set()
    for key, fr in sorted(frames.items(), key=lambda kv: kv[1][0][0]):
        wr, wtid = stage(fr, "pump_tap_write")
        rd, _ = stage(fr, "pump_tap_read")
        if wr is None or rd is None or key in replies:
            continue
        cand = reads.get(wtid, [])
        i = bisect.bisect_left(cand, (wr, ""))
        if i == len(cand) or cand[i][0] - wr > REPLY_WITHIN_NS:
            continue
        rkey = cand[i][1]
        replies.add(rkey)
        reply = frames[rkey]
        if not hops(fr, wakes, pushes, "request", out):
            continue
        if not hops(reply, wakes, pushes, "reply", out):
            continue
        rrd, _ = stage(reply, "pump_tap_read")
        w = wake_between(wakes, wtid, wr, rrd)
        out["peer: TAP written -> its reply read" +
            (" (pump slept)" if w else "")].append(rrd - wr)
        rwr, _ = stage(reply, "pump_tap_write")
        out["both: TAP read -> the reply written to the first TAP"].append(
            rwr - rd)
    if a.ping:
        rtts = [float(m) * 1e6 for m in
                re.findall(r"time=([0-9.]+) ms", open(a.ping).read())]
        if rtts:
            out["ping's round trip"] = [int(x) for x in rtts]
    sides = ["request", "peer", "reply", "both", "ping's round trip"]
    for hop in sorted(out, key=lambda h: next(i for i, sd in
                                                 enumerate(sides + [""])
                                                 if h.startswith(sd))):
        v = sorted(out[hop])
        p = lambda q: v[min(len(v) - 1, int(q * len(v)))] / 1000.0
        print("%s,%s,%d,%.1f,%.1f,%.1f" % (a.round, hop, len(v), p(0.5),
              p(0.9), statistics.mean(v) / 1000.0))

if __name__ == "__main__":
    main()
