/* SPDX-License-Identifier: MIT */
/*
 * fuzz_harness.h - what the libFuzzer harnesses of tests/fuzz share: the
 * entry point libFuzzer (or replay_main.c) calls, INV(), which aborts on a
 * broken invariant, and a reader of the input that yields zeros past its
 * end.  A harness defines FUZZ_NAME ("fuzz_xnf") before it uses INV().
 */
#ifndef XVNET_FUZZ_HARNESS_H
#define XVNET_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** Run the harness on one input; always 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Abort, saying which invariant broke where, unless @c holds. */
#define INV(c)                                                                 \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, FUZZ_NAME ": invariant broken: %s (line %d)\n",    \
                    #c, __LINE__);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

/** The part of the input not read yet. */
struct input {
    const uint8_t *p;
    size_t n;
};

/** The next byte of @in, 0 past its end. */
static inline uint8_t in_u8(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

/** The next two bytes of @in, little-endian. */
static inline uint16_t in_u16(struct input *in)
{
    uint16_t lo = in_u8(in);

    return (uint16_t)(lo | in_u8(in) << 8);
}

/** The next four bytes of @in, little-endian. */
static inline uint32_t in_u32(struct input *in)
{
    uint32_t lo = in_u16(in);

    return lo | (uint32_t)in_u16(in) << 16;
}

#endif
