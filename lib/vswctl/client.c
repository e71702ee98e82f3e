/* SPDX-License-Identifier: MIT */
/* The control-socket client (vsw/client.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "xvm/rundir.h"
#include "xvm/fdpass.h"
#include "vswctl/capture.h"
#include "vswctl/client.h"
#include "vswctl/ctl.h"

struct vsw_client {
    int fd;
    uint32_t seq;
    char err[VSW_ERRMSGSIZ];
    enum vsw_status status;
    int fds[2];                /* came with the last reply datagram */
    unsigned nfds;
    _Alignas(NLMSG_ALIGNTO) char obuf[VSW_CTL_BUFSIZ]; /* request */
    _Alignas(NLMSG_ALIGNTO) char buf[VSW_CTL_BUFSIZ];  /* reply */
};

/* What to do with each data message of a reply. */
typedef int reply_fn(const struct nlmsghdr *nlh, const struct nlattr **tb,
                     void *arg);

/* Close descriptors a reply brought that nobody took. */
static void fds_drop(struct vsw_client *c)
{
    while (c->nfds)
        close(c->fds[--c->nfds]);
}

struct vsw_client *vsw_client_open(const char *path)
{
    struct vsw_client *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->fd = xvm_unix_connect(path ? path : xvm_run_path(XVM_SOCK_VSWITCHD),
                             SOCK_SEQPACKET,
                             XVM_CALL_TIMEOUT_MS);
    if (c->fd < 0) {
        errno = -c->fd;
        free(c);
        return NULL;
    }
    return c;
}

void vsw_client_close(struct vsw_client *c)
{
    if (!c)
        return;
    fds_drop(c);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

const char *vsw_client_error(const struct vsw_client *c)
{
    return c->err;
}

enum vsw_status vsw_client_status(const struct vsw_client *c)
{
    return c->status;
}

static int fail(struct vsw_client *c, int rc, const char *msg)
{
    snprintf(c->err, sizeof(c->err), "%s", msg ? msg : strerror(-rc));
    return rc;
}

/* What the ack's extended attributes carry. */
struct ext_ack {
    const char *msg;
    uint32_t status;
};

static int ext_ack_cb(const struct nlattr *attr, void *data)
{
    struct ext_ack *a = data;

    if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
        mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
        a->msg = mnl_attr_get_str(attr);
    if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_COOKIE &&
        mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
        a->status = mnl_attr_get_u32(attr);
    return MNL_CB_OK;
}

/* An NLMSG_ERROR: 0 for an ack, else -errno with c->err and c->status. */
static int ack_parse(struct vsw_client *c, const struct nlmsghdr *nlh)
{
    const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
    const char *p, *end = (const char *)nlh + nlh->nlmsg_len;
    struct ext_ack a = {NULL, VSW_ST_NONE};

    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
        return fail(c, -EPROTO, "short error message from vswitchd");
    if (e->error >= 0)
        return 0;
    p = (const char *)(e + 1);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
        p += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
    if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && p < end)
        mnl_attr_parse_payload(p, (size_t)(end - p), ext_ack_cb, &a);
    c->status = a.status < VSW_ST__MAX ? (enum vsw_status)a.status
                                       : VSW_ST_NONE;
    return fail(c, e->error, a.msg);
}

/*
 * Send the request in c->buf and read the reply: data messages go to @fn,
 * which may be NULL.  Ends at the ack or at DONE.
 */
static int transact(struct vsw_client *c, struct nlmsghdr *req, reply_fn *fn,
                    void *arg)
{
    uint32_t seq = req->nlmsg_seq = ++c->seq;
    int cbrc = 0;

    c->err[0] = '\0';
    c->status = VSW_ST_NONE;
    if (send(c->fd, req, req->nlmsg_len, 0) < 0)
        return fail(c, errno == EAGAIN ? -ETIMEDOUT : -errno, NULL);
    for (;;) {
        ssize_t len;
        const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->buf;
        int rest;

        fds_drop(c);
        len = xvm_fd_recv(c->fd, c->buf, sizeof(c->buf), c->fds, 2,
                          &c->nfds);
        if (len < 0)
            len = (errno = (int)-len, -1);
        /* The socket's timeout (XVM_CALL_TIMEOUT_MS) ran out. */
        if (len < 0 && errno == EAGAIN)
            return fail(c, -ETIMEDOUT, "vswitchd did not answer");
        if (len < 0)
            return fail(c, -errno, NULL);
        if (len == 0)
            return fail(c, -ECONNRESET, "vswitchd closed the connection");
        for (rest = (int)len; xvm_msg_ok(nlh, rest);
             nlh = mnl_nlmsg_next(nlh, &rest)) {
            const struct nlattr *tb[VSW_A_MAX + 1];

            if (nlh->nlmsg_seq != seq)
                continue; /* a stale reply */
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                int rc = ack_parse(c, nlh);

                return rc ? rc : cbrc;
            }
            if (nlh->nlmsg_type == NLMSG_DONE)
                return cbrc;
            if (vsw_ctl_attrs(nlh, tb) < 0)
                return fail(c, -EPROTO, "malformed reply from vswitchd");
            if (fn && cbrc == 0)
                cbrc = fn(nlh, tb, arg);
        }
    }
}

static struct nlmsghdr *req_start(struct vsw_client *c, uint16_t cmd,
                                  uint16_t flags)
{
    return vsw_ctl_msg(c->obuf, cmd, NLM_F_REQUEST | NLM_F_ACK | flags, 0);
}

/* A request naming one object, or a dump when @name is NULL. */
static struct nlmsghdr *req_named(struct vsw_client *c, uint16_t cmd,
                                  const char *name)
{
    struct nlmsghdr *nlh = req_start(c, cmd, name ? 0 : NLM_F_DUMP);

    if (name)
        mnl_attr_put_strz(nlh, VSW_A_NAME, name);
    return nlh;
}

static int name_ok(struct vsw_client *c, const char *name)
{
    if (name && strlen(name) >= LP_NAMSIZ)
        return fail(c, -ENAMETOOLONG, NULL);
    return 0;
}

int vsw_client_link_create(struct vsw_client *c,
                           const struct vsw_link_conf *lc)
{
    struct nlmsghdr *nlh = req_start(c, VSW_CMD_LINK_CREATE, NLM_F_CREATE);

    vsw_ctl_put_link(nlh, lc);
    return transact(c, nlh, NULL, NULL);
}

/* Start a request of @cmd about the object @name, which must be given.
 * 0 or -errno (said through the client's error). */
static int named_start(struct vsw_client *c, uint16_t cmd, const char *name,
                       struct nlmsghdr **nlh)
{
    int rc = name_ok(c, name);

    if (rc == 0 && !name)
        rc = fail(c, -EINVAL, NULL);
    if (rc < 0)
        return rc;
    *nlh = req_named(c, cmd, name);
    return 0;
}

/* Send @nlh; @temporary: for the running object only. */
static int named_send(struct vsw_client *c, struct nlmsghdr *nlh,
                      bool temporary)
{
    if (temporary)
        mnl_attr_put(nlh, VSW_A_TEMPORARY, 0, NULL);
    return transact(c, nlh, NULL, NULL);
}

/* LINK_DELETE or VNIC_DELETE. */
static int delete_req(struct vsw_client *c, uint16_t cmd, const char *name,
                      bool temporary)
{
    struct nlmsghdr *nlh;
    int rc = named_start(c, cmd, name, &nlh);

    return rc < 0 ? rc : named_send(c, nlh, temporary);
}

int vsw_client_link_delete(struct vsw_client *c, const char *name)
{
    return delete_req(c, VSW_CMD_LINK_DELETE, name, false);
}

int vsw_client_link_deactivate(struct vsw_client *c, const char *name)
{
    return delete_req(c, VSW_CMD_LINK_DELETE, name, true);
}

int vsw_client_link_set_mtu(struct vsw_client *c, const char *name,
                            uint16_t mtu, bool temporary)
{
    struct nlmsghdr *nlh;
    int rc = named_start(c, VSW_CMD_LINK_MODIFY, name, &nlh);

    if (rc < 0)
        return rc;
    mnl_attr_put_u16(nlh, VSW_A_MTU, mtu);
    return named_send(c, nlh, temporary);
}

int vsw_client_link_set_nicmode(struct vsw_client *c, const char *name,
                                enum vsw_nicmode mode, bool temporary)
{
    struct nlmsghdr *nlh;
    int rc = named_start(c, VSW_CMD_LINK_MODIFY, name, &nlh);

    if (rc < 0)
        return rc;
    mnl_attr_put_u8(nlh, VSW_A_NICMODE, (uint8_t)mode);
    return named_send(c, nlh, temporary);
}

int vsw_client_link_set_cpus(struct vsw_client *c, const char *name,
                             bool has_cpus, uint16_t cpu, bool temporary)
{
    struct nlmsghdr *nlh;
    int rc = named_start(c, VSW_CMD_LINK_MODIFY, name, &nlh);

    if (rc < 0)
        return rc;
    mnl_attr_put_u16(nlh, VSW_A_CPUS, has_cpus ? cpu : VSW_CPUS_NONE);
    return named_send(c, nlh, temporary);
}

struct cpu_list {
    uint16_t *cpus;
    unsigned max, n;
};

static int workers_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
                         void *arg)
{
    struct cpu_list *l = arg;
    const struct nlattr *a = tb[VSW_A_WORKER_CPUS];
    unsigned n;

    (void)nlh;
    if (!a)
        return 0;
    n = mnl_attr_get_payload_len(a) / sizeof(uint16_t);
    l->n = n < l->max ? n : l->max;
    memcpy(l->cpus, mnl_attr_get_payload(a), l->n * sizeof(uint16_t));
    return 0;
}

int vsw_client_worker_cpus(struct vsw_client *c, uint16_t *cpus,
                           unsigned max)
{
    struct cpu_list l = {cpus, max, 0};
    int rc = transact(c, req_start(c, VSW_CMD_WORKERS_GET, 0), workers_reply,
                      &l);

    return rc < 0 ? rc : (int)l.n;
}

struct link_walk {
    vsw_link_cb *cb;
    void *arg;
};

static int link_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
                      void *arg)
{
    struct link_walk *w = arg;
    struct vsw_link_conf lc;

    (void)nlh;
    memset(&lc, 0, sizeof(lc));
    vsw_ctl_get_link(tb, &lc);
    return w->cb(&lc, w->arg);
}

int vsw_client_link_get(struct vsw_client *c, const char *name,
                        vsw_link_cb *cb, void *arg)
{
    return vsw_client_link_list(c, name, false, cb, arg);
}

int vsw_client_link_list(struct vsw_client *c, const char *name,
                         bool persistent, vsw_link_cb *cb, void *arg)
{
    struct link_walk w = {cb, arg};
    struct nlmsghdr *nlh;
    int rc = name_ok(c, name);

    if (rc < 0)
        return rc;
    nlh = req_named(c, VSW_CMD_LINK_GET, name);
    if (persistent)
        mnl_attr_put(nlh, VSW_A_PERSISTENT, 0, NULL);
    return transact(c, nlh, link_reply, &w);
}

struct vnic_walk {
    vsw_vnic_cb *cb;
    void *arg;
};

static int vnic_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
                      void *arg)
{
    struct vnic_walk *w = arg;
    struct vsw_vnic_conf vc;

    (void)nlh;
    vsw_vnic_conf_init(&vc);
    vsw_ctl_get_vnic(tb, &vc, NULL);
    return w->cb(&vc, w->arg);
}

static int vnic_copy(const struct vsw_vnic_conf *vc, void *arg)
{
    if (arg)
        *(struct vsw_vnic_conf *)arg = *vc;
    return 0;
}

int vsw_client_vnic_create(struct vsw_client *c,
                           const struct vsw_vnic_conf *vc,
                           struct vsw_vnic_conf *made)
{
    struct nlmsghdr *nlh = req_start(c, VSW_CMD_VNIC_CREATE, NLM_F_CREATE);
    struct vnic_walk w = {vnic_copy, made};

    vsw_ctl_put_vnic(nlh, vc);
    return transact(c, nlh, vnic_reply, &w);
}

int vsw_client_vnic_delete(struct vsw_client *c, const char *name)
{
    return delete_req(c, VSW_CMD_VNIC_DELETE, name, false);
}

int vsw_client_vnic_deactivate(struct vsw_client *c, const char *name)
{
    return delete_req(c, VSW_CMD_VNIC_DELETE, name, true);
}

int vsw_client_vnic_modify(struct vsw_client *c,
                           const struct vsw_vnic_conf *vc, uint32_t mods,
                           bool temporary)
{
    struct nlmsghdr *nlh = req_start(c, VSW_CMD_VNIC_MODIFY, 0);

    mnl_attr_put_strz(nlh, VSW_A_NAME, vc->name);
    if (mods & VSW_MOD_MAXBW)
        mnl_attr_put_u64(nlh, VSW_A_MAXBW, vc->maxbw);
    if (mods & VSW_MOD_PRIORITY)
        mnl_attr_put_u8(nlh, VSW_A_PRIORITY, (uint8_t)vc->priority);
    if (mods & VSW_MOD_PROTECTION)
        mnl_attr_put_u32(nlh, VSW_A_PROTECTION, vc->protection);
    if (mods & VSW_MOD_MTU)
        mnl_attr_put_u16(nlh, VSW_A_MTU, vc->mtu);
    if (mods & VSW_MOD_CPUS)
        mnl_attr_put_u16(nlh, VSW_A_CPUS,
                         vc->has_cpus ? vc->cpus : VSW_CPUS_NONE);
    if (mods & VSW_MOD_ALLOWED_IPS)
        vsw_ctl_put_ips(nlh, vc->ips, vc->nips);
    if (mods & VSW_MOD_MAC) {
        if (vc->mac_type != VSW_MAC_RANDOM)
            mnl_attr_put(nlh, VSW_A_MAC, 6, vc->mac);
        mnl_attr_put_u8(nlh, VSW_A_MAC_TYPE, (uint8_t)vc->mac_type);
    }
    if (mods & VSW_MOD_VID)
        mnl_attr_put_u16(nlh, VSW_A_VID, vc->vid);
    if (mods & VSW_MOD_LINK)
        mnl_attr_put_strz(nlh, VSW_A_LINK, vc->link);
    return named_send(c, nlh, temporary);
}

int vsw_client_vnic_get(struct vsw_client *c, const char *name,
                        vsw_vnic_cb *cb, void *arg)
{
    return vsw_client_vnic_list(c, name, false, cb, arg);
}

int vsw_client_vnic_list(struct vsw_client *c, const char *name,
                         bool persistent, vsw_vnic_cb *cb, void *arg)
{
    struct vnic_walk w = {cb, arg};
    struct nlmsghdr *nlh;
    int rc = name_ok(c, name);

    if (rc < 0)
        return rc;
    nlh = req_named(c, VSW_CMD_VNIC_GET, name);
    if (persistent)
        mnl_attr_put(nlh, VSW_A_PERSISTENT, 0, NULL);
    return transact(c, nlh, vnic_reply, &w);
}

int vsw_client_link_rename(struct vsw_client *c, const char *name,
                           const char *newname)
{
    struct nlmsghdr *nlh;
    int rc = name_ok(c, name);

    if (rc == 0)
        rc = name_ok(c, newname);
    if (rc == 0 && (!name || !newname))
        rc = fail(c, -EINVAL, NULL);
    if (rc < 0)
        return rc;
    nlh = req_named(c, VSW_CMD_LINK_RENAME, name);
    mnl_attr_put_strz(nlh, VSW_A_NEWNAME, newname);
    return transact(c, nlh, NULL, NULL);
}

struct stats_walk {
    vsw_stats_cb *cb;
    void *arg;
};

static int stats_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
                       void *arg)
{
    struct stats_walk *w = arg;
    struct vsw_stats st;

    (void)nlh;
    if (!tb[VSW_A_NAME] || !tb[VSW_A_CLASS] || !tb[VSW_A_STATS] ||
        vsw_ctl_get_stats(tb[VSW_A_STATS], &st) < 0)
        return -EPROTO;
    return w->cb(mnl_attr_get_str(tb[VSW_A_NAME]),
                 (enum vsw_class)mnl_attr_get_u8(tb[VSW_A_CLASS]), &st,
                 w->arg);
}

int vsw_client_stats_get(struct vsw_client *c, const char *name,
                         vsw_stats_cb *cb, void *arg)
{
    struct stats_walk w = {cb, arg};
    int rc = name_ok(c, name);

    if (rc < 0)
        return rc;
    return transact(c, req_named(c, VSW_CMD_STATS_GET, name), stats_reply,
                    &w);
}

/* ---- capture ---- */

struct cap_got {
    struct vsw_client *c;
    uint32_t ring_bytes;
    int fds[2];
};

static int cap_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
                     void *arg)
{
    struct cap_got *g = arg;

    if (nlh->nlmsg_type != VSW_CMD_CAPTURE || !tb[VSW_A_CAP_RING] ||
        g->c->nfds != 2 || g->fds[0] >= 0)
        return -EPROTO;
    g->ring_bytes = mnl_attr_get_u32(tb[VSW_A_CAP_RING]);
    g->fds[0] = g->c->fds[0];
    g->fds[1] = g->c->fds[1];
    g->c->nfds = 0; /* taken */
    return 0;
}

int vsw_cap_request(const char *sock, const struct vsw_cap_req *req,
                    struct vsw_cap_rep *rep, int *conn, int *memfd,
                    int *evfd)
{
    struct cap_got g = {.fds = {-1, -1}};
    struct nlmsghdr *nlh;
    int rc;

    memset(rep, 0, sizeof(*rep));
    *conn = *memfd = *evfd = -1;
    g.c = vsw_client_open(sock);
    if (!g.c)
        return rep->status = -errno;
    nlh = req_start(g.c, VSW_CMD_CAPTURE, 0);
    mnl_attr_put_strz(nlh, VSW_A_NAME, req->name);
    mnl_attr_put_u32(nlh, VSW_A_CAP_DIR, req->dir);
    mnl_attr_put_u32(nlh, VSW_A_CAP_SNAPLEN, req->snaplen);
    mnl_attr_put_u32(nlh, VSW_A_CAP_RING, req->ring_bytes);
    if (req->filter && req->filter[0] &&
        !mnl_attr_put_strz_check(nlh, VSW_CTL_BUFSIZ, VSW_A_CAP_FILTER,
                                 req->filter)) {
        vsw_client_close(g.c);
        return rep->status = -E2BIG;
    }
    rc = transact(g.c, nlh, cap_reply, &g);
    if (rc == 0 && g.fds[0] < 0)
        rc = fail(g.c, -EPROTO, "vswitchd sent no ring");
    if (rc < 0) {
        rep->code = g.c->status;
        snprintf(rep->err, sizeof(rep->err), "%s", g.c->err);
        if (g.fds[0] >= 0) {
            close(g.fds[0]);
            close(g.fds[1]);
        }
        vsw_client_close(g.c);
        return rep->status = rc;
    }
    rep->ring_bytes = g.ring_bytes;
    *conn = g.c->fd;
    g.c->fd = -1;
    vsw_client_close(g.c);
    *memfd = g.fds[0];
    *evfd = g.fds[1];
    return 0;
}
