/* SPDX-License-Identifier: MIT */
/*
 * xvmd/client.h - calling xvmd: the generic request/reply of the control
 * protocol (proto.h), the calls a backend makes to serve a domain's vifs
 * (its memory, its event channels), and the guest side of the guest
 * channel.  Used by xvm, vswitchd and xvm-procdom.
 *
 * Thread safety: none needed; a struct xvmd_call belongs to one caller.
 */
#ifndef XVMD_CLIENT_H
#define XVMD_CLIENT_H

#include "xvm/export.h"

#include <stdint.h>

#include "xvmdctl/proto.h"

/** One call: the request being built, then the reply and its attributes. */
struct xvmd_call {
    char req[XVMD_MSG_MAX];
    char rep[XVMD_MSG_MAX];
    struct nlmsghdr *nlh;             /**< the request (after _start) */
    const struct nlmsghdr *reply;     /**< the reply (after a good _run) */
    const struct nlattr *tb[XVMD_A_MAX_ + 1];
    int fds[2];                       /**< passed back with the reply */
    unsigned nfds;
    unsigned wait_ms;                 /**< the reply may take this much
                                           longer (a request's WAIT) */
    char err[1024];                   /**< why _run failed, for "xvm: " */
};

/** Start a request of type @cmd; add attributes to the returned header. */
XVN_EXPORT
struct nlmsghdr *xvmd_call_start(struct xvmd_call *c, uint16_t cmd);

/**
 * Connect to xvmd at @sock, send the request, read and check the reply.
 * @return 0 (xvmd said yes), or -errno: xvmd's own error, or a transport
 *         one (-ENOENT/-ECONNREFUSED: not running; -EPROTO: bad reply).
 *         c->err always explains a failure.
 */
XVN_EXPORT
int xvmd_call_run(struct xvmd_call *c, const char *sock);

/** Close the fds of the reply that the caller did not take (set to -1). */
XVN_EXPORT
void xvmd_call_done(struct xvmd_call *c);

/** What a backend needs to map a domain's memory and grants. */
struct xvmd_dommem {
    int memfd;          /**< the domain's memory; the caller closes it */
    uint64_t gt_gfn;    /**< first grant-table frame */
    uint32_t gt_frames; /**< grant-table frames */
};

/**
 * XVMD_CMD_DOMMEM for domain @domid.  @return 0 or -errno with @err set.
 */
XVN_EXPORT
int xvmd_dommem_get(const char *sock, uint32_t domid, struct xvmd_dommem *m,
                    char *err, size_t errlen);

/**
 * XVMD_CMD_EVTCHN_BIND: bind dom0 to port @port of domain @domid.  On
 * success *@own_fd is dom0's doorbell and *@peer_fd the guest's (the
 * caller owns both; see xvm_evtchn_adopt()).  @return 0 or -errno.
 */
XVN_EXPORT
int xvmd_evtchn_bind(const char *sock, uint32_t domid, uint32_t port,
                     int *own_fd, int *peer_fd, char *err, size_t errlen);

/**
 * Guest side, on the guest channel @chan: alloc_unbound toward @remote.
 * On success *@port is the port number and *@own_fd / *@peer_fd the
 * doorbells (the caller owns both).  @return 0 or -errno.
 */
XVN_EXPORT
int xvmd_guest_evtchn_alloc(int chan, uint16_t remote, uint32_t *port,
                            int *own_fd, int *peer_fd);

/**
 * Guest side, on the guest channel @chan: close @port
 * (XVMD_GUEST_EVTCHN_CLOSE), giving it back to the domain's budget.  The caller closes its own
 * doorbells.  @return 0 or -errno (-EINVAL: xvmd holds no such port).
 */
XVN_EXPORT
int xvmd_guest_evtchn_close(int chan, uint32_t port);

/**
 * XVMD_CMD_VIF_SET: apply @spec (`key=value,...`, as a vif entry of a
 * domain config) to vif @n of domain @domid's record (a backend keeping an
 * administrator's persistent change).  @return 0 or -errno with @err set.
 */
XVN_EXPORT
int xvmd_vif_set(const char *sock, uint32_t domid, uint32_t n,
                 const char *spec, char *err, size_t errlen);

#endif /* XVMD_CLIENT_H */
