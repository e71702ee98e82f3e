/* SPDX-License-Identifier: MIT */
/*
 * dladm/dladm.h - libdladm: what the dladm command does, as a library
 * (tests call it directly).  A thin layer over libvswclient (vsw/client.h)
 * that adds what illumos libdladm adds: a handle, a status enum with its
 * text, the link property table (PERM, DEFAULT,
 * POSSIBLE, parsing and printing of values) and statistics deltas.
 * vswitchd lists the host's NICs as physical links itself.
 *
 * Every function that can fail returns an enum dl_status; DL_OK is 0.
 * dl_errmsg() then says why in words.  vswitchd answers with codes (an
 * errno and an enum vsw_status); the words are all here.  A handle is for one thread at a time.
 */
#ifndef DLADM_DLADM_H
#define DLADM_DLADM_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Outcomes, with the illumos wording from dl_status_str(). */
enum dl_status {
    DL_OK = 0,
    DL_BADARG,          /**< "invalid argument" */
    DL_FAILED,          /**< "operation failed" */
    DL_NOTSUP,          /**< "operation not supported" */
    DL_NOTFOUND,        /**< "object not found" */
    DL_BADVAL,          /**< "invalid value" */
    DL_NOMEM,           /**< "insufficient memory" */
    DL_EXIST,           /**< "object already exists" */
    DL_LINKINVAL,       /**< "invalid link" */
    DL_PROPRDONLY,      /**< "read-only property" */
    DL_MACINVAL,        /**< "invalid MAC address value" */
    DL_MACINUSE,        /**< "MAC address is already in use" */
    DL_VIDINVAL,        /**< "invalid VLAN identifier" */
    DL_MINMAXBW,        /**< "minimum value for maxbw is 1200K" */
    DL_PERSIST_ON_TEMP, /**< "can't create persistent object on top of
                             temporary object" */
    DL_LINKBUSY,        /**< "link busy" */
    DL_DENIED,          /**< "permission denied" */
    DL_NOTRUNNING,      /**< "vswitchd is not running" */
    DL_TOOMANY,         /**< "too many values" */
    DL_IOERR,           /**< "I/O error" (talking to vswitchd) */
    DL_INACTIVE,        /**< "link is not active (deleted with -t)": only
                             its persistent record is left */
    DL_LINKNAME,        /**< "invalid link name" */
    DL_BOOTCONF,        /**< "link is in the boot configuration" */
    DL_GUESTMAC,        /**< "MAC address is set in the domain's config" */
    DL_DOMCFG,          /**< "cannot change the domain's configuration" */
    DL_TIMEDOUT,        /**< "vswitchd did not answer within 10 s" */
    DL_MTU_LINK,        /**< "mtu is larger than the link's mtu" */
    DL_MTU_VNIC,        /**< "a VNIC over the link has a larger mtu" */
    DL_HOSTNIC,         /**< "link is a host NIC: it keeps the NIC's
                             name and is there while the NIC is" */
    DL_NICGONE,         /**< "the link's NIC is not present" */
    DL_NEEDROOT,        /**< "permission denied (needs root)": a member
                             of vswitchd's group may only read */
    DL_NOTNIC,          /**< "not a host NIC's own link" (nicmode) */
    DL_DEDICATE,        /**< "the NIC lacks what dedicating it takes" */
    DL_NOPCIBUS,        /**< "vswitchd runs without PCI devices (-P) or
                             without hugepages" */
    DL_MTU_XDP,         /**< "the link is shared through XDP, which takes
                             an mtu of at most 1500" */
    DL_IFEXIST,         /**< "a host interface of that name exists" (a
                             VNIC's interface has the VNIC's name) */
    DL_CPUS,            /**< "no fast-path worker of vswitchd is pinned
                             to that CPU" (cpus) */
    DL_BOOTPERSIST,     /**< "link is in vswitchd's boot configuration
                             (-c): change it in that file, or use -t": a
                             change without -t of one of its objects */
    DL_CONNLOST,        /**< "vswitchd closed the connection (did it
                             stop?)": the socket broke mid-call */
    DL_STATUS__MAX
};

/** The illumos text of @st; never NULL. */
XVN_EXPORT
const char *dl_status_str(enum dl_status st);

struct dl_handle;

/**
 * Connect to vswitchd at @sock (NULL: the runtime directory's, xvm/rundir.h).  On failure *@hp is
 * NULL and the status says why (DL_NOTRUNNING, DL_DENIED, ...).
 */
XVN_EXPORT
enum dl_status dl_open(const char *sock, struct dl_handle **hp);
/** Disconnect.  Accepts NULL. */
XVN_EXPORT
void dl_close(struct dl_handle *h);
/** Why the last call failed: dl_status_str() of its status. */
XVN_EXPORT
const char *dl_errmsg(const struct dl_handle *h);

/* ---- objects (wrappers of vsw/client.h with statuses) ---- */

typedef int dl_link_cb(const struct vsw_link_conf *lc, void *arg);
typedef int dl_vnic_cb(const struct vsw_vnic_conf *vc, void *arg);
typedef int dl_stats_cb(const char *name, enum vsw_class cls,
                        const struct vsw_stats *st, void *arg);

/** Links (phys and etherstubs), all or @name; @persistent: as configured
 *  for the next start instead of as running. */
XVN_EXPORT
enum dl_status dl_link_walk(struct dl_handle *h, const char *name,
                            bool persistent, dl_link_cb *cb, void *arg);
XVN_EXPORT
enum dl_status dl_vnic_walk(struct dl_handle *h, const char *name,
                            bool persistent, dl_vnic_cb *cb, void *arg);
XVN_EXPORT
enum dl_status dl_stats_walk(struct dl_handle *h, const char *name,
                             dl_stats_cb *cb, void *arg);

/** What a name is: 0 when it does not exist (as running). */
XVN_EXPORT
enum vsw_class dl_link_class(struct dl_handle *h, const char *name);
/** What a name is in the persistent configuration (including a link or
 *  VNIC deleted with -t, which comes back at the next start): 0 if none. */
XVN_EXPORT
enum vsw_class dl_link_class_persistent(struct dl_handle *h,
                                        const char *name);
/** The running configuration of VNIC @name into @vc. */
XVN_EXPORT
enum dl_status dl_vnic_get(struct dl_handle *h, const char *name,
                           struct vsw_vnic_conf *vc);

/** Create a VNIC; @made (may be NULL) receives it with its MAC. */
XVN_EXPORT
enum dl_status dl_vnic_create(struct dl_handle *h,
                              const struct vsw_vnic_conf *vc,
                              struct vsw_vnic_conf *made);
/** Delete a VNIC; @temporary: the running VNIC only (a persistent one
 *  stays in the persistent configuration and comes back at restart). */
XVN_EXPORT
enum dl_status dl_vnic_delete(struct dl_handle *h, const char *name,
                              bool temporary);
/** Change what @mods (enum vsw_vnic_mod) names; @temporary: running
 *  only.  Everything is checked before anything changes. */
XVN_EXPORT
enum dl_status dl_vnic_modify(struct dl_handle *h,
                              const struct vsw_vnic_conf *vc, uint32_t mods,
                              bool temporary);
XVN_EXPORT
enum dl_status dl_etherstub_create(struct dl_handle *h, const char *name,
                                   bool temporary);
/** Delete an etherstub; @temporary as for dl_vnic_delete(). */
XVN_EXPORT
enum dl_status dl_etherstub_delete(struct dl_handle *h, const char *name,
                                   bool temporary);
XVN_EXPORT
enum dl_status dl_link_rename(struct dl_handle *h, const char *name,
                              const char *newname);
/** Set the MTU of a physical link over a host NIC (on the NIC; vswitchd
 *  keeps nothing, so @temporary makes no difference). */
XVN_EXPORT
enum dl_status dl_link_set_mtu(struct dl_handle *h, const char *name,
                               uint16_t mtu, bool temporary);
/** Set (@has) or reset the cpus of a physical link; @temporary: not
 *  persisted. */
XVN_EXPORT
enum dl_status dl_link_set_cpus(struct dl_handle *h, const char *name,
                                bool has, uint16_t cpu, bool temporary);
/** Set the nicmode of a host NIC's own link; @temporary: not persisted. */
XVN_EXPORT
enum dl_status dl_link_set_nicmode(struct dl_handle *h, const char *name,
                                   enum vsw_nicmode mode, bool temporary);
/**
 * The CPUs a cpus property may name (those vswitchd's fast-path workers
 * are pinned to) into @buf, as illumos lists possible values: "0-3,6";
 * "" when no worker is pinned.
 */
XVN_EXPORT
enum dl_status dl_worker_cpus(struct dl_handle *h, char *buf, size_t len);
/** The running configuration of link @name (not a VNIC) into @lc. */
XVN_EXPORT
enum dl_status dl_link_get(struct dl_handle *h, const char *name,
                           struct vsw_link_conf *lc);

/* ---- link properties ---- */

/** The properties, in the order show-linkprop lists them. */
enum dl_prop_id {
    DL_PROP_MAXBW,
    DL_PROP_PRIORITY,
    DL_PROP_PROTECTION,
    DL_PROP_ALLOWED_IPS,
    DL_PROP_MTU,
    DL_PROP_CPUS,    /**< the CPU whose worker switches a VNIC, or a
                          physical link's wire */
    DL_PROP_NICMODE, /**< a host NIC's own link: shared or dedicated */
    DL_PROP__MAX
};

/** The property named @name, or -1. */
XVN_EXPORT
int dl_prop_lookup(const char *name);
XVN_EXPORT
const char *dl_prop_name(enum dl_prop_id id);
/** The VSW_MOD_* bit a property changes. */
XVN_EXPORT
uint32_t dl_prop_mod(enum dl_prop_id id);

/** Which of a property's values to print. */
enum dl_prop_val { DL_VAL_CURRENT, DL_VAL_PERM, DL_VAL_DEFAULT,
                   DL_VAL_POSSIBLE };

/**
 * Write a value of property @id of a link of class @cls whose VNIC
 * configuration is @vc (NULL for links that are not VNICs) into @buf:
 * "" means unset (dladm prints "--").
 */
XVN_EXPORT
void dl_prop_value(enum dl_prop_id id, enum dl_prop_val which,
                   enum vsw_class cls, const struct vsw_vnic_conf *vc,
                   char *buf, size_t len);

/** Is property @id settable on link @lc (not a VNIC)?  The MTU of a
 *  physical link over a host NIC, and the nicmode of a NIC's own link. */
XVN_EXPORT
bool dl_link_prop_settable(enum dl_prop_id id,
                           const struct vsw_link_conf *lc);

/** A value of property @id of link @lc (not a VNIC), as dl_prop_value()
 *  writes a VNIC's: the MTU is the link's. */
XVN_EXPORT
void dl_link_prop_value(enum dl_prop_id id, enum dl_prop_val which,
                        const struct vsw_link_conf *lc, char *buf,
                        size_t len);

/**
 * Parse @val (NULL: the default) for property @id into @vc.  On failure
 * @why (at least 128 bytes) gets the illumos wording without the
 * "cannot set ..." context, e.g. "minimum value for maxbw is 1200K".
 * @return DL_OK, DL_BADVAL (not one of POSSIBLE; @why is the list) or
 *         DL_BADARG / DL_MINMAXBW / DL_TOOMANY; DL_NOTNIC for nicmode,
 *         which is not a VNIC's (dl_nicmode_parse()).
 */
XVN_EXPORT
enum dl_status dl_prop_parse(enum dl_prop_id id, const char *val,
                             struct vsw_vnic_conf *vc, char *why,
                             size_t whylen);

/**
 * Parse a nicmode value (NULL: the default, shared).  @return DL_OK, or
 * DL_BADVAL with the possible values in @why.
 */
XVN_EXPORT
enum dl_status dl_nicmode_parse(const char *val, enum vsw_nicmode *mode,
                                char *why, size_t whylen);

/** One "name=v1,v2" of a property list. */
struct dl_proparg {
    char name[32];
    char val[1024]; /**< values joined by ',' ("" when none given) */
    bool has_val;   /**< a '=' was given */
};
#define DL_PROPARGS_MAX 16

/**
 * Split an illumos property list: "a=1,2,b=3" gives a = "1,2" and b =
 * "3" (a token starts a new property only when it has '=').  @values:
 * values required (set) or forbidden (reset, show).
 * @return the number of properties, or -1 (syntax, too many).
 */
XVN_EXPORT
int dl_proplist_parse(const char *s, bool values, struct dl_proparg *args,
                      int max);

/**
 * The first property named twice in @args (@n of them), or NULL: as
 * illumos, a list that gives one twice ("maxbw=10M,maxbw=20M") is
 * refused, "property 'maxbw' specified more than once".
 */
XVN_EXPORT
const char *dl_proplist_repeated(const struct dl_proparg *args, int n);

/* ---- statistics ---- */

/** @d = @now - @prev, counter by counter. */
XVN_EXPORT
void dl_stats_diff(struct vsw_stats *d, const struct vsw_stats *now,
                   const struct vsw_stats *prev);

#ifdef __cplusplus
}
#endif

#endif /* DLADM_DLADM_H */
