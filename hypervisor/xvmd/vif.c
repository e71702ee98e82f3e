/* SPDX-License-Identifier: MIT */
/*
 * xvmd: the hook where a domain's vifs are wired to netif.
 *
 * xvmd_vif_setup() runs once a domain has its id and memory and before it
 * is marked running; xvmd_vif_teardown() on every way out of a run
 * (shutdown, destroy, crash, failed start).  Today they only account for
 * the configured vifs.  What goes here next (../shared/ref/netif.md, 5):
 *
 *   setup, for vif <n> of domain <id>:
 *     - the VNIC xvm<id>_<n> on cfg.vifs[n].link with its vlan, maxbw,
 *       mac and priority (vswitchd control socket);
 *     - frontend nodes /local/domain/<id>/device/vif/<n>/ : backend,
 *       backend-id, state=1, handle, mac, mtu, trusted (owner <id>, the
 *       backend domain may read);
 *     - backend nodes /local/domain/0/backend/vif/<id>/<n>/ : frontend,
 *       frontend-id, online=1, state=1, script, mac, bridge, handle, type,
 *       hotplug-status, rate (owner 0, <id> may read);
 *     - hand dom->mem's memfd (and the grant-table location) to the one
 *       backend serving the vif, and to nobody else.
 *   teardown: set online=0, wait for the backend to reach Closed (bounded),
 *     remove both subtrees and the VNIC.
 */
#include "xvmd.h"

int xvmd_vif_setup(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen)
{
    unsigned n;

    (void)x;
    (void)err;
    (void)errlen;
    for (n = 0; n < dom->cfg.nr_vifs; n++)
        xvmd_log("domain %s (id %u): vif %u on %s: not wired yet "
                 "(netif backend pending)",
                 dom->cfg.name, dom->id, n, dom->cfg.vifs[n].link);
    return 0;
}

void xvmd_vif_teardown(struct xvmd *x, struct xvmd_dom *dom)
{
    (void)x;
    (void)dom;
}
