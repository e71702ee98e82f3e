/* SPDX-License-Identifier: MIT */
/*
 * xs_wire requests: decode the payload, check it strictly, run the
 * operation, reply.  A handler returns 0 once it has queued its reply, or a
 * negative errno that goes back as an ERROR message with Xen's name for it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xst_pvt.h"

/* The current message: header and its NUL-terminated payload (c->msg). */
struct req {
    struct xst_conn *c;
    const struct xsd_sockmsg *hdr;
    const char *p;
    uint32_t len;
};

#define ARGS_MAX 4

/*
 * Split the payload into NUL-terminated strings.  The payload must end
 * with a NUL.  Returns the count, or -EINVAL if there are more than @max
 * or none.
 */
static int args_split(const struct req *rq, const char **argv, int max)
{
    uint32_t off = 0;
    int n = 0;

    if (rq->len == 0 || rq->p[rq->len - 1] != '\0')
        return -EINVAL;
    while (off < rq->len) {
        if (n == max)
            return -EINVAL;
        argv[n++] = rq->p + off;
        off += (uint32_t)strlen(rq->p + off) + 1;
    }
    return n;
}

static int one_arg(const struct req *rq, const char **arg)
{
    return args_split(rq, arg, 1) == 1 ? 0 : -EINVAL;
}

static int reply(const struct req *rq, const void *p, size_t len)
{
    return xst_conn_send(rq->c, rq->hdr, p, len, NULL, 0, false, XST_NO_CAUSE);
}

static int reply_ok(const struct req *rq)
{
    return reply(rq, "OK", 3);
}

static struct xst_txn *txn_find(const struct xst_conn *c, uint32_t id)
{
    struct xst_txn *tx;

    for (tx = c->txns; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

/* The access for a data operation: the caller's identity and, if the
 * header names one, its transaction. */
static int req_access(const struct req *rq, struct xst_access *a)
{
    a->srv = rq->c->srv;
    a->domid = rq->c->domid;
    a->priv = rq->c->priv;
    a->tx = NULL;
    if (rq->hdr->tx_id) {
        a->tx = txn_find(rq->c, rq->hdr->tx_id);
        if (!a->tx)
            return -ENOENT;
    }
    return 0;
}

/* One path argument, resolved; plus the access. */
static int path_req(const struct req *rq, char abs[XST_PATH_BUF],
                    struct xst_access *a)
{
    const char *path;
    int r = one_arg(rq, &path);

    if (r == 0)
        r = xst_path_resolve(rq->c->domid, path, abs);
    if (r == 0)
        r = req_access(rq, a);
    return r;
}

static int do_read(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    const struct xst_node *n;
    int r = path_req(rq, abs, &a);

    if (r == 0)
        r = xst_op_read(&a, abs, &n);
    return r < 0 ? r : reply(rq, n->value, n->vlen);
}

static int do_directory(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    const struct xst_node *n;
    int r = path_req(rq, abs, &a);

    if (r == 0)
        r = xst_op_read(&a, abs, &n);
    if (r < 0)
        return r;
    if (n->clen > XENSTORE_PAYLOAD_MAX)
        return -E2BIG; /* the client goes on with DIRECTORY_PART */
    return reply(rq, n->children, n->clen);
}

/* Children from a byte offset, in pieces that fit a reply.  The piece that
 * reaches the end carries an extra NUL, which is how the client knows. */
static int do_directory_part(const struct req *rq)
{
    const char *argv[2];
    char abs[XST_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX], *e;
    struct xst_access a;
    const struct xst_node *n;
    unsigned long off;
    size_t len, end;
    int r;

    if (args_split(rq, argv, 2) != 2 || argv[1][0] < '0' || argv[1][0] > '9')
        return -EINVAL;
    off = strtoul(argv[1], &e, 10);
    if (*e)
        return -EINVAL;
    r = xst_path_resolve(rq->c->domid, argv[0], abs);
    if (r == 0)
        r = req_access(rq, &a);
    if (r == 0)
        r = xst_op_read(&a, abs, &n);
    if (r < 0)
        return r;
    if (off > n->clen || (off > 0 && n->children[off - 1] != '\0'))
        return -EINVAL;
    len =
        (size_t)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n->gen) +
        1;
    /* Whole names only, leaving a byte for the end marker. */
    for (end = off; end < n->clen;) {
        size_t l = strlen(n->children + end) + 1;

        if (len + (end + l - off) + 1 > sizeof(buf))
            break;
        end += l;
    }
    memcpy(buf + len, n->children + off, end - off);
    len += end - off;
    if (end == n->clen)
        buf[len++] = '\0';
    return reply(rq, buf, len);
}

static int do_get_perms(const struct req *rq)
{
    char abs[XST_PATH_BUF], buf[XST_PERMS_MAX * 8];
    struct xst_access a;
    const struct xst_node *n;
    size_t len = 0;
    unsigned i;
    int r = path_req(rq, abs, &a);

    if (r == 0)
        r = xst_op_read(&a, abs, &n);
    if (r < 0)
        return r;
    for (i = 0; i < n->nperms; i++)
        len += xst_perm_format(&n->perms[i], buf + len, sizeof(buf) - len);
    return reply(rq, buf, len);
}

/* WRITE is "path NUL value": the value is raw bytes and has no NUL of its
 * own at the end. */
static int do_write(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    const char *nul = memchr(rq->p, '\0', rq->len);
    size_t pl;
    int r;

    if (!nul)
        return -EINVAL;
    pl = (size_t)(nul - rq->p);
    r = xst_path_resolve(rq->c->domid, rq->p, abs);
    if (r == 0)
        r = req_access(rq, &a);
    if (r == 0)
        r = xst_op_write(&a, abs, nul + 1, rq->len - pl - 1);
    return r < 0 ? r : reply_ok(rq);
}

static int do_mkdir(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = path_req(rq, abs, &a);

    if (r == 0)
        r = xst_op_mkdir(&a, abs);
    return r < 0 ? r : reply_ok(rq);
}

static int do_rm(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_access a;
    int r = path_req(rq, abs, &a);

    if (r == 0)
        r = xst_op_rm(&a, abs);
    return r < 0 ? r : reply_ok(rq);
}

static int do_set_perms(const struct req *rq)
{
    char abs[XST_PATH_BUF];
    struct xst_perm perms[XST_PERMS_MAX];
    struct xst_access a;
    const char *s;
    uint32_t off;
    unsigned n = 0;
    int r;

    if (rq->len == 0 || rq->p[rq->len - 1] != '\0')
        return -EINVAL;
    r = xst_path_resolve(rq->c->domid, rq->p, abs);
    if (r < 0)
        return r;
    for (off = (uint32_t)strlen(rq->p) + 1; off < rq->len;
         off += (uint32_t)strlen(s) + 1) {
        s = rq->p + off;
        if (n == XST_PERMS_MAX)
            return -E2BIG;
        if (xst_perm_parse(s, &perms[n++]) < 0)
            return -EINVAL;
    }
    r = req_access(rq, &a);
    if (r == 0)
        r = xst_op_set_perms(&a, abs, perms, n);
    return r < 0 ? r : reply_ok(rq);
}

/* WATCH and UNWATCH: "path NUL token NUL", maybe a reserved string after;
 * the tx_id is ignored, as Xen documents. */
static int do_watch(const struct req *rq)
{
    const char *argv[3];
    int r;

    if (args_split(rq, argv, 3) < 2)
        return -EINVAL;
    r = xst_watch_add(rq->c, argv[0], argv[1]);
    if (r == 0)
        r = reply_ok(rq);
    if (r == 0)
        xst_watch_fire_new(rq->c, argv[0], argv[1]);
    return r;
}

static int do_unwatch(const struct req *rq)
{
    const char *argv[3];
    int r;

    if (args_split(rq, argv, 3) < 2)
        return -EINVAL;
    r = xst_watch_remove(rq->c, argv[0], argv[1]);
    return r < 0 ? r : reply_ok(rq);
}

static int do_transaction_start(const struct req *rq)
{
    struct xst_conn *c = rq->c;
    struct xst_txn *tx;
    char id[16];
    const char *arg;

    if (one_arg(rq, &arg) < 0)
        return -EINVAL;
    if (rq->hdr->tx_id)
        return txn_find(c, rq->hdr->tx_id) ? -EBUSY : -ENOENT;
    if (!c->priv && c->ntxns >= c->srv->cfg.max_transactions)
        return -ENOSPC;
    tx = xst_txn_new(xst_txid_alloc(c->srv, c));
    if (!tx)
        return -ENOMEM;
    tx->next = c->txns;
    c->txns = tx;
    c->ntxns++;
    return reply(rq, id, (size_t)snprintf(id, sizeof(id), "%u", tx->id) + 1);
}

static void txn_unlink(struct xst_conn *c, struct xst_txn *tx)
{
    struct xst_txn **pt;

    for (pt = &c->txns; *pt; pt = &(*pt)->next) {
        if (*pt == tx) {
            *pt = tx->next;
            c->ntxns--;
            break;
        }
    }
    xst_txn_free(tx);
}

static int do_transaction_end(const struct req *rq)
{
    struct xst_access a;
    const char *arg;
    int r;

    if ((r = req_access(rq, &a)) < 0 || !a.tx)
        return -ENOENT;
    if (one_arg(rq, &arg) < 0 || (strcmp(arg, "T") && strcmp(arg, "F")))
        return -EINVAL;
    r = arg[0] == 'T' ? xst_txn_commit(&a) : 0;
    txn_unlink(rq->c, a.tx);
    return r < 0 ? r : reply_ok(rq);
}

static int do_get_domain_path(const struct req *rq)
{
    char path[XST_HOME_BUF];
    const char *arg;
    uint16_t domid;
    size_t len;

    if (one_arg(rq, &arg) < 0 || xst_domid_parse(arg, &domid) < 0)
        return -EINVAL;
    len = xst_path_home(domid, path);
    path[len - 1] = '\0'; /* no trailing slash */
    return reply(rq, path, len);
}

/* Xen: "Reset all watches and transactions of the caller." */
static int do_reset_watches(const struct req *rq)
{
    struct xst_conn *c = rq->c;

    xst_watch_clear(c);
    while (c->txns)
        txn_unlink(c, c->txns);
    return reply_ok(rq);
}

static int do_is_domain_introduced(const struct req *rq)
{
    const char *arg;
    uint16_t domid;

    if (one_arg(rq, &arg) < 0 || xst_domid_parse(arg, &domid) < 0)
        return -EINVAL;
    return reply(rq, xst_domain_is_introduced(rq->c->srv, domid) ? "T" : "F",
                 2);
}

static int do_release(const struct req *rq)
{
    const char *arg;
    uint16_t domid;
    int r;

    if (one_arg(rq, &arg) < 0 || xst_domid_parse(arg, &domid) < 0)
        return -EINVAL;
    r = xst_release(rq->c->srv, domid);
    return r < 0 ? r : reply_ok(rq);
}

/*
 * INTRODUCE "<domid>\0<mfn>\0<port>\0" from dom0, which sends with it
 * the xenstored end of the domain's connection (a Unix socket; there are
 * no rings to map here, so <mfn> and <port> must be 0).  The domain is
 * introduced and the connection served as that domain's.
 */
static int do_introduce(const struct req *rq)
{
    const char *argv[3];
    uint16_t domid;
    int fd = rq->c->passed_fd, r;

    if (args_split(rq, argv, 3) != 3 || xst_domid_parse(argv[0], &domid) < 0 ||
        strcmp(argv[1], "0") != 0 || strcmp(argv[2], "0") != 0 || fd < 0)
        return -EINVAL;
    r = xst_domain_introduce_conn(rq->c->srv, domid, fd);
    if (r < 0)
        return r;
    rq->c->passed_fd = -1; /* the connection's now */
    return reply_ok(rq);
}

/* Rings, stub domains and daemon control have no meaning here. */
static int do_unsupported(const struct req *rq)
{
    (void)rq;
    return -ENOSYS;
}

#define PRIV 1u /* dom0 only */

static const struct {
    int (*fn)(const struct req *rq);
    unsigned flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {do_unsupported, PRIV},
    [XS_DIRECTORY] = {do_directory, 0},
    [XS_READ] = {do_read, 0},
    [XS_GET_PERMS] = {do_get_perms, 0},
    [XS_WATCH] = {do_watch, 0},
    [XS_UNWATCH] = {do_unwatch, 0},
    [XS_TRANSACTION_START] = {do_transaction_start, 0},
    [XS_TRANSACTION_END] = {do_transaction_end, 0},
    [XS_INTRODUCE] = {do_introduce, PRIV},
    [XS_RELEASE] = {do_release, PRIV},
    [XS_GET_DOMAIN_PATH] = {do_get_domain_path, 0},
    [XS_WRITE] = {do_write, 0},
    [XS_MKDIR] = {do_mkdir, 0},
    [XS_RM] = {do_rm, 0},
    [XS_SET_PERMS] = {do_set_perms, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {do_is_domain_introduced, PRIV},
    [XS_RESUME] = {do_unsupported, PRIV},
    [XS_SET_TARGET] = {do_unsupported, PRIV},
    [XS_RESET_WATCHES] = {do_reset_watches, 0},
    [XS_DIRECTORY_PART] = {do_directory_part, 0},
};

void xst_wire_handle(struct xst_conn *c, const struct xsd_sockmsg *hdr)
{
    struct req rq = {.c = c, .hdr = hdr, .p = c->msg, .len = hdr->len};
    int r;

    /* Replies-only types (WATCH_EVENT, ERROR) and holes are invalid. */
    if (hdr->type >= XS_TYPE_COUNT || !handlers[hdr->type].fn)
        r = -EINVAL;
    else if ((handlers[hdr->type].flags & PRIV) && !c->priv)
        r = -EACCES;
    else
        r = handlers[hdr->type].fn(&rq);
    if (r < 0 && !c->dead) {
        const char *name = xst_errno_name(r);
        struct xsd_sockmsg eh = *hdr;

        eh.type = XS_ERROR;
        c->srv->st.errors++;
        xst_conn_send(c, &eh, name, strlen(name) + 1, NULL, 0, false,
                      XST_NO_CAUSE);
    }
}
