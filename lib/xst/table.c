/* SPDX-License-Identifier: MIT */
/*
 * A string-keyed hash table with linear probing.  Keys belong to the values
 * (a node's or shadow's path), so the table stores pointers only.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "xst_pvt.h"
#include "xvm/hash.h"

#define TABLE_MIN_CAP 16u

/*
 * FNV-1a started from a per-table random basis.  Guests choose node names;
 * a fixed hash would let them pile entries into one probe run.
 */
static uint64_t table_hash(const struct xst_table *t, const char *key)
{
    uint64_t h = xvm_fnv1a_str(XVM_FNV1A_BASIS ^ t->seed, key);

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

int xst_table_init(struct xst_table *t)
{
    memset(t, 0, sizeof(*t));
    if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
        (ssize_t)sizeof(t->seed))
        t->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)t;
    t->slots = calloc(TABLE_MIN_CAP, sizeof(*t->slots));
    if (!t->slots)
        return -ENOMEM;
    t->mask = TABLE_MIN_CAP - 1;
    return 0;
}

void xst_table_fini(struct xst_table *t)
{
    free(t->slots);
    t->slots = NULL;
    t->used = 0;
}

static size_t table_find(const struct xst_table *t, const char *key, uint64_t h)
{
    size_t i = h & t->mask;

    while (t->slots[i].key &&
           (t->slots[i].hash != h || strcmp(t->slots[i].key, key) != 0))
        i = (i + 1) & t->mask;
    return i;
}

void *xst_table_get(const struct xst_table *t, const char *key)
{
    size_t i = table_find(t, key, table_hash(t, key));

    return t->slots[i].key ? t->slots[i].val : NULL;
}

static int table_grow(struct xst_table *t)
{
    size_t cap = (t->mask + 1) * 2, i;
    struct xst_table_slot *old = t->slots, *slots;
    size_t old_cap = t->mask + 1;

    slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    t->slots = slots;
    t->mask = cap - 1;
    for (i = 0; i < old_cap; i++) {
        size_t j;

        if (!old[i].key)
            continue;
        j = old[i].hash & t->mask;
        while (slots[j].key)
            j = (j + 1) & t->mask;
        slots[j] = old[i];
    }
    free(old);
    return 0;
}

int xst_table_put(struct xst_table *t, const char *key, void *val)
{
    uint64_t h = table_hash(t, key);
    size_t i = table_find(t, key, h);

    if (t->slots[i].key) {
        t->slots[i].key = key;
        t->slots[i].val = val;
        return 0;
    }
    /* Keep the load under 3/4 so probe runs stay short. */
    if ((t->used + 1) * 4 > (t->mask + 1) * 3) {
        if (table_grow(t) < 0)
            return -ENOMEM;
        i = table_find(t, key, h);
    }
    t->slots[i].hash = h;
    t->slots[i].key = key;
    t->slots[i].val = val;
    t->used++;
    return 0;
}

/* Backward-shift deletion: no tombstones, so lookups never slow down. */
void *xst_table_del(struct xst_table *t, const char *key)
{
    size_t i = table_find(t, key, table_hash(t, key)), j;
    void *val = t->slots[i].val;

    if (!t->slots[i].key)
        return NULL;
    j = i;
    for (;;) {
        size_t home;

        j = (j + 1) & t->mask;
        if (!t->slots[j].key)
            break;
        home = t->slots[j].hash & t->mask;
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i].key = NULL;
    t->slots[i].val = NULL;
    t->used--;
    return val;
}

void *xst_table_next(const struct xst_table *t, size_t *it)
{
    while (t->slots && *it <= t->mask) {
        const struct xst_table_slot *sl = &t->slots[(*it)++];

        if (sl->key)
            return sl->val;
    }
    return NULL;
}
