/* SPDX-License-Identifier: MIT */
/*
 * The datalink manager's records, shared by mgr.c (objects, persistence,
 * the control commands' work) and hostnic.c (the host's NICs as
 * datalinks, followed through rtnetlink).  Control thread only.
 */
#ifndef VSWMGR_MGR_PVT_H
#define VSWMGR_MGR_PVT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/queue.h>

#include "hostif_pvt.h"
#include "vswmgr/mgr.h"

/*
 * Where a link or VNIC comes from (vswmgr/mgr.h).  ORIGIN_NIC: a host
 * NIC's own link, which exists as a record only while VNIC records sit on
 * it (the NIC itself is listed from the NIC table); never written to the
 * state file.
 */
enum origin { ORIGIN_BOOT, ORIGIN_PERSIST, ORIGIN_TEMP, ORIGIN_NIC };

struct mlink {
    struct vsw_link_conf conf;
    struct vsw_link *l; /* NULL: inactive, or a NIC's link with no VNIC
                           running */
    enum origin origin;
    bool deleting; /* left out of the state file being written */
    bool inactive; /* deleted with -t: only the record is left */
    /* The host NIC that is the wire: a NIC's own link, or a phys link
     * whose devargs name one (net_af_packet / net_af_xdp iface=). */
    char ifname[VSW_IFNAMSIZ];
    bool nic_promisc;   /* the NIC was promiscuous before we attached */
    struct hostif_claims nics; /* the host interfaces its wire drives,
                                  locked against other vswitchds */
    bool attach_warned; /* a failed attach was logged; not again */
    /* A NIC's link: how its wire holds the NIC, and why not by XDP
     * (hostnic_attach()). */
    enum vsw_nic_attach attach;
    char attach_why[VSW_WHYSIZ];
    /* A NIC's link: its nicmode as running and as persisted; with either
     * dedicated the record stays without VNICs (and without its
     * interface, which vfio-pci takes), its NIC known by @pci. */
    enum vsw_nicmode nicmode, nicmode_saved;
    /* cpus as persisted (conf.has_cpus, conf.cpus: as running); a NIC's
     * link with it keeps its record. */
    bool has_cpus_saved;
    uint16_t cpus_saved;
    char pci[16];
    TAILQ_ENTRY(mlink) entry;
};

struct mvnic {
    struct vsw_vnic_conf conf;  /* as running */
    struct vsw_vnic_conf saved; /* as persisted */
    struct vsw_vnic *v;
    struct mlink *ml;
    enum origin origin;
    bool deleting;
    bool inactive; /* deleted with -t: only the record is left */
    /* Lent to the domain conf.domid (vsw_mgr_vnic_lend()): its host
     * interface is gone meanwhile; home_attach is what it had. */
    bool lent;
    enum vsw_attach home_attach;
    bool carrier_off; /* the carrier its host TAP or its guest's vif
                         was last given */
    TAILQ_ENTRY(mvnic) entry;
};

/* A host NIC as rtnetlink last told it. */
struct mnic {
    struct vsw_hostnic n;
    char why_logged[VSW_WHYSIZ]; /* why XDP could not be used, as last
                                    logged (once per reason) */
    TAILQ_ENTRY(mnic) entry;
};

struct hostnic_nl;

struct vsw_mgr {
    struct vsw_switch *sw;
    const struct vsw_mgr_owner_ops *owner; /* of the domains' VNICs */
    void *owner_arg;
    struct rte_mempool *pool;
    char state_path[PATH_MAX]; /* "" when nothing is persisted */
    bool restoring;            /* the state file is being read */
    enum vsw_status status;    /* of the last failure (vsw_mgr_status) */
    TAILQ_HEAD(, mlink) links;
    TAILQ_HEAD(, mvnic) vnics;
    TAILQ_HEAD(, mnic) nics;   /* the host's NICs, by ifindex */
    const char *nic_kind;      /* port kind for NICs (NULL: XDP, else
                                  af_packet) */
    bool pci_bus;              /* a NIC's link may be dedicated */
    int worker_cpu[VSW_WORKERS_MAX]; /* the CPU each worker is pinned to,
                                        -1: floating */
    unsigned nworkers;
    struct hostnic_nl *nl;     /* rtnetlink; NULL: NICs fed by hand */
    bool nics_on;              /* NICs are followed (or fed): the files'
                                  VNICs may wait for one */
    struct {
        uint64_t conn;       /* the client connection that asked */
        struct vsw_cap *cap;
    } caps[VSW_CAP_MAX];
    unsigned ncaps;
};

/* ---- cpus.c ---- */

/* A client's cpus: a CPU some worker is pinned to, or none. */
int mgr_cpus_check(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                   char *err, size_t errlen);
/* Give @mv's VNIC to the worker of its cpus, if it has one. */
int mgr_vnic_place(struct vsw_mgr *m, struct mvnic *mv);
/* Give @ml's wire (ml->l) to the worker of its cpus, if it has one. */
void mgr_link_place(struct vsw_mgr *m, struct mlink *ml);
/* @lc with the cpus @ml persists (for the state file). */
void mgr_link_cpus_saved(const struct mlink *ml, struct vsw_link_conf *lc);

/* ---- mgr.c ---- */

/* A failure: @st for the client (vsw_mgr_status()), the details in @err
 * for logs, @rc returned. */
int mgr_fail(struct vsw_mgr *m, enum vsw_status st, char *err, size_t errlen,
             int rc, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
struct mlink *mlink_find(struct vsw_mgr *m, const char *name);
/* Write the state file again (nothing while restoring).  @return 0 or
 * -errno with @err. */
int mgr_state_save(struct vsw_mgr *m, char *err, size_t errlen);
/* The one gate of a change or delete (not a rename: the boot
 * configuration names its objects) of @name, an object of @origin,
 * made persistent unless @temporary: refused for an object of the boot
 * configuration, whose record is that file, which vswitchd does not
 * write (VSW_ST_BOOTPERSIST, -EPERM).  @return 0 or -EPERM with @err. */
int mgr_persist_check(struct vsw_mgr *m, enum origin origin, bool temporary,
                      const char *name, char *err, size_t errlen);
struct mvnic *mvnic_find(struct vsw_mgr *m, const char *name);
/* Give @mv its host TAP if its conf says attach=tap (its carrier set as
 * its link's state says).  @return 0 or -errno with @err. */
int mgr_vnic_attach(struct vsw_mgr *m, struct mvnic *mv, char *err,
                    size_t errlen);
/* The VNICs without an mtu of their own run with their link's
 * (lp_vnic_mtu()): after a NIC's MTU changed. */
void mgr_vnic_mtu_sync(struct vsw_mgr *m);
/* Fill what @ml reports besides its configuration (state, MTU, ...). */
void mgr_link_info(struct vsw_mgr *m, struct mlink *ml);

/* ---- hostvnic.c: VNICs the host or a domain uses ---- */

/* Is @ml up, for the carrier of what sits on it?  Down only while its
 * state says so (a NIC down or without a carrier, a DPDK port without a
 * link); up otherwise: an etherstub, a link whose state is not known (a
 * NIC that is gone).  The one rule for host TAPs and guests' vifs. */
bool mgr_link_up(struct vsw_mgr *m, struct mlink *ml);

/* Carrier of @mv's host interface or guest's vif (if it has one) from
 * its link's state (mgr_link_up()). */
void host_carrier_one(struct vsw_mgr *m, struct mvnic *mv);
/* The same for every VNIC whose carrier changed (a NIC's state did). */
void host_carrier_sync(struct vsw_mgr *m);
/* @mv was re-made (new MAC, VID or link) with its port kept: its host
 * interface takes the new MAC (@old: the conf before), and it or the
 * guest's vif the carrier of its link. */
void host_port_moved(struct vsw_mgr *m, struct mvnic *mv,
                     const struct vsw_vnic_conf *old);
/* The domain that borrowed @mv is gone: its vif goes, its host interface
 * comes back.  @return 0 (a TAP that cannot be made again is logged). */
int vnic_give_back(struct vsw_mgr *m, struct mvnic *mv);

/* ---- hostnic.c: the host's NICs as datalinks ---- */

/* The NIC named @ifname in the table, or NULL. */
struct mnic *nic_find(struct vsw_mgr *m, const char *ifname);
/* Is @name a host NIC listed as a datalink of that name (present, not
 * the wire of another link, not one of our TAPs, ...)? */
bool nic_listed(struct vsw_mgr *m, const char *name);
/*
 * The link a VNIC over @name goes on when no record has that name: the
 * NIC's own link, made (detached) if needed.  @admin: a client asked;
 * otherwise (boot configuration, state file) a NIC that is not there yet
 * still gets its link, which stays down until the NIC appears.
 * @return the link, or NULL (not a NIC's name).
 */
struct mlink *nic_link_get(struct vsw_mgr *m, const char *name, bool admin);
/*
 * Make @ml ready for a VNIC: a NIC's link gets its switch link and, if
 * the NIC is there, its wire (the attachment on first use).  A failed
 * attachment fails when @admin, and is logged otherwise (the link waits
 * for the NIC to come back).  Other links are ready already.
 */
int nic_link_ready(struct vsw_mgr *m, struct mlink *ml, bool admin,
                   char *err, size_t errlen);
/* A VNIC record left @ml (or failed to be made on it): a NIC's link
 * lets go of its wire with its last running VNIC, and its record goes
 * with its last VNIC record. */
void nic_link_settle(struct vsw_mgr *m, struct mlink *ml);
/* The reported part of @ml's conf that its NIC gives: state, MTU, speed,
 * duplex, ifname, flags. */
void nic_link_info(struct vsw_mgr *m, struct mlink *ml);
/* The MTU of the link @ml (its NIC's, 9000 for an etherstub, else
 * 1500). */
uint16_t link_mtu(struct vsw_mgr *m, const struct mlink *ml);
/* The host NIC a phys link's devargs name (iface= of net_af_packet or
 * net_af_xdp) into @ifname, or "". */
void devargs_ifname(const char *devargs, char ifname[VSW_IFNAMSIZ]);
/* May a new phys link over NIC @ifname be made?  Not while the NIC's own
 * link has VNICs (it would be attached twice). */
int nic_claim_check(struct vsw_mgr *m, const char *ifname, char *err,
                    size_t errlen);
/* Open the wire of phys link @ml: its devargs, or for a NIC's own link
 * the attachment (hostnic_attach()).  @return the port, or NULL with
 * *@rc and @err set. */
struct vsw_port *link_wire_open(struct vsw_mgr *m, struct mlink *ml,
                                char *err, size_t errlen, int *rc);
/* Before a phys link with a wire on a NIC is destroyed: give the NIC its
 * promiscuity back. */
void nic_wire_release(struct vsw_mgr *m, struct mlink *ml);
/* Walk the links of NICs without a record of another kind, as
 * vsw_mgr_link_walk() does; @persistent: as the persistent walk. */
int nic_links_walk(struct vsw_mgr *m, bool persistent,
                   int (*fn)(const struct vsw_link_conf *lc,
                             struct vsw_link *l, void *arg),
                   void *arg);
/* A "nic" line of the state file (vsw_conf_format_nic()): the nicmode
 * of NIC link @lc->name, made or restored. */
int nic_conf_make(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                  bool persistent, char *err, size_t errlen);
/* The "nic" lines of the NICs' links with a persisted nicmode, to @f. */
void nic_conf_save(struct vsw_mgr *m, FILE *f);
/* Close the rtnetlink sockets (vsw_mgr_destroy()). */
void nic_close(struct vsw_mgr *m);
/* Open them and read every NIC (vsw_mgr_create() with params->hostnics).
 * @return 0 or -errno. */
int nic_open(struct vsw_mgr *m);
/* Set the MTU of NIC @ifindex through rtnetlink.  @return 0 or -errno,
 * with the kernel's reason in @why. */
int nic_mtu_set(struct vsw_mgr *m, int ifindex, uint16_t mtu, char *why,
                size_t whylen);

#endif
