/* SPDX-License-Identifier: MIT */
/* VSW_CMD_VIF_ATTACH: a guest's vif onto a VNIC (vif_ctl.h, vsw/vif.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "vif_ctl.h"
#include "vswctl/ctl.h"
#include "vswctl/vif.h"
#include "xvm/fdpass.h"

/* Grant tables larger than this are refused (Xen's default max is 32). */
#define GT_FRAMES_MAX 32

struct attach_msg {
    struct nlmsghdr nlh;
    union {
        struct vsw_vif_hello h;
        struct vsw_vif_welcome w;
    };
};

static int attach(struct vsw_switch *sw, const struct vsw_vif_hello *h,
                  int memfd, int evfd, struct vsw_vif_welcome *w, int *bfd)
{
    struct vsw_vif_params p;
    struct vsw_port *port, *old;
    struct vsw_vnic *v;
    char name[VSW_NAMSIZ];
    int rc;

    if (memchr(h->vnic, 0, sizeof(h->vnic)) == NULL || h->domid == 0 ||
        h->gt_frames == 0 || h->gt_frames > GT_FRAMES_MAX) {
        snprintf(w->err, sizeof(w->err), "bad vif parameters");
        return -EINVAL;
    }
    v = vsw_vnic_find(sw, h->vnic);
    if (!v) {
        snprintf(w->err, sizeof(w->err), "no VNIC named %s", h->vnic);
        return -ENOENT;
    }
    old = vsw_vnic_port(v);
    if (old && !vsw_port_is_vif(old)) {
        snprintf(w->err, sizeof(w->err), "VNIC %s is attached to a %s",
                 h->vnic, old->ops->kind);
        return -EBUSY;
    }
    snprintf(name, sizeof(name), "vif%u.0", h->domid);
    p = (struct vsw_vif_params){
        .name = name, .domid = h->domid, .memfd = memfd, .evfd = evfd,
        .remote_port = h->port, .gt_gfn = h->gt_gfn,
        .gt_frames = h->gt_frames, .tx_ring_ref = h->tx_ring_ref,
        .rx_ring_ref = h->rx_ring_ref, .fe_features = h->fe_features};
    port = vsw_port_vif_open(&p, vsw_switch_pool(sw));
    if (!port) {
        rc = -errno;
        snprintf(w->err, sizeof(w->err), "cannot connect the vif: %s",
                 strerror(errno));
        return rc;
    }
    *bfd = vsw_port_vif_doorbell(port, &w->port);
    w->be_features = vsw_port_vif_be_features();
    rc = vsw_vnic_attach(v, port);
    if (rc < 0) {
        vsw_port_destroy(port);
        *bfd = -1;
        snprintf(w->err, sizeof(w->err), "cannot attach: %s", strerror(-rc));
    }
    return rc;
}

void vif_ctl_serve(struct vsw_switch *sw, int sock, const void *req,
                   size_t len, int *fds, unsigned nfds)
{
    struct attach_msg in, out;
    int bfd = -1;
    unsigned i;

    memset(&out, 0, sizeof(out));
    out.nlh.nlmsg_len = sizeof(out);
    out.nlh.nlmsg_type = VSW_CMD_VIF_ATTACH;
    if (len != sizeof(in) || nfds != 2) {
        out.w.status = -EINVAL;
        snprintf(out.w.err, sizeof(out.w.err),
                 "malformed vif attach request");
    } else {
        memcpy(&in, req, sizeof(in));
        out.nlh.nlmsg_seq = in.nlh.nlmsg_seq;
        out.w.status = attach(sw, &in.h, fds[0], fds[1], &out.w, &bfd);
    }
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    /* The port duplicated what it keeps; the doorbell stays its own. */
    xvm_fd_send(sock, &out, sizeof(out), &bfd, bfd >= 0 ? 1 : 0);
}
