/* SPDX-License-Identifier: MIT */
/*
 * xs/xenbus.h - what every xenbus state machine needs, frontend or
 * backend: reading the keys of a device directory strictly (the other end
 * is another domain, so its values are hostile input), writing keys,
 * switching this end's XenbusState with the write, the fatal-error path
 * (error node, then Closing) and finding the other end.
 *
 * struct xvm_xs_dev is one end of one device.  Its owner keeps the
 * protocol (which key means what, when to connect); this module keeps the
 * mechanics both ends share.
 *
 * Threads: the thread that owns the xenstore connection.
 */
#ifndef XS_XENBUS_H
#define XS_XENBUS_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvm/xen.h"

#include <xen/io/xenbus.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xvm_xs;

/** Longest device path accepted (Xen's are far shorter), NUL included. */
#define XVM_XS_DEV_PATH_MAX 256u

/**
 * Write "<@dir>/<@key>" into @buf of @size bytes.
 * @return 0 or -ENAMETOOLONG.
 */
XVN_EXPORT
int xvm_xs_key_path(char *buf, size_t size, const char *dir, const char *key);

/**
 * Read <@dir>/<@key> as an unsigned decimal, strictly (xvm_xs_parse_uint():
 * digits only, no sign, space, leading zero or trailing junk).
 * @return 0, -ENOENT, -EINVAL (not a plain decimal), -ERANGE (> @max),
 *         -ENAMETOOLONG, or another -errno from the read.
 */
XVN_EXPORT
int xvm_xs_read_key_uint(struct xvm_xs *xs, const char *dir, const char *key,
                         uint64_t max, uint64_t *out);

/**
 * Read a "0"/"1" key; a missing key reads as @dflt.
 * @return 0, -EINVAL (anything but "0" or "1"), or -errno from the read.
 */
XVN_EXPORT
int xvm_xs_read_key_bool(struct xvm_xs *xs, const char *dir, const char *key,
                         bool dflt, bool *out);

/**
 * Read a string key whole into @out (@cap bytes): not empty, no NUL
 * inside, shorter than @cap.
 * @return 0, -EINVAL, or -errno from the read.
 */
XVN_EXPORT
int xvm_xs_read_key_str(struct xvm_xs *xs, const char *dir, const char *key,
                        char *out, size_t cap);

/**
 * Write <@dir>/<@key> = the printf-formatted value (at most 63 bytes).
 * @tx is a transaction or XVM_XS_NO_TX.
 * @return 0, -ENAMETOOLONG, or -errno from the write.
 */
XVN_EXPORT
int xvm_xs_write_key(struct xvm_xs *xs, uint32_t tx, const char *dir,
                     const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/**
 * Read the XenbusState at <@dir>/state: Unknown when missing.
 * @return 0, -EINVAL (not a state number), or -errno from the read.
 */
XVN_EXPORT
int xvm_xs_read_state(struct xvm_xs *xs, const char *dir,
                      enum xenbus_state *st);

/**
 * Run @fn(@arg, tx) inside a transaction and commit it; start again while
 * the commit loses to another writer (-EAGAIN), up to 16 times.  When @fn
 * fails the transaction is abandoned.
 * @return 0, @fn's -errno, -EAGAIN after the last try, or -errno.
 */
XVN_EXPORT
int xvm_xs_transact(struct xvm_xs *xs, int (*fn)(void *arg, uint32_t tx),
                    void *arg);

/** One end of one xenbus device. */
struct xvm_xs_dev {
    struct xvm_xs *xs;       /**< the connection (the owner keeps it) */
    /**
     * The allowed transitions: bit (1 << to) of allowed[from], for from
     * and to up to XenbusStateReconfigured.
     */
    const uint16_t *allowed;
    enum xenbus_state state; /**< this end's state as last written */
    bool live;               /**< the owner holds a connection */
    /**
     * Called when the state leaves Connected's side while live: the
     * owner tears its connection down (live is then false).  NULL for a
     * device that never connects (one refused at once).
     */
    void (*disconnect)(void *owner);
    void *owner;
    uint16_t otherend_id;                /**< from xvm_xs_dev_otherend() */
    char path[XVM_XS_DEV_PATH_MAX];     /**< this end's directory */
    char otherend[XVM_XS_DEV_PATH_MAX]; /**< the other end's directory */
};

/**
 * Set up @dev for the device directory @path (absolute, no trailing '/',
 * shorter than XVM_XS_DEV_PATH_MAX) in state @initial.  Nothing is written.
 * @return 0 or -EINVAL.
 */
XVN_EXPORT
int xvm_xs_dev_init(struct xvm_xs_dev *dev, struct xvm_xs *xs,
                    const char *path, const uint16_t *allowed,
                    enum xenbus_state initial,
                    void (*disconnect)(void *owner), void *owner);

/**
 * Read the toolstack's pointer to the other end: the domain id at
 * <path>/@id_key (below DOMID_FIRST_RESERVED) and the directory at
 * <path>/@path_key, which must lie under that domain's home
 * (/local/domain/<id>/) so a bad entry cannot point at another domain's
 * nodes.
 * @return 0, -EINVAL, or -errno from the reads.
 */
XVN_EXPORT
int xvm_xs_dev_otherend(struct xvm_xs_dev *dev, const char *path_key,
                        const char *id_key);

/**
 * The one place this end's state changes: refuse a transition that
 * dev->allowed does not list (-EINVAL); leaving Connected while live
 * calls dev->disconnect first; write "state" (with @keys(@arg, tx) in one
 * transaction when @keys is not NULL, see xvm_xs_transact()), then record
 * the new state.  Switching to the current state does nothing.
 * @return 0 or -errno.
 */
XVN_EXPORT
int xvm_xs_dev_switch(struct xvm_xs_dev *dev, enum xenbus_state to,
                      int (*keys)(void *arg, uint32_t tx), void *arg);

/**
 * The directory that holds the error node of the device at @path: for
 * /local/domain/<id>/<rest> it is /local/domain/<id>/error/<rest> (for a
 * relative @path, error/<path> relative to the connection's home).
 * @return 0 or -ENAMETOOLONG.
 */
XVN_EXPORT
int xvm_xs_error_dir(char *buf, size_t size, const char *path);

/**
 * A fatal device error, as Linux's xenbus_dev_fatal: write
 * "<errno> <message>" to the "error" key of xvm_xs_error_dir() (best
 * effort), then switch to Closing.
 * @return what the switch returned.
 */
XVN_EXPORT
int xvm_xs_dev_fatal(struct xvm_xs_dev *dev, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* XS_XENBUS_H */
