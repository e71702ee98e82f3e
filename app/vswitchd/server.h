/* SPDX-License-Identifier: MIT */
/*
 * vswitchd's control thread: the SOCK_SEQPACKET socket under /run/xvnet/
 * and the datalink manager behind it.  Root may run every command; the
 * members of a group (vswitchd -G), only the read-only ones.
 */
#ifndef VSWITCHD_SERVER_H
#define VSWITCHD_SERVER_H

#include <sys/types.h>

#include "vswmgr/mgr.h"
#include "vswmgr/vifs.h"

struct server;

/**
 * Listen on @path (its directory is made if missing; a stale socket is
 * replaced, a live one is an error) and serve requests with @m on a DPDK
 * control thread, and the guest vifs @vifs (NULL: none; they outlive the
 * server).  @sw is woken after each request.
 *
 * @gid (gid_t)-1: the socket is root's, mode 0600, and only root (or
 * vswitchd's own uid) is served.  Else the socket is root:@gid, mode
 * 0660, and a peer that is not root but has @gid as its gid or one of its
 * supplementary groups gets a read-only connection (VSW_MGR_READONLY:
 * the GETs only, any other command fails with EPERM).  Read-only clients
 * hold at most MAX_RO_CLIENTS of the MAX_CLIENTS slots, and one that
 * leaves its replies unread for RO_SEND_TIMEOUT_MS is dropped.
 * @return the server, or NULL with errno (EADDRINUSE: another vswitchd).
 */
struct server *server_start(const char *path, gid_t gid, struct vsw_mgr *m,
                            struct vsw_switch *sw, struct vsw_mgr_vifs *vifs);

/** Stop the thread, close every connection, remove the socket. */
void server_stop(struct server *s);

#endif
