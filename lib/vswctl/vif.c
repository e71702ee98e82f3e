/* SPDX-License-Identifier: MIT */
/* The VIF_ATTACH client (vsw/vif.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "vswctl/ctl.h"
#include "vswctl/vif.h"
#include "xvm/fdpass.h"

struct attach_msg {
    struct nlmsghdr nlh;
    union {
        struct vsw_vif_hello h;
        struct vsw_vif_welcome w;
    };
};

int vsw_client_vif_attach(const char *sock, const struct vsw_vif_hello *h,
                          int memfd, int evfd, struct vsw_vif_welcome *w,
                          int *be_evfd)
{
    struct attach_msg m;
    int fds[2] = {memfd, evfd}, fd, rfd = -1, rc;
    unsigned nfds = 0;
    ssize_t n;

    memset(w, 0, sizeof(*w));
    *be_evfd = -1;
    fd = xvm_unix_connect(sock ? sock : VSW_CTL_SOCK, SOCK_SEQPACKET);
    if (fd < 0) {
        snprintf(w->err, sizeof(w->err), "cannot reach vswitchd: %s",
                 strerror(-fd));
        return w->status = fd;
    }
    memset(&m, 0, sizeof(m));
    m.nlh.nlmsg_len = sizeof(m);
    m.nlh.nlmsg_type = VSW_CMD_VIF_ATTACH;
    m.nlh.nlmsg_flags = NLM_F_REQUEST;
    m.nlh.nlmsg_seq = 1;
    m.h = *h;
    n = xvm_fd_send(fd, &m, sizeof(m), fds, 2);
    if (n == (ssize_t)sizeof(m))
        n = xvm_fd_recv(fd, &m, sizeof(m), &rfd, 1, &nfds);
    close(fd);
    if (n != (ssize_t)sizeof(m) || m.nlh.nlmsg_type != VSW_CMD_VIF_ATTACH) {
        rc = n < 0 ? (int)n : -EPROTO;
        snprintf(w->err, sizeof(w->err), "no answer from vswitchd: %s",
                 strerror(-rc));
        if (nfds)
            close(rfd);
        return w->status = rc;
    }
    *w = m.w;
    w->err[sizeof(w->err) - 1] = '\0';
    if (w->status == 0 && nfds != 1)
        w->status = -EPROTO;
    if (w->status < 0) {
        if (nfds)
            close(rfd);
        return w->status;
    }
    *be_evfd = rfd;
    return 0;
}
