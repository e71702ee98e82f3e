#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_vswctl (tests/fuzz/corpus/vswctl/).

Each seed is one request datagram to vswitchd's control socket (see the
comment at the top of fuzz_vswctl.c and vswctl/ctl.h): every command as
dladm sends it, and the ways a message or an attribute can be malformed.
Run it again after changing the protocol:  tests/fuzz/gen_corpus_vswctl.py
"""
import os
import struct

from seedgen import (REQUEST, attr, flag, msg, s, u8, u16, u32, u64,
                     write_seeds)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'vswctl')

(LINK_CREATE, LINK_DELETE, LINK_GET, VNIC_CREATE, VNIC_DELETE, VNIC_MODIFY,
 VNIC_GET, STATS_GET, RETIRED_0X18, LINK_RENAME, CAPTURE,
 LINK_MODIFY) = range(0x10, 0x1c)
(NAME, CLASS, DEVARGS, LINK, MAC, MAC_TYPE, VID, MAXBW, PRIORITY, PROTECTION,
 ATTACH, TAP, TEMPORARY, NVNICS, STATS, NEWNAME, MTU, ALLOWED_IPS, PERSISTENT,
 SPEED, STATE, DUPLEX, DOMID, DOMAIN, CAP_DIR, CAP_SNAPLEN, CAP_RING,
 CAP_FILTER, IFNAME, LINK_FLAGS) = range(1, 31)
DUMP = 0x300
PHYS, ETHERSTUB = 1, 2
AF_INET, AF_INET6 = 2, 10


def ipnet(family, plen, addr):
    return struct.pack('BB', family, plen) + bytes(addr).ljust(16, b'\0')


def stats(*pairs):
    return attr(STATS, b''.join(u64(t, v) for t, v in pairs))


VNIC_ALL = [s(NAME, b'vnic0'), s(LINK, b'stub0'), attr(MAC, bytes(
    [2, 8, 0x20, 1, 2, 3])), u8(MAC_TYPE, 0), u16(VID, 7),
    u64(MAXBW, 100000000), u8(PRIORITY, 1), u32(PROTECTION, 7),
    u8(ATTACH, 1), s(TAP, b'tap0'), flag(TEMPORARY), u16(MTU, 9000),
    attr(ALLOWED_IPS, ipnet(AF_INET, 24, [10, 1, 2]) +
         ipnet(AF_INET6, 128, [0xfe, 0x80] + [0] * 13 + [1]))]


def seeds():
    d = {}
    d['link_create_stub'] = msg(LINK_CREATE, s(NAME, b'stub0'),
                                u8(CLASS, ETHERSTUB), flag(TEMPORARY))
    d['link_create_phys'] = msg(LINK_CREATE, s(NAME, b'phys0'),
                                u8(CLASS, PHYS),
                                s(DEVARGS, b'net_af_packet0,iface=eth1'))
    d['link_delete_t'] = msg(LINK_DELETE, s(NAME, b'stub0'), flag(TEMPORARY))
    d['link_get_dump'] = msg(LINK_GET, flags=REQUEST | DUMP)
    d['link_get_persistent'] = msg(LINK_GET, s(NAME, b'stub0'),
                                   flag(PERSISTENT))
    d['link_reply_shape'] = msg(LINK_GET, s(NAME, b'phys0'), u8(CLASS, 1),
                                s(DEVARGS, b'x'), u32(NVNICS, 3),
                                u16(MTU, 1500), u32(SPEED, 10000),
                                u8(STATE, 1), u8(DUPLEX, 2))
    d['link_reply_hostnic'] = msg(LINK_GET, s(NAME, b'eth1'), u8(CLASS, 1),
                                  s(DEVARGS, b''), u32(NVNICS, 1),
                                  u16(MTU, 1500), u8(STATE, 2),
                                  s(IFNAME, b'eth1'), u32(LINK_FLAGS, 3))
    d['link_modify_mtu'] = msg(LINK_MODIFY, s(NAME, b'eth1'), u16(MTU, 9000),
                               flag(TEMPORARY))
    d['vnic_create_all'] = msg(VNIC_CREATE, *VNIC_ALL)
    d['vnic_modify'] = msg(VNIC_MODIFY, s(NAME, b'vnic0'), u8(MAC_TYPE, 1),
                           u64(MAXBW, 0), attr(ALLOWED_IPS, b''))
    d['vnic_delete'] = msg(VNIC_DELETE, s(NAME, b'vnic0'))
    d['vnic_get'] = msg(VNIC_GET, s(NAME, b'vnic0'))
    # Counters: 1 to 6, then the drop reasons from 7 (VSW_STAT_DROP_BASE)
    # to 11 (VSW_STAT_MAX); any other type refuses the whole nest.
    d['stats'] = msg(STATS_GET, s(NAME, b'vnic0'), u8(CLASS, 3),
                     stats((1, 5), (2, 600), (7, 1), (11, 2)))
    d['stats_unknown_counter'] = msg(STATS_GET, s(NAME, b'vnic0'),
                                     stats((1, 5), (12, 2), (200, 3)))
    d['stats_counter_zero'] = msg(STATS_GET, stats((0, 1), (6, 2)))
    d['stats_junk_tail'] = msg(STATS_GET, attr(STATS, u64(1, 5) + b'\1\2'))
    d['rename'] = msg(LINK_RENAME, s(NAME, b'stub0'), s(NEWNAME, b'stub1'))
    d['batch'] = b''.join([msg(LINK_GET, flags=REQUEST | DUMP),
                           msg(VNIC_GET, s(NAME, b'v1'), seq=2),
                           msg(LINK_GET, flags=0, seq=3),
                           msg(0x7f, seq=4), msg(RETIRED_0X18, seq=5)])
    d['bad_attr_type'] = msg(LINK_GET, attr(0, b'x'), attr(99, b''))
    d['bad_string_no_nul'] = msg(VNIC_CREATE, attr(NAME, b'vnic0'),
                                 s(LINK, b'stub0'))
    d['bad_string_long'] = msg(VNIC_CREATE, s(NAME, b'n' * 32),
                               s(TAP, b't' * 16))
    d['bad_sizes'] = msg(VNIC_CREATE, s(NAME, b'v1'), attr(MAC, b'\2' * 5),
                         attr(VID, b'\0' * 4))
    d['bad_ips'] = msg(VNIC_MODIFY, s(NAME, b'v1'),
                       attr(ALLOWED_IPS, b'\2' * 17))
    d['ips_too_many'] = msg(VNIC_MODIFY, s(NAME, b'v1'), attr(
        ALLOWED_IPS, ipnet(AF_INET, 32, [10, 0, 0, 1]) * 33))
    d['ips_nonsense'] = msg(VNIC_MODIFY, s(NAME, b'v1'), attr(
        ALLOWED_IPS, ipnet(7, 200, [255] * 16) + ipnet(AF_INET, 0, [])))
    d['bad_flag_payload'] = msg(LINK_DELETE, s(NAME, b'a1'),
                                attr(TEMPORARY, b'x'))
    d['bad_stats'] = msg(STATS_GET, attr(STATS, struct.pack('<HH', 8, 1) +
                                         b'\1\2\3\4'))
    d['attr_len_short'] = msg(LINK_GET, struct.pack('<HH', 2, NAME))
    d['attr_past_end'] = msg(LINK_GET, struct.pack('<HH', 64, NAME) + b'ab\0\0')
    d['trailing_junk'] = msg(LINK_GET, s(NAME, b'a1'), b'\xff\xff')
    d['msg_len_past_dgram'] = msg(LINK_GET, s(NAME, b'a1'))[:-4]
    # Lengths of 2^31 and more pass libmnl's signed check: the walk ran
    # away past the datagram, or stood still at 0xffffffff.
    d['msg_len_ffffffff'] = struct.pack('<IHHII', 0xffffffff, LINK_GET,
                                        REQUEST | DUMP, 1, 0)
    d['msg_len_2g'] = struct.pack('<IHHII', 0x80000000, VNIC_GET, REQUEST,
                                  1, 0) + s(NAME, b'v1')
    d['msg_len_short'] = struct.pack('<IHHII', 8, LINK_GET, REQUEST, 1, 0)
    # The last message's length is not a multiple of 4, and its attribute
    # runs into the padding that was never received.
    d['unaligned_last'] = msg(VNIC_MODIFY, s(NAME, b'v1'), struct.pack(
        '<HH', 8, PROTECTION) + b'\1', pad=False)
    d['unaligned_first'] = struct.pack(
        '<IHHII', 21, LINK_GET, REQUEST, 1, 0) + u8(CLASS, 1) + msg(
        LINK_GET, s(NAME, b'x1'))
    return d


def main():
    write_seeds(OUT, seeds())


if __name__ == '__main__':
    main()
