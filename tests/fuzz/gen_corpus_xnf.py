#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_xnf (tests/fuzz/corpus/xnf/).

Each seed is one scenario in the harness's input format (see the comment at
the top of fuzz_xnf.c): good receive and transmit traffic, and inputs for
each way a backend can break the protocol.  Run it again after changing
the input format:  tests/fuzz/gen_corpus_xnf.py
"""
import os
import shutil
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'xnf')

# enum netif_feature
SG, GSO4, GSO6, RXN, NOCSUM, V6CSUM, MCAST, RXCOPY = (1 << i for i in range(8))
BE_ALL = RXCOPY | SG | GSO4 | GSO6 | V6CSUM
WANT_ALL = SG | GSO4 | GSO6
# NETRXF_*
VALID, BLANK, MORE, EXTRA = 1, 2, 4, 8
# XEN_NETIF_EXTRA_TYPE_* and the GSO types
X_GSO, X_MADD, X_MDEL, X_HASH = 1, 2, 3, 4
TCPV4, TCPV6 = 1, 2
# offload flags for xnf_send
O_BLANK, O_VALID, O_GSO = 1, 2, 4


def header(want=WANT_ALL, be=BE_ALL):
    return bytes([want]) + struct.pack('<H', be)


def rxd(status, offset=0, flags=0, fill=0x11, rid=None):
    out = bytes([0]) + struct.pack('<HBhB', offset, flags, status, fill)
    return out + (b'\0' if rid is None else b'\1' + struct.pack('<H', rid))


def rxe(etype=X_GSO, eflags=0, size=1448, gtype=TCPV4):
    return bytes([1, etype, eflags]) + struct.pack('<HB', size, gtype)


def rxp(delta=0):
    return bytes([2, delta & 0xff])


def txr(status=0, tid=None):
    sel = b'\0' if tid is None else b'\1' + struct.pack('<H', tid)
    return bytes([3]) + sel + struct.pack('<h', status)


def txp(delta=0):
    return bytes([4, delta & 0xff])


def recv(cap=0, off=True):
    return bytes([5]) + struct.pack('<HB', cap, 1 if off else 0)


def send(length, flags=0, gso=0, gtype=0):
    return bytes([6]) + struct.pack('<HBHB', length, flags, gso, gtype)


POLL, FINAL, FLUSH = bytes([7]), bytes([8]), bytes([9])


def poke(where, byte, rx=False):
    return bytes([10]) + struct.pack('<HB', where | (0x1000 if rx else 0),
                                     byte)


def seeds():
    h = header()
    yield 'rx_single', h + rxd(100, flags=VALID) + rxp() + recv() + recv()
    yield 'rx_sizes', (h + rxd(14) + rxd(4064, offset=32, flags=BLANK) +
                       rxd(1500) + rxp() + recv() + recv(100) + recv(1500) +
                       recv())
    yield 'rx_gso_v4', (h + rxd(4096, flags=MORE | EXTRA | BLANK) +
                        rxe(size=1448, gtype=TCPV4) + rxd(4096, flags=MORE) +
                        rxd(500, offset=100) + rxp() + recv())
    yield 'rx_gso_not_offered', (header(want=SG | GSO4) +
                                 rxd(3000, flags=EXTRA) +
                                 rxe(gtype=TCPV6) + rxp() + recv() + recv())
    yield 'rx_gso_size0', h + rxd(3000, flags=EXTRA) + rxe(size=0) + rxp() + recv()
    yield 'rx_extra_chain', (h + rxd(200, flags=EXTRA) +
                             rxe(X_GSO, 1) + rxe(X_HASH, 1, 0, 0) +
                             rxe(X_MADD, 0, 0, 0) + rxp() + recv())
    yield 'rx_extra_bad', (h + rxd(200, flags=EXTRA) + rxe(0) +
                           rxd(200, flags=EXTRA) + rxe(9) +
                           rxd(200, flags=EXTRA) + rxe(X_GSO, 1) +
                           rxe(X_GSO) + rxp() + recv() + recv() + recv())
    yield 'rx_18_slots', (h + b''.join(rxd(100, flags=MORE) for _ in range(17)) +
                          rxd(100) + rxp() + recv())
    yield 'rx_19_slots', (h + b''.join(rxd(100, flags=MORE) for _ in range(18)) +
                          rxd(100) + rxp() + recv() + recv())
    yield 'rx_bad_id', h + rxd(100, rid=7) + rxd(60) + rxp() + recv() + recv()
    yield 'rx_offset_overrun', h + rxd(200, offset=4000) + rxd(60) + rxp() + recv() + recv()
    yield 'rx_negative_status', h + rxd(-1) + rxd(-3, flags=MORE) + rxd(60) + rxp() + recv() + recv()
    yield 'rx_zero_len', h + rxd(0) + rxd(60) + rxp() + recv() + recv()
    yield 'rx_no_sg', (header(want=0) + rxd(100, flags=MORE) + rxd(100) +
                       rxp() + recv() + recv())
    yield 'rx_prod_ahead', h + rxd(60) + rxp(100) + recv() + recv() + FINAL
    yield 'rx_prod_behind', h + rxd(60) + rxp() + recv() + rxp(-2) + recv()
    yield 'rx_partial', (h + rxd(4096, flags=MORE) + rxp() + FINAL + recv() +
                         rxd(10) + rxp() + recv())
    yield 'rx_wrap', h + b''.join(rxd(60 + i) + rxp() + recv() + POLL
                                  for i in range(40))
    yield 'tx_good', (h + send(60) + send(1500, O_BLANK) + FLUSH + txr() +
                      txr() + txp() + POLL + FINAL)
    yield 'tx_gso', (h + send(9000, O_GSO | O_BLANK, 1448, TCPV4) + FLUSH +
                     txr() + txr(1) + txr() + txr() + txp() + POLL)
    yield 'tx_bad_id', h + send(60) + FLUSH + txr(tid=200) + txp() + POLL + send(60)
    yield 'tx_null_status', h + send(60) + FLUSH + txr(status=1) + txp() + POLL
    yield 'tx_error_status', h + send(60) + FLUSH + txr(status=-1) + txp() + POLL
    yield 'tx_prod_ahead', h + send(60) + FLUSH + txr() + txp(50) + POLL + recv()
    yield 'tx_too_big', header(be=RXCOPY) + send(5000) + send(13) + send(60, O_GSO, 0, 9)
    yield 'tx_fill', h + b''.join(send(4096 * 2) for _ in range(140)) + FLUSH + POLL
    yield 'no_rx_copy', header(be=SG) + rxd(60) + rxp() + recv() + send(60) + POLL
    yield 'pokes', (h + rxd(60) + rxp() + poke(0, 0xff) + poke(4, 0x7f) +
                    poke(8, 3, rx=True) + poke(64, 0xaa, rx=True) + recv() +
                    send(60) + FLUSH + POLL + FINAL)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    n = 0
    for name, data in seeds():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        n += 1
    print('wrote %d seeds to %s' % (n, OUT))


if __name__ == '__main__':
    main()
