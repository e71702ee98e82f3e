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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a datalink name buffer: names have at most 31 characters. */
#define VSW_NAMSIZ 32
/** Size of a host interface name buffer (Linux IFNAMSIZ). */
#define VSW_IFNAMSIZ 16
/** Size of a DPDK devargs buffer. */
#define VSW_DEVARGSIZ 256
/** VID of a VNIC that is not on a VLAN (untagged on the wire). */
#define VSW_VID_NONE 0
/** Largest VLAN ID. */
#define VSW_VID_MAX 4094
/** Smallest non-zero maxbw, bits/s (illumos MRP_MAXBW_MINVAL). */
#define VSW_MAXBW_MIN 1200000ull

/** What kind of datalink an object is. */
enum vsw_class {
    VSW_CLASS_PHYS = 1,      /**< a DPDK port: a wire */
    VSW_CLASS_ETHERSTUB = 2, /**< a switch with no wire */
    VSW_CLASS_VNIC = 3       /**< a VNIC over a phys link or etherstub */
};

/** The priority property; strict priority at a congested egress. */
enum vsw_priority {
    VSW_PRIO_LOW = 0,
    VSW_PRIO_MEDIUM = 1,
    VSW_PRIO_HIGH = 2 /**< the default, as in Crossbow */
};

/** Bits of the protection property. */
enum vsw_protection {
    VSW_PROT_MAC_NOSPOOF = 1u << 0, /**< source MAC must be the VNIC's */
    VSW_PROT_RESTRICTED = 1u << 1,  /**< only IPv4, IPv6 and ARP leave */
    VSW_PROT_IP_NOSPOOF = 1u << 2,  /**< source IP must be in allowed-ips */
    VSW_PROT__ALL = VSW_PROT_MAC_NOSPOOF | VSW_PROT_RESTRICTED |
                    VSW_PROT_IP_NOSPOOF
};

/** Most entries of a VNIC's allowed-ips (illumos allows 32). */
#define VSW_IPS_MAX 32

/**
 * One allowed-ips entry: an IPv4 address or network (CIDR, the network
 * address only), or an IPv6 address.  Same layout as the switch's struct
 * vsw_ip_prefix, which this header cannot include.
 */
struct vsw_ipnet {
    uint8_t family;   /**< AF_INET or AF_INET6 */
    uint8_t plen;     /**< 1..32 for IPv4, 128 for IPv6 */
    uint8_t addr[16]; /**< network order; IPv4 in the first 4 bytes */
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

/** A physical link or an etherstub, as created and as reported. */
struct vsw_link_conf {
    char name[VSW_NAMSIZ];
    enum vsw_class cls;             /**< PHYS or ETHERSTUB */
    char devargs[VSW_DEVARGSIZ];    /**< PHYS: "net_af_packet0,iface=x" */
    bool temporary;                 /**< not persisted */
    uint32_t nvnics;                /**< reported only */
    /* Reported only: */
    uint16_t mtu;                   /**< 1500 phys, 9000 etherstub */
    uint32_t speed;                 /**< Mbit/s; 0 unknown */
    enum vsw_link_state state;
    uint8_t duplex;                 /**< 0 unknown, 1 half, 2 full */
};

/** How a VNIC got its MAC address. */
enum vsw_mac_type {
    VSW_MAC_RANDOM = 0, /**< chosen at creation; prefix 02:08:20 */
    VSW_MAC_FIXED = 1,  /**< given by the administrator */
    VSW_MAC_AUTO = 2    /**< chosen by the toolstack for a guest (mac=auto) */
};

/** A VNIC, as created and as reported. */
struct vsw_vnic_conf {
    char name[VSW_NAMSIZ];
    char link[VSW_NAMSIZ];       /**< the link or etherstub it is over */
    uint8_t mac[6];              /**< used when mac_type is FIXED */
    enum vsw_mac_type mac_type;
    uint16_t vid;                /**< VSW_VID_NONE or 1..VSW_VID_MAX */
    uint64_t maxbw;              /**< bits/s each way; 0 = no limit */
    enum vsw_priority priority;
    uint32_t protection;         /**< enum vsw_protection bits */
    enum vsw_attach attach;
    char tap[VSW_IFNAMSIZ];      /**< TAP name; "" = the VNIC's name */
    bool temporary;              /**< not persisted */
    uint16_t mtu;                /**< 0: the default, VSW_VNIC_MTU_DEFAULT */
    uint8_t nips;                /**< entries of @ips in use */
    struct vsw_ipnet ips[VSW_IPS_MAX]; /**< allowed-ips (ip-nospoof) */
    /** The guest domain the VNIC was made for (0: none, dom0's own).  A
     *  domain's VNIC is busy: it cannot be deleted or renamed while the
     *  domain exists, nor its link renamed; it goes with the domain. */
    uint32_t domid;
    char domain[VSW_NAMSIZ];     /**< that domain's name, reported only */
};

/** A VNIC's MTU: default and limits (the switch enforces the same). */
#define VSW_VNIC_MTU_DEFAULT 1500
#define VSW_VNIC_MTU_MIN 68
#define VSW_VNIC_MTU_MAX 9000

/** VNIC properties that can change after creation (a "modify" mask). */
enum vsw_vnic_mod {
    VSW_MOD_MAXBW = 1u << 0,
    VSW_MOD_PRIORITY = 1u << 1,
    VSW_MOD_PROTECTION = 1u << 2,
    VSW_MOD_ALLOWED_IPS = 1u << 3,
    VSW_MOD_MTU = 1u << 4,
    /* These make the switch replace the VNIC (its attachment is made
     * again): */
    VSW_MOD_MAC = 1u << 5,  /**< mac and mac_type */
    VSW_MOD_VID = 1u << 6,
    VSW_MOD_LINK = 1u << 7
};

/** Defaults for a VNIC conf: random MAC, no VLAN, no limit, high. */
void vsw_vnic_conf_init(struct vsw_vnic_conf *vc);

/**
 * Check a datalink name against the dladm rules: 1..31 characters of
 * letters, digits, '_' and '.', not starting with a digit, ending with a
 * number that has no leading zero.
 * @return 0, -ENAMETOOLONG or -EINVAL.
 */
int vsw_name_check(const char *name);

/** "02:08:20:0a:0b:0c" into @mac. @return 0 or -EINVAL. */
int vsw_mac_parse(const char *s, uint8_t mac[6]);
/** Write @mac as six two-digit hex bytes joined by ':' (17 chars). */
void vsw_mac_format(const uint8_t mac[6], char buf[18]);
/** "random", "fixed" or "auto" (dladm's MACADDRTYPE). */
const char *vsw_mac_type_str(enum vsw_mac_type t);
/** A MAC a VNIC may have: unicast and not all zero. */
bool vsw_mac_valid(const uint8_t mac[6]);

/**
 * Parse a maxbw value as dladm does: a decimal number with an optional
 * K, M or G suffix (no suffix means M), in bits/s.  "0" means no limit.
 * @return 0, -EINVAL (syntax) or -ERANGE (non-zero below VSW_MAXBW_MIN,
 *         or above 10^12, 1 Tbit/s).
 */
int vsw_maxbw_parse(const char *s, uint64_t *bps);
/** Write @bps exactly: "0", or the shortest of "<n>M", "<n>K",
 *  "<n>.<fff>K". */
void vsw_maxbw_format(uint64_t bps, char *buf, size_t len);

/** "low", "medium", "high". @return 0 or -EINVAL. */
int vsw_priority_parse(const char *s, enum vsw_priority *p);
const char *vsw_priority_str(enum vsw_priority p);

/** A comma list of protection names ("mac-nospoof", "restricted",
 *  "ip-nospoof"); "" or "none" = 0. */
int vsw_protection_parse(const char *s, uint32_t *bits);
/** Write the bits as a comma list, "none" when zero. */
void vsw_protection_format(uint32_t bits, char *buf, size_t len);

/**
 * Parse one allowed-ips entry as illumos does: an IPv4 address with an
 * optional /plen (the network address: no host bits set), or an IPv6
 * address without a prefix.  0.0.0.0 and :: are refused.
 * @return 0 or -EINVAL.
 */
int vsw_ipnet_parse(const char *s, struct vsw_ipnet *ip);
/** Write an entry: "10.0.0.1", "10.0.0.0/24", "fe80::1". */
void vsw_ipnet_format(const struct vsw_ipnet *ip, char *buf, size_t len);
/**
 * Parse a comma list of entries into @ips (at most VSW_IPS_MAX, no
 * duplicates); "" or "none" is the empty list.
 * @return 0, -EINVAL (an entry, or a duplicate) or -E2BIG (too many).
 */
int vsw_ips_parse(const char *s, struct vsw_ipnet *ips, uint8_t *n);
/** Write the list comma-separated ("" when empty). */
void vsw_ips_format(const struct vsw_ipnet *ips, unsigned n, char *buf,
                    size_t len);
/** Same list, same order.  Entries are compared by family, plen, addr. */
bool vsw_ips_equal(const struct vsw_ipnet *a, unsigned na,
                   const struct vsw_ipnet *b, unsigned nb);

/** "phys", "etherstub", "vnic"; "?" otherwise.  Never NULL. */
const char *vsw_class_str(enum vsw_class c);
/** Short name of a drop reason ("policer", ...); never NULL. */
const char *vsw_drop_str(enum vsw_drop d);

#ifdef __cplusplus
}
#endif

#endif /* VSW_DEFS_H */
