/* SPDX-License-Identifier: MIT */
/*
 * xvm/hash.h - FNV-1a, 64 bits: the one hash the project uses where a
 * cheap, stable hash of a few bytes is wanted (a frame's probe key, a
 * domain's MAC from its UUID, the cgroup level of a state directory,
 * xenstored's tables from a random basis).  Not for keys an attacker
 * picks unless started from a secret basis (xenstored does).
 */
#ifndef XVM_HASH_H
#define XVM_HASH_H

#include <stddef.h>
#include <stdint.h>

/** Where an unseeded FNV-1a hash starts. */
#define XVM_FNV1A_BASIS 0xcbf29ce484222325ull

/** @h with the @n bytes at @p hashed in (start with XVM_FNV1A_BASIS). */
static inline uint64_t xvm_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    while (n--)
        h = (h ^ *b++) * 0x100000001b3ull;
    return h;
}

/** @h with the string @s (without its NUL) hashed in. */
static inline uint64_t xvm_fnv1a_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

#endif /* XVM_HASH_H */
