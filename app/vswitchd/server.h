/* SPDX-License-Identifier: MIT */
/*
 * vswitchd's control thread: the root-only SOCK_SEQPACKET socket under
 * /run/xvnet/ and the datalink manager behind it.
 */
#ifndef VSWITCHD_SERVER_H
#define VSWITCHD_SERVER_H

#include "vswmgr/mgr.h"
#include "vswmgr/vifs.h"

struct server;

/**
 * Listen on @path (its directory is made if missing; a stale socket is
 * replaced, a live one is an error) and serve requests with @m on a DPDK
 * control thread, and the guest vifs @vifs (NULL: none; they outlive the
 * server).  @sw is
 * woken after each request.
 * @return the server, or NULL with errno (EADDRINUSE: another vswitchd).
 */
struct server *server_start(const char *path, struct vsw_mgr *m,
                            struct vsw_switch *sw, struct vsw_mgr_vifs *vifs);

/** Stop the thread, close every connection, remove the socket. */
void server_stop(struct server *s);

#endif
