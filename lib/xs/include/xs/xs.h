/* SPDX-License-Identifier: MIT */
/*
 * xvm/xs.h - a xenstore client speaking Xen's xs_wire protocol over a Unix
 * stream socket (xvmd's xenstored, or the standalone `xenstored`).
 *
 * Requests are synchronous: each call sends one message and waits for its
 * reply.  Watch events (WATCH_EVENT) may arrive at any time; those that
 * arrive while a call waits for its reply are queued, and
 * xvm_xs_event_next() hands out queued and newly arrived events without
 * blocking.  An event loop polls xvm_xs_fd() for POLLIN, but must first
 * drain xvm_xs_event_next() until it returns 0: a queued event does not
 * make the fd readable.
 *
 * Replies are checked before use: the header must echo the request's type
 * (or be ERROR) and req_id, the payload may not exceed
 * XENSTORE_PAYLOAD_MAX, and string payloads must carry their NULs.  A
 * reply that breaks these rules (or a connection that closes) leaves the
 * stream unusable: the call fails with -EPROTO (or -EPIPE) and so does
 * every later call.  An ERROR reply carries an errno name ("ENOENT") and
 * becomes that negative errno; an unknown name becomes -EIO.
 *
 * Paths are absolute or relative to the connection's domain home
 * (/local/domain/<domid>), as the server resolves them.  @tx is a
 * transaction id from xvm_xs_transaction_start(), or XVM_XS_NO_TX.
 *
 * Threads: a handle belongs to one thread at a time.
 */
#ifndef XVM_XS_H
#define XVM_XS_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The "no transaction" id. */
#define XVM_XS_NO_TX 0u
/** Watch events kept queued at most; see xvm_xs_event_next(). */
#define XVM_XS_EVENTS_MAX 1024u
/** Watches one connection may set (xvm_xs_watch()): half the queue, so
 *  that an overflow always has room for one event per watch. */
#define XVM_XS_WATCHES_MAX (XVM_XS_EVENTS_MAX / 2)

/** Permission bits of one entry: Xen's n, r, w and b. */
#define XVM_XS_PERM_NONE 0u
#define XVM_XS_PERM_READ 1u
#define XVM_XS_PERM_WRITE 2u
#define XVM_XS_PERM_BOTH (XVM_XS_PERM_READ | XVM_XS_PERM_WRITE)

/** One permission entry; the first of a list names the owner. */
struct xvm_xs_perm {
    uint16_t domid;
    uint8_t perm; /**< XVM_XS_PERM_* */
};

/** A watch event: one allocation, release it with free(). */
struct xvm_xs_event {
    const char *path;  /**< the node that changed (or the watched path);
                            never empty */
    const char *token; /**< the token given to xvm_xs_watch() */
};

struct xvm_xs;

/**
 * Connect to the xenstored listening on Unix socket @sock_path.
 * @return a handle, or NULL with errno (ENAMETOOLONG, ENOMEM, or connect's).
 */
XVN_EXPORT
struct xvm_xs *xvm_xs_open(const char *sock_path);

/**
 * Use @fd, an already-connected stream socket (xvmd hands a guest one bound
 * to its domain id).  On success the handle owns @fd and sets O_NONBLOCK and
 * FD_CLOEXEC on it; on failure @fd stays the caller's.
 * @return a handle, or NULL with errno (EBADF, ENOMEM).
 */
XVN_EXPORT
struct xvm_xs *xvm_xs_adopt(int fd);

/** Close the socket and free everything, queued events too.  Accepts
 *  NULL. */
XVN_EXPORT
void xvm_xs_close(struct xvm_xs *xs);

/** The socket, to poll for POLLIN (watch events). */
XVN_EXPORT
int xvm_xs_fd(const struct xvm_xs *xs);

/**
 * Read @path: *@value is a malloc'ed copy of the value with a NUL appended
 * (the value itself may hold NULs: *@len, which may be NULL, excludes the
 * appended one).  Free it with free().
 * @return 0 or -errno (-ENOENT, -EACCES, ...).
 */
XVN_EXPORT
int xvm_xs_read(struct xvm_xs *xs, uint32_t tx, const char *path,
                char **value, size_t *len);

/**
 * Read @path as a decimal number, strictly (see xvm_xs_parse_uint()).
 * @return 0, -ENOENT, -EINVAL (not a plain decimal), -ERANGE (> @max), or
 *         another -errno from the read.
 */
XVN_EXPORT
int xvm_xs_read_uint(struct xvm_xs *xs, uint32_t tx, const char *path,
                     uint64_t max, uint64_t *out);

/**
 * Parse @len bytes at @s as an unsigned decimal: digits only (no sign, no
 * space, no trailing junk, no leading zero unless the value is "0"), at
 * most @max.  Meant for values a guest wrote.
 * @return 0, -EINVAL, or -ERANGE.
 */
XVN_EXPORT
int xvm_xs_parse_uint(const char *s, size_t len, uint64_t max,
                      uint64_t *out);

/** Write @len bytes of @value at @path (creating missing parents). */
XVN_EXPORT
int xvm_xs_write(struct xvm_xs *xs, uint32_t tx, const char *path,
                 const void *value, size_t len);

/** Write a NUL-terminated string (without its NUL). */
XVN_EXPORT
int xvm_xs_write_str(struct xvm_xs *xs, uint32_t tx, const char *path,
                     const char *value);

/** Create @path with an empty value if it does not exist. */
XVN_EXPORT
int xvm_xs_mkdir(struct xvm_xs *xs, uint32_t tx, const char *path);

/** Remove @path and everything below it. */
XVN_EXPORT
int xvm_xs_rm(struct xvm_xs *xs, uint32_t tx, const char *path);

/**
 * List the children of @path: *@names is one malloc'ed block holding *@n
 * pointers followed by the strings they point to; free(*@names) once.
 */
XVN_EXPORT
int xvm_xs_directory(struct xvm_xs *xs, uint32_t tx, const char *path,
                     char ***names, unsigned *n);

/**
 * Get the permission list of @path: *@perms is a malloc'ed array of *@n
 * (>= 1) entries.  An entry the server sends malformed fails with -EPROTO.
 */
XVN_EXPORT
int xvm_xs_get_perms(struct xvm_xs *xs, uint32_t tx, const char *path,
                     struct xvm_xs_perm **perms, unsigned *n);

/** Replace the permission list of @path (1 to 256 entries). */
XVN_EXPORT
int xvm_xs_set_perms(struct xvm_xs *xs, uint32_t tx, const char *path,
                     const struct xvm_xs_perm *perms, unsigned n);

/** Start a transaction; *@tx receives its id (never XVM_XS_NO_TX). */
XVN_EXPORT
int xvm_xs_transaction_start(struct xvm_xs *xs, uint32_t *tx);

/**
 * End transaction @tx, committing it if @commit.
 * @return 0; -EAGAIN if the commit lost to a conflicting change (nothing
 *         was written: start again); or -errno.
 */
XVN_EXPORT
int xvm_xs_transaction_end(struct xvm_xs *xs, uint32_t tx, bool commit);

/**
 * Introduce domain @domid to the xenstored with @fd, the daemon's end of
 * the domain's connection (a stream socket; the other end is the
 * domain's).  Only dom0 may; the daemon keeps its own copy of @fd, the
 * caller closes its one.  There are no rings: the request carries
 * mfn 0 and port 0.  @return 0, -EEXIST (already introduced), -errno.
 */
XVN_EXPORT
int xvm_xs_introduce(struct xvm_xs *xs, unsigned domid, int fd);

/** Release domain @domid: its connection is closed, @releaseDomain
 * fires.  @return 0, -ENOENT (not introduced), -errno. */
XVN_EXPORT
int xvm_xs_release(struct xvm_xs *xs, unsigned domid);

/** The home path of @domid ("/local/domain/<domid>"), malloc'ed. */
XVN_EXPORT
int xvm_xs_get_domain_path(struct xvm_xs *xs, unsigned domid, char **path);

/**
 * Watch @path (and everything below it) with @token.  The server fires the
 * watch once at once; that event, like every other, comes out of
 * xvm_xs_event_next().  The client remembers its watches (for an
 * overflow, see xvm_xs_event_next()).
 * @return 0, -E2BIG (XVM_XS_WATCHES_MAX are set), or -errno.
 */
XVN_EXPORT
int xvm_xs_watch(struct xvm_xs *xs, const char *path, const char *token);

/** Remove the watch set with the same @path and @token. */
XVN_EXPORT
int xvm_xs_unwatch(struct xvm_xs *xs, const char *path, const char *token);

/**
 * Take the next watch event without blocking: a queued one first, else one
 * that is already readable on the socket.  An event identical to one still
 * queued is dropped (a watcher re-reads the node anyway).  When
 * XVM_XS_EVENTS_MAX are queued and another arrives, the queue overflows:
 * its events are dropped (counted in xvm_xs_events_dropped()) and
 * replaced by one event per watch set, whose path is the watched path
 * itself, exactly as when the watch was set.  A user must take such an
 * event as "anything below may have changed" and re-read what it watches
 * there (that is how it started): no change goes unseen.
 * @return 1 with *@ev set (free() it), 0 if none is waiting, or -errno
 *         (-EPROTO, -EPIPE: the connection is unusable).
 */
XVN_EXPORT
int xvm_xs_event_next(struct xvm_xs *xs, struct xvm_xs_event **ev);

/** True if xvm_xs_event_next() has an event to hand out without reading
 *  the socket: queued, or whole in what a reply's read brought in behind
 *  the reply (the socket does not become readable again for it). */
XVN_EXPORT
bool xvm_xs_event_pending(const struct xvm_xs *xs);

/** Events dropped because the queue was full. */
XVN_EXPORT
uint64_t xvm_xs_events_dropped(const struct xvm_xs *xs);

#ifdef __cplusplus
}
#endif

#endif /* XVM_XS_H */
