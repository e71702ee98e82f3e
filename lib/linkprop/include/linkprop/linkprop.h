/* SPDX-License-Identifier: MIT */
/*
 * linkprop/linkprop.h - the datalink vocabulary: datalink names, MAC
 * addresses, VLAN IDs, maxbw, priority, protection, allowed-ips, MTU and
 * cpus, each with its limits, its one default, a strict parser and a
 * formatter, plus the `key=value` item splitter that VNIC records and vif
 * specs use.
 * Every layer that reads or writes one of these values (the domain config,
 * xvmd, vswitchd's state file and boot config, the control protocol,
 * libdladm and dladm, the vif readers) uses these functions and nothing
 * else.
 *
 * The text forms are the ones dladm takes and prints:
 *  - MAC: six bytes of one or two hex digits joined by ':'.  The canonical
 *    form, which every tool prints and every file stores, is illumos': lower
 *    case without leading zeros ("2:8:20:a:b:c").  Xen's xenstore `mac`
 *    key alone keeps two digits per byte (lp_mac_format_xs()), because
 *    netif frontends read exactly that.
 *  - maxbw: a decimal number with an optional fraction and an optional
 *    K, M or G suffix; no suffix means Mbit/s.  Kept in bits/s.
 *
 * All functions are pure (lp_mac_random() reads getrandom) and may be
 * called from any thread.  Parsers accept the whole string or nothing:
 * no leading or trailing white space, no signs, no "0x".
 */
#ifndef LINKPROP_LINKPROP_H
#define LINKPROP_LINKPROP_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- datalink names ---- */

/** Size of a datalink name buffer: names have at most 31 characters. */
#define LP_NAMSIZ 32

/**
 * Check a link, VNIC or etherstub name against the dladm rules: 2..31
 * characters of letters, digits, '_' and '.', not starting with a digit,
 * ending with a number that has no leading zero ("vnic0", "xvm3_1").
 * @return 0, -ENAMETOOLONG or -EINVAL.
 */
XVN_EXPORT
int lp_name_check(const char *name);
/** lp_name_check()'s rules, for a message ("invalid link name 'x': ..."). */
#define LP_NAME_RULE                                                      \
    "a name is letters, digits, '_' and '.', not starting with a digit, " \
    "ending in a number without a leading zero (vnic0, stub12)"

/** The name vswitchd gives the VNIC of vif @n of domain @domid. */
#define LP_NAME_GUEST_FMT "xvm%u_%u"
/**
 * Is @name one lp_name_check() takes of the form of LP_NAME_GUEST_FMT,
 * xvm<digits>_<digits>?  Such names are the guests': the domains' own
 * requests (vswitchd's vifs) alone make them, so an administrator's
 * VNIC or etherstub cannot take one a domain will need.
 */
XVN_EXPORT
bool lp_name_guest(const char *name);
/** lp_name_guest()'s rule, for a message ("invalid link name 'x': ..."). */
#define LP_NAME_GUEST_RULE                                                \
    "xvm<domid>_<n> is the name of a guest domain's VNIC, which vswitchd " \
    "makes for the domain's vif"

/** Size of a host interface name buffer (Linux IFNAMSIZ). */
#define LP_IFNAMSIZ 16

/**
 * Check the name of a host NIC, which is a datalink under that name (the
 * kernel's rules, not dladm's): 1..15 printable characters, none of '/',
 * ':', ',', '=', '#', quotes, '\\' or white space (the last ones would not
 * survive a DPDK devargs string, a configuration line or a domain
 * config's vif string), not "." or "..".
 * @return 0, -ENAMETOOLONG or -EINVAL.
 */
XVN_EXPORT
int lp_ifname_check(const char *name);

/* ---- MAC addresses ---- */

/** Size of a MAC text buffer (17 characters and the NUL). */
#define LP_MACSTRLEN 18
/** Prefix of the MACs dladm and xvmd pick at random (illumos' 2:8:20). */
#define LP_MAC_PREFIX_LEN 3
extern const uint8_t lp_mac_prefix[LP_MAC_PREFIX_LEN];

/**
 * Parse 1..@max bytes of one or two hex digits joined by ':' (a prefix
 * when @max < 6, as dladm's -r takes).
 * @return the number of bytes, or -EINVAL.
 */
XVN_EXPORT
int lp_mac_prefix_parse(const char *s, uint8_t *mac, unsigned max);
/** Parse exactly six bytes ("2:8:20:a:b:c", "02:08:20:0a:0b:0c").
 *  @return 0 or -EINVAL. */
XVN_EXPORT
int lp_mac_parse(const char *s, uint8_t mac[6]);
/** The canonical form: "2:8:20:a:b:c". */
XVN_EXPORT
void lp_mac_format(const uint8_t mac[6], char buf[LP_MACSTRLEN]);
/** Xen's xenstore form, two digits a byte: "02:08:20:0a:0b:0c". */
XVN_EXPORT
void lp_mac_format_xs(const uint8_t mac[6], char buf[LP_MACSTRLEN]);
/** A MAC a VNIC may have: unicast and not all zero. */
XVN_EXPORT
bool lp_mac_valid(const uint8_t mac[6]);
/** A random unicast MAC starting with @plen bytes of @prefix (NULL:
 *  lp_mac_prefix).  @plen is at most 5. */
XVN_EXPORT
void lp_mac_random(uint8_t mac[6], const uint8_t *prefix, unsigned plen);

/* ---- VLAN IDs ---- */

/** VID of a VNIC that is not on a VLAN (untagged on the wire); the
 *  default. */
#define LP_VID_NONE 0
/** Largest VLAN ID (4095 is reserved). */
#define LP_VID_MAX 4094

/**
 * Parse a decimal VID, 0..LP_VID_MAX; 0 is LP_VID_NONE, which callers
 * that need a VLAN (create-vnic -v, a vif's vlan=) refuse themselves.
 * @return 0, -EINVAL (syntax) or -ERANGE.
 */
XVN_EXPORT
int lp_vid_parse(const char *s, uint16_t *vid);

/* ---- maxbw ---- */

/** No limit: the default. */
#define LP_MAXBW_NONE 0
/** Smallest limit, bits/s (1.2 Mbit/s, as illumos). */
#define LP_MAXBW_MIN 1200000ull
/** Largest limit, bits/s (1 Tbit/s: keeps the switch's token bucket
 *  within 64 bits). */
#define LP_MAXBW_MAX 1000000000000ull
/** Size of a buffer for lp_maxbw_format(). */
#define LP_MAXBW_STRLEN 32

/**
 * Parse a limit as dladm does: digits, an optional '.' fraction, an
 * optional K, M or G (either case); no suffix means M.  "1.5M" is
 * 1500000.  There is no text for "no limit": a caller that has none
 * leaves the value at LP_MAXBW_NONE.
 * @return 0, -EINVAL (syntax), -EDOM (finer than 1 bit/s), -ERANGE
 *         (below LP_MAXBW_MIN, 0 included) or -EOVERFLOW (above
 *         LP_MAXBW_MAX).
 */
XVN_EXPORT
int lp_maxbw_parse(const char *s, uint64_t *bps);
/** Why lp_maxbw_parse() refused a value (its return @p rc), for a
 *  message after the value: "not a rate (...)", "finer than one bit/s
 *  (...)", "below the minimum, 1200K", "above the maximum, 1000G". */
XVN_EXPORT
const char *lp_maxbw_why(int rc);
/** Write a limit exactly in the syntax lp_maxbw_parse() takes: the
 *  first of "<n>M", "<n>K", "<n>.<fff>K" that is exact; "0" for none. */
XVN_EXPORT
void lp_maxbw_format(uint64_t bps, char *buf, size_t len);

/** Interval of Xen's vif `rate` key as xvmd writes it, microseconds
 *  (xl's default). */
#define LP_RATE_USECS 50000
/** Largest byte count of a `rate` key (2^40: far above LP_MAXBW_MAX). */
#define LP_RATE_BYTES_MAX (1ull << 40)
/**
 * Parse Xen's vif `rate` key, "<bytes>,<usecs>" (bytes at most
 * LP_RATE_BYTES_MAX, usecs at most UINT32_MAX and not 0 unless bytes is).
 * 0,0 is no limit.
 * @return 0 or -EINVAL.
 */
XVN_EXPORT
int lp_rate_parse(const char *s, uint64_t *bytes, uint64_t *usecs);
/** Write @bps as a `rate` key over LP_RATE_USECS ("" for no limit). */
XVN_EXPORT
void lp_rate_format(uint64_t bps, char *buf, size_t len);
/** A rate as a maxbw: LP_MAXBW_NONE for 0, at least LP_MAXBW_MIN (a
 *  finer rate is rounded up to what the switch can do). */
XVN_EXPORT
uint64_t lp_rate_to_maxbw(uint64_t bytes, uint64_t usecs);

/* ---- priority ---- */

/** The priority property: strict priority at a congested egress. */
enum lp_priority {
    LP_PRIO_LOW = 0,
    LP_PRIO_MEDIUM = 1,
    LP_PRIO_HIGH = 2
};
/** The default, as in Crossbow. */
#define LP_PRIO_DEFAULT LP_PRIO_HIGH

/** "low", "medium", "high". @return 0 or -EINVAL. */
XVN_EXPORT
int lp_priority_parse(const char *s, enum lp_priority *p);
/** The name of @p; "?" when out of range, never NULL. */
XVN_EXPORT
const char *lp_priority_str(enum lp_priority p);

/* ---- protection ---- */

/** Bits of the protection property; the default is none (0). */
enum lp_protection {
    LP_PROT_MAC_NOSPOOF = 1u << 0, /**< source MAC must be the VNIC's */
    LP_PROT_RESTRICTED = 1u << 1,  /**< only IPv4, IPv6 and ARP leave */
    LP_PROT_IP_NOSPOOF = 1u << 2,  /**< source IP must be in allowed-ips */
    LP_PROT__ALL = LP_PROT_MAC_NOSPOOF | LP_PROT_RESTRICTED |
                   LP_PROT_IP_NOSPOOF
};
/** Size of a buffer for lp_protection_format(). */
#define LP_PROT_STRLEN 64

/** A comma list of "mac-nospoof", "restricted", "ip-nospoof"; "" or
 *  "none" is 0.  @return 0 or -EINVAL (a name, or an empty item). */
XVN_EXPORT
int lp_protection_parse(const char *s, uint32_t *bits);
/** Write the bits as a comma list, "none" when zero. */
XVN_EXPORT
void lp_protection_format(uint32_t bits, char *buf, size_t len);

/* ---- allowed-ips ---- */

/** Most entries of a VNIC's allowed-ips (illumos allows 32); the default
 *  is the empty list. */
#define LP_IPS_MAX 32
/** Size of a buffer that holds any list lp_ips_format() writes. */
#define LP_IPS_STRLEN (LP_IPS_MAX * 48)

/**
 * One allowed-ips entry: an IPv4 address or network (CIDR, the network
 * address only), or an IPv6 address.
 */
struct lp_ipnet {
    uint8_t family;   /**< AF_INET or AF_INET6 */
    uint8_t plen;     /**< parsed: 1..32 for IPv4, 128 for IPv6 (the
                           switch matches any 0..32 or 0..128) */
    uint8_t addr[16]; /**< network order; IPv4 in the first 4 bytes */
};

/**
 * Parse one entry as illumos does: an IPv4 address with an optional
 * /plen (no host bits set), or an IPv6 address without a prefix.
 * 0.0.0.0 and :: are refused.  @return 0, -EINVAL (not an address),
 * -ERANGE (a prefix length out of 1..32), -EDOM (host bits set),
 * -EPROTONOSUPPORT (an IPv6 prefix) or -EADDRNOTAVAIL (0.0.0.0, ::).
 */
XVN_EXPORT
int lp_ipnet_parse(const char *s, struct lp_ipnet *ip);
/** Write an entry: "10.0.0.1", "10.0.0.0/24", "fe80::1". */
XVN_EXPORT
void lp_ipnet_format(const struct lp_ipnet *ip, char *buf, size_t len);
/**
 * Parse a comma list into @ips (at most LP_IPS_MAX, no duplicates);
 * "" or "none" is the empty list.
 * @return 0, an entry's lp_ipnet_parse() error, -EINVAL (an empty
 *         entry), -EEXIST (a duplicate) or -E2BIG (too many).
 */
XVN_EXPORT
int lp_ips_parse(const char *s, struct lp_ipnet *ips, uint8_t *n);
/**
 * Why lp_ips_parse() refused the list @s (its return @rc), naming the
 * entry, for a message after "invalid argument: ": "'10.1.0.1/16' has
 * host bits set (...)", "'10.0.0.1' is given twice", "more than 32
 * addresses".  The one wording of every caller (dladm, the domain
 * config).
 */
XVN_EXPORT
void lp_ips_why(const char *s, int rc, char *buf, size_t len);
/** Write the list comma-separated ("" when empty). */
XVN_EXPORT
void lp_ips_format(const struct lp_ipnet *ips, unsigned n, char *buf,
                   size_t len);
/** Same list, same order. */
XVN_EXPORT
bool lp_ips_equal(const struct lp_ipnet *a, unsigned na,
                  const struct lp_ipnet *b, unsigned nb);

/* ---- MTU ---- */

/** A VNIC's MTU: default and limits (the switch enforces the same). */
#define LP_MTU_DEFAULT 1500
#define LP_MTU_MIN 68
#define LP_MTU_MAX 9000

/** A decimal MTU, LP_MTU_MIN..LP_MTU_MAX.
 *  @return 0, -EINVAL (syntax) or -ERANGE. */
XVN_EXPORT
int lp_mtu_parse(const char *s, uint16_t *mtu);
/**
 * The MTU a VNIC runs with, as illumos has it: its mtu property @mtu when
 * set (not 0), else its link's MTU @link_mtu (0: not known, LP_MTU_DEFAULT)
 * within LP_MTU_MIN..LP_MTU_MAX, what the switch takes.  The one rule of
 * what vswitchd enforces and dladm shows.
 */
XVN_EXPORT
uint16_t lp_vnic_mtu(uint16_t mtu, uint16_t link_mtu);

/* ---- cpus ---- */

/** The highest CPU number the cpus property takes. */
#define LP_CPU_MAX 4095

/** The cpus property: one decimal CPU number, 0..LP_CPU_MAX (a link's
 *  wire or a VNIC is switched by the one fast-path worker on that CPU).
 *  @return 0, -EINVAL (syntax) or -ERANGE. */
XVN_EXPORT
int lp_cpu_parse(const char *s, uint16_t *cpu);
/** A list of CPUs, ascending, as ranges the way /proc's Cpus_allowed_list
 *  shows them ("0-1,4"); cut short with "..." (",..." after a range)
 *  when @len is too small; "" when @n is 0. */
XVN_EXPORT
void lp_cpus_format(const uint16_t *cpus, unsigned n, char *buf, size_t len);

/* ---- key=value items ---- */

/**
 * Take the next `key=value` item from *@s, items separated by any of the
 * characters of @seps (runs of separators count as one); the text is cut
 * in place and *@s moves past the item.  The value may be empty ("k=").
 * @return 1 with *@key and *@val set, 0 when no item is left, or -EINVAL
 *         when an item has no '=' or an empty key (*@key then points at
 *         the item, for a message).
 */
XVN_EXPORT
int lp_kv_next(char **s, const char *seps, char **key, char **val);

#ifdef __cplusplus
}
#endif

#endif /* LINKPROP_LINKPROP_H */
