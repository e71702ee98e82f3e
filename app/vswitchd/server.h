/* SPDX-License-Identifier: MIT */
/*
 * vswitchd's control thread: the root-only SOCK_SEQPACKET socket under
 * /run/xvnet/ and the datalink manager behind it.
 */
#ifndef VSWITCHD_SERVER_H
#define VSWITCHD_SERVER_H

#include "vswmgr/mgr.h"

struct server;

/** One more event source the control thread serves (guest vifs found in
 *  xenstore, xen_vif.h). */
struct server_hook {
    int fd;                 /**< polled for POLLIN; -1: not (any more) */
    void (*run)(void *arg); /**< when @fd is readable, and once at start;
                             *  it may set @fd */
    void *arg;
};

/**
 * Listen on @path (its directory is made if missing; a stale socket is
 * replaced, a live one is an error) and serve requests with @m on a DPDK
 * control thread, and @hook (NULL: none; it outlives the server).  @sw is
 * woken after each request.
 * @return the server, or NULL with errno (EADDRINUSE: another vswitchd).
 */
struct server *server_start(const char *path, struct vsw_mgr *m,
                            struct vsw_switch *sw, struct server_hook *hook);

/** Stop the thread, close every connection, remove the socket. */
void server_stop(struct server *s);

#endif
