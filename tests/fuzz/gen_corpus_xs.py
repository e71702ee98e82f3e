#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_xs (tests/fuzz/corpus/xs/).

Each seed is a list of client calls with what "the server" answers (see
the comment at the top of fuzz_xs.c): a well-behaved xenstored first, then
the ways a broken or hostile one can answer.  Run it again after changing
the input format:  tests/fuzz/gen_corpus_xs.py
"""
import os
import struct

from seedgen import write_seeds

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'xs')

(READ, READ_UINT, WRITE, MKDIR, RM, DIRECTORY, GET_PERMS, SET_PERMS,
 TX_START, TX_END, DOMAIN_PATH, WATCH, UNWATCH, EVENTS, PARSE_UINT,
 WRITE_STR) = range(16)
WATCH_EVENT, ERROR = 15, 16
OWN, WRONG_ID, RAW = 0x80, 0x40, 0x20


def m(kind, payload):
    return bytes([kind]) + struct.pack('<H', len(payload)) + payload


def reply(payload):
    return m(OWN, payload)


def err(name):
    return m(ERROR, name + b'\0')


def event(path, token):
    return m(WATCH_EVENT, path + b'\0' + token + b'\0')


OK = reply(b'OK\0')


def call(op, arg=0, *msgs, parse=None):
    b = bytes([op | arg << 4])
    if parse is not None:
        b += bytes([len(parse)]) + parse
    return b + bytes([len(msgs)]) + b''.join(msgs)


def seeds():
    s = {}
    s['good_session'] = b''.join([
        call(WRITE, 0, OK), call(READ, 0, reply(b'4')),
        call(READ_UINT, 0, reply(b'4096')), call(MKDIR, 4, OK),
        call(DIRECTORY, 2, reply(b'vif\0vbd\0')),
        call(GET_PERMS, 1, reply(b'n0\0r3\0')), call(SET_PERMS, 5, OK),
        call(TX_START, 0, reply(b'12\0')), call(WRITE_STR, 6, OK),
        call(TX_END, 1, OK), call(DOMAIN_PATH, 1,
                                  reply(b'/local/domain/4099\0')),
        call(UNWATCH, 0, OK), call(RM, 4, OK),
        call(WATCH, 0, OK, event(b'device/vif/0/state', b'y')),
        call(EVENTS, 1)])
    s['errors'] = b''.join(call(READ, i, err(n)) for i, n in enumerate(
        [b'ENOENT', b'EACCES', b'EAGAIN', b'E2BIG', b'EWHAT', b'']))
    s['error_no_nul'] = call(READ, 0, m(ERROR, b'ENOENT')) + call(READ, 1)
    s['error_two_strings'] = call(MKDIR, 0, m(ERROR, b'ENOENT\0x\0'))
    s['read_with_nuls'] = call(READ, 0, reply(b'a\0b\0\0')) + call(
        READ, 2, reply(b'')) + call(READ, 4, reply(b'v' * 4096))
    s['read_uint_bad'] = b''.join(call(READ_UINT, i, reply(v)) for i, v in
                                  enumerate([b'', b'007', b'-1', b'1 ',
                                             b'18446744073709551616',
                                             b'4097', b'99999999999999999999',
                                             b'18446744073709551615',
                                             b'4\0']))
    s['ok_wrong'] = call(WRITE, 0, reply(b'OK')) + call(MKDIR, 0, OK)
    s['ok_long'] = call(RM, 0, reply(b'OK\0junk'))
    s['wrong_req_id'] = call(READ, 0, m(OWN | WRONG_ID, b'x')) + call(
        READ, 0, reply(b'x'))
    s['wrong_type'] = call(READ, 0, m(11, b'OK\0')) + call(MKDIR, 0, OK)
    s['oversize_len'] = call(READ, 0, m(RAW, struct.pack(
        '<IIII', 2, 1, 0, 4097) + b'x' * 16))
    s['torn_header'] = call(READ, 0, m(RAW, struct.pack('<III', 2, 1, 0)))
    s['torn_payload'] = call(READ, 0, m(RAW, struct.pack(
        '<IIII', 2, 1, 0, 10) + b'abc'))
    s['eof_at_once'] = call(READ, 0) + call(WRITE, 0) + call(EVENTS, 1)
    s['directory_bad'] = call(DIRECTORY, 0, reply(b'a\0b')) + call(
        DIRECTORY, 0, reply(b''))
    s['directory_empty_names'] = call(DIRECTORY, 1, reply(b'\0\0\0'))
    for i, p in enumerate([b'', b'\0', b'x5\0', b'r70000\0', b'b1\0n']):
        s['perms_bad_%d' % i] = call(GET_PERMS, 0, reply(p)) + call(
            GET_PERMS, 0, reply(b'n0\0'))
    s['perms_many'] = call(GET_PERMS, 0, reply(b'r1\0' * 1300))
    for i, v in enumerate([b'0\0', b'4294967296\0', b'12', b'7\0\0']):
        s['tx_bad_id_%d' % i] = call(TX_START, 0, reply(v)) + call(
            TX_END, 1, OK)
    s['domain_path_bad'] = call(DOMAIN_PATH, 0, reply(b'/local')) + call(
        DOMAIN_PATH, 0, reply(b'/a\0b\0'))
    s['events_before_reply'] = call(READ, 0, event(b'/a', b't'),
                                    event(b'/a', b't'), event(b'/b', b''),
                                    reply(b'v')) + call(EVENTS, 2)
    s['events_bad'] = call(READ, 0, event(b'', b't'), reply(b'v')) + call(
        READ, 0, m(WATCH_EVENT, b'/a\0t'), reply(b'v'))
    s['event_extra_field'] = call(EVENTS, 1, m(WATCH_EVENT, b'/a\0t\0x\0'))
    s['unsolicited_reply'] = call(EVENTS, 1, reply(b'OK\0'))
    s['event_flood'] = b''.join(call(MKDIR, 0, *[
        event(b'/p/%d' % (k * 250 + i), b't') for i in range(250)], OK)
        for k in range(5)) + call(EVENTS, 15) + call(EVENTS, 0)
    s['parse_uint'] = b''.join(call(PARSE_UINT, a, parse=p) for a, p in [
        (15, b'0'), (15, b'18446744073709551615'), (15, b'00'),
        (1, b'15'), (1, b'16'), (0, b'0'), (0, b''), (15, b'1a'),
        (15, b'184467440737095516150')])
    return s


def main():
    write_seeds(OUT, seeds())


if __name__ == '__main__':
    main()
