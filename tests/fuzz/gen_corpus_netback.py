#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_netback (tests/fuzz/corpus/netback/).

Each seed is one scenario in the harness's input format (see the comment at
the top of fuzz_netback.c): good traffic of every shape, and one or more
inputs for each way a frontend can break the protocol.  Run it again after
changing the input format:  tests/fuzz/gen_corpus_netback.py
"""
import os
import struct

from seedgen import write_seeds

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'netback')

# enum netif_feature
SG, GSO4, GSO6, RXN, NOCSUM, V6CSUM, MCAST = 1, 2, 4, 8, 16, 32, 64
ALL = SG | GSO4 | GSO6 | RXN | MCAST
# netif flags
CSUM, VALID, MORE, EXTRA = 1, 2, 4, 8
# extra types
GSO, MADD, MDEL, HASH = 1, 2, 3, 4


def header(features=ALL, start=0, ring_mode=0, grants=None):
    if grants is None:  # valid, writable, data frames 0..15 in turn
        grants = [(i % 16) << 3 for i in range(32)]
    return (bytes([features]) + struct.pack('<I', start & 0xffffffff) +
            bytes([ring_mode]) + bytes(grants))


def tx(ref=0, off=0, flags=0, size=60, rid=0, wide=0):
    """A structured TX slot; wide: 0x08 raw gref, 0x10 size, 0x20 offset,
    0x40 refs up to 47 (some ungranted)."""
    return bytes([wide & 0x78, ref & 0xff, off & 0xff, (off >> 8) & 0xff,
                  flags, size & 0xff, (size >> 8) & 0xff, rid & 0xff,
                  (rid >> 8) & 0xff])


def extra(etype, flags=0, payload=b'\0' * 6):
    return bytes([0x80 | 0x11, etype, flags]) + payload[:6].ljust(6, b'\0')


def gso(size=1448, gtype=1, more=0):
    return extra(GSO, more, struct.pack('<HBBH', size, gtype, 0, 0))


def mcast(etype, addr, more=0):
    return extra(etype, more, bytes(addr))


def pkt(sizes, ref0=0, off=0, flags=0, extras=()):
    """A packet: first slot carries the total, then extras, then frags."""
    total = sum(sizes)
    wide = 0x10 if total > 0xfff else 0
    first = flags | (MORE if len(sizes) > 1 else 0) | (EXTRA if extras else 0)
    out = [tx(ref0, off, first, total, ref0, wide)]
    out += list(extras)
    for k, s in enumerate(sizes[1:], 1):
        f = MORE if k + 1 < len(sizes) else 0
        out.append(tx(ref0 + k, off, f, s, ref0 + k))
    return out


def body(slots, rx_refs=(), tx_prod=None, rx_prod=None, rounds=b''):
    """Ring contents, producers (default: everything posted) and rounds."""
    b = bytes([len(slots)]) + b''.join(slots)
    b += bytes([len(rx_refs)]) + b''.join(bytes([i & 0xff, r])
                                          for i, r in enumerate(rx_refs))
    for prod, n in ((tx_prod, len(slots)), (rx_prod, len(rx_refs))):
        if prod is None:
            b += bytes([n])
        elif isinstance(prod, tuple):  # raw u32
            b += bytes([255]) + struct.pack('<I', prod[0] & 0xffffffff)
        else:
            b += bytes([prod])
    return b + rounds


def op_tx(budget=64):
    return bytes([0 | ((budget + 2) // 3 & 31) << 3])


def op_rx(pkts):
    """pkts: (len, flags byte, gso size byte) each; at most 8."""
    b = bytes([1 | ((len(pkts) - 1) & 7) << 3])
    for ln, fl, gsz in pkts:
        b += struct.pack('<HBB', ln, fl, gsz)
    return b


def op_txprod(delta):
    return bytes([2, delta & 0xff])


def op_rxprod(delta):
    return bytes([3, delta & 0xff])


OP_CHECK = bytes([4])


def op_owner(allow, seg64):
    return bytes([5 | (allow & 31) << 3, seg64])


def op_rate(k):
    return bytes([6 | (k & 31) << 3])


def op_slot(tx_side, slot, data):
    return bytes([7 | (1 if tx_side else 0) << 3, slot]) + data


ROUND = op_tx() + op_rx([(60, 0, 0)]) + OP_CHECK + op_tx()
GRP = [0x01, 0x00, 0x5e, 0, 0, 1]
RX16 = list(range(16))  # RX slots on data refs 8..23


def seeds():
    s = {}
    s['one_slot'] = header() + body(pkt([60]), RX16, rounds=ROUND)
    s['multi_slot'] = header() + body(pkt([1000, 1500, 500], off=96),
                                      RX16, rounds=ROUND)
    s['max_len_16_slots'] = header() + body(
        pkt([4096] * 15 + [4095]), RX16, rounds=ROUND)
    s['exactly_18_slots'] = header() + body(pkt([100] * 18), rounds=ROUND)
    s['too_many_slots_19'] = header() + body(pkt([100] * 19), rounds=ROUND)
    s['gso_tcpv4'] = header() + body(
        pkt([2000, 3000], flags=CSUM, extras=[gso()]), rounds=ROUND)
    s['gso_chain_hash_mcast'] = header() + body(
        pkt([2000, 1000], extras=[gso(9000, 2, 1), extra(HASH, 1),
                                  mcast(MADD, GRP)]), rounds=ROUND)
    s['gso_size_0'] = header() + body(pkt([3000], extras=[gso(0)]),
                                      rounds=ROUND)
    s['gso_type_bad'] = header() + body(pkt([3000], extras=[gso(1448, 3)]),
                                        rounds=ROUND)
    s['extra_type_0'] = header() + body(pkt([100], extras=[extra(0)]),
                                        rounds=ROUND)
    s['extra_type_max'] = header() + body(pkt([100], extras=[extra(5)]),
                                          rounds=ROUND)
    s['extra_missing'] = header() + body([tx(0, 0, EXTRA, 60)], rounds=ROUND)
    s['extra_more_missing'] = header() + body(
        [tx(0, 0, EXTRA, 60), gso(more=1)], rounds=ROUND)
    dummies = []
    for k in range(5):
        dummies += [tx(0, 0, EXTRA, 0), mcast(MADD, GRP[:5] + [k])]
    dummies += [tx(0, 0, EXTRA, 0), mcast(MDEL, GRP[:5] + [1])]
    dummies += [tx(0, 0, EXTRA, 0), mcast(MADD, [2, 0, 0, 0, 0, 1])]
    s['mcast_dummies'] = header() + body(dummies, rounds=ROUND)
    s['mcast_dummy_more_data'] = header() + body(
        [tx(0, 0, EXTRA | MORE, 0), mcast(MADD, GRP), tx(1, 0, 0, 60)],
        rounds=ROUND)
    zero = pkt([100, 0, 50, 0])
    zero[1] = tx(200, 0, MORE, 0, wide=0x08)  # bad gref, size 0
    s['xsa448_zero_frag'] = header() + body(zero, rounds=ROUND)
    s['xsa432_small_total'] = header() + body(pkt([9] + [3] * 17),
                                              rounds=ROUND)
    over = pkt([4] * 18)
    over[0] = tx(0, 0, MORE, 60)
    s['xsa432_overrun'] = header() + body(over, rounds=ROUND)
    s['xsa423_split_header'] = header() + body(
        pkt([1] * 14 + [1000] * 4, off=3000), rounds=op_owner(31, 3) + ROUND)
    s['frag_overrun'] = header() + body(
        [tx(0, 0, MORE, 100), tx(1, 0, 0, 200)], rounds=ROUND)
    s['crosses_page_frag'] = header() + body(
        [tx(0, 0, MORE, 300), tx(1, 3950, 0, 200)], rounds=ROUND)
    s['crosses_page_first'] = header() + body(
        [tx(0, 4090, 0, 60)], rounds=ROUND)
    s['crosses_page_u16_wrap'] = header() + body(
        [tx(0, 0, MORE, 100), tx(1, 0xffff, 0, 1, wide=0x20)], rounds=ROUND)
    s['bad_len_0'] = header() + body([tx(0, 0, 0, 0)], rounds=ROUND)
    s['bad_len_13'] = header() + body(pkt([60]) + [tx(1, 0, 0, 13)],
                                      rounds=ROUND)
    s['chain_overrun'] = header() + body(
        pkt([60]) + [tx(1, 0, MORE, 200), tx(2, 0, MORE, 100)], rounds=ROUND)
    s['tx_prod_overflow'] = header() + body(pkt([60]), tx_prod=(300,),
                                            rounds=ROUND)
    s['tx_prod_backwards'] = header() + body(
        pkt([60]) * 3, rounds=op_tx(1) + op_txprod(-1) + ROUND)
    s['rx_prod_overflow'] = header() + body(pkt([60]), RX16, rx_prod=(300,),
                                            rounds=ROUND)
    s['rx_prod_backwards'] = header() + body(
        [], RX16, rounds=op_rx([(60, 0, 0)]) + op_rxprod(-3) + ROUND)
    bad = [(i % 16) << 3 for i in range(32)]
    bad[1], bad[2], bad[3], bad[4] = 6, 7, 7 | 0x80, 0x80  # 4: read-only
    s['tx_bad_grants'] = header(grants=bad) + body(
        pkt([60]) + pkt([100, 100], ref0=1) + pkt([70], ref0=3),
        rounds=ROUND)
    s['tx_gref_raw'] = header() + body(pkt([60]) + [tx(0xff, 0, 0, 60,
                                                       wide=0x08)],
                                       rounds=ROUND)
    s['rx_bad_grants'] = header(grants=bad) + body(
        [], [0, 1, 2, 3, 4, 38], rounds=op_rx([(60, 0, 0)] * 6))
    s['rx_into_ring_page'] = header() + body([], [32, 33],
                                             rounds=op_rx([(60, 0, 0)] * 2))
    s['rx_multi_slot_gso_csum'] = header() + body(
        [], RX16, rounds=op_rx([(10000, 0x40 | 4 | 1 | 8, 22),
                                (9000, 0x80 | 2, 0), (1000, 4 | 16, 20),
                                (60, 1, 0)]))
    s['rx_no_sg'] = header(features=RXN) + body(
        [], RX16, rounds=op_rx([(5000, 0, 0), (1000, 4 | 8, 22), (60, 0, 0)]))
    s['rx_bad_pkts'] = header() + body(
        [], RX16, rounds=op_rx([(10, 0, 0), (100, 0x20, 0), (0, 0, 0),
                                (65535, 0xc0, 0), (60, 4, 0)]))
    s['rx_no_slots'] = header() + body(
        [], [0], rounds=op_rx([(60, 0, 0)] * 3) + op_rxprod(1) +
        op_rx([(5000, 0, 0)]) + op_rxprod(1) + op_rx([(5000, 0, 0)]))
    s['rx_no_slots_no_notify'] = header(features=SG) + body(
        [], [0], rounds=op_rx([(60, 0, 0)] * 3))
    s['rate_limit'] = header() + body(
        pkt([1500]) * 8, rounds=op_rate(2) + op_tx() + OP_CHECK + op_tx() +
        op_rate(0) + op_tx() + op_rate(31))
    s['nobuf_then_buf'] = header() + body(
        pkt([600]) * 4, rounds=op_owner(0, 0) + op_tx() + op_owner(1, 0) +
        op_tx() + op_owner(31, 1) + op_tx())
    s['tiny_segments'] = header() + body(
        pkt([4096] * 15 + [4095]), rounds=op_owner(31, 1) + op_tx())
    s['ring_wrap'] = header(start=0xfffffff0) + body(
        pkt([60]) * 10 + pkt([100, 200]) * 10, RX16,
        rounds=op_tx(10) + op_rx([(60, 0, 0)] * 8) + op_tx() +
        op_rx([(5000, 0, 0)] * 4))
    s['ring_wrap_overflow'] = header(start=0xffffffff) + body(
        pkt([60]), tx_prod=(0xffffffff + 258,), rounds=ROUND)
    s['create_tx_ring_readonly'] = header(ring_mode=1) + body(pkt([60]))
    s['create_rx_ring_ungranted'] = header(ring_mode=2) + body(pkt([60]))
    s['create_overfull'] = header() + body([], tx_prod=(400,))
    s['rewrite_slots'] = header() + body(
        pkt([60]) * 2, RX16, tx_prod=1,
        rounds=op_slot(True, 1, tx(0, 0, MORE, 1000)) + op_txprod(1) +
        op_tx() + op_slot(False, 0, bytes([7, 39])) + op_rx([(60, 0, 0)]))
    s['event_suppressed'] = header() + body(
        pkt([60]) * 4, rounds=bytes([7 | 3 << 3, 200]) +
        tx(0, 0, 0, 60) + bytes([100]) + op_tx())
    s['final_check_idle'] = header() + body([], rounds=OP_CHECK + op_tx() +
                                            OP_CHECK)
    s['budget_zero_and_big'] = header() + body(
        pkt([60]) * 100, rounds=op_tx(0) + op_tx(1) + op_tx(93) + op_tx())
    return s


def main():
    write_seeds(OUT, seeds())


if __name__ == '__main__':
    main()
