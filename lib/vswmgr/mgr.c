/* SPDX-License-Identifier: MIT */
/*
 * The datalink manager (vsw/mgr.h): objects, their ports, persistence.
 * Every create validates everything before touching the switch, and
 * undoes what it made if a later step fails, so a failed request never
 * leaves half an object behind.
 *
 * A boot or persistent object deleted with -t stays on its list as an
 * inactive record (no switch object, l / v NULL): it keeps its name, it is
 * in the persistent walks and the state file, and it comes back at the
 * next start.  Only delete without -t removes the record.
 *
 * The host's NICs, links without a record until VNICs sit on them, are
 * hostnic.c's; this file asks it wherever a link is looked up by name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "mgr_pvt.h"
#include "vswmgr/conf.h"
#include "vswmgr/mgr.h"
#include "xvm/daemon.h"
#include "xvm/log.h"

#define fail mgr_fail

int mgr_fail(struct vsw_mgr *m, enum vsw_status st, char *err, size_t errlen,
             int rc, const char *fmt, ...)
{
    va_list ap;

    m->status = st;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

enum vsw_status vsw_mgr_status(const struct vsw_mgr *m)
{
    return m->status;
}

void vsw_mgr_status_clear(struct vsw_mgr *m)
{
    m->status = VSW_ST_NONE;
}

struct vsw_mgr *vsw_mgr_create(const struct vsw_mgr_params *p)
{
    struct vsw_mgr *m;

    if (!p || !p->sw || !p->pool) {
        errno = EINVAL;
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->sw = p->sw;
    m->pool = p->pool;
    m->nic_kind = p->nic_port_kind;
    m->pci_bus = p->pci_bus;
    m->nworkers = p->worker_cpus ? vsw_switch_workers(p->sw) : 0;
    for (unsigned i = 0; i < m->nworkers; i++)
        m->worker_cpu[i] = p->worker_cpus[i];
    TAILQ_INIT(&m->links);
    TAILQ_INIT(&m->vnics);
    TAILQ_INIT(&m->nics);
    if (p->state_dir) {
        int rc = xvm_state_dir(p->state_dir, 0755);

        if (rc < 0) {
            errno = -rc;
            goto free_m;
        }
        if (snprintf(m->state_path, sizeof(m->state_path), "%s/%s",
                     p->state_dir, VSW_STATE_FILE) >=
            (int)sizeof(m->state_path)) {
            errno = ENAMETOOLONG;
            goto free_m;
        }
    }
    if (p->hostnics) {
        int rc = nic_open(m);

        if (rc < 0) {
            errno = -rc;
            goto free_m;
        }
    }
    return m;

free_m:
    free(m);
    return NULL;
}

static void mvnic_free(struct vsw_mgr *m, struct mvnic *mv)
{
    TAILQ_REMOVE(&m->vnics, mv, entry);
    vsw_vnic_destroy(mv->v);
    free(mv);
}

static void mlink_free(struct vsw_mgr *m, struct mlink *ml)
{
    TAILQ_REMOVE(&m->links, ml, entry);
    nic_wire_release(m, ml);
    vsw_link_destroy(ml->l);
    /* The device is gone: another may take its NICs. */
    hostif_claims_release(&ml->nics);
    free(ml);
}

void vsw_mgr_destroy(struct vsw_mgr *m)
{
    if (!m)
        return;
    while (m->ncaps)
        vsw_cap_close(m->caps[--m->ncaps].cap);
    while (!TAILQ_EMPTY(&m->vnics))
        mvnic_free(m, TAILQ_FIRST(&m->vnics));
    while (!TAILQ_EMPTY(&m->links))
        mlink_free(m, TAILQ_FIRST(&m->links));
    nic_close(m);
    while (!TAILQ_EMPTY(&m->nics)) {
        struct mnic *nic = TAILQ_FIRST(&m->nics);

        TAILQ_REMOVE(&m->nics, nic, entry);
        free(nic);
    }
    free(m);
}

/* ---- persistence ---- */

/* Write every persistent object not being deleted to the state file. */
static int state_save(struct vsw_mgr *m, char *err, size_t errlen)
{
    struct mlink *ml;
    struct mvnic *mv;
    char line[VSW_CONF_LINE_MAX], *buf = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    if (!m->state_path[0] || m->restoring)
        return 0;
    f = open_memstream(&buf, &len);
    if (!f)
        return fail(m, VSW_ST_NONE, err, errlen, -ENOMEM, "out of memory");
    fputs("# xvnet datalink configuration, written by vswitchd.\n", f);
    TAILQ_FOREACH(ml, &m->links, entry) {
        struct vsw_link_conf lc = ml->conf;

        if (ml->origin != ORIGIN_PERSIST || ml->deleting)
            continue;
        mgr_link_cpus_saved(ml, &lc);
        vsw_conf_format_link(&lc, line, sizeof(line));
        fputs(line, f);
    }
    nic_conf_save(m, f);
    TAILQ_FOREACH(mv, &m->vnics, entry) {
        if (mv->origin != ORIGIN_PERSIST || mv->deleting)
            continue;
        vsw_conf_format_vnic(&mv->saved, line, sizeof(line));
        fputs(line, f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return fail(m, VSW_ST_NONE, err, errlen, -ENOMEM, "out of memory");
    }
    rc = xvm_file_write(m->state_path, buf, len, 0644);
    free(buf);
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc, "cannot write %s: %s",
                    m->state_path, strerror(-rc));
    return 0;
}

int mgr_state_save(struct vsw_mgr *m, char *err, size_t errlen)
{
    return state_save(m, err, errlen);
}

int mgr_persist_check(struct vsw_mgr *m, enum origin origin, bool temporary,
                      const char *name, char *err, size_t errlen)
{
    if (temporary || origin != ORIGIN_BOOT)
        return 0;
    return fail(m, VSW_ST_BOOTPERSIST, err, errlen, -EPERM,
                "'%s' comes from the boot configuration: change it there "
                "(or use -t for the running object)", name);
}

/* Persist the configuration if it holds an object of @origin. */
static int save_for(struct vsw_mgr *m, enum origin origin, char *err,
                    size_t errlen)
{
    return origin == ORIGIN_PERSIST ? state_save(m, err, errlen) : 0;
}

/* Persist the configuration without the object of @origin whose @deleting
 * flag this is; on failure the object stays, persisted as before. */
static int save_without(struct vsw_mgr *m, enum origin origin, bool *deleting,
                        char *err, size_t errlen)
{
    int rc;

    if (origin != ORIGIN_PERSIST)
        return 0;
    *deleting = true;
    rc = state_save(m, err, errlen);
    if (rc < 0)
        *deleting = false;
    return rc;
}

/* ---- lookup ---- */

struct mlink *mlink_find(struct vsw_mgr *m, const char *name)
{
    struct mlink *ml;

    TAILQ_FOREACH(ml, &m->links, entry)
        if (strcmp(ml->conf.name, name) == 0)
            return ml;
    return NULL;
}

struct mvnic *mvnic_find(struct vsw_mgr *m, const char *name)
{
    struct mvnic *mv;

    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (strcmp(mv->conf.name, name) == 0)
            return mv;
    return NULL;
}

/* What is refused on an inactive record (dladm's DL_INACTIVE words). */
static int inactive(struct vsw_mgr *m, char *err, size_t errlen)
{
    return fail(m, VSW_ST_INACTIVE, err, errlen, -ENODEV,
                "link is not active (deleted with -t)");
}

/* What is refused on a VNIC that is not there. */
static int vnic_missing(struct vsw_mgr *m, const char *name, char *err,
                        size_t errlen)
{
    return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                "VNIC '%s' does not exist", name);
}

/* A domain's VNIC goes with the domain only (vsw_mgr_vnic_release). */
static int domain_busy(struct vsw_mgr *m, const struct mvnic *mv, char *err,
                       size_t errlen)
{
    return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                "link busy: '%s' is domain %s's "
                "(%u) vif", mv->conf.name,
                mv->conf.domain[0] ? mv->conf.domain : "?", mv->conf.domid);
}

/* Is @mv over @ml: any record, or (@running) a running one? */
static bool vnic_over(const struct mvnic *mv, const struct mlink *ml,
                      bool running)
{
    return mv->ml == ml && !(running && mv->inactive);
}

/* Does a VNIC sit on @ml: any record, or only running ones? */
static bool link_used(struct vsw_mgr *m, const struct mlink *ml,
                      bool running)
{
    const struct mvnic *mv;

    if (ml->l && vsw_link_nvnics(ml->l))
        return true;
    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (vnic_over(mv, ml, running))
            return true;
    return false;
}

/* The names of the VNICs link_used() finds, into @buf ("a, b, ..."). */
static void link_users(struct vsw_mgr *m, const struct mlink *ml,
                       bool running, char *buf, size_t len)
{
    const struct mvnic *mv;
    size_t used = 0;

    buf[0] = '\0';
    TAILQ_FOREACH(mv, &m->vnics, entry) {
        if (!vnic_over(mv, ml, running))
            continue;
        /* room for this one, its ", " and a last ", ..." */
        if (used + 2 + strlen(mv->conf.name) + 6 > len) {
            snprintf(buf + used, len - used, "%s...", used ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 used ? ", " : "", mv->conf.name);
    }
}

/*
 * Is a fixed @mac on @ml kept for an inactive record?  The next start
 * would make both (modify's check already sees every record).
 */
static bool mac_kept(struct vsw_mgr *m, const struct mlink *ml,
                     const uint8_t mac[6])
{
    const struct mvnic *mv;

    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (mv->inactive && mv->ml == ml && memcmp(mv->conf.mac, mac, 6) == 0)
            return true;
    return false;
}

/* Does a client ask (not the boot configuration or the state file)? */
static bool admin(const struct vsw_mgr *m, enum origin origin)
{
    return origin != ORIGIN_BOOT && !m->restoring;
}

/* A new name for a link or VNIC; @nics: a host NIC's name is taken too
 * (a client asks; the files' objects win over a NIC, which then is not
 * listed); @guest: the request may take a guest's name (lp_name_guest():
 * the domains' owner makes their VNICs; a client's request may not). */
static int name_check(struct vsw_mgr *m, const char *name, bool nics,
                      bool guest, char *err, size_t errlen)
{
    int rc = lp_name_check(name);

    if (rc == -ENAMETOOLONG)
        return fail(m, VSW_ST_LINKNAME, err, errlen, -EINVAL,
                    "link name too long '%s'", name);
    if (rc < 0)
        return fail(m, VSW_ST_LINKNAME, err, errlen, -EINVAL,
                    "invalid link name '%s'", name);
    if (!guest && lp_name_guest(name))
        return fail(m, VSW_ST_LINKNAME, err, errlen, -EINVAL,
                    "invalid link name '%s': " LP_NAME_GUEST_RULE, name);
    if (mlink_find(m, name) || mvnic_find(m, name))
        return fail(m, VSW_ST_EXIST, err, errlen, -EEXIST,
                    "object already exists");
    if (nics && nic_listed(m, name))
        return fail(m, VSW_ST_EXIST, err, errlen, -EEXIST,
                    "object already exists: '%s' is a host NIC", name);
    return 0;
}

/* ---- links ---- */

static int link_make(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                     enum origin origin, char *err, size_t errlen)
{
    struct vsw_port *port = NULL;
    struct mlink *ml;
    int rc;

    rc = name_check(m, lc->name, admin(m, origin), !admin(m, origin), err,
                    errlen);
    if (rc < 0)
        return rc;
    if (lc->cls != VSW_CLASS_PHYS && lc->cls != VSW_CLASS_ETHERSTUB)
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL, "invalid link class");
    if (lc->cls == VSW_CLASS_ETHERSTUB && lc->has_cpus)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                    "'%s' has no wire: no cpus", lc->name);
    if (lc->cls == VSW_CLASS_PHYS) {
        char ifname[VSW_IFNAMSIZ];

        devargs_ifname(lc->devargs, ifname);
        rc = nic_claim_check(m, ifname, err, errlen);
        if (rc < 0)
            return rc;
    }
    ml = calloc(1, sizeof(*ml));
    if (!ml)
        return fail(m, VSW_ST_NONE, err, errlen, -ENOMEM, "out of memory");
    ml->conf = *lc;
    ml->conf.temporary = origin == ORIGIN_TEMP;
    ml->origin = origin;
    ml->has_cpus_saved = lc->has_cpus;
    ml->cpus_saved = lc->cpus;
    hostif_claims_init(&ml->nics, NULL);
    if (lc->cls == VSW_CLASS_PHYS) {
        if (!lc->devargs[0] || strpbrk(lc->devargs, " \t\n")) {
            rc = fail(m, VSW_ST_NONE, err, errlen, -EINVAL,
                      "invalid devargs '%s'", lc->devargs);
            goto free_ml;
        }
        devargs_ifname(lc->devargs, ml->ifname);
        port = link_wire_open(m, ml, err, errlen, &rc);
        if (!port)
            goto free_ml;
    } else {
        ml->conf.devargs[0] = '\0';
    }
    ml->l = vsw_link_create(m->sw, lc->name, lc->cls, port);
    if (!ml->l) {
        rc = fail(m, VSW_ST_NONE, err, errlen, -errno,
                  "cannot create link '%s': %s", lc->name, strerror(errno));
        goto free_port;
    }
    mgr_link_place(m, ml);
    TAILQ_INSERT_TAIL(&m->links, ml, entry);
    rc = save_for(m, origin, err, errlen);
    if (rc < 0)
        mlink_free(m, ml);
    return rc;

free_port:
    nic_wire_release(m, ml);
    vsw_port_destroy(port);
free_ml:
    hostif_claims_release(&ml->nics);
    free(ml);
    return rc;
}

int vsw_mgr_link_create(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                        char *err, size_t errlen)
{
    return link_make(m, lc, lc->temporary ? ORIGIN_TEMP : ORIGIN_PERSIST, err,
                     errlen);
}

int vsw_mgr_link_delete(struct vsw_mgr *m, const char *name, bool temporary,
                        char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, name);
    int rc;

    if ((ml && ml->origin == ORIGIN_NIC) || (!ml && nic_listed(m, name)))
        return fail(m, VSW_ST_HOSTNIC, err, errlen, -EOPNOTSUPP,
                    "'%s' is a host NIC: it is a link while it is there",
                    name);
    if (!ml || (ml->inactive && temporary))
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    "link '%s' does not exist", name);
    rc = mgr_persist_check(m, ml->origin, temporary, name, err, errlen);
    if (rc < 0)
        return rc;
    if (link_used(m, ml, temporary)) {
        char who[96];

        link_users(m, ml, temporary, who, sizeof(who));
        /* Only records deleted with -t: none runs. */
        if (!link_used(m, ml, true))
            return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                        "link busy: VNIC records over '%s' (%s, not "
                        "running: deleted with -t)", name, who);
        return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                    "link busy: VNICs run over '%s' (%s)", name, who);
    }
    if (temporary && ml->origin != ORIGIN_TEMP) {
        nic_wire_release(m, ml);
        rc = vsw_link_destroy(ml->l);
        if (rc < 0)
            return fail(m, VSW_ST_NONE, err, errlen, rc,
                        "cannot delete link '%s': %s", name, strerror(-rc));
        ml->l = NULL;
        ml->inactive = true;
        hostif_claims_release(&ml->nics);
        return 0;
    }
    rc = save_without(m, ml->origin, &ml->deleting, err, errlen);
    if (rc == 0)
        mlink_free(m, ml);
    return rc;
}

/* What a link reports besides its configuration: MTU, speed, state. */
void mgr_link_info(struct vsw_mgr *m, struct mlink *ml)
{
    struct vsw_link_conf *lc = &ml->conf;
    char name[RTE_ETH_NAME_MAX_LEN];
    struct rte_eth_link el;
    size_t n = strcspn(lc->devargs, ",");
    uint16_t pid;

    lc->nvnics = ml->l ? vsw_link_nvnics(ml->l) : 0;
    lc->mtu = link_mtu(m, ml);
    lc->speed = 0;
    /* An etherstub has no wire to lose. */
    lc->state = lc->cls == VSW_CLASS_ETHERSTUB ? VSW_LINK_STATE_UP
                                               : VSW_LINK_STATE_UNKNOWN;
    lc->duplex = 0;
    lc->flags = ml->l && vsw_link_port(ml->l) ? VSW_LINK_F_ATTACHED : 0;
    /* A configured link's wire is its devargs' (a NIC's link: its own). */
    lc->attach = !(lc->flags & VSW_LINK_F_ATTACHED) ? VSW_NIC_ATTACH_NONE
                 : strncmp(lc->devargs, "net_af_packet", 13) == 0
                     ? VSW_NIC_ATTACH_AF_PACKET
                     : VSW_NIC_ATTACH_DPDK;
    lc->attach_why[0] = '\0';
    if (ml->ifname[0]) {
        nic_link_info(m, ml);
        return;
    }
    if (!ml->l || lc->cls != VSW_CLASS_PHYS || n == 0 || n >= sizeof(name))
        return;
    memcpy(name, lc->devargs, n);
    name[n] = '\0';
    memset(&el, 0, sizeof(el));
    if (rte_eth_dev_get_port_by_name(name, &pid) != 0 ||
        rte_eth_link_get_nowait(pid, &el) != 0)
        return;
    lc->state = el.link_status ? VSW_LINK_STATE_UP : VSW_LINK_STATE_DOWN;
    if (el.link_status && el.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
        lc->speed = el.link_speed;
    if (el.link_status)
        lc->duplex = el.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? 2 : 1;
}

int vsw_mgr_link_walk(struct vsw_mgr *m, bool persistent,
                      int (*fn)(const struct vsw_link_conf *lc,
                                struct vsw_link *l, void *arg),
                      void *arg)
{
    struct mlink *ml;
    int rc;

    TAILQ_FOREACH(ml, &m->links, entry) {
        if ((persistent ? ml->origin == ORIGIN_TEMP : ml->inactive) ||
            ml->origin == ORIGIN_NIC)
            continue;
        mgr_link_info(m, ml);
        rc = fn(&ml->conf, ml->l, arg);
        if (rc)
            return rc;
    }
    return nic_links_walk(m, persistent, fn, arg);
}

/* ---- rename ---- */

static int link_rename(struct vsw_mgr *m, struct mlink *ml,
                       const char *newname)
{
    struct mvnic *mv;
    int rc = vsw_link_rename(ml->l, newname);

    if (rc < 0)
        return rc;
    TAILQ_FOREACH(mv, &m->vnics, entry) {
        if (mv->ml != ml)
            continue;
        snprintf(mv->conf.link, sizeof(mv->conf.link), "%s", newname);
        snprintf(mv->saved.link, sizeof(mv->saved.link), "%s", newname);
    }
    snprintf(ml->conf.name, sizeof(ml->conf.name), "%s", newname);
    return 0;
}

static int vnic_rename(struct mvnic *mv, const char *newname)
{
    int rc = vsw_vnic_rename(mv->v, newname);

    if (rc < 0)
        return rc;
    /* A TAP keeps its interface name: it may be in use under it. */
    if (mv->conf.attach == VSW_ATTACH_TAP && !mv->conf.tap[0] &&
        strlen(mv->conf.name) < sizeof(mv->conf.tap)) {
        memcpy(mv->conf.tap, mv->conf.name, strlen(mv->conf.name) + 1);
        memcpy(mv->saved.tap, mv->conf.tap, sizeof(mv->saved.tap));
    }
    snprintf(mv->conf.name, sizeof(mv->conf.name), "%s", newname);
    snprintf(mv->saved.name, sizeof(mv->saved.name), "%s", newname);
    return 0;
}

int vsw_mgr_rename(struct vsw_mgr *m, const char *name, const char *newname,
                   char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, name);
    struct mvnic *mv = ml ? NULL : mvnic_find(m, name);
    enum origin origin;
    char oldname[LP_NAMSIZ];
    int rc;

    if ((ml && ml->origin == ORIGIN_NIC) || (!ml && !mv &&
                                               nic_listed(m, name)))
        return fail(m, VSW_ST_HOSTNIC, err, errlen, -EOPNOTSUPP,
                    "'%s' is a host NIC: its link keeps its name", name);
    if (!ml && !mv)
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    "object not found");
    if (ml ? ml->inactive : mv->inactive)
        return inactive(m, err, errlen);
    origin = ml ? ml->origin : mv->origin;
    if (strcmp(name, newname) == 0)
        return 0;
    if (mv && mv->conf.domid)
        return domain_busy(m, mv, err, errlen);
    if (ml) {
        struct mvnic *o;

        /* A running domain names the link in its vif: it must stay. */
        TAILQ_FOREACH(o, &m->vnics, entry)
            if (o->ml == ml && o->conf.domid)
                return domain_busy(m, o, err, errlen);
    }
    if (origin == ORIGIN_BOOT)
        return fail(m, VSW_ST_BOOTCONF, err, errlen, -EPERM,
                    "'%s' comes from the boot "
                    "configuration: rename it there",
                    name);
    rc = name_check(m, newname, true, false, err, errlen);
    if (rc < 0)
        return rc;
    snprintf(oldname, sizeof(oldname), "%s", name);
    rc = ml ? link_rename(m, ml, newname) : vnic_rename(mv, newname);
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc, "%s", strerror(-rc));
    rc = save_for(m, origin, err, errlen);
    if (rc < 0) {
        if (ml)
            link_rename(m, ml, oldname);
        else
            vnic_rename(mv, oldname);
    }
    return rc;
}

/* ---- VNICs ---- */

static int vnic_conf_check(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                           char *err, size_t errlen)
{
    if (vc->vid > LP_VID_MAX)
        return fail(m, VSW_ST_VIDINVAL, err, errlen, -EINVAL,
                    "invalid VLAN identifier '%u'", vc->vid);
    if (vc->maxbw && vc->maxbw < LP_MAXBW_MIN)
        return fail(m, VSW_ST_MINMAXBW, err, errlen, -ERANGE,
                    "minimum value for maxbw is 1200K");
    if (vc->priority > LP_PRIO_HIGH)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL, "invalid priority");
    if (vc->protection & ~LP_PROT__ALL)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                    "invalid protection");
    if (vc->mtu && (vc->mtu < LP_MTU_MIN || vc->mtu > LP_MTU_MAX))
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL, "invalid mtu '%u'",
                    vc->mtu);
    if (vc->nips > LP_IPS_MAX)
        return fail(m, VSW_ST_TOOMANY, err, errlen, -E2BIG,
                    "too many allowed-ips");
    for (unsigned i = 0; i < vc->nips; i++) {
        const struct lp_ipnet *ip = &vc->ips[i];

        if (!(ip->family == AF_INET && ip->plen >= 1 && ip->plen <= 32) &&
            !(ip->family == AF_INET6 && ip->plen == 128))
            return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                        "invalid allowed-ips");
    }
    (void)m;
    return 0;
}

/* The switch object of a checked conf; picks a random MAC if needed. */
static struct vsw_vnic *vnic_switch_make(struct vsw_mgr *m, struct mvnic *mv,
                                         char *err, size_t errlen, int *rc)
{
    struct vsw_vnic_conf *vc = &mv->conf;
    struct vsw_vnic_params p = {
        .name = vc->name,
        .vid = vc->vid,
        .maxbw = vc->maxbw,
        .priority = vc->priority,
        .protection = vc->protection,
        .mtu = lp_vnic_mtu(vc->mtu, link_mtu(m, mv->ml)),
    };
    bool pick = vc->mac_type == VSW_MAC_RANDOM && !lp_mac_valid(vc->mac);
    struct vsw_vnic *v;
    int tries;

    for (tries = 0; tries < 16; tries++) {
        if (pick)
            lp_mac_random(vc->mac, NULL, 0);
        memcpy(p.mac, vc->mac, 6);
        v = vsw_vnic_create(mv->ml->l, &p);
        if (v || !pick || errno != EADDRINUSE)
            break;
    }
    if (v && vc->nips && vsw_vnic_set_allowed_ips(v, vc->ips, vc->nips) < 0) {
        vsw_vnic_destroy(v);
        v = NULL;
        errno = ENOMEM;
    }
    mv->v = v;
    if (v && mgr_vnic_place(m, mv) < 0) {
        vsw_vnic_destroy(v);
        v = mv->v = NULL;
        errno = ENOMEM;
    }
    if (v)
        return v;
    if (errno == EADDRINUSE)
        *rc = fail(m, VSW_ST_MACINUSE, err, errlen, -EADDRINUSE,
                   "MAC address is already in use");
    else if (errno == EINVAL)
        *rc = fail(m, VSW_ST_MACINVAL, err, errlen, -EINVAL,
                   "invalid MAC address value");
    else if (errno == ENOSPC)
        *rc = fail(m, VSW_ST_NONE, err, errlen, -ENOSPC,
                   "too many VNICs on link '%s'", vc->link);
    else
        *rc =
            fail(m, VSW_ST_NONE, err, errlen, -errno,
                 "vnic creation over %s failed: %s", vc->link, strerror(errno));
    return NULL;
}

int mgr_vnic_attach(struct vsw_mgr *m, struct mvnic *mv, char *err,
                    size_t errlen)
{
    const char *ifname = mv->conf.tap[0] ? mv->conf.tap : mv->conf.name;
    struct vsw_port *port;
    int rc;

    /* A guest's vif is plugged in by the domains' owner (plug). */
    if (mv->conf.attach != VSW_ATTACH_TAP)
        return 0;
    if (strlen(ifname) >= VSW_IFNAMSIZ)
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL,
                    "TAP interface name too long '%s' (use tap=)", ifname);
    port = vsw_port_open("tap",
                         &(struct vsw_port_args){.name = ifname,
                                                 .mac = mv->conf.mac},
                         m->pool);
    if (!port) {
        rc = -errno;
        return fail(m, rc == -EEXIST ? VSW_ST_IFEXIST : VSW_ST_NONE, err,
                    errlen, rc, "cannot create TAP interface '%s': %s",
                    ifname, strerror(-rc));
    }
    rc = vsw_vnic_attach(mv->v, port);
    if (rc < 0) {
        vsw_port_destroy(port);
        return fail(m, VSW_ST_NONE, err, errlen, rc, "cannot attach '%s': %s",
                    ifname, strerror(-rc));
    }
    host_carrier_one(m, mv);
    return 0;
}

/* A VNIC's MTU, when a client gives one, fits in its link's. */
static int mtu_check(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                     const struct mlink *ml, char *err, size_t errlen)
{
    uint16_t max = link_mtu(m, ml);

    if (vc->mtu > max)
        return fail(m, VSW_ST_MTU_LINK, err, errlen, -EINVAL,
                    "mtu %u is larger than the mtu of '%s' (%u)", vc->mtu,
                    ml->conf.name, max);
    return 0;
}

/* A NIC's link that a failed or undone change left without VNICs lets
 * go; other links stay as they are. */
static void settle_name(struct vsw_mgr *m, const char *link)
{
    struct mlink *ml = mlink_find(m, link);

    if (ml)
        nic_link_settle(m, ml);
}

/* In *@mlp the link @name that a VNIC of @origin goes on, made or
 * modified (@modify: a client asks). */
static int vnic_link_get(struct vsw_mgr *m, const char *name,
                         enum origin origin, bool modify, struct mlink **mlp,
                         char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, name);

    if (!ml)
        ml = nic_link_get(m, name, modify || admin(m, origin));
    if (!ml)
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    modify ? "invalid link name '%s'"
                           : "link '%s' does not exist",
                    name);
    if (ml->inactive)
        return inactive(m, err, errlen);
    if (origin == ORIGIN_PERSIST && ml->origin == ORIGIN_TEMP)
        return fail(m, VSW_ST_PERSIST_ON_TEMP, err, errlen, -EINVAL,
                    "can't create persistent object "
                    "on top of temporary object");
    *mlp = ml;
    return 0;
}

static int vnic_make_one(struct vsw_mgr *m, struct vsw_vnic_conf *vc,
                         enum origin origin, char *err, size_t errlen)
{
    struct mvnic *mv;
    struct mlink *ml;
    int rc;

    /* A domain's VNIC (domid) is its owner's request, never a client's
     * (mgr_msg.c clears it). */
    rc = name_check(m, vc->name, admin(m, origin),
                    !admin(m, origin) || vc->domid, err, errlen);
    if (rc == 0)
        rc = vnic_conf_check(m, vc, err, errlen);
    if (rc < 0)
        return rc;
    rc = vnic_link_get(m, vc->link, origin, false, &ml, err, errlen);
    if (rc < 0)
        return rc;
    if (origin != ORIGIN_TEMP && vc->mac_type != VSW_MAC_RANDOM &&
        mac_kept(m, ml, vc->mac))
        return fail(m, VSW_ST_MACINUSE, err, errlen, -EADDRINUSE,
                    "MAC address is already in use");
    if (vc->attach != VSW_ATTACH_NONE && vc->attach != VSW_ATTACH_TAP)
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL, "invalid attachment");
    if (admin(m, origin) && (rc = mtu_check(m, vc, ml, err, errlen)) < 0)
        return rc;
    if (admin(m, origin) && (rc = mgr_cpus_check(m, vc, err, errlen)) < 0)
        return rc;
    mv = calloc(1, sizeof(*mv));
    if (!mv)
        return fail(m, VSW_ST_NONE, err, errlen, -ENOMEM, "out of memory");
    mv->conf = *vc;
    mv->conf.temporary = origin == ORIGIN_TEMP;
    mv->ml = ml;
    mv->origin = origin;
    rc = nic_link_ready(m, ml, admin(m, origin), err, errlen);
    if (rc < 0)
        goto free_mv;
    mv->v = vnic_switch_make(m, mv, err, errlen, &rc);
    if (!mv->v)
        goto free_mv;
    rc = mgr_vnic_attach(m, mv, err, errlen);
    if (rc < 0)
        goto destroy_vnic;
    mv->saved = mv->conf;
    TAILQ_INSERT_TAIL(&m->vnics, mv, entry);
    rc = save_for(m, origin, err, errlen);
    if (rc < 0) {
        mvnic_free(m, mv);
        return rc;
    }
    *vc = mv->conf;
    return 0;

destroy_vnic:
    vsw_vnic_destroy(mv->v);
free_mv:
    free(mv);
    return rc;
}

static int vnic_make(struct vsw_mgr *m, struct vsw_vnic_conf *vc,
                     enum origin origin, char *err, size_t errlen)
{
    int rc = vnic_make_one(m, vc, origin, err, errlen);

    if (rc < 0)
        settle_name(m, vc->link);
    return rc;
}

int vsw_mgr_vnic_create(struct vsw_mgr *m, struct vsw_vnic_conf *vc,
                        char *err, size_t errlen)
{
    return vnic_make(m, vc, vc->temporary ? ORIGIN_TEMP : ORIGIN_PERSIST, err,
                     errlen);
}

int vsw_mgr_vnic_delete(struct vsw_mgr *m, const char *name, bool temporary,
                        char *err, size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, name);
    struct mlink *ml;
    int rc;

    if (!mv || (mv->inactive && temporary))
        return vnic_missing(m, name, err, errlen);
    if (mv->conf.domid)
        return domain_busy(m, mv, err, errlen);
    rc = mgr_persist_check(m, mv->origin, temporary, name, err, errlen);
    if (rc < 0)
        return rc;
    ml = mv->ml;
    if (temporary && mv->origin != ORIGIN_TEMP) {
        vsw_vnic_destroy(mv->v);
        mv->v = NULL;
        mv->inactive = true;
        /* What the next start makes, which -P shows. */
        if (mv->origin == ORIGIN_PERSIST)
            mv->conf = mv->saved;
        nic_link_settle(m, ml);
        return 0;
    }
    rc = save_without(m, mv->origin, &mv->deleting, err, errlen);
    if (rc < 0)
        return rc;
    mvnic_free(m, mv);
    nic_link_settle(m, ml);
    return 0;
}

/* @want with the properties of @vc that @mods names. */
static void vnic_merge(struct vsw_vnic_conf *want,
                       const struct vsw_vnic_conf *vc, uint32_t mods)
{
    if (mods & VSW_MOD_MAXBW)
        want->maxbw = vc->maxbw;
    if (mods & VSW_MOD_PRIORITY)
        want->priority = vc->priority;
    if (mods & VSW_MOD_PROTECTION)
        want->protection = vc->protection;
    if (mods & VSW_MOD_MTU)
        want->mtu = vc->mtu;
    if (mods & VSW_MOD_CPUS) {
        want->has_cpus = vc->has_cpus;
        want->cpus = vc->cpus;
    }
    if (mods & VSW_MOD_ALLOWED_IPS) {
        want->nips = vc->nips;
        memcpy(want->ips, vc->ips, sizeof(want->ips));
    }
    if (mods & VSW_MOD_MAC) {
        want->mac_type = vc->mac_type;
        memcpy(want->mac, vc->mac, 6);
    }
    if (mods & VSW_MOD_VID)
        want->vid = vc->vid;
    if (mods & VSW_MOD_LINK)
        memcpy(want->link, vc->link, sizeof(want->link));
}

/* Set the properties the switch can change in place. */
static int vnic_apply(struct vsw_mgr *m, struct mvnic *mv,
                      const struct vsw_vnic_conf *want)
{
    int rc = vsw_vnic_set_maxbw(mv->v, want->maxbw);

    if (rc == 0)
        rc = vsw_vnic_set_priority(mv->v, want->priority);
    if (rc == 0)
        rc = vsw_vnic_set_protection(mv->v, want->protection);
    if (rc == 0)
        rc = vsw_vnic_set_mtu(mv->v,
                              lp_vnic_mtu(want->mtu, link_mtu(m, mv->ml)));
    if (rc == 0)
        rc = vsw_vnic_set_allowed_ips(mv->v, want->ips, want->nips);
    if (rc == 0)
        mv->conf = *want;
    return rc;
}

/*
 * Replace @mv's switch VNIC by one made from @want over @ml (a new MAC,
 * VID or link): the old one goes first, since its MAC may stay.  If the
 * new one cannot be made, the old one is made again.
 */
static int vnic_rebuild(struct vsw_mgr *m, struct mvnic *mv,
                        const struct vsw_vnic_conf *want, struct mlink *ml,
                        char *err, size_t errlen)
{
    struct vsw_vnic_conf old = mv->conf;
    struct mlink *old_ml = mv->ml;
    struct vsw_port *guest = NULL;
    char why[256];
    int rc = 0, rc2;

    /* A guest's vif moves to the new VNIC: the guest stays connected; a
     * host TAP moves too: the host keeps its interface and addresses. */
    guest = vsw_vnic_detach(mv->v);
    vsw_vnic_destroy(mv->v);
    mv->conf = *want;
    mv->ml = ml;
    rc = nic_link_ready(m, ml, true, err, errlen);
    mv->v = rc == 0 ? vnic_switch_make(m, mv, err, errlen, &rc) : NULL;
    if (mv->v) {
        rc = guest ? vsw_vnic_attach(mv->v, guest)
                   : mgr_vnic_attach(m, mv, err, errlen);
        if (rc == 0 && guest)
            host_port_moved(m, mv, &old);
        if (rc == 0)
            return 0;
        if (guest)
            fail(m, VSW_ST_NONE, err, errlen, rc, "cannot move the vif: %s",
                 strerror(-rc));
        vsw_vnic_destroy(mv->v);
    }
    mv->conf = old;
    mv->ml = old_ml;
    mv->v = vnic_switch_make(m, mv, why, sizeof(why), &rc2);
    if (mv->v && guest && vsw_vnic_attach(mv->v, guest) == 0) {
        host_port_moved(m, mv, want);
        return rc;
    }
    if (mv->v && !guest && mgr_vnic_attach(m, mv, why, sizeof(why)) == 0)
        return rc;
    vsw_port_destroy(guest);
    /* Cannot happen short of running out of memory: drop the object
     * rather than keep one without a switch VNIC. */
    xvm_log_err("lost VNIC '%s' while modifying it: %s", old.name, why);
    if (!mv->v) {
        TAILQ_REMOVE(&m->vnics, mv, entry);
        free(mv);
    }
    return rc;
}

/* Checks of a modification that replaces the VNIC (new MAC/VID/link). */
static int vnic_rebuild_check(struct vsw_mgr *m, const struct mvnic *mv,
                              const struct vsw_vnic_conf *want,
                              struct mlink **mlp, char *err, size_t errlen)
{
    const struct mvnic *o;
    struct mlink *ml;
    int rc;

    rc = vnic_link_get(m, want->link, mv->origin, true, &ml, err, errlen);
    if (rc < 0)
        return rc;
    if (want->mac_type != VSW_MAC_RANDOM) {
        if (!lp_mac_valid(want->mac))
            return fail(m, VSW_ST_MACINVAL, err, errlen, -EINVAL,
                        "invalid MAC address value");
        TAILQ_FOREACH(o, &m->vnics, entry)
            if (o != mv && o->ml == ml && memcmp(o->conf.mac, want->mac,
                                                  6) == 0)
                return fail(m, VSW_ST_MACINUSE, err, errlen, -EADDRINUSE,
                            "MAC address is already in use");
    }
    *mlp = ml;
    return 0;
}

static int vnic_change(struct vsw_mgr *m, struct mvnic *mv,
                       const struct vsw_vnic_conf *want, bool rebuild,
                       struct mlink *ml, char *err, size_t errlen)
{
    int rc;

    if (rebuild)
        return vnic_rebuild(m, mv, want, ml, err, errlen);
    rc = vnic_apply(m, mv, want);
    if (rc == 0)
        rc = mgr_vnic_place(m, mv);
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc, "cannot change '%s': %s",
                    want->name, strerror(-rc));
    return 0;
}

/*
 * A persistent change of a domain's VNIC belongs in the domain's record,
 * which its owner keeps (vswitchd: xvmd, through xen_vif.c); if it cannot
 * be kept, the running VNIC goes back to @old.
 */
static int owner_persist(struct vsw_mgr *m, struct mvnic *mv,
                         const struct vsw_vnic_conf *old, uint32_t mods,
                         bool rebuild, char *err, size_t errlen)
{
    char why[256];
    int rc;

    if (!m->owner || !m->owner->persist) {
        rc = fail(m, VSW_ST_DOMCFG, err, errlen, -EOPNOTSUPP,
                  "'%s' belongs to domain %s, "
                  "whose configuration cannot be changed here (use -t)",
                  mv->conf.name, mv->conf.domain);
    } else {
        why[0] = '\0';
        rc = m->owner->persist(m->owner_arg, &mv->conf, mods, why,
                               sizeof(why));
        /* The owner's reason ("xvmd is not running ...") after what a
         * client words VSW_ST_DOMCFG as, so that dladm shows both. */
        if (rc < 0)
            fail(m, VSW_ST_DOMCFG, err, errlen, rc,
                 "cannot change the domain's configuration (try -t): %s",
                 why[0] ? why : strerror(-rc));
    }
    if (rc < 0)
        vnic_change(m, mv, old, rebuild, mlink_find(m, old->link), why,
                    sizeof(why));
    return rc;
}

static int vnic_modify(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                       uint32_t mods, bool temporary, char *err,
                       size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, vc->name);
    struct vsw_vnic_conf want, old, old_saved;
    struct mlink *ml;
    bool rebuild;
    int rc;

    if (!mv)
        return vnic_missing(m, vc->name, err, errlen);
    if (mv->inactive)
        return inactive(m, err, errlen);
    ml = mv->ml;
    old = want = mv->conf;
    vnic_merge(&want, vc, mods);
    if (old.domid && (mods & VSW_MOD_MAC) &&
        (want.mac_type == VSW_MAC_RANDOM ||
         memcmp(want.mac, old.mac, 6) != 0))
        return fail(m, VSW_ST_GUESTMAC, err, errlen, -EOPNOTSUPP,
                    mv->lent ? "the guest of domain %s owns the MAC "
                               "address of '%s' while it borrows it"
                             : "the guest of domain %s owns "
                               "the MAC address of '%s': set mac= in the "
                               "domain's config",
                    old.domain[0] ? old.domain : "?", old.name);
    if (old.domid)
        want.mac_type = old.mac_type; /* the same MAC: still auto or fixed */
    if (want.mac_type == VSW_MAC_RANDOM && (mods & VSW_MOD_MAC))
        memset(want.mac, 0, 6); /* a new random MAC */
    rebuild = memcmp(want.mac, old.mac, 6) != 0 ||
              want.mac_type != old.mac_type || want.vid != old.vid ||
              strcmp(want.link, old.link) != 0;
    rc = vnic_conf_check(m, &want, err, errlen);
    if (rc == 0 && rebuild)
        rc = vnic_rebuild_check(m, mv, &want, &ml, err, errlen);
    if (rc == 0 && (mods & (VSW_MOD_MTU | VSW_MOD_LINK)))
        rc = mtu_check(m, &want, ml, err, errlen);
    if (rc == 0 && (mods & VSW_MOD_CPUS))
        rc = mgr_cpus_check(m, &want, err, errlen);
    /* A domain's record (xvm.cfg(5)) has no cpus: it would say yes to a
     * CPU and forget it (a reset leaves it as the record has it). */
    if (rc == 0 && (mods & VSW_MOD_CPUS) && want.has_cpus && old.domid &&
        !mv->lent && !temporary)
        rc = fail(m, VSW_ST_DOMCFG, err, errlen, -EOPNOTSUPP,
                  "'%s' belongs to domain %s, whose record has no cpus "
                  "(use -t)", old.name, old.domain[0] ? old.domain : "?");
    /* A boot VNIC lent to a domain is still the file's. */
    if (rc == 0 && (!old.domid || mv->lent))
        rc = mgr_persist_check(m, mv->origin, temporary, old.name, err,
                               errlen);
    if (rc == 0)
        rc = vnic_change(m, mv, &want, rebuild, ml, err, errlen);
    if (rc == 0 && old.domid && !mv->lent && !temporary)
        return owner_persist(m, mv, &old, mods, rebuild, err, errlen);
    if (rc < 0 || mv->origin != ORIGIN_PERSIST || temporary)
        return rc;
    /* Only what this request names: an earlier temporary change of
     * another property must not become persistent with it. */
    old_saved = mv->saved;
    want = mv->conf; /* with the MAC picked */
    vnic_merge(&mv->saved, &want, mods);
    rc = state_save(m, err, errlen);
    if (rc < 0) {
        char why[256];

        mv->saved = old_saved;
        vnic_change(m, mv, &old, rebuild, mlink_find(m, old.link), why,
                    sizeof(why));
    }
    return rc;
}

int vsw_mgr_vnic_modify(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                        uint32_t mods, bool temporary, char *err,
                        size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, vc->name);
    char old_link[LP_NAMSIZ] = "";
    int rc;

    if (mv)
        snprintf(old_link, sizeof(old_link), "%s", mv->conf.link);
    rc = vnic_modify(m, vc, mods, temporary, err, errlen);
    /* A VNIC that moved, or failed to move, may leave a NIC's link with
     * no VNIC: it lets go. */
    if (mv && (mods & VSW_MOD_LINK) && strcmp(old_link, vc->link) != 0) {
        settle_name(m, old_link);
        settle_name(m, vc->link);
    }
    return rc;
}

int vsw_mgr_vnic_walk(struct vsw_mgr *m, bool persistent,
                      int (*fn)(const struct vsw_vnic_conf *vc,
                                struct vsw_vnic *v, void *arg),
                      void *arg)
{
    struct mvnic *mv;
    int rc;

    TAILQ_FOREACH(mv, &m->vnics, entry) {
        if (persistent ? mv->origin == ORIGIN_TEMP : mv->inactive)
            continue;
        mv->conf.link_mtu = mv->saved.link_mtu = link_mtu(m, mv->ml);
        rc = fn(persistent && mv->origin == ORIGIN_PERSIST ? &mv->saved
                                                           : &mv->conf,
                mv->v, arg);
        if (rc)
            return rc;
    }
    return 0;
}

void mgr_vnic_mtu_sync(struct vsw_mgr *m)
{
    struct mvnic *mv;

    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (mv->v && !mv->conf.mtu)
            vsw_vnic_set_mtu(mv->v, lp_vnic_mtu(0, link_mtu(m, mv->ml)));
}

/* ---- configuration files ---- */

static int obj_make(struct vsw_mgr *m, struct vsw_conf_obj *o,
                    enum origin origin, char *err, size_t errlen)
{
    if (o->cls == VSW_CLASS_VNIC)
        return vnic_make(m, &o->vnic, origin, err, errlen);
    if (o->link.flags & VSW_LINK_F_HOSTNIC)
        return nic_conf_make(m, &o->link, origin == ORIGIN_PERSIST, err,
                             errlen);
    return link_make(m, &o->link, origin, err, errlen);
}

/* The objects of the configuration @text; @keep_going: log and skip
 * objects that fail. */
static int text_load(struct vsw_mgr *m, const char *path, char *text,
                     enum origin origin, bool keep_going, char *err,
                     size_t errlen)
{
    char why[VSW_CONF_LINE_MAX / 2], *line, *next;
    struct vsw_conf_obj o;
    int lineno = 0, made = 0, rc;

    for (line = text; *line; line = next) {
        next = line + strcspn(line, "\n");
        if (*next)
            *next++ = '\0';
        lineno++;
        if (strlen(line) >= VSW_CONF_LINE_MAX)
            rc = fail(m, VSW_ST_NONE, why, sizeof(why), -EINVAL,
                      "line too long");
        else
            rc = vsw_conf_parse_line(line, &o, why, sizeof(why));
        if (rc > 0)
            rc = obj_make(m, &o, origin, why, sizeof(why));
        else if (rc == 0)
            continue;
        if (rc == 0) {
            made++;
            continue;
        }
        fail(m, VSW_ST_NONE, err, errlen, rc, "%s:%d: %s", path, lineno, why);
        if (!keep_going)
            return rc;
        xvm_log_warn("%s (skipped)", err);
    }
    return made;
}

/* Read @path (xvm_file_read() with @flags) and make its objects. */
static int file_load(struct vsw_mgr *m, const char *path, unsigned flags,
                     enum origin origin, bool keep_going, char *err,
                     size_t errlen)
{
    char *text;
    size_t len;
    int rc;

    rc = xvm_file_read(path, flags, VSW_CONF_FILE_MAX, &text, &len);
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc, "%s: %s", path,
                    strerror(-rc));
    rc = text_load(m, path, text, origin, keep_going, err, errlen);
    free(text);
    return rc;
}

int vsw_mgr_load(struct vsw_mgr *m, const char *path, bool persistent,
                 char *err, size_t errlen)
{
    return file_load(m, path, 0, persistent ? ORIGIN_PERSIST : ORIGIN_BOOT,
                     false, err, errlen);
}

int vsw_mgr_restore(struct vsw_mgr *m, char *err, size_t errlen)
{
    int rc;

    if (!m->state_path[0])
        return 0;
    m->restoring = true;
    rc = file_load(m, m->state_path, XVM_FILE_OWNED, ORIGIN_PERSIST, true,
                   err, errlen);
    m->restoring = false;
    return rc == -ENOENT ? 0 : rc;
}

void vsw_mgr_set_owner(struct vsw_mgr *m, const struct vsw_mgr_owner_ops *ops,
                       void *arg)
{
    m->owner = ops;
    m->owner_arg = arg;
}

int vsw_mgr_vnic_plug(struct vsw_mgr *m, const char *name,
                      struct vsw_port *port, char *err, size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, name);
    int rc;

    if (!mv || mv->inactive)
        return vnic_missing(m, name, err, errlen);
    if (!mv->conf.domid || mv->conf.attach == VSW_ATTACH_TAP)
        return fail(m, VSW_ST_NONE, err, errlen, -EBUSY,
                    "VNIC '%s' is not a domain's",
                    name);
    rc = vsw_vnic_attach(mv->v, port);
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc,
                    "cannot attach to '%s': %s", name,
                    strerror(-rc));
    mv->conf.attach = port ? VSW_ATTACH_VIF : VSW_ATTACH_NONE;
    host_carrier_one(m, mv); /* the vif learns its link's state */
    return 0;
}

int vsw_mgr_vnic_release(struct vsw_mgr *m, const char *name, char *err,
                         size_t errlen)
{
    struct mvnic *mv = mvnic_find(m, name);

    if (!mv)
        return vnic_missing(m, name, err, errlen);
    if (mv->lent)
        return vnic_give_back(m, mv);
    mv->conf.domid = 0;
    return vsw_mgr_vnic_delete(m, name, false, err, errlen);
}

/* ---- captures ---- */

struct vsw_cap *vsw_mgr_capture(struct vsw_mgr *m, uint64_t conn,
                                const struct vsw_cap_params *p, char *err,
                                size_t errlen)
{
    struct mlink *ml = mlink_find(m, p->name);
    struct vsw_cap *c;

    if (m->ncaps == VSW_CAP_MAX) {
        fail(m, VSW_ST_TOOMANY, err, errlen, -ENOSPC,
             "too many captures running");
        errno = ENOSPC;
        return NULL;
    }
    c = vsw_cap_open(m->sw, p, err, errlen);
    if (!c && errno == ENOENT &&
        (ml ? ml->origin == ORIGIN_NIC : nic_listed(m, p->name))) {
        /* A host NIC's link: the switch holds no port on it yet. */
        fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
             "%s is a host NIC with no VNIC over it, so vswitchd holds no "
             "port on it (tcpdump -i %s sees its traffic)", p->name,
             p->name);
        errno = EINVAL;
        return NULL;
    }
    if (!c) {
        m->status = errno == ENOENT ? VSW_ST_NOTFOUND
                    : errno == EINVAL ? VSW_ST_BADVAL
                                      : VSW_ST_NONE;
        return NULL;
    }
    m->caps[m->ncaps].conn = conn;
    m->caps[m->ncaps++].cap = c;
    return c;
}

void vsw_mgr_conn_gone(struct vsw_mgr *m, uint64_t conn)
{
    unsigned i = m->ncaps;

    while (i--) {
        if (m->caps[i].conn != conn)
            continue;
        vsw_cap_close(m->caps[i].cap);
        m->caps[i] = m->caps[--m->ncaps];
    }
}
