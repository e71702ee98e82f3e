#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_vswframes (tests/fuzz/corpus/vswframes/).

Each seed is one burst in the harness's input format (see the comment at
the top of fuzz_vswframes.c): a flow of TCP segments from the wire to the
coalescing VNIC, large segments from a VNIC to the wire (cut in
software), partial checksums, tags, broadcast, a jumbo frame and junk.
Run it again after changing the input format:
tests/fuzz/gen_corpus_vswframes.py
"""
import os
import shutil
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'vswframes')
WIRE, A, B = 0, 1, 2
D_A, D_B, D_OUT, D_BCAST = 0, 1, 2, 3
SRC_OWN, LRO, BLANK, GOOD = 0x10, 0x20, 0x40, 0x80
MAC_A = bytes([2, 0, 0, 0, 0, 0x0a])
MAC_X = bytes([2, 0, 0, 0, 0, 0x99])


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp4(src, seq, payload, flags=0x10, vid=None, blank=False):
    ip_src, ip_dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    tcp = struct.pack('!HHIIBBHHH', 5001, 5201, seq, 7, 5 << 4, flags,
                      512, 0, 0) + payload
    pseudo = ip_src + ip_dst + struct.pack('!BBH', 0, 6, len(tcp))
    if blank:
        ck = ~csum(pseudo) & 0xffff  # the pseudo-header sum, as a stack leaves it
    else:
        ck = csum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack('!H', ck) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000,
                     64, 6, 0, ip_src, ip_dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    tag = b'' if vid is None else struct.pack('!HH', 0x8100, vid)
    # the harness writes the destination; the frame given starts at byte 6
    return src + tag + b'\x08\x00' + ip + tcp


def udp4(src, payload, vid=None):
    udp = struct.pack('!HHHH', 53, 5353, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    tag = b'' if vid is None else struct.pack('!HH', 0x8100, vid)
    return src + tag + b'\x08\x00' + ip + udp


def rec(where, dest, body, mss=0, flags=0):
    frame = bytes(6) + body  # 6 bytes the harness overwrites
    return struct.pack('<BHH', where | (dest << 2) | flags, mss,
                       len(frame)) + frame


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    # A flow from the wire to VNIC a (VID 10): coalesced into one.
    write('gro_flow', b''.join(
        rec(WIRE, D_A, tcp4(MAC_X, 1000 + i * 1000, bytes([i]) * 1000,
                            0x18 if i == 7 else 0x10, vid=10))
        for i in range(8)))
    # Two flows interleaved, a gap, a bad checksum.
    seg = [tcp4(MAC_X, s, b'x' * 500, vid=10) for s in (0, 500, 1500)]
    bad = bytearray(tcp4(MAC_X, 1000, b'y' * 500, vid=10))
    bad[-1] ^= 0xff
    write('gro_mixed', b''.join(rec(WIRE, D_A, f)
                                for f in (seg[0], seg[1], bytes(bad),
                                          seg[2])))
    # A large segment from VNIC b to the outside: cut in software.
    write('gso_out', rec(B, D_OUT, tcp4(bytes([2, 0, 0, 0, 0, 0x0b]), 1,
                                        b'z' * 8000, blank=True),
                         mss=1448, flags=SRC_OWN | LRO | BLANK))
    # From VNIC a (tagged on the wire) a large segment and a UDP frame
    # with a blank checksum.
    write('gso_tagged', rec(A, D_OUT, tcp4(MAC_A, 5, b'q' * 3000,
                                           blank=True),
                            mss=1000, flags=SRC_OWN | LRO | BLANK) +
          rec(A, D_OUT, udp4(MAC_A, b'u' * 100), flags=SRC_OWN | BLANK))
    # VNIC a to VNIC b and back (metadata kept, then completed).
    write('vnic_to_vnic', rec(A, D_B, tcp4(MAC_A, 9, b'v' * 4000,
                                           blank=True),
                              mss=1460, flags=SRC_OWN | LRO | BLANK) +
          rec(B, D_A, tcp4(bytes([2, 0, 0, 0, 0, 0x0b]), 9, b'w' * 100),
              flags=SRC_OWN | GOOD))
    # Broadcast from the wire, untagged and tagged.
    arp = MAC_X + b'\x08\x06' + bytes(28)
    write('bcast', rec(WIRE, D_BCAST, arp) +
          rec(WIRE, D_BCAST, MAC_X + b'\x81\x00\x00\x0a\x08\x06' + bytes(28)))
    # A jumbo frame and an MSS of 1 on a large segment.
    write('jumbo', rec(B, D_OUT, udp4(bytes([2, 0, 0, 0, 0, 0x0b]),
                                      b'j' * 8900), flags=SRC_OWN))
    write('mss1', rec(B, D_OUT, tcp4(bytes([2, 0, 0, 0, 0, 0x0b]), 1,
                                     b'm' * 2000, blank=True),
                      mss=1, flags=SRC_OWN | LRO | BLANK))
    # Junk: short, lying lengths, spoofed source.
    write('junk', rec(WIRE, D_A, b'\x01') +
          rec(A, D_OUT, bytes(range(200)), mss=65535, flags=LRO | BLANK) +
          rec(B, D_A, MAC_X + b'\x08\x00' + bytes([0x4f]) + bytes(60),
              flags=SRC_OWN | GOOD))


if __name__ == '__main__':
    main()
