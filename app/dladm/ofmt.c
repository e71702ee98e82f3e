/* SPDX-License-Identifier: MIT */
/* Human and parsable table output (ofmt.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofmt.h"

#define OFMT_MAXFIELDS 16
#define OFMT_VALSIZ 1024

struct ofmt_ops {
    /* Print the header line (NULL: the format has none). */
    void (*header)(struct ofmt *o);
    /* Print field @i (of o->nfields) with value @v. */
    void (*field)(struct ofmt *o, unsigned i, const char *v);
};

struct ofmt {
    const struct ofmt_ops *ops;
    const struct ofmt_field *f[OFMT_MAXFIELDS];
    unsigned nfields;
    unsigned overflow; /* human: columns pushed right so far */
    bool header_done;
    ofmt_cb *cb;
};

static void human_field(struct ofmt *o, unsigned i, const char *v)
{
    unsigned width = o->f[i]->width, len = (unsigned)strlen(v);

    if (i + 1 == o->nfields) {
        printf("%s\n", v);
        o->overflow = 0;
        return;
    }
    if (len + o->overflow >= width) {
        o->overflow += len - width + 1;
        printf("%s ", v);
        return;
    }
    if (o->overflow) {
        unsigned give = o->overflow < width - len ? o->overflow : width - len;

        o->overflow -= give;
        width -= give;
    }
    printf("%-*s", (int)width, v);
}

static void human_header(struct ofmt *o)
{
    unsigned i;

    for (i = 0; i < o->nfields; i++)
        human_field(o, i, o->f[i]->name);
}

static void parsable_field(struct ofmt *o, unsigned i, const char *v)
{
    for (; *v; v++) {
        if (o->nfields > 1 && (*v == ':' || *v == '\\'))
            putchar('\\');
        putchar(*v);
    }
    putchar(i + 1 == o->nfields ? '\n' : ':');
}

static const struct ofmt_ops human_ops = {human_header, human_field};
static const struct ofmt_ops parsable_ops = {NULL, parsable_field};

static const struct ofmt_field *field_find(const struct ofmt_field *tbl,
                                           const char *name, size_t len)
{
    for (; tbl->name; tbl++)
        if (strlen(tbl->name) == len && strncasecmp(tbl->name, name, len) == 0)
            return tbl;
    return NULL;
}

struct ofmt *ofmt_open(const char *list, const char *defaults,
                       const struct ofmt_field *tbl, bool parsable,
                       ofmt_cb *cb)
{
    struct ofmt *o = calloc(1, sizeof(*o));

    if (!o)
        return NULL;
    if (!list || strcasecmp(list, "all") == 0)
        list = defaults;
    o->ops = parsable ? &parsable_ops : &human_ops;
    o->cb = cb;
    while (*list) {
        size_t len = strcspn(list, ",");
        const struct ofmt_field *f = field_find(tbl, list, len);

        if (!f || o->nfields == OFMT_MAXFIELDS) {
            free(o);
            return NULL;
        }
        o->f[o->nfields++] = f;
        list += len;
        if (*list == ',')
            list++;
    }
    if (o->nfields == 0) {
        free(o);
        return NULL;
    }
    return o;
}

void ofmt_print(struct ofmt *o, const void *row)
{
    char v[OFMT_VALSIZ];
    unsigned i;

    if (!o->header_done && o->ops->header)
        o->ops->header(o);
    o->header_done = true;
    for (i = 0; i < o->nfields; i++) {
        v[0] = '\0';
        o->cb(o->f[i]->id, row, v, sizeof(v));
        o->ops->field(o, i, v);
    }
}

void ofmt_rearm(struct ofmt *o)
{
    o->header_done = false;
}

void ofmt_close(struct ofmt *o)
{
    free(o);
}
