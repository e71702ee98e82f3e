# SPDX-License-Identifier: MIT
"""What the seed-corpus generators (gen_corpus_*.py) share: writing a
corpus directory, and the attribute encoding of the two control protocols
(vswitchd's and xvmd's: a netlink header and 4-byte aligned
type-length-value attributes, as libmnl reads them)."""
import os
import struct
import sys

REQUEST = 0x1


def write_seeds(out, made):
    """Replace the seed_* files of @out by the seeds of dict @made."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.startswith('seed_'):
            os.unlink(os.path.join(out, name))
    for name, data in sorted(made.items()):
        with open(os.path.join(out, 'seed_' + name), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(made), out), file=sys.stderr)


def attr(atype, payload):
    a = struct.pack('<HH', 4 + len(payload), atype) + payload
    return a + b'\0' * (-len(a) % 4)


def s(atype, text):
    return attr(atype, text + b'\0')


def u8(atype, v):
    return attr(atype, struct.pack('<B', v))


def u16(atype, v):
    return attr(atype, struct.pack('<H', v))


def u32(atype, v):
    return attr(atype, struct.pack('<I', v))


def u64(atype, v):
    return attr(atype, struct.pack('<Q', v))


def flag(atype):
    return attr(atype, b'')


def msg(mtype, *attrs, flags=REQUEST, seq=1, pad=True):
    body = b''.join(attrs)
    m = struct.pack('<IHHII', 16 + len(body), mtype, flags, seq, 0) + body
    return m + (b'\0' * (-len(m) % 4) if pad else b'')
