/* SPDX-License-Identifier: MIT */
/* VSW_CMD_CAPTURE: packet capture for snoop (capture_ctl.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "capture_ctl.h"
#include "vsw/capture.h"
#include "vswctl/ctl.h"
#include "xvm/fdpass.h"

struct cap_req_msg {
    struct nlmsghdr nlh;
    struct vsw_cap_req req;
};

struct cap_rep_msg {
    struct nlmsghdr nlh;
    struct vsw_cap_rep rep;
};

/* Captures by connection. */
static struct {
    int sock;
    struct vsw_cap *c;
} caps[VSW_CAP_MAX];
static unsigned ncaps;

static struct vsw_cap *open_cap(struct vsw_switch *sw,
                                const struct vsw_cap_req *r,
                                struct vsw_cap_rep *rep)
{
    struct vsw_cap_params p = {.name = r->name, .dir = r->dir,
                               .snaplen = r->snaplen,
                               .ring_bytes = r->ring_bytes,
                               .filter = r->filter};
    struct vsw_cap *c;

    if (!memchr(r->name, 0, sizeof(r->name)) ||
        !memchr(r->filter, 0, sizeof(r->filter))) {
        rep->status = -EINVAL;
        snprintf(rep->err, sizeof(rep->err), "malformed capture request");
        return NULL;
    }
    if (ncaps == VSW_CAP_MAX) {
        rep->status = -ENOSPC;
        snprintf(rep->err, sizeof(rep->err), "too many captures running");
        return NULL;
    }
    c = vsw_cap_open(sw, &p, rep->err, sizeof(rep->err));
    if (!c)
        rep->status = -errno;
    return c;
}

void capture_ctl_serve(struct vsw_switch *sw, int sock, const void *req,
                       size_t len)
{
    static struct cap_req_msg in; /* 2 KiB: not on the stack */
    struct cap_rep_msg out;
    struct vsw_cap *c = NULL;
    int fds[2];

    memset(&out, 0, sizeof(out));
    out.nlh.nlmsg_len = sizeof(out);
    out.nlh.nlmsg_type = VSW_CMD_CAPTURE;
    if (len != sizeof(in)) {
        out.rep.status = -EINVAL;
        snprintf(out.rep.err, sizeof(out.rep.err),
                 "malformed capture request");
    } else {
        memcpy(&in, req, sizeof(in));
        out.nlh.nlmsg_seq = in.nlh.nlmsg_seq;
        c = open_cap(sw, &in.req, &out.rep);
    }
    if (!c) {
        xvm_fd_send(sock, &out, sizeof(out), NULL, 0);
        return;
    }
    fds[0] = vsw_cap_memfd(c);
    fds[1] = vsw_cap_eventfd(c);
    if (xvm_fd_send(sock, &out, sizeof(out), fds, 2) < 0) {
        vsw_cap_close(c);
        return;
    }
    caps[ncaps].sock = sock;
    caps[ncaps++].c = c;
}

void capture_ctl_gone(int sock)
{
    unsigned i = ncaps;

    while (i--) {
        if (caps[i].sock != sock)
            continue;
        vsw_cap_close(caps[i].c);
        caps[i] = caps[--ncaps];
    }
}

void capture_ctl_stop(void)
{
    while (ncaps) {
        ncaps--;
        vsw_cap_close(caps[ncaps].c);
    }
}
