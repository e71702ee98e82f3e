/* SPDX-License-Identifier: MIT */
/*
 * VNICs with a user (vswmgr/mgr.h): the host's own, whose TAP interface of
 * the VNIC's name follows its link's state, a domain's, whose guest's vif
 * follows it too, and a VNIC lent to a domain (a vif's vnic= key), which
 * leaves the host while the domain runs.
 *
 *  - Carrier: a TAP's or a guest vif's carrier is off while its link is
 *    down (a host NIC down or without a carrier), on otherwise (an
 *    etherstub, a link whose state is not known): mgr_link_up() decides
 *    for both.  Set when the TAP is made or the vif plugged in, when
 *    either moves to another link, and whenever a NIC's state changes
 *    (hostnic.c).  A TAP's is set here (TUNSETCARRIER through its port);
 *    a vif's goes to the domains' owner (vsw_mgr_owner_ops.carrier), who
 *    tells the guest (vifs.c: the backend's carrier key in xenstore).
 *  - Lending: the VNIC keeps its record, properties and switch object; its
 *    host TAP is closed (the interface goes, with its addresses), the
 *    domain's id marks it busy as a domain's own VNIC is, and the guest's
 *    vif is plugged into it.  When the domain goes the vif is unplugged and
 *    the TAP is made again.  The state file keeps what the VNIC is at home
 *    (attach=tap), so a restart makes the TAP, and the domain's vif, found
 *    again in xenstore, borrows the VNIC again.
 *
 * Control thread only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgr_pvt.h"
#include "xvm/log.h"

#define fail mgr_fail

bool mgr_link_up(struct vsw_mgr *m, struct mlink *ml)
{
    mgr_link_info(m, ml);
    return ml->conf.state != VSW_LINK_STATE_DOWN;
}

/* Set the carrier of @mv's host TAP or guest's vif from its link's state;
 * @force: even if it was given that carrier already (a new TAP starts
 * with its carrier on, a vif just plugged in was told nothing yet). */
static void carrier_set(struct vsw_mgr *m, struct mvnic *mv, bool force)
{
    struct vsw_port *port;
    bool up, vif;

    if (!mv->v || !mv->ml)
        return;
    vif = mv->conf.attach == VSW_ATTACH_VIF;
    if (vif ? !m->owner || !m->owner->carrier
            : mv->conf.attach != VSW_ATTACH_TAP)
        return;
    port = vsw_vnic_port(mv->v);
    if (!port)
        return;
    up = mgr_link_up(m, mv->ml);
    if (!force && mv->carrier_off == !up)
        return;
    if (vif) {
        m->owner->carrier(m->owner_arg, &mv->conf, up);
    } else if (vsw_port_set_carrier(port, up) < 0) {
        xvm_log_warn("%s: cannot set the carrier %s", mv->conf.name,
                     up ? "on" : "off");
        return;
    }
    mv->carrier_off = !up;
}

void host_carrier_one(struct vsw_mgr *m, struct mvnic *mv)
{
    carrier_set(m, mv, true);
}

void host_carrier_sync(struct vsw_mgr *m)
{
    struct mvnic *mv;

    /* Every NIC event comes here, a TAP of ours coming included: only
     * a carrier that changes costs a system call. */
    TAILQ_FOREACH(mv, &m->vnics, entry)
        carrier_set(m, mv, false);
}

void host_port_moved(struct vsw_mgr *m, struct mvnic *mv,
                     const struct vsw_vnic_conf *old)
{
    struct vsw_port *port;
    int rc;

    if (!mv->v)
        return;
    port = vsw_vnic_port(mv->v);
    /* A guest's vif keeps the guest's MAC: only the carrier changes. */
    if (mv->conf.attach == VSW_ATTACH_TAP && port &&
        memcmp(old->mac, mv->conf.mac, 6) != 0) {
        rc = vsw_port_set_mac(port, mv->conf.mac);
        if (rc < 0)
            xvm_log_warn("%s: the interface keeps its old MAC: %s",
                         mv->conf.name, strerror(-rc));
    }
    host_carrier_one(m, mv);
}

int vsw_mgr_vnic_lend(struct vsw_mgr *m, const char *name, uint32_t domid,
                      const char *domain, char *err, size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, name);
    struct vsw_port *port;

    if (!mv)
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    "no such VNIC '%s'", name);
    if (mv->inactive)
        return fail(m, VSW_ST_INACTIVE, err, errlen, -ENODEV,
                    "VNIC '%s' is not active (deleted with -t)", name);
    if (mv->lent && mv->conf.domid == domid)
        return 0; /* found again (vswitchd or xvmd restarted) */
    if (mv->conf.domid)
        return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                    "VNIC '%s' is in use by domain %s (%u)", name,
                    mv->conf.domain[0] ? mv->conf.domain : "?",
                    mv->conf.domid);
    if (!domid)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                    "domain 0 cannot borrow a VNIC");
    /* The host's interface goes: the domain has the VNIC now. */
    port = vsw_vnic_detach(mv->v);
    vsw_port_destroy(port);
    mv->home_attach = mv->conf.attach;
    mv->conf.attach = VSW_ATTACH_NONE;
    mv->conf.domid = domid;
    snprintf(mv->conf.domain, sizeof(mv->conf.domain), "%s",
             domain ? domain : "");
    mv->lent = true;
    xvm_log_info("VNIC %s lent to domain %s (%u)", name,
                 domain && domain[0] ? domain : "?", domid);
    return 0;
}

int vnic_give_back(struct vsw_mgr *m, struct mvnic *mv)
{
    struct vsw_port *port = vsw_vnic_detach(mv->v);
    char err[256];
    uint32_t domid = mv->conf.domid;

    vsw_port_destroy(port);
    mv->conf.domid = 0;
    mv->conf.domain[0] = '\0';
    mv->conf.attach = mv->home_attach;
    mv->lent = false;
    if (mgr_vnic_attach(m, mv, err, sizeof(err)) < 0) {
        xvm_log_warn("VNIC %s is back from domain %u without its host "
                     "interface: %s", mv->conf.name, domid, err);
        mv->conf.attach = VSW_ATTACH_NONE;
    } else {
        xvm_log_info("VNIC %s is back from domain %u", mv->conf.name,
                     domid);
    }
    return 0;
}
