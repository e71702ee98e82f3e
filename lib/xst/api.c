/* SPDX-License-Identifier: MIT */
/* Direct access to the tree as dom0, for the embedding daemon. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

static int dom0(struct xst_server *srv, const char *path,
                char abs[XST_PATH_BUF], struct xst_access *a)
{
    a->srv = srv;
    a->tx = NULL;
    a->domid = 0;
    a->priv = true;
    if (!path || path[0] != '/')
        return -EINVAL;
    return xst_path_resolve(0, path, abs);
}

static void *dup_nul(const void *p, size_t len)
{
    char *d = malloc(len + 1);

    if (d) {
        if (len)
            memcpy(d, p, len);
        d[len] = '\0';
    }
    return d;
}

/* The node at @path, read as dom0 (for xst_read and xst_directory). */
static int dom0_node(struct xst_server *srv, const char *path,
                     const struct xst_node **n)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = dom0(srv, path, abs, &a);

    return r < 0 ? r : xst_op_read(&a, abs, n);
}

int xst_read(struct xst_server *srv, const char *path, char **value,
             size_t *len)
{
    const struct xst_node *n;
    int r = dom0_node(srv, path, &n);

    if (r < 0)
        return r;
    *value = dup_nul(n->value, n->vlen);
    if (!*value)
        return -ENOMEM;
    *len = n->vlen;
    return 0;
}

int xst_write(struct xst_server *srv, const char *path, const void *value,
              size_t len)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = dom0(srv, path, abs, &a);

    /* Anything longer could never be read back over the wire. */
    if (r == 0 && len > XENSTORE_PAYLOAD_MAX)
        r = -E2BIG;
    if (r == 0)
        r = xst_op_write(&a, abs, value, len);
    xst_server_settle(srv);
    return r;
}

int xst_mkdir(struct xst_server *srv, const char *path)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = dom0(srv, path, abs, &a);

    if (r == 0)
        r = xst_op_mkdir(&a, abs);
    xst_server_settle(srv);
    return r;
}

int xst_rm(struct xst_server *srv, const char *path)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = dom0(srv, path, abs, &a);

    if (r == 0)
        r = xst_op_rm(&a, abs);
    xst_server_settle(srv);
    return r;
}

int xst_directory(struct xst_server *srv, const char *path, char **names,
                  size_t *len)
{
    const struct xst_node *n;
    int r = dom0_node(srv, path, &n);

    if (r < 0)
        return r;
    *names = dup_nul(n->children, n->clen);
    if (!*names)
        return -ENOMEM;
    *len = n->clen;
    return 0;
}

int xst_set_perms(struct xst_server *srv, const char *path,
                  const struct xst_perm *perms, unsigned n)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    unsigned i;
    int r = dom0(srv, path, abs, &a);

    for (i = 0; r == 0 && perms && i < n; i++)
        if (perms[i].perm > XST_PERM_BOTH)
            r = -EINVAL;
    if (r == 0)
        r = perms ? xst_op_set_perms(&a, abs, perms, n) : -EINVAL;
    xst_server_settle(srv);
    return r;
}

int xst_get_perms(struct xst_server *srv, const char *path,
                  struct xst_perm **perms, unsigned *n)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    const struct xst_node *node;
    int r = dom0(srv, path, abs, &a);

    if (r == 0)
        r = xst_op_read(&a, abs, &node);
    if (r < 0)
        return r;
    *perms = malloc(node->nperms * sizeof(**perms));
    if (!*perms)
        return -ENOMEM;
    memcpy(*perms, node->perms, node->nperms * sizeof(**perms));
    *n = node->nperms;
    return 0;
}
