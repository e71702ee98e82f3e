/* SPDX-License-Identifier: MIT */
/*
 * xvmd: a domain's presence in xenstore and the toolstack half of the netif
 * handshake.
 *
 * xvmd_vif_setup() runs once a domain has its id and memory and before it is
 * marked running; xvmd_vif_teardown() on every way out of a run (shutdown,
 * destroy, crash, failed start).  Setup introduces the domain to the
 * xenstored with the xenstored's end of the domain's connection (the
 * guest's end waits in dom->xs_fd for the kind's start) and writes, as
 * libxl does:
 *
 *   /local/domain/<id>/{name,domid}                       owner <id>
 *   /local/domain/<id>/PATH for each "PATH=VALUE" of the config's
 *       `xenstore` list (a KVM guest's settings)          owner <id>
 *   /vm/<uuid>/{name,uuid}                                owner 0
 *   for vif <n>:
 *     /local/domain/<id>/device/vif/<n>/  backend, backend-id, state=1,
 *         handle, mac, mtu, trusted            owner <id>, dom0 may read
 *     /local/domain/0/backend/vif/<id>/<n>/  frontend, frontend-id,
 *         online=1, state=1, script, mac, bridge (the datalink), handle,
 *         type, hotplug-status, rate, vlan, priority, vifname (xl's: the
 *         VNIC's name); or, for a vif that borrows a VNIC (vnic=), vnic
 *         instead of the VNIC's properties, and the VNIC's MAC (asked of
 *         vswitchd) as mac
 *                                          owner 0, <id> may read
 *
 * The backend serving the vif (vswitchd) watches .../backend/vif and
 * fetches the domain's memory from xvmd (XVMD_CMD_DOMMEM); the guest's
 * frontend answers through its own xenstore connection.  Teardown removes
 * every node and releases the domain, which closes its xenstore
 * connections.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netif/netif.h"
#include "vswctl/client.h"
#include "xs/xs.h"
#include "xvm/hash.h"
#include "xvm/xen.h"
#include "xvmd.h"

/* The transaction the writers below are in (XVM_XS_NO_TX: none).  A
 * domain's nodes, or a vif's changed keys, are written in one, so that a
 * backend watching its directory never sees half of them (it reads the
 * VNIC's name and properties when the directory appears). */
static uint32_t vif_tx = XVM_XS_NO_TX;

/* Run @fn(x, dom, n) in a transaction, again if it raced (-EAGAIN). */
static int in_tx(struct xvmd *x, struct xvmd_dom *dom, unsigned n,
                 int (*fn)(struct xvmd *, struct xvmd_dom *, unsigned))
{
    int rc = -EAGAIN, tries, end;

    for (tries = 0; tries < 8 && rc == -EAGAIN; tries++) {
        rc = xvm_xs_transaction_start(x->xs, &vif_tx);
        if (rc < 0)
            break;
        rc = fn(x, dom, n);
        end = xvm_xs_transaction_end(x->xs, vif_tx, rc == 0);
        vif_tx = XVM_XS_NO_TX;
        if (rc == 0)
            rc = end;
    }
    return rc;
}

/* Write @value at the printf-formatted path. */
__attribute__((format(printf, 3, 4))) static int
xs_put(struct xvmd *x, const char *value, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -ENAMETOOLONG;
    return xvm_xs_write_str(x->xs, vif_tx, path, value);
}

/* Owner @owner, nobody else but @reader (if not the owner) may read. */
static int xs_own(struct xvmd *x, const char *path, uint16_t owner,
                  uint16_t reader)
{
    struct xvm_xs_perm p[2] = {{.domid = owner, .perm = XVM_XS_PERM_NONE},
                               {.domid = reader, .perm = XVM_XS_PERM_READ}};

    return xvm_xs_set_perms(x->xs, vif_tx, path, p,
                            owner == reader ? 1 : 2);
}

/* A fixed MAC from the config, else a random one with dladm's prefix. */
/*
 * The MAC of vif @n of @dom.  A fixed one is the config's; a random one is
 * drawn again on every start; an auto one is chosen once: it is a hash of
 * the domain's UUID, which its record keeps, and @n, so the guest keeps
 * its address (and its DHCP reservation) across starts and xvmd restarts.
 */
static void vif_mac(const struct xvmd_dom *dom, unsigned n, uint8_t *mac)
{
    const struct xvm_vifcfg *v = &dom->cfg.vifs[n];
    uint8_t nb = (uint8_t)n;
    uint64_t h;

    if (v->mac_kind == XVM_MAC_FIXED) {
        memcpy(mac, v->mac, 6);
        return;
    }
    if (v->mac_kind == XVM_MAC_RANDOM) {
        lp_mac_random(mac, NULL, 0);
        return;
    }
    h = xvm_fnv1a(xvm_fnv1a(XVM_FNV1A_BASIS, dom->uuid, 16), &nb, 1);
    memcpy(mac, lp_mac_prefix, LP_MAC_PREFIX_LEN);
    for (unsigned i = LP_MAC_PREFIX_LEN; i < 6; i++)
        mac[i] = (uint8_t)(h >> (8 * (i - LP_MAC_PREFIX_LEN)));
    if (!lp_mac_valid(mac))
        mac[5] = 1;
}

static int vnic_mac_cb(const struct vsw_vnic_conf *vc, void *arg)
{
    memcpy(arg, vc->mac, 6);
    return 0;
}

/*
 * The MAC of the VNIC a vif borrows (vnic=), which the guest must know
 * before it starts: vswitchd has it.  Without an answer the vif gets its
 * auto MAC, and the backend, which cannot find the VNIC either, says why
 * the vif failed.
 */
static void vnic_mac(const struct xvmd_dom *dom, unsigned n, uint8_t *mac)
{
    const char *name = dom->cfg.vifs[n].vnic;
    struct vsw_client *c = vsw_client_open(NULL);
    int rc = c ? vsw_client_vnic_get(c, name, vnic_mac_cb, mac) : -errno;

    if (rc < 0)
        xvm_log_warn("domain %s: vif %u: the MAC of VNIC %s: %s",
                     dom->cfg.name, n, name,
                     c && vsw_client_error(c)[0] ? vsw_client_error(c)
                                                 : strerror(-rc));
    vsw_client_close(c);
}

/* @key of @be: @value, or no node when @value is NULL. */
static int xs_put_opt(struct xvmd *x, const char *be, const char *key,
                      const char *value)
{
    char path[256];

    if (value)
        return xs_put(x, value, "%s/%s", be, key);
    snprintf(path, sizeof(path), "%s/%s", be, key);
    xvm_xs_rm(x->xs, vif_tx, path); /* -ENOENT: there was none */
    return 0;
}

/*
 * The VNIC's properties under the backend directory @be: Xen's bridge
 * (the link), vlan and rate keys, and, not Xen's, priority, protection,
 * allowed-ips and mtu for the switch that serves the vif.  Unset ones have
 * no node.
 */
static int vif_props_write(struct xvmd *x, const char *be,
                           const struct xvm_vifcfg *v)
{
    char vlan[8], rate[48], prot[LP_PROT_STRLEN], ips[LP_IPS_STRLEN],
        mtu[8];
    int rc = 0;

    /* A borrowed VNIC keeps its own properties: only its name. */
    if (v->vnic[0])
        return xs_put(x, v->vnic, "%s/vnic", be);
    snprintf(vlan, sizeof(vlan), "%u", v->vlan);
    /* netback's rate key: bytes per interval. */
    if (v->maxbw != LP_MAXBW_NONE)
        lp_rate_format(v->maxbw, rate, sizeof(rate));
    lp_protection_format(v->protection, prot, sizeof(prot));
    lp_ips_format(v->ips, v->nips, ips, sizeof(ips));
    snprintf(mtu, sizeof(mtu), "%u", v->mtu);
    rc |= xs_put(x, v->link, "%s/bridge", be);
    rc |= xs_put_opt(x, be, "vlan", v->vlan ? vlan : NULL);
    rc |= xs_put_opt(x, be, "rate", v->maxbw != LP_MAXBW_NONE ? rate : NULL);
    rc |= xs_put(x, lp_priority_str(v->priority), "%s/priority", be);
    rc |= xs_put_opt(x, be, "protection", v->protection ? prot : NULL);
    rc |= xs_put_opt(x, be, "allowed-ips", v->nips ? ips : NULL);
    rc |= xs_put_opt(x, be, "mtu", v->mtu ? mtu : NULL);
    /* xl's backend key: the name of the vif's VNIC. */
    rc |= xs_put_opt(x, be, "vifname", v->vifname[0] ? v->vifname : NULL);
    return rc;
}

static int vif_update(struct xvmd *x, struct xvmd_dom *dom, unsigned n)
{
    char be[128];

    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", dom->id, n);
    return vif_props_write(x, be, &dom->cfg.vifs[n]) ? -EIO : 0;
}

int xvmd_vif_update(struct xvmd *x, struct xvmd_dom *dom, unsigned n)
{
    return in_tx(x, dom, n, vif_update);
}

static int vif_write(struct xvmd *x, struct xvmd_dom *dom, unsigned n)
{
    const struct xvm_vifcfg *v = &dom->cfg.vifs[n];
    char fe[128], be[128], mac[LP_MACSTRLEN], num[24], rate[48];
    int rc = 0;

    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", dom->id, n);
    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", dom->id, n);
    vif_mac(dom, n, dom->vif_mac[n]);
    if (v->vnic[0])
        vnic_mac(dom, n, dom->vif_mac[n]);
    lp_mac_format_xs(dom->vif_mac[n], mac);
    snprintf(num, sizeof(num), "%u", n);
    /* Both directories get their owners first: the keys written below
     * inherit those permissions, as xenstore gives a new node its
     * parent's. */
    if (xvm_xs_mkdir(x->xs, vif_tx, be) < 0 ||
        xs_own(x, be, 0, (uint16_t)dom->id) < 0 ||
        xvm_xs_mkdir(x->xs, vif_tx, fe) < 0 ||
        xs_own(x, fe, (uint16_t)dom->id, 0) < 0)
        return -EIO;
    /* Backend first, so a frontend never sees a dangling backend path. */
    rc |= xs_put(x, fe, "%s/frontend", be);
    snprintf(rate, sizeof(rate), "%u", dom->id);
    rc |= xs_put(x, rate, "%s/frontend-id", be);
    rc |= xs_put(x, "1", "%s/online", be);
    rc |= xs_put(x, "1", "%s/state", be);
    rc |= xs_put(x, "vswitchd", "%s/script", be);
    rc |= xs_put(x, mac, "%s/mac", be);
    /* Not a Xen key: how the MAC was chosen, dladm's MACADDRTYPE. */
    rc |= xs_put(x, v->mac_kind == XVM_MAC_FIXED || v->vnic[0] ? "fixed"
                    : v->mac_kind == XVM_MAC_RANDOM ? "random"
                                                    : "auto",
                 "%s/mac-type", be);
    rc |= xs_put(x, num, "%s/handle", be);
    rc |= xs_put(x, "vif", "%s/type", be);
    rc |= xs_put(x, "connected", "%s/hotplug-status", be);
    rc |= vif_props_write(x, be, v);
    rc |= xs_put(x, be, "%s/backend", fe);
    rc |= xs_put(x, "0", "%s/backend-id", fe);
    rc |= xs_put(x, "1", "%s/state", fe);
    rc |= xs_put(x, num, "%s/handle", fe);
    rc |= xs_put(x, mac, "%s/mac", fe);
    snprintf(rate, sizeof(rate), "%u", LP_MTU_DEFAULT);
    rc |= xs_put(x, rate, "%s/mtu", fe);
    rc |= xs_put(x, "1", "%s/trusted", fe);
    if (v->queues > 1) {
        snprintf(rate, sizeof(rate), "%u", v->queues);
        rc |= xs_put(x, rate, "%s/" NETIF_KEY_FE_QUEUES, fe);
    }
    if (v->ncpus) {
        char cpus[XVM_VIFCFG_CPUS_STRLEN];

        rc |= xs_put(x, xvm_vifcfg_cpus_str(v, cpus),
                     "%s/" NETIF_KEY_FE_CPUS, fe);
    }
    return rc ? -EIO : 0;
}

/*
 * The permissions of @dom's home, as libxl sets them: the home and its
 * name, id and vm keys are dom0's, which the guest may read but not
 * change or remove (a removal takes a whole subtree, whoever owns what
 * is in it); the guest writes only in the directories it owns: device
 * (its frontends' directories, vif_write()), control (it answers a
 * shutdown request), data and error (its drivers' error nodes).  For
 * in_tx() too: a domain taken over from an xvmd that left the home the
 * guest's gets them then.
 */
static int home_own(struct xvmd *x, struct xvmd_dom *dom, unsigned unused)
{
    char home[64], p[96];

    (void)unused;
    snprintf(home, sizeof(home), "/local/domain/%u", dom->id);
    if (xs_own(x, home, 0, (uint16_t)dom->id) < 0)
        return -EIO;
    for (unsigned i = 0; i < 4; i++) {
        static const char *const dirs[] = {"device", "control", "data",
                                           "error"};

        snprintf(p, sizeof(p), "%s/%s", home, dirs[i]);
        if (xvm_xs_mkdir(x->xs, vif_tx, p) < 0 ||
            xs_own(x, p, (uint16_t)dom->id, 0) < 0)
            return -EIO;
    }
    return 0;
}

static int dom_write(struct xvmd *x, struct xvmd_dom *dom)
{
    char home[64], vm[96], uuid[37], id[16];
    int rc = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", dom->id);
    xvm_uuid_format(dom->uuid, uuid);
    snprintf(vm, sizeof(vm), "/vm/%s", uuid);
    snprintf(id, sizeof(id), "%u", dom->id);
    rc |= xs_put(x, dom->cfg.name, "%s/name", vm);
    rc |= xs_put(x, uuid, "%s/uuid", vm);
    if (xvm_xs_mkdir(x->xs, vif_tx, home) < 0 ||
        home_own(x, dom, 0) < 0)
        return -EIO;
    rc |= xs_put(x, dom->cfg.name, "%s/name", home);
    rc |= xs_put(x, id, "%s/domid", home);
    rc |= xs_put(x, vm, "%s/vm", home);
    if (rc)
        return -EIO;
    /* The config's own keys: the guest's to change. */
    const char *p = dom->cfg.xs;

    for (unsigned i = 0; i < dom->cfg.nr_xs; i++) {
        const char *val = p + strlen(p) + 1;
        char path[256];

        int n = snprintf(path, sizeof(path), "%s/%s", home, p);

        if (n < 0 || (size_t)n >= sizeof(path) ||
            xs_put(x, val, "%s", path) < 0 ||
            xs_own(x, path, (uint16_t)dom->id, 0) < 0)
            return -EIO;
        p = val + strlen(val) + 1;
    }
    return 0;
}

static void dom_erase(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[96], uuid[37];

    snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", dom->id);
    xvm_xs_rm(x->xs, XVM_XS_NO_TX, path);
    /* the backends' error nodes of its vifs (a reused id starts clean) */
    snprintf(path, sizeof(path), "/local/domain/0/error/backend/vif/%u",
             dom->id);
    xvm_xs_rm(x->xs, XVM_XS_NO_TX, path);
    snprintf(path, sizeof(path), "/local/domain/%u", dom->id);
    xvm_xs_rm(x->xs, XVM_XS_NO_TX, path);
    xvm_uuid_format(dom->uuid, uuid);
    snprintf(path, sizeof(path), "/vm/%s", uuid);
    xvm_xs_rm(x->xs, XVM_XS_NO_TX, path);
}

/* The domain's nodes and every vif's, for in_tx(). */
static int nodes_write(struct xvmd *x, struct xvmd_dom *dom, unsigned unused)
{
    unsigned n;
    int rc = dom_write(x, dom);

    (void)unused;
    for (n = 0; rc == 0 && n < dom->cfg.nr_vifs; n++)
        rc = vif_write(x, dom, n);
    return rc;
}

int xvmd_vif_setup(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen)
{
    int rc, sv[2];

    /* The domain's connection: xenstored keeps one end, bound to the
     * domain's id; the kind hands the other to the guest. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        snprintf(err, errlen, "xenstore connection: %s", strerror(errno));
        return rc;
    }
    rc = xvm_xs_introduce(x->xs, dom->id, sv[0]);
    close(sv[0]);
    if (rc < 0) {
        close(sv[1]);
        snprintf(err, errlen, "xenstore: cannot introduce domain %u: %s",
                 dom->id, strerror(-rc));
        return rc;
    }
    dom->xs_fd = sv[1];
    dom->xs_introduced = 1;
    rc = in_tx(x, dom, 0, nodes_write);
    if (rc < 0) {
        snprintf(err, errlen, "xenstore: cannot write the nodes of domain "
                 "%u: %s", dom->id, strerror(-rc));
        xvmd_vif_teardown(x, dom);
        return rc;
    }
    return 0;
}

int xvmd_vif_ask_shutdown(struct xvmd *x, struct xvmd_dom *dom,
                          const char *how)
{
    char path[96];

    if (!x->xs || dom->id == XVMD_NO_ID)
        return -ENOTCONN;
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
             dom->id);
    return xvm_xs_write_str(x->xs, XVM_XS_NO_TX, path, how);
}

void xvmd_vif_adopt(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[128], *v = NULL;
    unsigned n;

    dom->xs_introduced = 1;
    if (in_tx(x, dom, 0, home_own) < 0)
        xvm_log_warn("domain %s: cannot set its xenstore home's permissions",
                     dom->cfg.name);
    for (n = 0; n < dom->cfg.nr_vifs; n++) {
        snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/mac",
                 dom->id, n);
        if (xvm_xs_read(x->xs, XVM_XS_NO_TX, path, &v, NULL) < 0 || !v ||
            lp_mac_parse(v, dom->vif_mac[n]) < 0)
            vif_mac(dom, n, dom->vif_mac[n]);
        free(v);
        v = NULL;
    }
}

/* Whether @id is a domain of ours that runs. */
static bool id_running(const struct xvmd *x, unsigned id)
{
    const struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->id == id && dom->xs_introduced)
            return true;
    return false;
}

/* Remove @dir/<child> for every child @keep() does not claim. */
static unsigned sweep_dir(struct xvmd *x, const char *dir,
                          bool (*keep)(const struct xvmd *, const char *))
{
    char **names = NULL, path[256];
    unsigned n = 0, i, gone = 0;

    if (xvm_xs_directory(x->xs, XVM_XS_NO_TX, dir, &names, &n) < 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (keep(x, names[i]))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (xvm_xs_rm(x->xs, XVM_XS_NO_TX, path) == 0)
            gone++;
    }
    free(names);
    return gone;
}

/* A domain id in decimal, as a node name; UINT_MAX if it is not one. */
static unsigned name_id(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    return *s && !*end && v < DOMID_FIRST_RESERVED ? (unsigned)v : UINT_MAX;
}

static bool keep_home(const struct xvmd *x, const char *name)
{
    unsigned id = name_id(name);

    return id == 0 || id == UINT_MAX || id_running(x, id);
}

static bool keep_backend(const struct xvmd *x, const char *name)
{
    unsigned id = name_id(name);

    return id == UINT_MAX || id_running(x, id);
}

static bool keep_vm(const struct xvmd *x, const char *name)
{
    const struct xvmd_dom *dom;
    char uuid[37];

    for (dom = x->doms; dom; dom = dom->next) {
        xvm_uuid_format(dom->uuid, uuid);
        if (dom->xs_introduced && strcmp(uuid, name) == 0)
            return true;
    }
    return false;
}

unsigned xvmd_vif_sweep(struct xvmd *x)
{
    char **names = NULL;
    unsigned n = 0, i, gone;

    /* Release first: the domain's connection closes, @releaseDomain fires. */
    if (xvm_xs_directory(x->xs, XVM_XS_NO_TX, "/local/domain", &names,
                         &n) == 0) {
        for (i = 0; i < n; i++)
            if (!keep_home(x, names[i]))
                xvm_xs_release(x->xs, name_id(names[i]));
        free(names);
    }
    sweep_dir(x, "/local/domain/0/backend/vif", keep_backend);
    sweep_dir(x, "/local/domain/0/error/backend/vif", keep_backend);
    gone = sweep_dir(x, "/local/domain", keep_home);
    sweep_dir(x, "/vm", keep_vm);
    return gone;
}

void xvmd_vif_teardown(struct xvmd *x, struct xvmd_dom *dom)
{
    if (dom->xs_fd >= 0) {
        close(dom->xs_fd);
        dom->xs_fd = -1;
    }
    if (!dom->xs_introduced)
        return;
    xvm_xs_release(x->xs, dom->id);
    dom_erase(x, dom);
    dom->xs_introduced = 0;
}
