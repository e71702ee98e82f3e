/* SPDX-License-Identifier: MIT */
/*
 * Nodes and the committed tree.
 *
 * The tree is a table from absolute path to node, each node listing its
 * children by name, as Xen's own daemon keeps it.  That flat layout is what
 * makes transactions cheap: a transaction holds copies of just the nodes it
 * touched, keyed the same way (see txn.c).
 *
 * A node's list of children is shared, read-only, between the node and its
 * copies (struct xst_kids, reference counted): a write to the node's value
 * or permissions, or a transaction touching it, does not copy the list;
 * only adding or removing a child makes a new one.  The server is
 * single-threaded, so the count is a plain integer.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

#define NR_DOMIDS 65536u

struct xst_kids {
    unsigned refs;
    char names[];
};

static void kids_put(struct xst_kids *k)
{
    if (k && --k->refs == 0)
        free(k);
}

/* Make @k (NULL for none) of @len bytes @n's list of children. */
static void kids_set(struct xst_node *n, struct xst_kids *k, size_t len)
{
    kids_put(n->kids);
    n->kids = k;
    n->children = k ? k->names : NULL;
    n->clen = len;
}

struct xst_node *xst_node_new(const char *path, const struct xst_perm *perms,
                              unsigned nperms)
{
    struct xst_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->path = strdup(path);
    if (!n->path || xst_node_set_perms(n, perms, nperms) < 0) {
        xst_node_free(n);
        return NULL;
    }
    return n;
}

void xst_node_free(struct xst_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->perms);
    free(n->value);
    kids_put(n->kids);
    free(n);
}

static void *dup_bytes(const void *p, size_t len)
{
    void *d;

    if (!len)
        return NULL;
    d = malloc(len);
    if (d)
        memcpy(d, p, len);
    return d;
}

struct xst_node *xst_node_clone(const struct xst_node *n)
{
    struct xst_node *c = xst_node_new(n->path, n->perms, n->nperms);

    if (!c)
        return NULL;
    c->gen = n->gen;
    c->value = dup_bytes(n->value, n->vlen);
    if (n->vlen && !c->value) {
        xst_node_free(c);
        return NULL;
    }
    c->vlen = n->vlen;
    if (n->kids)
        n->kids->refs++;
    c->kids = n->kids;
    c->children = n->children;
    c->clen = n->clen;
    return c;
}

int xst_node_set_value(struct xst_node *n, const void *v, size_t len)
{
    void *d = dup_bytes(v, len);

    if (len && !d)
        return -ENOMEM;
    free(n->value);
    n->value = d;
    n->vlen = len;
    return 0;
}

int xst_node_set_perms(struct xst_node *n, const struct xst_perm *p,
                       unsigned np)
{
    struct xst_perm *d;

    if (np == 0 || np > XST_PERMS_MAX)
        return -EINVAL;
    d = dup_bytes(p, np * sizeof(*p));
    if (!d)
        return -ENOMEM;
    free(n->perms);
    n->perms = d;
    n->nperms = np;
    return 0;
}

int xst_node_add_child(struct xst_node *n, const char *name, size_t len)
{
    struct xst_kids *k = malloc(sizeof(*k) + n->clen + len + 1);

    if (!k)
        return -ENOMEM;
    k->refs = 1;
    if (n->clen)
        memcpy(k->names, n->children, n->clen);
    memcpy(k->names + n->clen, name, len);
    k->names[n->clen + len] = '\0';
    kids_set(n, k, n->clen + len + 1);
    return 0;
}

int xst_node_del_child(struct xst_node *n, const char *name, size_t len)
{
    struct xst_kids *k;
    size_t off = 0, l = 0;

    for (; off < n->clen; off += l + 1) {
        l = strlen(n->children + off);
        if (l == len && memcmp(n->children + off, name, len) == 0)
            break;
    }
    if (off >= n->clen)
        return 0;
    if (n->clen == l + 1) {
        kids_set(n, NULL, 0);
        return 0;
    }
    k = malloc(sizeof(*k) + n->clen - l - 1);
    if (!k)
        return -ENOMEM;
    k->refs = 1;
    memcpy(k->names, n->children, off);
    memcpy(k->names + off, n->children + off + l + 1, n->clen - off - l - 1);
    kids_set(n, k, n->clen - l - 1);
    return 0;
}

int xst_store_init(struct xst_store *s)
{
    memset(s, 0, sizeof(*s));
    s->owned = calloc(NR_DOMIDS, sizeof(*s->owned));
    if (!s->owned)
        return -ENOMEM;
    if (xst_table_init(&s->nodes) < 0) {
        free(s->owned);
        return -ENOMEM;
    }
    return 0;
}

void xst_store_fini(struct xst_store *s)
{
    struct xst_node *n;
    size_t it = 0;

    while ((n = xst_table_next(&s->nodes, &it)))
        xst_node_free(n);
    xst_table_fini(&s->nodes);
    free(s->owned);
    s->owned = NULL;
}

const struct xst_node *xst_store_get(const struct xst_store *s,
                                     const char *path)
{
    return xst_table_get(&s->nodes, path);
}

int xst_store_put(struct xst_store *s, struct xst_node *n)
{
    struct xst_node *old = xst_table_get(&s->nodes, n->path);

    if (xst_table_put(&s->nodes, n->path, n) < 0) {
        xst_node_free(n);
        return -ENOMEM;
    }
    n->gen = ++s->gen;
    s->owned[xst_node_owner(n)]++;
    if (old) {
        s->owned[xst_node_owner(old)]--;
        xst_node_free(old);
    }
    return 0;
}

void xst_store_del(struct xst_store *s, const char *path)
{
    struct xst_node *old = xst_table_del(&s->nodes, path);

    if (old) {
        s->owned[xst_node_owner(old)]--;
        xst_node_free(old);
    }
}

/*
 * The access layer: every operation reads and writes nodes through these
 * three calls, so the same code serves the committed tree and transactions.
 */

/* Memory a node copy holds, for a transaction's byte budget. */
static size_t node_bytes(const struct xst_node *n)
{
    if (!n)
        return 0;
    return sizeof(*n) + strlen(n->path) + 1 + n->vlen + n->clen +
           n->nperms * sizeof(*n->perms);
}

/* Would holding @more bytes more (and @less fewer) break the budget? */
static bool tx_over_budget(const struct xst_access *a, size_t more, size_t less)
{
    return !a->priv && a->tx->bytes + more - less > a->srv->cfg.max_tx_bytes;
}

static int shadow_get(struct xst_access *a, const char *path,
                      struct xst_shadow **out)
{
    struct xst_txn *tx = a->tx;
    struct xst_shadow *sh = xst_table_get(&tx->shadows, path);
    const struct xst_node *base;
    size_t bytes;

    if (sh) {
        *out = sh;
        return 0;
    }
    base = xst_store_get(&a->srv->store, path);
    bytes = sizeof(*sh) + strlen(path) + 1 + node_bytes(base);
    if (!a->priv && (tx->shadows.used >= a->srv->cfg.max_tx_nodes ||
                     tx_over_budget(a, bytes, 0)))
        return -ENOSPC;
    sh = calloc(1, sizeof(*sh));
    if (!sh)
        return -ENOMEM;
    sh->path = strdup(path);
    if (base) {
        sh->base_gen = base->gen;
        sh->node = xst_node_clone(base);
    }
    if (!sh->path || (base && !sh->node) ||
        xst_table_put(&tx->shadows, sh->path, sh) < 0) {
        xst_node_free(sh->node);
        free(sh->path);
        free(sh);
        return -ENOMEM;
    }
    tx->bytes += bytes;
    *out = sh;
    return 0;
}

int xst_acc_get(struct xst_access *a, const char *path,
                const struct xst_node **out)
{
    struct xst_shadow *sh;
    int r;

    if (!a->tx) {
        *out = xst_store_get(&a->srv->store, path);
        return *out ? 0 : -ENOENT;
    }
    r = shadow_get(a, path, &sh);
    if (r < 0)
        return r;
    *out = sh->node;
    return sh->node ? 0 : -ENOENT;
}

int xst_acc_put(struct xst_access *a, struct xst_node *n)
{
    struct xst_shadow *sh;
    int r;

    if (!a->tx)
        return xst_store_put(&a->srv->store, n);
    r = shadow_get(a, n->path, &sh);
    if (r == 0 && tx_over_budget(a, node_bytes(n), node_bytes(sh->node)))
        r = -ENOSPC;
    if (r < 0) {
        xst_node_free(n);
        return r;
    }
    a->tx->bytes = a->tx->bytes - node_bytes(sh->node) + node_bytes(n);
    xst_node_free(sh->node);
    sh->node = n;
    sh->dirty = true;
    return 0;
}

int xst_acc_del(struct xst_access *a, const char *path)
{
    struct xst_shadow *sh;
    int r;

    if (!a->tx) {
        xst_store_del(&a->srv->store, path);
        return 0;
    }
    r = shadow_get(a, path, &sh);
    if (r < 0)
        return r;
    a->tx->bytes -= node_bytes(sh->node);
    xst_node_free(sh->node);
    sh->node = NULL;
    sh->dirty = true;
    return 0;
}

void xst_acc_changed(struct xst_access *a, const char *path, bool tree,
                     const struct xst_node *n)
{
    struct xst_shadow *sh;

    if (!a->tx) {
        xst_watch_fire(a->srv, path, tree, n->perms, n->nperms, a->domid);
        return;
    }
    /* Always present: the operation touched @path before reporting it. */
    sh = xst_table_get(&a->tx->shadows, path);
    if (sh && sh->fire < (tree ? XST_FIRE_TREE : XST_FIRE_NODE))
        sh->fire = tree ? XST_FIRE_TREE : XST_FIRE_NODE;
}
