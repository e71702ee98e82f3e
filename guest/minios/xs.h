/* SPDX-License-Identifier: MIT */
/*
 * minios: a xenstore client over the ring the monitor relays (Xen's
 * struct xenstore_domain_interface and xs_wire messages).  Synchronous,
 * one request at a time, no transactions, no watches.  Paths are
 * relative to the domain's home or absolute.
 */
#ifndef MINIOS_XS_H
#define MINIOS_XS_H

#include <stddef.h>
#include <stdint.h>

/** Name the ring to the monitor.  0, or -ENODEV: no xenstore. */
int xs_init(void);

/** Read @path into @buf (@cap bytes, NUL-terminated).
 *  @return its length, -ENOENT, -E2BIG, or another negative errno. */
int xs_read(const char *path, char *buf, size_t cap);

/** Read @path as a decimal number no larger than @max: 0 or < 0. */
int xs_read_uint(const char *path, uint64_t max, uint64_t *v);

/** Write @value at @path.  0 or a negative errno. */
int xs_write(const char *path, const char *value);

#endif /* MINIOS_XS_H */
