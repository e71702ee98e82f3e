/* SPDX-License-Identifier: MIT */
/*
 * vsw/ctl.h - the vswitchd control protocol.
 *
 * Transport: a SOCK_SEQPACKET Unix socket (vswitchd.sock in the
 * runtime directory by default, xvm/rundir.h) where
 * root may run every command and the members of vswitchd's group (-G)
 * only LINK_GET, VNIC_GET, STATS_GET and WORKERS_GET: their other
 * requests fail with -EPERM and VSW_ST_READONLY (vswmgr/mgr.h, VSW_MGR_READONLY).  Each
 * datagram holds one or more netlink-format messages (struct nlmsghdr +
 * attributes, built and parsed with libmnl).
 *
 * A request is one message whose nlmsg_type is a VSW_CMD_*, with
 * NLM_F_REQUEST, a sequence number, and NLM_F_DUMP to ask a GET command for
 * every object.  The reply, in one or more datagrams, is:
 *  - for GET: one message per object (type = the command), each with
 *    NLM_F_MULTI, then NLMSG_DONE;
 *  - for CREATE: one message describing the object as created (with the
 *    MAC chosen for it), then the ack;
 *  - always last: an NLMSG_ERROR ack whose error is 0 or -errno (DONE
 *    ends a successful GET instead).  A failure has NLM_F_ACK_TLVS with
 *    an NLMSGERR_ATTR_COOKIE holding an enum vsw_status (a u32) that says
 *    what went wrong for a client to word (libdladm words it as illumos
 *    does), and an NLMSGERR_ATTR_MSG string with the details for logs
 *    and vswctl.
 *
 * Attributes, by command (R = required, O = optional):
 *  LINK_CREATE  NAME R, CLASS R, DEVARGS R for phys, TEMPORARY O
 *  LINK_DELETE  NAME R, TEMPORARY O
 *  LINK_GET     NAME R (or NLM_F_DUMP) -> NAME CLASS DEVARGS TEMPORARY
 *               NVNICS
 *  VNIC_CREATE  NAME R, LINK R, MAC O (absent: random), VID O, MAXBW O,
 *               PRIORITY O, PROTECTION O, ATTACH O, TAP O, TEMPORARY O
 *  VNIC_DELETE  NAME R, TEMPORARY O (in a DELETE: the running object
 *               only; a boot or persistent one stays inactive, listed
 *               with PERSISTENT, and comes back at the next start)
 *  VNIC_MODIFY  NAME R, any of MAXBW PRIORITY PROTECTION, TEMPORARY O
 *               (TEMPORARY: change the running VNIC only)
 *  VNIC_GET     NAME R (or NLM_F_DUMP) -> every VNIC_CREATE attribute
 *               plus MAC_TYPE
 *  STATS_GET    NAME R (or NLM_F_DUMP) -> NAME CLASS STATS
 *  LINK_RENAME  NAME R, NEWNAME R: a link (its VNICs follow) or a VNIC
 *               (a TAP it has keeps its interface name)
 *  CAPTURE      NAME R, CAP_DIR R, CAP_SNAPLEN O, CAP_RING O, CAP_FILTER O
 *               -> CAPTURE with CAP_RING (the data area's size) and two
 *               descriptors on its datagram, the ring's memfd and eventfd
 *               (vswctl/capture.h); the capture lasts as long as the
 *               connection that asked for it
 *
 *  LINK_MODIFY  NAME R, MTU or NICMODE R, TEMPORARY O: the MTU of a
 *               physical link that is a host NIC (set on the NIC), or the
 *               nicmode of a NIC's own link (TEMPORARY: not persisted)
 *
 *  WORKERS_GET  (nothing) -> one WORKERS_GET with WORKER_CPUS (the CPUs
 *               a cpus property may name), then NLMSG_DONE
 *
 * Since dladm: LINK_GET replies also carry MTU SPEED STATE DUPLEX, and
 * for a link over a host NIC IFNAME and LINK_FLAGS, and for a host NIC's
 * link NIC_ATTACH and NIC_WHY (how it is attached, why not by XDP),
 * NICMODE and, dedicated, PCI;
 * VNIC_CREATE/MODIFY/GET carry MTU and ALLOWED_IPS too, and VNIC_MODIFY
 * takes MAC (+MAC_TYPE), VID and LINK, which replace the VNIC in the
 * switch (what fails is undone).  A GET with PERSISTENT answers with the
 * persistent configuration (what a restart would make) instead of the
 * running one.
 */
#ifndef VSW_CTL_H
#define VSW_CTL_H

#include "xvm/ctlmsg.h"
#include "xvm/export.h"

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where vswitchd listens unless told otherwise. */
/** Largest datagram either side sends. */
#define VSW_CTL_BUFSIZ 32768
/** Longest error message carried back. */
#define VSW_ERRMSGSIZ 160

/** Commands: nlmsg_type values, above the netlink control types. */
enum vsw_cmd {
    VSW_CMD_LINK_CREATE = 0x10,
    VSW_CMD_LINK_DELETE,
    VSW_CMD_LINK_GET,
    VSW_CMD_VNIC_CREATE,
    VSW_CMD_VNIC_DELETE,
    VSW_CMD_VNIC_MODIFY,
    VSW_CMD_VNIC_GET,
    VSW_CMD_STATS_GET,
    VSW_CMD_LINK_RENAME = 0x19,
    VSW_CMD_CAPTURE,    /**< a capture ring, with descriptors */
    VSW_CMD_LINK_MODIFY, /**< a link's MTU (a host NIC's) */
    VSW_CMD_WORKERS_GET, /**< the CPUs the fast-path workers are pinned to */
    VSW_CMD__END
};

/** Attributes of every command (one space, so replies reuse them). */
enum vsw_attr {
    VSW_A_UNSPEC,
    VSW_A_NAME,       /**< string: link or VNIC name */
    VSW_A_CLASS,      /**< u8: enum vsw_class */
    VSW_A_DEVARGS,    /**< string: DPDK devargs of a phys link */
    VSW_A_LINK,       /**< string: the link a VNIC is over */
    VSW_A_MAC,        /**< binary, 6 bytes */
    VSW_A_MAC_TYPE,   /**< u8: enum vsw_mac_type */
    VSW_A_VID,        /**< u16 */
    VSW_A_MAXBW,      /**< u64: bits/s, 0 = none */
    VSW_A_PRIORITY,   /**< u8: enum lp_priority */
    VSW_A_PROTECTION, /**< u32: enum lp_protection bits */
    VSW_A_ATTACH,     /**< u8: enum vsw_attach */
    VSW_A_TAP,        /**< string: TAP interface name */
    VSW_A_TEMPORARY,  /**< flag: not persisted */
    VSW_A_NVNICS,     /**< u32 */
    VSW_A_STATS,      /**< nested: VSW_STAT_* u64 */
    VSW_A_NEWNAME,    /**< string: LINK_RENAME's new name */
    VSW_A_MTU,        /**< u16 */
    VSW_A_ALLOWED_IPS, /**< binary: 0..LP_IPS_MAX struct lp_ipnet */
    VSW_A_PERSISTENT, /**< flag, in a GET: the persistent configuration */
    VSW_A_SPEED,      /**< u32: Mbit/s */
    VSW_A_STATE,      /**< u8: enum vsw_link_state */
    VSW_A_DUPLEX,     /**< u8: 0 unknown, 1 half, 2 full */
    VSW_A_DOMID,      /**< u32, reported: the guest a VNIC was made for */
    VSW_A_DOMAIN,     /**< string, reported: that guest's name */
    VSW_A_CAP_DIR,    /**< u32: enum vsw_cap_dir bits (CAPTURE) */
    VSW_A_CAP_SNAPLEN, /**< u32: 0 = VSW_CAP_SNAPLEN_MAX (CAPTURE) */
    VSW_A_CAP_RING,   /**< u32: ring bytes asked (0: default) / given */
    VSW_A_CAP_FILTER, /**< string: a pcap expression (CAPTURE) */
    VSW_A_IFNAME,     /**< string, reported: a link's host NIC */
    VSW_A_LINK_FLAGS, /**< u32, reported: VSW_LINK_F_* */
    VSW_A_NIC_ATTACH, /**< u8, reported: enum vsw_nic_attach */
    VSW_A_NIC_WHY,    /**< string, reported: why not XDP */
    VSW_A_NICMODE,    /**< u8: enum vsw_nicmode (LINK_MODIFY, reported) */
    VSW_A_PCI,        /**< string, reported: a dedicated NIC's PCI address */
    VSW_A_CPUS,       /**< u16: a VNIC's or link's cpus, or VSW_CPUS_NONE
                           (reset; LINK_MODIFY) */
    VSW_A_WORKER_CPUS, /**< binary: u16 CPUs, ascending (WORKERS_GET) */
    VSW_A_LINK_MTU,   /**< u16, reported: the MTU of a VNIC's link */
    VSW_A__END
};
#define VSW_A_MAX (VSW_A__END - 1)
/** Most CPUs a WORKERS_GET reply lists. */
#define VSW_CTL_WORKERS_MAX 64
/** VSW_A_CPUS of a VNIC_MODIFY that resets cpus. */
#define VSW_CPUS_NONE 0xffff

/** Counters inside VSW_A_STATS, all u64. */
enum vsw_stat_attr {
    VSW_STAT_UNSPEC,
    VSW_STAT_IPACKETS,
    VSW_STAT_RBYTES,
    VSW_STAT_OPACKETS,
    VSW_STAT_OBYTES,
    VSW_STAT_IERRORS,
    VSW_STAT_OERRORS,
    VSW_STAT_DROP_BASE, /**< + enum vsw_drop */
    VSW_STAT__END = VSW_STAT_DROP_BASE + VSW_DROP__MAX
};
#define VSW_STAT_MAX (VSW_STAT__END - 1)

/*
 * Encoding and decoding, shared by vswitchd and clients.  The put
 * functions add attributes to @nlh, which must sit in a buffer of
 * VSW_CTL_BUFSIZ bytes.  The parse functions validate every attribute's
 * type and length (and string termination) and return 0 or -EINVAL.
 */

/** Start a message of @type in @buf (zeroed header, flags, seq). */
XVN_EXPORT
struct nlmsghdr *vsw_ctl_msg(void *buf, uint16_t type, uint16_t flags,
                             uint32_t seq);

/*
 * Walk a datagram's messages with xvm_msg_ok() and mnl_nlmsg_next()
 * (xvm/ctlmsg.h, whose rule the parse functions apply).
 */

/** Each attribute's libmnl type and payload limits. */
extern const struct xvm_attr_policy vsw_ctl_policy[VSW_A_MAX + 1];
/** The counters nested in VSW_A_STATS. */
extern const struct xvm_attr_policy vsw_stat_policy[VSW_STAT_MAX + 1];

/**
 * Parse @nlh's attributes into @tb (VSW_A_MAX + 1 entries) under
 * vsw_ctl_policy: xvm_msg_attrs().  @return 0 or -EINVAL.
 */
XVN_EXPORT
int vsw_ctl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb);

XVN_EXPORT
void vsw_ctl_put_link(struct nlmsghdr *nlh, const struct vsw_link_conf *lc);
/** Fill @lc from attributes (absent ones left as they are). */
XVN_EXPORT
int vsw_ctl_get_link(const struct nlattr *const *tb, struct vsw_link_conf *lc);

XVN_EXPORT
void vsw_ctl_put_vnic(struct nlmsghdr *nlh, const struct vsw_vnic_conf *vc);
/**
 * Fill @vc from attributes (absent ones left as they are).  *@mods, when
 * not NULL, gets the VSW_MOD_* bits of the properties present.
 */
XVN_EXPORT
int vsw_ctl_get_vnic(const struct nlattr *const *tb, struct vsw_vnic_conf *vc,
                     uint32_t *mods);

/** Put @n (at most LP_IPS_MAX) allowed-ips entries. */
XVN_EXPORT
void vsw_ctl_put_ips(struct nlmsghdr *nlh, const struct lp_ipnet *ips,
                     unsigned n);

XVN_EXPORT
void vsw_ctl_put_stats(struct nlmsghdr *nlh, const struct vsw_stats *st);
XVN_EXPORT
int vsw_ctl_get_stats(const struct nlattr *attr, struct vsw_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* VSW_CTL_H */
