#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write hostile variants of a good guest kernel: hostile_elf.py GOOD OUTDIR.

Each variant breaks one rule of the loader (lib/kvm/elf.c) and is named
after it; test_kvm_hostile_elf.sh pairs the names with the refusals."""
import os
import struct
import sys

good = open(sys.argv[1], "rb").read()
out = sys.argv[2]
EH = "<16sHHIQQQIHHHHHH"  # Elf64_Ehdr
PH = "<IIQQQQQQ"          # Elf64_Phdr: type flags offset vaddr paddr filesz memsz align
ehdr = list(struct.unpack_from(EH, good))
phoff, phnum = ehdr[5], ehdr[10]


def phdr(img, i):
    return list(struct.unpack_from(PH, img, phoff + i * 56))


def with_ehdr(**kw):
    e = list(ehdr)
    idx = {"type": 1, "machine": 2, "entry": 4, "phoff": 5, "ehsize": 8,
           "phentsize": 9, "phnum": 10}
    for k, v in kw.items():
        e[idx[k]] = v
    img = bytearray(good)
    struct.pack_into(EH, img, 0, *e)
    return img


def with_phdr(i, img=None, **kw):
    img = bytearray(good if img is None else img)
    p = phdr(img, i)
    idx = {"type": 0, "flags": 1, "offset": 2, "vaddr": 3, "paddr": 4,
           "filesz": 5, "memsz": 6}
    for k, v in kw.items():
        p[idx[k]] = v
    struct.pack_into(PH, img, phoff + i * 56, *p)
    return img


def ident(byte, value):
    img = bytearray(good)
    img[byte] = value
    return img


p0, p1 = phdr(good, 0), phdr(good, 1)
variants = {
    "truncated_header": good[:40],
    "truncated_phdrs": good[:64],
    "truncated_segment": good[:p0[2] + 16],
    "not_elf": b"#!/bin/sh\necho this is not a kernel\n" + bytes(64),
    "elf32": ident(4, 1),
    "big_endian": ident(5, 2),
    "not_x86_64": with_ehdr(machine=183),  # aarch64
    "pie": with_ehdr(type=3),
    "ehsize": with_ehdr(ehsize=52),
    "phentsize": with_ehdr(phentsize=32),
    "phnum_zero": with_ehdr(phnum=0),
    "phnum_huge": with_ehdr(phnum=0xffff),
    "phoff_huge": with_ehdr(phoff=(1 << 64) - 8),
    "interp": with_phdr(phnum - 1, type=3),
    "filesz_over_memsz": with_phdr(0, filesz=p0[6] + 4096),
    "offset_huge": with_phdr(0, offset=(1 << 64) - 16),
    "vaddr_not_paddr": with_phdr(0, vaddr=0xffffffff80000000),
    "segment_outside_ram": with_phdr(0, vaddr=1 << 30, paddr=1 << 30),
    "segment_below_1mib": with_phdr(0, vaddr=0x1000, paddr=0x1000),
    "segment_wraps": with_phdr(0, vaddr=(1 << 64) - 4096,
                               paddr=(1 << 64) - 4096,
                               memsz=max(8192, p0[6])),
    "memsz_huge": with_phdr(0, memsz=1 << 63),
    "overlap": with_phdr(1, vaddr=p0[4] + 16, paddr=p0[4] + 16),
    "entry_outside": with_ehdr(entry=1 << 30),
    "entry_not_exec": with_ehdr(entry=p1[4]),
}
# no_load: every PT_LOAD turned into PT_GNU_STACK.
img = bytearray(good)
for i in range(phnum):
    if phdr(img, i)[0] == 1:
        img = with_phdr(i, img, type=0x6474E551)
variants["no_load"] = img


def note(name, ntype, desc):
    """One ELF note: header, name and descriptor padded to 4 bytes."""
    pad = lambda b: b + bytes(-len(b) % 4)
    return (struct.pack("<III", len(name), len(desc), ntype) + pad(name) +
            pad(desc))


def with_note(notes, filesz=None, namesz=None, base=None):
    """The good image (or @base) with a PT_NOTE added after its program
    headers (they are followed by padding) over @notes appended to the
    file."""
    img = bytearray(good if base is None else base)
    assert phoff + (phnum + 1) * 56 <= 4096 and \
        not any(img[phoff + phnum * 56:phoff + (phnum + 1) * 56])
    off = len(img)
    img += notes
    if namesz is not None:
        struct.pack_into("<I", img, off, namesz)
    struct.pack_into(EH, img, 0, *ehdr[:10], phnum + 1, *ehdr[11:])
    struct.pack_into(PH, img, phoff + phnum * 56, 4, 4, off, 0, 0,
                     len(notes) if filesz is None else filesz, 0, 4)
    return img


XVNET, NEEDS, AP_ENTRY = b"xvnet\0", 1, 2
needs = lambda bits: note(XVNET, NEEDS, struct.pack("<I", bits))
ap_entry = lambda addr: note(XVNET, AP_ENTRY, struct.pack("<Q", addr))
# The good kernel without its notes (minios names its AP entry in one).
no_notes = bytearray(good)
for i in range(phnum):
    if phdr(no_notes, i)[0] == 4:
        no_notes = with_phdr(i, no_notes, type=0)
gnu = note(b"GNU\0", 3, bytes(20))  # a build-id, skipped
variants.update({
    "needs_interrupts": with_note(gnu + needs(1)),
    "needs_unknown": with_note(needs(0x80)),
    "note_desc_size": with_note(note(XVNET, NEEDS, bytes(8))),
    "note_name_huge": with_note(needs(1), namesz=0xffffffff),
    "note_beyond_file": with_note(needs(1), filesz=1 << 20),
    "note_short": with_note(needs(1)[:8]),
    "ap_entry_outside": with_note(ap_entry(1 << 30), base=no_notes),
    "ap_entry_twice": with_note(ap_entry(ehdr[4])),
    "ap_entry_size": with_note(note(XVNET, AP_ENTRY, bytes(4)),
                               base=no_notes),
})
# Not hostile: a kernel that needs CPL 0 and one that names no AP entry
# (hostile_elf.py GOOD OUT --good).
if len(sys.argv) > 3 and sys.argv[3] == "--good":
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "needs_supervisor.elf"), "wb") as f:
        f.write(bytes(with_note(gnu + needs(2))))
    with open(os.path.join(out, "no_ap_entry.elf"), "wb") as f:
        f.write(bytes(no_notes))
    sys.exit(0)
os.makedirs(out, exist_ok=True)
for name, data in variants.items():
    with open(os.path.join(out, name + ".elf"), "wb") as f:
        f.write(bytes(data))
print(" ".join(sorted(variants)))
