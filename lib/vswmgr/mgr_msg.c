/* SPDX-License-Identifier: MIT */
/*
 * The control protocol, server side (vsw/ctl.h): one handler per command.
 * Replies are packed into datagrams of up to VSW_CTL_BUFSIZ bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "xvm/ctlmsg.h"
#include "vswctl/ctl.h"
#include "vswmgr/mgr.h"

/* Room kept free before starting a reply message: larger than any. */
#define MSG_ROOM 2048

struct reply {
    vsw_mgr_send_fn *send;
    void *arg;
    uint64_t conn;             /* the client connection */
    int fds[2];                /* go with the next datagram sent */
    unsigned nfds;
    const struct nlmsghdr *req;
    size_t len;
    int send_rc;
    char err[VSW_ERRMSGSIZ];
    _Alignas(NLMSG_ALIGNTO) char buf[VSW_CTL_BUFSIZ];
};

static void reply_flush(struct reply *r)
{
    if (r->len && r->send_rc == 0)
        r->send_rc = r->send(r->arg, r->buf, r->len, r->fds, r->nfds);
    r->len = 0;
    r->nfds = 0;
}

/* Start a reply message; it ends with reply_end(). */
static struct nlmsghdr *reply_msg(struct reply *r, uint16_t type,
                                  uint16_t flags)
{
    if (sizeof(r->buf) - r->len < MSG_ROOM)
        reply_flush(r);
    return vsw_ctl_msg(r->buf + r->len, type, flags, r->req->nlmsg_seq);
}

static void reply_end(struct reply *r, const struct nlmsghdr *nlh)
{
    r->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* The final NLMSG_ERROR: an ack (@rc 0) or an error with @st and r->err. */
static void reply_ack(struct reply *r, int rc, enum vsw_status st)
{
    struct nlmsghdr *nlh = reply_msg(r, NLMSG_ERROR, NLM_F_CAPPED);
    struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

    e->error = rc;
    e->msg = *r->req;
    if (rc < 0) {
        if (!r->err[0])
            snprintf(r->err, sizeof(r->err), "%s", strerror(-rc));
        nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
        mnl_attr_put_u32(nlh, NLMSGERR_ATTR_COOKIE, st);
        mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, r->err);
    }
    reply_end(r, nlh);
}

static void reply_done(struct reply *r)
{
    struct nlmsghdr *nlh = reply_msg(r, NLMSG_DONE, NLM_F_MULTI);
    int32_t zero = 0;

    mnl_nlmsg_put_extra_header(nlh, sizeof(zero));
    memcpy(mnl_nlmsg_get_payload(nlh), &zero, sizeof(zero));
    reply_end(r, nlh);
}

static int need(struct reply *r, const struct nlattr *const *tb, int attr,
                const char *what)
{
    if (tb[attr])
        return 0;
    snprintf(r->err, sizeof(r->err), "missing %s", what);
    return -EINVAL;
}

/* ---- GET and STATS: shared walking ---- */

struct get_ctx {
    struct reply *r;
    const char *name; /* NULL: all */
    uint16_t cmd;
    int found;
};

static int link_put(const struct vsw_link_conf *lc, struct vsw_link *l,
                    void *arg)
{
    struct get_ctx *g = arg;
    struct nlmsghdr *nlh;

    if (g->name && strcmp(g->name, lc->name) != 0)
        return 0;
    g->found++;
    nlh = reply_msg(g->r, g->cmd, NLM_F_MULTI);
    if (g->cmd == VSW_CMD_STATS_GET) {
        struct vsw_stats st;

        /* A NIC's link with no VNIC has no switch link to count. */
        memset(&st, 0, sizeof(st));
        if (l)
            vsw_link_stats_get(l, &st);
        mnl_attr_put_strz(nlh, VSW_A_NAME, lc->name);
        mnl_attr_put_u8(nlh, VSW_A_CLASS, (uint8_t)lc->cls);
        vsw_ctl_put_stats(nlh, &st);
    } else {
        vsw_ctl_put_link(nlh, lc);
    }
    reply_end(g->r, nlh);
    return 0;
}

static int vnic_put(const struct vsw_vnic_conf *vc, struct vsw_vnic *v,
                    void *arg)
{
    struct get_ctx *g = arg;
    struct nlmsghdr *nlh;

    if (g->name && strcmp(g->name, vc->name) != 0)
        return 0;
    g->found++;
    nlh = reply_msg(g->r, g->cmd, NLM_F_MULTI);
    if (g->cmd == VSW_CMD_STATS_GET) {
        struct vsw_stats st;

        vsw_vnic_stats_get(v, &st);
        mnl_attr_put_strz(nlh, VSW_A_NAME, vc->name);
        mnl_attr_put_u8(nlh, VSW_A_CLASS, VSW_CLASS_VNIC);
        vsw_ctl_put_stats(nlh, &st);
    } else {
        vsw_ctl_put_vnic(nlh, vc);
    }
    reply_end(g->r, nlh);
    return 0;
}

static int do_get(struct vsw_mgr *m, struct reply *r,
                  const struct nlattr *const *tb)
{
    struct get_ctx g = {.r = r, .cmd = r->req->nlmsg_type};
    bool dump = r->req->nlmsg_flags & NLM_F_DUMP;

    if (!dump && need(r, tb, VSW_A_NAME, "name") < 0)
        return -EINVAL;
    g.name = dump ? NULL : mnl_attr_get_str(tb[VSW_A_NAME]);
    if (tb[VSW_A_PERSISTENT] && g.cmd != VSW_CMD_STATS_GET) {
        if (g.cmd == VSW_CMD_LINK_GET)
            vsw_mgr_link_walk(m, true, link_put, &g);
        else
            vsw_mgr_vnic_walk(m, true, vnic_put, &g);
    } else {
        if (g.cmd != VSW_CMD_VNIC_GET)
            vsw_mgr_link_walk(m, false, link_put, &g);
        if (g.cmd != VSW_CMD_LINK_GET)
            vsw_mgr_vnic_walk(m, false, vnic_put, &g);
    }
    if (!dump && !g.found) {
        /* Nothing was queued: the error replaces the reply. */
        snprintf(r->err, sizeof(r->err), "'%s' does not exist", g.name);
        return -ENOENT;
    }
    reply_done(r);
    return 1;
}

/* ---- commands that change things ---- */

static int do_link_create(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    struct vsw_link_conf lc;

    memset(&lc, 0, sizeof(lc));
    if (need(r, tb, VSW_A_NAME, "name") < 0 ||
        need(r, tb, VSW_A_CLASS, "class") < 0)
        return -EINVAL;
    vsw_ctl_get_link(tb, &lc);
    return vsw_mgr_link_create(m, &lc, r->err, sizeof(r->err));
}

static int do_link_delete(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    if (need(r, tb, VSW_A_NAME, "name") < 0)
        return -EINVAL;
    return vsw_mgr_link_delete(m, mnl_attr_get_str(tb[VSW_A_NAME]),
                               tb[VSW_A_TEMPORARY] != NULL, r->err,
                               sizeof(r->err));
}

static int do_vnic_create(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    struct vsw_vnic_conf vc;
    struct nlmsghdr *nlh;
    int rc;

    if (need(r, tb, VSW_A_NAME, "name") < 0 ||
        need(r, tb, VSW_A_LINK, "link") < 0)
        return -EINVAL;
    vsw_vnic_conf_init(&vc);
    vsw_ctl_get_vnic(tb, &vc, NULL);
    /* Only the owner of guest vifs makes a domain's VNIC, never a client;
     * nor does a client attach a guest's vif. */
    vc.domid = 0;
    vc.domain[0] = '\0';
    if (vc.attach == VSW_ATTACH_VIF || vc.mac_type == VSW_MAC_AUTO) {
        snprintf(r->err, sizeof(r->err), "invalid argument");
        return -EINVAL;
    }
    /* RANDOM with a MAC: one the client drew (dladm -r prefix); without
     * one, vswitchd draws it. */
    rc = vsw_mgr_vnic_create(m, &vc, r->err, sizeof(r->err));
    if (rc < 0)
        return rc;
    nlh = reply_msg(r, VSW_CMD_VNIC_GET, 0);
    vsw_ctl_put_vnic(nlh, &vc);
    reply_end(r, nlh);
    return 0;
}

static int do_vnic_delete(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    if (need(r, tb, VSW_A_NAME, "name") < 0)
        return -EINVAL;
    return vsw_mgr_vnic_delete(m, mnl_attr_get_str(tb[VSW_A_NAME]),
                               tb[VSW_A_TEMPORARY] != NULL, r->err,
                               sizeof(r->err));
}

static int do_vnic_modify(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    struct vsw_vnic_conf vc;
    uint32_t mods;

    if (need(r, tb, VSW_A_NAME, "name") < 0)
        return -EINVAL;
    vsw_vnic_conf_init(&vc);
    vsw_ctl_get_vnic(tb, &vc, &mods);
    if ((mods & VSW_MOD_MAC) && vc.mac_type == VSW_MAC_RANDOM)
        memset(vc.mac, 0, sizeof(vc.mac)); /* chosen here */
    if (!mods) {
        snprintf(r->err, sizeof(r->err), "no property to change");
        return -EINVAL;
    }
    return vsw_mgr_vnic_modify(m, &vc, mods, tb[VSW_A_TEMPORARY] != NULL,
                               r->err, sizeof(r->err));
}

static int do_link_rename(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    if (need(r, tb, VSW_A_NAME, "name") < 0 ||
        need(r, tb, VSW_A_NEWNAME, "new name") < 0)
        return -EINVAL;
    return vsw_mgr_rename(m, mnl_attr_get_str(tb[VSW_A_NAME]),
                          mnl_attr_get_str(tb[VSW_A_NEWNAME]), r->err,
                          sizeof(r->err));
}

/* A link's MTU (a host NIC's), nicmode (a NIC's own link) or cpus. */
static int do_link_modify(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    if (need(r, tb, VSW_A_NAME, "name") < 0)
        return -EINVAL;
    if (tb[VSW_A_CPUS] && !tb[VSW_A_MTU] && !tb[VSW_A_NICMODE]) {
        uint16_t cpu = mnl_attr_get_u16(tb[VSW_A_CPUS]);

        return vsw_mgr_link_set_cpus(m, mnl_attr_get_str(tb[VSW_A_NAME]),
                                     cpu != VSW_CPUS_NONE, cpu,
                                     tb[VSW_A_TEMPORARY] != NULL, r->err,
                                     sizeof(r->err));
    }
    if (tb[VSW_A_NICMODE] && !tb[VSW_A_MTU])
        return vsw_mgr_link_set_nicmode(
            m, mnl_attr_get_str(tb[VSW_A_NAME]),
            mnl_attr_get_u8(tb[VSW_A_NICMODE]), tb[VSW_A_TEMPORARY] != NULL,
            r->err, sizeof(r->err));
    if (need(r, tb, VSW_A_MTU, "mtu") < 0)
        return -EINVAL;
    return vsw_mgr_link_set_mtu(m, mnl_attr_get_str(tb[VSW_A_NAME]),
                                mnl_attr_get_u16(tb[VSW_A_MTU]), r->err,
                                sizeof(r->err));
}

typedef int cmd_fn(struct vsw_mgr *m, struct reply *r,
                   const struct nlattr *const *tb);

/* Every worker's CPU fits the reply. */
_Static_assert(VSW_WORKERS_MAX <= VSW_CTL_WORKERS_MAX,
               "a worker CPU list fits WORKERS_GET");

/* The CPUs of the workers, in one message, then DONE as a GET's. */
static int do_workers_get(struct vsw_mgr *m, struct reply *r,
                          const struct nlattr *const *tb)
{
    uint16_t cpus[VSW_CTL_WORKERS_MAX];
    unsigned n = vsw_mgr_worker_cpus(m, cpus, VSW_CTL_WORKERS_MAX);
    struct nlmsghdr *nlh = reply_msg(r, VSW_CMD_WORKERS_GET, 0);

    (void)tb;
    mnl_attr_put(nlh, VSW_A_WORKER_CPUS, n * sizeof(cpus[0]), cpus);
    reply_end(r, nlh);
    reply_done(r);
    return 1;
}

/*
 * A capture for this connection: the reply's datagram carries the ring's
 * memfd and eventfd, so it is sent on its own, before the ack.
 */
static int do_capture(struct vsw_mgr *m, struct reply *r,
                      const struct nlattr *const *tb)
{
    struct vsw_cap_params p = {.dir = 0};
    struct nlmsghdr *nlh;
    struct vsw_cap *c;

    if (need(r, tb, VSW_A_NAME, "name") < 0 ||
        need(r, tb, VSW_A_CAP_DIR, "direction") < 0)
        return -EINVAL;
    p.name = mnl_attr_get_str(tb[VSW_A_NAME]);
    p.dir = mnl_attr_get_u32(tb[VSW_A_CAP_DIR]);
    if (tb[VSW_A_CAP_SNAPLEN])
        p.snaplen = mnl_attr_get_u32(tb[VSW_A_CAP_SNAPLEN]);
    if (tb[VSW_A_CAP_RING])
        p.ring_bytes = mnl_attr_get_u32(tb[VSW_A_CAP_RING]);
    if (tb[VSW_A_CAP_FILTER])
        p.filter = mnl_attr_get_str(tb[VSW_A_CAP_FILTER]);
    c = vsw_mgr_capture(m, r->conn, &p, r->err, sizeof(r->err));
    if (!c)
        return -errno;
    reply_flush(r);
    nlh = reply_msg(r, VSW_CMD_CAPTURE, 0);
    mnl_attr_put_u32(nlh, VSW_A_CAP_RING, vsw_cap_ring_bytes(c));
    reply_end(r, nlh);
    r->fds[0] = vsw_cap_memfd(c);
    r->fds[1] = vsw_cap_eventfd(c);
    r->nfds = 2;
    reply_flush(r);
    return 0;
}

/*
 * The command table.  A read-only command changes nothing and shows only
 * what dladm's show-* subcommands show: a connection vsw_mgr_handle() is
 * told is read-only (vswitchd's group) may run these and no other.  A
 * capture is not one of them: it hands out the frames themselves, and a
 * ring of memory for as long as the connection lasts.
 */
static const struct {
    cmd_fn *fn;
    bool readonly;
} cmds[VSW_CMD__END] = {
    [VSW_CMD_LINK_CREATE] = {do_link_create, false},
    [VSW_CMD_LINK_DELETE] = {do_link_delete, false},
    [VSW_CMD_LINK_GET] = {do_get, true},
    [VSW_CMD_VNIC_CREATE] = {do_vnic_create, false},
    [VSW_CMD_VNIC_DELETE] = {do_vnic_delete, false},
    [VSW_CMD_VNIC_MODIFY] = {do_vnic_modify, false},
    [VSW_CMD_VNIC_GET] = {do_get, true},
    [VSW_CMD_STATS_GET] = {do_get, true},
    [VSW_CMD_LINK_RENAME] = {do_link_rename, false},
    [VSW_CMD_CAPTURE] = {do_capture, false},
    [VSW_CMD_LINK_MODIFY] = {do_link_modify, false},
    [VSW_CMD_WORKERS_GET] = {do_workers_get, true},
};

bool vsw_mgr_cmd_readonly(uint16_t cmd)
{
    return cmd < VSW_CMD__END && cmds[cmd].fn && cmds[cmd].readonly;
}

/* One request message.  Handlers return 1 when they already ended the
 * reply (GET's DONE), 0 for "send the ack", -errno for an error. */
static void handle_one(struct vsw_mgr *m, struct reply *r, unsigned flags,
                       const struct nlmsghdr *nlh)
{
    const struct nlattr *tb[VSW_A_MAX + 1];
    enum vsw_status st = VSW_ST_NONE;
    int rc;

    r->req = nlh;
    r->err[0] = '\0';
    vsw_mgr_status_clear(m);
    if (nlh->nlmsg_type >= VSW_CMD__END || !cmds[nlh->nlmsg_type].fn) {
        snprintf(r->err, sizeof(r->err), "unknown command %u",
                 nlh->nlmsg_type);
        rc = -EOPNOTSUPP;
    } else if ((flags & VSW_MGR_READONLY) &&
               !cmds[nlh->nlmsg_type].readonly) {
        snprintf(r->err, sizeof(r->err),
                 "permission denied: a read-only connection (needs root)");
        rc = -EPERM;
        st = VSW_ST_READONLY;
    } else if (vsw_ctl_attrs(nlh, tb) < 0) {
        snprintf(r->err, sizeof(r->err), "malformed attributes");
        rc = -EINVAL;
    } else {
        rc = cmds[nlh->nlmsg_type].fn(m, r, tb);
        st = vsw_mgr_status(m);
    }
    if (rc <= 0)
        reply_ack(r, rc, st);
}

void vsw_mgr_handle(struct vsw_mgr *m, uint64_t conn, unsigned flags,
                    const void *req, size_t len, vsw_mgr_send_fn *send,
                    void *arg)
{
    /* Zeroed: libmnl leaves the padding after an attribute as it finds
     * it, and no stale heap bytes may go out in replies. */
    struct reply *r = calloc(1, sizeof(*r));
    const struct nlmsghdr *nlh = req;
    int rest = (int)len;

    if (!r)
        return; /* the client sees no reply and gives up */
    r->send = send;
    r->arg = arg;
    r->conn = conn;
    for (; xvm_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
        if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
            continue;
        handle_one(m, r, flags, nlh);
        if (r->send_rc < 0)
            break;
    }
    reply_flush(r);
    free(r);
}
