#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""udp_echo.py IP COUNT [WINDOW [SIZE]]: send COUNT numbered datagrams to
IP port 7, at most WINDOW unanswered at a time, and check that every one
comes back exactly once, unchanged, from (IP, 7).  Prints
"sent N answered N lost N bad N dup N seconds S" and exits 0 only when
all came back.  A reply missing for a second counts as lost (the window
moves on without it), so a lossy peer ends the run quickly."""
import socket
import sys
import time

ip, n = sys.argv[1], int(sys.argv[2])
window = int(sys.argv[3]) if len(sys.argv) > 3 else 32
size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.connect((ip, 7))
s.settimeout(1.0)


def payload(i):
    head = b"%010d" % i
    return head + bytes((i + k) & 255 for k in range(size - len(head)))


pending = {}  # seq -> payload
nxt = answered = lost = bad = dup = 0
t0 = time.monotonic()
while answered + lost < n:
    while nxt < n and len(pending) < window:
        pending[nxt] = payload(nxt)
        s.send(pending[nxt])
        nxt += 1
    try:
        data = s.recv(4096)
    except socket.timeout:
        lost += len(pending)
        pending.clear()
        continue
    try:
        seq = int(data[:10])
    except ValueError:
        bad += 1
        continue
    want = pending.pop(seq, None)
    if want is None:
        dup += 1
    elif data != want:
        bad += 1
        lost += 1
    else:
        answered += 1
dt = time.monotonic() - t0
print("sent %d answered %d lost %d bad %d dup %d seconds %.1f"
      % (nxt, answered, lost, bad, dup, dt))
sys.exit(0 if answered == n and not bad and not dup else 1)
