/* SPDX-License-Identifier: MIT */
/*
 * Output of the show-* subcommands, after illumos ofmt: a table of
 * fields (name, width), a callback that writes one field of one row, and
 * two output formats behind an ops table:
 *  - human: a header, then the rows, each column padded to its width or
 *    its widest value (rows are kept until ofmt_flush(), so a long value
 *    widens its column instead of pushing the line out of step), the
 *    last column unpadded;
 *  - parsable (-p): only the fields asked for, no header, separated by
 *    ':'; with more than one field, ':' and '\' in values are escaped
 *    with '\'.
 */
#ifndef DLADM_OFMT_H
#define DLADM_OFMT_H

#include <stdbool.h>
#include <stddef.h>

struct ofmt_field {
    const char *name; /* upper case, as in the header */
    unsigned width;   /* column width, separator included */
    int id;           /* passed to the callback */
};

/* Write field @id of @row into @buf ("" is printed as is). */
typedef void ofmt_cb(int id, const void *row, char *buf, size_t len);

struct ofmt;

/*
 * Select the fields of @tbl (ended by a NULL name) named in @list (comma
 * separated, any case; NULL or "all": @defaults, which is such a list).
 * @return the formatter, or NULL when a field is unknown.
 */
struct ofmt *ofmt_open(const char *list, const char *defaults,
                       const struct ofmt_field *tbl, bool parsable,
                       ofmt_cb *cb);
/* Print one row (the header first, once, in human form). */
void ofmt_print(struct ofmt *o, const void *row);
/* Print the rows kept so far (human form; ofmt_close() does it too). */
void ofmt_flush(struct ofmt *o);
/* Flush, and print the header again before the next row (-i repeats). */
void ofmt_rearm(struct ofmt *o);
void ofmt_close(struct ofmt *o);

#endif
