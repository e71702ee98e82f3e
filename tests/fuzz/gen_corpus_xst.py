#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_xst (tests/fuzz/corpus/xst/).

Each seed is one session in the harness's input format (see the comment at
the top of fuzz_xst.c): every request type done right by a guest, and the
ways a hostile guest breaks the protocol or leans on a quota.  Run it again
after changing the input format:  tests/fuzz/gen_corpus_xst.py
"""
import os
import struct

from seedgen import write_seeds

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'xst')

(CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TX_START, TX_END,
 INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS,
 WATCH_EVENT, ERROR, IS_INTRODUCED, RESUME, SET_TARGET) = range(20)
RESET_WATCHES, DIRECTORY_PART = 21, 22

SMALL, NO_HOME, INTRODUCED = 1, 2, 4
G5, G7, DOM0 = 0, 1, 2
HOME = b'/local/domain/5'


def msg(mtype, *args, req=1, tx=0, raw=None):
    """An xs_wire message; args are NUL-terminated, raw is sent as is."""
    body = raw if raw is not None else b''.join(a + b'\0' for a in args)
    return struct.pack('<IIII', mtype, req, tx, len(body)) + body


def send(conn, data):
    return bytes([conn]) + struct.pack('<H', len(data)) + data


def ctl(op, *arg):
    return bytes([3 | op << 2]) + bytes(arg)


REOPEN5, REOPEN7, RELEASE5, INTRO5, NOREAD5, D0WRITE, D0RM, D0PERMS = \
    range(8)


def session(setup=0, *records):
    return bytes([setup]) + b''.join(records)


def seeds():
    s = {}
    w = msg(WRITE, raw=HOME + b'/x\0hello')
    s['rw'] = session(0, send(G5, w + msg(READ, HOME + b'/x', req=2)))
    s['relative'] = session(0, send(G5, msg(WRITE, raw=b'data/a\0v') +
                                    msg(READ, b'data/a', req=2) +
                                    msg(DIRECTORY, b'data', req=3)))
    s['mkdir_rm_dir'] = session(0, send(G5, msg(MKDIR, HOME + b'/d/e') +
                                        msg(DIRECTORY, HOME + b'/d', req=2) +
                                        msg(RM, HOME + b'/d', req=3) +
                                        msg(RM, HOME + b'/d', req=4)))
    parts = b''.join(msg(MKDIR, HOME + b'/many/n%03d' % i, req=i)
                     for i in range(40))
    s['directory_part'] = session(0, send(G5, parts + msg(
        DIRECTORY_PART, HOME + b'/many', b'0', req=99) + msg(
        DIRECTORY_PART, HOME + b'/many', b'5', req=100)))
    s['perms'] = session(0, send(G5, msg(MKDIR, b'p') +
                                 msg(SET_PERMS, b'p', b'n5', b'r7', req=2) +
                                 msg(GET_PERMS, b'p', req=3)),
                         send(G7, msg(READ, HOME + b'/p', req=1) +
                              msg(WRITE, raw=HOME + b'/p\0no', req=2)))
    s['perms_give_away'] = session(0, send(G5, msg(MKDIR, b'g') + msg(
        SET_PERMS, b'g', b'b7', req=2) + msg(GET_PERMS, b'g', req=3)))
    s['watch_events'] = session(0, send(G5, msg(WATCH, b'data', b'tok') +
                                        msg(WATCH, HOME, b'abs', req=2)),
                                send(DOM0, msg(WRITE,
                                               raw=HOME + b'/data/k\0v')),
                                send(G5, msg(UNWATCH, b'data', b'tok',
                                             req=3)))
    s['watch_special'] = session(INTRODUCED, send(
        DOM0, msg(WATCH, b'@releaseDomain', b'r') +
        msg(WATCH, b'@introduceDomain', b'i', req=2)),
        send(G5, msg(WATCH, b'@releaseDomain', b'g')),
        ctl(RELEASE5), ctl(INTRO5), ctl(REOPEN5))
    s['watch_secret'] = session(0, send(G5, msg(WATCH, b'/secret', b's') +
                                        msg(READ, b'/secret', req=2)),
                                ctl(D0WRITE, 4, 3) + b'abc')
    s['secret_attack'] = session(0, send(G5, b''.join([
        msg(WRITE, raw=b'/secret\0mine'), msg(RM, b'/secret', req=2),
        msg(SET_PERMS, b'/secret', b'b5', req=3),
        msg(MKDIR, b'/secret/x', req=4), msg(TX_START, b'', req=5),
        msg(WRITE, raw=b'/secret\0tx', req=6, tx=1),
        msg(TX_END, b'T', req=7, tx=1)])))
    s['tx_commit'] = session(0, send(G5, msg(TX_START, b'') +
                                     msg(WRITE, raw=b't/a\0x', req=2, tx=1) +
                                     msg(READ, b't/a', req=3, tx=1) +
                                     msg(TX_END, b'T', req=4, tx=1) +
                                     msg(READ, b't/a', req=5)))
    s['tx_conflict'] = session(0, send(G5, msg(TX_START, b'') +
                                       msg(READ, b'', req=2, tx=1) +
                                       msg(WRITE, raw=b'c\0in', req=3, tx=1)),
                               send(DOM0, msg(WRITE, raw=HOME + b'/c\0out')),
                               send(G5, msg(TX_END, b'T', req=4, tx=1)))
    s['tx_abort_bad_ids'] = session(0, send(G5, msg(TX_START, b'') +
                                            msg(TX_END, b'F', req=2, tx=1) +
                                            msg(TX_END, b'T', req=3, tx=1) +
                                            msg(READ, b'x', req=4, tx=77) +
                                            msg(TX_START, b'', req=5, tx=9) +
                                            msg(TX_END, b'X', req=6, tx=2)))
    s['tx_rm_tree'] = session(0, send(G5, msg(MKDIR, b'r/s/t') +
                                      msg(TX_START, b'', req=2) +
                                      msg(RM, b'r', req=3, tx=1) +
                                      msg(MKDIR, b'r/u', req=4, tx=1) +
                                      msg(TX_END, b'T', req=5, tx=1)))
    s['domain_ops'] = session(INTRODUCED, send(
        G5, msg(GET_DOMAIN_PATH, b'7') + msg(IS_INTRODUCED, b'7', req=2) +
        msg(RELEASE, b'7', req=3) + msg(RESET_WATCHES, req=4, raw=b'')),
        send(DOM0, msg(IS_INTRODUCED, b'5') + msg(RELEASE, b'7', req=2) +
             msg(GET_DOMAIN_PATH, b'65535', req=3)))
    s['unsupported'] = session(0, send(G5, b''.join(
        msg(t, b'x', req=t) for t in (CONTROL, INTRODUCE, RESUME, SET_TARGET,
                                      WATCH_EVENT, ERROR, 20, 23, 0xffff))))
    s['malformed'] = session(0, send(G5, b''.join([
        msg(READ, raw=HOME), msg(READ, raw=b''), msg(READ, b'a', b'b'),
        msg(WRITE, raw=b'nonul'), msg(MKDIR, raw=b'x\0\0'),
        msg(SET_PERMS, b'data'), msg(SET_PERMS, b'data', b'r70000'),
        msg(SET_PERMS, b'data', b'q5'), msg(WATCH, raw=b'/a\0t'),
        msg(DIRECTORY_PART, b'data', b'x'), msg(GET_DOMAIN_PATH, b'-1'),
        msg(TX_START, raw=b'')])))
    s['bad_paths'] = session(0, send(G5, b''.join([
        msg(WRITE, raw=b'/\0v'), msg(MKDIR, b'a//b'), msg(MKDIR, b'a/'),
        msg(READ, b'a/b c'), msg(READ, b'/' + b'p' * 3100),
        msg(MKDIR, b'd' * 2000 + b'/' + b'e' * 1100), msg(RM, b'/'),
        msg(WRITE, raw=b'/local/domain/7/x\0y'), msg(RM, b'/local')])))
    s['split_and_batched'] = session(0, send(G5, w[:7]), send(G5, w[7:20]),
                                     send(G5, w[20:] + w + w[:3]),
                                     send(G5, w[3:]))
    s['oversize_header'] = session(0, send(G5, struct.pack(
        '<IIII', READ, 1, 0, 4097)), ctl(REOPEN5),
        send(G5, msg(READ, HOME)))
    s['huge_len'] = session(0, send(G7, struct.pack('<IIII', WRITE, 1, 0,
                                                    0xffffffff) + b'x' * 8))
    s['quota_watches'] = session(SMALL, send(G5, b''.join(
        msg(WATCH, b'w%d' % i, b't', req=i) for i in range(8))))
    s['quota_tx'] = session(SMALL, send(G5, b''.join(
        msg(TX_START, b'', req=i) for i in range(4)) + b''.join(
        msg(WRITE, raw=b'q%d\0v' % i, req=10 + i, tx=1) for i in range(10)) +
        msg(TX_END, b'T', req=30, tx=1)))
    s['quota_nodes_value'] = session(SMALL, send(G5, b''.join(
        msg(MKDIR, b'n%d' % i, req=i) for i in range(30)) + msg(
        WRITE, raw=b'big\0' + b'v' * 100, req=40)))
    flood = b''.join(msg(WRITE, raw=b'f\0%d' % i, req=i) for i in range(200))
    s['unread_events'] = session(SMALL, send(G5, msg(WATCH, b'f', b'x' * 900)),
                                 ctl(NOREAD5), send(G5, flood),
                                 send(DOM0, b''.join(
                                     msg(WRITE, raw=HOME + b'/f\0%d' % i,
                                         req=i) for i in range(100))),
                                 ctl(NOREAD5))
    s['dom0_direct'] = session(NO_HOME, ctl(D0WRITE, 1, 2) + b'hi',
                               ctl(D0PERMS, 0x7), send(G7, msg(
                                   READ, HOME)), ctl(D0RM, 1),
                               send(G5, msg(MKDIR, b'x')), ctl(D0RM, 7))
    s['release_mid_tx'] = session(INTRODUCED, send(G5, msg(TX_START, b'') +
                                                   msg(WATCH, b'', b'h',
                                                       req=2)),
                                  ctl(RELEASE5), send(G5, msg(READ, b'')),
                                  ctl(REOPEN5), send(G5, msg(READ, b'')))
    return s


def main():
    write_seeds(OUT, seeds())


if __name__ == '__main__':
    main()
