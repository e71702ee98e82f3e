/* SPDX-License-Identifier: MIT */
/*
 * vsw/vif.h - attaching a guest's netif vif to a VNIC (VSW_CMD_VIF_ATTACH).
 *
 * Until xvmd brokers vifs through xenstore, a root client hands vswitchd
 * what the netif handshake would carry: one request datagram made of a
 * struct nlmsghdr (type VSW_CMD_VIF_ATTACH, NLM_F_REQUEST) followed by a
 * struct vsw_vif_hello, with two descriptors attached (SCM_RIGHTS): the
 * guest's memory (a memfd, see xvm/mem.h) and the doorbell eventfd of the
 * guest's unbound event-channel port.  vswitchd maps the memory, binds the
 * event channel, connects a netback vif to the rings and attaches it to
 * the VNIC (replacing a vif attached before: how a restarted guest or
 * vswitchd re-attaches; a VNIC with a host TAP is refused, EBUSY).  The
 * reply is one datagram: a struct nlmsghdr of the same type followed by a
 * struct vsw_vif_welcome, with vswitchd's own doorbell eventfd attached
 * when status is 0.  The vif lives until the VNIC is deleted or another is
 * attached; a vif netback disabled stays attached, counted, until then.
 * No DPDK here.
 */
#ifndef VSW_VIF_H
#define VSW_VIF_H

#include <stdint.h>

#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the frontend tells the backend (netif_pair's hello). */
struct vsw_vif_hello {
    char vnic[VSW_NAMSIZ];  /**< the VNIC to attach to */
    uint16_t domid;         /**< the guest; not 0 */
    uint16_t gt_frames;     /**< frames of its grant table (1..32) */
    uint32_t fe_features;   /**< NETIF_F_* bits (xnf_fe_features()) */
    uint64_t gt_gfn;        /**< first frame of its grant table */
    uint32_t tx_ring_ref;   /**< tx-ring-ref */
    uint32_t rx_ring_ref;   /**< rx-ring-ref */
    uint32_t port;          /**< its unbound event-channel port */
    uint32_t pad;
};

/** And back. */
struct vsw_vif_welcome {
    int32_t status;         /**< 0 or -errno */
    uint32_t port;          /**< the backend's bound port */
    uint32_t be_features;   /**< NETIF_F_* bits to xnf_connect() with */
    uint32_t pad;
    char err[128];          /**< why, when status < 0 */
};

/**
 * Attach: connect to vswitchd at @sock (NULL: VSW_CTL_SOCK), send @h with
 * @memfd and @evfd, wait for the answer.  On success *@be_evfd is the
 * backend's doorbell (the caller closes it) and @w holds the rest.
 * @return 0, or -errno with a message in @w->err (the server's or local).
 */
int vsw_client_vif_attach(const char *sock, const struct vsw_vif_hello *h,
                          int memfd, int evfd, struct vsw_vif_welcome *w,
                          int *be_evfd);

#ifdef __cplusplus
}
#endif

#endif /* VSW_VIF_H */
