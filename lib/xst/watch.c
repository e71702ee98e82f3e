/* SPDX-License-Identifier: MIT */
/*
 * Watches.  A change to path P fires every watch on P or an ancestor of P,
 * with P as the event path; removing P's subtree also fires the watches
 * below P, with their own path.  Watches set with a relative path get
 * relative event paths.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

static const char *const specials[] = {"@introduceDomain", "@releaseDomain"};

static bool is_special(const char *p)
{
    size_t i;

    for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
        if (strcmp(p, specials[i]) == 0)
            return true;
    return false;
}

/* Absolute form of a watch path into @abs; *@rel_off as in struct
 * xst_watch. */
static int watch_path(const struct xst_conn *c, const char *wpath,
                      char abs[XST_PATH_BUF], size_t *rel_off)
{
    char home[XST_HOME_BUF];
    int r;

    *rel_off = 0;
    if (wpath[0] == '@') {
        if (!is_special(wpath))
            return -EINVAL;
        strcpy(abs, wpath);
        return 0;
    }
    r = xst_path_resolve(c->domid, wpath, abs);
    if (r == 0 && wpath[0] != '/')
        *rel_off = xst_path_home(c->domid, home);
    return r;
}

static struct xst_watch **watch_find(struct xst_conn *c, const char *abs,
                                     const char *token)
{
    struct xst_watch **pw;

    for (pw = &c->watches; *pw; pw = &(*pw)->next)
        if (strcmp((*pw)->path, abs) == 0 && strcmp((*pw)->token, token) == 0)
            return pw;
    return NULL;
}

int xst_watch_add(struct xst_conn *c, const char *wpath, const char *token)
{
    char abs[XST_PATH_BUF];
    struct xst_watch *w;
    size_t rel_off, pl, tl = strlen(token);
    int r = watch_path(c, wpath, abs, &rel_off);

    if (r < 0)
        return r;
    /* Every event must fit a payload: the longest path, the token, NULs. */
    if (tl > XST_TOKEN_MAX)
        return -EINVAL;
    if (watch_find(c, abs, token))
        return -EEXIST;
    if (!c->priv && c->nwatches >= c->srv->cfg.max_watches)
        return -E2BIG;
    pl = strlen(abs);
    w = malloc(sizeof(*w) + pl + 1 + tl + 1);
    if (!w)
        return -ENOMEM;
    memcpy(w->path, abs, pl + 1);
    w->token = w->path + pl + 1;
    memcpy(w->token, token, tl + 1);
    w->rel_off = rel_off;
    w->next = c->watches;
    c->watches = w;
    c->nwatches++;
    return 0;
}

int xst_watch_remove(struct xst_conn *c, const char *wpath, const char *token)
{
    char abs[XST_PATH_BUF];
    struct xst_watch **pw, *w;
    size_t rel_off;
    int r = watch_path(c, wpath, abs, &rel_off);

    if (r < 0)
        return r;
    pw = watch_find(c, abs, token);
    if (!pw)
        return -ENOENT;
    w = *pw;
    *pw = w->next;
    free(w);
    c->nwatches--;
    return 0;
}

void xst_watch_clear(struct xst_conn *c)
{
    while (c->watches) {
        struct xst_watch *w = c->watches;

        c->watches = w->next;
        free(w);
    }
    c->nwatches = 0;
}

static void send_event(struct xst_conn *c, const char *path, const char *token,
                       uint16_t cause)
{
    struct xsd_sockmsg hdr = {.type = XS_WATCH_EVENT};

    if (xst_conn_send(c, &hdr, path, strlen(path) + 1, token, strlen(token) + 1,
                      true, cause) == 0)
        c->srv->st.events++;
}

void xst_watch_fire_new(struct xst_conn *c, const char *wpath,
                        const char *token)
{
    send_event(c, wpath, token, c->domid);
}

static void deliver(struct xst_conn *c, const struct xst_watch *w,
                    const char *abs, uint16_t cause)
{
    /* A relative watch's events are below its own path, hence below the
     * home prefix it strips. */
    send_event(c, abs + (strlen(abs) > w->rel_off ? w->rel_off : 0), w->token,
               cause);
}

void xst_watch_fire(struct xst_server *srv, const char *path, bool tree,
                    const struct xst_perm *perms, unsigned nperms,
                    uint16_t cause)
{
    struct xst_conn *c;

    for (c = srv->conns; c; c = c->next) {
        struct xst_watch *w;

        if (c->dead)
            continue;
        if (!c->priv &&
            !(xst_perm_for(perms, nperms, c->domid) & XST_PERM_READ))
            continue;
        /* The connection may die of a full queue in deliver(). */
        for (w = c->watches; w && !c->dead; w = w->next) {
            if (w->path[0] == '@')
                continue;
            if (xst_path_is_child(path, w->path))
                deliver(c, w, path, cause);
            else if (tree && xst_path_is_child(w->path, path))
                deliver(c, w, w->path, cause);
        }
    }
}

void xst_watch_fire_special(struct xst_server *srv, const char *name)
{
    struct xst_conn *c;

    for (c = srv->conns; c; c = c->next) {
        struct xst_watch *w;

        /* Domain comings and goings are dom0's business only. */
        if (c->dead || !c->priv)
            continue;
        for (w = c->watches; w && !c->dead; w = w->next)
            if (strcmp(w->path, name) == 0)
                send_event(c, w->path, w->token, 0);
    }
}
