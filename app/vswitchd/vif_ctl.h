/* SPDX-License-Identifier: MIT */
/* VSW_CMD_VIF_ATTACH on vswitchd's control thread (vsw/vif.h). */
#ifndef VSWITCHD_VIF_CTL_H
#define VSWITCHD_VIF_CTL_H

#include <stddef.h>

#include "vsw/switch.h"

/**
 * Serve one VIF_ATTACH request datagram @req (@len bytes) that came on
 * client socket @sock with @nfds descriptors @fds: attach the vif, answer
 * on @sock.  Closes @fds.  Control thread.
 */
void vif_ctl_serve(struct vsw_switch *sw, int sock, const void *req,
                   size_t len, int *fds, unsigned nfds);

#endif
