/* SPDX-License-Identifier: MIT */
/*
 * vswitchd's guest vifs found through xenstore (vswitchd -x ... -X ...).
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
 * come back through the xenbus state machine.
 *
 * Threads: xen_vif_create() and _destroy() on the main thread while no
 * control thread runs; everything else on the control thread (the
 * server's poll loop, through the hook), as other datalink changes do.
 */
#ifndef VSWITCHD_XEN_VIF_H
#define VSWITCHD_XEN_VIF_H

#include "server.h"
#include "vswmgr/mgr.h"
#include "vsw/switch.h"

struct xen_vif;

/**
 * Connect to dom0's xenstore at @xs_sock and start watching; xvmd is at
 * @xvmd_sock.  @return the watcher, or NULL with errno.
 */
struct xen_vif *xen_vif_create(const char *xs_sock, const char *xvmd_sock,
                               struct vsw_mgr *m, struct vsw_switch *sw);

/** What the control thread serves for it (server_start()); lives as
 *  long as @xv.  NULL for a NULL @xv. */
struct server_hook *xen_vif_hook(struct xen_vif *xv);

/** Let the guests go (their backends write Closed), detach their vifs,
 *  close.  The VNICs stay for vsw_mgr_destroy().  Accepts NULL. */
void xen_vif_destroy(struct xen_vif *xv);

#endif
