#!/usr/bin/env python3
"""Summarise meson test logs: list failures, print 'N passed, N failed'.

usage: test-summary.py LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]
Reads BUILD_DIR/meson-logs/testlog.json of each run.  Exit status 1 if any
test failed or timed out, or if a log is missing.
"""
import json
import sys

passed = failed = skipped = 0
bad = []
for arg in sys.argv[1:]:
    label, _, build = arg.partition("=")
    path = f"{build}/meson-logs/testlog.json"
    try:
        with open(path) as f:
            lines = [json.loads(x) for x in f if x.strip()]
    except OSError as e:
        print(f"{label}: no test log ({e})")
        failed += 1
        bad.append(f"{label}: (no log)")
        continue
    for t in lines:
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
            print(f"skipped: {label}: {t['name']}")
        else:
            failed += 1
            bad.append(f"{label}: {t['name']} ({r})")
for b in bad:
    print(f"FAILED: {b}")
# The last line is exactly 'N passed, N failed', as CI reads it; the
# skipped tests (each named above) are counted on the line before.
if skipped:
    print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
