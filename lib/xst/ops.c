/* SPDX-License-Identifier: MIT */
/*
 * The xenstore operations on an absolute, validated path, with Xen's
 * permission and quota rules.  They run the same way on the committed tree
 * and inside a transaction (struct xst_access).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

static bool allowed(const struct xst_access *a, const struct xst_node *n,
                    unsigned need)
{
    if (a->priv)
        return true;
    return (xst_perm_for(n->perms, n->nperms, a->domid) & need) == need;
}

/*
 * Find the deepest existing proper ancestor of @path into @buf.  *@missing
 * counts the levels from there down to @path, @path included.
 */
static int nearest_ancestor(struct xst_access *a, const char *path,
                            char buf[XST_PATH_BUF], const struct xst_node **n,
                            unsigned *missing)
{
    size_t len = strlen(path);
    int r;

    memcpy(buf, path, len + 1);
    *missing = 1;
    for (;;) {
        len = xst_path_parent_len(buf, len);
        buf[len] = '\0';
        r = xst_acc_get(a, buf, n);
        if (r != -ENOENT)
            return r; /* the root always exists, so this ends */
        (*missing)++;
    }
}

/*
 * @path does not exist: say ENOENT only to someone who may read the nearest
 * ancestor, so a guest cannot probe for names it may not see.
 */
static int missing_errno(struct xst_access *a, const char *path)
{
    char buf[XST_PATH_BUF];
    const struct xst_node *n;
    unsigned missing;
    int r = nearest_ancestor(a, path, buf, &n, &missing);

    if (r < 0)
        return r;
    return allowed(a, n, XST_PERM_READ) ? -ENOENT : -EACCES;
}

static int lookup(struct xst_access *a, const char *path, unsigned need,
                  const struct xst_node **out)
{
    int r = xst_acc_get(a, path, out);

    if (r == -ENOENT)
        return missing_errno(a, path);
    if (r < 0)
        return r;
    return allowed(a, *out, need) ? 0 : -EACCES;
}

int xst_op_read(struct xst_access *a, const char *path,
                const struct xst_node **out)
{
    return lookup(a, path, XST_PERM_READ, out);
}

/* Add @path's last component to its parent's list of children. */
static int link_child(struct xst_access *a, const char *path)
{
    size_t len = strlen(path), pl = xst_path_parent_len(path, len);
    size_t off = pl == 1 ? 1 : pl + 1;
    char parent[XST_PATH_BUF];
    const struct xst_node *p;
    struct xst_node *np;
    int r;

    memcpy(parent, path, pl);
    parent[pl] = '\0';
    r = xst_acc_get(a, parent, &p);
    if (r < 0)
        return r;
    np = xst_node_clone(p);
    if (!np)
        return -ENOMEM;
    if (xst_node_add_child(np, path + off, len - off) < 0) {
        xst_node_free(np);
        return -ENOMEM;
    }
    return xst_acc_put(a, np);
}

static int quota_nodes(struct xst_access *a, unsigned more)
{
    long have = a->srv->store.owned[a->domid];

    if (a->tx)
        have += a->tx->own_delta;
    if (have + (long)more > (long)a->srv->cfg.max_nodes)
        return -ENOSPC;
    if (a->tx)
        a->tx->own_delta += more;
    return 0;
}

/*
 * Would @anc (an existing node, @alen bytes of path) still be within the
 * guest's child-list limit with the first missing component of @path
 * added?  The parents made below it are new and get one child each.
 */
static int quota_children(struct xst_access *a, const struct xst_node *anc,
                          const char *path, size_t alen)
{
    const char *name = path + (alen == 1 ? 1 : alen + 1);
    size_t len = (size_t)(strchrnul(name, '/') - name);

    if (anc->clen + len + 1 > a->srv->cfg.max_child_names)
        return -E2BIG;
    return 0;
}

/*
 * Create @path and its missing parents, each inheriting the permissions of
 * the nearest existing ancestor; nodes an unprivileged domain creates are
 * its own.  The new node gets @v, the parents empty values.
 */
static int create_node(struct xst_access *a, const char *path, const void *v,
                       size_t vlen)
{
    char buf[XST_PATH_BUF];
    const struct xst_node *anc;
    struct xst_perm perms[XST_PERMS_MAX];
    unsigned np, missing;
    size_t end, plen = strlen(path);
    int r;

    r = nearest_ancestor(a, path, buf, &anc, &missing);
    if (r < 0)
        return r;
    if (!allowed(a, anc, XST_PERM_WRITE))
        return -EACCES;
    if (!a->priv && (r = quota_children(a, anc, path, strlen(buf))) < 0)
        return r;
    if (!a->priv && (r = quota_nodes(a, missing)) < 0)
        return r;
    np = anc->nperms;
    memcpy(perms, anc->perms, np * sizeof(perms[0]));
    if (!a->priv)
        perms[0].domid = a->domid;
    end = strlen(buf);
    while (end < plen) {
        struct xst_node *n;

        end = strchrnul(path + end + 1, '/') - path;
        memcpy(buf, path, end);
        buf[end] = '\0';
        n = xst_node_new(buf, perms, np);
        if (!n)
            return -ENOMEM;
        if (end == plen && xst_node_set_value(n, v, vlen) < 0) {
            xst_node_free(n);
            return -ENOMEM;
        }
        r = xst_acc_put(a, n);
        if (r < 0 || (r = link_child(a, buf)) < 0)
            return r;
    }
    return 0;
}

/* A transaction an operation left half done must not commit. */
static int tx_poison(struct xst_access *a, int r)
{
    if (r < 0 && a->tx && !a->tx->err)
        a->tx->err = r;
    return r;
}

int xst_op_write(struct xst_access *a, const char *path, const void *v,
                 size_t len)
{
    const struct xst_node *cur;
    struct xst_node *n;
    int r;

    if (!a->priv && len > a->srv->cfg.max_value)
        return -E2BIG;
    r = xst_acc_get(a, path, &cur);
    if (r == -ENOENT) {
        r = create_node(a, path, v, len);
        if (r == -ENOMEM || r == -ENOSPC)
            tx_poison(a, r);
    } else if (r == 0) {
        if (!allowed(a, cur, XST_PERM_WRITE))
            return -EACCES;
        n = xst_node_clone(cur);
        if (!n || xst_node_set_value(n, v, len) < 0) {
            xst_node_free(n);
            return -ENOMEM;
        }
        r = xst_acc_put(a, n);
    }
    if (r < 0)
        return r;
    if (xst_acc_get(a, path, &cur) == 0)
        xst_acc_changed(a, path, false, cur);
    return 0;
}

int xst_op_mkdir(struct xst_access *a, const char *path)
{
    const struct xst_node *cur;
    int r = xst_acc_get(a, path, &cur);

    if (r == 0)
        return allowed(a, cur, XST_PERM_WRITE) ? 0 : -EACCES;
    if (r != -ENOENT)
        return r;
    r = create_node(a, path, NULL, 0);
    if (r < 0) {
        if (r == -ENOMEM || r == -ENOSPC)
            tx_poison(a, r);
        return r;
    }
    if (xst_acc_get(a, path, &cur) == 0)
        xst_acc_changed(a, path, false, cur);
    return 0;
}

/* Remove the node at @buf (@len bytes) and everything below it. */
static int remove_tree(struct xst_access *a, char buf[XST_PATH_BUF], size_t len)
{
    const struct xst_node *n;
    size_t off;
    int r = xst_acc_get(a, buf, &n);

    if (r < 0)
        return r == -ENOENT ? -EIO : r;
    /* @n stays valid: only other nodes change until its own removal. */
    for (off = 0; off < n->clen;) {
        size_t cl = strlen(n->children + off);

        if (len + 1 + cl >= XST_PATH_BUF)
            return -EIO;
        buf[len] = '/';
        memcpy(buf + len + 1, n->children + off, cl + 1);
        r = remove_tree(a, buf, len + 1 + cl);
        buf[len] = '\0';
        if (r < 0)
            return r;
        off += cl + 1;
    }
    if (a->tx && xst_node_owner(n) == a->domid)
        a->tx->own_delta--;
    return xst_acc_del(a, buf);
}

int xst_op_rm(struct xst_access *a, const char *path)
{
    char buf[XST_PATH_BUF], parent[XST_PATH_BUF];
    size_t len = strlen(path), pl;
    const struct xst_node *n;
    struct xst_node *np;
    int r;

    if (len == 1)
        return -EINVAL; /* the root stays */
    pl = xst_path_parent_len(path, len);
    memcpy(parent, path, pl);
    parent[pl] = '\0';
    r = xst_acc_get(a, path, &n);
    if (r == -ENOENT) {
        /* Not an error when the parent exists: the node is gone. */
        r = lookup(a, parent, XST_PERM_READ, &n);
        return r;
    }
    if (r < 0)
        return r;
    if (!allowed(a, n, XST_PERM_WRITE))
        return -EACCES;
    xst_acc_changed(a, path, true, n);
    memcpy(buf, path, len + 1);
    r = remove_tree(a, buf, len);
    if (r == 0)
        r = xst_acc_get(a, parent, &n);
    if (r == 0) {
        size_t off = pl == 1 ? 1 : pl + 1;

        np = xst_node_clone(n);
        if (!np || xst_node_del_child(np, path + off, len - off) < 0) {
            xst_node_free(np);
            return tx_poison(a, -ENOMEM);
        }
        r = xst_acc_put(a, np);
    }
    return tx_poison(a, r);
}

int xst_op_set_perms(struct xst_access *a, const char *path,
                     const struct xst_perm *p, unsigned np)
{
    const struct xst_node *cur;
    struct xst_node *n;
    int r;

    if (np == 0)
        return -EINVAL;
    if (np > XST_PERMS_MAX)
        return -E2BIG;
    r = lookup(a, path, XST_PERM_OWNER, &cur);
    if (r < 0)
        return r;
    /* Giving a node away would let a guest charge it to another domain. */
    if (!a->priv && p[0].domid != xst_node_owner(cur))
        return -EPERM;
    n = xst_node_clone(cur);
    if (!n || xst_node_set_perms(n, p, np) < 0) {
        xst_node_free(n);
        return -ENOMEM;
    }
    r = xst_acc_put(a, n);
    if (r < 0)
        return r;
    if (xst_acc_get(a, path, &cur) == 0)
        xst_acc_changed(a, path, false, cur);
    return 0;
}
