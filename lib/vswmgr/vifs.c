/* SPDX-License-Identifier: MIT */
/*
 * The datalink manager's guest vifs found through xenstore (vswmgr/vifs.h).
 *
 * nbd_vifmgr (libnetback's vif bus) follows the backend directories,
 * runs nb_xenbus for each and gets the domain's memory and event channel
 * from xvmd.  Here is the owner's side: a temporary VNIC per directory
 * (xvm<id>_<n>, or the name of xl's vifname key), or an existing VNIC
 * the domain borrows (the vnic key: vsw_mgr_vnic_lend()), and a netback
 * vif port on it while the frontend is connected.
 *
 * The VNIC is looked up by name whenever it is needed, never kept: an
 * administrator may delete one we made (the next connect makes it
 * again).
 *
 * The guest learns its link's carrier from the backend's carrier key
 * (nb_xenbus_set_carrier()), which the manager's carrier op writes when
 * the vif is plugged in and whenever the link goes down or comes up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "xvm/rundir.h"
#include "netback/nbd_vifmgr.h"
#include "xvmdctl/client.h"
#include "xvmdctl/proto.h"
#include "vswmgr/conf.h"
#include "vswmgr/vifs.h"
#include "xs/xs.h"
#include "xvm/log.h"

/* One backend directory (nbd_vifdev's priv). */
struct xv_dev {
    char vnic[LP_NAMSIZ]; /* xvm<domid>_<n>, vifname's or vnic's */
    const char *bad;      /* why the name is not usable, or NULL */
    bool lent;            /* an existing VNIC the domain borrows (vnic) */
    bool made;            /* we created (or borrowed) it and it should still
                             be there */
    struct nbd_vifdev *dev; /* whose priv this is */
    uint32_t domid, n;
    TAILQ_ENTRY(xv_dev) entry;
};

struct vsw_mgr_vifs {
    const char *xvmd_sock;
    struct nbd_vifmgr *vm;
    struct vsw_mgr *m;
    struct vsw_switch *sw;
    bool changed; /* a port came or went: wake the fast path */
    TAILQ_HEAD(, xv_dev) devs;
};

__attribute__((format(printf, 1, 2))) static void xv_log(const char *fmt,
                                                         ...)
{
    va_list ap;

    va_start(ap, fmt);
    xvm_logv(XVM_LOG_INFO, fmt, ap);
    va_end(ap);
}

/* ---- the VNIC: what a hotplug script would set up --------------------- */

/* Read @key of @dev into @buf (@len bytes).  @return 0 or -errno. */
static int key_get(struct nbd_vifdev *dev, const char *key, char *buf,
                   size_t len)
{
    char *v;
    int rc = nbd_vifdev_read(dev, key, &v);

    if (rc < 0)
        return rc;
    if (strlen(v) >= len)
        rc = -EINVAL;
    else
        strcpy(buf, v);
    free(v);
    return rc;
}

/* The VNIC's properties from the toolstack's keys; @why: the bad one. */
static int vnic_conf(struct nbd_vifdev *dev, const char *name,
                     struct vsw_vnic_conf *vc, const char **why)
{
    static const struct {
        const char *xs, *key; /* toolstack key, VNIC property */
        bool required;
    } keys[] = {
        {"bridge", "link", true},
        {"mac", "mac", true},
        {"vlan", "vid", false},
        {"priority", "priority", false},
        {"protection", "protection", false},
        {"allowed-ips", "allowed-ips", false},
        {"mtu", "mtu", false},
    };
    char v[LP_IPS_STRLEN];
    uint32_t mod;
    unsigned i;
    int rc;

    vsw_vnic_conf_init(vc);
    snprintf(vc->name, sizeof(vc->name), "%s", name);
    vc->temporary = true;
    vc->attach = VSW_ATTACH_NONE;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        *why = keys[i].xs;
        rc = key_get(dev, keys[i].xs, v, sizeof(v));
        if (rc == -ENOENT && !keys[i].required)
            continue;
        if (rc == 0)
            rc = vsw_vnic_conf_set(vc, keys[i].key, v, &mod);
        if (rc < 0)
            return rc;
    }
    *why = "rate";
    rc = nbd_vifdev_read_rate(dev);
    if (rc < 0)
        return rc;
    vc->maxbw = lp_rate_to_maxbw(dev->rate_bytes, dev->rate_usecs);
    vc->domid = dev->domid;
    /* How the toolstack chose the MAC (not a Xen key: mac-type, one of
     * auto, random, fixed); fixed when it does not say. */
    vc->mac_type = VSW_MAC_FIXED;
    if (key_get(dev, "mac-type", v, sizeof(v)) == 0)
        vc->mac_type = strcmp(v, "auto") == 0     ? VSW_MAC_AUTO
                       : strcmp(v, "random") == 0 ? VSW_MAC_RANDOM
                                                  : VSW_MAC_FIXED;
    return 0;
}

/* The name of domain @domid (its xenstore "name"), or "" if unknown. */
static void dom_name(struct vsw_mgr_vifs *xv, uint32_t domid, char *buf,
                     size_t len)
{
    struct xvm_xs *xs = nbd_vifmgr_xs(xv->vm);
    char path[64];
    char *v = NULL;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    if (xs && xvm_xs_read(xs, 0, path, &v, NULL) == 0 && strlen(v) < len)
        strcpy(buf, v);
    free(v);
}

/* Borrow the VNIC the vnic key names.  The guest was given a MAC (the
 * mac key): it must be the VNIC's.  @return 0 or -errno. */
static int vnic_borrow(struct vsw_mgr_vifs *xv, struct nbd_vifdev *dev)
{
    struct xv_dev *xd = dev->priv;
    struct vsw_vnic *v = vsw_vnic_find(xv->sw, xd->vnic);
    struct vsw_vnic_params p;
    char domain[LP_NAMSIZ], mac[LP_MACSTRLEN], want[LP_MACSTRLEN];
    char err[256];
    uint8_t given[6];
    int rc;

    dom_name(xv, dev->domid, domain, sizeof(domain));
    if (v && key_get(dev, "mac", mac, sizeof(mac)) == 0 &&
        lp_mac_parse(mac, given) == 0) {
        vsw_vnic_params_get(v, &p);
        if (memcmp(p.mac, given, 6) != 0) {
            lp_mac_format(given, mac);
            lp_mac_format(p.mac, want);
            xv_log("%s: VNIC %s has MAC %s, the guest was given %s",
                   dev->name, xd->vnic, want, mac);
            nb_xenbus_why(dev->xb, "VNIC %s has MAC %s, not the guest's "
                          "%s (changed since the domain was started?)",
                          xd->vnic, want, mac);
            return -EADDRNOTAVAIL;
        }
    }
    rc = vsw_mgr_vnic_lend(xv->m, xd->vnic, dev->domid, domain, err,
                           sizeof(err));
    if (rc < 0) {
        xv_log("%s: cannot borrow VNIC %s: %s", dev->name, xd->vnic, err);
        nb_xenbus_why(dev->xb, "%s", err);
        return rc;
    }
    xd->made = true;
    xv_log("%s: borrows VNIC %s", dev->name, xd->vnic);
    return 0;
}

/* Make the device's VNIC unless it is there; why not goes to the vif's
 * error node (nb_xenbus_why()) when a connect is under way.
 * @return 0 or -errno. */
static int vnic_make(struct vsw_mgr_vifs *xv, struct nbd_vifdev *dev)
{
    struct xv_dev *xd = dev->priv;
    struct vsw_vnic_conf vc;
    const char *why;
    char err[256];
    int rc;

    if (xd->bad) {
        xv_log("%s: %s", dev->name, xd->bad);
        nb_xenbus_why(dev->xb, "%s", xd->bad);
        return -EINVAL;
    }
    if (xd->made && vsw_vnic_find(xv->sw, xd->vnic))
        return 0;
    xd->made = false;
    if (xd->lent)
        return vnic_borrow(xv, dev);
    rc = vnic_conf(dev, xd->vnic, &vc, &why);
    if (rc < 0) {
        xv_log("%s: bad or missing %s key: %s", dev->name, why,
               strerror(-rc));
        nb_xenbus_why(dev->xb, "bad or missing %s key", why);
        return rc;
    }
    dom_name(xv, dev->domid, vc.domain, sizeof(vc.domain));
    rc = vsw_mgr_vnic_create(xv->m, &vc, err, sizeof(err));
    if (rc < 0) {
        xv_log("%s: cannot create VNIC %s over %s: %s", dev->name, xd->vnic,
               vc.link, err);
        nb_xenbus_why(dev->xb, "cannot create VNIC %s over %s: %s",
                      xd->vnic, vc.link, err);
        return rc;
    }
    xd->made = true;
    xv_log("%s: VNIC %s over %s (vid %u, maxbw %llu, priority %s)",
           dev->name, xd->vnic, vc.link, vc.vid,
           (unsigned long long)vc.maxbw, lp_priority_str(vc.priority));
    return 0;
}

/* The VNIC's name: the vnic key's (borrowed), vifname's, or
 * xvm<domid>_<n>. */
static void dev_name(struct nbd_vifdev *dev, struct xv_dev *xd)
{
    char v[LP_NAMSIZ];

    snprintf(xd->vnic, sizeof(xd->vnic), LP_NAME_GUEST_FMT, dev->domid,
             dev->n);
    if (key_get(dev, "vnic", v, sizeof(v)) == 0) {
        xd->lent = true;
        if (lp_name_check(v) < 0)
            xd->bad = "bad vnic key: not a link name";
        else
            snprintf(xd->vnic, sizeof(xd->vnic), "%s", v);
    } else if (key_get(dev, "vifname", v, sizeof(v)) == 0) {
        if (lp_name_check(v) < 0)
            xd->bad = "bad vifname key: not a link name";
        else
            snprintf(xd->vnic, sizeof(xd->vnic), "%s", v);
    }
}

static void dev_add(void *arg, struct nbd_vifdev *dev)
{
    struct vsw_mgr_vifs *xv = arg;
    struct xv_dev *xd = calloc(1, sizeof(*xd));

    if (!xd)
        return; /* connect refuses the device */
    xd->dev = dev;
    xd->domid = dev->domid;
    xd->n = dev->n;
    dev_name(dev, xd);
    TAILQ_INSERT_TAIL(&xv->devs, xd, entry);
    dev->priv = xd;
    /* A failure is logged; connect tries again and tells the guest. */
    vnic_make(arg, dev);
}

static void dev_remove(void *arg, struct nbd_vifdev *dev, bool gone)
{
    struct vsw_mgr_vifs *xv = arg;
    struct xv_dev *xd = dev->priv;
    char err[256];

    if (!xd)
        return;
    /* A stopping vswitchd leaves its VNICs to vsw_mgr_destroy(). */
    if (gone && xd->made && vsw_vnic_find(xv->sw, xd->vnic)) {
        if (vsw_mgr_vnic_release(xv->m, xd->vnic, err, sizeof(err)) < 0)
            xv_log("%s: cannot %s VNIC %s: %s", dev->name,
                   xd->lent ? "give back" : "delete", xd->vnic, err);
        else
            xv_log("%s: VNIC %s %s", dev->name, xd->vnic,
                   xd->lent ? "given back to the host" : "deleted");
        xv->changed = true;
    }
    TAILQ_REMOVE(&xv->devs, xd, entry);
    free(xd);
    dev->priv = NULL;
}

/* ---- the vif port ----------------------------------------------------- */

static int dev_connect(void *arg, struct nbd_vifdev *dev,
                       const struct nbd_vifconn *c)
{
    struct vsw_mgr_vifs *xv = arg;
    struct xv_dev *xd = dev->priv;
    const struct nb_xenbus_frontend *fe = c->fe;
    struct vsw_vif_params p;
    struct vsw_port *port, *old;
    struct vsw_vnic *v;
    char err[256];
    unsigned q;
    int rc;

    if (!xd)
        return -ENOMEM;
    rc = vnic_make(xv, dev);
    if (rc < 0)
        return rc;
    v = vsw_vnic_find(xv->sw, xd->vnic);
    old = v ? vsw_vnic_port(v) : NULL;
    if (!v || (old && !vsw_port_is_vif(old)))
        return v ? -EBUSY : -ENODEV;
    p = (struct vsw_vif_params){
        .name = dev->name, .domid = (uint16_t)dev->domid,
        .mem = c->dom->mem, .gt_gfn = c->dom->gt_gfn,
        .gt_frames = c->dom->gt_frames, .features = fe->features,
        .nqueues = fe->num_queues};
    for (q = 0; q < fe->num_queues; q++)
        p.queue[q] = (struct vsw_vif_queue){
            .tx_ring_ref = fe->queue[q].tx_ring_ref,
            .rx_ring_ref = fe->queue[q].rx_ring_ref,
            .own_fd = c->tx[q].own_fd, .peer_fd = c->tx[q].peer_fd,
            .rx_own_fd = c->rx[q].own_fd, .rx_peer_fd = c->rx[q].peer_fd};
    port = vsw_port_open("vif", &(struct vsw_port_args){.vif = &p},
                         vsw_switch_pool(xv->sw));
    if (!port)
        return -errno;
    rc = vsw_mgr_vnic_plug(xv->m, xd->vnic, port, err, sizeof(err));
    if (rc < 0) {
        xv_log("%s: %s", dev->name, err);
        vsw_port_destroy(port);
        return rc;
    }
    xv->changed = true;
    xv_log("%s: attached to VNIC %s", dev->name, xd->vnic);
    return 0;
}

static void dev_disconnect(void *arg, struct nbd_vifdev *dev)
{
    struct vsw_mgr_vifs *xv = arg;
    struct xv_dev *xd = dev->priv;
    struct vsw_vnic *v = xd ? vsw_vnic_find(xv->sw, xd->vnic) : NULL;
    char err[256];

    /* The port goes once the fast path has let go of it. */
    if (v && vsw_port_is_vif(vsw_vnic_port(v)))
        vsw_mgr_vnic_plug(xv->m, xd->vnic, NULL, err, sizeof(err));
    xv->changed = true;
}

static const struct nbd_vifmgr_ops xv_ops = {
    .add = dev_add,
    .remove = dev_remove,
    .connect = dev_connect,
    .disconnect = dev_disconnect,
};

/* ---- persistent changes: the domain's record ------------------------ */

/* Append " key=value" items for @mods of @vc to @spec, as xvmd's vif
 * entries spell them (lists separated by spaces). */
static void spec_items(const struct vsw_vnic_conf *vc, uint32_t mods,
                       char *spec, size_t len)
{
    char val[LP_IPS_STRLEN], *p;
    size_t off = 0;

#define ITEM(...) \
    off += (size_t)snprintf(spec + off, off < len ? len - off : 0, __VA_ARGS__)
    spec[0] = '\0';
    if (mods & VSW_MOD_LINK)
        ITEM("%slink=%s", off ? "," : "", vc->link);
    if (mods & VSW_MOD_VID)
        ITEM("%svlan=%u", off ? "," : "", vc->vid);
    if (mods & VSW_MOD_MAXBW) {
        if (vc->maxbw)
            lp_maxbw_format(vc->maxbw, val, sizeof(val));
        ITEM("%smaxbw=%s", off ? "," : "", vc->maxbw ? val : "none");
    }
    if (mods & VSW_MOD_PRIORITY)
        ITEM("%spriority=%s", off ? "," : "", lp_priority_str(vc->priority));
    if (mods & VSW_MOD_PROTECTION) {
        lp_protection_format(vc->protection, val, sizeof(val));
        for (p = val; *p; p++)
            *p = *p == ',' ? ' ' : *p;
        ITEM("%sprotection=%s", off ? "," : "", val);
    }
    if (mods & VSW_MOD_ALLOWED_IPS) {
        lp_ips_format(vc->ips, vc->nips, val, sizeof(val));
        for (p = val; *p; p++)
            *p = *p == ',' ? ' ' : *p;
        ITEM("%sallowed-ips=%s", off ? "," : "", vc->nips ? val : "none");
    }
    if (mods & VSW_MOD_MTU) {
        /* none: the VNIC follows its link's MTU again */
        if (vc->mtu)
            snprintf(val, sizeof(val), "%u", vc->mtu);
        ITEM("%smtu=%s", off ? "," : "", vc->mtu ? val : "none");
    }
#undef ITEM
}

/* The manager's owner op: keep a persistent change in the domain's
 * record, which xvmd holds (XVMD_CMD_VIF_SET). */
static int xv_persist(void *arg, const struct vsw_vnic_conf *vc,
                      uint32_t mods, char *err, size_t errlen)
{
    struct vsw_mgr_vifs *xv = arg;
    const struct xv_dev *xd;
    char spec[XVMD_VIFSPEC_MAX];
    unsigned domid, n;
    int rc;

    TAILQ_FOREACH(xd, &xv->devs, entry)
        if (!xd->lent && xd->domid == vc->domid &&
            strcmp(xd->vnic, vc->name) == 0)
            break;
    if (!xd)
        return -EINVAL;
    domid = xd->domid;
    n = xd->n;
    spec_items(vc, mods, spec, sizeof(spec));
    if (!spec[0])
        return 0;
    rc = xvmd_vif_set(xv->xvmd_sock, domid, n, spec, err, errlen);
    if (rc < 0)
        xv_log("%s: the domain's record keeps no change: %s", vc->name, err);
    else
        xv_log("%s: kept in domain %u's record: %s", vc->name, domid, spec);
    return rc;
}

/* The manager's owner op: the guest's vif on @vc is told its link's
 * carrier through the backend's carrier key. */
static void xv_carrier(void *arg, const struct vsw_vnic_conf *vc, bool up)
{
    struct vsw_mgr_vifs *xv = arg;
    const struct xv_dev *xd;
    int rc;

    TAILQ_FOREACH(xd, &xv->devs, entry)
        if (xd->domid == vc->domid && strcmp(xd->vnic, vc->name) == 0)
            break;
    if (!xd || !xd->dev->xb)
        return;
    /* A write that fails with xenstore is made again when the vif bus
     * gets it back (nb_xenbus_resume()). */
    rc = nb_xenbus_set_carrier(xd->dev->xb, up);
    xv_log("%s: carrier %s (link %s)%s%s", xd->dev->name, up ? "on" : "off",
           vc->link, rc < 0 ? ", not written yet: " : "",
           rc < 0 ? strerror(-rc) : "");
}

static const struct vsw_mgr_owner_ops xv_owner_ops = {
    .persist = xv_persist,
    .carrier = xv_carrier,
};

/* ---- the control thread's side ---------------------------------------- */

void vsw_mgr_vifs_run(struct vsw_mgr_vifs *xv)
{
    nbd_vifmgr_run(xv->vm);
    if (xv->changed)
        vsw_switch_wake(xv->sw);
    xv->changed = false;
}

struct vsw_mgr_vifs *vsw_mgr_vifs_create(const char *xs_sock,
                                         const char *xvmd_sock,
                                         unsigned max_queues,
                                         struct vsw_mgr *m,
                                         struct vsw_switch *sw)
{
    struct nbd_vifmgr_params p = {
        .xs_sock = xs_sock,
        .xvmd_sock = xvmd_sock ? xvmd_sock : xvm_run_path(XVM_SOCK_XVMD),
        .ops = &xv_ops,
        .log = xv_log,
        .max_queues = max_queues,
    };
    struct vsw_mgr_vifs *xv = calloc(1, sizeof(*xv));

    if (!xv)
        return NULL;
    xv->m = m;
    xv->sw = sw;
    xv->xvmd_sock = p.xvmd_sock;
    TAILQ_INIT(&xv->devs);
    p.arg = xv;
    xv->vm = nbd_vifmgr_create(&p);
    if (!xv->vm) {
        free(xv);
        return NULL;
    }
    vsw_mgr_set_owner(m, &xv_owner_ops, xv);
    return xv;
}

int vsw_mgr_vifs_fd(const struct vsw_mgr_vifs *xv)
{
    return nbd_vifmgr_fd(xv->vm);
}

int vsw_mgr_vifs_timeout(const struct vsw_mgr_vifs *xv)
{
    return nbd_vifmgr_timeout(xv->vm);
}

void vsw_mgr_vifs_destroy(struct vsw_mgr_vifs *xv)
{
    if (!xv)
        return;
    vsw_mgr_set_owner(xv->m, NULL, NULL);
    nbd_vifmgr_destroy(xv->vm);
    free(xv);
}
