/* SPDX-License-Identifier: MIT */
/*
 * The host's NICs as datalinks (vswmgr/mgr.h), as illumos has them: a NIC
 * is a physical link under its own name from the moment it is there, and
 * VNICs are carved from it while the host keeps using it.
 *
 *  - The NIC table: what rtnetlink says (libnl-route-3: one dump at start
 *    and again whenever the kernel had to drop messages, then the
 *    RTNLGRP_LINK group), or what a test puts in it.  Ethernet NICs only,
 *    the loopback excepted.
 *  - Listing: a NIC is a link of its own unless it is already the wire of
 *    another link (iface= in its devargs), one of our VNICs' TAPs, or its
 *    name is another object's (nic_shadowed()).
 *  - A NIC's link has a record (struct mlink, ORIGIN_NIC) only while VNIC
 *    records sit on it, or while its nicmode is not shared (a dedicated
 *    NIC's interface is gone: vfio-pci has it; the state file keeps the
 *    persistent nicmode as a "nic" line).  The switch link and its wire
 *    are made with the
 *    first running VNIC (nic_link_ready(): hostnic_attach(), the one place
 *    a NIC is attached: XDP shared with the host, else af_packet, or
 *    dedicated) and go with the last (nic_link_settle()).
 *  - Any link whose wire is a NIC follows it: the NIC gone, the link keeps
 *    its VNICs with no wire (state unknown); a NIC of that name back, the
 *    wire is opened again.
 *
 * Control thread only (and the main thread before it starts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <net/if.h>
#include <net/if_arp.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <linux/rtnetlink.h>

#include <rte_ethdev.h>

#include "xvm/ctlmsg.h"
#include "mgr_pvt.h"
#include "vsw/xdp_share.h"
#include "vswctl/ctl.h"
#include "vswctl/nicdev.h"
#include "vswmgr/conf.h"
#include "xvm/log.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

#define fail mgr_fail

/* Bytes the kernel may queue for the event socket before it drops (we
 * then read everything again). */
#define EV_RCVBUF (1 << 20)
#define EV_BUFSIZ 32768

struct hostnic_nl {
    struct nl_sock *ev;  /* RTNLGRP_LINK, non-blocking */
    struct nl_sock *req; /* dumps and changes */
};

/* ---- the table ---- */

static struct mnic *nic_by_index(struct vsw_mgr *m, int ifindex)
{
    struct mnic *nic;

    TAILQ_FOREACH(nic, &m->nics, entry)
        if (nic->n.ifindex == ifindex)
            return nic;
    return NULL;
}

struct mnic *nic_find(struct vsw_mgr *m, const char *ifname)
{
    struct mnic *nic;

    TAILQ_FOREACH(nic, &m->nics, entry)
        if (strcmp(nic->n.ifname, ifname) == 0)
            return nic;
    return NULL;
}

/* The record of NIC @name's own link, or NULL. */
static struct mlink *nic_mlink(struct vsw_mgr *m, const char *name)
{
    struct mlink *ml = mlink_find(m, name);

    return ml && ml->origin == ORIGIN_NIC ? ml : NULL;
}

/*
 * Is @name not a link of its own, whether the NIC is there or not: not a
 * name a link can bear, already the wire of another link (that link is
 * the NIC under another name), one of our VNICs' TAPs, or another
 * object's name (objects of the files and of clients win).
 */
static bool nic_shadowed(struct vsw_mgr *m, const char *name)
{
    const struct mlink *ml;
    const struct mvnic *mv;

    if (lp_ifname_check(name) < 0)
        return true;
    TAILQ_FOREACH(ml, &m->links, entry) {
        if (ml->origin == ORIGIN_NIC)
            continue;
        if (strcmp(ml->conf.name, name) == 0 || strcmp(ml->ifname, name) == 0)
            return true;
    }
    TAILQ_FOREACH(mv, &m->vnics, entry) {
        const char *tap = mv->conf.tap[0] ? mv->conf.tap : mv->conf.name;

        if (strcmp(mv->conf.name, name) == 0 ||
            (mv->conf.attach == VSW_ATTACH_TAP && strcmp(tap, name) == 0))
            return true;
    }
    return false;
}

bool nic_listed(struct vsw_mgr *m, const char *name)
{
    return nic_find(m, name) && !nic_shadowed(m, name);
}

void devargs_ifname(const char *devargs, char ifname[VSW_IFNAMSIZ])
{
    const char *p;
    size_t n;

    ifname[0] = '\0';
    if (strncmp(devargs, "net_af_packet", 13) != 0 &&
        strncmp(devargs, "net_af_xdp", 10) != 0)
        return;
    for (p = strchr(devargs, ','); p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, "iface=", 6) != 0)
            continue;
        n = strcspn(p + 7, ",");
        if (n > 0 && n < VSW_IFNAMSIZ) {
            memcpy(ifname, p + 7, n);
            ifname[n] = '\0';
        }
        return;
    }
}

uint16_t link_mtu(struct vsw_mgr *m, const struct mlink *ml)
{
    const struct mnic *nic;

    if (ml->conf.cls == VSW_CLASS_ETHERSTUB)
        return LP_MTU_MAX;
    nic = ml->ifname[0] ? nic_find(m, ml->ifname) : NULL;
    return nic && nic->n.mtu ? nic->n.mtu : LP_MTU_DEFAULT;
}

/* A NIC is up when it is administratively up and has a carrier. */
static bool nic_up(const struct vsw_hostnic *n)
{
    return n->admin_up && n->carrier;
}

void nic_link_info(struct vsw_mgr *m, struct mlink *ml)
{
    struct vsw_link_conf *lc = &ml->conf;
    const struct mnic *nic = nic_find(m, ml->ifname);
    bool up;

    snprintf(lc->ifname, sizeof(lc->ifname), "%s", ml->ifname);
    if (ml->origin == ORIGIN_NIC) {
        lc->flags |= VSW_LINK_F_HOSTNIC;
        lc->attach = ml->l && vsw_link_port(ml->l) ? ml->attach
                                                   : VSW_NIC_ATTACH_NONE;
        snprintf(lc->attach_why, sizeof(lc->attach_why), "%s",
                 ml->attach_why);
        lc->nicmode = ml->nicmode;
        snprintf(lc->pci, sizeof(lc->pci), "%s",
                 ml->nicmode == VSW_NICMODE_DEDICATED ? ml->pci : "");
    }
    if (!nic)
        return; /* state unknown: no device */
    up = nic_up(&nic->n);
    lc->state = up ? VSW_LINK_STATE_UP : VSW_LINK_STATE_DOWN;
    lc->speed = up ? nic->n.speed : 0;
    lc->duplex = up ? nic->n.duplex : 0;
}

/* ---- the wire: attach, release, follow the NIC ---- */

/*
 * XDP first (vsw/xdp_share.h): the NIC stays the host's, and only the
 * frames of the link's VNICs are steered to the switch (the switch tells
 * the port each VNIC's (MAC, VID) through vsw_port_ops.ucast_add).
 * @return the port, or NULL with why not in @ml->attach_why, logged once
 * per NIC and reason.
 */
static struct vsw_port *hostnic_xdp(struct vsw_mgr *m, struct mlink *ml)
{
    struct mnic *nic = nic_find(m, ml->ifname);
    struct vsw_xdp_share_info info;
    struct vsw_port *port;
    uint32_t stale;
    int rc;

    /* We hold the NIC (wire_claim()): a program of ours on it is what a
     * vswitchd that died without closing left. */
    rc = vsw_xdp_share_clear_stale(ml->ifname, &stale);
    if (rc > 0)
        xvm_log_info("link %s: took off NIC %s the XDP program a vswitchd "
                     "that is gone left (program %u)", ml->conf.name,
                     ml->ifname, stale);
    else if (rc < 0)
        xvm_log_warn("link %s: NIC %s: cannot look at or take off a left "
                     "XDP program of ours: %s", ml->conf.name, ml->ifname,
                     strerror(-rc));
    port = vsw_port_xdp_share_open(ml->ifname, m->pool, &info);
    if (port) {
        snprintf(ml->conf.devargs, sizeof(ml->conf.devargs),
                 "net_af_xdp_%s,iface=%s", ml->ifname, ml->ifname);
        ml->attach = VSW_NIC_ATTACH_XDP;
        xvm_log_info("link %s: NIC %s shared with the host through XDP "
                     "(%s mode, program %u)", ml->conf.name, ml->ifname,
                     vsw_xdp_mode_str(info.mode), info.prog_id);
        if (nic)
            nic->why_logged[0] = '\0';
        return port;
    }
    if (info.why == VSW_XDP_BUSY && info.prog_id)
        snprintf(ml->attach_why, sizeof(ml->attach_why), "%s (id %u)",
                 vsw_xdp_why_str(info.why), info.prog_id);
    else if (info.why == VSW_XDP_ATTACH)
        snprintf(ml->attach_why, sizeof(ml->attach_why), "%s: %s",
                 vsw_xdp_why_str(info.why), strerror(errno));
    else
        snprintf(ml->attach_why, sizeof(ml->attach_why), "%s",
                 vsw_xdp_why_str(info.why));
    if (!nic || strcmp(nic->why_logged, ml->attach_why) != 0)
        xvm_log_warn("link %s: NIC %s cannot be shared through XDP (%s): "
                     "af_packet instead", ml->conf.name, ml->ifname,
                     ml->attach_why);
    if (nic)
        snprintf(nic->why_logged, sizeof(nic->why_logged), "%s",
                 ml->attach_why);
    return NULL;
}

/*
 * nicmode=dedicated: the NIC, bound to vfio-pci by now, is DPDK's PCI
 * driver's for the switch alone (its kernel interface is gone).  What
 * set-linkprop checked is checked again, the binding with it.
 */
static struct vsw_port *hostnic_dedicated(struct vsw_mgr *m,
                                          struct mlink *ml, char *err,
                                          size_t errlen, int *rc)
{
    char why[512];
    struct rte_eth_dev_info di;
    struct vsw_port *port;
    uint16_t pid;

    if (vsw_nic_dedicated_lacks(NULL, ml->pci, 0, NULL, NULL, why,
                                sizeof(why))) {
        *rc = fail(m, VSW_ST_DEDICATE, err, errlen, -EOPNOTSUPP,
                   "link %s (nicmode=dedicated): %s", ml->conf.name, why);
        return NULL;
    }
    if (!m->pci_bus) {
        *rc = fail(m, VSW_ST_NOPCIBUS, err, errlen, -EOPNOTSUPP,
                   "link %s (nicmode=dedicated): vswitchd runs without "
                   "PCI devices (-P) or hugepages", ml->conf.name);
        return NULL;
    }
    /* The EAL's scan at start may have probed it: the port probes and
     * removes it itself. */
    if (rte_eth_dev_get_port_by_name(ml->pci, &pid) == 0 &&
        rte_eth_dev_info_get(pid, &di) == 0) {
        rte_eth_dev_close(pid);
        rte_dev_remove(di.device);
    }
    snprintf(ml->conf.devargs, sizeof(ml->conf.devargs), "%s", ml->pci);
    port = vsw_port_ethdev_open(ml->pci, m->pool);
    if (!port) {
        *rc = fail(m, VSW_ST_NONE, err, errlen, -errno,
                   "cannot attach to PCI device %s of link %s: %s", ml->pci,
                   ml->conf.name, strerror(errno));
        ml->conf.devargs[0] = '\0';
        return NULL;
    }
    ml->attach = VSW_NIC_ATTACH_DEDICATED;
    return port;
}

/*
 * The one place the switch takes hold of a host NIC: open the port that
 * becomes the wire of the NIC's link @ml, and say in its devargs (which
 * the link reports) what was opened, in ml->attach how, and in
 * ml->attach_why why not through XDP.  The host keeps using the NIC.
 *
 *  - XDP and AF_XDP (hostnic_xdp()), the default: the host's stack sees
 *    only what is not the VNICs'.
 *  - Where the NIC cannot take our XDP program (another program on it,
 *    more than one rx queue, no AF_XDP, MTU above 1500, built without
 *    clang, ...): a DPDK net_af_packet port, a PACKET_MMAP socket on the
 *    NIC beside the kernel's stack ("net_af_packet_<ifname>,iface=
 *    <ifname>"; the vdev bus takes any name that begins with the
 *    driver's).
 *  - nicmode=dedicated (hostnic_dedicated()): DPDK's PCI driver on the
 *    NIC's PCI address, the NIC bound to vfio-pci; the host has no
 *    interface for it then.
 *  - Tests: a port kind registered with vsw_port_class_register() and
 *    named by vsw_mgr_params.nic_port_kind, opened with the NIC's name
 *    (vsw_port_args.name) and the packet pool; it must pass the host's
 *    own traffic on to the host, and give the NIC back when destroyed.
 */
static struct vsw_port *hostnic_attach(struct vsw_mgr *m, struct mlink *ml,
                                       char *err, size_t errlen, int *rc)
{
    const char *ifname = ml->ifname;
    char *devargs = ml->conf.devargs;
    size_t len = sizeof(ml->conf.devargs);
    struct vsw_port_args a = {.name = ifname};
    const char *kind = m->nic_kind ? m->nic_kind : "ethdev";
    struct vsw_port *port;

    ml->attach = VSW_NIC_ATTACH_NONE;
    ml->attach_why[0] = '\0';
    if (ml->nicmode == VSW_NICMODE_DEDICATED)
        return hostnic_dedicated(m, ml, err, errlen, rc);
    if (m->nic_kind) {
        snprintf(devargs, len, "%s:%s", kind, ifname);
    } else {
        port = hostnic_xdp(m, ml);
        if (port)
            return port;
        snprintf(devargs, len, "net_af_packet_%s,iface=%s", ifname, ifname);
        a.devargs = devargs;
    }
    port = vsw_port_open(kind, &a, m->pool);
    if (!port) {
        *rc = fail(m, VSW_ST_NONE, err, errlen, -errno,
                   "cannot attach to NIC '%s': %s", ifname, strerror(errno));
        devargs[0] = '\0';
        return NULL;
    }
    ml->attach = m->nic_kind ? VSW_NIC_ATTACH_OTHER : VSW_NIC_ATTACH_AF_PACKET;
    return port;
}

/*
 * Claim the host interfaces @ml's wire will drive (hostif_pvt.h): a NIC's
 * link its NIC, a configured link what its devargs name (@first; after
 * the port is open, those its driver made).  On failure every claim of
 * @ml is given up.  @return 0, or
 * -errno with the reason in @err ("link phys0: eth1 is already attached
 * by vswitchd (pid 42)").
 */
static int wire_claim(struct vsw_mgr *m, struct mlink *ml, bool first,
                      char *err, size_t errlen)
{
    char why[VSW_ERRMSGSIZ], one[16 + VSW_IFNAMSIZ];
    int rc;

    if (first && ml->origin == ORIGIN_NIC) {
        snprintf(one, sizeof(one), "nic,iface=%s", ml->ifname);
        hostif_claims_init(&ml->nics, one);
    } else if (first) {
        hostif_claims_init(&ml->nics, ml->conf.devargs);
    }
    /* Again after the open: only what was not claimed yet. */
    rc = hostif_claims_take(&ml->nics, why, sizeof(why));
    if (rc < 0) {
        hostif_claims_release(&ml->nics);
        return fail(m, VSW_ST_NONE, err, errlen, rc, "link %s: %s",
                    ml->conf.name, why);
    }
    return 0;
}

struct vsw_port *link_wire_open(struct vsw_mgr *m, struct mlink *ml,
                                char *err, size_t errlen, int *rc)
{
    const struct mnic *nic = ml->ifname[0] ? nic_find(m, ml->ifname) : NULL;
    struct vsw_port *port;

    /* The NICs first: one another vswitchd drives is not touched. */
    hostif_claims_release(&ml->nics);
    *rc = wire_claim(m, ml, true, err, errlen);
    if (*rc < 0)
        return NULL;
    /* What to give back: a NIC we know nothing of is left as it is. */
    ml->nic_promisc = nic ? nic->n.promisc : true;
    if (ml->origin == ORIGIN_NIC) {
        port = hostnic_attach(m, ml, err, errlen, rc);
        if (!port)
            hostif_claims_release(&ml->nics);
        return port;
    }
    port = vsw_port_open("ethdev",
                         &(struct vsw_port_args){.devargs = ml->conf.devargs},
                         m->pool);
    if (!port) {
        *rc = fail(m, VSW_ST_NONE, err, errlen, -errno,
                   "cannot open DPDK port '%s': %s", ml->conf.devargs,
                   strerror(errno));
        hostif_claims_release(&ml->nics);
        return NULL;
    }
    /* And what the driver made itself (net_tap's interface). */
    *rc = wire_claim(m, ml, false, err, errlen);
    if (*rc < 0) {
        vsw_port_destroy(port);
        return NULL;
    }
    return port;
}

void nic_wire_release(struct vsw_mgr *m, struct mlink *ml)
{
    char name[RTE_ETH_NAME_MAX_LEN];
    size_t n = strcspn(ml->conf.devargs, ",");
    uint16_t pid;

    /* The ethdev made the NIC promiscuous (IFF_PROMISC, which outlives
     * the port): unless it was so before, it is not any more.  Other
     * port kinds give back what they took themselves. */
    if (!ml->ifname[0] || ml->nic_promisc || !nic_find(m, ml->ifname) ||
        (ml->origin == ORIGIN_NIC &&
         ml->attach != VSW_NIC_ATTACH_AF_PACKET) ||
        n == 0 || n >= sizeof(name))
        return;
    memcpy(name, ml->conf.devargs, n);
    name[n] = '\0';
    if (rte_eth_dev_get_port_by_name(name, &pid) == 0)
        rte_eth_promiscuous_disable(pid);
    ml->nic_promisc = true;
}

/* Open @ml's wire and give it to its switch link. */
static int wire_attach(struct vsw_mgr *m, struct mlink *ml, char *err,
                       size_t errlen)
{
    struct vsw_port *port;
    int rc = 0;

    port = link_wire_open(m, ml, err, errlen, &rc);
    if (!port)
        return rc;
    rc = vsw_link_set_port(ml->l, port);
    if (rc < 0) {
        nic_wire_release(m, ml);
        vsw_port_destroy(port);
        hostif_claims_release(&ml->nics);
        if (ml->origin == ORIGIN_NIC) {
            ml->conf.devargs[0] = '\0';
            ml->attach = VSW_NIC_ATTACH_NONE;
        }
        return fail(m, VSW_ST_NONE, err, errlen, rc,
                    "cannot attach to NIC '%s': %s", ml->ifname,
                    strerror(-rc));
    }
    ml->attach_warned = false;
    xvm_log_info("link %s: attached to NIC %s (%s)", ml->conf.name,
                 ml->ifname, ml->conf.devargs);
    return 0;
}

struct mlink *nic_link_get(struct vsw_mgr *m, const char *name, bool admin)
{
    struct mlink *ml;

    if (strlen(name) >= VSW_IFNAMSIZ || nic_shadowed(m, name))
        return NULL;
    /* A client names a NIC that is there; the files may name one that
     * is not there yet, when NICs are followed at all. */
    if (!nic_find(m, name) && (admin || !m->nics_on))
        return NULL;
    ml = calloc(1, sizeof(*ml));
    if (!ml)
        return NULL;
    snprintf(ml->conf.name, sizeof(ml->conf.name), "%s", name);
    ml->conf.cls = VSW_CLASS_PHYS;
    ml->origin = ORIGIN_NIC;
    snprintf(ml->ifname, sizeof(ml->ifname), "%s", name);
    TAILQ_INSERT_TAIL(&m->links, ml, entry);
    if (!nic_find(m, name))
        xvm_log_warn("link %s: no NIC %s here: its VNICs have no wire until "
                     "it appears", name, name);
    return ml;
}

int nic_link_ready(struct vsw_mgr *m, struct mlink *ml, bool admin,
                   char *err, size_t errlen)
{
    bool made = false;
    int rc;

    if (ml->origin != ORIGIN_NIC)
        return 0;
    if (!ml->l) {
        ml->l = vsw_link_create(m->sw, ml->conf.name, VSW_CLASS_PHYS, NULL);
        if (!ml->l)
            return fail(m, VSW_ST_NONE, err, errlen, -errno,
                        "cannot create link '%s': %s", ml->conf.name,
                        strerror(errno));
        mgr_link_place(m, ml);
        made = true;
    }
    /* Attached, or waiting for its NIC (a dedicated NIC has no
     * interface: vfio-pci has it). */
    if (vsw_link_port(ml->l) ||
        (!nic_find(m, ml->ifname) && ml->nicmode != VSW_NICMODE_DEDICATED))
        return 0;
    rc = wire_attach(m, ml, err, errlen);
    if (rc == 0)
        return 0;
    if (admin) {
        /* A client's VNIC is refused; the waiting VNICs stay. */
        if (made) {
            vsw_link_destroy(ml->l);
            ml->l = NULL;
        }
        return rc;
    }
    /* The files' VNICs are made anyway: the NIC may come back free. */
    xvm_log_warn("link %s: %s; its VNICs have no wire for now",
                 ml->conf.name, err);
    ml->attach_warned = true;
    return 0;
}

void nic_link_settle(struct vsw_mgr *m, struct mlink *ml)
{
    const struct mvnic *mv;

    if (ml->origin != ORIGIN_NIC)
        return;
    if (ml->l && vsw_link_nvnics(ml->l) == 0) {
        bool had = vsw_link_port(ml->l) != NULL;

        nic_wire_release(m, ml);
        vsw_link_destroy(ml->l);
        hostif_claims_release(&ml->nics);
        ml->l = NULL;
        if (had)
            xvm_log_info("link %s: no VNIC left, released NIC %s (%s)",
                         ml->conf.name, ml->ifname, ml->conf.devargs);
        ml->conf.devargs[0] = '\0';
        ml->attach = VSW_NIC_ATTACH_NONE;
        ml->attach_why[0] = '\0';
    }
    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (mv->ml == ml)
            return;
    if (ml->nicmode != VSW_NICMODE_SHARED ||
        ml->nicmode_saved != VSW_NICMODE_SHARED || ml->conf.has_cpus ||
        ml->has_cpus_saved)
        return;
    TAILQ_REMOVE(&m->links, ml, entry);
    free(ml);
}

int nic_claim_check(struct vsw_mgr *m, const char *ifname, char *err,
                    size_t errlen)
{
    if (ifname[0] && nic_mlink(m, ifname))
        return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                    "link busy: NIC '%s' is link %s, which has VNICs",
                    ifname, ifname);
    return 0;
}

/* NIC @ifname is gone: the links over it keep their VNICs, no wire. */
static void wires_lost(struct vsw_mgr *m, const char *ifname)
{
    struct mlink *ml;

    TAILQ_FOREACH(ml, &m->links, entry) {
        if (strcmp(ml->ifname, ifname) != 0 || !ml->l ||
            !vsw_link_port(ml->l))
            continue;
        vsw_link_set_port(ml->l, NULL);
        hostif_claims_release(&ml->nics);
        xvm_log_warn("link %s: NIC %s went away (%s closed); its VNICs "
                     "have no wire until it comes back",
                     ml->conf.name, ifname, ml->conf.devargs);
        if (ml->origin == ORIGIN_NIC) {
            ml->conf.devargs[0] = '\0';
            ml->attach = VSW_NIC_ATTACH_NONE;
        }
        ml->attach_warned = false;
    }
}

/* NIC @ifname is there: links over it without a wire get it back. */
static void wires_back(struct vsw_mgr *m, const char *ifname)
{
    struct mlink *ml;
    char why[256];

    TAILQ_FOREACH(ml, &m->links, entry) {
        if (strcmp(ml->ifname, ifname) != 0 || !ml->l || ml->inactive ||
            vsw_link_port(ml->l))
            continue;
        if (wire_attach(m, ml, why, sizeof(why)) == 0 || ml->attach_warned)
            continue;
        xvm_log_warn("link %s: %s", ml->conf.name, why);
        ml->attach_warned = true;
    }
}

/* Remove @nic from the table; the links over it lose their wire. */
static void nic_drop(struct vsw_mgr *m, struct mnic *nic)
{
    char ifname[VSW_IFNAMSIZ];

    snprintf(ifname, sizeof(ifname), "%s", nic->n.ifname);
    TAILQ_REMOVE(&m->nics, nic, entry);
    free(nic);
    wires_lost(m, ifname);
}

/* The host raised the MTU of a NIC we share through XDP (dladm refuses
 * it): larger frames no longer reach the VNICs.  Said once per change. */
static void xdp_mtu_warn(struct vsw_mgr *m, const struct vsw_hostnic *n)
{
    struct mlink *ml;

    TAILQ_FOREACH(ml, &m->links, entry)
        if (ml->attach == VSW_NIC_ATTACH_XDP &&
            strcmp(ml->ifname, n->ifname) == 0)
            xvm_log_warn("NIC %s: mtu %u is above the %u XDP sharing takes: "
                         "frames longer than that no longer reach its "
                         "VNICs (set the mtu with no VNIC over it, and they "
                         "attach through af_packet)",
                         n->ifname, n->mtu, VSW_XDP_MTU_MAX);
}

static void nic_set(struct vsw_mgr *m, const struct vsw_hostnic *n)
{
    struct mnic *nic = nic_by_index(m, n->ifindex), *at;
    bool was_up = false;

    m->nics_on = true;
    if (!n->ifname[0] || memchr(n->ifname, '\0', sizeof(n->ifname)) == NULL)
        return;
    /* Renamed: the old name went away, a new one came. */
    if (nic && strcmp(nic->n.ifname, n->ifname) != 0) {
        nic_drop(m, nic);
        nic = NULL;
    }
    if (!nic) {
        /* The same name under another ifindex: that one went. */
        at = nic_find(m, n->ifname);
        if (at)
            nic_drop(m, at);
        nic = calloc(1, sizeof(*nic));
        if (!nic)
            return;
        nic->n = *n;
        TAILQ_FOREACH(at, &m->nics, entry)
            if (at->n.ifindex > n->ifindex)
                break;
        if (at)
            TAILQ_INSERT_BEFORE(at, nic, entry);
        else
            TAILQ_INSERT_TAIL(&m->nics, nic, entry);
    } else {
        was_up = nic_up(&nic->n);
        if (n->mtu > VSW_XDP_MTU_MAX && nic->n.mtu <= VSW_XDP_MTU_MAX)
            xdp_mtu_warn(m, n);
        nic->n = *n;
        /* Only a NIC that came, or came up, is worth another attempt: an
         * attempt itself may change the NIC's flags. */
        if (was_up || !nic_up(n))
            return;
    }
    wires_back(m, nic->n.ifname);
}

void vsw_mgr_hostnic_del(struct vsw_mgr *m, int ifindex)
{
    struct mnic *nic = nic_by_index(m, ifindex);

    if (nic)
        nic_drop(m, nic);
    host_carrier_sync(m); /* hostvnic.c */
    mgr_vnic_mtu_sync(m);
}

void vsw_mgr_hostnic_set(struct vsw_mgr *m, const struct vsw_hostnic *n)
{
    nic_set(m, n);
    host_carrier_sync(m); /* hostvnic.c */
    mgr_vnic_mtu_sync(m); /* those without an mtu follow the NIC's */
}

/* ---- listing ---- */

static bool has_persistent_vnic(struct vsw_mgr *m, const struct mlink *ml)
{
    const struct mvnic *mv;

    TAILQ_FOREACH(mv, &m->vnics, entry)
        if (mv->ml == ml && mv->origin != ORIGIN_TEMP)
            return true;
    return false;
}

int nic_links_walk(struct vsw_mgr *m, bool persistent,
                   int (*fn)(const struct vsw_link_conf *lc,
                             struct vsw_link *l, void *arg),
                   void *arg)
{
    struct vsw_link_conf lc_saved;
    struct mnic *nic;
    struct mlink *ml, tmp;
    int rc;

    /* The NICs there, in ifindex order. */
    TAILQ_FOREACH(nic, &m->nics, entry) {
        ml = nic_mlink(m, nic->n.ifname);
        if (!ml) {
            if (nic_shadowed(m, nic->n.ifname))
                continue;
            memset(&tmp, 0, sizeof(tmp));
            snprintf(tmp.conf.name, sizeof(tmp.conf.name), "%s",
                     nic->n.ifname);
            tmp.conf.cls = VSW_CLASS_PHYS;
            tmp.origin = ORIGIN_NIC;
            snprintf(tmp.ifname, sizeof(tmp.ifname), "%s", nic->n.ifname);
            ml = &tmp;
        }
        mgr_link_info(m, ml);
        if (persistent) {
            ml->conf.nicmode = ml->nicmode_saved;
            if (ml->nicmode_saved == VSW_NICMODE_SHARED)
                ml->conf.pci[0] = '\0';
            lc_saved = ml->conf;
            mgr_link_cpus_saved(ml, &lc_saved);
            rc = fn(&lc_saved, ml->l, arg);
            if (rc)
                return rc;
            continue;
        }
        rc = fn(&ml->conf, ml->l, arg);
        if (rc)
            return rc;
    }
    /* Then those gone (or not come yet) that VNICs wait for. */
    TAILQ_FOREACH(ml, &m->links, entry) {
        if (ml->origin != ORIGIN_NIC || nic_find(m, ml->ifname) ||
            (persistent && !has_persistent_vnic(m, ml) &&
             ml->nicmode_saved == VSW_NICMODE_SHARED && !ml->has_cpus_saved))
            continue;
        mgr_link_info(m, ml);
        lc_saved = ml->conf;
        if (persistent) {
            lc_saved.nicmode = ml->nicmode_saved;
            mgr_link_cpus_saved(ml, &lc_saved);
        }
        rc = fn(&lc_saved, ml->l, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- nicmode: shared with the host, or dedicated to the switch ---- */

int vsw_mgr_link_set_nicmode(struct vsw_mgr *m, const char *name,
                             enum vsw_nicmode mode, bool temporary,
                             char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, name);
    enum vsw_nicmode old, old_saved;
    char pci[VSW_PCISIZ] = "", old_pci[sizeof(ml->pci)];
    char why[512];
    int rc;

    if (!ml && !nic_listed(m, name))
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    "link '%s' does not exist", name);
    if (ml && ml->origin != ORIGIN_NIC)
        return fail(m, VSW_ST_NOTNIC, err, errlen, -EOPNOTSUPP,
                    "'%s' is not a host NIC's own link: it has no nicmode",
                    name);
    if (mode != VSW_NICMODE_SHARED && mode != VSW_NICMODE_DEDICATED)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                    "invalid nicmode %d", (int)mode);
    if (ml && ml->l && mode != ml->nicmode)
        return fail(m, VSW_ST_LINKBUSY, err, errlen, -EBUSY,
                    "link busy: VNICs run over '%s'", name);
    if (mode == VSW_NICMODE_DEDICATED) {
        /* Bound to vfio-pci later: the interface goes with the binding
         * (the first VNIC checks it). */
        if (vsw_nic_dedicated_lacks(name, ml ? ml->pci : NULL,
                                    VSW_DED_NOT_BOUND, pci, NULL, why,
                                    sizeof(why)))
            return fail(m, VSW_ST_DEDICATE, err, errlen, -EOPNOTSUPP,
                        "cannot dedicate NIC '%s': %s", name, why);
        if (!m->pci_bus)
            return fail(m, VSW_ST_NOPCIBUS, err, errlen, -EOPNOTSUPP,
                        "cannot dedicate NIC '%s': vswitchd runs without "
                        "PCI devices (-P) or without hugepages", name);
    }
    if (!ml && !(ml = nic_link_get(m, name, true)))
        return fail(m, VSW_ST_NONE, err, errlen, -ENOMEM, "out of memory");
    old = ml->nicmode;
    old_saved = ml->nicmode_saved;
    memcpy(old_pci, ml->pci, sizeof(old_pci));
    ml->nicmode = mode;
    if (!temporary)
        ml->nicmode_saved = mode;
    if (pci[0])
        snprintf(ml->pci, sizeof(ml->pci), "%s", pci);
    rc = temporary ? 0 : mgr_state_save(m, err, errlen);
    if (rc < 0) {
        ml->nicmode = old;
        ml->nicmode_saved = old_saved;
        memcpy(ml->pci, old_pci, sizeof(old_pci));
    } else if (mode != old) {
        xvm_log_info("link %s: nicmode=%s%s%s", name, vsw_nicmode_str(mode),
                     mode == VSW_NICMODE_DEDICATED ? ", PCI device " : "",
                     mode == VSW_NICMODE_DEDICATED ? ml->pci : "");
    }
    nic_link_settle(m, ml);
    return rc;
}

int nic_conf_make(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                  bool persistent, char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, lc->name);

    if (!persistent)
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL,
                    "nic '%s': nicmode belongs to the state file (dladm "
                    "set-linkprop -p nicmode)", lc->name);
    if (lc->pci[0] && !vsw_pci_addr_ok(lc->pci))
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL,
                    "nic '%s': invalid pci '%s'", lc->name, lc->pci);
    if (ml && ml->origin != ORIGIN_NIC)
        return fail(m, VSW_ST_NONE, err, errlen, -EEXIST,
                    "nic '%s': the name is another link's", lc->name);
    /* The files may name a NIC that is not there (a dedicated one's
     * interface is gone). */
    if (!ml && !(ml = nic_link_get(m, lc->name, false)))
        return fail(m, VSW_ST_NONE, err, errlen, -EINVAL,
                    "nic '%s': not a NIC's name", lc->name);
    ml->nicmode = ml->nicmode_saved = lc->nicmode;
    snprintf(ml->pci, sizeof(ml->pci), "%s", lc->pci);
    ml->conf.has_cpus = ml->has_cpus_saved = lc->has_cpus;
    ml->conf.cpus = ml->cpus_saved = lc->cpus;
    if (ml->l)
        mgr_link_place(m, ml);
    nic_link_settle(m, ml);
    return 0;
}

void nic_conf_save(struct vsw_mgr *m, FILE *f)
{
    char line[VSW_CONF_LINE_MAX];
    struct vsw_link_conf lc;
    const struct mlink *ml;

    TAILQ_FOREACH(ml, &m->links, entry) {
        if (ml->origin != ORIGIN_NIC ||
            (ml->nicmode_saved == VSW_NICMODE_SHARED && !ml->has_cpus_saved))
            continue;
        memset(&lc, 0, sizeof(lc));
        snprintf(lc.name, sizeof(lc.name), "%s", ml->conf.name);
        lc.nicmode = ml->nicmode_saved;
        mgr_link_cpus_saved(ml, &lc);
        snprintf(lc.pci, sizeof(lc.pci), "%s", ml->pci);
        vsw_conf_format_nic(&lc, line, sizeof(line));
        fputs(line, f);
    }
}

/* ---- the MTU ---- */

int vsw_mgr_link_set_mtu(struct vsw_mgr *m, const char *name, uint16_t mtu,
                         char *err, size_t errlen)
{
    struct mlink *ml = mlink_find(m, name);
    const struct mvnic *mv;
    const char *ifname;
    struct mnic *nic;
    char why[128];
    int rc;

    if (!ml && !nic_listed(m, name))
        return fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                    "link '%s' does not exist", name);
    if (ml && ml->inactive)
        return fail(m, VSW_ST_INACTIVE, err, errlen, -ENODEV,
                    "link is not active (deleted with -t)");
    if (ml && (ml->conf.cls != VSW_CLASS_PHYS || !ml->ifname[0]))
        return fail(m, VSW_ST_NONE, err, errlen, -EOPNOTSUPP,
                    "'%s' is not over a host NIC: its mtu is fixed", name);
    ifname = ml ? ml->ifname : name;
    if (mtu < LP_MTU_MIN || mtu > LP_MTU_MAX)
        return fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                    "invalid mtu '%u'", mtu);
    nic = nic_find(m, ifname);
    if (!nic)
        return fail(m, VSW_ST_NICGONE, err, errlen, -ENODEV,
                    "NIC '%s' is not there", ifname);
    TAILQ_FOREACH(mv, &m->vnics, entry) {
        uint16_t v;

        if (!ml || mv->ml != ml)
            continue;
        v = mv->conf.mtu > mv->saved.mtu ? mv->conf.mtu : mv->saved.mtu;
        if (v > mtu)
            return fail(m, VSW_ST_MTU_VNIC, err, errlen, -EBUSY,
                        "VNIC '%s' over '%s' has mtu %u", mv->conf.name,
                        name, v);
    }
    if (nic->n.mtu == mtu)
        return 0;
    if (ml && ml->attach == VSW_NIC_ATTACH_XDP && mtu > VSW_XDP_MTU_MAX)
        return fail(m, VSW_ST_MTU_XDP, err, errlen, -EBUSY,
                    "'%s' is shared with its VNICs through XDP, which takes "
                    "an mtu of at most %u: delete its VNICs, set the mtu, "
                    "then create them (they attach through af_packet)",
                    name, VSW_XDP_MTU_MAX);
    rc = nic_mtu_set(m, nic->n.ifindex, mtu, why, sizeof(why));
    if (rc < 0)
        return fail(m, VSW_ST_NONE, err, errlen, rc,
                    "cannot set the mtu of NIC '%s': %s", ifname, why);
    nic->n.mtu = mtu;
    mgr_vnic_mtu_sync(m);
    xvm_log_info("NIC %s: mtu %u", ifname, mtu);
    return 0;
}

/* ---- rtnetlink ---- */

/* The first line of /sys/class/net/@ifname/@what, or "". */
static void sysfs_read(const char *ifname, const char *what, char *buf,
                       size_t len)
{
    char path[128];
    FILE *f;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
    f = fopen(path, "re");
    if (!f)
        return;
    if (!fgets(buf, (int)len, f))
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* @link as a NIC of the table; false if it is not one (not Ethernet,
 * the loopback, no usable name, a TAP: the host side of a program's
 * interface, a VNIC's of this or another vswitchd among them). */
static bool nic_from_link(struct rtnl_link *link, struct vsw_hostnic *n)
{
    unsigned flags = rtnl_link_get_flags(link);
    const char *name = rtnl_link_get_name(link);
    unsigned mtu = rtnl_link_get_mtu(link);
    char buf[32];
    long speed;

    const char *kind = rtnl_link_get_type(link);

    /* An ifb only mirrors what tc redirects to it: no wire. */
    if (rtnl_link_get_arptype(link) != ARPHRD_ETHER ||
        (flags & IFF_LOOPBACK) || !name || lp_ifname_check(name) < 0 ||
        (kind && (strcmp(kind, "ifb") == 0 || strcmp(kind, "tun") == 0)))
        return false;
    memset(n, 0, sizeof(*n));
    n->ifindex = rtnl_link_get_ifindex(link);
    snprintf(n->ifname, sizeof(n->ifname), "%s", name);
    n->admin_up = flags & IFF_UP;
    n->carrier = flags & IFF_LOWER_UP;
    n->promisc = flags & IFF_PROMISC;
    n->mtu = mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)mtu;
    /* ethtool's, which rtnetlink does not carry. */
    sysfs_read(name, "speed", buf, sizeof(buf));
    speed = strtol(buf, NULL, 10);
    n->speed = speed > 0 ? (uint32_t)speed : 0;
    sysfs_read(name, "duplex", buf, sizeof(buf));
    n->duplex = strcmp(buf, "full") == 0 ? 2 : strcmp(buf, "half") == 0;
    return true;
}

/* One object of an event: a NIC came, changed or went. */
static void event_obj(struct nl_object *obj, void *arg)
{
    struct vsw_mgr *m = arg;
    struct rtnl_link *link = (struct rtnl_link *)obj;
    struct vsw_hostnic n;

    if (nl_object_get_msgtype(obj) != RTM_DELLINK && nic_from_link(link, &n))
        vsw_mgr_hostnic_set(m, &n);
    else
        vsw_mgr_hostnic_del(m, rtnl_link_get_ifindex(link));
}

/* Read every NIC and make the table say exactly that. */
static int nics_dump(struct vsw_mgr *m)
{
    struct nl_cache *cache = NULL;
    struct nl_object *o;
    struct mnic *nic, *next;
    int rc = rtnl_link_alloc_cache(m->nl->req, AF_UNSPEC, &cache);

    if (rc < 0) {
        xvm_log_err("rtnetlink: cannot list the NICs: %s", nl_geterror(rc));
        return -EIO;
    }
    for (nic = TAILQ_FIRST(&m->nics); nic; nic = next) {
        struct rtnl_link *link = rtnl_link_get(cache, nic->n.ifindex);
        struct vsw_hostnic n;
        bool keep = link && nic_from_link(link, &n);

        next = TAILQ_NEXT(nic, entry);
        if (link)
            rtnl_link_put(link);
        if (!keep)
            nic_drop(m, nic);
    }
    for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        struct vsw_hostnic n;

        if (nic_from_link((struct rtnl_link *)o, &n))
            vsw_mgr_hostnic_set(m, &n);
    }
    nl_cache_free(cache);
    return 0;
}

int nic_open(struct vsw_mgr *m)
{
    struct hostnic_nl *nl = calloc(1, sizeof(*nl));
    int rc = -ENOMEM;

    if (!nl)
        return -ENOMEM;
    nl->ev = nl_socket_alloc();
    nl->req = nl_socket_alloc();
    if (!nl->ev || !nl->req)
        goto fail;
    rc = -EIO;
    /* Subscribed before the dump: nothing falls between the two. */
    if (nl_connect(nl->ev, NETLINK_ROUTE) < 0 ||
        nl_socket_add_membership(nl->ev, RTNLGRP_LINK) < 0 ||
        nl_socket_set_nonblocking(nl->ev) < 0 ||
        nl_connect(nl->req, NETLINK_ROUTE) < 0)
        goto fail;
    nl_socket_set_buffer_size(nl->ev, EV_RCVBUF, 0);
    m->nl = nl;
    m->nics_on = true;
    rc = nics_dump(m);
    if (rc == 0)
        return 0;
    m->nl = NULL;
fail:
    nl_socket_free(nl->ev);
    nl_socket_free(nl->req);
    free(nl);
    return rc;
}

void nic_close(struct vsw_mgr *m)
{
    if (!m->nl)
        return;
    nl_socket_free(m->nl->ev);
    nl_socket_free(m->nl->req);
    free(m->nl);
    m->nl = NULL;
}

int vsw_mgr_hostnic_fd(const struct vsw_mgr *m)
{
    return m->nl ? nl_socket_get_fd(m->nl->ev) : -1;
}

void vsw_mgr_hostnic_run(struct vsw_mgr *m)
{
    static _Alignas(NLMSG_ALIGNTO) char buf[EV_BUFSIZ];
    int fd = vsw_mgr_hostnic_fd(m);

    while (fd >= 0) {
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        struct nlmsghdr *h;
        int len;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            /* ENOBUFS: the kernel dropped events.  Read it all again. */
            xvm_log_warn("rtnetlink: %s: reading every NIC again",
                         n < 0 ? strerror(errno) : "end of file");
            nics_dump(m);
            return;
        }
        len = (int)n;
        for (h = (struct nlmsghdr *)buf; xvm_msg_ok(h, len);
             h = mnl_nlmsg_next(h, &len)) {
            struct nl_msg *msg;

            if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                continue;
            msg = nlmsg_convert(h);
            if (!msg)
                continue;
            /* The parser finds its cache operations by protocol. */
            nlmsg_set_proto(msg, NETLINK_ROUTE);
            nl_msg_parse(msg, event_obj, m);
            nlmsg_free(msg);
        }
    }
}

/* The errno nearest to a libnl error. */
static int nl_errno(int nlerr)
{
    switch (-nlerr) {
    case NLE_PERM: return -EPERM;
    case NLE_OBJ_NOTFOUND: case NLE_NODEV: return -ENODEV;
    case NLE_OPNOTSUPP: return -EOPNOTSUPP;
    case NLE_RANGE: return -ERANGE;
    case NLE_BUSY: return -EBUSY;
    case NLE_NOMEM: return -ENOMEM;
    default: return -EINVAL;
    }
}

int nic_mtu_set(struct vsw_mgr *m, int ifindex, uint16_t mtu, char *why,
                size_t whylen)
{
    struct rtnl_link *orig, *chg;
    int rc;

    if (!m->nl) {
        snprintf(why, whylen, "NICs are not followed here");
        return -EOPNOTSUPP;
    }
    orig = rtnl_link_alloc();
    chg = rtnl_link_alloc();
    if (!orig || !chg) {
        rc = -NLE_NOMEM;
    } else {
        rtnl_link_set_ifindex(orig, ifindex);
        rtnl_link_set_mtu(chg, mtu);
        rc = rtnl_link_change(m->nl->req, orig, chg, 0);
    }
    if (rc < 0)
        snprintf(why, whylen, "%s", nl_geterror(rc));
    if (orig)
        rtnl_link_put(orig);
    if (chg)
        rtnl_link_put(chg);
    return rc < 0 ? nl_errno(rc) : 0;
}
