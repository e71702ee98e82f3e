/* SPDX-License-Identifier: MIT */
/* np_front_vif_attach(): see netif_pair.h. */
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "netif_pair.h"
#include "vsw/switch.h"

int np_front_vif_attach(struct np_front *f, domid_t domid, uint32_t want,
                        uint32_t be_features, struct vsw_vnic *v,
                        const char *name, struct rte_mempool *pool)
{
    struct vsw_vif_params p = {.name = name, .domid = domid,
                               .features = want, .nqueues = 1};
    struct vsw_port *port;
    uint16_t gt_frames;
    int own, rc;

    rc = np_front_build(f, domid, want);
    if (rc < 0)
        return rc;
    own = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (own < 0)
        return -errno;
    p.mem = f->mem;
    p.queue[0].own_fd = own;
    p.queue[0].peer_fd = xvm_evtchn_fd(f->ec, f->port);
    p.queue[0].rx_own_fd = p.queue[0].rx_peer_fd = -1;
    np_front_hello(f, &p.gt_gfn, &gt_frames);
    p.gt_frames = gt_frames;
    p.queue[0].tx_ring_ref = xnf_tx_ring_ref(f->xnf);
    p.queue[0].rx_ring_ref = xnf_rx_ring_ref(f->xnf);
    port = vsw_port_vif_open(&p, pool);
    if (!port) {
        close(own);
        return -errno;
    }
    rc = np_front_finish(f, 0, own, be_features);
    close(own);
    if (rc == 0)
        rc = vsw_vnic_attach(v, port);
    if (rc < 0)
        vsw_port_destroy(port);
    return rc;
}
