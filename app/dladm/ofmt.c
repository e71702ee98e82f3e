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
    /* Take one row of o->nfields values (human: kept until the flush). */
    void (*row)(struct ofmt *o, char **v);
    /* Print what is kept (NULL: nothing is). */
    void (*flush)(struct ofmt *o);
};

struct ofmt {
    const struct ofmt_ops *ops;
    const struct ofmt_field *f[OFMT_MAXFIELDS];
    unsigned nfields;
    bool header_done;
    ofmt_cb *cb;
    char **rows; /* human: nrows * nfields values, kept until the flush */
    size_t nrows, cap;
};

static void human_row(struct ofmt *o, char **v)
{
    unsigned i;

    if (o->nrows == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        char **rows = realloc(o->rows, cap * o->nfields * sizeof(*rows));

        if (!rows) { /* print what we have, then this row alone */
            o->ops->flush(o);
            if (o->cap == 0)
                return;
        } else {
            o->rows = rows;
            o->cap = cap;
        }
    }
    for (i = 0; i < o->nfields; i++)
        o->rows[o->nrows * o->nfields + i] = v[i];
    o->nrows++;
}

/* One line: every column but the last padded to @w. */
static void human_line(struct ofmt *o, const unsigned *w, char *const *v)
{
    unsigned i;

    for (i = 0; i + 1 < o->nfields; i++)
        printf("%-*s", (int)w[i], v[i]);
    printf("%s\n", v[o->nfields - 1]);
}

/*
 * The header (once) and the kept rows, each column as wide as its field's
 * width or its widest value and one space, so that a long value never
 * pushes the columns after it out of line.
 */
static void human_flush(struct ofmt *o)
{
    unsigned w[OFMT_MAXFIELDS], i;
    char *names[OFMT_MAXFIELDS];
    size_t r;

    if (o->nrows == 0) /* no rows, no header: as illumos */
        return;
    for (i = 0; i < o->nfields; i++) {
        names[i] = (char *)o->f[i]->name;
        w[i] = o->f[i]->width;
        if (strlen(names[i]) + 1 > w[i])
            w[i] = (unsigned)strlen(names[i]) + 1;
        for (r = 0; r < o->nrows; r++) {
            size_t len = strlen(o->rows[r * o->nfields + i]);

            if (len + 1 > w[i])
                w[i] = (unsigned)len + 1;
        }
    }
    if (!o->header_done)
        human_line(o, w, names);
    o->header_done = true;
    for (r = 0; r < o->nrows; r++) {
        human_line(o, w, &o->rows[r * o->nfields]);
        for (i = 0; i < o->nfields; i++)
            free(o->rows[r * o->nfields + i]);
    }
    o->nrows = 0;
}

static void parsable_row(struct ofmt *o, char **v)
{
    unsigned i;
    const char *c;

    for (i = 0; i < o->nfields; i++) {
        for (c = v[i]; *c; c++) {
            if (o->nfields > 1 && (*c == ':' || *c == '\\'))
                putchar('\\');
            putchar(*c);
        }
        putchar(i + 1 == o->nfields ? '\n' : ':');
        free(v[i]);
    }
}

static const struct ofmt_ops human_ops = {human_row, human_flush};
static const struct ofmt_ops parsable_ops = {parsable_row, NULL};

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
    char buf[OFMT_VALSIZ], *v[OFMT_MAXFIELDS];
    unsigned i;

    for (i = 0; i < o->nfields; i++) {
        buf[0] = '\0';
        o->cb(o->f[i]->id, row, buf, sizeof(buf));
        v[i] = strdup(buf);
        if (!v[i]) {
            fputs("dladm: insufficient memory\n", stderr);
            exit(1);
        }
    }
    o->ops->row(o, v);
}

void ofmt_flush(struct ofmt *o)
{
    if (o->ops->flush)
        o->ops->flush(o);
}

void ofmt_rearm(struct ofmt *o)
{
    ofmt_flush(o);
    o->header_done = false;
}

void ofmt_close(struct ofmt *o)
{
    ofmt_flush(o);
    free(o->rows);
    free(o);
}
