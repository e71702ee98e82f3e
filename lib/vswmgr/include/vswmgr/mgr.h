/* SPDX-License-Identifier: MIT */
/*
 * vsw/mgr.h - the datalink manager: makes links and VNICs (and the ports
 * they need) from configurations, keeps the persistent configuration, and
 * answers control-protocol requests (vsw/ctl.h).  It is what vswitchd's
 * control thread runs; it sits on top of a struct vsw_switch.
 *
 * Objects have an origin:
 *  - boot: from the configuration file given to vswitchd (-c); not written
 *    to the state file, since the administrator's file already holds them;
 *  - persistent: made over the control socket without "temporary", or
 *    restored from the state file; written to <state dir>/datalink.conf
 *    atomically after every change;
 *  - temporary: never written; a persistent VNIC cannot sit on a temporary
 *    link.
 *
 * Deleting a boot or persistent object "temporarily" (dladm delete -t)
 * removes only the running object: an inactive record is left that keeps
 * the name, stays in the persistent walks and the state file, and is made
 * again at the next start.  The running walks skip it; rename and modify
 * refuse it (-ENODEV, "link is not active (deleted with -t)"), and so does
 * a VNIC create over it; a fixed MAC it keeps on a link is refused to
 * other boot and persistent VNICs; a link is busy while any VNIC record
 * (running or not) sits on it, except for a -t delete, which only minds
 * running VNICs.  A delete without -t removes the record too.
 *
 * Host NICs (params.hostnics: vswitchd follows them through rtnetlink).
 * Every Ethernet interface of the host, the loopback excepted, is a
 * physical link under its own name, listed while the NIC is there,
 * unless it is already the wire of another link (a phys link whose
 * devargs name it with iface=), a VNIC's TAP, or its name is another
 * object's.  Such a link is not a record: it cannot be renamed or
 * deleted (VSW_ST_HOSTNIC), nor is it written to the state file.  The
 * switch attaches to the NIC (hostnic.c's one attach function, a DPDK
 * net_af_packet port for now) when the first VNIC is made over it, and
 * lets go when the last running one goes; the host keeps using the NIC
 * meanwhile.  A persistent VNIC over a NIC is made again at the next
 * start, attaching again.  State, speed, duplex and MTU are the NIC's.
 * A NIC that goes away under VNICs leaves its link and VNICs in place,
 * with no wire and state "unknown"; when a NIC of that name comes back
 * the link attaches to it again.  A VNIC of the boot configuration or
 * the state file over a NIC that is not there waits for it the same way.
 * A VNIC's MTU may not exceed its link's (VSW_ST_MTU_LINK), checked when
 * a client asks; a VNIC without one runs with its link's (lp_vnic_mtu())
 * and follows it.
 *
 * Errors: functions return 0 or -errno, write the details into @err (for
 * logs and vswctl) and keep what went wrong as an enum vsw_status
 * (vsw_mgr_status()), which is what a client words.
 * Threads: one control thread; the fast path runs alongside.
 */
#ifndef VSW_MGR_H
#define VSW_MGR_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>

#include <rte_mempool.h>

#include "vswctl/defs.h"
#include "vsw/capture.h"
#include "vsw/switch.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_mgr;

struct vsw_mgr_params {
    struct vsw_switch *sw;
    struct rte_mempool *pool; /**< rx buffers of the ports it opens */
    const char *state_dir;    /**< NULL: nothing is persisted */
    /** Follow the host's NICs through rtnetlink (vswitchd); false: the
     *  NIC table is what vsw_mgr_hostnic_set() puts in it (tests). */
    bool hostnics;
    /**
     * The port kind a NIC's wire is opened with (vsw_port_open()): NULL
     * for a DPDK ethdev on net_af_packet
     * ("net_af_packet_<ifname>,iface=<ifname>"); any other kind gets the
     * NIC's name in vsw_port_args.name.  Copied by pointer.
     */
    const char *nic_port_kind;
    /**
     * DPDK scans the PCI bus and has hugepages (vswitchd -P on a host
     * with hugepages reserved): a NIC's link may be dedicated
     * (nicmode=dedicated, vsw_mgr_link_set_nicmode()).
     */
    bool pci_bus;
    /**
     * The CPU each fast-path worker of @sw is pinned to, -1 for one that
     * floats (vsw_switch_workers() entries; NULL: none is pinned): a
     * VNIC's cpus property names one of them.  Copied.
     */
    const int *worker_cpus;
};

/** @return a manager with no objects, or NULL with errno. */
XVN_EXPORT
struct vsw_mgr *vsw_mgr_create(const struct vsw_mgr_params *p);
/** Destroy every object it made (VNICs first), then itself.  NULL ok. */
XVN_EXPORT
void vsw_mgr_destroy(struct vsw_mgr *m);

/**
 * Create every object of the configuration file @path; boot objects
 * unless @persistent (the state file).  Stops at the first error.
 * @return objects created, or -errno with "<path>:<line>: why" in @err.
 */
XVN_EXPORT
int vsw_mgr_load(struct vsw_mgr *m, const char *path, bool persistent,
                 char *err, size_t errlen);
/**
 * Load the state file if there is one.  An object that cannot be made is
 * logged and skipped; the rest are made.  A state file that cannot be
 * read, or that vswitchd did not write (xvm_file_read(): a link, a FIFO,
 * another owner, ...), is an error: starting without it would overwrite
 * it at the next change.
 * @return objects created (0 without a state file), or -errno with the
 *         reason in @err.
 */
XVN_EXPORT
int vsw_mgr_restore(struct vsw_mgr *m, char *err, size_t errlen);

XVN_EXPORT
int vsw_mgr_link_create(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                        char *err, size_t errlen);
/**
 * Delete a link and its record: -ENOENT, -EBUSY (a VNIC record on it).
 * @temporary: the running link only (dladm delete-etherstub -t): a boot or
 * persistent one becomes an inactive record, a temporary one is deleted;
 * -ENOENT also for a record already inactive, -EBUSY (running VNICs).
 */
XVN_EXPORT
int vsw_mgr_link_delete(struct vsw_mgr *m, const char *name, bool temporary,
                        char *err, size_t errlen);
/** @vc in: the request; out: as created (the MAC chosen). */
XVN_EXPORT
int vsw_mgr_vnic_create(struct vsw_mgr *m, struct vsw_vnic_conf *vc,
                        char *err, size_t errlen);
/**
 * Delete a VNIC, running or inactive, and its record: -ENOENT.
 * @temporary: the running VNIC only (dladm delete-vnic -t): a boot or
 * persistent one becomes an inactive record, a temporary one is deleted;
 * -ENOENT also for a record already inactive.
 */
XVN_EXPORT
int vsw_mgr_vnic_delete(struct vsw_mgr *m, const char *name, bool temporary,
                        char *err, size_t errlen);
/** Change the properties in @mods (enum vsw_vnic_mod) of @vc->name. */
XVN_EXPORT
int vsw_mgr_vnic_modify(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                        uint32_t mods, bool temporary, char *err,
                        size_t errlen);

/**
 * Walk running links / VNICs in creation order (not inactive records);
 * a non-zero return stops it.  @persistent: walk the persistent
 * configuration instead: boot and persistent objects (not temporary
 * ones), inactive records included (their switch object is NULL), VNICs
 * as they were last persisted.
 */
XVN_EXPORT
int vsw_mgr_link_walk(struct vsw_mgr *m, bool persistent,
                      int (*fn)(const struct vsw_link_conf *lc,
                                struct vsw_link *l, void *arg),
                      void *arg);
XVN_EXPORT
int vsw_mgr_vnic_walk(struct vsw_mgr *m, bool persistent,
                      int (*fn)(const struct vsw_vnic_conf *vc,
                                struct vsw_vnic *v, void *arg),
                      void *arg);

/**
 * Rename a link (its VNICs follow) or a VNIC (a TAP keeps its interface
 * name).  Objects of the boot configuration cannot be renamed (EPERM),
 * nor inactive records (ENODEV).
 */
XVN_EXPORT
int vsw_mgr_rename(struct vsw_mgr *m, const char *name, const char *newname,
                   char *err, size_t errlen);

/**
 * The owner of the domains' VNICs (VNICs with a domid: vswitchd's guest
 * vifs).  Such a VNIC is busy: delete and rename refuse it (-EBUSY, "link
 * busy"), and its link cannot be renamed; it goes with the domain
 * (vsw_mgr_vnic_release()).  Modify applies live, the guest's vif moving to
 * a VNIC re-made for a new VID or link; the MAC is the guest's and cannot
 * change (-EOPNOTSUPP).
 */
struct vsw_mgr_owner_ops {
    /** Keep the persistent change @mods of @vc (as running now) in the
     *  domain's record.  @return 0, or -errno with a message in @err:
     *  the running VNIC is then put back. */
    int (*persist)(void *arg, const struct vsw_vnic_conf *vc, uint32_t mods,
                   char *err, size_t errlen);
    /**
     * Give the guest's vif on the domain VNIC @vc the carrier @up of its
     * link (mgr_link_up(): off while the link is down, on otherwise, an
     * etherstub always on): when the vif is plugged in
     * (vsw_mgr_vnic_plug()) or moved to another link, and whenever it
     * changes while the vif is plugged in.  Optional; a failure is the
     * owner's to retry.
     */
    void (*carrier)(void *arg, const struct vsw_vnic_conf *vc, bool up);
};

/** Set the owner of the domains' VNICs (NULL: persistent changes of them
 *  are refused). */
XVN_EXPORT
void vsw_mgr_set_owner(struct vsw_mgr *m, const struct vsw_mgr_owner_ops *ops,
                       void *arg);

/**
 * Attach a domain's VNIC @name (made with vc.domid set) to its guest's vif
 * @port, taken over (NULL: detach, the old port is destroyed); the record
 * says VSW_ATTACH_VIF meanwhile, and the owner's carrier op is told the
 * link's state.  @return 0, -ENOENT, -EBUSY (not a
 * domain's VNIC), or the switch's -errno (the caller keeps @port).
 */
XVN_EXPORT
int vsw_mgr_vnic_plug(struct vsw_mgr *m, const char *name,
                      struct vsw_port *port, char *err, size_t errlen);

/**
 * Lend the VNIC @name to domain @domid (named @domain) for its vif (the
 * vif's vnic= key): the VNIC keeps its record and properties, its host
 * TAP interface is closed (the host loses the interface and its
 * addresses), and it is busy as a domain's own VNIC is until
 * vsw_mgr_vnic_release(), which gives it back: the vif goes and the TAP
 * is made again.  Lending again to the same domain is a no-op.
 * @return 0, -ENOENT (no such VNIC), -ENODEV (inactive record), -EBUSY
 *         (in use by a domain: the message names it), -EINVAL (@domid 0).
 */
XVN_EXPORT
int vsw_mgr_vnic_lend(struct vsw_mgr *m, const char *name, uint32_t domid,
                      const char *domain, char *err, size_t errlen);

/** The domain is gone: delete its VNIC, or give a lent one back.
 *  @return 0 or -ENOENT. */
XVN_EXPORT
int vsw_mgr_vnic_release(struct vsw_mgr *m, const char *name, char *err,
                         size_t errlen);

/** A host NIC, as rtnetlink reports it. */
struct vsw_hostnic {
    int ifindex;
    char ifname[VSW_IFNAMSIZ];
    bool admin_up;  /**< IFF_UP */
    bool carrier;   /**< the kernel sees a carrier (IFF_LOWER_UP) */
    bool promisc;   /**< IFF_PROMISC, as its administrator set it */
    uint16_t mtu;
    uint32_t speed; /**< Mbit/s; 0 unknown */
    uint8_t duplex; /**< 0 unknown, 1 half, 2 full */
};

/** The rtnetlink socket the control thread polls (POLLIN) for NIC
 *  changes, or -1 when NICs are not followed. */
XVN_EXPORT
int vsw_mgr_hostnic_fd(const struct vsw_mgr *m);
/** Read what rtnetlink reported (the fd is readable) and follow it:
 *  NICs come, change and go.  Read everything again if the kernel had
 *  to drop messages. */
XVN_EXPORT
void vsw_mgr_hostnic_run(struct vsw_mgr *m);
/**
 * A NIC appeared or changed (by ifindex; a new name is the old one gone
 * and a new one come).  Links waiting for a NIC of that name attach to
 * it.  What rtnetlink reports goes through here; tests call it directly.
 */
XVN_EXPORT
void vsw_mgr_hostnic_set(struct vsw_mgr *m, const struct vsw_hostnic *n);
/** The NIC @ifindex went away: links over it lose their wire.  Unknown
 *  ifindexes are ignored. */
XVN_EXPORT
void vsw_mgr_hostnic_del(struct vsw_mgr *m, int ifindex);

/**
 * Set the MTU of the physical link @name on its host NIC (the NIC's
 * own link, or a phys link whose wire is a NIC).  vswitchd keeps nothing:
 * the NIC keeps it.
 * @return 0, -ENOENT, -EOPNOTSUPP (not a NIC), -ENODEV (the NIC is not
 *         there, VSW_ST_NICGONE), -EINVAL (out of LP_MTU_MIN..LP_MTU_MAX),
 *         -EBUSY (a VNIC over it has a larger MTU, VSW_ST_MTU_VNIC), or
 *         the kernel's -errno.
 */
/**
 * Set the nicmode of NIC @name's own link (enum vsw_nicmode).  SHARED,
 * the default: the host keeps the NIC (XDP, else af_packet).  DEDICATED:
 * the NIC must be a PCI device in an IOMMU group, with hugepages reserved,
 * the vfio-pci driver there and vswitchd on the PCI bus
 * (vsw_mgr_params.pci_bus); the link then keeps its name and record while
 * its interface is gone (the operator binds the NIC to vfio-pci), and its
 * first VNIC attaches DPDK's PCI driver to the NIC, which must be bound
 * to vfio-pci by then.  Not @temporary: written to the state file (a
 * "nic" line with the PCI address).
 * @return 0, -ENOENT, -EOPNOTSUPP (VSW_ST_NOTNIC not a NIC's own link,
 *         VSW_ST_DEDICATE the NIC lacks what it takes, VSW_ST_NOPCIBUS),
 *         -EBUSY (VNICs run over it), -EINVAL, or the state file's.
 */
XVN_EXPORT
int vsw_mgr_link_set_nicmode(struct vsw_mgr *m, const char *name,
                             enum vsw_nicmode mode, bool temporary,
                             char *err, size_t errlen);

/**
 * Set (@has) or reset the cpus property of physical link @name (a host
 * NIC's too): its wire goes to the fast-path worker pinned to CPU @cpu,
 * now if the link has a wire object, else when it gets one.  Not
 * @temporary: persisted (its "link" line, or a "nic" line that keeps a
 * NIC's link's record).
 * @return 0, -ENOENT, -ENODEV (inactive), -EINVAL (VSW_ST_CPUS no worker
 *         on that CPU; VSW_ST_BADVAL an etherstub), or the state file's.
 */
XVN_EXPORT
int vsw_mgr_link_set_cpus(struct vsw_mgr *m, const char *name, bool has,
                          uint16_t cpu, bool temporary, char *err,
                          size_t errlen);
XVN_EXPORT
int vsw_mgr_link_set_mtu(struct vsw_mgr *m, const char *name, uint16_t mtu,
                         char *err, size_t errlen);

/** Sends one reply datagram, with @nfds descriptors (SCM_RIGHTS) when
 *  not 0; @return 0 or -errno (then replies stop). */
typedef int vsw_mgr_send_fn(void *arg, const void *buf, size_t len,
                            const int *fds, unsigned nfds);

/**
 * vsw_mgr_handle()'s @flags: the connection may only read.  It may run
 * the read-only commands (vsw_mgr_cmd_readonly(): LINK_GET, VNIC_GET,
 * STATS_GET, WORKERS_GET); any other is answered with -EPERM and VSW_ST_READONLY
 * before its attributes are looked at.
 */
#define VSW_MGR_READONLY 0x1u

/**
 * Handle one request datagram of the client connection @conn (any number
 * the caller picks, the same for a connection's life) with @flags
 * (VSW_MGR_READONLY or 0): every message in it is validated and answered
 * through @send (see vswctl/ctl.h for the replies).  One command table
 * serves them all, captures included.
 */
XVN_EXPORT
void vsw_mgr_handle(struct vsw_mgr *m, uint64_t conn, unsigned flags,
                    const void *req, size_t len, vsw_mgr_send_fn *send,
                    void *arg);

/** Whether the command @cmd (enum vsw_cmd) is in the table and marked
 *  read-only: it changes nothing and hands out no frames. */
XVN_EXPORT
bool vsw_mgr_cmd_readonly(uint16_t cmd);

/**
 * The CPUs the fast-path workers are pinned to (those a cpus property may
 * name), ascending, without repeats, into @cpus (@max entries).
 * @return how many.
 */
XVN_EXPORT
unsigned vsw_mgr_worker_cpus(const struct vsw_mgr *m, uint16_t *cpus,
                             unsigned max);

/** What the last failed call went wrong on; VSW_ST_NONE when its errno
 *  says it all.  Reset by vsw_mgr_status_clear(). */
XVN_EXPORT
enum vsw_status vsw_mgr_status(const struct vsw_mgr *m);
XVN_EXPORT
void vsw_mgr_status_clear(struct vsw_mgr *m);

/** The client connection @conn went: end what it held (its captures). */
XVN_EXPORT
void vsw_mgr_conn_gone(struct vsw_mgr *m, uint64_t conn);

/**
 * Attach a capture (vsw/capture.h) for connection @conn; it lasts until
 * vsw_mgr_conn_gone(@conn).  @return the capture, or NULL with errno
 * (ENOSPC: VSW_CAP_MAX running) and vsw_mgr_status() set.
 */
XVN_EXPORT
struct vsw_cap *vsw_mgr_capture(struct vsw_mgr *m, uint64_t conn,
                                const struct vsw_cap_params *p, char *err,
                                size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VSW_MGR_H */
