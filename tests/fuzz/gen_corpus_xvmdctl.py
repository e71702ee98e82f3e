#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_xvmdctl (tests/fuzz/corpus/xvmdctl/).

Each seed is one datagram on xvmd's control socket (see the comment at the
top of fuzz_xvmdctl.c and xvmdctl/proto.h): every request as xvm sends it,
the replies xvmd sends back, and the ways a message can be malformed.
Run it again after changing the protocol:  tests/fuzz/gen_corpus_xvmdctl.py
"""
import os
import struct

from seedgen import REQUEST, attr, msg as _msg, s, u32, u64, write_seeds


def msg(mtype, *attrs, **kw):
    kw.setdefault('seq', 7)
    return _msg(mtype, *attrs, **kw)


OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'xvmdctl')

(CREATE, LIST, DOMINFO, DESTROY, SHUTDOWN, PAUSE, RESUME, UNDEFINE, NETNS,
 DOMMEM, EVTCHN_BIND) = range(0x10, 0x1b)
ERRNO, ERRMSG, DOM, FILE, CONFIG, ALL, DOMAIN, GT_GFN, GT_FRAMES, PORT = \
    range(1, 11)
START = 0x1b
DEFINE, REBOOT, AUTOSTART, CONSOLE = 0x1e, 0x1f, 0x20, 0x21
WAIT, AUTOSTART_ON = 14, 15
D_ID, D_NAME, D_UUID, D_STATE, D_OSTYPE, D_MEMORY, D_VCPUS, D_PID = \
    range(1, 9)
NESTED = 0x8000


def domain(name=b'guest1', did=3, flag=0):
    return attr(DOMAIN | flag, b''.join([
        u32(D_ID, did), s(D_NAME, name), attr(D_UUID, bytes(range(16))),
        u32(D_STATE, 1), s(D_OSTYPE, b'process'), u64(D_MEMORY, 65536),
        u32(D_VCPUS, 1), u32(D_PID, 1234)]))


CFG = b'name = "guest1"\nmemory = 64\nvif = [ "mac=00:16:3e:00:00:01" ]\n'


def seeds():
    d = {}
    d['req_create'] = msg(CREATE, s(FILE, b'/etc/xvnet/guest1.cfg'),
                          attr(CONFIG, CFG))
    d['req_create_wait'] = msg(CREATE, s(FILE, b'guest1.cfg'),
                               attr(CONFIG, CFG), u32(WAIT, 30000))
    d['req_start_wait'] = msg(START, s(DOM, b'guest1'), u32(WAIT, 5000))
    d['bad_wait_size'] = msg(START, s(DOM, b'guest1'), attr(WAIT, b'\1\2'))
    d['req_define'] = msg(DEFINE, s(FILE, b'guest1.cfg'), attr(CONFIG, CFG))
    d['req_reboot'] = msg(REBOOT, s(DOM, b'guest1'))
    d['req_console'] = msg(CONSOLE, s(DOM, b'guest1'))
    d['req_autostart_off'] = msg(AUTOSTART, s(DOM, b'guest1'),
                                 u32(AUTOSTART_ON, 0))
    d['req_list_all'] = msg(LIST, attr(ALL, b''))
    for cmd, name in [(DOMINFO, 'dominfo'), (DESTROY, 'destroy'),
                      (SHUTDOWN, 'shutdown'), (NETNS, 'netns'),
                      (DOMMEM, 'dommem')]:
        d['req_' + name] = msg(cmd, s(DOM, b'guest1'))
    d['req_evtchn_bind'] = msg(EVTCHN_BIND, s(DOM, b'3'), u32(PORT, 5))
    d['req_repeated_attr'] = msg(DOMINFO, s(DOM, b'a'), s(DOM, b'b'))
    d['rep_ok'] = msg(DESTROY, u32(ERRNO, 0), flags=0)
    d['rep_error'] = msg(CREATE, u32(ERRNO, 22), s(ERRMSG, b'bad config'),
                         flags=0)
    d['rep_list'] = msg(LIST, u32(ERRNO, 0), domain(b'Domain-0', 0),
                        domain(), domain(b'off', 0xffffffff), flags=0)
    d['rep_dommem'] = msg(DOMMEM, u32(ERRNO, 0), u64(GT_GFN, 1),
                          u32(GT_FRAMES, 4), domain(), flags=0)
    d['rep_domain_nested_flag'] = msg(DOMINFO, u32(ERRNO, 0),
                                      domain(flag=NESTED), flags=0)
    d['rep_domain_bad'] = msg(DOMINFO, u32(ERRNO, 0), attr(DOMAIN, b''.join(
        [u32(D_ID, 1), s(D_NAME, b'n' * 70), attr(D_UUID, b'\1' * 15),
         u32(9, 0)])), flags=0)
    d['rep_domain_junk_tail'] = msg(DOMINFO, u32(ERRNO, 0), attr(
        DOMAIN, u32(D_ID, 1) + b'\xff\xff\xff'), flags=0)
    d['bad_short'] = msg(LIST)[:12]
    d['bad_len_field'] = struct.pack('<IHHII', 40, LIST, REQUEST, 1, 0)
    d['bad_two_messages'] = msg(LIST) + msg(LIST)
    d['bad_trailing_bytes'] = msg(LIST, attr(ALL, b'')) + b'\0\0\0\0'
    d['bad_attr_unknown'] = msg(LIST, attr(11, b''))
    d['bad_attr_zero'] = msg(LIST, attr(0, b''))
    d['bad_attr_refused'] = msg(DOMINFO, u32(ERRNO, 0))
    d['bad_string_no_nul'] = msg(DOMINFO, attr(DOM, b'guest1'))
    d['bad_string_long'] = msg(DOMINFO, s(DOM, b'd' * 128))
    d['bad_u32_size'] = msg(EVTCHN_BIND, s(DOM, b'3'), attr(PORT, b'\5'))
    d['bad_flag_payload'] = msg(LIST, attr(ALL, b'\1'))
    d['bad_attr_len_short'] = msg(LIST, struct.pack('<HH', 3, ALL))
    d['bad_attr_past_end'] = msg(LIST, struct.pack('<HH', 12, ALL) + b'\0')
    d['config_max'] = msg(CREATE, s(FILE, b'f'), attr(CONFIG, b'#' * 4000))
    # A length that is not a multiple of 4: the last attribute either ends
    # at the end, or reaches into padding that was never received.
    d['unaligned_inside'] = msg(DOMINFO, struct.pack('<HH', 7, DOM) +
                                b'ab\0', pad=False)
    d['unaligned_past'] = msg(EVTCHN_BIND, s(DOM, b'3'), struct.pack(
        '<HH', 8, PORT) + b'\5', pad=False)
    return d


def main():
    write_seeds(OUT, seeds())


if __name__ == '__main__':
    main()
