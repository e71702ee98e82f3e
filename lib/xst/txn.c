/* SPDX-License-Identifier: MIT */
/*
 * Transactions, optimistically.
 *
 * A transaction starts empty.  The first time it touches a path (read or
 * write, present or absent) it copies the committed node and remembers its
 * generation; from then on it works on its copy.  A commit succeeds only if
 * every path it touched still has the generation it remembered (a missing
 * node counts as generation 0, and creating or removing a child changes the
 * parent's generation), so anything it read or wrote that someone else
 * changed meanwhile makes it fail with EAGAIN.  Then its changed copies
 * replace the committed nodes.
 *
 * Unlike copying the whole tree at start, this costs nothing for paths the
 * transaction never looks at, and a guest's transaction is bounded by
 * max_tx_nodes and max_tx_bytes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

struct xst_txn *xst_txn_new(uint32_t id)
{
    struct xst_txn *tx = calloc(1, sizeof(*tx));

    if (!tx)
        return NULL;
    if (xst_table_init(&tx->shadows) < 0) {
        free(tx);
        return NULL;
    }
    tx->id = id;
    return tx;
}

void xst_txn_free(struct xst_txn *tx)
{
    struct xst_shadow *sh;
    size_t it = 0;

    if (!tx)
        return;
    while ((sh = xst_table_next(&tx->shadows, &it))) {
        xst_node_free(sh->node);
        free(sh->path);
        free(sh);
    }
    xst_table_fini(&tx->shadows);
    free(tx);
}

static int txn_check(const struct xst_store *st, const struct xst_txn *tx)
{
    const struct xst_shadow *sh;
    size_t it = 0;

    while ((sh = xst_table_next(&tx->shadows, &it))) {
        const struct xst_node *cur = xst_store_get(st, sh->path);

        if ((cur ? cur->gen : 0) != sh->base_gen)
            return -EAGAIN;
    }
    return 0;
}

/* Nodes the committing domain would own after the commit, less now. */
static long txn_owned_delta(const struct xst_store *st,
                            const struct xst_txn *tx, uint16_t domid)
{
    const struct xst_shadow *sh;
    long delta = 0;
    size_t it = 0;

    while ((sh = xst_table_next(&tx->shadows, &it))) {
        const struct xst_node *cur;

        if (!sh->dirty)
            continue;
        cur = xst_store_get(st, sh->path);
        if (cur && xst_node_owner(cur) == domid)
            delta--;
        if (sh->node && xst_node_owner(sh->node) == domid)
            delta++;
    }
    return delta;
}

/*
 * Fire before applying: events only sit in output queues until this
 * operation is over, and the permissions of removed nodes are still at hand
 * in the committed tree.
 */
static void txn_fire(struct xst_server *srv, const struct xst_txn *tx,
                     uint16_t cause)
{
    const struct xst_shadow *sh;
    size_t it = 0;

    while ((sh = xst_table_next(&tx->shadows, &it))) {
        const struct xst_node *n = sh->node;

        if (!sh->fire)
            continue;
        if (!n)
            n = xst_store_get(&srv->store, sh->path);
        if (n)
            xst_watch_fire(srv, sh->path, sh->fire == XST_FIRE_TREE, n->perms,
                           n->nperms, cause);
    }
}

int xst_txn_commit(struct xst_access *a)
{
    struct xst_store *st = &a->srv->store;
    struct xst_txn *tx = a->tx;
    struct xst_shadow *sh;
    size_t it = 0;
    int r = 0;

    if (tx->err)
        return tx->err;
    if (txn_check(st, tx) < 0)
        return -EAGAIN;
    if (!a->priv) {
        long delta = txn_owned_delta(st, tx, a->domid);

        if (delta > 0 && st->owned[a->domid] + delta > a->srv->cfg.max_nodes)
            return -ENOSPC;
    }
    txn_fire(a->srv, tx, a->domid);
    while ((sh = xst_table_next(&tx->shadows, &it))) {
        if (!sh->dirty)
            continue;
        if (sh->node) {
            /* Only ENOMEM can fail here; keep applying the rest so the
             * tree stays as consistent as memory allows. */
            if (xst_store_put(st, sh->node) < 0)
                r = -ENOMEM;
            sh->node = NULL;
        } else {
            xst_store_del(st, sh->path);
        }
    }
    return r;
}
