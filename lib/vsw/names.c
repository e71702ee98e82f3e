/* SPDX-License-Identifier: MIT */
/*
 * The switch's one namespace of links and VNICs, hashed by name, so that
 * making, renaming and finding an object costs the same with 65,536 VNICs
 * as with one (a walk of every link's VNICs made each create O(n), and
 * filling a switch O(n^2)).  Chained buckets; the table doubles when it
 * holds more names than buckets.  Control thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "switch_pvt.h"

#define NAMES_BUCKETS_MIN 64u

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

int vsw_names_init(struct vsw_names *t)
{
    t->b = calloc(NAMES_BUCKETS_MIN, sizeof(*t->b));
    t->nb = NAMES_BUCKETS_MIN;
    t->n = 0;
    return t->b ? 0 : -ENOMEM;
}

void vsw_names_fini(struct vsw_names *t)
{
    free(t->b);
    t->b = NULL;
}

struct vsw_name *vsw_names_find(const struct vsw_names *t, const char *name)
{
    struct vsw_name *e = t->b[name_hash(name) & (t->nb - 1)];

    while (e && strcmp(e->name, name) != 0)
        e = e->next;
    return e;
}

/* Twice the buckets; without memory the chains only grow longer. */
static void names_grow(struct vsw_names *t)
{
    uint32_t nb = t->nb * 2, i;
    struct vsw_name **b = calloc(nb, sizeof(*b));

    if (!b)
        return;
    for (i = 0; i < t->nb; i++) {
        struct vsw_name *e = t->b[i], *next;

        for (; e; e = next) {
            uint32_t k = name_hash(e->name) & (nb - 1);

            next = e->next;
            e->next = b[k];
            b[k] = e;
        }
    }
    free(t->b);
    t->b = b;
    t->nb = nb;
}

void vsw_names_add(struct vsw_names *t, struct vsw_name *e)
{
    uint32_t k;

    if (t->n >= t->nb)
        names_grow(t);
    k = name_hash(e->name) & (t->nb - 1);
    e->next = t->b[k];
    t->b[k] = e;
    t->n++;
}

void vsw_names_del(struct vsw_names *t, struct vsw_name *e)
{
    struct vsw_name **pp = &t->b[name_hash(e->name) & (t->nb - 1)];

    while (*pp && *pp != e)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = e->next;
        t->n--;
    }
}
