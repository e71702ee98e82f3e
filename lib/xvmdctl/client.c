/* SPDX-License-Identifier: MIT */
/* Calling xvmd: see client.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "xvmdctl/client.h"
#include "xvm/fdpass.h"

struct nlmsghdr *xvmd_call_start(struct xvmd_call *c, uint16_t cmd)
{
    c->nlh = mnl_nlmsg_put_header(c->req);
    c->nlh->nlmsg_type = cmd;
    c->nlh->nlmsg_flags = NLM_F_REQUEST;
    c->nlh->nlmsg_seq = (uint32_t)getpid();
    c->fds[0] = c->fds[1] = -1;
    c->nfds = 0;
    c->wait_ms = 0;
    c->reply = NULL;
    c->err[0] = '\0';
    return c->nlh;
}

static int call_connect(struct xvmd_call *c, const char *sock)
{
    int fd = xvm_unix_connect(sock, SOCK_SEQPACKET, XVM_CALL_TIMEOUT_MS);

    if (fd >= 0)
        return fd;
    if (fd == -ENOENT || fd == -ECONNREFUSED)
        snprintf(c->err, sizeof(c->err),
                 "xvmd is not running (no answer on %s)", sock);
    else if (fd == -EACCES || fd == -EPERM) {
        char who[96];

        snprintf(c->err, sizeof(c->err), "%s: permission denied (xvm %s)",
                 sock, xvm_unix_who_may(sock, who, sizeof(who)));
    }
    else if (fd == -EAGAIN)
        snprintf(c->err, sizeof(c->err),
                 "xvmd did not take the connection within %u s",
                 XVM_CALL_TIMEOUT_MS / 1000);
    else if (fd == -ENAMETOOLONG)
        snprintf(c->err, sizeof(c->err), "socket path too long: %s", sock);
    else
        snprintf(c->err, sizeof(c->err), "cannot connect to xvmd at %s: %s",
                 sock, strerror(-fd));
    return fd;
}

int xvmd_call_run(struct xvmd_call *c, const char *sock)
{
    uint32_t err;
    ssize_t n;
    int fd = call_connect(c, sock);

    if (fd < 0)
        return fd;
    if (c->wait_ms) {
        unsigned ms = XVM_CALL_TIMEOUT_MS + c->wait_ms;
        struct timeval tv = {.tv_sec = ms / 1000,
                             .tv_usec = (ms % 1000) * 1000};

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    n = send(fd, c->nlh, c->nlh->nlmsg_len, MSG_NOSIGNAL);
    if (n < 0) {
        n = -errno;
        snprintf(c->err, sizeof(c->err), "cannot send to xvmd: %s",
                 strerror(errno));
        close(fd);
        return (int)n;
    }
    n = xvm_fd_recv(fd, c->rep, sizeof(c->rep), c->fds, 2, &c->nfds);
    close(fd);
    if (n == -EAGAIN) {
        snprintf(c->err, sizeof(c->err), "xvmd did not answer within %u s",
                 (XVM_CALL_TIMEOUT_MS + c->wait_ms) / 1000);
        return -ETIMEDOUT;
    }
    if (n <= 0) {
        snprintf(c->err, sizeof(c->err), "no reply from xvmd: %s",
                 n == 0 ? "connection closed" : strerror((int)-n));
        return n == 0 ? -ECONNRESET : (int)n;
    }
    c->reply = xvmd_msg_parse(c->rep, (size_t)n, c->tb, XVMD_A_MAX_,
                              xvmd_reply_policy);
    if (!c->reply || c->reply->nlmsg_type != c->nlh->nlmsg_type ||
        c->reply->nlmsg_seq != c->nlh->nlmsg_seq || !c->tb[XVMD_A_ERRNO]) {
        snprintf(c->err, sizeof(c->err), "malformed reply from xvmd");
        xvmd_call_done(c);
        return -EPROTO;
    }
    err = mnl_attr_get_u32(c->tb[XVMD_A_ERRNO]);
    if (err == 0)
        return 0;
    snprintf(c->err, sizeof(c->err), "%s",
             c->tb[XVMD_A_ERRMSG] ? mnl_attr_get_str(c->tb[XVMD_A_ERRMSG])
                                  : strerror((int)err));
    xvmd_call_done(c);
    return err < 4096 ? -(int)err : -EPROTO;
}

void xvmd_call_done(struct xvmd_call *c)
{
    unsigned i;

    for (i = 0; i < c->nfds && i < 2; i++)
        if (c->fds[i] >= 0) {
            close(c->fds[i]);
            c->fds[i] = -1;
        }
    c->nfds = 0;
}

static struct xvmd_call *call_buf(void)
{
    static struct xvmd_call c; /* 256 KiB: not on the stack */

    return &c;
}

static void dom_attr(struct nlmsghdr *nlh, uint32_t domid)
{
    char id[16];

    snprintf(id, sizeof(id), "%u", domid);
    mnl_attr_put_strz(nlh, XVMD_A_DOM, id);
}

int xvmd_dommem_get(const char *sock, uint32_t domid, struct xvmd_dommem *m,
                    char *err, size_t errlen)
{
    struct xvmd_call *c = call_buf();
    int rc;

    dom_attr(xvmd_call_start(c, XVMD_CMD_DOMMEM), domid);
    rc = xvmd_call_run(c, sock);
    if (rc == 0 && (c->nfds != 1 || !c->tb[XVMD_A_GT_GFN] ||
                    !c->tb[XVMD_A_GT_FRAMES])) {
        snprintf(c->err, sizeof(c->err), "xvmd sent no memory");
        xvmd_call_done(c);
        rc = -EPROTO;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", c->err);
        return rc;
    }
    m->memfd = c->fds[0];
    m->gt_gfn = mnl_attr_get_u64(c->tb[XVMD_A_GT_GFN]);
    m->gt_frames = mnl_attr_get_u32(c->tb[XVMD_A_GT_FRAMES]);
    c->nfds = 0;
    return 0;
}

int xvmd_evtchn_bind(const char *sock, uint32_t domid, uint32_t port,
                     int *own_fd, int *peer_fd, char *err, size_t errlen)
{
    struct xvmd_call *c = call_buf();
    struct nlmsghdr *nlh = xvmd_call_start(c, XVMD_CMD_EVTCHN_BIND);
    int rc;

    dom_attr(nlh, domid);
    mnl_attr_put_u32(nlh, XVMD_A_PORT, port);
    rc = xvmd_call_run(c, sock);
    if (rc == 0 && c->nfds != 2) {
        snprintf(c->err, sizeof(c->err), "xvmd sent no doorbells");
        xvmd_call_done(c);
        rc = -EPROTO;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", c->err);
        return rc;
    }
    *own_fd = c->fds[0];
    *peer_fd = c->fds[1];
    c->nfds = 0;
    return 0;
}

/* One request on the guest channel and its reply, which carries @want
 * descriptors when its rc is 0 (none otherwise).  @return 0 with the reply
 * in @rep and the descriptors in @fds, rep->rc (< 0), or -errno; a reply
 * that breaks the rule is -EPROTO, its descriptors closed. */
static int guest_call(int chan, const struct xvmd_guest_req *req,
                      struct xvmd_guest_rep *rep, int fds[2], unsigned want)
{
    unsigned n = 0;
    ssize_t r;

    if (send(chan, req, sizeof(*req), MSG_NOSIGNAL) != (ssize_t)sizeof(*req))
        return -errno;
    r = xvm_fd_recv(chan, rep, sizeof(*rep), fds, 2, &n);
    if (r < 0)
        return (int)r;
    if (r != (ssize_t)sizeof(*rep) || (rep->rc == 0 && n != want) ||
        (rep->rc != 0 && n != 0) || rep->rc > 0) {
        while (n)
            close(fds[--n]);
        return -EPROTO;
    }
    return rep->rc;
}

int xvmd_guest_evtchn_alloc(int chan, uint16_t remote, uint32_t *port,
                            int *own_fd, int *peer_fd)
{
    struct xvmd_guest_req req = {.op = XVMD_GUEST_EVTCHN_ALLOC,
                                 .remote = remote};
    struct xvmd_guest_rep rep;
    int fds[2], rc = guest_call(chan, &req, &rep, fds, 2);

    if (rc < 0)
        return rc;
    *port = rep.port;
    *own_fd = fds[0];
    *peer_fd = fds[1];
    return 0;
}

int xvmd_guest_evtchn_close(int chan, uint32_t port)
{
    struct xvmd_guest_req req = {.op = XVMD_GUEST_EVTCHN_CLOSE, .remote = port};
    struct xvmd_guest_rep rep;
    int fds[2];

    return guest_call(chan, &req, &rep, fds, 0);
}

int xvmd_vif_set(const char *sock, uint32_t domid, uint32_t n,
                 const char *spec, char *err, size_t errlen)
{
    struct xvmd_call *c = call_buf();
    struct nlmsghdr *nlh = xvmd_call_start(c, XVMD_CMD_VIF_SET);
    int rc;

    dom_attr(nlh, domid);
    mnl_attr_put_u32(nlh, XVMD_A_VIF, n);
    if (!mnl_attr_put_strz_check(nlh, sizeof(c->req), XVMD_A_VIFSPEC, spec)) {
        snprintf(err, errlen, "vif change too long");
        return -E2BIG;
    }
    rc = xvmd_call_run(c, sock);
    if (rc < 0)
        snprintf(err, errlen, "%s", c->err);
    else
        xvmd_call_done(c);
    return rc;
}
