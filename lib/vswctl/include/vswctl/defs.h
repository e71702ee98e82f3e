/* SPDX-License-Identifier: MIT */
/*
 * vsw/defs.h - what the switch, its control protocol and its clients share:
 * datalink names, classes and properties, the counters, and the text forms
 * of property values (the forms dladm prints and the configuration file
 * stores).  No DPDK here: clients (dladm, xvm) include this without it.
 *
 * Everything in this header is pure and may be called from any thread.
 */
#ifndef VSW_DEFS_H
#define VSW_DEFS_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linkprop/linkprop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a host interface name buffer (Linux IFNAMSIZ). */
#define VSW_IFNAMSIZ 16
/** Size of a DPDK devargs buffer. */
#define VSW_DEVARGSIZ 256

/**
 * Why a command failed, beyond its errno (VSW_ST_NONE: the errno says it
 * all), carried back in vswitchd's ack (vswctl/ctl.h).  vswitchd sends
 * the code, never the wording; libdladm turns each into illumos' words
 * (dladm.h's enum dl_status).
 */
enum vsw_status {
    VSW_ST_NONE = 0,
    VSW_ST_EXIST,           /**< the name is taken */
    VSW_ST_NOTFOUND,        /**< no such object */
    VSW_ST_LINKNAME,        /**< a name breaks the datalink name rules */
    VSW_ST_LINKINVAL,       /**< the lower link cannot carry this */
    VSW_ST_MACINVAL,        /**< not a MAC a VNIC may have */
    VSW_ST_MACINUSE,        /**< another VNIC of the link has the MAC */
    VSW_ST_VIDINVAL,        /**< VID out of range */
    VSW_ST_MINMAXBW,        /**< maxbw below LP_MAXBW_MIN */
    VSW_ST_BADVAL,          /**< another property value out of range */
    VSW_ST_TOOMANY,         /**< too many values (allowed-ips) */
    VSW_ST_PERSIST_ON_TEMP, /**< a persistent object over a temporary */
    VSW_ST_LINKBUSY,        /**< the link still has VNICs */
    VSW_ST_INACTIVE,        /**< only an inactive record (deleted -t) */
    VSW_ST_BOOTCONF,        /**< the object belongs to the boot config */
    VSW_ST_GUESTMAC,        /**< a domain's VNIC: its MAC is the guest's */
    VSW_ST_DOMCFG,          /**< the domain's record could not keep it */
    VSW_ST_MTU_LINK,        /**< a VNIC's MTU above its link's */
    VSW_ST_MTU_VNIC,        /**< a link's MTU below a VNIC's over it */
    VSW_ST_HOSTNIC,         /**< a host NIC's link: it keeps the NIC's
                                 name and goes with the NIC */
    VSW_ST_NICGONE,         /**< the link's host NIC is not there */
    VSW_ST_READONLY,        /**< the connection may only read (EPERM) */
    VSW_ST_NOTNIC,          /**< not a host NIC's own link (nicmode) */
    VSW_ST_DEDICATE,        /**< the NIC cannot be dedicated (what it
                                 lacks: vswctl/nicdev.h) */
    VSW_ST_NOPCIBUS,        /**< vswitchd runs without PCI devices (-P)
                                 or without hugepages */
    VSW_ST_MTU_XDP,         /**< an MTU above what XDP sharing takes */
    VSW_ST_IFEXIST,         /**< a host interface has the VNIC's name */
    VSW_ST_CPUS,            /**< cpus names a CPU no worker is pinned to */
    VSW_ST_BOOTPERSIST,     /**< a persistent change of an object of the
                                 boot configuration (its file keeps it) */
    VSW_ST__MAX
};

/** What kind of datalink an object is. */
enum vsw_class {
    VSW_CLASS_PHYS = 1,      /**< a DPDK port: a wire */
    VSW_CLASS_ETHERSTUB = 2, /**< a switch with no wire */
    VSW_CLASS_VNIC = 3       /**< a VNIC over a phys link or etherstub */
};

/** What a VNIC's frames go to and come from. */
enum vsw_attach {
    VSW_ATTACH_NONE = 0, /**< nothing: frames for it are dropped */
    VSW_ATTACH_TAP = 1,  /**< a host TAP interface, for dom0 itself */
    VSW_ATTACH_VIF = 2   /**< a guest domain's netif vif */
};

/**
 * Why a frame was dropped.  Keep vsw_drop_str() in step.
 *  - POLICER: over the VNIC's maxbw;
 *  - NOBUF: no mbuf, or the destination had no room (ring or TAP full);
 *  - SPOOF: source MAC not the VNIC's while mac-nospoof is on;
 *  - VIF_ERROR: the VNIC's attachment failed or there is none;
 *  - UNKNOWN_DEST: no VNIC has the destination (MAC, VID), or a
 *    broadcast had nobody to go to.
 */
enum vsw_drop {
    VSW_DROP_POLICER = 0,
    VSW_DROP_NOBUF,
    VSW_DROP_SPOOF,
    VSW_DROP_VIF_ERROR,
    VSW_DROP_UNKNOWN_DEST,
    VSW_DROP__MAX
};

/**
 * Counters of a link or a VNIC.  For a VNIC "i" is what it received (what
 * went to its client) and "o" what it sent (what its client transmitted);
 * for a link "i" is what came in from the wire and "o" what went out.
 * Byte counts are Ethernet frame bytes without FCS, as seen at that point
 * (tagged on the wire, untagged at a VNIC).
 */
struct vsw_stats {
    uint64_t ipackets, rbytes;
    uint64_t opackets, obytes;
    uint64_t ierrors; /**< malformed frames received */
    uint64_t oerrors; /**< frames a client sent that could not be sent */
    uint64_t drops[VSW_DROP__MAX];
};

/** State of a link's wire, as reported. */
enum vsw_link_state {
    VSW_LINK_STATE_UNKNOWN = 0, /**< an etherstub, or not known */
    VSW_LINK_STATE_UP = 1,
    VSW_LINK_STATE_DOWN = 2
};

/** A link that is a host NIC: named after it, there while it is. */
#define VSW_LINK_F_HOSTNIC 0x1u
/** The switch holds the link's wire (a DPDK port) now. */
#define VSW_LINK_F_ATTACHED 0x2u

/**
 * How the switch holds a physical link's wire (reported; dladm show-phys
 * ATTACH).
 */
enum vsw_nic_attach {
    VSW_NIC_ATTACH_NONE = 0,  /**< not attached (no VNIC running) */
    VSW_NIC_ATTACH_XDP,       /**< shared with the host: XDP + AF_XDP */
    VSW_NIC_ATTACH_AF_PACKET, /**< shared with the host: AF_PACKET */
    VSW_NIC_ATTACH_DPDK,      /**< a DPDK port of its own: a configured
                                   link's devargs (not net_af_packet),
                                   or a NIC with nicmode=dedicated */
    VSW_NIC_ATTACH_OTHER,     /**< a port kind of the manager's
                                   parameters (tests) */
    VSW_NIC_ATTACH_DEDICATED, /**< the NIC is the switch's alone: a DPDK
                                   PCI driver (nicmode=dedicated) */
    VSW_NIC_ATTACH__MAX
};
/**
 * Who has a host NIC (the link property nicmode of a NIC's own link).
 * SHARED: the host keeps the NIC and its addresses, VNICs are carved
 * from it (XDP, else af_packet).  DEDICATED: the NIC is bound to vfio-pci
 * and driven by DPDK's PCI driver for the switch alone.
 */
enum vsw_nicmode {
    VSW_NICMODE_SHARED = 0,
    VSW_NICMODE_DEDICATED = 1,
};

/** Size of a link's attach_why. */
#define VSW_WHYSIZ 96

/** A physical link or an etherstub, as created and as reported. */
struct vsw_link_conf {
    char name[LP_NAMSIZ];
    enum vsw_class cls;             /**< PHYS or ETHERSTUB */
    /** PHYS: "net_af_packet0,iface=x"; a host NIC's link reports the
     *  devargs of its attachment while it has one, else "". */
    char devargs[VSW_DEVARGSIZ];
    bool temporary;                 /**< not persisted */
    uint32_t nvnics;                /**< reported only */
    /* Reported only: */
    uint16_t mtu;                   /**< the NIC's; 1500 phys without
                                         one, 9000 etherstub */
    uint32_t speed;                 /**< Mbit/s; 0 unknown */
    enum vsw_link_state state;
    uint8_t duplex;                 /**< 0 unknown, 1 half, 2 full */
    char ifname[VSW_IFNAMSIZ];      /**< the host NIC that is its wire */
    uint32_t flags;                 /**< VSW_LINK_F_* */
    /** A host NIC's link: how it is attached now. */
    enum vsw_nic_attach attach;
    /** ... and why not through XDP when it is af_packet (or when the
     *  last attempt failed): "another XDP program is attached to the
     *  interface"; "" otherwise. */
    char attach_why[VSW_WHYSIZ];
    /** A NIC's own link: nicmode, and for a dedicated one the NIC's PCI
     *  address ("0000:03:00.0"). */
    enum vsw_nicmode nicmode;
    char pci[16];
    /** A physical link's cpus property: the CPU whose fast-path worker
     *  owns its wire (vswitchd(8), WORKERS); without it, by load. */
    bool has_cpus;
    uint16_t cpus;
};

/** How a VNIC got its MAC address. */
enum vsw_mac_type {
    VSW_MAC_RANDOM = 0, /**< chosen at creation; prefix 02:08:20 */
    VSW_MAC_FIXED = 1,  /**< given by the administrator */
    VSW_MAC_AUTO = 2    /**< chosen by the toolstack for a guest (mac=auto) */
};

/** A VNIC, as created and as reported. */
struct vsw_vnic_conf {
    char name[LP_NAMSIZ];
    char link[LP_NAMSIZ];       /**< the link or etherstub it is over */
    uint8_t mac[6];              /**< used when mac_type is FIXED */
    enum vsw_mac_type mac_type;
    uint16_t vid;                /**< LP_VID_NONE or 1..LP_VID_MAX */
    uint64_t maxbw;              /**< bits/s each way; 0 = no limit */
    enum lp_priority priority;
    uint32_t protection;         /**< enum lp_protection bits */
    enum vsw_attach attach;
    char tap[VSW_IFNAMSIZ];      /**< TAP name; "" = the VNIC's name */
    bool temporary;              /**< not persisted */
    uint16_t mtu;                /**< 0: unset, the VNIC follows its
                                      link's MTU (lp_vnic_mtu()) */
    uint16_t link_mtu;           /**< reported only: its link's MTU,
                                      what an unset @mtu follows */
    /** The cpus property: the CPU whose fast-path worker owns the VNIC
     *  (vswitchd(8), WORKERS); without it, the least loaded worker. */
    bool has_cpus;
    uint16_t cpus;
    uint8_t nips;                /**< entries of @ips in use */
    struct lp_ipnet ips[LP_IPS_MAX]; /**< allowed-ips (ip-nospoof) */
    /** The guest domain the VNIC was made for (0: none, dom0's own).  A
     *  domain's VNIC is busy: it cannot be deleted or renamed while the
     *  domain exists, nor its link renamed; it goes with the domain. */
    uint32_t domid;
    char domain[LP_NAMSIZ];     /**< that domain's name, reported only */
};

/** VNIC properties that can change after creation (a "modify" mask). */
enum vsw_vnic_mod {
    VSW_MOD_MAXBW = 1u << 0,
    VSW_MOD_PRIORITY = 1u << 1,
    VSW_MOD_PROTECTION = 1u << 2,
    VSW_MOD_ALLOWED_IPS = 1u << 3,
    VSW_MOD_MTU = 1u << 4,
    VSW_MOD_CPUS = 1u << 8,  /**< has_cpus and cpus */
    /* These make the switch replace the VNIC (its attachment is made
     * again): */
    VSW_MOD_MAC = 1u << 5,  /**< mac and mac_type */
    VSW_MOD_VID = 1u << 6,
    VSW_MOD_LINK = 1u << 7
};

/** Defaults for a VNIC conf: random MAC, no VLAN, no limit, high. */
XVN_EXPORT
void vsw_vnic_conf_init(struct vsw_vnic_conf *vc);

/**
 * Set one property of @vc from its `key=value` text form, the keys of
 * vswitchd's configuration file (vswmgr/conf.h) and of vswctl: link, tap,
 * mac, mac-type (random|fixed), vid, maxbw, priority, protection, mtu, cpus,
 * allowed-ips, attach (tap|none); values as linkprop/linkprop.h parses
 * them.  A failed value may leave the field changed.
 * @param mod  receives the VSW_MOD_* bit the key changes (0: none)
 * @return 0, -ENOENT (unknown key) or -EINVAL (bad value).
 */
/** "random", "fixed" or "auto" (dladm's MACADDRTYPE). */
XVN_EXPORT
const char *vsw_mac_type_str(enum vsw_mac_type t);

XVN_EXPORT
int vsw_vnic_conf_set(struct vsw_vnic_conf *vc, const char *key,
                      const char *val, uint32_t *mod);

/** "phys", "etherstub", "vnic"; "?" otherwise.  Never NULL. */
XVN_EXPORT
const char *vsw_class_str(enum vsw_class c);
/** "xdp", "af_packet", "dpdk", "dedicated", "other"; "" when not
 *  attached.  Never NULL. */
XVN_EXPORT
const char *vsw_nic_attach_str(enum vsw_nic_attach a);
/** "shared" or "dedicated"; never NULL. */
XVN_EXPORT
const char *vsw_nicmode_str(enum vsw_nicmode mode);
/** Parse "shared" or "dedicated".  @return 0 or -EINVAL. */
XVN_EXPORT
int vsw_nicmode_parse(const char *s, enum vsw_nicmode *mode);
/** Short name of a drop reason ("policer", ...); never NULL. */
XVN_EXPORT
const char *vsw_drop_str(enum vsw_drop d);

#ifdef __cplusplus
}
#endif

#endif /* VSW_DEFS_H */
