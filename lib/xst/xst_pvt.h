/* SPDX-License-Identifier: MIT */
/*
 * xst_pvt.h - libxst internals shared between its .c files.
 *
 * Layers, bottom up:
 *   table.c  string-keyed hash table
 *   path.c   path syntax, permission lists, errno names
 *   store.c  nodes, the committed tree, and the access layer that runs the
 *            same operation code on the committed tree or on a transaction
 *   ops.c    the xenstore operations with their permission and quota rules
 *   watch.c  watches and WATCH_EVENT delivery
 *   conn.c   one client socket: input framing, output queue
 *   wire.c   xs_wire message decoding and replies
 *   server.c the server, epoll loop, domains, direct dom0 API
 *
 * Everything runs on the server's one thread.  Non-static names carry the
 * xst_ prefix because the library is linked statically into other
 * programs.
 */
#ifndef XST_PVT_H
#define XST_PVT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvm/log.h"
#include "xvm/xen.h"
#include <xen/io/xs_wire.h>

#include "xst/xenstore.h"

/* Internal permission bit: the domain owns the node. */
#define XST_PERM_OWNER 4u

/* A buffer that holds any absolute path and its NUL. */
#define XST_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/* Longest watch token, so that any event fits a payload. */
#define XST_TOKEN_MAX (XENSTORE_PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX - 2)

/* Longest "/local/domain/<id>" plus its trailing '/'. */
#define XST_HOME_BUF 24

/* ---- table.c ------------------------------------------------------------ */

struct xst_table_slot {
    uint64_t hash;
    const char *key; /* NULL: free slot; points into the value */
    void *val;
};

struct xst_table {
    struct xst_table_slot *slots;
    size_t mask; /* capacity - 1, capacity a power of two */
    size_t used;
    uint64_t seed; /* per-table, so clients cannot aim at collisions */
};

int xst_table_init(struct xst_table *t);
void xst_table_fini(struct xst_table *t);
void *xst_table_get(const struct xst_table *t, const char *key);
/* Insert or replace; @key must stay valid while the entry exists. */
int xst_table_put(struct xst_table *t, const char *key, void *val);
void *xst_table_del(struct xst_table *t, const char *key);

/* Iterate: start with *@it = 0; NULL at the end.  No changes meanwhile. */
void *xst_table_next(const struct xst_table *t, size_t *it);

/* ---- path.c ------------------------------------------------------------- */

/* Validate @in and make it absolute for domain @domid into @out. */
int xst_path_resolve(uint16_t domid, const char *in, char out[XST_PATH_BUF]);
bool xst_path_is_valid(const char *abs);
/* True if @child is @parent or below it (Xen's definition). */
bool xst_path_is_child(const char *child, const char *parent);
/* Length of the parent of the @len-byte path @p ("/" for "/a"). */
size_t xst_path_parent_len(const char *p, size_t len);
/* "/local/domain/<domid>/" into @buf; returns its length. */
size_t xst_path_home(uint16_t domid, char buf[XST_HOME_BUF]);

int xst_perm_parse(const char *s, struct xst_perm *out);
/* Format one entry ("b12") into @buf, NUL included; returns bytes used. */
size_t xst_perm_format(const struct xst_perm *p, char *buf, size_t cap);
/* XST_PERM_* bits (plus XST_PERM_OWNER) @domid has under @perms. */
unsigned xst_perm_for(const struct xst_perm *perms, unsigned n, uint16_t domid);
int xst_domid_parse(const char *s, uint16_t *out);
const char *xst_errno_name(int err);

/* ---- store.c ------------------------------------------------------------ */

struct xst_node {
    char *path;
    uint64_t gen; /* bumped by every change, including to the children */
    struct xst_perm *perms;
    unsigned nperms;
    char *value;
    size_t vlen;
    const char *children; /* each child's name followed by a NUL */
    size_t clen;
    struct xst_kids *kids; /* holds children; shared with copies */
};

struct xst_node *xst_node_new(const char *path, const struct xst_perm *perms,
                              unsigned nperms);
struct xst_node *xst_node_clone(const struct xst_node *n);
void xst_node_free(struct xst_node *n);
int xst_node_set_value(struct xst_node *n, const void *v, size_t len);
int xst_node_set_perms(struct xst_node *n, const struct xst_perm *p,
                       unsigned np);
/* Adding or removing a child makes the node a new list: 0 or -ENOMEM. */
int xst_node_add_child(struct xst_node *n, const char *name, size_t len);
int xst_node_del_child(struct xst_node *n, const char *name, size_t len);

static inline uint16_t xst_node_owner(const struct xst_node *n)
{
    return n->perms[0].domid;
}

/* The committed tree. */
struct xst_store {
    struct xst_table nodes; /* path -> struct xst_node */
    uint64_t gen;           /* last generation handed out */
    uint32_t *owned;        /* nodes owned, per domain id (65536) */
};

int xst_store_init(struct xst_store *s);
void xst_store_fini(struct xst_store *s);
const struct xst_node *xst_store_get(const struct xst_store *s,
                                     const char *path);
/* Takes @n in all cases; gives it a new generation. */
int xst_store_put(struct xst_store *s, struct xst_node *n);
void xst_store_del(struct xst_store *s, const char *path);

/* A transaction: copies of every node it touched, and their generations
 * when first touched. */
struct xst_txn {
    struct xst_txn *next;
    uint32_t id;
    struct xst_table shadows; /* path -> struct xst_shadow */
    int err;                  /* an operation failed half way: commit fails */
    long own_delta;           /* nodes the connection's domain gains */
    size_t bytes;             /* memory its copies hold */
};

enum { XST_FIRE_NONE, XST_FIRE_NODE, XST_FIRE_TREE };

struct xst_shadow {
    char *path;
    struct xst_node *node; /* state inside the transaction; NULL: absent */
    uint64_t base_gen;     /* generation when first touched; 0: absent */
    bool dirty;
    uint8_t fire; /* XST_FIRE_*: watches to fire on commit */
};

struct xst_server;

/* Who runs an operation, and on which tree. */
struct xst_access {
    struct xst_server *srv;
    struct xst_txn *tx; /* NULL: the committed tree */
    uint16_t domid;
    bool priv;
};

/* 0 with *@out set, -ENOENT, or -ENOSPC/-ENOMEM in a transaction. */
int xst_acc_get(struct xst_access *a, const char *path,
                const struct xst_node **out);
/* Store @n (taken in all cases). */
int xst_acc_put(struct xst_access *a, struct xst_node *n);
int xst_acc_del(struct xst_access *a, const char *path);
/* Note that @path changed (@tree: removed with its subtree); @n holds the
 * permissions that decide who hears of it. */
void xst_acc_changed(struct xst_access *a, const char *path, bool tree,
                     const struct xst_node *n);

struct xst_txn *xst_txn_new(uint32_t id);
void xst_txn_free(struct xst_txn *tx);
int xst_txn_commit(struct xst_access *a);

/* ---- ops.c -------------------------------------------------------------- */

int xst_op_read(struct xst_access *a, const char *path,
                const struct xst_node **out);
int xst_op_write(struct xst_access *a, const char *path, const void *v,
                 size_t len);
int xst_op_mkdir(struct xst_access *a, const char *path);
int xst_op_rm(struct xst_access *a, const char *path);
int xst_op_set_perms(struct xst_access *a, const char *path,
                     const struct xst_perm *p, unsigned np);

/* ---- conn.c ------------------------------------------------------------- */

/* No guest is charged for this message (see struct xst_server). */
#define XST_NO_CAUSE (-1)

struct xst_out {
    struct xst_out *next;
    size_t len, off;
    int cause; /* the guest charged for this watch event, or XST_NO_CAUSE */
    char data[];
};

struct xst_watch {
    struct xst_watch *next;
    char *token;
    size_t rel_off; /* bytes of "/local/domain/<id>/" to strip, if relative */
    char path[];    /* absolute, or @introduceDomain / @releaseDomain */
};

#define XST_MSG_MAX (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define XST_IN_BUF (2 * XST_MSG_MAX)

struct xst_conn {
    struct xst_conn *next, *prev;
    struct xst_server *srv;
    int fd;
    uint16_t domid;
    bool priv;
    bool dead;      /* closed; freed by xst_server_reap() */
    uint32_t epoll; /* events registered */
    size_t in_len;
    char in[XST_IN_BUF];
    char msg[XENSTORE_PAYLOAD_MAX + 1]; /* current payload, NUL-terminated */
    struct xst_out *out_head, **out_tail;
    size_t out_bytes;
    size_t charged; /* of out_bytes, events charged to guests */
    struct xst_watch *watches;
    unsigned nwatches;
    struct xst_txn *txns;
    unsigned ntxns;
    bool held; /* its requests wait for its events to be read (logged) */
    struct xvm_log_limit log_limit; /* of the lines its guest can cause */
    int passed_fd; /* the last descriptor dom0 sent (INTRODUCE), or -1 */
};

struct xst_conn *xst_conn_new(struct xst_server *srv, int fd, uint16_t domid);
void xst_conn_kill(struct xst_conn *c, const char *why);
void xst_conn_free(struct xst_conn *c);
void xst_conn_read(struct xst_conn *c);
/* Handle requests left in the input buffer when the queue was full. */
void xst_conn_resume(struct xst_conn *c);
void xst_conn_flush(struct xst_conn *c);
void xst_conn_update_epoll(struct xst_conn *c);
/* Queue a message with a payload of up to two pieces: a reply (@cause
 * XST_NO_CAUSE, not an event) or a watch event caused by domain @cause.
 * An event another guest caused is charged to it until read.  Returns 0,
 * or -ENOBUFS for an event that overflows an unprivileged connection's
 * queue (the connection is then dead), or -ENOMEM. */
int xst_conn_send(struct xst_conn *c, const struct xsd_sockmsg *hdr,
                  const void *p0, size_t l0, const void *p1, size_t l1,
                  bool is_event, int cause);

/* ---- watch.c ------------------------------------------------------------ */

int xst_watch_add(struct xst_conn *c, const char *wpath, const char *token);
int xst_watch_remove(struct xst_conn *c, const char *wpath, const char *token);
void xst_watch_clear(struct xst_conn *c);
/* Queue the event a new watch fires at once. */
void xst_watch_fire_new(struct xst_conn *c, const char *wpath,
                        const char *token);
/* @cause: the domain whose change fires the watches. */
void xst_watch_fire(struct xst_server *srv, const char *path, bool tree,
                    const struct xst_perm *perms, unsigned nperms,
                    uint16_t cause);
void xst_watch_fire_special(struct xst_server *srv, const char *name);

/* ---- wire.c ------------------------------------------------------------- */

void xst_wire_handle(struct xst_conn *c, const struct xsd_sockmsg *hdr);

/* ---- server.c ----------------------------------------------------------- */

struct xst_server {
    struct xst_config cfg; /* defaults filled in */
    struct xst_store store;
    int epfd;
    int lfd;
    char *sock_path;
    struct xst_conn *conns;
    uint32_t next_txid;
    uint8_t introduced[DOMID_FIRST_RESERVED / 8];
    /* Per guest: watch events its changes queued for other connections,
     * not read yet.  At cfg.max_guest_events its requests wait. */
    uint32_t *guest_events;
    struct xst_stats st; /* counters; sizes are computed on demand */
};

/* Flush output, resume throttled input, update epoll, free dead
 * connections: the end of every entry point that may produce output. */
void xst_server_settle(struct xst_server *srv);
void xst_server_reap(struct xst_server *srv);
bool xst_domain_is_introduced(const struct xst_server *srv, uint16_t domid);
int xst_release(struct xst_server *srv, uint16_t domid);
/* INTRODUCE of @domid with @fd (a stream socket) as its connection; no
 * settle either.  On success the connection owns @fd. */
int xst_domain_introduce_conn(struct xst_server *srv, uint16_t domid, int fd);
uint32_t xst_txid_alloc(struct xst_server *srv, const struct xst_conn *c);

#endif /* XST_PVT_H */
