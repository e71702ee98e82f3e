/* SPDX-License-Identifier: MIT */
/*
 * xst/xenstore.h - a xenstore daemon that speaks Xen's xs_wire protocol.
 *
 * libxst keeps the xenstore tree (nodes with a value, a permission list and
 * a generation), serves clients over stream sockets with the message
 * format of <xen/io/xs_wire.h>, and lets its embedder (xvmd) read and write
 * the tree directly as dom0.
 *
 * Identity.  Every connection is bound to a domain id by whoever created
 * it, never by anything the client says:
 *   - connections accepted on the server's listening socket are dom0 (the
 *     socket is mode 0600, and peers whose uid is neither 0 nor ours are
 *     refused);
 *   - xst_server_add_conn() binds an already-connected socket to a domain.
 * Domain 0 is privileged: it bypasses permission checks and quotas on
 * watches, transactions, nodes and value sizes.  Every other domain is a
 * hostile client: it reads and writes only what the node permissions allow
 * and is held to the quotas of struct xst_config.
 *
 * Semantics follow Xen's docs/misc/xenstore.txt: WRITE and MKDIR create
 * missing parents; a new node inherits its parent's permissions, except that
 * a node created by an unprivileged domain is owned by that domain; RM
 * removes a subtree; SET_PERMS is for the owner (or dom0), and only dom0 may
 * hand a node to another owner; relative paths resolve under
 * /local/domain/<domid>; transactions are optimistic and a commit fails with
 * EAGAIN when any node the transaction read or wrote was changed meanwhile;
 * a watch fires once when set, then for every change to its path or below
 * (and for the removal of an ancestor), and @introduceDomain /
 * @releaseDomain fire on xst_domain_introduce() / xst_domain_release().
 * Change events for a node only go to connections that may read it (the
 * event a watch fires when it is set always goes); @introduceDomain and
 * @releaseDomain only ever fire for privileged connections.
 *
 * Threads.  A server belongs to one thread: every function below that takes
 * a server must be called from the thread that calls xst_server_dispatch().
 */
#ifndef XST_XENSTORE_H
#define XST_XENSTORE_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XVN_EXPORT __attribute__((visibility("default")))

/** Permission bits of one permission entry: Xen's n, r, w and b. */
#define XST_PERM_NONE 0u
#define XST_PERM_READ 1u
#define XST_PERM_WRITE 2u
#define XST_PERM_BOTH (XST_PERM_READ | XST_PERM_WRITE)

/**
 * One entry of a node's permission list.  The first entry names the owner
 * (who may do anything) and, in @perm, what every domain not listed later
 * may do; each later entry grants @perm to domain @domid.
 */
struct xst_perm {
    uint16_t domid;
    uint8_t perm; /**< XST_PERM_* */
};

/** Most entries one permission list may hold. */
#define XST_PERMS_MAX 256u

/**
 * Server settings.  A zero member takes the default shown.  The quotas
 * bound what one unprivileged connection (or domain, for nodes) can make the
 * daemon hold; max_out_bytes applies to every connection.
 */
struct xst_config {
    unsigned max_watches;      /**< watches per connection (128) */
    unsigned max_transactions; /**< open transactions per connection (10) */
    unsigned max_nodes;        /**< nodes owned per domain (1000) */
    unsigned max_value;        /**< bytes in one value (2048): E2BIG */
    /**
     * Bytes of child names (each with its NUL) a guest may make one node's
     * list of children hold (4096, so it fits one DIRECTORY reply): adding
     * a child beyond fails with E2BIG.  With max_value it bounds what one
     * guest write copies.
     */
    size_t max_child_names;
    unsigned max_tx_nodes;     /**< nodes one transaction may touch (1024) */
    size_t max_tx_bytes;       /**< memory its node copies may hold (1 MiB) */
    /**
     * Bytes queued for one connection that its peer has not read yet
     * (256 KiB).  At half of it the server stops reading that
     * connection's requests until the peer catches up; a watch event that
     * would go beyond it closes the connection, so a client that never
     * reads its events cannot make the daemon grow.  A privileged
     * (dom0) connection is never closed for events a guest caused: those
     * count against that guest's max_guest_events instead.
     */
    size_t max_out_bytes;
    /**
     * Watch events one guest's changes may have queued for dom0's
     * connections that dom0 has not read yet (256).  At the limit the
     * server stops reading that guest's requests (logged) until dom0
     * catches up: the guest that makes the backends' watches fire waits,
     * dom0 is never dropped for it.
     */
    unsigned max_guest_events;
};

/** Counters and current sizes, for tests and for `xvm` diagnostics. */
struct xst_stats {
    unsigned conns;         /**< live connections */
    unsigned nodes;         /**< nodes in the committed tree */
    unsigned watches;       /**< watches of live connections */
    unsigned transactions;  /**< open transactions */
    size_t out_queued;      /**< bytes queued across all connections */
    uint64_t requests;      /**< messages handled */
    uint64_t errors;        /**< ERROR replies sent */
    uint64_t events;        /**< WATCH_EVENT messages queued */
    uint64_t conns_dropped; /**< connections closed for misbehaving */
    uint64_t guests_held;   /**< times a guest was made to wait for dom0 to
                                 read the watch events it caused */
};

struct xst_server;

/**
 * Create a server with the root node and /local/domain.  If @sock_path is
 * not NULL, listen on a Unix stream socket there (xvm_unix_listen(): mode
 * 0600, a stale socket nobody answers on is replaced; clients must be
 * root).  The server logs through xvm/log.h.
 * @return the server, or NULL with errno set (EADDRINUSE if another daemon
 *         answers on @sock_path, ENAMETOOLONG, or the errno of a syscall).
 */
XVN_EXPORT
struct xst_server *xst_server_create(const char *sock_path,
                                     const struct xst_config *cfg);

/** Close every connection, remove the socket, free everything.  Accepts
 *  NULL. */
XVN_EXPORT
void xst_server_destroy(struct xst_server *srv);

/**
 * A descriptor that becomes readable when xst_server_dispatch() has work
 * (an epoll fd: put it in your own poll/epoll set).
 */
XVN_EXPORT
int xst_server_fd(const struct xst_server *srv);

/**
 * Wait up to @timeout_ms (0: do not wait, -1: forever) for socket activity,
 * then accept, read, answer and write what is ready.  Never blocks on a
 * client.
 * @return the number of ready events handled (0 on timeout or EINTR), or
 *         -errno if epoll_wait failed.
 */
XVN_EXPORT
int xst_server_dispatch(struct xst_server *srv, int timeout_ms);

/**
 * Serve an already-connected stream socket as domain @domid (0 makes it
 * privileged).  The server owns @fd from then on and closes it when the
 * peer goes away, misbehaves, or the domain is released.
 * @return 0, -EINVAL (@domid is DOMID_FIRST_RESERVED or above), -EBADF, or
 *         -errno; on failure @fd stays the caller's.
 */
XVN_EXPORT
int xst_server_add_conn(struct xst_server *srv, int fd, uint16_t domid);

/** Fill @st with the server's counters. */
XVN_EXPORT
void xst_server_stats(const struct xst_server *srv,
                      struct xst_stats *st);

/*
 * Direct access as dom0, for the embedding daemon.  Paths are absolute.
 * Each call fires the watches the change triggers, exactly as the same
 * request from a dom0 client would.  They return 0 or a negative errno with
 * the meaning Xen gives it on the wire: -EINVAL (bad path), -ENOENT,
 * -E2BIG, -ENOMEM.
 */

/**
 * Read the value at @path into a malloc'ed buffer (*@value, NUL-terminated
 * for convenience; *@len excludes that NUL).  Free it with free().
 */
XVN_EXPORT
int xst_read(struct xst_server *srv, const char *path, char **value,
             size_t *len);

/** Set the value at @path, creating it and missing parents. */
XVN_EXPORT
int xst_write(struct xst_server *srv, const char *path,
              const void *value, size_t len);

/** Create @path (and parents) with an empty value if it is missing. */
XVN_EXPORT
int xst_mkdir(struct xst_server *srv, const char *path);

/**
 * Remove @path and everything below it.  A missing @path whose parent
 * exists is not an error; a missing parent is -ENOENT.
 */
XVN_EXPORT
int xst_rm(struct xst_server *srv, const char *path);

/**
 * List the children of @path: *@names is a malloc'ed buffer of *@len bytes
 * holding each child's name followed by a NUL.
 */
XVN_EXPORT
int xst_directory(struct xst_server *srv, const char *path,
                  char **names, size_t *len);

/** Replace the permission list of @path (1 to XST_PERMS_MAX entries). */
XVN_EXPORT
int xst_set_perms(struct xst_server *srv, const char *path,
                  const struct xst_perm *perms, unsigned n);

/**
 * Get the permission list of @path: *@perms is a malloc'ed array of *@n
 * entries.
 */
XVN_EXPORT
int xst_get_perms(struct xst_server *srv, const char *path,
                  struct xst_perm **perms, unsigned *n);

/**
 * Mark @domid as introduced and fire @introduceDomain.  xvmd creates the
 * domain's /local/domain/<domid> nodes itself, with the permissions it
 * wants.
 * @return 0, -EINVAL (@domid is 0 or reserved), -EEXIST (already
 *         introduced).
 */
XVN_EXPORT
int xst_domain_introduce(struct xst_server *srv, uint16_t domid);

/**
 * Forget @domid: close every connection bound to it (dropping its watches
 * and open transactions) and fire @releaseDomain.  The domain's nodes stay
 * until xvmd removes them.
 * @return 0, -EINVAL, -ENOENT (not introduced).
 */
XVN_EXPORT
int xst_domain_release(struct xst_server *srv, uint16_t domid);

#ifdef __cplusplus
}
#endif

#endif /* XST_XENSTORE_H */
