/* SPDX-License-Identifier: MIT */
/*
 * The datalink manager's guest vifs found through xenstore (vswitchd -x ... -X ...).
 *
 * vswitchd plays both the hotplug script and the backend of every vif
 * under /local/domain/0/backend/vif (nbd_vifmgr.h does the xenstore side):
 *  - a backend directory <domid>/<n> gets a temporary VNIC xvm<domid>_<n>
 *    on the datalink named by its "bridge" key, with its "mac", "vlan",
 *    maxbw from "rate" (bytes per usecs) and "priority";
 *  - when the frontend connects, the domain's memory and event channel
 *    come from xvmd and a netback vif port (vsw_port_vif_open()) is
 *    attached to that VNIC;
 *  - the directory disappearing (domain destroyed) deletes the VNIC.
 * After a restart the VNICs are made again from xenstore and the guests
 * come back through the xenbus state machine.  When xenstore goes away
 * (xvmd restarted) the vifs keep running and the vif bus reconnects by
 * itself (nbd_vifmgr.h): the VNICs of domains gone meanwhile are deleted,
 * those of domains still there are kept, new ones are made.
 *
 * Threads: vsw_mgr_vifs_create() and _destroy() on the main thread while
 * no control thread runs; everything else on the control thread (the
 * server's poll loop), as other datalink changes do.
 */
#ifndef VSWMGR_VIFS_H
#define VSWMGR_VIFS_H

#include "xvm/export.h"

#include "vswmgr/mgr.h"
#include "vsw/switch.h"

struct vsw_mgr_vifs;

/**
 * Connect to dom0's xenstore at @xs_sock and start watching (a xenstore
 * not listening yet is waited for); xvmd is at @xvmd_sock.  A guest's vif
 * may have up to @max_queues netif queues (the backends' offer; 0:
 * libnetback's default, min(NB_QUEUES_DEFAULT, CPUs)).
 * @return the watcher, or NULL with errno.
 */
XVN_EXPORT
struct vsw_mgr_vifs *vsw_mgr_vifs_create(const char *xs_sock,
                                         const char *xvmd_sock,
                                         unsigned max_queues,
                                         struct vsw_mgr *m,
                                         struct vsw_switch *sw);

/** The fd the control thread polls for it (POLLIN), or -1 while its
 *  xenstore connection is lost; it may change after each run. */
XVN_EXPORT
int vsw_mgr_vifs_fd(const struct vsw_mgr_vifs *v);

/** The poll timeout in milliseconds until the next reconnection attempt
 *  (0: run now), or -1 while connected. */
XVN_EXPORT
int vsw_mgr_vifs_timeout(const struct vsw_mgr_vifs *v);

/** Serve what is pending: when the fd is readable, when the timeout has
 *  passed, and once at start; wakes the fast path when a port came or
 *  went. */
XVN_EXPORT
void vsw_mgr_vifs_run(struct vsw_mgr_vifs *v);

/** Let the guests go (their backends write Closed), detach their vifs,
 *  close.  The VNICs stay for vsw_mgr_destroy().  Accepts NULL. */
XVN_EXPORT
void vsw_mgr_vifs_destroy(struct vsw_mgr_vifs *v);

#endif
