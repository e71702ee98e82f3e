#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The process-domain side of bench/kvm_udp.sh.
  udp_tool.py gen IP PORT PAYLOAD SECONDS   send as fast as one socket can;
      prints "sent N seconds S"
  udp_tool.py sink PORT [IDLE]   count datagrams until IDLE seconds (2)
      pass without one after the first; prints "packets N bytes B seconds
      S", S from the first datagram to the last"""
import socket
import sys
import time

if sys.argv[1] == "gen":
    ip, port, size, secs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        float(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((ip, port))
    msg = bytes(size)
    n = 0
    t0 = time.monotonic()
    end = t0 + secs
    while True:
        for _ in range(256):
            try:
                s.send(msg)
                n += 1
            except (BlockingIOError, ConnectionRefusedError, OSError):
                pass
        if time.monotonic() >= end:
            break
    print("sent %d seconds %.3f" % (n, time.monotonic() - t0))
else:
    port = int(sys.argv[2])
    idle = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(30)
    n = nbytes = 0
    first = last = None
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        last = time.monotonic()
        if first is None:
            first = last
            s.settimeout(idle)
        n += 1
        nbytes += len(d)
    print("packets %d bytes %d seconds %.3f"
          % (n, nbytes, (last - first) if first else 0.0))
