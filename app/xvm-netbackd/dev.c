/* SPDX-License-Identifier: MIT */
/*
 * xvm-netbackd: connected vifs.
 *
 * The devices under NBD_BE_ROOT, their xenbus machines, their domains'
 * memory and the xvmd calls are nbd_vifmgr's (nbd_vifmgr.h).  What is
 * left here is the owner's side: when a frontend connects, enter its
 * event channel(s) in our one port table and epoll set, create the nb_vif
 * over the domain's shared mapping and plug it into the MAC switch;
 * disconnect undoes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "netbackd.h"

/* ---- event channels --------------------------------------------------- */

/* Enter a channel xvmd bound for us in our table and epoll set. */
static int evtchn_adopt(struct nbd *d, uint32_t domid,
                        const struct nbd_evtchn_fds *e, evtchn_port_t *local)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int rc;

    rc = xvm_evtchn_adopt(d->ec, 0, (domid_t)domid, e->own_fd, e->peer_fd);
    if (rc < 0)
        return rc;
    *local = (evtchn_port_t)rc;
    ev.data.u64 = NBD_EV(NBD_EV_EVTCHN, *local);
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(d->ec, *local), &ev) <
        0) {
        rc = -errno;
        xvm_evtchn_close(d->ec, *local);
        return rc;
    }
    return 0;
}

static void evtchn_unbind(struct nbd *d, evtchn_port_t port)
{
    int fd = xvm_evtchn_fd(d->ec, port);

    if (fd < 0)
        return;
    epoll_ctl(d->ep, EPOLL_CTL_DEL, fd, NULL);
    xvm_evtchn_close(d->ec, port);
}

/* ---- connect / disconnect (nbd_vifmgr owner) -------------------------- */

static int vif_make(struct nbd *d, struct nbd_vifdev *dev,
                    struct nbd_conn *cn, const struct nbd_vifconn *c)
{
    const struct nb_xenbus_frontend *fi = c->fe;
    struct nb_vif_params p = {
        .name = dev->name,
        .frontend_domid = fi->frontend_domid,
        .backend_domid = 0,
        .mem = c->dom->mem,
        .gnttab_gfn = c->dom->gt_gfn,
        .gnttab_frames = c->dom->gt_frames,
        .tx_ring_ref = fi->tx_ring_ref,
        .rx_ring_ref = fi->rx_ring_ref,
        .evtchn = d->ec,
        .tx_port = cn->tx_port,
        .rx_port = cn->rx_port,
        .features = fi->features,
        .ops = &nbd_switch_io_ops,
    };

    cn->port = nbd_port_add(d->sw, dev->name, fi->mac);
    if (!cn->port)
        return -errno;
    p.ops_arg = cn->port;
    cn->vif = nb_vif_create(&p);
    if (!cn->vif) {
        int rc = -errno;

        nbd_port_remove(cn->port);
        cn->port = NULL;
        return rc;
    }
    nb_vif_set_rate(cn->vif, dev->rate_bytes, dev->rate_usecs);
    nbd_port_attach(cn->port, cn->vif);
    return 0;
}

static int dev_connect(void *arg, struct nbd_vifdev *dev,
                       const struct nbd_vifconn *c)
{
    struct nbd *d = arg;
    struct nbd_conn *cn = calloc(1, sizeof(*cn));
    int rc;

    if (!cn)
        return -ENOMEM;
    rc = evtchn_adopt(d, dev->domid, &c->tx, &cn->tx_port);
    if (rc < 0)
        goto err_free;
    cn->rx_port = cn->tx_port;
    if (c->fe->split_evtchn) {
        rc = evtchn_adopt(d, dev->domid, &c->rx, &cn->rx_port);
        if (rc < 0)
            goto err_tx;
    }
    rc = vif_make(d, dev, cn, c);
    if (rc < 0)
        goto err_rx;
    dev->priv = cn;
    return 0;

err_rx:
    if (cn->rx_port != cn->tx_port)
        evtchn_unbind(d, cn->rx_port);
err_tx:
    evtchn_unbind(d, cn->tx_port);
err_free:
    free(cn);
    return rc;
}

static void dev_disconnect(void *arg, struct nbd_vifdev *dev)
{
    struct nbd *d = arg;
    struct nbd_conn *cn = dev->priv;

    nbd_port_remove(cn->port);
    nb_vif_destroy(cn->vif);
    if (cn->rx_port != cn->tx_port)
        evtchn_unbind(d, cn->rx_port);
    evtchn_unbind(d, cn->tx_port);
    free(cn);
    dev->priv = NULL;
}

static void dev_changed(void *arg)
{
    ((struct nbd *)arg)->stats_dirty = true;
}

static const struct nbd_vifmgr_ops dev_ops = {
    .connect = dev_connect,
    .disconnect = dev_disconnect,
    .changed = dev_changed,
};

/* A vif the switch found broken: stop listening to its doorbells.  The
 * device stays until its frontend or the toolstack lets go. */
static void dev_disabled(void *arg, struct nbd_port *port, enum nb_fatal why)
{
    struct nbd *d = arg;
    struct nbd_vifdev *dev;
    struct nbd_conn *cn = NULL;

    for (dev = nbd_vifmgr_devs(d->vm); dev; dev = dev->next) {
        cn = dev->priv;
        if (cn && cn->port == port)
            break;
    }
    nbd_log("%s: disabled: %s", nbd_port_name(port), nb_fatal_str(why));
    if (dev) {
        epoll_ctl(d->ep, EPOLL_CTL_DEL, xvm_evtchn_fd(d->ec, cn->tx_port),
                  NULL);
        if (cn->rx_port != cn->tx_port)
            epoll_ctl(d->ep, EPOLL_CTL_DEL,
                      xvm_evtchn_fd(d->ec, cn->rx_port), NULL);
    }
    d->stats_dirty = true;
}

const struct nbd_switch_ops nbd_switch_hooks = {.disabled = dev_disabled};

int nbd_devs_start(struct nbd *d)
{
    struct nbd_vifmgr_params p = {
        .xs = d->xs,
        .xvmd_sock = d->xvmd_sock,
        .ops = &dev_ops,
        .arg = d,
        .log = nbd_log,
    };

    d->vm = nbd_vifmgr_create(&p);
    return d->vm ? 0 : -errno;
}

void nbd_devs_stop(struct nbd *d)
{
    nbd_vifmgr_destroy(d->vm);
    d->vm = NULL;
}
