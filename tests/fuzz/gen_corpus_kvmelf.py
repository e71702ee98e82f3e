#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_kvmelf (tests/fuzz/corpus/kvmelf/).

Small ELF64 kernels as the loader takes them (one code segment at 1 MiB,
data, bss) and variants: notes (the xvnet needs note, a GNU one, broken
sizes), segments outside RAM or overlapping, truncations, a PIE.  Run it
again after changing the loader's rules: tests/fuzz/gen_corpus_kvmelf.py
"""
import os
import shutil
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'kvmelf')
EH = '<16sHHIQQQIHHHHHH'
PH = '<IIQQQQQQ'
LOAD, NOTE, INTERP = 1, 4, 3
MIB = 1 << 20


def note(name, ntype, desc):
    pad = lambda b: b + bytes(-len(b) % 4)
    return struct.pack('<III', len(name), len(desc), ntype) + pad(name) + \
        pad(desc)


def image(segs, entry=MIB, etype=2, notes=None):
    """segs: (type, flags, paddr, data, memsz); notes: bytes of a PT_NOTE."""
    phs = list(segs) + ([(NOTE, 4, 0, notes, 0)] if notes is not None else [])
    off = 64 + 56 * len(phs)
    body, table = b'', b''
    for t, flags, paddr, data, memsz in phs:
        table += struct.pack(PH, t, flags, off + len(body), paddr, paddr,
                             len(data), memsz, 4 if t == NOTE else 0x1000)
        body += data
    ident = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
    eh = struct.pack(EH, ident, etype, 62, 1, entry, 64, 0, 0, 64, 56,
                     len(phs), 0, 0, 0)
    return eh + table + body


code = bytes([0x90] * 15 + [0xf4])
good = [(LOAD, 5, MIB, code, len(code)),
        (LOAD, 6, MIB + 0x1000, b'data', 0x2000)]
needs = lambda bits: note(b'xvnet\0', 1, struct.pack('<I', bits))
seeds = {
    'good': image(good),
    'bss_only': image(good + [(LOAD, 6, MIB + 0x4000, b'', 0x8000)]),
    'needs_supervisor': image(good, notes=needs(2)),
    'needs_interrupts': image(good, notes=note(b'GNU\0', 3, bytes(20)) +
                              needs(1)),
    'needs_unknown': image(good, notes=needs(0x80)),
    'note_desc_size': image(good, notes=note(b'xvnet\0', 1, bytes(8))),
    'note_short': image(good, notes=needs(1)[:7]),
    'note_huge_name': image(good, notes=struct.pack('<III', 0xffffffff, 4, 1)),
    'outside_ram': image([(LOAD, 5, 4 * MIB, code, len(code))],
                         entry=4 * MIB),
    'below_1mib': image([(LOAD, 5, 0x1000, code, len(code))], entry=0x1000),
    'overlap': image(good + [(LOAD, 6, MIB + 8, b'x', 16)]),
    'entry_outside': image(good, entry=MIB + 0x1000),
    'interp': image(good + [(INTERP, 4, 0, b'/lib/ld.so\0', 0)]),
    'pie': image(good, etype=3),
    'truncated': image(good)[:100],
    'no_load': image([(NOTE, 4, 0, needs(0), 0)]),
}
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds in', OUT)
