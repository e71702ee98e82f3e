/* SPDX-License-Identifier: MIT */
/*
 * vsw/client.h - talk to vswitchd over its control socket (vsw/ctl.h).
 * For dladm, xvm and tests.  No DPDK.
 *
 * Every call sends one request and reads its whole reply.  On failure it
 * returns -errno, vsw_client_status() gives the server's code and
 * vsw_client_error() its message (or strerror of the local error).  A handle is for one thread at a time.
 */
#ifndef VSW_CLIENT_H
#define VSW_CLIENT_H

#include "xvm/export.h"

#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_client;

/**
 * Connect to vswitchd at @path (NULL: the runtime directory's, xvm/rundir.h).
 * @return a handle, or NULL with errno (ENOENT not running, EACCES ...).
 */
XVN_EXPORT
struct vsw_client *vsw_client_open(const char *path);
/** Disconnect.  Accepts NULL. */
XVN_EXPORT
void vsw_client_close(struct vsw_client *c);
/** Why the last call failed, in the server's words (details for logs
 *  and vswctl); "" after a success. */
XVN_EXPORT
const char *vsw_client_error(const struct vsw_client *c);
/** Why the last call failed, as the server's code (vswctl/ctl.h);
 *  VSW_ST_NONE after a success or when the errno says it all. */
XVN_EXPORT
enum vsw_status vsw_client_status(const struct vsw_client *c);

/** Called once per object of a GET; a non-zero return stops the walk
 *  (the call then returns it once the reply is consumed). */
typedef int vsw_link_cb(const struct vsw_link_conf *lc, void *arg);
typedef int vsw_vnic_cb(const struct vsw_vnic_conf *vc, void *arg);
typedef int vsw_stats_cb(const char *name, enum vsw_class cls,
                         const struct vsw_stats *st, void *arg);

/** Create a phys link or etherstub.  @return 0 or -errno. */
XVN_EXPORT
int vsw_client_link_create(struct vsw_client *c,
                           const struct vsw_link_conf *lc);
/** Delete a link with no VNICs.  @return 0 or -errno (EBUSY: VNICs). */
XVN_EXPORT
int vsw_client_link_delete(struct vsw_client *c, const char *name);
/**
 * Delete the running link only (dladm -t): a boot or persistent one stays
 * in the persistent configuration and comes back when vswitchd restarts.
 * @return 0 or -errno (ENOENT: no running link, EBUSY: running VNICs).
 */
XVN_EXPORT
int vsw_client_link_deactivate(struct vsw_client *c, const char *name);
/**
 * Set the MTU of a physical link that is a host NIC (on the NIC itself;
 * vswitchd keeps nothing, so @temporary changes nothing).
 * @return 0 or -errno (EOPNOTSUPP: not a host NIC, ENODEV: the NIC is
 *         not there, EBUSY: a VNIC over it has a larger MTU).
 */
XVN_EXPORT
int vsw_client_link_set_mtu(struct vsw_client *c, const char *name,
                            uint16_t mtu, bool temporary);
/**
 * Set (@has_cpus) or reset the cpus property of physical link @name: the
 * CPU whose fast-path worker owns its wire; not @temporary: persisted.
 * @return 0 or -errno (vsw_client_status(): VSW_ST_CPUS no worker is
 * pinned to that CPU, VSW_ST_BADVAL not a physical link).
 */
XVN_EXPORT
int vsw_client_link_set_cpus(struct vsw_client *c, const char *name,
                             bool has_cpus, uint16_t cpu, bool temporary);
/**
 * Set the nicmode of a host NIC's own link (enum vsw_nicmode); not
 * @temporary: persisted.  @return 0 or -errno (vsw_client_status():
 * VSW_ST_NOTNIC not a NIC's link, VSW_ST_DEDICATE the NIC lacks what
 * dedicating takes, VSW_ST_NOPCIBUS vswitchd has no PCI bus, EBUSY VNICs
 * run over it).
 */
XVN_EXPORT
int vsw_client_link_set_nicmode(struct vsw_client *c, const char *name,
                                enum vsw_nicmode mode, bool temporary);
/**
 * The CPUs vswitchd's fast-path workers are pinned to, ascending, into
 * @cpus (@max entries): those a cpus property may name.
 * @return how many (0: none pinned), or -errno.
 */
XVN_EXPORT
int vsw_client_worker_cpus(struct vsw_client *c, uint16_t *cpus,
                           unsigned max);
/** One link (@name) or all (@name NULL).  @return 0 or -errno. */
XVN_EXPORT
int vsw_client_link_get(struct vsw_client *c, const char *name,
                        vsw_link_cb *cb, void *arg);

/**
 * Create a VNIC; @made (may be NULL) receives it as created, with its MAC.
 * @return 0 or -errno.
 */
XVN_EXPORT
int vsw_client_vnic_create(struct vsw_client *c,
                           const struct vsw_vnic_conf *vc,
                           struct vsw_vnic_conf *made);
XVN_EXPORT
int vsw_client_vnic_delete(struct vsw_client *c, const char *name);
/** Like vsw_client_link_deactivate(), for a VNIC. */
XVN_EXPORT
int vsw_client_vnic_deactivate(struct vsw_client *c, const char *name);
/**
 * Change the properties of @vc->name named by @mods (enum vsw_vnic_mod);
 * @temporary: the running VNIC only.  VSW_MOD_MAC sends @vc->mac_type
 * (and @vc->mac when FIXED; RANDOM makes vswitchd pick one).
 * @return 0 or -errno.
 */
XVN_EXPORT
int vsw_client_vnic_modify(struct vsw_client *c,
                           const struct vsw_vnic_conf *vc, uint32_t mods,
                           bool temporary);
XVN_EXPORT
int vsw_client_vnic_get(struct vsw_client *c, const char *name,
                        vsw_vnic_cb *cb, void *arg);

/**
 * Like vsw_client_link_get() / vsw_client_vnic_get(); @persistent: the
 * persistent configuration (what a restart of vswitchd would make)
 * instead of the running objects.  @return 0 or -errno.
 */
XVN_EXPORT
int vsw_client_link_list(struct vsw_client *c, const char *name,
                         bool persistent, vsw_link_cb *cb, void *arg);
XVN_EXPORT
int vsw_client_vnic_list(struct vsw_client *c, const char *name,
                         bool persistent, vsw_vnic_cb *cb, void *arg);

/**
 * Rename the link or VNIC @name to @newname (a link's VNICs follow it).
 * @return 0 or -errno (ENOENT, EEXIST, EINVAL bad name).
 */
XVN_EXPORT
int vsw_client_link_rename(struct vsw_client *c, const char *name,
                           const char *newname);

/** Counters of one link or VNIC (@name) or of all.  @return 0 or -errno. */
XVN_EXPORT
int vsw_client_stats_get(struct vsw_client *c, const char *name,
                         vsw_stats_cb *cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* VSW_CLIENT_H */
