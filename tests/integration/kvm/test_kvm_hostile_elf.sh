#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile kernel images (hostile_elf.py: truncated, segments outside RAM,
# entry outside (its own or its other vCPUs'), overlapping program
# headers, malformed notes (an AP entry twice or of a bad size), a kernel
# that needs interrupts or what the monitor does not know) and files that are not
# images are refused (exit 1) with a message naming the fault, before KVM
# is opened: this runs with or without /dev/kvm.
. "$(dirname "$0")/kvm_lib.sh"

python3 "$MKELF" "$MINIOS" "$TMP/img" >/dev/null || fail "hostile_elf.py"
refusals=(
    "truncated_header:the file is shorter than an ELF header"
    "truncated_phdrs:bad program header table"
    "truncated_segment:program header 0: a segment's bytes lie beyond the end"
    "not_elf:not an ELF file"
    "elf32:not a 64-bit little-endian x86-64 ELF"
    "big_endian:not a 64-bit little-endian x86-64 ELF"
    "not_x86_64:not a 64-bit little-endian x86-64 ELF"
    "pie:not a static executable"
    "ehsize:bad program header table"
    "phentsize:bad program header table"
    "phnum_zero:bad program header table"
    "phnum_huge:bad program header table"
    "phoff_huge:bad program header table"
    "interp:program header 3: needs an interpreter"
    "filesz_over_memsz:program header 0: a segment's file size exceeds"
    "offset_huge:program header 0: a segment's bytes lie beyond the end"
    "vaddr_not_paddr:program header 0: a segment's virtual address is not"
    "segment_outside_ram:program header 0: a segment lies outside guest RAM"
    "segment_below_1mib:program header 0: a segment lies outside guest RAM"
    "segment_wraps:program header 0: a segment lies outside guest RAM"
    "memsz_huge:program header 0: a segment lies outside guest RAM"
    "overlap:program header 1: two segments overlap"
    "entry_outside:the entry point, or the other vCPUs' (its xvnet note), is not inside"
    "entry_not_exec:the entry point, or the other vCPUs' (its xvnet note), is not inside"
    "no_load:no loadable segment"
    "needs_interrupts:it takes interrupts or exceptions, which this"
    "needs_unknown:it needs something this monitor does not know of"
    "note_desc_size:program header 4: a note segment does not parse"
    "note_name_huge:program header 4: a note segment does not parse"
    "note_beyond_file:program header 4: a note segment does not parse"
    "note_short:program header 4: a note segment does not parse"
    "ap_entry_outside:the entry point, or the other vCPUs' (its xvnet note), is not inside"
    "ap_entry_twice:program header 4: a note segment does not parse"
    "ap_entry_size:program header 4: a note segment does not parse"
)
n=$(ls "$TMP/img" | wc -l)
[ "$n" -eq ${#refusals[@]} ] || fail "$n images made, ${#refusals[@]} expected"
for r in "${refusals[@]}"; do
    name=${r%%:*}
    run_guest "$TMP/img/$name.elf" --memory 16
    expect "$name" 1 "$name.elf: refused: ${r#*:}"
    [ -s "$TMP/out" ] && fail "$name: the guest ran: $(cat "$TMP/out")"
done

# Files that are no images at all.
mkfifo "$TMP/fifo"
run_guest "$TMP/fifo"
expect fifo 1 "refused: not a regular file"
run_guest /dev/zero
expect /dev/zero 1 "refused: not a regular file"
run_guest "$TMP"
expect directory 1 "refused: not a regular file"
truncate -s 3M "$TMP/big"
run_guest "$TMP/big" --memory 2
expect "larger than RAM" 1 "refused: larger than guest RAM"
run_guest "$TMP/missing"
expect missing 1 "missing: No such file or directory"
run_guest "$MINIOS" --memory 1
expect "memory 1" 1 "a number of MiB from 2 to"
finish
